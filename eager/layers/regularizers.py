"""Weight regularizers (Keras's l1, l2, l1_l2): callables of a variable
whose values a layer's `losses` report."""
from eager.ops import math as _math
from eager.ops import reduction as _reduction


class Regularizer(object):
    """Base class: `__call__(x)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2)."""

    def __init__(self, l1=0.0, l2=0.0):
        if l1 < 0 or l2 < 0:
            raise ValueError("L1L2: l1 and l2 must be >= 0, got %r, %r" % (l1, l2))
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = None
        if self.l1:
            out = self.l1 * _reduction.reduce_sum(_math.abs(x))
        if self.l2:
            term = self.l2 * _reduction.reduce_sum(_math.square(x))
            out = term if out is None else out + term
        return out if out is not None else _reduction.reduce_sum(x) * 0.0

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l=0.01):
    """l * sum(|x|)."""
    return L1L2(l1=l)


def l2(l=0.01):
    """l * sum(x**2)."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    """l1 * sum(|x|) + l2 * sum(x**2)."""
    return L1L2(l1=l1, l2=l2)


def l2_regularizer(scale):
    """TensorFlow 1's contrib l2_regularizer: scale * sum(x**2) / 2."""
    return L1L2(l2=scale / 2.0)
