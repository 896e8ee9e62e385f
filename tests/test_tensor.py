"""The Tensor type: properties, printing, conversion to NumPy, operators,
Python protocols, DLPack."""
import numpy as np
import pytest

import eager as tf
from eager import errors


def test_seed_matmul_and_add_print_exactly():
    x = tf.matmul([[1, 2], [3, 4]], [[4, 5], [6, 7]])
    y = tf.add(x, 1)
    assert str(x) == "tf.Tensor(\n[[16 19]\n [36 43]], shape=(2, 2), dtype=int32)"
    assert str(y) == "tf.Tensor(\n[[17 20]\n [37 44]], shape=(2, 2), dtype=int32)"
    assert repr(y) == str(y)


def test_seed_operator_overloading_prints_legacy_float_format():
    x = (tf.ones([1], dtype=tf.float32) + 1) * 2 - 1
    assert str(x) == "tf.Tensor([ 3.], shape=(1,), dtype=float32)"


def test_seed_numpy_conversion():
    x = tf.add(1, 1)
    y = tf.add(np.array(1), np.array(1))
    assert x.dtype == tf.int32 and y.dtype == tf.int64
    z = np.multiply(x, y)
    assert isinstance(z, np.int64) and z == 4
    np_x = np.array(2., dtype=np.float32)
    z = tf.constant(np_x) + tf.constant(3.) + 1
    assert str(z) == "tf.Tensor(6.0, shape=(), dtype=float32)"
    assert str(z.numpy()) == "6.0"


def test_properties():
    t = tf.constant([[1.0, 2.0, 3.0]])
    assert t.shape == (1, 3) and t.shape == [1, 3]
    assert t.shape.as_list() == [1, 3]
    assert t.ndim == 2 and len(t) == 1
    assert t.dtype == tf.float32 and t.dtype == np.float32 and t.dtype == "float32"
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert str(t.shape) == "(1, 3)" and repr(t.shape) == "TensorShape([1, 3])"
    assert str(tf.constant(1).shape) == "()" and str(tf.constant([1]).shape) == "(1,)"


def test_tensor_is_immutable_and_numpy_is_a_copy():
    t = tf.constant([1.0, 2.0])
    a = t.numpy()
    a[0] = 100
    assert t.numpy()[0] == 1.0
    v = np.asarray(t)
    with pytest.raises(ValueError):
        v[0] = 5
    with pytest.raises(AttributeError):
        t.dtype = tf.int32
    with pytest.raises(TypeError):
        tf.Tensor([1, 2])


def test_constant_copies_numpy_input():
    a = np.array([1.0, 2.0])
    t = tf.constant(a)
    a[0] = 7
    assert t.numpy()[0] == 1.0


def test_scalar_protocols():
    assert float(tf.constant(2.5)) == 2.5
    assert int(tf.constant(7)) == 7
    assert bool(tf.constant(True)) is True
    assert [0, 1, 2, 3][tf.constant(2)] == 2
    assert "%.2f" % tf.constant(1.0) == "1.00"
    assert "{:.1f}".format(tf.constant(2.25)) == "2.2"
    assert f"{tf.constant([1, 2])}" == "[1 2]"
    with pytest.raises(TypeError, match=r"scalar.*\(2,\)"):
        float(tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="integer"):
        [1, 2][tf.constant(1.0)]
    with pytest.raises(TypeError, match="len"):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="iterate"):
        iter(tf.constant(1.0))


def test_iteration_over_first_axis():
    rows = list(tf.constant([[1, 2], [3, 4], [5, 6]]))
    assert len(rows) == 3
    assert all(isinstance(r, tf.Tensor) for r in rows)
    assert rows[2].numpy().tolist() == [5, 6]


def test_unhashable_points_to_ref():
    t = tf.constant(1)
    with pytest.raises(TypeError, match=r"ref\(\)"):
        hash(t)
    d = {t.ref(): 1}
    assert d[t.ref()] == 1 and t.ref().deref() is t


def test_operators_and_reflected():
    a = tf.constant([1.0, 2.0, 4.0])
    np.testing.assert_allclose((a + 1).numpy(), [2, 3, 5])
    np.testing.assert_allclose((1 + a).numpy(), [2, 3, 5])
    np.testing.assert_allclose((10 - a).numpy(), [9, 8, 6])
    np.testing.assert_allclose((2 / a).numpy(), [2, 1, 0.5])
    np.testing.assert_allclose((a ** 2).numpy(), [1, 4, 16])
    np.testing.assert_allclose((2 ** a).numpy(), [2, 4, 16])
    np.testing.assert_allclose((-a).numpy(), [-1, -2, -4])
    np.testing.assert_allclose(abs(-a).numpy(), [1, 2, 4])
    np.testing.assert_allclose((a // 3).numpy(), [0, 0, 1])
    np.testing.assert_allclose((a % 3).numpy(), [1, 2, 1])
    np.testing.assert_allclose((-7 % tf.constant(3)).numpy(), 2)
    m = tf.constant([[1, 2], [3, 4]])
    assert (m @ m).numpy().tolist() == [[7, 10], [15, 22]]
    assert (~tf.constant([True, False])).numpy().tolist() == [False, True]
    assert (a < 2).numpy().tolist() == [True, False, False]
    assert (a >= 2).numpy().tolist() == [False, True, True]
    assert (a == 2).numpy().tolist() == [False, True, False]
    assert (a != 2).numpy().tolist() == [True, False, True]
    assert (a == None) is False  # noqa: E711
    # NumPy arrays on the left defer to the tensor.
    r = np.array([1.0, 1.0, 1.0], np.float32) + a
    assert isinstance(r, tf.Tensor)


def test_int_true_division_casts_like_tensorflow():
    assert (tf.constant([1, 2]) / tf.constant([2, 4])).dtype == tf.float64
    assert (tf.constant([1], tf.int16) / tf.constant([2], tf.int16)).dtype == tf.float32


def test_python_scalars_take_the_tensor_dtype():
    assert (tf.ones([1]) + 1).dtype == tf.float32
    assert (tf.constant([1], tf.int64) * 3).dtype == tf.int64
    assert (tf.constant([1.0], tf.float64) + 0.1).numpy()[0] == 1.1
    with pytest.raises(TypeError, match=r"1\.5"):
        tf.constant([1]) + 1.5
    with pytest.raises(errors.InvalidArgumentError, match=r"add.*int32.*float32|add.*float32.*int32"):
        tf.constant([1]) + tf.constant([1.0])


def test_fast_path_matches_general_path():
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64, np.int32, np.int64):
        a = (rng.normal(size=(3, 4)) * 10).astype(dt)
        b = (rng.normal(size=(3, 4)) * 10).astype(dt) + 1
        ta, tb = tf.constant(a), tf.constant(b)
        np.testing.assert_array_equal((ta + tb).numpy(), a + b)
        np.testing.assert_array_equal((ta - tb).numpy(), a - b)
        np.testing.assert_array_equal((ta * tb).numpy(), a * b)
        np.testing.assert_array_equal((ta * 3).numpy(), a * dt(3))
        np.testing.assert_array_equal((3 - ta).numpy(), dt(3) - a)
        np.testing.assert_array_equal(tf.maximum(ta, tb).numpy(), np.maximum(a, b))
    # int32 overflow wraps, as TensorFlow
    big = tf.constant([2**31 - 1], tf.int32)
    assert (big + tf.constant([1], tf.int32)).numpy()[0] == -2**31
    # NaN propagates through maximum
    assert np.isnan(tf.maximum(tf.constant([np.nan]), tf.constant([1.0])).numpy()[0])


def test_non_contiguous_and_large_operands():
    a = tf.constant(np.arange(20000, dtype=np.float32))
    np.testing.assert_array_equal((a + a).numpy(), np.arange(20000, dtype=np.float32) * 2)
    t = tf.transpose(tf.constant(np.arange(6.0).reshape(2, 3)))
    np.testing.assert_array_equal((t + t).numpy(), np.arange(6.0).reshape(2, 3).T * 2)


def test_dlpack_round_trip_zero_copy():
    t = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    a = np.from_dlpack(t)
    assert a.shape == (2, 3)
    assert np.shares_memory(a, np.asarray(tf.experimental.dlpack.from_dlpack(t)))
    src = np.arange(4.0)
    u = tf.experimental.dlpack.from_dlpack(src)
    assert np.shares_memory(np.asarray(u), src)
    assert t.__dlpack_device__() == (1, 0)
    cap = tf.experimental.dlpack.to_dlpack(t)
    assert tf.experimental.dlpack.from_dlpack(cap).numpy().tolist() == [[0, 1, 2], [3, 4, 5]]


def test_devices_without_gpu():
    assert tf.num_gpus() == 0
    x = tf.constant([1.0])
    assert x.cpu() is x
    with pytest.raises(errors.InvalidArgumentError, match="GPU"):
        x.gpu()
    for name in ("/cpu:0", "/device:CPU:0", "cpu:0", "CPU:0"):
        with tf.device(name):
            assert (x + 1).device.endswith("CPU:0")
    with pytest.raises(ValueError, match="Invalid device"):
        with tf.device("/tpu:0"):
            pass


def test_dlpack_with_pytorch_shares_memory():
    torch = pytest.importorskip("torch")
    t = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    pt = torch.from_dlpack(t)
    assert pt.data_ptr() == np.asarray(t).__array_interface__["data"][0]
    src = torch.arange(4.0)
    e = tf.from_dlpack(src)
    assert np.asarray(e).__array_interface__["data"][0] == src.data_ptr()
    assert e.dtype == tf.float32 and e.numpy().tolist() == [0.0, 1.0, 2.0, 3.0]
