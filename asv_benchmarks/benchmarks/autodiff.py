"""Automatic differentiation with the seed's API: gradients_function on a
scalar function, the seed's linear-regression loop, and what a recording
tape adds to each op."""
import numpy as np

from . import (LINREG_LEARNING_RATE, LINREG_STEPS, eager_or_skip, linreg_data,
               need, tfe_or_skip)


class GradientsFunction:
    """tfe.gradients_function(lambda x: x * x)(3.0), and its higher orders
    as the seed README writes them (target: <= 0.2x torch.autograd.grad)."""

    def setup(self):
        eager_or_skip()
        tfe = need(tfe_or_skip(), "gradients_function")
        self.df = tfe.gradients_function(lambda x: x * x)
        self.d2f = tfe.gradients_function(lambda x: self.df(x)[0])
        self.d3f = tfe.gradients_function(lambda x: self.d2f(x)[0])
        # A wrong answer must fail loudly, not be timed.
        if float(np.asarray(self.df(3.0)[0])) != 6.0:
            raise ValueError("gradients_function(x * x)(3.0) is not 6")

    def time_first_derivative(self):
        self.df(3.0)

    def time_second_derivative(self):
        self.d2f(3.0)

    def time_third_derivative(self):
        self.d3f(3.0)


class LinearRegression:
    """The seed README's training loop: 200 steps of gradients_function on
    1000 points (target: <= 0.5x PyTorch's same loop)."""
    timeout = 120

    def setup(self):
        tf = need(eager_or_skip(), "constant", "square", "reduce_mean")
        tfe = need(tfe_or_skip(), "gradients_function")
        inputs, outputs = linreg_data()
        training_inputs = tf.constant(inputs)
        training_outputs = tf.constant(outputs)

        def prediction(input, weight, bias):
            return input * weight + bias

        def loss(weight, bias):
            error = prediction(training_inputs, weight, bias) - training_outputs
            return tf.reduce_mean(tf.square(error))

        self.loss = loss
        self.grad = tfe.gradients_function(loss)
        w, b = self.train()
        if abs(float(np.asarray(w)) - 3.0) > 0.5 or abs(float(np.asarray(b)) - 2.0) > 0.5:
            raise ValueError("linear regression did not converge: W, B = %s, %s" % (w, b))

    def train(self):
        grad = self.grad
        W = 5.
        B = 10.
        learning_rate = LINREG_LEARNING_RATE
        for i in range(LINREG_STEPS):
            (dW, dB) = grad(W, B)
            W -= dW * learning_rate
            B -= dB * learning_rate
        return W, B

    def time_train_200_steps(self):
        self.train()

    def peakmem_train_200_steps(self):
        # A tape that leaks nodes (or a tensor <-> node cycle) shows here.
        self.train()


class TapeOverhead:
    """100 multiplications of a (1,) float32 tensor, with no tape and inside
    a tf.GradientTape that watches it (target: recording <= 2x not recording).
    Opening the tape is part of the recorded block, amortised over 100 ops."""
    ops_per_block = 100

    def setup(self):
        tf = need(eager_or_skip(), "constant", "GradientTape")
        self.tf = tf
        self.x = tf.constant(np.array([1.5], dtype=np.float32))
        self.block = range(self.ops_per_block)
        with tf.GradientTape() as tape:
            tape.watch(self.x)
            y = self.x * self.x
        if float(np.asarray(tape.gradient(y, self.x))[0]) != 3.0:
            raise ValueError("GradientTape: d(x*x)/dx at 1.5 is not 3")

    def time_mul_no_tape(self):
        x = self.x
        for _ in self.block:
            x * x

    def time_mul_recording_tape(self):
        x = self.x
        with self.tf.GradientTape() as tape:
            tape.watch(x)
            for _ in self.block:
                x * x

    def time_record_and_gradient(self):
        # The whole cycle a training step pays: record, then backprop.
        x = self.x
        with self.tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y, x)
