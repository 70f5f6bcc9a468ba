// Packing of A and B into panels for the GEMM micro-kernels: dense matrices (either
// orientation) and the im2col matrix of a convolution, built straight from the input image
// into the panels (no separate im2col buffer).
#include "gemm_internal.h"
#include <string.h>

/// Output positions o in [first, last) read input o*stride + offset inside [0, size).
static inline void valid_range(long offset, long stride, long size, long outputs, long *first, long *last) {
    long f = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    long l = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
    if (f > outputs) f = outputs;
    if (l > outputs) l = outputs;
    if (l < f) l = f;
    *first = f;
    *last = l;
}

/// Destination of packed column `j` (relative to the block) in row `p` of the block.
#define PANEL_AT(dst, j, p, kc, nr) ((dst) + ((j) / (nr)) * (kc) * (nr) + (p) * (nr) + (j) % (nr))

/// A run of block columns that are consecutive output pixels of one output row.
typedef struct {
    int jj, count;       // first block column, length
    int image, od, oh, ow;
} segment;

enum { MAX_SEGMENTS = 512 };

/// Splits block columns [0, nc) from j0 into output-row runs that also stop at panel ends.
static int conv_segments(const seu_conv_geometry *s, long j0, long nc, int nr, segment *out) {
    const long plane = (long)s->out_h * s->out_w, pixels = plane * s->out_d;
    int count = 0;
    long jj = 0;
    while (jj < nc && count < MAX_SEGMENTS) {
        long j = j0 + jj, q = j % pixels;
        long ow = q % s->out_w;
        long n = s->out_w - ow;
        if (n > nc - jj) n = nc - jj;
        long room = nr - jj % nr;
        if (n > room) n = room;
        out[count++] = (segment){(int)jj, (int)n, (int)(j / pixels), (int)(q / plane), (int)((q % plane) / s->out_w), (int)ow};
        jj += n;
    }
    return count;
}

/// Writes im2col rows [p0, p0+kc) for the block's segments into the panels (`NR` constant so
/// that the panel arithmetic is shifts).
static inline __attribute__((always_inline)) void
conv_rows(const seu_gemm_args *g, long p0, long kc, const segment *segments, int count, float *dst, const int NR) {
    const seu_conv_geometry *s = g->conv;
    const long taps = s->taps, sw = s->stride_w;
    for (long pp = 0; pp < kc; pp++) {
        const long p = p0 + pp, c = p / taps, t = p % taps;
        const long off_d = s->tap_d[t] - s->pad_d, off_h = s->tap_h[t] - s->pad_h, off_w = s->tap_w[t] - s->pad_w;
        long first, last;
        valid_range(off_w, sw, s->in_w, s->out_w, &first, &last);
        const float *channel = g->b + c * s->channel_stride + off_w;
        for (int k = 0; k < count; k++) {
            const segment *seg = &segments[k];
            float *d = PANEL_AT(dst, seg->jj, pp, kc, NR);
            long n = seg->count, o = seg->ow;
            long id = (long)seg->od * s->stride_d + off_d, ih = (long)seg->oh * s->stride_h + off_h;
            if (id < 0 || id >= s->in_d || ih < 0 || ih >= s->in_h) {
                for (long x = 0; x < n; x++) d[x] = 0;
                continue;
            }
            const float *src = channel + seg->image * s->image_stride + (id * s->in_h + ih) * s->in_w;
            // Columns o .. o+n: zeros before `first`, input inside, zeros from `last`.
            long a = first - o, b = last - o;
            if (a < 0) a = 0;
            if (a > n) a = n;
            if (b > n) b = n;
            if (b < a) b = a;
            for (long x = 0; x < a; x++) d[x] = 0;
            if (sw == 1) {
                const float *from = src + o;
                for (long x = a; x < b; x++) d[x] = from[x];
            } else {
                for (long x = a; x < b; x++) d[x] = src[(o + x) * sw];
            }
            for (long x = b; x < n; x++) d[x] = 0;
        }
    }
}

/// Packs a conv block (nc <= MAX_SEGMENTS columns: the driver's blocks have at most NC = 256).
static void conv_block(const seu_gemm_args *g, long p0, long kc, long j0, long nc, int nr, float *dst) {
    segment segments[MAX_SEGMENTS];
    int count = conv_segments(g->conv, j0, nc, nr, segments);
    switch (nr) {
    case 32: conv_rows(g, p0, kc, segments, count, dst, 32); break;
    case 16: conv_rows(g, p0, kc, segments, count, dst, 16); break;
    case 8: conv_rows(g, p0, kc, segments, count, dst, 8); break;
    default: conv_rows(g, p0, kc, segments, count, dst, nr); break;
    }
}

void seu_pack_b(const seu_gemm_args *g, long p0, long kc, long j0, long nc, int nr, float *dst,
                seu_conv_masks *masks) {
    const long panels = (nc + nr - 1) / nr;
    const long tail = panels * nr - nc;
    if (g->b_kind == SEU_B_DENSE && g->b_cs != 1) {
        // Column-major source (B transposed): walk each column along k, contiguous reads.
        for (long jj = 0; jj < panels * nr; jj++) {
            float *d = PANEL_AT(dst, jj, 0, kc, nr);
            if (jj >= nc) {
                for (long p = 0; p < kc; p++) d[p * nr] = 0;
                continue;
            }
            const float *src = g->b + p0 * g->b_rs + (j0 + jj) * g->b_cs;
            for (long p = 0; p < kc; p++) d[p * nr] = src[p * g->b_rs];
        }
        return;
    }
    if (g->b_kind == SEU_B_CONV) {
        const seu_conv_packer fast = seu_gemm_conv_packer();
        if (!(fast && fast(g, p0, kc, j0, nc, dst, masks) == 0)) conv_block(g, p0, kc, j0, nc, nr, dst);
    }
    for (long p = 0; p < kc; p++) {
        if (g->b_kind == SEU_B_DENSE) {
            const float *src = g->b + (p0 + p) * g->b_rs + j0;
            for (long panel = 0; panel < panels; panel++) {
                long cols = nc - panel * nr < nr ? nc - panel * nr : nr;
                float *d = PANEL_AT(dst, panel * nr, p, kc, nr);
                const float *from = src + panel * nr;
                for (long x = 0; x < cols; x++) d[x] = from[x];
            }
        }
        if (tail) {
            float *d = PANEL_AT(dst, nc, p, kc, nr);
            for (long x = 0; x < tail; x++) d[x] = 0;
        }
    }
}

void seu_pack_a(const seu_gemm_args *g, long i0, long m, long p0, long kc, int mr, float *dst) {
    void (*fast)(const float *, long, long, float *) = seu_gemm_pack_a8();
    for (long q = 0; q < m; q += mr) {
        int rows = m - q < mr ? (int)(m - q) : mr;
        const float *src = g->a + (i0 + q) * g->lda + p0;
        float *d = dst + q * kc;
        if (fast && rows == 8) {
            fast(src, g->lda, kc, d);
            continue;
        }
        for (long p = 0; p < kc; p++)
            for (int r = 0; r < rows; r++) d[p * rows + r] = src[r * g->lda + p];
    }
}

float seu_gemm_b_element(const seu_gemm_args *g, long p, long j) {
    if (g->b_kind == SEU_B_DENSE) return g->b[p * g->b_rs + j * g->b_cs];
    // One column into a one-lane panel.
    float value;
    conv_block(g, p, 1, j, 1, 1, &value);
    return value;
}

/// Portable lane masks: for each tap t, bit l of out[t * stride] = lane l reads inside the input.
void seu_conv_lane_masks(const int32_t *pd, const int32_t *ph, const int32_t *pw, int lanes,
                         const seu_conv_geometry *s, uint32_t *out, long stride) {
    for (long t = 0; t < s->taps; t++) {
        uint32_t m = 0;
        const int32_t dd = s->tap_d[t], dh = s->tap_h[t], dw = s->tap_w[t];
        for (int l = 0; l < lanes; l++) {
            uint32_t ok = ((uint32_t)(pd[l] + dd) < (uint32_t)s->in_d) & ((uint32_t)(ph[l] + dh) < (uint32_t)s->in_h) &
                          ((uint32_t)(pw[l] + dw) < (uint32_t)s->in_w);
            m |= ok << l;
        }
        out[t * stride] = m;
    }
}

void seu_conv_plan_block(const seu_conv_geometry *s, long j0, long nc, int nr, seu_conv_masks *m,
                         seu_lane_masks masks) {
    const long plane = (long)s->out_h * s->out_w, pixels = plane * s->out_d;
    const long panels = (nc + nr - 1) / nr;
    m->ready = 1;
    m->usable = s->taps <= 64 && panels <= 32 && nr <= 32;
    if (!m->usable) return;
    // Walk the columns keeping (image, od, oh, ow) incrementally (no divisions per lane); per
    // panel, collect each lane's input position at the tap origin, then build the tap masks.
    long img = j0 / pixels, px = j0 % pixels;
    long od = px / plane, oh = (px % plane) / s->out_w, ow = px % s->out_w;
    int32_t pd[32], ph[32], pw[32];
    for (long q = 0; q < panels; q++) {
        int lanes = nc - q * nr < nr ? (int)(nc - q * nr) : nr;
        for (int l = 0; l < nr; l++) {
            if (l >= lanes) {
                m->rel[q * 32 + l] = l;  // never read (masked off)
                continue;
            }
            long d = od * s->stride_d - s->pad_d, h = oh * s->stride_h - s->pad_h, w = ow * s->stride_w - s->pad_w;
            long offset = img * s->image_stride + ((od * s->stride_d) * s->in_h + oh * s->stride_h) * s->in_w +
                          ow * s->stride_w;
            if (l == 0) m->base[q] = offset;
            long rel = offset - m->base[q];
            // Positions plus tap offsets must not overflow int32 in the mask arithmetic.
            if (rel < INT32_MIN || rel > INT32_MAX || d < -(1L << 29) || d > (1L << 29) || h < -(1L << 29) ||
                h > (1L << 29) || w < -(1L << 29) || w > (1L << 29)) {
                m->usable = 0;
                return;
            }
            m->rel[q * 32 + l] = (int32_t)rel;
            pd[l] = (int32_t)d;
            ph[l] = (int32_t)h;
            pw[l] = (int32_t)w;
            px++;
            if (++ow == s->out_w) {
                ow = 0;
                if (++oh == s->out_h) {
                    oh = 0;
                    if (++od == s->out_d) {
                        od = 0;
                        px = 0;
                        img++;
                    }
                }
            }
        }
        masks(pd, ph, pw, lanes, s, m->valid + q, panels);
        // Runs of consecutive offsets in each half panel.
        const int half = nr / 2;
        for (int h = 0; h < 2; h++) {
            int *count = &m->seg_count[q * 2 + h];
            *count = 0;
            for (int l = h * half; l < (h + 1) * half && l < lanes; l++) {
                int32_t shift = m->rel[q * 32 + l] - l;
                if (*count > 0 && m->seg_shift[q * 2 + h][*count - 1] == shift) {
                    m->seg_lanes[q * 2 + h][*count - 1] |= 1u << l;
                    continue;
                }
                if (*count == SEU_MAX_SEGMENTS) {
                    *count = 0;  // too many runs: gather
                    break;
                }
                m->seg_shift[q * 2 + h][*count] = shift;
                m->seg_lanes[q * 2 + h][*count] = 1u << l;
                (*count)++;
            }
            // A half without valid lanes (past the block) reads nothing: one empty run.
            if (*count == 0 && h * half >= lanes) {
                m->seg_shift[q * 2 + h][0] = 0;
                m->seg_lanes[q * 2 + h][0] = 0;
                *count = 1;
            }
        }
    }
}
