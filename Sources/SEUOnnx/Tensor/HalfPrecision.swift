/// Conversions between float32 and the 16-bit float layouts, on bit patterns.
///
/// float16 (IEEE binary16): 1 sign, 5 exponent, 10 mantissa bits.
/// bfloat16: the upper half of a float32 — 1 sign, 8 exponent, 7 mantissa bits.
/// Both directions round to nearest, ties to even; NaNs stay NaN (quiet) and keep their sign.
public enum HalfPrecision {
    /// float16 bits → float32 (exact).
    @inline(__always)
    public static func float(fromFloat16 bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// float32 → float16 bits, round to nearest even.
    @inline(__always)
    public static func float16Bits(from value: Float) -> UInt16 {
        Float16(value).bitPattern
    }

    /// bfloat16 bits → float32 (exact).
    @inline(__always)
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// float32 → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN.
    @inline(__always)
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let lsb = (bits >> 16) & 1
        let rounded = bits &+ 0x7FFF &+ lsb
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
