"""What the op table cannot say about matmul's kernel (eager/_ext/blas.pyx:
memory layouts, broadcasting, the Tensor fast path, threads, huge outputs)
and about the reductions and linear algebra (axis forms, named tuples,
reconstructions, exact gradients at zeros and ties, the docstring examples)."""
import doctest
import threading

import numpy as np
import pytest

import eager as tf
from eager import errors
from eager._ext import blas
from eager.ops import linalg as L, reduction as R

KINDS = ("float32", "float64", "complex64", "complex128", "int32", "int64")


def _rand(shape, dtype, rng):
    x = rng.integers(-4, 5, size=shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.integers(-4, 5, size=shape)
    return x.astype(dtype)


def _reference(a, b, adj_a, adj_b):
    if adj_a:
        a = np.conj(np.swapaxes(a, -1, -2))
    if adj_b:
        b = np.conj(np.swapaxes(b, -1, -2))
    return np.matmul(a, b)


def _layout(x, kind):
    """The same values stored C-ordered, Fortran-ordered (a transposed
    view), strided, reversed or misaligned."""
    if kind == "F":
        return np.swapaxes(np.ascontiguousarray(np.swapaxes(x, -1, -2)), -1, -2)
    if kind == "strided":
        return np.repeat(x, 2, axis=-1)[..., ::2]
    if kind == "reversed":
        return np.flip(np.flip(x, -1).copy(), -1)
    if kind == "misaligned":
        buf = np.zeros(x.nbytes + 1, np.uint8)[1:]
        y = buf.view(x.dtype).reshape(x.shape)
        y[...] = x
        return y
    return np.ascontiguousarray(x)


@pytest.fixture(params=["numpy", "scipy"])
def blas_source(request):
    """Runs a test with NumPy's gemm (the default where it is found) and with
    SciPy's cython_blas (the fallback)."""
    blas._set_source(request.param)
    yield blas.BLAS_SOURCE
    blas._set_source("numpy")


def test_gemm_shares_numpys_blas_when_it_can():
    # One BLAS thread pool per process (CONVENTIONS.md, "Threads"): with
    # NumPy's bundled OpenBLAS present, gemm must be NumPy's, not SciPy's.
    if blas._numpy_blas_libraries():
        assert blas.BLAS_SOURCE.startswith("numpy:"), blas.BLAS_SOURCE


@pytest.mark.parametrize("dtype", KINDS)
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed", "misaligned"])
def test_blas_matmul_layouts_and_flags(dtype, layout, blas_source):
    rng = np.random.default_rng(0)
    for m, k, n in [(2, 2, 2), (1, 5, 1), (7, 1, 3), (9, 17, 12), (33, 20, 40)]:
        for adj_a in (False, True):
            for adj_b in (False, True):
                a = _layout(_rand((k, m) if adj_a else (m, k), dtype, rng), layout)
                b = _layout(_rand((n, k) if adj_b else (k, n), dtype, rng), layout)
                got = blas.matmul(a, b, adj_a, adj_b)
                want = _reference(a, b, adj_a, adj_b)
                assert got.dtype == want.dtype and got.shape == want.shape
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_blas_batch_broadcasting_without_copies(dtype, blas_source):
    rng = np.random.default_rng(1)
    cases = [((3, 2, 4), (4, 5)), ((2, 4), (3, 4, 5)), ((2, 1, 2, 4), (3, 4, 5)),
             ((1, 2, 4), (3, 4, 5)), ((0, 2, 4), (4, 5)), ((2, 0, 4), (2, 4, 5))]
    for sa, sb in cases:
        a, b = _rand(sa, dtype, rng), _rand(sb, dtype, rng)
        np.testing.assert_array_equal(blas.matmul(a, b), np.matmul(a, b))
    # Broadcast views (zero batch strides) are read in place.
    a = np.broadcast_to(_rand((1, 3, 4), dtype, rng), (5, 3, 4))
    b = _rand((5, 4, 2), dtype, rng)
    np.testing.assert_array_equal(blas.matmul(a, b), np.matmul(a, b))


def test_blas_declines_what_it_does_not_handle():
    a = np.ones((2, 3))
    assert blas.matmul(a, np.ones((4, 5))) is None                 # inner dims
    assert blas.matmul(a, np.ones((3, 2), np.float32)) is None     # mixed dtypes
    assert blas.matmul(np.ones((2, 3), np.int8), np.ones((3, 2), np.int8)) is None
    assert blas.matmul(np.ones(3), np.ones((3, 2))) is None        # rank 1
    assert blas.matmul([[1.0]], [[1.0]]) is None                   # not arrays


def test_blas_k_zero_and_integer_wraparound():
    r = blas.matmul(np.ones((2, 0), np.float32), np.ones((0, 3), np.float32))
    assert r.shape == (2, 3) and not r.any()
    a = np.array([[2 ** 31 - 1, 1]], np.int32)
    b = np.array([[2], [1]], np.int32)
    assert blas.matmul(a, b)[0, 0] == np.int32(-1)   # wraps like TensorFlow
    a64 = np.array([[2 ** 62, 2 ** 62]], np.int64)
    assert blas.matmul(a64, np.array([[2], [0]], np.int64))[0, 0] == np.int64(-2 ** 63)


def test_matmul_fast_path_and_taped_path_agree():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[5.0, 6.0], [7.0, 8.0]])
    fast = blas.matmul_tensors(x, y)
    assert fast is not None and isinstance(fast, tf.Tensor)
    with tf.GradientTape() as tape:
        tape.watch(x)
        assert blas.matmul_tensors(x, y) is None     # a tape needs the dispatcher
        z = tf.matmul(x, y)
    np.testing.assert_array_equal(fast.numpy(), z.numpy())
    g = tape.gradient(z, x)
    np.testing.assert_allclose(g.numpy(), np.ones((2, 2)) @ y.numpy().T)
    assert blas.matmul_tensors(x, tf.constant([[1.0, 2.0]], tf.float64)) is None
    assert blas.matmul_tensors(x, [[1.0, 2.0]]) is None


def test_matmul_flags_inputs_and_operator():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = tf.constant(a)
    np.testing.assert_array_equal(tf.matmul(x, x, transpose_b=True).numpy(), a @ a.T)
    np.testing.assert_array_equal(tf.matmul(x, x, transpose_a=True).numpy(), a.T @ a)
    np.testing.assert_array_equal((x @ tf.transpose(x)).numpy(), a @ a.T)
    np.testing.assert_array_equal(tf.matmul([[1.0, 2.0]], x[:, :2].numpy().T).numpy(),
                                  [[1.0, 2.0]] @ a[:, :2].T)
    c = tf.constant([[1 + 2j, 3j]], tf.complex64)
    np.testing.assert_allclose(tf.matmul(c, c, transpose_b=True).numpy(), [[(1 + 2j) ** 2 - 9]])
    np.testing.assert_allclose(tf.matmul(c, c, adjoint_b=True).numpy(), [[5 + 9]])
    with pytest.raises(ValueError, match="only one of transpose_a and adjoint_a"):
        tf.matmul(x, x, transpose_a=True, adjoint_a=True)
    assert tf.matmul(tf.ones([2, 3], tf.int8), tf.ones([3, 2], tf.int8),
                     output_type=tf.int32).dtype == tf.int32


def test_matmul_huge_output_raises_before_allocating():
    with pytest.raises(errors.ResourceExhaustedError, match=r"matmul: an output of shape"):
        tf.matmul(tf.zeros([300000, 1]), tf.zeros([1, 300000]))
    with pytest.raises(errors.ResourceExhaustedError, match=r"einsum"):
        tf.einsum("i,j->ij", tf.zeros([300000]), tf.zeros([300000]))


def test_matmul_from_threads():
    # The GIL is released in gemm and long loops: results stay right.
    rng = np.random.default_rng(3)
    a = rng.standard_normal((120, 90)).astype(np.float32)
    b = rng.standard_normal((90, 70)).astype(np.float32)
    ai = rng.integers(-9, 9, (60, 80)).astype(np.int32)
    bi = rng.integers(-9, 9, (80, 50)).astype(np.int32)
    want, want_i = a @ b, ai @ bi
    ta, tb, tai, tbi = (tf.constant(v) for v in (a, b, ai, bi))
    bad = []

    def work():
        for _ in range(20):
            if not np.allclose(tf.matmul(ta, tb).numpy(), want, rtol=1e-4, atol=1e-4):
                bad.append("float")
            if not np.array_equal(tf.matmul(tai, tbi).numpy(), want_i):
                bad.append("int")

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


# ---- reductions -------------------------------------------------------------------
def test_reduction_axis_forms():
    x = tf.constant(np.arange(24, dtype=np.int32).reshape(2, 3, 4))
    want = np.arange(24).reshape(2, 3, 4).sum(axis=(0, 2))
    for axis in ([0, 2], (2, 0), [-1, 0], np.array([0, 2]), tf.constant([0, 2]),
                 tf.constant([2, 0], tf.int64)):
        np.testing.assert_array_equal(tf.reduce_sum(x, axis=axis).numpy(), want)
    assert tf.reduce_sum(x, axis=tf.constant(1)).shape == (2, 4)
    assert tf.reduce_sum(x, axis=[]).shape == (2, 3, 4)
    assert tf.reduce_sum(x, keepdims=True).shape == (1, 1, 1)
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"reduce_max: Invalid reduction dimension 3 .*\(2, 3, 4\) int32"):
        tf.reduce_max(x, axis=3)
    with pytest.raises(TypeError):
        tf.reduce_sum(x, axis="0")


def test_reduction_dtypes_follow_tensorflow():
    assert tf.reduce_sum(tf.constant([1, 2], tf.int32)).dtype == tf.int32
    assert tf.reduce_sum(tf.constant([2 ** 31 - 1, 1], tf.int32)).numpy() == -2 ** 31
    assert tf.reduce_mean(tf.constant([-1, -2])).numpy() == -1     # truncates toward zero
    assert tf.reduce_mean(tf.constant([1, 2], tf.int64)).dtype == tf.int64
    assert tf.reduce_mean(tf.constant([1.0, 2.0], tf.float16)).dtype == tf.float16
    assert tf.reduce_sum(tf.zeros([0])).numpy() == 0
    assert tf.reduce_prod(tf.zeros([0], tf.int32)).numpy() == 1
    assert np.isneginf(tf.reduce_max(tf.zeros([0, 2]), axis=0).numpy()).all()
    assert tf.reduce_min(tf.zeros([0], tf.int32)).numpy() == 2 ** 31 - 1
    assert tf.reduce_any(tf.zeros([0], tf.bool)).numpy() == False  # noqa: E712
    assert tf.reduce_all(tf.zeros([0], tf.bool)).numpy() == True  # noqa: E712
    assert np.isneginf(tf.reduce_logsumexp(tf.zeros([0])).numpy())
    np.testing.assert_allclose(tf.reduce_logsumexp([1000.0, 1000.0]).numpy(), 1000 + np.log(2))
    assert tf.math.reduce_std([1.0, 3.0]).numpy() == 1.0


def _grad(f, x):
    x = tf.constant(np.asarray(x, np.float64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x).numpy()


def test_max_gradient_splits_ties_and_prod_gradient_is_exact_at_zeros():
    np.testing.assert_allclose(_grad(lambda x: tf.reduce_max(x, axis=1), [[1, 3, 3], [2, 2, 0]]),
                               [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    np.testing.assert_allclose(_grad(lambda x: tf.reduce_prod(x, axis=1),
                                     [[1, 0, 3], [0, 2, 0], [2, 3, 4]]),
                               [[0, 3, 0], [0, 0, 0], [12, 8, 6]])
    np.testing.assert_allclose(_grad(tf.reduce_prod, [[2, 3], [4, 5]]), [[60, 40], [30, 24]])


def test_argmax_top_k_cumsum_count_nonzero():
    x = tf.constant([[1, 5, 5], [7, 2, 7]])
    assert tf.argmax(x).dtype == tf.int64
    np.testing.assert_array_equal(tf.argmax(x).numpy(), [1, 0, 1])
    np.testing.assert_array_equal(tf.math.argmax(x, 1, output_type=tf.int32).numpy(), [1, 0])
    values, indices = tf.math.top_k(x, k=2)
    r = tf.math.top_k(x, k=2)
    assert r.values is not None and r.indices.dtype == tf.int32
    np.testing.assert_array_equal(values.numpy(), [[5, 5], [7, 7]])
    np.testing.assert_array_equal(indices.numpy(), [[1, 2], [0, 2]])
    np.testing.assert_array_equal(tf.cumsum([1, 2, 3], exclusive=True, reverse=True).numpy(),
                                  [5, 3, 0])
    np.testing.assert_array_equal(tf.math.cumprod([1, 2, 3], exclusive=True).numpy(), [1, 1, 2])
    assert tf.math.count_nonzero(x - 5).numpy() == 4
    assert tf.math.count_nonzero([True, False]).dtype == tf.int64


# ---- linear algebra ----------------------------------------------------------------
def test_decompositions_reconstruct():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 4, 3))
    s, u, v = tf.linalg.svd(a)
    np.testing.assert_allclose(np.matmul(u.numpy() * s.numpy()[..., None, :],
                                         np.swapaxes(v.numpy(), -1, -2)), a, atol=1e-12)
    q, r = tf.linalg.qr(a)
    np.testing.assert_allclose(np.matmul(q.numpy(), r.numpy()), a, atol=1e-12)
    h = a[0].T @ a[0]
    e, vec = tf.linalg.eigh(h)
    np.testing.assert_allclose((vec.numpy() * e.numpy()) @ vec.numpy().T, h, atol=1e-12)
    c = tf.linalg.cholesky(h + np.eye(3))
    np.testing.assert_allclose(c.numpy() @ c.numpy().T, h + np.eye(3), atol=1e-12)
    sign, logabs = tf.linalg.slogdet(h + np.eye(3))
    np.testing.assert_allclose(sign.numpy() * np.exp(logabs.numpy()), np.linalg.det(h + np.eye(3)))
    x = tf.linalg.lstsq(a[0], a[0] @ np.ones((3, 1)))
    np.testing.assert_allclose(x.numpy(), np.ones((3, 1)), atol=1e-10)


def test_singular_and_invalid_matrices_raise():
    sing = tf.constant([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(errors.InvalidArgumentError, match=r"Input is not invertible.*\(2, 2\)"):
        tf.linalg.inv(sing)
    with pytest.raises(errors.InvalidArgumentError, match=r"matrix_solve: Input matrix is not"):
        tf.linalg.solve(sing, [[1.0], [1.0]])
    with pytest.raises(errors.InvalidArgumentError, match=r"Cholesky decomposition"):
        tf.linalg.cholesky(-tf.eye(2))
    with pytest.raises(errors.InvalidArgumentError, match=r"square"):
        tf.linalg.det(tf.zeros([2, 3]))


def test_einsum_forms():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(tf.einsum("ij,jk", a, b).numpy(), a @ b)
    np.testing.assert_allclose(tf.einsum("ij,jk->ki", a, b).numpy(), (a @ b).T)
    np.testing.assert_allclose(tf.einsum("bA", a).numpy(), a.T)      # implicit: sorted labels
    np.testing.assert_allclose(tf.einsum("...j,jk->...k", np.ones((2, 2, 3)), b).numpy(),
                               np.ones((2, 2, 3)) @ b)
    np.testing.assert_allclose(tf.einsum("ii", np.eye(3) * 2).numpy(), 6.0)
    assert tf.einsum("ij->", tf.constant([[1, 2]])).dtype == tf.int32


def test_einsum_gradient_with_repeated_and_summed_labels():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 3))
    np.testing.assert_allclose(_grad(lambda t: tf.einsum("ii->", t), x), np.eye(3))
    np.testing.assert_allclose(_grad(lambda t: tf.einsum("ij->i", t), x), np.ones((3, 3)))
    w = rng.standard_normal((3,))
    np.testing.assert_allclose(
        _grad(lambda t: tf.reduce_sum(tf.einsum("ii->i", t) * w), x), np.diag(w))


def test_norm_values():
    x = np.array([[3.0, -4.0], [1.0, 2.0]])
    assert np.isclose(tf.norm(x).numpy(), np.linalg.norm(x))
    np.testing.assert_allclose(tf.norm(x, ord=1, axis=1).numpy(), [7, 3])
    assert np.isclose(tf.norm(x, ord=2, axis=[0, 1]).numpy(), np.linalg.norm(x, 2))
    assert np.isclose(tf.norm(x, ord=np.inf, axis=(0, 1)).numpy(), 7)
    assert tf.norm(tf.constant([3 + 4j], tf.complex64)).dtype == tf.float32
    with pytest.raises(ValueError):
        tf.norm(x, ord="nuc")


def test_docstring_examples():
    for mod in (R, L):
        result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, mod.__name__
