"""eager.train optimizers: their first steps against the published update
formulas (in float64 NumPy), slots, apply_gradients/minimize/compute_gradients,
learning rates of every kind, errors, and in-place updates."""
import math

import numpy as np
import pytest

import eager as tf
from eager import errors, tfe
from eager import train
from eager._ext.tensor import _storage
from eager.variables import Variable

X0 = np.array([[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]])
GRADS = [np.array([[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05]]),
         np.array([[-0.3, 0.1, 0.2], [0.6, -0.1, 0.0]]),
         np.array([[0.2, 0.2, -0.5], [0.1, 0.3, -0.2]])]


def _run(opt, dtype=np.float32, grads=GRADS):
    var = Variable(X0.astype(dtype))
    for g in grads:
        opt.apply_gradients([(tf.constant(g.astype(dtype)), var)])
    return var


def _close(var, want, dtype=np.float32):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(var.numpy(), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_descent(dtype):
    x = X0.copy()
    for g in GRADS:
        x = x - 0.1 * g
    _close(_run(train.GradientDescentOptimizer(0.1), dtype), x, dtype)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    lr, mu = 0.1, 0.9
    x, acc = X0.copy(), np.zeros_like(X0)
    for g in GRADS:
        acc = mu * acc + g
        x = x - (lr * g + lr * mu * acc if nesterov else lr * acc)
    opt = train.MomentumOptimizer(lr, mu, use_nesterov=nesterov)
    var = _run(opt)
    _close(var, x)
    assert opt.get_slot_names() == ["momentum"]
    _close(opt.get_slot(var, "momentum"), acc)


def test_adam_with_epsilon_hat():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    x, m, v = X0.copy(), np.zeros_like(X0), np.zeros_like(X0)
    for t, g in enumerate(GRADS, 1):
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr_t * m / (np.sqrt(v) + eps)
    opt = train.AdamOptimizer(learning_rate=lr)
    var = _run(opt)
    _close(var, x)
    assert opt.get_slot_names() == ["m", "v"]
    _close(opt.get_slot(var, "m"), m)
    _close(opt.get_slot(var, "v"), v)
    names = [v.name for v in opt.variables()]
    assert any(n.startswith("beta1_power") for n in names) and len(names) == 4
    b1p, b2p = opt._get_beta_accumulators()
    assert np.isclose(b1p.numpy(), b1 ** 4) and np.isclose(b2p.numpy(), b2 ** 4)


def test_adam_defaults_are_tensorflow_1s():
    opt = train.AdamOptimizer()
    assert (opt._lr, opt._beta1, opt._beta2, opt._epsilon) == (0.001, 0.9, 0.999, 1e-8)


def test_adagrad():
    lr = 0.1
    x, acc = X0.copy(), np.full_like(X0, 0.1)
    for g in GRADS:
        acc = acc + g * g
        x = x - lr * g / np.sqrt(acc)
    opt = train.AdagradOptimizer(lr)
    var = _run(opt)
    _close(var, x)
    _close(opt.get_slot(var, "accumulator"), acc)
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(centered, momentum):
    lr, decay, eps = 0.01, 0.9, 1e-10
    x, ms, mom, mg = X0.copy(), np.ones_like(X0), np.zeros_like(X0), np.zeros_like(X0)
    for g in GRADS:
        ms = decay * ms + (1 - decay) * g * g
        denom = ms + eps
        if centered:
            mg = decay * mg + (1 - decay) * g
            denom = ms - mg * mg + eps
        mom = momentum * mom + lr * g / np.sqrt(denom)
        x = x - mom
    opt = train.RMSPropOptimizer(lr, momentum=momentum, centered=centered)
    var = _run(opt)
    _close(var, x)
    assert opt.get_slot_names() == sorted(["rms", "momentum"] + (["mg"] if centered else []))
    _close(opt.get_slot(var, "rms"), ms)


def test_slots_are_created_on_first_use_and_named_after_the_variable():
    opt = train.MomentumOptimizer(0.1, 0.9)
    var = Variable(np.zeros(3, np.float32), name="slot_owner")
    assert opt.get_slot(var, "momentum") is None and opt.variables() == []
    opt.apply_gradients([(np.ones(3, np.float32), var)])
    slot = opt.get_slot(var, "momentum")
    assert slot.name == "slot_owner/Momentum:0" and not slot.trainable
    assert opt.variables() == [slot] and opt.get_slot(var, "nope") is None


def test_none_gradients_are_skipped_and_zip_accepted():
    a, b = Variable(1.0), Variable(2.0)
    opt = train.GradientDescentOptimizer(0.5)
    opt.apply_gradients(zip([tf.constant(2.0), None], [a, b]))
    assert a.numpy() == 0.0 and b.numpy() == 2.0
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a), (None, b)])
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])


def test_apply_gradients_errors_name_shapes_and_dtypes():
    opt = train.GradientDescentOptimizer(0.1)
    v = Variable(np.zeros((2, 3), np.float32), name="err_var")
    with pytest.raises(errors.InvalidArgumentError, match=r"\(3, 2\).*err_var.*\(2, 3\)"):
        opt.apply_gradients([(np.zeros((3, 2), np.float32), v)])
    with pytest.raises(errors.InvalidArgumentError, match="float64.*float32"):
        opt.apply_gradients([(tf.constant(np.zeros((2, 3))), v)])
    with pytest.raises(TypeError, match="Variable"):
        opt.apply_gradients([(tf.constant(1.0), tf.constant(2.0))])
    with pytest.raises(errors.InvalidArgumentError, match="int32"):
        opt.apply_gradients([(tf.constant(1), Variable(1))])
    with pytest.raises(RuntimeError, match="should be a function"):
        opt.minimize(tf.constant(1.0))
    with pytest.raises(ValueError, match="No variables to optimize"):
        opt.minimize(lambda: tf.constant(1.0) * 2.0)
    np.testing.assert_array_equal(v.numpy(), np.zeros((2, 3)))


def test_minimize_with_callable_loss_global_step_and_var_list():
    w, b = Variable(2.0), Variable(1.0)
    step = Variable(np.int64(0), trainable=False)
    opt = train.GradientDescentOptimizer(0.1)
    opt.minimize(lambda: w * w + 3.0 * b, global_step=step)
    assert np.isclose(w.numpy(), 2.0 - 0.1 * 4.0) and np.isclose(b.numpy(), 1.0 - 0.3)
    assert step.numpy() == 1
    opt.minimize(lambda: w * w + 3.0 * b, var_list=[b])
    assert np.isclose(w.numpy(), 1.6) and np.isclose(b.numpy(), 0.4)
    gv = opt.compute_gradients(lambda: w * b)
    assert [v for _, v in gv] == [w, b] and np.isclose(gv[0][0].numpy(), 0.4)


def test_learning_rate_kinds():
    lr_var = Variable(0.5)
    for lr in (0.5, tf.constant(0.5), lr_var, lambda: 0.5, lambda: tf.constant(0.5)):
        v = Variable(1.0)
        train.GradientDescentOptimizer(lr).apply_gradients([(tf.constant(1.0), v)])
        assert v.numpy() == 0.5
    opt = train.GradientDescentOptimizer(lr_var)
    v = Variable(1.0)
    lr_var.assign(0.25)
    opt.apply_gradients([(tf.constant(1.0), v)])
    assert v.numpy() == 0.75


def test_optimizer_steps_update_in_place_and_keep_held_reads():
    w = Variable(np.ones((64, 32), np.float32))
    opt = train.AdamOptimizer(0.01)
    grad = tfe.implicit_gradients(lambda: tf.reduce_sum(w * w))
    opt.apply_gradients(grad())
    ids = (id(_storage(w.handle)), id(_storage(opt.get_slot(w, "m").handle)))
    for _ in range(3):
        opt.apply_gradients(grad())
    assert (id(_storage(w.handle)), id(_storage(opt.get_slot(w, "m").handle))) == ids
    held = w.read_value()
    before = held.numpy().copy()
    opt.apply_gradients(grad())
    np.testing.assert_array_equal(held.numpy(), before)
    assert not np.array_equal(w.numpy(), before)


def test_large_variables_take_the_chunked_path():
    n = 100003          # more than kernels.CHUNK, not a multiple of it
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(n)
    gs = [rng.standard_normal(n) for _ in range(2)]
    var = Variable(x0.astype(np.float32))
    opt = train.AdamOptimizer(0.01)
    m = v = np.zeros(n)
    x = x0.copy()
    for t, g in enumerate(gs, 1):
        opt.apply_gradients([(g.astype(np.float32), var)])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        x = x - 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(var.numpy(), x, rtol=1e-5, atol=1e-5)


def test_constraint_is_applied_after_the_update():
    v = Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    train.GradientDescentOptimizer(1.0).apply_gradients([(tf.constant([0.5, 0.5]), v)])
    np.testing.assert_array_equal(v.numpy(), [0.5, 0.0])


def test_decay_schedules():
    step = Variable(np.int64(0), trainable=False)
    exp = train.exponential_decay(0.1, step, 10, 0.5)
    stair = train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    inv = train.inverse_time_decay(0.1, step, 10, 0.5)
    poly = train.polynomial_decay(0.1, step, 10, end_learning_rate=0.01, power=2.0)
    pc = train.piecewise_constant(step, [5, 10], [1.0, 0.5, 0.1])
    step.assign(15)
    assert np.isclose(exp().numpy(), 0.1 * 0.5 ** 1.5) and exp().dtype == tf.float32
    assert np.isclose(stair().numpy(), 0.05)
    assert np.isclose(inv().numpy(), 0.1 / (1 + 0.5 * 1.5))
    assert np.isclose(poly().numpy(), 0.01)
    assert np.isclose(pc().numpy(), 0.1)
    step.assign(5)
    assert np.isclose(pc().numpy(), 1.0)
    assert np.isclose(poly().numpy(), 0.09 * 0.25 + 0.01)
    with pytest.raises(ValueError, match="global_step is required"):
        train.exponential_decay(0.1, None, 10, 0.5)
    with pytest.raises(ValueError, match="1 less than"):
        train.piecewise_constant(step, [1, 2], [1.0, 2.0])
    v = Variable(1.0)
    train.GradientDescentOptimizer(exp).apply_gradients([(tf.constant(1.0), v)])
    assert np.isclose(v.numpy(), 1.0 - 0.1 * 0.5 ** 0.5)


def test_global_step():
    gs = train.get_or_create_global_step()
    assert gs is train.get_or_create_global_step() is train.get_global_step()
    assert gs.dtype == tf.int64 and not gs.trainable and gs.name.startswith("global_step")
    before = int(gs.numpy())
    v = Variable(1.0)
    train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant(1.0), v)],
                                                        global_step=gs)
    assert train.global_step(None, gs) == before + 1
    with pytest.raises(ValueError, match="already exists"):
        train.create_global_step()


def test_seed_linear_regression_with_variables_converges():
    # The seed README's second linear-regression program, verbatim but for imports.
    class Model(object):
        def __init__(self):
            self.W = tfe.Variable(5., name='weight') if hasattr(tfe, "Variable") \
                else Variable(5., name='weight')
            self.B = tfe.Variable(10., name='bias') if hasattr(tfe, "Variable") \
                else Variable(10., name='bias')

        def predict(self, inputs):
            return inputs * self.W + self.B

    def loss(model, inputs, targets):
        error = model.predict(inputs) - targets
        return tf.reduce_mean(tf.square(error))

    NUM_EXAMPLES = 1000
    training_inputs = tf.random_normal([NUM_EXAMPLES])
    noise = tf.random_normal([NUM_EXAMPLES])
    training_outputs = training_inputs * 3 + 2 + noise

    model = Model()
    grad = tfe.implicit_gradients(loss)
    optimizer = train.GradientDescentOptimizer(learning_rate=0.01)
    initial = loss(model, training_inputs, training_outputs).numpy()
    for i in range(201):
        optimizer.apply_gradients(grad(model, training_inputs, training_outputs))
    final = loss(model, training_inputs, training_outputs).numpy()
    assert final < 1.6 < initial
    assert abs(model.W.numpy() - 3) < 0.3 and abs(model.B.numpy() - 2) < 0.3
