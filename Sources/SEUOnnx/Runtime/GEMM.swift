import CSupport

/// seu-onnx's own single-precision GEMM (C, `Sources/CSupport/gemm*.c`), used by Conv, Gemm
/// and MatMul instead of OpenBLAS.
///
/// Why not OpenBLAS: fault injection re-executes only what a fault can change, and that is
/// exact only if an output element comes out bit-identical whether it is computed alone or as
/// part of the whole product. This GEMM guarantees it: element (i, j) is always the chain
/// `acc = 0; for p in 0..<k { acc = fma(A[i,p], B[p,j], acc) }` followed by the epilogue
/// (row bias, column bias, ReLU), whatever the sizes, blocking, thread split or CPU (AVX-512,
/// AVX2 and the portable kernel give identical bits). OpenBLAS picks different kernels (and
/// summation orders) by matrix shape and CPU.
///
/// Convention: row-major; `seu_gemm_args` (see `seu_gemm.h`) describes A (rows contiguous), the
/// source of B (a dense matrix or a convolution's implicit im2col matrix) and where C goes.
public enum GEMM {
    /// The micro-kernel in use: `avx512`, `avx2` or `generic` (runtime CPU dispatch).
    public static var kernelName: String { String(cString: seu_gemm_kernel_name()) }
    static var panelWidth: Int { Int(seu_gemm_nr()) }
    static var rowBlock: Int { Int(seu_gemm_mr()) }

    /// Kernels this CPU can run, widest first (for tests comparing them).
    static var availableKernels: [String] {
        let current = kernelName
        defer { _ = seu_gemm_select(current) }
        return ["avx512", "avx2", "generic"].filter { seu_gemm_select($0) == 0 }
    }

    /// Selects a kernel by name (tests); returns false when this CPU lacks it.
    @discardableResult
    static func select(_ name: String) -> Bool { seu_gemm_select(name) == 0 }

    /// Multiply-adds below which a product runs on one thread (a hand-off costs ~10 µs).
    static let parallelThreshold = 1 << 21

    /// Computes rows `rows` × columns `columns` of the product `args` describes, splitting the
    /// work across `Parallel.currentThreads` threads (by columns when there are many, else by
    /// rows). Throws only when a packing buffer cannot be allocated.
    static func run(_ args: inout seu_gemm_args, rows: Range<Int>, columns: Range<Int>) throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let threads = Parallel.currentThreads
        let work = rows.count * columns.count * max(Int(args.k), 1)
        var failed = false
        if threads <= 1 || work < parallelThreshold {
            failed = withUnsafePointer(to: &args) { seu_gemm_run($0, rows.lowerBound, rows.upperBound, columns.lowerBound, columns.upperBound) } != 0
        } else {
            let nr = panelWidth, mr = rowBlock
            let byColumns = columns.count >= threads * nr * 4
            let unit = byColumns ? nr : mr
            let span = byColumns ? columns : rows
            let units = (span.count + unit - 1) / unit
            let parts = min(threads, units)
            let copy = args
            var failures = [Bool](repeating: false, count: parts)
            failures.withUnsafeMutableBufferPointer { flags in
                Parallel.forEach(parts) { range in
                    var local = copy
                    for part in range {
                        let first = span.lowerBound + (units * part / parts) * unit
                        let last = min(span.upperBound, span.lowerBound + (units * (part + 1) / parts) * unit)
                        let r = byColumns ? rows : first..<last
                        let c = byColumns ? first..<last : columns
                        flags[part] = seu_gemm_run(&local, r.lowerBound, r.upperBound, c.lowerBound, c.upperBound) != 0
                    }
                }
            }
            failed = failures.contains(true)
        }
        if failed { throw SEUError(.execution, "out of memory for the GEMM packing buffer") }
    }

    /// Arguments for C = A·B (+ bias) with plain row-major matrices: A m×k (row stride `lda`),
    /// B(p, j) = b[p·bRowStride + j·bColumnStride], C m×n (row stride `ldc`, columns contiguous).
    static func dense(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, bRowStride: Int, bColumnStride: Int,
                      c: UnsafeMutablePointer<Float>, cRowStride: Int, cColumnStride: Int = 1) -> seu_gemm_args {
        var args = seu_gemm_args()
        args.m = m; args.n = n; args.k = k
        args.a = a; args.lda = lda
        args.b_kind = Int32(SEU_B_DENSE)
        args.b = b; args.b_rs = bRowStride; args.b_cs = bColumnStride
        args.c = c; args.c_rs = cRowStride
        // Columns one apart are contiguous; otherwise each column is its own block.
        args.c_block = cColumnStride == 1 ? max(n, 1) : 1
        args.c_bstride = cColumnStride == 1 ? 0 : cColumnStride
        return args
    }
}
