// Reductions. A reduction's input is seen, after collapsing dimensions, as
// [outer, red] ("rows": one block per row and chunk) or [outer, red, inner]
// ("cols": a 32x8 block per 32 columns, coalesced along inner). With
// chunks > 1 each block reduces one chunk of red into a partial result of the
// accumulator type and a second launch reduces the partials.
// Entry points: eager_reduce_<op>_<in>_<out>_{rows,cols}.
#include "eager_common.cuh"

template <typename A> struct SumOp {
  static __device__ __forceinline__ A init() { return A(0); }
  static __device__ __forceinline__ A apply(A a, A b) { return a + b; }
};
template <typename A> struct ProdOp {
  static __device__ __forceinline__ A init() { return A(1); }
  static __device__ __forceinline__ A apply(A a, A b) { return a * b; }
};
template <typename A> struct MaxOp {
  static __device__ __forceinline__ A init();
  static __device__ __forceinline__ A apply(A a, A b) {
    return (eager_isnan(a) || a > b) ? a : b;
  }
};
template <typename A> struct MinOp {
  static __device__ __forceinline__ A init();
  static __device__ __forceinline__ A apply(A a, A b) {
    return (eager_isnan(a) || a < b) ? a : b;
  }
};
template <> __device__ __forceinline__ float MaxOp<float>::init() { return -INFINITY; }
template <> __device__ __forceinline__ double MaxOp<double>::init() { return -INFINITY; }
template <> __device__ __forceinline__ int MaxOp<int>::init() { return (int)0x80000000; }
template <> __device__ __forceinline__ i64 MaxOp<i64>::init() { return (i64)0x8000000000000000ULL; }
template <> __device__ __forceinline__ unsigned char MaxOp<unsigned char>::init() { return 0; }
template <> __device__ __forceinline__ float MinOp<float>::init() { return INFINITY; }
template <> __device__ __forceinline__ double MinOp<double>::init() { return INFINITY; }
template <> __device__ __forceinline__ int MinOp<int>::init() { return 0x7fffffff; }
template <> __device__ __forceinline__ i64 MinOp<i64>::init() { return 0x7fffffffffffffffLL; }
template <> __device__ __forceinline__ unsigned char MinOp<unsigned char>::init() { return 1; }

// count > 0: the mean (integer division truncates toward zero, as TF).
template <typename A> __device__ __forceinline__ A finish(A acc, i64 count) {
  return count > 0 ? acc / (A)count : acc;
}

// Block-wide reduction; every thread of the block must call it.
template <typename Op, typename A>
__device__ __forceinline__ A block_reduce(A v, A* shared) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v = Op::apply(v, __shfl_down_sync(0xffffffff, v, o));
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  const int nwarps = (blockDim.x + 31) >> 5;
  v = (threadIdx.x < nwarps) ? shared[threadIdx.x] : Op::init();
  if (warp == 0)
    for (int o = 16; o > 0; o >>= 1) v = Op::apply(v, __shfl_down_sync(0xffffffff, v, o));
  __syncthreads();
  return v;  // valid in thread 0
}

// x is [rows, cols]; block b reduces chunk (b % chunks) of row (b / chunks).
template <typename Op, typename T, typename A, typename R>
__device__ void reduce_rows(const T* __restrict__ x, R* __restrict__ out, i64 rows, i64 cols,
                            i64 chunks, i64 chunk_len, i64 count) {
  __shared__ A shared[32];
  for (i64 b = blockIdx.x; b < rows * chunks; b += gridDim.x) {
    const i64 r = b / chunks, c = b % chunks;
    const i64 lo = c * chunk_len;
    const i64 hi = lo + chunk_len < cols ? lo + chunk_len : cols;
    const T* row = x + r * cols;
    A acc = Op::init();
    for (i64 j = lo + threadIdx.x; j < hi; j += blockDim.x) acc = Op::apply(acc, (A)row[j]);
    acc = block_reduce<Op, A>(acc, shared);
    if (threadIdx.x == 0) out[b] = (R)finish<A>(acc, count);
  }
}

// x is [outer, red, inner]; blockDim (32, 8). Block (bx, by) reduces columns
// bx*32.. of chunk (by % chunks) of slab (by / chunks); out is
// [outer, chunks, inner].
template <typename Op, typename T, typename A, typename R>
__device__ void reduce_cols(const T* __restrict__ x, R* __restrict__ out, i64 outer, i64 red,
                            i64 inner, i64 chunks, i64 chunk_len, i64 count) {
  __shared__ A shared[8][33];
  const i64 k = (i64)blockIdx.x * 32 + threadIdx.x;
  for (i64 b = blockIdx.y; b < outer * chunks; b += gridDim.y) {
    const i64 o = b / chunks, c = b % chunks;
    const i64 lo = c * chunk_len;
    const i64 hi = lo + chunk_len < red ? lo + chunk_len : red;
    A acc = Op::init();
    if (k < inner)
      for (i64 j = lo + threadIdx.y; j < hi; j += 8) acc = Op::apply(acc, (A)x[(o * red + j) * inner + k]);
    shared[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0) {
      for (int t = 1; t < 8; ++t) acc = Op::apply(acc, shared[t][threadIdx.x]);
      if (k < inner) out[b * inner + k] = (R)finish<A>(acc, count);
    }
    __syncthreads();
  }
}

#define EAGER_REDUCE(OPN, OP, TS, T, AS, A, RS, R)                                        \
  extern "C" __global__ void eager_reduce_##OPN##_##TS##_##RS##_rows(                      \
      const T* x, R* out, i64 rows, i64 cols, i64 chunks, i64 chunk_len, i64 count) {      \
    reduce_rows<OP<A>, T, A, R>(x, out, rows, cols, chunks, chunk_len, count);             \
  }                                                                                        \
  extern "C" __global__ void eager_reduce_##OPN##_##TS##_##RS##_cols(                      \
      const T* x, R* out, i64 outer, i64 red, i64 inner, i64 chunks, i64 chunk_len,        \
      i64 count) {                                                                         \
    reduce_cols<OP<A>, T, A, R>(x, out, outer, red, inner, chunks, chunk_len, count);      \
  }

// Floats accumulate in their own type; integers in int64 (an int32 sum
// that wraps has the same low 32 bits as the int64 sum, cast back).
#define EAGER_REDUCE_SAME(TS, T)                       \
  EAGER_REDUCE(sum, SumOp, TS, T, TS, T, TS, T)        \
  EAGER_REDUCE(prod, ProdOp, TS, T, TS, T, TS, T)      \
  EAGER_REDUCE(max, MaxOp, TS, T, TS, T, TS, T)        \
  EAGER_REDUCE(min, MinOp, TS, T, TS, T, TS, T)
EAGER_REDUCE_SAME(float32, float)
EAGER_REDUCE_SAME(float64, double)
EAGER_REDUCE_SAME(int64, i64)
EAGER_REDUCE(sum, SumOp, int32, int, int64, i64, int32, int)
EAGER_REDUCE(sum, SumOp, int32, int, int64, i64, int64, i64)
EAGER_REDUCE(prod, ProdOp, int32, int, int64, i64, int32, int)
EAGER_REDUCE(prod, ProdOp, int32, int, int64, i64, int64, i64)
EAGER_REDUCE(max, MaxOp, int32, int, int32, int, int32, int)
EAGER_REDUCE(min, MinOp, int32, int, int32, int, int32, int)
// Second passes over int64 partials of an int32 reduction.
EAGER_REDUCE(sum, SumOp, int64, i64, int64, i64, int32, int)
EAGER_REDUCE(prod, ProdOp, int64, i64, int64, i64, int32, int)
// any/all on bool (stored as bytes 0/1) are max/min.
EAGER_REDUCE(max, MaxOp, bool, unsigned char, uint8, unsigned char, bool, unsigned char)
EAGER_REDUCE(min, MinOp, bool, unsigned char, uint8, unsigned char, bool, unsigned char)

// argmax/argmin along the middle axis of [outer, red, inner]: one thread per
// output; the first index among ties; NaN counts as the extreme (NumPy).
#define EAGER_ARG(OPN, CMP, TS, T, RS, R)                                                  \
  extern "C" __global__ void eager_arg##OPN##_##TS##_##RS(const T* __restrict__ x,         \
                                                         R* __restrict__ out, i64 outer,   \
                                                         i64 red, i64 inner) {             \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < outer * inner;            \
         i += (i64)blockDim.x * gridDim.x) {                                               \
      const i64 o = i / inner, k = i % inner;                                              \
      const T* p = x + o * red * inner + k;                                                \
      T best = p[0];                                                                       \
      i64 bi = 0;                                                                          \
      if (!eager_isnan(best))                                                              \
        for (i64 j = 1; j < red; ++j) {                                                    \
          T v = p[j * inner];                                                              \
          if (eager_isnan(v)) { bi = j; break; }                                           \
          if (v CMP best) { best = v; bi = j; }                                            \
        }                                                                                  \
      out[i] = (R)bi;                                                                      \
    }                                                                                      \
  }
#define EAGER_ARGS(TS, T)                      \
  EAGER_ARG(max, >, TS, T, int64, i64)         \
  EAGER_ARG(max, >, TS, T, int32, int)         \
  EAGER_ARG(min, <, TS, T, int64, i64)         \
  EAGER_ARG(min, <, TS, T, int32, int)
EAGER_ARGS(float32, float)
EAGER_ARGS(float64, double)
EAGER_ARGS(int32, int)
EAGER_ARGS(int64, i64)
