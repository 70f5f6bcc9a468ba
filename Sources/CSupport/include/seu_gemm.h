#ifndef SEU_GEMM_H
#define SEU_GEMM_H
// seu-onnx's own single-precision GEMM, used by Conv, Gemm and MatMul.
//
// Contract (the reason this exists rather than OpenBLAS): every element of C is computed by the
// same chain, whatever the matrix sizes, the blocking, the CPU's vector width or the thread
// split:
//
//     acc = +0;  for p in 0 ..< k (ascending): acc = fma(A(i,p), B(p,j), acc)
//     C(i,j) = epilogue(acc)      (+ row bias, + column bias, then optional ReLU)
//
// with every fma correctly rounded (hardware FMA on AVX2/AVX-512, fmaf() otherwise). So a
// subset of rows or columns recomputed alone (fault injection's incremental re-execution) is
// bit-identical to the same elements of a full product, and results do not depend on which
// kernel the CPU selects.
//
// Conventions: row-major; A(i,p) = a[i*lda + p] (rows contiguous); B is described by a source
// that the driver packs into panels of `nr` columns; C(i,j) = c[i*c_rs + (j / c_block) *
// c_bstride + j % c_block] (columns grouped in blocks, e.g. one block per image for a batched
// convolution whose output is N x C x pixels).
#include <stddef.h>
#include <stdint.h>

/// Where B comes from.
enum {
    /// B(p, j) = b[p*b_rs + j*b_cs].
    SEU_B_DENSE = 0,
    /// B is the im2col matrix of a convolution (see seu_conv_geometry): row p = (input channel
    /// c, tap t) = (p / taps, p % taps), column j = (image j / pixels, output pixel j % pixels).
    SEU_B_CONV = 1,
};

/// One group of a convolution, as seen by the packer. Spatial problems are 3-D (1-D and 2-D
/// have unit leading sizes). Taps are listed explicitly (tap_d/h/w: kernel offsets already
/// multiplied by the dilation), so that taps that only ever read padding can be left out.
typedef struct {
    int channels;           // input channels of the group (rows = channels * taps)
    int in_d, in_h, in_w;
    int out_d, out_h, out_w;
    int stride_d, stride_h, stride_w;
    int pad_d, pad_h, pad_w; // begin pads
    int taps;
    const int *tap_d, *tap_h, *tap_w;
    long image_stride;      // elements between images of the input
    long channel_stride;    // elements between input channels (in_d*in_h*in_w)
} seu_conv_geometry;

typedef struct {
    long m, n, k;
    const float *a;
    long lda;
    int b_kind;
    const float *b;
    long b_rs, b_cs;                   // SEU_B_DENSE
    const seu_conv_geometry *conv;     // SEU_B_CONV (b points at image 0, channel 0 of the group)
    float *c;
    long c_rs, c_block, c_bstride;
    const float *row_bias;             // C(i,j) += row_bias[i] (NULL: none)
    const float *col_bias;             // C(i,j) += col_bias[j] (NULL: none), after row_bias
    int relu;                          // then x < 0 ? 0 : x (NaN and -0 pass)
    struct seu_conv_plan_cache *plan_cache;  // SEU_B_CONV: packing plans kept across calls (or NULL)
} seu_gemm_args;

/// Packing plans of a convolution's column blocks, kept across products (they depend only on
/// the geometry and the block). Thread-safe. Owned by the caller (one per convolution).
struct seu_conv_plan_cache;
struct seu_conv_plan_cache *seu_conv_plan_cache_create(void);
void seu_conv_plan_cache_destroy(struct seu_conv_plan_cache *cache);

/// Kernel in use: "avx512", "avx2" or "generic".
const char *seu_gemm_kernel_name(void);
/// Column-panel width of the selected kernel.
int seu_gemm_nr(void);
/// Row block of the selected kernel.
int seu_gemm_mr(void);

/// Computes rows [m0, m1) and columns [n0, n1) of C. Threads may run disjoint rectangles
/// concurrently (each uses its own thread-local packing buffer). Returns 0, or -1 when a
/// packing buffer cannot be allocated.
int seu_gemm_run(const seu_gemm_args *args, long m0, long m1, long n0, long n1);

/// The plain reference for the contract above (scalar fmaf, no blocking), for tests.
void seu_gemm_reference(const seu_gemm_args *args, long m0, long m1, long n0, long n1);

/// B(p, j) of an args' source (tests and the reference).
float seu_gemm_b_element(const seu_gemm_args *args, long p, long j);

/// Forces a kernel ("avx512", "avx2", "generic") if this CPU supports it; returns 0 on success.
/// For tests that compare kernels; not thread-safe with running products.
int seu_gemm_select(const char *name);

#endif
