import Foundation

/// A fault ready to evaluate: what its record says about the flipped value, and the patches
/// (new values of the elements the kernels read) it makes.
struct PreparedFault {
    let fault: Fault
    let id: Int
    let dataType: DataType
    let before: Double, after: Double
    let bitsBefore: UInt64, bitsAfter: UInt64
    let patches: [FaultPatch]
}

extension Campaign {
    /// The tensor a site flips: the emulated stored copy, or the model's initializer.
    func storedTensor(_ site: FaultSite) throws -> Tensor {
        guard let tensor = storage?.stored[site.tensor] ?? model.graph.initializers[site.tensor] else {
            throw SEUError(.invalidFault, "no initializer named '\(site.tensor)'", location: .init(tensor: site.tensor))
        }
        try tensor.checkSite(element: site.index, bit: site.bit, name: site.tensor)
        return tensor
    }

    /// Flips the fault's sites, reads the values the kernels will see (the patches) and what
    /// the record reports, and flips them back (reverse order): the weights end bit-identical.
    func prepare(_ fault: Fault, id: Int) throws -> PreparedFault {
        guard let first = fault.sites.first else {
            throw SEUError(.invalidFault, "a fault needs at least one site")
        }
        let target = try storedTensor(first)
        let bitsBefore = target.bitPattern(ofElement: first.index)
        let before = target.doubleValue(at: first.index)
        return try withFlipped(fault) {
            // The executed graph's tensors (float32 decodings of emulated storage included).
            var patches: [FaultPatch] = []
            let computed = evaluator.session.graph.initializers
            for site in fault.sites {
                guard let tensor = computed[site.tensor], site.index < tensor.count,
                      !patches.contains(where: { $0.tensor == site.tensor && $0.element == site.index }) else { continue }
                patches.append(FaultPatch(tensor: site.tensor, element: site.index, bits: IncrementalWorker.bits(of: tensor, site.index)))
            }
            return PreparedFault(fault: fault, id: id, dataType: target.dataType, before: before,
                                 after: target.doubleValue(at: first.index), bitsBefore: bitsBefore,
                                 bitsAfter: target.bitPattern(ofElement: first.index), patches: patches)
        }
    }

    /// Runs `body` with every site of `fault` flipped in the stored weights, then flips them
    /// back in reverse order (so sites repeated within one fault restore exactly too).
    func withFlipped<T>(_ fault: Fault, _ body: () throws -> T) throws -> T {
        let tensors = try fault.sites.map { try storedTensor($0) }
        for (site, tensor) in zip(fault.sites, tensors) {
            tensor.flipBit(at: site.bit, ofElement: site.index)
            storage?.refresh(site.tensor, element: site.index)
        }
        defer {
            for (site, tensor) in zip(fault.sites, tensors).reversed() {
                tensor.flipBit(at: site.bit, ofElement: site.index)
                storage?.refresh(site.tensor, element: site.index)
            }
        }
        return try body()
    }

    /// The record of a prepared fault with its score.
    func finish(_ prepared: PreparedFault, _ score: Score) -> InjectionRecord {
        let first = prepared.fault.sites[0]
        let value = metric(of: score)
        return InjectionRecord(id: prepared.id, tensor: first.tensor, index: first.index, bit: first.bit,
                               dataType: prepared.dataType, before: prepared.before, after: prepared.after,
                               bitsBefore: prepared.bitsBefore, bitsAfter: prepared.bitsAfter,
                               metric: value, delta: value - baselineMetric,
                               top5: hasLabels ? score.top5Accuracy : nil,
                               mismatches: score.mismatches, nonfiniteSamples: score.nonfiniteSamples,
                               masked: score.identical, maxAbsoluteError: score.maxAbsoluteError,
                               meanSquaredError: score.meanSquaredError,
                               extraSites: Array(prepared.fault.sites.dropFirst()),
                               siteKind: siteKinds[first.tensor] ?? .weight, top5Mismatches: score.top5Mismatches)
    }

    /// Faults evaluated at once.
    var workerCount: Int { configuration.workers > 0 ? configuration.workers : Parallel.threads }

    /// Runs `ids` in chunks through the incremental engine, emitting records in order. Returns
    /// true when interrupted (the unfinished chunk is dropped: its records are not emitted).
    ///
    /// Chunk length: when every batch keeps its clean activations, chunks only need to keep
    /// the workers busy and records streaming; otherwise each chunk repeats the clean run of
    /// every batch, so chunks grow until that costs about a tenth of the chunk's faults.
    func runIncrementally(ids: FaultIDs, shouldStop: () -> Bool, emit: (InjectionRecord) throws -> Void) throws -> Bool {
        let engine = try evaluator.incrementalEngine()
        let workers = workerCount
        var chunkSize = engine.keepsEveryBatch ? max(16, 4 * workers) : 64
        var offset = 0
        let all = Array(ids.filter { $0 < faults.count })
        while offset < all.count {
            if shouldStop() { return true }
            let chunk = all[offset..<min(all.count, offset + chunkSize)]
            let prepared = try chunk.map { try prepare(faults.fault($0), id: $0) }
            let start = DispatchTime.now().uptimeNanoseconds
            guard let scores = try engine.evaluate(prepared.map(\.patches), threads: workers, shouldStop: shouldStop) else {
                return true
            }
            for (fault, score) in zip(prepared, scores) { try emit(finish(fault, score)) }
            offset += chunk.count
            if !engine.keepsEveryBatch {
                let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let perFault = max(total - engine.lastCleanSeconds, 1e-6) / Double(chunk.count)
                chunkSize = min(4096, max(64, Int(10 * engine.lastCleanSeconds / perFault)))
            }
        }
        return false
    }
}
