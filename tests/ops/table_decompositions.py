"""Op table rows for eager/ops/decompositions.py: inv, det, slogdet,
cholesky, solve, triangular_solve, qr, svd, eigh, and the composites built
on them (logdet, cholesky_solve, lstsq, eigvalsh), each under the registry
op it exercises."""
import numpy as np

import eager as tf
from eager import errors
from tests.ops.table_linalg import (LinalgTest, _arrays, _grad_arrays, _adj, _rand, F, FC)

InvalidArg = errors.InvalidArgumentError


def _well_conditioned(shape, dtype, rng):
    """Random matrices plus n * I: far from singular."""
    n = shape[-1]
    return (_rand(shape, dtype, rng) + n * np.eye(n)).astype(dtype)


def _spd(shape, dtype, rng):
    a = _rand(shape, dtype, rng)
    return (a @ _adj(a) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _sym(t):
    """(t + t^H) / 2 with eager ops, so that functions reading one triangle
    are checked along symmetric directions."""
    return (t + tf.linalg.adjoint(t)) * 0.5


def _np_sym(x):
    return (x + _adj(x)) / 2


# ---- inverse, determinants, factorisations ------------------------------------------------
def _square_samples(make, shapes=((1, 1), (3, 3), (2, 4, 4), (0, 0))):
    def samples(dtype, rng):
        return [(make(s, dtype, rng),) for s in shapes]
    return samples


def _square_grad(make, shapes=((3, 3), (2, 4, 4))):
    def samples(rng):
        return [(make(s, np.float64, rng),) for s in shapes]
    return samples


SINGULAR = tf.constant([[1.0, 2.0], [2.0, 4.0]])
NOT_SQUARE = tf.zeros([2, 3])


def _square_errors(name):
    return [((NOT_SQUARE,), InvalidArg, r"%s: input must be a square matrix .*got \(2, 3\) "
                                        r"float32" % name),
            ((tf.zeros([3]),), InvalidArg, r"%s: input must be a square matrix" % name),
            ((tf.zeros([2, 2], tf.int32),), InvalidArg, r"%s: dtype int32 is not supported"
             % name)]


def _det_ref(x):
    if x.shape[-1] == 0:
        return np.ones(x.shape[:-2], x.dtype)
    return np.asarray(np.linalg.det(x)).astype(x.dtype)


def _slogdet_ref(x):
    if x.shape[-1] == 0:
        return np.ones(x.shape[:-2], x.dtype), np.zeros(x.shape[:-2], x.dtype)
    s, l = np.linalg.slogdet(x)
    return np.asarray(s).astype(x.dtype), np.asarray(l).astype(x.dtype)


def _chol_ref(x):
    return np.linalg.cholesky(_np_sym(x)) if x.shape[-1] else x.copy()


ROWS = [
    LinalgTest("matrix_inverse", fn=tf.linalg.inv,
               ref=lambda x: np.linalg.inv(x) if x.shape[-1] else x.copy(), dtypes=FC,
               samples=_square_samples(_well_conditioned), grad2=True,
               grad_samples=_square_grad(_well_conditioned),
               errors=_square_errors("matrix_inverse") + [
                   ((SINGULAR,), InvalidArg, r"matrix_inverse: Input is not invertible; input 0 "
                                             r"is \(2, 2\) float32")]),
    LinalgTest("matrix_inverse", name="adjoint", fn=lambda x: tf.linalg.inv(x, adjoint=True),
               ref=lambda x: _adj(np.linalg.inv(x)), dtypes=FC,
               samples=_square_samples(_well_conditioned, ((3, 3), (2, 2, 2))),
               grad_samples=_square_grad(_well_conditioned)),
    LinalgTest("matrix_determinant", fn=tf.linalg.det, ref=_det_ref, dtypes=FC,
               samples=_square_samples(_well_conditioned), grad2=True,
               grad_samples=_square_grad(_well_conditioned),
               errors=_square_errors("matrix_determinant")),
    LinalgTest("log_matrix_determinant", fn=tf.linalg.slogdet, ref=_slogdet_ref, dtypes=FC,
               samples=_square_samples(lambda s, d, r: _rand(s, d, r) + np.eye(s[-1]).astype(d)),
               grad_samples=_square_grad(_well_conditioned),
               errors=_square_errors("log_matrix_determinant")),
    LinalgTest("cholesky", fn=lambda x: tf.linalg.cholesky(_sym(x)), ref=_chol_ref, dtypes=FC,
               samples=_square_samples(_spd), grad_samples=_square_grad(_spd), grad2=True,
               errors=[((tf.constant([[1.0, 2.0], [2.0, 1.0]]),), InvalidArg,
                        r"cholesky: Cholesky decomposition was not successful.*\(2, 2\) float32")]),
    LinalgTest("cholesky", name="lower_only", fn=tf.linalg.cholesky,
               ref=lambda x: np.linalg.cholesky(np.tril(x) + np.tril(x, -1).T), dtypes=F,
               samples=_square_samples(lambda s, d, r: _spd(s, d, r) +
                                       np.triu(r.uniform(5, 9, size=s), 1).astype(d), ((3, 3),)),
               grad=False, errors=_square_errors("cholesky")),
    LinalgTest("cholesky", name="logdet", fn=lambda x: tf.linalg.logdet(_sym(x)),
               ref=lambda x: np.linalg.slogdet(x)[1].astype(x.dtype), dtypes=F,
               samples=_square_samples(_spd, ((3, 3), (2, 2, 2))),
               grad_samples=_square_grad(_spd)),
]


# ---- solves ---------------------------------------------------------------------------
def _solve_samples(make):
    def samples(dtype, rng):
        return [(make(sa, dtype, rng), _rand(sb, dtype, rng))
                for sa, sb in [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 1)), ((1, 1), (1, 3)),
                               ((0, 0), (0, 2))]]
    return samples


def _solve_grad(make, shapes=(((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 1)))):
    def samples(rng):
        return [(make(sa, np.float64, rng), rng.uniform(-2, 2, size=sb)) for sa, sb in shapes]
    return samples


def _lower(s, d, r):
    return np.tril(_well_conditioned(s, d, r))


def _np_solve(a, b):
    return np.linalg.solve(a, b) if a.shape[-1] else np.zeros(b.shape, b.dtype)


def _np_trisolve(a, b, lower=True, adjoint=False):
    t = np.tril(a) if lower else np.triu(a)
    if adjoint:
        t = _adj(t)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if a.shape[-1] == 0:
        return np.zeros(batch + b.shape[-2:], b.dtype)
    return np.linalg.solve(np.broadcast_to(t, batch + t.shape[-2:]),
                           np.broadcast_to(b, batch + b.shape[-2:])).astype(b.dtype)


ROWS += [
    LinalgTest("matrix_solve", fn=tf.linalg.solve, ref=_np_solve, dtypes=FC,
               samples=_solve_samples(_well_conditioned), grad2=True,
               grad_samples=_solve_grad(_well_conditioned),
               errors=[((SINGULAR, tf.ones([2, 1])), InvalidArg,
                        r"matrix_solve: Input matrix is not invertible; input 0 is \(2, 2\) "
                        r"float32"),
                       ((tf.eye(2), tf.ones([3, 1])), InvalidArg,
                        r"rhs must have shape \[\.\.\., M, K\].*matrix is \(2, 2\) float32, rhs "
                        r"is \(3, 1\) float32"),
                       ((NOT_SQUARE, tf.ones([2, 1])), InvalidArg, r"matrix must be square"),
                       ((tf.ones([2, 2, 2]), tf.ones([3, 2, 1])), InvalidArg,
                        r"same batch dimensions")]),
    LinalgTest("matrix_solve", name="adjoint", fn=lambda a, b: tf.linalg.solve(a, b, adjoint=True),
               ref=lambda a, b: _np_solve(_adj(a), b), dtypes=FC,
               samples=_solve_samples(_well_conditioned),
               grad_samples=_solve_grad(_well_conditioned)),
    LinalgTest("matrix_triangular_solve", fn=tf.linalg.triangular_solve, ref=_np_trisolve,
               dtypes=FC, samples=_solve_samples(_lower), grad2=True,
               grad_samples=_solve_grad(_well_conditioned),
               errors=[((tf.constant([[0.0, 0.0], [1.0, 1.0]]), tf.ones([2, 1])), InvalidArg,
                        r"matrix_triangular_solve: Input matrix is not invertible"),
                       ((tf.eye(2), tf.ones([3, 1])), InvalidArg, r"rhs must have shape")]),
    LinalgTest("matrix_triangular_solve", name="upper_adjoint_broadcast",
               fn=lambda a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
               ref=lambda a, b: _np_trisolve(a, b, lower=False, adjoint=True), dtypes=FC,
               samples=lambda dtype, rng: [(_well_conditioned((3, 3), dtype, rng),
                                            _rand((2, 3, 2), dtype, rng))],
               grad_samples=_solve_grad(_well_conditioned, [((3, 3), (2, 3, 2)),
                                                            ((2, 1, 3, 3), (4, 3, 1))])),
    LinalgTest("cholesky", name="cholesky_solve",
               fn=lambda a, b: tf.linalg.cholesky_solve(tf.linalg.cholesky(_sym(a)), b),
               ref=lambda a, b: np.linalg.solve(a, b), dtypes=F,
               samples=lambda dtype, rng: [(_spd((3, 3), dtype, rng), _rand((3, 2), dtype, rng))],
               grad_samples=_solve_grad(_spd, [((3, 3), (3, 2))])),
    LinalgTest("cholesky", name="lstsq", fn=tf.linalg.lstsq,
               ref=lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0].astype(a.dtype), dtypes=F,
               samples=_arrays(((5, 3), (5, 2)), ((2, 4), (2, 1))),
               grad_samples=_grad_arrays(((5, 3), (5, 2)), ((2, 4), (2, 1)))),
]


# ---- qr, svd, eigh --------------------------------------------------------------------------
def _np_qr(full):
    return lambda x: tuple(np.linalg.qr(x, mode="complete" if full else "reduced"))


def _np_svd(full=False):
    def ref(x):
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        return s.astype(x.dtype), u, _adj(vh)
    return ref


def _mats(*shapes):
    def samples(dtype, rng):
        return [(_rand(s, dtype, rng),) for s in shapes]
    return samples


def _mats_grad(*shapes):
    def samples(rng):
        return [(rng.uniform(-2, 2, size=s),) for s in shapes]
    return samples


ROWS += [
    LinalgTest("qr", fn=tf.linalg.qr, ref=_np_qr(False), dtypes=FC,
               samples=_mats((3, 3), (4, 2), (2, 4), (2, 3, 3)),
               grad_samples=_mats_grad((3, 3), (4, 2), (2, 4), (2, 3, 3)),
               errors=[((tf.zeros([3]),), InvalidArg, r"qr: input must be a matrix"),
                       ((tf.zeros([2, 2], tf.int32),), InvalidArg, r"qr: dtype int32")]),
    LinalgTest("qr", name="full", fn=lambda x: tf.linalg.qr(x, full_matrices=True),
               ref=_np_qr(True), dtypes=F, samples=_mats((3, 3), (4, 2), (2, 4)),
               grad_samples=_mats_grad((3, 3), (2, 4))),
    LinalgTest("svd", fn=tf.linalg.svd, ref=_np_svd(), dtypes=FC,
               samples=_mats((3, 3), (4, 2), (2, 4), (2, 3, 3)),
               grad_samples=_mats_grad((3, 3), (4, 2), (2, 4), (2, 3, 3)),
               errors=[((tf.zeros([3]),), InvalidArg, r"svd: input must be a matrix")]),
    LinalgTest("svd", name="full", fn=lambda x: tf.linalg.svd(x, full_matrices=True),
               ref=_np_svd(True), dtypes=F, samples=_mats((3, 3), (4, 3), (2, 3)),
               grad_samples=_mats_grad((3, 3), (4, 3), (2, 3))),
    LinalgTest("svd", name="values", fn=lambda x: tf.linalg.svd(x, compute_uv=False),
               ref=lambda x: np.linalg.svd(x, compute_uv=False).astype(x.dtype), dtypes=FC,
               samples=_mats((3, 3), (4, 2), (2, 5, 3)), grad_samples=_mats_grad((3, 3), (4, 2))),
    LinalgTest("self_adjoint_eig", fn=tf.linalg.eigh, ref=lambda x: tuple(
        a.astype(x.dtype) for a in np.linalg.eigh(x)), dtypes=FC,
        samples=_mats((3, 3), (2, 4, 4), (1, 1)), grad_samples=_mats_grad((3, 3), (2, 4, 4)),
        errors=_square_errors("self_adjoint_eig")),
    LinalgTest("self_adjoint_eig", name="symmetrised", fn=lambda x: tf.linalg.eigh(_sym(x)),
               ref=lambda x: tuple(a.astype(x.dtype) for a in np.linalg.eigh(_np_sym(x))),
               dtypes=F, samples=_mats((3, 3)), grad_samples=_mats_grad((3, 3), (2, 4, 4))),
    LinalgTest("self_adjoint_eig", name="eigvalsh", fn=tf.linalg.eigvalsh,
               ref=lambda x: np.linalg.eigvalsh(x).astype(x.dtype), dtypes=F,
               samples=_mats((3, 3), (2, 4, 4)), grad_samples=_mats_grad((3, 3))),
]


ENTRIES = ROWS
