/// How `IncrementalWorker` re-executes one step: restricted to the filters/columns a patched
/// weight touches, to dirty images/rows, to dirty planes, or whole.
extension IncrementalWorker {
    func execute(_ index: Int) throws {
        let step = own.steps[index]
        do {
            if let conv = step.kernel as? ConvKernel, try convolution(step, conv) { return }
            if let gemm = step.kernel as? GemmKernel, try product(step, gemm) { return }
            if step.outputSlots.count == 1, let kernel = step.kernel as? PlaneKernel, let mapping = kernel.planeInputs,
               try planes(step, kernel, mapping) { return }
            let inputs = try step.inputSlots.map { try input($0) }
            try step.kernel.run(inputs: inputs, outputs: step.outputs)
            for slot in step.outputSlots { computedAll(slot) }
        } catch let error as SEUError {
            throw error.located(node: step.node.name, opType: step.node.opType)
        }
    }

    static func float(_ bits: UInt64) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: bits)) }

    /// Conv: patched W/B with a clean X → only the touched filters; dirty X with clean weights →
    /// only the dirty images (depthwise: only the dirty channels' filters).
    private func convolution(_ step: ExecutionPlan.Step, _ conv: ConvKernel) throws -> Bool {
        let s = conv.shape, slots = step.inputSlots
        guard let xSlot = slots[0], slots.count > 1, let wSlot = slots[1] else { return false }
        let bSlot = slots.count > 2 ? slots[2] : nil
        let out = step.outputSlots[0]
        // Weights computed by a step (e.g. DequantizeLinear) that changed: run whole.
        if isDirty(wSlot) || (bSlot.map { isDirty($0) } ?? false) || patches(xSlot) != nil { return false }
        let wPatch = patches(wSlot), bPatch = patches(bSlot)
        let xDirty = isDirty(xSlot)
        if !xDirty, wPatch != nil || bPatch != nil {
            let rowSize = s.patchSize
            var filters = Set<Int>()
            for p in wPatch ?? [] { filters.insert(p.element / max(rowSize, 1)) }
            for p in bPatch ?? [] { filters.insert(p.element) }
            let w = clean.values[wSlot], x = clean.values[xSlot], bias = bSlot.map { clean.values[$0] }
            let row = scratchBuffer(max(rowSize, 1))
            let sortedFilters = filters.sorted().filter { $0 < s.filters }
            for f in sortedFilters {
                row.update(from: w.floats + f * rowSize, count: rowSize)
                for p in wPatch ?? [] where p.element / rowSize == f { row[p.element % rowSize] = Self.float(p.bits) }
                var b = bias.map { $0.floats[f] }
                for p in bPatch ?? [] where p.element == f { b = Self.float(p.bits) }
                try conv.run(filter: f, row: row, bias: b, x: x, output: own.values[out], images: 0..<s.batch)
            }
            computed(out, runs: (0..<s.batch).flatMap { n in sortedFilters.map { n * s.filters + $0..<n * s.filters + $0 + 1 } })
            return true
        }
        guard xDirty, wPatch == nil, bPatch == nil else { return false }
        let w = clean.values[wSlot], bias = bSlot.map { clean.values[$0] }
        var runs: [Range<Int>] = []
        if s.isDepthwise {
            // Plane (n, c) of X feeds the filters of group c only.
            let multiplier = s.filtersPerGroup
            let dirtyInput = dirtyRuns(xSlot)
            guard let x = try input(xSlot, runs: dirtyInput) else { return false }
            for run in dirtyInput {
                for plane in run {
                    let n = plane / s.channels, c = plane % s.channels
                    try conv.run(inputs: [x, w, bias], output: own.values[out], filters: c * multiplier..<(c + 1) * multiplier,
                                 images: n..<n + 1)
                    runs.append(n * s.filters + c * multiplier..<n * s.filters + (c + 1) * multiplier)
                }
            }
        } else {
            let images = dirtyImages(xSlot)
            let x = try input(xSlot, images: images)
            try forEachRange(images) { run in
                try conv.run(inputs: [x, w, bias], output: own.values[out], filters: 0..<s.filters, images: run)
                runs.append(run.lowerBound * s.filters..<run.upperBound * s.filters)
            }
        }
        computed(out, runs: runs)
        return true
    }

    /// Gemm: patched B/C with a clean A → only the touched output columns; dirty A with clean
    /// weights → only the dirty rows.
    private func product(_ step: ExecutionPlan.Step, _ gemm: GemmKernel) throws -> Bool {
        let slots = step.inputSlots
        guard let aSlot = slots[0], slots.count > 1, let bSlot = slots[1] else { return false }
        let cSlot = slots.count > 2 ? slots[2] : nil
        let out = step.outputSlots[0]
        if isDirty(bSlot) || (cSlot.map { isDirty($0) } ?? false) || patches(aSlot) != nil { return false }
        let bPatch = patches(bSlot), cPatch = patches(cSlot)
        let (m, n, k) = (gemm.m, gemm.n, gemm.k)
        if !isDirty(aSlot), bPatch != nil || cPatch != nil {
            guard gemm.computesColumns, cPatch == nil || gemm.columnBias else { return false }
            let column: (Int) -> Int = { gemm.transB ? $0 / max(k, 1) : $0 % max(n, 1) }
            var columns = Set<Int>()
            for p in bPatch ?? [] { columns.insert(column(p.element)) }
            for p in cPatch ?? [] { columns.insert(p.element) }
            let a = clean.values[aSlot], b = clean.values[bSlot], c = cSlot.map { clean.values[$0] }
            let values = scratchBuffer(max(k, 1))
            let sortedColumns = columns.sorted().filter { $0 < n }
            for j in sortedColumns {
                for p in 0..<k { values[p] = gemm.transB ? b.floats[j * k + p] : b.floats[p * n + j] }
                for patch in bPatch ?? [] where column(patch.element) == j {
                    values[gemm.transB ? patch.element % k : patch.element / n] = Self.float(patch.bits)
                }
                var bias = c.map { $0.floats[j] }
                for patch in cPatch ?? [] where patch.element == j { bias = Self.float(patch.bits) }
                try gemm.run(column: j, values: values, bias: bias, a: a, output: own.values[out])
            }
            computed(out, runs: (0..<m).flatMap { i in sortedColumns.map { i * n + $0..<i * n + $0 + 1 } })
            return true
        }
        guard isDirty(aSlot), bPatch == nil, cPatch == nil, !gemm.transA else { return false }
        let rows = dirtyImages(aSlot)
        let a = try input(aSlot, images: rows)
        let inputs = [a, clean.values[bSlot], cSlot.map { clean.values[$0] }]
        var runs: [Range<Int>] = []
        try forEachRange(rows) { run in
            try gemm.run(inputs: inputs, output: own.values[out], rows: run, columns: 0..<n)
            runs.append(run.lowerBound * n..<run.upperBound * n)
        }
        computed(out, runs: runs)
        return true
    }

    /// A plane kernel on the planes its dirty or patched inputs reach.
    private func planes(_ step: ExecutionPlan.Step, _ kernel: PlaneKernel, _ mapping: [PlaneInput]) throws -> Bool {
        let out = step.outputSlots[0]
        let count = reference.planes[out]
        let shape = own.values[out].shape
        let channels = shape.count >= 2 ? max(shape[1], 1) : 1
        var lists: [[Range<Int>]] = []
        for (i, slot) in step.inputSlots.enumerated() {
            guard let slot else { continue }
            let patch = patches(slot), dirtyHere = isDirty(slot)
            guard dirtyHere || patch != nil else { continue }
            switch i < mapping.count ? mapping[i] : .whole {
            case .plane:
                guard reference.planes[slot] == count else { return false }
                let perPlane = max(own.values[slot].count / count, 1)
                if let patch { lists.append(patch.map { $0.element / perPlane }.sorted().map { $0..<$0 + 1 }) }
                if dirtyHere { lists.append(dirtyRuns(slot)) }
            case .channel:
                guard !dirtyHere, let patch else { return false }
                let touched = Array(Set(patch.map(\.element).filter { $0 < channels })).sorted()
                lists.append((0..<count / channels).flatMap { image in touched.map { image * channels + $0..<image * channels + $0 + 1 } })
            case .whole:
                return false
            }
        }
        let runs = Self.union(lists)
        var inputs: [Tensor?] = []
        for (i, slot) in step.inputSlots.enumerated() {
            let kind = i < mapping.count ? mapping[i] : .whole
            inputs.append(try input(slot, runs: kind == .plane ? runs : nil))
        }
        try kernel.run(inputs: inputs, output: own.values[out], runs: runs)
        computed(out, runs: runs)
        return true
    }

    /// Union of lists of ascending disjoint runs, as ascending disjoint runs (adjacent merged).
    static func union(_ lists: [[Range<Int>]]) -> [Range<Int>] {
        var all = lists.count == 1 ? lists[0] : lists.flatMap { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        if lists.count == 1 && all.count < 2 { return all }
        var result: [Range<Int>] = []
        result.reserveCapacity(all.count)
        for run in all {
            if let last = result.last, run.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, run.upperBound)
            } else {
                result.append(run)
            }
        }
        all = result
        return all
    }

    /// Calls `body` with maximal ranges of consecutive values of `sorted`.
    private func forEachRange(_ sorted: [Int], _ body: (Range<Int>) throws -> Void) rethrows {
        var index = 0
        while index < sorted.count {
            var end = index + 1
            while end < sorted.count && sorted[end] == sorted[end - 1] + 1 { end += 1 }
            try body(sorted[index]..<sorted[end - 1] + 1)
            index = end
        }
    }
}
