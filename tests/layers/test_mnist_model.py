"""The seed's MNIST model code (eager.examples.mnist) trains on a small
slice of scikit-learn's digits, and the example's command line runs."""
import numpy as np
import pytest

import eager as tf
from eager import tfe


def test_seed_mnist_model_converges_on_a_slice_of_digits():
    pytest.importorskip("sklearn")
    import eager.train  # noqa: F401
    from eager.datasets import digits
    from eager.examples import mnist
    data = digits.read_data_sets(one_hot=True)
    images, labels = data.train.images[:100], data.train.labels[:100]
    tf.set_random_seed(0)
    model = mnist.MNISTModel("channels_last")
    optimizer = tf.train.AdamOptimizer(learning_rate=1e-3)
    grad = tfe.implicit_gradients(mnist.loss)
    first = mnist.loss(model, images, labels).numpy()
    for i in range(30):
        batch = slice(50 * (i % 2), 50 * (i % 2) + 50)
        optimizer.apply_gradients(grad(model, images[batch], labels[batch]))
    last = mnist.loss(model, images, labels).numpy()
    assert first > 1.5 and last < 0.3 * first
    _, accuracy = mnist.evaluate(model, images, labels)
    assert accuracy >= 0.9
    # Variables were created on the first call, with the seed's shapes.
    assert model.conv1.kernel.shape == (5, 5, 1, 32) and model.conv2.kernel.shape == (5, 5, 32, 64)
    assert model.dense1.kernel.shape == (3136, 1024) and model.dense2.kernel.shape == (1024, 10)


def test_mnist_command_line_on_idx_files(tmp_path, capsys, monkeypatch):
    from eager.datasets import mnist as idx
    from eager.examples import mnist
    rng = np.random.default_rng(0)
    for name, shape in ((idx.TRAIN_IMAGES, (30, 28, 28)), (idx.TEST_IMAGES, (10, 28, 28))):
        idx.write_idx(str(tmp_path / (name + ".gz")), rng.integers(0, 256, shape, dtype=np.uint8))
    for name, n in ((idx.TRAIN_LABELS, 30), (idx.TEST_LABELS, 10)):
        idx.write_idx(str(tmp_path / name), rng.integers(0, 10, n, dtype=np.uint8))
    original = idx.read_data_sets       # MNIST's 5,000 validation examples, scaled down
    monkeypatch.setattr(idx, "read_data_sets",
                        lambda d, **kw: original(d, **dict(kw, validation_size=5)))
    accuracy = mnist.main(["--data-dir", str(tmp_path), "--steps", "2", "--batch-size", "10",
                           "--log-every", "1"])
    out = capsys.readouterr().out
    assert "25 training, 10 test examples" in out
    assert "Step 0: Loss on training set" in out and "Step 2:" in out and "examples/s" in out
    assert "Test accuracy:" in out and 0.0 <= accuracy <= 1.0


def _tiny_idx(tmp_path):
    from eager.datasets import mnist as idx
    rng = np.random.default_rng(0)
    for name, shape in ((idx.TRAIN_IMAGES, (30, 28, 28)), (idx.TEST_IMAGES, (10, 28, 28))):
        idx.write_idx(str(tmp_path / (name + ".gz")), rng.integers(0, 256, shape, dtype=np.uint8))
    for name, n in ((idx.TRAIN_LABELS, 30), (idx.TEST_LABELS, 10)):
        idx.write_idx(str(tmp_path / name), rng.integers(0, 10, n, dtype=np.uint8))
    return lambda: idx.read_data_sets(str(tmp_path), one_hot=True, seed=0, validation_size=5)


def test_mnist_resumes_from_its_checkpoints_on_the_same_trajectory(tmp_path):
    from eager.examples import mnist
    data = _tiny_idx(tmp_path)
    quiet = dict(batch_size=5, log_every=0, log=lambda *a: None)
    tf.set_random_seed(3)
    straight = mnist.train(data(), steps=5, **quiet)
    ckdir = str(tmp_path / "ck")
    tf.set_random_seed(3)
    mnist.train(data(), steps=3, checkpoint_dir=ckdir, checkpoint_every=2, **quiet)
    assert tf.train.latest_checkpoint(ckdir).endswith("ckpt-4")
    tf.set_random_seed(99)                      # the resumed run's own init is overwritten
    lines = []
    resumed = mnist.train(data(), steps=5, checkpoint_dir=ckdir, checkpoint_every=2,
                          batch_size=5, log_every=0, log=lines.append)
    assert any("Resumed from" in l and "step 4" in l for l in lines), lines
    for a, b in ((straight.dense2.kernel, resumed.dense2.kernel),
                 (straight.conv1.kernel, resumed.conv1.kernel)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_mnist_writes_summaries_tensorboard_reads(tmp_path, capsys):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator as ea
    from eager.examples import mnist
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _tiny_idx(data_dir)
    logdir = str(tmp_path / "logs")
    import eager.datasets.mnist as idx
    original = idx.read_data_sets
    try:
        idx.read_data_sets = lambda d, **kw: original(d, **dict(kw, validation_size=5))
        mnist.main(["--data-dir", str(data_dir), "--steps", "2", "--batch-size", "5",
                    "--log-every", "1", "--logdir", logdir])
    finally:
        idx.read_data_sets = original
    acc = ea.EventAccumulator(logdir, size_guidance={ea.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()["tensors"]
    assert {"loss", "batch_accuracy", "test_accuracy"} <= set(tags), tags
    assert [e.step for e in acc.Tensors("loss")] == [0, 1, 2]
