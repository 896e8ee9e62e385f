"""The explicit table of devices. Each device is an object with a small
interface: `kind` (the key of its kernels in an OpDef), `name`, `to_host`,
`from_host`, `dlpack`, `dlpack_device`. Index 0 is always CPU:0; the CUDA
backend appends its GPUs when it is first imported."""
from eager._ext.context import context as _context
from eager.backends.cpu import CPU_DEVICE

_CTX = _context()
_CTX.devices[0] = CPU_DEVICE
_gpu_probed = False


def devices():
    """The device objects, indexed as Tensor device indices."""
    return list(_CTX.devices)


def _probe_gpus():
    # The GPU backend is optional: without PyCUDA or a GPU, eager is CPU-only.
    global _gpu_probed
    if _gpu_probed:
        return
    _gpu_probed = True
    try:
        from eager.backends import cuda  # noqa: F401  (registers its devices)
    except ImportError:
        pass


def num_gpus():
    _probe_gpus()
    return sum(1 for d in _CTX.devices if d is not None and d.kind == "cuda")


def find_device(kind, index):
    """The device-table index of device `kind`:`index`, or -1."""
    if kind != "cpu":
        _probe_gpus()
    for i, d in enumerate(_CTX.devices):
        if d.kind == kind and d.index == index:
            return i
    return -1


def register_device(dev):
    """Appends a device (a backend calls this) and returns its index."""
    _CTX.devices.append(dev)
    _CTX.device_names.append(dev.full_name)
    return len(_CTX.devices) - 1


def copy_storage(value, src, dst):
    """Copies backend storage from device index src to dst."""
    if src == dst:
        return value
    host = _CTX.devices[src].to_host(value)
    return _CTX.devices[dst].from_host(host)
