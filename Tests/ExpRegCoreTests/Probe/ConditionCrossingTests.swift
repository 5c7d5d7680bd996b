import ExpRegCore
import Testing

/// The crossing rule and the grid, on synthetic curves.
@Suite("Condition crossing and grid")
struct ConditionCrossingTests {
    let widths = [16, 19, 23, 27, 32, 38]

    @Test("never reached: no crossing, no first crossing")
    func neverReached() {
        let crossing = ConditionCrossing(widths: widths, holds: [false, false, false, false, false, false])
        #expect(crossing.width == nil)
        #expect(crossing.firstWidth == nil)
        #expect(crossing.crossingsBack == 0)
    }

    @Test("reached at the first point: the first width")
    func reachedAtTheFirstPoint() {
        let crossing = ConditionCrossing(widths: widths, holds: Array(repeating: true, count: 6))
        #expect(crossing.width == 16)
        #expect(crossing.firstWidth == 16)
        #expect(crossing.crossingsBack == 0)
    }

    @Test("crosses back: the start of the last unbroken run, the dip counted")
    func crossesBack() {
        let crossing = ConditionCrossing(widths: widths, holds: [false, true, false, true, true, true])
        #expect(crossing.width == 27)
        #expect(crossing.firstWidth == 19)
        #expect(crossing.crossingsBack == 1)
        let twice = ConditionCrossing(widths: widths, holds: [true, false, true, false, true, true])
        #expect(twice.width == 32)
        #expect(twice.crossingsBack == 2)
    }

    @Test("crossed, then lost at the last checkpoint: no crossing")
    func lostAtTheEnd() {
        let crossing = ConditionCrossing(widths: widths, holds: [false, false, true, true, true, false])
        #expect(crossing.width == nil)
        #expect(crossing.firstWidth == 23)
        #expect(crossing.crossingsBack == 1)
    }

    @Test("an empty curve has no crossing") func empty() {
        #expect(ConditionCrossing(widths: [], holds: []).width == nil)
        #expect(!ConditionCrossing.heldForLast(1, of: []))
        #expect(ConditionCrossing.heldForLast(0, of: []))
    }

    @Test("the margin rule needs the last k checkpoints to hold")
    func margin() {
        #expect(ConditionCrossing.heldForLast(3, of: [false, true, true, true]))
        #expect(!ConditionCrossing.heldForLast(3, of: [true, false, true, true]))
        #expect(!ConditionCrossing.heldForLast(5, of: [true, true, true, true]))
    }

    @Test("the grid: four points per octave from 16, integers only, independent of the maximum")
    func grid() {
        #expect(ProbeGrid.widths(upTo: 130) == [16, 19, 23, 27, 32, 38, 46, 54, 64, 76, 92, 108, 128])
        #expect(ProbeGrid.widths(upTo: 15).isEmpty)
        #expect(ProbeGrid.width(at: 64) == 1 << 20)
        let long = ProbeGrid.widths(upTo: 1 << 26)
        #expect(long.count == 89 && long.last == 1 << 26)
        #expect(Array(long.prefix(13)) == ProbeGrid.widths(upTo: 128))
        for k in 0..<long.count where k % 4 == 0 { #expect(long[k] == 16 << (k / 4)) }
        for (a, b) in zip(long, long.dropFirst()) {
            let ratio = Double(b) / Double(a)
            #expect(ratio > 1.16 && ratio < 1.22)
        }
        #expect(ProbeGrid.width(atLeast: 1) == 16)
        #expect(ProbeGrid.width(atLeast: 100) == 108)
        #expect(ProbeGrid.width(atLeast: 128) == 128)
        #expect(ProbeGrid.width(atLeast: .infinity) == nil)
    }

    @Test("chunks depend on d only, between 1024 and 16,384 neurons")
    func chunks() {
        #expect(ProbeOptions.chunkWidth(d: 1) == 16_384)
        #expect(ProbeOptions.chunkWidth(d: 64) == 16_384)
        #expect(ProbeOptions.chunkWidth(d: 100) == 10_240)
        #expect(ProbeOptions.chunkWidth(d: 4096) == 1024)
    }
}
