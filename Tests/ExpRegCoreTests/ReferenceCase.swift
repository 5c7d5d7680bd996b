import ExpRegCore
import ExpRegTestSupport
import Foundation

/// One case of the independent NumPy/LAPACK reference vectors (Tests/Fixtures/reference/<name>).
struct ReferenceCase {
    let name: String
    let dataset: Dataset
    let initial: ModelParameters
    let finalWeights: [Double]
    let gradient: [Double]
    let hInit: [Double]
    let hStar: [Double]
    let eigHStar: [Double]
    let eigHInit: [Double]
    let eigHFinal: [Double]
    let loss: [Double]
    let kernelPrediction: [Double]
    /// case.json: settings and expected scalars.
    let scalars: [String: Any]

    init(_ name: String) throws {
        self.name = name
        let folder = Fixtures.referenceCase(name)
        func csv(_ file: String, header: Bool) throws -> [[Double]] {
            try readNumericCSV(folder.appendingPathComponent(file), header: header)
        }
        let data = try csv("dataset.csv", header: true)
        let d = data[0].count - 1
        dataset = try Dataset(n: data.count, d: d, x: data.flatMap { $0.prefix(d) }, y: data.map { $0[d] })
        let params = try csv("params.csv", header: true)
        initial = ModelParameters(
            width: params.count, d: d, a: params.map { $0[0] },
            w: params.flatMap { $0.dropFirst() })
        finalWeights = try csv("params_final.csv", header: true).flatMap { $0.dropFirst() }
        gradient = try csv("grad_init.csv", header: false).flatMap { $0 }
        hInit = try csv("h_init.csv", header: false).flatMap { $0 }
        hStar = try csv("hstar.csv", header: false).flatMap { $0 }
        eigHStar = try csv("eig_hstar.csv", header: false).flatMap { $0 }
        eigHInit = try csv("eig_h_init.csv", header: false).flatMap { $0 }
        eigHFinal = try csv("eig_h_final.csv", header: false).flatMap { $0 }
        loss = try csv("loss.csv", header: true).map { $0[1] }
        kernelPrediction = try csv("kernel_prediction.csv", header: true).map { $0[1] }
        let json = try Data(contentsOf: folder.appendingPathComponent("case.json"))
        scalars = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
    }

    func double(_ key: String) -> Double? { (scalars[key] as? NSNumber)?.doubleValue }
    func int(_ key: String) -> Int? { (scalars[key] as? NSNumber)?.intValue }
    var activation: Activation { Activation(rawValue: scalars["activation"] as? String ?? "") ?? .exp }
    var sigma: Double { double("sigma") ?? .nan }
    var steps: Int { int("steps") ?? -1 }
    var eta: Double { double("eta") ?? .nan }
    var n: Int { dataset.n }

    /// The run configuration of the case: its eta (fixed; the `auto` case is checked separately),
    /// every step logged, a spectrum only at start and end, no early stop.
    func config(learningRate: LearningRate? = nil) -> RunConfig {
        RunConfig(
            seed: 0,
            data: DataConfig(source: .csv, n: dataset.n, d: dataset.d),
            model: ModelConfig(activation: activation, width: initial.width, initScale: sigma),
            train: TrainConfig(
                steps: steps, learningRate: learningRate ?? .fixed(eta), targetLoss: 0,
                logEvery: 1, spectrumEvery: 0))
    }

    static let all = ["tiny-exp", "tiny-relu", "small-exp"]
}

/// max_i |a_i − b_i| / scale: the error relative to a scale such as the max entry.
func maxScaledError(_ a: [Double], _ b: [Double], scale: Double) -> Double {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / scale
}

func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }

/// The options of the trainer tests: 2 threads on the path ``TestKernels/path`` (the forced
/// `EXPREG_KERNELS` path, else the fastest this CPU runs). Outcomes do not depend on the threads.
let testOptions = TrainingOptions(threads: 2, kernels: TestKernels.path)
