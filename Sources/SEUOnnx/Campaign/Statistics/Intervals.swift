/// A two-sided confidence interval around an estimate.
public struct ConfidenceInterval: Equatable, Sendable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// Confidence level, e.g. 0.95.
    public var confidence: Double
    public var method: IntervalMethod

    public init(estimate: Double, lower: Double, upper: Double, confidence: Double, method: IntervalMethod) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
        self.method = method
    }

    /// Half the width (the ± margin of a symmetric interval).
    public var halfWidth: Double { (upper - lower) / 2 }
}

/// How an interval was computed; `description` is the phrase summaries print.
public enum IntervalMethod: String, Equatable, Sendable, CaseIterable, CustomStringConvertible {
    /// Wilson score interval for a binomial proportion (the default for rates).
    case wilson
    /// Clopper–Pearson "exact" interval (conservative: coverage at least the level).
    case clopperPearson = "clopper-pearson"
    /// Student t interval for a mean over faults.
    case studentT = "student-t"
    /// Normal approximation of a stratified estimate (weights = stratum populations).
    case stratifiedNormal = "stratified-normal"
    /// No sampling error: every site of the population was injected.
    case exact

    public var description: String {
        switch self {
        case .wilson: return "Wilson score"
        case .clopperPearson: return "Clopper–Pearson exact"
        case .studentT: return "Student t over faults"
        case .stratifiedNormal: return "stratified normal approximation"
        case .exact: return "exact (whole population injected)"
        }
    }

    /// Parses `wilson` or `clopper-pearson` (the rate methods a user can choose).
    public init(parsingRateMethod text: String) throws {
        switch text.lowercased() {
        case "wilson": self = .wilson
        case "clopper-pearson", "clopper_pearson", "exact", "cp": self = .clopperPearson
        default:
            throw SEUError(.invalidArgument, "unknown interval method '\(text)' (use wilson or clopper-pearson)",
                           location: .init(argument: "--interval"))
        }
    }
}

/// Confidence intervals for binomial proportions and means.
public enum Intervals {
    /// Interval for `successes` out of `trials` by `method` (`.wilson` or `.clopperPearson`).
    /// With no trials the interval is [0, 1] around NaN.
    public static func proportion(_ successes: Int, of trials: Int, confidence: Double,
                                  method: IntervalMethod = .wilson) -> ConfidenceInterval {
        guard trials > 0 else {
            return ConfidenceInterval(estimate: .nan, lower: 0, upper: 1, confidence: confidence, method: method)
        }
        let k = Double(min(max(successes, 0), trials)), n = Double(trials)
        let p = k / n
        switch method {
        case .clopperPearson:
            let alpha = 1 - confidence
            let lower = k == 0 ? 0 : SpecialFunctions.inverseRegularizedIncompleteBeta(alpha / 2, a: k, b: n - k + 1)
            let upper = k == n ? 1 : SpecialFunctions.inverseRegularizedIncompleteBeta(1 - alpha / 2, a: k + 1, b: n - k)
            return ConfidenceInterval(estimate: p, lower: lower, upper: upper, confidence: confidence, method: method)
        default:
            let z = SpecialFunctions.normalQuantile(0.5 + confidence / 2)
            let z2 = z * z
            let denominator = 1 + z2 / n
            let center = (p + z2 / (2 * n)) / denominator
            let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
            return ConfidenceInterval(estimate: p, lower: max(0, center - half), upper: min(1, center + half),
                                      confidence: confidence, method: .wilson)
        }
    }

    /// Student t interval for the mean of `count` values with the given mean and sample
    /// variance (n − 1 denominator). Fewer than two values: the interval is unbounded.
    public static func mean(_ mean: Double, variance: Double, count: Int, confidence: Double) -> ConfidenceInterval {
        guard count >= 2, variance.isFinite, mean.isFinite else {
            return ConfidenceInterval(estimate: mean, lower: -.infinity, upper: .infinity, confidence: confidence, method: .studentT)
        }
        let t = SpecialFunctions.studentTQuantile(0.5 + confidence / 2, degrees: Double(count - 1))
        let half = t * (max(variance, 0) / Double(count)).squareRoot()
        return ConfidenceInterval(estimate: mean, lower: mean - half, upper: mean + half, confidence: confidence, method: .studentT)
    }

    /// A degenerate interval for a value known without sampling error.
    public static func exact(_ value: Double, confidence: Double) -> ConfidenceInterval {
        ConfidenceInterval(estimate: value, lower: value, upper: value, confidence: confidence, method: .exact)
    }
}

/// Running mean and variance (Welford), numerically stable over millions of values.
public struct RunningMoments: Equatable, Sendable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    private var m2 = 0.0

    public init() {}

    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
    }

    /// Sample variance (n − 1 denominator); NaN below two values.
    public var variance: Double { count >= 2 ? m2 / Double(count - 1) : .nan }
}
