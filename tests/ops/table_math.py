"""Op table rows for eager/ops/math.py."""
import numpy as np
import scipy.special as sp

import eager as tf
from eager import errors
from eager.ops.math import _polygamma1
from tests.ops.optest import OpTest, random_array, BINARY_SHAPES, UNARY_SHAPES

REAL = ("int32", "int64", "float32", "float64")
FLOATS = ("float16", "float32", "float64")
ALLNUM = ("int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64",
          "complex64", "complex128")


def _pos(dtype, rng):
    return [(random_array(s, dtype, rng, (0.5, 3.0)),) for s in UNARY_SHAPES]


def _pos_grad(rng):
    return [(rng.uniform(0.5, 3.0, size=s),) for s in [(), (3,), (2, 3)]]


def _nonzero_pairs(dtype, rng):
    out = []
    for a, b in BINARY_SHAPES:
        x = random_array(a, dtype, rng, (-5, 5))
        y = random_array(b, dtype, rng, (1, 5))
        if np.dtype(dtype).kind in "iu":
            y = np.abs(y) % 5 + 1
        if np.dtype(dtype).kind != "u":
            y = y * np.where(rng.random(size=b) < 0.5, 1, -1).astype(dtype)
        out.append((x, y))
    return out


def _nonzero_grad(rng):
    return [(rng.uniform(-3, 3, size=a), rng.uniform(0.5, 3, size=b) * rng.choice([-1, 1], size=b))
            for a, b in BINARY_SHAPES if np.prod(a) and np.prod(b)]


def _pow_samples(dtype, rng):
    out = []
    for a, b in BINARY_SHAPES:
        x = random_array(a, dtype, rng, (0.5, 3))
        y = random_array(b, dtype, rng, (0, 3)) if np.dtype(dtype).kind in "iu" else \
            random_array(b, dtype, rng, (-2, 2))
        if np.dtype(dtype).kind in "iu":
            y = np.abs(y) % 4
        out.append((x, y))
    return out


def _pow_grad(rng):
    return [(rng.uniform(0.5, 3, size=a), rng.uniform(-2, 2, size=b))
            for a, b in BINARY_SHAPES if np.prod(a) and np.prod(b)]


def _distinct_pairs(rng):
    # maximum/minimum are not differentiable at ties; keep samples apart.
    out = []
    for a, b in BINARY_SHAPES:
        if np.prod(a) and np.prod(b):
            x = rng.uniform(-2, 2, size=a)
            y = rng.uniform(-2, 2, size=b)
            y = np.where(np.abs(np.broadcast_to(x, np.broadcast(x, y).shape).min() - y) < 0.1, y + 0.3, y)
            out.append((x, y))
    return out


def _unit(dtype, rng):
    return [(random_array(s, dtype, rng, (-0.9, 0.9)),) for s in UNARY_SHAPES]


def _away_from_zero(rng):
    return [(rng.uniform(0.3, 2, size=s) * rng.choice([-1, 1], size=s),) for s in [(), (3,), (2, 3)]]


def _trunc_div(x, y):
    return np.floor_divide(x, y)


def binary(op, fn, ref, dtypes=REAL, **kw):
    return OpTest(op, fn, ref, dtypes=dtypes, arity=2, **kw)


def unary(op, fn, ref, dtypes=("float32", "float64"), **kw):
    return OpTest(op, fn, ref, dtypes=dtypes, arity=1, **kw)


def _errs_binary(fn):
    return [((tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0])), errors.InvalidArgumentError,
             r"shape|broadcast"),
            ((tf.constant([1.0]), tf.constant([1], dtype=tf.int32)), errors.InvalidArgumentError,
             r"float32.*int32|int32.*float32")]


def _sq_diff(x, y):
    return np.square(x - y)


def _cast_to(dtype):
    return lambda x: tf.cast(x, dtype)


def _np_where(x, y, c):
    return np.where(c, x, y)


def _where_samples(dtype, rng):
    return [(random_array(a, dtype, rng), random_array(b, dtype, rng),
             rng.random(size=np.broadcast_shapes(a, b)) < 0.5) for a, b in BINARY_SHAPES]


def _where_grad(rng):
    return [(rng.normal(size=a), rng.normal(size=b), rng.random(size=np.broadcast_shapes(a, b)) < 0.5)
            for a, b in BINARY_SHAPES if np.prod(a) and np.prod(b)]


ENTRIES = [
    binary("add", tf.add, np.add, ALLNUM, errors=_errs_binary(tf.add), grad2=True),
    binary("subtract", tf.subtract, np.subtract, ALLNUM, grad2=True),
    binary("multiply", tf.multiply, np.multiply, ALLNUM, grad2=True,
           errors=[((tf.constant([1]), 1.5), TypeError, r"1\.5.*int32")]),
    binary("divide", tf.truediv, np.true_divide, ("float32", "float64", "complex128"),
           samples=_nonzero_pairs, grad_samples=_nonzero_grad, grad2=True),
    binary("divide", tf.truediv, lambda x, y: np.true_divide(x, y).astype(np.float64),
           ("int32", "int64"), samples=_nonzero_pairs, grad=False, name="int"),
    binary("floordiv", tf.floordiv, _trunc_div, REAL, samples=_nonzero_pairs, grad=False,
           errors=[((tf.constant([1, 2]), tf.constant([1, 0])), errors.InvalidArgumentError,
                    r"floordiv.*division by zero")]),
    binary("floormod", tf.floormod, np.mod, REAL, samples=_nonzero_pairs,
           grad_samples=_nonzero_grad,
           errors=[((tf.constant([1, 2]), tf.constant([0, 1])), errors.InvalidArgumentError,
                    r"floormod.*division by zero")]),
    binary("pow", tf.pow, np.power, ("int32", "float32", "float64"), samples=_pow_samples,
           grad_samples=_pow_grad, grad2=True,
           errors=[((tf.constant([2]), tf.constant([-1])), errors.InvalidArgumentError,
                    r"negative integer powers")]),
    binary("maximum", tf.maximum, np.maximum, REAL, grad_samples=_distinct_pairs, grad2=True),
    binary("minimum", tf.minimum, np.minimum, REAL, grad_samples=_distinct_pairs, grad2=True),
    binary("squared_difference", tf.math.squared_difference, _sq_diff, REAL, grad2=True),
    binary("atan2", tf.math.atan2, np.arctan2, ("float32", "float64"),
           grad_samples=lambda rng: [(rng.uniform(0.5, 2, size=(3,)), rng.uniform(0.5, 2, size=(3,)))]),
    unary("negative", tf.negative, np.negative, ("int32", "float32", "float64", "complex64"),
          grad2=True),
    unary("abs", tf.abs, np.abs, ("int8", "int32", "float32", "float64", "complex128"),
          grad_samples=_away_from_zero, grad2=True),
    unary("sign", tf.sign, np.sign, ("int32", "float32", "float64")),
    unary("square", tf.square, np.square, ("int32", "float32", "float64"), grad2=True),
    unary("sqrt", tf.sqrt, np.sqrt, FLOATS, samples=_pos, grad_samples=_pos_grad, grad2=True,
          errors=[((tf.constant([4]),), errors.InvalidArgumentError, r"sqrt: dtype int32")]),
    unary("rsqrt", tf.math.rsqrt, lambda x: 1 / np.sqrt(x), FLOATS, samples=_pos,
          grad_samples=_pos_grad, grad2=True),
    unary("reciprocal", tf.math.reciprocal, np.reciprocal, FLOATS, samples=_pos,
          grad_samples=_pos_grad, grad2=True),
    unary("exp", tf.exp, np.exp, FLOATS + ("complex128",), grad2=True),
    unary("expm1", tf.math.expm1, np.expm1, FLOATS, grad2=True),
    unary("log", tf.math.log, np.log, FLOATS, samples=_pos, grad_samples=_pos_grad, grad2=True),
    unary("log1p", tf.math.log1p, np.log1p, FLOATS, samples=_pos, grad_samples=_pos_grad,
          grad2=True),
    unary("sin", tf.sin, np.sin, FLOATS, grad2=True),
    unary("cos", tf.cos, np.cos, FLOATS, grad2=True),
    unary("tan", tf.tan, np.tan, FLOATS, samples=_unit,
          grad_samples=lambda rng: [(rng.uniform(-1, 1, size=(3,)),)], grad2=True),
    unary("asin", tf.math.asin, np.arcsin, FLOATS, samples=_unit,
          grad_samples=lambda rng: [(rng.uniform(-0.8, 0.8, size=(3,)),)]),
    unary("acos", tf.math.acos, np.arccos, FLOATS, samples=_unit,
          grad_samples=lambda rng: [(rng.uniform(-0.8, 0.8, size=(3,)),)]),
    unary("atan", tf.math.atan, np.arctan, FLOATS),
    unary("sinh", tf.math.sinh, np.sinh, FLOATS),
    unary("cosh", tf.math.cosh, np.cosh, FLOATS),
    unary("tanh", tf.tanh, np.tanh, FLOATS, grad2=True),
    unary("sigmoid", tf.sigmoid, lambda x: sp.expit(x).astype(x.dtype), FLOATS, grad2=True),
    unary("erf", tf.math.erf, lambda x: sp.erf(x).astype(x.dtype), FLOATS, grad2=True),
    unary("erfc", tf.math.erfc, lambda x: sp.erfc(x).astype(x.dtype), FLOATS),
    unary("lgamma", tf.math.lgamma, sp.gammaln, ("float32", "float64"), samples=_pos,
          grad_samples=_pos_grad),
    unary("digamma", tf.math.digamma, sp.digamma, ("float32", "float64"), samples=_pos,
          grad_samples=_pos_grad),
    unary("polygamma1", _polygamma1,
          lambda x: sp.polygamma(1, x), ("float64",), samples=_pos, grad=False),
    unary("floor", tf.floor, np.floor, FLOATS, grad=False),
    unary("ceil", tf.math.ceil, np.ceil, FLOATS, grad=False),
    unary("round", tf.round, np.round, FLOATS + ("int32",), grad=False),
    unary("is_nan", tf.math.is_nan, np.isnan, FLOATS, grad=False),
    unary("is_inf", tf.math.is_inf, np.isinf, FLOATS, grad=False),
    unary("is_finite", tf.math.is_finite, np.isfinite, FLOATS, grad=False),
    unary("logical_not", tf.logical_not, np.logical_not, ("bool",), grad=False),
    unary("conj", tf.math.conj, np.conj, ("float32", "complex64", "complex128")),
    unary("real", tf.math.real, np.real, ("complex64", "complex128", "float64"),
          grad_samples=lambda rng: [(rng.normal(size=(3,)),)]),
    unary("imag", tf.math.imag, np.imag, ("complex64", "complex128"), grad=False),
    unary("invert", tf.bitwise.invert, np.invert, ("int32", "uint8", "bool"), grad=False),
    binary("equal", tf.equal, np.equal, REAL + ("bool",), grad=False),
    binary("not_equal", tf.not_equal, np.not_equal, REAL + ("bool",), grad=False),
    binary("less", tf.less, np.less, REAL, grad=False),
    binary("less_equal", tf.less_equal, np.less_equal, REAL, grad=False),
    binary("greater", tf.greater, np.greater, REAL, grad=False),
    binary("greater_equal", tf.greater_equal, np.greater_equal, REAL, grad=False),
    binary("logical_and", tf.logical_and, np.logical_and, ("bool",), grad=False),
    binary("logical_or", tf.logical_or, np.logical_or, ("bool",), grad=False),
    binary("logical_xor", tf.math.logical_xor, np.logical_xor, ("bool",), grad=False),
    OpTest("select", lambda x, y, c: tf.where(c, x, y), _np_where, dtypes=("int32", "float32", "float64"),
           samples=_where_samples, grad_samples=_where_grad, grad_argnums=(0, 1), grad2=True,
           errors=[((tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]), tf.constant([1, 0])),
                    errors.InvalidArgumentError, r"where: condition must be bool")]),
    OpTest("cast", _cast_to(tf.float64), lambda x: x.astype(np.float64),
           dtypes=("int32", "float16", "float32", "bool")),
    OpTest("cast", _cast_to(tf.int32), lambda x: x.astype(np.int32),
           dtypes=("float32", "float64", "int64"), grad=False, name="to_int"),
    OpTest("stop_gradient", tf.stop_gradient, lambda x: x, dtypes=("float32", "int32"),
           grad=False),
]
