// AVX2 micro-kernel: MR rows x 16 columns (two ymm per row), A from a packed panel
// (kc x mr) or straight from its rows, B from a packed panel (kc x NR). Each accumulator lane is one element's fma chain in k order.
#if defined(__x86_64__)
#include "gemm_internal.h"
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma")))
enum { MR = 6, NR = 16 };

static inline __attribute__((always_inline)) TARGET void
tile(const int mr, const int packed, long kc, const float *a, long lda, const float *b, float *c,
     long ldc, int valid,
     int flags, const float *row_bias, const float *col_bias) {
    __m256 acc0[MR], acc1[MR];
    // Lane masks for the valid columns (sign bit set = lane used).
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lanes);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid - 8), lanes);
    if (flags & SEU_UK_LOAD) {
        for (int r = 0; r < mr; r++) {
            acc0[r] = _mm256_maskload_ps(c + r * ldc, m0);
            acc1[r] = _mm256_maskload_ps(c + r * ldc + 8, m1);
        }
    } else {
        for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm256_setzero_ps();
    }
    // A(r, p): packed panel a[p*mr + r], or straight from the rows a[r*lda + p].
    const float *ap[MR];
    for (int r = 0; r < mr; r++) ap[r] = packed ? a + r : a + r * lda;
    const long step = packed ? mr : 1;
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b + p * NR), b1 = _mm256_load_ps(b + p * NR + 8);
        for (int r = 0; r < mr; r++) {
            __m256 av = _mm256_set1_ps(ap[r][p * step]);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
    }
    if (flags & SEU_UK_LAST) {
        if (row_bias) {
            for (int r = 0; r < mr; r++) {
                __m256 bias = _mm256_set1_ps(row_bias[r]);
                acc0[r] = _mm256_add_ps(acc0[r], bias);
                acc1[r] = _mm256_add_ps(acc1[r], bias);
            }
        }
        if (col_bias) {
            __m256 c0 = _mm256_loadu_ps(col_bias), c1 = _mm256_loadu_ps(col_bias + 8);
            for (int r = 0; r < mr; r++) {
                acc0[r] = _mm256_add_ps(acc0[r], c0);
                acc1[r] = _mm256_add_ps(acc1[r], c1);
            }
        }
        if (flags & SEU_UK_RELU) {
            // x < 0 ? 0 : x — ordered compare, so NaN (and -0) pass unchanged.
            __m256 zero = _mm256_setzero_ps();
            for (int r = 0; r < mr; r++) {
                acc0[r] = _mm256_blendv_ps(acc0[r], zero, _mm256_cmp_ps(acc0[r], zero, _CMP_LT_OQ));
                acc1[r] = _mm256_blendv_ps(acc1[r], zero, _mm256_cmp_ps(acc1[r], zero, _CMP_LT_OQ));
            }
        }
    }
    for (int r = 0; r < mr; r++) {
        _mm256_maskstore_ps(c + r * ldc, m0, acc0[r]);
        _mm256_maskstore_ps(c + r * ldc + 8, m1, acc1[r]);
    }
}

#define CASE(n) case n: if (lda) tile(n, 0, kc, a, lda, b, c, ldc, valid, flags, row_bias, col_bias); \
                     else tile(n, 1, kc, a, 0, b, c, ldc, valid, flags, row_bias, col_bias); break;
static TARGET void kernel(int mr, long kc, const float *a, long lda, const float *b, float *c, long ldc,
                          int valid, int flags, const float *row_bias, const float *col_bias) {
    switch (mr) {
        CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
    }
}

/// Lane mask vector (all ones where bit l of `bits` is set) for 8 lanes.
static inline __attribute__((always_inline)) TARGET __m256i lane_mask(uint32_t bits) {
    const __m256i select = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), select), select);
}


/// Conv packing (see seu_conv_packer): per panel row, two masked loads or two masked gathers.
static TARGET int pack_conv(const seu_gemm_args *g, long p0, long kc, long j0, long nc, float *dst,
                            seu_conv_masks *m) {
    const seu_conv_geometry *s = g->conv;
    if (nc > 32 * NR) return -1;
    if (!m->ready) seu_conv_plan_block(s, j0, nc, NR, m, seu_conv_lane_masks);
    if (!m->usable) return -1;
    const long panels = (nc + NR - 1) / NR, hw = (long)s->in_h * s->in_w;
    for (long pp = 0; pp < kc; pp++) {
        const long p = p0 + pp, c = p / s->taps, t = p % s->taps;
        const long shift = c * s->channel_stride + (s->tap_d[t] - s->pad_d) * hw +
                           (s->tap_h[t] - s->pad_h) * s->in_w + (s->tap_w[t] - s->pad_w);
        for (long q = 0; q < panels; q++) {
            const uint32_t valid = m->valid[t * panels + q];
            // Lanes outside the input are masked off: their addresses are never read.
            const float *src = (const float *)((uintptr_t)g->b + (uintptr_t)((m->base[q] + shift) * (long)sizeof(float)));
            float *d = dst + (q * kc + pp) * NR;
            for (int h = 0; h < 2; h++) {
                const uint32_t lanes = (h == 0 ? valid : valid >> 8) & 0xff;
                const int runs = m->seg_count[q * 2 + h];
                __m256 v = _mm256_setzero_ps();
                if (runs > 0) {
                    // Lane l of this half (panel lane 8h + l) reads src + shift + 8h + l.
                    for (int r = 0; r < runs; r++) {
                        const __m256i k = lane_mask(lanes & (m->seg_lanes[q * 2 + h][r] >> (8 * h)));
                        const __m256 loaded = _mm256_maskload_ps(src + m->seg_shift[q * 2 + h][r] + 8 * h, k);
                        v = _mm256_blendv_ps(v, loaded, _mm256_castsi256_ps(k));
                    }
                } else {
                    const __m256i index = _mm256_loadu_si256((const __m256i *)(m->rel + q * 32 + 8 * h));
                    v = _mm256_mask_i32gather_ps(v, src, index, _mm256_castsi256_ps(lane_mask(lanes)), 4);
                }
                _mm256_store_ps(d + 8 * h, v);
            }
        }
    }
    return 0;
}

const seu_kernel_info seu_kernel_avx2 = {"avx2", MR, NR, kernel, pack_conv, NULL, seu_conv_lane_masks};
#endif
