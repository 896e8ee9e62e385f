"""Op table rows for eager/ops/array.py: creation, reshaping, joining,
splitting and padding (indexing is in table_indexing.py)."""
import numpy as np

import eager as tf
from eager import errors
from eager.ops import array as A
from eager.ops._registry import execute
from tests.ops.optest import OpTest, random_array

InvalidArg = errors.InvalidArgumentError
OutOfRange = errors.IndexOutOfRangeError

MOVE_DTYPES = ("float32", "float64", "int32", "bool", "complex64")   # data movement
NUM_DTYPES = ("float32", "float64", "int32", "int64")
F = ("float32", "float64")


def _arrays(*shapes):
    """samples(dtype, rng): one tuple of random arrays of these shapes per
    entry (an entry is a shape or a tuple of shapes)."""
    def samples(dtype, rng):
        out = []
        for s in shapes:
            group = s if s and isinstance(s[0], tuple) else (s,)
            # np.asarray: random_array gives a NumPy scalar for a 0-d bool.
            out.append(tuple(np.asarray(random_array(g, dtype, rng)) for g in group))
        return out
    return samples


def _grad(*shapes):
    """grad_samples(rng): float64 arrays of these shapes."""
    def samples(rng):
        out = []
        for s in shapes:
            group = s if s and isinstance(s[0], tuple) else (s,)
            out.append(tuple(rng.uniform(-2, 2, size=g) for g in group))
        return out
    return samples


def _dtype_only(dtype, rng):
    return [(dtype,)]


def _once(dtype, rng):
    return [()]


# ---- creation ------------------------------------------------------------------
CREATION = [
    OpTest("constant", fn=lambda v, *a: tf.constant(v, *a), ref=lambda v: v,
           dtypes=MOVE_DTYPES + ("int64", "float16", "uint8"), grad=False,
           errors=[(([1, 2, 3], None, [2, 2]), TypeError, "3 elements"),
                   (([1.5], "int32"), TypeError, "Cannot convert"),
                   ((tf.constant([1]), "float32"), TypeError, "dtype"),
                   (([1], None, [-1, 1]), InvalidArg, "negative")]),
    OpTest("constant", name="shape", fn=lambda dt: tf.constant(2, dtype=dt, shape=[2, 3]),
           ref=lambda dt: np.full((2, 3), 2, dt), samples=_dtype_only,
           dtypes=NUM_DTYPES + ("uint8", "complex64"), grad=False),
    OpTest("constant", name="reshape", fn=lambda x: tf.constant(x, shape=[3, 2]),
           ref=lambda x: x.reshape(3, 2), samples=_arrays((2, 3), (6,)), dtypes=MOVE_DTYPES,
           grad=False),
    OpTest("zeros", fn=lambda dt, shape=(2, 3): tf.zeros(shape, dt),
           ref=lambda dt: np.zeros((2, 3), dt), samples=_dtype_only,
           dtypes=MOVE_DTYPES + ("int64", "uint8", "float16"), grad=False,
           errors=[(("float32", [-1, 2]), InvalidArg, "negative"),
                   (("float32", [2 ** 40, 2 ** 30]), errors.ResourceExhaustedError, "memory"),
                   (("float32", [2.5]), TypeError, "integers")]),
    OpTest("ones", fn=lambda dt, shape=(3,): tf.ones(shape, dt), ref=lambda dt: np.ones(3, dt),
           samples=_dtype_only, dtypes=MOVE_DTYPES + ("int64",), grad=False,
           errors=[(("float32", [2, -3]), InvalidArg, "negative"),
                   (("string", [2]), InvalidArg, "string")]),
    OpTest("zeros_like", fn=lambda x: tf.zeros_like(x), ref=np.zeros_like, dtypes=MOVE_DTYPES,
           grad=False),
    OpTest("zeros_like", name="dtype", fn=lambda x: tf.zeros_like(x, dtype="int64"),
           ref=lambda x: np.zeros(x.shape, np.int64), grad=False),
    OpTest("ones_like", fn=lambda x: tf.ones_like(x), ref=np.ones_like, dtypes=MOVE_DTYPES,
           grad=False),
    OpTest("ones_like", name="dtype", fn=lambda x: tf.ones_like(x, dtype=tf.float64),
           ref=lambda x: np.ones(x.shape, np.float64), dtypes=("int32",), grad=False),
    OpTest("fill", fn=lambda v, dims=(2, 3): tf.fill(dims, v), ref=lambda v: np.full((2, 3), v),
           samples=_arrays((), ()), dtypes=MOVE_DTYPES, grad=True, grad_samples=_grad(()),
           errors=[((np.zeros(2, np.float32),), InvalidArg, "scalar"),
                   ((1.0, [2, -1]), InvalidArg, "negative"),
                   ((1.0, [2 ** 40, 2 ** 40]), errors.ResourceExhaustedError, "memory")]),
    OpTest("range", fn=lambda dt: tf.range(1, 10, 3, dtype=dt),
           ref=lambda dt: np.arange(1, 10, 3, dtype=dt), samples=_dtype_only,
           dtypes=NUM_DTYPES, grad=False),
    OpTest("range", name="infer",
           fn=lambda: [tf.range(5), tf.range(0.5, 3), tf.range(5, 0, -2),
                       tf.range(tf.constant(3, tf.int64)), tf.range(2, 2), tf.range(0, 1, 0.25)],
           ref=lambda: [np.arange(5, dtype=np.int32), np.arange(0.5, 3, dtype=np.float32),
                        np.arange(5, 0, -2, dtype=np.int32), np.arange(3, dtype=np.int64),
                        np.arange(2, 2, dtype=np.int32), np.arange(0, 1, 0.25, dtype=np.float32)],
           samples=_once, dtypes=("int32",), grad=False),
    OpTest("range", name="errors", fn=lambda *a: tf.range(*a), ref=None, samples=lambda d, r: [],
           grad=False,
           errors=[((0, 5, 0), InvalidArg, "delta != 0"),
                   ((5, 1, 1), InvalidArg, "start <= limit"),
                   ((1, 5, -1), InvalidArg, "start >= limit"),
                   (([1, 2],), InvalidArg, "scalar"),
                   ((0, 2 ** 62, 1, "int64"), errors.ResourceExhaustedError, "memory"),
                   (("a",), TypeError, "range")]),
    OpTest("linspace", fn=lambda a, b, n=5: tf.linspace(a, b, n),
           ref=lambda a, b: np.linspace(a, b, 5).astype(a.dtype), samples=_arrays(((), ())),
           dtypes=F, grad=False,
           errors=[((0.0, 1.0, 0), InvalidArg, "num > 0"),
                   ((np.zeros(2), np.zeros(3)), InvalidArg, "broadcast"),
                   ((tf.constant(1), tf.constant(2)), InvalidArg, "int32")]),
    OpTest("linspace", name="batch", fn=lambda a, b: tf.linspace(a, b, 4, axis=-1),
           ref=lambda a, b: np.linspace(a, b, 4, axis=-1).astype(a.dtype),
           samples=_arrays(((2,), (2,)), ((3, 1), (2,))), dtypes=F, grad=False),
    OpTest("eye", fn=lambda dt, r=3: tf.eye(r, 4, batch_shape=[2], dtype=dt),
           ref=lambda dt: np.broadcast_to(np.eye(3, 4, dtype=dt), (2, 3, 4)),
           samples=_dtype_only, dtypes=MOVE_DTYPES, grad=False,
           errors=[(("float32", -1), InvalidArg, "negative"),
                   (("float32", 2 ** 40), errors.ResourceExhaustedError, "memory")]),
    OpTest("eye", name="square", fn=lambda: tf.eye(3), ref=lambda: np.eye(3, dtype=np.float32),
           samples=_once, dtypes=("float32",), grad=False),
    OpTest("identity", fn=lambda x: tf.identity(x), ref=lambda x: x, dtypes=MOVE_DTYPES,
           grad2=True),
    OpTest("shape", fn=lambda x, t=tf.int32: tf.shape(x, t),
           ref=lambda x: np.array(x.shape, np.int32), dtypes=MOVE_DTYPES, grad=False,
           errors=[((np.zeros(2), tf.float32), TypeError, "out_type")]),
    OpTest("shape", name="int64", fn=lambda x: tf.shape(x, out_type=tf.int64),
           ref=lambda x: np.array(x.shape, np.int64), grad=False),
    OpTest("size", fn=lambda x: tf.size(x), ref=lambda x: np.array(x.size, np.int32),
           dtypes=MOVE_DTYPES, grad=False),
    OpTest("rank", fn=lambda x: tf.rank(x), ref=lambda x: np.array(x.ndim, np.int32),
           dtypes=MOVE_DTYPES, grad=False),
    OpTest("meshgrid", fn=lambda a, b: tf.meshgrid(a, b), ref=lambda a, b: np.meshgrid(a, b),
           samples=_arrays(((3,), (4,)), ((1,), (2,))), grad_samples=_grad(((3,), (2,)))),
    OpTest("meshgrid", name="ij", fn=lambda a, b, c: tf.meshgrid(a, b, c, indexing="ij"),
           ref=lambda a, b, c: np.meshgrid(a, b, c, indexing="ij"),
           samples=_arrays(((3,), (4,), (2,))), grad_samples=_grad(((2,), (3,), (2,)))),
]


# ---- reshaping -----------------------------------------------------------------
RESHAPING = [
    OpTest("broadcast_to", fn=lambda x, shape=(2, 3, 4): tf.broadcast_to(x, shape),
           ref=lambda x: np.broadcast_to(x, (2, 3, 4)),
           samples=_arrays((3, 1), (4,), (), (2, 3, 4)),
           dtypes=MOVE_DTYPES, grad2=True, grad_samples=_grad((3, 1), (4,), (), (1, 3, 4)),
           errors=[((np.zeros((3, 2)),), InvalidArg, r"cannot broadcast .*\(3, 2\)"),
                   ((np.zeros(3), [-1, 3]), InvalidArg, "negative"),
                   ((np.zeros(3), [2 ** 40, 2 ** 30, 3]), errors.ResourceExhaustedError,
                    "memory")]),
    OpTest("reshape", fn=lambda x, s=(3, -1): tf.reshape(x, s), ref=lambda x: x.reshape(3, -1),
           samples=_arrays((2, 3), (6,), (3, 2, 1), (0, 3)), dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_grad((2, 3), (6,)),
           errors=[((np.zeros((2, 3)), [4]), InvalidArg, r"6 elements .*\(2, 3\).*\[4\]"),
                   ((np.zeros((2, 3)), [-1, -1]), InvalidArg, "one -1"),
                   ((np.zeros((2, 3)), [-2, -3]), InvalidArg, "negative"),
                   ((np.zeros((0,)), [-1, 0]), InvalidArg, "cannot reshape"),
                   ((np.zeros(2), [2.0]), TypeError, "integers")]),
    OpTest("reshape", name="scalar", fn=lambda x: tf.reshape(x, []), ref=lambda x: x.reshape(()),
           samples=_arrays((1,), (1, 1)), grad2=True, grad_samples=_grad((1, 1))),
    OpTest("transpose", fn=lambda x, perm=None: tf.transpose(x, perm), ref=np.transpose,
           samples=_arrays((2, 3), (2, 3, 4), (), (5,)), dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_grad((2, 3), (2, 3, 4)),
           errors=[((np.zeros((2, 3)), [0, 0]), InvalidArg, "permutation"),
                   ((np.zeros((2, 3)), [0, 2]), InvalidArg, "permutation"),
                   ((np.zeros((2, 3)), [0]), InvalidArg, "permutation")]),
    OpTest("transpose", name="perm", fn=lambda x: tf.transpose(x, [1, -1, 0]),
           ref=lambda x: np.transpose(x, (1, 2, 0)), samples=_arrays((2, 3, 4)), grad2=True,
           grad_samples=_grad((2, 3, 4))),
    OpTest("transpose", name="conjugate", fn=lambda x: tf.transpose(x, conjugate=True),
           ref=lambda x: np.conj(x.T), samples=_arrays((2, 3)), dtypes=("complex64",),
           grad=False),
    OpTest("matrix_transpose", fn=lambda x: tf.linalg.matrix_transpose(x),
           ref=lambda x: np.swapaxes(x, -1, -2), samples=_arrays((2, 3), (4, 2, 3)),
           grad_samples=_grad((4, 2, 3)),
           errors=[((np.zeros(3),), InvalidArg, "rank >= 2")]),
    OpTest("expand_dims", fn=lambda x, a=1: tf.expand_dims(x, a),
           ref=lambda x: np.expand_dims(x, 1), samples=_arrays((2, 3), (2,)), dtypes=MOVE_DTYPES,
           grad_samples=_grad((2, 3)),
           errors=[((np.zeros((2, 3)), 4), InvalidArg, "out of range"),
                   ((np.zeros((2, 3)), 1.0), TypeError, "axis")]),
    OpTest("expand_dims", name="neg", fn=lambda x: tf.expand_dims(x, -1),
           ref=lambda x: x[..., None], samples=_arrays((), (2, 3)), grad_samples=_grad((2, 3))),
    OpTest("squeeze", fn=lambda x, axis=None: tf.squeeze(x, axis), ref=np.squeeze,
           samples=_arrays((1, 3, 1), (1,), (2, 3)), dtypes=MOVE_DTYPES,
           grad_samples=_grad((1, 3, 1)),
           errors=[((np.zeros((2, 3)), [0]), InvalidArg, r"cannot squeeze axis 0 of size 2"),
                   ((np.zeros((1, 3)), [2]), InvalidArg, "out of range")]),
    OpTest("squeeze", name="axis", fn=lambda x: tf.squeeze(x, [-1]),
           ref=lambda x: np.squeeze(x, -1), samples=_arrays((1, 3, 1)),
           grad_samples=_grad((1, 3, 1))),
    OpTest("reverse", fn=lambda x, axis=(0, -1): tf.reverse(x, list(axis)),
           ref=lambda x: np.flip(x, (0, x.ndim - 1)), samples=_arrays((2, 3, 4), (3, 2)),
           dtypes=MOVE_DTYPES, grad_samples=_grad((2, 3, 4)),
           errors=[((np.zeros((2, 3)), [0, 0]), InvalidArg, "twice"),
                   ((np.zeros((2, 3)), [2]), InvalidArg, "out of range")]),
    OpTest("tile", fn=lambda x, m=(2, 1, 3): tf.tile(x, m), ref=lambda x: np.tile(x, (2, 1, 3)),
           samples=_arrays((2, 1, 3), (1, 2, 1)), dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_grad((2, 1, 3), (1, 2, 1)),
           errors=[((np.zeros((2, 3)), [2]), InvalidArg, "one entry per dimension"),
                   ((np.zeros((2, 3)), [-1, 2]), InvalidArg, "non-negative"),
                   ((np.zeros((2, 3)), [2 ** 40, 2 ** 30]), errors.ResourceExhaustedError,
                    "memory")]),
    OpTest("tile", name="zero", fn=lambda x: tf.tile(x, [0, 2]), ref=lambda x: np.tile(x, (0, 2)),
           samples=_arrays((2, 3)), grad=False),
]


# ---- joining and splitting -------------------------------------------------------
JOINING = [
    OpTest("concat", fn=lambda a, b: tf.concat([a, b], 0),
           ref=lambda a, b: np.concatenate([a, b], 0),
           samples=_arrays(((2, 3), (4, 3)), ((1,), (0,))),
           dtypes=MOVE_DTYPES, grad2=True, grad_samples=_grad(((2, 3), (4, 3))),
           errors=[((np.zeros((2, 3)), np.zeros((2, 4))), InvalidArg, r"agree except on axis 0"),
                   ((np.float32(1), np.float32(2)), InvalidArg, "scalars"),
                   ((tf.constant([1.0]), tf.constant([1])), InvalidArg, "one dtype")]),
    OpTest("concat", name="axis", fn=lambda a, b, c: tf.concat([a, b, c], -1),
           ref=lambda a, b, c: np.concatenate([a, b, c], -1),
           samples=_arrays(((2, 1), (2, 3), (2, 0))), grad2=True,
           grad_samples=_grad(((2, 1), (2, 3), (2, 2)))),
    OpTest("concat", name="one", fn=lambda a: tf.concat([a], 0), ref=lambda a: a,
           samples=_arrays((3,)), grad=False),
    OpTest("stack", fn=lambda a, b, axis=1: tf.stack([a, b], axis),
           ref=lambda a, b: np.stack([a, b], 1), samples=_arrays(((2, 3), (2, 3)), ((0,), (0,))),
           dtypes=MOVE_DTYPES, grad_samples=_grad(((2, 3), (2, 3))),
           errors=[((np.zeros(2), np.zeros(3)), InvalidArg, "one shape"),
                   ((np.zeros(2), np.zeros(2), 3), InvalidArg, "out of range")]),
    OpTest("stack", name="scalars", fn=lambda a, b, c: tf.stack([a, b, c]),
           ref=lambda a, b, c: np.stack([a, b, c]), samples=_arrays(((), (), ())),
           grad_samples=_grad(((), (), ()))),
    OpTest("unstack", fn=lambda x, num=None: tf.unstack(x, num, axis=1),
           ref=lambda x: [x[:, i] for i in range(x.shape[1])],
           samples=_arrays((3, 2), (0, 3), (2, 2, 2)), dtypes=MOVE_DTYPES,
           grad_samples=_grad((3, 2), (2, 3, 2)),
           errors=[((np.float32(1.0),), InvalidArg, "scalar"),
                   ((np.zeros((3, 2)), 3), InvalidArg, "num=3")]),
    OpTest("split", fn=lambda x, s=(1, -1, 2): tf.split(x, s, axis=1),
           ref=lambda x: np.split(x, [1, 4], axis=1), samples=_arrays((2, 6), (0, 6)),
           dtypes=MOVE_DTYPES, grad_samples=_grad((2, 6)),
           errors=[((np.zeros((2, 5)), 3), InvalidArg, "equal pieces"),
                   ((np.zeros((2, 5)), [2, 2]), InvalidArg, "add up"),
                   ((np.zeros((2, 5)), [-1, -1]), InvalidArg, "at most one"),
                   ((np.zeros((2, 5)), 0), InvalidArg, "equal pieces")]),
    OpTest("split", name="even", fn=lambda x: tf.split(x, 3), ref=lambda x: np.split(x, 3),
           samples=_arrays((6, 2), (3,)), grad_samples=_grad((6, 2))),
]


# ---- padding ----------------------------------------------------------------------
def _mirror_pad_grad_ref(paddings, mode):
    def ref(g):
        shape = tuple(d - a - b for d, (a, b) in zip(g.shape, paddings))
        src = np.pad(np.arange(int(np.prod(shape))).reshape(shape), paddings, mode=mode)
        out = np.bincount(src.ravel(), weights=g.ravel().astype(np.float64),
                          minlength=int(np.prod(shape)))
        return out.reshape(shape).astype(g.dtype)
    return ref


_MP = ((1, 2), (2, 0))

PADDING = [
    OpTest("pad", fn=lambda x, p=((1, 2), (0, 3)), mode="CONSTANT": tf.pad(x, p, mode),
           ref=lambda x: np.pad(x, ((1, 2), (0, 3))), samples=_arrays((2, 3), (0, 1)),
           dtypes=MOVE_DTYPES, grad2=True, grad_samples=_grad((2, 3)),
           errors=[((np.zeros((2, 3)), [[1, 1]]), InvalidArg, r"shape \[2, 2\]"),
                   ((np.zeros((2, 3)), [[1, -1], [0, 0]]), InvalidArg, "non-negative"),
                   ((np.zeros((2, 3)), [[2, 0], [0, 0]], "REFLECT"), InvalidArg, "REFLECT"),
                   ((np.zeros((2, 3)), [[3, 0], [0, 0]], "SYMMETRIC"), InvalidArg, "SYMMETRIC"),
                   ((np.zeros((2, 3)), [[0, 0], [0, 0]], "WRAP"), InvalidArg, "mode"),
                   ((np.zeros((2, 3)), [[2 ** 40, 0], [2 ** 30, 0]]),
                    errors.ResourceExhaustedError, "memory")]),
    OpTest("pad", name="value", fn=lambda x: tf.pad(x, [[1, 0], [2, 1]], constant_values=5),
           ref=lambda x: np.pad(x, ((1, 0), (2, 1)), constant_values=5),
           samples=_arrays((2, 3)), dtypes=NUM_DTYPES, grad_samples=_grad((2, 3))),
    OpTest("pad", name="reflect", fn=lambda x: tf.pad(x, [[1, 1], [2, 3]], "REFLECT"),
           ref=lambda x: np.pad(x, ((1, 1), (2, 3)), mode="reflect"),
           samples=_arrays((3, 4), (2, 5)), dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_grad((3, 4))),
    OpTest("pad", name="symmetric", fn=lambda x: tf.pad(x, [[2, 1], [3, 0]], "symmetric"),
           ref=lambda x: np.pad(x, ((2, 1), (3, 0)), mode="symmetric"),
           samples=_arrays((3, 4), (2, 3)), dtypes=MOVE_DTYPES, grad2=True,
           grad_samples=_grad((3, 4))),
    OpTest("mirror_pad_grad",
           fn=lambda g: execute(A._mirror_pad_grad, (g,), {"paddings": _MP, "mode": "REFLECT"}),
           ref=_mirror_pad_grad_ref(_MP, "reflect"), samples=_arrays((6, 5)),
           grad_samples=_grad((6, 5))),
    OpTest("mirror_pad_grad", name="symmetric",
           fn=lambda g: execute(A._mirror_pad_grad, (g,), {"paddings": _MP, "mode": "SYMMETRIC"}),
           ref=_mirror_pad_grad_ref(_MP, "symmetric"), samples=_arrays((5, 4)),
           dtypes=F + ("int32",), grad_samples=_grad((5, 4))),
]


ENTRIES = CREATION + RESHAPING + JOINING + PADDING
