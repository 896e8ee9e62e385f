"""The checkpoint files: what a save leaves on disk, and refusing damaged
or hostile files (truncated, flipped bytes, pickles, bad JSON, paths that
leave the folder) with DataLossError naming the file."""
import io
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eager as tf
from eager import errors
from eager import train
from eager.train import _checkpoint_format as fmt


def _saved(tmp_path, value=None):
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3) if value is None else value)
    prefix = train.Checkpoint(v=v).write(str(tmp_path / "c"))
    index = json.loads((tmp_path / "c.index").read_text())
    return prefix, tmp_path / index["data_file"], index


def _restore(prefix):
    target = tf.Variable(np.zeros((2, 3), np.float32))
    train.Checkpoint(v=target).restore(prefix)
    return target


def test_files_on_disk_and_overwrite(tmp_path):
    prefix, data, index = _saved(tmp_path)
    assert index["format"] == "eager.checkpoint" and index["version"] == 1
    meta = index["tensors"]["v/.ATTRIBUTES/VARIABLE_VALUE"]
    assert meta["shape"] == [2, 3] and meta["dtype"] == "float32"
    with np.load(data, allow_pickle=False) as npz:     # a plain .npz
        np.testing.assert_array_equal(npz[meta["member"]], np.arange(6).reshape(2, 3))
    train.Checkpoint(v=tf.Variable(np.ones((2, 3), np.float32))).write(prefix)
    left = sorted(os.listdir(tmp_path))
    assert len(left) == 2 and not any(n.startswith(".") for n in left)   # no temp, old data gone
    np.testing.assert_array_equal(_restore(prefix).numpy(), np.ones((2, 3)))


def test_truncated_or_flipped_data_is_data_loss(tmp_path):
    prefix, data, _ = _saved(tmp_path)
    raw = data.read_bytes()
    data.write_bytes(raw[:len(raw) // 2])
    with pytest.raises(errors.DataLossError, match=str(data.name)):
        _restore(prefix)
    flipped = bytearray(raw)
    pos = raw.index(np.arange(6, dtype=np.float32).tobytes()) + 5
    flipped[pos] ^= 0xFF
    data.write_bytes(bytes(flipped))
    with pytest.raises(errors.DataLossError, match="CRC"):
        _restore(prefix)
    data.unlink()
    with pytest.raises(errors.DataLossError, match="missing"):
        _restore(prefix)


def test_bad_index_is_data_loss(tmp_path):
    prefix, _, index = _saved(tmp_path)
    path = tmp_path / "c.index"
    path.write_text('{"format": "eager.checkpoint", "version": 1, "tens')
    with pytest.raises(errors.DataLossError, match=r"c\.index: malformed JSON at byte offset"):
        _restore(prefix)
    path.write_bytes(b"\x00\x01TensorFlow SSTable")
    with pytest.raises(errors.DataLossError, match="TensorFlow's own binary"):
        _restore(prefix)
    for field, value, message in [("data_file", "../evil.data-0.npz", "bad data_file"),
                                  ("version", 99, "newer eager"),
                                  ("object_graph", [{"children": [["x", 7]]}], "bad child")]:
        bad = dict(index, **{field: value})
        path.write_text(json.dumps(bad))
        with pytest.raises(errors.DataLossError, match=message):
            _restore(prefix)
    bad = json.loads(json.dumps(index))
    bad["tensors"]["v/.ATTRIBUTES/VARIABLE_VALUE"]["numpy_dtype"] = "|O"
    path.write_text(json.dumps(bad))
    with pytest.raises(errors.DataLossError, match="unsupported dtype"):
        _restore(prefix)


def _npz_with(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, array in members.items():
            with zf.open(name + ".npy", "w") as m:
                np.lib.format.write_array(m, array, allow_pickle=True)
    return buf.getvalue()


def test_pickles_are_refused(tmp_path):
    prefix, data, _ = _saved(tmp_path)
    hostile = np.empty(1, dtype=object)
    hostile[0] = {"a": 1}
    data.write_bytes(_npz_with({"t0": hostile}))
    with pytest.raises(errors.DataLossError, match="pickled Python object array"):
        _restore(prefix)
    good = np.arange(6, dtype=np.float32).reshape(2, 3)
    data.write_bytes(_npz_with({"t0": good, "extra": hostile}))
    with pytest.raises(errors.DataLossError, match="unexpected member 'extra.npy'"):
        _restore(prefix)


def test_member_header_must_match_index(tmp_path):
    prefix, data, _ = _saved(tmp_path)
    data.write_bytes(_npz_with({"t0": np.zeros((3, 2), np.float32)}))
    with pytest.raises(errors.DataLossError, match=r"shape \(3, 2\); the index says float32 and "
                                                   r"\(2, 3\)"):
        _restore(prefix)
    data.write_bytes(_npz_with({"t0": np.zeros((2, 3), np.float64)}))
    with pytest.raises(errors.DataLossError, match="float64"):
        _restore(prefix)


def test_strings_are_not_saved(tmp_path):
    with pytest.raises(errors.UnimplementedError, match="dtype object"):
        train.Checkpoint(s=tf.Variable(["a"])).write(str(tmp_path / "s"))
    assert not os.listdir(tmp_path)


class _Interrupt(BaseException):
    pass


@pytest.mark.parametrize("stage", ["data", "index", "checkpoint"])
def test_an_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch, stage):
    v = tf.Variable(np.zeros((2, 3), np.float32))
    ckpt = train.Checkpoint(v=v)
    first = ckpt.save(str(tmp_path / "ckpt"))
    v.assign(np.ones((2, 3), np.float32))

    def interrupt(tmp, final):
        if (stage == "data" and final.endswith(".npz")) or final.endswith(stage):
            raise _Interrupt()
    monkeypatch.setattr(fmt, "_before_replace", interrupt)
    with pytest.raises(_Interrupt):
        ckpt.save(str(tmp_path / "ckpt"))
    monkeypatch.setattr(fmt, "_before_replace", None)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]   # temp removed
    assert train.latest_checkpoint(str(tmp_path)) == first
    np.testing.assert_array_equal(_restore(first).numpy(), np.zeros((2, 3)))
    if stage == "checkpoint":       # the new checkpoint is complete, only not recorded
        np.testing.assert_array_equal(_restore(first[:-1] + "2").numpy(), np.ones((2, 3)))


_DTYPES = ["bool", "int8", "uint8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
           "float16", "float32", "float64", "complex64", "complex128"]


@settings(max_examples=25, deadline=None)
@given(shapes=st.lists(st.lists(st.integers(0, 4), max_size=3), min_size=1, max_size=4),
       dtypes=st.lists(st.sampled_from(_DTYPES), min_size=4, max_size=4),
       fortran=st.booleans(), seed=st.integers(0, 2 ** 31))
def test_format_round_trip(tmp_path_factory, shapes, dtypes, fortran, seed):
    rng = np.random.default_rng(seed)
    tensors = {}
    for i, shape in enumerate(shapes):
        a = (rng.standard_normal(shape) * 100).astype(dtypes[i % 4])
        tensors["k%d/a.b/%d" % (i, i)] = np.asfortranarray(a) if fortran else a
    prefix = str(tmp_path_factory.mktemp("fmt") / "p")
    fmt.write_checkpoint(prefix, tensors, None)
    index, got = fmt.read_checkpoint(prefix)
    assert sorted(got) == sorted(tensors)
    for k, a in tensors.items():
        assert got[k].dtype == a.dtype and got[k].shape == a.shape
        np.testing.assert_array_equal(got[k], a)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_state_file_quoting_round_trip(text):
    from eager.train import checkpoint_management as mgmt
    quoted = mgmt._quote(text)
    assert all(32 <= ord(c) < 127 for c in quoted)
    assert mgmt._unquote(quoted[1:-1]) == text
