"""Matrix factorisations and solvers of tf.linalg: inv, det, slogdet,
logdet, cholesky, solve, triangular_solve, cholesky_solve, lstsq, qr, svd,
eigh, on NumPy's LAPACK, with their gradients (written with matmul and the
other ops of eager/ops/linalg.py)."""
import numpy as np

from eager import errors
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, generic, unbroadcast, MATCH_ALL, FLOATS,
                                 COMPLEX)
from eager.ops.linalg import (matmul, band_part, diag_part, adjoint_, _desc, _invalid, _pair,
                              _const, _eye, _conj, _check_output, _batch_broadcast)

INEXACT_LA = FLOATS + COMPLEX


# ---- helpers -----------------------------------------------------------------
def _tril_mask(n, diag_value, dtype):
    """ones below the diagonal, `diag_value` on it, zeros above."""
    m = np.tril(np.ones((n, n)), -1) + diag_value * np.eye(n)
    return _const(m.astype(as_dtype(dtype).np_dtype))


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
