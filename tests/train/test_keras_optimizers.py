"""TensorFlow 2 optimizers (eager.keras.optimizers): first steps against the
Keras update formulas, defaults, iterations, slots, schedules, clipping."""
import math

import numpy as np
import pytest

import eager as tf
from eager import keras_optimizers as optimizers
from eager.variables import Variable
from tests.train.test_optimizers import GRADS, X0, _close


def _run(opt, grads=GRADS):
    var = Variable(X0.astype(np.float32))
    for g in grads:
        opt.apply_gradients(zip([tf.constant(g.astype(np.float32))], [var]))
    return var


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd(momentum, nesterov):
    lr = 0.1
    x, vel = X0.copy(), np.zeros_like(X0)
    for g in GRADS:
        vel = momentum * vel - lr * g
        x = x + (momentum * vel - lr * g if nesterov else vel)
    opt = optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov)
    _close(_run(opt), x)
    assert opt.get_slot_names() == (["momentum"] if momentum else [])
    assert int(opt.iterations.numpy()) == 3
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam(amsgrad):
    opt = optimizers.Adam(learning_rate=0.01, amsgrad=amsgrad)
    assert (opt.beta_1, opt.beta_2, opt.epsilon) == (0.9, 0.999, 1e-7)
    x, m, v, vhat = X0.copy(), np.zeros_like(X0), np.zeros_like(X0), np.zeros_like(X0)
    for t, g in enumerate(GRADS, 1):
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        vhat = np.maximum(vhat, v)
        alpha = 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        x = x - alpha * m / (np.sqrt(vhat if amsgrad else v) + 1e-7)
    var = _run(opt)
    _close(var, x)
    _close(opt.get_slot(var, "m"), m)
    assert len(opt.variables()) == 1 + (3 if amsgrad else 2)


def test_adagrad():
    x, acc = X0.copy(), np.full_like(X0, 0.1)
    for g in GRADS:
        acc = acc + g * g
        x = x - 0.05 * g / np.sqrt(acc + 1e-7)
    _close(_run(optimizers.Adagrad(learning_rate=0.05)), x)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(centered, momentum):
    lr, rho, eps = 0.01, 0.9, 1e-7
    x, rms, mom, mg = X0.copy(), np.zeros_like(X0), np.zeros_like(X0), np.zeros_like(X0)
    for g in GRADS:
        rms = rho * rms + (1 - rho) * g * g
        denom = rms + eps
        if centered:
            mg = rho * mg + (1 - rho) * g
            denom = rms - mg * mg + eps
        inc = lr * g / np.sqrt(denom)
        mom = momentum * mom + inc
        x = x - (mom if momentum else inc)
    _close(_run(optimizers.RMSprop(lr, momentum=momentum, centered=centered)), x)


def test_schedule_is_read_at_the_current_iteration():
    sched = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=sched)
    v = Variable(0.0)
    for _ in range(3):
        opt.apply_gradients([(tf.constant(1.0), v)])
    assert np.isclose(v.numpy(), -(0.1 + 0.05 + 0.025))
    pc = optimizers.schedules.PiecewiseConstantDecay([2], [1.0, 0.1])
    assert np.isclose(pc(2).numpy(), 1.0) and np.isclose(pc(3).numpy(), 0.1)
    poly = optimizers.schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0)
    assert np.isclose(poly(5).numpy(), 0.5) and np.isclose(poly(20).numpy(), 0.0)


def test_minimize_clipping_and_errors():
    w = Variable([3.0, 4.0])
    opt = optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    opt.minimize(lambda: tf.reduce_sum(w), var_list=[w])    # gradient (1, 1), norm sqrt(2)
    np.testing.assert_allclose(w.numpy(), [3 - 0.5 ** 0.5, 4 - 0.5 ** 0.5], rtol=1e-6)
    opt = optimizers.SGD(learning_rate=1.0, clipvalue=0.5)
    opt.apply_gradients([(tf.constant([2.0, -0.25]), w)])
    np.testing.assert_allclose(w.numpy(), [2.5 - 0.5 ** 0.5, 4.25 - 0.5 ** 0.5], rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
    before = w.numpy()
    optimizers.SGD(0.1).minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), before * 0.8, rtol=1e-6)
    with pytest.raises(ValueError, match="tape"):
        optimizers.SGD().minimize(tf.constant(1.0), [w])
    with pytest.raises(ValueError, match="No gradients"):
        optimizers.Adam().apply_gradients([(None, w)])
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert optimizers.Adam(lr=0.5).learning_rate == 0.5
