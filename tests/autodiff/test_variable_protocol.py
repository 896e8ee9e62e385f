"""The tape's side of Variables (the Variable type itself comes with the
training issue): reading an object that follows the variable protocol is
watched by tapes, and implicit_gradients finds it."""
import numpy as np
import pytest

import eager as tf
from eager import tfe
from eager._ext import tape as _tape


class ProtoVariable(object):
    """The smallest object with the variable protocol: a `handle` tensor,
    `trainable`, and reads that tell the tape."""
    _is_eager_variable = True

    def __init__(self, value, trainable=True):
        self.handle = tf.constant(value)
        self.trainable = trainable

    def read_value(self):
        _tape.variable_accessed(self)
        return tf.identity(self.handle)


tf.register_tensor_conversion_function(ProtoVariable, lambda v, dtype=None: v.read_value())


def test_implicit_gradients_finds_read_variables():
    w = ProtoVariable(5.0)
    b = ProtoVariable(10.0)
    frozen = ProtoVariable(1.0, trainable=False)
    x = tf.constant([1.0, 2.0])

    def loss(x):
        return tf.reduce_sum((x * w + b) * frozen)
    value, grads = tfe.implicit_value_and_gradients(loss)(x)
    assert value.numpy() == 5 + 10 + 10 + 10
    got = {id(v): g.numpy() for g, v in grads}
    assert set(got) == {id(w), id(b)}
    assert got[id(w)] == 3.0 and got[id(b)] == 2.0
    assert [v for _, v in tfe.implicit_gradients(loss)(x)] == [w, b]


def test_implicit_gradients_without_variables_is_an_error():
    with pytest.raises(ValueError, match="No trainable variables"):
        tfe.implicit_gradients(lambda: tf.constant(1.0) * 2.0)()


def test_tape_watches_accessed_variables_unless_told_not_to():
    w = ProtoVariable(3.0)
    with tf.GradientTape() as t:
        y = tf.multiply(w, w)
    assert t.gradient(y, w).numpy() == 6.0
    assert t.watched_variables() == (w,)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        y = tf.multiply(w, w)
    assert t.gradient(y, w) is None
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(w)
        y = tf.multiply(w, 2.0)
    assert t.gradient(y, w).numpy() == 2.0


def test_gradients_function_accepts_variables_as_arguments():
    w = ProtoVariable(np.array([1.0, 2.0]))
    (g,) = tfe.gradients_function(lambda v: tf.reduce_sum(tf.multiply(v, v)))(w)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
