import Foundation
import SEUOnnx

/// `--input`, `--labels`, `--seed`, `--batch-size`: the data a command evaluates.
enum DataOptions {
    static func load(_ arguments: ParsedArguments, session: InferenceSession) throws -> CampaignData {
        let paths = arguments.strings("--input")
        guard !session.inputs.isEmpty else {
            throw SEUError(.invalidModel, "the model has no graph inputs (its outputs are constants); run and inject evaluate a model on input samples")
        }
        guard !session.outputs.isEmpty else {
            throw SEUError(.invalidModel, "the model declares no graph outputs: there is nothing to evaluate")
        }
        var inputs: [Tensor]
        if paths.isEmpty {
            inputs = try SyntheticInput.make(for: session.inputs, seed: try arguments.uint64("--seed") ?? 0)
        } else {
            guard paths.count == session.inputs.count else {
                throw SEUError(.invalidArgument, "the model has \(session.inputs.count) input(s) (\(session.inputs.map(\.name).joined(separator: ", "))); \(paths.count) --input file(s) given",
                               location: .init(argument: "--input"))
            }
            inputs = try paths.map { try CLI.loadArray($0, flag: "--input") }
            // float32 data for a float16/bfloat16 model (or the reverse) is rounded to its type.
            inputs = try session.convertingFloatInputs(inputs)
            // Check the shapes now so the error names the file rather than a batch.
            for (index, (path, tensor)) in zip(paths, inputs).enumerated() {
                do {
                    try session.validate(input: index, tensor, ignoringBatch: true)
                } catch let error as SEUError {
                    var located = error
                    located.location.file = path
                    throw located
                }
            }
        }
        let labels = try arguments.string("--labels").map { try CLI.loadArray($0, flag: "--labels") }
        return try CampaignData(inputs: inputs, labels: labels)
    }

    /// `--batch-size` (default 64); a model whose batch axis is fixed (some exports fix it
    /// to 1) is run at that size, on data whose sample count is a multiple of it.
    static func batchSize(_ arguments: ParsedArguments, session: InferenceSession, data: CampaignData) throws -> Int {
        let size = try arguments.int("--batch-size") ?? 64
        guard size > 0 else {
            throw SEUError(.invalidArgument, "must be positive, got \(size)", location: .init(argument: "--batch-size"))
        }
        guard let fixed = session.fixedBatchSize else { return size }
        guard data.sampleCount % fixed == 0 else {
            let source = arguments.strings("--input").first.map { SEUError.Location(file: $0) } ?? .init(argument: "--input")
            throw SEUError(.shapeMismatch, "the model fixes its batch axis to \(fixed), but the input holds \(data.sampleCount) samples, not a multiple of \(fixed)",
                           location: source)
        }
        if fixed != size && arguments.has("--batch-size") {
            CLI.note("note: the model fixes its batch axis to \(fixed); using --batch-size \(fixed)")
        }
        return fixed
    }
}

/// Refuses to write over an input file.
enum OutputSafety {
    /// `inject --out FILE` writes FILE and its sidecar FILE.campaign.json: neither may be the
    /// model, an --input, --labels or --faults file.
    static func checkRecordOutput(_ arguments: ParsedArguments, outPath: String, modelPath: String) throws {
        let inputs = [modelPath] + arguments.strings("--input") + arguments.strings("--labels") + arguments.strings("--faults")
        try checkWritable(outPath, inputs: inputs, flag: "--out")
        try checkWritable(CampaignSidecar.path(for: outPath), inputs: inputs, flag: "--out")
    }

    /// Checks, before any work, that `path` is not an input and that its folder exists.
    static func checkWritable(_ path: String, inputs: [String], flag: String) throws {
        let output = URL(fileURLWithPath: path)
        try OutputFiles.requireFolder(of: output, argument: flag)
        try OutputFiles.refuseOverwriting([output], inputs: inputs.map { URL(fileURLWithPath: $0) }, argument: flag)
    }
}
