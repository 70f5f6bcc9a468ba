/// Element-type conversions used by data loading, metrics and operators that accept
/// several input types.
extension Tensor {
    /// Element `i` as a Double, for any numeric type (16-bit floats decoded from their bits).
    public func doubleValue(at i: Int) -> Double {
        switch dataType {
        case .float: return Double(pointer(as: Float.self)[i])
        case .double: return pointer(as: Double.self)[i]
        case .float16: return Double(HalfPrecision.float(fromFloat16: pointer(as: UInt16.self)[i]))
        case .bfloat16: return Double(HalfPrecision.float(fromBFloat16: pointer(as: UInt16.self)[i]))
        case .int8: return Double(pointer(as: Int8.self)[i])
        case .uint8: return Double(pointer(as: UInt8.self)[i])
        case .int16: return Double(pointer(as: Int16.self)[i])
        case .uint16: return Double(pointer(as: UInt16.self)[i])
        case .int32: return Double(pointer(as: Int32.self)[i])
        case .uint32: return Double(pointer(as: UInt32.self)[i])
        case .int64: return Double(pointer(as: Int64.self)[i])
        case .uint64: return Double(pointer(as: UInt64.self)[i])
        case .bool: return pointer(as: UInt8.self)[i] != 0 ? 1 : 0
        case .string, .complex64, .complex128: return .nan
        }
    }

    /// Element `i` as an Int64 for integer and bool types (floats truncate toward zero).
    public func int64Value(at i: Int) -> Int64 {
        switch dataType {
        case .int64: return pointer(as: Int64.self)[i]
        case .int32: return Int64(pointer(as: Int32.self)[i])
        case .int16: return Int64(pointer(as: Int16.self)[i])
        case .int8: return Int64(pointer(as: Int8.self)[i])
        case .uint8, .bool: return Int64(pointer(as: UInt8.self)[i])
        case .uint16: return Int64(pointer(as: UInt16.self)[i])
        case .uint32: return Int64(pointer(as: UInt32.self)[i])
        case .uint64: return Int64(truncatingIfNeeded: pointer(as: UInt64.self)[i])
        default:
            let value = doubleValue(at: i)
            return value.isFinite ? Int64(exactly: value.rounded(.towardZero)) ?? 0 : 0
        }
    }

    /// All elements as float32 (any numeric type).
    public func floatValues() -> [Float] {
        if dataType == .float { return elements(as: Float.self) }
        return (0..<count).map { Float(doubleValue(at: $0)) }
    }

    /// All elements as Int (integer types), e.g. a shape or axes input.
    public func intValues() -> [Int] {
        (0..<count).map { Int(truncatingIfNeeded: int64Value(at: $0)) }
    }

    /// A float32 copy of a numeric tensor (this tensor itself when it is already float32).
    public func convertedToFloat() -> Tensor {
        if dataType == .float { return self }
        let result = Tensor(dataType: .float, shape: shape)
        let out = result.floats
        switch dataType {
        case .float16:
            let source = pointer(as: UInt16.self)
            for i in 0..<count { out[i] = HalfPrecision.float(fromFloat16: source[i]) }
        case .bfloat16:
            let source = pointer(as: UInt16.self)
            for i in 0..<count { out[i] = HalfPrecision.float(fromBFloat16: source[i]) }
        default:
            for i in 0..<count { out[i] = Float(doubleValue(at: i)) }
        }
        return result
    }
}
