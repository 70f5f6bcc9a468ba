/// Gather and GatherElements: pick elements by index along one axis. Indices (int32 or
/// int64, negative values count from the end) are read when the node runs, so they may be
/// data; an index out of range is an `execution` error. Data of any element type.
enum GatherOperators {
    static let indexTypes: Set<DataType> = [.int32, .int64]

    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Gather", halfPrecision: .native) { context in
            let data = try context.type(0)
            let indices = try context.expect(1, indexTypes)
            let axis = try ShapeAxes.normalize(try context.node.int("axis", default: 0), rank: data.rank, node: context.node)
            let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
            let kernel = GatherKernel(outer: data.shape[..<axis].reduce(1, *), axisSize: data.shape[axis],
                                      blockBytes: data.shape[(axis + 1)...].reduce(1, *) * data.dataType.byteWidth)
            return KernelBuild(kernel: kernel, outputType: ValueType(data.dataType, shape))
        })
        registry.register(OperatorSpec("GatherElements", halfPrecision: .native) { context in
            let data = try context.type(0)
            let indices = try context.expect(1, indexTypes)
            let axis = try ShapeAxes.normalize(try context.node.int("axis", default: 0), rank: data.rank, node: context.node)
            guard indices.rank == data.rank else {
                throw context.error("indices \(indices.shape) and data \(data.shape) must have the same rank", kind: .shapeMismatch)
            }
            let kernel = GatherElementsKernel(dataShape: data.shape, indexShape: indices.shape, axis: axis,
                                              width: data.dataType.byteWidth)
            return KernelBuild(kernel: kernel, outputType: ValueType(data.dataType, indices.shape))
        })
    }

    /// Index `i` of an int32/int64 tensor, made non-negative and checked against `size`.
    @inline(__always)
    static func index(_ indices: Tensor, _ i: Int, size: Int) throws -> Int {
        var value = indices.dataType == .int64 ? Int(indices.pointer(as: Int64.self)[i])
                                               : Int(indices.pointer(as: Int32.self)[i])
        if value < 0 { value += size }
        guard value >= 0 && value < size else {
            throw SEUError(.execution, "index \(value < 0 ? value - size : value) out of range for an axis of size \(size)")
        }
        return value
    }
}

/// out[o, j, :] = data[o, indices[j], :], copying `blockBytes` per index.
final class GatherKernel: Kernel {
    let outer: Int, axisSize: Int, blockBytes: Int

    init(outer: Int, axisSize: Int, blockBytes: Int) {
        self.outer = outer
        self.axisSize = axisSize
        self.blockBytes = blockBytes
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let data = inputs[0], let indices = inputs[1] else { return }
        let out = outputs[0]
        let n = indices.count
        guard n > 0, outer > 0 else { return }
        var resolved = [Int](repeating: 0, count: n)
        for j in 0..<n { resolved[j] = try GatherOperators.index(indices, j, size: axisSize) }
        let source = data.storage.bytes, destination = out.storage.bytes
        for o in 0..<outer {
            let row = source + o * axisSize * blockBytes
            let target = destination + o * n * blockBytes
            for j in 0..<n {
                (target + j * blockBytes).copyMemory(from: row + resolved[j] * blockBytes, byteCount: blockBytes)
            }
        }
    }
}

/// out[i0, .., ik, ..] = data[i0, .., indices[i0, .., ik, ..], ..] on `axis`. The indices
/// tensor may be smaller than the data on the other axes.
final class GatherElementsKernel: Kernel {
    let dataStrides: [Int], indexShape: [Int], axis: Int, axisSize: Int, width: Int

    init(dataShape: [Int], indexShape: [Int], axis: Int, width: Int) {
        dataStrides = AxisMap.strides(dataShape)
        self.indexShape = indexShape
        self.axis = axis
        axisSize = dataShape[axis]
        self.width = width
        self.dataShape = dataShape
    }

    private let dataShape: [Int]

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let data = inputs[0], let indices = inputs[1] else { return }
        let out = outputs[0]
        let rank = indexShape.count
        for a in 0..<rank where a != axis && indexShape[a] > dataShape[a] {
            throw SEUError(.execution, "indices \(indexShape) exceed data \(dataShape) on axis \(a)")
        }
        var coordinate = [Int](repeating: 0, count: rank)
        let source = data.storage.bytes, destination = out.storage.bytes
        for i in 0..<out.count {
            var offset = 0
            for a in 0..<rank where a != axis { offset += coordinate[a] * dataStrides[a] }
            offset += try GatherOperators.index(indices, i, size: axisSize) * dataStrides[axis]
            (destination + i * width).copyMemory(from: source + offset * width, byteCount: width)
            var a = rank - 1
            while a >= 0 {
                coordinate[a] += 1
                if coordinate[a] < indexShape[a] { break }
                coordinate[a] = 0
                a -= 1
            }
        }
    }
}
