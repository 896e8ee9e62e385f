"""eager.config: device listing, soft placement, the placement policy."""
import pytest

import eager as tf
from eager import errors


def test_devices_listed_cpu_first():
    devs = tf.config.list_physical_devices()
    assert devs[0] == tf.config.PhysicalDevice("/physical_device:CPU:0", "CPU")
    assert len(tf.config.list_physical_devices("GPU")) == tf.num_gpus()


def test_soft_placement_switch_and_policy():
    assert tf.config.get_soft_device_placement() is True
    if tf.num_gpus():
        pytest.skip("needs a machine without GPUs")
    tf.config.set_soft_device_placement(False)
    try:
        with pytest.raises(errors.InvalidArgumentError, match="not available"):
            with tf.device("/gpu:0"):
                tf.add(1, 2)
    finally:
        tf.config.set_soft_device_placement(True)
    tf.config.experimental.set_device_policy("warn")
    try:
        assert tf.config.experimental.get_device_policy() == "warn"
        with pytest.raises(ValueError):
            tf.config.experimental.set_device_policy("loud")
    finally:
        tf.config.experimental.set_device_policy(None)
    assert tf.config.experimental.get_device_policy() == "silent"
