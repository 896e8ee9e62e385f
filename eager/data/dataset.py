"""tf.data's Dataset for eager execution: a recipe for a stream of elements,
built from sources and transformations and run by iterating it.

    dataset = Dataset.from_tensor_slices([1, 2, 3, 4, 5, 6])
    dataset = dataset.map(tf.square).shuffle(2).batch(2)
    for x in dataset: ...

How it runs. Iterating a dataset calls its `_make_iter()`, which returns a
generator over elements kept as NumPy arrays (see structure.py); stages
hand these to each other, and Tensors are made only where a user sees an
element. Sources whose elements are rows of in-memory arrays also offer an
`IndexPlan`: the element stream described as a stream of row indices, which
shuffle, take, skip, shard, repeat and cache pass on as index arithmetic, so
that `batch` gathers a whole batch with one NumPy `take` per component
instead of stacking rows one by one.
"""
import numpy as np

from eager import errors
from eager._ext.tensor import Tensor, _storage
from eager.data import structure as st

AUTOTUNE = -1
INFINITE = -1   # cardinality of an endless dataset (tf.data.INFINITE_CARDINALITY)
UNKNOWN = -2    # cardinality that cannot be known without running (UNKNOWN_CARDINALITY)
CHUNK = 1 << 16  # index-plan chunk: bounds the memory of an index stream


class IndexPlan(object):
    """A dataset's elements as rows of in-memory arrays.

    leaves: the flat list of arrays (one per component), sharing dimension 0.
    structure: an element's nested structure (its leaves are placeholders).
    chunks: a function; each call starts one pass and returns an iterator of
        int64 index arrays whose concatenation is the pass's row order.
    """
    __slots__ = ("leaves", "structure", "chunks")

    def __init__(self, leaves, structure, chunks):
        self.leaves = leaves
        self.structure = structure
        self.chunks = chunks

    def with_chunks(self, chunks):
        return IndexPlan(self.leaves, self.structure, chunks)

    def gatherer(self):
        """A function from an index array to the element made of those rows
        of every component (the rows stacked: a batch)."""
        leaves, s = self.leaves, self.structure
        if not st.is_structure(s):
            a = leaves[0]
            return lambda idx: a.take(idx, 0)
        if type(s) is tuple and len(s) == len(leaves) and \
                not any(st.is_structure(c) for c in s):
            if len(leaves) == 2:
                a, b = leaves
                return lambda idx: (a.take(idx, 0), b.take(idx, 0))
            return lambda idx: tuple([a.take(idx, 0) for a in leaves])
        return lambda idx: st.pack_as(s, [a.take(idx, 0) for a in leaves])

    def elements(self):
        """A generator over the single rows, in the plan's order."""
        leaves, s = self.leaves, self.structure
        chunks = self.chunks()
        try:
            if not st.is_structure(s):
                a = leaves[0]
                for c in chunks:
                    for i in c.tolist():
                        yield a[i, ...]
            elif type(s) is tuple and len(s) == len(leaves) and \
                    not any(st.is_structure(c) for c in s):
                for c in chunks:
                    for i in c.tolist():
                        yield tuple([a[i, ...] for a in leaves])
            else:
                for c in chunks:
                    for i in c.tolist():
                        yield st.pack_as(s, [a[i, ...] for a in leaves])
        finally:
            close_iter(chunks)


def arange_chunks(n):
    for start in range(0, n, CHUNK):
        yield np.arange(start, min(start + CHUNK, n), dtype=np.int64)


def close_iter(it):
    close = getattr(it, "close", None)
    if close is not None:
        close()


class _NoElement(Exception):
    pass


def int_arg(value, name, op, allow_none=False):
    """A Python int from an int, a NumPy integer or an integer scalar Tensor."""
    if value is None and allow_none:
        return None
    if isinstance(value, Tensor):
        if not value.dtype.is_integer or value.shape != ():
            raise TypeError("%s: %s must be an integer scalar, got a %s tensor of shape %s"
                            % (op, name, value.dtype.name, value.shape))
        return int(_storage(value))
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError("%s: %s must be an integer, got %s %r"
                        % (op, name, type(value).__name__, value))
    return int(value)


def invalid(op, msg):
    return errors.InvalidArgumentError(None, op, "%s: %s" % (op, msg))


def user_call(fn, element):
    """fn applied to an element as the user sees it: a tuple is spread over
    the arguments, any other structure is one argument (tf.data's rule)."""
    u = st.to_user(element)
    return fn(*u) if type(u) is tuple else fn(u)


def call_map_function(fn, element, op):
    r = user_call(fn, element)
    if r is None:
        raise TypeError("%s: the function returned None; it must return a Tensor or a "
                        "(nested) tuple or dict of Tensors" % op)
    if isinstance(r, Dataset):
        raise TypeError("%s: the function returned a Dataset; use flat_map or interleave "
                        "for functions that return datasets" % op)
    return st.to_internal(r)


class Dataset(object):
    """A stream of elements (Tensors, or tuples and dicts of Tensors), built
    from sources (`from_tensor_slices`, `range`, `TFRecordDataset`, ...) and
    transformations (`map`, `shuffle`, `batch`, ...), as tf.data.Dataset.

    Iterate it with `for x in dataset` or `tfe.Iterator(dataset)`; each
    iteration runs the pipeline from the start (and reshuffles)."""

    _spec = None

    # ---- what subclasses provide -------------------------------------------------
    def _make_iter(self):
        """A generator over this dataset's elements (pipeline form)."""
        raise NotImplementedError

    def _index_plan(self):
        """An IndexPlan when the elements are rows of in-memory arrays, else None."""
        return None

    def _cardinality(self):
        return UNKNOWN

    def _peek(self):
        """One element of the kind this dataset yields, for element_spec
        (transformations pass it through their functions, as tf.data traces
        them). Raises _NoElement when there is none to be had."""
        it = self._make_iter()
        try:
            return next(it)
        except StopIteration:
            raise _NoElement()
        finally:
            close_iter(it)

    def _compute_spec(self):
        return st.spec_of(self._peek())

    # ---- properties ------------------------------------------------------------
    @property
    def element_spec(self):
        """The type of an element: TensorSpecs in the element's structure."""
        if self._spec is None:
            try:
                self._spec = self._compute_spec()
            except _NoElement:
                raise ValueError("element_spec: %s yields no element, so the outputs of its "
                                 "functions cannot be inspected" % type(self).__name__)
        return self._spec

    @property
    def output_types(self):
        return st.map_structure(lambda s: s.dtype, self.element_spec)

    @property
    def output_shapes(self):
        return st.map_structure(lambda s: s.shape, self.element_spec)

    @property
    def output_classes(self):
        return st.map_structure(lambda s: s.value_type, self.element_spec)

    def cardinality(self):
        """The number of elements as an int64 scalar Tensor: -1 (INFINITE)
        for an endless dataset, -2 (UNKNOWN) when it cannot be known
        without running the pipeline."""
        from eager._ext.tensor import _from_array
        return _from_array(np.array(self._cardinality(), dtype=np.int64))

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def __repr__(self):
        try:
            spec = self.element_spec
        except Exception:  # a spec that needs a failing function call
            spec = "?"
        return "<%s element_spec=%s>" % (type(self).__name__, spec)

    # ---- iteration ---------------------------------------------------------------
    def __iter__(self):
        from eager.data.iterator import Iterator
        return Iterator(self)

    def make_one_shot_iterator(self):
        """An Iterator over the dataset (TF 1's name)."""
        from eager.data.iterator import Iterator
        return Iterator(self)

    def as_numpy_iterator(self):
        """The elements as NumPy values: arrays (copies), and NumPy scalars
        or bytes for scalars."""
        it = self._make_iter()
        try:
            for e in it:
                yield st.to_numpy(e)
        finally:
            close_iter(it)

    def reduce(self, initial_state, reduce_func):
        """Folds the elements: state = reduce_func(state, element), starting
        from initial_state; returns the final state as Tensors."""
        state = st.to_user(st.to_internal(initial_state))
        it = self._make_iter()
        try:
            for e in it:
                u = st.to_user(e)
                state = reduce_func(state, u)
                state = st.to_user(st.to_internal(state))
        finally:
            close_iter(it)
        return state

    def apply(self, transformation_func):
        """transformation_func(self), which must return a Dataset."""
        ds = transformation_func(self)
        if not isinstance(ds, Dataset):
            raise TypeError("apply: the function must return a Dataset, got %s"
                            % type(ds).__name__)
        return ds

    # ---- sources ---------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """The slices of `tensors` along their first dimension: one element
        per row. `tensors` is a Tensor, array or list, or a tuple/dict of
        them (all with the same first dimension).

        >>> [int(x) for x in Dataset.from_tensor_slices([1, 2, 3])]
        [1, 2, 3]
        """
        return _sources.TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: `tensors` (any nested structure)."""
        return _sources.Tensors(tensors)

    @staticmethod
    def range(*args, **kwargs):
        """range(stop), range(start, stop[, step]): int64 scalars (or
        `output_type`), as Python's range.

        >>> [int(x) for x in Dataset.range(2, 8, 3)]
        [2, 5]
        """
        return _sources.Range(*args, **kwargs)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """The values yielded by `generator(*args)` (called anew for every
        iteration), converted to `output_types` (or `output_signature`, a
        structure of TensorSpecs) and checked against `output_shapes`."""
        return _sources.Generator(generator, output_types, output_shapes, args,
                                  output_signature)

    @staticmethod
    def zip(*datasets, **kwargs):
        """Elements of several datasets side by side: zip((a, b)) yields
        (a_i, b_i) until the shortest ends. Also zip(a, b) and dicts of
        datasets."""
        datasets = kwargs.pop("datasets", datasets)
        kwargs.pop("name", None)
        if kwargs:
            raise TypeError("zip: unexpected arguments %s" % sorted(kwargs))
        if len(datasets) == 1 and not isinstance(datasets[0], Dataset):
            datasets = datasets[0]
        return _sources.Zip(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The file names matching a glob pattern (or list of patterns), as
        string scalars; sorted, then shuffled unless shuffle=False."""
        return _sources.list_files(file_pattern, shuffle, seed)

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by `dataset`'s (same structure
        and dtypes)."""
        return _sources.Concatenate(self, dataset)

    # ---- transformations ---------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """map_func applied to every element (a tuple element is spread over
        the arguments). With num_parallel_calls (an int or AUTOTUNE), that
        many calls run in threads; the order is kept."""
        return _transforms.Map(self, map_func, num_parallel_calls)

    def filter(self, predicate, name=None):
        """The elements for which predicate returns True (a bool scalar)."""
        return _transforms.Filter(self, predicate)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Elements in random order through a buffer of buffer_size elements
        (TensorFlow's semantics: buffer_size >= the dataset's size shuffles
        uniformly). The order repeats given `seed` or set_random_seed; with
        reshuffle_each_iteration (the default) every pass differs."""
        return _transforms.Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Consecutive elements stacked into batches of batch_size (the last
        may be smaller unless drop_remainder)."""
        return _batching.Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches of elements padded to a common shape: `padded_shapes`
        (None or -1 dimensions: the largest in the batch; default: all) with
        `padding_values` (default 0, or b"" for strings)."""
        return _batching.PaddedBatch(self, batch_size, padded_shapes, padding_values,
                                       drop_remainder)

    def unbatch(self, name=None):
        """Splits every element along its first dimension (batch's inverse)."""
        return _batching.Unbatch(self)

    def repeat(self, count=None, name=None):
        """The dataset `count` times (None or -1: forever)."""
        return _transforms.Repeat(self, count)

    def take(self, count, name=None):
        """The first `count` elements (-1: all)."""
        return _transforms.Take(self, count)

    def skip(self, count, name=None):
        """All but the first `count` elements (-1: none)."""
        return _transforms.Skip(self, count)

    def shard(self, num_shards, index, name=None):
        """Every num_shards-th element, starting at `index`."""
        return _transforms.Shard(self, num_shards, index)

    def prefetch(self, buffer_size, name=None):
        """Elements computed by a background thread, up to buffer_size ahead
        (AUTOTUNE: 2)."""
        return _transforms.Prefetch(self, buffer_size)

    def cache(self, filename="", name=None):
        """Elements kept after the first complete pass: in memory (filename
        empty) or in a file, read by later passes and later programs."""
        return _transforms.Cache(self, filename)

    def flat_map(self, map_func, name=None):
        """The elements of the datasets map_func returns, one after another."""
        return _transforms.FlatMap(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """The datasets map_func returns, cycle_length at a time, block_length
        elements from each in turn. With num_parallel_calls every open dataset
        is read ahead by its own thread (the order is the same)."""
        return _transforms.Interleave(self, map_func, cycle_length, block_length,
                                      num_parallel_calls)

    def enumerate(self, start=0, name=None):
        """(index, element) pairs, the index an int64 scalar from `start`."""
        start = int_arg(start, "start", "enumerate")
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))


DatasetV2 = Dataset

from eager.data import _sources, _transforms, _batching  # noqa: E402  (they subclass Dataset)

