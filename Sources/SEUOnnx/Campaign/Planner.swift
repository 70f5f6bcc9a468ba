import Foundation

/// How a planned campaign splits its population into strata that are sized on their own.
public enum Stratification: String, Equatable, Sendable, Codable, CaseIterable {
    /// One sample over the whole population.
    case none
    /// One stratum per tensor (`--per-tensor`).
    case tensor
    /// One stratum per (number format, bit position) (`--per-bit`): bit 3 of float32 and bit 3
    /// of float16 are different fields, so they are different strata.
    case bit
    /// One stratum per (tensor, bit position) (`--per-tensor --per-bit`).
    case tensorAndBit = "tensor-bit"
}

/// A statistically sized random campaign (Leveugle et al., "Statistical fault injection:
/// quantified error and confidence", DATE 2009).
///
/// For a population of N sites (elements × bits in scope), a margin of error e, a confidence
/// level with normal quantile t (2.5758 for 99 %), and an expected rate p (worst case 0.5):
///
///     n = N / (1 + e² (N − 1) / (t² p (1 − p)))
///
/// which is the infinite-population size t² p (1 − p) / e² with the finite-population
/// correction. Each stratum is sized with its own N. When n would exceed
/// `exhaustiveFraction` of a stratum, the stratum is injected exhaustively instead: that costs
/// at most twice as much and removes the sampling error altogether.
public struct SamplePlan: Equatable, Sendable {
    public var margin: Double
    public var confidence: Double
    public var expectedRate: Double
    public var stratification: Stratification

    /// Above this fraction of a stratum's population, inject the whole stratum.
    public static let exhaustiveFraction = 0.5

    public init(margin: Double, confidence: Double, expectedRate: Double = 0.5, stratification: Stratification = .none) throws {
        guard margin > 0 && margin < 1 else {
            throw SEUError(.invalidArgument, "the margin of error must be in (0, 1), got \(margin) (e.g. 0.01 for ±1 %)", location: .init(argument: "--margin"))
        }
        guard confidence > 0 && confidence < 1 else {
            throw SEUError(.invalidArgument, "the confidence must be in (0, 1), got \(confidence) (e.g. 0.99)", location: .init(argument: "--confidence"))
        }
        guard expectedRate > 0 && expectedRate < 1 else {
            throw SEUError(.invalidArgument, "the expected rate must be in (0, 1), got \(expectedRate)", location: .init(argument: "--expected-rate"))
        }
        self.margin = margin
        self.confidence = confidence
        self.expectedRate = expectedRate
        self.stratification = stratification
    }

    /// Normal quantile t of the confidence level (two-sided).
    public var t: Double { SpecialFunctions.normalQuantile(0.5 + confidence / 2) }

    /// Leveugle's n for a population of `population` sites (rounded up; 0 for an empty one).
    public func sampleSize(population: Int) -> Int {
        guard population > 0 else { return 0 }
        let n = Double(population)
        let core = t * t * expectedRate * (1 - expectedRate)
        let size = n / (1 + margin * margin * (n - 1) / core)
        // Rounding up, but not past N (the formula gives exactly N for N = 1).
        return min(population, Int((size - 1e-9).rounded(.up)))
    }

    /// The sample size for an unlimited population, t² p (1 − p) / e² (rounded up).
    public var infinitePopulationSize: Int {
        Int((t * t * expectedRate * (1 - expectedRate) / (margin * margin) - 1e-9).rounded(.up))
    }

    /// The strata of `space` with their populations and planned sizes.
    public func strata(of space: FaultSpace) -> [Stratum] {
        var strata = Stratum.partition(space, by: stratification)
        for i in strata.indices {
            let n = sampleSize(population: strata[i].population)
            strata[i].sampleSize = Double(n) > Self.exhaustiveFraction * Double(strata[i].population) ? strata[i].population : n
        }
        return strata
    }

    /// Space positions of the planned faults: each stratum's sample drawn in turn (Floyd's
    /// algorithm, distinct sites) from one generator seeded with `seed`, then the whole list
    /// put in random order (Fisher–Yates with the same generator; Swift's `shuffle` may change
    /// between versions). In random order, the faults run so far — a campaign stopped early,
    /// an unfinished shard — are always a uniform sample, so their estimates stay unbiased.
    public func positions(in space: FaultSpace, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        var result: [Int] = []
        for stratum in strata(of: space) {
            let local: [Int]
            if stratum.sampleSize >= stratum.population {
                local = Array(0..<stratum.population)
            } else {
                var chosen = Set<Int>()
                chosen.reserveCapacity(stratum.sampleSize)
                for j in (stratum.population - stratum.sampleSize)..<stratum.population {
                    let t = generator.nextIndex(below: j + 1)
                    if !chosen.insert(t).inserted { chosen.insert(j) }
                }
                local = chosen.sorted()
            }
            result.append(contentsOf: local.map(stratum.position(ofMember:)))
        }
        result.sort()
        // A census keeps the space order (FaultList then runs the space lazily).
        guard result.count < space.size else { return result }
        for i in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(i, generator.nextIndex(below: i + 1))
        }
        return result
    }
}

/// A part of a fault space sized on its own: a tensor, a (format, bit) pair, a (tensor, bit)
/// pair, or the whole space. Its members are runs of positions in the space's order.
public struct Stratum: Equatable, Sendable, Codable {
    /// Runs of space positions: `start + k * stride` for k in 0..<length.
    public struct Run: Equatable, Sendable, Codable {
        public var start: Int
        public var length: Int
        public var stride: Int
    }

    /// "conv1.weight", "float32 bit 3", "conv1.weight bit 3" or "all sites".
    public var label: String
    public var tensor: String?
    /// Number format name (`float32`) of a per-bit stratum.
    public var format: String?
    public var bit: Int?
    public var population: Int
    /// Planned faults (equal to `population` when injected exhaustively).
    public var sampleSize: Int
    /// Members (not saved in sidecars: a report needs only the labels and sizes).
    var runs: [Run] = []

    enum CodingKeys: String, CodingKey { case label, tensor, format, bit, population, sampleSize = "sample_size" }

    /// Equal when the saved fields are: a stratum read back from a sidecar (without its runs)
    /// equals the one it was made from.
    public static func == (a: Stratum, b: Stratum) -> Bool {
        a.label == b.label && a.tensor == b.tensor && a.format == b.format && a.bit == b.bit
            && a.population == b.population && a.sampleSize == b.sampleSize
    }

    public var isExhaustive: Bool { sampleSize >= population }

    /// True when a fault at (tensor, format, bit) belongs to this stratum.
    public func contains(tensor name: String, format dtype: String, bit position: Int) -> Bool {
        (tensor == nil || tensor == name) && (format == nil || format == dtype) && (bit == nil || bit == position)
    }

    /// The space position of the stratum's `member`-th site.
    func position(ofMember member: Int) -> Int {
        var j = member
        for run in runs {
            if j < run.length { return run.start + j * run.stride }
            j -= run.length
        }
        return -1  // unreachable for member < population
    }

    /// Splits `space` into strata (sample sizes left at 0).
    static func partition(_ space: FaultSpace, by stratification: Stratification) -> [Stratum] {
        func stratum(_ label: String, tensor: String? = nil, format: String? = nil, bit: Int? = nil, runs: [Run]) -> Stratum {
            Stratum(label: label, tensor: tensor, format: format, bit: bit,
                    population: runs.reduce(0) { $0 + $1.length }, sampleSize: 0, runs: runs)
        }
        switch stratification {
        case .none:
            return [stratum("all sites", runs: [Run(start: 0, length: space.size, stride: 1)])]
        case .tensor:
            return space.targets.map { stratum($0.name, tensor: $0.name, runs: [Run(start: $0.offset, length: $0.siteCount, stride: 1)]) }
        case .tensorAndBit:
            return space.targets.flatMap { target in
                target.bits.enumerated().map { i, bit in
                    stratum("\(target.name) bit \(bit)", tensor: target.name, bit: bit,
                            runs: [Run(start: target.offset + i, length: target.count, stride: target.bits.count)])
                }
            }
        case .bit:
            // Formats in order of first appearance, bits ascending within a format.
            var formats: [DataType] = []
            for target in space.targets where !formats.contains(target.dataType) { formats.append(target.dataType) }
            return formats.flatMap { type -> [Stratum] in
                let targets = space.targets.filter { $0.dataType == type }
                let bits = Set(targets.flatMap(\.bits)).sorted()
                return bits.map { bit in
                    let runs = targets.compactMap { target -> Run? in
                        guard let i = target.bits.firstIndex(of: bit) else { return nil }
                        return Run(start: target.offset + i, length: target.count, stride: target.bits.count)
                    }
                    return stratum("\(type.name) bit \(bit)", format: type.name, bit: bit, runs: runs)
                }
            }
        }
    }
}
