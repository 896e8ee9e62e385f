"""Every row of the op table: forward results, dtypes and shapes against the
NumPy reference on every listed dtype, and the error inputs."""
import importlib
import pkgutil
import re

import numpy as np
import pytest

import eager as tf
from tests.ops.optest import OpTest


def all_entries():
    import tests.ops as pkg
    rows = []
    for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if m.name.startswith("table_"):
            rows.extend(importlib.import_module("tests.ops." + m.name).ENTRIES)
    return rows


ENTRIES = all_entries()


def _as_list(r):
    return list(r) if isinstance(r, (list, tuple)) else [r]


@pytest.mark.parametrize("row", ENTRIES, ids=lambda r: r.id)
def test_forward_matches_numpy(row: OpTest):
    rng = np.random.default_rng(0)
    for dtype in row.dtypes:
        rtol, atol = row.tolerances(dtype)
        for inputs in row.make_samples(dtype, rng):
            tensors = [tf.constant(a) if isinstance(a, np.ndarray) else a for a in inputs]
            got = _as_list(row.fn(*tensors))
            want = _as_list(row.ref(*inputs))
            assert len(got) == len(want), row.id
            for g, w in zip(got, want):
                w = np.asarray(w)
                assert isinstance(g, tf.Tensor), (row.id, type(g))
                assert tuple(g.shape) == w.shape, (row.id, dtype, g.shape, w.shape)
                if row.check_dtype:
                    assert g.dtype == w.dtype, (row.id, dtype, g.dtype, w.dtype)
                if row.random:
                    continue
                gv = g.numpy()
                if w.dtype.kind in "fc":
                    np.testing.assert_allclose(gv, w, rtol=rtol, atol=atol, equal_nan=True,
                                               err_msg="%s %s" % (row.id, dtype))
                else:
                    np.testing.assert_array_equal(gv, w, err_msg="%s %s" % (row.id, dtype))


@pytest.mark.parametrize("row", [r for r in ENTRIES if r.errors], ids=lambda r: r.id)
def test_error_inputs(row: OpTest):
    for inputs, exc, pattern in row.errors:
        with pytest.raises(exc) as info:
            row.fn(*inputs)
        assert re.search(pattern, str(info.value)), (row.id, str(info.value))
