"""Per-thread summary state, as TensorFlow keeps it: the default writer, the
default step and the recording condition."""
import contextlib
import threading

import numpy as np


class _State(threading.local):
    def __init__(self):
        self.writer = None
        self.step = None
        self.condition = True


STATE = _State()


def set_step(step):
    """Sets the default step of summaries written in this thread without a
    `step` argument (tf.summary.experimental.set_step): an int, a scalar
    integer Tensor, or a Variable (read each time a summary is written, so
    a training loop's step counter can be set once). None unsets it."""
    STATE.step = step


def get_step():
    """The default step as it was set (an int, Tensor or Variable), or None."""
    return STATE.step


def _step_value(step, who):
    a = np.asarray(step.numpy() if hasattr(step, "numpy") and not isinstance(step, np.ndarray)
                   else step)
    if a.ndim != 0 or a.dtype.kind not in "iuf" or (a.dtype.kind == "f" and a != np.floor(a)):
        raise ValueError("%s: the step must be a scalar integer, got %r (dtype %s, shape %s)"
                         % (who, step, a.dtype, a.shape))
    value = int(a)
    if not -2 ** 63 <= value < 2 ** 63:
        raise ValueError("%s: the step %d does not fit in int64" % (who, value))
    return value


def resolve_step(step, who):
    """The int64 step of a summary: the argument, else the default step, else
    the global step (tf.train's, as TF 1's contrib summaries did); ValueError
    when there is none."""
    if step is None:
        step = STATE.step
    if step is None:
        from eager.train.training_util import get_global_step
        step = get_global_step()
    if step is None:
        raise ValueError("%s: no step set. Please specify one either through the `step` "
                         "argument or through tf.summary.experimental.set_step()" % who)
    return _step_value(step, who)


def _truth(condition):
    if callable(condition) and not hasattr(condition, "numpy"):
        condition = condition()
    if hasattr(condition, "numpy"):
        condition = condition.numpy()
    a = np.asarray(condition)
    if a.size != 1:
        raise ValueError("summary.record_if: the condition must be a scalar boolean, got shape %s"
                         % (a.shape,))
    return bool(a.reshape(()))


def should_record_summaries():
    """Whether summaries written now in this thread go to a file: a default
    writer that writes is set and the record_if condition holds."""
    writer = STATE.writer
    if writer is None or not writer._records:
        return False
    return _truth(STATE.condition)


@contextlib.contextmanager
def record_if(condition):
    """Within the block, summaries are written only when `condition` holds:
    a bool, a boolean scalar Tensor, or a callable returning one (called at
    each summary, so it can read a step counter). Replaces the enclosing
    condition for the block (tf.summary.record_if)."""
    old = STATE.condition
    STATE.condition = condition
    try:
        yield
    finally:
        STATE.condition = old


def record_summaries_every_n_global_steps(n, global_step=None):
    """record_if(global_step % n == 0), read at each summary (TF 1's
    tf.contrib.summary). global_step: a Variable or Tensor (default:
    tf.train.get_or_create_global_step())."""
    if int(n) != n or n < 1:
        raise ValueError("record_summaries_every_n_global_steps: n must be a positive integer, "
                         "got %r" % (n,))
    n = int(n)
    if global_step is None:
        from eager.train.training_util import get_or_create_global_step
        global_step = get_or_create_global_step()
    step = global_step
    return record_if(lambda: _step_value(step, "record_summaries_every_n_global_steps") % n == 0)


def always_record_summaries():
    """record_if(True) (TF 1's tf.contrib.summary)."""
    return record_if(True)


def never_record_summaries():
    """record_if(False) (TF 1's tf.contrib.summary)."""
    return record_if(False)
