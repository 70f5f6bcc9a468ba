/// What computes what, for reports that show timings.
///
/// Conv, Gemm and MatMul run on seu-onnx's own GEMM (`GEMM`, exact per-element fma order, so
/// incremental re-execution is bit-identical to a full run); the recurrent operators (LSTM, GRU,
/// RNN), ConvTranspose and Einsum/Attention products run on OpenBLAS (`BLAS`), whose kernel
/// choice depends on `OPENBLAS_CORETYPE` (set from CPUID before the library loads).
public enum Kernels {
    /// One line, e.g. `GEMM avx512 (Conv/Gemm/MatMul), 2 thread(s); OpenBLAS Cooperlake kernels
    /// (OPENBLAS_CORETYPE=Cooperlake), 2 thread(s)`.
    public static var summary: String {
        "GEMM \(GEMM.kernelName) (Conv/Gemm/MatMul), \(Parallel.threads) thread(s); \(BLAS.summary)"
    }
}
