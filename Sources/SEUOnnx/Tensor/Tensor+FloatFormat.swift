/// Conversions of floating-point tensors between storage formats (float32, float64, float16,
/// bfloat16), with one rounding step: every element is read exactly (as a Double) and rounded
/// once to the target format, to nearest with ties to even. NaN stays NaN (quiet) and keeps
/// its sign; values beyond the target's range become ±inf, as IEEE conversions do.
extension HalfPrecision {
    /// float64 → float16 bits, rounded once (no double rounding through float32).
    @inline(__always)
    public static func float16Bits(fromDouble value: Double) -> UInt16 {
        Float16(value).bitPattern
    }

    /// float64 → bfloat16 bits, rounded once. Narrowing to float32 first with round-to-odd
    /// keeps a sticky bit, so the second rounding (to bfloat16's 8 significant bits, far fewer
    /// than float32's 24) gives the correctly rounded result.
    public static func bfloat16Bits(fromDouble value: Double) -> UInt16 {
        if value.isNaN || value.isInfinite { return bfloat16Bits(from: Float(value)) }
        var narrowed = Float(value)
        if Double(narrowed) != value {
            // Truncate toward zero, then mark the lost bits in the last place (round to odd).
            if abs(Double(narrowed)) > abs(value) { narrowed = narrowed > 0 ? narrowed.nextDown : narrowed.nextUp }
            narrowed = Float(bitPattern: narrowed.bitPattern | 1)
        }
        return bfloat16Bits(from: narrowed)
    }
}

extension DataType {
    /// The floating-point storage formats a model's weights can be converted to or emulated in.
    public static let storageFormats: [DataType] = [.float, .float16, .bfloat16, .double]

    /// Parses a storage-format name (`float32`, `float16`/`fp16`, `bfloat16`/`bf16`,
    /// `float64`); throws `.invalidArgument` naming `flag` for anything else.
    public static func storageFormat(named name: String, flag: String) throws -> DataType {
        guard let type = DataType(name: name.trimmingCharacters(in: .whitespaces)), storageFormats.contains(type) else {
            throw SEUError(.invalidArgument, "unknown storage format '\(name)' (use float32, float16, bfloat16 or float64)",
                           location: .init(argument: flag))
        }
        return type
    }
}

extension Tensor {
    /// This floating-point tensor stored as `type` (a new tensor; this one when the type is
    /// the same). Throws `.unsupportedDataType` for non-floating types.
    public func converted(to type: DataType) throws -> Tensor {
        guard dataType.isFloatingPoint, type.isFloatingPoint else {
            throw SEUError(.unsupportedDataType, "cannot convert \(dataType) to \(type): only float32, float64, float16 and bfloat16 convert")
        }
        if type == dataType { return self }
        if type == .float { return convertedToFloat() }
        let result = Tensor(dataType: type, shape: shape)
        switch type {
        case .double:
            let out = result.pointer(as: Double.self)
            for i in 0..<count { out[i] = doubleValue(at: i) }
        case .float16:
            let out = result.pointer(as: UInt16.self)
            if dataType == .float {
                for i in 0..<count { out[i] = HalfPrecision.float16Bits(from: floats[i]) }
            } else {
                for i in 0..<count { out[i] = HalfPrecision.float16Bits(fromDouble: doubleValue(at: i)) }
            }
        default:  // bfloat16
            let out = result.pointer(as: UInt16.self)
            if dataType == .float {
                for i in 0..<count { out[i] = HalfPrecision.bfloat16Bits(from: floats[i]) }
            } else {
                for i in 0..<count { out[i] = HalfPrecision.bfloat16Bits(fromDouble: doubleValue(at: i)) }
            }
        }
        return result
    }

    /// Element `i` of a floating-point tensor as float32 (rounded once from float64).
    @inline(__always)
    func floatValue(at i: Int) -> Float {
        switch dataType {
        case .float: return floats[i]
        case .float16: return HalfPrecision.float(fromFloat16: pointer(as: UInt16.self)[i])
        case .bfloat16: return HalfPrecision.float(fromBFloat16: pointer(as: UInt16.self)[i])
        default: return Float(doubleValue(at: i))
        }
    }
}
