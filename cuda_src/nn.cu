// Neural-network kernels: the softmax family along the last axis (one block
// per row), cross-entropies and their gradients, max/avg pooling forward and
// backward (NHWC), and im2col/col2im for convolution as a GEMM.
#include "eager_common.cuh"

template <typename T> struct MaxF { static __device__ __forceinline__ T f(T a, T b) { return a > b ? a : b; } };
template <typename T> struct AddF { static __device__ __forceinline__ T f(T a, T b) { return a + b; } };

template <typename F, typename T>
__device__ __forceinline__ T block_all(T v, T* shared) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v = F::f(v, __shfl_xor_sync(0xffffffff, v, o));
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  const int nwarps = (blockDim.x + 31) >> 5;
  T r = shared[0];
  for (int w = 1; w < nwarps; ++w) r = F::f(r, shared[w]);
  __syncthreads();
  return r;  // the same in every thread
}

// The row's max (0 when it is not finite, as TensorFlow does, so rows of
// -inf do not give NaN) and log of the sum of exp(x - max).
template <typename T>
__device__ __forceinline__ void row_stats(const T* x, i64 cols, T* shared, T& m, T& lse) {
  T v = -INFINITY;
  for (i64 j = threadIdx.x; j < cols; j += blockDim.x) v = x[j] > v ? x[j] : v;
  m = block_all<MaxF<T>, T>(v, shared);
  if (isinf(m)) m = T(0);
  T s = 0;
  for (i64 j = threadIdx.x; j < cols; j += blockDim.x) s += exp(x[j] - m);
  s = block_all<AddF<T>, T>(s, shared);
  lse = log(s);
}

// mode 0: softmax, 1: log_softmax, 2: logsumexp (out has one value per row).
#define EAGER_SOFTMAX(TS, T)                                                               \
  extern "C" __global__ void eager_softmax_rows_##TS(const T* __restrict__ x,             \
                                                    T* __restrict__ out, i64 rows,        \
                                                    i64 cols, int mode) {                 \
    __shared__ T shared[32];                                                              \
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {                                  \
      const T* xr = x + r * cols;                                                         \
      T m, lse;                                                                           \
      row_stats<T>(xr, cols, shared, m, lse);                                             \
      if (mode == 2) {                                                                    \
        if (threadIdx.x == 0) out[r] = lse + m;                                           \
        continue;                                                                         \
      }                                                                                   \
      T* o = out + r * cols;                                                              \
      for (i64 j = threadIdx.x; j < cols; j += blockDim.x)                                \
        o[j] = mode == 0 ? exp(xr[j] - m - lse) : xr[j] - m - lse;                        \
    }                                                                                     \
  }                                                                                       \
  /* loss[r] = -sum(labels * log_softmax(logits)) */                                      \
  extern "C" __global__ void eager_xent_rows_##TS(const T* __restrict__ x,                \
                                                 const T* __restrict__ y,                 \
                                                 T* __restrict__ loss, i64 rows, i64 cols) { \
    __shared__ T shared[32];                                                              \
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {                                  \
      const T *xr = x + r * cols, *yr = y + r * cols;                                     \
      T m, lse;                                                                           \
      row_stats<T>(xr, cols, shared, m, lse);                                             \
      T s = 0;                                                                            \
      for (i64 j = threadIdx.x; j < cols; j += blockDim.x) s += yr[j] * (xr[j] - m - lse); \
      s = block_all<AddF<T>, T>(s, shared);                                               \
      if (threadIdx.x == 0) loss[r] = -s;                                                 \
    }                                                                                     \
  }                                                                                       \
  /* d logits = g * (softmax * sum(labels) - labels); d labels = -g * log_softmax */      \
  extern "C" __global__ void eager_xent_grad_rows_##TS(                                   \
      const T* __restrict__ g, const T* __restrict__ x, const T* __restrict__ y,          \
      T* __restrict__ dx, T* __restrict__ dy, i64 rows, i64 cols) {                       \
    __shared__ T shared[32];                                                              \
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {                                  \
      const T *xr = x + r * cols, *yr = y + r * cols;                                     \
      T m, lse;                                                                           \
      row_stats<T>(xr, cols, shared, m, lse);                                             \
      T t = 0;                                                                            \
      for (i64 j = threadIdx.x; j < cols; j += blockDim.x) t += yr[j];                    \
      t = block_all<AddF<T>, T>(t, shared);                                               \
      const T gr = g[r];                                                                  \
      for (i64 j = threadIdx.x; j < cols; j += blockDim.x) {                              \
        const T ls = xr[j] - m - lse;                                                     \
        dx[r * cols + j] = gr * (exp(ls) * t - yr[j]);                                    \
        dy[r * cols + j] = -gr * ls;                                                      \
      }                                                                                   \
    }                                                                                     \
  }                                                                                       \
  EAGER_SPARSE(TS, T, int32, int)                                                         \
  EAGER_SPARSE(TS, T, int64, i64)

// Sparse labels; a label outside [0, cols) gives NaN (TensorFlow's GPU kernel).
#define EAGER_SPARSE(TS, T, IS, I)                                                         \
  extern "C" __global__ void eager_sparse_xent_rows_##TS##_##IS(                          \
      const T* __restrict__ x, const I* __restrict__ labels, T* __restrict__ loss,        \
      i64 rows, i64 cols) {                                                               \
    __shared__ T shared[32];                                                              \
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {                                  \
      const T* xr = x + r * cols;                                                         \
      T m, lse;                                                                           \
      row_stats<T>(xr, cols, shared, m, lse);                                             \
      if (threadIdx.x == 0) {                                                             \
        const i64 l = labels[r];                                                          \
        loss[r] = (l >= 0 && l < cols) ? lse + m - xr[l] : T(NAN);                        \
      }                                                                                   \
    }                                                                                     \
  }                                                                                       \
  extern "C" __global__ void eager_sparse_xent_grad_rows_##TS##_##IS(                     \
      const T* __restrict__ g, const T* __restrict__ x, const I* __restrict__ labels,     \
      T* __restrict__ dx, i64 rows, i64 cols) {                                           \
    __shared__ T shared[32];                                                              \
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {                                  \
      const T* xr = x + r * cols;                                                         \
      T m, lse;                                                                           \
      row_stats<T>(xr, cols, shared, m, lse);                                             \
      const i64 l = labels[r];                                                            \
      const bool ok = l >= 0 && l < cols;                                                 \
      const T gr = g[r];                                                                  \
      for (i64 j = threadIdx.x; j < cols; j += blockDim.x)                                \
        dx[r * cols + j] = ok ? gr * (exp(xr[j] - m - lse) - (j == l ? T(1) : T(0))) : T(NAN); \
    }                                                                                     \
  }

EAGER_SOFTMAX(float32, float)
EAGER_SOFTMAX(float64, double)

// Pooling over NHWC; windows clipped to the image (padding never wins a max
// and is not counted in an average, as TensorFlow).
struct PoolArgs {
  i64 N, H, W, C, OH, OW;
  int kh, kw, sh, sw, pt, pl;
};

#define EAGER_POOL(TS, T)                                                                  \
  extern "C" __global__ void eager_max_pool_##TS(const T* __restrict__ x,                 \
                                                T* __restrict__ y, PoolArgs a) {          \
    const i64 n = a.N * a.OH * a.OW * a.C;                                                \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 c = i % a.C, ow = (i / a.C) % a.OW, oh = (i / (a.C * a.OW)) % a.OH;       \
      const i64 b = i / (a.C * a.OW * a.OH);                                              \
      const i64 h0 = oh * a.sh - a.pt, w0 = ow * a.sw - a.pl;                             \
      T m = -INFINITY;                                                                    \
      for (int u = 0; u < a.kh; ++u) {                                                    \
        const i64 h = h0 + u;                                                             \
        if (h < 0 || h >= a.H) continue;                                                  \
        for (int v = 0; v < a.kw; ++v) {                                                  \
          const i64 w = w0 + v;                                                           \
          if (w < 0 || w >= a.W) continue;                                                \
          const T t = x[((b * a.H + h) * a.W + w) * a.C + c];                             \
          if (t > m || isnan(t)) m = t;                                                   \
        }                                                                                 \
      }                                                                                   \
      y[i] = m;                                                                           \
    }                                                                                     \
  }                                                                                       \
  /* mode 0: dx (zeroed by the caller) += g at each window's first maximum; */            \
  /* mode 1: out[window] = g at that position (the gradient of the gradient). */          \
  extern "C" __global__ void eager_max_pool_route_##TS(                                   \
      const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ g,          \
      T* __restrict__ out, PoolArgs a, int mode) {                                        \
    const i64 n = a.N * a.OH * a.OW * a.C;                                                \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 c = i % a.C, ow = (i / a.C) % a.OW, oh = (i / (a.C * a.OW)) % a.OH;       \
      const i64 b = i / (a.C * a.OW * a.OH);                                              \
      const i64 h0 = oh * a.sh - a.pt, w0 = ow * a.sw - a.pl;                             \
      const T m = y[i];                                                                   \
      i64 at = -1;                                                                        \
      for (int u = 0; u < a.kh && at < 0; ++u) {                                          \
        const i64 h = h0 + u;                                                             \
        if (h < 0 || h >= a.H) continue;                                                  \
        for (int v = 0; v < a.kw; ++v) {                                                  \
          const i64 w = w0 + v;                                                           \
          if (w < 0 || w >= a.W) continue;                                                \
          const i64 k = ((b * a.H + h) * a.W + w) * a.C + c;                              \
          if (x[k] == m || (isnan(m) && isnan(x[k]))) { at = k; break; }                  \
        }                                                                                 \
      }                                                                                   \
      if (mode == 0) {                                                                    \
        if (at >= 0) atomicAdd(&out[at], g[i]);                                           \
      } else {                                                                            \
        out[i] = at >= 0 ? g[at] : T(0);                                                  \
      }                                                                                   \
    }                                                                                     \
  }                                                                                       \
  extern "C" __global__ void eager_avg_pool_##TS(const T* __restrict__ x,                 \
                                                T* __restrict__ y, PoolArgs a) {          \
    const i64 n = a.N * a.OH * a.OW * a.C;                                                \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 c = i % a.C, ow = (i / a.C) % a.OW, oh = (i / (a.C * a.OW)) % a.OH;       \
      const i64 b = i / (a.C * a.OW * a.OH);                                              \
      const i64 h0 = oh * a.sh - a.pt, w0 = ow * a.sw - a.pl;                             \
      T s = 0;                                                                            \
      int cnt = 0;                                                                        \
      for (int u = 0; u < a.kh; ++u) {                                                    \
        const i64 h = h0 + u;                                                             \
        if (h < 0 || h >= a.H) continue;                                                  \
        for (int v = 0; v < a.kw; ++v) {                                                  \
          const i64 w = w0 + v;                                                           \
          if (w < 0 || w >= a.W) continue;                                                \
          s += x[((b * a.H + h) * a.W + w) * a.C + c];                                    \
          ++cnt;                                                                          \
        }                                                                                 \
      }                                                                                   \
      y[i] = cnt ? s / (T)cnt : T(0);                                                     \
    }                                                                                     \
  }                                                                                       \
  /* dx[b,h,w,c] = sum over the windows covering (h, w) of g / window count */            \
  extern "C" __global__ void eager_avg_pool_grad_##TS(const T* __restrict__ g,            \
                                                     T* __restrict__ dx, PoolArgs a) {    \
    const i64 n = a.N * a.H * a.W * a.C;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 c = i % a.C, w = (i / a.C) % a.W, h = (i / (a.C * a.W)) % a.H;            \
      const i64 b = i / (a.C * a.W * a.H);                                                \
      /* only the windows that cover row h and column w: oh in [oh_lo, oh_hi] */          \
      const i64 ah = h + a.pt - a.kh + 1, aw = w + a.pl - a.kw + 1;                       \
      const i64 oh_lo = ah > 0 ? (ah + a.sh - 1) / a.sh : 0;                              \
      const i64 ow_lo = aw > 0 ? (aw + a.sw - 1) / a.sw : 0;                              \
      i64 oh_hi = (h + a.pt) / a.sh, ow_hi = (w + a.pl) / a.sw;                           \
      if (oh_hi > a.OH - 1) oh_hi = a.OH - 1;                                             \
      if (ow_hi > a.OW - 1) ow_hi = a.OW - 1;                                             \
      T s = 0;                                                                            \
      for (i64 oh = oh_lo; oh <= oh_hi; ++oh) {                                           \
        const i64 h0 = oh * a.sh - a.pt;                                                  \
        const i64 hlo = h0 < 0 ? 0 : h0, hhi = h0 + a.kh > a.H ? a.H : h0 + a.kh;         \
        for (i64 ow = ow_lo; ow <= ow_hi; ++ow) {                                         \
          const i64 w0 = ow * a.sw - a.pl;                                                \
          const i64 wlo = w0 < 0 ? 0 : w0, whi = w0 + a.kw > a.W ? a.W : w0 + a.kw;       \
          const i64 cnt = (hhi - hlo) * (whi - wlo);                                      \
          s += g[((b * a.OH + oh) * a.OW + ow) * a.C + c] / (T)(cnt > 0 ? cnt : 1);       \
        }                                                                                 \
      }                                                                                   \
      dx[i] = s;                                                                          \
    }                                                                                     \
  }

EAGER_POOL(float32, float)
EAGER_POOL(float64, double)

// Convolution geometry (NHWC input, [KH, KW, C, O] filter).
struct ConvArgs {
  i64 N, H, W, C, OH, OW;
  int kh, kw, sh, sw, dh, dw, pt, pl;
};

// cols [N*OH*OW, KH*KW*C]: the patch of each output position (0 in padding).
#define EAGER_CONV(TS, T)                                                                  \
  extern "C" __global__ void eager_im2col_##TS(const T* __restrict__ x,                   \
                                              T* __restrict__ cols, ConvArgs a) {         \
    const i64 K = (i64)a.kh * a.kw * a.C;                                                 \
    const i64 n = a.N * a.OH * a.OW * K;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 kk = i % K, row = i / K;                                                  \
      const i64 c = kk % a.C, v = (kk / a.C) % a.kw, u = kk / (a.C * a.kw);               \
      const i64 ow = row % a.OW, oh = (row / a.OW) % a.OH, b = row / (a.OW * a.OH);       \
      const i64 h = oh * a.sh - a.pt + u * a.dh, w = ow * a.sw - a.pl + v * a.dw;         \
      cols[i] = (h >= 0 && h < a.H && w >= 0 && w < a.W)                                  \
                    ? x[((b * a.H + h) * a.W + w) * a.C + c] : T(0);                      \
    }                                                                                     \
  }                                                                                       \
  /* dx[b,h,w,c] = sum of cols entries that read (h, w, c): a gather, so no atomics */    \
  extern "C" __global__ void eager_col2im_##TS(const T* __restrict__ cols,                \
                                              T* __restrict__ dx, ConvArgs a) {           \
    const i64 K = (i64)a.kh * a.kw * a.C;                                                 \
    const i64 n = a.N * a.H * a.W * a.C;                                                  \
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n;                       \
         i += (i64)blockDim.x * gridDim.x) {                                              \
      const i64 c = i % a.C, w = (i / a.C) % a.W, h = (i / (a.C * a.W)) % a.H;            \
      const i64 b = i / (a.C * a.W * a.H);                                                \
      T s = 0;                                                                            \
      for (int u = 0; u < a.kh; ++u) {                                                    \
        const i64 hh = h + a.pt - (i64)u * a.dh;                                          \
        if (hh < 0 || hh % a.sh) continue;                                                \
        const i64 oh = hh / a.sh;                                                         \
        if (oh >= a.OH) continue;                                                         \
        for (int v = 0; v < a.kw; ++v) {                                                  \
          const i64 ww = w + a.pl - (i64)v * a.dw;                                        \
          if (ww < 0 || ww % a.sw) continue;                                              \
          const i64 ow = ww / a.sw;                                                       \
          if (ow >= a.OW) continue;                                                       \
          s += cols[((b * a.OH + oh) * a.OW + ow) * K + ((i64)u * a.kw + v) * a.C + c];   \
        }                                                                                 \
      }                                                                                   \
      dx[i] = s;                                                                          \
    }                                                                                     \
  }
EAGER_CONV(float32, float)
EAGER_CONV(float64, double)
