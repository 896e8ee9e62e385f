"""Input pipelines (eager.data): the issue's MNIST-shaped epoch, and the
per-element costs of the generic (non-gathering) path and of TFRecord reading.

The target (issue 5): one epoch of
    from_tensor_slices((60000x784 float32, 60000 int64)).shuffle(10000).batch(50).prefetch(1)
iterated in Python at >= 2x tf.data's 5,941 batches/s (measured on this
machine), i.e. an epoch of 1,200 batches in <= 101 ms. compare.py's
`data_pipeline` row prints the ratio against tf.data when it is installed.
"""
import os
import shutil
import tempfile

import numpy as np

from . import SEED, eager_or_skip


EXAMPLES, FEATURES, BATCH, BUFFER = 60000, 784, 50, 10000


def data_or_skip():
    """eager with its data and io packages, or NotImplementedError (skipped)."""
    tf = eager_or_skip()
    try:
        import eager.data  # noqa: F401
        import eager.io  # noqa: F401
    except Exception as e:
        raise NotImplementedError("eager.data does not import: %s: %s" % (type(e).__name__, e))
    return tf


def mnist_like():
    rng = np.random.RandomState(SEED)
    images = rng.random_sample((EXAMPLES, FEATURES)).astype(np.float32)
    labels = rng.randint(0, 10, EXAMPLES).astype(np.int64)
    return images, labels


class MnistEpoch:
    """One epoch of the issue's pipeline (1,200 batches of 50 x 784)."""
    timeout = 300

    def setup(self):
        tf = data_or_skip()
        images, labels = mnist_like()
        self.dataset = tf.data.Dataset.from_tensor_slices((images, labels)) \
            .shuffle(BUFFER).batch(BATCH).prefetch(1)
        self.unprefetched = tf.data.Dataset.from_tensor_slices((images, labels)) \
            .shuffle(BUFFER).batch(BATCH)

    def time_shuffle_batch_prefetch_epoch(self):
        for _ in self.dataset:
            pass

    def time_shuffle_batch_epoch_no_prefetch(self):
        for _ in self.unprefetched:
            pass

    def track_batches_per_second(self):
        import time
        start = time.perf_counter()
        n = 0
        for _ in self.dataset:
            n += 1
        return n / (time.perf_counter() - start)
    track_batches_per_second.unit = "batches/s"


class ElementwisePath:
    """10,000 scalar elements through map (which leaves the gathering path),
    shuffle and batch: the per-element Python cost of a pipeline."""

    def setup(self):
        tf = data_or_skip()
        self.dataset = tf.data.Dataset.range(10000).map(lambda x: x) \
            .shuffle(1000, seed=1).batch(100)
        self.parallel = tf.data.Dataset.range(10000).map(
            lambda x: x, num_parallel_calls=2).batch(100)

    def time_map_shuffle_batch(self):
        for _ in self.dataset:
            pass

    def time_parallel_map_batch(self):
        for _ in self.parallel:
            pass


class TFRecordRead:
    """Reading 10,000 records of 1 KiB with both CRCs checked."""
    timeout = 120

    def setup(self):
        tf = data_or_skip()
        self.dir = tempfile.mkdtemp(prefix="eager-bench-")
        self.path = os.path.join(self.dir, "bench.tfrecord")
        payload = np.random.RandomState(SEED).bytes(1024)
        with tf.io.TFRecordWriter(self.path) as w:
            for _ in range(10000):
                w.write(payload)
        self.dataset = tf.data.TFRecordDataset(self.path)
        self.batched = tf.data.TFRecordDataset(self.path).batch(100)

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def time_read_records(self):
        for _ in self.dataset:
            pass

    def time_read_records_batched(self):
        for _ in self.batched:
            pass
