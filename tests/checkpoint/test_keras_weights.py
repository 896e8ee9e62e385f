"""keras Model.save_weights / load_weights on top of eager.train.Checkpoint."""
import numpy as np

import eager as tf


def _model():
    return tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                tf.keras.layers.Dense(2)])


def test_save_weights_then_load_into_a_fresh_model(tmp_path):
    x = np.random.RandomState(0).rand(3, 5).astype(np.float32)
    m = _model()
    y = m(x).numpy()
    path = m.save_weights(str(tmp_path / "w"))
    fresh = _model()
    fresh.load_weights(path)          # not built yet: values wait for the first call
    np.testing.assert_array_equal(fresh(x).numpy(), y)
