"""keras.activations: activation functions and `get` by name."""
from eager.layers.activations import (get, linear, relu, relu6, elu, selu, softplus,  # noqa: F401
                                      sigmoid, tanh, leaky_relu, softmax, log_softmax)
