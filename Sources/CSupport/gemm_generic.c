// Portable micro-kernel: scalar fmaf (correctly rounded, so bit-identical to the vector
// kernels' hardware FMA). Used on CPUs without AVX2+FMA.
#include "gemm_internal.h"
#include <math.h>

enum { MR = 4, NR = 8 };

static void kernel(int mr, long kc, const float *a, long lda, const float *b, float *c, long ldc, int valid,
                   int flags, const float *row_bias, const float *col_bias) {
    float acc[MR][NR];
    for (int r = 0; r < mr; r++)
        for (int l = 0; l < NR; l++) acc[r][l] = (flags & SEU_UK_LOAD) && l < valid ? c[r * ldc + l] : 0.0f;
    for (long p = 0; p < kc; p++) {
        const float *bp = b + p * NR;
        for (int r = 0; r < mr; r++) {
            float av = lda ? a[r * lda + p] : a[p * mr + r];
            for (int l = 0; l < NR; l++) acc[r][l] = fmaf(av, bp[l], acc[r][l]);
        }
    }
    for (int r = 0; r < mr; r++) {
        for (int l = 0; l < valid; l++) {
            float v = acc[r][l];
            if (flags & SEU_UK_LAST) {
                if (row_bias) v = v + row_bias[r];
                if (col_bias) v = v + col_bias[l];
                if ((flags & SEU_UK_RELU) && v < 0) v = 0;
            }
            c[r * ldc + l] = v;
        }
    }
}

const seu_kernel_info seu_kernel_generic = {"generic", MR, NR, kernel, NULL, NULL, NULL};
