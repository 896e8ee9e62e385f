"""The seed README's two linear-regression programs, with only the imports
changed: one trains W and B with gradients_function, the other keeps them in
Variables and trains them with implicit_gradients and a
GradientDescentOptimizer.

    python -m eager.examples.linear_regression
"""
import eager as tf
import eager.train  # noqa: F401  (tf.train)
from eager import tfe


def with_gradients_function():
    """The first program: derivatives of the loss with respect to W and B."""
    def prediction(input, weight, bias):
        return input * weight + bias

    # A toy dataset of points around 3 * x + 2
    NUM_EXAMPLES = 1000
    training_inputs = tf.random_normal([NUM_EXAMPLES])
    noise = tf.random_normal([NUM_EXAMPLES])
    training_outputs = training_inputs * 3 + 2 + noise

    # A loss function: Mean-squared error
    def loss(weight, bias):
        error = prediction(training_inputs, weight, bias) - training_outputs
        return tf.reduce_mean(tf.square(error))

    # Function that returns the the derivative of loss with respect to
    # weight and bias
    grad = tfe.gradients_function(loss)

    # Train for 200 steps (starting from some random choice for W and B).
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
    return W.numpy(), B.numpy(), loss(W, B).numpy()


class Model(object):
    def __init__(self):
        self.W = tfe.Variable(5., name='weight')
        self.B = tfe.Variable(10., name='bias')

    def predict(self, inputs):
        return inputs * self.W + self.B


def with_variables_and_optimizer():
    """The second program: a Model of Variables, implicit_gradients and
    GradientDescentOptimizer."""
    # The loss function to be optimized
    def loss(model, inputs, targets):
        error = model.predict(inputs) - targets
        return tf.reduce_mean(tf.square(error))

    # A toy dataset of points around 3 * x + 2
    NUM_EXAMPLES = 1000
    training_inputs = tf.random_normal([NUM_EXAMPLES])
    noise = tf.random_normal([NUM_EXAMPLES])
    training_outputs = training_inputs * 3 + 2 + noise

    # Define:
    # 1. A model
    # 2. Derivatives of a loss function with respect to model parameters
    # 3. A strategy for updating the variables based on the derivatives
    model = Model()
    grad = tfe.implicit_gradients(loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.01)

    # The training loop
    print("Initial loss: %f" %
          loss(model, training_inputs, training_outputs).numpy())
    for i in range(201):
        optimizer.apply_gradients(grad(model, training_inputs, training_outputs))
        if i % 20 == 0:
            print("Loss at step %d: %f" %
                  (i, loss(model, training_inputs, training_outputs).numpy()))
    print("Final loss: %f" % loss(model, training_inputs, training_outputs).numpy())
    print("W, B = %s, %s" % (model.W.numpy(), model.B.numpy()))
    return model.W.numpy(), model.B.numpy(), \
        loss(model, training_inputs, training_outputs).numpy()


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None,
                        help="global random seed (default: a different data set each run)")
    args = parser.parse_args(argv)
    if args.seed is not None:
        tf.set_random_seed(args.seed)
    print("== gradients_function ==")
    with_gradients_function()
    print()
    print("== Variables, implicit_gradients and GradientDescentOptimizer ==")
    with_variables_and_optimizer()


if __name__ == "__main__":
    main()
