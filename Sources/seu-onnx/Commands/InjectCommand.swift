import Foundation
import SEUOnnx

/// `seu-onnx inject MODEL ...`: a bit-flip campaign with a summary and per-injection records.
enum InjectCommand {
    static let command = Command(
        name: "inject",
        abstract: "Run a bit-flip fault-injection campaign on a model's weights",
        usage: "MODEL [--input X.npy] [--labels Y.npy] [--tensors PATTERNS] [--bits LIST] [--exhaustive | --probability P | --count N] [--seed S] [--out FILE.csv|FILE.jsonl]",
        options: [
            OptionSpec(name: "--input", value: "X.npy", help: "input samples (default: one synthetic sample from --seed)", repeatable: true),
            OptionSpec(name: "--labels", value: "Y.npy", help: "int64 labels: metric = top-1 accuracy (else: rate of inputs whose top-1 changes)"),
            OptionSpec(name: "--tensors", value: "PATTERNS", help: "initializer names or globs, comma-separated (default: all weights and biases)", repeatable: true),
            OptionSpec(name: "--bits", value: "LIST", help: "bit positions from the MSB (0 = sign): 1 | 0,9-31 | sign,exponent,mantissa,all (default: all)"),
            OptionSpec(name: "--exhaustive", value: nil, help: "every selected (element, bit) site once"),
            OptionSpec(name: "--probability", value: "P", help: "each site independently with probability P (Bernoulli)"),
            OptionSpec(name: "--count", value: "N", help: "N distinct sites drawn uniformly (default: 300 when no mode is given)"),
            OptionSpec(name: "--seed", value: "S", help: "seed of the fault draw and the synthetic input (default 0)"),
            OptionSpec(name: "--out", value: "FILE", help: "per-injection records, .csv or .jsonl (streamed, one line per injection)"),
            OptionSpec(name: "--batch-size", value: "N", help: "samples per inference batch (default 64)"),
            OptionSpec(name: "--quiet", value: nil, help: "no progress line on stderr"),
            OptionSpec(name: "--no-incremental", value: nil, help: "re-run the whole model for every fault (default: re-execute only what the fault changes; same results)"),
            OptionSpec(name: "--workers", value: "N", help: "faults evaluated at once (default: one per core; 1: one at a time with multi-threaded kernels)"),
            OptionSpec(name: "--as", value: "FORMATS", help: "compare storage formats of float32 weights side by side: float32,float16,bfloat16,float64 (same faulty elements in each)"),
        ] + InjectExport.options + ScienceOptions.injectOptions,
        positionals: 1...1,
        discussion: """
        Bit positions count from the most significant bit: float32 bit 0 is the sign, 1-8 the
        exponent, 9-31 the mantissa; float16 1-5 / 6-15; bfloat16 1-8 / 9-15; int8 0 = sign.
        Field names resolve per tensor type. Each fault is flipped in the stored weight, the
        model is evaluated on all inputs, and the bit is flipped back (weights end
        bit-identical). In quantized models the int8 weights, their scales and their zero
        points are targets of their own kinds (record column site_kind).
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        if arguments.has("--as") { return try runFormats(arguments) }
        let modelPath = arguments.positionals[0]
        let configuration = try campaignConfiguration(arguments)
        let outPath = arguments.string("--out")
        if let outPath {
            _ = try RecordFormat(path: outPath, argument: "--out")
            try OutputSafety.checkRecordOutput(arguments, outPath: outPath, modelPath: modelPath)
        }
        let model = try CLI.loadModel(modelPath)
        let session = try InferenceSession(model: model)
        let data = try DataOptions.load(arguments, session: session)
        var config = configuration
        config.batchSize = try DataOptions.batchSize(arguments, session: session, data: data)
        let campaign = try InjectExport.campaign(arguments, model: model, session: session, data: data, configuration: config)
        let worst = try InjectExport.worstExporter(arguments, campaign: campaign)
        let output = try CampaignOutput(arguments, campaign: campaign, modelPath: modelPath)
        for earlier in output.previous { worst?.add(earlier) }

        let total = output.remaining.count
        let showProgress = !arguments.has("--quiet") && Terminal.standardErrorIsTerminal
        let progress = ProgressLine(total: total, enabled: showProgress)
        Terminal.installInterruptHandler()
        var summary = try campaign.run(ids: output.remaining, previous: output.previous,
                                       shouldStop: { Terminal.interruptRequested },
                                       progress: { progress.update($0) },
                                       record: { try output.write($0); worst?.add($0) })
        progress.finish()
        try ScienceOptions.configure(&summary, arguments)
        print("model: \(modelPath)")
        print(CampaignReport(summary: summary).text)
        print("")
        print("kernels: \(Kernels.summary)")
        if let outPath { print("records: \(outPath) (\(summary.overall.injections) lines)\(summary.interrupted ? "; continue with the same command and --resume" : "")") }
        if let worst { try InjectExport.export(worst, arguments: arguments, modelPath: modelPath, campaign: campaign) }
    }

    static func campaignConfiguration(_ arguments: ParsedArguments) throws -> CampaignConfiguration {
        var configuration = CampaignConfiguration()
        let patterns = arguments.strings("--tensors").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if arguments.has("--tensors") && patterns.allSatisfy(\.isEmpty) {
            throw SEUError(.invalidArgument, "no tensor names or patterns given", location: .init(argument: "--tensors"))
        }
        configuration.selection = TensorSelection(patterns: arguments.strings("--tensors"))
        if let bits = arguments.string("--bits") { configuration.bits = try BitSelection(parsing: bits) }
        configuration.seed = try arguments.uint64("--seed") ?? 0
        configuration.incremental = !arguments.has("--no-incremental")
        if let workers = try arguments.int("--workers") {
            guard workers > 0 else { throw SEUError(.invalidArgument, "must be positive, got \(workers)", location: .init(argument: "--workers")) }
            configuration.workers = workers
        }
        if let mode = try ScienceOptions.mode(arguments) { configuration.mode = mode; return configuration }
        let modes = ["--exhaustive", "--probability", "--count"].filter { arguments.has($0) }
        guard modes.count <= 1 else {
            throw SEUError(.invalidArgument, "choose one of --exhaustive, --probability, --count (got \(modes.joined(separator: ", ")))",
                           location: .init(argument: modes[1]))
        }
        if arguments.has("--exhaustive") {
            configuration.mode = .exhaustive
        } else if let p = try arguments.double("--probability") {
            guard p > 0 && p <= 1 else {
                throw SEUError(.invalidArgument, "must be in (0, 1], got \(p)", location: .init(argument: "--probability"))
            }
            configuration.mode = .bernoulli(p)
        } else if let n = try arguments.int("--count") {
            guard n > 0 else { throw SEUError(.invalidArgument, "must be positive, got \(n)", location: .init(argument: "--count")) }
            configuration.mode = .count(n)
        } else {
            configuration.mode = .count(300)
        }
        return configuration
    }
}

/// A single progress line on stderr, redrawn at most ten times a second.
final class ProgressLine {
    let total: Int
    let enabled: Bool
    private let start = Date()
    private var last = Date.distantPast

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.1 || done == total else { return }
        last = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(Data("\r  \(done)/\(total) injections, \(Format.fixed(rate, 1))/s, eta \(Format.fixed(eta, 0)) s   ".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
