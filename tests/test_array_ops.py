"""What the op table cannot say about the array ops: constant's conversion
rules, views, the forms of Tensor.__getitem__, and gradients the table's
numeric checks do not pin down (repeated indices, unconnected outputs)."""
import numpy as np
import pytest

import eager as tf
from eager import errors
from eager._ext.context import context
from eager._ext.tensor import _storage
from eager.ops import array as A
from tests.ops import table_array

_CTX = context()


def vjp(f, xs, gys):
    """f's outputs and the gradients of xs given output gradients gys (real tape)."""
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        ys = f(*xs)
    ys_list = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    return ys, tape.gradient(ys_list, xs, output_gradients=gys)


def test_repeated_indices_add_up_in_gradients():
    x = tf.constant(np.arange(4.0))
    idx = tf.constant([1, 1, 3])
    for f in (lambda x: tf.gather(x, idx), lambda x: x[[1, 1, 3]],
              lambda x: tf.gather_nd(x, [[1], [1], [3]])):
        _, (g,) = vjp(f, [x], [tf.constant(np.array([1.0, 2.0, 5.0]))])
        np.testing.assert_array_equal(g.numpy(), [0.0, 3.0, 0.0, 5.0])


def test_unconnected_unstack_outputs_get_zeros():
    x = tf.constant(np.ones((3, 2)))
    _, (g,) = vjp(lambda x: tf.unstack(x)[1], [x], [tf.constant(np.array([1.0, 2.0]))])
    np.testing.assert_array_equal(g.numpy(), [[0, 0], [1, 2], [0, 0]])


# ---- constant ----------------------------------------------------------------------
def test_constant_default_dtypes():
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(2 ** 40).dtype == tf.int64
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant([1, 2.5]).dtype == tf.float32
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant(np.zeros(2)).dtype == tf.float64
    assert tf.constant(np.zeros(2, np.int64)).dtype == tf.int64
    assert tf.constant("ab").dtype == tf.string
    assert tf.constant(1, dtype=tf.float64).dtype == tf.float64
    assert tf.constant(np.zeros(2), dtype=tf.float32).dtype == tf.float32


def test_constant_rejects_lossy_or_mismatched_values():
    with pytest.raises(TypeError):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.constant(300, dtype=tf.uint8)
    with pytest.raises(TypeError):
        tf.constant(tf.constant(1), dtype=tf.float32)


def test_constant_shape_fills_and_reshapes():
    np.testing.assert_array_equal(tf.constant(0, shape=[2, 3]).numpy(), np.zeros((2, 3)))
    assert tf.constant(0, shape=[2, 3]).dtype == tf.int32
    np.testing.assert_array_equal(tf.constant(True, shape=[2]).numpy(), [True, True])
    np.testing.assert_array_equal(tf.constant([[1, 2, 3, 4]], shape=[2, 2]).numpy(),
                                  [[1, 2], [3, 4]])
    np.testing.assert_array_equal(tf.constant([5], shape=[3]).numpy(), [5, 5, 5])
    assert tf.constant(7, shape=[]).shape == ()
    with pytest.raises(TypeError, match="verify|expected shape"):
        tf.constant([1, 2], shape=[1, 2], verify_shape=True)


def test_constant_copies_numpy_input_and_returns_tensors_as_is():
    a = np.arange(3.0)
    t = tf.constant(a)
    a[0] = 100
    assert t.numpy()[0] == 0
    assert tf.constant(t) is t


def test_zeros_and_like_dtypes():
    assert tf.zeros([2]).dtype == tf.float32
    assert tf.zeros(3, tf.int32).shape == (3,)
    assert tf.zeros([2], tf.string).numpy().tolist() == [b"", b""]
    x = tf.constant([1, 2], tf.int64)
    assert tf.zeros_like(x).dtype == tf.int64
    assert tf.ones_like(x).numpy().tolist() == [1, 1]
    assert tf.zeros_like(tf.constant(["a"])).numpy().tolist() == [b""]
    assert tf.ones(tf.constant([2, 1])).shape == (2, 1)


def test_range_dtype_inference():
    assert tf.range(5).dtype == tf.int32
    assert tf.range(5.0).dtype == tf.float32
    assert tf.range(1, 5, 0.5).dtype == tf.float32
    assert tf.range(tf.constant(1.0, tf.float64), 3).dtype == tf.float64
    assert tf.range(np.int64(4)).dtype == tf.int64
    assert tf.range(10, 0, -3).numpy().tolist() == [10, 7, 4, 1]
    assert tf.range(3, dtype=tf.float64).numpy().tolist() == [0.0, 1.0, 2.0]


# ---- views -------------------------------------------------------------------------
def _shares(a, b):
    return np.shares_memory(_storage(a), _storage(b))


def test_shape_ops_and_basic_indexing_return_views():
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4))
    assert _shares(tf.reshape(x, [6, 4]), x)
    assert _shares(tf.transpose(x), x)
    assert _shares(tf.expand_dims(x, 0), x)
    assert _shares(tf.squeeze(tf.expand_dims(x, 0)), x)
    assert _shares(tf.slice(x, [0, 1, 0], [1, 2, 3]), x)
    assert _shares(tf.identity(x), x)
    assert _shares(tf.reverse(x, [1]), x)
    assert _shares(x[1, ::2, None], x)
    assert _shares(x[0], x)
    assert _shares(x[1, 2, 3], x)
    assert all(_shares(t, x) for t in tf.unstack(x, axis=1))
    assert all(_shares(t, x) for t in tf.split(x, 2, axis=2))
    assert not _shares(x[[0, 1]], x)
    assert not _shares(tf.gather(x, [0]), x)


# ---- __getitem__ -------------------------------------------------------------------
_X = np.arange(60, dtype=np.int32).reshape(3, 4, 5)

KEYS = [
    0, -1, 2, (1, 2), (1, -1, 3), slice(None), slice(1, None), slice(None, None, -1),
    slice(-2, None, -2), (slice(None), 1), (Ellipsis, 0), (0, Ellipsis), (Ellipsis,),
    (None,), (None, 0, None), (slice(None), None, Ellipsis, None), (1, slice(3, 0, -1), None),
    (), [0, 2], [-1, 0, -1], (slice(None), [3, 0]), ([0, 1], [1, 2]), ([0, 1], slice(None), [4, 4]),
    (Ellipsis, [0, 4]), np.array([[0, 1], [2, 2]]), np.array([True, False, True]),
    (slice(None), np.array([True, False, True, True])), _X[..., 0] > 20, _X > 30,
    (1, _X[1] % 2 == 0), (np.int64(1), np.int32(-1)), (slice(np.int64(1), None),),
    (slice(10, 20),), (slice(-10, 2),), ([],),
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_getitem_matches_numpy(key):
    x = tf.constant(_X)
    got = x[key]
    want = _X[key]
    assert isinstance(got, tf.Tensor)
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    assert got.dtype == tf.int32


def test_getitem_with_tensor_indices():
    x = tf.constant(_X)
    i = tf.constant(2)
    np.testing.assert_array_equal(x[i].numpy(), _X[2])
    np.testing.assert_array_equal(x[i, tf.constant(-1, tf.int64)].numpy(), _X[2, -1])
    np.testing.assert_array_equal(x[tf.constant([2, 0])].numpy(), _X[[2, 0]])
    np.testing.assert_array_equal(x[:i, tf.constant(1):].numpy(), _X[:2, 1:])
    np.testing.assert_array_equal(x[tf.constant([True, False, True])].numpy(), _X[[0, 2]])
    np.testing.assert_array_equal(x[x > 50].numpy(), _X[_X > 50])
    np.testing.assert_array_equal(x[tf.newaxis, 0].numpy(), _X[None, 0])


def test_getitem_errors_name_op_index_and_shape():
    x = tf.constant(np.zeros((3, 4), np.float32))
    with pytest.raises(errors.IndexOutOfRangeError) as info:
        x[3]
    msg = str(info.value)
    assert "getitem" in msg and "index 3" in msg and "(3, 4)" in msg and "float32" in msg
    assert isinstance(info.value, IndexError) and isinstance(info.value, ValueError)
    with pytest.raises(IndexError):
        x[1, -5]
    with pytest.raises(IndexError):
        x[[0, 7]]
    with pytest.raises(IndexError):
        x[0, 0, 0]
    with pytest.raises(TypeError):
        x[1.0]
    with pytest.raises(TypeError):
        x[tf.constant(1.0)]
    with pytest.raises(TypeError):
        x["a"]


def test_iteration_and_unstack_return_lists():
    x = tf.constant([[1, 2], [3, 4]])
    rows = list(x)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]
    assert isinstance(tf.unstack(x), list) and isinstance(tf.split(x, 2), list)
    assert tf.unstack(tf.zeros([0, 3])) == []


def test_strided_slice_is_python_slicing():
    x = tf.constant(_X)
    r = tf.strided_slice(x, [0, 1], [3, 4], [2, 2])
    np.testing.assert_array_equal(r.numpy(), _X[0:3:2, 1:4:2])
    r = tf.strided_slice(x, [0, 0, 1], [0, 0, 2], [1, 1, 1], begin_mask=2, end_mask=2,
                         ellipsis_mask=1, shrink_axis_mask=4)
    np.testing.assert_array_equal(r.numpy(), _X[..., 1])


# ---- indexing ops ----------------------------------------------------------------------
def test_gather_does_not_clamp():
    with pytest.raises(errors.IndexOutOfRangeError, match=r"index 5 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [0, 5])
    with pytest.raises(errors.IndexOutOfRangeError):
        tf.gather_nd([[1, 2]], [[0, 2]])
    with pytest.raises(errors.IndexOutOfRangeError):
        tf.scatter_nd([[3]], [1.0], [3])


def test_one_hot_out_of_range_gives_off_values():
    r = tf.one_hot([0, 3, -1], 3)
    np.testing.assert_array_equal(r.numpy(), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert r.dtype == tf.float32
    assert tf.one_hot([1], 2, on_value=1.0, off_value=0.0, dtype=tf.float64).dtype == tf.float64


def test_where_with_one_argument():
    r = tf.where([[True, False], [False, True]])
    assert r.dtype == tf.int64
    np.testing.assert_array_equal(r.numpy(), [[0, 0], [1, 1]])


def test_concat_and_stack_follow_the_first_tensor_dtype():
    r = tf.concat([[1.5], tf.constant([2.0], tf.float64)], 0)
    assert r.dtype == tf.float64
    assert tf.stack([1, 2]).dtype == tf.int32
    with pytest.raises(errors.InvalidArgumentError, match="one dtype"):
        tf.stack([tf.constant(1), tf.constant(1.0)])


def test_pad_modes_and_default_zero_of_any_dtype():
    x = tf.constant([[True, False]])
    assert tf.pad(x, [[1, 0], [0, 1]]).numpy().tolist() == [[False, False, False],
                                                             [True, False, False]]
    s = tf.constant([b"a"])
    assert tf.pad(s, [[1, 1]]).numpy().tolist() == [b"", b"a", b""]
    y = tf.constant([1, 2, 3])
    assert tf.pad(y, [[2, 2]], "REFLECT").numpy().tolist() == [3, 2, 1, 2, 3, 2, 1]
    assert tf.pad(y, [[2, 2]], "SYMMETRIC").numpy().tolist() == [2, 1, 1, 2, 3, 3, 2]


def test_broadcast_to_and_meshgrid():
    r = tf.broadcast_to([1, 2], [3, 2])
    assert r.numpy().tolist() == [[1, 2]] * 3
    a, b = tf.meshgrid([1, 2, 3], [4, 5])
    assert a.shape == (2, 3) and b.shape == (2, 3)


def test_huge_and_negative_sizes_raise():
    with pytest.raises(errors.ResourceExhaustedError):
        tf.zeros([2 ** 31, 2 ** 31])
    with pytest.raises(errors.InvalidArgumentError):
        tf.ones([-1])
    with pytest.raises(errors.InvalidArgumentError):
        tf.fill([3, -2], 1.0)
    with pytest.raises(errors.ResourceExhaustedError):
        tf.tile(tf.ones([2, 2]), [2 ** 31, 2 ** 31])
    with pytest.raises(errors.ResourceExhaustedError):
        tf.one_hot(tf.zeros([1000], tf.int32), 2 ** 40)
