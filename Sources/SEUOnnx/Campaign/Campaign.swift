import Foundation

/// What a campaign injects and how it draws its faults.
public struct CampaignConfiguration: Sendable {
    /// Target tensors (default: every weight and bias).
    public var selection: TensorSelection = .weights
    /// Bit positions (0 = MSB), ranges or fields, resolved per tensor type.
    public var bits: BitSelection = .all
    public var mode: CampaignMode = .count(300)
    /// Seed of the fault draw (recorded in summaries; the same seed gives the same faults).
    public var seed: UInt64 = 0
    /// Samples per inference batch.
    public var batchSize: Int = 64
    /// Re-execute only what each fault changes (bit-identical results). False: flip the bit
    /// in the weights and run the whole model on all inputs, one fault at a time.
    public var incremental: Bool = true
    /// Faults evaluated at once by the incremental engine (0: one per core).
    public var workers: Int = 0

    public init(selection: TensorSelection = .weights, bits: BitSelection = .all, mode: CampaignMode = .count(300),
                seed: UInt64 = 0, batchSize: Int = 64, incremental: Bool = true, workers: Int = 0) {
        self.selection = selection
        self.bits = bits
        self.mode = mode
        self.seed = seed
        self.batchSize = batchSize
        self.incremental = incremental
        self.workers = workers
    }
}

/// A fault-injection campaign: for each fault of its list, flip the bit in the stored weight,
/// evaluate the model on the data, record the result, and flip the bit back.
///
/// ```swift
/// let campaign = try Campaign(model: model, data: CampaignData(inputs: [x], labels: y),
///                             configuration: .init(bits: [1], mode: .exhaustive))
/// let summary = try campaign.run { record in print(record.metric) }
/// ```
/// Restoring is a second XOR of the same bit, so after a campaign (completed, cancelled or
/// failed) every weight is bit-identical to before.
public final class Campaign {
    public let model: Model
    public let configuration: CampaignConfiguration
    public let faults: FaultList
    public let evaluator: CampaignEvaluator
    /// Weights held in an emulated storage format (`inject --as`), or nil: faults flip the
    /// model's initializers themselves.
    public let storage: StorageEmulation?
    /// What each target tensor is (weight, scale, zero point), for the records.
    public let siteKinds: [String: SiteKind]

    public convenience init(model: Model, session: InferenceSession? = nil, data: CampaignData,
                            configuration: CampaignConfiguration) throws {
        let names = try configuration.selection.resolve(in: model)
        let space = try FaultSpace(model: model, names: names, bits: configuration.bits)
        let faults = try FaultList(space: space, mode: configuration.mode, seed: configuration.seed)
        try self.init(model: model, session: session, data: data, configuration: configuration, faults: faults)
    }

    /// A campaign over an explicit list of faults (e.g. a replay of a record file): each
    /// fault, with all its sites flipped together, is evaluated once, in order, and recorded
    /// with its position in the list as `id`. Sites may be in any initializer of the model.
    public convenience init(model: Model, session: InferenceSession? = nil, data: CampaignData,
                            faults: [Fault], batchSize: Int = 64) throws {
        var names: [String] = []
        for site in faults.flatMap(\.sites) where !names.contains(site.tensor) {
            guard let tensor = model.graph.initializers[site.tensor] else {
                throw SEUError(.invalidFault, "no initializer named '\(site.tensor)'", location: .init(tensor: site.tensor))
            }
            try tensor.checkSite(element: site.index, bit: site.bit, name: site.tensor)
            names.append(site.tensor)
        }
        let space = try FaultSpace(model: model, names: names, bits: .all)
        let list = try FaultList(space: space, faults: faults)
        let configuration = CampaignConfiguration(selection: TensorSelection(patterns: names), mode: .explicit(faults.count),
                                                  batchSize: batchSize)
        try self.init(model: model, session: session, data: data, configuration: configuration, faults: list)
    }

    /// A campaign over an explicit fault list. With `storage`, faults flip bits of the stored
    /// copies it holds (their format's layout) and the model's float32 initializers follow.
    public init(model: Model, session: InferenceSession? = nil, data: CampaignData,
                configuration: CampaignConfiguration, faults: FaultList, storage: StorageEmulation? = nil) throws {
        self.model = model
        self.configuration = configuration
        self.faults = faults
        self.storage = storage
        siteKinds = WeightAnalysis(graph: model.graph).siteKinds
        evaluator = try CampaignEvaluator(session: session ?? InferenceSession(model: model), data: data,
                                          batchSize: configuration.batchSize)
    }

    /// The fault-free score.
    public var baseline: Score { evaluator.baseline }
    /// True when the metric is accuracy against labels (else the top-1 mismatch rate).
    public var hasLabels: Bool { evaluator.data.labels != nil }
    public var metricName: String { hasLabels ? "accuracy" : "top-1 mismatch rate" }
    public var baselineMetric: Double { metric(of: baseline) }

    public func metric(of score: Score) -> Double { hasLabels ? score.accuracy : score.mismatchRate }

    /// Runs every fault in order, handing each record to `record` as soon as it exists:
    /// `try campaign.run { record in ... }`.
    @discardableResult
    public func run(_ record: (InjectionRecord) throws -> Void) throws -> CampaignSummary {
        try run(range: nil, record: record)
    }

    /// Runs faults `range` (default: all) in order. `record` receives each result as soon as
    /// it exists; `shouldStop` is polled between injections (Ctrl-C); `progress` gets the
    /// number done. `previous` are records of earlier faults (a resumed campaign) that the
    /// summary includes; `previous.count + range.count` faults are planned.
    @discardableResult
    public func run(range: Range<Int>? = nil, previous: [InjectionRecord] = [], shouldStop: () -> Bool = { false },
                    progress: ((Int) -> Void)? = nil,
                    record: (InjectionRecord) throws -> Void = { _ in }) throws -> CampaignSummary {
        try run(ids: FaultIDs(range ?? 0..<faults.count), previous: previous, shouldStop: shouldStop,
                progress: progress, record: record)
    }

    /// Runs the faults `ids` (a range, or every N-th fault of a shard) in order; otherwise as
    /// `run(range:...)`.
    @discardableResult
    public func run(ids: FaultIDs, previous: [InjectionRecord] = [], shouldStop: () -> Bool = { false },
                    progress: ((Int) -> Void)? = nil,
                    record: (InjectionRecord) throws -> Void = { _ in }) throws -> CampaignSummary {
        var summary = CampaignSummary(campaign: self)
        summary.plannedInjections = previous.count + ids.count
        for earlier in previous { summary.add(earlier) }
        summary.resumedInjections = previous.count
        let start = DispatchTime.now().uptimeNanoseconds
        var done = 0
        func emit(_ result: InjectionRecord) throws {
            summary.add(result)
            try record(result)
            done += 1
            progress?(done)
        }
        if configuration.incremental {
            summary.interrupted = try runIncrementally(ids: ids, shouldStop: shouldStop, emit: emit)
        } else {
            for i in ids where i < faults.count {
                if shouldStop() { summary.interrupted = true; break }
                try emit(try inject(faults.fault(i), id: i))
            }
        }
        summary.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    /// Evaluates one single-site fault and restores the weight.
    public func inject(_ site: FaultSite, id: Int) throws -> InjectionRecord {
        try inject(Fault(site), id: id)
    }

    /// Evaluates a fault (all its sites flipped at once) and restores the weights. The record
    /// describes the first site; the others are listed in `extraSites`. Incremental campaigns
    /// evaluate it without writing the weights (see `CampaignEvaluator.evaluate(patches:)`).
    public func inject(_ fault: Fault, id: Int) throws -> InjectionRecord {
        let prepared = try prepare(fault, id: id)
        if configuration.incremental {
            guard let score = try evaluator.evaluate(patches: [prepared.patches], threads: 1)?.first else {
                throw SEUError(.execution, "the evaluation was interrupted")
            }
            return finish(prepared, score)
        }
        // Full re-run: flip in the stored weights, evaluate, flip back.
        return finish(prepared, try withFlipped(fault) { try evaluator.evaluate() })
    }
}
