"""Linear algebra: matmul (BLAS through eager/_ext/blas.pyx), tensordot,
einsum, and the matrix functions of tf.linalg (inv, det, cholesky, solve,
qr, svd, eigh, norm ...) on NumPy/SciPy kernels, with their gradients."""
import os
import string as _string

import numpy as np

from eager import errors
from eager._ext import blas as _blas
from eager._ext.tensor import Tensor
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, unbroadcast, MATCH_ALL,
                                 NUMERIC, FLOATS, COMPLEX, ALL, int8, int16, int32, uint8,
                                 uint16)

_matmul_tensors = _blas.matmul_tensors
_matmul_tensors_t = _blas.matmul_tensors_t
INEXACT_LA = FLOATS + COMPLEX


# ---- helpers -----------------------------------------------------------------
def _t(x):
    return x if type(x) is Tensor else convert_to_tensor(x)


def _desc(x):
    return "%s %s" % (tuple(x.shape), x.dtype.name)


def _invalid(op, msg):
    return errors.InvalidArgumentError(None, op, "%s: %s" % (op, msg))


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


def _tril_mask(n, diag_value, dtype):
    """ones below the diagonal, `diag_value` on it, zeros above."""
    m = np.tril(np.ones((n, n)), -1) + diag_value * np.eye(n)
    return _const(m.astype(as_dtype(dtype).np_dtype))


def _conj(x):
    from eager.ops.math import conj
    return conj(x) if x.dtype.is_complex else x


def adjoint_(x):
    from eager.ops import array as A
    return A.matrix_transpose(x, conjugate=True)


def _diag_embed(d, dtype=None):
    """A batch of square matrices with `d` on their diagonals."""
    from eager.ops import array as A
    n = d.shape[-1]
    return A.expand_dims(d, -1) * _eye(n, dtype or d.dtype)


def _lapack_input(x):
    """NumPy's LAPACK has no float16: compute in float32."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _check_square(op, tensors, attrs):
    x = tensors[0]
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise _invalid(op.name, "input must be a square matrix or a batch of them "
                       "(shape [..., M, M]), got %s" % _desc(x))


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


# ---- inverse, determinants -------------------------------------------------------------
def _inv_kernel(x, adjoint=False):
    if x.shape[-1] == 0:
        return x.copy()
    try:
        r = np.linalg.inv(_lapack_input(x))
    except np.linalg.LinAlgError:
        raise ValueError("Input is not invertible") from None
    if adjoint:
        r = np.conj(np.swapaxes(r, -1, -2))
    return r.astype(x.dtype, copy=False)


def _inv_grad(g, ans, x, adjoint=False):
    # d(A^-1) = -A^-1 dA A^-1; with adjoint the output is (A^-1)^H.
    if adjoint:
        return (-matmul(ans, matmul(g, ans, adjoint_a=True)),)
    return (-matmul(ans, matmul(g, ans, adjoint_b=True), adjoint_a=True),)


_inv = defop("matrix_inverse", generic(INEXACT_LA), cpu=_inv_kernel, check=_check_square,
             cuda="matrix_inverse", grad=_inv_grad)


@api(_inv, "eager.linalg", names=("inv",))
@api(_inv, "eager", names=("matrix_inverse",))
def inv(input, adjoint=False, name=None):
    """The inverse of each square matrix in `input` [..., M, M] (of its
    conjugate transpose with adjoint=True). A singular matrix is an
    InvalidArgumentError ("Input is not invertible")."""
    return execute(_inv, (input,), {"adjoint": bool(adjoint)})


def _det_kernel(x):
    if x.shape[-1] == 0:
        return np.ones(x.shape[:-2], x.dtype)
    return np.asarray(np.linalg.det(_lapack_input(x))).astype(x.dtype, copy=False)


def _det_grad(g, ans, x):
    from eager.ops import array as A
    # d det(A) = det(A) tr(A^-1 dA): the gradient is g det(A) A^-H.
    scale = A.expand_dims(A.expand_dims(g * _conj(ans), -1), -1)
    return (scale * inv(x, adjoint=True),)


_det = defop("matrix_determinant", generic(INEXACT_LA), cpu=_det_kernel, check=_check_square,
             cuda="matrix_determinant", grad=_det_grad)


@api(_det, "eager.linalg", names=("det",))
@api(_det, "eager", names=("matrix_determinant",))
def det(input, name=None):
    """The determinant of each square matrix in `input` [..., M, M]: a
    [...] tensor. The gradient needs the matrix to be invertible."""
    return execute(_det, (input,))


def _slogdet_kernel(x):
    if x.shape[-1] == 0:
        return np.ones(x.shape[:-2], x.dtype), np.zeros(x.shape[:-2], x.dtype)
    sign, logabs = np.linalg.slogdet(_lapack_input(x))
    return (np.asarray(sign).astype(x.dtype, copy=False),
            np.asarray(logabs).astype(x.dtype, copy=False))


def _slogdet_grad(g, ans, x):
    from eager.ops import array as A
    g_logabs = g[1]
    scale = A.expand_dims(A.expand_dims(g_logabs, -1), -1)
    return (scale * inv(x, adjoint=True),)


_slogdet = defop("log_matrix_determinant", generic(INEXACT_LA), cpu=_slogdet_kernel,
                 check=_check_square, n_outputs=2, cuda="log_matrix_determinant",
                 grad=_slogdet_grad)


@api(_slogdet, "eager.linalg", names=("slogdet",))
@api(_slogdet, "eager", names=("log_matrix_determinant",))
def slogdet(input, name=None):
    """(sign, log_abs_determinant) of each square matrix in `input`: the
    determinant is sign * exp(log_abs_determinant), without overflow. Both
    have the input's dtype; the gradient flows through the log."""
    return execute(_slogdet, (input,))


@api(None, "eager.linalg")
def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, from their
    Cholesky factor: 2 * sum(log(diag(L)))."""
    from eager.ops.math import log, real, cast
    from eager.ops.reduction import reduce_sum
    chol = cholesky(matrix)
    d = diag_part(chol)
    if d.dtype.is_complex:
        return cast(2.0 * reduce_sum(log(real(d)), axis=-1), d.dtype)
    return 2.0 * reduce_sum(log(d), axis=-1)


# ---- cholesky, solves -------------------------------------------------------------------
def _cholesky_kernel(x):
    if x.shape[-1] == 0:
        return x.copy()
    try:
        r = np.linalg.cholesky(_lapack_input(x))
    except np.linalg.LinAlgError:
        raise ValueError("Cholesky decomposition was not successful. The input might not "
                         "be valid (it must be symmetric positive definite)") from None
    return r.astype(x.dtype, copy=False)


def _cholesky_grad(g, ans, x):
    # TensorFlow's symmetric gradient (Murray, "Differentiation of the
    # Cholesky decomposition"): Phi(L^H g) with the diagonal halved.
    from eager.ops import array as A
    n = ans.shape[-1]
    eye = A.broadcast_to(_eye(n, ans.dtype), tuple(ans.shape))
    l_inv = triangular_solve(ans, eye, lower=True)
    middle = matmul(ans, g, adjoint_a=True) * _tril_mask(n, 0.5, ans.dtype)
    ga = matmul(matmul(l_inv, middle, adjoint_a=True), l_inv)
    return ((ga + adjoint_(ga)) * 0.5,)


_cholesky = defop("cholesky", generic(INEXACT_LA), cpu=_cholesky_kernel, check=_check_square,
                  cuda="cholesky", grad=_cholesky_grad)


@api(_cholesky, "eager", "eager.linalg")
def cholesky(input, name=None):
    """The lower-triangular Cholesky factor L of each Hermitian positive
    definite matrix in `input` (input = L L^H). Only the lower triangle is
    read; the gradient is TensorFlow's symmetric one. A matrix that is not
    positive definite is an InvalidArgumentError."""
    return execute(_cholesky, (input,))


def _check_solve(op, tensors, attrs):
    a, b = tensors
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise _invalid(op.name, "matrix must be square (shape [..., M, M]), got %s; rhs is %s"
                       % (_desc(a), _desc(b)))
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise _invalid(op.name, "rhs must have shape [..., M, K] for a matrix [..., M, M]: "
                       "matrix is %s, rhs is %s" % (_desc(a), _desc(b)))
    if op.name == "matrix_solve":
        if tuple(a.shape[:-2]) != tuple(b.shape[:-2]):
            raise _invalid(op.name, "matrix and rhs must have the same batch dimensions: "
                           "matrix is %s, rhs is %s" % (_desc(a), _desc(b)))
    else:
        batch = _batch_broadcast(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
        if batch is None:
            raise _invalid(op.name, "batch dimensions do not broadcast: matrix is %s, rhs is %s"
                           % (_desc(a), _desc(b)))
        _check_output(op.name, batch + tuple(b.shape[-2:]), b.dtype,
                      "matrix is %s, rhs is %s" % (_desc(a), _desc(b)))


def _solve_kernel(a, b, adjoint=False):
    if a.shape[-1] == 0 or b.shape[-1] == 0:
        return np.zeros(b.shape, b.dtype)
    if adjoint:
        a = np.conj(np.swapaxes(a, -1, -2))
    try:
        r = np.linalg.solve(_lapack_input(a), _lapack_input(b))
    except np.linalg.LinAlgError:
        raise ValueError("Input matrix is not invertible") from None
    return r.astype(b.dtype, copy=False)


def _solve_grad(g, ans, a, b, adjoint=False):
    gb = solve(a, g, adjoint=not adjoint)
    if adjoint:
        ga = -matmul(ans, gb, adjoint_b=True)
    else:
        ga = -matmul(gb, ans, adjoint_b=True)
    return (ga, gb)


_solve = defop("matrix_solve", generic(INEXACT_LA, MATCH_ALL), cpu=_solve_kernel,
               check=_check_solve, cuda="matrix_solve", grad=_solve_grad)


@api(_solve, "eager.linalg", names=("solve",))
@api(_solve, "eager", names=("matrix_solve",))
def solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (matrix^H @ X = rhs with adjoint=True), for
    `matrix` [..., M, M] and `rhs` [..., M, K] with the same batch
    dimensions. A singular matrix is an InvalidArgumentError."""
    return execute(_solve, (matrix, rhs), {"adjoint": bool(adjoint)})


def _trisolve_kernel(a, b, lower=True, adjoint=False):
    batch = _batch_broadcast(a.shape[:-2], b.shape[:-2])
    if a.shape[-1] == 0 or b.shape[-1] == 0 or 0 in batch:
        return np.zeros(batch + b.shape[-2:], b.dtype)
    # NumPy's LAPACK rather than SciPy's solve_triangular: SciPy's OpenBLAS
    # is a second thread pool, and taking turns with NumPy's costs a
    # scheduler slice per call (see eager/_ext/blas.pyx). The triangle that
    # is not read is zeroed first; a zero on the diagonal is singular.
    t = np.tril(a) if lower else np.triu(a)
    if not np.all(np.diagonal(t, axis1=-2, axis2=-1)):
        raise ValueError("Input matrix is not invertible (a zero on the diagonal)")
    if adjoint:
        t = np.conj(np.swapaxes(t, -1, -2))
    t = np.broadcast_to(_lapack_input(t), batch + a.shape[-2:])
    b2 = np.broadcast_to(_lapack_input(b), batch + b.shape[-2:])
    with np.errstate(all="ignore"):
        r = np.linalg.solve(t, b2)
    return r.astype(b.dtype, copy=False)


def _trisolve_grad(g, ans, a, b, lower=True, adjoint=False):
    gb = triangular_solve(a, g, lower=lower, adjoint=not adjoint)
    if adjoint:
        ga = -matmul(ans, gb, adjoint_b=True)
    else:
        ga = -matmul(gb, ans, adjoint_b=True)
    # Only one triangle of the matrix is read.
    ga = band_part(ga, -1, 0) if lower else band_part(ga, 0, -1)
    return (unbroadcast(ga, tuple(a.shape)), unbroadcast(gb, tuple(b.shape)))


_trisolve = defop("matrix_triangular_solve", generic(INEXACT_LA, MATCH_ALL),
                  cpu=_trisolve_kernel, check=_check_solve, cuda="matrix_triangular_solve",
                  grad=_trisolve_grad)


@api(_trisolve, "eager.linalg", names=("triangular_solve",))
@api(_trisolve, "eager", names=("matrix_triangular_solve",))
def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """X with matrix @ X = rhs for triangular `matrix` [..., M, M] (only its
    lower triangle is read when `lower`, else the upper); `rhs` is
    [..., M, K] and batch dimensions broadcast. adjoint=True solves
    matrix^H @ X = rhs. A zero on the diagonal is an InvalidArgumentError."""
    return execute(_trisolve, (matrix, rhs), {"lower": bool(lower), "adjoint": bool(adjoint)})


@api(None, "eager.linalg")
def cholesky_solve(chol, rhs, name=None):
    """X with A @ X = rhs, given the Cholesky factor `chol` of A (two
    triangular solves)."""
    y = triangular_solve(chol, rhs, lower=True)
    return triangular_solve(chol, y, lower=True, adjoint=True)


@api(None, "eager.linalg")
def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution X of matrix @ X = rhs (minimum-norm when
    underdetermined), with an optional L2 penalty, from the normal equations
    solved by Cholesky (TensorFlow's fast path; the matrix must have full
    rank unless l2_regularizer > 0)."""
    a, b = _pair(matrix, rhs, "lstsq")
    if a.ndim < 2 or b.ndim < 2 or a.shape[-2] != b.shape[-2]:
        raise _invalid("lstsq", "matrix [..., M, N] and rhs [..., M, K] must agree in M: "
                       "matrix is %s, rhs is %s" % (_desc(a), _desc(b)))
    m, n = a.shape[-2], a.shape[-1]
    lam = float(l2_regularizer)
    if m >= n:
        gram = matmul(a, a, adjoint_a=True)
        if lam:
            gram = gram + lam * _eye(n, a.dtype)
        return cholesky_solve(cholesky(gram), matmul(a, b, adjoint_a=True))
    gram = matmul(a, a, adjoint_b=True)
    if lam:
        gram = gram + lam * _eye(m, a.dtype)
    return matmul(a, cholesky_solve(cholesky(gram), b), adjoint_a=True)


# ---- decompositions ---------------------------------------------------------------------
def _qr_kernel(x, full_matrices=False):
    q, r = np.linalg.qr(_lapack_input(x), mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)


def _qr_grad(g, ans, x, full_matrices=False):
    # TensorFlow's QR gradient (square and tall matrices; wide ones reduce
    # to the square case). R must be invertible.
    from eager.ops import array as A
    dq, dr = g
    q, r = ans
    m, n = x.shape[-2], x.shape[-1]
    if x.dtype.is_complex:
        raise errors.UnimplementedError(None, "qr", "qr: the gradient of complex QR is "
                                        "not implemented")
    if full_matrices and m > n:
        raise errors.UnimplementedError(None, "qr", "qr: no gradient when full_matrices=True "
                                        "and rows > columns; input is %s" % _desc(x))

    def tri_solve(b, rr):       # b @ inv(rr)^H for upper-triangular rr
        return adjoint_(triangular_solve(rr, adjoint_(b), lower=False))

    def square_or_tall(q, r, dq, dr):
        qdq = matmul(q, dq, adjoint_a=True)
        rdr = matmul(r, dr, adjoint_b=True)
        low = band_part(qdq - adjoint_(qdq) + rdr - adjoint_(rdr), -1, 0)
        return matmul(q, dr + tri_solve(low, r)) + tri_solve(dq - matmul(q, qdq), r)

    if m >= n:
        return (square_or_tall(q, r, dq, dr),)
    y = x[..., :, m:]
    u = r[..., :, :m]
    dv = dr[..., :, m:]
    du = dr[..., :, :m]
    dy = matmul(q, dv)
    dx = square_or_tall(q, u, dq + matmul(y, dv, adjoint_b=True), du)
    return (A.concat([dx, dy], axis=-1),)


def _check_matrix(op, tensors, attrs):
    x = tensors[0]
    if x.ndim < 2:
        raise _invalid(op.name, "input must be a matrix or a batch of them (rank >= 2), got %s"
                       % _desc(x))


_qr = defop("qr", generic(INEXACT_LA), cpu=_qr_kernel, check=_check_matrix, n_outputs=2,
            cuda="qr", grad=_qr_grad)


@api(_qr, "eager", "eager.linalg")
def qr(input, full_matrices=False, name=None):
    """The QR decomposition of each matrix in `input` [..., M, N]: (q, r)
    with q orthonormal columns ([..., M, P], P = min(M, N), or [..., M, M]
    with full_matrices) and r upper triangular. The gradient needs r
    invertible; it is not implemented for complex inputs."""
    return execute(_qr, (input,), {"full_matrices": bool(full_matrices)})


def _svd_kernel(x, full_matrices=False, compute_uv=True):
    xc = _lapack_input(x)
    if not compute_uv:
        return (np.linalg.svd(xc, compute_uv=False).astype(x.dtype),)
    u, s, vh = np.linalg.svd(xc, full_matrices=full_matrices)
    v = np.conj(np.swapaxes(vh, -1, -2))
    return (s.astype(x.dtype), u.astype(x.dtype, copy=False),
            np.ascontiguousarray(v).astype(x.dtype, copy=False))


def _safe_reciprocal(x, eps=1e-20):
    return x / (x * x + eps)


def _svd_grad(g, ans, x, full_matrices=False, compute_uv=True):
    # TensorFlow's SVD gradient (after Townsend, "Differentiating the
    # singular value decomposition"); infinite for repeated singular values.
    from eager.ops import array as A
    from eager.ops.math import cast
    if not compute_uv:
        s, u, v = svd(x, full_matrices=False, compute_uv=True)
        gs = g[0] if isinstance(g, tuple) else g
        return (matmul(u, matmul(_diag_embed(cast(gs, x.dtype)), v, adjoint_b=True)),)
    gs, gu, gv = g
    s, u, v = ans
    m, n = x.shape[-2], x.shape[-1]
    use_adjoint = m > n
    if use_adjoint:
        m, n = n, m
        u, v = v, u
        gu, gv = gv, gu
    if full_matrices and abs(m - n) > 1:
        raise errors.UnimplementedError(
            None, "svd", "svd: no gradient when full_matrices=True and |M - N| > 1; input "
            "is %s" % _desc(x))
    gs_mat = _diag_embed(cast(gs, x.dtype))
    s_mat = _diag_embed(s)
    s2 = s * s
    p = s.shape[-1]
    off = _const((1 - np.eye(p)).astype(x.dtype.np_dtype))
    f = off * _safe_reciprocal(A.expand_dims(s2, -2) - A.expand_dims(s2, -1))
    s_inv_mat = _diag_embed(_safe_reciprocal(s))
    v1 = v if v.shape[-1] == m else v[..., :, :m]
    gv1 = gv if gv.shape[-1] == m else gv[..., :, :m]
    u_gu = matmul(u, gu, adjoint_a=True)
    v_gv = matmul(v1, gv1, adjoint_a=True)
    f_u = f * u_gu
    f_v = f * v_gv
    inner = gs_mat + matmul(f_u + adjoint_(f_u), s_mat) + matmul(s_mat, f_v + adjoint_(f_v))
    ga = matmul(u, matmul(inner, v1, adjoint_b=True))
    if m != n:
        gv1t = adjoint_(gv1)
        t2 = gv1t - matmul(matmul(gv1t, v1), v1, adjoint_b=True)
        if full_matrices:
            v2 = v[..., :, m:n]
            gv2 = gv[..., :, m:n]
            t2 = t2 - matmul(matmul(v1, gv2, adjoint_a=True), v2, adjoint_b=True)
        ga = ga + matmul(matmul(u, s_inv_mat), t2)
    if x.dtype.is_complex:
        l_ = _eye(p, x.dtype) * v_gv
        t3 = matmul(s_inv_mat, adjoint_(l_) - l_)
        ga = ga + 0.5 * matmul(u, matmul(t3, v1, adjoint_b=True))
    return (adjoint_(ga) if use_adjoint else ga,)


_svd = defop("svd", generic(INEXACT_LA), cpu=_svd_kernel, check=_check_matrix, n_outputs=-1,
             cuda="svd", grad=_svd_grad)


@api(_svd, "eager", "eager.linalg")
def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """The singular value decomposition of each matrix in `tensor`
    [..., M, N]: (s, u, v) with tensor = u @ diag(s) @ adjoint(v) and s in
    descending order (TensorFlow's order: v, not its adjoint). With
    compute_uv=False, only s. The gradient is infinite where singular
    values repeat; with full_matrices it needs |M - N| <= 1."""
    r = execute(_svd, (tensor,), {"full_matrices": bool(full_matrices),
                                   "compute_uv": bool(compute_uv)})
    return r if compute_uv else r[0]


def _eigh_kernel(x):
    w, v = np.linalg.eigh(_lapack_input(x))
    return w.astype(x.dtype), v.astype(x.dtype, copy=False)


def _eigh_grad(g, ans, x):
    # TensorFlow's: only the lower triangle is read, so the gradient lives
    # there; infinite for repeated eigenvalues.
    from eager.ops import array as A
    ge, gv = g
    e, v = ans
    n = e.shape[-1]
    off = _const((1 - np.eye(n)).astype(x.dtype.np_dtype))
    f = off * _safe_reciprocal(A.expand_dims(e, -2) - A.expand_dims(e, -1))
    inner = _diag_embed(ge) + f * matmul(v, gv, adjoint_a=True)
    ga = matmul(v, matmul(inner, v, adjoint_b=True))
    return ((ga + adjoint_(ga)) * _tril_mask(n, 0.5, x.dtype),)


_eigh = defop("self_adjoint_eig", generic(INEXACT_LA), cpu=_eigh_kernel, check=_check_square,
              n_outputs=2, cuda="self_adjoint_eig", grad=_eigh_grad)


@api(_eigh, "eager.linalg", names=("eigh",))
@api(_eigh, "eager", names=("self_adjoint_eig",))
def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors (columns) of each Hermitian
    matrix in `tensor` [..., N, N], reading only its lower triangle:
    (e, v) with tensor = v @ diag(e) @ adjoint(v)."""
    return execute(_eigh, (tensor,))


@api(None, "eager.linalg", names=("eigvalsh",))
@api(None, "eager", names=("self_adjoint_eigvals",))
def eigvalsh(tensor, name=None):
    """The eigenvalues (ascending) of each Hermitian matrix in `tensor`."""
    return eigh(tensor)[0]


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
