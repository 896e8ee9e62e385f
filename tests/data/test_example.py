"""tf.train.Example records: golden bytes derived by hand from the protobuf
encoding rules, parsing of packed and unpacked encodings, and
parse_single_example / parse_example against the expected tensors."""
import numpy as np
import pytest

import eager as tf
from eager import errors
from eager.data import Dataset, TFRecordDataset, SparseTensor
from eager.io import (Example, Features, Feature, BytesList, FloatList, Int64List, make_example,
                      FixedLenFeature, VarLenFeature, parse_single_example, parse_example,
                      TFRecordWriter)

# Hand encodings. A length-delimited field is tag (number << 3 | 2), length, payload.
# FloatList{1.0, 2.0}, packed: 0a 08 | 00 00 80 3f | 00 00 00 40
FLOATS_12 = bytes.fromhex("0a08" "0000803f" "00000040")
# Feature{float_list = 2}: 12 0a | FloatList
FEATURE_FLOATS = bytes.fromhex("120a") + FLOATS_12
# Feature{bytes_list = 1}: 0a 04 | BytesList{0a 02 "ab"}
FEATURE_BYTES = bytes.fromhex("0a04" "0a02") + b"ab"
# Int64List{-1}: a 10-byte varint of 2**64 - 1; Feature{int64_list = 3}: 1a 0c | 0a 0a | ...
FEATURE_MINUS_ONE = bytes.fromhex("1a0c" "0a0a" "ffffffffffffffffff01")
# Int64List{300, 1}: 300 = 0b10_0101100 -> ac 02
FEATURE_300_1 = bytes.fromhex("1a05" "0a03" "ac02" "01")


def entry(key, feature):
    body = b"\x0a" + bytes([len(key)]) + key + b"\x12" + bytes([len(feature)]) + feature
    return b"\x0a" + bytes([len(body)]) + body


def example_bytes(*entries):
    feats = b"".join(entries)
    return b"\x0a" + bytes([len(feats)]) + feats


GOLDEN = example_bytes(entry(b"a", FEATURE_FLOATS), entry(b"b", FEATURE_BYTES))


def test_golden_bytes_of_a_hand_encoded_example():
    assert GOLDEN.hex() == ("0a20" "0a11" "0a0161" "120c" "120a0a080000803f00000040"
                            "0a0b" "0a0162" "1206" "0a040a026162")
    ex = Example(features=Features(feature={
        "b": Feature(bytes_list=BytesList(value=[b"ab"])),
        "a": Feature(float_list=FloatList(value=[1.0, 2.0]))}))
    assert ex.SerializeToString() == GOLDEN
    assert make_example({"a": [1.0, 2.0], "b": "ab"}).SerializeToString() == GOLDEN
    assert make_example({"n": -1}).SerializeToString() == example_bytes(
        entry(b"n", FEATURE_MINUS_ONE))
    assert make_example({"n": np.array([300, 1])}).SerializeToString() == example_bytes(
        entry(b"n", FEATURE_300_1))


def test_empty_messages_encode_as_protobuf_does():
    assert Example().SerializeToString() == b""
    assert Example(features=Features()).SerializeToString() == b"\x0a\x00"
    # A set but empty float_list is an empty submessage; a Feature with no kind is empty.
    ex = Example(Features({"e": Feature(float_list=FloatList()), "z": Feature()}))
    assert ex.SerializeToString() == example_bytes(entry(b"e", b"\x12\x00"), entry(b"z", b""))


def test_from_string_round_trips_and_accepts_unpacked_encodings():
    ex = Example.FromString(GOLDEN)
    assert ex.features.feature["a"].float_list.value == [1.0, 2.0]
    assert ex.features.feature["b"].bytes_list.value == [b"ab"]
    assert ex.features.feature["a"].WhichOneof("kind") == "float_list"
    assert Example.FromString(GOLDEN) == ex and ex.SerializeToString() == GOLDEN
    # FloatList with two fixed32 fields (wire type 5) instead of one packed field, and
    # Int64List with separate varints (wire type 0), plus an unknown varint field 15.
    unpacked_floats = bytes.fromhex("120a" "0d0000803f" "0d00000040")
    unpacked_ints = bytes.fromhex("1a05" "08ac02" "0801")
    unknown = bytes.fromhex("7805")
    data = example_bytes(entry(b"f", unpacked_floats), entry(b"i", unpacked_ints)) + unknown
    parsed = parse_single_example(data, {"f": FixedLenFeature([2], tf.float32),
                                         "i": FixedLenFeature([2], tf.int64)})
    assert parsed["f"].numpy().tolist() == [1.0, 2.0]
    assert parsed["i"].numpy().tolist() == [300, 1]


def test_long_packed_varints_decode_vectorized():
    vals = np.array([0, 1, -1, 127, 128, 2 ** 62, -2 ** 63, 2 ** 63 - 1] * 10, dtype=np.int64)
    data = make_example({"v": vals}).SerializeToString()
    out = parse_single_example(data, {"v": FixedLenFeature([80], tf.int64)})["v"]
    assert out.numpy().tolist() == vals.tolist()


def test_repeated_fields_merge_as_protobuf_merges():
    # Two float_list fields in one Feature merge; a repeated map key: the last one wins.
    twice = bytes.fromhex("1206" "0a040000803f") + bytes.fromhex("1206" "0a0400000040")
    data = example_bytes(entry(b"f", twice), entry(b"k", FEATURE_BYTES),
                         entry(b"k", FEATURE_FLOATS))
    ex = Example.FromString(data)
    assert ex.features.feature["f"].float_list.value == [1.0, 2.0]
    assert ex.features.feature["k"].float_list.value == [1.0, 2.0]


def test_parse_single_example_fixed_var_and_defaults():
    rec = make_example({"label": 7, "pixels": np.arange(6, dtype=np.float32),
                        "tags": [b"x", b"yy"], "ids": [4, 5, 6]}).SerializeToString()
    feats = {"label": FixedLenFeature([], tf.int64),
             "pixels": FixedLenFeature([2, 3], tf.float32),
             "tags": VarLenFeature(tf.string),
             "ids": VarLenFeature(tf.int64),
             "missing": FixedLenFeature([2], tf.float32, default_value=[9.0, 8.0]),
             "missing_scalar": FixedLenFeature([], tf.string, default_value="none"),
             "missing_var": VarLenFeature(tf.float32)}
    out = parse_single_example(tf.constant(rec), feats)
    assert out["label"].dtype == tf.int64 and out["label"].shape == () and \
        int(out["label"].numpy()) == 7
    np.testing.assert_array_equal(out["pixels"].numpy(), np.arange(6).reshape(2, 3))
    assert isinstance(out["tags"], SparseTensor)
    assert out["tags"].indices.numpy().tolist() == [[0], [1]]
    assert out["tags"].values.numpy().tolist() == [b"x", b"yy"]
    assert out["tags"].dense_shape.numpy().tolist() == [2]
    assert out["ids"].values.dtype == tf.int64 and out["ids"].values.numpy().tolist() == [4, 5, 6]
    assert out["missing"].numpy().tolist() == [9.0, 8.0]
    assert out["missing_scalar"].numpy() == b"none"
    assert out["missing_var"].values.shape == (0,) and \
        out["missing_var"].dense_shape.numpy().tolist() == [0]


def test_parse_example_batches():
    recs = [make_example({"x": [float(i)] * 2, "v": Int64List(range(i))}).SerializeToString()
            for i in range(3)]
    out = parse_example(recs, {"x": FixedLenFeature([2], tf.float32), "v": VarLenFeature(tf.int64)})
    assert out["x"].numpy().tolist() == [[0, 0], [1, 1], [2, 2]]
    assert out["v"].indices.numpy().tolist() == [[1, 0], [2, 0], [2, 1]]
    assert out["v"].values.numpy().tolist() == [0, 0, 1]
    assert out["v"].dense_shape.numpy().tolist() == [3, 2]
    same = parse_example(tf.constant(np.array(recs, dtype=object)),
                         {"x": FixedLenFeature([2], tf.float32)})
    assert same["x"].numpy().tolist() == out["x"].numpy().tolist()


def test_parse_errors_name_the_feature():
    rec = make_example({"x": [1.0, 2.0]}).SerializeToString()
    with pytest.raises(errors.InvalidArgumentError, match="Feature: y .* is required"):
        parse_single_example(rec, {"y": FixedLenFeature([], tf.float32)})
    with pytest.raises(errors.InvalidArgumentError, match="Data types don't match.*int64.*float"):
        parse_single_example(rec, {"x": FixedLenFeature([2], tf.int64)})
    with pytest.raises(errors.InvalidArgumentError, match="Key: x.*Values size: 2.*\\[3\\]"):
        parse_single_example(rec, {"x": FixedLenFeature([3], tf.float32)})
    with pytest.raises(errors.InvalidArgumentError, match="Could not parse"):
        parse_single_example(rec[:-3], {"x": FixedLenFeature([2], tf.float32)})
    with pytest.raises(errors.InvalidArgumentError, match="Could not parse"):
        parse_single_example(b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
                             {"x": VarLenFeature(tf.float32)})
    with pytest.raises(ValueError, match="dtype"):
        parse_single_example(rec, {"x": FixedLenFeature([2], tf.float64)})
    with pytest.raises(ValueError, match="fully defined"):
        parse_single_example(rec, {"x": FixedLenFeature([None], tf.float32)})
    with pytest.raises(errors.InvalidArgumentError, match="scalar"):
        parse_single_example([rec, rec], {"x": FixedLenFeature([2], tf.float32)})
    with pytest.raises(TypeError, match="empty"):
        make_example({"e": []})


def test_tfrecord_of_examples_through_a_pipeline(tmp_path):
    path = str(tmp_path / "ex.tfrecord")
    with TFRecordWriter(path) as w:
        for i in range(10):
            w.write(make_example({"x": [float(i), float(-i)], "y": i % 3}).SerializeToString())
    feats = {"x": FixedLenFeature([2], tf.float32), "y": FixedLenFeature([], tf.int64)}
    ds = TFRecordDataset(path).map(lambda r: parse_single_example(r, feats)).batch(4)
    batches = list(ds)
    assert [b["x"].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert np.concatenate([b["y"].numpy() for b in batches]).tolist() == [i % 3 for i in range(10)]
    spec = ds.element_spec
    assert spec["x"].shape == (None, 2) and spec["y"].dtype == tf.int64
    batched = TFRecordDataset(path).batch(5).map(lambda r: parse_example(r, feats))
    assert [b["x"].shape for b in batched] == [(5, 2), (5, 2)]
    var = Dataset.from_tensor_slices([make_example({"v": list(range(i))}).SerializeToString()
                                      for i in (1, 3)])
    sparse = list(var.map(lambda r: parse_single_example(r, {"v": VarLenFeature(tf.int64)})
                          ["v"]).batch(2))[0]
    assert sparse.dense_shape.numpy().tolist() == [2, 3]
    assert sparse.indices.numpy().tolist() == [[0, 0], [1, 0], [1, 1], [1, 2]]


def test_cross_check_with_protobuf_when_available():
    pytest.importorskip("google.protobuf")
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    fdp = descriptor_pb2.FileDescriptorProto(name="ex_check.proto", package="check",
                                             syntax="proto3")
    for name, typ in (("BytesList", 12), ("FloatList", 2), ("Int64List", 3)):
        m = fdp.message_type.add(name=name)
        m.field.add(name="value", number=1, type=typ, label=3)
    feat = fdp.message_type.add(name="Feature")
    feat.oneof_decl.add(name="kind")
    for i, (fname, tname) in enumerate((("bytes_list", "BytesList"), ("float_list", "FloatList"),
                                        ("int64_list", "Int64List")), 1):
        feat.field.add(name=fname, number=i, type=11, label=1, type_name=".check." + tname,
                       oneof_index=0)
    feats = fdp.message_type.add(name="Features")
    e = feats.nested_type.add(name="FeatureEntry")
    e.options.map_entry = True
    e.field.add(name="key", number=1, type=9, label=1)
    e.field.add(name="value", number=2, type=11, label=1, type_name=".check.Feature")
    feats.field.add(name="feature", number=1, type=11, label=3,
                    type_name=".check.Features.FeatureEntry")
    ex = fdp.message_type.add(name="Example")
    ex.field.add(name="features", number=1, type=11, label=1, type_name=".check.Features")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("check.Example"))
    msg = cls()
    msg.features.feature["a"].float_list.value.extend([1.0, 2.0])
    msg.features.feature["b"].bytes_list.value.append(b"ab")
    msg.features.feature["n"].int64_list.value.extend([-1, 300])
    ours = make_example({"a": [1.0, 2.0], "b": b"ab", "n": [-1, 300]}).SerializeToString()
    assert msg.SerializeToString(deterministic=True) == ours
    parsed = cls.FromString(ours)
    assert list(parsed.features.feature["n"].int64_list.value) == [-1, 300]


def test_round_trip_property():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import given, settings, strategies as s
    values = s.one_of(
        s.lists(s.binary(max_size=8), min_size=1, max_size=4),
        s.lists(s.floats(width=32, allow_nan=False), min_size=1, max_size=40),
        s.lists(s.integers(-2 ** 63, 2 ** 63 - 1), min_size=1, max_size=40))
    names = s.text(min_size=0, max_size=6)

    @settings(max_examples=25, deadline=None)
    @given(s.dictionaries(names, values, max_size=4))
    def check(features):
        ex = make_example(features)
        data = ex.SerializeToString()
        assert Example.FromString(data) == ex
        for name, vals in features.items():
            kind = tf.string if isinstance(vals[0], bytes) else \
                tf.int64 if isinstance(vals[0], int) else tf.float32
            out = parse_single_example(data, {name: VarLenFeature(kind)})[name]
            got = out.values.numpy().tolist()
            want = vals if kind != tf.float32 else np.float32(vals).tolist()
            assert got == want
    check()
    assert hypothesis is not None
