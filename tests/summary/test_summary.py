"""eager.summary: event files read back with TensorBoard's own readers, and
with eager's TFRecord reader (CRCs checked) independently of tensorboard."""
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import eager as tf  # noqa: E402
from eager import errors, summary  # noqa: E402
from eager.io.tfrecord import read_records  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def load(logdir):
    acc = ea.EventAccumulator(str(logdir), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    return acc


def series(acc, tag):
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def events_of(path):
    return [event_pb2.Event.FromString(r) for r in read_records(path)]


@pytest.fixture(autouse=True)
def clean_state():
    yield
    summary.experimental.set_step(None)
    from eager.summary._state import STATE
    STATE.writer, STATE.condition = None, True


def test_scalar_histogram_image_text_read_by_tensorboard(tmp_path):
    writer = summary.create_file_writer(str(tmp_path))
    data = np.random.default_rng(0).standard_normal(1000)
    images = np.random.default_rng(1).random((5, 7, 4, 3)).astype(np.float32)
    with writer.as_default():
        for step in range(4):
            assert summary.scalar("loss", tf.constant(0.5 * step), step=step)
        assert summary.histogram("weights", tf.constant(data), step=3)
        assert summary.image("inputs", images, step=3, max_outputs=2)
        assert summary.text("note", "ok **bold**", step=5)
    writer.close()
    (name,) = os.listdir(tmp_path)
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    acc = load(tmp_path)
    assert acc.file_version == 2.0
    assert [(s, float(v)) for s, v in series(acc, "loss")] == [(0, 0.0), (1, 0.5), (2, 1.0),
                                                               (3, 1.5)]
    assert acc.SummaryMetadata("loss").plugin_data.plugin_name == "scalars"
    ((step, hist),) = series(acc, "weights")
    assert step == 3 and hist.shape == (30, 3) and hist[:, 2].sum() == 1000
    np.testing.assert_allclose([hist[0, 0], hist[-1, 1]], [data.min(), data.max()])
    np.testing.assert_allclose(hist[:, 2], np.histogram(data, bins=30)[0])
    assert acc.SummaryMetadata("weights").plugin_data.plugin_name == "histograms"
    ((_, img),) = series(acc, "inputs")
    assert list(img[:2]) == [b"4", b"7"] and len(img) == 4       # width, height, 2 PNGs
    pixels = decode_png(img[2])
    np.testing.assert_array_equal(pixels, np.clip(images[0] * 255.5, 0, 255).astype(np.uint8))
    assert acc.SummaryMetadata("inputs").plugin_data.plugin_name == "images"
    ((step, note),) = series(acc, "note")
    assert step == 5 and note == b"ok **bold**"
    assert acc.SummaryMetadata("note").plugin_data.plugin_name == "text"


def decode_png(png):
    """The pixels of an 8-bit, non-interlaced, filter-0 PNG (what we write)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + n
    w, h, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    c = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + w * c)
    assert depth == 8 and (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, c)


def test_tensorboard_data_provider_reads_scalars_and_images(tmp_path):
    # What the TensorBoard UI's backend serves.
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    w = summary.create_file_writer(str(tmp_path / "run"))
    with w.as_default(step=2):
        summary.scalar("acc", 0.75)
        summary.image("im", np.zeros((1, 3, 5, 1), np.uint8))
    w.close()
    mux = plugin_event_multiplexer.EventMultiplexer()
    mux.AddRunsFromDirectory(str(tmp_path))
    mux.Reload()
    dp = data_provider.MultiplexerDataProvider(mux, str(tmp_path))
    ctx = context.RequestContext()
    got = dp.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=10)
    assert [(d.step, d.value) for d in got["run"]["acc"]] == [(2, 0.75)]
    blobs = dp.read_blob_sequences(ctx, experiment_id="", plugin_name="images", downsample=10)
    png = dp.read_blob(ctx, blob_key=blobs["run"]["im"][0].values[2].blob_key)
    assert decode_png(png).shape == (3, 5, 1)


def test_file_is_valid_tfrecords_without_tensorboard_reader(tmp_path):
    w = summary.create_file_writer(str(tmp_path), filename_suffix=".x")
    with w.as_default():
        for i in range(25):
            summary.scalar("s", i, step=i)
    w.close()
    evs = events_of(w.path)          # both CRCs of each record verified by eager's reader
    assert w.path.endswith(".x")
    assert evs[0].file_version == "brain.Event:2" and evs[0].step == 0
    values = [e.summary.value[0] for e in evs[1:]]
    assert [e.step for e in evs[1:]] == list(range(25))
    assert values[0].metadata.plugin_data.plugin_name == "scalars"
    assert not any(v.HasField("metadata") for v in values[1:])   # metadata once per tag
    assert [struct.unpack("<f", v.tensor.tensor_content)[0] for v in values] == list(range(25))
    ds = list(tf.data.TFRecordDataset(w.path))
    assert len(ds) == 26


def test_record_if_and_no_writer_write_nothing(tmp_path):
    assert summary.scalar("x", 1.0, step=0) is False          # no default writer
    assert summary.should_record_summaries() is False
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        with summary.record_if(False):
            assert summary.scalar("x", 1.0, step=0) is False
            assert summary.histogram("h", [1.0], step=0) is False
        flag = [True]
        with summary.record_if(lambda: flag[0]):
            assert summary.scalar("x", 2.0, step=1)
            flag[0] = False
            assert summary.scalar("x", 3.0, step=2) is False
        with summary.never_record_summaries():
            assert not summary.text("t", "a", step=1)
        with summary.record_if(tf.constant(True)):
            assert summary.scalar("x", 4.0, step=3)
    with summary.create_noop_writer().as_default():
        assert summary.scalar("x", 5.0, step=4) is False
    w.close()
    assert [(s, float(v)) for s, v in series(load(tmp_path), "x")] == [(1, 2.0), (3, 4.0)]


def test_every_n_global_steps_and_variable_default_step(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    summary.experimental.set_step(step)
    assert summary.experimental.get_step() is step
    with w.as_default(), summary.record_summaries_every_n_global_steps(3, step):
        for i in range(10):
            summary.scalar("loss", i * 1.0)        # step read at write time
            step.assign_add(1)
    w.close()
    assert [s for s, _ in series(load(tmp_path), "loss")] == [0, 3, 6, 9]


def test_global_step_is_the_fallback_step(tmp_path):
    from eager.train import training_util
    gs = training_util.get_or_create_global_step()
    gs.assign(41)
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        summary.scalar("y", 1.0)
        with summary.record_summaries_every_n_global_steps(2):
            assert not summary.scalar("z", 1.0)       # 41 % 2 != 0
    w.close()
    gs.assign(0)
    assert [s for s, _ in series(load(tmp_path), "y")] == [41]


def test_missing_step_and_bad_input_raise(tmp_path, monkeypatch):
    from eager.train import training_util
    monkeypatch.setattr(training_util, "_global_step", [None])
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        with pytest.raises(ValueError, match="no step set"):
            summary.scalar("a", 1.0)
        with pytest.raises(ValueError, match="scalar integer"):
            summary.scalar("a", 1.0, step=1.5)
        with pytest.raises(ValueError, match="real scalar"):
            summary.scalar("a", [1.0, 2.0], step=0)
        with pytest.raises(ValueError, match="channels"):
            summary.image("i", np.zeros((2, 3, 3)), step=0)
        with pytest.raises(TypeError, match="strings"):
            summary.text("t", [1, 2], step=0)
        with pytest.raises(errors.InvalidArgumentError, match="NaN"):
            summary.histogram("h", [1.0, np.nan], step=0)
        with pytest.raises(ValueError, match="buckets"):
            summary.histogram("h", [1.0], step=0, buckets=-1)
        with pytest.raises(ValueError, match="int64"):
            summary.scalar("a", 1.0, step=2 ** 63)
        with pytest.raises(ValueError, match="height and width"):
            summary.image("i", np.zeros((1, 0, 3, 3)), step=0)
    with pytest.raises(ValueError, match="logdir"):
        summary.create_file_writer(None)
    w.close()


def test_histogram_edge_cases(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=1):
        summary.histogram("same", np.full(7, 2.5), buckets=4)
        summary.histogram("empty", np.zeros(0))
        summary.histogram("ints", tf.constant([[1, 2], [3, 4]]), buckets=3)
    w.close()
    acc = load(tmp_path)
    same = series(acc, "same")[0][1]
    np.testing.assert_array_equal(same, [[2.5, 2.5, 0]] * 3 + [[2.5, 2.5, 7]])
    assert series(acc, "empty")[0][1].shape == (30, 3) and not series(acc, "empty")[0][1].any()
    np.testing.assert_array_equal(series(acc, "ints")[0][1][:, 2], [1, 1, 2])


def test_write_generic_and_raw_pb(tmp_path):
    from tensorboard.compat.proto import summary_pb2
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=7):
        md = summary_pb2.SummaryMetadata(plugin_data={"plugin_name": "custom"})
        assert summary.write("vec", tf.constant([1, 2, 3]), metadata=md)
        assert summary.write("lazy", lambda: np.eye(2), metadata=md.SerializeToString())
        raw = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="legacy",
                                                                   simple_value=3.5)])
        assert summary.experimental.write_raw_pb(raw.SerializeToString())
    w.close()
    acc = load(tmp_path)
    assert series(acc, "vec")[0][1].tolist() == [1, 2, 3]
    assert series(acc, "vec")[0][1].dtype == np.int32
    np.testing.assert_array_equal(series(acc, "lazy")[0][1], np.eye(2))
    assert acc.SummaryMetadata("lazy").plugin_data.plugin_name == "custom"
    assert [(e.step, e.value) for e in acc.Scalars("legacy")] == [(7, 3.5)]


def test_queue_flush_close_semantics(tmp_path):
    w = summary.create_file_writer(str(tmp_path), max_queue=3, flush_millis=10 ** 9)
    path = w.path
    assert len(events_of(path)) == 1                # the version event is written at once
    w.set_as_default()
    for i in range(3):
        summary.scalar("a", 1.0, step=i)
    assert len(events_of(path)) == 1                # 3 queued, not more than max_queue
    summary.scalar("a", 1.0, step=3)
    assert len(events_of(path)) == 5                # the 4th flushed all, whole records
    summary.scalar("a", 1.0, step=4)
    summary.flush()
    assert len(events_of(path)) == 6
    w2 = summary.create_file_writer(str(tmp_path / "b"), flush_millis=0)
    with w2.as_default():
        summary.scalar("b", 1.0, step=0)
        assert len(events_of(w2.path)) == 2         # flush_millis elapsed
    w.set_as_default()
    summary.scalar("a", 1.0, step=5)
    w.close()
    w.close()                                       # twice is fine
    assert len(events_of(path)) == 7
    with pytest.raises(errors.FailedPreconditionError, match="closed"):
        summary.scalar("a", 1.0, step=6)            # still the default writer, but closed
    with pytest.raises(RuntimeError, match="closed"):
        w.as_default().__enter__()
    w2.close()
    assert w.closed and len(events_of(path)) == 7


def test_flush_at_exit_and_no_tensorboard_needed_to_import(tmp_path):
    # One subprocess: import eager with tensorboard hidden (import works,
    # summaries without a writer are no-ops, create_file_writer names the
    # package), then write with tensorboard and exit without closing.
    code = r"""
import sys, importlib.abc
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "tensorboard" or name.startswith("tensorboard."):
            raise ImportError("hidden " + name)
sys.meta_path.insert(0, Hide())
import eager, eager.summary as s
assert s.scalar("x", 1.0, step=0) is False
try:
    s.create_file_writer(sys.argv[1])
except ImportError as e:
    assert "pip install eager[summary]" in str(e) and "tensorboard" in str(e), e
else:
    raise AssertionError("no ImportError")
sys.meta_path.pop(0)
s._events._PROTOS = None
w = s.create_file_writer(sys.argv[1], max_queue=100)
w.set_as_default()
for i in range(5):
    s.scalar("x", float(i), step=i)
"""
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120,
                   cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert [s for s, _ in series(load(tmp_path), "x")] == [0, 1, 2, 3, 4]


def test_dropped_writer_is_flushed_and_not_kept_alive(tmp_path):
    import gc
    import weakref
    w = summary.create_file_writer(str(tmp_path), max_queue=100)
    with summary.record_if(True):
        w.set_as_default()
        summary.scalar("x", 1.0, step=3)
    from eager.summary._state import STATE
    STATE.writer = None
    path, ref = w.path, weakref.ref(w)
    del w
    gc.collect()
    assert ref() is None                           # the at-exit registry holds it weakly
    assert [e.step for e in events_of(path)] == [0, 3]
