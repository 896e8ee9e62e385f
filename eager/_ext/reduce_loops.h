/* Sums of contiguous float32/float64 runs for eager/_ext/reduce_kernels.pyx.
 *
 * NumPy's add.reduce on a contiguous float32 array runs about 8 scalar-ish
 * accumulators (~30 GB/s here); these loops keep 32 independent lanes that
 * GCC turns into SIMD adds (target_clones picks AVX2 at load time where the
 * CPU has it), over blocks of 4096 elements whose partial sums are added in
 * double: as accurate as NumPy's pairwise sum, several times faster.
 * Each lane is its own sequence of IEEE adds, so no -ffast-math is needed.
 */
#ifndef EAGER_REDUCE_LOOPS_H
#define EAGER_REDUCE_LOOPS_H

#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define EAGER_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EAGER_CLONES
#endif

#define EAGER_SUM_LANES 32
#define EAGER_SUM_BLOCK 4096

/* eager_block_sum_<SUF>: one block in 32 lanes of T, finished in double;
 * eager_sum_<SUF>: pairwise over blocks (a binary tree of block sums keeps
 * the error of huge arrays at NumPy's level). */
#define EAGER_DEFINE_SUM(SUF, T)                                               \
    EAGER_CLONES                                                               \
    static double eager_block_sum_##SUF(const T *x, ptrdiff_t n)               \
    {                                                                          \
        T acc[EAGER_SUM_LANES] = {0};                                          \
        ptrdiff_t i = 0;                                                       \
        int k;                                                                 \
        double s = 0.0;                                                        \
        for (; i + EAGER_SUM_LANES <= n; i += EAGER_SUM_LANES)                 \
            for (k = 0; k < EAGER_SUM_LANES; k++)                              \
                acc[k] += x[i + k];                                            \
        for (k = 0; k < EAGER_SUM_LANES; k++)                                  \
            s += (double)acc[k];                                               \
        for (; i < n; i++)                                                     \
            s += (double)x[i];                                                 \
        return s;                                                              \
    }                                                                          \
    static double eager_sum_##SUF(const T *x, ptrdiff_t n)                     \
    {                                                                          \
        ptrdiff_t half;                                                        \
        if (n <= EAGER_SUM_BLOCK)                                              \
            return eager_block_sum_##SUF(x, n);                                \
        half = (n / 2 / EAGER_SUM_BLOCK) * EAGER_SUM_BLOCK;                    \
        if (half == 0)                                                         \
            half = EAGER_SUM_BLOCK;                                            \
        return eager_sum_##SUF(x, half) + eager_sum_##SUF(x + half, n - half); \
    }

EAGER_DEFINE_SUM(f32, float)
EAGER_DEFINE_SUM(f64, double)

#endif
