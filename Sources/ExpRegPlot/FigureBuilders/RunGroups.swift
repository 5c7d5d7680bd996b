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
            groups.append(
                (
                    activation,
                    widths.map { w in
                        WidthGroup(width: w, runs: runs.filter { $0.spec.config.model.width == w })
                    }
                ))
        }
        byActivation = groups
        allWidths = Set(batch.runs.map(\.spec.config.model.width)).sorted()
    }

    /// A log width axis titled `title`: automatic, or — with a single width m in the batch — m
    /// labelled in the middle of [m/2, 2m], so the dots are centred rather than at a decade's edge.
    func widthAxis(title: String) -> AxisSpec {
        guard allWidths.count == 1, let m = allWidths.first.map(Double.init) else {
            return AxisSpec(title: title, scale: .log10)
        }
        return AxisSpec(
            title: title, scale: .log10,
            customTicks: [
                Tick(value: m / 2, label: ""), Tick(value: m, label: "\(Int(m))"), Tick(value: 2 * m, label: ""),
            ])
    }

    /// The colour of width `m`: the palette colour of its rank among all widths.
    func color(width: Int) -> RGBColor { Palette.color(allWidths.firstIndex(of: width) ?? 0) }

    /// The colour of an activation in figures that compare activations (exp: blue, relu: vermillion).
    static func color(_ activation: Activation) -> RGBColor {
        activation == .exp ? Palette.blue : Palette.vermillion
    }
}
