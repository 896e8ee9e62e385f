"""The seed README's MNIST model and training loop: Conv2D(32, 5) -> max
pool -> Conv2D(64, 5) -> max pool -> Dense(1024) -> Dropout(0.5) -> Dense(10),
Adam (learning rate 1e-4), batches of 50, implicit_gradients.

    python -m eager.examples.mnist                       # scikit-learn's digits
    python -m eager.examples.mnist --data-dir ./mnist_data   # MNIST IDX files

With --data-dir it reads MNIST's four IDX files (train-images-idx3-ubyte[.gz]
...; nothing is downloaded). Without it, it trains on scikit-learn's bundled
handwritten digits (1,797 images), upsampled to MNIST's 28x28 layout and
split 80/20 per class, the same split every run; the 1,438 training images
are joined by copies shifted by 2 pixels up, down, left and right (the
model has no dropout in effect, see below, and overfits 1,438 images:
without the shifts its test accuracy hovers around 96.5-97.5%, with them
it reaches 98-99% in the default 3,000 steps). It prints the step, the
loss on the batch and the examples per second while training, and then the
loss and accuracy on the test set.

The model code is the seed's: `self.dropout(self.dense1(x))` passes no
`training`, and tf.layers.Dropout (TensorFlow 1) then does not drop, so as
in the seed the dropout layer is inactive.
"""
import argparse
import time

import numpy as np

import eager as tf
import eager.layers  # noqa: F401  (tf.layers)
import eager.train  # noqa: F401  (tf.train)
from eager import tfe

DEFAULT_STEPS = 3000


class MNISTModel(object):
    def __init__(self, data_format):
        # 'channels_first' is typically faster on GPUs
        # while 'channels_last' is typically faster on CPUs.
        # See: https://www.tensorflow.org/performance/performance_guide#data_formats
        if data_format == 'channels_first':
            self._input_shape = [-1, 1, 28, 28]
        else:
            self._input_shape = [-1, 28, 28, 1]
        self.conv1 = tf.layers.Conv2D(32, 5,
                                      padding='same',
                                      activation=tf.nn.relu,
                                      data_format=data_format)
        self.max_pool2d = tf.layers.MaxPooling2D(
            (2, 2), (2, 2), padding='SAME', data_format=data_format)
        self.conv2 = tf.layers.Conv2D(64, 5,
                                      padding='same',
                                      activation=tf.nn.relu,
                                      data_format=data_format)
        self.dense1 = tf.layers.Dense(1024, activation=tf.nn.relu)
        self.dropout = tf.layers.Dropout(0.5)
        self.dense2 = tf.layers.Dense(10)

    def predict(self, inputs):
        x = tf.reshape(inputs, self._input_shape)
        x = self.max_pool2d(self.conv1(x))
        x = self.max_pool2d(self.conv2(x))
        x = tf.layers.flatten(x)
        x = self.dropout(self.dense1(x))
        return self.dense2(x)


def loss(model, inputs, targets):
    return tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(
            logits=model.predict(inputs), labels=targets))


def evaluate(model, images, labels, batch_size=500):
    """(mean loss, accuracy) over a data set, in batches (a whole MNIST test
    set at once would need ~1 GB for the first convolution's output)."""
    total_loss, correct, n = 0.0, 0, len(images)
    for i in range(0, n, batch_size):
        x, y = images[i:i + batch_size], labels[i:i + batch_size]
        logits = model.predict(x)
        total_loss += float(tf.reduce_sum(
            tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y)).numpy())
        correct += int(np.sum(np.argmax(logits.numpy(), axis=1) == np.argmax(y, axis=1)))
    return total_loss / n, correct / n


def load_data(data_dir=None, augment=True):
    """MNIST from `data_dir`, or scikit-learn's digits shaped like MNIST
    (with `augment`, its training images also shifted by 2 pixels four ways)."""
    if data_dir:
        from eager.datasets import mnist
        return mnist.read_data_sets(data_dir, one_hot=True, seed=0), "MNIST (%s)" % data_dir
    from eager.datasets import digits
    return (digits.read_data_sets(one_hot=True, augment=augment),
            "scikit-learn digits, 28x28%s" % (", training images shifted 2 px four ways"
                                              if augment else ""))


def train(data, steps=DEFAULT_STEPS, batch_size=50, log_every=100, data_format=None,
          log=print, writer=None, checkpoint_dir=None, checkpoint_every=500):
    """The seed's training loop; returns the model.

    writer: a summary writer (eager.summary.create_file_writer) for the
        training loss and batch accuracy every `log_every` steps.
    checkpoint_dir: save model, optimizer and step there every
        `checkpoint_every` steps (and at the end), and resume from the latest
        checkpoint found there: the batches already trained on are skipped,
        so a resumed run follows the uninterrupted one.
    """
    device = "gpu:0" if tfe.num_gpus() else "cpu:0"
    if data_format is None:
        data_format = 'channels_first' if tfe.num_gpus() else 'channels_last'
    model = MNISTModel(data_format)
    optimizer = tf.train.AdamOptimizer(learning_rate=1e-4)
    grad = tfe.implicit_gradients(loss)
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    manager = None
    if checkpoint_dir:
        ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
        manager = tf.train.CheckpointManager(ckpt, checkpoint_dir, max_to_keep=3)
        if manager.latest_checkpoint:
            ckpt.restore(manager.latest_checkpoint)
            for _ in range(int(step.numpy())):   # the batches already trained on
                data.train.next_batch(batch_size)
            log("Resumed from %s at step %d" % (manager.latest_checkpoint, int(step.numpy())))
    if writer is None:
        writer = tf.summary.create_noop_writer()
    first = int(step.numpy())
    last_time, last_step = time.time(), first
    with writer.as_default():
        for i in range(first, steps + 1):
            with tf.device(device):
                (inputs, targets) = data.train.next_batch(batch_size)
                optimizer.apply_gradients(grad(model, inputs, targets), global_step=step)
                if log_every and (i % log_every == 0 or i == steps):
                    now = time.time()
                    rate = (i - last_step) * batch_size / (now - last_time) if i > last_step else 0.0
                    logits = model.predict(inputs)
                    batch_loss = float(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
                        logits=logits, labels=targets)).numpy())
                    log("Step %d: Loss on training set : %f  (%.0f examples/s)" %
                        (i, batch_loss, rate))
                    if tf.summary.should_record_summaries():
                        accuracy = float(np.mean(np.argmax(logits.numpy(), 1) ==
                                                 np.argmax(targets, 1)))
                        tf.summary.scalar("loss", batch_loss, step=i)
                        tf.summary.scalar("batch_accuracy", accuracy, step=i)
                        tf.summary.scalar("examples_per_second", rate, step=i)
                    last_time, last_step = time.time(), i
            if manager is not None and ((i + 1) % checkpoint_every == 0 or i == steps):
                manager.save(checkpoint_number=i + 1)
    writer.flush()
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Train the seed's MNIST CNN (Adam 1e-4) and print its test accuracy.")
    parser.add_argument("--data-dir", default=None,
                        help="folder with MNIST's IDX files (default: scikit-learn's digits)")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help="training steps (default %d)" % DEFAULT_STEPS)
    parser.add_argument("--batch-size", type=int, default=50, help="examples per step (50)")
    parser.add_argument("--log-every", type=int, default=100,
                        help="print the loss every N steps (100; 0: never)")
    parser.add_argument("--data-format", choices=["channels_last", "channels_first"],
                        default=None, help="default: channels_first on a GPU, else "
                        "channels_last")
    parser.add_argument("--no-augment", action="store_true",
                        help="digits only: train on the 1,438 training images alone, without "
                        "their shifted copies")
    parser.add_argument("--seed", type=int, default=1, help="global random seed (1)")
    parser.add_argument("--logdir", default=None,
                        help="write TensorBoard summaries (loss, accuracy) to this folder")
    parser.add_argument("--checkpoint-dir", default=None,
                        help="save checkpoints here and resume from the latest one")
    parser.add_argument("--checkpoint-every", type=int, default=500,
                        help="steps between checkpoints (500)")
    args = parser.parse_args(argv)
    if args.steps < 0 or args.batch_size <= 0 or args.log_every < 0 or args.checkpoint_every <= 0:
        parser.error("--steps and --log-every must be >= 0, --batch-size and "
                     "--checkpoint-every > 0")
    tf.set_random_seed(args.seed)
    data, name = load_data(args.data_dir, augment=not args.no_augment)
    print("Data: %s: %d training, %d test examples" % (name, data.train.num_examples,
                                                      data.test.num_examples))
    writer = tf.summary.create_file_writer(args.logdir) if args.logdir else None
    start = time.time()
    model = train(data, args.steps, args.batch_size, args.log_every, args.data_format,
                  writer=writer, checkpoint_dir=args.checkpoint_dir,
                  checkpoint_every=args.checkpoint_every)
    seconds = time.time() - start
    test_loss, accuracy = evaluate(model, data.test.images, data.test.labels)
    if writer is not None:
        with writer.as_default():
            tf.summary.scalar("test_loss", test_loss, step=args.steps)
            tf.summary.scalar("test_accuracy", accuracy, step=args.steps)
        writer.close()
    print("Trained %d steps in %.1f s" % (args.steps, seconds))
    print("Loss on test set: %f" % test_loss)
    print("Test accuracy: %.4f (%d of %d)" % (accuracy, round(accuracy * data.test.num_examples),
                                            data.test.num_examples))
    return accuracy


if __name__ == "__main__":
    main()
