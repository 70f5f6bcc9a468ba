/// Confidence intervals for a summary's rates and mean metric change.
///
/// - A group whose faults cover its whole population (every site injected once) has no
///   sampling error: its interval is `.exact`.
/// - Rates of a sampled group: Wilson score interval (Clopper–Pearson on request).
/// - Mean metric change of a sampled group: Student t interval over faults.
/// - Overall figures of a stratified plan (`--per-tensor`, `--per-bit`): the stratified
///   estimator with population weights and a normal interval (`StratifiedEstimate`), since
///   strata are sampled at different rates and a pooled rate would be biased.
///
/// Sampled intervals assume sampling with replacement (no finite-population correction), so
/// they are slightly conservative when a sample is a large part of its population.
extension CampaignSummary {
    /// Which group of sites a figure refers to (for its population).
    public enum Scope: Hashable, Sendable {
        case all
        case tensor(String)
        case bit(Int)
        case format(String)
        /// One bit position of one number format (campaigns mixing types).
        case formatBit(String, Int)
        case cell(tensor: String, bit: Int)
    }

    /// Sites in `scope` (nil for threat-model missions, which draw sites with replacement).
    public func population(of scope: Scope) -> Int? {
        // Missions draw sites with replacement; a replayed list is not a sample of its space.
        switch mode {
        case .missions, .explicit: return nil
        default: break
        }
        let targets = facts.targets
        switch scope {
        case .all: return facts.population
        case .tensor(let name): return targets.filter { $0.name == name }.reduce(0) { $0 + $1.elements * $1.bits.count }
        case .bit(let bit): return targets.filter { $0.bits.contains(bit) }.reduce(0) { $0 + $1.elements }
        case .format(let format): return targets.filter { $0.format == format }.reduce(0) { $0 + $1.elements * $1.bits.count }
        case .formatBit(let format, let bit): return targets.filter { $0.format == format && $0.bits.contains(bit) }.reduce(0) { $0 + $1.elements }
        case .cell(let name, let bit): return targets.filter { $0.name == name && $0.bits.contains(bit) }.reduce(0) { $0 + $1.elements }
        }
    }

    /// True when every site of the population was injected once (no sampling error anywhere).
    public var isCensus: Bool {
        guard let population = population(of: .all), population > 0 else { return false }
        return overall.injections >= population
    }

    /// True when the summary's overall figures come from a stratified plan.
    public var isStratified: Bool {
        if case .planned(let plan) = mode, plan.stratification != .none, facts.strata != nil { return true }
        return false
    }

    /// Interval of `count` faults out of `group`'s injections.
    public func rate(_ count: Int, in group: Group, scope: Scope) -> ConfidenceInterval {
        let n = group.injections
        if n > 0, let population = population(of: scope), n >= population {
            return Intervals.exact(Double(count) / Double(n), confidence: confidence)
        }
        return Intervals.proportion(count, of: n, confidence: confidence, method: rateMethod)
    }

    /// Interval of an outcome-class count (selected from `OutcomeCounts`) in `group`.
    public func rate(_ select: (OutcomeCounts) -> Int, in group: Group, scope: Scope) -> ConfidenceInterval {
        rate(select(group.outcomes), in: group, scope: scope)
    }

    /// The overall rate of an outcome-class count, stratified when the plan is.
    public func overallRate(_ select: (OutcomeCounts) -> Int) -> ConfidenceInterval {
        guard isStratified, let strata = facts.strata else { return rate(select, in: overall, scope: .all) }
        let samples = strata.indices.map { i -> StratumSample in
            let group = perStratum[i] ?? Group()
            return .proportion(select(group.outcomes), of: group.injections, population: strata[i].population)
        }
        return StratifiedEstimate.interval(samples, confidence: confidence, isProportion: true)
    }

    /// Interval of the mean metric change over `group`'s faults.
    public func meanDelta(in group: Group, scope: Scope) -> ConfidenceInterval {
        let n = group.injections
        if n > 0, let population = population(of: scope), n >= population {
            return Intervals.exact(group.delta.mean, confidence: confidence)
        }
        return Intervals.mean(group.delta.mean, variance: group.delta.variance, count: n, confidence: confidence)
    }

    /// The overall mean metric change, stratified when the plan is.
    public var overallMeanDelta: ConfidenceInterval {
        guard isStratified, let strata = facts.strata else { return meanDelta(in: overall, scope: .all) }
        let samples = strata.indices.map { i -> StratumSample in
            let group = perStratum[i] ?? Group()
            return StratumSample(population: strata[i].population, sampled: group.injections,
                                 mean: group.delta.mean, variance: group.delta.variance)
        }
        return StratifiedEstimate.interval(samples, confidence: confidence, isProportion: false)
    }

    /// Threat-model campaigns: P(K ≥ 1), the chance a mission sees any upset.
    public var probabilityOfUpset: Double? {
        guard case .missions = mode, let lambda = facts.expectedUpsets else { return nil }
        return -expm1(-lambda)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
