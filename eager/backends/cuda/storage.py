"""DeviceArray: the storage of a tensor on a GPU. Always C-contiguous (ops
that produce strided views copy through one strided-copy kernel instead);
it holds a pooled Block, shared by reshaped views of the same memory."""
import numpy as np


def _contiguous_strides(shape, itemsize):
    strides = []
    s = itemsize
    for d in reversed(shape):
        strides.append(s)
        s *= d if d > 0 else 1
    return tuple(reversed(strides))


class DeviceArray(object):
    __slots__ = ("shape", "dtype", "ndim", "size", "nbytes", "ptr", "block", "device",
                 "__weakref__")

    def __init__(self, device, shape, dtype, block=None, ptr=None):
        self.shape = shape = tuple(int(d) for d in shape)
        self.dtype = dtype = np.dtype(dtype)
        self.ndim = len(shape)
        n = 1
        for d in shape:
            n *= d
        self.size = n
        self.nbytes = n * dtype.itemsize
        self.device = device
        if block is None:
            block = device.pool.malloc(self.nbytes, device.stream_key)
        self.block = block
        self.ptr = block.ptr if ptr is None else ptr

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def strides(self):
        return _contiguous_strides(self.shape, self.dtype.itemsize)

    @property
    def flags(self):
        return {"C_CONTIGUOUS": True}

    def reshape(self, *shape):
        """A view with another shape of the same number of elements (-1 allowed)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        shape = list(shape)
        if -1 in shape:
            known = 1
            for d in shape:
                if d != -1:
                    known *= d
            shape[shape.index(-1)] = self.size // known if known else 0
        n = 1
        for d in shape:
            n *= d
        if n != self.size:
            raise ValueError("cannot reshape a device array of %d elements into shape %s"
                             % (self.size, tuple(shape)))
        return DeviceArray(self.device, shape, self.dtype, self.block, self.ptr)

    def view_at(self, offset_elements, shape):
        """A contiguous view of `shape` starting `offset_elements` in."""
        return DeviceArray(self.device, shape, self.dtype, self.block,
                           self.ptr + offset_elements * self.dtype.itemsize)

    def get(self):
        """A NumPy copy (waits for the work that produces it)."""
        return self.device.to_host(self)

    def __array__(self, dtype=None, copy=None):
        a = self.get()
        return a if dtype is None else a.astype(dtype)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d device array")
        return self.shape[0]

    def __repr__(self):
        return "<DeviceArray %s %s on %s>" % (self.shape, self.dtype, self.device.name)

    @property
    def __cuda_array_interface__(self):
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (self.ptr, False),
                "version": 3, "strides": None,
                "stream": self.device.stream_handle or None}
