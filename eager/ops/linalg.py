"""Linear algebra: matmul (BLAS through eager/_ext/blas.pyx), matvec,
tensordot, einsum, diagonals, bands, trace and norm, with their gradients.
The factorisations and solvers (inv, det, cholesky, solve, qr, svd, eigh
...) are in eager/ops/decompositions.py."""
import os
import string as _string

import numpy as np

from eager import errors
from eager._ext import blas as _blas
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, unbroadcast, MATCH_ALL,
                                 NUMERIC, ALL, int8, int16, int32, uint8, uint16)

_matmul_tensors = _blas.matmul_tensors
_matmul_tensors_t = _blas.matmul_tensors_t


# ---- helpers -----------------------------------------------------------------
from eager.ops._argcheck import _desc, _invalid, _tensor as _t  # noqa: E402


def _pair(a, b, op):
    """Two tensors of one dtype: a non-Tensor takes the other's dtype."""
    try:
        if isinstance(a, Tensor):
            return a, (b if isinstance(b, Tensor) else convert_to_tensor(b, a.dtype))
        if isinstance(b, Tensor):
            return convert_to_tensor(a, b.dtype), b
        a = convert_to_tensor(a)
        return a, convert_to_tensor(b, a.dtype)
    except TypeError as e:
        raise TypeError("%s: %s" % (op, e)) from None


def _const(arr):
    return convert_to_tensor(arr)


def _eye(n, dtype):
    return _const(np.eye(n, dtype=as_dtype(dtype).np_dtype))


def _conj(x):
    from eager.ops.math import conj
    return conj(x) if x.dtype.is_complex else x


def adjoint_(x):
    from eager.ops import array as A
    return A.matrix_transpose(x, conjugate=True)


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


_MEMORY = _physical_memory()


def _check_output(op, dims, dtype, what):
    """Outputs larger than this machine's memory raise before NumPy tries
    (with overcommit, the allocation can succeed and the writes then kill
    the process)."""
    n = 1
    for d in dims:
        n *= int(d)
    nbytes = n * as_dtype(dtype).itemsize
    if nbytes > _MEMORY:
        raise errors.ResourceExhaustedError(
            None, op, "%s: an output of shape %s %s needs %d bytes, more than this machine's "
            "memory; %s" % (op, list(dims), as_dtype(dtype).name, nbytes, what))


def _batch_broadcast(sa, sb):
    """The broadcast of two batch shapes, or None."""
    out = []
    for i in range(1, max(len(sa), len(sb)) + 1):
        da = sa[-i] if i <= len(sa) else 1
        db = sb[-i] if i <= len(sb) else 1
        if da != db and da != 1 and db != 1:
            return None
        out.append(db if da == 1 else da)
    return tuple(out[::-1])


# ---- matmul ------------------------------------------------------------------
def _matmul_kernel(a, b, adjoint_a=False, adjoint_b=False):
    r = _blas.matmul(a, b, adjoint_a, adjoint_b)
    if r is not None:
        return r
    if a.dtype == np.float16:
        # Accumulate in float32, as TensorFlow's half matmul does.
        return _matmul_kernel(a.astype(np.float32), b.astype(np.float32),
                              adjoint_a, adjoint_b).astype(np.float16)
    if adjoint_a:
        a = np.conj(np.swapaxes(a, -1, -2)) if a.dtype.kind == "c" else np.swapaxes(a, -1, -2)
    if adjoint_b:
        b = np.conj(np.swapaxes(b, -1, -2)) if b.dtype.kind == "c" else np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def _check_matmul(op, tensors, attrs):
    a, b = tensors
    sa, sb = tuple(a.shape), tuple(b.shape)
    adj_a = attrs.get("adjoint_a", False) if attrs else False
    adj_b = attrs.get("adjoint_b", False) if attrs else False
    if len(sa) < 2 or len(sb) < 2:
        raise _invalid("matmul", "inputs must have rank >= 2: a is %s, b is %s"
                       % (_desc(a), _desc(b)))
    ka = sa[-2] if adj_a else sa[-1]
    kb = sb[-1] if adj_b else sb[-2]
    if ka != kb:
        raise _invalid("matmul", "inner dimensions differ: a is %s%s, b is %s%s"
                       % (_desc(a), " (adjoint)" if adj_a else "",
                          _desc(b), " (adjoint)" if adj_b else ""))
    batch = _batch_broadcast(sa[:-2], sb[:-2])
    if batch is None:
        raise _invalid("matmul", "batch dimensions do not broadcast: a is %s, b is %s"
                       % (_desc(a), _desc(b)))
    _check_output("matmul", batch + (sa[-1] if adj_a else sa[-2], sb[-2] if adj_b else sb[-1]),
                  a.dtype, "a is %s, b is %s" % (_desc(a), _desc(b)))


def _matmul_grad(g, ans, a, b, adjoint_a=False, adjoint_b=False):
    if not adjoint_a:
        if not adjoint_b:
            ga = matmul(g, b, adjoint_b=True)
            gb = matmul(a, g, adjoint_a=True)
        else:
            ga = matmul(g, b)
            gb = matmul(g, a, adjoint_a=True)
    else:
        if not adjoint_b:
            ga = matmul(b, g, adjoint_b=True)
            gb = matmul(a, g)
        else:
            ga = matmul(b, g, adjoint_a=True, adjoint_b=True)
            gb = matmul(g, a, adjoint_a=True, adjoint_b=True)
    return (unbroadcast(ga, tuple(a.shape)), unbroadcast(gb, tuple(b.shape)))


_matmul = defop("matmul", generic(NUMERIC, MATCH_ALL), cpu=_matmul_kernel, check=_check_matmul,
                cuda="gemm", grad=_matmul_grad)

_SMALL_INTS = (int8, int16, uint8, uint16)


@api(_matmul, "eager", "eager.linalg")
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """The matrix product of `a` and `b` (rank >= 2; batch dimensions
    broadcast), after transposing (`transpose_*`) or conjugate-transposing
    (`adjoint_*`) the last two axes of either. The *_is_sparse flags are
    hints and are ignored. `output_type=int32` multiplies 8- and 16-bit
    integers into int32. float32/float64/complex use BLAS gemm.

    >>> matmul([[1, 2], [3, 4]], [[1], [1]]).numpy()
    array([[3],
           [7]], dtype=int32)
    """
    if output_type is None:
        if not (transpose_a or transpose_b or adjoint_a or adjoint_b):
            r = _matmul_tensors(a, b)
            if r is not None:
                return r
            return execute(_matmul, (a, b))
        r = _matmul_tensors_t(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b)
        if r is not None:
            return r
    if transpose_a and adjoint_a:
        raise ValueError("matmul: only one of transpose_a and adjoint_a can be True")
    if transpose_b and adjoint_b:
        raise ValueError("matmul: only one of transpose_b and adjoint_b can be True")
    a, b = _pair(a, b, "matmul")
    # A transpose of a complex matrix is the adjoint of its conjugate, so the
    # kernel and the gradient only know adjoints.
    if transpose_a and a.dtype.is_complex:
        a = _conj(a)
    if transpose_b and b.dtype.is_complex:
        b = _conj(b)
    if output_type is not None:
        ot = as_dtype(output_type)
        if ot != a.dtype:
            if not (ot == int32 and a.dtype in _SMALL_INTS):
                raise _invalid("matmul", "output_type %s needs 8- or 16-bit integer inputs, "
                               "got a %s, b %s" % (ot.name, _desc(a), _desc(b)))
            from eager.ops.math import cast
            a, b = cast(a, ot), cast(b, ot)
    adj_a = bool(transpose_a or adjoint_a)
    adj_b = bool(transpose_b or adjoint_b)
    if not adj_a and not adj_b:
        return execute(_matmul, (a, b))
    return execute(_matmul, (a, b), {"adjoint_a": adj_a, "adjoint_b": adj_b})


@api(None, "eager", "eager.linalg")
def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """The product of matrices `a` [..., M, N] and vectors `b` [..., N]: a
    [..., M] tensor (batch dimensions broadcast)."""
    from eager.ops import array as A
    a, b = _pair(a, b, "matvec")
    if b.ndim < 1:
        raise _invalid("matvec", "b must have rank >= 1, got %s" % _desc(b))
    r = matmul(a, A.expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return A.squeeze(r, [-1])


@api(None, "eager.linalg")
def adjoint(matrix, name=None):
    """The conjugate transpose of the last two axes of `matrix`."""
    return adjoint_(_t(matrix))


# ---- tensordot -------------------------------------------------------------------
def _axes_list(v, op):
    if isinstance(v, Tensor):
        v = v.numpy()
    if isinstance(v, np.ndarray):
        if v.dtype.kind not in "iu":
            raise TypeError("%s: axes must be integers, got dtype %s" % (op, v.dtype))
        return [int(i) for i in v.reshape(-1)]
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    if isinstance(v, (list, tuple)):
        return [int(i) for i in v]
    raise TypeError("%s: axes must be an int or a pair of lists of ints, got %r" % (op, v))


@api(None, "eager", "eager.linalg")
def tensordot(a, b, axes, name=None):
    """The sum of products of `a` and `b` over the given axes: `axes` is N
    (the last N axes of a with the first N of b) or a pair [a_axes, b_axes].
    Computed as one matmul of transposed, reshaped operands.

    >>> tensordot([[1, 2], [3, 4]], [1, 1], 1).numpy()
    array([3, 7], dtype=int32)
    """
    from eager.ops import array as A
    a, b = _pair(a, b, "tensordot")
    sa, sb = tuple(a.shape), tuple(b.shape)
    ra, rb = len(sa), len(sb)
    if isinstance(axes, Tensor):
        axes = axes.numpy()
    if isinstance(axes, np.ndarray) and axes.ndim == 0:
        axes = int(axes)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > ra or n > rb:
            raise _invalid("tensordot", "axes = %d must be in [0, min(rank a, rank b)]; a is %s, "
                           "b is %s" % (n, _desc(a), _desc(b)))
        ax_a, ax_b = list(range(ra - n, ra)), list(range(n))
    else:
        if len(axes) != 2:
            raise _invalid("tensordot", "axes must be an int or a pair [a_axes, b_axes], got %r"
                           % (axes,))
        ax_a, ax_b = _axes_list(axes[0], "tensordot"), _axes_list(axes[1], "tensordot")
    if len(ax_a) != len(ax_b):
        raise _invalid("tensordot", "a_axes %s and b_axes %s differ in length" % (ax_a, ax_b))
    for ax, r, x in ((ax_a, ra, a), (ax_b, rb, b)):
        for i in ax:
            if not -r <= i < r:
                raise _invalid("tensordot", "axis %d is out of range for %s" % (i, _desc(x)))
    ax_a = [i % ra for i in ax_a]
    ax_b = [i % rb for i in ax_b]
    if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
        raise _invalid("tensordot", "repeated axes %s, %s" % (ax_a, ax_b))
    for i, j in zip(ax_a, ax_b):
        if sa[i] != sb[j]:
            raise _invalid("tensordot", "dimension mismatch: axis %d of a has %d, axis %d of b "
                           "has %d; a is %s, b is %s" % (i, sa[i], j, sb[j], _desc(a), _desc(b)))
    free_a = [i for i in range(ra) if i not in ax_a]
    free_b = [i for i in range(rb) if i not in ax_b]
    k = int(np.prod([sa[i] for i in ax_a], dtype=np.int64))
    ma = int(np.prod([sa[i] for i in free_a], dtype=np.int64))
    nb = int(np.prod([sb[i] for i in free_b], dtype=np.int64))
    pa, pb = free_a + ax_a, ax_b + free_b
    at = a if pa == list(range(ra)) else A.transpose(a, pa)
    bt = b if pb == list(range(rb)) else A.transpose(b, pb)
    r = matmul(A.reshape(at, [ma, k]), A.reshape(bt, [k, nb]))
    return A.reshape(r, [sa[i] for i in free_a] + [sb[i] for i in free_b])


# ---- einsum ----------------------------------------------------------------------
def _einsum_parse(equation, shapes):
    """(input subscripts, output subscripts, {label: size}) with the ellipsis
    written out as spare letters and the implicit output made explicit."""
    if not isinstance(equation, str):
        raise TypeError("einsum: equation must be a string, got %r" % (equation,))
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise _invalid("einsum", "equation %r has more than one '->'" % equation)
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise _invalid("einsum", "equation %r names %d operand(s) but %d were given"
                       % (equation, len(ins), len(shapes)))
    for term in ins + ([out] if out is not None else []):
        bare = term.replace("...", "", 1)
        if "." in bare or any(c not in _string.ascii_letters for c in bare):
            raise _invalid("einsum", "invalid subscripts %r in equation %r" % (term, equation))
    spare = [c for c in _string.ascii_letters if c not in eq]
    ell = 0
    for term, shape in zip(ins, shapes):
        n = len(term.replace("...", ""))
        if "..." in term:
            if n > len(shape):
                raise _invalid("einsum", "subscripts %r need rank >= %d, got shape %s in %r"
                               % (term, n, shape, equation))
            ell = max(ell, len(shape) - n)
        elif n != len(shape):
            raise _invalid("einsum", "subscripts %r do not match an operand of shape %s in %r"
                           % (term, shape, equation))
    if ell > len(spare):
        raise _invalid("einsum", "too many dimensions under '...' in %r" % equation)
    ell_labels = "".join(spare[:ell])
    full = []
    for term, shape in zip(ins, shapes):
        if "..." in term:
            k = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", ell_labels[ell - k:])
        full.append(term)
    if out is None:
        counts = {}
        for term in ins:
            for c in term.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        out = ell_labels + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        out = out.replace("...", ell_labels)
    if len(set(out)) != len(out):
        raise _invalid("einsum", "output subscripts %r repeat a label in %r" % (out, equation))
    sizes = {}
    for term, shape in zip(full, shapes):
        for c, d in zip(term, shape):
            s = sizes.get(c)
            if s is None or s == 1:
                sizes[c] = d
            elif d != s and d != 1:
                raise _invalid("einsum", "label %r has sizes %d and %d in %r (shapes %s)"
                               % (c, s, d, equation, list(shapes)))
    for c in out:
        if c not in sizes:
            raise _invalid("einsum", "output label %r is not in any input of %r" % (c, equation))
    return full, out, sizes


def _einsum_kernel(*xs, equation):
    dt = xs[0].dtype
    if dt == np.float16:
        xs = [x.astype(np.float32) for x in xs]
    work = 1
    for x in xs:
        work *= max(x.size, 1)
    # Above a few thousand multiply-adds, NumPy's planner (which hands
    # contractions to BLAS) pays for itself.
    r = np.einsum(equation, *xs, optimize="greedy" if len(xs) > 2 or work > 4096 else False)
    return np.asarray(r).astype(dt, copy=False)


def _einsum_grad(g, ans, *xs, equation):
    from eager.ops import array as A
    from eager.ops.math import conj_if_complex
    lhs, out = equation.split("->")
    ins = lhs.split(",")
    sizes = {}
    for term, x in zip(ins, xs):
        for c, d in zip(term, x.shape):
            if d != 1:
                sizes[c] = d
            else:
                sizes.setdefault(c, 1)
    spare = [c for c in _string.ascii_letters if c not in equation]
    grads = []
    for i, x in enumerate(xs):
        if not (x.dtype.is_floating or x.dtype.is_complex):
            grads.append(None)
            continue
        # A label repeated in this operand (a diagonal) becomes a fresh label
        # tied to the first by an identity matrix among the operands.
        term, seen, deltas = [], set(), []
        for pos, c in enumerate(ins[i]):
            if c in seen:
                f = spare.pop()
                deltas.append((c + f, _eye(x.shape[pos], x.dtype)))
                term.append(f)
            else:
                seen.add(c)
                term.append(c)
        others = [(ins[j], conj_if_complex(xs[j])) for j in range(len(xs)) if j != i]
        ops = [(out, g)] + others + deltas
        present = set("".join(s for s, _ in ops))
        # Labels only in this operand (summed in the forward) and labels it
        # broadcasts (size 1 against a larger size) are summed here and
        # broadcast back after.
        target = "".join(c for pos, c in enumerate(term)
                         if c in present and x.shape[pos] == sizes.get(ins[i][pos], x.shape[pos]))
        gi = einsum(",".join(s for s, _ in ops) + "->" + target, *[t for _, t in ops])
        shape = tuple(x.shape)
        if target != "".join(term):
            gi = A.reshape(gi, [d if c in target else 1 for c, d in zip(term, shape)])
            gi = A.broadcast_to(gi, shape)
        grads.append(gi)
    return tuple(grads)


_einsum = defop("einsum", generic(NUMERIC, MATCH_ALL), cpu=_einsum_kernel, cuda="einsum",
                grad=_einsum_grad)


@api(_einsum, "eager", "eager.linalg")
def einsum(equation, *inputs, **kwargs):
    """Einstein summation: `equation` such as "ij,jk->ik" names each
    input's axes; labels missing from the output are summed. '...' stands
    for broadcast batch axes; without '->' the output is the labels that
    appear once, sorted. Inputs share one dtype.

    >>> einsum("ij->j", [[1, 2], [3, 4]]).numpy()
    array([4, 6], dtype=int32)
    """
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError("einsum: unexpected arguments %s" % sorted(kwargs))
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) and inputs[0] and \
            isinstance(inputs[0][0], Tensor):
        inputs = tuple(inputs[0])
    if not inputs:
        raise _invalid("einsum", "needs at least one input")
    ts = list(inputs)
    ref = next((x for x in ts if isinstance(x, Tensor)), None)
    try:
        if ref is None:
            ts[0] = convert_to_tensor(ts[0])
            ref = ts[0]
        ts = [x if isinstance(x, Tensor) else convert_to_tensor(x, ref.dtype) for x in ts]
    except TypeError as e:
        raise TypeError("einsum: %s" % e) from None
    full, out, sizes = _einsum_parse(equation, [tuple(x.shape) for x in ts])
    _check_output("einsum", [sizes[c] for c in out], ts[0].dtype, "equation %r, shapes %s"
                  % (equation, [tuple(x.shape) for x in ts]))
    return execute(_einsum, tuple(ts), {"equation": ",".join(full) + "->" + out})


# ---- diagonals, bands, trace -----------------------------------------------------------
def _matrix_diag_kernel(d, k=0, num_rows=0, num_cols=0, padding_value=0):
    n = d.shape[-1]
    out = np.full(d.shape[:-1] + (num_rows, num_cols), padding_value, d.dtype)
    i = np.arange(n)
    out[..., i + max(-k, 0), i + max(k, 0)] = d
    return out


_matrix_diag = defop("matrix_diag", generic(ALL), cpu=_matrix_diag_kernel, cuda="matrix_diag",
                     grad=lambda g, ans, d, k=0, num_rows=0, num_cols=0, padding_value=0:
                     (diag_part(g, k=k),))


@api(_matrix_diag, "eager.linalg", names=("diag",))
@api(_matrix_diag, "eager", names=("matrix_diag",))
def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """Matrices [..., M, N] with `diagonal` [..., L] on diagonal `k` (0: the
    main one, > 0 above, < 0 below) and `padding_value` elsewhere; square
    of side L + |k| unless num_rows / num_cols say otherwise."""
    d = _t(diagonal)
    k = int(k)
    if d.ndim < 1:
        raise _invalid("matrix_diag", "diagonal must have rank >= 1, got %s" % _desc(d))
    n = d.shape[-1]
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows < 0 and cols < 0:
        rows = cols = max(min_rows, min_cols)
    elif rows < 0:
        rows = min_rows
    elif cols < 0:
        cols = min_cols
    if min(rows - max(-k, 0), cols - max(k, 0)) != n:
        raise _invalid("matrix_diag", "a diagonal of length %d does not fit diagonal %d of a "
                       "%d x %d matrix; diagonal is %s" % (n, k, rows, cols, _desc(d)))
    _check_output("matrix_diag", tuple(d.shape[:-1]) + (rows, cols), d.dtype,
                  "diagonal is %s" % _desc(d))
    pad = padding_value.numpy() if isinstance(padding_value, Tensor) else padding_value
    return execute(_matrix_diag, (d,), {"k": k, "num_rows": rows, "num_cols": cols,
                                        "padding_value": pad})


def _diag_part_kernel(x, k=0):
    return np.ascontiguousarray(np.diagonal(x, offset=k, axis1=-2, axis2=-1))


def _diag_part_check(op, tensors, attrs):
    x = tensors[0]
    if x.ndim < 2:
        raise _invalid("matrix_diag_part", "input must have rank >= 2, got %s" % _desc(x))
    k = attrs["k"]
    m, n = x.shape[-2], x.shape[-1]
    if k and not -m < k < n:
        raise _invalid("matrix_diag_part", "diagonal %d is out of range for %s"
                       % (k, _desc(x)))


_diag_part = defop("matrix_diag_part", generic(ALL), cpu=_diag_part_kernel,
                   check=_diag_part_check, cuda="matrix_diag_part",
                   grad=lambda g, ans, x, k=0: (diag(g, k=k, num_rows=x.shape[-2],
                                                     num_cols=x.shape[-1]),))


@api(_diag_part, "eager.linalg", names=("diag_part",))
@api(_diag_part, "eager", names=("matrix_diag_part",))
def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """Diagonal `k` (0: the main one) of each matrix in `input` [..., M, N]:
    a [..., L] tensor."""
    return execute(_diag_part, (input,), {"k": int(k)})


@api(None, "eager.linalg", names=("band_part",))
@api(None, "eager", names=("matrix_band_part",))
def band_part(input, num_lower, num_upper, name=None):
    """`input` with everything outside a band around the diagonal of each
    matrix set to zero: num_lower subdiagonals and num_upper superdiagonals
    are kept (a negative number keeps the whole triangle)."""
    from eager.ops import array as A
    from eager.ops.math import where
    x = _t(input)
    if x.ndim < 2:
        raise _invalid("band_part", "input must have rank >= 2, got %s" % _desc(x))
    lo, up = int(num_lower), int(num_upper)
    m, n = x.shape[-2], x.shape[-1]
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
    if keep.all():
        return x
    return where(_const(keep), x, A.zeros_like(x))


@api(None, "eager.linalg", names=("set_diag",))
@api(None, "eager", names=("matrix_set_diag",))
def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):
    """`input` [..., M, N] with diagonal `k` replaced by `diagonal` [..., L]."""
    from eager.ops.math import where
    x, d = _pair(input, diagonal, "set_diag")
    m, n = x.shape[-2], x.shape[-1]
    on = np.eye(m, n, int(k), dtype=bool)
    return where(_const(on), diag(d, k=k, num_rows=m, num_cols=n), x)


@api(None, "eager", "eager.linalg")
def trace(x, name=None):
    """The sum of the main diagonal of each matrix in `x` [..., M, N]."""
    from eager.ops.reduction import reduce_sum
    return reduce_sum(diag_part(x), axis=-1)


# ---- norm --------------------------------------------------------------------------------
def _abs_squared_sum(x, axis, keepdims):
    from eager.ops.math import real
    from eager.ops.reduction import reduce_sum
    sq = real(x * _conj(x)) if x.dtype.is_complex else x * x
    return reduce_sum(sq, axis=axis, keepdims=keepdims)


@api(None, "eager", "eager.linalg")
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """The vector or matrix norm of `tensor`. axis None: the whole tensor as
    a vector; an int: vectors along it; a pair: matrices over those axes.
    Vector ord: 'euclidean' (= 'fro' = 2), 1, inf or any p > 0; matrix
    ord: 'euclidean' / 'fro', 1 (max column sum), inf (max row sum) or 2
    (largest singular value). Complex inputs give real norms."""
    from eager.ops import array as A
    from eager.ops.decompositions import svd
    from eager.ops.math import sqrt, abs as abs_, pow as pow_
    from eager.ops.reduction import reduce_sum, reduce_max, _axes
    x = _t(tensor)
    keepdims = bool(keepdims)
    matrix = isinstance(axis, (list, tuple)) and len(axis) == 2 or \
        (isinstance(axis, Tensor) and tuple(axis.shape) == (2,))
    if isinstance(ord, str) and ord not in ("euclidean", "fro"):
        raise ValueError("norm: ord must be 'euclidean', 'fro', 1, 2, np.inf or p > 0, got %r"
                         % (ord,))
    if not isinstance(ord, str):
        try:
            p = float(ord)
        except (TypeError, ValueError):
            raise ValueError("norm: ord must be a number or 'euclidean'/'fro', got %r"
                             % (ord,)) from None
        if not p > 0:
            raise ValueError("norm: ord must be > 0, got %r" % (ord,))
    if matrix:
        axes = list(_axes("norm", axis, x))
        if len(axes) != 2:
            raise ValueError("norm: a matrix norm needs two distinct axes, got %r" % (axis,))
        r_ax, c_ax = [a % x.ndim for a in (_axis_list(axis))]
        if ord in ("euclidean", "fro"):
            return sqrt(_abs_squared_sum(x, [r_ax, c_ax], keepdims))
        if p == 1 or p == np.inf:
            inner, outer = (r_ax, c_ax) if p == 1 else (c_ax, r_ax)
            r = reduce_max(reduce_sum(abs_(x), axis=inner, keepdims=True), axis=outer,
                           keepdims=True)
        elif p == 2:
            rest = [i for i in range(x.ndim) if i not in (r_ax, c_ax)]
            xt = A.transpose(x, rest + [r_ax, c_ax])
            s = svd(xt, compute_uv=False)
            s = abs_(s) if s.dtype.is_complex else s
            r = reduce_max(s, axis=-1)
            kept = [1 if i in (r_ax, c_ax) else d for i, d in enumerate(x.shape)]
            r = A.reshape(r, kept)
        else:
            raise ValueError("norm: a matrix norm's ord must be 'euclidean', 'fro', 1, 2 or "
                             "inf, got %r" % (ord,))
        if not keepdims:
            r = A.squeeze(r, [r_ax, c_ax])
        return r
    if axis is not None:
        a = _axes("norm", axis, x)
        if len(a) != 1:
            raise ValueError("norm: axis must be None, an int or a pair, got %r" % (axis,))
        axis = list(a)
    if ord in ("euclidean", "fro") or p == 2:
        return sqrt(_abs_squared_sum(x, axis, keepdims))
    ax = abs_(x)
    if p == 1:
        return reduce_sum(ax, axis=axis, keepdims=keepdims)
    if p == np.inf:
        return reduce_max(ax, axis=axis, keepdims=keepdims)
    return pow_(reduce_sum(pow_(ax, p), axis=axis, keepdims=keepdims), 1.0 / p)


def _axis_list(axis):
    if isinstance(axis, Tensor):
        return [int(i) for i in axis.numpy()]
    return [int(i) for i in axis]
