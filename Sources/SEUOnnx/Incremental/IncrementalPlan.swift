/// One changed element of an initializer: what a fault does to the values the kernels read.
///
/// Faults are applied as patches rather than by writing into the shared initializers, so that
/// several faults can be evaluated at once (each worker reads the clean weights and its own
/// patched copies). `bits` holds the element's new raw little-endian bytes (its type's width).
public struct FaultPatch: Equatable, Sendable {
    public let tensor: String
    public let element: Int
    public let bits: UInt64

    public init(tensor: String, element: Int, bits: UInt64) {
        self.tensor = tensor
        self.element = element
        self.bits = bits
    }
}

/// Static facts about an `ExecutionPlan` used by incremental re-execution: who reads each
/// value, which buffer really holds it (views), and its plane layout.
final class IncrementalPlan {
    let plan: ExecutionPlan
    /// Step indices reading each slot.
    let readers: [[Int]]
    /// The slot whose buffer holds a slot's bytes (itself, or the source of a view).
    let root: [Int]
    /// Views onto each root slot (for dirtiness bookkeeping).
    let views: [[Int]]
    /// Plane count and bytes per plane of each slot (see `PlaneKernel`).
    let planes: [Int]
    let planeBytes: [Int]
    /// Slots computed by steps (their clean values live in the plan's buffers).
    let computed: [Bool]

    init(_ plan: ExecutionPlan) {
        self.plan = plan
        let count = plan.values.count
        var readers = [[Int]](repeating: [], count: count)
        var computed = [Bool](repeating: false, count: count)
        for (index, step) in plan.steps.enumerated() {
            for slot in step.inputSlots.compactMap({ $0 }) where !readers[slot].contains(index) { readers[slot].append(index) }
            for slot in step.outputSlots { computed[slot] = true }
        }
        var root = Array(0..<count)
        var views = [[Int]](repeating: [], count: count)
        for (slot, source) in plan.aliases {
            root[slot] = source
            views[source].append(slot)
            computed[slot] = true
            // A view's readers are readers of its bytes.
        }
        self.readers = readers
        self.root = root
        self.views = views
        self.computed = computed
        planes = plan.values.map { tensor in ActivationKernel.planeCount(tensor.shape) }
        planeBytes = plan.values.indices.map { slot in
            let tensor = plan.values[slot]
            let n = ActivationKernel.planeCount(tensor.shape)
            return n > 0 ? tensor.byteCount / n : 0
        }
    }

    /// Root planes holding bytes of planes `range` of `slot` (views have other plane layouts).
    @inline(__always)
    func rootPlanes(of slot: Int, planes range: Range<Int>) -> Range<Int> {
        let r = root[slot]
        if r == slot { return range }
        let size = planeBytes[slot], rootSize = max(planeBytes[r], 1)
        guard size > 0, !range.isEmpty else { return 0..<0 }
        return range.lowerBound * size / rootSize..<((range.upperBound * size - 1) / rootSize + 1)
    }

    /// Planes of `slot` that share bytes with root plane `plane`.
    @inline(__always)
    func slotPlanes(of slot: Int, rootPlane plane: Int) -> Range<Int> {
        let r = root[slot]
        if r == slot { return plane..<plane + 1 }
        let size = max(planeBytes[slot], 1), rootSize = planeBytes[r]
        guard rootSize > 0 else { return 0..<0 }
        return plane * rootSize / size..<((plane + 1) * rootSize - 1) / size + 1
    }
}
