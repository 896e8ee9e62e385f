"""Gradient checks driven by the op table: every differentiable op's tape
gradient against a central difference in float64 along random directions
(one difference per check, as Chainer's check_backward), and the same on the
first derivative for ops marked grad2."""
import numpy as np
import pytest

import eager as tf
from eager.ops._registry import REGISTRY
from tests.ops.test_op_table import ENTRIES

EPS = 1e-6


def _rows(second=False):
    rows = []
    for r in ENTRIES:
        op = REGISTRY.get(r.op)
        if op is None or not op.differentiable or not r.grad or r.random:
            continue
        if second and not r.grad2:
            continue
        rows.append(r)
    return rows


def _argnums(row, inputs):
    if row.grad_argnums is not None:
        return list(row.grad_argnums)
    return [i for i, a in enumerate(inputs) if isinstance(a, np.ndarray) and a.dtype == np.float64]


def _scalarize(out, weights):
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = None
    for o, w in zip(outs, weights):
        if o.dtype.is_floating:
            term = tf.reduce_sum(o * tf.constant(w))
            total = term if total is None else total + term
    return total


def _weights(row, inputs, rng):
    out = row.fn(*[tf.constant(a) for a in inputs])
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [rng.normal(size=tuple(o.shape)) if o.dtype.is_floating else None for o in outs]


def _loss(row, inputs, argnums, xs, weights):
    args = [tf.constant(a) for a in inputs]
    for i, x in zip(argnums, xs):
        args[i] = x
    return _scalarize(row.fn(*args), weights)


def _numeric_directional(f, xs, vs):
    plus = f([x + EPS * v for x, v in zip(xs, vs)])
    minus = f([x - EPS * v for x, v in zip(xs, vs)])
    return (plus - minus) / (2 * EPS)


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r.id)
def test_first_order(row):
    rng = np.random.default_rng(1)
    samples = row.make_grad_samples(rng)
    assert samples, "no gradient samples for %s" % row.id
    for inputs in samples:
        argnums = _argnums(row, inputs)
        weights = _weights(row, inputs, rng)
        xs = [tf.constant(inputs[i]) for i in argnums]
        with tf.GradientTape() as tape:
            for x in xs:
                tape.watch(x)
            loss = _loss(row, inputs, argnums, xs, weights)
        grads = tape.gradient(loss, xs)
        for _ in range(2):
            vs = [rng.normal(size=np.shape(inputs[i])) for i in argnums]
            analytic = sum(float(np.sum((g.numpy() if g is not None else 0.0) * v))
                           for g, v in zip(grads, vs))
            numeric = _numeric_directional(
                lambda ys: float(_loss(row, inputs, argnums, [tf.constant(y) for y in ys],
                                       weights).numpy()),
                [inputs[i] for i in argnums], vs)
            assert np.isclose(analytic, numeric, rtol=1e-4, atol=1e-5), \
                (row.id, [np.shape(inputs[i]) for i in argnums], analytic, numeric)
        for g, x in zip(grads, xs):
            if g is not None:
                assert tuple(g.shape) == tuple(x.shape), (row.id, g.shape, x.shape)
                assert g.dtype == x.dtype, (row.id, g.dtype, x.dtype)


@pytest.mark.parametrize("row", _rows(second=True), ids=lambda r: r.id)
def test_second_order(row):
    rng = np.random.default_rng(2)
    for inputs in row.make_grad_samples(rng)[:3]:
        argnums = _argnums(row, inputs)
        weights = _weights(row, inputs, rng)
        us = [rng.normal(size=np.shape(inputs[i])) for i in argnums]

        def first(xs_np_or_t):
            # <dL/dx, u> as a differentiable function of x.
            xs = [x if isinstance(x, tf.Tensor) else tf.constant(x) for x in xs_np_or_t]
            with tf.GradientTape() as inner:
                for x in xs:
                    inner.watch(x)
                loss = _loss(row, inputs, argnums, xs, weights)
            gs = inner.gradient(loss, xs)
            total = tf.constant(0.0, dtype=tf.float64)
            for g, u in zip(gs, us):
                if g is not None:
                    total = total + tf.reduce_sum(g * tf.constant(u))
            return total

        xs = [tf.constant(inputs[i]) for i in argnums]
        with tf.GradientTape() as outer:
            for x in xs:
                outer.watch(x)
            s = first(xs)
        grads2 = outer.gradient(s, xs, unconnected_gradients="zero")
        vs = [rng.normal(size=np.shape(inputs[i])) for i in argnums]
        analytic = sum(float(np.sum(g.numpy() * v)) for g, v in zip(grads2, vs))
        numeric = _numeric_directional(lambda ys: float(first(ys).numpy()),
                                       [inputs[i] for i in argnums], vs)
        assert np.isclose(analytic, numeric, rtol=1e-3, atol=1e-4), (row.id, analytic, numeric)


# Ops whose gradient the float64 table check cannot reach, with where it is checked.
CHECKED_ELSEWHERE = {
    "imag": "complex-only: test_complex_part_gradients below",
    "copy_to_device": "records only between two devices: tests/gpu",
}


def test_complex_part_gradients():
    # TensorFlow's convention: the gradient of a real loss with respect to
    # z = a + ib is dL/da + i dL/db.
    z = tf.constant(np.array([1 + 2j, -3 + 0.5j]))
    w = tf.constant(np.array([2.0, -1.0]))
    with tf.GradientTape(persistent=True) as t:
        t.watch(z)
        li = tf.reduce_sum(tf.math.imag(z) * w)
        lr = tf.reduce_sum(tf.math.real(z) * w)
    np.testing.assert_allclose(t.gradient(li, z).numpy(), 1j * np.array([2.0, -1.0]))
    np.testing.assert_allclose(t.gradient(lr, z).numpy(), np.array([2.0, -1.0]) + 0j)


def test_every_differentiable_op_is_gradient_checked():
    checked = {r.op for r in _rows()} | set(CHECKED_ELSEWHERE)
    missing = sorted(n for n, op in REGISTRY.items() if op.differentiable and n not in checked)
    assert not missing, "differentiable ops with no gradient check: %s" % missing
