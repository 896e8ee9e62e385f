"""eager.Variable: creation, names, reads that tapes watch, assignment with
TensorFlow's checks, operators against NumPy, and copy-on-write storage."""
import gc

import numpy as np
import pytest

import eager as tf
from eager import errors, tfe
from eager._ext.tensor import _storage
from eager.variables import Variable


def test_python_float_is_float32_and_other_initial_values():
    assert Variable(5.0).dtype == tf.float32
    assert Variable(3).dtype == tf.int32
    assert Variable(np.zeros(3)).dtype == tf.float64
    assert Variable([1.0, 2.0], dtype=tf.float64).dtype == tf.float64
    v = Variable(lambda: tf.ones([2, 3]))
    assert v.shape == (2, 3) and v.ndim == 2 and v.get_shape() == [2, 3]
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3), np.float32))
    t = tf.constant([1.0, 2.0])
    w = Variable(t)
    w.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])  # the initial tensor is not aliased
    assert w.trainable and not Variable(1.0, trainable=False).trainable
    assert "CPU:0" in w.device


def test_names_are_unique_like_tensorflow():
    a = Variable(1.0, name="vtest_weight")
    b = Variable(1.0, name="vtest_weight")
    c = Variable(1.0, name="vtest_weight")
    assert (a.name, b.name, c.name) == ("vtest_weight:0", "vtest_weight_1:0",
                                        "vtest_weight_2:0")
    assert Variable(1.0).name.startswith("Variable")


def test_repr_like_tensorflow():
    w = Variable(5.0, name="repr_weight")
    assert repr(w) == "<tf.Variable 'repr_weight:0' shape=() dtype=float32, numpy=5.0>"
    v = Variable([1, 2], name="repr_vec")
    assert repr(v) == ("<tf.Variable 'repr_vec:0' shape=(2,) dtype=int32, "
                       "numpy=array([1, 2], dtype=int32)>")


def test_reads_are_immutable_snapshots():
    w = Variable([1.0, 2.0])
    r = w.read_value()
    view = np.asarray(w)
    w.assign([5.0, 6.0])
    np.testing.assert_array_equal(r.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(view, [1.0, 2.0])
    np.testing.assert_array_equal(w.value().numpy(), [5.0, 6.0])
    assert w.assign_add([1.0, 1.0]) is w
    assert w.assign_sub([2.0, 2.0], read_value=False) is None
    np.testing.assert_array_equal(w.numpy(), [4.0, 5.0])


def test_updates_are_in_place_when_nothing_holds_a_read():
    w = Variable(np.zeros(4, np.float32))
    storage = id(_storage(w.handle))
    for _ in range(3):
        y = w * 2.0          # a read that dies after the statement
        del y
        w.assign_add(np.ones(4, np.float32))
    w.assign(np.full(4, 7.0, np.float32))
    assert id(_storage(w.handle)) == storage
    np.testing.assert_array_equal(w.numpy(), [7.0] * 4)


def test_assign_errors_name_variable_shapes_and_dtypes():
    w = Variable([1.0, 2.0], name="assign_err")
    with pytest.raises(errors.InvalidArgumentError, match=r"assign_err.*\(2,\).*\(3,\)"):
        w.assign([1.0, 2.0, 3.0])
    with pytest.raises(errors.InvalidArgumentError, match=r"assign_add.*float64.*float32"):
        w.assign_add(tf.constant([1.0, 2.0], dtype=tf.float64))
    i = Variable([1, 2])
    with pytest.raises(errors.InvalidArgumentError, match="int32"):
        i.assign([1.5, 2.0])
    with pytest.raises(ValueError, match=r"shape \(3,\) was requested.*\(2,\)"):
        Variable([1.0, 2.0], shape=(3,))
    with pytest.raises(ValueError, match="initial_value"):
        Variable()
    with pytest.raises(RuntimeError, match="assign_add"):
        w += 1.0
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_operators_match_numpy():
    a = np.array([[1.5, -2.0], [3.0, 4.0]], np.float32)
    b = np.array([[2.0, 3.0], [-1.0, 0.5]], np.float32)
    v = Variable(a)
    t = tf.constant(b)
    cases = [(v + t, a + b), (t + v, b + a), (v - 1.0, a - 1), (2.0 - v, 2 - a),
             (v * t, a * b), (3.0 * v, 3 * a), (v / t, a / b), (1.0 / v, 1 / a),
             (v ** 2, a ** 2), (2.0 ** v, 2 ** a), (-v, -a), (abs(v), abs(a)),
             (v @ t, a @ b), (t @ v, b @ a), (v // t, a // b), (v % 2.0, a % 2),
             (v[0], a[0]), (v[:, 1], a[:, 1]), (v > t, a > b), (v <= 1.5, a <= 1.5),
             (v == t, a == b), (v != 1.5, a != 1.5), (b * v, b * a),
             (tf.matmul(v, v), a @ a), (tf.reduce_sum(v), a.sum())]
    for got, want in cases:
        assert isinstance(got, tf.Tensor)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    assert np.asarray(v).dtype == np.float32 and float(Variable(2.5)) == 2.5
    assert len(v) == 2 and [r.numpy().tolist() for r in v] == a.tolist()


def test_variables_are_unhashable_but_have_refs():
    v = Variable(1.0)
    with pytest.raises(TypeError, match="ref()"):
        {v: 1}
    d = {v.ref(): 1}
    assert d[v.ref()] == 1 and v.ref().deref() is v


def test_tape_watches_trainable_variables_when_read():
    w = Variable(3.0)
    frozen = Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = w * w * frozen
    gw, gf = tape.gradient(y, [w, frozen])
    assert gw.numpy() == 12.0 and gf is None
    assert tape.watched_variables() == (w, frozen)
    value, grads = tfe.implicit_value_and_gradients(lambda: w * frozen + w)()
    assert value.numpy() == 9.0 and len(grads) == 1
    assert grads[0][1] is w and grads[0][0].numpy() == 3.0


def test_assignment_inside_a_tape_does_not_change_recorded_values():
    # The tape keeps the read it needs; the update goes to a fresh array.
    w = Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(w * w)
    w.assign([10.0, 10.0])
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [2.0, 4.0])


def test_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        import weakref
        v = Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(v * 2.0)
        tape.gradient(y, v)
        ref = weakref.ref(v)
        del v, tape, y
        assert ref() is None
    finally:
        gc.enable()


def test_conversion_and_ops_on_variables():
    v = Variable([[1.0, 2.0], [3.0, 4.0]])
    t = tf.convert_to_tensor(v)
    assert isinstance(t, tf.Tensor) and t.dtype == tf.float32
    np.testing.assert_array_equal(tf.reshape(v, [4]).numpy(), [1, 2, 3, 4])
    with pytest.raises(errors.InvalidArgumentError, match="float64.*float32"):
        tf.convert_to_tensor(v, dtype=tf.float64)
    with pytest.raises(errors.InvalidArgumentError):
        tf.constant([1, 2], dtype=tf.int32) * Variable([1.0, 2.0])


def test_copies():
    import copy
    v = Variable([1.0, 2.0], name="copied")
    assert copy.copy(v) is v
    d = copy.deepcopy(v)
    d.assign([3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert d.name.startswith("copied") and d.name != v.name
