/// Deterministic stand-in inputs for `seu-onnx inject MODEL` without `--input`: one tensor per
/// model input, symbolic dimensions set to `batch` (default 1) and unknown ones to 1; float
/// inputs are standard-normal, integer inputs zero, drawn from the seed.
public enum SyntheticInput {
    /// Largest synthetic input (a declared shape is whatever the model file says).
    public static let maximumBytes = 1 << 32

    public static func make(for inputs: [ValueInfo], seed: UInt64, batch: Int = 1) throws -> [Tensor] {
        var generator = SeededGenerator(seed: seed ^ 0x5EED_1A7A)
        return try inputs.map { info in
            guard let type = info.type, let dataType = type.dataType else {
                throw SEUError(.shapeMismatch, "input '\(info.name)' has no declared type; pass --input")
            }
            guard let dims = type.shape else {
                throw SEUError(.shapeMismatch, "input '\(info.name)' has no declared shape; pass --input")
            }
            let shape = dims.enumerated().map { axis, dim -> Int in
                switch dim {
                case .fixed(let n): return n
                case .symbolic, .unknown: return axis == 0 ? batch : 1
                }
            }
            guard let bytes = Tensor.checkedByteCount(shape, dataType), bytes <= maximumBytes else {
                throw SEUError(.shapeMismatch, "input '\(info.name)' declares shape \(shape), too large for a synthetic input (limit \(maximumBytes >> 20) MiB); pass --input",
                               location: .init(tensor: info.name))
            }
            let tensor = Tensor(dataType: dataType, shape: shape)
            switch dataType {
            case .float:
                for i in 0..<tensor.count { tensor.floats[i] = Float(generator.nextGaussian()) }
            case .double:
                let p = tensor.pointer(as: Double.self)
                for i in 0..<tensor.count { p[i] = generator.nextGaussian() }
            case .float16:
                let p = tensor.pointer(as: UInt16.self)
                for i in 0..<tensor.count { p[i] = HalfPrecision.float16Bits(from: Float(generator.nextGaussian())) }
            case .bfloat16:
                let p = tensor.pointer(as: UInt16.self)
                for i in 0..<tensor.count { p[i] = HalfPrecision.bfloat16Bits(from: Float(generator.nextGaussian())) }
            default:
                break  // integer and bool inputs: zeros (valid indices, empty masks)
            }
            return tensor
        }
    }
}
