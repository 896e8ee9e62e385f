"""Op table rows for eager/ops/reduction.py: reductions over several axis
choices, arg-reductions, scans, top_k and count_nonzero."""
import warnings

import numpy as np

import eager as tf
from eager import errors
from tests.ops.optest import OpTest, random_array, UNARY_SHAPES

InvalidArg = errors.InvalidArgumentError
F = ("float32", "float64")
SUM_DTYPES = ("int32", "int64", "uint8", "float16", "float32", "float64", "complex64")
REAL_DTYPES = ("int32", "int64", "float16", "float32", "float64")

# (axis, keepdims, sample shapes): None reduces everything, so it also runs
# on scalars and empty tensors; the others need rank >= 2 or 3.
AXES = [
    (None, False, UNARY_SHAPES),
    (1, False, [(2, 3), (3, 4, 2), (2, 0, 3)]),
    ([0, 2], True, [(2, 3, 4), (3, 1, 2)]),
    (-1, True, [(5,), (2, 3)]),
    ((), False, [(2, 3)]),
]


def _samples(shapes, domain=(-2.0, 2.0)):
    def samples(dtype, rng):
        return [(random_array(s, dtype, rng, domain),) for s in shapes]
    return samples


def _grad_samples(shapes, domain=(-2.0, 2.0), skip=lambda s: False):
    def samples(rng):
        return [(rng.uniform(*domain, size=s),) for s in shapes if np.prod(s) and not skip(s)]
    return samples


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _tag(axis, keepdims):
    return "axis%s%s" % (str(axis).replace(" ", ""), "_keep" if keepdims else "")


def _int_mean(x, axis=None, keepdims=False):
    s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
    n = x.size // max(np.asarray(s).size, 1) if x.size else 0
    if n == 0:
        return np.zeros(np.shape(s), x.dtype)
    return np.asarray(np.trunc(s / n)).astype(x.dtype)


def _mean_ref(x, axis=None, keepdims=False):
    if x.dtype.kind in "iu":
        return _int_mean(x, axis, keepdims)
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.mean(x, axis=axis, keepdims=keepdims, dtype=acc)).astype(x.dtype)


def _sum_ref(x, axis=None, keepdims=False):
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=acc)).astype(x.dtype)


def _prod_ref(x, axis=None, keepdims=False):
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    return np.asarray(np.prod(x, axis=axis, keepdims=keepdims, dtype=acc)).astype(x.dtype)


def _max_ref(x, axis=None, keepdims=False):
    init = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    return np.asarray(np.max(x, axis=axis, keepdims=keepdims, initial=init))


def _min_ref(x, axis=None, keepdims=False):
    init = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max
    return np.asarray(np.min(x, axis=axis, keepdims=keepdims, initial=init))


def _lse_ref(x, axis=None, keepdims=False):
    import scipy.special as sp
    if x.size == 0:
        shape = np.sum(np.zeros(x.shape), axis=axis, keepdims=keepdims).shape
        return np.full(shape, -np.inf, x.dtype)
    r = sp.logsumexp(x.astype(np.float64), axis=axis, keepdims=keepdims)
    return np.asarray(r).astype(x.dtype)


def _var_ref(x, axis=None, keepdims=False):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = np.var(x.astype(np.float64), axis=axis, keepdims=keepdims)
    return np.asarray(r).astype(x.dtype)


def _std_ref(x, axis=None, keepdims=False):
    return np.sqrt(_var_ref(x, axis, keepdims))


def _reduction_rows(op, fn, ref, dtypes, grad=True, grad2=False, errs=(), rtol=None,
                    atol=None, domain=(-2.0, 2.0), row_op=None, no_grad_axes=(), skip=None):
    rows = []
    for axis, keepdims, shapes in AXES:
        g = grad and not any(axis == a for a in no_grad_axes)
        rows.append(OpTest(
            row_op or op, name=("%s-" % op if row_op else "") + _tag(axis, keepdims),
            fn=lambda x, a=axis, k=keepdims: fn(x, axis=a, keepdims=k),
            ref=lambda x, a=axis, k=keepdims: ref(x, axis=_np_axis(a), keepdims=k),
            dtypes=dtypes, samples=_samples(shapes, domain), grad=g, grad2=grad2,
            grad_samples=_grad_samples(shapes, domain, (lambda s, a=axis: skip(s, a)) if skip
                                       else (lambda s: False)),
            rtol=rtol, atol=atol,
            errors=errs if axis is None else ()))
    return rows


def _axis_errors(fn, dtype=tf.float32):
    x = tf.zeros([2, 3], dtype)
    return [((x, 2), InvalidArg, r"Invalid reduction dimension 2 for input with 2 "
                                 r"dimension\(s\); input is \(2, 3\)"),
            ((x, -3), InvalidArg, r"reduction dimension -3"),
            ((x, [0, 0]), InvalidArg, r"names dimension 0 twice"),
            ((x, 0.5), TypeError, r"axis must be")]


def _with_axis(fn):
    return lambda x, axis=None, keepdims=False: fn(x, axis=axis, keepdims=keepdims)


def _bool_samples(shapes):
    def samples(dtype, rng):
        return [(rng.random(size=s) < 0.5,) for s in shapes] + [(np.ones(shapes[0], bool),)]
    return samples


ROWS = []
ROWS += _reduction_rows(
    "reduce_sum", tf.reduce_sum, _sum_ref, SUM_DTYPES, grad2=True,
    errs=_axis_errors(tf.reduce_sum) + [
        ((tf.constant([True, False]),), InvalidArg, r"reduce_sum: dtype bool is not supported")])
ROWS += _reduction_rows(
    "reduce_mean", tf.reduce_mean, _mean_ref, SUM_DTYPES, grad2=True,
    errs=_axis_errors(tf.reduce_mean))
ROWS += _reduction_rows("reduce_prod", tf.reduce_prod, _prod_ref,
                        ("int32", "int64", "float16", "float32", "float64", "complex128"),
                        domain=(-1.5, 1.5), errs=_axis_errors(tf.reduce_prod))
ROWS += _reduction_rows("reduce_max", tf.reduce_max, _max_ref, REAL_DTYPES, grad2=True,
                        errs=_axis_errors(tf.reduce_max) + [
                            ((tf.constant([1j]),), InvalidArg, r"reduce_max: dtype complex")])
ROWS += _reduction_rows("reduce_min", tf.reduce_min, _min_ref, REAL_DTYPES,
                        errs=_axis_errors(tf.reduce_min))
ROWS += _reduction_rows("reduce_logsumexp", tf.reduce_logsumexp, _lse_ref,
                        ("float16", "float32", "float64"), grad2=True,
                        errs=_axis_errors(tf.reduce_logsumexp) + [
                            ((tf.constant([1, 2]),), InvalidArg, r"dtype int32 is not supported")])
ROWS += _reduction_rows("reduce_variance", tf.math.reduce_variance, _var_ref, F,
                        errs=_axis_errors(tf.math.reduce_variance))
# reduce_std is sqrt(reduce_variance); its gradient is infinite where the
# variance is 0 (axis=()), so only the forward runs there.
ROWS += _reduction_rows("reduce_std", tf.math.reduce_std, _std_ref, F,
                        row_op="reduce_variance", no_grad_axes=((),),
                        skip=lambda s, axis: axis is None and int(np.prod(s)) == 1)

ROWS += [
    OpTest("reduce_any", name=_tag(axis, kd), fn=lambda x, a=axis, k=kd: tf.reduce_any(x, a, k),
           ref=lambda x, a=axis, k=kd: np.asarray(np.any(x, axis=_np_axis(a), keepdims=k)),
           dtypes=("bool",), samples=_bool_samples(shapes), grad=False,
           errors=[((tf.constant([1, 0]),), InvalidArg, r"reduce_any: dtype int32")]
           if axis is None else ())
    for axis, kd, shapes in AXES]
ROWS += [
    OpTest("reduce_all", name=_tag(axis, kd), fn=lambda x, a=axis, k=kd: tf.reduce_all(x, a, k),
           ref=lambda x, a=axis, k=kd: np.asarray(np.all(x, axis=_np_axis(a), keepdims=k)),
           dtypes=("bool",), samples=_bool_samples(shapes), grad=False,
           errors=[((tf.constant([1.0]),), InvalidArg, r"reduce_all: dtype float32")]
           if axis is None else ())
    for axis, kd, shapes in AXES]


# ---- arg-reductions -------------------------------------------------------------
def _arg_errors(fn):
    return [((tf.zeros([0, 2]),), InvalidArg, r"Reduction axis 0 is empty in shape \(0, 2\)"),
            ((tf.zeros([2, 2]), 2), InvalidArg, r"axis 2 is out of range .* \(2, 2\) float32"),
            ((tf.constant(1.0),), InvalidArg, r"rank >= 1"),
            ((tf.zeros([2]), 0, tf.float32), TypeError, r"output_type must be int32 or int64")]


ROWS += [
    OpTest("argmax", fn=tf.argmax, ref=lambda x: np.argmax(x, axis=0),
           dtypes=REAL_DTYPES, samples=_samples([(3,), (3, 4), (2, 3, 4)]), grad=False,
           errors=_arg_errors(tf.argmax)),
    OpTest("argmax", name="axis-1_int32", fn=lambda x: tf.argmax(x, axis=-1, output_type=tf.int32),
           ref=lambda x: np.argmax(x, axis=-1).astype(np.int32), dtypes=F,
           samples=_samples([(3, 4), (2, 3, 4)]), grad=False),
    OpTest("argmin", fn=tf.argmin, ref=lambda x: np.argmin(x, axis=0),
           dtypes=REAL_DTYPES, samples=_samples([(3,), (3, 4), (2, 3, 4)]), grad=False,
           errors=_arg_errors(tf.argmin)),
    OpTest("argmin", name="axis1", fn=lambda x: tf.math.argmin(x, 1),
           ref=lambda x: np.argmin(x, axis=1), dtypes=("int32", "float32"),
           samples=_samples([(3, 4), (2, 3, 4)]), grad=False),
]


# ---- scans -------------------------------------------------------------------------
def _scan_ref(kind):
    def ref(x, axis=0, exclusive=False, reverse=False):
        acc = np.float32 if x.dtype == np.float16 else x.dtype
        y = np.flip(x, axis) if reverse else x
        r = (np.cumsum if kind == "sum" else np.cumprod)(y, axis=axis, dtype=acc)
        if exclusive:
            ident = np.zeros if kind == "sum" else np.ones
            pad = ident(y.shape[:axis] + (1,) + y.shape[axis + 1:], acc)
            r = np.concatenate([pad, r], axis=axis)
            r = np.take(r, np.arange(y.shape[axis]), axis=axis)
        if reverse:
            r = np.flip(r, axis)
        return r.astype(x.dtype)
    return ref


SCANS = [(0, False, False), (1, True, False), (-1, False, True), (0, True, True)]


def _scan_rows(op, fn, kind, dtypes, domain):
    rows = []
    for axis, ex, rev in SCANS:
        shapes = [(4,), (3, 4), (2, 3, 2), (0, 3)] if axis in (0, -1) else [(3, 4), (2, 0)]
        rows.append(OpTest(
            op, name="axis%d%s%s" % (axis, "_excl" if ex else "", "_rev" if rev else ""),
            fn=lambda x, a=axis, e=ex, r=rev: fn(x, axis=a, exclusive=e, reverse=r),
            ref=lambda x, a=axis, e=ex, r=rev: _scan_ref(kind)(x, a, e, r),
            dtypes=dtypes, samples=_samples(shapes, domain), grad_samples=_grad_samples(
                shapes, (0.5, 1.5) if kind == "prod" else domain),
            errors=[((tf.constant(1.0),), InvalidArg, r"%s: needs a tensor of rank >= 1" % op),
                    ((tf.zeros([2, 3]), 2), InvalidArg, r"axis 2 is out of range.*\(2, 3\)")]
            if axis == 0 and not ex else ()))
    return rows


ROWS += _scan_rows("cumsum", tf.cumsum, "sum", ("int32", "int64", "float16", "float32",
                                                "float64", "complex64"), (-2.0, 2.0))
ROWS += _scan_rows("cumprod", tf.math.cumprod, "prod", ("int32", "float32", "float64"),
                   (-1.5, 1.5))


# ---- top_k, count_nonzero ---------------------------------------------------------------
def _top_k_ref(k):
    def ref(x):
        # descending, lower index first among ties
        idx = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(x, idx, axis=-1), idx.astype(np.int32)
    return ref


ROWS += [
    OpTest("top_k", fn=lambda x, k=2: tf.math.top_k(x, k=k), ref=_top_k_ref(2),
           dtypes=("int32", "int64", "float32", "float64"),
           samples=_samples([(2,), (5,), (3, 4), (2, 3, 6), (0, 3)]),
           grad_samples=_grad_samples([(3,), (3, 4), (2, 2, 5)]),
           errors=[((tf.constant([1.0, 2.0]), 3), InvalidArg,
                    r"top_k: input must have at least k columns. Had 2, needed 3"),
                   ((tf.constant([1.0, 2.0]), -1), InvalidArg, r"Need k >= 0, got -1"),
                   ((tf.constant(1.0), 1), InvalidArg, r"at least rank 1"),
                   ((tf.constant([1.0]), 0.5), TypeError, r"k must be an integer")]),
    OpTest("top_k", name="k0", fn=lambda x: tf.math.top_k(x, k=0), ref=_top_k_ref(0),
           dtypes=("float32",), samples=_samples([(3,), (2, 3)]), grad=False),
    OpTest("top_k", name="all", fn=lambda x: tf.nn.top_k(x, 4, sorted=False),
           ref=_top_k_ref(4), dtypes=("int32", "float64"), samples=_samples([(4,), (3, 4)]),
           grad_samples=_grad_samples([(4,), (3, 4)])),
    OpTest("reduce_sum", name="count_nonzero",
           fn=lambda x: tf.math.count_nonzero(x, axis=1),
           ref=lambda x: np.count_nonzero(x, axis=1).astype(np.int64),
           dtypes=("int32", "float32", "bool"), samples=_samples([(3, 4), (2, 0), (2, 3, 4)]),
           grad=False),
    OpTest("reduce_sum", name="count_nonzero_all",
           fn=lambda x: tf.math.count_nonzero(x, keepdims=True, dtype=tf.int32),
           ref=lambda x: np.asarray(np.count_nonzero(x), np.int32).reshape((1,) * x.ndim),
           dtypes=("int32", "float64"), samples=_samples([(3, 4), (0,), ()]), grad=False),
    OpTest("reduce_sum", name="euclidean_norm",
           fn=lambda x: tf.math.reduce_euclidean_norm(x, axis=-1),
           ref=lambda x: np.sqrt(np.sum(x * x, axis=-1)), dtypes=F,
           samples=_samples([(3, 4), (5,)]), grad_samples=_grad_samples([(3, 4)])),
]

ENTRIES = ROWS
