"""The seed README's examples, with only the imports changed."""
import io
import re
import contextlib

import numpy as np

import eager as tf
from eager import tfe


def test_getting_started():
    tfe.enable_eager_execution()
    tfe.enable_eager_execution()
    assert tf.executing_eagerly() and tfe.executing_eagerly()


def test_random_uniform_prints_shape_and_dtype():
    z = tf.random_uniform([5, 3])
    text = str(z)
    assert text.startswith("tf.Tensor(\n[[ 0.") or text.startswith("tf.Tensor(\n[[")
    assert text.endswith("shape=(5, 3), dtype=float32)")
    assert ((z.numpy() >= 0) & (z.numpy() < 1)).all()


def test_gpu_measure_example_runs_on_cpu():
    import time

    def measure(x):
        tf.matmul(x, x)
        start = time.time()
        for i in range(10):
            tf.matmul(x, x)
        end = time.time()
        return "Took %s seconds to multiply a %s matrix by itself 10 times" % (end - start, x.shape)
    with tf.device("/cpu:0"):
        msg = "CPU: %s" % measure(tf.random_normal([100, 100]))
    assert re.match(r"CPU: Took [0-9.e-]+ seconds to multiply a \(100, 100\) matrix by itself 10 times", msg)


def test_linear_regression_with_gradients_function():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        def prediction(input, weight, bias):
            return input * weight + bias
        NUM_EXAMPLES = 1000
        training_inputs = tf.random_normal([NUM_EXAMPLES])
        noise = tf.random_normal([NUM_EXAMPLES])
        training_outputs = training_inputs * 3 + 2 + noise

        def loss(weight, bias):
            error = prediction(training_inputs, weight, bias) - training_outputs
            return tf.reduce_mean(tf.square(error))
        grad = tfe.gradients_function(loss)
        W = 5.
        B = 10.
        learning_rate = 0.01
        print("Initial loss: %f" % loss(W, B).numpy())
        for i in range(200):
            (dW, dB) = grad(W, B)
            W -= dW * learning_rate
            B -= dB * learning_rate
            if i % 20 == 0:
                print("Loss at step %d: %f" % (i, loss(W, B).numpy()))
        print("Final loss: %f" % loss(W, B).numpy())
        print("W, B = %f, %f" % (W.numpy(), B.numpy()))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Initial loss: ")
    assert len(lines) == 13
    final = float(lines[-2].split(": ")[1])
    w, b = (float(v) for v in lines[-1].split("= ")[1].split(", "))
    assert final < 2.0 and abs(w - 3) < 0.5 and abs(b - 2) < 0.5
