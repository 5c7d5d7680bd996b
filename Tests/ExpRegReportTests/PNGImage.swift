import Foundation

/// A minimal PNG reader for the browser test: 8-bit RGB/RGBA (what Chromium writes), non-interlaced.
///
/// Foundation on Linux has no public zlib API, and the test must not depend on ImageMagick or
/// Python, so this decodes the IDAT zlib stream itself (RFC 1950/1951: stored, fixed and dynamic
/// Huffman blocks) and undoes the PNG row filters (None, Sub, Up, Average, Paeth).
struct PNGImage {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    let width: Int
    let height: Int
    /// Bytes per pixel (3 = RGB, 4 = RGBA).
    let channels: Int
    /// Decoded rows (only the first `rowsDecoded` rows are present), `width * channels` bytes each.
    let pixels: [UInt8]
    let rowsDecoded: Int

    /// Decodes `data`; stops after `maxRows` rows (the first screen is enough for a blank check).
    init(data: Data, maxRows: Int = .max) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 33, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw DecodeError(description: "not a PNG file (bad signature)")
        }
        var offset = 8
        var idat: [UInt8] = []
        var w = 0
        var h = 0
        var colorType = 0
        var bitDepth = 0
        var interlace = 0
        while offset + 8 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw DecodeError(description: "truncated chunk \(type)") }
            switch type {
            case "IHDR":
                func be32(_ i: Int) -> Int {
                    Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
                }
                w = be32(body)
                h = be32(body + 4)
                bitDepth = Int(bytes[body + 8])
                colorType = Int(bytes[body + 9])
                interlace = Int(bytes[body + 12])
            case "IDAT":
                idat.append(contentsOf: bytes[body..<(body + length)])
            default:
                break
            }
            offset = body + length + 4
            if type == "IEND" { break }
        }
        guard bitDepth == 8, colorType == 2 || colorType == 6, interlace == 0, w > 0, h > 0 else {
            throw DecodeError(
                description: "unsupported PNG (depth \(bitDepth), colour type \(colorType), interlace \(interlace))")
        }
        width = w
        height = h
        channels = colorType == 6 ? 4 : 3
        let stride = w * channels
        let rows = min(h, maxRows)
        var inflater = Inflater(Array(idat.dropFirst(2)))
        let raw = try inflater.inflate(limit: rows * (stride + 1))
        guard raw.count >= rows * (stride + 1) else { throw DecodeError(description: "image data too short") }
        var out = [UInt8](repeating: 0, count: rows * stride)
        for y in 0..<rows {
            let filter = raw[y * (stride + 1)]
            let src = y * (stride + 1) + 1
            let dst = y * stride
            for x in 0..<stride {
                let a = x >= channels ? Int(out[dst + x - channels]) : 0
                let b = y > 0 ? Int(out[dst - stride + x]) : 0
                let c = (x >= channels && y > 0) ? Int(out[dst - stride + x - channels]) : 0
                let v = Int(raw[src + x])
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a)
                    let pb = abs(p - b)
                    let pc = abs(p - c)
                    predicted = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                default: throw DecodeError(description: "bad filter type \(filter) in row \(y)")
                }
                out[dst + x] = UInt8(truncatingIfNeeded: v + predicted)
            }
        }
        pixels = out
        rowsDecoded = rows
    }

    /// The RGB of a pixel packed as 0xRRGGBB (alpha ignored).
    func rgb(x: Int, y: Int) -> UInt32 {
        let i = (y * width + x) * channels
        return UInt32(pixels[i]) << 16 | UInt32(pixels[i + 1]) << 8 | UInt32(pixels[i + 2])
    }
}

/// RFC 1951 inflate (enough for PNG: stored, fixed and dynamic Huffman blocks).
private struct Inflater {
    private let input: [UInt8]
    private var position = 0
    private var bitBuffer = 0
    private var bitCount = 0
    private var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    private mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard position < input.count else { throw PNGImage.DecodeError(description: "deflate stream ends early") }
            bitBuffer |= Int(input[position]) << bitCount
            position += 1
            bitCount += 8
        }
        let value = bitBuffer & ((1 << n) - 1)
        bitBuffer >>= n
        bitCount -= n
        return value
    }

    /// Canonical Huffman table: counts per length and symbols sorted by code.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0
        var first = 0
        var index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw PNGImage.DecodeError(description: "bad Huffman code")
    }

    private static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ]
    private static let lengthExtra = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    private static let distBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    private static let distExtra = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// Inflates until the final block ends or `limit` bytes are out.
    mutating func inflate(limit: Int) throws -> [UInt8] {
        var last = 0
        while last == 0 && output.count < limit {
            last = try bits(1)
            switch try bits(2) {
            case 0:
                bitBuffer = 0
                bitCount = 0
                guard position + 4 <= input.count else {
                    throw PNGImage.DecodeError(description: "stored block header")
                }
                let length = Int(input[position]) | Int(input[position + 1]) << 8
                position += 4
                guard position + length <= input.count else {
                    throw PNGImage.DecodeError(description: "stored block body")
                }
                output.append(contentsOf: input[position..<(position + length)])
                position += length
            case 1:
                var lengths = [Int](repeating: 8, count: 288)
                for i in 144..<256 { lengths[i] = 9 }
                for i in 256..<280 { lengths[i] = 7 }
                try codes(Huffman(lengths: lengths), Huffman(lengths: [Int](repeating: 5, count: 30)), limit: limit)
            case 2:
                let nlen = try bits(5) + 257
                let ndist = try bits(5) + 1
                let ncode = try bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<ncode { codeLengths[order[i]] = try bits(3) }
                let lencode = Huffman(lengths: codeLengths)
                var lengths: [Int] = []
                while lengths.count < nlen + ndist {
                    let symbol = try decode(lencode)
                    switch symbol {
                    case 0..<16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else {
                            throw PNGImage.DecodeError(description: "repeat with no length")
                        }
                        lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
                    case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
                    default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
                    }
                }
                try codes(
                    Huffman(lengths: Array(lengths[0..<nlen])),
                    Huffman(lengths: Array(lengths[nlen..<(nlen + ndist)])), limit: limit)
            default:
                throw PNGImage.DecodeError(description: "invalid deflate block type")
            }
        }
        return output
    }

    private mutating func codes(_ lencode: Huffman, _ distcode: Huffman, limit: Int) throws {
        while output.count < limit {
            let symbol = try decode(lencode)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let s = symbol - 257
                guard s < 29 else { throw PNGImage.DecodeError(description: "bad length symbol") }
                let length = Self.lengthBase[s] + (try bits(Self.lengthExtra[s]))
                let d = try decode(distcode)
                guard d < 30 else { throw PNGImage.DecodeError(description: "bad distance symbol") }
                let distance = Self.distBase[d] + (try bits(Self.distExtra[d]))
                guard distance <= output.count else { throw PNGImage.DecodeError(description: "distance too far back") }
                let start = output.count - distance
                for i in 0..<length { output.append(output[start + i]) }
            }
        }
    }
}
