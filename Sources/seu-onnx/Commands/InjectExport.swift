import Foundation
import SEUOnnx

/// The options `inject` gets from exporting: `--faults FILE [--rows IDS]` (replay exactly the
/// faults of a record file) and `--export-worst K DIR` (write the K most damaging faulty
/// models after the campaign).
enum InjectExport {
    static let options = [
        OptionSpec(name: "--faults", value: "FILE", help: "replay: evaluate exactly the faults of a record file (inject --out), one per record"),
        OptionSpec(name: "--rows", value: "IDS", help: "with --faults: only the records with these ids (3,10-12)"),
        OptionSpec(name: "--export-worst", value: "K DIR", help: "after the campaign, write the K most damaging faulty models (+ manifests) to DIR", arity: 2),
    ]

    /// The campaign `inject` runs: the configured draw, or the listed faults with `--faults`.
    static func campaign(_ arguments: ParsedArguments, model: Model, session: InferenceSession, data: CampaignData,
                         configuration: CampaignConfiguration) throws -> Campaign {
        guard let path = arguments.string("--faults") else {
            if arguments.has("--rows") {
                throw SEUError(.invalidArgument, "--rows selects records of --faults FILE", location: .init(argument: "--rows"))
            }
            return try Campaign(model: model, session: session, data: data, configuration: configuration)
        }
        if let conflict = ["--tensors", "--bits", "--exhaustive", "--probability", "--count"].first(where: arguments.has) {
            throw SEUError(.invalidArgument, "--faults replays the listed faults; it cannot be combined with \(conflict)", location: .init(argument: conflict))
        }
        if let out = arguments.string("--out") {
            try OutputSafety.checkWritable(out, inputs: [path], flag: "--out")
        }
        let records = try FaultListing.records(path: path, rows: arguments.string("--rows"))
        do {
            return try Campaign(model: model, session: session, data: data, faults: records.map(\.fault),
                                batchSize: configuration.batchSize)
        } catch let error as SEUError {
            throw error.located(file: path)
        }
    }

    /// Collects the worst records during the campaign and exports them afterwards.
    final class WorstExporter {
        let count: Int
        let folder: URL
        private(set) var worst: WorstRecords

        init(count: Int, folder: URL, hasLabels: Bool) {
            self.count = count
            self.folder = folder
            worst = WorstRecords(capacity: count, hasLabels: hasLabels)
        }

        func add(_ record: InjectionRecord) { worst.add(record) }
    }

    /// Validates `--export-worst K DIR` before the campaign runs (creating DIR if needed).
    static func worstExporter(_ arguments: ParsedArguments, campaign: Campaign) throws -> WorstExporter? {
        let values = arguments.strings("--export-worst")
        guard values.count == 2 else { return nil }
        guard let k = Int(values[0]), k > 0 else {
            throw SEUError(.invalidArgument, "K must be a positive integer, got '\(values[0])'", location: .init(argument: "--export-worst"))
        }
        let folder = URL(fileURLWithPath: values[1])
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SEUError(.invalidArgument, "is a file, not a folder", location: .init(file: folder.path, argument: "--export-worst"))
            }
        } else {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw SEUError(.io, "cannot create the folder: \(error.localizedDescription)", location: .init(file: folder.path, argument: "--export-worst"))
            }
        }
        return WorstExporter(count: k, folder: folder, hasLabels: campaign.hasLabels)
    }

    /// Writes the collected models and prints a table of them.
    static func export(_ exporter: WorstExporter, arguments: ParsedArguments, modelPath: String, campaign: Campaign) throws {
        let records = exporter.worst.records
        let stem = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
        let inputs = arguments.strings("--input"), labels = arguments.string("--labels")
        let protected = [modelPath] + inputs + (labels.map { [$0] } ?? []) + arguments.strings("--out") + arguments.strings("--faults")
        let model = campaign.model
        var table = TextTable(header: ["rank", "record", campaign.hasLabels ? "accuracy" : "mismatch", "fault", "file"], rightAligned: [0, 1, 2])
        for (rank, record) in records.enumerated() {
            let name = fileName(stem: stem, rank: rank + 1, of: records.count, fault: record.fault)
            let result = ExportManifest.CampaignResult(
                record: record, rank: rank + 1, metricName: campaign.metricName, baseline: campaign.baselineMetric,
                inputs: inputs, labels: labels, samples: campaign.evaluator.data.sampleCount, batchSize: campaign.configuration.batchSize)
            let context = ExportOutput.context(arguments, seed: campaign.configuration.seed, protected: protected, campaign: result)
            try model.applying(record.fault).write(to: exporter.folder.appendingPathComponent(name), context: context)
            table.add([String(rank + 1), String(record.id), Format.fixed(record.metric), record.fault.description, name])
        }
        print("")
        print("exported the \(records.count) most damaging faulty model\(records.count == 1 ? "" : "s") to \(ExportOutput.display(exporter.folder)) (each with a .json manifest):")
        print(table.render())
    }

    /// `digits_cnn-worst01-conv1.weight-67-b1.onnx`: rank, then the first site (characters
    /// outside [A-Za-z0-9._-] become `_`), `+N` for N further sites.
    static func fileName(stem: String, rank: Int, of total: Int, fault: Fault) -> String {
        func clean(_ s: String) -> String {
            String(s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        }
        let digits = String(total).count
        let number = String(repeating: "0", count: max(0, max(2, digits) - String(rank).count)) + String(rank)
        let first = fault.sites.first.map { "\(clean($0.tensor))-\($0.index)-b\($0.bit)" } ?? "none"
        let more = fault.sites.count > 1 ? "+\(fault.sites.count - 1)" : ""
        return "\(clean(stem))-worst\(number)-\(first)\(more).onnx"
    }
}
