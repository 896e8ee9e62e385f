"""Op table rows for eager/ops/indexing.py: slicing, gather/scatter,
boolean_mask, one_hot, where's coordinates and Tensor.__getitem__."""
import numpy as np

import eager as tf
from eager import errors
from eager.ops import indexing
from eager.ops._registry import execute
from tests.ops.optest import OpTest, random_array
from tests.ops.table_array import _arrays, _grad, MOVE_DTYPES, NUM_DTYPES, F

InvalidArg = errors.InvalidArgumentError
OutOfRange = errors.IndexOutOfRangeError


def _with_ints(float_shapes, make_ints):
    """Samples (x, ints...) where the ints come from make_ints(rng)."""
    def samples(dtype, rng):
        return [(random_array(s, dtype, rng),) + tuple(make_ints(rng)) for s in float_shapes]

    def grad_samples(rng):
        return [(rng.uniform(-2, 2, size=s),) + tuple(make_ints(rng)) for s in float_shapes]
    return samples, grad_samples


def _ints(lo, hi, shape, dtype=np.int32):
    return lambda rng: rng.integers(lo, hi, size=shape).astype(dtype)


# ---- slicing ----------------------------------------------------------------------
SLICING = [
    OpTest("slice", fn=lambda x, b=(1, 0), s=(1, -1): tf.slice(x, b, s),
           ref=lambda x: x[1:2, 0:], samples=_arrays((3, 4), (2, 0)), dtypes=MOVE_DTYPES,
           grad2=True, grad_samples=_grad((3, 4)),
           errors=[((np.zeros((3, 4)), [4, 0], [0, 1]), OutOfRange, "out of range"),
                   ((np.zeros((3, 4)), [1, 1], [3, 1]), OutOfRange, "out of range"),
                   ((np.zeros((3, 4)), [0, 0], [-2, 1]), OutOfRange, "out of range"),
                   ((np.zeros((3, 4)), [0], [1]), InvalidArg, "one entry per dimension")]),
    OpTest("strided_slice", fn=lambda x: tf.strided_slice(x, [0, 3], [2, 0], [1, -1]),
           ref=lambda x: x[0:2, 3:0:-1], samples=_arrays((3, 4)), dtypes=MOVE_DTYPES,
           grad_samples=_grad((3, 4))),
    OpTest("strided_slice", name="masks",
           fn=lambda x: tf.strided_slice(x, [1, 0, 0], [0, 0, 2], [1, 1, 1], begin_mask=2,
                                         end_mask=2, shrink_axis_mask=1),
           ref=lambda x: x[1, :, 0:2], samples=_arrays((3, 4, 5)), grad_samples=_grad((3, 4, 5))),
    OpTest("strided_slice", name="ellipsis",
           fn=lambda x, e=(0, 1): tf.strided_slice(x, [0, 0, 0], list(e) + [1], [1, 1, 1],
                                                   ellipsis_mask=1, new_axis_mask=2),
           ref=lambda x: x[..., None, 0:1], samples=_arrays((3, 4, 5), (2,)),
           grad_samples=_grad((3, 4, 5)),
           errors=[((np.zeros(3), [0, 1, 2]), InvalidArg, "one length")]),
]

# ---- gather and scatter -------------------------------------------------------------
def _batched_take(p, i, bd, axis):
    lead = p.shape[:bd]
    pf = p.reshape((-1,) + p.shape[bd:])
    if_ = i.reshape((-1,) + i.shape[bd:])
    out = np.stack([np.take(pf[b], if_[b], axis=axis - bd) for b in range(pf.shape[0])])
    return out.reshape(lead + out.shape[1:])


def _gather_nd_ref(p, idx):
    return p[tuple(np.moveaxis(idx, -1, 0))]


def _scatter_ref(idx, u, shape):
    out = np.zeros(shape, u.dtype)
    np.add.at(out, tuple(np.moveaxis(idx, -1, 0)), u)
    return out


_g0, _gg0 = _with_ints([(5, 3), (5,)], lambda rng: [_ints(0, 5, (4,))(rng)])
_g1, _gg1 = _with_ints([(2, 3, 4)], lambda rng: [_ints(0, 3, (2, 2))(rng)])
_g2, _gg2 = _with_ints([(2, 3, 4)], lambda rng: [_ints(0, 3, (2, 5))(rng)])
_gd, _ggd = _with_ints([(2, 3, 3)], lambda rng: [_ints(0, 6, (2, 3))(rng)])
_n0, _gn0 = _with_ints([(3, 4)], lambda rng: [np.stack([_ints(0, 3, (2,))(rng),
                                                         _ints(0, 4, (2,))(rng)], -1)])
_n1, _gn1 = _with_ints([(3, 4)], lambda rng: [_ints(0, 3, (2, 2, 1))(rng)])
_n2, _gn2 = _with_ints([(2, 3, 4)], lambda rng: [_ints(0, 3, (2, 2, 1))(rng)])


def _scatter_samples(dtype, rng):
    idx = np.array([[0], [3], [0], [4]], np.int32)
    return [(idx, random_array((4, 3), dtype, rng))]


GATHER = [
    OpTest("gather", fn=lambda p, i: tf.gather(p, i), ref=lambda p, i: np.take(p, i, axis=0),
           samples=_g0, dtypes=MOVE_DTYPES, grad2=True, grad_samples=_gg0,
           errors=[((np.zeros((3, 2)), np.array([0, 3])), OutOfRange,
                    r"index 3 is not in \[0, 3\)"),
                   ((np.zeros((3, 2)), np.array([-1])), OutOfRange, r"index -1 is not in \[0, 3\)"),
                   ((np.zeros((3, 2)), np.array([0.5])), TypeError, "int32 or int64"),
                   ((np.float32(1), np.array([0])), InvalidArg, "rank >= 1")]),
    OpTest("gather", name="axis", fn=lambda p, i: tf.gather(p, i, axis=1),
           ref=lambda p, i: np.take(p, i, axis=1), samples=_g1, dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_gg1),
    OpTest("gather", name="batch", fn=lambda p, i, bd=1: tf.gather(p, i, axis=1, batch_dims=bd),
           ref=lambda p, i: _batched_take(p, i, 1, 1), samples=_g2, grad2=True,
           grad_samples=_gg2,
           errors=[((np.zeros((2, 3)), np.zeros((3, 1), np.int32)), InvalidArg, "must match"),
                   ((np.zeros((2, 3)), np.zeros((2, 1), np.int32), 3), InvalidArg, "batch_dims")]),
    OpTest("gather_grad",
           fn=lambda g, i: execute(indexing._gather_grad_op, (g, i),
                                   {"shape": (6, 3), "axis": 0, "batch_dims": 0}),
           ref=lambda g, i: _scatter_ref(i[..., None], g, (6, 3)), samples=_gd, grad=True,
           grad_samples=_ggd),
    OpTest("gather_nd", fn=lambda p, i: tf.gather_nd(p, i), ref=_gather_nd_ref,
           samples=_n0, dtypes=MOVE_DTYPES, grad_samples=_gn0,
           errors=[((np.zeros((3, 2)), np.array([[0, 2]])), OutOfRange, r"does not index"),
                   ((np.zeros((3, 2)), np.array([[-1, 0]])), OutOfRange, r"does not index"),
                   ((np.zeros((3, 2)), np.array([[0, 0, 0]])), InvalidArg, "too long"),
                   ((np.zeros((3, 2)), np.array(0)), InvalidArg, "rank >= 1")]),
    OpTest("gather_nd", name="slices", fn=lambda p, i: tf.gather_nd(p, i), ref=_gather_nd_ref,
           samples=_n1, grad_samples=_gn1),
    OpTest("gather_nd", name="batch", fn=lambda p, i: tf.gather_nd(p, i, batch_dims=1),
           ref=lambda p, i: np.stack([_gather_nd_ref(p[b], i[b]) for b in range(2)]),
           samples=_n2, grad_samples=_gn2),
    OpTest("scatter_nd", fn=lambda i, u, shape=(5, 3): tf.scatter_nd(i, u, shape),
           ref=lambda i, u: _scatter_ref(i, u, (5, 3)), samples=_scatter_samples,
           dtypes=NUM_DTYPES, grad_samples=lambda rng: _scatter_samples("float64", rng),
           grad_argnums=(1,),
           errors=[((np.array([[5]]), np.zeros((1, 3)), (5, 3)), OutOfRange, "does not index"),
                   ((np.array([[0]]), np.zeros((2, 3)), (5, 3)), InvalidArg, "updates must have"),
                   ((np.array([[0]]), np.zeros((1, 3)), (-5, 3)), InvalidArg, "negative"),
                   ((np.array([[0.0]]), np.zeros((1, 3)), (5, 3)), TypeError, "int32")]),
    OpTest("boolean_mask", fn=lambda x, m: tf.boolean_mask(x, m), ref=lambda x, m: x[m],
           samples=lambda dt, rng: [(random_array((3, 4), dt, rng), np.array([True, False, True])),
                                    (random_array((3,), dt, rng), np.zeros(3, bool))],
           dtypes=MOVE_DTYPES,
           grad_samples=lambda rng: [(rng.uniform(size=(3, 4)), np.array([True, False, True]))],
           errors=[((np.zeros((3, 4)), np.array([True, False])), InvalidArg, "does not match"),
                   ((np.zeros((3, 4)), np.array(True)), InvalidArg, "scalar"),
                   ((np.zeros((3, 4)), np.array([1, 0, 1])), TypeError, "bool")]),
    OpTest("boolean_mask", name="axis", fn=lambda x, m: tf.boolean_mask(x, m, axis=1),
           ref=lambda x, m: x[:, m],
           samples=lambda dt, rng: [(random_array((2, 4, 3), dt, rng),
                                     np.array([True, False, True, True]))],
           grad_samples=lambda rng: [(rng.uniform(size=(2, 4, 3)),
                                      np.array([True, False, True, True]))]),
    OpTest("boolean_mask", name="2d", fn=lambda x, m: tf.boolean_mask(x, m), ref=lambda x, m: x[m],
           samples=lambda dt, rng: [(random_array((2, 3, 2), dt, rng), rng.random((2, 3)) < 0.5)],
           grad_samples=lambda rng: [(rng.uniform(size=(2, 3, 2)), np.eye(2, 3, dtype=bool))]),
    OpTest("one_hot", fn=lambda i, depth=4, on=None, off=None, axis=None, dt=None:
           tf.one_hot(i, depth, on, off, axis, dt),
           ref=lambda i: (i[..., None] == np.arange(4)).astype(np.float32),
           samples=lambda dt, rng: [(rng.integers(-1, 5, size=s).astype(dt),)
                                    for s in [(5,), (2, 3), ()]],
           dtypes=("int32", "int64", "uint8"), grad=False,
           errors=[((np.array([1]), -1), InvalidArg, "non-negative"),
                   ((np.array([1]), 3, None, None, 3), InvalidArg, "axis"),
                   ((np.array([1.0]), 3), InvalidArg, "float"),
                   ((np.array([1]), 2 ** 40), errors.ResourceExhaustedError, "memory"),
                   ((np.array([1]), 3, tf.constant(1), None, None, "float32"), TypeError,
                    "must have dtype float32")]),
    OpTest("one_hot", name="options",
           fn=lambda i: tf.one_hot(i, 3, on_value=5, off_value=-1, axis=0),
           ref=lambda i: np.moveaxis(np.where(i[..., None] == np.arange(3), 5, -1), -1,
                                     0).astype(np.int32),
           samples=lambda dt, rng: [(rng.integers(0, 3, size=(2, 4)).astype(dt),)],
           dtypes=("int32",), grad=False),
    OpTest("where_indices", fn=lambda c: tf.where(c), ref=lambda c: np.argwhere(c).astype(np.int64),
           samples=_arrays((5,), (2, 3), (0, 2)), dtypes=("bool", "float32", "int32"), grad=False),
]


# ---- Tensor.__getitem__ -------------------------------------------------------------
def _getitem_row(name, key, shapes, dtypes=MOVE_DTYPES, grad=True, errors_=()):
    return OpTest("getitem", name=name, fn=lambda x, k=key: x[k], ref=lambda x, k=key: x[k],
                  samples=_arrays(*shapes), dtypes=dtypes, grad=grad, grad2=grad,
                  grad_samples=_grad(*shapes) if grad else None, errors=errors_)


_X = np.zeros((3, 4), np.float32)
_TX = tf.constant(_X)
_GI_KEY, _ = indexing._normalize_key(_TX, (np.array([0, 2, 0]), slice(None, None, -2)), "getitem")
_GB_KEY, _ = indexing._normalize_key(_TX, (1, slice(1, None)), "getitem")

GETITEM = [
    _getitem_row("int", 1, [(3, 4), (2,)],
                 errors_=[((_TX, 3), OutOfRange, r"getitem: index 3 is out of range for axis 0 of "
                           r"size 3 \(tensor shape \(3, 4\) float32\)"),
                          ((_TX, (0, -5)), OutOfRange, "index -5 is out of range for axis 1"),
                          ((_TX, (0, 0, 0)), OutOfRange, "too many indices"),
                          ((_TX, 1.5), TypeError, "valid indices"),
                          ((_TX, True), TypeError, "valid indices"),
                          ((_TX, slice(0, 2, 0)), InvalidArg, "step cannot be zero"),
                          ((_TX, (Ellipsis, Ellipsis)), InvalidArg, "one ellipsis"),
                          ((_TX, [0, 3]), OutOfRange, "index 3 is out of range"),
                          ((_TX, np.array([True, False])), OutOfRange, "mask"),
                          ((tf.constant(1.0), 0), OutOfRange, "too many indices")]),
    _getitem_row("neg", (-1, slice(None, None, -2)), [(3, 4), (2, 5)]),
    _getitem_row("slices", (slice(1, None), slice(-3, -1)), [(3, 4), (2, 5, 2), (0, 3)]),
    _getitem_row("ellipsis", (Ellipsis, None, 0), [(3, 4), (2, 3, 2), (2,)]),
    _getitem_row("newaxis", (None, slice(None), None), [(3,), (2, 3)]),
    _getitem_row("scalar", (), [(), (2,)]),
    _getitem_row("array", [2, 0, 2, -1], [(3, 4), (3,)]),
    _getitem_row("array2", (slice(None), np.array([[0, 1], [1, 1]])), [(3, 2), (2, 2, 3)]),
    _getitem_row("mixed", (np.array([0, 1]), slice(None), np.array([1, 1])), [(2, 3, 4)]),
    _getitem_row("mask", np.array([True, False, True]), [(3,), (3, 2)]),
    _getitem_row("mask2", (Ellipsis, np.array([[True, False], [False, True]])),
                 [(2, 2), (3, 2, 2)]),
    OpTest("getitem", name="tensor_index", fn=lambda x: x[tf.constant(1), tf.constant([0, 2])],
           ref=lambda x: x[1, [0, 2]], samples=_arrays((2, 3)), grad2=True,
           grad_samples=_grad((2, 3))),
    OpTest("getitem", name="tensor_slice",
           fn=lambda x: x[tf.constant(1):, :tf.constant(-1)], ref=lambda x: x[1:, :-1],
           samples=_arrays((3, 3)), grad_samples=_grad((3, 3))),
    OpTest("getitem_grad",
           fn=lambda g: execute(indexing._getitem_grad_op, (g,),
                                {"key": _GI_KEY, "shape": (3, 4)}),
           ref=lambda g: _add_at((3, 4), _GI_KEY, g), samples=_arrays((3, 2)),
           dtypes=F + ("int32",), grad2=True, grad_samples=_grad((3, 2))),
    OpTest("getitem_grad", name="basic",
           fn=lambda g: execute(indexing._getitem_grad_op, (g,),
                                {"key": _GB_KEY, "shape": (3, 4)}),
           ref=lambda g: _add_at((3, 4), _GB_KEY, g), samples=_arrays((3,)),
           grad_samples=_grad((3,))),
]


def _add_at(shape, key, g):
    out = np.zeros(shape, g.dtype)
    np.add.at(out, key, g)
    return out


ENTRIES = SLICING + GATHER + GETITEM
