// Elementwise binary ops with NumPy broadcasting: a flat kernel for equal
// shapes or a scalar operand (element strides 0 or 1), and nd32/nd64
// kernels that walk the collapsed output shape with per-input strides.
// Entry points: eager_<op>_<dtype>[_nd32|_nd64].
#include "eager_common.cuh"

template <typename T> __device__ __forceinline__ T floordiv_(T a, T b) {
  if (b == 0) return 0;
  T q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
  return q;
}
template <> __device__ __forceinline__ float floordiv_<float>(float a, float b) { return floorf(a / b); }
template <> __device__ __forceinline__ double floordiv_<double>(double a, double b) { return floor(a / b); }

template <typename T> __device__ __forceinline__ T floormod_(T a, T b) {
  if (b == 0) return 0;
  T r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
template <> __device__ __forceinline__ float floormod_<float>(float a, float b) {
  float r = fmodf(a, b);
  if (r != 0.f && ((r < 0.f) != (b < 0.f))) r += b;
  return r;
}
template <> __device__ __forceinline__ double floormod_<double>(double a, double b) {
  double r = fmod(a, b);
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) r += b;
  return r;
}

template <typename T> __device__ __forceinline__ T pow_(T a, T b) {
  // Integer power by squaring; negative exponents give 0 except for |a| == 1.
  if (b < 0) return (a == 1) ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
  T r = 1;
  while (b) {
    if (b & 1) r *= a;
    a *= a;
    b >>= 1;
  }
  return r;
}
template <> __device__ __forceinline__ float pow_<float>(float a, float b) { return powf(a, b); }
template <> __device__ __forceinline__ double pow_<double>(double a, double b) { return pow(a, b); }

// NumPy's maximum/minimum propagate NaN.
template <typename T> __device__ __forceinline__ T max_(T a, T b) {
  return (eager_isnan(a) || a > b) ? a : (eager_isnan(b) ? b : (a > b ? a : b));
}
template <typename T> __device__ __forceinline__ T min_(T a, T b) {
  return (eager_isnan(a) || a < b) ? a : (eager_isnan(b) ? b : (a < b ? a : b));
}

#define EAGER_BINARY(NAME, SUF, T, R, EXPR)                                              \
  extern "C" __global__ void eager_##NAME##_##SUF(const T* __restrict__ a,              \
                                                  const T* __restrict__ b,              \
                                                  R* __restrict__ out, i64 n, i64 sa,   \
                                                  i64 sb) {                             \
    i64 base = eager_flat_base();                                                       \
    _Pragma("unroll") for (int k = 0; k < EAGER_UNROLL; ++k) {                          \
      i64 i = base + (i64)k * blockDim.x;                                               \
      if (i < n) {                                                                      \
        T x = a[i * sa];                                                                \
        T y = b[i * sb];                                                                \
        out[i] = (R)(EXPR);                                                             \
      }                                                                                 \
    }                                                                                   \
  }                                                                                     \
  extern "C" __global__ void eager_##NAME##_##SUF##_nd32(                               \
      const T* __restrict__ a, const T* __restrict__ b, R* __restrict__ out, i64 n,     \
      NdArgs<int> p) {                                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                     \
         i += (i64)blockDim.x * gridDim.x) {                                            \
      int oa, ob;                                                                       \
      nd_offsets<int>(p, (int)i, oa, ob);                                               \
      T x = a[oa];                                                                      \
      T y = b[ob];                                                                      \
      out[i] = (R)(EXPR);                                                               \
    }                                                                                   \
  }                                                                                     \
  extern "C" __global__ void eager_##NAME##_##SUF##_nd64(                               \
      const T* __restrict__ a, const T* __restrict__ b, R* __restrict__ out, i64 n,     \
      NdArgs<i64> p) {                                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                     \
         i += (i64)blockDim.x * gridDim.x) {                                            \
      i64 oa, ob;                                                                       \
      nd_offsets<i64>(p, i, oa, ob);                                                    \
      T x = a[oa];                                                                      \
      T y = b[ob];                                                                      \
      out[i] = (R)(EXPR);                                                               \
    }                                                                                   \
  }

// Arithmetic on every numeric dtype the backend keeps.
#define EAGER_ARITH(SUF, T)                                         \
  EAGER_BINARY(add, SUF, T, T, x + y)                               \
  EAGER_BINARY(subtract, SUF, T, T, x - y)                          \
  EAGER_BINARY(multiply, SUF, T, T, x * y)                          \
  EAGER_BINARY(maximum, SUF, T, T, max_<T>(x, y))                   \
  EAGER_BINARY(minimum, SUF, T, T, min_<T>(x, y))                   \
  EAGER_BINARY(squared_difference, SUF, T, T, (x - y) * (x - y))    \
  EAGER_BINARY(floordiv, SUF, T, T, floordiv_<T>(x, y))             \
  EAGER_BINARY(floormod, SUF, T, T, floormod_<T>(x, y))             \
  EAGER_BINARY(pow, SUF, T, T, pow_<T>(x, y))                       \
  EAGER_BINARY(equal, SUF, T, bool, x == y)                         \
  EAGER_BINARY(not_equal, SUF, T, bool, x != y)                     \
  EAGER_BINARY(less, SUF, T, bool, x < y)                           \
  EAGER_BINARY(less_equal, SUF, T, bool, x <= y)                    \
  EAGER_BINARY(greater, SUF, T, bool, x > y)                        \
  EAGER_BINARY(greater_equal, SUF, T, bool, x >= y)

EAGER_ARITH(float32, float)
EAGER_ARITH(float64, double)
EAGER_ARITH(int32, int)
EAGER_ARITH(int64, i64)

EAGER_BINARY(divide, float32, float, float, x / y)
EAGER_BINARY(divide, float64, double, double, x / y)
EAGER_BINARY(atan2, float32, float, float, atan2f(x, y))
EAGER_BINARY(atan2, float64, double, double, atan2(x, y))
// relu's gradient: (g, relu output) -> g where the output is positive.
EAGER_BINARY(relu_grad, float32, float, float, y > 0.f ? x : 0.f)
EAGER_BINARY(relu_grad, float64, double, double, y > 0.0 ? x : 0.0)

// Comparisons of the small integer types and bool.
#define EAGER_COMPARE(SUF, T)                        \
  EAGER_BINARY(equal, SUF, T, bool, x == y)          \
  EAGER_BINARY(not_equal, SUF, T, bool, x != y)      \
  EAGER_BINARY(less, SUF, T, bool, x < y)            \
  EAGER_BINARY(less_equal, SUF, T, bool, x <= y)     \
  EAGER_BINARY(greater, SUF, T, bool, x > y)         \
  EAGER_BINARY(greater_equal, SUF, T, bool, x >= y)
EAGER_COMPARE(uint8, unsigned char)
EAGER_COMPARE(int8, signed char)
EAGER_COMPARE(int16, short)

EAGER_BINARY(equal, bool, bool, bool, x == y)
EAGER_BINARY(not_equal, bool, bool, bool, x != y)
EAGER_BINARY(logical_and, bool, bool, bool, x && y)
EAGER_BINARY(logical_or, bool, bool, bool, x || y)
EAGER_BINARY(logical_xor, bool, bool, bool, x != y)

// where(cond, a, b) by element width, with broadcasting of all three.
struct NdArgs3 {
  i64 shape[EAGER_MAXD];
  i64 sa[EAGER_MAXD];
  i64 sb[EAGER_MAXD];
  i64 sc[EAGER_MAXD];
  int ndim;
};

#define EAGER_SELECT(W, T)                                                                \
  extern "C" __global__ void eager_select_w##W(const T* __restrict__ a,                 \
                                               const T* __restrict__ b,                 \
                                               const bool* __restrict__ c,              \
                                               T* __restrict__ out, i64 n, NdArgs3 p) { \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                     \
         i += (i64)blockDim.x * gridDim.x) {                                            \
      i64 r = i, oa = 0, ob = 0, oc = 0;                                                \
      for (int d = p.ndim - 1; d >= 0; --d) {                                           \
        i64 q = r % p.shape[d];                                                         \
        r /= p.shape[d];                                                                \
        oa += q * p.sa[d];                                                              \
        ob += q * p.sb[d];                                                              \
        oc += q * p.sc[d];                                                              \
      }                                                                                 \
      out[i] = c[oc] ? a[oa] : b[ob];                                                   \
    }                                                                                   \
  }
struct eager_w16 { u64 lo, hi; };
EAGER_SELECT(1, unsigned char)
EAGER_SELECT(2, unsigned short)
EAGER_SELECT(4, unsigned int)
EAGER_SELECT(8, u64)
EAGER_SELECT(16, eager_w16)
