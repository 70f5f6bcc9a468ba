import Foundation

/// A file a campaign read, identified by its absolute path and size.
public struct FileIdentity: Equatable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var size: Int

    public init(path: String, size: Int) {
        self.path = path
        self.size = size
    }

    /// The file at `path` (made absolute); throws `.io` when it cannot be read.
    public init(path: String) throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: absolute)[.size]) as? Int else {
            throw SEUError(.io, "cannot read the file's size", location: .init(file: path))
        }
        self.init(path: absolute, size: size)
    }

    public var description: String { "\(path) (\(size) bytes)" }
}

/// What defines a campaign: a resumed run or a shard must match these exactly.
public struct CampaignSettings: Equatable, Sendable, Codable {
    public var model: FileIdentity
    /// Input .npy files; empty when the input is synthetic (drawn from `seed`).
    public var inputs: [FileIdentity]
    public var labels: FileIdentity?
    /// `--tensors` patterns as given (empty: every weight and bias).
    public var tensors: [String]
    /// `--bits` selection.
    public var bits: String
    public var mode: CampaignMode
    public var seed: UInt64
    public var batchSize: Int
    /// Nil for a whole campaign.
    public var shard: Shard?

    public init(model: FileIdentity, inputs: [FileIdentity], labels: FileIdentity?, tensors: [String], bits: String,
                mode: CampaignMode, seed: UInt64, batchSize: Int, shard: Shard?) {
        self.model = model; self.inputs = inputs; self.labels = labels; self.tensors = tensors; self.bits = bits
        self.mode = mode; self.seed = seed; self.batchSize = batchSize; self.shard = shard
    }

    enum CodingKeys: String, CodingKey { case model, inputs, labels, tensors, bits, mode, seed, shard, batchSize = "batch_size" }

    /// The first setting that differs from `other`, as "NAME: A vs B" (nil when equal).
    public func firstDifference(from other: CampaignSettings) -> String? {
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "none" }
        let pairs: [(String, String, String)] = [
            ("model", model.description, other.model.description),
            ("--input", inputs.map(\.description).joined(separator: ", "), other.inputs.map(\.description).joined(separator: ", ")),
            ("--labels", text(labels), text(other.labels)),
            ("--tensors", tensors.joined(separator: ","), other.tensors.joined(separator: ",")),
            ("--bits", bits, other.bits),
            ("mode", mode.summary, other.mode.summary),
            ("--seed", String(seed), String(other.seed)),
            ("--batch-size", String(batchSize), String(other.batchSize)),
            ("--shard", text(shard), text(other.shard)),
        ]
        return pairs.first { $0.1 != $0.2 }.map { "\($0.0) is \($0.1.isEmpty ? "none" : $0.1) there, \($0.2.isEmpty ? "none" : $0.2) here" }
    }
}

extension CampaignMode: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, probability, count, margin, confidence, expectedRate = "expected_rate", strata
        case upsetsPerBitDay = "upsets_per_bit_day", missionDays = "mission_days"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exhaustive: try c.encode("exhaustive", forKey: .kind)
        case .bernoulli(let p): try c.encode("bernoulli", forKey: .kind); try c.encode(p, forKey: .probability)
        case .count(let n): try c.encode("count", forKey: .kind); try c.encode(n, forKey: .count)
        case .explicit(let n): try c.encode("explicit", forKey: .kind); try c.encode(n, forKey: .count)
        case .planned(let plan):
            try c.encode("planned", forKey: .kind)
            try c.encode(plan.margin, forKey: .margin)
            try c.encode(plan.confidence, forKey: .confidence)
            try c.encode(plan.expectedRate, forKey: .expectedRate)
            try c.encode(plan.stratification, forKey: .strata)
        case .missions(let threat):
            try c.encode("missions", forKey: .kind)
            try c.encode(threat.upsetsPerBitDay, forKey: .upsetsPerBitDay)
            try c.encode(threat.missionDays, forKey: .missionDays)
            try c.encode(threat.missions, forKey: .count)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "exhaustive": self = .exhaustive
        case "bernoulli": self = .bernoulli(try c.decode(Double.self, forKey: .probability))
        case "count": self = .count(try c.decode(Int.self, forKey: .count))
        case "explicit": self = .explicit(try c.decode(Int.self, forKey: .count))
        case "planned":
            self = .planned(try SamplePlan(margin: try c.decode(Double.self, forKey: .margin),
                                           confidence: try c.decode(Double.self, forKey: .confidence),
                                           expectedRate: try c.decode(Double.self, forKey: .expectedRate),
                                           stratification: try c.decode(Stratification.self, forKey: .strata)))
        case "missions":
            self = .missions(try ThreatModel(upsetsPerBitDay: try c.decode(Double.self, forKey: .upsetsPerBitDay),
                                             missionDays: try c.decode(Double.self, forKey: .missionDays),
                                             missions: try c.decode(Int.self, forKey: .count)))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown campaign mode '\(other)'")
        }
    }

    /// One phrase for summaries and error messages.
    public var summary: String {
        switch self {
        case .exhaustive: return "exhaustive"
        case .bernoulli(let p): return "random, each site with probability \(p)"
        case .count(let n): return "random, \(Format.grouped(n)) distinct sites"
        case .explicit(let n): return "replay of \(Format.grouped(n)) listed fault\(n == 1 ? "" : "s")"
        case .planned(let plan):
            let strata = plan.stratification == .none ? "" : ", per \(plan.stratification == .tensorAndBit ? "tensor and bit" : plan.stratification.rawValue)"
            return "planned for ±\(Format.trimmed(plan.margin * 100))% at \(Format.trimmed(plan.confidence * 100))% confidence (expected rate \(Format.trimmed(plan.expectedRate))\(strata))"
        case .missions(let threat):
            return "\(Format.grouped(threat.missions)) missions of \(Format.trimmed(threat.missionDays)) days at \(threat.upsetsPerBitDay) upsets/bit/day"
        }
    }
}

extension Format {
    /// A number without trailing zeros: 1.0 → "1", 0.0100 → "0.01", 99.9 → "99.9".
    public static func trimmed(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        var text = fixed(v, 6)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "0" || text == "-0" ? "\(v)" : text
    }
}
