import Foundation

/// ScatterND (opset 11; `reduction` add/mul from 16, max/min from 18), ScatterElements
/// (opset 11; reductions likewise) and the deprecated Scatter (opsets 9-10, ScatterElements
/// without reduction): the output is a copy of `data` with elements or slices replaced by, or
/// combined with, `updates` at positions given by `indices`.
///
/// Indices (int32 or int64; negative values count from the end) are read when the node runs;
/// one out of range is an `execution` error. Updates are applied in index order, so with
/// duplicate indices and no reduction the last one wins (as onnxruntime). Without reduction
/// any element type is copied byte for byte; reductions work on numbers (integers wrap; max
/// and min let NaN through, as PyTorch's scatter_reduce).
enum ScatterOperators {
    static let numericTypes: Set<DataType> = [.float, .double, .int8, .uint8, .int16, .uint16, .int32, .int64, .uint32, .uint64]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("ScatterND", since: 11) { context in
            let (data, reduction) = try common(context)
            let indices = try context.expect(1, GatherOperators.indexTypes), updates = try context.type(2)
            guard let depth = indices.shape.last, indices.rank >= 1, depth <= data.rank else {
                throw context.error("indices \(indices.shape) do not index data \(data.shape)", kind: .shapeMismatch)
            }
            let expected = Array(indices.shape.dropLast()) + Array(data.shape[depth...])
            guard updates.shape == expected, updates.dataType == data.dataType else {
                throw context.error("updates \(updates.dataType)\(updates.shape) should be \(data.dataType)\(expected)", kind: .shapeMismatch)
            }
            let kernel = ScatterNDKernel(dataShape: data.shape, depth: depth, blocks: indices.shape.dropLast().reduce(1, *),
                                         dataType: data.dataType, reduction: reduction)
            return KernelBuild(kernel: kernel, outputType: data)
        })
        for (name, since) in [("ScatterElements", 11), ("Scatter", 9)] {
            registry.register(OperatorSpec(name, since: since) { context in
                let (data, reduction) = try common(context)
                let indices = try context.expect(1, GatherOperators.indexTypes), updates = try context.type(2)
                let axis = try ShapeAxes.normalize(try context.node.int("axis", default: 0), rank: data.rank, node: context.node)
                guard indices.rank == data.rank, updates.shape == indices.shape, updates.dataType == data.dataType,
                      zip(indices.shape, data.shape).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 <= $0.element.1 }) else {
                    throw context.error("indices \(indices.shape), updates \(updates.dataType)\(updates.shape) do not fit data \(data.dataType)\(data.shape)",
                                        kind: .shapeMismatch)
                }
                let kernel = ScatterElementsKernel(dataShape: data.shape, indexShape: indices.shape, axis: axis,
                                                   dataType: data.dataType, reduction: reduction)
                return KernelBuild(kernel: kernel, outputType: data)
            })
        }
    }

    private static func common(_ context: NodeContext) throws -> (ValueType, ScatterReduction) {
        let data = try context.type(0)
        let name = try context.node.string("reduction", default: "none")
        guard let reduction = ScatterReduction(rawValue: name) else {
            throw context.error("unknown reduction '\(name)'", attribute: "reduction")
        }
        if reduction != .none && !numericTypes.contains(data.dataType) {
            throw context.error("reduction '\(name)' on \(data.dataType) data", kind: .unsupportedDataType)
        }
        return (data, reduction)
    }
}

/// How an update combines with the element it lands on.
enum ScatterReduction: String {
    case none, add, mul, max, min

    /// target[i] = f(target[i], source[i]) for `count` elements of `type`.
    func apply(_ type: DataType, _ target: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, count: Int) {
        guard self != .none else {
            target.copyMemory(from: source, byteCount: count * type.byteWidth)
            return
        }
        switch type {
        case .float: floating(Float.self, target, source, count)
        case .double: floating(Double.self, target, source, count)
        case .int8: integer(Int8.self, target, source, count)
        case .uint8: integer(UInt8.self, target, source, count)
        case .int16: integer(Int16.self, target, source, count)
        case .uint16: integer(UInt16.self, target, source, count)
        case .int32: integer(Int32.self, target, source, count)
        case .uint32: integer(UInt32.self, target, source, count)
        case .int64: integer(Int64.self, target, source, count)
        default: integer(UInt64.self, target, source, count)
        }
    }

    private func floating<T: BinaryFloatingPoint>(_: T.Type, _ target: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
        let y = target.assumingMemoryBound(to: T.self), x = source.assumingMemoryBound(to: T.self)
        for i in 0..<count {
            let a = y[i], b = x[i]
            switch self {
            case .add: y[i] = a + b
            case .mul: y[i] = a * b
            case .max: y[i] = a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
            case .min: y[i] = a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
            case .none: y[i] = b
            }
        }
    }

    private func integer<T: FixedWidthInteger>(_: T.Type, _ target: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
        let y = target.assumingMemoryBound(to: T.self), x = source.assumingMemoryBound(to: T.self)
        for i in 0..<count {
            switch self {
            case .add: y[i] = y[i] &+ x[i]
            case .mul: y[i] = y[i] &* x[i]
            case .max: y[i] = Swift.max(y[i], x[i])
            case .min: y[i] = Swift.min(y[i], x[i])
            case .none: y[i] = x[i]
            }
        }
    }
}

/// ScatterND: out = data; out[indices[j]] ⊕= updates[j], each index tuple selecting a slice of
/// `blockElements` elements.
final class ScatterNDKernel: Kernel {
    let dataShape: [Int], depth: Int, blocks: Int, dataType: DataType, reduction: ScatterReduction
    let strides: [Int], blockElements: Int

    init(dataShape: [Int], depth: Int, blocks: Int, dataType: DataType, reduction: ScatterReduction) {
        self.dataShape = dataShape
        self.depth = depth
        self.blocks = blocks
        self.dataType = dataType
        self.reduction = reduction
        strides = AxisMap.strides(dataShape)
        blockElements = dataShape[depth...].reduce(1, *)
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let data = inputs[0], let indices = inputs[1], let updates = inputs[2] else { return }
        let out = outputs[0], width = dataType.byteWidth
        out.storage.bytes.copyMemory(from: data.storage.bytes, byteCount: data.byteCount)
        guard blockElements > 0 else { return }
        for block in 0..<blocks {
            var offset = 0
            for axis in 0..<depth {
                offset += try GatherOperators.index(indices, block * depth + axis, size: dataShape[axis]) * strides[axis]
            }
            reduction.apply(dataType, out.storage.bytes + offset * width,
                            UnsafeRawPointer(updates.storage.bytes + block * blockElements * width), count: blockElements)
        }
    }
}

/// ScatterElements: out = data; out[p with p[axis] = indices[p]] ⊕= updates[p] for every
/// position p of `indices`.
final class ScatterElementsKernel: Kernel {
    let dataShape: [Int], indexShape: [Int], axis: Int, dataType: DataType, reduction: ScatterReduction
    let dataStrides: [Int]

    init(dataShape: [Int], indexShape: [Int], axis: Int, dataType: DataType, reduction: ScatterReduction) {
        self.dataShape = dataShape
        self.indexShape = indexShape
        self.axis = axis
        self.dataType = dataType
        self.reduction = reduction
        dataStrides = AxisMap.strides(dataShape)
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let data = inputs[0], let indices = inputs[1], let updates = inputs[2] else { return }
        let out = outputs[0], width = dataType.byteWidth
        out.storage.bytes.copyMemory(from: data.storage.bytes, byteCount: data.byteCount)
        let count = indices.count
        guard count > 0 else { return }
        let rank = indexShape.count
        var position = [Int](repeating: 0, count: rank)
        for p in 0..<count {
            var offset = 0
            for a in 0..<rank {
                let coordinate = a == axis ? try GatherOperators.index(indices, p, size: dataShape[axis]) : position[a]
                offset += coordinate * dataStrides[a]
            }
            reduction.apply(dataType, out.storage.bytes + offset * width,
                            UnsafeRawPointer(updates.storage.bytes + p * width), count: 1)
            var a = rank - 1
            while a >= 0 {
                position[a] += 1
                if position[a] < indexShape[a] { break }
                position[a] = 0
                a -= 1
            }
        }
    }
}
