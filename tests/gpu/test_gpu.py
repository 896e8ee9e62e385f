"""The GPU backend on a GPU: every op with a CUDA kernel against NumPy (the
op table's rows, inputs on the GPU), placement and its policies, copies,
gradients that stay on the GPU, reproducible random numbers, out-of-memory
recovery, optimizer updates and a CNN training step."""
import warnings

import numpy as np
import pytest

import eager as tf
from eager import errors
from tests.ops.test_op_table import ENTRIES

GPU = "/job:localhost/replica:0/task:0/device:GPU:0"


def _cuda_rows():
    from eager.ops._registry import REGISTRY
    return [r for r in ENTRIES if r.op in REGISTRY and "cuda" in REGISTRY[r.op].kernels]


def _on_gpu(a):
    return tf.constant(a).gpu() if isinstance(a, np.ndarray) else a


@pytest.mark.parametrize("row", _cuda_rows(), ids=lambda r: r.id)
def test_op_matches_numpy_on_gpu(row):
    rng = np.random.default_rng(0)
    ran = 0
    for dtype in row.dtypes:
        rtol, atol = row.tolerances(dtype)
        if dtype == "float32":
            rtol, atol = max(rtol, 2e-5), max(atol, 1e-5)   # GPU libm ulps, other sum orders
        for inputs in row.make_samples(dtype, rng):
            if any(isinstance(a, np.ndarray) and a.dtype.kind in "OSU" for a in inputs):
                continue
            try:
                with tf.device("/gpu:0"):
                    got = row.fn(*[_on_gpu(a) for a in inputs])
            except errors.UnimplementedError as e:
                assert "GPU" in str(e) or "cuda" in str(e).lower() or "gpu" in str(e).lower()
                continue
            ran += 1
            got = list(got) if isinstance(got, (list, tuple)) else [got]
            want = row.ref(*inputs)
            want = list(want) if isinstance(want, (list, tuple)) else [want]
            for g, w in zip(got, want):
                w = np.asarray(w)
                assert g.device == GPU, (row.id, g.device)
                assert tuple(g.shape) == w.shape, (row.id, dtype, g.shape, w.shape)
                if row.check_dtype:
                    assert g.dtype == w.dtype, (row.id, dtype, g.dtype, w.dtype)
                if row.random:
                    continue
                if w.dtype.kind in "fc":
                    np.testing.assert_allclose(g.numpy(), w, rtol=rtol, atol=atol, equal_nan=True,
                                               err_msg="%s %s" % (row.id, dtype))
                else:
                    np.testing.assert_array_equal(g.numpy(), w, err_msg="%s %s" % (row.id, dtype))
    if not ran:
        pytest.skip("%s: no dtype of the row has a GPU kernel" % row.id)


def test_devices_and_copies():
    assert tf.num_gpus() >= 1
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    g = x.gpu()
    assert g.device == GPU and x.device.endswith("CPU:0")
    assert g.cpu().device.endswith("CPU:0")
    np.testing.assert_array_equal(g.numpy(), x.numpy())
    assert "tf.Tensor" in repr(g) and "2." in str(g)
    y = tf.matmul(g, g)                       # runs where its inputs live
    assert y.device == GPU
    np.testing.assert_allclose(y.numpy(), x.numpy() @ x.numpy())
    for name in ("/gpu:0", "/device:GPU:0", "gpu:0", "GPU:0"):
        with tf.device(name):
            assert tf.add(x, 1.0).device == GPU


def test_placement_policies():
    from eager.ops.placement import set_device_policy
    c = tf.constant([1.0, 2.0])
    g = c.gpu()
    assert tf.add(g, c).device == GPU         # silent: copied to the op's device
    try:
        set_device_policy("explicit")
        with pytest.raises(errors.InvalidArgumentError, match="CPU:0.*GPU:0|GPU:0.*CPU:0"):
            tf.add(g, c)
        set_device_policy("warn")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            tf.add(g, c)
        assert any("copying input" in str(x.message) for x in w)
    finally:
        set_device_policy("silent")


def test_gradients_stay_on_gpu():
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3)).gpu()
    w = tf.constant(np.ones((3, 2), np.float32)).gpu()
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(w)
        y = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w)) * 2.0)
    gx, gw = tape.gradient(y, [x, w])
    assert gx.device == GPU and gw.device == GPU
    np.testing.assert_allclose(gx.numpy(), np.full((2, 3), 4.0))
    np.testing.assert_allclose(gw.numpy(), 2 * np.arange(6).reshape(2, 3).sum(0)[:, None] * np.ones((3, 2)))


def test_random_is_reproducible_on_gpu():
    with tf.device("/gpu:0"):
        from eager.ops import random as R
        from eager.ops._registry import execute
        attrs = {"shape": [1000], "dtype": np.dtype(np.float32), "seed": 7, "seed2": 3}
        a = execute(R._random_uniform, (), attrs).numpy()
        b = execute(R._random_uniform, (), attrs).numpy()
        n = execute(R._random_normal, (), attrs).numpy()
        t = execute(R._truncated_normal, (), attrs).numpy()
    np.testing.assert_array_equal(a, b)
    assert 0 <= a.min() and a.max() < 1 and abs(a.mean() - 0.5) < 0.05
    assert abs(n.mean()) < 0.15 and abs(n.std() - 1) < 0.1
    assert np.abs(t).max() <= 2


def test_out_of_memory_raises_and_recovers():
    from eager.backends import cuda
    with pytest.raises(errors.ResourceExhaustedError, match="OOM when allocating"):
        with tf.device("/gpu:0"):
            tf.zeros([1 << 22, 1 << 22], tf.float32)       # 64 TiB
    cuda.set_memory_limit(1 << 20)
    try:
        with pytest.raises(errors.ResourceExhaustedError, match="limit"):
            with tf.device("/gpu:0"):
                tf.zeros([1 << 20], tf.float32)
    finally:
        cuda.set_memory_limit(None)
    with tf.device("/gpu:0"):
        assert float(tf.reduce_sum(tf.ones([1 << 20])).numpy()) == float(1 << 20)


def test_optimizer_kernels_match_numpy():
    from eager._ext.tensor import _storage
    from eager.backends.cuda import kernels as K
    from eager.train import kernels as host
    rng = np.random.RandomState(0)
    var, m, v, g = (rng.standard_normal(1000).astype(np.float32) for _ in range(4))
    v = np.abs(v)
    dev = [tf.constant(a).gpu() for a in (var, m, v, g)]
    assert K.optimizer_update("adam", *[_storage(dev[0])], [_storage(t) for t in dev[1:3]],
                              _storage(dev[3]), (0.01, 0.9, 0.999, 1e-7))
    host.adam(var, m, v, g, np.empty_like(var), 0.01, 0.9, 0.999, 1e-7)
    for got, want in zip(dev[:3], (var, m, v)):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)


def test_cnn_training_step_on_gpu():
    import eager.layers  # noqa: F401
    import eager.train  # noqa: F401
    from eager import tfe
    rng = np.random.RandomState(0)
    x = rng.random_sample((8, 28, 28, 1)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 8)]
    with tf.device("/gpu:0"):
        conv = tf.layers.Conv2D(4, 5, padding="same", activation=tf.nn.relu)
        pool = tf.layers.MaxPooling2D((2, 2), (2, 2), padding="SAME")
        dense = tf.layers.Dense(10)

        def loss(xs, ys):
            h = tf.layers.flatten(pool(conv(xs)))
            return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=dense(h),
                                                                          labels=ys))
        opt = tf.train.AdamOptimizer(1e-2)
        grad = tfe.implicit_gradients(loss)
        first = float(loss(x, y).numpy())
        for _ in range(20):
            opt.apply_gradients(grad(x, y))
        last = float(loss(x, y).numpy())
    assert last < first
    assert all(v.device == GPU for v in conv.variables + dense.variables)
