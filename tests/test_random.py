"""Random ops: TensorFlow's seeding rules, distribution sanity and the cases
the op table cannot express (shapes and errors are in tests/ops/table_random.py)."""
import os

import numpy as np
import pytest

import eager as tf
from eager import errors

N = 10000


@pytest.fixture(autouse=True)
def _unseed():
    tf.set_random_seed(None)
    yield
    tf.set_random_seed(None)


def _program():
    """A little program mixing ops, seeded and not."""
    return [tf.random_uniform([3]).numpy(),
            tf.random_normal([2, 2]).numpy(),
            tf.random_uniform([2], seed=7).numpy(),
            tf.random_uniform([2], seed=7).numpy(),
            tf.truncated_normal([4]).numpy(),
            tf.random_shuffle(tf.constant(np.arange(10))).numpy(),
            tf.multinomial([[0.0, 1.0, 2.0]], 5).numpy(),
            tf.random_uniform([3], 0, 100, dtype=tf.int32).numpy(),
            tf.random.gamma([2], 2.0).numpy(),
            tf.random.poisson([2], 3.0).numpy()]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


# ---- seeding -------------------------------------------------------------------
def test_global_seed_repeats_a_whole_program():
    tf.set_random_seed(1234)
    first = _program()
    tf.set_random_seed(1234)
    assert _same(first, _program())
    tf.random.set_seed(1234)  # TF 2's name does the same
    assert _same(first, _program())


def test_other_global_seed_gives_other_values():
    tf.set_random_seed(1)
    a = _program()
    tf.set_random_seed(2)
    b = _program()
    assert not np.array_equal(a[0], b[0])
    assert not np.array_equal(a[2], b[2])


def test_global_stream_moves_on():
    tf.set_random_seed(5)
    a = tf.random_uniform([4]).numpy()
    b = tf.random_uniform([4]).numpy()
    assert not np.array_equal(a, b)


def test_op_seed_repeated_calls_differ_but_reproduce():
    tf.random.set_seed(1234)
    a1 = tf.random.uniform([3], seed=1).numpy()
    a2 = tf.random.uniform([3], seed=1).numpy()
    assert not np.array_equal(a1, a2)
    tf.random.set_seed(1234)  # restarts the op seed's sequence too
    assert np.array_equal(tf.random.uniform([3], seed=1).numpy(), a1)
    assert np.array_equal(tf.random.uniform([3], seed=1).numpy(), a2)


def test_op_seed_streams_are_independent_of_other_ops():
    tf.set_random_seed(3)
    want = tf.random_normal([5], seed=11).numpy()
    tf.set_random_seed(3)
    tf.random_uniform([100])            # global stream
    tf.random_normal([7], seed=12)      # another op seed
    assert np.array_equal(tf.random_normal([5], seed=11).numpy(), want)


def test_op_seed_without_global_seed_uses_a_fixed_default():
    a = tf.random_uniform([4], seed=42).numpy()
    b = tf.random_uniform([4], seed=42).numpy()
    assert not np.array_equal(a, b)
    tf.set_random_seed(None)  # restarts sequences; still no global seed
    assert np.array_equal(tf.random_uniform([4], seed=42).numpy(), a)
    tf.set_random_seed(87654321)  # TensorFlow's default global seed, made explicit
    assert np.array_equal(tf.random_uniform([4], seed=42).numpy(), a)


def test_get_seed():
    assert tf.random.get_seed(None) == (None, None)
    assert tf.random.get_seed(3) == (87654321, 3)
    tf.random.set_seed(9)
    assert tf.random.get_seed(None) == (9, None)
    assert tf.random.get_seed(3) == (9, 3)


def test_no_seed_is_nondeterministic():
    a = tf.random_uniform([8]).numpy()
    b = tf.random_uniform([8]).numpy()
    assert not np.array_equal(a, b)


def test_op_seed_reproduces_float64():
    tf.set_random_seed(4)
    a = tf.random_uniform([3], seed=1, dtype=tf.float64).numpy()
    tf.set_random_seed(4)
    b = tf.random_uniform([3], seed=1, dtype=tf.float64).numpy()
    assert np.array_equal(a, b)


def test_seed_arguments_are_checked():
    with pytest.raises(TypeError, match="set_random_seed: seed must be"):
        tf.set_random_seed(1.5)
    with pytest.raises(TypeError, match="random_normal: seed must be"):
        tf.random_normal([2], seed="x")
    tf.set_random_seed(np.int64(-3))  # NumPy ints and negative seeds are fine
    tf.random_normal([2], seed=-1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_draws_new_unseeded_values():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, tf.random_uniform([4], dtype=tf.float64).numpy().tobytes())
        finally:
            os._exit(0)
    os.close(w)
    child = np.frombuffer(os.read(r, 64), np.float64)
    os.waitpid(pid, 0)
    os.close(r)
    mine = tf.random_uniform([4], dtype=tf.float64).numpy()
    assert not np.array_equal(child, mine)


# ---- stateless -------------------------------------------------------------------
def test_stateless_depends_only_on_seed():
    a = tf.random.stateless_uniform([5], seed=[1, 2]).numpy()
    tf.set_random_seed(99)
    tf.random_uniform([10])
    assert np.array_equal(tf.random.stateless_uniform([5], seed=[1, 2]).numpy(), a)
    assert np.array_equal(tf.random.stateless_uniform([5], seed=tf.constant([1, 2], tf.int64)).numpy(), a)
    assert not np.array_equal(tf.random.stateless_uniform([5], seed=[1, 3]).numpy(), a)
    n = tf.random.stateless_normal([4], seed=[5, 6], mean=3.0, stddev=0.5)
    assert np.array_equal(n.numpy(), tf.random.stateless_normal([4], [5, 6], 3.0, 0.5).numpy())
    t = tf.random.stateless_truncated_normal([1000], seed=[5, 6]).numpy()
    assert np.abs(t).max() <= 2
    i = tf.random.stateless_uniform([100], [1, 1], minval=3, maxval=6, dtype=tf.int64).numpy()
    assert i.dtype == np.int64 and i.min() >= 3 and i.max() < 6


# ---- distributions ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_uniform_statistics(dtype):
    x = tf.random_uniform([N], dtype=dtype, seed=1)
    assert x.dtype == tf.as_dtype(dtype)
    v = x.numpy().astype(np.float64)
    assert v.min() >= 0 and v.max() < 1
    assert abs(v.mean() - 0.5) < 0.02 and abs(v.std() - 12 ** -0.5) < 0.02


def test_uniform_range_and_tensor_bounds():
    v = tf.random.uniform([N], minval=-3.0, maxval=5.0, seed=2).numpy()
    assert v.min() >= -3 and v.max() < 5 and abs(v.mean() - 1.0) < 0.15
    lo = tf.constant([0.0, 10.0])
    v = tf.random.uniform([N // 2, 2], minval=lo, maxval=lo + 1.0, seed=3).numpy()
    assert v[:, 0].max() < 1 and v[:, 1].min() >= 10 and v[:, 1].max() < 11


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint32", "uint64"])
def test_uniform_ints_cover_the_range(dtype):
    v = tf.random_uniform([N], minval=2, maxval=9, dtype=dtype, seed=4).numpy()
    assert v.dtype == np.dtype(dtype)
    assert set(np.unique(v).tolist()) == set(range(2, 9))
    counts = np.bincount(v.astype(np.int64))[2:]
    assert counts.min() > N / 7 * 0.85


def test_uniform_int64_extremes():
    v = tf.random_uniform([100], minval=-2 ** 63, maxval=2 ** 63 - 1, dtype=tf.int64, seed=5).numpy()
    assert v.dtype == np.int64 and (v < 0).any() and (v > 0).any()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_normal_statistics(dtype):
    x = tf.random_normal([N], mean=2.0, stddev=3.0, dtype=dtype, seed=6)
    assert x.dtype == tf.as_dtype(dtype)
    v = x.numpy().astype(np.float64)
    assert abs(v.mean() - 2.0) < 0.15 and abs(v.std() - 3.0) < 0.15


def test_normal_with_tensor_parameters():
    v = tf.random.normal([N // 2, 2], mean=[0.0, 100.0], stddev=[1.0, 0.1], seed=7).numpy()
    assert abs(v[:, 0].mean()) < 0.1 and abs(v[:, 1].mean() - 100) < 0.02
    assert abs(v[:, 1].std() - 0.1) < 0.01


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_truncated_normal_bounds(dtype):
    x = tf.truncated_normal([N], mean=1.0, stddev=2.0, dtype=dtype, seed=8)
    assert x.dtype == tf.as_dtype(dtype)
    v = x.numpy().astype(np.float64)
    assert v.min() >= 1 - 4 - 1e-2 and v.max() <= 1 + 4 + 1e-2
    # The standard deviation of a normal truncated at 2 sigma is 0.88 sigma.
    assert abs(v.mean() - 1.0) < 0.1 and abs(v.std() - 2 * 0.8796) < 0.1
    assert (np.abs(v - 1) > 3.5).any()  # the tails still reach near the cut


def test_shuffle_is_a_permutation_of_rows():
    x = np.arange(60).reshape(20, 3)
    y = tf.random.shuffle(tf.constant(x), seed=9).numpy()
    assert y.dtype == x.dtype and y.shape == x.shape
    assert not np.array_equal(x, y)
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))
    assert (y[:, 1] == y[:, 0] + 1).all()  # rows move whole


def test_shuffle_keeps_the_input_and_odd_values():
    x = tf.constant([b"a", b"b", b"c", b"d"])
    y = tf.random_shuffle(x, seed=1)
    assert sorted(y.numpy().tolist()) == [b"a", b"b", b"c", b"d"]
    assert x.numpy().tolist() == [b"a", b"b", b"c", b"d"]
    assert tf.random_shuffle(tf.constant(5.0)).numpy() == 5.0
    assert tf.random_shuffle(tf.constant(np.zeros((0, 2), np.float32))).shape == (0, 2)


def test_multinomial_frequencies():
    p = np.array([0.1, 0.2, 0.7])
    logits = tf.constant(np.log(np.stack([p, p[::-1]])))
    s = tf.multinomial(logits, N, seed=10)
    assert s.dtype == tf.int64 and s.shape == (2, N)
    v = s.numpy()
    np.testing.assert_allclose(np.bincount(v[0], minlength=3) / N, p, atol=0.02)
    np.testing.assert_allclose(np.bincount(v[1], minlength=3) / N, p[::-1], atol=0.02)


def test_categorical_large_batch_and_masked_classes():
    # Over 32 rows takes the vectorized path; -inf classes must never appear.
    logits = np.zeros((64, 5), np.float32)
    logits[:, [0, 2, 4]] = -np.inf
    logits[7] = [0, -np.inf, -np.inf, -np.inf, -np.inf]
    v = tf.random.categorical(tf.constant(logits), 50, dtype=tf.int32, seed=11).numpy()
    assert v.dtype == np.int32 and v.shape == (64, 50)
    assert set(np.unique(np.delete(v, 7, axis=0)).tolist()) == {1, 3}
    assert (v[7] == 0).all()
    small = tf.random.categorical(tf.constant(logits[:4]), 50, seed=11).numpy()
    assert set(np.unique(small).tolist()) == {1, 3}


def test_multinomial_rows_without_weight_give_num_classes():
    v = tf.multinomial(tf.constant([[-np.inf, -np.inf], [np.nan, 0.0]]), 4, seed=1).numpy()
    assert (v[0] == 2).all() and (v[1] == 1).all()


def test_gamma_statistics():
    x = tf.random.gamma([N], alpha=[2.0, 9.0], beta=[1.0, 3.0], seed=12)
    assert x.shape == (N, 2) and x.dtype == tf.float32
    v = x.numpy().astype(np.float64)
    np.testing.assert_allclose(v.mean(axis=0), [2.0, 3.0], rtol=0.05)
    np.testing.assert_allclose(v.var(axis=0), [2.0, 1.0], rtol=0.1)
    assert v.min() > 0
    h = tf.random_gamma([10], 0.01, dtype=tf.float16, seed=1).numpy()
    assert h.dtype == np.float16 and (h > 0).all()  # clamped to the smallest normal


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
def test_poisson_statistics(dtype):
    x = tf.random.poisson([N], lam=[0.5, 20.0], dtype=dtype, seed=13)
    assert x.shape == (N, 2) and x.dtype == tf.as_dtype(dtype)
    v = x.numpy().astype(np.float64)
    np.testing.assert_allclose(v.mean(axis=0), [0.5, 20.0], rtol=0.05)
    y = tf.random_poisson(tf.constant([1.0, 2.0, 3.0]), [4], seed=1)  # TF 1 argument order
    assert y.shape == (4, 3)


# ---- shapes, dtypes, errors ----------------------------------------------------------
def test_shape_forms():
    want = (2, 3)
    for shape in ([2, 3], (2, 3), tf.TensorShape([2, 3]), tf.constant([2, 3]),
                  tf.constant([2, 3], tf.int64), np.array([2, 3]),
                  [tf.constant(2), np.int64(3)]):
        assert tf.random_uniform(shape).shape == want
        assert tf.random.normal(shape).shape == want
        assert tf.random.truncated_normal(shape).shape == want
    assert tf.random_uniform([]).shape == ()
    assert tf.random_normal([0, 4]).numpy().shape == (0, 4)


def test_default_dtype_is_float32():
    assert tf.random_uniform([2]).dtype == tf.float32
    assert tf.random_normal([2]).dtype == tf.float32
    assert tf.truncated_normal([2]).dtype == tf.float32
    assert tf.random.gamma([2], 1.0).dtype == tf.float32
    assert tf.random.poisson([2], 1.0).dtype == tf.float32


def test_shape_errors_name_the_op_and_shape():
    with pytest.raises(errors.InvalidArgumentError, match=r"random_uniform: shape \[3, -2\]"):
        tf.random_uniform([3, -2])
    with pytest.raises(errors.InvalidArgumentError, match=r"random_normal: .*\[65536, 65536\]"):
        tf.random_normal([2 ** 16, 2 ** 16])
    with pytest.raises(errors.InvalidArgumentError, match=r"truncated_normal: .*more than"):
        tf.truncated_normal(tf.constant([2 ** 31, 1], tf.int64))
    with pytest.raises(errors.InvalidArgumentError, match=r"random_uniform: .*2\*\*31 - 1"):
        tf.random.uniform([2 ** 40, 0])  # empty, but no kernel should see such a dimension
    with pytest.raises(TypeError, match="random_uniform: shape"):
        tf.random_uniform(tf.constant([2.0, 3.0]))
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int64)


def test_invalid_argument_is_a_value_error():
    with pytest.raises(ValueError):
        tf.random_uniform([-1])


def test_device_scope_on_cpu():
    if not hasattr(tf, "device"):
        pytest.skip("eager.device is not available")
    with tf.device("/cpu:0"):
        x = tf.random_normal([3, 3], seed=1)
    assert x.shape == (3, 3)
