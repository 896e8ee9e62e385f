"""MNIST from its standard IDX files (TensorFlow's
tensorflow.examples.tutorials.mnist.input_data.read_data_sets, without the
download): train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or .gz.

    data = read_data_sets("./mnist_data", one_hot=True)
    images, labels = data.train.next_batch(50)   # (50, 784) float32 in [0, 1]

Every file is checked before it is used (magic number, element type, rank,
sizes against the file's length, labels in range); a malformed file raises
eager.errors.DataLossError naming the file and the offset.
"""
import collections
import gzip
import os
import struct
import zlib

import numpy as np

from eager import errors
from eager.util.fileio import atomic_write

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"

# IDX element types: code -> big-endian NumPy dtype.
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

# Larger than any real IDX file of this kind; a header asking for more is
# malformed, and nothing is allocated for it.
_MAX_BYTES = 1 << 31


def _data_loss(path, offset, message):
    return errors.DataLossError(None, None, "%s: %s (at byte offset %d)"
                                % (path, message, offset))


def _open(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _read_exact(f, n, path, offset, what):
    try:
        data = f.read(n)
    except (OSError, EOFError, zlib.error) as e:     # gzip.BadGzipFile is an OSError
        raise _data_loss(path, offset, "cannot read %s: %s" % (what, e)) from None
    if len(data) != n:
        raise _data_loss(path, offset + len(data),
                         "the file ends early: %s needs %d bytes, %d were left"
                         % (what, n, len(data)))
    return data


def read_idx(path, expected_ndim=None, expected_type=None):
    """The array in IDX file `path` (gzip-compressed when it ends in .gz).

    expected_ndim / expected_type: the rank and IDX type code (0x08 for
    unsigned bytes) the file must have. Raises DataLossError for a bad
    magic number, an unknown type, a size that does not match the file's
    length, or trailing bytes; NotFoundError when the file is missing.
    """
    if not os.path.isfile(path):
        raise errors.NotFoundError(None, None, "%s: no such file" % path)
    with _open(path) as f:
        magic = _read_exact(f, 4, path, 0, "the magic number")
        if magic[0] != 0 or magic[1] != 0:
            raise _data_loss(path, 0, "not an IDX file: the magic number 0x%s must start "
                             "with two zero bytes" % magic.hex())
        type_code, ndim = magic[2], magic[3]
        if type_code not in _IDX_TYPES:
            raise _data_loss(path, 2, "unknown IDX element type 0x%02x" % type_code)
        if expected_type is not None and type_code != expected_type:
            raise _data_loss(path, 2, "IDX element type 0x%02x, expected 0x%02x"
                             % (type_code, expected_type))
        if expected_ndim is not None and ndim != expected_ndim:
            raise _data_loss(path, 3, "IDX rank %d, expected %d (magic number 0x%s)"
                             % (ndim, expected_ndim, magic.hex()))
        if ndim == 0:
            raise _data_loss(path, 3, "IDX rank 0: no dimensions")
        dims = struct.unpack(">%dI" % ndim, _read_exact(f, 4 * ndim, path, 4, "the dimensions"))
        dtype = _IDX_TYPES[type_code]
        nbytes = dtype.itemsize
        for d in dims:
            nbytes *= d
        offset = 4 + 4 * ndim
        if nbytes > _MAX_BYTES:
            raise _data_loss(path, 4, "dimensions %s ask for %d bytes, more than the %d an "
                             "IDX file here may hold" % (list(dims), nbytes, _MAX_BYTES))
        if not path.endswith(".gz"):
            # Check the length before reading anything large.
            size = os.path.getsize(path)
            if size != offset + nbytes:
                raise _data_loss(path, min(size, offset + nbytes),
                                 "the header's dimensions %s need %d data bytes after the "
                                 "%d-byte header, the file has %d"
                                 % (list(dims), nbytes, offset, size - offset))
        data = _read_exact(f, nbytes, path, offset, "the data (dimensions %s)" % list(dims))
        try:
            rest = f.read(1)                # for .gz this also checks the CRC
        except (OSError, EOFError, zlib.error) as e:
            raise _data_loss(path, offset + nbytes, "corrupt after the data: %s" % e) from None
        if rest:
            raise _data_loss(path, offset + nbytes, "unexpected bytes after the data "
                             "(dimensions %s)" % list(dims))
    arr = np.frombuffer(data, dtype=dtype).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=False) if dtype.byteorder == ">" else arr


def _find(train_dir, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(train_dir, candidate)
        if os.path.isfile(path):
            return path
    raise errors.NotFoundError(None, None, "MNIST: neither %s nor %s.gz is in %s (this loader "
                               "does not download; put the four IDX files there)"
                               % (name, name, train_dir))


def extract_images(path):
    """The (n, rows, cols, 1) uint8 images of an IDX3 image file."""
    images = read_idx(path, expected_ndim=3, expected_type=0x08)
    return images[..., np.newaxis]


def extract_labels(path, one_hot=False, num_classes=10):
    """The (n,) uint8 labels of an IDX1 label file, or (n, num_classes)
    one-hot float rows. Labels outside [0, num_classes) are a DataLossError."""
    labels = read_idx(path, expected_ndim=1, expected_type=0x08)
    if labels.size and int(labels.max()) >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise _data_loss(path, 8 + bad, "label %d of example %d is not in [0, %d)"
                         % (int(labels[bad]), bad, num_classes))
    if one_hot:
        return dense_to_one_hot(labels, num_classes)
    return labels


def dense_to_one_hot(labels, num_classes):
    """Class ids (n,) to one-hot rows (n, num_classes) of float32."""
    labels = np.asarray(labels).astype(np.int64).ravel()
    out = np.zeros((labels.size, num_classes), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out


class DataSet(object):
    """Images and labels with `next_batch` (TensorFlow's mnist DataSet).

    images: (n, rows, cols, 1) uint8 or (n, features) floats. dtype
    float32 scales uint8 images to [0, 1]; uint8 keeps them. reshape
    flattens each image to rows*cols. seed: for the shuffles.
    """

    def __init__(self, images, labels, dtype="float32", reshape=True, seed=None):
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.shape[0] != labels.shape[0]:
            raise ValueError("DataSet: %d images but %d labels"
                             % (images.shape[0], labels.shape[0]))
        dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
        if dtype not in (np.dtype("float32"), np.dtype("uint8")):
            raise TypeError("DataSet: dtype must be uint8 or float32, got %s" % dtype)
        if reshape and images.ndim == 4:
            images = images.reshape(images.shape[0], int(np.prod(images.shape[1:])))
        if dtype == np.float32 and images.dtype == np.uint8:
            images = images.astype(np.float32) * np.float32(1.0 / 255.0)
        elif dtype == np.float32:
            images = images.astype(np.float32, copy=False)
        self._images = images
        self._labels = labels
        self._num_examples = images.shape[0]
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._rng = np.random.default_rng(seed)

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` (images, labels). Examples are shuffled at
        the start of every epoch; a batch that crosses the end of an epoch
        takes the rest of it and the start of the next."""
        if fake_data:
            raise ValueError("next_batch: fake_data is not supported")
        batch_size = int(batch_size)
        n = self._num_examples
        if batch_size <= 0 or n == 0:
            raise ValueError("next_batch: batch_size must be positive and the data set "
                             "non-empty (batch_size %d, %d examples)" % (batch_size, n))
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= n:
            self._index_in_epoch = start + batch_size
            return self._images[start:start + batch_size], self._labels[start:start + batch_size]
        parts_x, parts_y = [self._images[start:n]], [self._labels[start:n]]
        need = batch_size - (n - start)
        while True:
            self._epochs_completed += 1
            if shuffle:
                self._shuffle()
            take = min(need, n)
            parts_x.append(self._images[:take])
            parts_y.append(self._labels[:take])
            need -= take
            self._index_in_epoch = take
            if need == 0:
                break
        return np.concatenate(parts_x), np.concatenate(parts_y)

    def _shuffle(self):
        perm = self._rng.permutation(self._num_examples)
        self._images = self._images[perm]
        self._labels = self._labels[perm]


Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype="float32", reshape=True,
                   validation_size=5000, seed=None, source_url=None):
    """The train, validation and test DataSets from the IDX files in
    `train_dir` (TensorFlow's read_data_sets; nothing is downloaded).

    one_hot: labels as (n, 10) float32 rows. dtype: float32 (images in
    [0, 1]) or uint8. reshape: images as (n, 784). validation_size: the first
    examples of the training files that form the validation set.
    """
    if fake_data:
        raise ValueError("read_data_sets: fake_data is not supported")
    train_images = extract_images(_find(train_dir, TRAIN_IMAGES))
    train_labels = extract_labels(_find(train_dir, TRAIN_LABELS), one_hot=one_hot)
    test_images = extract_images(_find(train_dir, TEST_IMAGES))
    test_labels = extract_labels(_find(train_dir, TEST_LABELS), one_hot=one_hot)
    for images, labels, what in ((train_images, train_labels, "training"),
                                 (test_images, test_labels, "test")):
        if images.shape[0] != labels.shape[0]:
            raise errors.DataLossError(None, None, "MNIST in %s: the %s files disagree: %d "
                                       "images but %d labels" % (train_dir, what,
                                                                 images.shape[0],
                                                                 labels.shape[0]))
    if not 0 <= validation_size <= len(train_images):
        raise ValueError("read_data_sets: validation_size should be between 0 and %d, got %d"
                         % (len(train_images), validation_size))
    kw = dict(dtype=dtype, reshape=reshape, seed=seed)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **kw)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **kw)
    test = DataSet(test_images, test_labels, **kw)
    return Datasets(train=train, validation=validation, test=test)


def load_data(path):
    """Keras's mnist.load_data from a directory of IDX files:
    ((x_train, y_train), (x_test, y_test)), images (n, 28, 28) uint8."""
    xtr = extract_images(_find(path, TRAIN_IMAGES))[..., 0]
    ytr = extract_labels(_find(path, TRAIN_LABELS))
    xte = extract_images(_find(path, TEST_IMAGES))[..., 0]
    yte = extract_labels(_find(path, TEST_LABELS))
    return (xtr, ytr), (xte, yte)


def write_idx(path, array):
    """Writes `array` (uint8, int8, >i2, >i4, >f4, >f8 data) as an IDX file
    (gzip-compressed when `path` ends in .gz), atomically: a temporary file
    in the same folder, fsynced, then renamed over `path`."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("=").str: k for k, v in _IDX_TYPES.items()}
    key = array.dtype.newbyteorder("=").str
    if key not in codes or array.ndim == 0 or array.ndim > 255:
        raise TypeError("write_idx: cannot store a %s array of rank %d in IDX"
                        % (array.dtype, array.ndim))
    code = codes[key]
    body = (bytes([0, 0, code, array.ndim]) + struct.pack(">%dI" % array.ndim, *array.shape)
            + np.ascontiguousarray(array, dtype=_IDX_TYPES[code]).tobytes())
    if path.endswith(".gz"):
        body = gzip.compress(body, mtime=0)
    atomic_write(path, lambda f: f.write(body))
