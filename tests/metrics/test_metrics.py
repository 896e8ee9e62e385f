"""eager.metrics against NumPy and scikit-learn references."""
import numpy as np
import pytest

import eager as tf
from eager import errors
from eager import metrics as M

sk = pytest.importorskip("sklearn.metrics")


def value(t):
    return np.asarray(t)


# ---- Mean and Sum -------------------------------------------------------------------------------
def test_mean_sum_stream_and_reset():
    m = M.Mean()
    assert value(m.result()) == 0.0            # divide_no_nan before any value
    m.update_state([1, 3, 5, 7])
    np.testing.assert_allclose(value(m([10.0])), np.mean([1, 3, 5, 7, 10]))
    assert value(m.result()) == np.float32(5.2)  # reading does not update
    m.reset_states()
    assert value(m.result()) == 0.0 and value(m.count) == 0.0
    m.update_state(tf.constant([[2.0, 4.0]]))
    assert value(m.result()) == 3.0
    m.reset_state()
    assert value(m.total) == 0.0
    s = M.Sum()
    s.update_state([1, 3, 5, 7])
    assert value(s([1.5])) == 17.5
    assert [v.name for v in s.variables] == ["sum/total:0"]


@pytest.mark.parametrize("wshape", [(), (4,), (4, 1), (4, 3), (1, 3), (4, 3, 1)])
def test_mean_sample_weight_shapes(wshape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    w = rng.random(wshape).astype(np.float32)
    m = M.Mean()
    m.update_state(x, sample_weight=w)
    wb = np.broadcast_to(w.reshape(w.shape[:2]) if len(wshape) == 3 else
                         (w[:, None] if wshape == (4,) else w), x.shape)
    np.testing.assert_allclose(value(m.result()), np.average(x, weights=wb), rtol=1e-5)
    s = M.Sum()
    s.update_state(x, sample_weight=w)
    np.testing.assert_allclose(value(s.result()), (x * wb).sum(), rtol=1e-5)


def test_mean_weight_of_leading_axes_reduces_values_first():
    # Keras: weights that do not broadcast reduce the values to their rank.
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    w = np.array([1.0, 3.0], np.float32)
    m = M.Mean()
    m.update_state(x, sample_weight=w)
    np.testing.assert_allclose(value(m.result()), np.average(x.mean(axis=(1, 2)), weights=w))
    with pytest.raises(ValueError, match="sample_weight"):
        M.Mean().update_state(x, sample_weight=np.ones(5))


def test_state_is_non_trainable_variables_in_attributes():
    m = M.Mean(name="loss_mean", dtype="float64")
    assert m.name == "loss_mean" and m.dtype == "float64"
    assert all(isinstance(v, tf.Variable) and not v.trainable for v in m.variables)
    assert {id(v) for v in m.variables} <= {id(v) for v in vars(m).values()}
    assert m.trainable_variables == [] and value(m.result()).dtype == np.float64
    # Restoring the variables restores the metric (what a checkpoint does).
    m.total.assign(9.0)
    m.count.assign(3.0)
    assert value(m.result()) == 3.0


def test_checkpoint_round_trip(tmp_path):
    ckpt_mod = pytest.importorskip("eager.train.checkpoint")
    Checkpoint = getattr(ckpt_mod, "Checkpoint", None)
    if Checkpoint is None:
        pytest.skip("no Checkpoint yet")
    m = M.Precision(thresholds=[0.3, 0.6])
    m.update_state([1, 0, 1, 1], [0.9, 0.8, 0.2, 0.5])
    mean = M.Mean()
    mean.update_state([1.0, 4.0])
    want = value(m.result())
    path = Checkpoint(metric=m, mean=mean).save(str(tmp_path / "ckpt"))
    m.reset_states()
    mean.reset_states()
    Checkpoint(metric=m, mean=mean).restore(path)
    np.testing.assert_allclose(value(m.result()), want)
    assert value(mean.result()) == 2.5


# ---- accuracies ---------------------------------------------------------------------------------
def test_accuracy_family_against_numpy():
    rng = np.random.default_rng(2)
    n, c = 64, 5
    labels = rng.integers(0, c, n)
    onehot = np.eye(c, dtype=np.float32)[labels]
    logits = rng.standard_normal((n, c)).astype(np.float32)
    w = rng.random(n).astype(np.float32)
    pred = logits.argmax(-1)

    acc = M.Accuracy()
    acc.update_state(labels, pred, sample_weight=w)
    np.testing.assert_allclose(value(acc.result()), np.average(labels == pred, weights=w),
                               rtol=1e-6)
    cat = M.CategoricalAccuracy()
    cat.update_state(onehot[:40], logits[:40])
    cat.update_state(tf.constant(onehot[40:]), tf.constant(logits[40:]))
    np.testing.assert_allclose(value(cat.result()), np.mean(labels == pred), rtol=1e-6)
    for shape in [(n,), (n, 1)]:
        sparse = M.SparseCategoricalAccuracy()
        out = sparse(labels.reshape(shape), logits, sample_weight=w)
        np.testing.assert_allclose(value(out), np.average(labels == pred, weights=w), rtol=1e-6)
    ranks = (logits > logits[np.arange(n), labels][:, None]).sum(-1)   # classes above the label
    top3 = M.SparseTopKCategoricalAccuracy(k=3)
    np.testing.assert_allclose(value(top3(labels, logits)), np.mean(ranks < 3), rtol=1e-6)
    top2 = M.TopKCategoricalAccuracy(k=2)
    np.testing.assert_allclose(value(top2(onehot, logits)), np.mean(ranks < 2), rtol=1e-6)
    probs = 1 / (1 + np.exp(-logits))
    binary = M.BinaryAccuracy(threshold=0.7)
    np.testing.assert_allclose(value(binary(onehot, probs)),
                               np.mean(onehot == (probs > 0.7)), rtol=1e-6)
    per_sample = M.sparse_categorical_accuracy(labels, logits)
    assert isinstance(per_sample, tf.Tensor) and per_sample.shape == (n,)
    np.testing.assert_array_equal(value(per_sample), labels == pred)


def test_accuracy_shape_errors():
    with pytest.raises(ValueError, match="shape"):
        M.CategoricalAccuracy().update_state(np.eye(3), np.ones((3, 4)))
    with pytest.raises(ValueError, match="labels of shape"):
        M.SparseCategoricalAccuracy().update_state([0, 1], np.ones((3, 4)))
    with pytest.raises(TypeError, match="numbers"):
        M.Mean().update_state(["a"])


# ---- precision, recall and the counts ------------------------------------------------------------
def _binary_data(n=300, seed=3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1).astype(np.float32)
    w = rng.random(n).astype(np.float32)
    return y, p, w


def test_precision_recall_against_sklearn():
    y, p, w = _binary_data()
    thresholds = [0.2, 0.5, 0.8]
    prec = M.Precision(thresholds=thresholds)
    rec = M.Recall(thresholds=thresholds)
    for lo in range(0, len(y), 100):            # streamed in batches
        prec.update_state(y[lo:lo + 100], p[lo:lo + 100], sample_weight=w[lo:lo + 100])
        rec.update_state(y[lo:lo + 100], p[lo:lo + 100], sample_weight=w[lo:lo + 100])
    want_p = [sk.precision_score(y, p > t, sample_weight=w) for t in thresholds]
    want_r = [sk.recall_score(y, p > t, sample_weight=w) for t in thresholds]
    np.testing.assert_allclose(value(prec.result()), want_p, rtol=1e-5)
    np.testing.assert_allclose(value(rec.result()), want_r, rtol=1e-5)
    as_tensor = M.Recall(thresholds=tf.constant(thresholds))
    np.testing.assert_allclose(value(as_tensor(y, p, weights=w)), want_r, rtol=1e-5)  # TF 1 name
    single = M.Precision()
    assert value(single(y, p)).shape == ()
    np.testing.assert_allclose(value(single.result()), sk.precision_score(y, p > 0.5), rtol=1e-6)
    counts = [M.TruePositives(), M.FalsePositives(), M.TrueNegatives(), M.FalseNegatives()]
    for c in counts:
        c.update_state(y, p)
    (tn, fp), (fn, tp) = sk.confusion_matrix(y, p > 0.5)
    assert [float(value(c.result())) for c in counts] == [tp, fp, tn, fn]


def test_precision_top_k_and_class_id():
    rng = np.random.default_rng(4)
    y = (rng.random((50, 6)) < 0.3).astype(np.float32)
    p = rng.random((50, 6)).astype(np.float32)
    top = np.argsort(-p, axis=-1, kind="stable")[:, :2]
    in_top = np.zeros_like(y, bool)
    np.put_along_axis(in_top, top, True, axis=-1)
    prec = M.Precision(top_k=2)
    np.testing.assert_allclose(value(prec(y, p)), y[in_top].mean(), rtol=1e-6)
    rec = M.Recall(top_k=2)
    np.testing.assert_allclose(value(rec(y, p)), in_top[y == 1].mean(), rtol=1e-6)
    cls = M.Recall(class_id=3, thresholds=0.4)
    np.testing.assert_allclose(value(cls(y, p)), (p[:, 3] > 0.4)[y[:, 3] == 1].mean(), rtol=1e-6)


def test_confusion_input_errors():
    with pytest.raises(errors.InvalidArgumentError, match=r"predictions must be in \[0, 1\]"):
        M.Precision().update_state([0, 1], [0.5, 1.5])
    with pytest.raises(errors.InvalidArgumentError, match="NaN"):
        M.AUC().update_state([0, 1], [0.5, np.nan])
    with pytest.raises(ValueError, match=r"threshold values must be in \[0, 1\]"):
        M.Recall(thresholds=[0.5, 2.0])
    with pytest.raises(ValueError, match="shape"):
        M.Recall().update_state([0, 1, 1], [0.5, 0.2])
    with pytest.raises(ValueError, match="class_id"):
        M.Precision(class_id=7).update_state(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        M.AUC(curve="XY")


# ---- AUC ----------------------------------------------------------------------------------------
def _discrete(p):
    # Scores on a grid no threshold i/199 falls on, one threshold between each
    # pair: the thresholded curve passes through every point of the exact one.
    return ((np.floor(p * 10) + 0.5) / 10).astype(np.float32)


def test_roc_auc_matches_sklearn():
    y, p, w = _binary_data(400)
    p = _discrete(p)
    auc = M.AUC()
    auc.update_state(y[:150], p[:150], sample_weight=w[:150])
    auc.update_state(y[150:], p[150:], sample_weight=w[150:])
    np.testing.assert_allclose(value(auc.result()), sk.roc_auc_score(y, p, sample_weight=w),
                               rtol=1e-5)
    auc.reset_states()
    assert value(auc.result()) == 0.0
    assert value(M.AUC()([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])) == 1.0
    logits = np.log(p / (1 - p))
    np.testing.assert_allclose(value(M.AUC(from_logits=True)(y, logits)),
                               sk.roc_auc_score(y, p), rtol=1e-5)


def test_multi_label_roc_auc_matches_sklearn():
    rng = np.random.default_rng(5)
    y = (rng.random((200, 3)) < 0.4).astype(np.float32)
    p = _discrete(np.clip(0.3 * y + 0.7 * rng.random((200, 3)), 0, 1))
    auc = M.AUC(multi_label=True)
    got = value(auc(y, p))
    per_label = [sk.roc_auc_score(y[:, j], p[:, j]) for j in range(3)]
    np.testing.assert_allclose(got, np.mean(per_label), rtol=1e-5)
    assert auc.true_positives.shape == (200, 3)
    weighted = M.AUC(multi_label=True, label_weights=[1.0, 0.0, 3.0])
    np.testing.assert_allclose(value(weighted(y, p)),
                               (per_label[0] + 3 * per_label[2]) / 4, rtol=1e-5)
    flat = M.AUC()
    np.testing.assert_allclose(value(flat(y, p)), sk.roc_auc_score(y.ravel(), p.ravel()),
                               rtol=1e-5)


def test_pr_auc_interpolation_and_riemann_sums():
    y, p, w = _binary_data(300, seed=6)
    thresholds = [0.25, 0.5, 0.75]
    auc = M.AUC(curve="PR", thresholds=thresholds)
    got = float(value(auc(y, p, sample_weight=w)))
    # Reference: between neighbouring thresholds tp grows linearly in the
    # predicted-positive mass P; integrate precision = tp/P over recall numerically.
    ts = [-1e-7] + thresholds + [1 + 1e-7]
    tp = np.array([w[(p > t) & (y == 1)].sum() for t in ts], np.float64)
    pp = np.array([w[p > t].sum() for t in ts], np.float64)
    npos = w[y == 1].sum()
    ref = 0.0
    for i in range(len(ts) - 1):
        if pp[i] <= pp[i + 1]:
            continue
        s = np.linspace(0, 1, 20001)
        tps = tp[i + 1] + s * (tp[i] - tp[i + 1])
        ps = pp[i + 1] + s * (pp[i] - pp[i + 1])
        slope = (tp[i] - tp[i + 1]) / (pp[i] - pp[i + 1])   # the limit where P reaches 0
        precision = np.where(ps > 0, tps / np.where(ps > 0, ps, 1), slope)
        ref += np.trapezoid(precision, tps / npos)
    np.testing.assert_allclose(got, ref, rtol=1e-4)
    assert abs(got - sk.average_precision_score(y, p, sample_weight=w)) < 0.1
    # minoring / majoring: left and right Riemann sums of the ROC points.
    fpr = np.array([w[(p > t) & (y == 0)].sum() for t in ts]) / w[y == 0].sum()
    tpr = tp / npos
    lo = M.AUC(thresholds=thresholds, summation_method="minoring")
    hi = M.AUC(thresholds=thresholds, summation_method="majoring")
    dx = fpr[:-1] - fpr[1:]
    np.testing.assert_allclose(value(lo(y, p, w)), (dx * np.minimum(tpr[:-1], tpr[1:])).sum(),
                               rtol=1e-5)
    np.testing.assert_allclose(value(hi(y, p, w)), (dx * np.maximum(tpr[:-1], tpr[1:])).sum(),
                               rtol=1e-5)


def test_keras_namespace_and_get():
    from eager.keras import metrics as km
    assert km.AUC is M.AUC and km.SparseCategoricalAccuracy is M.SparseCategoricalAccuracy
    assert isinstance(M.get("accuracy"), M.Accuracy)
    assert isinstance(M.get({"class_name": "Recall", "config": {"thresholds": 0.3}}), M.Recall)
    assert M.get("categorical_accuracy") is M.categorical_accuracy
    cfg = M.AUC(num_thresholds=50, curve="PR").get_config()
    assert M.AUC.from_config(cfg).num_thresholds == 50
