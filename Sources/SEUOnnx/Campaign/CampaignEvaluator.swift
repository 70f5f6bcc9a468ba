/// Evaluates the model on a campaign's data with the weights as currently stored, and scores
/// the result against the labels and against the fault-free (baseline) run, which is computed
/// once when the evaluator is created.
public final class CampaignEvaluator {
    public let session: InferenceSession
    public let data: CampaignData
    /// A batch's sample range, its input tensors and its plan.
    struct Batch {
        let range: Range<Int>
        let feeds: [Tensor]
        let plan: ExecutionPlan
    }

    let batches: [Batch]
    /// Fault-free output 0 of each batch, as float32.
    public private(set) var baselineOutputs: [Tensor] = []
    /// Fault-free top-1 class of every sample.
    public private(set) var baselineTop1: [Int] = []
    /// Score of the fault-free run.
    public private(set) var baseline = Score()
    /// Incremental re-execution state (created on first use).
    private var engine: IncrementalEvaluator?

    public init(session: InferenceSession, data: CampaignData, batchSize: Int) throws {
        self.session = session
        self.data = data
        var batches: [Batch] = []
        for range in data.batchRanges(size: batchSize) {
            let feeds = data.batch(range)
            try session.validate(feeds)
            let plan = try session.plan(for: feeds.map { ValueType($0.dataType, $0.shape) })
            batches.append(Batch(range: range, feeds: feeds, plan: plan))
        }
        self.batches = batches
        for batch in batches {
            try batch.plan.run(batch.feeds)
            guard let output = batch.plan.outputs.first else {
                throw SEUError(.invalidModel, "the model has no outputs")
            }
            guard output.rank >= 1, output.shape[0] == batch.range.count, output.count > 0 else {
                throw SEUError(.shapeMismatch, "output 0 has shape \(output.shape); a campaign needs one row per input sample (batch axis first)")
            }
            let copy = output.convertedToFloat().copy()
            baselineOutputs.append(copy)
            let classes = copy.count / batch.range.count
            if let labels = data.labels, let bad = labels[batch.range].firstIndex(where: { $0 >= classes }) {
                throw SEUError(.invalidArray, "label \(bad) is \(labels[bad]) but the model's output has \(classes) classes", location: .init(argument: "--labels"))
            }
            for row in 0..<batch.range.count {
                baselineTop1.append(Classification.argmax(copy.floats + row * classes, count: classes))
            }
        }
        baseline = try evaluate()
    }

    /// Runs every batch with the current weights and scores the outputs (a full re-run).
    public func evaluate() throws -> Score {
        engine?.invalidate()
        var score = Score()
        for (b, batch) in batches.enumerated() {
            try batch.plan.run(batch.feeds)
            score.add(output: batch.plan.outputs[0], baseline: baselineOutputs[b],
                      firstSample: batch.range.lowerBound, labels: data.labels, baselineTop1: baselineTop1)
        }
        return score
    }
}

extension CampaignEvaluator {
    /// Scores of faults given as patches (see `FaultPatch`), in order, by incremental
    /// re-execution: the same values `evaluate()` gives with each fault written into the
    /// weights, without writing them. `threads` faults are evaluated at once. Returns nil when
    /// `shouldStop` interrupted the chunk.
    public func evaluate(patches faults: [[FaultPatch]], threads: Int = Parallel.threads,
                         shouldStop: () -> Bool = { false }) throws -> [Score]? {
        try incrementalEngine().evaluate(faults, threads: threads, shouldStop: shouldStop)
    }

    func incrementalEngine() throws -> IncrementalEvaluator {
        if let engine { return engine }
        let created = try IncrementalEvaluator(self)
        engine = created
        return created
    }
}

extension Score {
    /// Adds one batch's output (rows = samples starting at `firstSample`).
    mutating func add(output raw: Tensor, baseline: Tensor, firstSample: Int, labels: [Int]?, baselineTop1: [Int]) {
        let output = raw.convertedToFloat()
        let rows = output.shape[0]
        guard rows > 0 else { return }
        let classes = output.count / rows
        let values = output.floats, reference = baseline.floats
        for row in 0..<rows {
            let line = values + row * classes
            let sample = firstSample + row
            samples += 1
            var finite = true
            for j in 0..<classes where !line[j].isFinite { finite = false; break }
            if !finite { nonfiniteSamples += 1 }
            let top1 = Classification.argmax(line, count: classes)
            if top1 != baselineTop1[sample] {
                mismatches += 1
                // Only a changed top-1 can leave the top 5; rank the fault-free class then.
                if Classification.rank(of: baselineTop1[sample], in: line, count: classes) >= 5 { top5Mismatches += 1 }
            }
            if let labels {
                let label = labels[sample]
                if label >= 0 && label < classes {
                    if top1 == label { correct += 1 }
                    if Classification.rank(of: label, in: line, count: classes) < 5 { correctTop5 += 1 }
                }
            }
        }
        let count = output.count
        elements += count
        for i in 0..<count {
            let a = values[i], b = reference[i]
            if a.bitPattern != b.bitPattern { identical = false }
            let difference = Double(a) - Double(b)
            if difference.isNaN || difference.isInfinite {
                if a.bitPattern != b.bitPattern { maxAbsoluteError = .infinity; sumSquaredError = .infinity }
            } else {
                maxAbsoluteError = max(maxAbsoluteError, abs(difference))
                sumSquaredError += difference * difference
            }
        }
    }
}
