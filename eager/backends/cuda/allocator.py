"""A caching device-memory pool (after CuPy's SingleDeviceMemoryPool):
requests round up to size classes, freed blocks go to a free list per
(stream, size class) and are handed out again without a cudaMalloc. On
out-of-memory the pool frees its cache and retries once, then raises
ResourceExhaustedError with the sizes.

The pool knows nothing of CUDA: it calls `raw_alloc(nbytes)` (returns an
object with an integer address via int(), freed by `raw_free(obj)`) and
treats `oom_errors` as out-of-memory, so its bookkeeping runs on the CPU in
tests with a fake raw allocator. A block goes back to the free list of the
stream it was used on: work queued on that stream before the free finishes
before any later use, so no synchronisation is needed (one stream per device).
"""
import threading

from eager import errors

ALIGN = 512                 # every block starts on 512 bytes (cuMemAlloc gives 256+)
SMALL = 1 << 20             # below 1 MiB: multiples of 512 bytes
# Above: four classes per power of two (at most 25% slack), so blocks of
# slightly different sizes are reused.


def size_class(nbytes):
    """The size a request of `nbytes` is served with."""
    if nbytes <= 0:
        return ALIGN
    if nbytes <= SMALL:
        return (nbytes + ALIGN - 1) // ALIGN * ALIGN
    top = 1 << (nbytes - 1).bit_length()    # next power of two >= nbytes
    step = top // 8                          # top/2 .. top in quarters of top/2
    return (nbytes + step - 1) // step * step


class Block(object):
    """One pooled allocation. Returned to its pool when the last reference
    (a DeviceArray and its views) goes away."""
    __slots__ = ("ptr", "size", "stream", "pool", "raw", "__weakref__")

    def __init__(self, raw, ptr, size, stream, pool):
        self.raw = raw
        self.ptr = ptr
        self.size = size
        self.stream = stream
        self.pool = pool

    def __del__(self):
        pool = self.pool
        if pool is not None:
            self.pool = None
            try:
                pool._release(self)
            except Exception:   # interpreter shutdown: the driver may be gone
                pass


class MemoryPool(object):
    """The pool of one device.

    raw_alloc(nbytes) -> allocation (int(allocation) is its address)
    raw_free(allocation) frees it
    oom_errors: the exception classes raw_alloc raises when memory is short
    limit: optional cap on bytes held (in use + cached), for tests and users
    """

    def __init__(self, raw_alloc, raw_free, oom_errors=(MemoryError,), limit=None,
                 device_name="GPU"):
        self._raw_alloc = raw_alloc
        self._raw_free = raw_free
        self._oom = tuple(oom_errors)
        self._free = {}          # (stream, size) -> [raw allocations]
        self._lock = threading.Lock()
        self.limit = limit
        self.device_name = device_name
        self.bytes_in_use = 0
        self.bytes_cached = 0
        self.peak_bytes = 0
        self.n_raw_allocs = 0
        self.n_reused = 0

    # ---- allocation ----------------------------------------------------
    def malloc(self, nbytes, stream=None):
        """A Block of at least `nbytes` for use on `stream` (a hashable key)."""
        size = size_class(nbytes)
        key = (stream, size)
        with self._lock:
            lst = self._free.get(key)
            if lst:
                raw = lst.pop()
                self.bytes_cached -= size
                self.n_reused += 1
                return self._use(raw, size, stream)
        raw = self._new(size, nbytes)
        with self._lock:
            return self._use(raw, size, stream)

    def _use(self, raw, size, stream):
        self.bytes_in_use += size
        held = self.bytes_in_use + self.bytes_cached
        if held > self.peak_bytes:
            self.peak_bytes = held
        return Block(raw, int(raw), size, stream, self)

    def _new(self, size, nbytes):
        if self.limit is not None and self.bytes_in_use + self.bytes_cached + size > self.limit:
            self.free_all_blocks()
            if self.bytes_in_use + size > self.limit:
                raise self._exhausted(nbytes, "the pool's limit of %d bytes" % self.limit)
        try:
            raw = self._raw_alloc(size)
        except self._oom:
            # Cached blocks may be what fills the device: free them, retry once.
            self.free_all_blocks()
            try:
                raw = self._raw_alloc(size)
            except self._oom as e:
                raise self._exhausted(nbytes, "the device (%s)" % (e,)) from None
        self.n_raw_allocs += 1
        return raw

    def _exhausted(self, nbytes, what):
        return errors.ResourceExhaustedError(
            None, None, "OOM when allocating %d bytes on %s: out of memory in %s; "
            "pool: %d bytes in use, %d cached, peak %d"
            % (nbytes, self.device_name, what, self.bytes_in_use, self.bytes_cached,
               self.peak_bytes))

    def _release(self, block):
        with self._lock:
            self.bytes_in_use -= block.size
            self.bytes_cached += block.size
            self._free.setdefault((block.stream, block.size), []).append(block.raw)

    # ---- cache control ---------------------------------------------------
    def free_all_blocks(self):
        """Returns every cached (unused) block to the device."""
        with self._lock:
            lists = list(self._free.values())
            self._free = {}
            self.bytes_cached = 0
        for lst in lists:
            for raw in lst:
                self._raw_free(raw)

    def stats(self):
        return {"bytes_in_use": self.bytes_in_use, "bytes_cached": self.bytes_cached,
                "peak_bytes": self.peak_bytes, "raw_allocs": self.n_raw_allocs,
                "reused": self.n_reused, "limit": self.limit}
