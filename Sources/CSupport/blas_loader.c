// OpenBLAS is loaded at run time rather than linked.
//
// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels in the library constructor. It does
// not recognise recent CPUs and falls back to SSE3 "Prescott" kernels, 3-5x slower. The choice can
// be forced with OPENBLAS_CORETYPE, but a linked library runs its constructor before main, so
// setenv in main is too late. Loading with dlopen after setting the variable is the reliable fix.
#define _GNU_SOURCE
#include "CSupport.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cpuid.h>

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef char *(*corename_fn)(void);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *handle;
static sgemm_fn p_sgemm;
static sgemv_fn p_sgemv;
static corename_fn p_corename;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static char requested[64];
static char loaded_path[256];
static char load_error[512];

const char *seu_cpu_preferred_openblas_coretype(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return NULL;
    int avx2 = (b >> 5) & 1;
    int avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1, avx512bw = (b >> 30) & 1,
        avx512vl = (b >> 31) & 1;
    // The OS must also save the AVX-512 state (XCR0 bits 5-7) and the AVX state (bits 1-2).
    unsigned a1, b1, c1, d1;
    __get_cpuid(1, &a1, &b1, &c1, &d1);
    int osxsave = (c1 >> 27) & 1;
    unsigned long long xcr0 = 0;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((unsigned long long)hi << 32) | lo;
    }
    int os_avx = (xcr0 & 0x6) == 0x6, os_avx512 = (xcr0 & 0xe6) == 0xe6;
    if (os_avx512 && avx512f && avx512dq && avx512bw && avx512vl) {
        unsigned a2 = 0, b2, c2, d2;
        __get_cpuid_count(7, 1, &a2, &b2, &c2, &d2);
        int bf16 = (a2 >> 5) & 1;
        return bf16 ? "Cooperlake" : "SkylakeX";
    }
    if (os_avx && avx2) return "Haswell";
#endif
    return NULL;
}

int seu_blas_load(char *error, size_t error_size) {
    pthread_mutex_lock(&lock);
    if (handle == NULL && load_error[0] == 0) {
        const char *env = getenv("OPENBLAS_CORETYPE");
        if (env == NULL || env[0] == 0) {
            const char *preferred = seu_cpu_preferred_openblas_coretype();
            if (preferred) setenv("OPENBLAS_CORETYPE", preferred, 1);
            env = preferred;
        }
        snprintf(requested, sizeof requested, "%s", env ? env : "");
        static const char *candidates[] = {"libopenblas.so.0", "libopenblas.so",
                                           "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
                                           "/usr/lib/aarch64-linux-gnu/libopenblas.so.0"};
        for (size_t i = 0; i < sizeof candidates / sizeof *candidates && !handle; i++) {
            handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
            if (handle) snprintf(loaded_path, sizeof loaded_path, "%s", candidates[i]);
        }
        if (!handle) {
            snprintf(load_error, sizeof load_error,
                     "cannot load OpenBLAS (libopenblas.so.0): %s; install libopenblas0",
                     dlerror());
        } else {
            p_sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
            p_sgemv = (sgemv_fn)dlsym(handle, "cblas_sgemv");
            p_corename = (corename_fn)dlsym(handle, "openblas_get_corename");
            p_set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
            p_get_threads = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
            if (!p_sgemm || !p_sgemv) {
                snprintf(load_error, sizeof load_error, "%s has no cblas_sgemm/cblas_sgemv",
                         loaded_path);
                dlclose(handle);
                handle = NULL;
            }
        }
    }
    int rc = handle ? 0 : -1;
    if (rc != 0 && error && error_size) snprintf(error, error_size, "%s", load_error);
    pthread_mutex_unlock(&lock);
    return rc;
}

const char *seu_blas_corename(void) { return p_corename ? p_corename() : "unloaded"; }
const char *seu_blas_coretype_requested(void) { return requested; }
const char *seu_blas_library_path(void) { return loaded_path; }
void seu_blas_set_threads(int threads) { if (p_set_threads) p_set_threads(threads); }
int seu_blas_get_threads(void) { return p_get_threads ? p_get_threads() : 0; }

void seu_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
               const float *b, int ldb, float beta, float *c, int ldc) {
    p_sgemm(RowMajor, trans_a ? Trans : NoTrans, trans_b ? Trans : NoTrans, m, n, k, alpha, a, lda,
            b, ldb, beta, c, ldc);
}

void seu_sgemv(int trans_a, int m, int n, float alpha, const float *a, int lda, const float *x,
               int incx, float beta, float *y, int incy) {
    p_sgemv(RowMajor, trans_a ? Trans : NoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
