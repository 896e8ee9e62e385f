"""Streaming metrics with tf.keras.metrics' semantics (TF 2): Mean, Sum,
accuracies, Precision, Recall, AUC and the confusion-matrix counts.

Each metric keeps its state in non-trainable Variables held in attributes
(so an attribute-walking checkpoint saves and restores it):

    m = eager.metrics.Mean()
    m.update_state([1., 2., 3.])
    m([4.])               # calling updates the state and returns result()
    m.result()            # 2.5
    m.reset_states()

Updates are computed on the host with NumPy (a metric is bookkeeping, not a
differentiable computation): the inputs are read once, reduced with
vectorized NumPy, and the per-update sums are added to the Variables.
"""
import numpy as np

from eager import errors
from eager._ext.dispatch import convert_to_tensor
from eager._ext.dtypes import as_dtype
from eager.layers.base import to_snake_case
from eager.variables import Variable

_EPSILON = 1e-7       # Keras's backend.epsilon(): AUC's outer thresholds sit this far out
_NEG_INF = -1e10      # what Keras gives the predictions that are not in the top k


def _host(x, dtype=None):
    """`x` (a Tensor, Variable, array or Python value) as a NumPy array."""
    a = np.asarray(x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else x)
    if dtype is not None and a.dtype != dtype:
        if a.dtype.kind in "OSU":
            raise TypeError("expected numbers, got an array of %s" % a.dtype)
        a = a.astype(dtype)
    return a


def _squeeze_last(a, b):
    """Keras's remove_squeezable_dimensions: when the ranks differ by one and
    the longer one ends in a 1, that axis goes."""
    if a.ndim == b.ndim + 1 and a.shape[-1:] == (1,):
        a = a[..., 0]
    elif b.ndim == a.ndim + 1 and b.shape[-1:] == (1,):
        b = b[..., 0]
    return a, b


def _adjust_weight_rank(values, weight):
    """Keras's squeeze_or_expand_dimensions for a sample weight: one rank
    too many ending in 1 is squeezed, one too few gets a trailing axis."""
    if weight.ndim == values.ndim + 1 and weight.shape[-1:] == (1,):
        return weight[..., 0]
    if weight.ndim + 1 == values.ndim and weight.ndim > 0:
        return weight[..., None]
    return weight


def _broadcast_weights(weight, values, who):
    """TensorFlow's broadcast_weights: a scalar, or the same rank with each
    dimension 1 or equal. ValueError otherwise."""
    if weight.ndim == 0:
        return np.broadcast_to(weight, values.shape)
    if weight.ndim != values.ndim or any(w not in (1, v) for w, v in zip(weight.shape,
                                                                          values.shape)):
        raise ValueError("%s: sample_weight of shape %s can not be broadcast to values of "
                         "shape %s" % (who, weight.shape, values.shape))
    return np.broadcast_to(weight, values.shape)


def _prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Metric(object):
    """Base class of metrics (tf.keras.metrics.Metric): state in
    non-trainable Variables made by `add_weight`, `update_state(...)` to
    accumulate, `result()` to read, `reset_states()` to start again.
    Calling a metric updates it and returns its result.

    name: the metric's name (default: the snake-cased class name).
    dtype: the dtype of its state and result (default float32).
    """

    def __init__(self, name=None, dtype=None, **kwargs):
        if name is not None and not isinstance(name, str):
            raise TypeError("%s: name must be a string, got %r" % (type(self).__name__, name))
        self._name = name or to_snake_case(type(self).__name__)
        self._dtype = as_dtype(dtype if dtype is not None else "float32")
        self._np_dtype = self._dtype.as_numpy_dtype
        self._metric_variables = []
        self._metric_variable_names = []
        self.stateful = True
        self.built = True

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        """The name of the state's dtype ('float32'), as Keras layers report it."""
        return self._dtype.name

    @property
    def variables(self):
        """The state Variables, in creation order."""
        return list(self._metric_variables)

    weights = variables
    non_trainable_variables = variables
    non_trainable_weights = variables

    @property
    def trainable_variables(self):
        return []

    trainable_weights = trainable_variables

    def add_weight(self, name, shape=(), aggregation=None, synchronization=None,
                   initializer=None, dtype=None):
        """A zero-initialized, non-trainable state Variable named
        '<metric>/<name>' (initializer: None or 'zeros' only)."""
        if initializer not in (None, "zeros"):
            raise ValueError("%s: metric state starts at zero; initializer %r is not "
                             "supported" % (self._name, initializer))
        dt = as_dtype(dtype) if dtype is not None else self._dtype
        var = Variable(np.zeros(tuple(shape), dt.as_numpy_dtype), trainable=False,
                       name="%s/%s" % (self._name, name), dtype=dt)
        self._metric_variables.append(var)
        self._metric_variable_names.append(name)
        return var

    def _checkpoint_dependencies(self):
        # What eager.train.Checkpoint saves: each state Variable once, under
        # its add_weight name ('total', 'true_positives'), as Keras does.
        return list(zip(self._metric_variable_names, self._metric_variables))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("%s: a Metric subclass defines update_state()"
                                  % type(self).__name__)

    def result(self):
        raise NotImplementedError("%s: a Metric subclass defines result()"
                                  % type(self).__name__)

    def reset_states(self):
        """Sets every state Variable back to zero."""
        for v in self._metric_variables:
            v.assign(np.zeros(tuple(v.shape), v.dtype.as_numpy_dtype))

    reset_state = reset_states

    def __call__(self, *args, **kwargs):
        """update_state(*args, **kwargs), then the new result(). (`weights=`
        is taken for `sample_weight=`, as TF 1's tfe.metrics named it.)"""
        if "weights" in kwargs and "sample_weight" not in kwargs:
            kwargs["sample_weight"] = kwargs.pop("weights")
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self._name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _tensor(self, value):
        return convert_to_tensor(np.asarray(value, self._np_dtype))

    def _add(self, var, value):
        var.assign_add(np.asarray(value, var.dtype.as_numpy_dtype))

    def __repr__(self):
        return "<%s name=%r dtype=%s>" % (type(self).__name__, self._name, self.dtype)


class Reduce(Metric):
    """Accumulates a reduction of values: 'sum' (a total) or 'weighted_mean'
    (a total and a count of weight)."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if reduction not in ("sum", "weighted_mean", "sum_over_batch_size"):
            raise ValueError("%s: unknown reduction %r" % (self._name, reduction))
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        """Adds `values` (any shape), weighted by `sample_weight`
        (broadcastable to `values`, or the shape of its leading axes)."""
        values = _host(values, self._np_dtype)
        weight = None
        if sample_weight is not None:
            weight = _host(sample_weight, self._np_dtype)
            weight = _adjust_weight_rank(values, weight)
            try:
                weight = _broadcast_weights(weight, values, self._name)
            except ValueError:
                # Keras reduces the values to the weight's rank and tries again.
                axes = tuple(range(weight.ndim, values.ndim))
                if weight.ndim > values.ndim or weight.shape != values.shape[:weight.ndim]:
                    raise ValueError("%s: sample_weight of shape %s does not fit values of "
                                     "shape %s" % (self._name, weight.shape,
                                                   values.shape)) from None
                values = (values.sum(axis=axes) if self.reduction == "sum"
                          else values.mean(axis=axes))
            values = values * weight
        self._add(self.total, values.sum(dtype=np.float64))
        if self.reduction == "sum":
            return
        if self.reduction == "sum_over_batch_size" or weight is None:
            self._add(self.count, values.size)
        else:
            self._add(self.count, weight.sum(dtype=np.float64))

    def result(self):
        total = np.asarray(self.total)
        if self.reduction == "sum":
            return self._tensor(total)
        count = np.asarray(self.count)
        return self._tensor(total / count if count != 0 else 0)   # divide_no_nan


class Sum(Reduce):
    """The (weighted) sum of all values seen (tf.keras.metrics.Sum).

        m = Sum(); m.update_state([1, 3, 5, 7]); m.result()   # 16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of all values seen (tf.keras.metrics.Mean):
    sum(values * sample_weight) / sum(sample_weight), 0 before any value.

        m = Mean(); m.update_state([1, 3, 5, 7]); m.result()   # 4.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__("weighted_mean", name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The mean of fn(y_true, y_pred, **kwargs) over all samples seen.

    fn: a function of two NumPy arrays returning per-sample values (the
        functions of this module take Tensors too).
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"),
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates fn(y_true, y_pred) weighted by `sample_weight`."""
        y_true = _host(y_true, self._np_dtype)
        y_pred = _host(y_pred, self._np_dtype)
        y_pred, y_true = _squeeze_last(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


# ---- per-sample functions: NumPy cores, Tensor-returning public forms ----------------------
def _accuracy(y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError("accuracy: y_true has shape %s but y_pred has shape %s"
                         % (y_true.shape, y_pred.shape))
    return (y_true == y_pred).astype(np.float32)


def _binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = (y_pred > threshold).astype(y_pred.dtype)
    return np.mean(y_true == y_pred, axis=-1, dtype=np.float32)


def _check_class_axis(y_true, y_pred, who):
    if y_pred.ndim == 0:
        raise ValueError("%s: y_pred needs a class axis, got a scalar" % who)
    if y_true.shape != y_pred.shape:
        raise ValueError("%s: y_true has shape %s but y_pred has shape %s"
                         % (who, y_true.shape, y_pred.shape))


def _categorical_accuracy(y_true, y_pred):
    _check_class_axis(y_true, y_pred, "categorical_accuracy")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float32)


def _sparse_labels(y_true, y_pred, who):
    if y_pred.ndim == 0:
        raise ValueError("%s: y_pred needs a class axis, got a scalar" % who)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError("%s: labels of shape %s do not fit predictions of shape %s"
                         % (who, y_true.shape, y_pred.shape))
    return y_true


def _sparse_categorical_accuracy(y_true, y_pred):
    y_true = _sparse_labels(y_true, y_pred, "sparse_categorical_accuracy")
    return (y_true == np.argmax(y_pred, axis=-1)).astype(np.float32)


def _in_top_k(y_pred, labels, k, who):
    """tf.math.in_top_k: the label's score is among the k largest (classes
    tied with it all count as in), False for a non-finite score or a label
    out of range."""
    n = y_pred.shape[-1]
    labels = labels.astype(np.int64)
    valid = (labels >= 0) & (labels < n)
    target = np.take_along_axis(y_pred, np.where(valid, labels, 0)[..., None], axis=-1)
    above = np.sum(y_pred > target, axis=-1)
    return (valid & np.isfinite(target[..., 0]) & (above < k)).astype(np.float32)


def _top_k_categorical_accuracy(y_true, y_pred, k=5):
    _check_class_axis(y_true, y_pred, "top_k_categorical_accuracy")
    return _in_top_k(y_pred, np.argmax(y_true, axis=-1), k, "top_k_categorical_accuracy")


def _sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true = _sparse_labels(y_true, y_pred, "sparse_top_k_categorical_accuracy")
    return _in_top_k(y_pred, y_true, k, "sparse_top_k_categorical_accuracy")


def _mean_squared_error(y_true, y_pred):
    return np.mean(np.square(y_pred - y_true), axis=-1)


def _mean_absolute_error(y_true, y_pred):
    return np.mean(np.abs(y_pred - y_true), axis=-1)


def _public(core, doc):
    def fn(y_true, y_pred, **kwargs):
        y_pred = _host(y_pred)
        y_pred = y_pred.astype(np.float32) if y_pred.dtype.kind != "f" else y_pred
        y_true = _host(y_true, y_pred.dtype)
        return convert_to_tensor(np.asarray(core(y_true, y_pred, **kwargs)))
    fn.__name__ = core.__name__[1:]
    fn.__doc__ = doc
    return fn


binary_accuracy = _public(_binary_accuracy, "Per sample: the mean over the last axis of "
                          "y_true == (y_pred > threshold); binary_accuracy(y_true, y_pred, "
                          "threshold=0.5).")
categorical_accuracy = _public(_categorical_accuracy, "Per sample: 1.0 where argmax(y_true) == "
                               "argmax(y_pred) over the last axis, else 0.0.")
sparse_categorical_accuracy = _public(_sparse_categorical_accuracy, "Per sample: 1.0 where the "
                                      "integer label y_true == argmax(y_pred), else 0.0.")
top_k_categorical_accuracy = _public(_top_k_categorical_accuracy, "Per sample: 1.0 where "
                                     "argmax(y_true) is among the k largest predictions "
                                     "(k=5).")
sparse_top_k_categorical_accuracy = _public(_sparse_top_k_categorical_accuracy, "Per sample: "
                                            "1.0 where the label is among the k largest "
                                            "predictions (k=5).")


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true (tf.keras.metrics.Accuracy).

        m = Accuracy(); m.update_state([1, 2, 3, 4], [0, 2, 3, 4]); m.result()  # 0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(_accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the 0/1 label y_true."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(_binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals argmax(y_true) for one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(_categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals the integer label y_true (shape
    (batch,) or (batch, 1))."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(_sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_true) is among the k largest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k largest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(_sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class MeanSquaredError(MeanMetricWrapper):
    """The mean of mean((y_pred - y_true)**2, axis=-1)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(_mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of mean(|y_pred - y_true|, axis=-1)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(_mean_absolute_error, name=name, dtype=dtype)


# ---- confusion-matrix counts at thresholds ---------------------------------------------------
def _parse_thresholds(thresholds, default, who):
    if thresholds is None:
        return [float(default)]
    if hasattr(thresholds, "numpy"):
        thresholds = thresholds.numpy()
    values = np.asarray(thresholds, dtype=object).ravel().tolist() \
        if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    if not values:
        raise ValueError("%s: thresholds must not be empty" % who)
    out = []
    for t in values:
        t = float(t)
        if not 0.0 <= t <= 1.0:
            raise ValueError("%s: threshold values must be in [0, 1], got %r" % (who, thresholds))
        out.append(t)
    return out


def _confusion_counts(y_true, y_pred, sample_weight, thresholds, who, top_k=None,
                      class_id=None, multi_label=False, label_weights=None):
    """(tp, fp, tn, fn) at each threshold, counting y_pred > threshold as a
    positive prediction and y_true != 0 as a positive label (Keras's
    update_confusion_matrix_variables). Shapes (T,), or (T, labels) when
    multi_label. One sort of the thresholds and one bincount, whatever T is."""
    y_pred = _host(y_pred, np.float32)
    y_true = _host(y_true, np.float32)
    if y_pred.size and not ((y_pred >= 0) & (y_pred <= 1)).all():
        found = ("NaN" if np.isnan(y_pred).any() else "values from %g to %g"
                 % (y_pred.min(), y_pred.max()))
        raise errors.InvalidArgumentError(
            None, who, "%s: predictions must be in [0, 1], got %s (shape %s)"
            % (who, found, y_pred.shape))
    y_pred, y_true = _squeeze_last(y_pred, y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError("%s: y_true has shape %s but y_pred has shape %s"
                         % (who, y_true.shape, y_pred.shape))
    if sample_weight is not None:
        weight = _adjust_weight_rank(y_pred, _host(sample_weight, np.float32))
        weight = _broadcast_weights(weight, y_pred, who)
    else:
        weight = None
    if top_k is not None:
        if y_pred.ndim == 0:
            raise ValueError("%s: top_k needs a class axis in y_pred" % who)
        order = np.argsort(-y_pred, axis=-1, kind="stable")   # ties: lower index first
        keep = np.zeros(y_pred.shape, bool)
        np.put_along_axis(keep, order[..., :top_k], True, axis=-1)
        y_pred = np.where(keep, y_pred, np.float32(_NEG_INF))
    if class_id is not None:
        if y_pred.ndim == 0 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError("%s: class_id %r is out of range for predictions of shape %s"
                             % (who, class_id, y_pred.shape))
        y_pred, y_true = y_pred[..., class_id], y_true[..., class_id]
        weight = weight[..., class_id] if weight is not None else None
    labels = y_true != 0
    if multi_label:
        if y_pred.ndim < 2:
            raise ValueError("%s: multi_label needs predictions of rank 2 or more (samples, "
                             "labels), got shape %s" % (who, y_pred.shape))
        n_labels = y_pred.shape[-1]
        y_pred, labels = y_pred.reshape(-1, n_labels), labels.reshape(-1, n_labels)
        weight = weight.reshape(-1, n_labels) if weight is not None else None
    else:
        n_labels = 1
        y_pred, labels = y_pred.reshape(-1, 1), labels.reshape(-1, 1)
        weight = weight.reshape(-1, 1) if weight is not None else None
        if label_weights is not None:
            lw = np.asarray(label_weights, np.float32)
            weight = (np.ones_like(y_pred) if weight is None else weight)
            weight = weight * np.broadcast_to(lw, y_true.shape).reshape(-1, 1)
    thresholds = np.asarray(thresholds, np.float32)
    order = np.argsort(thresholds, kind="stable")
    sorted_t = thresholds[order]
    n_t = len(thresholds)
    # How many thresholds lie strictly below each prediction: y_pred > t_j
    # exactly for the first `above` sorted thresholds.
    above = np.searchsorted(sorted_t, y_pred, side="left")
    flat = (above * n_labels + np.arange(n_labels)).ravel()
    w = np.ones(labels.shape) if weight is None else weight.astype(np.float64)
    pos_w = np.where(labels, w, 0.0).ravel()
    neg_w = np.where(labels, 0.0, w).ravel()
    size = (n_t + 1) * n_labels
    pos = np.bincount(flat, weights=pos_w, minlength=size).reshape(n_t + 1, n_labels)
    neg = np.bincount(flat, weights=neg_w, minlength=size).reshape(n_t + 1, n_labels)
    # tp at sorted threshold j: the positives with above > j (a suffix sum).
    tp_sorted = np.cumsum(pos[::-1], axis=0)[::-1][1:]
    fp_sorted = np.cumsum(neg[::-1], axis=0)[::-1][1:]
    tp = np.empty_like(tp_sorted)
    fp = np.empty_like(fp_sorted)
    tp[order], fp[order] = tp_sorted, fp_sorted
    fn = pos.sum(axis=0) - tp
    tn = neg.sum(axis=0) - fp
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return tp, fp, tn, fn


def _divide_no_nan(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


class _ThresholdMetric(Metric):
    """Counts at thresholds, kept in `<counts>` Variables of shape (T,)."""
    _counts = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        default = 0.5 if top_k is None else _NEG_INF
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, default, self._name)
        if top_k is not None and (int(top_k) != top_k or top_k < 1):
            raise ValueError("%s: top_k must be a positive integer, got %r" % (self._name, top_k))
        self.top_k = top_k
        self.class_id = class_id
        for attr in self._counts:
            setattr(self, attr, self.add_weight(attr, shape=(len(self.thresholds),)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the counts of y_true (0/1, or any non-zero as positive) against
        y_pred (probabilities in [0, 1]) at each threshold, weighted by
        `sample_weight`."""
        tp, fp, tn, fn = _confusion_counts(y_true, y_pred, sample_weight, self.thresholds,
                                           self._name, top_k=self.top_k,
                                           class_id=self.class_id)
        found = {"true_positives": tp, "false_positives": fp, "true_negatives": tn,
                 "false_negatives": fn}
        for attr in self._counts:
            self._add(getattr(self, attr), found[attr])

    def _value(self, values):
        values = np.asarray(values)
        return self._tensor(values[0] if len(self.thresholds) == 1 else values)

    def get_config(self):
        config = super().get_config()
        config.update(thresholds=self.init_thresholds, top_k=self.top_k, class_id=self.class_id)
        return config


class Precision(_ThresholdMetric):
    """tp / (tp + fp) with y_pred > threshold counted as positive
    (tf.keras.metrics.Precision).

    thresholds: a float or a list of floats in [0, 1] (default 0.5; the
        result is then a vector, one precision per threshold).
    top_k: only the k largest predictions of each sample count as positive.
    class_id: only this class (the last axis) is counted.
    """
    _counts = ("true_positives", "false_positives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name or "precision", dtype)

    def result(self):
        tp = np.asarray(self.true_positives)
        return self._value(_divide_no_nan(tp, tp + np.asarray(self.false_positives)))


class Recall(_ThresholdMetric):
    """tp / (tp + fn) with y_pred > threshold counted as positive
    (tf.keras.metrics.Recall); arguments as Precision's."""
    _counts = ("true_positives", "false_negatives")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name or "recall", dtype)

    def result(self):
        tp = np.asarray(self.true_positives)
        return self._value(_divide_no_nan(tp, tp + np.asarray(self.false_negatives)))


def _count_metric(cls_name, attr, doc):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ThresholdMetric.__init__(self, thresholds, None, None, name, dtype)
        self.accumulator = getattr(self, attr)

    def result(self):
        return self._value(np.asarray(self.accumulator))

    return type(cls_name, (_ThresholdMetric,), {"__init__": __init__, "result": result,
                                                "_counts": (attr,), "__doc__": doc})


TruePositives = _count_metric("TruePositives", "true_positives",
                              "The weighted count of positive labels with y_pred > threshold.")
FalsePositives = _count_metric("FalsePositives", "false_positives",
                               "The weighted count of negative labels with y_pred > threshold.")
TrueNegatives = _count_metric("TrueNegatives", "true_negatives",
                              "The weighted count of negative labels with y_pred <= threshold.")
FalseNegatives = _count_metric("FalseNegatives", "false_negatives",
                               "The weighted count of positive labels with y_pred <= threshold.")


class AUC(Metric):
    """The area under the ROC or precision-recall curve, by a Riemann sum
    over `num_thresholds` thresholds (tf.keras.metrics.AUC).

    num_thresholds: thresholds spread evenly over [0, 1], plus one just
        below 0 and one just above 1 (default 200; must be > 1).
    curve: 'ROC' (true against false positive rate) or 'PR' (precision
        against recall).
    summation_method: 'interpolation' (trapezoids for ROC; for PR, Davis
        & Goadrich's interpolation of precision between thresholds),
        'minoring' or 'majoring' (left or right Riemann sums).
    thresholds: explicit thresholds in [0, 1] instead of num_thresholds.
    multi_label: one curve per label (the last axis), the result their
        mean weighted by `label_weights`; otherwise every entry counts as one
        binary prediction.
    label_weights: per-label weights (a vector of length num_labels).
    from_logits: apply a sigmoid to y_pred first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name or "auc", dtype=dtype)
        self.curve = str(curve).upper()
        if self.curve not in ("ROC", "PR"):
            raise ValueError("%s: curve must be 'ROC' or 'PR', got %r" % (self._name, curve))
        self.summation_method = str(summation_method).lower()
        if self.summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError("%s: summation_method must be 'interpolation', 'minoring' or "
                             "'majoring', got %r" % (self._name, summation_method))
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, 0.5, self._name))
            self.num_thresholds = len(inner) + 2
        else:
            if int(num_thresholds) != num_thresholds or num_thresholds <= 1:
                raise ValueError("%s: num_thresholds must be an integer > 1, got %r"
                                 % (self._name, num_thresholds))
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (self.num_thresholds - 1)
                     for i in range(self.num_thresholds - 2)]
        self._thresholds = np.array([0.0 - _EPSILON] + inner + [1.0 + _EPSILON])
        self.multi_label = bool(multi_label)
        self.label_weights = (None if label_weights is None
                              else np.asarray(label_weights, np.float32))
        if self.label_weights is not None and (self.label_weights < 0).any():
            raise errors.InvalidArgumentError(None, None, "%s: all values of label_weights "
                                              "must be non-negative" % self._name)
        self._from_logits = bool(from_logits)
        self._num_labels = num_labels
        self._built = False
        if not self.multi_label:
            self._build(None)
        elif num_labels is not None:
            self._build(int(num_labels))

    @property
    def thresholds(self):
        """The thresholds, the two outer ones included."""
        return list(self._thresholds)

    def _build(self, num_labels):
        shape = (self.num_thresholds,) if num_labels is None else (self.num_thresholds,
                                                                   num_labels)
        self._num_labels = num_labels
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.true_negatives = self.add_weight("true_negatives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the confusion counts of y_true (0/1) against y_pred
        (probabilities in [0, 1], or logits with from_logits) at every
        threshold, weighted by `sample_weight`."""
        y_pred = _host(y_pred, np.float32)
        if self._from_logits:
            y_pred = (1.0 / (1.0 + np.exp(-y_pred.astype(np.float64)))).astype(np.float32)
        if self.multi_label and not self._built:
            if y_pred.ndim < 2:
                raise ValueError("%s: multi_label needs predictions of shape (samples, "
                                 "labels), got %s" % (self._name, y_pred.shape))
            self._build(int(y_pred.shape[-1]))
        if self.multi_label and y_pred.ndim >= 1 and y_pred.shape[-1] != self._num_labels:
            raise ValueError("%s: built for %d labels, got predictions of shape %s"
                             % (self._name, self._num_labels, y_pred.shape))
        tp, fp, tn, fn = _confusion_counts(y_true, y_pred, sample_weight, self._thresholds,
                                           self._name, multi_label=self.multi_label,
                                           label_weights=None if self.multi_label
                                           else self.label_weights)
        self._add(self.true_positives, tp)
        self._add(self.false_positives, fp)
        self._add(self.true_negatives, tn)
        self._add(self.false_negatives, fn)

    def _interpolate_pr_auc(self, tp, fp, fn):
        # Between two thresholds, tp grows linearly with p = tp + fp; the
        # precision tp/p is integrated exactly over recall (Davis & Goadrich).
        p = tp + fp
        dtp = tp[:-1] - tp[1:]
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                              np.maximum(tp[1:] + fn[1:], 0)).sum(axis=0)

    def _auc(self):
        tp = np.asarray(self.true_positives, np.float64)
        fp = np.asarray(self.false_positives, np.float64)
        tn = np.asarray(self.true_negatives, np.float64)
        fn = np.asarray(self.false_negatives, np.float64)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return ((x[:-1] - x[1:]) * heights).sum(axis=0)

    def result(self):
        """The area under the curve (for multi_label, the label-weighted mean
        of the areas); 0 before any update."""
        if not self._built:
            return self._tensor(0.0)
        auc = self._auc()
        if self.multi_label:
            if self.label_weights is None:
                auc = auc.mean()
            else:
                auc = _divide_no_nan((auc * self.label_weights).sum(), self.label_weights.sum())
        return self._tensor(auc)

    def reset_states(self):
        if self._built:
            super().reset_states()

    reset_state = reset_states

    def get_config(self):
        config = super().get_config()
        config.update(num_thresholds=self.num_thresholds, curve=self.curve,
                      summation_method=self.summation_method, multi_label=self.multi_label,
                      label_weights=None if self.label_weights is None
                      else self.label_weights.tolist(), from_logits=self._from_logits)
        return config


def get(identifier):
    """A metric from a name ('accuracy', 'auc', 'Precision'...), a config
    dict {'class_name': ..., 'config': ...}, or a callable (returned as is)."""
    if identifier is None or callable(identifier) and not isinstance(identifier, str):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_NAME.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError("unknown metric %r" % (identifier,))
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else identifier.lower()
        if key in _BY_NAME:
            obj = _BY_NAME[key]
            return obj() if isinstance(obj, type) else obj
    raise ValueError("unknown metric %r" % (identifier,))


_BY_NAME = {c.__name__: c for c in (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, TopKCategoricalAccuracy,
                                    SparseTopKCategoricalAccuracy, MeanSquaredError,
                                    MeanAbsoluteError, Precision, Recall, AUC, TruePositives,
                                    FalsePositives, TrueNegatives, FalseNegatives)}
_BY_NAME.update(accuracy=Accuracy, auc=AUC, precision=Precision, recall=Recall,
                binary_accuracy=binary_accuracy, categorical_accuracy=categorical_accuracy,
                sparse_categorical_accuracy=sparse_categorical_accuracy,
                top_k_categorical_accuracy=top_k_categorical_accuracy,
                sparse_top_k_categorical_accuracy=sparse_top_k_categorical_accuracy)
