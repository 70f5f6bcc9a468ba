/// Slice: starts/ends/axes as attributes (opsets 1–9, step 1) or as inputs with optional
/// axes and steps (10+). Bounds follow ONNX: negative values count from the end, then starts
/// and ends are clamped to [0, d] for positive steps and [0, d-1] / [-1, d-1] for negative
/// steps. Any element type (bytes moved through an `AxisMap`).
enum SliceOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Slice", halfPrecision: .native) { context in
            let x = try context.type(0)
            let node = context.node
            let starts: [Int], ends: [Int], axesArgument: [Int]?, steps: [Int]?
            if context.opset >= 10 {
                guard let s = try context.constantInts(1), let e = try context.constantInts(2) else {
                    throw context.error("Slice needs starts and ends inputs")
                }
                starts = s; ends = e
                axesArgument = try context.constantInts(3)
                steps = try context.constantInts(4)
            } else {
                guard let s = try node.ints("starts"), let e = try node.ints("ends") else {
                    throw context.error("Slice needs starts and ends attributes")
                }
                starts = s; ends = e
                axesArgument = try node.ints("axes")
                steps = nil
            }
            let axes = try ShapeAxes.normalize(axesArgument ?? Array(0..<starts.count), rank: x.rank, node: node)
            guard starts.count == ends.count, axes.count == starts.count, steps.map({ $0.count == starts.count }) ?? true else {
                throw context.error("starts, ends, axes and steps must have the same length")
            }
            let strides = AxisMap.strides(x.shape)
            var shape = x.shape
            var tables = x.shape.indices.map { axis in (0..<x.shape[axis]).map { $0 * strides[axis] } }
            for (k, axis) in axes.enumerated() {
                let step = steps?[k] ?? 1
                guard step != 0 else { throw context.error("slice step cannot be 0") }
                let range = bounds(start: starts[k], end: ends[k], step: step, dimension: x.shape[axis])
                let coordinates = Array(range)
                shape[axis] = coordinates.count
                tables[axis] = coordinates.map { $0 * strides[axis] }
            }
            let kernel = AxisMapKernel(map: AxisMap(outputShape: shape, tables: tables), dataType: x.dataType)
            return KernelBuild(kernel: kernel, outputType: ValueType(x.dataType, shape))
        })
    }

    /// The source coordinates one axis reads, after ONNX's clamping rules.
    static func bounds(start: Int, end: Int, step: Int, dimension d: Int) -> StrideTo<Int> {
        // Values may be ±2^63 sentinels: clamp before any arithmetic that could overflow.
        var s = start < 0 ? (start < -d ? -d - 1 : start) + d : start
        var e = end < 0 ? (end < -d ? -d - 1 : end) + d : end
        if step > 0 {
            s = min(max(s, 0), d)
            e = min(max(e, 0), d)
        } else {
            s = min(max(s, 0), d - 1)
            e = min(max(e, -1), d - 1)
        }
        return stride(from: s, to: e, by: step)
    }
}
