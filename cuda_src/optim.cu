// Optimizer updates in place on a variable and its slots, one pass over
// memory (the fused form of eager/train/kernels.py).
#include "eager_common.cuh"

#define EAGER_LOOP for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; \
                        i += (i64)blockDim.x * gridDim.x)

#define EAGER_OPTIM(TS, T)                                                                   \
  extern "C" __global__ void eager_sgd_##TS(T* var, const T* g, i64 n, double lr) {          \
    EAGER_LOOP var[i] -= (T)lr * g[i];                                                       \
  }                                                                                          \
  extern "C" __global__ void eager_momentum_##TS(T* var, T* acc, const T* g, i64 n, double lr, \
                                                 double mom, int nesterov) {                 \
    EAGER_LOOP {                                                                             \
      const T a = acc[i] * (T)mom + g[i];                                                    \
      acc[i] = a;                                                                            \
      var[i] -= nesterov ? (T)lr * (a * (T)mom + g[i]) : (T)lr * a;                          \
    }                                                                                        \
  }                                                                                          \
  /* vhat == nullptr: Adam; else AMSGrad (vhat = max(vhat, v) in the denominator) */         \
  extern "C" __global__ void eager_adam_##TS(T* var, T* m, T* v, T* vhat, const T* g, i64 n, \
                                             double lr_t, double beta1, double beta2,        \
                                             double eps) {                                   \
    EAGER_LOOP {                                                                             \
      const T gi = g[i];                                                                     \
      const T mi = m[i] + (gi - m[i]) * (T)(1.0 - beta1);                                    \
      const T vi = v[i] + (gi * gi - v[i]) * (T)(1.0 - beta2);                               \
      m[i] = mi;                                                                             \
      v[i] = vi;                                                                             \
      T d = vi;                                                                              \
      if (vhat) {                                                                            \
        d = vhat[i] > vi ? vhat[i] : vi;                                                     \
        vhat[i] = d;                                                                         \
      }                                                                                      \
      var[i] -= (T)lr_t * mi / (sqrt(d) + (T)eps);                                           \
    }                                                                                        \
  }                                                                                          \
  extern "C" __global__ void eager_adagrad_##TS(T* var, T* acc, const T* g, i64 n, double lr, \
                                                double eps) {                                \
    EAGER_LOOP {                                                                             \
      const T a = acc[i] + g[i] * g[i];                                                      \
      acc[i] = a;                                                                            \
      var[i] -= (T)lr * g[i] / sqrt(a + (T)eps);                                             \
    }                                                                                        \
  }                                                                                          \
  /* mom == nullptr: no momentum slot (var -= lr * g / sqrt(ms + eps)) */                    \
  extern "C" __global__ void eager_rmsprop_##TS(T* var, T* ms, T* mom, const T* g, i64 n,    \
                                                double lr, double decay, double momentum,    \
                                                double eps) {                                \
    EAGER_LOOP {                                                                             \
      const T gi = g[i];                                                                     \
      const T s = ms[i] + (gi * gi - ms[i]) * (T)(1.0 - decay);                              \
      ms[i] = s;                                                                             \
      const T step = (T)lr * gi / sqrt(s + (T)eps);                                          \
      if (mom) {                                                                             \
        const T mo = mom[i] * (T)momentum + step;                                            \
        mom[i] = mo;                                                                         \
        var[i] -= mo;                                                                        \
      } else {                                                                               \
        var[i] -= step;                                                                      \
      }                                                                                      \
    }                                                                                        \
  }
EAGER_OPTIM(float32, float)
EAGER_OPTIM(float64, double)
