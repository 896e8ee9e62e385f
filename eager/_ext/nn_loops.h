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
#include <math.h>

/* [lo, hi): the rows (or columns) of window o that lie inside the image. */
static inline void eager_nn_window(ptrdiff_t o, ptrdiff_t s, ptrdiff_t p, ptrdiff_t k,
                                   ptrdiff_t size, ptrdiff_t *lo, ptrdiff_t *hi) {
    ptrdiff_t start = o * s - p;
    *lo = start > 0 ? start : 0;
    *hi = start + k < size ? start + k : size;
}

#define EAGER_NN_LOOPS(T, S)                                                              \
/* d[0:n] = s[0:n] and d[0:n] = 0 for the short runs of a patch row   */             \
/* (the few values of a one-channel image's taps): fixed-size moves,    */             \
/* which compile to a register load and store, instead of the memcpy    */             \
/* call a copy loop becomes (200,000 calls of 20 bytes for a 5x5         */             \
/* convolution of 50 MNIST images).                                     */             \
static inline void eager_copy_##S(T *restrict d, const T *restrict s, ptrdiff_t n) {     \
    if (n < 4) {                                                                          \
        if (n > 0) d[0] = s[0];                                                           \
        if (n > 1) d[1] = s[1];                                                           \
        if (n > 2) d[2] = s[2];                                                           \
    } else if (n <= 8) {                                                                  \
        /* Two moves of 4 values that overlap in the middle. */                           \
        memcpy(d, s, 4 * sizeof(T));                                                      \
        memcpy(d + n - 4, s + n - 4, 4 * sizeof(T));                                      \
    } else {                                                                              \
        memcpy(d, s, n * sizeof(T));                                                      \
    }                                                                                     \
}                                                                                         \
                                                                                          \
static inline void eager_zero_##S(T *restrict d, ptrdiff_t n) {                          \
    if (n < 4) {                                                                          \
        if (n > 0) d[0] = 0;                                                              \
        if (n > 1) d[1] = 0;                                                              \
        if (n > 2) d[2] = 0;                                                              \
    } else if (n <= 8) {                                                                  \
        memset(d, 0, 4 * sizeof(T));                                                      \
        memset(d + n - 4, 0, 4 * sizeof(T));                                              \
    } else {                                                                              \
        memset(d, 0, n * sizeof(T));                                                      \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* d[0:C] = row[iw*C : iw*C + C], or 0 when column iw is outside the image. */        \
static inline void eager_copy_or_zero_##S(T *restrict d, const T *restrict row,         \
                                          ptrdiff_t iw, ptrdiff_t W, ptrdiff_t C) {       \
    if (iw < 0 || iw >= W)                                                                \
        eager_zero_##S(d, C);                                                             \
    else                                                                                  \
        eager_copy_##S(d, row + iw * C, C);                                               \
}                                                                                         \
                                                                                          \
/* For output columns ow < OW: dst + ow*stride gets the KW taps (dw      */            \
/* apart, from column ow*sw-pl) of one image row, C values each, 0       */            \
/* outside the image or for the padding rows (row NULL).                 */            \
static inline void eager_patch_row_##S(const T *restrict row, T *restrict dst,          \
                                       ptrdiff_t stride, ptrdiff_t OW, ptrdiff_t W,       \
                                       ptrdiff_t C, ptrdiff_t KW, ptrdiff_t sw,           \
                                       ptrdiff_t dw, ptrdiff_t pl) {                      \
    const ptrdiff_t run = KW * C;                                                         \
    for (ptrdiff_t ow = 0; ow < OW; ow++) {                                               \
        T *d = dst + ow * stride;                                                         \
        ptrdiff_t iw0 = ow * sw - pl;                                                     \
        if (row == NULL) {                                                                \
            eager_zero_##S(d, run);                                                       \
        } else if (dw == 1 && iw0 >= 0 && iw0 + KW <= W) {                                \
            eager_copy_##S(d, row + iw0 * C, run);                                        \
        } else {                                                                          \
            for (ptrdiff_t kw = 0; kw < KW; kw++)                                         \
                eager_copy_or_zero_##S(d + kw * C, row, iw0 + kw * dw, W, C);             \
        }                                                                                 \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* cols [N*OH*OW, KH*KW*C]: the patches of x [N,H,W,C] (rows (n,oh,ow),  */            \
/* columns (kh,kw,c)); patch (oh,ow) starts at (oh*sh-pt, ow*sw-pl), its   */            \
/* taps dh and dw apart; taps outside the image read 0.                    */            \
static void eager_im2col_##S(const T *restrict x, T *restrict cols, ptrdiff_t N,        \
                             ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH,         \
                             ptrdiff_t OW, ptrdiff_t KH, ptrdiff_t KW, ptrdiff_t sh,      \
                             ptrdiff_t sw, ptrdiff_t dh, ptrdiff_t dw, ptrdiff_t pt,      \
                             ptrdiff_t pl) {                                              \
    const ptrdiff_t width = KH * KW * C;                                                  \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++) {                                           \
            T *block = cols + (n * OH + oh) * OW * width;                                 \
            if (KW * C >= 16) {                                                           \
                /* Long runs: write the matrix in order, row by row. */                   \
                T *dst = block;                                                           \
                for (ptrdiff_t ow = 0; ow < OW; ow++)                                     \
                    for (ptrdiff_t kh = 0; kh < KH; kh++, dst += KW * C) {                \
                        ptrdiff_t ih = oh * sh - pt + kh * dh;                            \
                        ptrdiff_t iw0 = ow * sw - pl;                                     \
                        if (ih < 0 || ih >= H) {                                          \
                            memset(dst, 0, KW * C * sizeof(T));                           \
                            continue;                                                     \
                        }                                                                 \
                        const T *row = x + (n * H + ih) * W * C;                          \
                        if (dw == 1 && iw0 >= 0 && iw0 + KW <= W) {                       \
                            memcpy(dst, row + iw0 * C, KW * C * sizeof(T));               \
                            continue;                                                     \
                        }                                                                 \
                        for (ptrdiff_t kw = 0; kw < KW; kw++) {                           \
                            ptrdiff_t iw = iw0 + kw * dw;                                 \
                            eager_copy_or_zero_##S(dst + kw * C, row, iw, W, C);          \
                        }                                                                 \
                    }                                                                     \
                continue;                                                                 \
            }                                                                             \
            /* Short runs (few channels): one kernel row across all columns at a */      \
            /* time, so the loop over columns is the tight one. */                        \
            for (ptrdiff_t kh = 0; kh < KH; kh++) {                                       \
                ptrdiff_t ih = oh * sh - pt + kh * dh;                                    \
                const T *row = (ih < 0 || ih >= H) ? NULL : x + (n * H + ih) * W * C;     \
                eager_patch_row_##S(row, block + kh * KW * C, width, OW, W, C, KW, sw,    \
                                    dw, pl);                                              \
            }                                                                             \
        }                                                                                 \
}                                                                                         \
                                                                                          \
/* E [Hp,N,OW,KW*C]: the patches of x [N,H,W,C] expanded along the width   */           \
/* only, rows first: E[r,n,ow,kw,c] = x[n, r-pt, ow*sw-pl+kw*dw, c], 0       */           \
/* outside the image. A stride-1 convolution's kernel row kh then reads the  */           \
/* contiguous rows kh*dh .. kh*dh+OH-1 of E as one matrix.                   */           \
static void eager_im2row_##S(const T *restrict x, T *restrict E, ptrdiff_t N,           \
                             ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t Hp,         \
                             ptrdiff_t OW, ptrdiff_t KW, ptrdiff_t sw, ptrdiff_t dw,      \
                             ptrdiff_t pt, ptrdiff_t pl) {                                \
    const ptrdiff_t run = KW * C;                                                         \
    for (ptrdiff_t r = 0; r < Hp; r++) {                                                  \
        ptrdiff_t ih = r - pt;                                                            \
        for (ptrdiff_t n = 0; n < N; n++) {                                               \
            const T *row = (ih < 0 || ih >= H) ? NULL : x + (n * H + ih) * W * C;         \
            eager_patch_row_##S(row, E + (r * N + n) * OW * run, run, OW, W, C, KW, sw,   \
                                dw, pl);                                                  \
        }                                                                                 \
    }                                                                                     \
}                                                                                         \
                                                                                          \
/* out [N,H,W,C] += E (laid out as eager_im2row writes it); rows and taps   */            \
/* outside the image are dropped (the adjoint of eager_im2row).            */            \
static void eager_row2im_##S(const T *restrict E, T *restrict out, ptrdiff_t N,         \
                             ptrdiff_t H, ptrdiff_t W, ptrdiff_t C, ptrdiff_t Hp,         \
                             ptrdiff_t OW, ptrdiff_t KW, ptrdiff_t sw, ptrdiff_t dw,      \
                             ptrdiff_t pt, ptrdiff_t pl) {                                \
    const ptrdiff_t run = KW * C;                                                         \
    for (ptrdiff_t r = 0; r < Hp; r++) {                                                  \
        ptrdiff_t ih = r - pt;                                                            \
        if (ih < 0 || ih >= H)                                                            \
            continue;                                                                     \
        for (ptrdiff_t n = 0; n < N; n++) {                                               \
            const T *src = E + (r * N + n) * OW * run;                                    \
            T *row = out + (n * H + ih) * W * C;                                          \
            for (ptrdiff_t ow = 0; ow < OW; ow++, src += run) {                           \
                ptrdiff_t iw0 = ow * sw - pl;                                             \
                if (dw == 1 && iw0 >= 0 && iw0 + KW <= W) {                               \
                    T *d = row + iw0 * C;                                                 \
                    for (ptrdiff_t i = 0; i < run; i++)                                   \
                        d[i] += src[i];                                                   \
                    continue;                                                             \
                }                                                                         \
                for (ptrdiff_t kw = 0; kw < KW; kw++) {                                   \
                    ptrdiff_t iw = iw0 + kw * dw;                                         \
                    if (iw >= 0 && iw < W) {                                              \
                        T *d = row + iw * C;                                              \
                        const T *s = src + kw * C;                                        \
                        for (ptrdiff_t c = 0; c < C; c++)                                 \
                            d[c] += s[c];                                                 \
                    }                                                                     \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
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
/* The gradient of max pooling with windows that tile the image (window  */           \
/* size equal to the stride): every element lies in at most one window,   */           \
/* so dst [N,H,W,C] is written, not added to: g at each window's first    */           \
/* element equal to its max, 0 elsewhere in the window. `left` (C values) */           \
/* holds the part of g not yet routed: all of it until the first hit.     */           \
/* Elements outside every window are left as they are.                    */           \
static inline void eager_route_first_##S(const T *restrict s, const T *restrict m,      \
                                         T *restrict d, T *restrict left, ptrdiff_t C) {  \
    /* A loop of its own, so that the compiler sees restrict and vectorises. */          \
    for (ptrdiff_t c = 0; c < C; c++) {                                                   \
        T l = left[c];                                                                    \
        int hit = s[c] == m[c];                                                           \
        d[c] = hit ? l : (T)0;                                                            \
        left[c] = hit ? (T)0 : l;                                                         \
    }                                                                                     \
}                                                                                         \
                                                                                          \
static void eager_max_pool_grad_tiled_##S(const T *restrict x, const T *restrict y,     \
                                          const T *restrict g, T *restrict dst,           \
                                          T *restrict left, ptrdiff_t N, ptrdiff_t H,     \
                                          ptrdiff_t W, ptrdiff_t C, ptrdiff_t OH,         \
                                          ptrdiff_t OW, ptrdiff_t K0, ptrdiff_t K1,       \
                                          ptrdiff_t pt, ptrdiff_t pl) {                   \
    for (ptrdiff_t n = 0; n < N; n++)                                                     \
        for (ptrdiff_t oh = 0; oh < OH; oh++) {                                           \
            ptrdiff_t h0, h1;                                                             \
            eager_nn_window(oh, K0, pt, K0, H, &h0, &h1);                                 \
            for (ptrdiff_t ow = 0; ow < OW; ow++) {                                       \
                ptrdiff_t w0, w1;                                                         \
                eager_nn_window(ow, K1, pl, K1, W, &w0, &w1);                             \
                ptrdiff_t q = ((n * OH + oh) * OW + ow) * C;                              \
                const T *m = y + q;                                                       \
                for (ptrdiff_t c = 0; c < C; c++)                                         \
                    left[c] = g[q + c];                                                   \
                for (ptrdiff_t ih = h0; ih < h1; ih++)                                    \
                    for (ptrdiff_t iw = w0; iw < w1; iw++) {                              \
                        ptrdiff_t p = ((n * H + ih) * W + iw) * C;                        \
                        eager_route_first_##S(x + p, m, dst + p, left, C);                \
                    }                                                                     \
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

/* One pass of Adam over n elements, in place (TensorFlow 1's update, the
 * same operations in the same order as eager/train/kernels.py's NumPy
 * version; without contracted multiply-adds the results agree bit for bit):
 *   m += (g - m) * b1c;  v += (g * g - v) * b2c;
 *   vhat = max(vhat, v) (AMSGrad, when vhat is not NULL);
 *   var -= m / (sqrt(v or vhat) + eps) * lr
 * with b1c = 1 - beta1, b2c = 1 - beta2 rounded to T by the caller.
 * The scalar loop does not vectorise (sqrt may set errno, a branch per
 * element), so on x86-64 the bulk runs on SSE2 vectors (memory bound:
 * wider vectors gain nothing), the same operations lane by lane. */
#define EAGER_ADAM_ONE(T, SQRT, i)                                                        \
    {                                                                                     \
        T gi = g[i];                                                                      \
        T mi = m[i] + (gi - m[i]) * b1c;                                                  \
        T vi = v[i] + (gi * gi - v[i]) * b2c;                                             \
        m[i] = mi;                                                                        \
        v[i] = vi;                                                                        \
        if (vhat != NULL) {                                                               \
            T hi = vhat[i];   /* np.maximum: NaN if either is NaN */                      \
            vi = (hi > vi || hi != hi) ? hi : vi;                                         \
            vhat[i] = vi;                                                                 \
        }                                                                                 \
        var[i] = var[i] - mi / (SQRT(vi) + eps) * lr;                                     \
    }

#if defined(__SSE2__)
#include <emmintrin.h>
/* V: vector type, L: lanes, P: intrinsic suffix (ps / pd). */
#define EAGER_ADAM_LOOP(T, S, SQRT, V, L, P)                                              \
static void eager_adam_##S(T *restrict var, T *restrict m, T *restrict v,                \
                           T *restrict vhat, const T *restrict g, ptrdiff_t n, T lr,      \
                           T b1c, T b2c, T eps) {                                         \
    const V vb1 = _mm_set1_##P(b1c), vb2 = _mm_set1_##P(b2c);                             \
    const V vlr = _mm_set1_##P(lr), veps = _mm_set1_##P(eps);                             \
    ptrdiff_t i = 0;                                                                      \
    for (; i + L <= n; i += L) {                                                          \
        V gi = _mm_loadu_##P(g + i), mi = _mm_loadu_##P(m + i);                           \
        V vi = _mm_loadu_##P(v + i);                                                      \
        mi = _mm_add_##P(mi, _mm_mul_##P(_mm_sub_##P(gi, mi), vb1));                      \
        vi = _mm_add_##P(vi, _mm_mul_##P(_mm_sub_##P(_mm_mul_##P(gi, gi), vi), vb2));     \
        _mm_storeu_##P(m + i, mi);                                                        \
        _mm_storeu_##P(v + i, vi);                                                        \
        if (vhat != NULL) {                                                               \
            /* np.maximum(vhat, v): vhat where greater or NaN, else v. */                 \
            V h = _mm_loadu_##P(vhat + i);                                                \
            V gt = _mm_or_##P(_mm_cmpgt_##P(h, vi), _mm_cmpunord_##P(h, h));              \
            vi = _mm_or_##P(_mm_and_##P(gt, h), _mm_andnot_##P(gt, vi));                  \
            _mm_storeu_##P(vhat + i, vi);                                                 \
        }                                                                                 \
        V step = _mm_mul_##P(_mm_div_##P(mi, _mm_add_##P(_mm_sqrt_##P(vi), veps)), vlr);  \
        _mm_storeu_##P(var + i, _mm_sub_##P(_mm_loadu_##P(var + i), step));               \
    }                                                                                     \
    for (; i < n; i++)                                                                    \
        EAGER_ADAM_ONE(T, SQRT, i)                                                        \
}
#define EAGER_ADAM_F32 EAGER_ADAM_LOOP(float, f32, sqrtf, __m128, 4, ps)
#define EAGER_ADAM_F64 EAGER_ADAM_LOOP(double, f64, sqrt, __m128d, 2, pd)
#else
#define EAGER_ADAM_LOOP(T, S, SQRT)                                                       \
static void eager_adam_##S(T *restrict var, T *restrict m, T *restrict v,                \
                           T *restrict vhat, const T *restrict g, ptrdiff_t n, T lr,      \
                           T b1c, T b2c, T eps) {                                         \
    for (ptrdiff_t i = 0; i < n; i++)                                                     \
        EAGER_ADAM_ONE(T, SQRT, i)                                                        \
}
#define EAGER_ADAM_F32 EAGER_ADAM_LOOP(float, f32, sqrtf)
#define EAGER_ADAM_F64 EAGER_ADAM_LOOP(double, f64, sqrt)
#endif

EAGER_NN_LOOPS(float, f32)
EAGER_NN_LOOPS(double, f64)
EAGER_ADAM_F32
EAGER_ADAM_F64

#endif
