// Shared definitions of eager's CUDA kernels. The Python loader pastes this
// file in place of its #include line (so a compile cache look-up never runs
// the preprocessor); nvcc resolves the include itself when CI compiles a
// .cu file alone.
#pragma once
#include <cuda_fp16.h>
#include <stdint.h>

#define EAGER_MAXD 8

typedef long long i64;
typedef unsigned long long u64;

// A broadcast/strided walk over an output of up to EAGER_MAXD dimensions:
// element strides of two inputs (0 where an input is broadcast). Passed by
// value as one kernel parameter; the Python side packs the same layout.
template <typename I>
struct NdArgs {
  I shape[EAGER_MAXD];
  I sa[EAGER_MAXD];
  I sb[EAGER_MAXD];
  int ndim;
};

// The offsets into a and b of output element i (row-major over shape).
template <typename I>
__device__ __forceinline__ void nd_offsets(const NdArgs<I>& p, I i, I& oa, I& ob) {
  oa = 0;
  ob = 0;
  for (int d = p.ndim - 1; d >= 0; --d) {
    I c = i % p.shape[d];
    i /= p.shape[d];
    oa += c * p.sa[d];
    ob += c * p.sb[d];
  }
}

// Every flat elementwise kernel: each thread handles EAGER_UNROLL elements,
// blockDim apart, so a warp's accesses stay coalesced and several loads are
// in flight before the first store.
#define EAGER_UNROLL 4

__device__ __forceinline__ i64 eager_flat_base() {
  return (i64)blockIdx.x * blockDim.x * EAGER_UNROLL + threadIdx.x;
}

template <typename T> __device__ __forceinline__ bool eager_isnan(T x) { return false; }
template <> __device__ __forceinline__ bool eager_isnan<float>(float x) { return isnan(x); }
template <> __device__ __forceinline__ bool eager_isnan<double>(double x) { return isnan(x); }
