/// The population of a campaign: every (element, bit) pair of the selected tensors, in a fixed
/// order — tensors in selection order, then elements (flat, row-major), then the selected
/// bits in ascending position. Position `k` in that order identifies one site.
public struct FaultSpace: Sendable {
    /// One selected tensor.
    public struct Target: Sendable {
        public let name: String
        public let dataType: DataType
        public let count: Int
        /// Bit positions in scope for this tensor (0 = MSB), ascending.
        public let bits: [Int]
        /// Sites before this tensor in the space's order.
        public let offset: Int
        public var siteCount: Int { count * bits.count }
    }

    public let targets: [Target]
    /// Total number of sites (elements × bits).
    public let size: Int

    /// Builds the space for `names` in `model` with the bit positions `bits` selects for each
    /// tensor's type.
    public init(model: Model, names: [String], bits: BitSelection = .all) throws {
        let tensors = try names.map { name -> (String, DataType, Int) in
            guard let tensor = model.graph.initializers[name] else {
                throw SEUError(.noMatchingTensor, "no initializer named '\(name)'", location: .init(tensor: name))
            }
            return (name, tensor.dataType, tensor.count)
        }
        try self.init(tensors: tensors, bits: bits)
    }

    /// Builds the space for tensors given by name, stored type and element count (the type
    /// decides the layout, e.g. an emulated storage format). A field name the type lacks
    /// (`exponent` for int8) selects nothing in that tensor, and a tensor left without bits is
    /// dropped; explicit positions must exist in every type, and the space must not be empty.
    public init(tensors: [(name: String, dataType: DataType, count: Int)], bits: BitSelection = .all) throws {
        var targets: [Target] = []
        var offset = 0
        for (name, dataType, count) in tensors {
            let positions = try bits.positions(for: dataType, tensor: name, skippingMissingFields: tensors.count > 1)
            guard !positions.isEmpty else { continue }
            let target = Target(name: name, dataType: dataType, count: count, bits: positions, offset: offset)
            targets.append(target)
            offset += target.siteCount
        }
        guard !targets.isEmpty || tensors.isEmpty else {
            let types = Set(tensors.map(\.dataType.name)).sorted().joined(separator: "/")
            throw SEUError(.invalidArgument, "the selected tensors (\(types)) have no bits matching '\(bits)'",
                           location: .init(argument: "--bits"))
        }
        self.targets = targets
        self.size = offset
    }

    /// The position of `site` in the space, or nil when it is not in it.
    public func position(of site: FaultSite) -> Int? {
        guard let target = targets.first(where: { $0.name == site.tensor }), site.index >= 0, site.index < target.count,
              let bit = target.bits.firstIndex(of: site.bit) else { return nil }
        return target.offset + site.index * target.bits.count + bit
    }

    /// The site at position `k` (0..<size).
    public func site(at k: Int) -> FaultSite {
        var low = 0, high = targets.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if targets[mid].offset <= k { low = mid } else { high = mid - 1 }
        }
        let target = targets[low]
        let local = k - target.offset
        return FaultSite(tensor: target.name, index: local / target.bits.count,
                         bit: target.bits[local % target.bits.count])
    }
}

/// How a campaign chooses its faults.
public enum CampaignMode: Equatable, Sendable {
    /// Every site of the space, once.
    case exhaustive
    /// Each site independently with probability p (Bernoulli), as the Python framework's
    /// stochastic mode does per element for a chosen bit.
    case bernoulli(Double)
    /// N distinct sites drawn uniformly from the space.
    case count(Int)
    /// An explicit list of N faults (replay of a record file), each evaluated once in order.
    case explicit(Int)
    /// A statistically sized random campaign, optionally stratified (see `SamplePlan`).
    case planned(SamplePlan)
    /// Multi-fault missions under an upset rate and a mission time (see `ThreatModel`).
    case missions(ThreatModel)
}

/// The ordered list of single-site faults of a campaign (lazy for exhaustive campaigns).
public struct FaultList: Sendable {
    public let space: FaultSpace
    /// Positions in the space; nil means every position in order (exhaustive). For explicit
    /// faults, the position of each fault's first site.
    private let positions: [Int]?
    /// Explicit faults (possibly multi-site), when the list was given (replay) or drawn with
    /// several sites each (threat-model missions).
    private let explicitFaults: [Fault]?

    public init(space: FaultSpace, mode: CampaignMode, seed: UInt64) throws {
        self.space = space
        var explicit: [Fault]? = nil
        var generator = SeededGenerator(seed: seed)
        switch mode {
        case .exhaustive:
            positions = nil
        case .bernoulli(let p):
            guard p > 0 && p <= 1 else {
                throw SEUError(.invalidArgument, "probability must be in (0, 1], got \(p)", location: .init(argument: "--probability"))
            }
            // Geometric skips between selected sites: same law as one Bernoulli draw per site,
            // in time proportional to the number selected.
            var selected: [Int] = []
            var k = -1
            let logQ = p < 1 ? _log1p(-p) : -Double.infinity
            while true {
                let u = max(generator.nextUnit(), Double.leastNonzeroMagnitude)
                let skip = p < 1 ? Int(min(Double(Int.max / 2), (_log(u) / logQ).rounded(.down))) : 0
                k += skip + 1
                guard k < space.size else { break }
                selected.append(k)
            }
            positions = selected
        case .count(let n):
            guard n > 0 else {
                throw SEUError(.invalidArgument, "fault count must be positive, got \(n)", location: .init(argument: "--count"))
            }
            if n >= space.size {
                positions = nil
            } else {
                // Floyd's algorithm: n distinct positions, uniformly.
                var chosen = Set<Int>()
                chosen.reserveCapacity(n)
                for j in (space.size - n)..<space.size {
                    let t = generator.nextIndex(below: j + 1)
                    if !chosen.insert(t).inserted { chosen.insert(j) }
                }
                positions = chosen.sorted()
            }
        case .explicit:
            throw SEUError(.invalidArgument, "an explicit fault list is built with FaultList(space:faults:)")
        case .planned(let plan):
            let planned = plan.positions(in: space, seed: seed)
            positions = planned.count == space.size ? nil : planned
        case .missions(let threat):
            let missions = try threat.missionPositions(in: space, seed: seed)
            positions = missions.map { $0.first ?? 0 }
            explicit = missions.map { Fault($0.map(space.site(at:))) }
        }
        explicitFaults = explicit
    }

    /// An explicit list of single-site faults (replay); sites must lie in `space`.
    public init(space: FaultSpace, positions: [Int]) {
        self.space = space
        self.positions = positions
        explicitFaults = nil
    }

    /// An explicit list of faults, each with one or more sites, evaluated in order. Every site
    /// must lie in `space`; throws `.invalidFault` otherwise.
    public init(space: FaultSpace, faults: [Fault]) throws {
        self.space = space
        var positions: [Int] = []
        for fault in faults {
            guard !fault.sites.isEmpty else { throw SEUError(.invalidFault, "a fault needs at least one site") }
            for site in fault.sites where space.position(of: site) == nil {
                throw SEUError(.invalidFault, "site \(site) is not in the model (or not a bit of its type)", location: .init(tensor: site.tensor))
            }
            positions.append(space.position(of: fault.sites[0]) ?? 0)
        }
        self.positions = positions
        explicitFaults = faults
    }

    /// Fault `i` with all its sites.
    public func fault(_ i: Int) -> Fault { explicitFaults?[i] ?? Fault(self[i]) }

    /// True when faults are listed with all their sites (missions, replays) rather than as
    /// single space positions.
    public var isMultiSite: Bool { explicitFaults != nil }

    public var count: Int { positions?.count ?? space.size }

    /// Space position of fault `i`.
    public func position(_ i: Int) -> Int { positions?[i] ?? i }

    public subscript(i: Int) -> FaultSite { space.site(at: position(i)) }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _log1p(_ x: Double) -> Double { Glibc.log1p(x) }
#else
import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _log1p(_ x: Double) -> Double { Foundation.log1p(x) }
#endif
