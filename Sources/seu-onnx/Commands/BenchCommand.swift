import Foundation
import SEUOnnx

/// `seu-onnx bench`: the performance benchmark (docs/PERFORMANCE.md; `Benchmarks/peers.py`
/// runs the same work on onnxruntime, PyTorch and the Python framework).
enum BenchCommand {
    static let command = Command(
        name: "bench",
        abstract: "Measure inference latency, campaign throughput and peak memory on the reference models",
        usage: "[--models DIR] [--only NAMES] [--repeat N] [--json FILE]",
        options: [
            OptionSpec(name: "--models", value: "DIR", help: "reference models folder (default $SEU_SHARED_MODELS or ../shared/models)"),
            OptionSpec(name: "--only", value: "NAMES", help: "comma-separated subset of: \(Benchmark.all.joined(separator: ","))"),
            OptionSpec(name: "--repeat", value: "N", help: "repetitions of each measurement; the best is reported (default 3; latency: 10× as many runs)"),
            OptionSpec(name: "--json", value: "FILE", help: "also write the results as JSON"),
            OptionSpec(name: "--no-incremental", value: nil, help: "campaigns re-run the whole model for every fault"),
            OptionSpec(name: "--workers", value: "N", help: "faults evaluated at once (default: one per core)"),
        ],
        positionals: 0...0,
        discussion: """
        Fixed work (seeds included), measured in this process after loading:
          latency1, latency8   resnet18.onnx 224×224, batch 1 and 8: median run time
          digits               digits_cnn.onnx, exhaustive bit 1 over conv1.weight, 360 images: injections/s
          r18digits            resnet18_digits32.onnx, 200 random faults over all weights and bits, 64 images
          r18sdc               resnet18.onnx, 200 random faults, one image, SDC metric (no labels)
          memory               peak resident memory of `seu-onnx run` and `seu-onnx inject` (child processes)
                               on resnet18_digits32 (64 images, batch 64) and resnet18 (one image)
        """
    ) { arguments in try Benchmark(arguments).run() }
}

struct Benchmark {
    static let all = ["latency1", "latency8", "digits", "r18digits", "r18sdc", "memory"]
    let models: String
    let only: Set<String>?
    let repeats: Int
    let incremental: Bool
    let workers: Int
    let jsonPath: String?

    init(_ arguments: ParsedArguments) throws {
        models = arguments.string("--models") ?? ProcessInfo.processInfo.environment["SEU_SHARED_MODELS"] ?? "../shared/models"
        only = arguments.string("--only").map { Set($0.split(separator: ",").map(String.init)) }
        if let unknown = only?.first(where: { !Self.all.contains($0) }) {
            throw SEUError(.invalidArgument, "unknown benchmark '\(unknown)'; choose from \(Self.all.joined(separator: ", "))", location: .init(argument: "--only"))
        }
        repeats = try arguments.int("--repeat") ?? 3
        guard repeats > 0 else {
            throw SEUError(.invalidArgument, "must be positive, got \(repeats)", location: .init(argument: "--repeat"))
        }
        incremental = !arguments.has("--no-incremental")
        workers = try arguments.int("--workers") ?? 0
        guard workers >= 0 else {
            throw SEUError(.invalidArgument, "must be positive, got \(workers)", location: .init(argument: "--workers"))
        }
        jsonPath = arguments.string("--json")
        guard FileManager.default.fileExists(atPath: (models as NSString).appendingPathComponent("resnet18_digits32.onnx")) else {
            throw SEUError(.io, "no reference models in \(models) (pass --models DIR or set SEU_SHARED_MODELS)", location: .init(argument: "--models"))
        }
    }

    func wants(_ name: String) -> Bool { only?.contains(name) ?? true }
    func path(_ file: String) -> String { (models as NSString).appendingPathComponent(file) }

    func run() throws {
        var results: [String: Any] = ["gemm_kernel": GEMM.kernelName, "openblas": BLAS.kernelName,
                                      "threads": Parallel.threads, "incremental": incremental]
        print("kernels: \(Kernels.summary)")
        // Memory in child processes (each reports its own VmHWM, see ChildProcess).
        if wants("memory") {
            for (name, model, input, samples) in [("r18digits", "resnet18_digits32.onnx", "digits32_test_x.npy", 64),
                                                   ("r18", "resnet18.onnx", "resnet18_input.npy", 1)] {
                let (run, inject) = try memory(model: model, input: input, samples: samples)
                results["memory_\(name)_run_mib"] = run
                results["memory_\(name)_inject_mib"] = inject
                print("peak memory, \(model) (\(samples) image\(samples == 1 ? "" : "s")): run \(String(format: "%.0f", run)) MiB, inject \(String(format: "%.0f", inject)) MiB (\(String(format: "%.2f", inject / run))×)")
            }
        }
        for batch in [1, 8] where wants("latency\(batch)") {
            let times = try latencies(batch: batch)
            let ms = times[times.count / 2]
            results["latency\(batch)_ms"] = ms
            results["latency\(batch)_times_ms"] = times
            print("resnet18 224 batch \(batch): \(String(format: "%.2f", ms)) ms (median)")
        }
        if wants("digits") {
            let rate = try throughput(model: "digits_cnn.onnx", input: "digits_test_x.npy", labels: "digits_test_y.npy", samples: 360,
                                      configuration: CampaignConfiguration(selection: TensorSelection(patterns: ["conv1.weight"]),
                                                                           bits: try BitSelection(parsing: "1"), mode: .exhaustive))
            results["digits_per_s"] = rate
            print("digits_cnn, exhaustive bit 1 over conv1.weight, 360 images: \(String(format: "%.1f", rate)) injections/s")
        }
        if wants("r18digits") {
            let rate = try throughput(model: "resnet18_digits32.onnx", input: "digits32_test_x.npy", labels: "digits_test_y.npy", samples: 64,
                                      configuration: CampaignConfiguration(mode: .count(200), seed: 1))
            results["r18digits_per_s"] = rate
            print("resnet18_digits32, 200 random faults (all weights, all bits), 64 images: \(String(format: "%.1f", rate)) injections/s")
        }
        if wants("r18sdc") {
            let rate = try throughput(model: "resnet18.onnx", input: "resnet18_input.npy", labels: nil, samples: 1,
                                      configuration: CampaignConfiguration(mode: .count(200), seed: 1))
            results["r18sdc_per_s"] = rate
            print("resnet18 224, 200 random faults, one image, SDC metric: \(String(format: "%.1f", rate)) injections/s")
        }
        if let jsonPath {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: jsonPath))
        }
    }

    /// Wall times (ms, ascending) of runs of resnet18.onnx at a batch size, after warm-up; the
    /// median is reported, the times go to the JSON (peers.py pools them over interleaved rounds).
    func latencies(batch: Int) throws -> [Double] {
        let model = try Model(path: path("resnet18.onnx"))
        let session = try InferenceSession(model: model)
        let input = try NPY.read(path: path("resnet18_input.npy"))
        let feeds = [Self.samples(input, count: batch)]
        let plan = try session.plan(for: feeds.map { ValueType($0.dataType, $0.shape) })
        for _ in 0..<3 { try plan.run(feeds) }
        var times: [Double] = []
        for _ in 0..<(batch == 1 ? 10 * repeats : 3 * repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            try plan.run(feeds)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()
    }

    /// Best campaign throughput (injections/s, campaign loop only) over `repeats` runs.
    func throughput(model file: String, input: String, labels: String?, samples: Int,
                    configuration base: CampaignConfiguration) throws -> Double {
        let model = try Model(path: path(file))
        let x = Self.samples(try NPY.read(path: path(input)), count: samples)
        let y = try labels.map { Self.samples(try NPY.read(path: path($0)), count: samples) }
        var configuration = base
        configuration.incremental = incremental
        configuration.workers = workers
        var best = 0.0
        for _ in 0..<repeats {
            let campaign = try Campaign(model: model, data: CampaignData(inputs: [x], labels: y), configuration: configuration)
            let summary = try campaign.run()
            best = max(best, Double(summary.overall.injections) / max(summary.elapsedSeconds, 1e-9))
        }
        return best
    }

    /// Peak resident memory (MiB) of `seu-onnx run` and `seu-onnx inject` (200 faults) on the
    /// first `samples` samples, batch 64, each in a child process.
    func memory(model file: String, input: String, samples: Int) throws -> (run: Double, inject: Double) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seu-onnx-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("x.npy").path
        try NPY.write(Self.samples(try NPY.read(path: path(input)), count: samples), to: URL(fileURLWithPath: data))
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
        let run = try ChildProcess.peakMemory(executable, ["run", path(file), "--input", data, "--batch-size", "64"])
        var inject = ["inject", path(file), "--input", data, "--batch-size", "64", "--count", "200", "--seed", "1", "--quiet"]
        if !incremental { inject.append("--no-incremental") }
        return (run, try ChildProcess.peakMemory(executable, inject))
    }

    /// The first `count` samples of `input` (axis 0), cycling when it has fewer.
    static func samples(_ input: Tensor, count: Int) -> Tensor {
        var shape = input.shape
        shape[0] = count
        let result = Tensor(dataType: input.dataType, shape: shape)
        let bytes = input.byteCount / max(input.shape[0], 1)
        for i in 0..<count {
            (result.storage.bytes + i * bytes).copyMemory(from: input.storage.bytes + (i % input.shape[0]) * bytes, byteCount: bytes)
        }
        return result
    }
}
