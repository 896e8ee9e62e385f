"""Op table rows for the random family: outputs are random, so only shapes
and dtypes are compared (random=True); the error inputs are checked fully.
Statistics and seeding live in tests/test_random.py."""
import numpy as np

import eager as tf
from eager import errors
from tests.ops.optest import OpTest, random_array

INVALID = errors.InvalidArgumentError
SHAPES = [[2, 3], [], [0], (4,), tf.TensorShape([1, 2, 1])]


def _dims(shape):
    return tuple(int(d) for d in np.asarray(list(shape) if isinstance(shape, tuple) else shape,
                                            dtype=np.int64).reshape(-1))


def _zeros(shape, dtype, *rest):
    return np.zeros(_dims(shape), np.dtype(dtype))


def _shape_samples(dtype, rng):
    # The 1-D int array becomes a Tensor in the table's driver.
    return [(s, dtype) for s in SHAPES] + [(np.array([3, 2], np.int32), dtype),
                                           (np.array([2], np.int64), dtype)]


def _uniform(shape, dtype="float32", minval=0, maxval=None):
    return tf.random_uniform(shape, minval, maxval, dtype=dtype)


def _uniform_int(shape, dtype="int32", minval=-5, maxval=5):
    return tf.random.uniform(shape, minval, maxval, dtype=dtype)


def _normal(shape, dtype="float32", mean=0.0, stddev=1.0):
    return tf.random_normal(shape, mean, stddev, dtype=dtype)


def _truncated(shape, dtype="float32", mean=0.0, stddev=1.0):
    return tf.truncated_normal(shape, mean, stddev, dtype=dtype, seed=3)


SHAPE_ERRORS = [
    (([2, -1],), INVALID, r"negative dimension"),
    (([2 ** 16, 2 ** 16],), INVALID, r"4294967296 elements"),
    ((3,), INVALID, r"1-D vector"),
    (([1.5],), TypeError, r"integers"),
    (([None, 2],), ValueError, r"unknown dimension"),
    (("abc",), TypeError, r"shape"),
    ((np.zeros((2, 2), np.int32),), INVALID, r"1-D vector"),
]


def _named(errs, opname):
    return [(i, e, opname + ":.*" + p) for i, e, p in errs]


def _shuffle_samples(dtype, rng):
    return [(random_array(s, dtype, rng),) for s in [(), (0,), (1,), (5,), (4, 3), (3, 0)]]


def _multinomial_samples(dtype, rng):
    return [(random_array(s, dtype, rng), n) for s, n in
            [((2, 3), 5), ((1, 1), 3), ((0, 4), 2), ((3, 4), 0)]]


def _multinomial_ref(logits, n):
    return np.zeros((logits.shape[0], n), np.int64)


def _gamma_samples(dtype, rng):
    return [([3], np.array([0.5, 2.0], dtype), None),
            ([2, 2], np.array(1.5, dtype), np.array([1.0, 3.0, 0.5], dtype)),
            ([0], np.array([1.0], dtype), None)]


def _gamma_ref(shape, alpha, beta):
    pshape = np.broadcast_shapes(np.shape(alpha), np.shape(beta if beta is not None else 1))
    return np.zeros(tuple(shape) + pshape, alpha.dtype)


def _poisson_samples(dtype, rng):
    return [([3], np.array([0.5, 4.0], np.float32), dtype),
            ([], np.array(2, np.int32), dtype),
            ([2, 0], np.array([1.0], np.float64), dtype)]


def _stateless_samples(dtype, rng):
    return [([2, 3], np.array([1, 2], np.int32), dtype), ([], np.array([7, -3], np.int64), dtype),
            ([0, 5], [4, 4], dtype)]


def _stateless_ref(shape, seed, dtype):
    return np.zeros(tuple(shape), np.dtype(dtype))


ENTRIES = [
    OpTest("random_uniform", _uniform, _zeros, dtypes=("float16", "float32", "float64"),
           samples=_shape_samples, random=True, grad=False,
           errors=_named(SHAPE_ERRORS, "random_uniform") + [
               (([2], "string"), INVALID, r"random_uniform: dtype string is not supported"),
               (([2], "int32"), ValueError, r"random_uniform: must specify maxval"),
               (([2], "float32", 0.0, [1.0, 2.0, 3.0]), INVALID,
                r"random_uniform: maxval of shape \(3,\) does not broadcast"),
               (([2], "float32", tf.constant(0.0, tf.float64)), TypeError, r"minval"),
           ]),
    OpTest("random_uniform", _uniform_int, _zeros, dtypes=("int32", "int64", "uint32", "uint64"),
           samples=lambda dtype, rng: [([2, 3], dtype, 0, 7), ([], dtype, 1, 2), ([0], dtype, 5, 5)],
           random=True, grad=False, name="int",
           errors=[(([3], "int32", 5, 5), INVALID, r"random_uniform: need minval < maxval"),
                   (([3], "int64", 2, 1), INVALID, r"need minval < maxval, got 2 >= 1"),
                   (([3], "int32", [0, 1], 4), INVALID, r"must be scalars"),
                   (([3], "int32", 0, 2 ** 40), TypeError,
                    r"random_uniform: maxval must be convertible to int32")]),
    OpTest("random_normal", _normal, _zeros, dtypes=("float16", "float32", "float64"),
           samples=_shape_samples, random=True, grad=False,
           errors=_named(SHAPE_ERRORS, "random_normal") + [
               (([2], "int32"), INVALID, r"random_normal: dtype int32 is not supported"),
               (([2, 2], "float32", [1.0, 2.0, 3.0]), INVALID, r"mean of shape \(3,\)")]),
    OpTest("truncated_normal", _truncated, _zeros, dtypes=("float16", "float32", "float64"),
           samples=_shape_samples, random=True, grad=False,
           errors=_named(SHAPE_ERRORS, "truncated_normal") + [
               (([2], "complex64"), INVALID, r"truncated_normal: dtype complex64")]),
    OpTest("random_shuffle", lambda x, seed=1: tf.random_shuffle(x, seed=seed), lambda x: x,
           dtypes=("float32", "float64", "int32", "int64", "bool"), samples=_shuffle_samples,
           random=True, grad=False,
           errors=[((np.arange(3), 1.5), TypeError, r"random_shuffle: seed must be")]),
    OpTest("multinomial", lambda logits, n: tf.multinomial(logits, n), _multinomial_ref,
           dtypes=("float32", "float64", "float16"), samples=_multinomial_samples,
           random=True, grad=False,
           errors=[((np.zeros(3, np.float32), 2), INVALID,
                    r"multinomial: logits must be a matrix .*got shape \(3,\) float32"),
                   ((np.zeros((2, 0), np.float32), 2), INVALID, r"num_classes must be positive"),
                   ((np.zeros((2, 3), np.float32), -1), INVALID, r"num_samples must be >= 0"),
                   ((np.zeros((2, 3), np.float32), 2 ** 31), INVALID, r"2\*\*31 - 1"),
                   ((np.zeros((2, 3), np.float32), 1.5), TypeError, r"num_samples must be an int"),
                   (([["a", "b"]], 1), INVALID, r"multinomial: dtype string")]),
    OpTest("random_gamma",
           lambda shape, a, b: tf.random_gamma(shape, a, b, dtype=getattr(a, "dtype", "float32")),
           _gamma_ref, dtypes=("float16", "float32", "float64"), samples=_gamma_samples,
           random=True, grad=False,
           errors=[(([2], [1.0, -1.0], None), INVALID, r"random_gamma: alpha and beta must be positive"),
                   (([-2], [1.0], None), INVALID, r"random_gamma: shape \[-2\] has a negative"),
                   (([2], [1.0, 2.0], [1.0, 2.0, 3.0]), INVALID, r"do not broadcast"),
                   (([2 ** 20], np.ones(2 ** 12), None), INVALID, r"output shape")]),
    OpTest("random_poisson", lambda shape, lam, dtype: tf.random.poisson(shape, lam, dtype),
           lambda shape, lam, dtype: np.zeros(tuple(shape) + np.shape(lam), np.dtype(dtype)),
           dtypes=("float16", "float32", "float64", "int32", "int64"), samples=_poisson_samples,
           random=True, grad=False,
           errors=[(([2], [1.0, -1.0], "float32"), INVALID, r"random_poisson: lam must be"),
                   (([2], [np.nan], "int32"), INVALID, r"lam must be finite"),
                   (([2], [1.0], "bool"), INVALID, r"dtype bool is not supported"),
                   (([2], ["x"], "float32"), INVALID, r"random_poisson: dtype string")]),
    OpTest("stateless_random_uniform",
           lambda shape, seed, dtype: tf.random.stateless_uniform(shape, seed, dtype=dtype),
           _stateless_ref, dtypes=("float16", "float32", "float64"), samples=_stateless_samples,
           random=True, grad=False,
           errors=[(([2], [1, 2, 3], "float32"), INVALID,
                    r"seed must be an int32 or int64 tensor of shape \[2\]"),
                   (([2], [1.0, 2.0], "float32"), INVALID, r"got \(2,\) float32"),
                   (([-1], [1, 2], "float32"), INVALID, r"negative dimension")]),
    OpTest("stateless_random_normal",
           lambda shape, seed, dtype: tf.random.stateless_normal(shape, seed, dtype=dtype),
           _stateless_ref, dtypes=("float16", "float32", "float64"), samples=_stateless_samples,
           random=True, grad=False,
           errors=[(([2], 5, "float32"), INVALID, r"stateless_random_normal: seed must be")]),
    OpTest("stateless_truncated_normal",
           lambda shape, seed, dtype: tf.random.stateless_truncated_normal(shape, seed, dtype=dtype),
           _stateless_ref, dtypes=("float16", "float32", "float64"), samples=_stateless_samples,
           random=True, grad=False,
           errors=[(([2], [[1, 2]], "float32"), INVALID, r"stateless_truncated_normal: seed must be")]),
]
