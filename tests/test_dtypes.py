"""DType objects and TensorFlow's conversion rules."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import eager as tf
from eager import errors


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int8", "int16", "int32",
                                  "int64", "uint8", "bool", "complex64", "complex128"])
def test_dtype_objects(name):
    d = getattr(tf, name)
    assert d.name == name
    assert d == np.dtype(name) and d == name and np.dtype(name) == d
    assert d.as_numpy_dtype == np.dtype(name).type
    assert d.size == np.dtype(name).itemsize
    assert d.is_floating == (np.dtype(name).kind == "f")
    assert d.is_integer == (np.dtype(name).kind in "iu")
    assert tf.as_dtype(name) is d and tf.as_dtype(np.dtype(name)) is d
    assert repr(d) == "tf." + name
    assert hash(d) == hash(tf.as_dtype(name))


def test_python_defaults():
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(2**40).dtype == tf.int64
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant([1, 2.5]).dtype == tf.float32
    assert tf.constant([[1, 2], [3, 4]]).dtype == tf.int32
    assert tf.constant(1j).dtype == tf.complex128
    assert tf.constant("hi").dtype == tf.string
    assert str(tf.constant(b"hi")) == "tf.Tensor(b'hi', shape=(), dtype=string)"


def test_numpy_keeps_dtype():
    assert tf.constant(np.array(1)).dtype == tf.int64
    assert tf.constant(np.float64(1)).dtype == tf.float64
    assert tf.constant(np.zeros(3, np.float16)).dtype == tf.float16


def test_ragged_list_is_a_clear_error():
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])


def test_requested_dtype():
    assert tf.constant(1, dtype=tf.float32).dtype == tf.float32
    assert tf.constant([1.1], dtype=tf.float64).numpy()[0] == 1.1
    with pytest.raises(TypeError):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError, match="out of range"):
        tf.constant(300, dtype=tf.int8)
    with pytest.raises(errors.InvalidArgumentError):
        tf.convert_to_tensor(tf.constant(1.0), dtype=tf.int32)


def test_cast():
    x = tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    assert x.dtype == tf.int32 and x.numpy().tolist() == [1, -1]
    assert tf.cast(tf.constant([1 + 2j]), tf.float32).numpy().tolist() == [1.0]


@given(st.lists(st.integers(-2**31, 2**31 - 1), min_size=1, max_size=8))
def test_int_lists_round_trip(values):
    t = tf.constant(values)
    assert t.dtype == tf.int32 and t.numpy().tolist() == values


@given(st.lists(st.floats(-1e30, 1e30, allow_nan=False), min_size=1, max_size=8))
def test_float_lists_round_trip(values):
    t = tf.constant(values)
    assert t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), np.array(values, np.float32))


@given(st.tuples(st.integers(1, 4), st.integers(1, 4)), st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_broadcasting_matches_numpy_or_raises(s1, s2):
    a = np.ones(s1, np.float32)
    b = np.full(s2, 2, np.float32)
    try:
        want = a + b
    except ValueError:
        with pytest.raises(errors.InvalidArgumentError, match="add"):
            tf.add(a, b)
        return
    np.testing.assert_array_equal(tf.add(a, b).numpy(), want)
