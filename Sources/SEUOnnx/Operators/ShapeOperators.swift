/// Operators that keep the bytes and change only the shape (Identity, Flatten, Reshape,
/// Squeeze, Unsqueeze) or report it (Shape, Size).
///
/// All of them work on every element type (`halfPrecision: .native`). Shape and Size return
/// plan-time constants: a plan is built for concrete input shapes, so the shape arithmetic
/// PyTorch's legacy exporter writes (Shape → Gather → Unsqueeze → Concat → Reshape) folds
/// while planning and costs nothing per run, whatever the batch size.
enum ShapeOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Identity", halfPrecision: .native) { context in
            KernelBuild(kernel: CopyKernel(), outputType: try context.type(0))
        })
        registry.register(OperatorSpec("Flatten", halfPrecision: .native) { context in
            let x = try context.type(0)
            var axis = try context.node.int("axis", default: 1)
            guard axis >= -x.rank && axis <= x.rank else {
                throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axis")
            }
            if axis < 0 { axis += x.rank }
            let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[axis...].reduce(1, *)
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, [outer, inner]))
        })
        registry.register(OperatorSpec("Reshape", halfPrecision: .native) { context in
            let x = try context.type(0)
            let requested: [Int]
            if context.opset >= 5 {
                guard let shape = try context.constantInts(1) else { throw context.error("missing shape input") }
                requested = shape
            } else {
                guard let shape = try context.node.ints("shape") else {
                    throw context.error("missing shape attribute", attribute: "shape")
                }
                requested = shape
            }
            let allowZero = try context.opset >= 14 && context.node.int("allowzero", default: 0) != 0
            let shape = try ReshapeRule.resolve(requested, input: x.shape, allowZero: allowZero, node: context.node)
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, shape))
        })
        registry.register(OperatorSpec("Squeeze", halfPrecision: .native) { context in
            let x = try context.type(0)
            let requested = context.opset >= 13 ? try context.constantInts(1) : try context.node.ints("axes")
            var keep = [Bool](repeating: true, count: x.rank)
            if let requested {
                for axis in try ShapeAxes.normalize(requested, rank: x.rank, node: context.node) {
                    guard x.shape[axis] == 1 else {
                        throw context.error("cannot squeeze axis \(axis) of size \(x.shape[axis]) (input \(x.shape))", kind: .shapeMismatch)
                    }
                    keep[axis] = false
                }
            } else {
                for axis in 0..<x.rank where x.shape[axis] == 1 { keep[axis] = false }
            }
            let shape = x.shape.indices.filter { keep[$0] }.map { x.shape[$0] }
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, shape))
        })
        registry.register(OperatorSpec("Unsqueeze", halfPrecision: .native) { context in
            let x = try context.type(0)
            let requested = context.opset >= 13 ? try context.constantInts(1) : try context.node.ints("axes")
            guard let requested else { throw context.error("Unsqueeze needs axes", attribute: "axes") }
            let rank = x.rank + requested.count
            let axes = Set(try ShapeAxes.normalize(requested, rank: rank, node: context.node))
            var shape: [Int] = []
            var next = 0
            for axis in 0..<rank {
                if axes.contains(axis) {
                    shape.append(1)
                } else {
                    shape.append(x.shape[next])
                    next += 1
                }
            }
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, shape))
        })
        registry.register(OperatorSpec("Shape", halfPrecision: .native) { context in
            let x = try context.type(0)
            var start = 0, end = x.rank
            if context.opset >= 15 {
                // Negative bounds count from the end; both are clamped to [0, rank].
                start = try context.node.int("start", default: 0)
                end = try context.node.int("end") ?? x.rank
                if start < 0 { start += x.rank }
                if end < 0 { end += x.rank }
                start = min(max(start, 0), x.rank)
                end = min(max(end, 0), x.rank)
            }
            let dims = start < end ? x.shape[start..<end].map { Int64($0) } : []
            return KernelBuild(constants: [Tensor(shape: [dims.count], elements: dims)])
        })
        registry.register(OperatorSpec("Size", halfPrecision: .native) { context in
            let x = try context.type(0)
            return KernelBuild(constants: [Tensor(scalar: Int64(x.count))])
        })
    }
}

/// Copies the input's bytes to the output (same element count): Identity, Reshape, Flatten,
/// Squeeze, Unsqueeze.
final class CopyKernel: Kernel {
    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let out = outputs[0]
        guard x.byteCount == out.byteCount else {
            throw SEUError(.execution, "copy of \(x) into \(out): sizes differ")
        }
        if x.storage !== out.storage, out.byteCount > 0 {
            out.storage.bytes.copyMemory(from: x.storage.bytes, byteCount: out.byteCount)
        }
    }
}

/// Axis arguments (negative values count from the end).
enum ShapeAxes {
    /// One axis in `[-rank, rank)`, made non-negative.
    static func normalize(_ axis: Int, rank: Int, node: Node, attribute: String = "axis") throws -> Int {
        guard axis >= -rank && axis < rank else {
            throw node.error(.invalidNode, "axis \(axis) out of range for rank \(rank)", attribute: attribute)
        }
        return axis < 0 ? axis + rank : axis
    }

    /// Several distinct axes in `[-rank, rank)`, made non-negative (order kept).
    static func normalize(_ axes: [Int], rank: Int, node: Node) throws -> [Int] {
        let result = try axes.map { try normalize($0, rank: rank, node: node, attribute: "axes") }
        guard Set(result).count == result.count else {
            throw node.error(.invalidNode, "axes \(axes) repeat an axis", attribute: "axes")
        }
        return result
    }
}

/// Output sizes computed from attributes or plan-time values (Expand, Tile, Pad,
/// ConstantOfShape, Range): a model must not be able to overflow `Int` or ask for an absurd
/// allocation, so sizes are checked before anything is allocated.
enum ShapeLimits {
    /// Largest output the builders accept: 2^34 bytes (16 GiB), far above any activation of
    /// the models this tool targets.
    static let maximumBytes = 1 << 34

    /// `a + b + c` for dimension arithmetic, or an error on overflow.
    static func sum(_ values: [Int], node: Node) throws -> Int {
        var total = 0
        for value in values {
            let (result, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { throw node.error(.shapeMismatch, "dimension arithmetic overflows") }
            total = result
        }
        return total
    }

    /// Checks that `shape` (non-negative dimensions) of `type` fits the limit.
    static func check(_ shape: [Int], _ type: DataType, node: Node) throws {
        var bytes = max(type.byteWidth, 1)
        for d in shape {
            guard d >= 0 else { throw node.error(.shapeMismatch, "negative dimension in \(shape)") }
            let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumBytes else {
                throw node.error(.shapeMismatch, "output shape \(shape) of \(type) is larger than \(maximumBytes >> 30) GiB")
            }
            bytes = product
        }
    }
}

/// ONNX Reshape's target-shape rules: 0 copies the input dimension (unless allowzero), one -1
/// is inferred from the element count.
enum ReshapeRule {
    static func resolve(_ requested: [Int], input: [Int], allowZero: Bool, node: Node) throws -> [Int] {
        var shape = requested
        var inferred: Int?
        for (i, d) in requested.enumerated() {
            if d == 0 && !allowZero {
                guard i < input.count else { throw node.error(.shapeMismatch, "shape \(requested): 0 at axis \(i) but input has rank \(input.count)") }
                shape[i] = input[i]
            } else if d == -1 {
                guard inferred == nil else { throw node.error(.shapeMismatch, "shape \(requested) has more than one -1") }
                inferred = i
            } else if d < -1 {
                throw node.error(.shapeMismatch, "shape \(requested) has a negative dimension")
            }
        }
        if allowZero && inferred != nil && requested.contains(0) {
            throw node.error(.shapeMismatch, "shape \(requested): allowzero forbids 0 together with -1")
        }
        let total = input.reduce(1, *)
        var known = 1
        for (i, d) in shape.enumerated() where i != inferred {
            let (product, overflow) = known.multipliedReportingOverflow(by: d)
            guard !overflow else { throw node.error(.shapeMismatch, "shape \(requested) is too large") }
            known = product
        }
        if let i = inferred {
            guard known > 0, total % known == 0 else {
                throw node.error(.shapeMismatch, "cannot reshape \(input) to \(requested)")
            }
            shape[i] = total / known
        } else {
            guard known == total else {
                throw node.error(.shapeMismatch, "cannot reshape \(input) (\(total) elements) to \(requested)")
            }
        }
        return shape
    }
}
