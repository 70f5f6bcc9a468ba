/// Sum, Mean, Max and Min over one or more inputs with NumPy broadcasting (opset 8+; the
/// same-shape rule of older opsets is a special case).
///
/// NaN propagates as in PyTorch: Max/Min with a NaN operand give NaN.
enum VariadicOperators {
    static func register(in registry: OperatorRegistry) {
        let operations: [(String, VariadicKernel.Operation, Set<DataType>)] = [
            ("Sum", .sum, ElementTypes.numeric), ("Mean", .mean, ElementTypes.floats),
            ("Max", .max, ElementTypes.numeric), ("Min", .min, ElementTypes.numeric),
        ]
        for (name, operation, allowed) in operations {
            registry.register(OperatorSpec(name) { context in
                var types: [ValueType] = []
                for i in 0..<context.inputCount where context.hasInput(i) { types.append(try context.type(i)) }
                guard let first = types.first else { throw context.error("\(name) needs at least one input") }
                guard types.allSatisfy({ $0.dataType == first.dataType }) else {
                    throw context.error("inputs have different types \(types.map(\.dataType))", kind: .shapeMismatch)
                }
                try Elementwise.require(context, first.dataType, in: allowed)
                let shape = try Elementwise.broadcastShape(context, types)
                let kernel = VariadicKernel(operation, first.dataType, inputShapes: types.map(\.shape), outputShape: shape)
                return KernelBuild(kernel: kernel, outputType: ValueType(first.dataType, shape))
            })
        }
    }
}

/// Folds the inputs into the output one at a time: out = in0 ⊕ in1, then out = out ⊕ in_k.
final class VariadicKernel: NumericTypedKernel {
    enum Operation { case sum, mean, max, min }

    let operation: Operation
    let dataType: DataType
    /// Walks (output ← input 0 alone), (input 0, input 1), then (output, input k) for k ≥ 2.
    let walks: [Broadcast.Walk]
    let outputCount: Int

    init(_ operation: Operation, _ dataType: DataType, inputShapes: [[Int]], outputShape: [Int]) {
        self.operation = operation
        self.dataType = dataType
        outputCount = Tensor.elementCount(outputShape)
        var walks = [Broadcast.Walk(outputShape: outputShape, inputShapes: [inputShapes[0], inputShapes[0]])]
        if inputShapes.count > 1 {
            walks.append(Broadcast.Walk(outputShape: outputShape, inputShapes: [inputShapes[0], inputShapes[1]]))
        }
        for shape in inputShapes.dropFirst(2) {
            walks.append(Broadcast.Walk(outputShape: outputShape, inputShapes: [outputShape, shape]))
        }
        self.walks = walks
    }

    /// The present inputs, in order (omitted optional inputs skipped).
    private func present(_ inputs: [Tensor?]) -> [Tensor] { inputs.compactMap { $0 } }

    func run<T: FloatElement>(float: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        let xs = present(inputs), out = outputs[0].pointer(as: T.self)
        guard !xs.isEmpty else { return }
        switch operation {
        case .sum, .mean: fold(xs, out) { $0 + $1 }
        case .max: fold(xs, out) { a, b in a > b || a != a ? a : b }
        case .min: fold(xs, out) { a, b in a < b || a != a ? a : b }
        }
        if operation == .mean {
            // Divide (not multiply by 1/n) so the mean is correctly rounded, as NumPy's is.
            let n = T(xs.count)
            BroadcastLoops.split(outputCount, .cheap) { r in BroadcastLoops.unary(r, out, out) { $0 / n } }
        }
    }

    func run<T: IntegerElement>(integer: T.Type, inputs: [Tensor?], outputs: [Tensor]) throws {
        let xs = present(inputs), out = outputs[0].pointer(as: T.self)
        guard !xs.isEmpty else { return }
        switch operation {
        case .sum, .mean: fold(xs, out) { $0 &+ $1 }
        case .max: fold(xs, out) { Swift.max($0, $1) }
        case .min: fold(xs, out) { Swift.min($0, $1) }
        }
    }

    /// out = in0 ⊕ in1 ⊕ ... with `op`. Serial: `op` is a closure value here, which the
    /// threads' copy of a loop would call indirectly (see `BroadcastLoops`); these operations
    /// are memory-bound anyway.
    @inline(__always)
    private func fold<T>(_ xs: [Tensor], _ out: UnsafeMutablePointer<T>, _ op: (T, T) -> T) {
        guard xs.count > 1 else {
            // A single input is broadcast (copied) to the output.
            let x = xs[0].pointer(as: T.self), walk = walks[0]
            BroadcastLoops.split(walk, .cheap) { c in BroadcastLoops.binary(walk, c, x, x, out) { a, _ in a } }
            return
        }
        for k in 1..<xs.count {
            let a = k == 1 ? UnsafePointer(xs[0].pointer(as: T.self)) : UnsafePointer(out)
            let b = xs[k].pointer(as: T.self), walk = walks[k]
            BroadcastLoops.binary(walk, BroadcastLoops.Chunk(rows: 0..<walk.rowOffsets.count, inner: 0..<walk.innerCount), a, b, out, op)
        }
    }
}
