/* Loops of nn_kernels.pyx, in plain C so that the compiler sees restrict
 * pointers and branch-free selects and vectorises the channel loops (the
 * same loops written in Cython ran 3-10x slower: branches on random data
 * mispredict and possible aliasing blocks SIMD). Images are NHWC and
 * C-contiguous; nn_kernels.pyx checks every size before calling. */
#ifndef EAGER_NN_LOOPS_H
#define EAGER_NN_LOOPS_H
#include <stddef.h>
#include <string.h>
#include <stdlib.h>

/* [lo, hi): the rows (or columns) of window o that lie inside the image. */
static inline void eager_nn_window(ptrdiff_t o, ptrdiff_t s, ptrdiff_t p, ptrdiff_t k,
                                   ptrdiff_t size, ptrdiff_t *lo, ptrdiff_t *hi) {
    ptrdiff_t start = o * s - p;
    *lo = start > 0 ? start : 0;
    *hi = start + k < size ? start + k : size;
}

#define EAGER_NN_LOOPS(T, S)                                                              \
/* cols [N*OH*OW, KH*KW*C]: the patches of x [N,H,W,C] (rows (n,oh,ow),  */            \
/* columns (kh,kw,c)); patch (oh,ow) starts at (oh*sh-pt, ow*sw-pl), its   */            \
/* taps dh and dw apart; taps outside the image read 0.                    */            \
static void eager_im2col_##S(const T *restrict x, T *restrict cols, ptrdiff_t N,        \
                             ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH,         \
                             ptrdiff_t OW, ptrdiff_t KH, ptrdiff_t KW, ptrdiff_t sh,      \
                             ptrdiff_t sw, ptrdiff_t dh, ptrdiff_t dw, ptrdiff_t pt,      \
                             ptrdiff_t pl) {                                              \
    T *dst = cols;                                                                        \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++)                                             \
            for (ptrdiff_t ow = 0; ow < OW; ow++)                                         \
                for (ptrdiff_t kh = 0; kh < KH; kh++) {                                   \
                    ptrdiff_t ih = oh * sh - pt + kh * dh;                                \
                    if (ih < 0 || ih >= H) {                                              \
                        memset(dst, 0, KW * C * sizeof(T));                               \
                        dst += KW * C;                                                    \
                        continue;                                                         \
                    }                                                                     \
                    const T *row = x + (n * H + ih) * W * C;                              \
                    ptrdiff_t iw0 = ow * sw - pl;                                         \
                    if (dw == 1 && iw0 >= 0 && iw0 + KW <= W) {                           \
                        const T *src = row + iw0 * C;                                     \
                        for (ptrdiff_t i = 0; i < KW * C; i++)                            \
                            dst[i] = src[i];                                              \
                        dst += KW * C;                                                    \
                        continue;                                                         \
                    }                                                                     \
                    for (ptrdiff_t kw = 0; kw < KW; kw++) {                               \
                        ptrdiff_t iw = iw0 + kw * dw;                                     \
                        if (iw < 0 || iw >= W)                                            \
                            memset(dst, 0, C * sizeof(T));                                \
                        else                                                              \
                            memcpy(dst, row + iw * C, C * sizeof(T));                     \
                        dst += C;                                                         \
                    }                                                                     \
                }                                                                         \
}                                                                                         \
                                                                                          \
/* out [N,H,W,C] += the patches of cols (laid out as eager_im2col writes   */            \
/* them); taps outside the image are dropped.                              */            \
static void eager_col2im_##S(const T *restrict cols, T *restrict out, ptrdiff_t N,       \
                             ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH,         \
                             ptrdiff_t OW, ptrdiff_t KH, ptrdiff_t KW, ptrdiff_t sh,      \
                             ptrdiff_t sw, ptrdiff_t dh, ptrdiff_t dw, ptrdiff_t pt,      \
                             ptrdiff_t pl) {                                              \
    const T *src = cols;                                                                  \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++)                                             \
            for (ptrdiff_t ow = 0; ow < OW; ow++)                                         \
                for (ptrdiff_t kh = 0; kh < KH; kh++) {                                   \
                    ptrdiff_t ih = oh * sh - pt + kh * dh;                                \
                    if (ih < 0 || ih >= H) {                                              \
                        src += KW * C;                                                    \
                        continue;                                                         \
                    }                                                                     \
                    T *row = out + (n * H + ih) * W * C;                                  \
                    ptrdiff_t iw0 = ow * sw - pl;                                         \
                    if (dw == 1 && iw0 >= 0 && iw0 + KW <= W) {                           \
                        /* The KW taps are one contiguous run in both. */                 \
                        T *d = row + iw0 * C;                                             \
                        for (ptrdiff_t i = 0; i < KW * C; i++)                            \
                            d[i] += src[i];                                               \
                        src += KW * C;                                                    \
                        continue;                                                         \
                    }                                                                     \
                    for (ptrdiff_t kw = 0; kw < KW; kw++) {                               \
                        ptrdiff_t iw = ow * sw - pl + kw * dw;                            \
                        if (iw >= 0 && iw < W) {                                          \
                            T *d = row + iw * C;                                          \
                            for (ptrdiff_t c = 0; c < C; c++)                             \
                                d[c] += src[c];                                           \
                        }                                                                 \
                        src += C;                                                         \
                    }                                                                     \
                }                                                                         \
}                                                                                         \
                                                                                          \
/* y [N,OH,OW,C]: the max over each window (clipped to the image). A NaN   */           \
/* first in its window propagates; later NaNs do not (x86 max semantics).   */           \
static void eager_max_pool_##S(const T *restrict x, T *restrict y, ptrdiff_t N,         \
                               ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH,       \
                               ptrdiff_t OW, ptrdiff_t KH, ptrdiff_t KW, ptrdiff_t sh,    \
                               ptrdiff_t sw, ptrdiff_t pt, ptrdiff_t pl) {                \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++) {                                           \
            ptrdiff_t h0, h1;                                                             \
            eager_nn_window(oh, sh, pt, KH, H, &h0, &h1);                                 \
            for (ptrdiff_t ow = 0; ow < OW; ow++) {                                       \
                ptrdiff_t w0, w1;                                                         \
                eager_nn_window(ow, sw, pl, KW, W, &w0, &w1);                             \
                T *o = y + ((n * OH + oh) * OW + ow) * C;                                 \
                memcpy(o, x + ((n * H + h0) * W + w0) * C, C * sizeof(T));               \
                for (ptrdiff_t ih = h0; ih < h1; ih++)                                    \
                    for (ptrdiff_t iw = w0; iw < w1; iw++) {                              \
                        const T *s = x + ((n * H + ih) * W + iw) * C;                     \
                        for (ptrdiff_t c = 0; c < C; c++)                                 \
                            o[c] = s[c] > o[c] ? s[c] : o[c];                             \
                    }                                                                     \
            }                                                                             \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* Routes by each window's first element equal to its max y. backward:     */           \
/* dst [N,H,W,C] += g [N,OH,OW,C] there. Otherwise dst [N,OH,OW,C] = g     */           \
/* [N,H,W,C] read there (the gradient of the gradient). done: C bytes.    */           \
static void eager_max_pool_route_##S(const T *restrict x, const T *restrict y,          \
                                     const T *restrict g, T *restrict dst,                \
                                     unsigned char *restrict done, ptrdiff_t N,           \
                                     ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH, \
                                     ptrdiff_t OW, ptrdiff_t KH, ptrdiff_t KW,            \
                                     ptrdiff_t sh, ptrdiff_t sw, ptrdiff_t pt,            \
                                     ptrdiff_t pl, int backward) {                        \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++) {                                           \
            ptrdiff_t h0, h1;                                                             \
            eager_nn_window(oh, sh, pt, KH, H, &h0, &h1);                                 \
            for (ptrdiff_t ow = 0; ow < OW; ow++) {                                       \
                ptrdiff_t w0, w1;                                                         \
                eager_nn_window(ow, sw, pl, KW, W, &w0, &w1);                             \
                ptrdiff_t q = ((n * OH + oh) * OW + ow) * C;                              \
                const T *m = y + q;                                                       \
                memset(done, 0, C);                                                       \
                if (backward) {                                                           \
                    const T *go = g + q;                                                  \
                    for (ptrdiff_t ih = h0; ih < h1; ih++)                                \
                        for (ptrdiff_t iw = w0; iw < w1; iw++) {                          \
                            ptrdiff_t p = ((n * H + ih) * W + iw) * C;                    \
                            const T *s = x + p;                                           \
                            T *d = dst + p;                                               \
                            for (ptrdiff_t c = 0; c < C; c++) {                           \
                                T gv = go[c], dv = d[c];                                  \
                                unsigned char hit = (s[c] == m[c]) & !done[c];            \
                                d[c] = dv + (hit ? gv : (T)0);                            \
                                done[c] |= hit;                                           \
                            }                                                             \
                        }                                                                 \
                } else {                                                                  \
                    T *o = dst + q;                                                       \
                    for (ptrdiff_t ih = h0; ih < h1; ih++)                                \
                        for (ptrdiff_t iw = w0; iw < w1; iw++) {                          \
                            ptrdiff_t p = ((n * H + ih) * W + iw) * C;                    \
                            const T *s = x + p;                                           \
                            const T *gi = g + p;                                          \
                            for (ptrdiff_t c = 0; c < C; c++) {                           \
                                T gv = gi[c], ov = o[c];                                  \
                                unsigned char hit = (s[c] == m[c]) & !done[c];            \
                                o[c] = hit ? gv : ov;                                     \
                                done[c] |= hit;                                           \
                            }                                                             \
                        }                                                                 \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* out = max(x, 0); NaN stays NaN, as in TensorFlow. */                                 \
static void eager_relu_##S(const T *restrict x, T *restrict out, ptrdiff_t n) {           \
    for (ptrdiff_t i = 0; i < n; i++) {                                                   \
        T v = x[i];                                                                       \
        out[i] = v < 0 ? (T)0 : v;                                                        \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* out = g where ans > 0, else 0. */                                                      \
static void eager_relu_grad_##S(const T *restrict g, const T *restrict ans,             \
                                T *restrict out, ptrdiff_t n) {                           \
    for (ptrdiff_t i = 0; i < n; i++)                                                     \
    {                                                                                     \
        T gv = g[i];                                                                      \
        out[i] = ans[i] > 0 ? gv : (T)0;                                                  \
    }                                                                                     \
}

EAGER_NN_LOOPS(float, f32)
EAGER_NN_LOOPS(double, f64)

#endif
