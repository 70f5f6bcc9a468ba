/// Bit positions in a stored element, counted from the most significant bit as in the Python
/// `seu-injection-framework`: position 0 is the sign bit of a float (or of a two's-complement
/// integer), then the exponent from its most significant bit, then the mantissa.
///
/// | type     | sign | exponent | mantissa |
/// |----------|------|----------|----------|
/// | float32  | 0    | 1–8      | 9–31     |
/// | float16  | 0    | 1–5      | 6–15     |
/// | bfloat16 | 0    | 1–8      | 9–15     |
/// | float64  | 0    | 1–11     | 12–63    |
///
/// Flips act on the raw little-endian bytes, never through a conversion, so NaN payloads and
/// signalling bits survive exactly, and flipping twice restores the original bits.
public struct BitLayout: Equatable, Sendable {
    public let dataType: DataType
    /// Element width in bits.
    public let width: Int
    /// Number of exponent bits (0 for integers).
    public let exponentBits: Int

    public init(_ dataType: DataType) {
        self.dataType = dataType
        width = dataType.bitWidth
        switch dataType {
        case .float: exponentBits = 8
        case .float16: exponentBits = 5
        case .bfloat16: exponentBits = 8
        case .double: exponentBits = 11
        default: exponentBits = 0
        }
    }

    /// The positions of each field. Floats have sign, exponent and mantissa; signed
    /// (two's-complement) integers a sign bit and value bits; unsigned integers value bits only.
    public var sign: ClosedRange<Int>? { dataType.isFloatingPoint || dataType.isSignedInteger ? 0...0 : nil }
    public var exponent: ClosedRange<Int>? { exponentBits > 0 ? 1...exponentBits : nil }
    public var mantissa: ClosedRange<Int>? { exponentBits > 0 ? (exponentBits + 1)...(width - 1) : nil }
    /// The value bits of an integer (all bits but the sign; every bit when unsigned).
    public var value: ClosedRange<Int>? {
        guard exponentBits == 0, width > 0 else { return nil }
        return dataType.isSignedInteger ? 1...(width - 1) : 0...(width - 1)
    }

    /// The field names of this layout, most significant first.
    public var fieldNames: [String] {
        exponentBits > 0 ? ["sign", "exponent", "mantissa"] : (dataType.isSignedInteger ? ["sign", "value"] : ["value"])
    }

    /// The field a position belongs to: `sign`, `exponent`, `mantissa` (floats) or `value`.
    public func field(of position: Int) -> String {
        if position == 0 && (dataType.isFloatingPoint || dataType.isSignedInteger) { return "sign" }
        guard exponentBits > 0 else { return "value" }
        return position <= exponentBits ? "exponent" : "mantissa"
    }

    /// The number a bit pattern of this type stands for (exact for every type but 64-bit
    /// integers beyond 2^53).
    public func value(of bits: UInt64) -> Double {
        switch dataType {
        case .float: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .double: return Double(bitPattern: bits)
        case .float16: return Double(HalfPrecision.float(fromFloat16: UInt16(truncatingIfNeeded: bits)))
        case .bfloat16: return Double(HalfPrecision.float(fromBFloat16: UInt16(truncatingIfNeeded: bits)))
        case .int8: return Double(Int8(truncatingIfNeeded: bits))
        case .int16: return Double(Int16(truncatingIfNeeded: bits))
        case .int32: return Double(Int32(truncatingIfNeeded: bits))
        case .int64: return Double(Int64(bitPattern: bits))
        default: return Double(bits)
        }
    }

    /// Byte offset within the element and mask of a position (little-endian storage).
    @inline(__always)
    public func location(of position: Int) -> (byte: Int, mask: UInt8) {
        let fromLSB = width - 1 - position
        return (fromLSB >> 3, UInt8(1) << UInt8(fromLSB & 7))
    }
}

extension Tensor {
    /// Flips bit `position` (0 = most significant) of element `index` in place, on the stored
    /// bytes. Calling it again restores the element exactly.
    @inline(__always)
    public func flipBit(at position: Int, ofElement index: Int) {
        let layout = BitLayout(dataType)
        let (byte, mask) = layout.location(of: position)
        let pointer = storage.bytes.assumingMemoryBound(to: UInt8.self) + index * dataType.byteWidth + byte
        pointer.pointee ^= mask
    }

    /// The stored bit pattern of element `index` (up to 64 bits), e.g. 0x3F800000 for 1.0f.
    public func bitPattern(ofElement index: Int) -> UInt64 {
        let width = dataType.byteWidth
        var value: UInt64 = 0
        let base = storage.bytes.assumingMemoryBound(to: UInt8.self) + index * width
        for b in 0..<min(width, 8) { value |= UInt64(base[b]) << (8 * UInt64(b)) }
        return value
    }

    /// Validates a (element, bit) site for this tensor; throws `.invalidFault` otherwise.
    public func checkSite(element index: Int, bit position: Int, name: String) throws {
        guard index >= 0 && index < count else {
            throw SEUError(.invalidFault, "element \(index) is out of range (tensor has \(count) elements)", location: .init(tensor: name))
        }
        guard position >= 0 && position < dataType.bitWidth else {
            throw SEUError(.invalidFault, "bit \(position) is out of range for \(dataType) (0...\(dataType.bitWidth - 1), 0 = most significant)", location: .init(tensor: name))
        }
    }
}

/// Bit-level helpers on float32 values (for tests and callers who work with values).
public enum BitFlip {
    /// `value` with bit `position` (0 = sign, 1–8 exponent, 9–31 mantissa) flipped, on the
    /// raw bits.
    @inline(__always)
    public static func flipping(_ value: Float, bit position: Int) -> Float {
        Float(bitPattern: value.bitPattern ^ (UInt32(1) << UInt32(31 - position)))
    }
}
