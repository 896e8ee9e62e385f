"""The seed's `tfe` names (tensorflow.contrib.eager): `from eager import tfe`."""
from eager.autodiff import (gradients_function, value_and_gradients_function,  # noqa: F401
                            val_and_grad_function, implicit_gradients,
                            implicit_value_and_gradients, GradientTape, custom_gradient)
from eager.ops.placement import num_gpus, device, set_device_policy  # noqa: F401
from eager.variables import Variable  # noqa: F401
from eager.data import Iterator  # noqa: F401
from eager.layers import Network  # noqa: F401
from eager import metrics  # noqa: F401  (tfe.metrics, as in TensorFlow 1)
from eager.train.checkpoint import Checkpoint  # noqa: F401
from eager.train.saver import EagerSaver as Saver, restore_variables_on_create  # noqa: F401

DEVICE_PLACEMENT_EXPLICIT = "explicit"
DEVICE_PLACEMENT_WARN = "warn"
DEVICE_PLACEMENT_SILENT = "silent"


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Eager execution is always on; calling this again is harmless. A
    `device_policy` ('explicit', 'warn', 'silent') sets how inputs on
    another device are handled."""
    if device_policy is not None:
        set_device_policy(device_policy)


def executing_eagerly():
    """Always True."""
    return True


in_eager_mode = executing_eagerly
