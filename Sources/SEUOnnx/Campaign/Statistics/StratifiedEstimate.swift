/// One stratum's share of a stratified estimate.
public struct StratumSample: Equatable, Sendable {
    /// Sites in the stratum (N_h).
    public var population: Int
    /// Faults injected in it (n_h).
    public var sampled: Int
    /// Mean of the quantity over the injected faults (a rate for 0/1 outcomes).
    public var mean: Double
    /// Sample variance (n − 1 denominator); NaN when unknown (fewer than two faults).
    public var variance: Double

    public init(population: Int, sampled: Int, mean: Double, variance: Double) {
        self.population = population
        self.sampled = sampled
        self.mean = mean
        self.variance = variance
    }

    /// A 0/1 outcome seen `successes` times in `sampled` faults.
    public static func proportion(_ successes: Int, of sampled: Int, population: Int) -> StratumSample {
        let p = sampled > 0 ? Double(successes) / Double(sampled) : .nan
        let variance = sampled >= 2 ? p * (1 - p) * Double(sampled) / Double(sampled - 1) : .nan
        return StratumSample(population: population, sampled: sampled, mean: p, variance: variance)
    }
}

/// The estimator of a stratified random sample: strata sampled at different rates are
/// re-weighted by their population, p̂ = Σ W_h p̂_h with W_h = N_h / N, and
/// Var(p̂) = Σ W_h² (1 − n_h/N_h) s_h² / n_h (with the finite-population correction, so strata
/// injected exhaustively contribute no error). The interval is the normal approximation
/// p̂ ± z·√Var. Strata without any fault are left out and the weights renormalised (the
/// estimate then covers only the strata that were reached, e.g. after an interruption).
public enum StratifiedEstimate {
    public static func interval(_ strata: [StratumSample], confidence: Double, isProportion: Bool) -> ConfidenceInterval {
        let covered = strata.filter { $0.sampled > 0 && $0.population > 0 }
        let total = Double(covered.reduce(0) { $0 + $1.population })
        guard total > 0 else {
            return ConfidenceInterval(estimate: .nan, lower: -.infinity, upper: .infinity, confidence: confidence, method: .stratifiedNormal)
        }
        // A stratum with a single sampled fault has no variance estimate: use the worst case
        // for a rate (1/4) or the largest variance seen in the other strata for a mean.
        let fallback = isProportion ? 0.25 : covered.compactMap { $0.variance.isFinite ? $0.variance : nil }.max() ?? 0
        var estimate = 0.0, variance = 0.0
        var allExhaustive = true
        for stratum in covered {
            let weight = Double(stratum.population) / total
            estimate += weight * stratum.mean
            let n = Double(stratum.sampled), fraction = min(1, n / Double(stratum.population))
            if fraction < 1 { allExhaustive = false }
            let s2 = stratum.variance.isFinite ? stratum.variance : fallback
            variance += weight * weight * (1 - fraction) * s2 / n
        }
        if allExhaustive { return Intervals.exact(estimate, confidence: confidence) }
        let z = SpecialFunctions.normalQuantile(0.5 + confidence / 2)
        let half = z * variance.squareRoot()
        var lower = estimate - half, upper = estimate + half
        if isProportion { lower = max(0, lower); upper = min(1, upper) }
        return ConfidenceInterval(estimate: estimate, lower: lower, upper: upper, confidence: confidence, method: .stratifiedNormal)
    }
}
