import CSupport

/// OpenBLAS, loaded at run time so its kernels match this CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and silently falls back to SSE3
/// kernels unless `OPENBLAS_CORETYPE` is set before the library initialises. seu-onnx does not
/// link OpenBLAS: on first use it sets `OPENBLAS_CORETYPE` from CPUID (unless the user set it)
/// and then `dlopen`s the library. `BLAS.kernelName` reports the kernels in use.
public enum BLAS {
    private static let loadResult: Result<Void, SEUError> = {
        var buffer = [CChar](repeating: 0, count: 512)
        if seu_blas_load(&buffer, buffer.count) == 0 { return .success(()) }
        let message = String(cString: buffer)
        return .failure(SEUError(.io, message.isEmpty ? "cannot load OpenBLAS" : message))
    }()

    /// Loads OpenBLAS if needed; throws a one-line error if it cannot be loaded.
    public static func load() throws {
        try loadResult.get()
    }

    /// OpenBLAS kernel family in use (e.g. `Cooperlake`, `SkylakeX`, `Prescott`).
    public static var kernelName: String {
        (try? load()) == nil ? "unavailable" : String(cString: seu_blas_corename())
    }

    /// The `OPENBLAS_CORETYPE` requested when the library was loaded ("" = library's choice).
    public static var requestedCoreType: String { String(cString: seu_blas_coretype_requested()) }

    /// The library file that was loaded.
    public static var libraryPath: String { String(cString: seu_blas_library_path()) }

    /// A one-line summary for reports: kernel, threads and whether the core type was forced.
    public static var summary: String {
        guard (try? load()) != nil else { return "OpenBLAS unavailable" }
        let requested = requestedCoreType.isEmpty ? "auto-detected" : "OPENBLAS_CORETYPE=\(requestedCoreType)"
        return "OpenBLAS \(kernelName) kernels (\(requested)), \(threads) thread(s)"
    }

    /// OpenBLAS worker threads.
    public static var threads: Int {
        get { (try? load()) == nil ? 0 : Int(seu_blas_get_threads()) }
        set { if (try? load()) != nil { seu_blas_set_threads(Int32(max(1, newValue))) } }
    }

    /// Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C, with
    /// op(A) m×k, op(B) k×n, C m×n. Call `load()` first (sessions do).
    @inline(__always)
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        seu_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                  a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Row-major GEMV: y = alpha · op(A) · x + beta · y, A stored m×n.
    @inline(__always)
    public static func sgemv(transposeA: Bool = false, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        seu_sgemv(transposeA ? 1 : 0, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// Plain triple-loop GEMM with the same contract as `sgemm`: the reference the fast kernel
    /// is tested against. Accumulates in Float in k order.
    public static func referenceSgemm(transposeA: Bool = false, transposeB: Bool = false,
                                      m: Int, n: Int, k: Int, alpha: Float = 1,
                                      a: UnsafePointer<Float>, lda: Int,
                                      b: UnsafePointer<Float>, ldb: Int,
                                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                let previous = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + previous
            }
        }
    }
}
