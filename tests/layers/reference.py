"""NumPy references for the layer tests: convolution and pooling written
directly from their definitions (TensorFlow's SAME/VALID padding rule)."""
import math

import numpy as np


def same_pads(size, k, s, d=1):
    ek = (k - 1) * d + 1
    out = math.ceil(size / s)
    total = max((out - 1) * s + ek - size, 0)
    return out, total // 2, total - total // 2


def conv2d_nhwc(x, w, strides=(1, 1), padding="valid", dilations=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    if padding.lower() == "same":
        oh, pt, pb = same_pads(h, kh, sh, dh)
        ow, pl, pr = same_pads(wd, kw, sw, dw)
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    else:
        oh = (h - ((kh - 1) * dh + 1)) // sh + 1
        ow = (wd - ((kw - 1) * dw + 1)) // sw + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw]
            out += np.einsum("nhwc,cf->nhwf", patch, w[i, j])
    return out


def pool2d_nhwc(x, k, s, padding, kind):
    n, h, wd, c = x.shape
    (kh, kw), (sh, sw) = k, s
    if padding.lower() == "same":
        oh, pt, _ = same_pads(h, kh, sh)
        ow, pl, _ = same_pads(wd, kw, sw)
    else:
        oh, pt = (h - kh) // sh + 1, 0
        ow, pl = (wd - kw) // sw + 1, 0
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - pt, j * sw - pl
            win = x[:, max(r0, 0):min(r0 + kh, h), max(c0, 0):min(c0 + kw, wd)]
            out[:, i, j] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


def to_nchw(x):
    return np.transpose(x, (0, 3, 1, 2))


def to_nhwc(x):
    return np.transpose(x, (0, 2, 3, 1))
