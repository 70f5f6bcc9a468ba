import Foundation

/// The text `seu-onnx info` prints for a model that has an export manifest next to it: where
/// it came from, whether the files still match their recorded SHA-256, and the flipped bits.
public struct ManifestReport {
    public let manifest: ExportManifest
    /// The model file the manifest describes (digests are checked against it and its data files).
    public let modelURL: URL
    /// At most this many faults are listed.
    public var faultLimit = 20

    public init(manifest: ExportManifest, modelURL: URL) {
        self.manifest = manifest
        self.modelURL = modelURL
    }

    /// Checks the model and data files against the manifest's digests.
    public func verify() -> [(file: String, matches: Bool)] {
        let folder = modelURL.deletingLastPathComponent()
        var results: [(String, Bool)] = []
        let modelHash = try? SHA256.hex(ofFile: modelURL)
        results.append((modelURL.lastPathComponent, modelHash == manifest.output.sha256))
        for file in manifest.outputDataFiles {
            let hash = try? SHA256.hex(ofFile: folder.appendingPathComponent(file.path))
            results.append((file.path, hash == file.sha256))
        }
        return results
    }

    public var text: String {
        let m = manifest
        var lines = ["export manifest: \(ManifestReport.manifestName(modelURL)) (\(m.tool))"]
        lines.append("  source: \(m.source.path) (\(Format.grouped(m.source.bytes)) bytes, sha256 \(m.source.sha256))")
        for file in m.sourceDataFiles { lines.append("    data: \(file.path) (sha256 \(file.sha256))") }
        for (file, matches) in verify() {
            lines.append("  \(file): sha256 \(matches ? "matches the manifest" : "DOES NOT MATCH the manifest (file changed after export)")")
        }
        if let seed = m.seed { lines.append("  seed: \(seed)") }
        if let command = m.commandLine { lines.append("  command: \(command.map(ManifestReport.shellQuoted).joined(separator: " "))") }
        if let c = m.campaign {
            let data = c.inputs.joined(separator: ", ") + (c.labels.map { ", labels \($0)" } ?? "")
            lines.append("  campaign record \(c.id)\(c.rank.map { " (rank \($0))" } ?? ""): \(c.metricName) \(Format.fixed(c.metric)) (baseline \(Format.fixed(c.baseline)), Δ \(Format.signed(c.delta))) on \(c.samples) samples [\(data.isEmpty ? "synthetic input" : data)], batch \(c.batchSize)")
        }
        lines.append("  faults: \(m.faults.count) flip\(m.faults.count == 1 ? "" : "s"), \(m.changedBits) bit\(m.changedBits == 1 ? " differs" : "s differ") from the source")
        for flip in m.faults.prefix(faultLimit) { lines.append("    " + ManifestReport.describe(flip)) }
        if m.faults.count > faultLimit { lines.append("    ... and \(m.faults.count - faultLimit) more (see the manifest)") }
        return lines.joined(separator: "\n")
    }

    /// `conv1.weight[67] [7,0,1,1] bit 1 exponent float32 raw_data: 0.80491 (0x3f4e0e8b) → ...`
    public static func describe(_ f: ExportManifest.Flip) -> String {
        let type = DataType(name: f.dtype) ?? .float
        let coordinates = f.coordinates.count > 1 ? " [\(f.coordinates.map(String.init).joined(separator: ","))]" : ""
        return "\(f.tensor)[\(f.index)]\(coordinates) bit \(f.bit) \(f.field) \(f.dtype) \(f.storage): "
            + "\(RecordFormat.value(f.before, type)) (\(f.bitsBefore)) → \(RecordFormat.value(f.after, type)) (\(f.bitsAfter))"
    }

    static func manifestName(_ model: URL) -> String { model.lastPathComponent + ".json" }

    /// Quotes a command-line word for a POSIX shell when it needs it.
    static func shellQuoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
