"""The MNIST IDX loader on small generated files: plain and gzip, every
check that makes a malformed file a DataLossError, and next_batch."""
import gzip
import os
import struct

import numpy as np
import pytest

from eager import errors
from eager.datasets import mnist


def _idx_bytes(array, code=0x08):
    array = np.asarray(array)
    return bytes([0, 0, code, array.ndim]) + struct.pack(">%dI" % array.ndim, *array.shape) \
        + array.astype(">u1" if code == 0x08 else array.dtype).tobytes()


def _write(path, data):
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)


def _make_set(folder, n_train=12, n_test=5, gz=False, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        mnist.TRAIN_IMAGES: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        mnist.TRAIN_LABELS: rng.integers(0, 10, n_train, dtype=np.uint8),
        mnist.TEST_IMAGES: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        mnist.TEST_LABELS: rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, a in arrays.items():
        mnist.write_idx(os.path.join(folder, name + (".gz" if gz else "")), a)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_read_data_sets_plain_and_gz(tmp_path, gz):
    arrays = _make_set(str(tmp_path), gz=gz)
    data = mnist.read_data_sets(str(tmp_path), one_hot=True, validation_size=2)
    assert data.train.images.shape == (10, 784) and data.train.images.dtype == np.float32
    assert data.validation.num_examples == 2 and data.test.num_examples == 5
    np.testing.assert_allclose(data.test.images,
                               arrays[mnist.TEST_IMAGES].reshape(5, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(data.test.labels.argmax(1), arrays[mnist.TEST_LABELS])
    assert data.test.labels.dtype == np.float32 and data.test.labels.sum() == 5
    np.testing.assert_array_equal(data.validation.labels.argmax(1),
                                  arrays[mnist.TRAIN_LABELS][:2])
    assert 0.0 <= data.train.images.min() and data.train.images.max() <= 1.0


def test_uint8_no_reshape_and_dense_labels(tmp_path):
    arrays = _make_set(str(tmp_path))
    data = mnist.read_data_sets(str(tmp_path), dtype="uint8", reshape=False,
                                validation_size=0)
    assert data.train.images.shape == (12, 28, 28, 1) and data.train.images.dtype == np.uint8
    np.testing.assert_array_equal(data.train.images[..., 0], arrays[mnist.TRAIN_IMAGES])
    np.testing.assert_array_equal(data.train.labels, arrays[mnist.TRAIN_LABELS])
    (xtr, ytr), (xte, yte) = mnist.load_data(str(tmp_path))
    assert xtr.shape == (12, 28, 28) and yte.shape == (5,)


def test_next_batch_covers_each_epoch_once():
    images = np.arange(7, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    ds = mnist.DataSet(images, np.arange(7), seed=3)
    seen = []
    for _ in range(7):                          # 7 batches of 3 = exactly 3 epochs
        x, y = ds.next_batch(3)
        assert x.shape == (3, 3) and y.shape == (3,)
        np.testing.assert_array_equal(x[:, 0], y)       # images stay with their labels
        seen.extend(y.tolist())
    assert ds.epochs_completed == 2     # counted when a batch goes past the end, as in TF
    for e in range(3):
        assert sorted(seen[7 * e:7 * e + 7]) == list(range(7))
    x, y = ds.next_batch(20)                    # larger than the data set
    assert x.shape == (20, 3)
    with pytest.raises(ValueError, match="batch_size"):
        ds.next_batch(0)


def test_next_batch_is_reproducible_with_a_seed():
    a = mnist.DataSet(np.zeros((10, 2)), np.arange(10), seed=5)
    b = mnist.DataSet(np.zeros((10, 2)), np.arange(10), seed=5)
    for _ in range(4):
        np.testing.assert_array_equal(a.next_batch(4)[1], b.next_batch(4)[1])


def _bad(tmp_path, data, name="bad-idx1-ubyte", gz=False):
    path = str(tmp_path / (name + (".gz" if gz else "")))
    _write(path, data)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("data, message", [
    (b"\x00\x00", "ends early"),
    (b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"\x01\x02", "magic number"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 2) + b"\x01\x02", "element type 0x07"),
    (b"\x00\x00\x08\x02" + struct.pack(">II", 1, 2) + b"\x01\x02", "rank 2, expected 1"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"\x01\x02", "5"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 2) + b"\x01\x02\x03", "after the data|need 2"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 0xFFFFFFFF), "bytes"),
])
def test_malformed_label_files_raise_data_loss_naming_the_file(tmp_path, gz, data, message):
    path = _bad(tmp_path, data, gz=gz)
    with pytest.raises(errors.DataLossError, match=message) as info:
        mnist.extract_labels(path)
    assert path in str(info.value) and "offset" in str(info.value)


def test_huge_image_dimensions_are_refused_before_reading(tmp_path):
    data = b"\x00\x00\x08\x03" + struct.pack(">III", 60000, 65535, 65535)
    path = _bad(tmp_path, data, "train-images-idx3-ubyte", gz=True)
    with pytest.raises(errors.DataLossError, match="bytes"):
        mnist.extract_images(path)


def test_corrupt_gzip_is_data_loss(tmp_path):
    good = gzip.compress(_idx_bytes(np.arange(50, dtype=np.uint8) % 10))
    corrupt = good[:20] + bytes(b ^ 0xFF for b in good[20:30]) + good[30:]
    path = str(tmp_path / "x-idx1-ubyte.gz")
    with open(path, "wb") as f:
        f.write(corrupt)
    with pytest.raises(errors.DataLossError, match="x-idx1-ubyte.gz"):
        mnist.extract_labels(path)
    with open(path, "wb") as f:
        f.write(good[:-6])                      # truncated: the CRC and size are missing
    with pytest.raises(errors.DataLossError):
        mnist.extract_labels(path)


def test_label_out_of_range_and_count_mismatch(tmp_path):
    path = _bad(tmp_path, _idx_bytes(np.array([1, 2, 12, 3], np.uint8)))
    with pytest.raises(errors.DataLossError, match="label 12 of example 2"):
        mnist.extract_labels(path)
    _make_set(str(tmp_path), n_train=6)
    mnist.write_idx(str(tmp_path / mnist.TRAIN_LABELS), np.zeros(5, np.uint8))
    with pytest.raises(errors.DataLossError, match="6 images but 5 labels"):
        mnist.read_data_sets(str(tmp_path), validation_size=0)


def test_missing_files_are_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="train-images-idx3-ubyte"):
        mnist.read_data_sets(str(tmp_path))


def test_write_idx_round_trips_other_types(tmp_path):
    for arr in (np.arange(-3, 3, dtype=np.int8).reshape(2, 3),
                np.linspace(0, 1, 6).astype(np.float32).reshape(3, 2),
                np.arange(4, dtype=np.int32) * 100000):
        path = str(tmp_path / "a.idx")
        mnist.write_idx(path, arr)
        got = mnist.read_idx(path)
        assert got.dtype == arr.dtype.newbyteorder("=") or got.dtype == arr.dtype
        np.testing.assert_array_equal(got, arr)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]   # no temp files left
