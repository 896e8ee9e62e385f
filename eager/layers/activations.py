"""Activation functions by name for layers (Keras's `activation='relu'`):
`get('relu')` is eager.nn.relu; a callable is used as it is; None and
'linear' are the identity."""


def _nn():
    import eager.nn
    return eager.nn


def _nn_fn(name):
    def fn(x, *args, **kwargs):
        return getattr(_nn(), name)(x, *args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = "eager.nn.%s" % name
    return fn


def linear(x):
    """The identity."""
    return x


relu = _nn_fn("relu")
relu6 = _nn_fn("relu6")
elu = _nn_fn("elu")
selu = _nn_fn("selu")
softplus = _nn_fn("softplus")
sigmoid = _nn_fn("sigmoid")
tanh = _nn_fn("tanh")
leaky_relu = _nn_fn("leaky_relu")
log_softmax = _nn_fn("log_softmax")


def softmax(x, axis=-1):
    """Softmax over `axis` (the last by default)."""
    return _nn().softmax(x, axis=axis)


_BY_NAME = {"linear": linear, "relu": relu, "relu6": relu6, "elu": elu, "selu": selu,
            "softplus": softplus, "sigmoid": sigmoid, "tanh": tanh,
            "leaky_relu": leaky_relu, "softmax": softmax, "log_softmax": log_softmax}


def get(identifier):
    """The activation function for `identifier` (a name, a callable or None)."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError("Unknown activation function %r; known: %s"
                             % (identifier, ", ".join(sorted(_BY_NAME))))
        return fn
    if callable(identifier):
        return identifier
    raise TypeError("Could not interpret activation function identifier %r" % (identifier,))
