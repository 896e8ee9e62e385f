"""TensorFlow 1's learning-rate schedules (tf.train.exponential_decay ...).
With eager execution each returns a function of no arguments that computes
the rate from the current global step; optimizers call it at every step."""
import math

import numpy as np

from eager._ext.dispatch import convert_to_tensor
from eager.train._common import float_value


def _check(global_step, decay_steps, who):
    if global_step is None:
        raise ValueError("global_step is required for %s." % who)
    if decay_steps is not None and not callable(decay_steps) and \
            float_value(decay_steps, "decay_steps") <= 0:
        raise ValueError("%s: decay_steps must be positive, got %r" % (who, decay_steps))


def _dtype_of(learning_rate):
    dt = getattr(learning_rate, "dtype", None)
    name = getattr(dt, "name", None) or (np.dtype(dt).name if dt is not None else "")
    return name if name in ("float16", "float32", "float64") else "float32"


def _schedule(learning_rate, fn):
    dtype = _dtype_of(learning_rate)

    def decayed_learning_rate():
        return convert_to_tensor(np.asarray(fn(), dtype=dtype))
    return decayed_learning_rate


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps), with the
    exponent floored when staircase. Returns a function (eager execution)."""
    _check(global_step, decay_steps, "exponential_decay")

    def value():
        p = float_value(global_step, "global_step") / float_value(decay_steps, "decay_steps")
        if staircase:
            p = math.floor(p)
        return float_value(learning_rate) * float_value(decay_rate, "decay_rate") ** p
    return _schedule(learning_rate, value)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    _check(global_step, decay_steps, "natural_exp_decay")

    def value():
        p = float_value(global_step, "global_step") / float_value(decay_steps, "decay_steps")
        if staircase:
            p = math.floor(p)
        return float_value(learning_rate) * math.exp(-float_value(decay_rate, "decay_rate") * p)
    return _schedule(learning_rate, value)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    _check(global_step, decay_steps, "inverse_time_decay")

    def value():
        p = float_value(global_step, "global_step") / float_value(decay_steps, "decay_steps")
        if staircase:
            p = math.floor(p)
        return float_value(learning_rate) / (1.0 + float_value(decay_rate, "decay_rate") * p)
    return _schedule(learning_rate, value)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """(learning_rate - end_learning_rate) * (1 - step / decay_steps) ^ power
    + end_learning_rate, with step capped at decay_steps (or, with cycle,
    decay_steps stretched to the next multiple past the step)."""
    _check(global_step, decay_steps, "polynomial_decay")

    def value():
        step = float_value(global_step, "global_step")
        steps = float_value(decay_steps, "decay_steps")
        if cycle:
            steps = steps * max(1.0, math.ceil(step / steps))
        else:
            step = min(step, steps)
        lr, end = float_value(learning_rate), float_value(end_learning_rate, "end_learning_rate")
        return (lr - end) * (1.0 - step / steps) ** float_value(power, "power") + end
    return _schedule(learning_rate, value)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps))
    + alpha), with step capped at decay_steps."""
    _check(global_step, decay_steps, "cosine_decay")

    def value():
        steps = float_value(decay_steps, "decay_steps")
        step = min(float_value(global_step, "global_step"), steps)
        a = float_value(alpha, "alpha")
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / steps))
        return float_value(learning_rate) * ((1.0 - a) * cosine + a)
    return _schedule(learning_rate, value)


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x <= boundaries[0], values[i] while
    boundaries[i-1] < x <= boundaries[i], values[-1] after the last boundary.
    Returns a function (eager execution)."""
    boundaries = list(boundaries)
    values = list(values)
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of "
                         "values (got %d boundaries and %d values)"
                         % (len(boundaries), len(values)))
    if any(b2 < b1 for b1, b2 in zip(boundaries, boundaries[1:])):
        raise ValueError("piecewise_constant: boundaries must be increasing, got %r"
                         % (boundaries,))
    tensors = [convert_to_tensor(v) for v in values]
    if len({t.dtype for t in tensors}) != 1:
        raise ValueError("piecewise_constant: values must all have one dtype, got %s"
                         % [t.dtype.name for t in tensors])

    def decayed():
        step = float_value(x, "x")
        for b, t in zip(boundaries, tensors):
            if step <= float_value(b, "boundaries"):
                return t
        return tensors[-1]
    return decayed
