#!/usr/bin/env python3
"""Independent reference for SeededGenerator.jumped(): SplitMix64 seeding + xoshiro256** 1.0 and
its published jump() (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c), in plain
Python integers. Prints the first outputs of the jumped stream for a few seeds; the values are
copied into Tests/ExpRegCoreTests/HeldOutDataTests.swift."""
M = (1 << 64) - 1


def splitmix(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        yield z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Xoshiro:
    def __init__(self, seed):
        sm = splitmix(seed)
        self.s = [next(sm) for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def jump(self):
        table = [0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C]
        acc = [0, 0, 0, 0]
        for word in table:
            for b in range(64):
                if word & (1 << b):
                    acc = [acc[i] ^ self.s[i] for i in range(4)]
                self.next()
        self.s = acc


for seed in (0, 1, 12345):
    g = Xoshiro(seed)
    g.jump()
    print(seed, [hex(g.next()) for _ in range(3)])
