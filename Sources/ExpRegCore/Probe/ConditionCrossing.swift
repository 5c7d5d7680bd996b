/// Where a probe's curve ‖H_m(W0) − H*‖₂ meets the width condition ‖H_m − H*‖₂ ≤ λ*/4.
///
/// Given the checkpoints a probe computed (ascending widths, each with whether the condition held):
/// - ``width`` (m_c, `crossing_width`): the smallest checkpoint width from which the condition
///   holds at **every** later checkpoint up to the last one computed. A curve that crosses back
///   (holds, fails again, holds again) gets the start of its final unbroken run of holding
///   checkpoints, never the earlier dip. nil when the condition fails at the last checkpoint (not
///   reached within the widths probed).
/// - ``firstWidth``: the first checkpoint width at which the condition held at all (equal to
///   ``width`` unless the curve crossed back); nil when it never held.
/// - ``crossingsBack``: how often the curve went back above λ*/4 after having been below it.
public struct ConditionCrossing: Sendable, Equatable, Codable {
    public var width: Int?
    public var firstWidth: Int?
    public var crossingsBack: Int

    /// The crossing of checkpoints `widths` (ascending) at which the condition `holds`.
    /// - Precondition: equal lengths.
    public init(widths: [Int], holds: [Bool]) {
        precondition(widths.count == holds.count, "ConditionCrossing: \(widths.count) widths, \(holds.count) flags")
        firstWidth = zip(widths, holds).first { $0.1 }?.0
        var back = 0
        for k in holds.indices.dropFirst() where holds[k - 1] && !holds[k] { back += 1 }
        crossingsBack = back
        if let last = holds.last, last {
            let start = (holds.lastIndex(of: false) ?? -1) + 1
            width = widths[start]
        } else {
            width = nil
        }
    }

    /// Whether the last `checkpoints` checkpoints (and at least that many exist) all hold: the
    /// probe's stopping rule with a margin of `checkpoints − 1` grid steps.
    public static func heldForLast(_ checkpoints: Int, of holds: [Bool]) -> Bool {
        holds.count >= checkpoints && holds.suffix(checkpoints).allSatisfy { $0 }
    }
}
