import Foundation
import SEUOnnx

/// `seu-onnx inject MODEL --as float32,float16,bfloat16 ...`: the same campaign with the weights
/// stored in each format, reported side by side (see `FormatComparison`).
extension InjectCommand {
    static func runFormats(_ arguments: ParsedArguments) throws {
        let modelPath = arguments.positionals[0]
        for flag in ["--faults", "--rows", "--export-worst"] where arguments.has(flag) {
            throw SEUError(.invalidArgument, "cannot be combined with --as", location: .init(argument: flag))
        }
        let formats = try (arguments.string("--as") ?? "").split(separator: ",").map {
            try DataType.storageFormat(named: String($0), flag: "--as")
        }
        var configuration = try campaignConfiguration(arguments)
        let outPath = arguments.string("--out")
        if let outPath {
            _ = try RecordFormat(path: outPath, argument: "--out")
            try OutputSafety.checkRecordOutput(arguments, outPath: outPath, modelPath: modelPath)
        }
        let model = try CLI.loadModel(modelPath)
        let session = try InferenceSession(model: model)
        let data = try DataOptions.load(arguments, session: session)
        configuration.batchSize = try DataOptions.batchSize(arguments, session: session, data: data)
        let comparison = try FormatComparison(model: model, data: data, configuration: configuration, formats: formats)
        let writer = try outPath.map { try RecordWriter(path: $0) }

        let showProgress = !arguments.has("--quiet") && Terminal.standardErrorIsTerminal
        let lines = Dictionary(zip(formats, comparison.campaigns.map { ProgressLine(total: $0.faults.count, enabled: showProgress) }),
                               uniquingKeysWith: { first, _ in first })
        Terminal.installInterruptHandler()
        var current: DataType?
        let summaries = try comparison.run(shouldStop: { Terminal.interruptRequested },
                                           progress: { format, done in
                                               if current != format { current.flatMap { lines[$0] }?.finish(); current = format }
                                               lines[format]?.update(done)
                                           },
                                           record: { try writer?.write($0) })
        current.flatMap { lines[$0] }?.finish()
        print("model: \(modelPath)")
        print(FormatComparisonReport(formats: formats, summaries: summaries).text)
        print("")
        print("kernels: \(Kernels.summary)")
        if let outPath {
            print("records: \(outPath) (\(summaries.reduce(0) { $0 + $1.overall.injections }) lines; column dtype = format)")
        }
    }
}
