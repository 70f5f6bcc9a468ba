/// Dropout. This runtime does inference, so Dropout is the identity and its optional mask is
/// all ones — for every opset before 12 (the `is_test` and `ratio` attributes of opsets 1–10
/// are accepted and ignored).
///
/// From opset 12 the mode is an explicit input: when `training_mode` is true and the ratio
/// (input 1, default 0.5) is non-zero, elements are dropped with NumPy's generator seeded by
/// the `seed` attribute — the ONNX reference's masks exactly, and the same mask on every run
/// (random when `seed` is absent): y = x * mask / (1 - ratio).
///
/// The mask is bool from opset 10, and of X's type before.
enum DropoutOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("Dropout", halfPrecision: .native) { context in
            let x = try context.expect(0, ElementTypes.floats.union([.float16, .bfloat16]))
            let outputs = Elementwise.requestedOutputs(context, max: 2)
            var types = [x]
            if outputs == 2 { types.append(ValueType(context.opset >= 10 ? .bool : x.dataType, x.shape)) }
            var seed: UInt32?
            if let value = try context.node.int("seed") { seed = UInt32(truncatingIfNeeded: value) }
            let kernel = DropoutKernel(x, trainingInputs: context.opset >= 12, seed: seed)
            return KernelBuild(kernel: kernel, outputTypes: types)
        })
    }
}

final class DropoutKernel: Kernel {
    let dataType: DataType
    let count: Int
    /// Opset 12+: inputs 1 (ratio) and 2 (training_mode) are honoured.
    let trainingInputs: Bool
    let seed: UInt32

    init(_ x: ValueType, trainingInputs: Bool, seed: UInt32?) {
        dataType = x.dataType
        count = x.count
        self.trainingInputs = trainingInputs
        self.seed = seed ?? UInt32.random(in: .min ... .max)
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let y = outputs[0]
        var training = false, ratio = 0.5
        if trainingInputs {
            if inputs.count > 2, let mode = inputs[2], mode.count > 0 { training = mode.doubleValue(at: 0) != 0 }
            if inputs.count > 1, let r = inputs[1], r.count > 0 { ratio = r.doubleValue(at: 0) }
        }
        if !training || ratio == 0 {
            if x.storage !== y.storage { y.storage.bytes.copyMemory(from: x.storage.bytes, byteCount: y.byteCount) }
            if outputs.count > 1 { fillOnes(outputs[1]) }
            return
        }
        guard ratio > 0 && ratio < 1 else {
            throw SEUError(.execution, "dropout ratio \(ratio) is outside [0, 1)")
        }
        var generator = MersenneTwister(seed: seed)
        // NumPy computes `mask * x * scale` in X's type, with the scale rounded to it.
        let scale = 1 / (1 - ratio)
        let mask = outputs.count > 1 ? outputs[1].pointer(as: UInt8.self) : nil
        for i in 0..<count {
            let keep = generator.nextDouble() >= ratio
            mask?[i] = keep ? 1 : 0
            switch dataType {
            case .float:
                y.floats[i] = x.floats[i] * (keep ? 1 : 0) * Float(scale)
            case .double:
                y.pointer(as: Double.self)[i] = x.pointer(as: Double.self)[i] * (keep ? 1 : 0) * scale
            default:
                let half = dataType == .float16, bits = x.pointer(as: UInt16.self)[i]
                let value = (half ? HalfPrecision.float(fromFloat16: bits) : HalfPrecision.float(fromBFloat16: bits))
                    * (keep ? 1 : 0) * Float(scale)
                y.pointer(as: UInt16.self)[i] = half ? HalfPrecision.float16Bits(from: value) : HalfPrecision.bfloat16Bits(from: value)
            }
        }
    }

    /// An all-true mask: bool 1, or 1.0 in X's type for opsets before 10.
    private func fillOnes(_ mask: Tensor) {
        switch mask.dataType {
        case .bool: mask.storage.bytes.initializeMemory(as: UInt8.self, repeating: 1, count: mask.count)
        case .float: mask.floats.update(repeating: 1, count: mask.count)
        case .double: mask.pointer(as: Double.self).update(repeating: 1, count: mask.count)
        case .float16: mask.pointer(as: UInt16.self).update(repeating: HalfPrecision.float16Bits(from: 1), count: mask.count)
        default: mask.pointer(as: UInt16.self).update(repeating: HalfPrecision.bfloat16Bits(from: 1), count: mask.count)
        }
    }
}
