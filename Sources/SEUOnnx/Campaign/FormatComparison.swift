import Foundation

/// The same fault campaign with the weights stored in several formats
/// (`seu-onnx inject MODEL --as float32,float16,bfloat16`): one `Campaign` per format, each on
/// a copy of the model whose selected float32 weights are rounded to that format and flipped in
/// its layout (see `StorageEmulation`), evaluated on the same data.
///
/// How faults correspond across formats (`--count N`, the default): N distinct elements of the
/// selected weights are drawn once from the seed, each with a number `u` uniform in [0, 1).
/// In a format whose selected bit positions are `p[0] < … < p[n-1]` (all 32 or 16 bits by
/// default, or the `--bits` fields resolved for that format), the fault flips `p[⌊u·n⌋]`.
/// - Same elements in every format: the formats are compared on paired samples, so their
///   difference is not element-sampling noise.
/// - Each format's bit is uniform over its own bits, as a particle strike hits any bit of the
///   stored word with equal probability: each campaign estimates the effect of one random SEU
///   in that format's memory, without bias (mapping float32's 32 positions onto 16 would not
///   be uniform, and float32 positions 16–31 have no counterpart at all).
/// - The draws are coupled by relative position from the most significant bit: one `u` picks
///   the sign bit in every format when it is small, high exponent bits next, low mantissa bits
///   when it is close to 1.
/// `--exhaustive` visits every element and every selected bit in each format.
public final class FormatComparison {
    public let formats: [DataType]
    /// One campaign per format, in the order of `formats`.
    public let campaigns: [Campaign]

    public init(model: Model, data: CampaignData, configuration: CampaignConfiguration, formats: [DataType]) throws {
        guard !formats.isEmpty else {
            throw SEUError(.invalidArgument, "name at least one storage format", location: .init(argument: "--as"))
        }
        guard Set(formats).count == formats.count else {
            throw SEUError(.invalidArgument, "a format is listed twice (\(formats.map(\.name).joined(separator: ",")))", location: .init(argument: "--as"))
        }
        let names = try configuration.selection.resolve(in: model)
        var tensors: [(name: String, dataType: DataType, count: Int)] = []
        for name in names {
            guard let tensor = model.graph.initializers[name] else { continue }
            guard tensor.dataType == .float else {
                throw SEUError(.invalidArgument, "--as emulates storage formats of float32 weights; '\(name)' is \(tensor.dataType) (select float32 tensors with --tensors)",
                               location: .init(tensor: name, argument: "--as"))
            }
            tensors.append((name, .float, tensor.count))
        }
        let draws = try Self.drawElements(tensors: tensors, mode: configuration.mode, seed: configuration.seed)
        var campaigns: [Campaign] = []
        for format in formats {
            let space = try FaultSpace(tensors: tensors.map { ($0.name, format, $0.count) }, bits: configuration.bits)
            let faults: FaultList
            if let draws {
                let targets = Dictionary(space.targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                faults = FaultList(space: space, positions: try draws.map { draw in
                    guard let target = targets[draw.tensor] else {
                        throw SEUError(.invalidArgument, "no bits of '\(draw.tensor)' selected in \(format)", location: .init(argument: "--bits"))
                    }
                    let slot = min(Int(draw.u * Double(target.bits.count)), target.bits.count - 1)
                    return target.offset + draw.index * target.bits.count + slot
                })
            } else {
                faults = try FaultList(space: space, mode: .exhaustive, seed: configuration.seed)
            }
            let storage = try StorageEmulation(model: model, names: names, format: format)
            campaigns.append(try Campaign(model: storage.model, data: data, configuration: configuration,
                                          faults: faults, storage: storage))
        }
        self.formats = formats
        self.campaigns = campaigns
    }

    /// One drawn fault before its bit is chosen: element `index` of `tensor`, and `u`.
    struct Draw { let tensor: String; let index: Int; let u: Double }

    /// The drawn elements in space order (nil: exhaustive).
    static func drawElements(tensors: [(name: String, dataType: DataType, count: Int)], mode: CampaignMode,
                             seed: UInt64) throws -> [Draw]? {
        let elements = try FaultSpace(tensors: tensors, bits: BitSelection(positions: [0]))
        let count: Int
        switch mode {
        case .exhaustive: return nil
        case .bernoulli:
            throw SEUError(.invalidArgument, "--as compares formats on the same faults: use --count N or --exhaustive",
                           location: .init(argument: "--probability"))
        case .count(let n): count = n
        case .explicit:
            throw SEUError(.invalidArgument, "--as draws its own faults; a fault list cannot be replayed in other formats",
                           location: .init(argument: "--as"))
        case .planned, .missions:
            throw SEUError(.invalidArgument, "--as compares formats on the same faults: use --count N or --exhaustive",
                           location: .init(argument: "--as"))
        }
        let list = try FaultList(space: elements, mode: .count(count), seed: seed)
        // A stream of its own, so the elements are those `--count` draws with this seed.
        var generator = SeededGenerator(seed: seed ^ 0xF0_4A75)
        return (0..<list.count).map { i in
            let site = list[i]
            return Draw(tensor: site.tensor, index: site.index, u: generator.nextUnit())
        }
    }

    /// Runs each format's campaign in turn. `progress(format, done)` reports injections done
    /// in the current format; `record` receives every record (their `dataType` is the format).
    public func run(shouldStop: () -> Bool = { false }, progress: ((DataType, Int) -> Void)? = nil,
                    record: (InjectionRecord) throws -> Void = { _ in }) throws -> [CampaignSummary] {
        var summaries: [CampaignSummary] = []
        for (format, campaign) in zip(formats, campaigns) {
            if shouldStop() { break }
            summaries.append(try campaign.run(shouldStop: shouldStop, progress: { progress?(format, $0) }, record: record))
        }
        return summaries
    }
}
