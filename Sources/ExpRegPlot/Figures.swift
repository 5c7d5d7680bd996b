import ExpRegCore
import Foundation

/// INTERFACE STUB — implemented by the plot work (issue 4).
///
/// A figure written to disk.
public struct RenderedFigure: Sendable, Equatable {
    /// File stem: `loss`, `loss-relu`, `spectrum`, `lambda_min`, `gram_distance`, `rate`, `trend`.
    public var name: String
    /// Japanese title (also the report caption).
    public var title: String
    public var pngPath: String
    public var svgPath: String
}

public enum Figures {
    /// Renders every figure of a batch into `directory` as PNG (2x) and SVG.
    /// - Parameters:
    ///   - batch: the batch as archived.
    ///   - trend: headline numbers of the batches of the same manifest, oldest first (may be empty).
    public static func renderAll(batch: BatchSnapshot, trend: [BatchHeadline], into directory: URL) throws -> [RenderedFigure] {
        fatalError("not implemented")
    }
}
