/// Element types Cast converts between, each read and written in its stored layout
/// (float16 as Swift's `Float16`, bfloat16 as `BFloat16Bits`, bool as `BoolByte`).
///
/// A source exposes its value through the accessor matching its `castKind` (float32 for
/// float32/float16/bfloat16 — exact, and converting from it avoids a slow float64 path —,
/// float64 for float64, int64/uint64 bit patterns for integers, 0/1 for bool); a target
/// builds itself from any of them. See `CastOperators` for the rules.
protocol CastElement {
    static var castKind: CastKind { get }
    var castFloat: Float { get }
    var castDouble: Double { get }
    var castInt64: Int64 { get }
    var castUInt64: UInt64 { get }
    init(castFloat value: Float)
    init(castDouble value: Double)
    init(castInt64 value: Int64)
    init(castUInt64 value: UInt64)
}

enum CastKind { case float32, float64, signed, unsigned, bool }

/// bfloat16 bits (the upper half of a float32).
struct BFloat16Bits {
    var bits: UInt16
}

/// A bool element (one byte, non-zero = true).
struct BoolByte {
    var byte: UInt8
}

// MARK: Floating point

extension CastElement where Self: BinaryFloatingPoint {
    static var castKind: CastKind { .float32 }
    var castFloat: Float { Float(self) }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { CastRules.int64(Double(self)) }
    var castUInt64: UInt64 { UInt64(truncatingIfNeeded: castInt64) }
    init(castFloat value: Float) { self.init(value) }
    init(castDouble value: Double) { self.init(value) }
    init(castInt64 value: Int64) { self.init(value) }
    init(castUInt64 value: UInt64) { self.init(value) }
}

extension Float: CastElement {}
extension Double: CastElement {
    static var castKind: CastKind { .float64 }
}
extension Float16: CastElement {
    // The branch-free conversions vectorise; Swift's own are library calls (see FastHalf).
    var castFloat: Float { FastHalf.float(fromBits: bitPattern) }
    init(castFloat value: Float) { self.init(bitPattern: FastHalf.bits(from: value)) }
}

extension BFloat16Bits: CastElement {
    static var castKind: CastKind { .float32 }
    var castFloat: Float { HalfPrecision.float(fromBFloat16: bits) }
    var castDouble: Double { Double(castFloat) }
    var castInt64: Int64 { CastRules.int64(castDouble) }
    var castUInt64: UInt64 { UInt64(truncatingIfNeeded: castInt64) }
    init(castFloat value: Float) { bits = HalfPrecision.bfloat16Bits(from: value) }
    init(castDouble value: Double) { bits = CastRules.bfloat16Bits(value) }
    init(castInt64 value: Int64) { self.init(castDouble: Double(value)) }
    init(castUInt64 value: UInt64) { self.init(castDouble: Double(value)) }
}

// MARK: Integers and bool

extension CastElement where Self: FixedWidthInteger {
    static var castKind: CastKind { Self.isSigned ? .signed : .unsigned }
    var castFloat: Float { Float(self) }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { Int64(truncatingIfNeeded: self) }
    var castUInt64: UInt64 { UInt64(truncatingIfNeeded: self) }
    init(castFloat value: Float) { self.init(castDouble: Double(value)) }
    init(castDouble value: Double) {
        // Values at or above 2^63 only fit unsigned 64-bit targets.
        if !Self.isSigned && value >= 9223372036854775808.0 {
            self = value >= 18446744073709551616.0 ? Self(truncatingIfNeeded: UInt64.max) : Self(truncatingIfNeeded: UInt64(value))
        } else {
            self.init(truncatingIfNeeded: CastRules.int64(value))
        }
    }
    init(castInt64 value: Int64) { self.init(truncatingIfNeeded: value) }
    init(castUInt64 value: UInt64) { self.init(truncatingIfNeeded: value) }
}

extension Int8: CastElement {}
extension Int16: CastElement {}
extension Int32: CastElement {}
extension Int64: CastElement {}
extension UInt8: CastElement {}
extension UInt16: CastElement {}
extension UInt32: CastElement {}
extension UInt64: CastElement {}

extension BoolByte: CastElement {
    static var castKind: CastKind { .bool }
    var castFloat: Float { byte != 0 ? 1 : 0 }
    var castDouble: Double { byte != 0 ? 1 : 0 }
    var castInt64: Int64 { byte != 0 ? 1 : 0 }
    var castUInt64: UInt64 { byte != 0 ? 1 : 0 }
    init(castFloat value: Float) { byte = value != 0 ? 1 : 0 }
    init(castDouble value: Double) { byte = value != 0 ? 1 : 0 }
    init(castInt64 value: Int64) { byte = value != 0 ? 1 : 0 }
    init(castUInt64 value: UInt64) { byte = value != 0 ? 1 : 0 }
}

enum CastRules {
    /// Truncation toward zero, saturating at the int64 range; NaN → 0.
    @inline(__always)
    static func int64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value <= -9223372036854775808.0 { return .min }
        if value >= 9223372036854775808.0 { return .max }
        return Int64(value.rounded(.towardZero))
    }

    /// float64 → bfloat16 with a single rounding (nearest, ties to even): float64 → float32
    /// rounding to odd keeps the information a second, nearest-even rounding needs.
    static func bfloat16Bits(_ value: Double) -> UInt16 {
        if value.isNaN { return HalfPrecision.bfloat16Bits(from: .nan) | UInt16(value.sign == .minus ? 0x8000 : 0) }
        var narrowed = Float(value)
        if Double(narrowed) != value && narrowed.isFinite {
            // Step back toward zero when rounding went up in magnitude, then make the last bit odd.
            var bits = narrowed.bitPattern
            if Double(narrowed).magnitude > value.magnitude { bits -= 1 }
            narrowed = Float(bitPattern: bits | 1)
        } else if narrowed.isInfinite && value.isFinite {
            narrowed = Float(bitPattern: (value.sign == .minus ? 0x8000_0000 : 0) | 0x7F7F_FFFF)
        }
        return HalfPrecision.bfloat16Bits(from: narrowed)
    }
}
