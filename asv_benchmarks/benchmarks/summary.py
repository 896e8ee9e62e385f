"""Summaries and metrics: the cost of writing one scalar summary to a
TensorBoard event file (queue, serialize, frame, periodic flush), of a
histogram of 100,000 values, and of streaming metric updates."""
import shutil
import tempfile

import numpy as np

from . import LOOP, SEED, eager_or_skip


def _summary_or_skip():
    tf = eager_or_skip()
    try:
        import tensorboard  # noqa: F401  (writing needs it)
        import eager.summary as summary
    except Exception as e:
        raise NotImplementedError("eager.summary cannot write: %s: %s" % (type(e).__name__, e))
    return tf, summary


class ScalarSummary:
    """tf.summary.scalar under a file writer (default max_queue=10). Each
    timed call writes LOOP (1000) scalars: the time shown in milliseconds is
    the time per scalar in microseconds."""

    def setup(self):
        self.tf, self.summary = _summary_or_skip()
        self.logdir = tempfile.mkdtemp()
        self.writer = self.summary.create_file_writer(self.logdir)
        self.writer.set_as_default()
        self.value = self.tf.constant(0.5)
        self.loop = range(LOOP)

    def teardown(self):
        self.writer.close()
        shutil.rmtree(self.logdir, ignore_errors=True)

    def time_scalar_python_float(self):
        scalar = self.summary.scalar
        for i in self.loop:
            scalar("loss", 0.25, step=i)

    def time_scalar_tensor(self):
        scalar, v = self.summary.scalar, self.value
        for i in self.loop:
            scalar("loss", v, step=i)

    def time_scalar_not_recording(self):
        scalar = self.summary.scalar
        with self.summary.record_if(False):
            for i in self.loop:
                scalar("loss", 0.25, step=i)


class HistogramSummary:
    """A 30-bucket histogram of 100,000 float32 values."""

    def setup(self):
        self.tf, self.summary = _summary_or_skip()
        self.logdir = tempfile.mkdtemp()
        self.writer = self.summary.create_file_writer(self.logdir)
        self.writer.set_as_default()
        self.data = self.tf.constant(
            np.random.RandomState(SEED).standard_normal(100000).astype(np.float32))

    def teardown(self):
        self.writer.close()
        shutil.rmtree(self.logdir, ignore_errors=True)

    def time_histogram_100k(self):
        self.summary.histogram("weights", self.data, step=1)


class MetricUpdates:
    """Streaming metric updates on a batch of 10,000 predictions."""

    def setup(self):
        tf = eager_or_skip()
        try:
            from eager import metrics
        except Exception as e:
            raise NotImplementedError("eager.metrics: %s: %s" % (type(e).__name__, e))
        rng = np.random.RandomState(SEED)
        self.y = tf.constant(rng.randint(0, 2, 10000).astype(np.float32))
        self.p = tf.constant(rng.random_sample(10000).astype(np.float32))
        self.mean, self.auc = metrics.Mean(), metrics.AUC()
        self.precision = metrics.Precision(thresholds=[0.25, 0.5, 0.75])

    def time_mean_update(self):
        self.mean.update_state(self.p)

    def time_auc_update_200_thresholds(self):
        self.auc.update_state(self.y, self.p)

    def time_precision_update_3_thresholds(self):
        self.precision.update_state(self.y, self.p)
