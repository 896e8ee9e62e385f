"""scikit-learn's bundled handwritten digits (1,797 8x8 images, installed
with scikit-learn, nothing downloaded) shaped like MNIST: each image is
upsampled bilinearly to 20x20 and centred in a 28x28 frame (MNIST's own
layout: digits in a 20x20 box inside 28x28), values in [0, 1]. So the
seed's 28x28 MNIST model runs on it unchanged.

    data = read_data_sets(one_hot=True)      # train/validation/test DataSets
    images, labels = data.train.next_batch(50)
"""
import numpy as np

from eager.datasets.mnist import DataSet, Datasets, dense_to_one_hot

IMAGE_SIZE = 28
_BOX = 20


def _interpolation_matrix(n_out, n_in):
    """(n_out, n_in) weights of bilinear resampling, pixel centres aligned
    (half-pixel convention), edges clamped."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    src = np.clip(src, 0, n_in - 1)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), lo] += 1 - frac
    m[np.arange(n_out), hi] += frac
    return m


def upsample_to_mnist(images8):
    """(n, 8, 8) images with values in [0, 16] -> (n, 28, 28) float32 in
    [0, 1]: bilinear to 20x20, zero padding of 4 on every side."""
    images8 = np.asarray(images8, dtype=np.float64)
    if images8.ndim != 3 or images8.shape[1] != images8.shape[2]:
        raise ValueError("upsample_to_mnist: expected (n, k, k) images, got shape %s"
                         % (images8.shape,))
    a = _interpolation_matrix(_BOX, images8.shape[1])
    box = np.einsum("ij,njk,lk->nil", a, images8, a) / 16.0
    pad = (IMAGE_SIZE - _BOX) // 2
    out = np.zeros((len(images8), IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    out[:, pad:pad + _BOX, pad:pad + _BOX] = np.clip(box, 0.0, 1.0)
    return out


def load_digits_28x28():
    """(images (1797, 28, 28) float32 in [0, 1], labels (1797,) int64)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("the digits data set comes with scikit-learn: pip install "
                          "scikit-learn (or eager[examples])") from e
    d = load_digits()
    return upsample_to_mnist(d.images), d.target.astype(np.int64)


def split_indices(labels, test_fraction, seed=0):
    """A stratified split: round(test_fraction * count) examples of every
    class go to the test set, chosen by a generator seeded with `seed` (the
    same split every run). Returns (train_indices, test_indices), sorted."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("split_indices: test_fraction must be in (0, 1), got %r"
                         % (test_fraction,))
    rng = np.random.default_rng(seed)
    train, test = [], []
    labels = np.asarray(labels)
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def shifted_copies(images, pixels=2):
    """`images` (n, h, w[, c]) followed by four copies shifted by `pixels` down,
    up, right and left (zero fill): 5n images. The digits sit in a zero
    border of 4 pixels, so shifts of up to 4 lose nothing of them."""
    images = np.asarray(images)
    out = [images]
    for axis, step in ((1, pixels), (1, -pixels), (2, pixels), (2, -pixels)):
        shifted = np.zeros_like(images)
        src = [slice(None)] * images.ndim
        dst = [slice(None)] * images.ndim
        if step > 0:
            src[axis], dst[axis] = slice(0, -step), slice(step, None)
        else:
            src[axis], dst[axis] = slice(-step, None), slice(0, step)
        shifted[tuple(dst)] = images[tuple(src)]
        out.append(shifted)
    return np.concatenate(out)


def read_data_sets(one_hot=True, test_fraction=0.2, validation_size=0, reshape=True,
                   seed=0, dtype="float32", augment=False):
    """Datasets(train, validation, test) of the 28x28 digits, like the MNIST
    read_data_sets: images (n, 784) float32 in [0, 1] (reshape=False:
    (n, 28, 28, 1)), labels one-hot (n, 10) or class ids.

    test_fraction: the share of each class held out for testing (20%:
    1,438 training and 359 test images). validation_size: examples of the
    training part kept for validation. seed: the split and the shuffles.
    augment: add to the training set its images shifted by 2 pixels in each
    of four directions (5x the training examples; validation and test are
    left as they are).
    """
    images, labels = load_digits_28x28()
    train_idx, test_idx = split_indices(labels, test_fraction, seed)
    images = images[..., np.newaxis]
    ys = dense_to_one_hot(labels, 10) if one_hot else labels
    rng = np.random.default_rng(seed + 1)
    train_idx = rng.permutation(train_idx)
    if not 0 <= validation_size <= len(train_idx):
        raise ValueError("read_data_sets: validation_size should be between 0 and %d, got %d"
                         % (len(train_idx), validation_size))
    val_idx, train_idx = train_idx[:validation_size], train_idx[validation_size:]
    kw = dict(dtype=dtype, reshape=reshape, seed=seed)
    train_x, train_y = images[train_idx], ys[train_idx]
    if augment:
        train_x = shifted_copies(train_x)
        train_y = np.concatenate([train_y] * 5)
    return Datasets(train=DataSet(train_x, train_y, **kw),
                    validation=DataSet(images[val_idx], ys[val_idx], **kw),
                    test=DataSet(images[test_idx], ys[test_idx], **kw))
