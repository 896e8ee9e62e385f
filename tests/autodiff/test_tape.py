"""The tape and the gradient APIs: semantics, nesting, errors, threads,
memory."""
import gc
import threading
import weakref

import numpy as np
import pytest

import eager as tf
from eager import tfe
from eager._ext import tape as _tape_mod


def test_seed_higher_order_example():
    def f(x):
        return tf.multiply(x, x)
    assert 9 == f(3.).numpy()
    df = tfe.gradients_function(f)
    assert 6 == df(3.)[0].numpy()
    d2f = tfe.gradients_function(lambda x: df(x)[0])
    assert 2 == d2f(3.)[0].numpy()
    d3f = tfe.gradients_function(lambda x: d2f(x)[0])
    assert 0 == d3f(3.)[0].numpy()
    assert df(3.)[0].dtype == tf.float32


def test_value_and_gradients_and_params():
    def f(x, y):
        return x * x * y
    v, (gx, gy) = tfe.value_and_gradients_function(f)(2.0, 3.0)
    assert v.numpy() == 12.0 and gx.numpy() == 12.0 and gy.numpy() == 4.0
    (gy_only,) = tfe.gradients_function(f, params=["y"])(2.0, 3.0)
    assert gy_only.numpy() == 4.0
    (gx_only,) = tfe.gradients_function(f, params=[0])(2.0, 3.0)
    assert gx_only.numpy() == 12.0


def test_unused_argument_gets_zeros():
    g = tfe.gradients_function(lambda x, y: x * 2.0)(1.0, tf.constant([1.0, 2.0]))
    assert g[1].numpy().tolist() == [0.0, 0.0]


def test_non_scalar_target_is_summed():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert t.gradient(y, x).numpy().tolist() == [2.0, 4.0, 6.0]


def test_unconnected_none_and_zero_and_integer_sources():
    x = tf.constant(1.0)
    z = tf.constant(2.0)
    i = tf.constant(3)
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, z, i])
        y = x * 2.0
    assert t.gradient(y, z) is None
    assert t.gradient(y, z, unconnected_gradients="zero").numpy() == 0.0
    assert t.gradient(y, i) is None
    gx, (gz,) = t.gradient(y, [x, (z,)])
    assert gx.numpy() == 2.0 and gz is None
    d = t.gradient(y, {"a": x, "b": z})
    assert set(d) == {"a", "b"} and d["a"].numpy() == 2.0


def test_non_persistent_tape_is_single_use():
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)


def test_persistent_tape_twice_and_second_derivative():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x * x
        dy = t.gradient(y, x)
    d2y = t.gradient(dy, x)
    assert dy.numpy() == 27.0 and d2y.numpy() == 18.0
    assert t.gradient(y, x).numpy() == 27.0


def test_nested_tapes_hessian_vector_product():
    x = tf.constant([1.0, 2.0])
    v = tf.constant([1.0, 0.5])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x * x * x)
        g = inner.gradient(y, x)
        gv = tf.reduce_sum(g * v)
    hvp = outer.gradient(gv, x)
    np.testing.assert_allclose(hvp.numpy(), 6 * x.numpy() * v.numpy())


def test_stop_gradient_and_stop_recording():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * tf.stop_gradient(x)
        with t.stop_recording():
            z = x * x
    assert t.gradient(y, x).numpy() == 2.0
    assert t.gradient(z, x) is None
    with pytest.raises(RuntimeError, match="stop_recording"):
        with t.stop_recording():
            pass


def test_reset():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        t.reset()
        t.watch(x)
        z = x * 3.0
    assert t.gradient(z, x).numpy() == 3.0


def test_custom_gradient():
    @tf.custom_gradient
    def clip_grad_identity(x):
        return tf.identity(x), lambda dy: tf.clip_by_value(dy, -0.5, 0.5)
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = clip_grad_identity(x) * 10.0
    assert t.gradient(y, x).numpy().tolist() == [0.5, 0.5]


def test_jacobian_and_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    j = t.jacobian(y, x)
    assert j.shape == (2, 2, 2, 2)
    want = np.zeros((2, 2, 2, 2))
    for a in range(2):
        for b in range(2):
            want[a, b, a, b] = 2 * x.numpy()[a, b]
    np.testing.assert_allclose(j.numpy(), want)
    bj = t.batch_jacobian(y, x)
    assert bj.shape == (2, 2, 2)
    np.testing.assert_allclose(bj.numpy(), np.stack([np.diag(2 * r) for r in x.numpy()]))


def test_errors_name_what_was_passed():
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * 2.0
    with pytest.raises(TypeError, match="source must be a Tensor or a Variable, got list|got str"):
        t.gradient(y, "x")
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * 2.0
    with pytest.raises(TypeError, match="target must be a Tensor"):
        t.gradient(3.0, x)
    with pytest.raises(TypeError, match="watch"):
        with tf.GradientTape() as t:
            t.watch("not a tensor")


def test_tapes_are_thread_local():
    results = {}
    barrier = threading.Barrier(2)

    def work(k):
        x = tf.constant(float(k))
        with tf.GradientTape() as t:
            t.watch(x)
            barrier.wait()
            y = x * x * float(k)
            barrier.wait()
        results[k] = (t.gradient(y, x).numpy(), t._tape.num_nodes())

    th = [threading.Thread(target=work, args=(k,)) for k in (2, 3)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    assert results[2][0] == 2 * 2 * 2 and results[3][0] == 2 * 3 * 3


def test_no_reference_cycles_between_tensors_and_tapes():
    gc.disable()
    try:
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as t:
            t.watch(x)
            y = x * x
            ref_y = weakref.ref(y)
        g = t.gradient(y, x)
        del y
        assert ref_y() is None, "a tape or node kept the output alive after gradient()"
        tape_ref = weakref.ref(t._tape)
        del t
        assert tape_ref() is None
        assert g.numpy().tolist() == [2.0, 4.0]
    finally:
        gc.enable()


def test_training_loop_memory_is_flat():
    import tracemalloc
    w = tf.constant([0.5, -0.2])
    xs = tf.constant(np.ones((8, 2), np.float32))

    def loss(w):
        return tf.reduce_mean(tf.square(tf.reduce_sum(xs * w, axis=1) - 1.0))
    grad = tfe.gradients_function(loss)
    for _ in range(200):
        w = w - grad(w)[0] * 0.1
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(10000):
        w = w - grad(w)[0] * 0.1
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 200_000, (before, after)
    assert _tape_mod.active_tapes() == []


# ---- the bookkeeping behind recording (eager/_ext/tape.pyx) ----------------

def test_gradient_ops_that_never_read_outputs_do_not_keep_them():
    from eager.ops._registry import REGISTRY
    assert REGISTRY["multiply"].save == "inputs" and REGISTRY["add"].save == "inputs"
    assert REGISTRY["exp"].save == "both" and REGISTRY["sqrt"].save == "both"
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        mid = x * x               # multiply's gradient reads x, not x * x
        keep = tf.exp(x)          # exp's gradient reads its output
        ref_mid, ref_keep = weakref.ref(mid), weakref.ref(keep)
        del mid, keep
        gc.collect()
        assert ref_mid() is None, "the tape kept an output its gradient never reads"
        assert ref_keep() is not None
        y = tf.reduce_sum(tf.exp(x) * x)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), np.exp([1, 2]) * (1 + np.array([1, 2])),
                               rtol=1e-6)
    del t
    gc.collect()
    assert ref_keep() is None, "releasing the tape did not free the outputs it kept"


def test_grad_reads_outputs_inference():
    from eager.ops._registry import _grad_reads_outputs
    assert not _grad_reads_outputs(lambda g, ans, x: (g * x,))
    assert _grad_reads_outputs(lambda g, ans, x: (g * ans,))
    assert _grad_reads_outputs(lambda g, ans, *xs: (g,))          # cannot see through *args

    def nested(g, ans, x):
        return (g * (lambda: ans)(),)
    assert _grad_reads_outputs(nested)
    assert _grad_reads_outputs(object())                           # not a function


def test_state_carried_across_tapes_does_not_backprop_into_old_steps():
    # An RNN-style state computed under an earlier, finished tape is a
    # constant for the next tape (TensorFlow semantics), and the old
    # steps' graph is freed.
    w = tf.constant(2.0)
    h = tf.constant(1.0)
    refs = []
    for step in range(4):
        with tf.GradientTape() as t:
            t.watch(w)
            h_prev = h
            h = h * w
        g = t.gradient(h, w)
        assert float(g) == float(h_prev), (step, float(g), float(h_prev))
        refs.append(weakref.ref(h_prev))
        del h_prev
    gc.collect()
    assert all(r() is None for r in refs[:-1]), "finished tapes kept old states alive"
    from eager._ext.context import context
    assert context().min_live_epoch == 2 ** 63 - 1


def test_inner_tape_sees_only_what_it_watched_and_recorded():
    x = tf.constant(3.0)
    z = tf.constant(5.0)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        a = x * x                      # outer only
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(z)
            b = a * z                  # both: a is outer's, z is inner's
            c = a * a                  # outer only
        d = b * x                      # outer only (inner stopped)
    assert float(inner.gradient(b, z)) == 9.0
    assert inner.gradient(b, x) is None          # x -> a was not recorded by inner
    assert inner.gradient(c, x) is None
    assert float(outer.gradient(b, x)) == 2 * 3.0 * 5.0
    assert float(outer.gradient(d, x)) == 3 * 9.0 * 5.0
    assert float(outer.gradient(c, x)) == 4 * 27.0
    # z was never watched by outer, but it is an input of an op outer
    # recorded, so (as in TensorFlow) its gradient is there.
    assert float(outer.gradient(b, z)) == 9.0


def test_reset_forgets_previous_watches():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        t.reset()
        y = x * x
    assert t.gradient(y, x) is None


def test_gradient_functions_learn_which_inputs_need_a_gradient():
    from eager.autodiff import needs_gradient
    seen = []

    @tf.custom_gradient
    def f(a, b):
        def grad(dy):
            seen.append((needs_gradient(0), needs_gradient(1)))
            return dy * b, dy * a
        return a * b, grad
    x, y = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        z = f(x * 1.0, y)          # input 0 made by a recorded op, input 1 a constant
    assert float(t.gradient(z, x)) == 3.0
    assert seen == [(True, False)]
    assert needs_gradient(0) is True        # outside backprop
