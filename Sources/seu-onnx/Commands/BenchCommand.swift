import Foundation
import SEUOnnx

/// `seu-onnx bench`: the performance benchmark (see docs/PERFORMANCE.md).
enum BenchCommand {
    static let command = Command(
        name: "bench",
        abstract: "Measure inference latency and campaign throughput on the reference models",
        usage: "[--models DIR] [--only NAMES] [--repeat N]",
        options: [
            OptionSpec(name: "--models", value: "DIR", help: "reference models folder (default $SEU_SHARED_MODELS or ../shared/models)"),
            OptionSpec(name: "--only", value: "NAMES", help: "comma-separated subset: latency1,latency8,digits,r18digits,r18sdc,memory"),
            OptionSpec(name: "--repeat", value: "N", help: "timed repetitions of each latency measurement (default 20)"),
        ],
        positionals: 0...0
    ) { arguments in try Benchmark(arguments).run() }
}

struct Benchmark {
    let models: String
    let only: Set<String>?
    let repeats: Int

    init(_ arguments: ParsedArguments) throws {
        models = arguments.string("--models") ?? ProcessInfo.processInfo.environment["SEU_SHARED_MODELS"] ?? "../shared/models"
        only = arguments.string("--only").map { Set($0.split(separator: ",").map(String.init)) }
        repeats = max(1, try arguments.int("--repeat") ?? 20)
    }

    func wants(_ name: String) -> Bool { only?.contains(name) ?? true }
    func path(_ file: String) -> String { (models as NSString).appendingPathComponent(file) }

    func run() throws {
        print("kernels: \(BLAS.summary); GEMM \(GEMM.kernelName)")
        for batch in [1, 8] where wants("latency\(batch)") {
            let ms = try latency(batch: batch)
            print("resnet18 224 batch \(batch): \(String(format: "%.2f", ms.median)) ms median, \(String(format: "%.2f", ms.best)) ms best")
        }
    }

    /// `samples` samples taken cyclically from `input` (axis 0).
    static func tiled(_ input: Tensor, samples: Int) -> Tensor {
        var shape = input.shape
        shape[0] = samples
        let result = Tensor(dataType: input.dataType, shape: shape)
        let bytes = input.byteCount / max(input.shape[0], 1)
        for i in 0..<samples {
            (result.storage.bytes + i * bytes).copyMemory(from: input.storage.bytes + (i % input.shape[0]) * bytes, byteCount: bytes)
        }
        return result
    }

    /// Median and best wall time of `repeats` runs of resnet18.onnx at a batch size.
    func latency(batch: Int) throws -> (median: Double, best: Double) {
        let model = try Model(path: path("resnet18.onnx"))
        let session = try InferenceSession(model: model)
        let input = try NPY.read(path: path("resnet18_input.npy"))
        let feeds = [Self.tiled(input, samples: batch)]
        let plan = try session.plan(for: feeds.map { ValueType($0.dataType, $0.shape) })
        for _ in 0..<3 { try plan.run(feeds) }
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try plan.run(feeds)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return (times[times.count / 2], times[0])
    }
}
