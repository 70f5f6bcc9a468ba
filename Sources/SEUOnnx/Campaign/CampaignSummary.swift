/// Aggregates of a campaign's records: overall, per bit position, per tensor, per number
/// format, per (tensor, bit) cell, per stratum of a planned campaign and per number of
/// flipped sites (threat-model missions). Built from live results or from record files
/// (`init(facts:)`), with the same result either way.
public struct CampaignSummary: Sendable {
    /// Statistics of a group of injections.
    public struct Group: Sendable, Equatable {
        public var injections = 0
        public var metricSum = 0.0
        public var metricMin = Double.infinity
        public var metricMax = -Double.infinity
        /// Injections whose outputs contained NaN/Inf.
        public var nonfinite = 0
        /// Injections that changed the top-1 class of at least one input.
        public var sdc = 0
        /// Injections whose outputs stayed bit-identical.
        public var masked = 0
        /// Faults per outcome class (see `OutcomeClass`).
        public var outcomes = OutcomeCounts()
        /// Mean and variance of the metric change (for its confidence interval).
        public var delta = RunningMoments()
        /// Faults whose outputs stayed finite (NaN/Inf make output errors infinite).
        public var finiteOutputs = 0
        /// Sum of the per-fault mean squared errors against the fault-free output, over faults
        /// with finite outputs.
        public var meanSquaredErrorSum = 0.0
        /// Largest absolute output error of any fault with finite outputs.
        public var maxAbsoluteError = 0.0

        public var meanMetric: Double { injections > 0 ? metricSum / Double(injections) : .nan }
        /// Mean over faults with finite outputs of their mean squared output error.
        public var meanSquaredError: Double { finiteOutputs > 0 ? meanSquaredErrorSum / Double(finiteOutputs) : .nan }

        mutating func add(_ record: InjectionRecord) {
            injections += 1
            metricSum += record.metric
            metricMin = min(metricMin, record.metric)
            metricMax = max(metricMax, record.metric)
            if record.nonfinite { nonfinite += 1 }
            if record.mismatches > 0 { sdc += 1 }
            if record.masked { masked += 1 }
            outcomes.add(record.outcome)
            delta.add(record.delta)
            if record.meanSquaredError.isFinite && record.maxAbsoluteError.isFinite {
                finiteOutputs += 1
                meanSquaredErrorSum += record.meanSquaredError
                maxAbsoluteError = max(maxAbsoluteError, record.maxAbsoluteError)
            }
        }
    }

    /// Baseline, population, plan and settings of the campaign.
    public var facts: CampaignFacts
    /// Faults this summary is expected to cover (a shard's share, or the whole list).
    public var plannedInjections: Int
    /// Confidence level of every interval (default: the plan's, else 0.95).
    public var confidence: Double
    /// Interval for rates: `.wilson` (default) or `.clopperPearson`.
    public var rateMethod: IntervalMethod = .wilson

    public var overall = Group()
    public var perBit: [Int: Group] = [:]
    public var perTensor: [String: Group] = [:]
    /// Per number format (`float32`, ...).
    public var perFormat: [String: Group] = [:]
    /// Per tensor, then per bit: the tensor × bit heatmap.
    public var perCell: [String: [Int: Group]] = [:]
    /// Per stratum of a planned campaign, by index into `facts.strata`.
    public var perStratum: [Int: Group] = [:]
    /// Per number of sites flipped together (threat-model missions).
    public var perSiteCount: [Int: Group] = [:]
    /// By site kind (weight, scale, zero point: several kinds in quantized models).
    public var perSiteKind: [SiteKind: Group] = [:]
    /// By stored type, then bit: campaigns mixing types (int8 weights with float32 scales)
    /// need the type to name a bit's field.
    public var perTypeAndBit: [DataType: [Int: Group]] = [:]
    /// The record with the largest metric drop (labels) or most changed inputs (no labels).
    public var worst: InjectionRecord?
    public var elapsedSeconds = 0.0
    /// Records that came from an earlier run of a resumed campaign (not timed by this one).
    public var resumedInjections = 0
    /// True when the campaign was stopped before its last fault.
    public var interrupted = false
    /// Looks up a record's stratum.
    private var strataIndex: [String: Int] = [:]

    public init(campaign: Campaign) {
        self.init(facts: CampaignFacts(campaign: campaign))
    }

    public init(facts: CampaignFacts) {
        self.facts = facts
        plannedInjections = facts.totalFaults
        if case .planned(let plan) = facts.mode { confidence = plan.confidence } else { confidence = 0.95 }
        for (i, stratum) in (facts.strata ?? []).enumerated() {
            strataIndex[Self.stratumKey(tensor: stratum.tensor, format: stratum.format, bit: stratum.bit)] = i
        }
    }

    public var metricName: String { facts.metricName }
    public var hasLabels: Bool { facts.hasLabels }
    public var baselineMetric: Double { facts.baselineMetric }
    public var baselineTop5: Double? { facts.baselineTop5 }
    public var samples: Int { facts.samples }
    public var mode: CampaignMode { facts.mode }
    public var seed: UInt64 { facts.seed }
    public var population: Int { facts.population }
    public var tensors: [String] { facts.targets.map(\.name) }

    public var meanMetric: Double { overall.meanMetric }
    public var meanDelta: Double { overall.meanMetric - baselineMetric }
    /// Injections per second of this run (resumed records excluded).
    public var injectionsPerSecond: Double { elapsedSeconds > 0 ? Double(overall.injections - resumedInjections) / elapsedSeconds : 0 }

    public mutating func add(_ record: InjectionRecord) {
        overall.add(record)
        perBit[record.bit, default: Group()].add(record)
        perTensor[record.tensor, default: Group()].add(record)
        perFormat[record.dataType.name, default: Group()].add(record)
        perCell[record.tensor, default: [:]][record.bit, default: Group()].add(record)
        if let strata = facts.strata, case .planned(let plan) = facts.mode, let i = stratum(of: record, plan.stratification), i < strata.count {
            perStratum[i, default: Group()].add(record)
        }
        if case .missions = facts.mode { perSiteCount[1 + record.extraSites.count, default: Group()].add(record) }
        perSiteKind[record.siteKind, default: Group()].add(record)
        perTypeAndBit[record.dataType, default: [:]][record.bit, default: Group()].add(record)
        if let current = worst {
            if isWorse(record, than: current) { worst = record }
        } else {
            worst = record
        }
    }

    /// Lower accuracy is worse; without labels more changed inputs is worse. Ties keep the
    /// earlier record.
    public func isWorse(_ a: InjectionRecord, than b: InjectionRecord) -> Bool {
        hasLabels ? a.metric < b.metric : a.metric > b.metric
    }

    private func stratum(of record: InjectionRecord, _ stratification: Stratification) -> Int? {
        let format = record.dataType.name
        switch stratification {
        case .none: return 0
        case .tensor: return strataIndex[Self.stratumKey(tensor: record.tensor, format: nil, bit: nil)]
        case .bit: return strataIndex[Self.stratumKey(tensor: nil, format: format, bit: record.bit)]
        case .tensorAndBit: return strataIndex[Self.stratumKey(tensor: record.tensor, format: nil, bit: record.bit)]
        }
    }

    private static func stratumKey(tensor: String?, format: String?, bit: Int?) -> String {
        "\(tensor ?? "*")\u{1F}\(format ?? "*")\u{1F}\(bit.map(String.init) ?? "*")"
    }
}
