// AVX-512 micro-kernel: MR rows x 32 columns (two zmm per row), A from a packed panel
// (kc x mr) or straight from its rows, B from a packed panel (kc x NR). Each accumulator lane is one element's fma chain in k order.
#if defined(__x86_64__)
#include "gemm_internal.h"
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512dq,fma,avx2")))
enum { MR = 8, NR = 32 };

static inline __attribute__((always_inline)) TARGET void
tile(const int mr, const int packed, long kc, const float *a, long lda, const float *b, float *c,
     long ldc, int valid,
     int flags, const float *row_bias, const float *col_bias) {
    __m512 acc0[MR], acc1[MR];
    const __mmask16 m0 = valid >= 16 ? 0xffff : (__mmask16)((1u << valid) - 1);
    const __mmask16 m1 = valid >= 32 ? 0xffff : valid <= 16 ? 0 : (__mmask16)((1u << (valid - 16)) - 1);
    if (flags & SEU_UK_LOAD) {
        for (int r = 0; r < mr; r++) {
            acc0[r] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
            acc1[r] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
        }
    } else {
        for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm512_setzero_ps();
    }
    // A(r, p): packed panel a[p*mr + r], or straight from the rows a[r*lda + p].
    const float *ap[MR];
    for (int r = 0; r < mr; r++) ap[r] = packed ? a + r : a + r * lda;
    const long step = packed ? mr : 1;
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b + p * NR), b1 = _mm512_load_ps(b + p * NR + 16);
        for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(ap[r][p * step]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
    }
    if (flags & SEU_UK_LAST) {
        if (row_bias) {
            for (int r = 0; r < mr; r++) {
                __m512 bias = _mm512_set1_ps(row_bias[r]);
                acc0[r] = _mm512_add_ps(acc0[r], bias);
                acc1[r] = _mm512_add_ps(acc1[r], bias);
            }
        }
        if (col_bias) {
            __m512 c0 = _mm512_loadu_ps(col_bias), c1 = _mm512_loadu_ps(col_bias + 16);
            for (int r = 0; r < mr; r++) {
                acc0[r] = _mm512_add_ps(acc0[r], c0);
                acc1[r] = _mm512_add_ps(acc1[r], c1);
            }
        }
        if (flags & SEU_UK_RELU) {
            // x < 0 ? 0 : x — ordered compare, so NaN (and -0) pass unchanged.
            __m512 zero = _mm512_setzero_ps();
            for (int r = 0; r < mr; r++) {
                acc0[r] = _mm512_mask_mov_ps(acc0[r], _mm512_cmp_ps_mask(acc0[r], zero, _CMP_LT_OQ), zero);
                acc1[r] = _mm512_mask_mov_ps(acc1[r], _mm512_cmp_ps_mask(acc1[r], zero, _CMP_LT_OQ), zero);
            }
        }
    }
    for (int r = 0; r < mr; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, acc0[r]);
        _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc1[r]);
    }
}

#define CASE(n) case n: if (lda) tile(n, 0, kc, a, lda, b, c, ldc, valid, flags, row_bias, col_bias); \
                     else tile(n, 1, kc, a, 0, b, c, ldc, valid, flags, row_bias, col_bias); break;
static TARGET void kernel(int mr, long kc, const float *a, long lda, const float *b, float *c, long ldc,
                          int valid, int flags, const float *row_bias, const float *col_bias) {
    switch (mr) {
        CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
        CASE(7) CASE(8)
    }
}

/// Lane masks (see seu_lane_masks), 16 lanes per compare.
static TARGET void lane_masks(const int32_t *pd, const int32_t *ph, const int32_t *pw, int lanes,
                              const seu_conv_geometry *s, uint32_t *out, long stride) {
    const __mmask16 l0 = lanes >= 16 ? 0xffff : (__mmask16)((1u << lanes) - 1);
    const __mmask16 l1 = lanes >= 32 ? 0xffff : lanes <= 16 ? 0 : (__mmask16)((1u << (lanes - 16)) - 1);
    const __m512i d0 = _mm512_maskz_loadu_epi32(l0, pd), d1 = _mm512_maskz_loadu_epi32(l1, pd + 16);
    const __m512i h0 = _mm512_maskz_loadu_epi32(l0, ph), h1 = _mm512_maskz_loadu_epi32(l1, ph + 16);
    const __m512i w0 = _mm512_maskz_loadu_epi32(l0, pw), w1 = _mm512_maskz_loadu_epi32(l1, pw + 16);
    const __m512i D = _mm512_set1_epi32(s->in_d), H = _mm512_set1_epi32(s->in_h), W = _mm512_set1_epi32(s->in_w);
    for (long t = 0; t < s->taps; t++) {
        const __m512i dd = _mm512_set1_epi32(s->tap_d[t]), dh = _mm512_set1_epi32(s->tap_h[t]), dw = _mm512_set1_epi32(s->tap_w[t]);
        // Unsigned compares: negative positions wrap to large values.
        __mmask16 m0 = _mm512_mask_cmplt_epu32_mask(l0, _mm512_add_epi32(d0, dd), D);
        m0 = _mm512_mask_cmplt_epu32_mask(m0, _mm512_add_epi32(h0, dh), H);
        m0 = _mm512_mask_cmplt_epu32_mask(m0, _mm512_add_epi32(w0, dw), W);
        __mmask16 m1 = _mm512_mask_cmplt_epu32_mask(l1, _mm512_add_epi32(d1, dd), D);
        m1 = _mm512_mask_cmplt_epu32_mask(m1, _mm512_add_epi32(h1, dh), H);
        m1 = _mm512_mask_cmplt_epu32_mask(m1, _mm512_add_epi32(w1, dw), W);
        out[t * stride] = (uint32_t)m0 | ((uint32_t)m1 << 16);
    }
}

/// Conv packing (see seu_conv_packer): per panel row, two masked loads or two masked gathers.
static TARGET int pack_conv(const seu_gemm_args *g, long p0, long kc, long j0, long nc, float *dst,
                            seu_conv_masks *m) {
    const seu_conv_geometry *s = g->conv;
    if (nc > 32 * NR) return -1;
    if (!m->ready) seu_conv_plan_block(s, j0, nc, NR, m, lane_masks);
    if (!m->usable) return -1;
    const long panels = (nc + NR - 1) / NR, hw = (long)s->in_h * s->in_w;
    for (long pp = 0; pp < kc; pp++) {
        const long p = p0 + pp, c = p / s->taps, t = p % s->taps;
        const long shift = c * s->channel_stride + (s->tap_d[t] - s->pad_d) * hw +
                           (s->tap_h[t] - s->pad_h) * s->in_w + (s->tap_w[t] - s->pad_w);
        for (long q = 0; q < panels; q++) {
            const uint32_t valid = m->valid[t * panels + q];
            const __mmask16 lo = (__mmask16)valid, hi = (__mmask16)(valid >> 16);
            // Lanes outside the input are masked off: their addresses are never read.
            const float *src = (const float *)((uintptr_t)g->b + (uintptr_t)((m->base[q] + shift) * (long)sizeof(float)));
            float *d = dst + (q * kc + pp) * NR;
            for (int h = 0; h < 2; h++) {
                const __mmask16 lanes = h == 0 ? lo : hi;
                const int runs = m->seg_count[q * 2 + h];
                __m512 v = _mm512_setzero_ps();
                if (runs > 0) {
                    // Lane l of this half (panel lane 16h + l) reads src + shift + 16h + l.
                    for (int r = 0; r < runs; r++) {
                        const __mmask16 k = lanes & (__mmask16)(m->seg_lanes[q * 2 + h][r] >> (16 * h));
                        v = _mm512_mask_loadu_ps(v, k, src + m->seg_shift[q * 2 + h][r] + 16 * h);
                    }
                } else {
                    const __m512i index = _mm512_loadu_si512(m->rel + q * 32 + 16 * h);
                    v = _mm512_mask_i32gather_ps(v, lanes, index, src, 4);
                }
                _mm512_store_ps(d + 16 * h, v);
            }
        }
    }
    return 0;
}

/// Packs 8 rows of A (row stride lda) x kc into dst[p*8 + r]: 8x8 register transposes.
static TARGET void pack_a8(const float *src, long lda, long kc, float *dst) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 r0 = _mm256_loadu_ps(src + 0 * lda + p), r1 = _mm256_loadu_ps(src + 1 * lda + p);
        __m256 r2 = _mm256_loadu_ps(src + 2 * lda + p), r3 = _mm256_loadu_ps(src + 3 * lda + p);
        __m256 r4 = _mm256_loadu_ps(src + 4 * lda + p), r5 = _mm256_loadu_ps(src + 5 * lda + p);
        __m256 r6 = _mm256_loadu_ps(src + 6 * lda + p), r7 = _mm256_loadu_ps(src + 7 * lda + p);
        __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
        __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
        __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
        __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
        __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
        __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
        __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
        __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
        float *d = dst + p * 8;
        _mm256_storeu_ps(d + 0, _mm256_permute2f128_ps(u0, u4, 0x20));
        _mm256_storeu_ps(d + 8, _mm256_permute2f128_ps(u1, u5, 0x20));
        _mm256_storeu_ps(d + 16, _mm256_permute2f128_ps(u2, u6, 0x20));
        _mm256_storeu_ps(d + 24, _mm256_permute2f128_ps(u3, u7, 0x20));
        _mm256_storeu_ps(d + 32, _mm256_permute2f128_ps(u0, u4, 0x31));
        _mm256_storeu_ps(d + 40, _mm256_permute2f128_ps(u1, u5, 0x31));
        _mm256_storeu_ps(d + 48, _mm256_permute2f128_ps(u2, u6, 0x31));
        _mm256_storeu_ps(d + 56, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (; p < kc; p++)
        for (int r = 0; r < 8; r++) dst[p * 8 + r] = src[r * lda + p];
}

const seu_kernel_info seu_kernel_avx512 = {"avx512", MR, NR, kernel, pack_conv, pack_a8, lane_masks};
#endif
