/// QuantizeLinear and DequantizeLinear (opsets 10, 13, 19, 21, 23+) and DynamicQuantizeLinear
/// (opset 11): the conversions between real values and int8/uint8/int16/uint16 (DequantizeLinear
/// also int32, for quantized biases).
///
/// - Quantize: `y = saturate(round(x / scale) + zero_point)`, round half to even.
/// - Dequantize: `y = (x - zero_point) · scale`, computed in float32 and stored in the output
///   type (`output_dtype`, else the scale's type).
///
/// Scales and zero points are per tensor (one value), per axis (1-D along `axis`, default 1,
/// opset 13+) or blocked (`block_size`, opset 21+); attributes are read whenever present.
/// Scales may be float32, float16 or bfloat16 (opset 19+); these ops handle 16-bit types
/// natively (`halfPrecision: .native`) so a float16 division is rounded like the ONNX
/// reference does. The values of scales and zero points are read in `run`, never at plan
/// time: they are fault-injection targets (site kinds `scale` and `zero_point`).
enum QuantizationOperators {
    static func register(in registry: OperatorRegistry) {
        registry.register(OperatorSpec("QuantizeLinear", since: 10, halfPrecision: .native) { try quantize($0) })
        registry.register(OperatorSpec("DequantizeLinear", since: 10, halfPrecision: .native) { try dequantize($0) })
        registry.register(OperatorSpec("DynamicQuantizeLinear", since: 11) { context in
            let x = try context.expect(0, [.float])
            return KernelBuild(kernel: DynamicQuantizeKernel(count: x.count),
                               outputTypes: [ValueType(.uint8, x.shape), ValueType(.float, []), ValueType(.uint8, [])])
        })
    }

    /// The layout of input 1 (scale) against input 0, checking that a zero point (input 2)
    /// has the scale's shape.
    static func layout(_ context: NodeContext, input x: ValueType, scale: ValueType) throws -> QuantizationLayout {
        if context.hasInput(2) {
            let zeroPoint = try context.type(2)
            guard zeroPoint.shape == scale.shape || (zeroPoint.count == 1 && scale.count == 1) else {
                throw context.error("zero point shape \(zeroPoint.shape) differs from scale shape \(scale.shape)", kind: .shapeMismatch)
            }
        }
        return try QuantizationLayout(input: x.shape, parameterShape: scale.shape,
                                      axis: try context.node.int("axis", default: 1),
                                      blockSize: try context.node.int("block_size", default: 0), node: context.node)
    }

    static func quantize(_ context: NodeContext) throws -> KernelBuild {
        let x = try context.expect(0, [.float, .float16, .bfloat16, .int32])
        let scale = try context.expect(1, [.float, .float16, .bfloat16])
        let requested = try context.node.int("output_dtype").map { code -> DataType in
            guard code != 0 else { return .uint8 }
            guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), Quantized.storageTypes.contains(type) else {
                throw context.error("output_dtype \(code) is not a supported quantized type (int8, uint8, int16, uint16)",
                                    kind: .unsupportedDataType, attribute: "output_dtype")
            }
            return type
        }
        var outputType = requested ?? .uint8
        if context.hasInput(2) {
            let zeroPoint = try context.expect(2, Quantized.storageTypes)
            if let requested, requested != zeroPoint.dataType {
                throw context.error("output_dtype \(requested) differs from the zero point's type \(zeroPoint.dataType)", attribute: "output_dtype")
            }
            outputType = zeroPoint.dataType
        }
        // The division's precision: `precision` (opset 25) if given, else NumPy's promotion of
        // the two operand types (a 16-bit quotient only when both operands are that type).
        var precision = x.dataType == scale.dataType ? scale.dataType : DataType.float
        if let code = try context.node.int("precision"), code != 0 {
            guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), type.isFloatingPoint else {
                throw context.error("precision \(code) is not a floating-point type", attribute: "precision")
            }
            precision = type
        }
        let layout = try layout(context, input: x, scale: scale)
        return KernelBuild(kernel: QuantizeKernel(layout: layout, count: x.count, precision: precision,
                                                  range: Quantized.range(outputType)),
                           outputType: ValueType(outputType, x.shape))
    }

    static func dequantize(_ context: NodeContext) throws -> KernelBuild {
        let x = try context.expect(0, Quantized.dequantizableTypes)
        let scale = try context.expect(1, [.float, .float16, .bfloat16])
        if context.hasInput(2) {
            let zeroPoint = try context.type(2)
            guard zeroPoint.dataType == x.dataType else {
                throw context.error("zero point type \(zeroPoint.dataType) differs from the input type \(x.dataType)", kind: .unsupportedDataType)
            }
        }
        var outputType = scale.dataType
        if let code = try context.node.int("output_dtype"), code != 0 {
            guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), [.float, .float16, .bfloat16].contains(type) else {
                throw context.error("output_dtype \(code) is not float32, float16 or bfloat16", kind: .unsupportedDataType, attribute: "output_dtype")
            }
            outputType = type
        }
        let layout = try layout(context, input: x, scale: scale)
        return KernelBuild(kernel: DequantizeKernel(layout: layout, count: x.count), outputType: ValueType(outputType, x.shape))
    }
}

/// QuantizeLinear: `saturate(round(x / scale) + zero_point)`.
final class QuantizeKernel: Kernel {
    let layout: QuantizationLayout
    let precision: DataType
    let range: ClosedRange<Int32>
    private let results: UnsafeMutablePointer<Int32>

    init(layout: QuantizationLayout, count: Int, precision: DataType, range: ClosedRange<Int32>) {
        self.layout = layout
        self.precision = precision
        self.range = range
        results = .allocate(capacity: max(count, 1))
    }

    deinit { results.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let scaleTensor = inputs[1] else { return }
        let scales = Quantized.scales(scaleTensor)
        let zeroPoints = Quantized.values(inputs.count > 2 ? inputs[2] : nil)
        let perElementZero = zeroPoints.count > 1
        let precision = precision, range = range, results = results
        if x.dataType == .float, layout.mode == .perTensor, precision == .float {
            // The common case (activations in QDQ models): one scale, float32 data.
            let p = x.floats, scale = scales[0], zero = zeroPoints[0]
            for i in 0..<x.count { results[i] = Quantized.saturate(Double(p[i] / scale), zeroPoint: zero, range: range) }
            Quantized.store(results, into: outputs[0])
            return
        }
        let value: (Int) -> Float
        switch x.dataType {
        case .float: let p = x.floats; value = { p[$0] }
        case .int32: let p = x.pointer(as: Int32.self); value = { Float(p[$0]) }
        default: value = { x.floatValue(at: $0) }
        }
        layout.forEach { element, parameter in
            let quotient: Double
            if precision == .double {
                quotient = Double(value(element)) / Double(scales[parameter])
            } else {
                quotient = Double(Quantized.round(value(element) / scales[parameter], to: precision))
            }
            results[element] = Quantized.saturate(quotient, zeroPoint: zeroPoints[perElementZero ? parameter : 0], range: range)
        }
        Quantized.store(results, into: outputs[0])
    }
}

/// DequantizeLinear: `(x - zero_point) · scale` in float32, stored in the output's type.
final class DequantizeKernel: Kernel {
    let layout: QuantizationLayout
    private let integers: UnsafeMutablePointer<Int32>
    private let results: UnsafeMutablePointer<Float>

    init(layout: QuantizationLayout, count: Int) {
        self.layout = layout
        integers = .allocate(capacity: max(count, 1))
        results = .allocate(capacity: max(count, 1))
    }

    deinit {
        integers.deallocate()
        results.deallocate()
    }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0], let scaleTensor = inputs[1] else { return }
        let scales = Quantized.scales(scaleTensor)
        let zeroPoints = Quantized.values(inputs.count > 2 ? inputs[2] : nil)
        let perElementZero = zeroPoints.count > 1
        Quantized.widen(x, into: integers)
        let integers = integers, results = results
        if layout.mode == .perTensor {
            let zero = Float(zeroPoints[0]), scale = scales[0]
            for i in 0..<x.count { results[i] = (Float(integers[i]) - zero) * scale }
            Quantized.storeFloats(results, into: outputs[0])
            return
        }
        layout.forEach { element, parameter in
            let shifted = Float(integers[element]) - Float(zeroPoints[perElementZero ? parameter : 0])
            results[element] = shifted * scales[parameter]
        }
        Quantized.storeFloats(results, into: outputs[0])
    }
}

/// DynamicQuantizeLinear: uint8 quantization with a scale and zero point computed from the
/// data's range (which always includes 0). NaN in the data gives a NaN scale, and every
/// element then quantizes to the zero point.
final class DynamicQuantizeKernel: Kernel {
    private let results: UnsafeMutablePointer<Int32>

    init(count: Int) { results = .allocate(capacity: max(count, 1)) }
    deinit { results.deallocate() }

    func run(inputs: [Tensor?], outputs: [Tensor]) throws {
        guard let x = inputs[0] else { return }
        let values = x.floats
        var low: Float = 0, high: Float = 0, sawNaN = false
        for i in 0..<x.count {
            let v = values[i]
            if v.isNaN { sawNaN = true } else { low = min(low, v); high = max(high, v) }
        }
        let scale: Float = sawNaN ? .nan : (high == low ? 1 : high - low) / 255
        let initial = 0 - low / scale
        let zero = initial.isNaN ? Float(0) : min(max(initial, 0), 255).rounded(.toNearestOrEven)
        let zeroPoint = Int32(zero)
        for i in 0..<x.count {
            results[i] = Quantized.saturate(Double(values[i] / scale), zeroPoint: zeroPoint, range: 0...255)
        }
        Quantized.store(results, into: outputs[0])
        outputs[1].floats[0] = scale
        outputs[2].pointer(as: UInt8.self)[0] = UInt8(truncatingIfNeeded: zeroPoint)
    }
}
