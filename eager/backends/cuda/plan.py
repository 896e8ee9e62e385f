"""Launch planning that needs no GPU (and is tested without one): NumPy
broadcasting as element strides, merging dimensions that walk memory
together, views (slices, transposes, basic indexing) as (offset, shape,
strides), and the shape of a reduction."""
import numpy as np
from numpy.lib.stride_tricks import as_strided

MAXD = 8
INT32_MAX = 2 ** 31 - 1


def prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def contiguous_strides(shape):
    """Element strides of a C-contiguous array."""
    out = [0] * len(shape)
    s = 1
    for i in range(len(shape) - 1, -1, -1):
        out[i] = s
        s *= shape[i]
    return out


def broadcast_shape(a, b):
    """NumPy's broadcast of two shapes, or ValueError."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise ValueError("shapes %s and %s do not broadcast" % (a, b))
    return tuple(out)


def broadcast_strides(shape, out_shape):
    """Element strides that read an array of `shape` as `out_shape` (0 on
    broadcast dimensions)."""
    nd = len(out_shape)
    shape = (1,) * (nd - len(shape)) + tuple(shape)
    cs = contiguous_strides(shape)
    return [0 if shape[i] == 1 and out_shape[i] != 1 else cs[i] for i in range(nd)]


def collapse(shape, *strides):
    """Drops dimensions of size 1 and merges neighbours that every stride
    list walks as one (stride[i] == stride[i+1] * shape[i+1]). Returns
    (shape, [strides...]), at least one dimension."""
    dims = [i for i, d in enumerate(shape) if d != 1]
    if not dims:
        return [1], [[0] for _ in strides]
    out_shape = [shape[dims[0]]]
    out_strides = [[s[dims[0]]] for s in strides]
    for i in dims[1:]:
        d = shape[i]
        if all(o[-1] == s[i] * d for o, s in zip(out_strides, strides)):
            out_shape[-1] *= d
            for o, s in zip(out_strides, strides):
                o[-1] = s[i]
        else:
            out_shape.append(d)
            for o, s in zip(out_strides, strides):
                o.append(s[i])
    return out_shape, out_strides


def fits_int32(shape, *strides):
    """Whether every offset of the walk (and the count) fits in int32."""
    if prod(shape) > INT32_MAX:
        return False
    for s in strides:
        if sum((d - 1) * abs(x) for d, x in zip(shape, s)) > INT32_MAX:
            return False
    return True


def pad_list(xs, fill=0):
    return list(xs) + [fill] * (MAXD - len(xs))


def view_of(shape, key):
    """(offset, shape, strides) in elements of x[key] for a C-contiguous x
    of `shape` and a basic-indexing key (ints, slices, None, Ellipsis):
    NumPy computes the view on a one-byte stand-in (basic indexing never
    reads memory)."""
    key = key if isinstance(key, tuple) else (key,)
    if not any(k is Ellipsis for k in key):
        key = key + (Ellipsis,)       # all ints then give a 0-d view, not a scalar
    for k in key:
        if not (k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))):
            raise TypeError("not a basic index: %r" % (type(k).__name__,))
    base = np.zeros(1, np.uint8)
    fake = as_strided(base, shape=tuple(shape), strides=tuple(contiguous_strides(shape)),
                      writeable=False)
    v = fake[key]
    off = v.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return off, tuple(v.shape), list(v.strides)


def reduce_plan(shape, axes):
    """How to reduce `shape` over `axes` (a tuple, or None for all):
    ("copy", n) when nothing is reduced (or only size-1 dims),
    ("rows", outer, red) for [outer, red], ("cols", outer, red, inner) for
    [outer, red, inner], or ("transpose", perm, outer, red) when the
    reduced axes must first be moved to the end."""
    nd = len(shape)
    red = set(range(nd)) if axes is None else set(a % nd for a in axes) if nd else set()
    groups = []                 # [kind, size] with kind True for reduced
    for i, d in enumerate(shape):
        if d == 1:
            continue
        k = i in red
        if groups and groups[-1][0] == k:
            groups[-1][1] *= d
        else:
            groups.append([k, d])
    kinds = [g[0] for g in groups]
    if not any(kinds):
        return ("copy", prod(shape))
    if kinds == [True]:
        return ("rows", 1, groups[0][1])
    if kinds == [False, True]:
        return ("rows", groups[0][1], groups[1][1])
    if kinds == [True, False]:
        return ("cols", 1, groups[0][1], groups[1][1])
    if kinds == [False, True, False]:
        return ("cols", groups[0][1], groups[1][1], groups[2][1])
    kept = [i for i in range(nd) if i not in red]
    reduced = [i for i in range(nd) if i in red]
    return ("transpose", kept + reduced, prod(shape[i] for i in kept),
            prod(shape[i] for i in reduced))


def split_axis(shape, axis):
    """(outer, n, inner) of `shape` around `axis`."""
    return prod(shape[:axis]), shape[axis], prod(shape[axis + 1:])
