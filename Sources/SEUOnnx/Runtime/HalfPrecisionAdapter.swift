/// Runs a float32 kernel on float16/bfloat16 data: inputs are widened to float32 (exact), the
/// kernel computes in float32, and its float32 outputs are rounded to the 16-bit type
/// (nearest, ties to even). Rounding at every op output makes results follow the model's
/// declared types, as a runtime computing natively in 16 bits with float32 accumulation would.
final class HalfPrecisionAdapter: Kernel {
    let inner: Kernel
    /// For each input: a float32 scratch tensor when the input is 16-bit, else nil.
    private let widened: [Tensor?]
    /// Inner outputs (float32 scratch where the outer output is 16-bit).
    private let innerOutputs: [Tensor]
    private let narrowTo: [DataType?]
    private var innerInputs: [Tensor?]

    static func isHalf(_ type: DataType) -> Bool { type == .float16 || type == .bfloat16 }

    /// The type float outputs take: that of the first floating-point input, when it is 16-bit.
    /// (Outputs follow their op's first float input: X in Pow(X, Y), Resize(X, roi, scales) and
    /// Where(cond, X, Y); a float32 base with a float16 exponent stays float32.)
    static func outputType(_ context: NodeContext) -> DataType? {
        let first = context.inputTypes.lazy.compactMap { $0?.dataType }.first { $0.isFloatingPoint }
        return first.flatMap { isHalf($0) ? $0 : nil }
    }

    static func appliesTo(_ context: NodeContext) -> Bool { outputType(context) != nil }

    /// Builds `spec` on float32 versions of the 16-bit inputs and wraps the kernel.
    static func build(_ spec: OperatorSpec, _ context: NodeContext) throws -> KernelBuild {
        guard let halfType = outputType(context) else {
            return try spec.build(context)
        }
        let floatTypes = context.inputTypes.map { type in
            type.map { isHalf($0.dataType) ? ValueType(.float, $0.shape) : $0 }
        }
        let floatConstants = context.constants.map { tensor in
            tensor.map { isHalf($0.dataType) ? $0.convertedToFloat() : $0 }
        }
        let inner = try spec.build(NodeContext(node: context.node, opset: context.opset,
                                               inputTypes: floatTypes, constants: floatConstants))
        let outerTypes = inner.outputTypes.map { $0.dataType == .float ? ValueType(halfType, $0.shape) : $0 }
        if let constants = inner.constantOutputs {
            return KernelBuild(constants: constants.map { $0.dataType == .float ? narrow($0, to: halfType) : $0 })
        }
        guard let kernel = inner.kernel else { return inner }
        let adapter = HalfPrecisionAdapter(inner: kernel, inputTypes: context.inputTypes,
                                           innerOutputTypes: inner.outputTypes, outerTypes: outerTypes)
        return KernelBuild(kernel: adapter, outputTypes: outerTypes)
    }

    private init(inner: Kernel, inputTypes: [ValueType?], innerOutputTypes: [ValueType], outerTypes: [ValueType]) {
        self.inner = inner
        widened = inputTypes.map { type in
            type.flatMap { Self.isHalf($0.dataType) ? Tensor(dataType: .float, shape: $0.shape) : nil }
        }
        innerOutputs = innerOutputTypes.map { Tensor(dataType: $0.dataType, shape: $0.shape) }
        narrowTo = zip(innerOutputTypes, outerTypes).map { $0.dataType != $1.dataType ? $1.dataType : nil }
        innerInputs = widened
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        for (i, input) in inputs.enumerated() {
            if let scratch = widened[i], let input {
                Self.widen(input, into: scratch)
                innerInputs[i] = scratch
            } else {
                innerInputs[i] = input
            }
        }
        // Outputs that keep their type are written directly.
        let targets = zip(innerOutputs, outputs).enumerated().map { j, pair in narrowTo[j] == nil ? pair.1 : pair.0 }
        try inner.run(inputs: innerInputs, outputs: targets)
        for (j, type) in narrowTo.enumerated() {
            guard let type else { continue }
            Self.narrow(innerOutputs[j], into: outputs[j], type: type)
        }
    }

    static func widen(_ input: Tensor, into scratch: Tensor) {
        let source = input.pointer(as: UInt16.self), out = scratch.floats
        if input.dataType == .float16 {
            for i in 0..<input.count { out[i] = HalfPrecision.float(fromFloat16: source[i]) }
        } else {
            for i in 0..<input.count { out[i] = HalfPrecision.float(fromBFloat16: source[i]) }
        }
    }

    static func narrow(_ input: Tensor, into output: Tensor, type: DataType) {
        let source = input.floats, out = output.pointer(as: UInt16.self)
        if type == .float16 {
            for i in 0..<input.count { out[i] = HalfPrecision.float16Bits(from: source[i]) }
        } else {
            for i in 0..<input.count { out[i] = HalfPrecision.bfloat16Bits(from: source[i]) }
        }
    }

    static func narrow(_ tensor: Tensor, to type: DataType) -> Tensor {
        let result = Tensor(dataType: type, shape: tensor.shape)
        narrow(tensor, into: result, type: type)
        return result
    }
}
