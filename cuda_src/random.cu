// Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011): element
// group i of a call draws from counter (i, ctr2, ctr3) under key (key0,
// key1), so a seed gives the same numbers on every GPU and launch shape.
#include "eager_common.cuh"

struct Philox {
  unsigned int c[4];
};

__device__ __forceinline__ Philox philox(u64 i, unsigned int ctr2, unsigned int ctr3,
                                         unsigned int k0, unsigned int k1) {
  Philox p;
  p.c[0] = (unsigned int)i;
  p.c[1] = (unsigned int)(i >> 32);
  p.c[2] = ctr2;
  p.c[3] = ctr3;
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    const unsigned int hi0 = __umulhi(0xD2511F53u, p.c[0]), lo0 = 0xD2511F53u * p.c[0];
    const unsigned int hi1 = __umulhi(0xCD9E8D57u, p.c[2]), lo1 = 0xCD9E8D57u * p.c[2];
    const unsigned int n0 = hi1 ^ p.c[1] ^ k0, n2 = hi0 ^ p.c[3] ^ k1;
    p.c[0] = n0;
    p.c[1] = lo1;
    p.c[2] = n2;
    p.c[3] = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return p;
}

// [0, 1) with 24 (float) or 53 (double) random bits.
__device__ __forceinline__ float u01f(unsigned int x) { return (x >> 8) * (1.0f / 16777216.0f); }
__device__ __forceinline__ double u01d(unsigned int a, unsigned int b) {
  const u64 v = ((u64)a << 21) ^ (u64)(b >> 11);
  return (double)(v & ((1ULL << 53) - 1)) * (1.0 / 9007199254740992.0);
}

#define EAGER_RNG_ARGS unsigned int k0, unsigned int k1, unsigned int c2, unsigned int c3

// uniform in [lo, hi); mode 1 adds: out = (u >= rate) ? scale : 0 (dropout).
extern "C" __global__ void eager_random_uniform_float32(float* out, i64 n, EAGER_RNG_ARGS,
                                                        float lo, float hi) {
  for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 4 < n;
       g += (i64)blockDim.x * gridDim.x) {
    const Philox p = philox((u64)g, c2, c3, k0, k1);
#pragma unroll
    for (int j = 0; j < 4; ++j)
      if (g * 4 + j < n) out[g * 4 + j] = lo + u01f(p.c[j]) * (hi - lo);
  }
}
extern "C" __global__ void eager_random_uniform_float64(double* out, i64 n, EAGER_RNG_ARGS,
                                                        double lo, double hi) {
  for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 2 < n;
       g += (i64)blockDim.x * gridDim.x) {
    const Philox p = philox((u64)g, c2, c3, k0, k1);
    if (g * 2 < n) out[g * 2] = lo + u01d(p.c[0], p.c[1]) * (hi - lo);
    if (g * 2 + 1 < n) out[g * 2 + 1] = lo + u01d(p.c[2], p.c[3]) * (hi - lo);
  }
}
// integers in [lo, lo + range): range < 2^63; the modulo bias is below 2^-32 for
// ranges under 2^32 (64 random bits).
#define EAGER_RANDOM_INT(TS, T)                                                             \
  extern "C" __global__ void eager_random_uniform_##TS(T* out, i64 n, EAGER_RNG_ARGS, T lo, \
                                                       u64 range) {                         \
    for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 2 < n;                     \
         g += (i64)blockDim.x * gridDim.x) {                                                \
      const Philox p = philox((u64)g, c2, c3, k0, k1);                                      \
      const u64 a = ((u64)p.c[0] << 32) | p.c[1], b = ((u64)p.c[2] << 32) | p.c[3];         \
      if (g * 2 < n) out[g * 2] = (T)(lo + (T)(a % range));                                 \
      if (g * 2 + 1 < n) out[g * 2 + 1] = (T)(lo + (T)(b % range));                         \
    }                                                                                       \
  }
EAGER_RANDOM_INT(int32, int)
EAGER_RANDOM_INT(int64, i64)

// Standard normals by Box-Muller; truncated: redrawn (new counter words)
// until |z| <= 2, as TensorFlow's truncated_normal.
__device__ __forceinline__ void box_muller(float u1, float u2, float& z0, float& z1) {
  const float r = sqrtf(-2.0f * logf(1.0f - u1));  // 1 - u1 in (0, 1]
  float s, c;
  sincospif(2.0f * u2, &s, &c);
  z0 = r * c;
  z1 = r * s;
}
__device__ __forceinline__ void box_muller_d(double u1, double u2, double& z0, double& z1) {
  const double r = sqrt(-2.0 * log(1.0 - u1));
  double s, c;
  sincospi(2.0 * u2, &s, &c);
  z0 = r * c;
  z1 = r * s;
}

extern "C" __global__ void eager_random_normal_float32(float* out, i64 n, EAGER_RNG_ARGS,
                                                       float mean, float stddev, int truncated) {
  for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 4 < n;
       g += (i64)blockDim.x * gridDim.x) {
    float z[4];
    unsigned int round = 0;
    Philox p = philox((u64)g, c2, c3, k0, k1);
    box_muller(u01f(p.c[0]), u01f(p.c[1]), z[0], z[1]);
    box_muller(u01f(p.c[2]), u01f(p.c[3]), z[2], z[3]);
    if (truncated) {
      for (int j = 0; j < 4; ++j) {
        while (fabsf(z[j]) > 2.0f && round < 64) {
          ++round;
          const Philox q = philox((u64)g, c2 ^ (round * 0x632BE5ABu), c3 + round, k0, k1);
          float a, b;
          box_muller(u01f(q.c[0]), u01f(q.c[1]), a, b);
          z[j] = a;
        }
        if (fabsf(z[j]) > 2.0f) z[j] = 0.0f;
      }
    }
#pragma unroll
    for (int j = 0; j < 4; ++j)
      if (g * 4 + j < n) out[g * 4 + j] = mean + stddev * z[j];
  }
}
extern "C" __global__ void eager_random_normal_float64(double* out, i64 n, EAGER_RNG_ARGS,
                                                       double mean, double stddev, int truncated) {
  for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 2 < n;
       g += (i64)blockDim.x * gridDim.x) {
    double z[2];
    unsigned int round = 0;
    Philox p = philox((u64)g, c2, c3, k0, k1);
    box_muller_d(u01d(p.c[0], p.c[1]), u01d(p.c[2], p.c[3]), z[0], z[1]);
    if (truncated) {
      for (int j = 0; j < 2; ++j) {
        while (fabs(z[j]) > 2.0 && round < 64) {
          ++round;
          const Philox q = philox((u64)g, c2 ^ (round * 0x632BE5ABu), c3 + round, k0, k1);
          double a, b;
          box_muller_d(u01d(q.c[0], q.c[1]), u01d(q.c[2], q.c[3]), a, b);
          z[j] = a;
        }
        if (fabs(z[j]) > 2.0) z[j] = 0.0;
      }
    }
    if (g * 2 < n) out[g * 2] = mean + stddev * z[0];
    if (g * 2 + 1 < n) out[g * 2 + 1] = mean + stddev * z[1];
  }
}

// Inverted dropout's mask: scale where u >= rate, else 0.
#define EAGER_DROPOUT(TS, T)                                                                \
  extern "C" __global__ void eager_dropout_mask_##TS(T* out, i64 n, EAGER_RNG_ARGS,         \
                                                     float rate, T scale) {                 \
    for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g * 4 < n;                     \
         g += (i64)blockDim.x * gridDim.x) {                                                \
      const Philox p = philox((u64)g, c2, c3, k0, k1);                                      \
      _Pragma("unroll") for (int j = 0; j < 4; ++j) if (g * 4 + j < n)                      \
        out[g * 4 + j] = u01f(p.c[j]) >= rate ? scale : T(0);                               \
    }                                                                                       \
  }
EAGER_DROPOUT(float32, float)
EAGER_DROPOUT(float64, double)
