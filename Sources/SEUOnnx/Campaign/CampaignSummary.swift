/// Aggregates of a campaign's records: overall, per bit position and per tensor.
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

        public var meanMetric: Double { injections > 0 ? metricSum / Double(injections) : .nan }

        mutating func add(_ record: InjectionRecord) {
            injections += 1
            metricSum += record.metric
            metricMin = min(metricMin, record.metric)
            metricMax = max(metricMax, record.metric)
            if record.nonfinite { nonfinite += 1 }
            if record.mismatches > 0 { sdc += 1 }
            if record.masked { masked += 1 }
        }
    }

    public var metricName: String
    public var hasLabels: Bool
    public var baselineMetric: Double
    public var baselineTop5: Double?
    public var samples: Int
    public var mode: CampaignMode
    public var seed: UInt64
    public var population: Int
    public var plannedInjections: Int
    public var tensors: [String]

    public var overall = Group()
    public var perBit: [Int: Group] = [:]
    public var perTensor: [String: Group] = [:]
    /// The record with the largest metric drop (labels) or most changed inputs (no labels).
    public var worst: InjectionRecord?
    public var elapsedSeconds = 0.0
    /// True when the campaign was stopped before its last fault.
    public var interrupted = false

    public init(campaign: Campaign) {
        metricName = campaign.metricName
        hasLabels = campaign.hasLabels
        baselineMetric = campaign.baselineMetric
        baselineTop5 = campaign.hasLabels ? campaign.baseline.top5Accuracy : nil
        samples = campaign.baseline.samples
        mode = campaign.configuration.mode
        seed = campaign.configuration.seed
        population = campaign.faults.space.size
        plannedInjections = campaign.faults.count
        tensors = campaign.faults.space.targets.map(\.name)
    }

    public var meanMetric: Double { overall.meanMetric }
    public var meanDelta: Double { overall.meanMetric - baselineMetric }
    public var injectionsPerSecond: Double { elapsedSeconds > 0 ? Double(overall.injections) / elapsedSeconds : 0 }

    public mutating func add(_ record: InjectionRecord) {
        overall.add(record)
        perBit[record.bit, default: Group()].add(record)
        perTensor[record.tensor, default: Group()].add(record)
        if let current = worst {
            if isWorse(record, than: current) { worst = record }
        } else {
            worst = record
        }
    }

    /// Lower accuracy is worse; without labels more changed inputs is worse. Ties keep the
    /// earlier record.
    private func isWorse(_ a: InjectionRecord, than b: InjectionRecord) -> Bool {
        hasLabels ? a.metric < b.metric : a.metric > b.metric
    }
}
