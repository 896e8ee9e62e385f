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
