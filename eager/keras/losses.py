"""keras.losses: per-example loss functions `loss(y_true, y_pred)` (the
mean over the last axis for regression losses; the cross-entropy over the
class axis for classification), as Keras defines them."""
from eager import nn as _nn
from eager._ext.dispatch import convert_to_tensor
from eager.ops import math as _math
from eager.ops import reduction as _red
from eager.ops import array as _array

_EPSILON = 1e-7


def _pair(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype != y_pred.dtype and y_pred.dtype.is_floating:
        y_true = _math.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)**2) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _red.reduce_mean(_math.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _red.reduce_mean(_math.abs(y_pred - y_true), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """-sum(y_true * log(p)) over `axis`, p = y_pred (probabilities,
    normalized and clipped to [1e-7, 1 - 1e-7]) or softmax(y_pred) when
    from_logits."""
    y_true, y_pred = _pair(y_true, y_pred)
    if from_logits:
        if axis != -1:
            return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
        return _nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    p = y_pred / _red.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _math.clip_by_value(p, _EPSILON, 1.0 - _EPSILON)
    return -_red.reduce_sum(y_true * _math.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """categorical_crossentropy with integer class ids as labels."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape):
        y_true = _array.squeeze(y_true, [-1])
    y_true = _math.cast(y_true, "int64")
    if from_logits:
        return _nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    from eager.ops.indexing import one_hot
    return categorical_crossentropy(one_hot(y_true, y_pred.shape[-1], dtype=y_pred.dtype),
                                    y_pred, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """Mean over the last axis of the binary cross-entropy of probabilities
    (clipped) or, from_logits, of logits."""
    y_true, y_pred = _pair(y_true, y_pred)
    if from_logits:
        return _red.reduce_mean(_nn.sigmoid_cross_entropy_with_logits(labels=y_true,
                                                                       logits=y_pred), axis=-1)
    p = _math.clip_by_value(y_pred, _EPSILON, 1.0 - _EPSILON)
    return _red.reduce_mean(-(y_true * _math.log(p) + (1.0 - y_true) * _math.log(1.0 - p)),
                            axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_BY_NAME = {"mean_squared_error": mean_squared_error, "mse": mean_squared_error,
            "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
            "categorical_crossentropy": categorical_crossentropy,
            "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
            "binary_crossentropy": binary_crossentropy}


def get(identifier):
    """A loss function from a name or a callable."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError("Unknown loss %r; known: %s" % (identifier, ", ".join(sorted(_BY_NAME))))
