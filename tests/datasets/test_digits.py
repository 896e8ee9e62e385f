"""scikit-learn's digits shaped like MNIST."""
import numpy as np
import pytest

from eager.datasets import digits


def test_upsample_keeps_a_constant_and_centres_the_digit():
    img = np.full((1, 8, 8), 16.0)
    out = digits.upsample_to_mnist(img)
    assert out.shape == (1, 28, 28) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, 4:24, 4:24], 1.0)
    assert out[0, :4].sum() == 0 and out[0, 24:].sum() == 0 and out[0, :, :4].sum() == 0
    # A single bright pixel in the top-left 8x8 cell lands in the top-left of the box.
    one = np.zeros((1, 8, 8))
    one[0, 0, 0] = 16
    out = digits.upsample_to_mnist(one)[0]
    r, c = np.unravel_index(out.argmax(), out.shape)
    assert 4 <= r <= 6 and 4 <= c <= 6
    with pytest.raises(ValueError, match="shape"):
        digits.upsample_to_mnist(np.zeros((2, 8, 7)))


def test_interpolation_rows_sum_to_one():
    m = digits._interpolation_matrix(20, 8)
    np.testing.assert_allclose(m.sum(1), 1.0)
    assert (m >= 0).all()


def test_split_is_stratified_and_deterministic():
    labels = np.repeat(np.arange(10), 30)
    a_train, a_test = digits.split_indices(labels, 0.2, seed=0)
    b_train, b_test = digits.split_indices(labels, 0.2, seed=0)
    np.testing.assert_array_equal(a_test, b_test)
    assert len(np.intersect1d(a_train, a_test)) == 0 and len(a_train) + len(a_test) == 300
    assert (np.bincount(labels[a_test]) == 6).all()
    with pytest.raises(ValueError):
        digits.split_indices(labels, 1.5)


def test_read_data_sets_on_sklearn_digits():
    pytest.importorskip("sklearn")
    data = digits.read_data_sets(one_hot=True)
    assert data.train.num_examples + data.test.num_examples == 1797
    assert data.test.num_examples == 359
    assert data.train.images.shape[1] == 784 and data.train.images.dtype == np.float32
    assert data.train.labels.shape[1] == 10
    assert 0.0 <= data.train.images.min() and data.train.images.max() <= 1.0
    again = digits.read_data_sets(one_hot=True)
    np.testing.assert_array_equal(data.test.labels, again.test.labels)
    np.testing.assert_array_equal(data.test.images, again.test.images)


def test_shifted_copies_move_the_image_without_wrapping():
    img = np.zeros((1, 6, 6, 1), np.float32)
    img[0, 0, 2, 0] = 1.0
    img[0, 3, 3, 0] = 2.0
    out = digits.shifted_copies(img, 2)
    assert out.shape == (5, 6, 6, 1)
    np.testing.assert_array_equal(out[0], img[0])
    down, up, right, left = out[1:, :, :, 0]
    assert down[2, 2] == 1 and down[5, 3] == 2 and down.sum() == 3
    assert up[1, 3] == 2 and up.sum() == 2                   # the top row's pixel fell off
    assert right[0, 4] == 1 and right[3, 5] == 2
    assert left[0, 0] == 1 and left[3, 1] == 2


def test_augmented_training_set_is_five_times_larger():
    pytest.importorskip("sklearn")
    plain = digits.read_data_sets(one_hot=False)
    aug = digits.read_data_sets(one_hot=False, augment=True)
    assert aug.train.num_examples == 5 * plain.train.num_examples
    assert aug.test.num_examples == plain.test.num_examples
    np.testing.assert_array_equal(np.sort(aug.train.labels[:plain.train.num_examples]),
                                  np.sort(plain.train.labels))
