/// Branch-free float32 exp, sigmoid and tanh that the compiler vectorises (libm's `expf` and
/// `tanhf` are scalar calls: ~4 and ~18 ns per element here). Accuracy: a few ulp over the
/// whole range, including the underflow (subnormal) and overflow (infinity) tails; NaN in
/// gives NaN out. The libm versions (`FloatElement.exp` / `tanh`) are the reference the
/// tests compare against.
///
/// The algorithms are Cephes' `expf` and `tanhf` (S. Moshier), written with selects instead
/// of branches.
enum FastMath {
    /// e^x. x is clamped to [-104, 89] (beyond which the result is 0 or +inf anyway); the
    /// scale 2^n is applied as two factors so that subnormal and infinite results come out right.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        // Comparisons are false for NaN, so NaN survives the clamp and poisons the result.
        let xc: Float = x < -104 ? -104 : (x > 89 ? 89 : x)
        // Round x / ln 2 to an integer n with the 1.5 * 2^23 trick: no float→int conversion
        // (which would trap on NaN), and the integer is read from the low mantissa bits.
        let magic: Float = 12582912
        let shifted = xc * 1.44269504088896341 + magic
        let n = shifted - magic
        let ni = Int32(bitPattern: shifted.bitPattern &- magic.bitPattern)
        // r = x - n ln 2 in two steps (Cephes' C1 + C2 = ln 2) keeps r exact enough.
        var r = xc - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        // 2^n = 2^n1 * 2^n2 with both halves in the normal exponent range (n ∈ [-150, 128]).
        let n1 = ni >> 1, n2 = ni &- n1
        let s1 = Float(bitPattern: UInt32(bitPattern: (n1 &+ 127) &<< 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (n2 &+ 127) &<< 23))
        return p * s1 * s2
    }

    /// 1 / (1 + e^-x): 0 and 1 in the tails, NaN for NaN.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// tanh: an odd polynomial for |x| < 0.625 (where 1 - 2 / (e^2x + 1) would cancel), the
    /// exponential form beyond; ±1 in the tails, NaN for NaN.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let a = x.magnitude
        let z = x * x
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * a + a
        let large = 1 - 2 / (exp(2 * a) + 1)
        // Both branches work on |x|; the sign goes back on last (tanh(-0) = -0).
        return Float(signOf: x, magnitudeOf: a < 0.625 ? small : large)
    }
}
