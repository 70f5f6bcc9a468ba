/// ArgMax and ArgMin (opsets 1, 11, 12, 13): int64 indices of the extreme value along `axis`
/// (default 0; negative from 11), with `keepdims` (default 1) and, from opset 12,
/// `select_last_index` (ties resolve to the last index instead of the first).
///
/// NaN counts as the extreme value for both operators, as in PyTorch, so a NaN produced by a
/// fault is what the index points at.
enum ArgMaxOperators {
    static let types: Set<DataType> = [.float, .double, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64]

    static func register(in registry: OperatorRegistry) {
        for (op, isMax) in [("ArgMax", true), ("ArgMin", false)] {
            registry.register(OperatorSpec(op) { context in
                let x = try context.expect(0, types)
                var axis = try context.node.int("axis", default: 0)
                let rank = max(x.rank, 1)
                guard axis >= -rank && axis < rank else {
                    throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axis")
                }
                if axis < 0 { axis += rank }
                let shape = x.rank == 0 ? [1] : x.shape
                guard shape[axis] > 0 else {
                    throw context.error("cannot take \(op) over an empty axis", kind: .shapeMismatch)
                }
                let keepDims = try context.node.int("keepdims", default: 1) != 0
                let last = try context.node.int("select_last_index", default: 0) != 0
                var outputShape = shape
                if keepDims { outputShape[axis] = 1 } else { outputShape.remove(at: axis) }
                if x.rank == 0 { outputShape = [] }
                let kernel = ArgExtremeKernel(outer: shape[..<axis].reduce(1, *), length: shape[axis],
                                              inner: shape[(axis + 1)...].reduce(1, *),
                                              isMax: isMax, selectLast: last, dataType: x.dataType)
                return KernelBuild(kernel: kernel, outputType: ValueType(.int64, outputShape))
            })
        }
    }
}

final class ArgExtremeKernel: Kernel {
    let outer: Int, length: Int, inner: Int
    let isMax: Bool, selectLast: Bool
    let dataType: DataType

    init(outer: Int, length: Int, inner: Int, isMax: Bool, selectLast: Bool, dataType: DataType) {
        self.outer = outer; self.length = length; self.inner = inner
        self.isMax = isMax; self.selectLast = selectLast
        self.dataType = dataType
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let out = outputs[0].pointer(as: Int64.self)
        switch dataType {
        case .float: scan(x.pointer(as: Float.self), out) { $0.isNaN }
        case .double: scan(x.pointer(as: Double.self), out) { $0.isNaN }
        case .int8: scan(x.pointer(as: Int8.self), out) { _ in false }
        case .uint8: scan(x.pointer(as: UInt8.self), out) { _ in false }
        case .int16: scan(x.pointer(as: Int16.self), out) { _ in false }
        case .uint16: scan(x.pointer(as: UInt16.self), out) { _ in false }
        case .int32: scan(x.pointer(as: Int32.self), out) { _ in false }
        case .uint32: scan(x.pointer(as: UInt32.self), out) { _ in false }
        case .int64: scan(x.pointer(as: Int64.self), out) { _ in false }
        default: scan(x.pointer(as: UInt64.self), out) { _ in false }
        }
    }

    @inline(__always)
    private func scan<T: Comparable>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<Int64>, _ isNaN: (T) -> Bool) {
        let isMax = self.isMax, selectLast = self.selectLast
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + o * length * inner + i
                var best = base[0]
                var bestIndex = 0
                for k in 1..<max(length, 1) {
                    let v = base[k * inner]
                    let take: Bool
                    if isNaN(best) {
                        take = selectLast && isNaN(v)
                    } else if isNaN(v) {
                        take = true
                    } else if isMax {
                        take = selectLast ? v >= best : v > best
                    } else {
                        take = selectLast ? v <= best : v < best
                    }
                    if take { best = v; bestIndex = k }
                }
                out[o * inner + i] = Int64(bestIndex)
            }
        }
    }
}
