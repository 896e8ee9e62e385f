"""keras.optimizers: the TensorFlow 2 optimizer names (SGD, Adam ...), from
eager.keras_optimizers, loaded when first used."""


def _module():
    import importlib
    return importlib.import_module("eager.keras_optimizers")


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(_module(), name)
    except ImportError as e:
        raise AttributeError("eager.keras.optimizers.%s: the optimizers are not available (%s)"
                             % (name, e)) from None


_BY_NAME = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad",
            "momentum": "SGD"}


def get(identifier):
    """An optimizer from a name ('adam', 'sgd' ...) or an optimizer object."""
    if isinstance(identifier, str):
        cls_name = _BY_NAME.get(identifier.lower(), identifier)
        try:
            return getattr(_module(), cls_name)()
        except AttributeError:
            raise ValueError("Unknown optimizer %r" % (identifier,)) from None
    if hasattr(identifier, "apply_gradients"):
        return identifier
    raise TypeError("Could not interpret optimizer identifier %r" % (identifier,))
