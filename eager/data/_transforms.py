"""Dataset transformations: map, filter, shuffle, repeat, take, skip, shard,
prefetch, cache, flat_map, interleave (batching is in _batching.py)."""
import itertools
import os
import threading

import numpy as np

from eager import errors
from eager._ext.tensor import Tensor, _storage
from eager.data import structure as st
from eager.data import _shuffle, _threads
from eager.data._batching import _Unary, stack_elements
from eager.data._sources import TensorSlices
from eager.data.dataset import (Dataset, IndexPlan, AUTOTUNE, INFINITE, UNKNOWN, arange_chunks,
                                close_iter, int_arg, invalid, user_call, call_map_function)

_M64 = (1 << 64) - 1


def _threads_arg(n, op):
    if n is None:
        return None
    n = int_arg(n, "num_parallel_calls", op)
    if n == AUTOTUNE:
        return os.cpu_count() or 1
    if n <= 0:
        raise invalid(op, "num_parallel_calls must be positive or AUTOTUNE (-1), got %d" % n)
    return n


# ---- map and filter --------------------------------------------------------------
class Map(_Unary):
    def __init__(self, input_dataset, fn, num_parallel_calls):
        super().__init__(input_dataset)
        if not callable(fn):
            raise TypeError("map: map_func must be callable, got %s" % type(fn).__name__)
        self._fn = fn
        self._threads = _threads_arg(num_parallel_calls, "map")

    def _apply(self, e):
        return call_map_function(self._fn, e, "map")

    def _make_iter(self):
        src = self._input._make_iter()
        if self._threads is None or self._threads == 1:
            return _mapped(src, self._apply)
        return _threads.parallel_mapped(src, self._apply, self._threads, 2 * self._threads)

    def _peek(self):
        return self._apply(self._input._peek())

    def _compute_spec(self):
        return st.spec_of(self._peek())


def _mapped(src, fn):
    try:
        for e in src:
            yield fn(e)
    finally:
        close_iter(src)


class Filter(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        if not callable(predicate):
            raise TypeError("filter: predicate must be callable, got %s"
                            % type(predicate).__name__)
        self._predicate = predicate

    def _keep(self, e):
        r = user_call(self._predicate, e)
        if type(r) is Tensor:
            a = _storage(r)
            if a.dtype != np.bool_ or a.ndim != 0:
                raise TypeError("filter: the predicate must return a scalar bool tensor, got a "
                                "%s tensor of shape %s" % (r.dtype.name, r.shape))
            return bool(a)
        if isinstance(r, (bool, np.bool_)):
            return bool(r)
        raise TypeError("filter: the predicate must return a scalar bool tensor, got %s %r"
                        % (type(r).__name__, r))

    def _make_iter(self):
        return self._run(self._input._make_iter())

    def _run(self, src):
        keep = self._keep
        try:
            for e in src:
                if keep(e):
                    yield e
        finally:
            close_iter(src)

    def _cardinality(self):
        return UNKNOWN if self._input._cardinality() != INFINITE else INFINITE


# ---- shuffle -------------------------------------------------------------------------
def _resolve_seed(seed, reshuffle):
    """The (seed, seed2) pair of a shuffle, fixed when the dataset is made:
    from the op seed and the global seed (set_random_seed), or None for
    fresh entropy on every pass."""
    from eager.ops.random import get_seed, random_uniform
    g, s2 = get_seed(seed)
    if g is None:
        if reshuffle:
            return None
        # One fixed but unseeded order for every pass.
        return tuple(int(v) for v in np.random.SeedSequence().generate_state(2, np.uint64))
    if s2 is None:
        # Only the global seed: draw the op's seed from the global stream, so
        # that set_random_seed(g) followed by the same program repeats it.
        s2 = int(_storage(random_uniform([], maxval=2 ** 62, dtype="int64")))
    return (g & _M64, s2 & _M64)


class Shuffle(_Unary):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        b = int_arg(buffer_size, "buffer_size", "shuffle")
        if b <= 0:
            raise invalid("shuffle", "buffer_size must be greater than zero, got %d" % b)
        self._buffer = b
        self._reshuffle = True if reshuffle_each_iteration is None \
            else bool(reshuffle_each_iteration)
        self._seed = _resolve_seed(seed, self._reshuffle)
        self._epochs = itertools.count()

    def _generators(self):
        epoch = next(self._epochs) if self._reshuffle else 0
        return _shuffle.epoch_generators(self._seed, epoch)

    def _index_plan(self):
        plan = self._input._index_plan()
        if plan is None:
            return None
        b, chunks, gens = self._buffer, plan.chunks, self._generators
        return plan.with_chunks(lambda: _shuffle.shuffle_index_chunks(chunks(), b, *gens()))

    def _make_iter(self):
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        gens = self._generators()
        return _shuffle.shuffle_elements(self._input._make_iter(), self._buffer, *gens)


# ---- counting ------------------------------------------------------------------------
class Repeat(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        c = int_arg(count, "count", "repeat", allow_none=True)
        self._count = None if c is None or c < 0 else c

    def _passes(self):
        return itertools.count() if self._count is None else range(self._count)

    def _index_plan(self):
        plan = self._input._index_plan()
        if plan is None:
            return None
        return plan.with_chunks(lambda: self._repeat_chunks(plan.chunks))

    def _repeat_chunks(self, chunks):
        for _ in self._passes():
            got = False
            it = chunks()
            try:
                for c in it:
                    got = got or len(c) > 0
                    yield c
            finally:
                close_iter(it)
            if not got:
                return

    def _make_iter(self):
        return self._run()

    def _run(self):
        for _ in self._passes():
            got = False
            it = self._input._make_iter()
            try:
                for e in it:
                    got = True
                    yield e
            finally:
                close_iter(it)
            if not got:  # an empty pass: stop rather than loop forever
                return

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count == 0 or n == 0:
            return 0
        if self._count is None:
            return UNKNOWN if n == UNKNOWN else INFINITE
        return n * self._count if n >= 0 else n


class Take(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        c = int_arg(count, "count", "take")
        self._count = None if c < 0 else c

    def _index_plan(self):
        plan = self._input._index_plan()
        if plan is None:
            return None
        count = self._count
        return plan if count is None else plan.with_chunks(lambda: _take_chunks(plan.chunks(),
                                                                                 count))

    def _make_iter(self):
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        src = self._input._make_iter()
        return src if self._count is None else _taken(src, self._count)

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count is None:
            return n
        if n == INFINITE:
            return self._count
        return min(n, self._count) if n >= 0 else (0 if self._count == 0 else UNKNOWN)


def _taken(src, count):
    try:
        if count > 0:
            for i, e in enumerate(src, 1):
                yield e
                if i >= count:
                    return
    finally:
        close_iter(src)


def _take_chunks(chunks, count):
    try:
        left = count
        for c in chunks:
            if left <= 0:
                return
            if len(c) >= left:
                yield c[:left]
                return
            yield c
            left -= len(c)
    finally:
        close_iter(chunks)


class Skip(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        c = int_arg(count, "count", "skip")
        self._count = None if c < 0 else c   # None: skip everything

    def _index_plan(self):
        plan = self._input._index_plan()
        if plan is None:
            return None
        count = self._count
        return plan.with_chunks(lambda: _skip_chunks(plan.chunks(), count))

    def _make_iter(self):
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        return _skipped(self._input._make_iter(), self._count)

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count is None:
            return 0 if n != INFINITE else INFINITE
        return max(0, n - self._count) if n >= 0 else n


def _skipped(src, count):
    try:
        for i, e in enumerate(src):
            if count is not None and i >= count:
                yield e
    finally:
        close_iter(src)


def _skip_chunks(chunks, count):
    try:
        left = count
        for c in chunks:
            if left is None:
                continue
            if left >= len(c):
                left -= len(c)
                continue
            yield c[left:]
            left = 0
    finally:
        close_iter(chunks)


class Shard(_Unary):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._num = int_arg(num_shards, "num_shards", "shard")
        self._index = int_arg(index, "index", "shard")
        if self._num <= 0:
            raise invalid("shard", "num_shards must be positive, got %d" % self._num)
        if not 0 <= self._index < self._num:
            raise invalid("shard", "index must be in [0, num_shards), got index %d with "
                          "num_shards %d" % (self._index, self._num))

    def _index_plan(self):
        plan = self._input._index_plan()
        if plan is None:
            return None
        return plan.with_chunks(lambda: _shard_chunks(plan.chunks(), self._num, self._index))

    def _make_iter(self):
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        return _sharded(self._input._make_iter(), self._num, self._index)

    def _cardinality(self):
        n = self._input._cardinality()
        return n if n < 0 else max(0, -(-(n - self._index) // self._num))


def _sharded(src, num, index):
    try:
        for i, e in enumerate(src):
            if i % num == index:
                yield e
    finally:
        close_iter(src)


def _shard_chunks(chunks, num, index):
    try:
        pos = 0
        for c in chunks:
            first = (index - pos) % num
            if first < len(c):
                yield c[first::num]
            pos += len(c)
    finally:
        close_iter(chunks)


# ---- threads and caches ----------------------------------------------------------------
class Prefetch(_Unary):
    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        b = int_arg(buffer_size, "buffer_size", "prefetch")
        if b == AUTOTUNE:
            b = 2
        if b < 0:
            raise invalid("prefetch", "buffer_size must be >= 0 or AUTOTUNE (-1), got %d" % b)
        self._buffer = b

    def _make_iter(self):
        src = self._input._make_iter()
        if self._buffer == 0:
            return src
        return _threads.prefetched(src, self._buffer)


class Cache(_Unary):
    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        if isinstance(filename, Tensor):
            filename = _storage(filename)[()]
        if isinstance(filename, bytes):
            filename = filename.decode()
        if not isinstance(filename, str):
            raise TypeError("cache: filename must be a string, got %s" % type(filename).__name__)
        self._filename = filename
        self._lock = threading.Lock()
        self._elements = None   # memory: the list of a complete pass
        self._arrays = None     # memory: the same as stacked arrays (an IndexPlan source)

    def _index_plan(self):
        if self._filename:
            return None
        if self._arrays is not None:
            leaves, structure = self._arrays
            n = leaves[0].shape[0]
            return IndexPlan(leaves, structure, lambda: arange_chunks(n))
        if isinstance(self._input, TensorSlices):
            return self._input._index_plan()  # already in memory: nothing to keep
        return None

    def _make_iter(self):
        if self._filename:
            from eager.data import _cache_file
            return _cache_file.cached(self._input, self._filename)
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        if self._elements is not None:
            return iter(self._elements)
        return self._fill(self._input._make_iter())

    def _fill(self, src):
        kept = []
        try:
            for e in src:
                kept.append(e)
                yield e
        finally:
            close_iter(src)
        # Only a complete pass is kept (an abandoned one is dropped, as tf.data does).
        with self._lock:
            if self._elements is None and self._arrays is None:
                self._arrays = _as_arrays(kept)
                if self._arrays is None:
                    self._elements = kept


def _as_arrays(elems):
    """Elements of one structure and fixed dense shapes as stacked arrays
    (flat leaves, structure), or None when they are not alike."""
    if not elems:
        return None
    try:
        stacked = stack_elements(elems, "cache")
    except (errors.InvalidArgumentError, TypeError):
        return None
    leaves = st.flatten(stacked)
    if any(isinstance(a, st.SparseValue) for a in leaves):
        return None
    return leaves, stacked if st.is_structure(stacked) else None


# ---- datasets of datasets ----------------------------------------------------------------
def _dataset_of(fn, e, op):
    ds = user_call(fn, e)
    if not isinstance(ds, Dataset):
        raise TypeError("%s: the function must return a Dataset, got %s"
                        % (op, type(ds).__name__))
    return ds


class FlatMap(_Unary):
    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        if not callable(fn):
            raise TypeError("flat_map: map_func must be callable, got %s" % type(fn).__name__)
        self._fn = fn

    def _make_iter(self):
        return self._run(self._input._make_iter())

    def _run(self, src):
        try:
            for e in src:
                it = _dataset_of(self._fn, e, "flat_map")._make_iter()
                try:
                    for x in it:
                        yield x
                finally:
                    close_iter(it)
        finally:
            close_iter(src)

    def _cardinality(self):
        return UNKNOWN

    def _peek(self):
        return _dataset_of(self._fn, self._input._peek(), "flat_map")._peek()

    def _compute_spec(self):
        return _dataset_of(self._fn, self._input._peek(), "flat_map").element_spec


class Interleave(FlatMap):
    def __init__(self, input_dataset, fn, cycle_length, block_length, num_parallel_calls):
        super().__init__(input_dataset, fn)
        c = int_arg(cycle_length, "cycle_length", "interleave", allow_none=True)
        if c is None or c == AUTOTUNE:
            c = os.cpu_count() or 1
        b = int_arg(block_length, "block_length", "interleave", allow_none=True)
        b = 1 if b is None else b
        if c <= 0 or b <= 0:
            raise invalid("interleave", "cycle_length and block_length must be positive, got "
                          "%d and %d" % (c, b))
        self._cycle, self._block = c, b
        self._parallel = _threads_arg(num_parallel_calls, "interleave") is not None

    def _open(self, e):
        it = _dataset_of(self._fn, e, "interleave")._make_iter()
        return _threads.prefetched(it, self._block) if self._parallel else it

    def _run(self, src):
        slots = [None] * self._cycle
        active, ended = 0, False
        i = block = 0
        try:
            while True:
                it = slots[i]
                if it is None and not ended:
                    try:
                        e = next(src)
                    except StopIteration:
                        ended = True
                    else:
                        slots[i] = it = self._open(e)
                        active += 1
                if it is not None:
                    try:
                        x = next(it)
                    except StopIteration:
                        slots[i] = None
                        active -= 1
                    else:
                        yield x
                        block += 1
                        if block < self._block:
                            continue
                if ended and active == 0:
                    return
                i = (i + 1) % self._cycle
                block = 0
        finally:
            for it in slots:
                if it is not None:
                    close_iter(it)
            close_iter(src)
