// Elementwise unary ops on contiguous storage (every DeviceArray is
// C-contiguous): eager_<op>_<dtype>(x, out, n, alpha), alpha being the op's
// one scalar attribute where it has one (leaky_relu), else unused.
#include "eager_common.cuh"

#define EAGER_UNARY(NAME, SUF, T, R, EXPR)                                             \
  extern "C" __global__ void eager_##NAME##_##SUF(const T* __restrict__ in,           \
                                                  R* __restrict__ out, i64 n,         \
                                                  double alpha) {                     \
    i64 base = eager_flat_base();                                                     \
    _Pragma("unroll") for (int k = 0; k < EAGER_UNROLL; ++k) {                        \
      i64 i = base + (i64)k * blockDim.x;                                             \
      if (i < n) {                                                                    \
        T x = in[i];                                                                  \
        out[i] = (R)(EXPR);                                                           \
      }                                                                               \
    }                                                                                 \
  }

template <typename T> __device__ __forceinline__ T sigmoid_(T x) {
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  T e = exp(x);
  return e / (T(1) + e);
}
template <typename T> __device__ __forceinline__ T softplus_(T x) {
  return log1p(exp(-fabs(x))) + (x > T(0) ? x : T(0));
}
template <typename T> __device__ __forceinline__ T sign_(T x) {
  return eager_isnan(x) ? x : (T)((x > T(0)) - (x < T(0)));
}

#define EAGER_FLOAT_UNARY(SUF, T)                                                     \
  EAGER_UNARY(negative, SUF, T, T, -x)                                                \
  EAGER_UNARY(abs, SUF, T, T, fabs(x))                                                \
  EAGER_UNARY(sign, SUF, T, T, sign_<T>(x))                                           \
  EAGER_UNARY(square, SUF, T, T, x * x)                                               \
  EAGER_UNARY(sqrt, SUF, T, T, sqrt(x))                                               \
  EAGER_UNARY(rsqrt, SUF, T, T, rsqrt(x))                                             \
  EAGER_UNARY(reciprocal, SUF, T, T, T(1) / x)                                        \
  EAGER_UNARY(exp, SUF, T, T, exp(x))                                                 \
  EAGER_UNARY(expm1, SUF, T, T, expm1(x))                                             \
  EAGER_UNARY(log, SUF, T, T, log(x))                                                 \
  EAGER_UNARY(log1p, SUF, T, T, log1p(x))                                             \
  EAGER_UNARY(sin, SUF, T, T, sin(x))                                                 \
  EAGER_UNARY(cos, SUF, T, T, cos(x))                                                 \
  EAGER_UNARY(tan, SUF, T, T, tan(x))                                                 \
  EAGER_UNARY(asin, SUF, T, T, asin(x))                                               \
  EAGER_UNARY(acos, SUF, T, T, acos(x))                                               \
  EAGER_UNARY(atan, SUF, T, T, atan(x))                                               \
  EAGER_UNARY(sinh, SUF, T, T, sinh(x))                                               \
  EAGER_UNARY(cosh, SUF, T, T, cosh(x))                                               \
  EAGER_UNARY(tanh, SUF, T, T, tanh(x))                                               \
  EAGER_UNARY(sigmoid, SUF, T, T, sigmoid_<T>(x))                                     \
  EAGER_UNARY(erf, SUF, T, T, erf(x))                                                 \
  EAGER_UNARY(erfc, SUF, T, T, erfc(x))                                               \
  EAGER_UNARY(lgamma, SUF, T, T, lgamma(x))                                           \
  EAGER_UNARY(floor, SUF, T, T, floor(x))                                             \
  EAGER_UNARY(ceil, SUF, T, T, ceil(x))                                               \
  EAGER_UNARY(round, SUF, T, T, rint(x))                                              \
  EAGER_UNARY(is_nan, SUF, T, bool, isnan(x))                                         \
  EAGER_UNARY(is_inf, SUF, T, bool, isinf(x))                                         \
  EAGER_UNARY(is_finite, SUF, T, bool, isfinite(x))                                   \
  EAGER_UNARY(relu, SUF, T, T, x > T(0) ? x : T(0))                                   \
  EAGER_UNARY(relu6, SUF, T, T, x > T(0) ? (x < T(6) ? x : T(6)) : T(0))              \
  EAGER_UNARY(leaky_relu, SUF, T, T, x > T(0) ? x : (T)alpha * x)                     \
  EAGER_UNARY(elu, SUF, T, T, x > T(0) ? x : expm1(x))                                \
  EAGER_UNARY(selu, SUF, T, T,                                                        \
              T(1.0507009873554804934193349852946) *                                  \
                  (x > T(0) ? x : T(1.6732632423543772848170429916717) * expm1(x)))   \
  EAGER_UNARY(softplus, SUF, T, T, softplus_<T>(x))                                   \
  EAGER_UNARY(softsign, SUF, T, T, x / (T(1) + fabs(x)))

EAGER_FLOAT_UNARY(float32, float)
EAGER_FLOAT_UNARY(float64, double)

#define EAGER_INT_UNARY(SUF, T)                                                       \
  EAGER_UNARY(negative, SUF, T, T, -x)                                                \
  EAGER_UNARY(abs, SUF, T, T, x < 0 ? -x : x)                                         \
  EAGER_UNARY(sign, SUF, T, T, (T)((x > 0) - (x < 0)))                                \
  EAGER_UNARY(square, SUF, T, T, x * x)                                               \
  EAGER_UNARY(round, SUF, T, T, x)                                                    \
  EAGER_UNARY(relu, SUF, T, T, x > 0 ? x : 0)                                         \
  EAGER_UNARY(relu6, SUF, T, T, x > 0 ? (x < 6 ? x : 6) : 0)                          \
  EAGER_UNARY(invert, SUF, T, T, ~x)

EAGER_INT_UNARY(int32, int)
EAGER_INT_UNARY(int64, i64)
EAGER_UNARY(invert, uint8, unsigned char, unsigned char, (unsigned char)~x)
EAGER_UNARY(logical_not, bool, bool, bool, !x)
EAGER_UNARY(invert, bool, bool, bool, !x)

// Casts between the dtypes the backend stores. float16 goes through float.
template <typename D, typename S> struct Cvt {
  static __device__ __forceinline__ D f(S s) { return static_cast<D>(s); }
};
template <typename S> struct Cvt<bool, S> {
  static __device__ __forceinline__ bool f(S s) { return s != S(0); }
};
template <> struct Cvt<bool, bool> {
  static __device__ __forceinline__ bool f(bool s) { return s; }
};
template <typename S> struct Cvt<__half, S> {
  static __device__ __forceinline__ __half f(S s) { return __float2half((float)s); }
};
template <> struct Cvt<__half, double> {
  static __device__ __forceinline__ __half f(double s) { return __double2half(s); }
};
template <> struct Cvt<__half, __half> {
  static __device__ __forceinline__ __half f(__half s) { return s; }
};
template <typename D> struct Cvt<D, __half> {
  static __device__ __forceinline__ D f(__half s) { return static_cast<D>(__half2float(s)); }
};
template <> struct Cvt<bool, __half> {
  static __device__ __forceinline__ bool f(__half s) { return __half2float(s) != 0.f; }
};

#define EAGER_CAST(SS, S, DS, D) EAGER_UNARY(cast_##SS, DS, S, D, (Cvt<D, S>::f(x)))
#define EAGER_CAST_FROM(SS, S)                 \
  EAGER_CAST(SS, S, bool, bool)                \
  EAGER_CAST(SS, S, uint8, unsigned char)      \
  EAGER_CAST(SS, S, int8, signed char)         \
  EAGER_CAST(SS, S, int16, short)              \
  EAGER_CAST(SS, S, uint16, unsigned short)    \
  EAGER_CAST(SS, S, int32, int)                \
  EAGER_CAST(SS, S, int64, i64)                \
  EAGER_CAST(SS, S, float16, __half)           \
  EAGER_CAST(SS, S, float32, float)            \
  EAGER_CAST(SS, S, float64, double)
EAGER_CAST_FROM(bool, bool)
EAGER_CAST_FROM(uint8, unsigned char)
EAGER_CAST_FROM(int8, signed char)
EAGER_CAST_FROM(int16, short)
EAGER_CAST_FROM(uint16, unsigned short)
EAGER_CAST_FROM(int32, int)
EAGER_CAST_FROM(int64, i64)
EAGER_CAST_FROM(float16, __half)
EAGER_CAST_FROM(float32, float)
EAGER_CAST_FROM(float64, double)
