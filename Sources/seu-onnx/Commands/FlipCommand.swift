import Foundation
import SEUOnnx

/// `seu-onnx flip MODEL --fault T[I]:B ... -o OUT.onnx`: writes the model with exactly those
/// bits flipped, plus a manifest.
enum FlipCommand {
    static let command = Command(
        name: "flip",
        abstract: "Write a copy of a model with chosen bits flipped (exact, with a manifest)",
        usage: "MODEL (--fault TENSOR[INDEX]:BIT ... | --faults RECORDS [--rows IDS]) -o OUT.onnx",
        options: [
            OptionSpec(name: "--fault", value: "T[I]:B", help: "flip bit B (0 = MSB) of element I of initializer T; I flat (row-major) or i,j,k,l", repeatable: true),
            OptionSpec(name: "--faults", value: "FILE", help: "flip every fault (all sites) of a record file written by inject --out (.csv or .jsonl)"),
            OptionSpec(name: "--rows", value: "IDS", help: "with --faults: only the records with these ids (3,10-12)"),
        ] + ExportOutput.options,
        positionals: 1...1,
        discussion: """
        All faults go into one output model, in order (a bit flipped twice is restored). The
        output differs from MODEL only in the flipped bits; external data is copied to
        OUT.onnx.data with the flips and the model's locations rewritten. OUT.onnx.json records
        the SHA-256 of source and output and every flip (value and bits before and after).
        """
    ) { arguments in try run(arguments) }

    static func run(_ arguments: ParsedArguments) throws {
        let modelPath = arguments.positionals[0]
        let output = try ExportOutput.url(arguments)
        let recordsPath = arguments.string("--faults")
        if arguments.has("--rows") && recordsPath == nil {
            throw SEUError(.invalidArgument, "--rows selects records of --faults FILE", location: .init(argument: "--rows"))
        }
        guard !arguments.strings("--fault").isEmpty || recordsPath != nil else {
            throw SEUError(.invalidArgument, "no faults given: use --fault TENSOR[INDEX]:BIT or --faults FILE", location: .init(argument: "--fault"))
        }
        let model = try CLI.loadModel(modelPath)
        var sites = try arguments.strings("--fault").map { try FaultSite(parsing: $0, in: model) }
        if let recordsPath {
            sites += try FaultListing.records(path: recordsPath, rows: arguments.string("--rows")).flatMap { $0.fault.sites }
        }
        let exported = try model.applying(sites)
            .write(to: output, context: ExportOutput.context(arguments, protected: recordsPath.map { [$0] } ?? []))
        ExportOutput.report(exported, sourcePath: modelPath)
    }
}
