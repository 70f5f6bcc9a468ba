import Foundation
import SEUOnnx

/// What `flip`, `corrupt` and `inject --export-worst` share: the `-o/--output` option and the
/// lines printed for a written model.
enum ExportOutput {
    static let options = [
        OptionSpec(name: "-o", value: "OUT.onnx", help: "the corrupted model to write (+ OUT.onnx.json manifest, OUT.onnx.data for external data)"),
        OptionSpec(name: "--output", value: "OUT.onnx", help: "same as -o"),
    ]

    /// The output path from `-o` or `--output` (exactly one).
    static func url(_ arguments: ParsedArguments) throws -> URL {
        let given = arguments.strings("-o") + arguments.strings("--output")
        guard given.count == 1, let path = given.first, !path.isEmpty else {
            throw SEUError(.invalidArgument, given.isEmpty ? "an output file is required (-o OUT.onnx)" : "give the output once (-o or --output)",
                           location: .init(argument: "-o"))
        }
        return URL(fileURLWithPath: path)
    }

    /// Prints what was written and the flips (the first `limit`).
    static func report(_ exported: ExportedModel, sourcePath: String, limit: Int = 20) {
        let m = exported.manifest
        print("model: \(sourcePath)")
        print("wrote: \(display(exported.url)) (\(Format.grouped(m.output.bytes)) bytes, sha256 \(m.output.sha256))")
        for (url, file) in zip(exported.dataFileURLs, m.outputDataFiles) {
            print("  external data: \(display(url)) (\(Format.grouped(file.bytes)) bytes, sha256 \(file.sha256))")
        }
        if let manifest = exported.manifestURL { print("manifest: \(display(manifest))") }
        print("faults: \(m.faults.count) flip\(m.faults.count == 1 ? "" : "s"); the output differs from the source in \(m.changedBits) bit\(m.changedBits == 1 ? "" : "s")")
        for flip in m.faults.prefix(limit) { print("  " + ManifestReport.describe(flip)) }
        if m.faults.count > limit { print("  ... and \(m.faults.count - limit) more (listed in the manifest)") }
    }

    /// A path relative to the working directory when it lies below it.
    static func display(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let here = FileManager.default.currentDirectoryPath
        return path.hasPrefix(here + "/") ? String(path.dropFirst(here.count + 1)) : path
    }

    /// The context every CLI export records.
    static func context(_ arguments: ParsedArguments, seed: UInt64? = nil, protected: [String] = [],
                        campaign: ExportManifest.CampaignResult? = nil) -> ExportContext {
        ExportContext(tool: "seu-onnx \(CLI.version)", commandLine: arguments.commandLine.enumerated().map { $0.offset == 0 ? "seu-onnx" : $0.element },
                      seed: seed, campaign: campaign, protectedFiles: protected.map { URL(fileURLWithPath: $0) })
    }
}
