/// Evaluates faults by re-executing only what they change, against the clean activations of a
/// plan (`IncrementalPlan.plan`, which must hold the fault-free run of the current batch).
///
/// For a fault (a list of patched initializer elements), steps run in plan order from the first
/// reader of a patched initializer; a step runs only if one of its inputs is patched or *dirty*
/// (differs from the clean run), and computes only what can differ:
/// - the first Conv/Gemm of a patched weight recomputes only the filters/columns it touches,
///   from a faulty copy of that filter or column (`ConvKernel.run(filter:...)`);
/// - a Conv/Gemm whose input is dirty recomputes only the images/rows that are dirty;
/// - plane kernels (activations, same-shape Add/Mul/..., pooling, BatchNorm) only dirty planes;
/// - anything else runs whole.
/// Every computed plane is compared with the clean one: equal planes stop propagating (the
/// fault is masked there). Each element is computed by the same kernel code as a full run, so
/// the outputs are bit-identical to a full re-run with the fault applied (tests check this).
///
/// The worker owns a plan of its own (buffers and kernel scratch) and never writes the shared
/// initializers or the clean plan, so several workers can evaluate different faults at once.
final class IncrementalWorker {
    /// The clean plan faults are evaluated against (any plan for the same input types).
    var reference: IncrementalPlan
    /// This worker's buffers and kernels (same graph and shapes as the reference plan).
    let own: ExecutionPlan
    var clean: ExecutionPlan { reference.plan }

    /// Per root slot: planes that differ from the clean run, and planes of `own`'s buffer that
    /// hold this fault's values (dirty ones and clean ones copied or recomputed).
    private var dirty: [PlaneRuns?]
    private var valid: [PlaneBits?]
    private var touched: [Int] = []
    private let isTouched: UnsafeMutablePointer<Bool>
    /// Last step that reads a dirty value or a patched initializer: nothing after it can change.
    private var horizon = -1
    /// Last step reading each slot (views included).
    private let lastReader: [Int]
    /// This fault's patches by initializer slot.
    private var patched: [Int: [(element: Int, bits: UInt64)]] = [:]
    /// Patched copies of initializers read whole by some step (kept clean between faults).
    private var copies: [Int: Tensor] = [:]
    private var copiesInUse: [Int] = []
    /// Steps executed by the last `evaluate` (diagnostics and tests).
    private(set) var executedSteps = 0
    /// One faulty filter or column.
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchCount = 0

    init(reference: IncrementalPlan, own: ExecutionPlan) {
        self.reference = reference
        self.own = own
        dirty = [PlaneRuns?](repeating: nil, count: own.values.count)
        valid = [PlaneBits?](repeating: nil, count: own.values.count)
        scratch = .allocate(capacity: 1)
        isTouched = .allocate(capacity: max(own.values.count, 1))
        isTouched.initialize(repeating: false, count: max(own.values.count, 1))
        var last = reference.readers.map { $0.max() ?? -1 }
        for (slot, views) in reference.views.enumerated() {
            for view in views { last[slot] = max(last[slot], last[view]) }
        }
        lastReader = last
    }

    deinit {
        scratch.deallocate()
        isTouched.deallocate()
    }

    /// Evaluates one fault on the current batch; returns output 0 (a clean-plan buffer when
    /// the fault does not reach it, else this worker's buffer, valid until the next call).
    func evaluate(_ patches: [(slot: Int, element: Int, bits: UInt64)]) throws -> Tensor {
        reset()
        for patch in patches where reference.readers[patch.slot].count > 0 || own.outputSlots.contains(patch.slot) {
            let tensor = clean.values[patch.slot]
            guard patch.element >= 0, patch.element < tensor.count else { continue }
            if Self.bits(of: tensor, patch.element) == patch.bits && patched[patch.slot] == nil { continue }
            patched[patch.slot, default: []].append((patch.element, patch.bits))
        }
        let outputSlot = own.outputSlots[0]
        if let copy = try patchedCopy(outputSlot) { return copy }
        guard !patched.isEmpty else { return clean.values[outputSlot] }
        var first = own.steps.count
        for slot in patched.keys {
            first = min(first, reference.readers[slot].min() ?? first)
            horizon = max(horizon, lastReader[slot])
        }
        var index = first
        while index < own.steps.count && index <= horizon {
            let step = own.steps[index]
            if step.inputSlots.contains(where: { $0.map { patched[$0] != nil || isDirty($0) } ?? false }) {
                try execute(index)
                executedSteps += 1
            }
            index += 1
        }
        guard isDirty(outputSlot) else { return clean.values[outputSlot] }
        fill(outputSlot, planes: 0..<reference.planes[outputSlot])
        return own.values[outputSlot]
    }

    // MARK: State

    private func reset() {
        executedSteps = 0
        horizon = -1
        for slot in touched {
            dirty[slot]?.removeAll()
            valid[slot]?.removeAll()
            isTouched[slot] = false
        }
        touched.removeAll(keepingCapacity: true)
        for slot in copiesInUse {
            // Restore the copy's patched elements from the clean initializer.
            guard let copy = copies[slot], let elements = patched[slot] else { continue }
            let source = clean.values[slot], width = source.dataType.byteWidth
            for (element, _) in elements {
                (copy.storage.bytes + element * width).copyMemory(from: source.storage.bytes + element * width, byteCount: width)
            }
        }
        copiesInUse.removeAll(keepingCapacity: true)
        patched.removeAll(keepingCapacity: true)
    }

    private func touch(_ root: Int) {
        if dirty[root] == nil {
            dirty[root] = PlaneRuns()
            valid[root] = PlaneBits(capacity: reference.planes[root])
        }
        if !isTouched[root] {
            isTouched[root] = true
            touched.append(root)
        }
    }

    /// True when some bytes of `slot` differ from the clean run.
    @inline(__always)
    func isDirty(_ slot: Int) -> Bool { !(dirty[reference.root[slot]]?.isEmpty ?? true) }

    /// Makes planes `range` of `slot` valid in this worker's buffer (copies clean planes).
    func fill(_ slot: Int, planes range: Range<Int>) {
        let root = reference.root[slot]
        touch(root)
        guard let validSet = valid[root] else { return }
        let size = reference.planeBytes[root]
        let from = clean.values[root].storage.bytes, to = own.values[root].storage.bytes
        for plane in reference.rootPlanes(of: slot, planes: range) where validSet.insert(plane) {
            (to + plane * size).copyMemory(from: from + plane * size, byteCount: size)
        }
    }

    /// Records that planes `runs` of output `slot` were computed: valid, and dirty where they
    /// differ from the clean run (at the granularity of a run's planes within one image).
    func computed(_ slot: Int, runs: [Range<Int>]) {
        touch(slot)
        guard let validSet = valid[slot], let dirtySet = dirty[slot] else { return }
        let size = reference.planeBytes[slot]
        let a = own.values[slot].storage.bytes, b = clean.values[slot].storage.bytes
        let perImage = max(reference.planes[slot] / max(own.values[slot].shape.first ?? 1, 1), 1)
        for run in runs {
            validSet.insert(run)
            var start = run.lowerBound
            while start < run.upperBound {
                // A run's planes within one image are compared together: when they differ, all
                // are marked dirty (a superset is safe; dense outputs are dirty throughout
                // anyway). Single planes (channel-sparse outputs) are compared exactly.
                let end = min(run.upperBound, (start / perImage + 1) * perImage)
                if !Self.equalBytes(a + start * size, b + start * size, (end - start) * size) {
                    dirtySet.insert(start..<end)
                }
                start = end
            }
        }
        if !dirtySet.isEmpty { horizon = max(horizon, lastReader[slot]) }
    }

    func computedAll(_ slot: Int) { computed(slot, runs: [0..<reference.planes[slot]]) }

    /// Dirty planes of `slot` as ascending disjoint runs, in its own plane layout.
    func dirtyRuns(_ slot: Int) -> [Range<Int>] {
        let root = reference.root[slot]
        guard let set = dirty[root], !set.isEmpty else { return [] }
        if root == slot { return set.runs }
        // A view: map each root run to the view planes sharing its bytes.
        let size = max(reference.planeBytes[slot], 1), rootSize = reference.planeBytes[root]
        var result: [Range<Int>] = []
        for run in set.runs {
            let from = run.lowerBound * rootSize / size, to = (run.upperBound * rootSize + size - 1) / size
            if let last = result.last, from <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, to)
            } else {
                result.append(from..<to)
            }
        }
        return result
    }

    /// Indices along axis 0 of `slot` (images, rows) that hold dirty bytes, ascending.
    func dirtyImages(_ slot: Int) -> [Int] {
        let root = reference.root[slot]
        let tensor = own.values[slot]
        guard let set = dirty[root], !set.isEmpty else { return [] }
        guard let first = tensor.shape.first, first > 0, tensor.byteCount > 0 else { return [0] }
        let imageBytes = tensor.byteCount / first, size = reference.planeBytes[root]
        var images: [Int] = []
        var last = -1
        for run in set.runs {
            let from = run.lowerBound * size / imageBytes, to = (run.upperBound * size - 1) / imageBytes
            if to > last {
                images.append(contentsOf: max(from, last + 1)...to)
                last = to
            }
        }
        return images
    }

    /// Makes images (axis-0 indices) `images` of `slot` valid in this worker's buffer.
    func fill(_ slot: Int, images: [Int]) {
        let tensor = own.values[slot]
        guard let first = tensor.shape.first, first > 0 else { return fill(slot, planes: 0..<reference.planes[slot]) }
        let perImage = max(reference.planes[slot] / first, 1)
        var runs: [Range<Int>] = []
        for image in images {
            if let last = runs.last, last.upperBound == image * perImage {
                runs[runs.count - 1] = last.lowerBound..<(image + 1) * perImage
            } else {
                runs.append(image * perImage..<(image + 1) * perImage)
            }
        }
        for run in runs { fill(slot, planes: run) }
    }

    /// The tensor a step reads for input `slot`: a patched copy, this worker's buffer made
    /// valid on `runs` of planes or on `images` (when dirty; default everywhere), or the clean
    /// buffer.
    func input(_ slot: Int?, runs: [Range<Int>]? = nil, images: [Int]? = nil) throws -> Tensor? {
        guard let slot else { return nil }
        if let copy = try patchedCopy(slot) { return copy }
        guard isDirty(slot) else { return clean.values[slot] }
        if let images {
            fill(slot, images: images)
        } else if let runs {
            for run in runs { fill(slot, planes: run) }
        } else {
            fill(slot, planes: 0..<reference.planes[slot])
        }
        return own.values[slot]
    }

    /// A copy of initializer `slot` with this fault's patches, or nil when it is not patched.
    func patchedCopy(_ slot: Int) throws -> Tensor? {
        guard let elements = patched[slot] else { return nil }
        let copy: Tensor
        if let existing = copies[slot] {
            copy = existing
        } else {
            copy = clean.values[slot].copy()
            copies[slot] = copy
        }
        if !copiesInUse.contains(slot) {
            copiesInUse.append(slot)
            for (element, bits) in elements { Self.setBits(of: copy, element, bits) }
        }
        return copy
    }

    func patches(_ slot: Int?) -> [(element: Int, bits: UInt64)]? { slot.flatMap { patched[$0] } }

    /// Scratch of at least `count` floats (one faulty filter or column).
    func scratchBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        if scratchCount < count {
            scratch.deallocate()
            scratch = .allocate(capacity: count)
            scratchCount = count
        }
        return scratch
    }

    // MARK: Element bytes

    /// Byte equality without a libc call (planes are often a few dozen bytes).
    @inline(__always)
    static func equalBytes(_ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        if count >= 256 { return memcmp(a, b, count) == 0 }
        var i = 0
        var difference: UInt64 = 0
        while i + 8 <= count {
            difference |= a.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            difference |= UInt64(a.load(fromByteOffset: i, as: UInt8.self) ^ b.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return difference == 0
    }

    static func bits(of tensor: Tensor, _ element: Int) -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { raw in
            raw.baseAddress!.copyMemory(from: tensor.storage.bytes + element * tensor.dataType.byteWidth,
                                        byteCount: min(tensor.dataType.byteWidth, 8))
        }
        return value
    }

    static func setBits(of tensor: Tensor, _ element: Int, _ bits: UInt64) {
        var value = bits
        withUnsafeBytes(of: &value) { raw in
            (tensor.storage.bytes + element * tensor.dataType.byteWidth).copyMemory(from: raw.baseAddress!,
                                                                                    byteCount: min(tensor.dataType.byteWidth, 8))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
