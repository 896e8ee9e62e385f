"""The global step: a process-wide int64 Variable counting training steps."""
import threading

import numpy as np

from eager.variables import Variable

_lock = threading.Lock()
_global_step = [None]


def get_global_step(graph=None):
    """The global step Variable, or None if none was created."""
    return _global_step[0]


def create_global_step(graph=None):
    """Creates the global step Variable ('global_step:0', int64, starting at
    0, not trainable). ValueError if it exists."""
    with _lock:
        if _global_step[0] is not None:
            raise ValueError('"global_step" already exists.')
        _global_step[0] = Variable(np.int64(0), trainable=False, name="global_step")
        return _global_step[0]


def get_or_create_global_step(graph=None):
    """The global step Variable, created on first use."""
    step = _global_step[0]
    if step is None:
        with _lock:
            if _global_step[0] is None:
                _global_step[0] = Variable(np.int64(0), trainable=False, name="global_step")
            step = _global_step[0]
    return step


def global_step(sess, global_step_tensor):
    """The value of `global_step_tensor` as a Python int (`sess` is ignored)."""
    return int(np.asarray(global_step_tensor))
