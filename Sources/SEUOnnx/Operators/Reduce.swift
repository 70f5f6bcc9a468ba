/// ReduceMean (axes as attribute before opset 18, as input from 18).
enum ReduceOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("ReduceMean") { context in
            let x = try context.expect(0, [.float])
            let keepDims = try context.node.int("keepdims", default: 1) != 0
            let noopWithEmptyAxes = try context.node.int("noop_with_empty_axes", default: 0) != 0
            let axesValue = context.opset >= 18 ? try context.constantInts(1) : try context.node.ints("axes")
            var axes = Set<Int>()
            for axis in axesValue ?? [] {
                guard axis >= -x.rank && axis < max(x.rank, 1) else {
                    throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axes")
                }
                axes.insert(axis < 0 ? axis + x.rank : axis)
            }
            if axes.isEmpty && !noopWithEmptyAxes { axes = Set(0..<x.rank) }
            let reduction = Reduction(shape: x.shape, axes: axes, keepDims: keepDims)
            let kernel = ClosureKernel { inputs, outputs in
                guard let input = inputs[0] else { return }
                reduction.mean(input.floats, outputs[0].floats)
            }
            return KernelBuild(kernel: kernel, outputType: ValueType(.float, reduction.outputShape))
        })
    }
}

/// Geometry of a reduction over a set of axes: each input element maps to one output element.
struct Reduction {
    let inputShape: [Int]
    let axes: Set<Int>
    let outputShape: [Int]
    /// Output strides per input axis (0 on reduced axes).
    let outputStrides: [Int]
    let groupSize: Int

    init(shape: [Int], axes: Set<Int>, keepDims: Bool) {
        inputShape = shape
        self.axes = axes
        var kept: [Int] = []
        for (axis, dim) in shape.enumerated() {
            if axes.contains(axis) { if keepDims { kept.append(1) } } else { kept.append(dim) }
        }
        outputShape = kept
        var strides = [Int](repeating: 0, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where !axes.contains(axis) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        outputStrides = strides
        groupSize = axes.reduce(1) { $0 * shape[$1] }
    }

    /// out = mean over the reduced axes, accumulated in input order.
    func mean(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let outCount = Tensor.elementCount(outputShape)
        out.update(repeating: 0, count: outCount)
        let count = Tensor.elementCount(inputShape)
        let rank = inputShape.count
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for i in 0..<count {
            out[offset] += x[i]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += outputStrides[axis]
                if index[axis] < inputShape[axis] { break }
                offset -= outputStrides[axis] * inputShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        let scale = groupSize > 0 ? 1 / Float(groupSize) : .nan
        for i in 0..<outCount { out[i] *= scale }
    }
}
