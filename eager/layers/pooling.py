"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D and the global
poolings, on eager.nn's max_pool2d/avg_pool2d. Padding 'SAME'/'same' and
'VALID'/'valid' are both accepted."""
from eager import nn as _nn
from eager.layers.base import Layer, _shape_str
from eager.layers.conv import normalize_tuple, normalize_padding
from eager.layers.core import _normalize_data_format
from eager.ops import array as _array
from eager.ops import reduction as _reduction


def _pool_fn(kind):
    if kind == "max":
        return getattr(_nn, "max_pool2d", None) or _nn.max_pool
    return getattr(_nn, "avg_pool2d", None) or _nn.avg_pool


class _Pooling(Layer):
    """The shared part of the 1-D and 2-D pooling layers."""

    rank = None
    kind = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = normalize_tuple(strides if strides is not None else self.pool_size,
                                       self.rank, "strides", cls)
        self.padding = normalize_padding(padding, cls)
        self.data_format = _normalize_data_format(data_format or "channels_last", cls)

    def _pool(self, x, pool_size, strides):
        first = self.data_format == "channels_first"
        shape = x.shape
        if len(shape) != 4:
            raise self._error("expected an input of rank %d, got shape %s", self.rank + 2,
                              _shape_str(shape))
        if self.padding == "valid":
            spatial = shape.as_list()[2:] if first else shape.as_list()[1:3]
            if any(s < k for s, k in zip(spatial, pool_size)):
                raise self._error("pool_size %s is larger than the input's spatial size %s "
                                  "with padding 'valid' (input shape %s)", pool_size,
                                  tuple(spatial), _shape_str(shape))
        ksize = [1, 1] + list(pool_size) if first else [1] + list(pool_size) + [1]
        stride = [1, 1] + list(strides) if first else [1] + list(strides) + [1]
        return _pool_fn(self.kind)(x, ksize, stride, self.padding.upper(),
                                   data_format="NCHW" if first else "NHWC")

    def get_config(self):
        c = super().get_config()
        c.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                 data_format=self.data_format)
        return c


class _Pooling2D(_Pooling):
    rank = 2

    def call(self, inputs):
        self._check_rank(inputs, ndim=4)
        return self._pool(inputs, self.pool_size, self.strides)


class _Pooling1D(_Pooling):
    rank = 1

    def call(self, inputs):
        self._check_rank(inputs, ndim=3)
        first = self.data_format == "channels_first"
        axis = 2 if first else 1
        x = _array.expand_dims(inputs, axis)
        out = self._pool(x, (1,) + self.pool_size, (1,) + self.strides)
        return _array.squeeze(out, [axis])


class MaxPooling2D(_Pooling2D):
    """Max pooling over 2-D windows.

    pool_size: an int or 2 ints. strides: an int or 2 ints (default
    pool_size). padding: 'valid' or 'same' (any case). data_format:
    'channels_last' (batch, height, width, channels) or 'channels_first'.
    """
    kind = "max"


class AveragePooling2D(_Pooling2D):
    """Average pooling over 2-D windows (with 'same' padding, the average of
    the window's part inside the input). Arguments as MaxPooling2D."""
    kind = "avg"


class MaxPooling1D(_Pooling1D):
    """Max pooling over 1-D windows of (batch, steps, channels) inputs."""
    kind = "max"


class AveragePooling1D(_Pooling1D):
    """Average pooling over 1-D windows of (batch, steps, channels) inputs."""
    kind = "avg"


class _GlobalPooling2D(Layer):
    reduce = None

    def __init__(self, data_format="channels_last", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = _normalize_data_format(data_format or "channels_last",
                                                  type(self).__name__)

    def call(self, inputs):
        self._check_rank(inputs, ndim=4)
        axes = [2, 3] if self.data_format == "channels_first" else [1, 2]
        return type(self).reduce(inputs, axis=axes)


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean over height and width: (batch, channels)."""
    reduce = staticmethod(_reduction.reduce_mean)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum over height and width: (batch, channels)."""
    reduce = staticmethod(_reduction.reduce_max)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """tf.layers.max_pooling2d."""
    return MaxPooling2D(pool_size, strides, padding, data_format, name=name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """tf.layers.average_pooling2d."""
    return AveragePooling2D(pool_size, strides, padding, data_format, name=name)(inputs)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """tf.layers.max_pooling1d."""
    return MaxPooling1D(pool_size, strides, padding, data_format, name=name)(inputs)


def average_pooling1d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """tf.layers.average_pooling1d."""
    return AveragePooling1D(pool_size, strides, padding, data_format, name=name)(inputs)
