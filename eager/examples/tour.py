"""A tour of the seed README's first examples: numerical computation, NumPy
conversion, devices, automatic differentiation and the linear-regression
training loop with gradients_function.

    python -m eager.examples.tour
"""
import time

import numpy as np

import eager as tf
from eager import tfe


def numerical_computation():
    x = tf.matmul([[1, 2],
                   [3, 4]],
                  [[4, 5],
                   [6, 7]])
    y = tf.add(x, 1)
    z = tf.random_uniform([5, 3])
    print(x)
    print(y)
    print(z)
    x = (tf.ones([1], dtype=tf.float32) + 1) * 2 - 1
    print(x)


def numpy_conversion():
    x = tf.add(1, 1)
    y = tf.add(np.array(1), np.array(1))
    z = np.multiply(x, y)
    print("np.multiply(x, y) = %r" % (z,))
    np_x = np.array(2., dtype=np.float32)
    x = tf.constant(np_x)
    py_y = 3.
    y = tf.constant(py_y)
    z = x + y + 1
    print(z)
    print(z.numpy())


def devices():
    def measure(x):
        tf.matmul(x, x)
        start = time.time()
        for i in range(10):
            tf.matmul(x, x)
        end = time.time()
        return "Took %s seconds to multiply a %s matrix by itself 10 times" % (end - start, x.shape)

    with tf.device("/cpu:0"):
        print("CPU: %s" % measure(tf.random_normal([1000, 1000])))
    if tfe.num_gpus() > 0:
        with tf.device("/gpu:0"):
            print("GPU: %s" % measure(tf.random_normal([1000, 1000])))
    else:
        print("(no GPU: %d GPUs visible)" % tfe.num_gpus())


def higher_order_gradients():
    def f(x):
        return tf.multiply(x, x)
    assert 9 == f(3.).numpy()
    df = tfe.gradients_function(f)
    assert 6 == df(3.)[0].numpy()
    d2f = tfe.gradients_function(lambda x: df(x)[0])
    assert 2 == d2f(3.)[0].numpy()
    d3f = tfe.gradients_function(lambda x: d2f(x)[0])
    assert 0 == d3f(3.)[0].numpy()
    print("f(3) = 9, f'(3) = %s, f''(3) = %s, f'''(3) = %s"
          % (df(3.)[0].numpy(), d2f(3.)[0].numpy(), d3f(3.)[0].numpy()))


def linear_regression():
    # The seed's program, kept in one place: eager/examples/linear_regression.py.
    from eager.examples.linear_regression import with_gradients_function
    with_gradients_function()


def main():
    tfe.enable_eager_execution()
    for part in (numerical_computation, numpy_conversion, devices, higher_order_gradients,
                 linear_regression):
        print("== %s" % part.__name__.replace("_", " "))
        part()


if __name__ == "__main__":
    main()
