#ifndef SEU_CSUPPORT_H
#define SEU_CSUPPORT_H
#include <stddef.h>
#include <stdint.h>
#include "seu_gemm.h"

/// The OpenBLAS kernel family this CPU should use ("Cooperlake", "SkylakeX", "Haswell", ...),
/// decided from CPUID, or NULL when OpenBLAS's own detection is trusted.
const char *seu_cpu_preferred_openblas_coretype(void);

/// Loads OpenBLAS with dlopen so that OPENBLAS_CORETYPE can be chosen *before* the library's
/// constructor runs (a linked OpenBLAS reads it before main). When the variable is unset, it is
/// set to seu_cpu_preferred_openblas_coretype(). Returns 0 on success; otherwise writes a
/// one-line reason into `error` and returns -1. Safe to call more than once.
int seu_blas_load(char *error, size_t error_size);

/// Kernel family OpenBLAS reports (openblas_get_corename), or "unloaded".
const char *seu_blas_corename(void);
/// The OPENBLAS_CORETYPE value in effect when the library was loaded ("" when unset).
const char *seu_blas_coretype_requested(void);
/// Library path that was loaded.
const char *seu_blas_library_path(void);
void seu_blas_set_threads(int threads);
int seu_blas_get_threads(void);

/// C = alpha * op(A) * op(B) + beta * C, row-major (CblasRowMajor). trans: 0 = no, 1 = transpose.
void seu_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/// y = alpha * op(A) * x + beta * y, row-major.
void seu_sgemv(int trans_a, int m, int n, float alpha, const float *a, int lda,
               const float *x, int incx, float beta, float *y, int incy);

/// Installs a SIGINT/SIGTERM handler that only records the request (async-signal-safe);
/// a second Ctrl-C exits immediately with status 130.
void seu_install_interrupt_handler(void);
/// 1 once an interrupt was requested.
int seu_interrupt_requested(void);
/// The signal that requested it (SIGINT or SIGTERM), 0 before.
int seu_interrupt_signal(void);
/// 1 when the file descriptor is a terminal.
int seu_isatty(int fd);
/// Per-thread flag: when set, seu-onnx's kernels run single-threaded on this thread (a worker
/// of a parallel campaign already keeps a core busy).
void seu_thread_set_serial(int serial);
int seu_thread_serial(void);
#endif
