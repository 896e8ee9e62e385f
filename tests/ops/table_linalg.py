"""Op table rows for eager/ops/linalg.py: matmul (with adjoints, batches
and broadcasting), einsum, diagonals and bands, and the composites built on
them (matvec, tensordot, trace, norm ...), each under the registry op it
exercises. The factorisations and solvers are in table_decompositions.py."""
import numpy as np

import eager as tf
from eager import errors
from tests.ops.optest import OpTest, random_array

InvalidArg = errors.InvalidArgumentError
F = ("float32", "float64")
FC = ("float32", "float64", "complex64", "complex128")


class LinalgTest(OpTest):
    """Tolerances for results of factorisations and BLAS, which round
    differently from the reference at float32."""

    def tolerances(self, dtype):
        return {"float16": (3e-2, 3e-2), "float32": (2e-4, 2e-4),
                "complex64": (2e-4, 2e-4)}.get(dtype, (1e-9, 1e-9))


def _arrays(*groups, domain=(-2.0, 2.0)):
    def samples(dtype, rng):
        return [tuple(random_array(s, dtype, rng, domain) for s in g) for g in groups]
    return samples


def _grad_arrays(*groups):
    def samples(rng):
        return [tuple(rng.uniform(-2, 2, size=s) for s in g) for g in groups
                if all(np.prod(s) for s in g)]
    return samples


def _adj(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _rand(shape, dtype, rng):
    x = rng.uniform(-1, 1, size=shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.uniform(-1, 1, size=shape)
    return x.astype(dtype)


def _matmul_ref(a, b):
    if a.dtype == np.float16:
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    return np.matmul(a, b)


MATMUL_SHAPES = [((2, 3), (3, 4)), ((1, 1), (1, 1)), ((4, 1), (1, 5)), ((3, 0), (0, 2)),
                 ((0, 3), (3, 2)), ((2, 2, 3), (2, 3, 4)), ((3, 2, 3), (3, 2)),
                 ((2, 1, 2, 3), (4, 3, 5)), ((20, 30), (30, 10))]

ERR_MATMUL = [
    ((tf.zeros([2, 3]), tf.zeros([4, 5])), InvalidArg,
     r"matmul: inner dimensions differ: a is \(2, 3\) float32, b is \(4, 5\) float32"),
    ((tf.zeros([3]), tf.zeros([3, 2])), InvalidArg, r"matmul: inputs must have rank >= 2"),
    ((tf.zeros([2, 2, 3]), tf.zeros([3, 3, 4])), InvalidArg,
     r"matmul: batch dimensions do not broadcast"),
    ((tf.zeros([2, 3]), tf.zeros([3, 2], tf.float64)), InvalidArg,
     r"matmul: inputs must have the same dtype"),
    ((tf.zeros([2, 3], tf.bool), tf.zeros([3, 2], tf.bool)), InvalidArg,
     r"matmul: dtype bool is not supported"),
]


def _adjoint_samples(dtype, rng):
    out = []
    for sa, sb in [((3, 2), (4, 3)), ((2, 3, 2), (2, 4, 3)), ((25, 30), (12, 25))]:
        out.append((_rand(sa, dtype, rng), _rand(sb, dtype, rng)))
    return out


ROWS = [
    LinalgTest("matmul", fn=tf.matmul, ref=_matmul_ref,
               dtypes=("int8", "int32", "int64", "float16", "float32", "float64", "complex64",
                       "complex128"),
               samples=_arrays(*MATMUL_SHAPES), grad2=True, errors=ERR_MATMUL),
    LinalgTest("matmul", name="transpose",
               fn=lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
               ref=lambda a, b: np.swapaxes(a, -1, -2) @ np.swapaxes(b, -1, -2),
               dtypes=("int32",) + FC, samples=_adjoint_samples, grad2=True,
               errors=[((tf.zeros([3, 2]), tf.zeros([3, 2])), InvalidArg,
                        r"inner dimensions differ: a is \(3, 2\) float32 \(adjoint\), b is "
                        r"\(3, 2\) float32 \(adjoint\)")]),
    LinalgTest("matmul", name="adjoint",
               fn=lambda a, b: tf.matmul(a, b, adjoint_a=True, adjoint_b=True),
               ref=lambda a, b: _adj(a) @ _adj(b), dtypes=FC, samples=_adjoint_samples,
               grad2=True),
    LinalgTest("matmul", name="transposed_views",
               fn=lambda a, b: tf.matmul(tf.transpose(a), tf.transpose(b)),
               ref=lambda a, b: a.T @ b.T, dtypes=F + ("int32",),
               samples=_arrays(((3, 2), (4, 3)), ((40, 30), (20, 40)))),
    LinalgTest("matmul", name="output_type",
               fn=lambda a, b: tf.matmul(a, b, output_type=tf.int32),
               ref=lambda a, b: a.astype(np.int32) @ b.astype(np.int32), dtypes=("int8", "uint8"),
               samples=_arrays(((2, 3), (3, 4))), grad=False,
               errors=[((tf.zeros([2, 2]), tf.zeros([2, 2])), InvalidArg,
                        r"output_type int32 needs 8- or 16-bit integer inputs")]),
    LinalgTest("matmul", name="matvec", fn=tf.linalg.matvec,
               ref=lambda a, b: np.matmul(a, b[..., None])[..., 0], dtypes=F,
               samples=_arrays(((2, 3), (3,)), ((2, 4, 3), (3,)), ((4, 3), (2, 3)))),
    LinalgTest("matmul", name="tensordot", fn=lambda a, b: tf.tensordot(a, b, [[0, 2], [2, 0]]),
               ref=lambda a, b: np.tensordot(a, b, [[0, 2], [2, 0]]), dtypes=("int32",) + F,
               samples=_arrays(((2, 3, 4), (4, 5, 2)), ((1, 0, 2), (2, 3, 1))),
               errors=[((tf.zeros([2, 3, 4]), tf.zeros([3, 5, 2])), InvalidArg,
                        r"tensordot: dimension mismatch: axis 0 of a has 2, axis 2 of b has 2|"
                        r"dimension mismatch")]),
    LinalgTest("matmul", name="tensordot_n", fn=lambda a, b: tf.tensordot(a, b, 1),
               ref=lambda a, b: np.tensordot(a, b, 1), dtypes=F,
               samples=_arrays(((2, 3), (3, 4)), ((2, 2, 3), (3,)))),
    LinalgTest("matmul", name="tensordot_0", fn=lambda a, b, axes=0: tf.tensordot(a, b, axes),
               ref=lambda a, b: np.tensordot(a, b, 0), dtypes=F,
               samples=_arrays(((2,), (3,)), ((2, 2), (3,))),
               errors=[((tf.zeros([2]), tf.zeros([2]), 2), InvalidArg,
                        r"tensordot: axes = 2 must be in \[0, min\(rank a, rank b\)\]")]),
]


# ---- einsum ------------------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]), ("ij,ij->i", [(1, 3), (4, 3)]),
    ("iij,jk->ik", [(2, 2, 3), (3, 4)]), ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ("ijk,k->", [(2, 3, 4), (4,)]), ("ij,k->ik", [(2, 3), (4,)]),
]

ERR_EINSUM = [
    (("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([4, 5])), InvalidArg,
     r"einsum: label 'j' has sizes 3 and 4 in 'ij,jk->ik'"),
    (("ij->ik", tf.zeros([2, 3])), InvalidArg, r"output label 'k' is not in any input"),
    (("ij,jk->ik", tf.zeros([2, 3])), InvalidArg, r"names 2 operand\(s\) but 1 were given"),
    (("ijk->i", tf.zeros([2, 3])), InvalidArg, r"subscripts 'ijk' do not match an operand "
                                                r"of shape \(2, 3\)"),
    (("i1->i", tf.zeros([2, 3])), InvalidArg, r"invalid subscripts"),
    (("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([3, 2], tf.float64)), InvalidArg,
     r"einsum: inputs must have the same dtype"),
]

for _i, (_eq, _shapes) in enumerate(EINSUMS):
    ROWS.append(LinalgTest(
        "einsum", name=_eq.replace("->", "_to_").replace(",", "_").replace("...", "E"),
        fn=lambda *xs, e=_eq: tf.einsum(e, *xs),
        ref=lambda *xs, e=_eq: np.asarray(np.einsum(e, *xs)),
        dtypes=("int32", "float32", "float64", "complex64"), samples=_arrays(tuple(_shapes)),
        grad_samples=_grad_arrays(tuple(_shapes)), grad2=len(_shapes) <= 2))
ROWS.append(LinalgTest(
    "einsum", name="empty", fn=lambda a, b: tf.einsum("ij,jk->ik", a, b),
    ref=lambda a, b: np.einsum("ij,jk->ik", a, b), dtypes=("int32", "float32"),
    samples=_arrays(((2, 0), (0, 3)), ((0, 2), (2, 3))), grad=False))
ROWS.append(LinalgTest(
    "einsum", name="equation_arg", fn=tf.einsum, ref=lambda e, *xs: np.einsum(e, *xs),
    dtypes=F, samples=lambda dtype, rng: [("ij,j", _rand((2, 3), dtype, rng),
                                           _rand((3,), dtype, rng))],
    grad=False, errors=ERR_EINSUM))


# ---- diagonals, trace, norms -----------------------------------------------------------------
def _np_diag(d, k=0):
    n = d.shape[-1] + abs(k)
    out = np.zeros(d.shape[:-1] + (n, n), d.dtype)
    i = np.arange(d.shape[-1])
    out[..., i + max(-k, 0), i + max(k, 0)] = d
    return out


def _np_diag_k_rect(d):
    out = np.full(d.shape[:-1] + (4, 3), 9, d.dtype)
    i = np.arange(3)
    out[..., i + 1, i] = d
    return out


def _np_set_diag(x, d):
    out = x.copy()
    i = np.arange(d.shape[-1])
    out[..., i, i] = d
    return out


ALL_DTYPES = ("bool", "int32", "float32", "float64", "complex64")

ROWS += [
    LinalgTest("matrix_diag", fn=tf.linalg.diag, ref=_np_diag, dtypes=ALL_DTYPES,
               samples=_arrays(((3,),), ((2, 4),), ((0,),)),
               grad_samples=_grad_arrays(((3,),), ((2, 4),)),
               errors=[((tf.constant(1.0),), InvalidArg, r"matrix_diag: diagonal must have "
                                                         r"rank >= 1"),
                       ((tf.zeros([3]), "d", 0, 2, 2), InvalidArg,
                        r"a diagonal of length 3 does not fit diagonal 0 of a 2 x 2 matrix")]),
    LinalgTest("matrix_diag", name="k_rect",
               fn=lambda d: tf.linalg.diag(d, k=-1, num_rows=4, num_cols=3, padding_value=9),
               ref=_np_diag_k_rect,
               dtypes=("int32", "float64"), samples=_arrays(((3,),), ((2, 3),)),
               grad_samples=_grad_arrays(((3,),))),
    LinalgTest("matrix_diag", name="set_diag", fn=tf.linalg.set_diag,
               ref=_np_set_diag, dtypes=("int32", "float64"),
               samples=_arrays(((3, 4), (3,)), ((2, 3, 2), (2, 2)))),
    LinalgTest("matrix_diag_part", fn=tf.linalg.diag_part,
               ref=lambda x: np.diagonal(x, axis1=-2, axis2=-1).copy(), dtypes=ALL_DTYPES,
               samples=_arrays(((3, 3),), ((2, 3, 4),), ((4, 2),), ((0, 2),)),
               errors=[((tf.zeros([3]),), InvalidArg, r"matrix_diag_part: input must have "
                                                       r"rank >= 2, got \(3,\) float32"),
                       ((tf.zeros([2, 2]), "d", 2), InvalidArg, r"diagonal 2 is out of range")]),
    LinalgTest("matrix_diag_part", name="k", fn=lambda x: tf.linalg.diag_part(x, k=1),
               ref=lambda x: np.diagonal(x, 1, -2, -1).copy(), dtypes=F,
               samples=_arrays(((3, 3),), ((2, 3, 4),))),
    LinalgTest("matrix_diag_part", name="trace", fn=tf.linalg.trace,
               ref=lambda x: np.trace(x, axis1=-2, axis2=-1).astype(x.dtype),
               dtypes=("int32", "float32", "float64"), samples=_arrays(((3, 3),), ((2, 3, 4),))),
    LinalgTest("matrix_diag_part", name="band_part", fn=lambda x: tf.linalg.band_part(x, 1, 0),
               ref=lambda x: np.where(np.tri(x.shape[-2], x.shape[-1], 0, bool) &
                                      ~np.tri(x.shape[-2], x.shape[-1], -2, bool), x, 0
                                      ).astype(x.dtype),
               dtypes=("int32", "float64"), samples=_arrays(((4, 4),), ((2, 3, 5),))),
]


def _norm_row(name, op, fn, ref, shapes, **kw):
    return LinalgTest(op, name="norm_" + name, fn=fn, ref=ref, dtypes=kw.pop("dtypes", F),
                      samples=_arrays(*[(s,) for s in shapes]),
                      grad_samples=_grad_arrays(*[(s,) for s in shapes if np.prod(s)]), **kw)


ERR_NORM = [((tf.zeros([2, 3]), "nuc"), ValueError, r"norm: ord must be"),
            ((tf.zeros([2, 3]), -1), ValueError, r"norm: ord must be > 0"),
            ((tf.zeros([2, 3]), 2, 5), InvalidArg, r"norm: Invalid reduction dimension 5")]

ROWS += [
    _norm_row("euclidean", "reduce_sum", lambda x, o="euclidean", a=None: tf.norm(x, o, a),
              lambda x: np.asarray(np.linalg.norm(x.reshape(-1))).astype(x.real.dtype),
              [(3,), (2, 3), (2, 2, 2)], dtypes=F + ("complex64",), errors=ERR_NORM),
    _norm_row("vec1_axis", "reduce_sum", lambda x: tf.norm(x, ord=1, axis=-1, keepdims=True),
              lambda x: np.linalg.norm(x, 1, axis=-1, keepdims=True).astype(x.dtype),
              [(3,), (2, 3)]),
    _norm_row("vec_inf", "reduce_max", lambda x: tf.norm(x, ord=np.inf, axis=0),
              lambda x: np.linalg.norm(x, np.inf, axis=0).astype(x.dtype), [(3,), (2, 3)]),
    _norm_row("vec3", "reduce_sum", lambda x: tf.norm(x, ord=3, axis=1),
              lambda x: np.linalg.norm(x, 3, axis=1).astype(x.dtype), [(2, 3)]),
    _norm_row("fro", "reduce_sum", lambda x: tf.norm(x, ord="fro", axis=[-2, -1]),
              lambda x: np.linalg.norm(x, "fro", axis=(-2, -1)).astype(x.dtype),
              [(2, 3), (2, 3, 4)]),
    _norm_row("mat1", "reduce_max", lambda x: tf.norm(x, ord=1, axis=(0, 1)),
              lambda x: np.linalg.norm(x, 1, axis=(0, 1)).astype(x.dtype), [(2, 3), (3, 3, 2)]),
    _norm_row("mat_inf_keep", "reduce_max",
              lambda x: tf.norm(x, ord=np.inf, axis=[1, 0], keepdims=True),
              lambda x: np.linalg.norm(x, np.inf, axis=(1, 0), keepdims=True).astype(x.dtype),
              [(2, 3), (3, 3, 2)]),
    _norm_row("mat2", "svd", lambda x: tf.norm(x, ord=2, axis=[-2, -1]),
              lambda x: np.linalg.norm(x, 2, axis=(-2, -1)).astype(x.dtype), [(2, 3), (2, 3, 4)]),
]

ENTRIES = ROWS
