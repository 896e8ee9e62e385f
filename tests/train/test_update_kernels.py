"""The optimizers' update kernels (eager/train/kernels.py): Adam's one-pass
C loop against the NumPy kernel it replaces (bit for bit, NaN and inf
included), and the cases it declines (then NumPy runs)."""
import numpy as np
import pytest

from eager.train import kernels

_K = kernels._K
SCALARS = (1e-3, 0.9, 0.999, 1e-8)
needs_c = pytest.mark.skipif(_K is None, reason="eager._ext.nn_kernels is not built")


def _state(n, dtype, rng, amsgrad):
    var, m, g = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(dtype)
    arrays = [var, m, v]
    if amsgrad:
        arrays.append(np.abs(rng.standard_normal(n)).astype(dtype))
    return arrays, g


def _numpy_update(kernel, arrays, g):
    """The NumPy kernel on copies, whole arrays at once."""
    out = [a.copy() for a in arrays]
    with np.errstate(all="ignore"):
        kernel(*out, g, np.empty_like(g), *SCALARS)
    return out


@needs_c
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_c_loop_matches_numpy_kernel_bit_for_bit(dtype, amsgrad):
    rng = np.random.default_rng(0)
    kernel = kernels.adam_amsgrad if amsgrad else kernels.adam
    for n in (1, 3, 4, 5, 37, 100003):   # around the vector width, and chunk-sized
        arrays, g = _state(n, dtype, rng, amsgrad)
        if n > 30:
            g[[1, 7, 20]] = [np.nan, np.inf, -np.inf]
            arrays[2][[2, 9]] = [np.inf, np.nan]
            if amsgrad:
                arrays[3][[3, 11, 20]] = [np.nan, np.inf, 0.0]
        want = _numpy_update(kernel, arrays, g)
        got = [a.copy() for a in arrays]
        with np.errstate(all="ignore"):
            kernels.run(kernel, got + [g], SCALARS)
        for w, a in zip(want, got):
            np.testing.assert_array_equal(a, w)


@needs_c
def test_adam_c_loop_declines_what_it_cannot_take():
    rng = np.random.default_rng(1)
    arrays, g = _state(64, np.float32, rng, False)
    var, m, v = arrays
    assert not _K.adam(var.astype(np.float16), m.astype(np.float16), v.astype(np.float16), None,
                       g.astype(np.float16), *SCALARS)
    assert not _K.adam(var[::2], m[::2], v[::2], None, g[::2], *SCALARS)      # strided
    assert not _K.adam(var, m, v, None, g.astype(np.float64), *SCALARS)       # mixed dtypes
    assert not _K.adam(var, m[:32], v, None, g, *SCALARS)                     # shapes differ
    assert not _K.adam(var, var, v, None, g, *SCALARS)                        # overlapping
    both = np.zeros(65, np.float32)
    assert not _K.adam(var, both[:64], both[1:], None, g, *SCALARS)
    frozen = m.copy()
    frozen.flags.writeable = False
    assert not _K.adam(var, frozen, v, None, g, *SCALARS)
    before = [a.copy() for a in arrays]
    assert not _K.adam(var, m, v, None, list(g), *SCALARS)
    for b, a in zip(before, arrays):
        np.testing.assert_array_equal(a, b)                                  # untouched


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_run_falls_back_to_numpy_for_strided_and_half_arrays(dtype):
    rng = np.random.default_rng(2)
    arrays, g = _state(200, dtype, rng, False)
    strided = [np.repeat(a, 2)[::2] for a in arrays]                        # not contiguous
    want = _numpy_update(kernels.adam, arrays, g)
    kernels.run(kernels.adam, strided + [np.repeat(g, 2)[::2]], SCALARS)
    for w, a in zip(want, strided):
        np.testing.assert_allclose(a.astype(np.float64), w.astype(np.float64),
                                   rtol=1e-3 if dtype == np.float16 else 1e-6)
