import Dispatch
import Foundation

/// Evaluates chunks of faults incrementally for a `CampaignEvaluator`: batch by batch, the
/// clean activations are made available once, then every fault of the chunk is re-executed
/// from them by workers running in parallel (each single-threaded, with its own buffers).
///
/// Clean activations: when every batch's fit in a small budget, each batch gets a plan of its
/// own that keeps them for the whole campaign; otherwise the batches share their plan and the
/// clean run is repeated for each chunk (the campaign picks chunks long enough to amortise it).
/// Scores are accumulated batch after batch in batch order for each fault, exactly as a full
/// evaluation does, so every metric is bit-identical.
final class IncrementalEvaluator {
    unowned let evaluator: CampaignEvaluator
    /// The plan holding each batch's clean activations.
    private var cleanPlans: [ExecutionPlan]
    private var references: [ObjectIdentifier: IncrementalPlan] = [:]
    /// Batch whose clean activations each plan currently holds.
    private var holds: [ObjectIdentifier: Int] = [:]
    /// Workers by worker index, then by input types.
    private var workers: [[[ValueType]: IncrementalWorker]] = []
    /// True when every batch keeps its clean activations (no clean run after the first).
    let keepsEveryBatch: Bool
    /// Seconds spent in clean runs by the last `evaluate`.
    private(set) var lastCleanSeconds = 0.0

    /// Bytes of clean activations kept for all batches at most, beyond the evaluator's own plans.
    static let snapshotBudget = 64 << 20

    init(_ evaluator: CampaignEvaluator) throws {
        self.evaluator = evaluator
        let batches = evaluator.batches
        let perBatch = batches.first.map { Self.activationBytes($0.plan) } ?? 0
        let distinctPlans = Set(batches.map { ObjectIdentifier($0.plan) }).count
        keepsEveryBatch = (batches.count - distinctPlans) * perBatch <= Self.snapshotBudget
        var plans: [ExecutionPlan] = []
        var used = Set<ObjectIdentifier>()
        for batch in batches {
            // The first batch of each shape uses the session's plan; the others get their own.
            if !keepsEveryBatch || used.insert(ObjectIdentifier(batch.plan)).inserted {
                plans.append(batch.plan)
            } else {
                plans.append(try evaluator.session.makePlan(for: batch.feeds.map { ValueType($0.dataType, $0.shape) }))
            }
        }
        cleanPlans = plans
    }

    /// Bytes of a plan's computed values and inputs.
    static func activationBytes(_ plan: ExecutionPlan) -> Int {
        plan.values.indices.filter { !plan.constantSlots.contains($0) }.reduce(0) { $0 + plan.values[$1].byteCount }
    }

    /// Forgets which clean activations the plans hold (after something else ran them).
    func invalidate() { holds.removeAll() }

    /// Makes plan of batch `b` hold batch `b`'s clean activations; returns its analysis.
    private func clean(_ b: Int) throws -> IncrementalPlan {
        let plan = cleanPlans[b]
        let id = ObjectIdentifier(plan)
        if holds[id] != b {
            let start = DispatchTime.now().uptimeNanoseconds
            try plan.run(evaluator.batches[b].feeds)
            holds[id] = b
            lastCleanSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        if let reference = references[id] { return reference }
        let reference = IncrementalPlan(plan)
        references[id] = reference
        return reference
    }

    private func worker(_ index: Int, _ reference: IncrementalPlan) throws -> IncrementalWorker {
        while workers.count <= index { workers.append([:]) }
        let types = reference.plan.inputTypes
        if let worker = workers[index][types] {
            worker.reference = reference
            return worker
        }
        let worker = IncrementalWorker(reference: reference, own: try evaluator.session.makePlan(for: types))
        workers[index][types] = worker
        return worker
    }

    /// Scores of `faults` (each a list of patches), in order; nil when `shouldStop` asked to
    /// stop before the chunk was complete. `threads` workers evaluate faults in parallel (1:
    /// one at a time on this thread, with multi-threaded kernels).
    func evaluate(_ faults: [[FaultPatch]], threads: Int, shouldStop: () -> Bool) throws -> [Score]? {
        lastCleanSeconds = 0
        var scores = [Score](repeating: Score(), count: faults.count)
        let count = max(1, min(threads, faults.count))
        let batches = evaluator.batches
        let labels = evaluator.data.labels, top1 = evaluator.baselineTop1
        if keepsEveryBatch {
            // Every batch's clean run stays available: each worker takes whole faults and
            // evaluates them on every batch in order (no barrier between batches).
            let references = try batches.indices.map { try clean($0) }
            let resolved = references.map { reference in faults.map { Self.resolve($0, in: reference.plan) } }
            let pool = try (0..<count).map { w in try batches.indices.map { try worker(w, references[$0]) } }
            let stopped = try scores.withUnsafeMutableBufferPointer { scores in
                try Self.parallel(count, items: faults.count, shouldStop: shouldStop) { w, i in
                    for (b, batch) in batches.enumerated() {
                        let worker = pool[w][b]
                        worker.reference = references[b]
                        let output = try worker.evaluate(resolved[b][i])
                        scores[i].add(output: output, baseline: evaluator.baselineOutputs[b], firstSample: batch.range.lowerBound,
                                      labels: labels, baselineTop1: top1)
                    }
                }
            }
            return stopped ? nil : scores
        }
        for (b, batch) in batches.enumerated() {
            let reference = try clean(b)
            let resolved = faults.map { Self.resolve($0, in: reference.plan) }
            let pool = try (0..<count).map { try worker($0, reference) }
            let baseline = evaluator.baselineOutputs[b]
            let stopped = try scores.withUnsafeMutableBufferPointer { scores in
                try Self.parallel(count, items: faults.count, shouldStop: shouldStop) { w, i in
                    let output = try pool[w].evaluate(resolved[i])
                    scores[i].add(output: output, baseline: baseline, firstSample: batch.range.lowerBound,
                                  labels: labels, baselineTop1: top1)
                }
            }
            if stopped { return nil }
        }
        return scores
    }

    /// Patches with their slots in `plan` (tensors the plan does not read are dropped).
    static func resolve(_ patches: [FaultPatch], in plan: ExecutionPlan) -> [(slot: Int, element: Int, bits: UInt64)] {
        patches.compactMap { p in plan.slotIndex[p.tensor].map { (slot: $0, element: p.element, bits: p.bits) } }
    }

    /// Runs `body(worker, item)` for items 0..<items on `workers` threads (items handed out in
    /// order); returns true when `shouldStop` interrupted it. Workers run their kernels
    /// single-threaded; one worker runs on the calling thread with threaded kernels.
    static func parallel(_ workers: Int, items: Int, shouldStop: () -> Bool,
                         _ body: (Int, Int) throws -> Void) throws -> Bool {
        if workers <= 1 {
            for i in 0..<items {
                if shouldStop() { return true }
                try body(0, i)
            }
            return false
        }
        let lock = NSLock()
        var next = 0, stopped = false
        var failure: Error?
        withoutActuallyEscaping(shouldStop) { shouldStop in
            withoutActuallyEscaping(body) { body in
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    Parallel.serially {
                        while true {
                            lock.lock()
                            if failure == nil && !stopped && shouldStop() { stopped = true }
                            let i = failure == nil && !stopped && next < items ? next : -1
                            next += 1
                            lock.unlock()
                            guard i >= 0 else { return }
                            do {
                                try body(w, i)
                            } catch {
                                lock.lock()
                                if failure == nil { failure = error }
                                lock.unlock()
                                return
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return stopped
    }
}
