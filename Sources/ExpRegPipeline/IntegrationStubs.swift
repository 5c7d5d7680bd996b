// TEMPORARY: stands in for the helpers' APIs until their branches are merged.
import ExpRegCore
import ExpRegManifest
import ExpRegStore
import Foundation

public struct BenchmarkConfig: Sendable {
    public init(n: Int, d: Int, width: Int, steps: Int, activation: Activation) {}
}
public struct BenchmarkResult: Codable, Sendable { public var summaryLine: String { "" } }
public enum Benchmark { public static func run(_ c: BenchmarkConfig) throws -> BenchmarkResult { fatalError() } }
