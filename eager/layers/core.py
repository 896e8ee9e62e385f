"""Core layers: Dense, Dropout, Flatten (and `flatten`), Embedding,
Activation, Reshape."""
import numpy as np

from eager import nn as _nn
from eager._ext.tensor import Tensor
from eager.layers import activations as _activations
from eager.layers import initializers as _init
from eager.layers.base import Layer, _shape_str
from eager.ops import array as _array
from eager.ops import linalg as _linalg
from eager.ops import math as _math


def _set_kernel_options(layer, activation, use_bias, kernel_initializer, bias_initializer,
                        kernel_regularizer, bias_regularizer, kernel_constraint,
                        bias_constraint):
    """The kernel/bias options Dense and the convolutions share."""
    layer.activation = _activations.get(activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = _init.get(kernel_initializer or "glorot_uniform")
    layer.bias_initializer = _init.get(bias_initializer)
    layer.kernel_regularizer = kernel_regularizer
    layer.bias_regularizer = bias_regularizer
    layer.kernel_constraint = kernel_constraint
    layer.bias_constraint = bias_constraint
    layer.kernel = None
    layer.bias = None


class Dense(Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)`.

    units: the output size. activation: a function or name (None: linear).
    use_bias: add a bias. kernel_initializer: default Glorot uniform.
    bias_initializer: default zeros. *_regularizer: functions of the
    variable, reported by `losses`. *_constraint: functions applied to the
    variable after each optimizer update.

    Inputs of rank > 2 are multiplied along their last axis. The kernel has
    shape (input_dim, units) and is named '<layer>/kernel:0', the bias
    '<layer>/bias:0'.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        try:
            units = int(units)
        except (TypeError, ValueError):
            raise TypeError("Dense: units must be a positive integer, got %r" % (units,))
        if units <= 0:
            raise ValueError("Dense: units must be a positive integer, got %r" % (units,))
        self.units = units
        _set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                            kernel_regularizer, bias_regularizer, kernel_constraint,
                            bias_constraint)

    def build(self, input_shape):
        dims = input_shape.as_list()
        if len(dims) < 2:
            raise self._error("expected an input of rank >= 2 (batch, ..., features), got "
                              "shape %s", _shape_str(input_shape))
        if dims[-1] is None or dims[-1] == 0:
            raise self._error("the last dimension of the input must be known and nonzero, "
                              "got shape %s", _shape_str(input_shape))
        self.kernel = self.add_weight("kernel", [dims[-1], self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        shape = inputs.shape
        rank = len(shape)
        in_dim = self.kernel.shape[0]
        if rank < 2 or shape[-1] != in_dim:
            raise self._error("input shape %s is incompatible with the layer: expected the "
                              "last axis to have size %d (the kernel is %s)",
                              _shape_str(shape), in_dim, _shape_str(self.kernel.shape))
        if rank == 2:
            out = _linalg.matmul(inputs, self.kernel)
        else:
            flat = _array.reshape(inputs, [-1, in_dim])
            out = _array.reshape(_linalg.matmul(flat, self.kernel),
                                 list(shape[:-1]) + [self.units])
        if self.use_bias:
            out = _nn.bias_add(out, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        return out

    def get_config(self):
        c = super().get_config()
        c.update(units=self.units, use_bias=self.use_bias)
        return c


def _check_rate(rate, what):
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise TypeError("%s: rate must be a number in [0, 1), got %r" % (what, rate))
    if not 0.0 <= rate < 1.0:
        raise ValueError("%s: rate must be in [0, 1), got %r" % (what, rate))
    return rate


class Dropout(Layer):
    """Sets a fraction `rate` of the inputs to zero and scales the rest by
    1 / (1 - rate), when training; the identity otherwise.

    rate: the fraction dropped. noise_shape: the shape of the keep/drop mask
    (broadcast to the input; None entries take the input's size).
    seed: the op seed (see set_random_seed).

    eager.layers.Dropout follows TensorFlow 1's tf.layers.Dropout: it drops
    only when called with training=True (or inside a layer or model call
    given training=True). eager.keras.layers.Dropout uses the Keras learning
    phase when training is not given.
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = _check_rate(rate, "Dropout")
        self.noise_shape = noise_shape
        self.seed = seed

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = inputs.shape
        ns = list(self.noise_shape)
        if len(ns) != len(shape):
            raise self._error("noise_shape %s must have the input's rank: input shape %s",
                              ns, _shape_str(shape))
        return [shape[i] if d is None else int(d) for i, d in enumerate(ns)]

    def call(self, inputs, training=False):
        if not _truthy(training) or self.rate == 0.0:
            return _array.identity(inputs)
        return _nn.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(inputs),
                           seed=self.seed)

    def get_config(self):
        c = super().get_config()
        c.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return c


def _truthy(training):
    if isinstance(training, Tensor):
        return bool(training.numpy())
    return bool(training)


class Flatten(Layer):
    """Flattens each example: (batch, d1, d2, ...) -> (batch, d1*d2*...).
    data_format 'channels_first' puts channels last first (as Keras does),
    so that the same weights follow in either format."""

    def __init__(self, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = _normalize_data_format(data_format or "channels_last", "Flatten")

    def call(self, inputs):
        return _flatten(inputs, self.data_format, self)


def _flatten(inputs, data_format, layer):
    shape = inputs.shape
    rank = len(shape)
    if rank == 0:
        raise ValueError("Flatten layer %r: cannot flatten a scalar (shape ())"
                         % (layer.name if layer else "flatten"))
    if rank == 1:
        return _array.expand_dims(inputs, 1)
    if data_format == "channels_first" and rank >= 3:
        inputs = _array.transpose(inputs, [0] + list(range(2, rank)) + [1])
    return _array.reshape(inputs, [shape[0], int(np.prod(shape.as_list()[1:]))])


def flatten(inputs, name=None, data_format="channels_last"):
    """Flattens `inputs` to (batch, features) (tf.layers.flatten)."""
    from eager._ext.dispatch import convert_to_tensor
    if not isinstance(inputs, Tensor):
        inputs = convert_to_tensor(inputs)
    return _flatten(inputs, _normalize_data_format(data_format, "flatten"), None)


class Embedding(Layer):
    """Maps integer ids in [0, input_dim) to rows of a trainable
    (input_dim, output_dim) matrix: outputs have shape ids.shape + (output_dim,).

    embeddings_initializer: default uniform in [-0.05, 0.05] (Keras's).
    mask_zero is accepted for Keras compatibility; masks are not propagated.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None,
                 name=None, **kwargs):
        super().__init__(name=name, activity_regularizer=activity_regularizer, **kwargs)
        for what, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError("Embedding: %s must be a positive integer, got %r" % (what, v))
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.input_length = input_length
        self.embeddings = None

    def _convert_input(self, x):
        from eager._ext.dispatch import convert_to_tensor
        if not isinstance(x, Tensor):
            x = convert_to_tensor(x)
        if self._dtype is None:
            from eager._ext.dtypes import as_dtype
            self._dtype = as_dtype("float32")
        return x

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", [self.input_dim, self.output_dim],
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        dt = inputs.dtype
        if dt.is_floating:
            inputs = _math.cast(inputs, "int32")
        elif not dt.is_integer:
            raise TypeError("Embedding layer %r: ids must be integers, got %s of shape %s"
                            % (self.name, dt.name, _shape_str(inputs.shape)))
        return _nn.embedding_lookup(self.embeddings, inputs)


class Activation(Layer):
    """Applies an activation function (a name or a callable)."""

    def __init__(self, activation, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.activation = _activations.get(activation)

    def call(self, inputs):
        return inputs if self.activation is None else self.activation(inputs)


class Reshape(Layer):
    """Reshapes each example to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or \
                any(d < -1 or d == 0 for d in self.target_shape):
            raise ValueError("Reshape: target_shape must have positive sizes and at most one "
                             "-1, got %s" % (self.target_shape,))

    def call(self, inputs):
        shape = inputs.shape
        n = int(np.prod(shape.as_list()[1:])) if len(shape) else 1
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if (-1 in self.target_shape and (known == 0 or n % known)) or \
                (-1 not in self.target_shape and known != n):
            raise self._error("cannot reshape an input of shape %s to (batch,) + %s",
                              _shape_str(shape), self.target_shape)
        return _array.reshape(inputs, [shape[0]] + list(self.target_shape))


def _normalize_data_format(value, what):
    v = str(value).lower()
    if v in ("channels_last", "nhwc", "nwc", "ndhwc"):
        return "channels_last"
    if v in ("channels_first", "nchw", "ncw", "ncdhw"):
        return "channels_first"
    raise ValueError("%s: data_format must be 'channels_last' or 'channels_first', got %r"
                     % (what, value))


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer="zeros", name=None, **kwargs):
    """tf.layers.dense: a new Dense layer applied to `inputs`. In eager mode
    each call makes new variables, so keep a Dense object to train one."""
    return Dense(units, activation=activation, use_bias=use_bias,
                 kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                 name=name, **kwargs)(inputs)


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """tf.layers.dropout: drops when training=True, else the identity."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs,
                                                                         training=training)
