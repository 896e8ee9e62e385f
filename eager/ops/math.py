"""Elementwise math: arithmetic, comparisons, logic, transcendental functions
and casts. Forward kernels and gradients side by side."""
import functools

import numpy as np
import scipy.special as _sp

from eager import errors
from eager._ext.tensor import _fast_binary, _fast_unary, _install_fast_opdef
from eager._ext.dtypes import as_dtype
from eager.ops._registry import (defop, api, execute, unary, binary, generic,
                                 MATCH_FIRST, NUMERIC, REAL, INEXACT, FLOATS,
                                 INTS, ALL, SIGNED, COMPLEX, bool_, float32, float64,
                                 int8, int16, uint8, uint16)

_FAST_ADD, _FAST_SUB, _FAST_MUL, _FAST_DIV, _FAST_MAX, _FAST_MIN = range(6)


def _quiet(fn):
    """NumPy warns on overflow, 0/0, log(0)...; TensorFlow returns inf/nan.
    Only kernels that produce those often pay for the errstate."""
    @functools.wraps(fn)
    def k(*args, **kw):
        with np.errstate(all="ignore"):
            return fn(*args, **kw)
    return k


def _keep_dtype(fn):
    """Runs a SciPy function and casts back: SciPy computes float16 in float32."""
    def k(x):
        return np.asarray(fn(x)).astype(x.dtype, copy=False)
    return k


def _check_int_divisor(op, tensors, attrs):
    y = tensors[1]
    if y.dtype.is_integer and not np.all(np.asarray(y)):
        raise errors.InvalidArgumentError(
            None, op.name, "%s: integer division by zero; x is %s %s, y is %s %s"
            % (op.name, tensors[0].shape, tensors[0].dtype.name, y.shape, y.dtype.name))


def conj_if_complex(x):
    return conj(x) if x.dtype.is_complex else x


# ---- arithmetic --------------------------------------------------------------
_add = defop("add", binary(NUMERIC), cpu=np.add, cuda="x + y",
             grad=lambda g, ans, x, y: (g, g))


@api(_add, "eager", "eager.math")
def add(x, y, name=None):
    """x + y elementwise, with NumPy broadcasting.

    >>> add([1, 2], 1).numpy()
    array([2, 3], dtype=int32)
    """
    r = _fast_binary(_FAST_ADD, x, y)
    return r if r is not None else execute(_add, (x, y))


_subtract = defop("subtract", binary(NUMERIC), cpu=np.subtract, cuda="x - y",
                  grad=lambda g, ans, x, y: (g, negative(g)))


@api(_subtract, "eager", "eager.math")
def subtract(x, y, name=None):
    """x - y elementwise, with broadcasting."""
    r = _fast_binary(_FAST_SUB, x, y)
    return r if r is not None else execute(_subtract, (x, y))


def _mul_grad(g, ans, x, y):
    if x.dtype.is_complex:
        return (g * conj(y), g * conj(x))
    return (g * y, g * x)


_multiply = defop("multiply", binary(NUMERIC), cpu=np.multiply, cuda="x * y", grad=_mul_grad)


@api(_multiply, "eager", "eager.math")
def multiply(x, y, name=None):
    """x * y elementwise, with broadcasting."""
    r = _fast_binary(_FAST_MUL, x, y)
    return r if r is not None else execute(_multiply, (x, y))


def _div_grad(g, ans, x, y):
    yc = conj_if_complex(y)
    return (g / yc, negative(g) * conj_if_complex(ans) / yc)


_div = defop("divide", binary(INEXACT), cpu=_quiet(np.true_divide), cuda="x / y",
             grad=_div_grad)

_INT_DIV_FLOAT = {"int8": float32, "int16": float32, "uint8": float32, "uint16": float32,
                  "int32": float64, "int64": float64, "uint32": float64, "uint64": float64}


@api(_div, "eager", "eager.math", names=("divide", "truediv", "realdiv"))
def truediv(x, y, name=None):
    """x / y elementwise. Integer inputs are cast first (8- and 16-bit ints to
    float32, wider ones to float64), as TensorFlow's truediv does."""
    r = _fast_binary(_FAST_DIV, x, y)
    if r is not None:
        return r
    from eager._ext.dispatch import convert_to_tensor
    from eager._ext.tensor import Tensor
    if isinstance(x, Tensor) or not isinstance(y, Tensor):
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, x.dtype) if not isinstance(y, Tensor) else y
    else:
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, y.dtype)
    to = _INT_DIV_FLOAT.get(x.dtype.name)
    if to is not None and x.dtype == y.dtype:
        x, y = cast(x, to), cast(y, to)
    return execute(_div, (x, y))


divide = truediv


_floordiv = defop("floordiv", binary(REAL), cpu=_quiet(np.floor_divide), cuda="floordiv",
                  check=_check_int_divisor, differentiable=False)


@api(_floordiv, "eager", "eager.math", names=("floordiv", "floor_div"))
def floordiv(x, y, name=None):
    """floor(x / y) elementwise; integer division by zero is an error."""
    return execute(_floordiv, (x, y))


_floormod = defop("floormod", binary(REAL), cpu=_quiet(np.mod), cuda="floormod",
                  check=_check_int_divisor,
                  grad=lambda g, ans, x, y: (g, negative(g) * floor(x / y)))


@api(_floormod, "eager", "eager.math", names=("floormod", "mod"))
def floormod(x, y, name=None):
    """x mod y with the sign of y (Python's %); integer modulo by zero is an error."""
    return execute(_floormod, (x, y))


mod = floormod


def _pow_kernel(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise ValueError("Integers to negative integer powers are not allowed")
    with np.errstate(all="ignore"):
        return np.power(x, y)


def _pow_grad(g, ans, x, y):
    gx = g * y * pow(x, y - 1)
    if x.dtype.is_complex:
        logx = log(where(not_equal(x, 0), x, ones_like_(x)))
    else:
        pos = greater(x, 0)
        logx = where(pos, log(where(pos, x, ones_like_(x))), zeros_like_(x))
    return (gx, g * ans * logx)


_pow = defop("pow", binary(NUMERIC), cpu=_pow_kernel, cuda="pow", grad=_pow_grad)


@api(_pow, "eager", "eager.math")
def pow(x, y, name=None):
    """x ** y elementwise; integers to negative powers are an error."""
    return execute(_pow, (x, y))


_maximum = defop("maximum", binary(REAL), cpu=np.maximum, cuda="max",
                 grad=lambda g, ans, x, y: _select_grad(g, greater_equal(x, y)))
_minimum = defop("minimum", binary(REAL), cpu=np.minimum, cuda="min",
                 grad=lambda g, ans, x, y: _select_grad(g, less_equal(x, y)))


def _select_grad(g, mask):
    # Ties send the whole gradient to x, as TensorFlow does.
    z = zeros_like_(g)
    return (where(mask, g, z), where(mask, z, g))


@api(_maximum, "eager", "eager.math")
def maximum(x, y, name=None):
    """max(x, y) elementwise (NaN propagates); ties give x the gradient."""
    r = _fast_binary(_FAST_MAX, x, y)
    return r if r is not None else execute(_maximum, (x, y))


@api(_minimum, "eager", "eager.math")
def minimum(x, y, name=None):
    """min(x, y) elementwise (NaN propagates); ties give x the gradient."""
    r = _fast_binary(_FAST_MIN, x, y)
    return r if r is not None else execute(_minimum, (x, y))


def _sqdiff_grad(g, ans, x, y):
    gx = g * 2 * (x - y)
    return (gx, negative(gx))


_squared_difference = defop("squared_difference", binary(REAL), cuda="(x-y)*(x-y)",
                            cpu=_quiet(lambda x, y: np.square(x - y)), grad=_sqdiff_grad)


@api(_squared_difference, "eager", "eager.math")
def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise."""
    return execute(_squared_difference, (x, y))


_atan2 = defop("atan2", binary(FLOATS), cpu=np.arctan2, cuda="atan2",
               grad=lambda g, ans, y, x: (g * x / (x * x + y * y), negative(g) * y / (x * x + y * y)))


@api(_atan2, "eager", "eager.math")
def atan2(y, x, name=None):
    """The angle of (x, y) elementwise, in [-pi, pi]."""
    return execute(_atan2, (y, x))


for _code, _op in enumerate((_add, _subtract, _multiply, _div, _maximum, _minimum)):
    _install_fast_opdef(_code, _op)


# ---- unary -------------------------------------------------------------------
def _unary(name, kernel, grad, dtypes=NUMERIC, cuda=None, namespaces=("eager", "eager.math"),
           doc=None, differentiable=True, out="same", fast=None):
    op = defop(name, unary(dtypes, out=out), cpu=kernel, cuda=cuda or name, grad=grad,
               differentiable=differentiable)

    if fast is None:
        def fn(x, name=None):
            return execute(op, (x,))
    else:
        # Small contiguous tensors take the C loop (no ufunc, no errstate).
        _install_fast_opdef(fast, op, True)

        def fn(x, name=None):
            r = _fast_unary(fast, x)
            return r if r is not None else execute(op, (x,))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    api(op, *namespaces)(fn)
    return fn


negative = _unary("negative", np.negative, lambda g, ans, x: (negative(g),), SIGNED,
                  cuda="-x", fast=0, doc="-x elementwise.")
neg = negative


def _abs_kernel(x):
    return np.abs(x)


abs = _unary("abs", _abs_kernel, lambda g, ans, x: (_abs_grad(g, x),), SIGNED, cuda="abs",
             fast=2,
             doc="|x| elementwise (the modulus for complex x, as a real tensor). "
                 "The gradient at 0 is 0.")


def _abs_grad(g, x):
    if x.dtype.is_complex:
        return cast(g, x.dtype) * x / cast(where(equal(abs(x), 0), ones_like_(abs(x)), abs(x)), x.dtype)
    return g * sign(x)


sign = _unary("sign", np.sign, lambda g, ans, x: (zeros_like_(x),), SIGNED,
              doc="-1, 0 or 1 by the sign of x; its gradient is zero.")
square = _unary("square", _quiet(np.square), lambda g, ans, x: (g * 2 * conj_if_complex(x),),
                NUMERIC, cuda="x * x", fast=1, doc="x * x elementwise.")
sqrt = _unary("sqrt", _quiet(np.sqrt), lambda g, ans, x: (g * 0.5 / conj_if_complex(ans),),
              INEXACT, fast=3, doc="The square root of x elementwise (nan below zero).")
rsqrt = _unary("rsqrt", _quiet(lambda x: np.reciprocal(np.sqrt(x))),
               lambda g, ans, x: (g * -0.5 * ans * ans * ans,), INEXACT,
               doc="1 / sqrt(x) elementwise.")
reciprocal = _unary("reciprocal", _quiet(np.reciprocal),
                    lambda g, ans, x: (negative(g) * ans * ans,), INEXACT,
                    fast=4, doc="1 / x elementwise.")
exp = _unary("exp", _quiet(np.exp), lambda g, ans, x: (g * conj_if_complex(ans),), INEXACT,
             doc="e ** x elementwise.")
expm1 = _unary("expm1", _quiet(np.expm1), lambda g, ans, x: (g * (ans + 1),), INEXACT,
               doc="e ** x - 1 elementwise, accurate near 0.")
log = _unary("log", _quiet(np.log), lambda g, ans, x: (g / conj_if_complex(x),), INEXACT,
             doc="The natural logarithm of x elementwise.")
log1p = _unary("log1p", _quiet(np.log1p), lambda g, ans, x: (g / (x + 1),), INEXACT,
               doc="log(1 + x) elementwise, accurate near 0.")
sin = _unary("sin", np.sin, lambda g, ans, x: (g * cos(x),), INEXACT, doc="sin(x) elementwise.")
cos = _unary("cos", np.cos, lambda g, ans, x: (negative(g) * sin(x),), INEXACT,
             doc="cos(x) elementwise.")
tan = _unary("tan", _quiet(np.tan), lambda g, ans, x: (g * (1 + ans * ans),), INEXACT,
             doc="tan(x) elementwise.")
asin = _unary("asin", _quiet(np.arcsin), lambda g, ans, x: (g * rsqrt(1 - x * x),), FLOATS,
              doc="arcsin(x) elementwise.")
acos = _unary("acos", _quiet(np.arccos), lambda g, ans, x: (negative(g) * rsqrt(1 - x * x),),
              FLOATS, doc="arccos(x) elementwise.")
atan = _unary("atan", np.arctan, lambda g, ans, x: (g / (1 + x * x),), FLOATS,
              doc="arctan(x) elementwise.")
sinh = _unary("sinh", _quiet(np.sinh), lambda g, ans, x: (g * cosh(x),), FLOATS,
              doc="sinh(x) elementwise.")
cosh = _unary("cosh", _quiet(np.cosh), lambda g, ans, x: (g * sinh(x),), FLOATS,
              doc="cosh(x) elementwise.")
tanh = _unary("tanh", np.tanh, lambda g, ans, x: (g * (1 - ans * ans),), INEXACT,
              namespaces=("eager", "eager.math", "eager.nn"), doc="tanh(x) elementwise.")
sigmoid = _unary("sigmoid", _keep_dtype(_sp.expit), lambda g, ans, x: (g * ans * (1 - ans),),
                 FLOATS, namespaces=("eager", "eager.math", "eager.nn"),
                 doc="1 / (1 + exp(-x)) elementwise, without overflow.")
erf = _unary("erf", _keep_dtype(_sp.erf),
             lambda g, ans, x: (g * (2 / np.sqrt(np.pi)) * exp(negative(x * x)),), FLOATS,
             doc="The error function of x elementwise.")
erfc = _unary("erfc", _keep_dtype(_sp.erfc),
              lambda g, ans, x: (g * (-2 / np.sqrt(np.pi)) * exp(negative(x * x)),), FLOATS,
              doc="1 - erf(x) elementwise.")
lgamma = _unary("lgamma", _quiet(_keep_dtype(_sp.gammaln)),
                lambda g, ans, x: (g * digamma(x),), FLOATS,
                doc="log |Gamma(x)| elementwise.")
digamma = _unary("digamma", _quiet(_keep_dtype(_sp.digamma)),
                 lambda g, ans, x: (g * _polygamma1(x),), FLOATS,
                 doc="The derivative of lgamma elementwise.")
_polygamma1 = _unary("polygamma1", _quiet(_keep_dtype(lambda x: _sp.polygamma(1, x))),
                     None, FLOATS, differentiable=False, namespaces=(),
                     doc="The trigamma function (the derivative of digamma).")
floor = _unary("floor", np.floor, None, FLOATS, differentiable=False,
               doc="The largest integer not above x, elementwise (no gradient).")
ceil = _unary("ceil", np.ceil, None, FLOATS, differentiable=False,
              doc="The smallest integer not below x, elementwise (no gradient).")
round = _unary("round", np.round, None, FLOATS + INTS, differentiable=False,
               doc="x rounded half to even, elementwise (no gradient).")
is_nan = _unary("is_nan", np.isnan, None, FLOATS, differentiable=False, out="bool",
                doc="True where x is NaN.")
is_inf = _unary("is_inf", np.isinf, None, FLOATS, differentiable=False, out="bool",
                doc="True where x is +inf or -inf.")
is_finite = _unary("is_finite", np.isfinite, None, FLOATS, differentiable=False, out="bool",
                   doc="True where x is neither inf nor NaN.")
logical_not = _unary("logical_not", np.logical_not, None, (bool_,), differentiable=False,
                     doc="not x elementwise, for bool tensors.")
conj = _unary("conj", np.conj, lambda g, ans, x: (conj(g),), NUMERIC,
              doc="The complex conjugate (x itself for real x).")
real = _unary("real", lambda x: np.array(x.real), lambda g, ans, x: (cast(g, x.dtype),),
              COMPLEX + FLOATS, out="real", doc="The real part of x.")
imag = _unary("imag", lambda x: np.array(x.imag),
              lambda g, ans, x: (cast(g, x.dtype) * complex(0, 1),),
              COMPLEX, out="real", doc="The imaginary part of x.")


def _invert_kernel(x):
    return np.logical_not(x) if x.dtype == np.bool_ else np.invert(x)


invert = _unary("invert", _invert_kernel, None, INTS + (bool_,), differentiable=False,
                namespaces=("eager.bitwise",), doc="~x: logical not for bool, bitwise for ints.")


# ---- comparisons and logic ----------------------------------------------------
def _compare(name, kernel, dtypes=ALL, doc=None):
    op = defop(name, binary(dtypes, out="bool"), cpu=kernel, cuda=name, differentiable=False)

    def fn(x, y, name=None):
        return execute(op, (x, y))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    api(op, "eager", "eager.math")(fn)
    return fn


equal = _compare("equal", np.equal, doc="x == y elementwise (a bool tensor).")
not_equal = _compare("not_equal", np.not_equal, doc="x != y elementwise.")
less = _compare("less", np.less, REAL, doc="x < y elementwise.")
less_equal = _compare("less_equal", np.less_equal, REAL, doc="x <= y elementwise.")
greater = _compare("greater", np.greater, REAL, doc="x > y elementwise.")
greater_equal = _compare("greater_equal", np.greater_equal, REAL, doc="x >= y elementwise.")
logical_and = _compare("logical_and", np.logical_and, (bool_,), doc="x and y elementwise.")
logical_or = _compare("logical_or", np.logical_or, (bool_,), doc="x or y elementwise.")
logical_xor = _compare("logical_xor", np.logical_xor, (bool_,), doc="x xor y elementwise.")


def tensor_equals(x, y):
    """Tensor.__eq__: elementwise equal, or False for None and for values
    that cannot be compared (as TensorFlow 2)."""
    if y is None:
        return False
    try:
        return equal(x, y)
    except (TypeError, errors.InvalidArgumentError):
        return False


def tensor_not_equals(x, y):
    """Tensor.__ne__: elementwise not_equal, or True where __eq__ gives False."""
    if y is None:
        return True
    try:
        return not_equal(x, y)
    except (TypeError, errors.InvalidArgumentError):
        return True


# ---- where, clip ------------------------------------------------------------
def _select_kernel(x, y, cond):
    return np.where(cond, x, y)


def _check_select(op, tensors, attrs):
    if tensors[2].dtype != bool_:
        raise errors.InvalidArgumentError(
            None, op.name, "where: condition must be bool, got %s %s"
            % (tensors[2].shape, tensors[2].dtype.name))


def _where_grad(g, ans, x, y, cond):
    from eager.ops._registry import unbroadcast
    z = zeros_like_(g)
    return (unbroadcast(where(cond, g, z), x.shape), unbroadcast(where(cond, z, g), y.shape), None)


_select = defop("select", generic(ALL, MATCH_FIRST, 2), cpu=_select_kernel, cuda="select",
                check=_check_select, grad=_where_grad)


@api(_select, "eager", "eager.math", names=("where", "where_v2"))
def where(condition, x=None, y=None, name=None):
    """x where `condition` is true, else y, with broadcasting. With only
    `condition`, the indices of its true elements as an int64 [n, rank] tensor."""
    if x is None and y is None:
        from eager.ops.indexing import _where_indices
        return _where_indices(condition)
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    return execute(_select, (x, y, condition))


@api(None, "eager", "eager.math")
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """t clipped to [clip_value_min, clip_value_max] elementwise; the gradient
    flows where t is inside the range."""
    return minimum(maximum(t, clip_value_min), clip_value_max)


# ---- cast --------------------------------------------------------------------
def _cast_kernel(x, dtype):
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = x.real
    return x.astype(dtype)


def _cast_grad(g, ans, x, dtype):
    if (x.dtype.is_floating or x.dtype.is_complex) and (ans.dtype.is_floating or ans.dtype.is_complex):
        return (cast(g, x.dtype),)
    return (None,)


_cast = defop("cast", generic(ALL), cpu=_cast_kernel, cuda="cast", grad=_cast_grad)


@api(_cast, "eager", "eager.dtypes")
def cast(x, dtype, name=None):
    """x converted to `dtype` (floats to ints truncate toward zero; complex to
    real keeps the real part)."""
    dtype = as_dtype(dtype)
    from eager._ext.tensor import Tensor
    if isinstance(x, Tensor) and x.dtype is dtype:
        return x
    return execute(_cast, (x,), {"dtype": dtype.np_dtype})


def zeros_like_(x):
    from eager.ops.array import zeros_like
    return zeros_like(x)


def ones_like_(x):
    from eager.ops.array import ones_like
    return ones_like(x)


@api(None, "eager", "eager.math")
def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one shape and dtype."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n: needs at least one input")
    r = inputs[0]
    for t in inputs[1:]:
        r = add(r, t)
    return r
