// Private interface between the GEMM driver (gemm.c) and its micro-kernels.
#ifndef SEU_GEMM_INTERNAL_H
#define SEU_GEMM_INTERNAL_H
#include "seu_gemm.h"

/// Flags of a micro-kernel call.
enum {
    SEU_UK_LOAD = 1,  // continue the partial sums held in C (a later block of k)
    SEU_UK_LAST = 2,  // last block of k: apply the epilogue
    SEU_UK_RELU = 4,  // epilogue: ReLU (NaN and -0 pass)
};

/// C[0..mr) x [0..nr) (row stride ldc, columns contiguous) = chain over kc steps of A(r, p) —
/// the packed panel a[p*mr + r] when lda == 0, else the rows a[r*lda + p] — times the packed B panel b[p*nr + lane]. Only the first `valid` columns
/// of C are read and written. `row_bias` holds mr values
/// and `col_bias` nr values (either may be NULL); both are applied only with SEU_UK_LAST.
typedef void (*seu_ukernel)(int mr, long kc, const float *a, long lda, const float *b, float *c, long ldc,
                            int valid, int flags, const float *row_bias, const float *col_bias);

/// Per-block packing plan of the vector conv packers: for each panel of the column block, the
/// input offset of every lane (tap offset excluded) and, per tap, which lanes read inside the
/// input. Computed on first use for a column block (ready = 0), reused for its later k blocks.
enum { SEU_MAX_SEGMENTS = 4 };

typedef struct {
    int ready;
    int usable;                  // 0: the block does not fit (more than 64 taps, huge offsets)
    uint32_t valid[64 * 32];     // [tap][panel]: bit l = lane l reads inside the input
    long base[32];               // [panel]: input offset of lane 0 (image, channel 0, tap at origin)
    int32_t rel[32 * 32];        // [panel][lane]: offset of the lane relative to base
    /// Each half panel (vector) as runs of lanes with consecutive offsets: for run s, the lanes
    /// in mask seg_lanes[h][s] read base + seg_shift[h][s] + lane (lane counted in the panel).
    /// seg_count[h] == 0: more runs than SEU_MAX_SEGMENTS (gather instead).
    int seg_count[64];
    uint32_t seg_lanes[64][SEU_MAX_SEGMENTS];
    int32_t seg_shift[64][SEU_MAX_SEGMENTS];
} seu_conv_masks;

/// Vector conv packer: each panel row is one masked load (consecutive offsets, e.g. unit-stride
/// "same" convolutions) or one masked gather. Returns 0 when it packed the block, -1 when it
/// does not apply (the generic packer then runs).
typedef int (*seu_conv_packer)(const seu_gemm_args *g, long p0, long kc, long j0, long nc, float *dst,
                               seu_conv_masks *masks);

typedef struct {
    const char *name;
    int mr, nr;
    seu_ukernel kernel;
    seu_conv_packer pack_conv;  // may be NULL
    /// Packs full 8-row panels of A (layout as seu_pack_a); NULL: the portable loop.
    void (*pack_a8)(const float *src, long lda, long kc, float *dst);
    /// Lane masks for conv packing plans (with pack_conv).
    void (*lane_masks)(const int32_t *pd, const int32_t *ph, const int32_t *pw, int lanes,
                       const seu_conv_geometry *s, uint32_t *out, long stride);
} seu_kernel_info;

/// Lane masks of one panel: for each tap t, bit l of out[t * stride] = lane l (input position
/// pd/ph/pw[l] at the tap origin) reads inside the input.
typedef void (*seu_lane_masks)(const int32_t *pd, const int32_t *ph, const int32_t *pw, int lanes,
                               const seu_conv_geometry *s, uint32_t *out, long stride);
void seu_conv_lane_masks(const int32_t *pd, const int32_t *ph, const int32_t *pw, int lanes,
                         const seu_conv_geometry *s, uint32_t *out, long stride);

/// The cached plan of a column block (computed and cached on first use), or NULL when the
/// selected kernel has no conv packer or the cache is full.
seu_conv_masks *seu_conv_plan_cache_get(struct seu_conv_plan_cache *cache, const seu_conv_geometry *s, long j0,
                                        long nc, int nr);

/// Fills `masks` for columns [j0, j0+nc) (nc <= 32 * nr); sets usable = 0 when it cannot.
void seu_conv_plan_block(const seu_conv_geometry *s, long j0, long nc, int nr, seu_conv_masks *masks,
                         seu_lane_masks lane_masks);

/// The selected kernel's conv packer and 8-row A packer (NULL when it has none).
seu_conv_packer seu_gemm_conv_packer(void);
void (*seu_gemm_pack_a8(void))(const float *, long, long, float *);



extern const seu_kernel_info seu_kernel_generic;
#if defined(__x86_64__)
extern const seu_kernel_info seu_kernel_avx2;
extern const seu_kernel_info seu_kernel_avx512;
#endif

/// Packs A rows [i0, i0+m) x columns [p0, p0+kc) into panels of `mr` rows: panel q holds rows
/// i0+q*mr ..< (at most mr, the last one possibly fewer) as kc x rows floats.
void seu_pack_a(const seu_gemm_args *args, long i0, long m, long p0, long kc, int mr, float *dst);

/// Packs B rows [p0, p0+kc) x columns [j0, j0+nc) into ceil(nc/nr) panels of kc x nr floats
/// (columns past nc are zero).
void seu_pack_b(const seu_gemm_args *args, long p0, long kc, long j0, long nc, int nr, float *dst,
                seu_conv_masks *masks);
#endif
