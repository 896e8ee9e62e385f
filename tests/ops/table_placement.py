"""Op table rows for eager/ops/placement.py (CPU only here; tests/gpu covers copies)."""
import eager as tf
from tests.ops.optest import OpTest


def _copy_to(name):
    return lambda x: tf.experimental.copy_to_device(x, name)


ENTRIES = [
    OpTest("copy_to_device", _copy_to("/cpu:0"), lambda x: x,
           dtypes=("float32", "int32", "bool"), grad=False),
    OpTest("copy_to_device", _copy_to("/tpu:0"), lambda x: x, dtypes=(), grad=False,
           name="bad_device",
           errors=[((tf.constant(1.0),), ValueError, r"Invalid device name '/tpu:0'")]),
]
