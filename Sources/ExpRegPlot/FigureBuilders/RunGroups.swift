import ExpRegCore
import Foundation

/// The runs of a batch grouped for plotting: by activation, then by width; seeds are the spread.
struct RunGroups {
    /// One width of one activation: its runs in plan order (one per seed, possibly several experiments).
    struct WidthGroup {
        let width: Int
        let runs: [RunRecord]
        /// The run with the lowest seed (ties: plan order): used where one representative is needed.
        var representative: RunRecord { runs.min { $0.spec.config.seed < $1.spec.config.seed } ?? runs[0] }
    }

    /// Activations present, in `Activation.allCases` order, with their width groups (ascending width).
    let byActivation: [(activation: Activation, widths: [WidthGroup])]
    /// Every width in the batch, ascending (a width has the same colour in every figure).
    let allWidths: [Int]

    init(_ batch: BatchSnapshot) {
        var groups: [(Activation, [WidthGroup])] = []
        for activation in Activation.allCases {
            let runs = batch.runs.filter { $0.spec.config.model.activation == activation }
            guard !runs.isEmpty else { continue }
            let widths = Set(runs.map(\.spec.config.model.width)).sorted()
            groups.append((activation, widths.map { w in
                WidthGroup(width: w, runs: runs.filter { $0.spec.config.model.width == w })
            }))
        }
        byActivation = groups
        allWidths = Set(batch.runs.map(\.spec.config.model.width)).sorted()
    }

    /// The colour of width `m`: the palette colour of its rank among all widths.
    func color(width: Int) -> RGBColor { Palette.color(allWidths.firstIndex(of: width) ?? 0) }

    /// The colour of an activation in figures that compare activations (exp: blue, relu: vermillion).
    static func color(_ activation: Activation) -> RGBColor {
        activation == .exp ? Palette.blue : Palette.vermillion
    }
}

/// Per-step median and min–max over several curves (steps present in any curve, ascending).
///
/// Only finite values enter the statistics; a step where no curve is finite gets NaN (the chart
/// drops and counts it).
struct CurveSpread {
    let steps: [Int]
    let median: [Double]
    let minimum: [Double]
    let maximum: [Double]

    init(_ curves: [[CurvePoint]]) {
        var valuesByStep: [Int: [Double]] = [:]
        for curve in curves {
            for point in curve { valuesByStep[point.step, default: []].append(point.value) }
        }
        steps = valuesByStep.keys.sorted()
        var med: [Double] = [], lo: [Double] = [], hi: [Double] = []
        for step in steps {
            let finite = (valuesByStep[step] ?? []).filter(\.isFinite)
            med.append(ExpRegCore.median(finite) ?? .nan)
            lo.append(finite.min() ?? .nan)
            hi.append(finite.max() ?? .nan)
        }
        median = med
        minimum = lo
        maximum = hi
    }

    var medianPoints: [DataPoint] { zip(steps, median).map { DataPoint(Double($0), $1) } }

    var bandSamples: [Band.Sample] {
        steps.indices.map { Band.Sample(x: Double(steps[$0]), lower: minimum[$0], upper: maximum[$0]) }
    }
}

/// Bilingual strings shared by the figures.
enum FigureText {
    static let notEnoughData = "データ不足 / not enough data"
    static let measured = "実測 中央値 / median"
    static let spread = "seed 範囲 / min–max"

    static func width(_ m: Int) -> String { "m = \(m)" }

    /// Subtitle suffix naming the batch.
    static func batchLabel(_ batch: BatchSnapshot) -> String { "batch \(batch.info.id)" }
}
