/// Inner loops for the elementwise operator families (Arithmetic, Variadic, Logical,
/// Activations, ...). Row-major data; broadcast inputs are walked with `Broadcast.Walk`.
///
/// Usage pattern — the per-element operation must be a closure literal *inside* the chunk
/// closure handed to `split`:
///
///     BroadcastLoops.split(walk, .cheap) { chunk in
///         BroadcastLoops.binary(walk, chunk, a, b, out) { $0 + $1 }
///     }
///
/// The loop functions are `@inline(__always)`, so the literal is inlined into a loop
/// specialised for its operation and element type (vectorisable). A closure captured from
/// outside the chunk closure is not inlined into the threads' copy of the loop: it would cost
/// an indirect call per element (measured ~10× slower).
enum BroadcastLoops {
    /// How expensive one element is, which decides when splitting across threads pays off.
    enum Cost {
        /// A few instructions (add, max, compare, copy): memory-bound; on this machine a
        /// second thread only helps for very large tensors.
        case cheap
        /// A transcendental function or division per element (exp, tanh, erf, pow).
        case costly

        /// Minimum elements per thread.
        var grain: Int { self == .cheap ? 1 << 20 : 1 << 13 }
    }

    /// The part of a walk one thread handles: whole rows, or a range of the single row.
    struct Chunk {
        let rows: Range<Int>
        let inner: Range<Int>
    }

    /// Runs `body` on ranges covering 0..<count, in parallel when large enough.
    @inline(__always)
    static func split(_ count: Int, _ cost: Cost, _ body: (Range<Int>) -> Void) {
        Parallel.forEach(count, minimumPerThread: cost.grain, body)
    }

    /// Runs `body` on chunks covering a walk's output, in parallel when large enough.
    @inline(__always)
    static func split(_ walk: Broadcast.Walk, _ cost: Cost, _ body: (Chunk) -> Void) {
        let inner = walk.innerCount, rows = walk.rowOffsets.count
        if rows == 1 {
            // One long row (same shapes, or a scalar operand): split the row itself.
            Parallel.forEach(inner, minimumPerThread: cost.grain) { body(Chunk(rows: 0..<1, inner: $0)) }
        } else {
            Parallel.forEach(rows, minimumPerThread: max(1, cost.grain / max(inner, 1))) {
                body(Chunk(rows: $0, inner: 0..<inner))
            }
        }
    }

    /// out[i] = op(x[i]) for i in `range`.
    @inline(__always)
    static func unary<T, R>(_ range: Range<Int>, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<R>,
                            _ op: (T) -> R) {
        for i in range { out[i] = op(x[i]) }
    }

    /// out = op(a, b) over a chunk of a two-input walk. `out` may alias `a` when `a` has the
    /// output's shape (each element is read before it is written).
    @inline(__always)
    static func binary<A, B, R>(_ walk: Broadcast.Walk, _ chunk: Chunk, _ a: UnsafePointer<A>, _ b: UnsafePointer<B>,
                                _ out: UnsafeMutablePointer<R>, _ op: (A, B) -> R) {
        let inner = walk.innerCount, sa = walk.innerStrides[0], sb = walk.innerStrides[1]
        for row in chunk.rows {
            let offsets = walk.rowOffsets[row]
            let pa = a + offsets[0], pb = b + offsets[1], po = out + row * inner
            switch (sa, sb) {
            case (1, 1): for i in chunk.inner { po[i] = op(pa[i], pb[i]) }
            case (1, 0): let y = pb[0]; for i in chunk.inner { po[i] = op(pa[i], y) }
            case (0, 1): let x = pa[0]; for i in chunk.inner { po[i] = op(x, pb[i]) }
            default: for i in chunk.inner { po[i] = op(pa[i * sa], pb[i * sb]) }
            }
        }
    }

    /// out = op(a, b, c) over a chunk of a three-input walk (Where).
    @inline(__always)
    static func ternary<A, B, C, R>(_ walk: Broadcast.Walk, _ chunk: Chunk, _ a: UnsafePointer<A>, _ b: UnsafePointer<B>,
                                    _ c: UnsafePointer<C>, _ out: UnsafeMutablePointer<R>, _ op: (A, B, C) -> R) {
        let inner = walk.innerCount
        let sa = walk.innerStrides[0], sb = walk.innerStrides[1], sc = walk.innerStrides[2]
        for row in chunk.rows {
            let offsets = walk.rowOffsets[row]
            let pa = a + offsets[0], pb = b + offsets[1], pc = c + offsets[2], po = out + row * inner
            if sa == 1 && sb == 1 && sc == 1 {
                for i in chunk.inner { po[i] = op(pa[i], pb[i], pc[i]) }
            } else {
                for i in chunk.inner { po[i] = op(pa[i * sa], pb[i * sb], pc[i * sc]) }
            }
        }
    }
}
