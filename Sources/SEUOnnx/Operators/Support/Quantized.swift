/// Element-level rules shared by the quantization operators (QuantizeLinear, DequantizeLinear,
/// QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger): integer ranges, widening to Int32,
/// saturating round-half-to-even quantization, and the float arithmetic of 16-bit scales.
enum Quantized {
    /// Integer types a quantized tensor may be stored in (int4 and float8 are not supported).
    static let storageTypes: Set<DataType> = [.int8, .uint8, .int16, .uint16]
    /// Types DequantizeLinear reads (int32 for quantized biases).
    static let dequantizableTypes: Set<DataType> = storageTypes.union([.int32])
    /// Types of scales: real floats (read exactly, any width).
    static let scaleTypes: Set<DataType> = [.float, .float16, .bfloat16, .double]

    /// Saturation range of a quantized type.
    static func range(_ type: DataType) -> ClosedRange<Int32> {
        switch type {
        case .int8: return -128...127
        case .uint8: return 0...255
        case .int16: return -32768...32767
        case .uint16: return 0...65535
        default: return Int32.min...Int32.max
        }
    }

    /// Elements of an integer tensor (int8/uint8/int16/uint16/int32) as Int32.
    static func widen(_ tensor: Tensor, into out: UnsafeMutablePointer<Int32>) {
        let n = tensor.count
        switch tensor.dataType {
        case .int8: let p = tensor.pointer(as: Int8.self); for i in 0..<n { out[i] = Int32(p[i]) }
        case .uint8: let p = tensor.pointer(as: UInt8.self); for i in 0..<n { out[i] = Int32(p[i]) }
        case .int16: let p = tensor.pointer(as: Int16.self); for i in 0..<n { out[i] = Int32(p[i]) }
        case .uint16: let p = tensor.pointer(as: UInt16.self); for i in 0..<n { out[i] = Int32(p[i]) }
        case .int32: out.update(from: tensor.pointer(as: Int32.self), count: n)
        default: for i in 0..<n { out[i] = Int32(truncatingIfNeeded: tensor.int64Value(at: i)) }
        }
    }

    /// Integer elements as an array (small parameter tensors: zero points).
    static func values(_ tensor: Tensor?) -> [Int32] {
        guard let tensor else { return [0] }
        var result = [Int32](repeating: 0, count: tensor.count)
        result.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { widen(tensor, into: base) } }
        return result.isEmpty ? [0] : result
    }

    /// Float elements of a scale tensor, whatever its float type.
    static func scales(_ tensor: Tensor) -> [Float] {
        (0..<tensor.count).map { tensor.floatValue(at: $0) }
    }

    /// Writes Int32 values (already in range) into an integer tensor of a storage type.
    static func store(_ values: UnsafePointer<Int32>, into tensor: Tensor) {
        let n = tensor.count
        switch tensor.dataType {
        case .int8: let p = tensor.pointer(as: Int8.self); for i in 0..<n { p[i] = Int8(truncatingIfNeeded: values[i]) }
        case .uint8: let p = tensor.pointer(as: UInt8.self); for i in 0..<n { p[i] = UInt8(truncatingIfNeeded: values[i]) }
        case .int16: let p = tensor.pointer(as: Int16.self); for i in 0..<n { p[i] = Int16(truncatingIfNeeded: values[i]) }
        case .uint16: let p = tensor.pointer(as: UInt16.self); for i in 0..<n { p[i] = UInt16(truncatingIfNeeded: values[i]) }
        default: tensor.pointer(as: Int32.self).update(from: values, count: n)
        }
    }

    /// `round(value) + zeroPoint`, saturated to `range`: rounding to nearest with ties to even
    /// (ONNX's rule). NaN has no quantized value; it maps to the zero point (dequantizes to
    /// 0), where onnxruntime's result is undefined behaviour.
    @inline(__always)
    static func saturate(_ value: Double, zeroPoint: Int32, range: ClosedRange<Int32>) -> Int32 {
        if value.isNaN { return min(max(zeroPoint, range.lowerBound), range.upperBound) }
        let shifted = value.rounded(.toNearestOrEven) + Double(zeroPoint)
        if shifted <= Double(range.lowerBound) { return range.lowerBound }
        if shifted >= Double(range.upperBound) { return range.upperBound }
        return Int32(shifted)
    }

    /// Rounds a float32 result to a scale type's precision, as NumPy arithmetic on float16 or
    /// bfloat16 arrays does after each operation (identity for float32 and wider).
    @inline(__always)
    static func round(_ value: Float, to type: DataType) -> Float {
        switch type {
        case .float16: return HalfPrecision.float(fromFloat16: HalfPrecision.float16Bits(from: value))
        case .bfloat16: return HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(from: value))
        default: return value
        }
    }

    /// Writes float32 results into a float output of any float type (rounding once).
    static func storeFloats(_ values: UnsafePointer<Float>, into tensor: Tensor) {
        let n = tensor.count
        switch tensor.dataType {
        case .float: tensor.floats.update(from: values, count: n)
        case .float16: let p = tensor.pointer(as: UInt16.self); for i in 0..<n { p[i] = HalfPrecision.float16Bits(from: values[i]) }
        case .bfloat16: let p = tensor.pointer(as: UInt16.self); for i in 0..<n { p[i] = HalfPrecision.bfloat16Bits(from: values[i]) }
        default: let p = tensor.pointer(as: Double.self); for i in 0..<n { p[i] = Double(values[i]) }
        }
    }
}

/// How a scale (and zero point) maps onto the elements of the tensor it quantizes:
/// per tensor (one value), per axis (a 1-D tensor along `axis`) or blocked (same rank as the
/// input, `axis` divided into blocks of `blockSize`; ONNX opset 21).
///
/// Element `(o, k, r)` — outer index, position along the axis, inner index, row-major — uses
/// parameter 0, `k`, or `(o · blocks + k / blockSize) · inner + r` respectively.
struct QuantizationLayout: Equatable {
    enum Mode: Equatable { case perTensor, perAxis, blocked(Int) }
    let mode: Mode
    let outer: Int, axisLength: Int, inner: Int
    let parameterCount: Int

    /// Checks `parameterShape` against the input shape; errors are located at `node`.
    init(input shape: [Int], parameterShape: [Int], axis rawAxis: Int, blockSize: Int, node: Node) throws {
        let count = Tensor.elementCount(parameterShape)
        parameterCount = count
        let rank = shape.count
        if count == 1 && parameterShape.count <= 1 && blockSize == 0 {
            mode = .perTensor
            outer = 1; axisLength = 1; inner = Tensor.elementCount(shape)
            return
        }
        guard rank > 0, rawAxis >= -rank, rawAxis < rank else {
            throw node.error(.invalidNode, "axis \(rawAxis) out of range for an input of rank \(rank)", attribute: "axis")
        }
        let axis = rawAxis < 0 ? rawAxis + rank : rawAxis
        outer = shape[..<axis].reduce(1, *)
        axisLength = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
        if blockSize > 0 {
            var expected = shape
            expected[axis] = shape[axis] / blockSize + (shape[axis] % blockSize == 0 ? 0 : 1)
            guard parameterShape == expected else {
                throw node.error(.shapeMismatch, "blocked quantization of \(shape) along axis \(axis) with block_size \(blockSize) needs parameters of shape \(expected), got \(parameterShape)")
            }
            mode = .blocked(blockSize)
        } else {
            guard blockSize == 0 else { throw node.error(.invalidNode, "block_size must not be negative", attribute: "block_size") }
            guard parameterShape.count == 1, count == shape[axis] else {
                throw node.error(.shapeMismatch, "per-axis quantization parameters must be a 1-D tensor of \(shape[axis]) values (axis \(axis) of \(shape)), got shape \(parameterShape)")
            }
            mode = .perAxis
        }
    }

    /// Calls `body(element, parameter)` for every element in row-major order.
    @inline(__always)
    func forEach(_ body: (Int, Int) -> Void) {
        switch mode {
        case .perTensor:
            for i in 0..<(outer * axisLength * inner) { body(i, 0) }
        case .perAxis:
            var element = 0
            for _ in 0..<outer {
                for k in 0..<axisLength {
                    for _ in 0..<inner { body(element, k); element += 1 }
                }
            }
        case .blocked(let size):
            let blocks = axisLength / size + (axisLength % size == 0 ? 0 : 1)
            var element = 0
            for o in 0..<outer {
                for k in 0..<axisLength {
                    let row = (o * blocks + k / size) * inner
                    for r in 0..<inner { body(element, row + r); element += 1 }
                }
            }
        }
    }
}
