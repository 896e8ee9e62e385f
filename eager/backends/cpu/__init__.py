"""The CPU backend: NumPy arrays are the storage; kernels live with each op
in eager/ops (NumPy, SciPy BLAS through eager/_ext/blas)."""
import numpy as np


class CPUDevice(object):
    kind = "cpu"
    index = 0
    name = "CPU:0"
    full_name = "/job:localhost/replica:0/task:0/device:CPU:0"

    def to_host(self, value):
        return value

    def from_host(self, array):
        return np.array(array, copy=True)

    def dlpack(self, value, *args, **kwargs):
        return value.__dlpack__(*args, **kwargs)

    def dlpack_device(self, value):
        return (1, 0)

    def __repr__(self):
        return "<CPUDevice %s>" % self.full_name


CPU_DEVICE = CPUDevice()
