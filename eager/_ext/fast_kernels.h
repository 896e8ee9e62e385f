/* Elementwise loops for small contiguous operands of one dtype.
 *
 * A tiny op spends most of its time in NumPy's ufunc machinery, not in the
 * arithmetic; these loops let the Tensor fast path skip it. Signed integer
 * arithmetic goes through the unsigned type so that overflow wraps (as in
 * TensorFlow) instead of being undefined behaviour.
 *
 * mode 0: a[i] op b[i]; mode 1: a[i] op *b; mode 2: *a op b[i].
 */
#ifndef EAGER_FAST_KERNELS_H
#define EAGER_FAST_KERNELS_H
#include <stdint.h>
#include <stddef.h>

enum { EAGER_FAST_ADD = 0, EAGER_FAST_SUB = 1, EAGER_FAST_MUL = 2,
       EAGER_FAST_DIV = 3, EAGER_FAST_MAX = 4, EAGER_FAST_MIN = 5,
       EAGER_FAST_NOPS = 6 };

#define EAGER_LOOPS(T, NAME, EXPR)                                              \
  static void NAME##_vv(const T *restrict a, const T *restrict b,             \
                        T *restrict o, ptrdiff_t n) {                         \
    for (ptrdiff_t i = 0; i < n; ++i) { const T x = a[i], y = b[i]; o[i] = (EXPR); } \
  }                                                                           \
  static void NAME##_vs(const T *restrict a, const T *restrict b,             \
                        T *restrict o, ptrdiff_t n) {                         \
    const T y = *b;                                                           \
    for (ptrdiff_t i = 0; i < n; ++i) { const T x = a[i]; o[i] = (EXPR); }     \
  }                                                                           \
  static void NAME##_sv(const T *restrict a, const T *restrict b,             \
                        T *restrict o, ptrdiff_t n) {                         \
    const T x = *a;                                                           \
    for (ptrdiff_t i = 0; i < n; ++i) { const T y = b[i]; o[i] = (EXPR); }     \
  }

#define EAGER_MAXE(x, y) (((x) > (y) || (x) != (x)) ? (x) : (y))
#define EAGER_MINE(x, y) (((x) < (y) || (x) != (x)) ? (x) : (y))

EAGER_LOOPS(float, f32_add, x + y)
EAGER_LOOPS(float, f32_sub, x - y)
EAGER_LOOPS(float, f32_mul, x * y)
EAGER_LOOPS(float, f32_div, x / y)
EAGER_LOOPS(float, f32_max, EAGER_MAXE(x, y))
EAGER_LOOPS(float, f32_min, EAGER_MINE(x, y))
EAGER_LOOPS(double, f64_add, x + y)
EAGER_LOOPS(double, f64_sub, x - y)
EAGER_LOOPS(double, f64_mul, x * y)
EAGER_LOOPS(double, f64_div, x / y)
EAGER_LOOPS(double, f64_max, EAGER_MAXE(x, y))
EAGER_LOOPS(double, f64_min, EAGER_MINE(x, y))
EAGER_LOOPS(int32_t, i32_add, (int32_t)((uint32_t)x + (uint32_t)y))
EAGER_LOOPS(int32_t, i32_sub, (int32_t)((uint32_t)x - (uint32_t)y))
EAGER_LOOPS(int32_t, i32_mul, (int32_t)((uint32_t)x * (uint32_t)y))
EAGER_LOOPS(int32_t, i32_max, (x > y ? x : y))
EAGER_LOOPS(int32_t, i32_min, (x < y ? x : y))
EAGER_LOOPS(int64_t, i64_add, (int64_t)((uint64_t)x + (uint64_t)y))
EAGER_LOOPS(int64_t, i64_sub, (int64_t)((uint64_t)x - (uint64_t)y))
EAGER_LOOPS(int64_t, i64_mul, (int64_t)((uint64_t)x * (uint64_t)y))
EAGER_LOOPS(int64_t, i64_max, (x > y ? x : y))
EAGER_LOOPS(int64_t, i64_min, (x < y ? x : y))

typedef void (*eager_loop_fn)(const void *, const void *, void *, ptrdiff_t);

#define EAGER_ROW(P) { (eager_loop_fn)P##_vv, (eager_loop_fn)P##_vs, (eager_loop_fn)P##_sv }
#define EAGER_NONE { 0, 0, 0 }

/* [kind][op][mode]; kind 0 float32, 1 float64, 2 int32, 3 int64. */
static const eager_loop_fn eager_fast_table[4][EAGER_FAST_NOPS][3] = {
  { EAGER_ROW(f32_add), EAGER_ROW(f32_sub), EAGER_ROW(f32_mul), EAGER_ROW(f32_div),
    EAGER_ROW(f32_max), EAGER_ROW(f32_min) },
  { EAGER_ROW(f64_add), EAGER_ROW(f64_sub), EAGER_ROW(f64_mul), EAGER_ROW(f64_div),
    EAGER_ROW(f64_max), EAGER_ROW(f64_min) },
  { EAGER_ROW(i32_add), EAGER_ROW(i32_sub), EAGER_ROW(i32_mul), EAGER_NONE,
    EAGER_ROW(i32_max), EAGER_ROW(i32_min) },
  { EAGER_ROW(i64_add), EAGER_ROW(i64_sub), EAGER_ROW(i64_mul), EAGER_NONE,
    EAGER_ROW(i64_max), EAGER_ROW(i64_min) },
};

/* Returns 0 when the loop ran, -1 when there is none for this op/dtype. */
static inline int eager_fast_binary(int kind, int op, int mode, const void *a,
                                    const void *b, void *o, ptrdiff_t n) {
  if (kind < 0 || kind > 3 || op < 0 || op >= EAGER_FAST_NOPS || mode < 0 || mode > 2)
    return -1;
  eager_loop_fn f = eager_fast_table[kind][op][mode];
  if (!f) return -1;
  f(a, b, o, n);
  return 0;
}

/* Unary loops: [kind][op]; kind as above, NULL where the op has no loop
 * (sqrt and reciprocal of integers). */
enum { EAGER_FAST_NEG = 0, EAGER_FAST_SQUARE = 1, EAGER_FAST_ABS = 2,
       EAGER_FAST_SQRT = 3, EAGER_FAST_RECIP = 4, EAGER_FAST_NUOPS = 5 };

#define EAGER_ULOOP(T, NAME, EXPR)                                               \
  static void NAME(const T *restrict a, T *restrict o, ptrdiff_t n) {           \
    for (ptrdiff_t i = 0; i < n; ++i) { const T x = a[i]; o[i] = (EXPR); }        \
  }

EAGER_ULOOP(float, f32_neg, -x)
EAGER_ULOOP(float, f32_square, x * x)
EAGER_ULOOP(float, f32_abs, __builtin_fabsf(x))
EAGER_ULOOP(float, f32_sqrt, __builtin_sqrtf(x))
EAGER_ULOOP(float, f32_recip, 1.0f / x)
EAGER_ULOOP(double, f64_neg, -x)
EAGER_ULOOP(double, f64_square, x * x)
EAGER_ULOOP(double, f64_abs, __builtin_fabs(x))
EAGER_ULOOP(double, f64_sqrt, __builtin_sqrt(x))
EAGER_ULOOP(double, f64_recip, 1.0 / x)
EAGER_ULOOP(int32_t, i32_neg, (int32_t)(0u - (uint32_t)x))
EAGER_ULOOP(int32_t, i32_square, (int32_t)((uint32_t)x * (uint32_t)x))
EAGER_ULOOP(int32_t, i32_abs, (x < 0 ? (int32_t)(0u - (uint32_t)x) : x))
EAGER_ULOOP(int64_t, i64_neg, (int64_t)(0ull - (uint64_t)x))
EAGER_ULOOP(int64_t, i64_square, (int64_t)((uint64_t)x * (uint64_t)x))
EAGER_ULOOP(int64_t, i64_abs, (x < 0 ? (int64_t)(0ull - (uint64_t)x) : x))

typedef void (*eager_uloop_fn)(const void *, void *, ptrdiff_t);
#define EAGER_U(P) ((eager_uloop_fn)P)

static const eager_uloop_fn eager_fast_utable[4][EAGER_FAST_NUOPS] = {
  { EAGER_U(f32_neg), EAGER_U(f32_square), EAGER_U(f32_abs), EAGER_U(f32_sqrt), EAGER_U(f32_recip) },
  { EAGER_U(f64_neg), EAGER_U(f64_square), EAGER_U(f64_abs), EAGER_U(f64_sqrt), EAGER_U(f64_recip) },
  { EAGER_U(i32_neg), EAGER_U(i32_square), EAGER_U(i32_abs), 0, 0 },
  { EAGER_U(i64_neg), EAGER_U(i64_square), EAGER_U(i64_abs), 0, 0 },
};

static inline int eager_fast_unary(int kind, int op, const void *a, void *o, ptrdiff_t n) {
  if (kind < 0 || kind > 3 || op < 0 || op >= EAGER_FAST_NUOPS) return -1;
  eager_uloop_fn f = eager_fast_utable[kind][op];
  if (!f) return -1;
  f(a, o, n);
  return 0;
}
#endif
