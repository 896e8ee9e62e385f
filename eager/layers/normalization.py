"""BatchNormalization (Ioffe & Szegedy 2015), tf.layers / tf.keras.layers."""
from eager import nn as _nn
from eager.autodiff import stop_gradient
from eager.layers import initializers as _init
from eager.layers.base import Layer, _shape_str
from eager.layers.core import _truthy
from eager.ops import array as _array


class BatchNormalization(Layer):
    """Normalizes each feature of `axis` to mean 0 and variance 1, then
    scales by `gamma` and shifts by `beta`.

    Training (training=True): the batch's mean and (biased) variance over
    all other axes normalize it, and the moving statistics are updated,
    moving = moving * momentum + batch * (1 - momentum).
    Inference (the default for eager.layers; the Keras learning phase for
    eager.keras.layers): the moving mean and variance are used.

    axis: the feature axis or axes (default -1; 1 for channels_first).
    momentum: of the moving averages (0.99). epsilon: added to the variance
    (1e-3). center, scale: learn beta, gamma. The moving_mean and
    moving_variance variables are not trainable.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("BatchNormalization: renorm, virtual_batch_size and "
                                      "adjustment are not supported")
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("BatchNormalization: axis must be an int or a list of ints, got %r"
                            % (axis,))
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError("BatchNormalization: momentum must be in [0, 1], got %r"
                             % (momentum,))
        if float(epsilon) <= 0.0:
            raise ValueError("BatchNormalization: epsilon must be positive, got %r" % (epsilon,))
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.moving_mean_initializer = _init.get(moving_mean_initializer)
        self.moving_variance_initializer = _init.get(moving_variance_initializer)
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        dims = input_shape.as_list()
        rank = len(dims)
        if rank == 0:
            raise self._error("expected an input of rank >= 1, got shape ()")
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        norm = []
        for a in axes:
            if not -rank <= a < rank:
                raise self._error("axis %d is out of range for an input of shape %s",
                                  a, _shape_str(input_shape))
            norm.append(a % rank)
        if len(set(norm)) != len(norm):
            raise self._error("axis %s has duplicates", self.axis)
        if any(not dims[a] for a in norm):
            raise self._error("axis %s of input shape %s must have known nonzero sizes",
                              self.axis, _shape_str(input_shape))
        self._axes = sorted(norm)
        self._rank = rank
        self._reduction_axes = [i for i in range(rank) if i not in self._axes]
        param_shape = [dims[a] for a in self._axes]
        # Parameters broadcast against the input as they are when the only
        # feature axis is the last; otherwise they are reshaped.
        self._broadcast_shape = None
        if self._axes != [rank - 1]:
            self._broadcast_shape = [dims[i] if i in self._axes else 1 for i in range(rank)]
        self._input_feature_dims = param_shape
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", param_shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _b(self, t):
        if t is None or self._broadcast_shape is None:
            return t
        return _array.reshape(t, self._broadcast_shape)

    def call(self, inputs, training=False):
        shape = inputs.shape
        if len(shape) != self._rank or [shape[a] for a in self._axes] != \
                self._input_feature_dims:
            raise self._error("input shape %s is incompatible with the layer: it was built "
                              "for rank %d with %s features on axis %s", _shape_str(shape),
                              self._rank, self._input_feature_dims, self.axis)
        self._check_float(inputs)
        if _truthy(training):
            mean, variance = _nn.moments(inputs, self._reduction_axes)
            if len(self._axes) > 1:
                mean = _array.reshape(mean, self._input_feature_dims)
                variance = _array.reshape(variance, self._input_feature_dims)
            out = _nn.batch_normalization(inputs, self._b(mean), self._b(variance),
                                          self._b(self.beta), self._b(self.gamma),
                                          self.epsilon)
            self._update_moving(self.moving_mean, mean)
            self._update_moving(self.moving_variance, variance)
            return out
        return _nn.batch_normalization(inputs, self._b(self.moving_mean),
                                       self._b(self.moving_variance), self._b(self.beta),
                                       self._b(self.gamma), self.epsilon)

    def _update_moving(self, moving, batch_value):
        # Not part of any gradient: stop_gradient keeps the update off tapes.
        batch_value = stop_gradient(batch_value)
        moving.assign_sub((moving.read_value() - batch_value) * (1.0 - self.momentum))

    def get_config(self):
        c = super().get_config()
        c.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon,
                 center=self.center, scale=self.scale)
        return c


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        training=False, name=None, **kwargs):
    """tf.layers.batch_normalization: a new BatchNormalization layer applied
    to `inputs` (new variables on every call: keep a layer object to train)."""
    return BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center,
                              scale=scale, name=name, **kwargs)(inputs, training=training)
