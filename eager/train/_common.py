"""What the TensorFlow 1 and Keras optimizers share: reading learning rates
and gradients as plain values, checking them against the variable, and
running an update kernel on a variable's storage and slots."""
import numpy as np

from eager import errors
from eager._ext.dispatch import convert_to_tensor
from eager._ext.context import context as _context
from eager._ext.tensor import Tensor, _storage, _set_storage
from eager.train import kernels

_FLOAT_NAMES = ("float16", "float32", "float64")


def is_variable(x):
    return getattr(x, "_is_eager_variable", False)


def float_value(x, what="learning_rate"):
    """A Python float from a number, Tensor, Variable, NumPy value or a
    callable returning one of those."""
    if type(x) is float:
        return x
    if callable(x) and not isinstance(x, Tensor) and not is_variable(x):
        x = x()
    if is_variable(x):
        x = x.numpy()
    try:
        a = np.asarray(x)
        if a.size != 1:
            raise ValueError("must be a scalar, got shape %s" % (a.shape,))
        return float(a.reshape(()))
    except (TypeError, ValueError) as e:
        raise ValueError("%s: expected a number, got %r (%s)" % (what, x, e)) from None


def check_variable(var, who):
    if not is_variable(var):
        raise TypeError("%s: expected a Variable in grads_and_vars, got %s (%.60r)"
                        % (who, type(var).__name__, var))
    if var.dtype.name not in _FLOAT_NAMES:
        raise errors.InvalidArgumentError(
            None, who, "%s: variable %r has dtype %s; optimizers update float16, float32 "
            "and float64 variables" % (who, var.name, var.dtype.name))


def grad_array(g, var, who):
    """The gradient as var's device storage (a host NumPy array on the CPU)
    of var's dtype and shape."""
    if type(g) is Tensor and g.dtype is var.dtype and g.shape == var.shape and \
            g.device == var.device:
        return _storage(g)
    if is_variable(g):
        g = g.read_value()
    if isinstance(g, Tensor):
        if g.dtype is not var.dtype:
            raise errors.InvalidArgumentError(
                None, who, "%s: gradient dtype %s does not match variable %r (dtype %s, "
                "shape %s)" % (who, g.dtype.name, var.name, var.dtype.name, var.shape))
    else:
        try:
            g = convert_to_tensor(g, var.dtype)
        except (TypeError, ValueError) as e:
            raise TypeError("%s: gradient for variable %r must be convertible to a Tensor "
                            "of dtype %s: %s" % (who, var.name, var.dtype.name, e)) from None
    if tuple(g.shape) != tuple(var.shape):
        raise errors.InvalidArgumentError(
            None, who, "%s: gradient shape %s does not match variable %r (shape %s, %s)"
            % (who, g.shape, var.name, var.shape, var.dtype.name))
    return np.asarray(g)


def apply_update(kernel, var, slots, g, scalars, n_scratch=1):
    """Runs kernel(var, *slots, g, *scratch, *scalars) on the storage of `var`
    and of its slot Variables (in place, copy-on-write); then applies the
    variable's constraint, if any."""
    if var._device_index == 0:
        arrays = [var._writable()]
        for s in slots:
            arrays.append(s._writable())
        arrays.append(g)
        kernels.run(kernel, arrays, scalars, n_scratch)
    else:
        dev = _context().devices[var._device_index]
        update = getattr(dev, "optimizer_update", None)
        if update is not None and not isinstance(g, np.ndarray):
            # The device's fused kernel, in place on the device storage
            # (copy-on-write: a storage a live read still shares is copied).
            from eager.variables import _exclusive
            for v in [var] + [s for s in slots if s is not None]:
                h = v._handle
                if not _exclusive(h):
                    _set_storage(h, dev.copy(_storage(h)))
            if update(kernel.__name__, _storage(var._handle),
                      [None if s is None else _storage(s._handle) for s in slots], g, scalars):
                if var.constraint is not None:
                    var.assign(var.constraint(var))
                return
        if not isinstance(g, np.ndarray):
            g = dev.to_host(g)
        # Another device's storage: update host copies and store them back.
        owners = [var] + list(slots)
        hosts = [np.array(v._host(), copy=True, order="C") for v in owners]
        kernels.run(kernel, hosts + [np.ascontiguousarray(g)], scalars, n_scratch)
        for v, h in zip(owners, hosts):
            v.assign(h)
    if var.constraint is not None:
        var.assign(var.constraint(var))
