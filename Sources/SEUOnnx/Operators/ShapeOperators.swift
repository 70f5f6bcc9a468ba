/// Operators that only move or reinterpret data: Identity, Flatten, Reshape, Constant.
enum ShapeOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Identity") { context in
            let x = try context.type(0)
            return KernelBuild(kernel: CopyKernel(), outputType: x)
        })
        registry.register(OperatorSpec("Flatten") { context in
            let x = try context.type(0)
            var axis = try context.node.int("axis", default: 1)
            guard axis >= -x.rank && axis <= x.rank else {
                throw context.error("axis \(axis) out of range for rank \(x.rank)", attribute: "axis")
            }
            if axis < 0 { axis += x.rank }
            let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[axis...].reduce(1, *)
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, [outer, inner]))
        })
        registry.register(OperatorSpec("Reshape") { context in
            let x = try context.type(0)
            let requested: [Int]
            if context.opset >= 5 {
                guard let shape = try context.constantInts(1) else { throw context.error("missing shape input") }
                requested = shape
            } else {
                requested = try context.node.ints("shape") ?? []
            }
            let allowZero = try context.node.int("allowzero", default: 0) != 0
            let shape = try ReshapeRule.resolve(requested, input: x.shape, allowZero: allowZero, node: context.node)
            return KernelBuild(kernel: CopyKernel(), outputType: ValueType(x.dataType, shape))
        })
        registry.register(OperatorSpec("Constant") { context in
            let node = context.node
            if let tensor = try node.tensor("value") { return KernelBuild(constants: [tensor]) }
            if let v = try node.float("value_float") { return KernelBuild(constants: [Tensor(scalar: v)]) }
            if let v = try node.floats("value_floats") { return KernelBuild(constants: [Tensor(shape: [v.count], floats: v)]) }
            if let v = try node.int("value_int") { return KernelBuild(constants: [Tensor(scalar: Int64(v))]) }
            if let v = try node.ints("value_ints") {
                return KernelBuild(constants: [Tensor(shape: [v.count], elements: v.map { Int64($0) })])
            }
            throw context.error("Constant needs a value attribute (string and sparse values are not supported)")
        })
    }
}

/// Copies the input's bytes to the output (same element count): Identity, Reshape, Flatten.
final class CopyKernel: Kernel {
    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let out = outputs[0]
        if x.storage !== out.storage {
            out.storage.bytes.copyMemory(from: x.storage.bytes, byteCount: out.byteCount)
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
        let total = input.reduce(1, *)
        if let i = inferred {
            let known = shape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            guard known > 0, total % known == 0 else {
                throw node.error(.shapeMismatch, "cannot reshape \(input) to \(requested)")
            }
            shape[i] = total / known
        }
        guard shape.reduce(1, *) == total else {
            throw node.error(.shapeMismatch, "cannot reshape \(input) (\(total) elements) to \(requested)")
        }
        return shape
    }
}
