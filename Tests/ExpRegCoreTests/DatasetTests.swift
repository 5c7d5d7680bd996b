import ExpRegCore
import Foundation
import RealModule
import Testing

@Suite("Dataset validation and sphere data")
struct DatasetTests {
    private let unit: [Double] = [1, 0, 0, 1]  // two unit rows, d = 2

    @Test("valid data is accepted as given")
    func valid() throws {
        let data = try Dataset(n: 2, d: 2, x: unit, y: [0.5, -1])
        #expect(data.x == unit && data.y == [0.5, -1])
    }

    @Test(
        "bad shapes, non-finite values and non-unit rows are rejected with the row",
        arguments: [
            (0, 2, [Double](), [Double](), "at least 1"),
            (2, 0, [Double](), [0.0, 0.0], "d must be at least 1"),
            (2, 2, [1.0, 0, 0], [0.0, 0.0], "x has 3 values"),
            (2, 2, [1.0, 0, 0, 1], [0.0], "y has 1 labels"),
            (2, 2, [1.0, 0, .nan, 1], [0.0, 0.0], "row 2: x1 is nan"),
            (2, 2, [1.0, 0, 0, 1], [0.0, .infinity], "row 2: y is inf"),
            (2, 2, [1.0, 0, 0, 1.01], [0.0, 0.0], "row 2: ||x|| = 1.01"),
        ])
    func invalid(n: Int, d: Int, x: [Double], y: [Double], fragment: String) {
        #expect {
            _ = try Dataset(n: n, d: d, x: x, y: y)
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }

    @Test("euclideanNorm neither overflows nor underflows and is 0 only for a zero row")
    func euclideanNorm() {
        // 5 = 4 · √(0.75² + 1) and 5e300, 5e-300 scaled alike: exact up to the scaling's rounding.
        #expect(Dataset.euclideanNorm([3, 4]).isApproximatelyEqual(to: 5, relativeTolerance: 2 * .ulpOfOne))
        #expect(
            Dataset.euclideanNorm([3e300, 4e300]).isApproximatelyEqual(to: 5e300, relativeTolerance: 2 * .ulpOfOne))
        #expect(
            Dataset.euclideanNorm([3e-300, -4e-300]).isApproximatelyEqual(to: 5e-300, relativeTolerance: 2 * .ulpOfOne))
        #expect(Dataset.euclideanNorm([1e-200, 0]) == 1e-200)
        #expect(Dataset.euclideanNorm([0, 0]) == 0)
    }

    @Test("sphere data: same seed bitwise identical, other seed different, unit rows", arguments: LabelKind.allCases)
    func sphere(labels: LabelKind) {
        let a = SphereData.generate(n: 50, d: 7, labels: labels, seed: 5)
        let b = SphereData.generate(n: 50, d: 7, labels: labels, seed: 5)
        let c = SphereData.generate(n: 50, d: 7, labels: labels, seed: 6)
        #expect(a.x.map(\.bitPattern) == b.x.map(\.bitPattern))
        #expect(a.y.map(\.bitPattern) == b.y.map(\.bitPattern))
        #expect(a.x != c.x && a.y != c.y)
        for i in 0..<a.n {
            let norm = (0..<a.d).reduce(0.0) { $0 + a.x[i * a.d + $1] * a.x[i * a.d + $1] }.squareRoot()
            // Normalised by a correctly rounded sqrt and d divisions: a few ulp from 1.
            #expect(norm.isApproximatelyEqual(to: 1, relativeTolerance: 1e-14))
        }
    }

    @Test("teacher labels are sin(3 <v, x>) for the documented unit v")
    func teacher() {
        let data = SphereData.generate(n: 20, d: 4, labels: .teacher, seed: 9)
        let v = SphereData.teacherDirection(d: 4, afterPoints: 20, seed: 9)
        let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(vNorm.isApproximatelyEqual(to: 1, relativeTolerance: 1e-14))
        for i in 0..<data.n {
            let dot = (0..<4).reduce(0.0) { $0 + v[$1] * data.x[i * 4 + $1] }
            // PortableMath.sin vs libm sin: within a few ulp of a value of magnitude ≤ 1.
            #expect(data.y[i].isApproximatelyEqual(to: Foundation.sin(3 * dot), absoluteTolerance: 1e-15))
        }
    }

    @Test("random labels look like N(0, 1)")
    func randomLabels() {
        let data = SphereData.generate(n: 4000, d: 3, labels: .random, seed: 1)
        let mean = data.y.reduce(0, +) / 4000
        // 5 standard errors of the mean of 4000 standard normals.
        #expect(abs(mean) < 5 / 4000.0.squareRoot())
    }
}
