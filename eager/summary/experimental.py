"""tf.summary.experimental: the default step and raw summary messages."""
from eager.summary._state import set_step, get_step  # noqa: F401
from eager.summary._ops import write_raw_pb  # noqa: F401
