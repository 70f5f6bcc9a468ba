/// Inner loops for elementwise kernels. `@inline(__always)` with a closure literal at the call
/// site lets the compiler specialise each loop for its operation and element type.
enum ElementwiseLoops {
    /// out[i] = op(a[i], b[i]) over a broadcast walk of two inputs.
    @inline(__always)
    static func binary<A, B, R>(_ walk: Broadcast.Walk, _ a: UnsafePointer<A>, _ b: UnsafePointer<B>,
                                _ out: UnsafeMutablePointer<R>, _ op: (A, B) -> R) {
        let inner = walk.innerCount
        let sa = walk.innerStrides[0], sb = walk.innerStrides[1]
        for (row, offsets) in walk.rowOffsets.enumerated() {
            let pa = a + offsets[0], pb = b + offsets[1], po = out + row * inner
            switch (sa, sb) {
            case (1, 1): for i in 0..<inner { po[i] = op(pa[i], pb[i]) }
            case (1, 0): let y = pb[0]; for i in 0..<inner { po[i] = op(pa[i], y) }
            case (0, 1): let x = pa[0]; for i in 0..<inner { po[i] = op(x, pb[i]) }
            default: for i in 0..<inner { po[i] = op(pa[i * sa], pb[i * sb]) }
            }
        }
    }

    /// out[i] = op(x[i]) over `count` elements, split across threads for large tensors.
    @inline(__always)
    static func unary<T, R>(_ count: Int, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<R>,
                            _ op: (T) -> R) {
        Parallel.forEach(count, minimumPerThread: 1 << 16) { range in
            for i in range { out[i] = op(x[i]) }
        }
    }
}
