import Foundation

/// What a report needs to know about a campaign besides its records: the baseline, the
/// population and the plan. Derived from the model and data when the campaign starts.
public struct CampaignFacts: Equatable, Sendable, Codable {
    /// One selected tensor.
    public struct Target: Equatable, Sendable, Codable {
        public var name: String
        public var format: String
        public var elements: Int
        public var bits: [Int]

        enum CodingKeys: String, CodingKey { case name, format, elements, bits }

        public init(name: String, format: String, elements: Int, bits: [Int]) {
            self.name = name; self.format = format; self.elements = elements; self.bits = bits
        }

        // Bits are saved as compact ranges ("0-31", "1,9-31") to keep sidecars readable.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(format, forKey: .format)
            try c.encode(elements, forKey: .elements)
            var runs: [String] = []
            var i = 0
            while i < bits.count {
                var j = i
                while j + 1 < bits.count && bits[j + 1] == bits[j] + 1 { j += 1 }
                runs.append(j > i ? "\(bits[i])-\(bits[j])" : "\(bits[i])")
                i = j + 1
            }
            try c.encode(runs.joined(separator: ","), forKey: .bits)
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            format = try c.decode(String.self, forKey: .format)
            elements = try c.decode(Int.self, forKey: .elements)
            let type = DataType(name: format) ?? .float
            bits = try BitSelection(parsing: try c.decode(String.self, forKey: .bits)).positions(for: type, tensor: name)
        }
    }

    public var metricName: String
    public var hasLabels: Bool
    public var baselineMetric: Double
    public var baselineTop5: Double?
    public var samples: Int
    public var mode: CampaignMode
    public var seed: UInt64
    /// Sites in scope (elements × bits).
    public var population: Int
    /// Faults in the whole list (all shards).
    public var totalFaults: Int
    public var targets: [Target]
    /// Strata of a planned campaign (nil otherwise).
    public var strata: [Stratum]?
    /// λ, expected upsets per mission (threat-model campaigns).
    public var expectedUpsets: Double?
    /// Hash of the fault list, so shards and resumed runs can prove they share it.
    public var fingerprint: String

    enum CodingKeys: String, CodingKey {
        case metricName = "metric", hasLabels = "has_labels", baselineMetric = "baseline", baselineTop5 = "baseline_top5"
        case samples, mode, seed, population, totalFaults = "faults", targets, strata, expectedUpsets = "expected_upsets", fingerprint
    }

    public init(campaign: Campaign) {
        metricName = campaign.metricName
        hasLabels = campaign.hasLabels
        baselineMetric = campaign.baselineMetric
        baselineTop5 = campaign.hasLabels ? campaign.baseline.top5Accuracy : nil
        samples = campaign.baseline.samples
        mode = campaign.configuration.mode
        seed = campaign.configuration.seed
        let space = campaign.faults.space
        population = space.size
        totalFaults = campaign.faults.count
        targets = space.targets.map { Target(name: $0.name, format: $0.dataType.name, elements: $0.count, bits: $0.bits) }
        switch mode {
        case .planned(let plan): strata = plan.strata(of: space)
        case .missions(let threat): expectedUpsets = threat.expectedUpsets(bits: space.size)
        default: break
        }
        fingerprint = Self.fingerprint(campaign.faults)
    }

    /// FNV-1a (64 bit) over the space (tensors, sizes, bits) and every fault's positions, as
    /// 16 hex digits. Lists are sorted and distinct, so a single-site list as large as the
    /// space is the whole space and is not walked.
    public static func fingerprint(_ faults: FaultList) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: Int) {
            var v = UInt64(bitPattern: Int64(value))
            for _ in 0..<8 { hash = (hash ^ (v & 0xFF)) &* 0x100_0000_01b3; v >>= 8 }
        }
        let space = faults.space
        for target in space.targets {
            for byte in target.name.utf8 { mix(Int(byte)) }
            mix(target.count)
            for bit in target.bits { mix(bit) }
        }
        mix(space.size)
        mix(faults.count)
        if faults.isMultiSite {
            for i in 0..<faults.count {
                let sites = faults.fault(i).sites
                mix(sites.count)
                for site in sites { for byte in site.tensor.utf8 { mix(Int(byte)) }; mix(site.index); mix(site.bit) }
            }
        } else if faults.count != space.size {
            for i in 0..<faults.count { mix(faults.position(i)) }
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Bits stored per element of each format in scope.
    public var formats: [String] {
        var seen: [String] = []
        for target in targets where !seen.contains(target.format) { seen.append(target.format) }
        return seen
    }
}

/// The `FILE.campaign.json` written next to a record file: the settings that define the
/// campaign, the facts a report needs, and the fault ids the file covers. Written once,
/// atomically, before the first record.
public struct CampaignSidecar: Equatable, Sendable, Codable {
    public static let formatName = "seu-onnx campaign 1"

    public var format: String = Self.formatName
    public var settings: CampaignSettings
    public var facts: CampaignFacts
    /// Fault ids this record file holds: first, first + step, ... below end.
    public var first: Int
    public var end: Int
    public var step: Int

    public init(settings: CampaignSettings, facts: CampaignFacts, ids: FaultIDs) {
        self.settings = settings
        self.facts = facts
        first = ids.first
        end = ids.end
        step = ids.step
    }

    public var ids: FaultIDs { FaultIDs(first: first, end: end, step: step) }

    /// The sidecar path of a record file.
    public static func path(for recordPath: String) -> String { recordPath + ".campaign.json" }

    public static func exists(for recordPath: String) -> Bool { FileManager.default.fileExists(atPath: path(for: recordPath)) }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // NaN/Inf cannot appear in JSON numbers; a campaign's baseline can be NaN-free only
        // if the model is, so spell them as strings.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes `FILE.campaign.json` for the record file at `recordPath` (temporary file, then
    /// rename, so a kill never leaves half a sidecar).
    public func write(for recordPath: String) throws {
        let target = Self.path(for: recordPath)
        let temporary = target + ".tmp"
        do {
            try encoded().write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.moveItem(atPath: temporary, toPath: target)
        } catch {
            throw SEUError(.io, "cannot write the campaign sidecar: \(error.localizedDescription)", location: .init(file: target))
        }
    }

    /// Reads the sidecar of the record file at `recordPath`.
    public static func read(for recordPath: String) throws -> CampaignSidecar {
        let target = path(for: recordPath)
        guard let data = FileManager.default.contents(atPath: target) else {
            throw SEUError(.io, "no campaign sidecar next to \(recordPath) (it is written by `seu-onnx inject --out`)", location: .init(file: target))
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let sidecar: CampaignSidecar
        do {
            sidecar = try decoder.decode(CampaignSidecar.self, from: data)
        } catch let error as SEUError {
            throw error.located(file: target)
        } catch {
            throw SEUError(.invalidArgument, "not a campaign sidecar: \(DecodingProblem.describe(error))", location: .init(file: target))
        }
        guard sidecar.format == formatName else {
            throw SEUError(.invalidArgument, "unknown sidecar format '\(sidecar.format)' (expected '\(formatName)')", location: .init(file: target))
        }
        return sidecar
    }
}
