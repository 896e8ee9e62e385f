"""Devices as a user sees them: eager.device scopes, copies between devices,
num_gpus, and zero-copy DLPack exchange."""
import re

import numpy as np

from eager import errors
from eager import backends
from eager._ext.context import context as _context
from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor, _from_storage, _from_array
from eager.ops._registry import defop, api, execute, generic, ANY

_CTX = _context()
_NAME = re.compile(r"^/?(?:job:[^/]+/)?(?:replica:\d+/)?(?:task:\d+/)?(?:device:)?"
                   r"(cpu|gpu|CPU|GPU)(?::(\d+))?$")
# TensorFlow 2's default: a scope naming a device that does not exist runs on the CPU.
_soft_placement = [True]


def parse_device(name):
    """('cpu'|'cuda', index) for names like '/gpu:0', 'CPU:0', '/device:GPU:1'."""
    m = _NAME.match(name.strip()) if isinstance(name, str) else None
    if m is None:
        raise ValueError("Invalid device name %r (expected e.g. '/cpu:0', '/gpu:0', "
                         "'/device:GPU:0')" % (name,))
    kind = "cpu" if m.group(1).lower() == "cpu" else "cuda"
    return kind, int(m.group(2) or 0)


def device_index(name, soft=False):
    kind, index = parse_device(name)
    i = backends.find_device(kind, index)
    if i < 0:
        if soft and _soft_placement[0]:
            return 0
        raise errors.InvalidArgumentError(
            None, None, "Device %s is not available (this process has %d GPU(s))"
            % (name, backends.num_gpus()))
    return i


def set_soft_device_placement(enabled):
    """Whether a scope naming a missing device falls back to the CPU (default True)."""
    _soft_placement[0] = bool(enabled)


def set_device_policy(policy):
    """How inputs on another device are handled: 'silent' (copy, default),
    'warn' (copy and warn) or 'explicit' (raise)."""
    if policy is None:
        policy = "silent"
    if policy not in ("silent", "warn", "explicit"):
        raise ValueError("device policy must be 'silent', 'warn' or 'explicit', got %r" % (policy,))
    _CTX.placement_policy = policy


class device(object):
    """Context manager: ops inside run on the named device.

        with eager.device('/gpu:0'):
            y = eager.matmul(x, x)
    """

    def __init__(self, device_name):
        self._name = device_name
        self._index = None

    def __enter__(self):
        if self._name is None:
            self._index = 0
        else:
            self._index = device_index(self._name, soft=True)
        _CTX.device_stack().append(self._index)
        if self._index != 0:
            _CTX.n_device_scopes += 1
        return self

    def __exit__(self, *exc):
        stack = _CTX.device_stack()
        stack.pop()
        if self._index != 0:
            _CTX.n_device_scopes -= 1
        return False


@api(None, "eager")
def num_gpus():
    """The number of GPUs eager can use (0 without PyCUDA or a GPU)."""
    return backends.num_gpus()


def _copy_kernel(value, source, target):
    storage = backends.copy_storage(value, source, target)
    if target == 0:
        return _from_array(storage)
    return _from_storage(storage, as_dtype(storage.dtype), target)


def _copy_grad(g, ans, x, source, target):
    return (copy_to_device(g, _CTX.device_names[source]),)


_copy = defop("copy_to_device", generic(ANY), cpu=_copy_kernel, cuda=_copy_kernel,
              grad=_copy_grad)


@api(_copy, "eager.experimental")
def copy_to_device(x, device_name):
    """A copy of `x` on `device_name` (x itself when it is there already).
    Gradients flow back to the source device."""
    if not isinstance(x, Tensor):
        from eager._ext.dispatch import convert_to_tensor
        x = convert_to_tensor(x)
    target = device_index(device_name)
    source = _CTX.device_names.index(x.device)
    if source == target:
        return x
    return execute(_copy, (x,), {"source": source, "target": target})


class _Capsule(object):
    """Adapts a bare DLPack capsule to the __dlpack__ protocol NumPy reads."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, *args, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return (1, 0)


@api(None, "eager.experimental")
def from_dlpack(obj):
    """A Tensor sharing memory with `obj` (anything with __dlpack__, or a
    DLPack capsule) without a copy."""
    if not hasattr(obj, "__dlpack__"):
        obj = _Capsule(obj)
    dev_type, dev_id = obj.__dlpack_device__()
    if dev_type in (1, 3):  # kDLCPU, kDLCUDAHost
        return _from_array(np.from_dlpack(obj))
    for i, d in enumerate(_CTX.devices):
        if d is not None and getattr(d, "dlpack_type", None) == dev_type and d.index == dev_id:
            return _from_storage(*d.from_dlpack(obj), i)
    raise errors.UnimplementedError(
        None, "from_dlpack", "from_dlpack: device type %d:%d is not available here"
        % (dev_type, dev_id))


@api(None, "eager.experimental")
def to_dlpack(tensor):
    """A DLPack capsule for `tensor` (shares memory)."""
    return tensor.__dlpack__()
