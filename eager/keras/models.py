"""keras.Model and keras.Sequential: eager.layers' Model with Keras
semantics, plus a small compile / fit / evaluate / predict loop over NumPy
arrays (one GradientTape step per batch)."""
import sys
import time

import numpy as np

from eager.keras import backend as _backend
from eager.keras import losses as _losses
from eager.keras.layers import Layer as _KerasLayer
from eager.layers import base as _base


class History(object):
    """What fit returns: `history[name]` is the list of per-epoch values."""

    def __init__(self):
        self.history = {}
        self.epoch = []


def _accuracy(y_true, y_pred):
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_pred.ndim >= 1 and y_pred.shape[-1] == 1:              # binary
        return float(np.mean((y_pred[..., 0] > 0.5) == (y_true.reshape(y_pred.shape[:-1]) > 0.5)))
    pred = np.argmax(y_pred, axis=-1)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == y_pred.shape[-1]:
        true = np.argmax(y_true, axis=-1)                       # one-hot
    else:
        true = y_true.reshape(pred.shape)                       # class ids
    return float(np.mean(pred == true))


_METRICS = {"accuracy": _accuracy, "acc": _accuracy}


class _Training(object):
    """compile / fit / evaluate / predict for Model and Sequential."""

    _compiled = None

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        """Writes the model's variables to checkpoint `filepath` (by object
        structure, eager.train.Checkpoint's format); returns the path."""
        from eager.train.checkpoint import Checkpoint
        return Checkpoint(root=self).write(filepath)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, options=None):
        """Reads weights written by save_weights (deferred until the model
        is built, when it is not yet); returns the restore status."""
        from eager.train.checkpoint import Checkpoint
        return Checkpoint(root=self).read(filepath)

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                **kwargs):
        """Sets the optimizer (an object or a name), the loss (a function
        loss(y_true, y_pred) or a keras.losses name) and metrics ('accuracy')."""
        from eager.keras import optimizers as _opt
        if loss is None:
            raise ValueError("%s.compile: a loss is needed" % type(self).__name__)
        names = []
        for m in metrics or ():
            if m not in _METRICS:
                raise ValueError("%s.compile: unknown metric %r (known: %s)"
                                 % (type(self).__name__, m, ", ".join(sorted(_METRICS))))
            names.append("accuracy" if m == "acc" else m)
        self._compiled = (_opt.get(optimizer), _losses.get(loss), names)

    def _need_compiled(self, what):
        if self._compiled is None:
            raise RuntimeError("%s.%s: call compile() first" % (type(self).__name__, what))
        return self._compiled

    def _loss_value(self, loss_fn, y, pred):
        from eager.ops.reduction import reduce_mean
        value = reduce_mean(loss_fn(y, pred))
        extra = self.losses
        if extra:
            from eager.ops.math import add_n
            value = value + add_n(extra)
        return value

    def train_on_batch(self, x, y):
        """One optimizer step on (x, y); returns the loss."""
        from eager.autodiff import GradientTape
        optimizer, loss_fn, _ = self._need_compiled("train_on_batch")
        with GradientTape() as tape:
            pred = self(x, training=True)
            loss = self._loss_value(loss_fn, y, pred)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return float(loss.numpy())

    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose=1, shuffle=True,
            validation_data=None, seed=None, **kwargs):
        """Trains for `epochs` passes over NumPy arrays (x, y) in batches;
        returns a History of the mean loss (and metrics) per epoch."""
        _, loss_fn, metrics = self._need_compiled("fit")
        x = np.asarray(x)
        y = np.asarray(y)
        n = len(x)
        if len(y) != n:
            raise ValueError("%s.fit: x has %d examples but y has %d"
                             % (type(self).__name__, n, len(y)))
        if batch_size is None or int(batch_size) <= 0:
            raise ValueError("%s.fit: batch_size must be positive, got %r"
                             % (type(self).__name__, batch_size))
        batch_size = int(batch_size)
        rng = np.random.default_rng(seed)
        history = History()
        for epoch in range(int(epochs)):
            start = time.time()
            order = rng.permutation(n) if shuffle else np.arange(n)
            losses, weights = [], []
            for i in range(0, n, batch_size):
                idx = order[i:i + batch_size]
                losses.append(self.train_on_batch(x[idx], y[idx]))
                weights.append(len(idx))
            logs = {"loss": float(np.average(losses, weights=weights))}
            if metrics:
                pred = self.predict(x, batch_size=max(batch_size, 256))
                for m in metrics:
                    logs[m] = _METRICS[m](y, pred)
            if validation_data is not None:
                val = self.evaluate(*validation_data[:2], batch_size=max(batch_size, 256),
                                    verbose=0, return_dict=True)
                logs.update(("val_" + k, v) for k, v in val.items())
            history.epoch.append(epoch)
            for k, v in logs.items():
                history.history.setdefault(k, []).append(v)
            if verbose:
                print("Epoch %d/%d - %.1fs - %s" % (epoch + 1, epochs, time.time() - start,
                                                     " - ".join("%s: %.4f" % kv
                                                                for kv in logs.items())),
                      file=sys.stdout, flush=True)
        return history

    def predict(self, x, batch_size=32, verbose=0, **kwargs):
        """The model's outputs on x (inference mode), as a NumPy array."""
        x = np.asarray(x)
        outs = [np.asarray(self(x[i:i + batch_size], training=False))
                for i in range(0, len(x), int(batch_size))]
        return np.concatenate(outs) if outs else np.zeros((0,))

    def evaluate(self, x=None, y=None, batch_size=32, verbose=1, return_dict=False, **kwargs):
        """The mean loss (and metrics) on (x, y): a scalar, a list, or a dict
        with return_dict=True."""
        _, loss_fn, metrics = self._need_compiled("evaluate")
        pred = self.predict(x, batch_size=batch_size)
        logs = {"loss": float(self._loss_value(loss_fn, np.asarray(y), pred).numpy())}
        for m in metrics:
            logs[m] = _METRICS[m](y, pred)
        if verbose:
            print(" - ".join("%s: %.4f" % kv for kv in logs.items()))
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())


class Model(_Training, _base.Model, _KerasLayer):
    """keras.Model: subclass it, assign layers in __init__, compute in
    call(inputs, training=None); then compile and fit, or train it with a
    GradientTape. (The functional Model(inputs, outputs) is not supported.)"""


class Sequential(_Training, _base.Sequential, _KerasLayer):
    """keras.Sequential: a linear stack of layers."""


__all__ = ["Model", "Sequential", "History"]
_ = _backend
