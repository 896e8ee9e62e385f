"""One GPU as an entry of eager's device table: its primary context (shared
with cuBLAS), one stream that every kernel, copy and GEMM of the device is
queued on, the memory pool, the loaded modules and the launch helpers."""
import struct
import threading

import numpy as np

from eager import errors
from eager.backends.cuda import modules as _modules
from eager.backends.cuda.allocator import MemoryPool
from eager.backends.cuda.storage import DeviceArray

_tls = threading.local()        # the device whose context this thread has current

# Host arrays up to this size are uploaded through a pinned staging ring, so
# the copy is asynchronous (a pageable source makes the driver wait).
_STAGE_MAX = 64 * 1024
_STAGE_SIZE = 4 * 1024 * 1024


class Kernel(object):
    """A loaded kernel with its parameter layout (a struct format in native
    alignment, matching the C parameter list); call k(grid, block, *args)."""
    __slots__ = ("name", "_launch", "_pack", "_stream")

    def __init__(self, function, fmt, stream, name):
        self.name = name
        self._launch = function._launch_kernel
        self._pack = struct.Struct("@" + fmt).pack
        self._stream = stream

    def __call__(self, grid, block, *args):
        self._launch(grid, block, self._pack(*args), 0, self._stream)


class GPUDevice(object):
    kind = "cuda"
    dlpack_type = 2                     # kDLCUDA

    def __init__(self, drv, index):
        self.drv = drv
        self.index = index
        self.name = "GPU:%d" % index
        self.full_name = "/job:localhost/replica:0/task:0/device:GPU:%d" % index
        self.cu_device = drv.Device(index)
        self.description = self.cu_device.name()
        cc = self.cu_device.compute_capability()
        self.arch = "sm_%d%d" % cc
        self.n_sm = self.cu_device.get_attribute(drv.device_attribute.MULTIPROCESSOR_COUNT)
        self.context = self.cu_device.retain_primary_context()
        cur = getattr(_tls, "device", None)
        if cur is not None:
            cur.context.pop()
        self.context.push()
        _tls.device = self
        self.stream = drv.Stream()
        self.stream_handle = self.stream.handle
        self.stream_key = self.stream_handle
        self.pool = MemoryPool(drv.mem_alloc, lambda a: a.free(),
                               oom_errors=(drv.MemoryError,), device_name=self.full_name)
        self._modules = {}
        self._kernels = {}
        self._blas = None
        self._stage = None
        self._stage_off = 0
        self._lock = threading.Lock()

    def __repr__(self):
        return "<GPUDevice %s (%s, %s)>" % (self.full_name, self.description, self.arch)

    # ---- context -------------------------------------------------------------
    def activate(self):
        """Makes this device's context current on the calling thread."""
        cur = getattr(_tls, "device", None)
        if cur is self:
            return
        if cur is not None:
            cur.context.pop()
        self.context.push()
        _tls.device = self

    # ---- memory ----------------------------------------------------------------
    def empty(self, shape, dtype):
        self.activate()
        return DeviceArray(self, shape, dtype)

    def from_host(self, array):
        """A device copy of a host array (queued on the stream)."""
        self.activate()
        a = np.ascontiguousarray(array)
        if a.dtype.kind in "OSUV":
            raise errors.UnimplementedError(
                None, None, "%s holds numbers only; a %s tensor cannot be placed on it"
                % (self.full_name, "string" if a.dtype.kind in "OSU" else str(a.dtype)))
        out = DeviceArray(self, a.shape, a.dtype)
        n = a.nbytes
        if n == 0:
            return out
        if n <= _STAGE_MAX:
            self.drv.memcpy_htod_async(out.ptr, self._staged(a), self.stream)
        else:
            self.drv.memcpy_htod_async(out.ptr, a, self.stream)
        return out

    def _staged(self, a):
        # A pinned copy of a small array in a ring; when the ring wraps, the
        # stream is synchronised first so no queued copy still reads it.
        with self._lock:
            if self._stage is None:
                self._stage = self.drv.pagelocked_empty((_STAGE_SIZE,), np.uint8)
            n = (a.nbytes + 255) // 256 * 256
            if self._stage_off + n > _STAGE_SIZE:
                self.stream.synchronize()
                self._stage_off = 0
            view = self._stage[self._stage_off:self._stage_off + a.nbytes]
            self._stage_off += n
        view[:] = a.reshape(-1).view(np.uint8)
        return view

    def to_host(self, value):
        """A host copy of a DeviceArray; waits for the work that writes it."""
        self.activate()
        out = np.empty(value.shape, value.dtype)
        if value.nbytes:
            self.drv.memcpy_dtoh_async(out, value.ptr, self.stream)
        self.stream.synchronize()
        return out

    def copy(self, value):
        """A device copy of a DeviceArray (for copy-on-write updates)."""
        self.activate()
        out = DeviceArray(self, value.shape, value.dtype)
        if value.nbytes:
            self.drv.memcpy_dtod_async(out.ptr, value.ptr, value.nbytes, self.stream)
        return out

    def memset0(self, value):
        if value.nbytes:
            self.drv.memset_d8_async(value.ptr, 0, value.nbytes, self.stream)
        return value

    def synchronize(self):
        self.activate()
        self.stream.synchronize()

    def memory_stats(self):
        free, total = self.drv.mem_get_info()
        s = self.pool.stats()
        s.update({"device_free": free, "device_total": total})
        return s

    def optimizer_update(self, name, var, slots, g, scalars):
        """Fused in-place update `name` (an eager/train/kernels.py function
        name) of device arrays; False when there is no GPU kernel for it."""
        from eager.backends.cuda.kernels import optimizer_update
        return optimizer_update(name, var, slots, g, scalars)

    # ---- DLPack ----------------------------------------------------------------
    def dlpack(self, value, *args, **kwargs):
        raise errors.UnimplementedError(
            None, None, "to_dlpack of a GPU tensor is not supported yet; copy it with .cpu()")

    def dlpack_device(self, value):
        return (self.dlpack_type, self.index)

    # ---- kernels -----------------------------------------------------------------
    def module(self, name):
        m = self._modules.get(name)
        if m is None:
            self.activate()
            text = _modules.full_source(name)
            data = _modules.prebuilt(name, text, self.arch)
            m = None
            if data is not None:
                try:
                    m = self.drv.module_from_buffer(data)
                except self.drv.Error:
                    m = None        # no code for this GPU in it after all: compile
            if m is None:
                m = self.drv.module_from_buffer(_modules.compiled(name, text, self.arch))
            self._modules[name] = m
        return m

    def kernel(self, module, name, fmt):
        """The Kernel `name` of cuda_src/<module>.cu with parameters `fmt`."""
        k = self._kernels.get(name)
        if k is None:
            try:
                f = self.module(module).get_function(name)
            except self.drv.LogicError:
                raise errors.UnimplementedError(
                    None, None, "no CUDA kernel %s in module %s" % (name, module)) from None
            k = self._kernels[name] = Kernel(f, fmt, self.stream, name)
        return k

    def blas(self):
        if self._blas is None:
            from eager.backends.cuda.cublas import Handle
            self.activate()
            self._blas = Handle(self.stream_handle)
        return self._blas

    # Launch shapes: elementwise kernels cover n with EAGER_UNROLL (4) per
    # thread; grid-stride kernels are capped at a multiple of the SM count.
    def grid_flat(self, n, block=256):
        return ((n + block * 4 - 1) // (block * 4) or 1, 1, 1)

    def grid_stride(self, n, block=256):
        g = (n + block - 1) // block
        cap = self.n_sm * 32
        return (min(g, cap) or 1, 1, 1)
