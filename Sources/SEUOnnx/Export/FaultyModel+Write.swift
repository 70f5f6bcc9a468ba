import Foundation

/// What to record in an export manifest besides the files and the flips.
public struct ExportContext: Sendable {
    /// Tool and version (`seu-onnx 0.1.0`).
    public var tool: String
    public var commandLine: [String]?
    public var seed: UInt64?
    public var campaign: ExportManifest.CampaignResult?
    /// Further files that must never be overwritten (the source model and its data files
    /// always are protected).
    public var protectedFiles: [URL]
    /// Write `OUT.onnx.json` next to the model (default true).
    public var writesManifest: Bool

    public init(tool: String = "seu-onnx \(SEUOnnxVersion.string)", commandLine: [String]? = nil, seed: UInt64? = nil,
                campaign: ExportManifest.CampaignResult? = nil, protectedFiles: [URL] = [], writesManifest: Bool = true) {
        self.tool = tool
        self.commandLine = commandLine
        self.seed = seed
        self.campaign = campaign
        self.protectedFiles = protectedFiles
        self.writesManifest = writesManifest
    }
}

/// The files an export wrote.
public struct ExportedModel: Sendable {
    public let url: URL
    public let dataFileURLs: [URL]
    public let manifestURL: URL?
    public let manifest: ExportManifest
}

extension FaultyModel {
    /// The names the data files get next to an output `OUT.onnx`: `OUT.onnx.data` for a
    /// single file, `OUT.onnx.1.data`, `OUT.onnx.2.data`, ... for several.
    public func dataFileNames(for url: URL) -> [String] {
        let base = url.lastPathComponent
        return dataFiles.count == 1 ? ["\(base).data"] : dataFiles.indices.map { "\(base).\($0 + 1).data" }
    }

    /// Writes the model to `url`, its external data (if any) to files named after it (see
    /// `dataFileNames(for:)`, locations rewritten to match) and the manifest `url.json`.
    ///
    /// Refuses (`.refusedOverwrite`) to write over the source model, its data files or
    /// `context.protectedFiles`; writes all files or none (`OutputFiles.writeAll`).
    @discardableResult
    public func write(to url: URL, context: ExportContext = ExportContext()) throws -> ExportedModel {
        let folder = url.deletingLastPathComponent()
        let names = dataFileNames(for: url)
        let dataURLs = names.map { folder.appendingPathComponent($0) }
        let manifestURL = context.writesManifest ? ExportManifest.url(for: url) : nil
        let outputs = [url] + dataURLs + (manifestURL.map { [$0] } ?? [])
        let protected = (sourceURL.map { [$0] } ?? []) + dataFiles.compactMap(\.sourceURL) + context.protectedFiles
        try OutputFiles.refuseOverwriting(outputs, inputs: protected)

        let renames = Dictionary(zip(dataFiles.map(\.location), names), uniquingKeysWith: { a, _ in a })
        let modelBytes = bytes(renamingDataFiles: renames)
        let manifest = makeManifest(modelBytes: modelBytes, name: url.lastPathComponent, dataNames: names, context: context)
        var files: [(url: URL, contents: Data)] = zip(dataURLs, dataFiles).map { ($0, $1.contents) }
        files.append((url, modelBytes))
        if let manifestURL { files.append((manifestURL, try manifest.encoded())) }
        try OutputFiles.writeAll(files)
        return ExportedModel(url: url, dataFileURLs: dataURLs, manifestURL: manifestURL, manifest: manifest)
    }

    /// The manifest for an output whose model bytes are `modelBytes`.
    func makeManifest(modelBytes: Data, name: String, dataNames: [String], context: ExportContext) -> ExportManifest {
        let sourcePath = sourceURL?.standardizedFileURL.path ?? "(bytes)"
        let sourceData = dataFiles.map { file -> ExportManifest.FileDigest in
            let original = file.sourceURL.flatMap { try? Data(contentsOf: $0, options: .alwaysMapped) }
            return .init(path: file.location, sha256: original.map { SHA256.hex(of: $0) } ?? "", bytes: original?.count ?? 0)
        }
        return ExportManifest(
            tool: context.tool, commandLine: context.commandLine, seed: context.seed,
            source: .init(path: sourcePath, sha256: SHA256.hex(of: sourceBytes), bytes: sourceBytes.count),
            sourceDataFiles: sourceData,
            output: .init(path: name, sha256: SHA256.hex(of: modelBytes), bytes: modelBytes.count),
            outputDataFiles: zip(dataNames, dataFiles).map { .init(path: $0, sha256: SHA256.hex(of: $1.contents), bytes: $1.contents.count) },
            changedBits: changedBits, faults: flips.map(ExportManifest.Flip.init), campaign: context.campaign)
    }
}

extension Model {
    /// This model's file with `sites` flipped, in order (see `FaultyModel`). The model must
    /// have been loaded from a file; the file is read again, and the stored bits of each
    /// faulted element must still be those of the loaded model (else the file changed since
    /// loading, and the export throws `.invalidModel`).
    public func applying(_ sites: [FaultSite]) throws -> FaultyModel {
        guard let url else {
            throw SEUError(.invalidArgument, "the model was not loaded from a file; use FaultyModel(bytes:baseDirectory:flipping:)")
        }
        let faulty = try FaultyModel(contentsOf: url, flipping: sites)
        // Only an element's first flip sees the loaded value (later ones see earlier flips).
        var seen = Set<FaultSite>()
        for flip in faulty.flips {
            guard seen.insert(FaultSite(tensor: flip.site.tensor, index: flip.site.index, bit: 0)).inserted,
                  let tensor = graph.initializers[flip.site.tensor] else { continue }
            guard tensor.dataType == flip.dataType, tensor.count > flip.site.index,
                  tensor.bitPattern(ofElement: flip.site.index) == flip.bitsBefore else {
                throw SEUError(.invalidModel, "the file no longer holds the loaded model's value of element \(flip.site.index); it changed since it was loaded",
                               location: .init(file: url.path, tensor: flip.site.tensor))
            }
        }
        return faulty
    }

    /// This model's file with every site of `fault` flipped.
    public func applying(_ fault: Fault) throws -> FaultyModel { try applying(fault.sites) }
}
