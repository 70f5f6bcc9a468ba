// GEMM driver: kernel selection, blocking and edge handling (see seu_gemm.h for the contract).
//
// Blocking: k in blocks of KC (A's rows packed once per block when many column panels reuse
// them), columns in blocks of NC packed from B, then for each panel of nr columns every row
// block of mr. A block of k after the first continues
// the partial sums stored in C, so an element's chain is the same unbroken sequence of fmas
// whatever KC is; the epilogue runs with the last block only.
#define _GNU_SOURCE
#include "gemm_internal.h"
#include "CSupport.h"
#include <cpuid.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { KC = 256, NC = 256, MAX_MR = 16, MAX_NR = 32 };

static const seu_kernel_info *selected;
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

static int cpu_has(const char *what) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx || !fma) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    unsigned long long xcr0 = ((unsigned long long)hi << 32) | lo;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    if (strcmp(what, "avx2") == 0) return avx2 && (xcr0 & 0x6) == 0x6;
    if (strcmp(what, "avx512") == 0) return avx2 && avx512f && avx512dq && (xcr0 & 0xe6) == 0xe6;
#endif
    return strcmp(what, "generic") == 0;
}

static const seu_kernel_info *kernel_named(const char *name) {
#if defined(__x86_64__)
    if (strcmp(name, "avx512") == 0 && cpu_has("avx512")) return &seu_kernel_avx512;
    if (strcmp(name, "avx2") == 0 && cpu_has("avx2")) return &seu_kernel_avx2;
#endif
    if (strcmp(name, "generic") == 0) return &seu_kernel_generic;
    return NULL;
}

static void select_default(void) {
    // SEU_GEMM_KERNEL=avx2|generic forces a narrower kernel (results are the same by contract).
    const char *forced = getenv("SEU_GEMM_KERNEL");
    const seu_kernel_info *k = forced ? kernel_named(forced) : NULL;
    if (!k) k = kernel_named("avx512");
    if (!k) k = kernel_named("avx2");
    if (!k) k = &seu_kernel_generic;
    selected = k;
}

static const seu_kernel_info *kernel_info(void) {
    pthread_once(&select_once, select_default);
    return selected;
}

const char *seu_gemm_kernel_name(void) { return kernel_info()->name; }
int seu_gemm_nr(void) { return kernel_info()->nr; }
seu_conv_packer seu_gemm_conv_packer(void) { return kernel_info()->pack_conv; }
void (*seu_gemm_pack_a8(void))(const float *, long, long, float *) { return kernel_info()->pack_a8; }
int seu_gemm_mr(void) { return kernel_info()->mr; }

int seu_gemm_select(const char *name) {
    kernel_info();
    const seu_kernel_info *k = kernel_named(name);
    if (!k) return -1;
    selected = k;
    return 0;
}

// Thread-local packing buffer (kept for the thread's life, freed at thread exit).
static pthread_key_t buffer_key;
static pthread_once_t buffer_once = PTHREAD_ONCE_INIT;
static void buffer_free(void *p) { free(p); }
static void buffer_key_create(void) { pthread_key_create(&buffer_key, buffer_free); }

static float *thread_buffer(size_t floats) {
    pthread_once(&buffer_once, buffer_key_create);
    // Header: capacity in floats, stored in the first 16 floats (keeps 64-byte alignment).
    float *base = pthread_getspecific(buffer_key);
    if (base && *(size_t *)base >= floats) return base + 16;
    free(base);
    size_t bytes = ((floats + 16) * sizeof(float) + 63) & ~(size_t)63;
    base = aligned_alloc(64, bytes);
    if (!base) {
        pthread_setspecific(buffer_key, NULL);
        return NULL;
    }
    *(size_t *)base = floats;
    pthread_setspecific(buffer_key, base);
    return base + 16;
}

static inline float *c_address(const seu_gemm_args *g, long i, long j) {
    return g->c + i * g->c_rs + (j / g->c_block) * g->c_bstride + j % g->c_block;
}

static inline float epilogue(const seu_gemm_args *g, float v, long i, long j) {
    if (g->row_bias) v = v + g->row_bias[i];
    if (g->col_bias) v = v + g->col_bias[j];
    if (g->relu && v < 0) v = 0;
    return v;
}

/// Contiguous runs of a panel's columns in C: lanes [first, first+count) at C offset `offset`.
typedef struct {
    int first, count;
    long offset;
} lane_run;

/// One micro-kernel call on rows [i, i+rows) x the panel's columns [j, j+valid). `runs` describe
/// where the panel's columns go when they are not contiguous in C (else runs == 0).
static inline void tile_call(const seu_gemm_args *g, const seu_kernel_info *info, int rows, long kc,
                             const float *a, long lda, const float *panel, long i, long j, int valid,
                             int flags, const float *row_bias, const float *col_bias, float *tile,
                             const lane_run *run, int runs) {
    const int nr = info->nr;
    if (runs == 0) {
        info->kernel(rows, kc, a, lda, panel, c_address(g, i, j), g->c_rs, valid, flags, row_bias, col_bias);
        return;
    }
    // The panel straddles column blocks (or C is column-strided): work on a contiguous tile.
    float *c = g->c + i * g->c_rs;
    if (flags & SEU_UK_LOAD) {
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < runs; k++)
                memcpy(tile + r * nr + run[k].first, c + r * g->c_rs + run[k].offset, run[k].count * sizeof(float));
    }
    info->kernel(rows, kc, a, lda, panel, tile, nr, nr, flags, row_bias, col_bias);
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < runs; k++)
            memcpy(c + r * g->c_rs + run[k].offset, tile + r * nr + run[k].first, run[k].count * sizeof(float));
}

int seu_gemm_run(const seu_gemm_args *g, long m0, long m1, long n0, long n1) {
    if (m0 >= m1 || n0 >= n1) return 0;
    if (g->k == 0) {
        for (long i = m0; i < m1; i++)
            for (long j = n0; j < n1; j++) *c_address(g, i, j) = epilogue(g, 0.0f, i, j);
        return 0;
    }
    const seu_kernel_info *info = kernel_info();
    const int mr = info->mr, nr = info->nr;
    const long nc_max = (NC / nr) * nr;
    // Packing A pays when its panels are reused by many column panels; then the rows' whole
    // k block is packed once and serves every column block.
    const int pack_a = n1 - n0 > 4 * nr;
    const long rows_max = ((m1 - m0 + mr - 1) / mr) * mr;
    const size_t mask_floats = (sizeof(seu_conv_masks) + 63) / sizeof(float) & ~(size_t)15;
    float *pack = thread_buffer((size_t)KC * nc_max + MAX_MR * MAX_NR + MAX_NR + mask_floats +
                                (pack_a ? (size_t)g->k * rows_max : 0));
    if (!pack) return -1;
    float *tile = pack + (size_t)KC * nc_max;
    seu_conv_masks *masks = (seu_conv_masks *)(tile + MAX_MR * MAX_NR);
    float *bias = tile + MAX_MR * MAX_NR + mask_floats;
    lane_run runs[MAX_NR];
    // A's rows packed once for the whole k range (block pc at packed_a + pc * rows_max), reused
    // by every column block.
    float *packed_a = bias + MAX_NR;
    if (pack_a)
        for (long pc = 0; pc < g->k; pc += KC)
            seu_pack_a(g, m0, m1 - m0, pc, g->k - pc < KC ? g->k - pc : KC, mr, packed_a + pc * rows_max);
    for (long jc = n0; jc < n1; jc += nc_max) {
        long nc = n1 - jc < nc_max ? n1 - jc : nc_max;
        masks->ready = 0;
        seu_conv_masks *block_masks = masks;
        if (g->b_kind == SEU_B_CONV && g->plan_cache) {
            seu_conv_masks *cached = seu_conv_plan_cache_get(g->plan_cache, g->conv, jc, nc, nr);
            if (cached) block_masks = cached;
        }
        for (long pc = 0; pc < g->k; pc += KC) {
            long kc = g->k - pc < KC ? g->k - pc : KC;
            int last = pc + kc == g->k;
            int flags = (pc > 0 ? SEU_UK_LOAD : 0) | (last ? SEU_UK_LAST : 0) | (last && g->relu ? SEU_UK_RELU : 0);
            seu_pack_b(g, pc, kc, jc, nc, nr, pack, block_masks);
            for (long jr = 0; jr < nc; jr += nr) {
                long j = jc + jr;
                int valid = nc - jr < nr ? (int)(nc - jr) : nr;
                const float *col_bias = NULL;
                if (last && g->col_bias) {
                    if (valid == nr) {
                        col_bias = g->col_bias + j;
                    } else {
                        for (int l = 0; l < nr; l++) bias[l] = l < valid ? g->col_bias[j + l] : 0;
                        col_bias = bias;
                    }
                }
                const float *panel = pack + jr * kc;
                int run_count = 0;
                if (j / g->c_block != (j + valid - 1) / g->c_block) {
                    for (int l = 0; l < valid;) {
                        long block = (j + l) / g->c_block, within = (j + l) % g->c_block;
                        int count = (int)(g->c_block - within < valid - l ? g->c_block - within : valid - l);
                        runs[run_count++] = (lane_run){l, count, block * g->c_bstride + within};
                        l += count;
                    }
                }
                for (long i = m0; i < m1; i += mr) {
                    int rows = m1 - i < mr ? (int)(m1 - i) : mr;
                    const float *a = pack_a ? packed_a + pc * rows_max + (i - m0) * kc : g->a + i * g->lda + pc;
                    const float *row_bias = last && g->row_bias ? g->row_bias + i : NULL;
                    tile_call(g, info, rows, kc, a, pack_a ? 0 : g->lda, panel, i, j, valid, flags,
                              row_bias, col_bias, tile, runs, run_count);
                }
            }
        }
    }
    return 0;
}

void seu_gemm_reference(const seu_gemm_args *g, long m0, long m1, long n0, long n1) {
    for (long i = m0; i < m1; i++) {
        for (long j = n0; j < n1; j++) {
            float acc = 0.0f;
            for (long p = 0; p < g->k; p++) acc = fmaf(g->a[i * g->lda + p], seu_gemm_b_element(g, p, j), acc);
            *c_address(g, i, j) = epilogue(g, acc, i, j);
        }
    }
}

// Plan cache: an open-addressing table of (first column, columns) -> plan, filled under a lock.
enum { CACHE_SLOTS = 512, CACHE_LIMIT = 256 };

struct seu_conv_plan_cache {
    pthread_mutex_t lock;
    int count;
    long key_j0[CACHE_SLOTS], key_nc[CACHE_SLOTS];
    int key_nr[CACHE_SLOTS];
    seu_conv_masks *plan[CACHE_SLOTS];
};

struct seu_conv_plan_cache *seu_conv_plan_cache_create(void) {
    struct seu_conv_plan_cache *cache = calloc(1, sizeof *cache);
    if (cache) pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void seu_conv_plan_cache_destroy(struct seu_conv_plan_cache *cache) {
    if (!cache) return;
    for (int i = 0; i < CACHE_SLOTS; i++) free(cache->plan[i]);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

seu_conv_masks *seu_conv_plan_cache_get(struct seu_conv_plan_cache *cache, const seu_conv_geometry *s, long j0,
                                        long nc, int nr) {
    const seu_kernel_info *info = kernel_info();
    if (!info->pack_conv) return NULL;
    unsigned long h = ((unsigned long)j0 * 2654435761u + (unsigned long)nc * 40503u + (unsigned long)nr) % CACHE_SLOTS;
    pthread_mutex_lock(&cache->lock);
    seu_conv_masks *found = NULL;
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        unsigned long i = (h + probe) % CACHE_SLOTS;
        if (!cache->plan[i]) {
            // Not cached: plan it now (if there is room).
            if (cache->count < CACHE_LIMIT) {
                seu_conv_masks *m = malloc(sizeof *m);
                if (m) {
                    seu_conv_plan_block(s, j0, nc, nr, m, info->lane_masks);
                    cache->plan[i] = m;
                    cache->key_j0[i] = j0;
                    cache->key_nc[i] = nc;
                    cache->key_nr[i] = nr;
                    cache->count++;
                    found = m;
                }
            }
            break;
        }
        if (cache->key_j0[i] == j0 && cache->key_nc[i] == nc && cache->key_nr[i] == nr) {
            found = cache->plan[i];
            break;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return found;
}

static __thread int thread_serial;
void seu_thread_set_serial(int serial) { thread_serial = serial; }
int seu_thread_serial(void) { return thread_serial; }
