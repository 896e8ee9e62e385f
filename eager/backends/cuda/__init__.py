"""The GPU backend on PyCUDA. Importing it initialises the CUDA driver,
registers one device per GPU in eager's device table and installs the CUDA
kernels of the ops (eager/backends/cuda/kernels.py). Without PyCUDA, a
driver or a GPU it registers nothing, eager stays CPU-only and
`unavailable_reason()` says why; the GPU-free parts (plan, allocator,
modules) stay importable for the build and the tests.
"""
from eager.backends import register_device

_reason = []
DEVICES = []


def unavailable_reason():
    """Why no GPU is in use (None when one is)."""
    return _reason[0] if _reason else None


def _init():
    try:
        import pycuda.driver as drv
    except ImportError as e:
        _reason.append("PyCUDA is not installed (%s); pip install eager[gpu]" % (e,))
        return
    except Exception as e:   # a broken install (no libcuda.so) fails with OSError etc.
        _reason.append("PyCUDA could not be imported: %s" % (e,))
        return
    try:
        drv.init()
        count = drv.Device.count()
    except Exception as e:
        _reason.append("the CUDA driver could not be initialised: %s" % (e,))
        return
    if count == 0:
        _reason.append("the CUDA driver sees no GPU")
        return
    from eager.backends.cuda.device import GPUDevice
    from eager.backends.cuda import kernels
    from eager.ops import _registry
    import eager  # noqa: F401  (every op registered before install; see kernels.install)
    for i in range(count):
        dev = GPUDevice(drv, i)
        DEVICES.append(dev)
        register_device(dev)
    if DEVICES:
        DEVICES[0].activate()
    kernels.install(_registry.REGISTRY)


_init()


def synchronize():
    """Waits for every queued GPU operation to finish."""
    for d in DEVICES:
        d.synchronize()


def memory_stats(index=0):
    """The memory pool's and the device's byte counts for GPU `index`."""
    return DEVICES[index].memory_stats()


def empty_cache():
    """Frees the memory the pools keep cached for reuse."""
    for d in DEVICES:
        d.pool.free_all_blocks()


def set_memory_limit(nbytes, index=0):
    """Caps what GPU `index`'s pool may hold (None: no cap)."""
    DEVICES[index].pool.limit = nbytes
