"""The GPU backend, checked on a machine without a GPU: every cuda_src/*.cu
compiles with nvcc (skipped without nvcc); every launcher asks for a kernel
that exists, with a parameter buffer of exactly the kernel's parameter size
and launch shapes within CUDA's limits (a fake device records the launches);
the caching allocator's bookkeeping; launch planning; and eager without
PyCUDA: no GPU, and a clear error for a GPU scope."""
import re
import subprocess

import numpy as np
import pytest

import eager
from eager import errors
from eager.backends.cuda import allocator as A
from eager.backends.cuda import modules as M
from eager.backends.cuda import plan as P
from eager.backends.cuda.storage import DeviceArray

NVCC = M.find_nvcc()


# ---- eager without a GPU ----------------------------------------------------------------
def test_no_pycuda_means_cpu_only():
    import eager.backends.cuda as cuda
    if cuda.DEVICES:
        pytest.skip("a GPU is in use here")
    assert eager.num_gpus() == 0
    assert "PyCUDA" in cuda.unavailable_reason() or "driver" in cuda.unavailable_reason() \
        or "GPU" in cuda.unavailable_reason()
    from eager.ops import placement
    placement.set_soft_device_placement(False)
    try:
        with pytest.raises(errors.InvalidArgumentError, match="gpu:0.*not available"):
            with eager.device("/gpu:0"):
                eager.add(1, 2)
    finally:
        placement.set_soft_device_placement(True)
    with eager.device("/gpu:0"):          # soft placement (TF 2's default): runs on the CPU
        assert eager.add(1, 2).numpy() == 3


# ---- allocator bookkeeping with a fake raw allocator ------------------------------------
class FakeOOM(Exception):
    pass


class FakeRaw(object):
    def __init__(self, capacity):
        self.capacity = capacity
        self.used = 0
        self.next = 1 << 20
        self.live = {}

    def alloc(self, n):
        if self.used + n > self.capacity:
            raise FakeOOM("out of memory")
        self.used += n
        addr = self.next
        self.next += n
        self.live[addr] = n
        return addr

    def free(self, addr):
        self.used -= self.live.pop(addr)


def test_size_classes():
    assert A.size_class(1) == 512
    assert A.size_class(512) == 512
    assert A.size_class(513) == 1024
    assert A.size_class(1 << 20) == 1 << 20
    for n in (1 << 20) + 1, 3 << 20, 5_000_000, 1 << 30:
        c = A.size_class(n)
        assert n <= c <= n * 1.25 + 512
    assert A.size_class(0) == 512


def test_pool_reuses_per_stream_and_counts():
    raw = FakeRaw(1 << 30)
    pool = A.MemoryPool(raw.alloc, raw.free, oom_errors=(FakeOOM,))
    b = pool.malloc(1000, stream=1)
    addr = b.ptr
    assert pool.bytes_in_use == 1024
    del b
    assert pool.bytes_in_use == 0 and pool.bytes_cached == 1024
    b2 = pool.malloc(900, stream=2)          # another stream: no reuse
    assert b2.ptr != addr
    b3 = pool.malloc(1024, stream=1)          # same stream and class: reused
    assert b3.ptr == addr and pool.n_reused == 1
    assert pool.n_raw_allocs == 2
    del b2, b3
    pool.free_all_blocks()
    assert raw.used == 0 and pool.bytes_cached == 0


def test_pool_frees_cache_and_retries_then_raises():
    raw = FakeRaw(4096)
    pool = A.MemoryPool(raw.alloc, raw.free, oom_errors=(FakeOOM,), device_name="GPU:0")
    a = pool.malloc(2048)
    del a                                     # cached: 2048 held by the pool
    b = pool.malloc(4096)                     # needs the cache back: freed and retried
    assert raw.used == 4096 and pool.bytes_cached == 0
    with pytest.raises(errors.ResourceExhaustedError, match=r"OOM when allocating 100 bytes.*GPU:0"):
        pool.malloc(100)
    del b
    c = pool.malloc(100)                      # the process goes on
    assert c.ptr


def test_pool_limit():
    raw = FakeRaw(1 << 30)
    pool = A.MemoryPool(raw.alloc, raw.free, oom_errors=(FakeOOM,), limit=8192)
    a = pool.malloc(8192)
    with pytest.raises(errors.ResourceExhaustedError, match="limit of 8192"):
        pool.malloc(1)
    del a
    assert pool.malloc(4096).ptr


# ---- planning ---------------------------------------------------------------------------
def test_broadcast_and_collapse():
    assert P.broadcast_shape((3, 1, 5), (4, 1)) == (3, 4, 5)
    with pytest.raises(ValueError):
        P.broadcast_shape((3,), (4,))
    shape = (2, 3, 4)
    sa = P.broadcast_strides((2, 3, 4), shape)
    sb = P.broadcast_strides((4,), shape)
    cshape, (ca, cb) = P.collapse(list(shape), sa, sb)
    assert cshape == [6, 4] and ca == [4, 1] and cb == [0, 1]
    cshape, (ca,) = P.collapse([2, 3, 4], [12, 4, 1])
    assert cshape == [24] and ca == [1]


def _walk(shape, strides, offset=0):
    """The element offsets a strided walk reads, in order (the kernel's math)."""
    out = []
    for i in range(P.prod(shape)):
        off, r = offset, i
        for d in range(len(shape) - 1, -1, -1):
            off += (r % shape[d]) * strides[d]
            r //= shape[d]
        out.append(off)
    return np.array(out, dtype=np.int64)


@pytest.mark.parametrize("key", [(slice(1, None, 2), Ellipsis), (1, slice(None, None, -1)),
                                 (None, slice(0, 2), 2), (Ellipsis, None, -1), (0, 1, 2)])
def test_view_of_matches_numpy(key):
    x = np.arange(3 * 4 * 5).reshape(3, 4, 5)
    off, shape, strides = P.view_of(x.shape, key)
    got = x.reshape(-1)[_walk(shape, strides, off)].reshape(shape)
    np.testing.assert_array_equal(got, x[key])


@pytest.mark.parametrize("shape,axes", [((4, 5), (1,)), ((4, 5), (0,)), ((2, 3, 4), (1,)),
                                        ((2, 3, 4), (0, 2)), ((2, 1, 4), (1,)),
                                        ((3, 4), None), ((3, 1, 4), (0, 1))])
def test_reduce_plan_covers_the_axes(shape, axes):
    x = np.arange(P.prod(shape), dtype=np.float64).reshape(shape)
    want = x.sum(axis=axes)
    plan = P.reduce_plan(shape, axes)
    if plan[0] == "copy":
        got = x.reshape(-1)
    elif plan[0] == "rows":
        got = x.reshape(plan[1], plan[2]).sum(1)
    elif plan[0] == "cols":
        got = x.reshape(plan[1], plan[2], plan[3]).sum(1)
    else:
        got = x.transpose(plan[1]).reshape(plan[2], plan[3]).sum(1)
    np.testing.assert_allclose(got.reshape(-1), np.asarray(want).reshape(-1))


# ---- nvcc: every source compiles; PTX gives each kernel's parameter size ------------------
@pytest.fixture(scope="module")
def ptx_params(tmp_path_factory):
    if NVCC is None:
        pytest.skip("nvcc not found")
    out = tmp_path_factory.mktemp("ptx")
    params = {}
    procs = []
    for name in M.module_names():
        text = M.full_source(name)
        cu = out / (name + ".cu")
        cu.write_text(text)
        procs.append((name, subprocess.Popen(
            [NVCC, *M.OPTIONS, "-arch=sm_75", "-ptx", "-o", str(out / (name + ".ptx")), str(cu)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    for name, p in procs:
        _, err = p.communicate()
        assert p.returncode == 0, "cuda_src/%s.cu does not compile:\n%s" % (name, err.decode()[-3000:])
        params[name] = _entries((out / (name + ".ptx")).read_text())
    return params


_ENTRY = re.compile(r"\.entry\s+(\w+)\s*\(([^)]*)\)", re.S)
_PARAM = re.compile(r"\.param\s+(?:\.align\s+(\d+)\s+)?\.(\w+)\s+\w+(?:\[(\d+)\])?")
_SIZES = {"u8": 1, "s8": 1, "b8": 1, "u16": 2, "s16": 2, "b16": 2, "f16": 2, "u32": 4,
          "s32": 4, "b32": 4, "f32": 4, "u64": 8, "s64": 8, "b64": 8, "f64": 8}


def _entries(ptx):
    """kernel name -> the byte size of its parameter buffer."""
    out = {}
    for name, plist in _ENTRY.findall(ptx):
        off = 0
        for align, ty, count in _PARAM.findall(plist):
            size = _SIZES[ty] * (int(count) if count else 1)
            al = int(align) if align else _SIZES[ty]
            off = (off + al - 1) // al * al + size
        out[name] = off
    return out


def test_every_source_compiles(ptx_params):
    assert set(ptx_params) >= {"elementwise", "unary", "reduce", "array", "nn", "random", "optim"}
    assert all(ptx_params.values())


# ---- a fake device runs every launcher's planning and packing on the CPU ---------------------
class FakeDrv(object):
    class MemoryError(Exception):
        pass

    class Error(Exception):
        pass

    class LogicError(Error):
        pass

    def __init__(self):
        self.raw = FakeRaw(1 << 40)

    def mem_alloc(self, n):
        return self.raw.alloc(n)

    def memcpy_dtod_async(self, *a):
        pass

    def memset_d8_async(self, *a):
        pass

    def memcpy_htod_async(self, *a):
        pass


class FakeBlas(object):
    def __init__(self, log):
        self.log = log

    def gemm(self, itemsize, a, b, c, m, n, k, trans_a=False, trans_b=False, batch=1,
             stride_a=0, stride_b=0, stride_c=0):
        assert itemsize in (4, 8) and m > 0 and n > 0 and k > 0 and batch >= 1
        self.log.append(("gemm", m, n, k, trans_a, trans_b, batch))


def _fake_device(ptx_params, log):
    from eager.backends.cuda.device import GPUDevice, Kernel

    class FakeFunction(object):
        def __init__(self, name, size):
            self.name, self.size = name, size

        def _launch_kernel(self, grid, block, buf, shared, stream):
            assert len(buf) == self.size, "%s: packed %d bytes, the kernel takes %d" % (
                self.name, len(buf), self.size)
            assert len(grid) == 3 and 1 <= grid[0] < 2 ** 31 and 1 <= grid[1] <= 65535
            assert block[0] * block[1] * block[2] <= 1024 and (block[0] * block[1]) % 32 == 0
            log.append((self.name, grid, block))

    class FakeDevice(GPUDevice):
        def __init__(self):
            self.drv = FakeDrv()
            self.index = 0
            self.name = "GPU:0"
            self.description = "fake"
            self.full_name = "/job:localhost/replica:0/task:0/device:GPU:0"
            self.n_sm = 132
            self.stream = None
            self.stream_key = 0
            self.stream_handle = 0
            self.pool = A.MemoryPool(self.drv.mem_alloc, self.drv.raw.free,
                                     oom_errors=(FakeOOM,))
            self._kernels = {}

        def activate(self):
            pass

        def kernel(self, module, name, fmt):
            k = self._kernels.get(name)
            if k is None:
                entries = ptx_params[module]
                assert name in entries, "no kernel %s in cuda_src/%s.cu" % (name, module)
                k = self._kernels[name] = Kernel(FakeFunction(name, entries[name]), fmt, None, name)
            return k

        def blas(self):
            return FakeBlas(log)

        def from_host(self, array):
            a = np.asarray(array)
            return DeviceArray(self, a.shape, a.dtype)

        def to_host(self, value):
            return np.zeros(value.shape, value.dtype)

    return FakeDevice()


def _arr(dev, shape, dtype="float32"):
    return DeviceArray(dev, shape, dtype)


def test_launchers_pack_what_the_kernels_take(ptx_params, monkeypatch):
    from eager.backends.cuda import kernels as K
    log = []
    dev = _fake_device(ptx_params, log)
    monkeypatch.setattr(K, "_scope_device", lambda: dev)
    a = lambda *s, dt="float32": _arr(dev, s, dt)  # noqa: E731
    for dt in ("float32", "float64", "int32", "int64"):
        for op in K._BINARY:
            if dt in K._BINARY[op]:
                assert K.KERNELS[op](a(3, 4, dt=dt), a(3, 4, dt=dt)).shape == (3, 4)
                assert K.KERNELS[op](a(3, 4, dt=dt), a(4, dt=dt)).shape == (3, 4)
                assert K.KERNELS[op](a(3, 4, dt=dt), a(dt=dt)).shape == (3, 4)
        for op in K._UNARY:
            if dt in K._UNARY[op]:
                K.KERNELS[op](a(5, dt=dt))
    for op, dts in K._COMPARE.items():
        for dt in dts:
            assert K.KERNELS[op](a(2, 3, dt=dt), a(3, 1, 1, dt=dt)).dtype == np.bool_
    for op in K._UNARY_BOOL:
        K.KERNELS[op](a(5))
    big = DeviceArray(dev, (2 ** 16, 2 ** 16), np.float32)      # 2^32 elements: int64 paths
    K.KERNELS["add"](big, a(2 ** 16, 1))
    K.KERNELS["transpose"](big, (1, 0))
    for src in K._CASTABLE:
        for dst in K._CASTABLE:
            r = K.KERNELS["cast"](a(4, dt=src), np.dtype(dst))
            assert r.dtype == np.dtype(dst)
            if src != dst:
                assert log[-1][0] == "eager_cast_%s_%s" % (src, dst)
    for w in ("bool", "int8", "float16", "float32", "float64", "complex128"):
        K.KERNELS["select"](a(2, 3, dt=w), a(3, dt=w), a(2, 1, dt="bool"))
        K.KERNELS["transpose"](a(2, 3, 4, dt=w), (2, 0, 1))
        K.fill(dev, a(7, dt=w), 1)
    for dt in ("float32", "float64", "int32", "int64"):
        for op in ("reduce_sum", "reduce_mean", "reduce_prod", "reduce_max", "reduce_min"):
            for shape, axis in (((4, 5), (1,)), ((4, 5), (0,)), ((2, 3, 4), (0, 2)),
                                ((1000000,), None), ((3, 100000), (0,)), ((0, 3), (0,))):
                K.KERNELS[op](a(*shape, dt=dt), axis, False)
        K.KERNELS["argmax"](a(3, 4, 5, dt=dt), 1, np.int64)
        K.KERNELS["argmin"](a(3, 4, dt=dt), 0, np.int32)
    for op in ("reduce_any", "reduce_all"):
        K.KERNELS[op](a(3, 100000, dt="bool"), (1,), True)
        K.KERNELS[op](a(4, 5, dt="bool"), (0,), False)
    K.KERNELS["reduce_logsumexp"](a(3, 4), (0,), False)
    K.KERNELS["reduce_variance"](a(3, 4), (1,), True)
    for op in ("softmax", "log_softmax"):
        K.KERNELS[op](a(8, 10), -1)
        K.KERNELS[op](a(8, 10, 3), 1)
    K.KERNELS["softmax_cross_entropy_with_logits"](a(8, 10), a(8, 10), 1)
    dx, dy = K.KERNELS["softmax_cross_entropy_with_logits_grad"](a(8), a(8, 10), a(8, 10), 1)
    assert dx.shape == dy.shape == (8, 10)
    for it in ("int32", "int64"):
        K.KERNELS["sparse_softmax_cross_entropy_with_logits"](a(8, 10), a(8, dt=it))
        K.KERNELS["sparse_softmax_cross_entropy_with_logits_grad"](a(8), a(8, 10), a(8, dt=it))
        assert K.KERNELS["gather"](a(5, 6, 7), a(3, dt=it), 1, 0).shape == (5, 3, 7)
        K.KERNELS["gather_grad"](a(5, 3, 7), a(3, dt=it), (5, 6, 7), 1, 0)
        assert K.KERNELS["one_hot"](a(4, dt=it), 10, 1.0, 0.0, -1, np.float32).shape == (4, 10)
    K.KERNELS["bias_add_grad"](a(8, 5, 5, 3), "NHWC")
    K.KERNELS["l2_loss"](a(8, 3))
    assert K.KERNELS["matmul"](a(4, 3), a(3, 5)).shape == (4, 5)
    assert K.KERNELS["matmul"](a(2, 4, 3), a(2, 5, 3), adjoint_b=True).shape == (2, 4, 5)
    assert K.KERNELS["matmul"](a(2, 4, 3), a(3, 5)).shape == (2, 4, 5)
    assert K.KERNELS["matmul"](a(4, 3), a(2, 3, 5)).shape == (2, 4, 5)
    conv = dict(strides=(1, 1), pads=(2, 2, 2, 2), dilations=(1, 1))
    for fmt, xs in (("NHWC", (2, 28, 28, 1)), ("NCHW", (2, 1, 28, 28))):
        y = K.KERNELS["conv2d"](a(*xs), a(5, 5, 1, 32), data_format=fmt, **conv)
        K.KERNELS["conv2d_backprop_input"](y, a(5, 5, 1, 32), xs, data_format=fmt, **conv)
        K.KERNELS["conv2d_backprop_filter"](a(*xs), y, (5, 5, 1, 32), data_format=fmt, **conv)
        for kind in ("max_pool", "avg_pool"):
            p = K.KERNELS[kind](y, (2, 2), (2, 2), "SAME", fmt)
        K.KERNELS["max_pool_grad"](y, p, p, (2, 2), (2, 2), "SAME", fmt)
        K.KERNELS["max_pool_grad_grad"](y, p, p, (2, 2), (2, 2), "SAME", fmt)
        K.KERNELS["avg_pool_grad"](p, y.shape, (2, 2), (2, 2), "SAME", fmt)
    for dt in ("float32", "float64"):
        K.KERNELS["random_uniform"]((5, 3), np.dtype(dt), 1, 2)
        K.KERNELS["random_uniform"]((5, 3), np.dtype(dt), 1, 2, 1.0, 3.0)
        K.KERNELS["random_normal"]((7,), np.dtype(dt), 1, 2)
        K.KERNELS["truncated_normal"]((7,), np.dtype(dt), 1, 2, 0.0, 2.0)
        K.KERNELS["dropout_mask"]((9,), np.dtype(dt), 0.5, 1, 2)
        v = a(10, dt=dt)
        assert K.optimizer_update("gradient_descent", v, (), v, (0.1,))
        assert K.optimizer_update("momentum", v, (v,), v, (0.1, 0.9, True))
        assert K.optimizer_update("adam", v, (v, v), v, (0.1, 0.9, 0.999, 1e-8))
        assert K.optimizer_update("adam_amsgrad", v, (v, v, v), v, (0.1, 0.9, 0.999, 1e-8))
        assert K.optimizer_update("adagrad", v, (v,), v, (0.1, 1e-7))
        assert K.optimizer_update("rmsprop", v, (v, None), v, (0.1, 0.9, 0.0, 1e-7))
    for dt in ("int32", "int64"):
        K.KERNELS["random_uniform"]((5,), np.dtype(dt), 1, 2, 0, 10)
        K.KERNELS["range"](0, 10, 2, 5, np.dtype(dt))
    K.KERNELS["range"](0.0, 1.0, 0.25, 4, np.dtype("float32"))
    K.KERNELS["zeros"]((3, 4), np.dtype("float32"))
    K.KERNELS["ones"]((3, 4), np.dtype("int64"))
    K.KERNELS["fill"](a(), (3, 4))
    K.KERNELS["concat"](a(2, 3), a(2, 5), axis=1)
    K.KERNELS["stack"](a(2, 3), a(2, 3), axis=1)
    assert [p.shape for p in K.KERNELS["split"](a(6, 4), (2, 4), 0)] == [(2, 4), (4, 4)]
    assert len(K.KERNELS["unstack"](a(3, 4), 1)) == 4
    assert K.KERNELS["tile"](a(2, 3), (2, 1)).shape == (4, 3)
    assert K.KERNELS["pad"](a(2, 3), ((1, 1), (0, 2)), "CONSTANT", 0).shape == (4, 5)
    K.KERNELS["reverse"](a(2, 3), (1,))
    assert K.KERNELS["slice"](a(4, 5), (1, 2), (2, 3)).shape == (2, 3)
    assert K.KERNELS["getitem"](a(4, 5), (slice(None, None, -1), 2)).shape == (4,)
    K.KERNELS["getitem_grad"](a(4), (slice(None, None, -1), 2), (4, 5))
    assert K.KERNELS["broadcast_to"](a(3, 1), (2, 3, 4)).shape == (2, 3, 4)
    assert len(log) > 500


def test_install_fills_the_registry():
    from eager.backends.cuda import kernels as K
    from eager.ops._registry import REGISTRY
    missing = [n for n in K.KERNELS if n not in REGISTRY]
    assert not missing, "launchers for ops that do not exist: %s" % missing
    for n in ("add", "matmul", "conv2d", "reduce_sum", "softmax", "copy_to_device"):
        assert n in K.KERNELS or callable(REGISTRY[n].kernels.get("cuda_src"))
