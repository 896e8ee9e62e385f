"""Training: Variable reads and assignments, optimizer updates (the Adam step
of the seed's MNIST model's parameters, tiny updates where overhead is the
time), and the seed's second linear-regression program (Variables,
implicit_gradients, GradientDescentOptimizer)."""
import numpy as np

from . import (LINREG_LEARNING_RATE, LINREG_STEPS, LOOP, eager_or_skip, float32_array,
               linreg_data, tfe_or_skip)

# The seed's MNIST CNN (channels_last): conv 5x5x1x32, conv 5x5x32x64,
# dense 3136x1024, dense 1024x10, with their biases (3.27 M parameters).
MNIST_PARAM_SHAPES = [(5, 5, 1, 32), (32,), (5, 5, 32, 64), (64,), (3136, 1024), (1024,),
                      (1024, 10), (10,)]


def _train_or_skip():
    tf = eager_or_skip()
    try:
        Variable = getattr(tf, "Variable", None)
        if Variable is None:
            from eager.variables import Variable
        train = getattr(tf, "train", None)
        if train is None:
            from eager import train
    except Exception as e:
        raise NotImplementedError("eager's Variable/train do not import: %s: %s"
                                  % (type(e).__name__, e))
    return tf, Variable, train


class VariableOps:
    """Reading and updating a one-element float32 Variable, LOOP times per
    call (the time shown in microseconds is nanoseconds per operation)."""

    def setup(self):
        tf, Variable, _ = _train_or_skip()
        self.loop = range(LOOP)
        self.v = Variable(np.array([1.5], dtype=np.float32))
        self.x = tf.constant(np.array([2.0], dtype=np.float32))
        self.one = np.array([1.0], dtype=np.float32)

    def time_read_value(self):
        v = self.v
        for _ in self.loop:
            v.read_value()

    def time_variable_times_tensor(self):
        v, x = self.v, self.x
        for _ in self.loop:
            v * x

    def time_assign_add(self):
        v, one = self.v, self.one
        for _ in self.loop:
            v.assign_add(one)


class AdamMNISTParameters:
    """One AdamOptimizer.apply_gradients over the seed's MNIST CNN's
    parameters (3.27 M float32): the optimizer's share of the issue's MNIST
    step (PyTorch's torch.optim.Adam.step on the same shapes takes ~3.3 ms
    on this machine's 2 cores; eager's one-pass C loop ~1.5 ms)."""
    timeout = 120

    def setup(self):
        tf, Variable, train = _train_or_skip()
        self.variables = [Variable(float32_array(int(np.prod(s)), seed=i).reshape(s))
                          for i, s in enumerate(MNIST_PARAM_SHAPES)]
        self.grads = [tf.constant(float32_array(int(np.prod(s)), seed=100 + i).reshape(s))
                      for i, s in enumerate(MNIST_PARAM_SHAPES)]
        self.opt = train.AdamOptimizer(learning_rate=1e-4)
        self.pairs = list(zip(self.grads, self.variables))
        self.opt.apply_gradients(self.pairs)      # slots exist before timing

    def time_adam_apply_gradients(self):
        self.opt.apply_gradients(self.pairs)


class MNISTTrainingStep:
    """One training step of the seed's MNIST CNN exactly as
    eager/examples/mnist.py runs it (layers, channels_last, batch 50,
    implicit_gradients, AdamOptimizer(1e-4)). asv_benchmarks/mnist_step.py
    times the same step against PyTorch's in one run."""
    timeout = 180

    def setup(self):
        tf, Variable, train = _train_or_skip()
        tfe = tfe_or_skip()
        try:
            from eager.examples.mnist import MNISTModel, loss
        except Exception as e:
            raise NotImplementedError("eager.examples.mnist does not import: %s: %s"
                                      % (type(e).__name__, e))
        rng = np.random.RandomState(0)
        self.x = rng.rand(50, 784).astype(np.float32)
        self.y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 50)]
        self.model = MNISTModel("channels_last")
        self.opt = train.AdamOptimizer(learning_rate=1e-4)
        self.grad = tfe.implicit_gradients(loss)
        for _ in range(3):        # variables, slots and workspace buffers exist before timing
            self.time_step()

    def time_step(self):
        self.opt.apply_gradients(self.grad(self.model, self.x, self.y))


class OptimizerTinyUpdate:
    """apply_gradients on two scalar Variables (the seed's linear model):
    per-call overhead, LOOP / 10 calls per timed call."""
    params = [["GradientDescent", "Momentum", "Adam", "Adagrad", "RMSProp"]]
    param_names = ["optimizer"]

    def setup(self, name):
        tf, Variable, train = _train_or_skip()
        make = {"GradientDescent": lambda: train.GradientDescentOptimizer(0.01),
                "Momentum": lambda: train.MomentumOptimizer(0.01, 0.9),
                "Adam": lambda: train.AdamOptimizer(0.01),
                "Adagrad": lambda: train.AdagradOptimizer(0.01),
                "RMSProp": lambda: train.RMSPropOptimizer(0.01)}[name]
        self.opt = make()
        w, b = Variable(5.0), Variable(10.0)
        self.pairs = [(tf.constant(0.5), w), (tf.constant(-0.5), b)]
        self.loop = range(LOOP // 10)
        self.opt.apply_gradients(self.pairs)

    def time_apply_gradients(self, name):
        opt, pairs = self.opt, self.pairs
        for _ in self.loop:
            opt.apply_gradients(pairs)


class LinearRegressionVariables:
    """The seed README's second linear-regression program: 200 steps of
    implicit_gradients + GradientDescentOptimizer on 1000 points."""
    timeout = 120

    def setup(self):
        tf, Variable, train = _train_or_skip()
        tfe = tfe_or_skip()
        self.tf, self.Variable, self.train, self.tfe = tf, Variable, train, tfe
        x, y = linreg_data()
        self.x, self.y = tf.constant(x), tf.constant(y)

    def time_train_200_steps(self):
        tf, Variable = self.tf, self.Variable
        W, B = Variable(5.0, name="weight"), Variable(10.0, name="bias")

        def loss(inputs, targets):
            error = inputs * W + B - targets
            return tf.reduce_mean(tf.square(error))
        grad = self.tfe.implicit_gradients(loss)
        opt = self.train.GradientDescentOptimizer(learning_rate=LINREG_LEARNING_RATE)
        for _ in range(LINREG_STEPS):
            opt.apply_gradients(grad(self.x, self.y))
