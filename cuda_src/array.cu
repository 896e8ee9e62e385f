// Data movement: strided copies (transpose, broadcast_to, slices, reverse,
// tile, concat, pad ... are all one strided copy, planned in Python), fills,
// gather and its gradient (a scatter-add), one_hot and iota. Kernels that
// only move bytes are instantiated per element width, not per dtype.
#include "eager_common.cuh"

struct eager_w16 { u64 lo, hi; };

// out-of-place copy: dst[dst strides] = src[src strides] over shape
// (p.sa: source element strides, may be 0 or negative; p.sb: destination).
#define EAGER_COPY(W, T)                                                                   \
  extern "C" __global__ void eager_copy_w##W##_nd32(const T* __restrict__ src,            \
                                                   T* __restrict__ dst, i64 n,            \
                                                   NdArgs<int> p) {                       \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      int oa, ob;                                                                         \
      nd_offsets<int>(p, (int)i, oa, ob);                                                 \
      dst[ob] = src[oa];                                                                  \
    }                                                                                     \
  }                                                                                       \
  extern "C" __global__ void eager_copy_w##W##_nd64(const T* __restrict__ src,            \
                                                   T* __restrict__ dst, i64 n,            \
                                                   NdArgs<i64> p) {                       \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      i64 oa, ob;                                                                         \
      nd_offsets<i64>(p, i, oa, ob);                                                      \
      dst[ob] = src[oa];                                                                  \
    }                                                                                     \
  }                                                                                       \
  extern "C" __global__ void eager_fill_w##W(T* __restrict__ out, i64 n, T value) {       \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x)                                                \
      out[i] = value;                                                                     \
  }                                                                                       \
  /* params [outer, P, inner] gathered along the middle axis by indices     */            \
  /* [n_idx] into out [outer, n_idx, inner]; out-of-range indices give 0     */            \
  /* (the host checks them before the launch when it can).                  */            \
  extern "C" __global__ void eager_gather_w##W##_i32(const T* __restrict__ params,        \
                                                    const int* __restrict__ idx,          \
                                                    T* __restrict__ out, i64 outer,       \
                                                    i64 P, i64 n_idx, i64 inner) {        \
    const i64 n = outer * n_idx * inner;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 k = i % inner, j = (i / inner) % n_idx, o = i / (inner * n_idx);          \
      const i64 s = idx[j];                                                               \
      if (s >= 0 && s < P) out[i] = params[(o * P + s) * inner + k];                      \
      else { T z; memset(&z, 0, sizeof(T)); out[i] = z; }                                 \
    }                                                                                     \
  }                                                                                       \
  extern "C" __global__ void eager_gather_w##W##_i64(const T* __restrict__ params,        \
                                                    const i64* __restrict__ idx,          \
                                                    T* __restrict__ out, i64 outer,       \
                                                    i64 P, i64 n_idx, i64 inner) {        \
    const i64 n = outer * n_idx * inner;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 k = i % inner, j = (i / inner) % n_idx, o = i / (inner * n_idx);          \
      const i64 s = idx[j];                                                               \
      if (s >= 0 && s < P) out[i] = params[(o * P + s) * inner + k];                      \
      else { T z; memset(&z, 0, sizeof(T)); out[i] = z; }                                 \
    }                                                                                     \
  }
EAGER_COPY(1, unsigned char)
EAGER_COPY(2, unsigned short)
EAGER_COPY(4, unsigned int)
EAGER_COPY(8, u64)
EAGER_COPY(16, eager_w16)

// The gradient of gather: out [outer, P, inner] (zeroed by the caller) +=
// g [outer, n_idx, inner] at the gathered rows; atomics, since indices repeat.
#define EAGER_SCATTER_ADD(TS, T, IS, I)                                                    \
  extern "C" __global__ void eager_scatter_add_##TS##_##IS(const T* __restrict__ g,       \
                                                          const I* __restrict__ idx,      \
                                                          T* __restrict__ out, i64 outer, \
                                                          i64 P, i64 n_idx, i64 inner) {  \
    const i64 n = outer * n_idx * inner;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 k = i % inner, j = (i / inner) % n_idx, o = i / (inner * n_idx);          \
      const i64 s = idx[j];                                                               \
      if (s >= 0 && s < P) atomicAdd(&out[(o * P + s) * inner + k], g[i]);                \
    }                                                                                     \
  }
EAGER_SCATTER_ADD(float32, float, int32, int)
EAGER_SCATTER_ADD(float32, float, int64, i64)
EAGER_SCATTER_ADD(float64, double, int32, int)
EAGER_SCATTER_ADD(float64, double, int64, i64)

// one_hot: out [outer, depth, inner] is on where idx[outer, inner] == d.
#define EAGER_ONE_HOT(W, T, IS, I)                                                         \
  extern "C" __global__ void eager_one_hot_w##W##_##IS(const I* __restrict__ idx,         \
                                                      T* __restrict__ out, i64 outer,     \
                                                      i64 depth, i64 inner, T on, T off) { \
    const i64 n = outer * depth * inner;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 k = i % inner, d = (i / inner) % depth, o = i / (inner * depth);          \
      out[i] = ((i64)idx[o * inner + k] == d) ? on : off;                                 \
    }                                                                                     \
  }
EAGER_ONE_HOT(1, unsigned char, uint8, unsigned char)
EAGER_ONE_HOT(1, unsigned char, int32, int)
EAGER_ONE_HOT(1, unsigned char, int64, i64)
EAGER_ONE_HOT(4, unsigned int, uint8, unsigned char)
EAGER_ONE_HOT(4, unsigned int, int32, int)
EAGER_ONE_HOT(4, unsigned int, int64, i64)
EAGER_ONE_HOT(8, u64, uint8, unsigned char)
EAGER_ONE_HOT(8, u64, int32, int)
EAGER_ONE_HOT(8, u64, int64, i64)

// range: out[i] = start + i * delta.
#define EAGER_IOTA(TS, T)                                                                  \
  extern "C" __global__ void eager_iota_##TS(T* __restrict__ out, i64 n, T start, T delta) { \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x)                                                \
      out[i] = start + (T)i * delta;                                                      \
  }
EAGER_IOTA(int32, int)
EAGER_IOTA(int64, i64)
EAGER_IOTA(float32, float)
EAGER_IOTA(float64, double)
