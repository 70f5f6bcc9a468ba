import Foundation

/// The distribution functions the campaign statistics need, in double precision: the
/// regularized incomplete beta function and its inverse (Clopper–Pearson intervals, Student t
/// quantiles) and the standard normal quantile (Wilson intervals, sample sizes).
///
/// Accuracy is checked against SciPy in `StatisticsTests` (values copied into the tests).
public enum SpecialFunctions {
    /// Regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
    /// Continued fraction (modified Lentz), evaluated on the side of the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, !x.isNaN else { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = a * log(x) + b * log1p(-x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// The x with I_x(a, b) = p. Bisection to locate the root (the function is monotonic),
    /// then Newton steps on the density to polish it to full relative precision, which
    /// matters for Clopper–Pearson bounds near 0.
    public static func inverseRegularizedIncompleteBeta(_ p: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        var low = 0.0, high = 1.0
        var x = 0.5
        for _ in 0..<64 {
            x = 0.5 * (low + high)
            if regularizedIncompleteBeta(x, a: a, b: b) < p { low = x } else { high = x }
            // Below 1e-300 the density is not representable; stop bisecting there.
            if high - low < 1e-300 { break }
        }
        let logBeta = logBeta(a, b)
        for _ in 0..<8 {
            let f = regularizedIncompleteBeta(x, a: a, b: b) - p
            let density = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta)
            guard density > 0, density.isFinite else { break }
            let next = x - f / density
            // Newton must stay inside the bracket; otherwise keep the bisection result.
            guard next > low, next < high else { break }
            if abs(next - x) <= 1e-15 * x { x = next; break }
            x = next
        }
        return x
    }

    /// Quantile of the standard normal distribution (probit): Acklam's rational approximation
    /// refined by one Halley step on erfc, good to about 1e-15.
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p == 0 ? -.infinity : (p == 1 ? .infinity : .nan) }
        // 1 − p is exact for p ≥ 0.5 (Sterbenz), and the lower tail is where erfc is accurate.
        if p > 0.5 { return -normalQuantile(1 - p) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // Halley refinement: e = Φ(x) − p with Φ(x) = erfc(−x/√2)/2.
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// Cumulative distribution function of the standard normal distribution.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Quantile of Student's t distribution with `degrees` degrees of freedom, through
    /// P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func studentTQuantile(_ p: Double, degrees: Double) -> Double {
        guard p > 0, p < 1, degrees > 0 else { return p == 0 ? -.infinity : (p == 1 ? .infinity : .nan) }
        if p == 0.5 { return 0 }
        let tail = 2 * min(p, 1 - p)
        let x = inverseRegularizedIncompleteBeta(tail, a: degrees / 2, b: 0.5)
        let t = (degrees * (1 - x) / x).squareRoot()
        return p < 0.5 ? -t : t
    }

    /// log B(a, b), without the cancellation of lgamma differences for large arguments (the
    /// approach of R's `lbeta`: Stirling's series for the large ones).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b), q = max(a, b)
        let halfLog2Pi = 0.918_938_533_204_672_741_78
        if p >= 10 {
            let correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
            return -0.5 * log(q) + halfLog2Pi + correction + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let correction = stirlingCorrection(q) - stirlingCorrection(p + q)
            return lgamma(p) + correction + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        return lgamma(p) + lgamma(q) - lgamma(p + q)
    }

    /// lgamma(x) − ((x − ½) log x − x + ½ log 2π) for x ≥ 10 (Stirling's series).
    static func stirlingCorrection(_ x: Double) -> Double {
        let r = 1 / x, r2 = r * r
        let series = 1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188 - r2 * (691.0 / 360_360 - r2 / 156)))))
        return series * r
    }

    /// Lentz's evaluation of the continued fraction of I_x(a, b) (Numerical Recipes §6.4).
    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
