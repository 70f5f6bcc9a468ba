import Foundation

/// The JSON file written next to every exported model (`OUT.onnx.json`): what made it, from
/// which file, and exactly which bits changed — enough to verify the output (digests) and to
/// reproduce it (`seu-onnx flip` with the listed faults, or the command line).
///
/// Keys are snake_case (`bits_before`, `source_data_files`); values NaN/±inf are written as the
/// strings "nan", "inf", "-inf"; bit patterns as hex strings padded to the element width.
public struct ExportManifest: Codable, Equatable, Sendable {
    /// A file and its SHA-256.
    public struct FileDigest: Codable, Equatable, Sendable {
        /// For the source: its path when exported. For outputs: the file name, next to the
        /// manifest. For data files: the file name as the model's `location` names it.
        public var path: String
        public var sha256: String
        public var bytes: Int
    }

    /// One flipped bit.
    public struct Flip: Codable, Equatable, Sendable {
        public var tensor: String
        /// Flat row-major index, and the same as coordinates.
        public var index: Int
        public var coordinates: [Int]
        /// Bit position, 0 = most significant.
        public var bit: Int
        public var field: String
        public var dtype: String
        /// Where the element is stored in the file (`raw_data`, `float_data`, `external LOC`).
        public var storage: String
        public var before: Double
        public var after: Double
        public var bitsBefore: String
        public var bitsAfter: String

        public init(_ flip: AppliedFlip) {
            tensor = flip.site.tensor
            index = flip.site.index
            coordinates = flip.coordinates
            bit = flip.site.bit
            field = flip.field
            dtype = flip.dataType.name
            storage = flip.storage
            before = flip.before
            after = flip.after
            bitsBefore = RecordFormat.hex(flip.bitsBefore, flip.dataType)
            bitsAfter = RecordFormat.hex(flip.bitsAfter, flip.dataType)
        }

        public var site: FaultSite { FaultSite(tensor: tensor, index: index, bit: bit) }
    }

    /// What a campaign measured for this fault (models written by `inject --export-worst`),
    /// so that evaluating the exported model can be compared with the record.
    public struct CampaignResult: Codable, Equatable, Sendable {
        /// The record's `id` in the campaign, and its rank among the exported (1 = worst).
        public var id: Int
        public var rank: Int?
        public var metricName: String
        public var metric: Double
        public var baseline: Double
        public var delta: Double
        public var top5: Double?
        public var mismatches: Int
        public var nonfiniteSamples: Int
        /// The data the campaign evaluated (paths as given), its size and batch size.
        public var inputs: [String]
        public var labels: String?
        public var samples: Int
        public var batchSize: Int

        public init(record: InjectionRecord, rank: Int?, metricName: String, baseline: Double,
                    inputs: [String], labels: String?, samples: Int, batchSize: Int) {
            id = record.id
            self.rank = rank
            self.metricName = metricName
            metric = record.metric
            self.baseline = baseline
            delta = record.delta
            top5 = record.top5
            mismatches = record.mismatches
            nonfiniteSamples = record.nonfiniteSamples
            self.inputs = inputs
            self.labels = labels
            self.samples = samples
            self.batchSize = batchSize
        }
    }

    public static let formatName = "seu-onnx-export/1"

    public var format = ExportManifest.formatName
    /// Tool and version (`seu-onnx 0.1.0`).
    public var tool: String
    public var commandLine: [String]?
    /// Seed of the random draw that chose the faults, when there was one.
    public var seed: UInt64?
    public var source: FileDigest
    public var sourceDataFiles: [FileDigest]
    public var output: FileDigest
    public var outputDataFiles: [FileDigest]
    /// Bits that differ between source and output payloads (a bit flipped twice cancels).
    public var changedBits: Int
    public var faults: [Flip]
    public var campaign: CampaignResult?

    /// The manifest path for a model path: `OUT.onnx` → `OUT.onnx.json`.
    public static func url(for model: URL) -> URL {
        model.deletingLastPathComponent().appendingPathComponent(model.lastPathComponent + ".json")
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            return data
        } catch {
            throw SEUError(.execution, "cannot encode the export manifest: \(error)")
        }
    }

    public static func decode(_ data: Data) throws -> ExportManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(ExportManifest.self, from: data)
        } catch {
            throw SEUError(.invalidArgument, "not a seu-onnx export manifest: \(DecodingProblem.describe(error))")
        }
    }

    /// Reads a manifest file.
    public static func read(url: URL) throws -> ExportManifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SEUError(.io, "cannot read: \(error.localizedDescription)", location: .init(file: url.path))
        }
        do { return try decode(data) } catch let error as SEUError { throw error.located(file: url.path) }
    }

    /// The campaign result recorded in the manifest next to a model, if there is one.
    public static func recordedCampaign(besideModel path: String) -> CampaignResult? {
        let url = Self.url(for: URL(fileURLWithPath: path))
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return (try? read(url: url))?.campaign
    }

    /// The faults as sites, in the order they were applied.
    public var sites: [FaultSite] { faults.map(\.site) }
}
