import ExpRegCore

/// Bilingual strings shared by the figures.
enum FigureText {
    static let notEnoughData = "データ不足 / not enough data"
    static let measured = "実測 中央値 / median"
    static let spread = "seed 範囲 / min–max"
    static let singleSeed = "各 seed / single seed"
    static let converged = "目標損失に到達 / converged"

    static func width(_ m: Int) -> String { "m = \(m)" }

    /// Subtitle suffix naming the batch.
    static func batchLabel(_ batch: BatchSnapshot) -> String { "batch \(batch.info.id)" }
}
