/// Fast checks for NaN in float buffers, so kernels can take a branch-free path when there is
/// none and an exact NaN-propagating path when there is (fault injection produces NaN).
///
/// `v - v` is 0 for finite values and NaN for NaN and ±inf; summing it in SIMD lanes (no early
/// exit, no branches) vectorises. Infinities therefore also report true, which only sends the
/// caller down its exact path.
enum NaNScan {
    static func contains(_ x: UnsafePointer<Float>, _ count: Int) -> Bool {
        var lanes = SIMD8<Float>()
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            lanes += v - v
            i += 8
        }
        var tail: Float = 0
        while i < count { tail += x[i] - x[i]; i += 1 }
        return lanes.sum() + tail != 0
    }

    static func contains(_ x: UnsafePointer<Double>, _ count: Int) -> Bool {
        var lanes = SIMD4<Double>()
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 4 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            lanes += v - v
            i += 4
        }
        var tail: Double = 0
        while i < count { tail += x[i] - x[i]; i += 1 }
        return lanes.sum() + tail != 0
    }
}
