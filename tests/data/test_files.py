"""TFRecord framing and CRC-32C, file readers (text, fixed length, TFRecord,
GZIP/ZLIB), corrupt and truncated files, and cache files."""
import collections
import gzip
import os
import struct
import zlib

import numpy as np
import pytest

from eager import errors
from eager.data import (Dataset, TextLineDataset, FixedLengthRecordDataset, TFRecordDataset)
from eager.io import TFRecordWriter, TFRecordOptions, tf_record_iterator, read_file, write_file
from eager.io import decode_raw, matching_files
from eager.io import tfrecord


def crc_impls():
    impls = [("python", _python_crc32c)]
    try:
        from eager._ext import crc32c as ext
        impls += [("ext", ext.crc32c), ("ext-table", ext.crc32c_table)]
    except ImportError:
        pass
    return impls


def _python_crc32c(data):
    # Bitwise CRC-32C straight from the definition (reflected 0x82F63B78).
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---- CRC-32C -----------------------------------------------------------------------
@pytest.mark.parametrize("name,crc", crc_impls())
def test_crc32c_published_vectors(name, crc):
    # The check value of the CRC catalogue and the vectors of RFC 3720, B.4.
    assert crc(b"123456789") == 0xE3069283
    assert crc(bytes(32)) == 0x8A9136AA
    assert crc(b"\xff" * 32) == 0x62A8AB43
    assert crc(bytes(range(32))) == 0x46DD794E
    assert crc(bytes(range(31, -1, -1))) == 0x113FDB5C
    assert crc(b"") == 0


def test_crc32c_long_unaligned_inputs_agree():
    data = np.random.RandomState(0).randint(0, 256, 100003).astype(np.uint8).tobytes()
    ref = _python_crc32c(data[1:5001])
    for _, crc in crc_impls():
        assert crc(data[1:5001]) == ref
    assert tfrecord.crc32c(data[7:]) == tfrecord.crc32c(data[7:50000] + data[50000:])
    assert tfrecord.crc32c(data[7:]) == tfrecord.crc32c(data[50000:],
                                                       tfrecord.crc32c(data[7:50000]))
    assert tfrecord.masked_crc32c(b"123456789") == masked(0xE3069283)
    assert tfrecord.masked_crc32c(b"") == 0xA282EAD8


# ---- TFRecord -----------------------------------------------------------------------
def framed(rec):
    header = struct.pack("<Q", len(rec))
    return (header + struct.pack("<I", masked(_python_crc32c(header))) + rec +
            struct.pack("<I", masked(_python_crc32c(rec))))


def test_tfrecord_writer_writes_tensorflows_framing(tmp_path):
    path = str(tmp_path / "a.tfrecord")
    records = [b"hello", b"", b"x" * 1000]
    with TFRecordWriter(path) as w:
        for r in records:
            w.write(r)
    with open(path, "rb") as f:
        assert f.read() == b"".join(framed(r) for r in records)
    assert list(tf_record_iterator(path)) == records
    assert [x.numpy() for x in TFRecordDataset(path)] == records


@pytest.mark.parametrize("compression", ["GZIP", "ZLIB"])
def test_tfrecord_compressed_round_trip(tmp_path, compression):
    path = str(tmp_path / "c.tfrecord")
    records = [("rec %d" % i).encode() * (i + 1) for i in range(50)]
    with TFRecordWriter(path, TFRecordOptions(compression)) as w:
        for r in records:
            w.write(r)
    with open(path, "rb") as f:
        raw = f.read()
    body = b"".join(framed(r) for r in records)
    assert (gzip.decompress(raw) if compression == "GZIP" else zlib.decompress(raw)) == body
    assert [x.numpy() for x in TFRecordDataset(path, compression_type=compression)] == records
    # Files compressed by other tools read the same.
    other = str(tmp_path / "other")
    with open(other, "wb") as f:
        f.write(gzip.compress(body) if compression == "GZIP" else zlib.compress(body, 9))
    assert list(tf_record_iterator(other, compression)) == records


def _write(path, records):
    with TFRecordWriter(path) as w:
        for r in records:
            w.write(r)


def test_corrupt_data_raises_data_loss_with_file_and_offset(tmp_path):
    path = str(tmp_path / "bad.tfrecord")
    _write(path, [b"first", b"second", b"third"])
    with open(path, "r+b") as f:
        f.seek(16 + 5 + 12 + 2)   # inside the second record's data
        f.write(b"X")
    it = iter(TFRecordDataset(path))
    assert next(it).numpy() == b"first"
    with pytest.raises(errors.DataLossError, match=r"bad\.tfrecord.*CRC of the data.*"
                                                   r"byte offset 21"):
        next(it)


def test_corrupt_length_raises_data_loss(tmp_path):
    path = str(tmp_path / "len.tfrecord")
    _write(path, [b"abc"])
    with open(path, "r+b") as f:
        f.write(b"\x07")
    with pytest.raises(errors.DataLossError, match="CRC of the length.*byte offset 0"):
        list(TFRecordDataset(path))


@pytest.mark.parametrize("cut", [3, 12, 14, 18])
def test_truncated_files_raise_data_loss(tmp_path, cut):
    path = str(tmp_path / "t.tfrecord")
    _write(path, [b"whole", b"four"])
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(16 + 5 + cut)
    assert size > 16 + 5 + cut
    got = []
    with pytest.raises(errors.DataLossError, match=r"t\.tfrecord.*truncated.*byte offset 21"):
        for x in TFRecordDataset(path):
            got.append(x.numpy())
    assert got == [b"whole"]


def test_truncated_gzip_raises_data_loss(tmp_path):
    path = str(tmp_path / "t.gz")
    with TFRecordWriter(path, "GZIP") as w:
        for i in range(200):
            w.write(os.urandom(64))
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    with pytest.raises(errors.DataLossError, match=r"t\.gz"):
        list(TFRecordDataset(path, "GZIP"))


def test_forged_huge_length_is_refused_without_allocating(tmp_path):
    path = str(tmp_path / "huge.tfrecord")
    header = struct.pack("<Q", 1 << 60)
    with open(path, "wb") as f:
        f.write(header + struct.pack("<I", masked(_python_crc32c(header))) + b"abc")
    with pytest.raises(errors.DataLossError, match="truncated"):
        list(TFRecordDataset(path))


def test_tfrecord_errors_for_missing_files_and_bad_options(tmp_path):
    with pytest.raises(errors.NotFoundError, match="nope"):
        list(TFRecordDataset(str(tmp_path / "nope")))
    with pytest.raises(errors.InvalidArgumentError, match="compression"):
        TFRecordDataset("x", compression_type="LZMA")
    w = TFRecordWriter(str(tmp_path / "w"))
    w.close()
    with pytest.raises(errors.FailedPreconditionError):
        w.write(b"late")


def test_tfrecord_multiple_files_sequential_and_parallel(tmp_path):
    paths = []
    for k in range(3):
        p = str(tmp_path / ("f%d" % k))
        _write(p, [("%d-%d" % (k, i)).encode() for i in range(k + 2)])
        paths.append(p)
    seq = [x.numpy().decode() for x in TFRecordDataset(paths)]
    assert seq == ["0-0", "0-1", "1-0", "1-1", "1-2", "2-0", "2-1", "2-2", "2-3"]
    par = [x.numpy().decode() for x in TFRecordDataset(paths, num_parallel_reads=2)]
    ref = [x.numpy().decode() for x in Dataset.from_tensor_slices(paths).interleave(
        TFRecordDataset, cycle_length=2, block_length=1)]
    assert par == ref and sorted(par) == sorted(seq)
    from_ds = [x.numpy().decode() for x in TFRecordDataset(Dataset.from_tensor_slices(paths))]
    assert from_ds == seq


# ---- text and fixed-length records ---------------------------------------------------
def test_text_line_dataset(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"one\ntwo\r\n\nlast without newline")
    b.write_bytes(b"x\n")
    ds = TextLineDataset([str(a), str(b)])
    assert [x.numpy() for x in ds] == [b"one", b"two", b"", b"last without newline", b"x"]
    assert list(ds)[0].shape == () and ds.element_spec.dtype.name == "string"
    gz = tmp_path / "c.txt.gz"
    gz.write_bytes(gzip.compress(b"g1\ng2\n"))
    assert [x.numpy() for x in TextLineDataset(str(gz), compression_type="GZIP")] == [b"g1",
                                                                                       b"g2"]
    zl = tmp_path / "c.txt.z"
    zl.write_bytes(zlib.compress(b"z1\nz2"))
    assert [x.numpy() for x in TextLineDataset(str(zl), "ZLIB")] == [b"z1", b"z2"]
    assert [x.numpy() for x in TextLineDataset(str(tmp_path / "a.txt")).skip(1).take(1)] == \
        [b"two"]
    with pytest.raises(errors.NotFoundError):
        list(TextLineDataset(str(tmp_path / "missing.txt")))
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"line\n" * 1000)[:40])
    with pytest.raises(errors.DataLossError, match="broken.gz"):
        list(TextLineDataset(str(broken), "GZIP"))


def test_fixed_length_record_dataset(tmp_path):
    p = tmp_path / "r.bin"
    p.write_bytes(b"HH" + b"aaabbbccc" + b"F")
    ds = FixedLengthRecordDataset(str(p), 3, header_bytes=2, footer_bytes=1)
    assert [x.numpy() for x in ds] == [b"aaa", b"bbb", b"ccc"]
    gz = tmp_path / "r.gz"
    gz.write_bytes(gzip.compress(p.read_bytes()))
    assert [x.numpy() for x in FixedLengthRecordDataset(str(gz), 3, 2, 1,
                                                        compression_type="GZIP")] == \
        [b"aaa", b"bbb", b"ccc"]
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"aaabbbcc")
    got = []
    with pytest.raises(errors.DataLossError, match=r"bad\.bin.*byte offset 6"):
        for x in FixedLengthRecordDataset(str(bad), 3):
            got.append(x.numpy())
    assert got == [b"aaa", b"bbb"]
    nums = np.arange(6, dtype=np.float32)
    (tmp_path / "f.bin").write_bytes(nums.tobytes())
    floats = FixedLengthRecordDataset(str(tmp_path / "f.bin"), 8).map(
        lambda r: decode_raw(r, "float32"))
    assert [x.numpy().tolist() for x in floats] == [[0, 1], [2, 3], [4, 5]]


def test_decode_raw_read_write_files(tmp_path):
    v = decode_raw([b"\x01\x00\x00\x01", b"\x02\x00\x00\x02"], "int16")
    assert v.numpy().tolist() == [[1, 256], [2, 512]]
    assert decode_raw(b"\x00\x01", "int16", little_endian=False).numpy().tolist() == [1]
    with pytest.raises(errors.InvalidArgumentError, match="same size"):
        decode_raw([b"ab", b"abcd"], "int16")
    with pytest.raises(errors.InvalidArgumentError, match="multiple of 4"):
        decode_raw(b"abc", "float32")
    path = str(tmp_path / "w.bin")
    write_file(path, b"payload")
    assert read_file(path).numpy() == b"payload"
    assert [n.decode() for n in matching_files(str(tmp_path / "*.bin")).numpy()] == [path]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp")]
    with pytest.raises(errors.NotFoundError):
        read_file(str(tmp_path / "none"))


# ---- cache files --------------------------------------------------------------------------
def test_cache_file_round_trip_and_reuse(tmp_path):
    Pair = collections.namedtuple("Pair", "text values")
    calls = []

    def f(i):
        calls.append(int(i.numpy()))
        return {"pair": Pair(tf_str(i), tf_fill(i)), "id": i}

    def make():
        return Dataset.range(4).map(f).cache(str(tmp_path / "cache"))

    first = [(x["id"].numpy(), x["pair"].text.numpy(), x["pair"].values.numpy().tolist())
             for x in make()]
    assert calls == [0, 1, 2, 3] and os.path.exists(tmp_path / "cache")
    second = make()
    again = list(second)
    assert calls == [0, 1, 2, 3]   # read from the file by a new pipeline
    assert [(x["id"].numpy(), x["pair"].text.numpy(), x["pair"].values.numpy().tolist())
            for x in again] == first
    assert type(again[0]["pair"]).__name__ == "Pair" and again[0]["id"].dtype.name == "int64"


def tf_str(i):
    return np.array(b"id%d" % int(i.numpy()), dtype=object)


def tf_fill(i):
    return np.full([int(i.numpy())], 0.5, np.float32)


def test_cache_file_partial_pass_leaves_nothing_and_corruption_is_detected(tmp_path):
    path = str(tmp_path / "c")
    ds = Dataset.range(10).map(lambda x: x * 3).cache(path)
    it = iter(ds)
    next(it)
    del it
    assert not os.path.exists(path) and os.listdir(tmp_path) == []
    assert [int(x.numpy()) for x in ds] == [3 * i for i in range(10)]
    assert [int(x.numpy()) for x in ds] == [3 * i for i in range(10)]
    data = bytearray(open(path, "rb").read())
    data[-6] ^= 0xFF
    with open(path, "wb") as f:
        f.write(bytes(data))
    with pytest.raises(errors.DataLossError, match="CRC"):
        list(ds)
    empty = str(tmp_path / "empty")
    assert list(Dataset.range(0).cache(empty)) == [] and list(Dataset.range(0).cache(empty)) == []


def test_pure_python_crc_fallback_is_exact(monkeypatch):
    import importlib.util
    import sys
    monkeypatch.setitem(sys.modules, "eager._ext.crc32c", None)   # as if not built
    spec = importlib.util.spec_from_file_location("_tfrecord_without_ext", tfrecord.__file__)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.crc32c.__module__ == "_tfrecord_without_ext"
    assert mod.crc32c(b"123456789") == 0xE3069283 and mod.crc32c(bytes(32)) == 0x8A9136AA
    assert mod.frame(b"hello") == framed(b"hello")
