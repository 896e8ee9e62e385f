"""The parts of keras.backend that eager's Keras layers use: the learning
phase (0 = inference, 1 = training) that Dropout and BatchNormalization
follow when called without `training`, and clear_session."""
import contextlib
import threading

_LOCK = threading.Lock()
_LEARNING_PHASE = [0]


def learning_phase():
    """The learning phase: 0 (inference, the default) or 1 (training)."""
    return _LEARNING_PHASE[0]


def set_learning_phase(value):
    """Sets the learning phase to 0 (inference) or 1 (training)."""
    if value not in (0, 1, False, True):
        raise ValueError("set_learning_phase: expected 0 or 1, got %r" % (value,))
    with _LOCK:
        _LEARNING_PHASE[0] = int(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Sets the learning phase inside a `with` block."""
    old = learning_phase()
    set_learning_phase(value)
    try:
        yield value
    finally:
        set_learning_phase(old)


def clear_session():
    """Restarts layer naming ('dense', 'dense_1' ...) and the learning phase."""
    from eager.layers.base import reset_layer_names
    reset_layer_names()
    set_learning_phase(0)


def floatx():
    """The default float type of Keras layers: 'float32'."""
    return "float32"


def epsilon():
    """The fuzz factor Keras adds to avoid division by zero: 1e-7."""
    return 1e-7
