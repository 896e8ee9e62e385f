"""Dataset sources: tensor slices, single tensors, ranges, Python generators,
zip, concatenate and file-name listings."""
import builtins
import glob
import itertools

import numpy as np

from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor, _storage
from eager.data import structure as st
from eager.data.dataset import (Dataset, IndexPlan, INFINITE, UNKNOWN, arange_chunks,
                                close_iter, int_arg, invalid, _NoElement)

_RANGE_PLAN_MAX = 1 << 22  # a range this long or shorter is served as an array


class TensorSlices(Dataset):
    """Dataset.from_tensor_slices: rows of in-memory arrays."""

    def __init__(self, tensors):
        e = st.to_internal(tensors)
        leaves = st.flatten(e)
        if not leaves:
            raise ValueError("from_tensor_slices: no tensors given")
        for i, a in enumerate(leaves):
            if isinstance(a, st.SparseValue):
                raise TypeError("from_tensor_slices: SparseTensor components are not supported")
            if a.ndim == 0:
                raise invalid("from_tensor_slices", "component %d is a scalar (shape (), dtype "
                              "%s): it has no dimension to slice" % (i, st.dtype_name(a)))
        n = leaves[0].shape[0]
        for i, a in enumerate(leaves):
            if a.shape[0] != n:
                raise invalid("from_tensor_slices", "all components must have the same size in "
                              "dimension 0; component 0 has shape %s and component %d has shape %s"
                              % (list(leaves[0].shape), i, list(a.shape)))
        self._structure = e
        self._leaves = leaves
        self._n = n

    def _index_plan(self):
        n = self._n
        return IndexPlan(self._leaves, self._structure, lambda: arange_chunks(n))

    def _make_iter(self):
        return self._index_plan().elements()

    def _cardinality(self):
        return self._n

    def _compute_spec(self):
        return st.map_structure(
            lambda a: st.TensorSpec(a.shape[1:], as_dtype(a.dtype)), self._structure)

    def _peek(self):
        if self._n:
            return st.pack_as(self._structure, [a[0, ...] for a in self._leaves])
        return st.pack_as(self._structure, [np.zeros(a.shape[1:], a.dtype) for a in self._leaves])


class Tensors(Dataset):
    """Dataset.from_tensors: one element."""

    def __init__(self, tensors):
        self._element = st.to_internal(tensors)

    def _make_iter(self):
        return iter((self._element,))

    def _cardinality(self):
        return 1

    def _peek(self):
        return self._element


class Range(Dataset):
    """Dataset.range: integer scalars."""

    def __init__(self, *args, **kwargs):
        dtype = kwargs.pop("output_type", "int64")
        kwargs.pop("name", None)
        if kwargs:
            raise TypeError("range: unexpected arguments %s" % sorted(kwargs))
        if not 1 <= len(args) <= 3:
            raise TypeError("range: expected 1 to 3 arguments (start, stop, step), got %d"
                            % len(args))
        args = [int_arg(a, "argument %d" % i, "range") for i, a in enumerate(args)]
        start, stop, step = (0, args[0], 1) if len(args) == 1 else \
            (args[0], args[1], args[2] if len(args) == 3 else 1)
        if step == 0:
            raise invalid("range", "step must be a non-zero integer")
        self._dtype = as_dtype(dtype)
        if not (self._dtype.is_integer or self._dtype.is_floating):
            raise TypeError("range: output_type must be an integer or float dtype, got %s"
                            % self._dtype.name)
        self._range = builtins.range(start, stop, step)

    def _index_plan(self):
        n = len(self._range)
        if n > _RANGE_PLAN_MAX:
            return None
        r = self._range
        values = np.arange(r.start, r.stop, r.step, dtype=np.int64).astype(self._dtype.np_dtype)
        return IndexPlan([values], None, lambda: arange_chunks(n))

    def _make_iter(self):
        plan = self._index_plan()
        if plan is not None:
            return plan.elements()
        dt = self._dtype.np_dtype
        return (np.array(i, dt) for i in self._range)

    def _cardinality(self):
        return len(self._range)

    def _compute_spec(self):
        return st.TensorSpec([], self._dtype)

    def _peek(self):
        return np.array(self._range.start, self._dtype.np_dtype)


class Generator(Dataset):
    """Dataset.from_generator."""

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("from_generator: `generator` must be a callable that returns an "
                            "iterable, got %s" % type(generator).__name__)
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError("from_generator: give either output_signature or "
                                "output_types (and output_shapes), not both")
            sig = st.lists_to_tuples(output_signature)
            specs = st.flatten(sig)
            for s in specs:
                if not isinstance(s, st.TensorSpec):
                    raise TypeError("from_generator: output_signature must contain TensorSpecs, "
                                    "got %r" % (s,))
            self._structure = sig
            self._dtypes = [s.dtype for s in specs]
            self._shapes = [s.shape for s in specs]
        else:
            if output_types is None:
                raise TypeError("from_generator: give output_signature, or output_types "
                                "(and optionally output_shapes)")
            types = st.map_structure(as_dtype, st.lists_to_tuples(output_types))
            self._structure = types
            self._dtypes = st.flatten(types)
            if output_shapes is None:
                self._shapes = [None] * len(self._dtypes)
            else:
                flat = st.flatten_up_to(types, output_shapes, "from_generator: output_shapes")
                self._shapes = [st.normalize_shape(s) for s in flat]
        self._generator = generator
        self._args = tuple(st.to_numpy(st.to_internal(a)) for a in (args or ()))

    def _make_iter(self):
        return self._run()

    def _run(self):
        source = iter(self._generator(*self._args))
        try:
            for value in source:
                yield self._convert(value)
        finally:
            close_iter(source)

    def _convert(self, value):
        if st.is_structure(self._structure):
            try:
                flat = st.flatten_up_to(self._structure, value, "from_generator")
            except TypeError:
                raise TypeError("`generator` yielded an element that did not match the expected "
                                "structure. The expected structure was %s, but the yielded "
                                "element was %r." % (st.describe_structure(self._structure),
                                                     value))
        else:
            flat = [value]
        out = []
        for v, dt, shape in zip(flat, self._dtypes, self._shapes):
            a = _convert_leaf(v, dt)
            if shape is not None and not shape.is_compatible_with(a.shape):
                raise invalid("from_generator", "`generator` yielded an element of shape %s "
                              "where an element of shape %s was expected."
                              % (st.TensorShape(a.shape), shape))
            out.append(a)
        return st.pack_as(self._structure, out) if st.is_structure(self._structure) else out[0]

    def _compute_spec(self):
        specs = [st.TensorSpec(s, d) for s, d in zip(self._shapes, self._dtypes)]
        return st.pack_as(self._structure, specs) if st.is_structure(self._structure) \
            else specs[0]


def _convert_leaf(v, dtype):
    try:
        if isinstance(v, Tensor):
            if v.dtype != dtype:
                raise TypeError("dtype %s" % v.dtype.name)
            return st.to_array(v)
        if dtype.name == "string":
            return st.to_array(v, dtype)
        return np.array(v, dtype=dtype.np_dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise invalid("from_generator", "`generator` yielded an element that could not be "
                      "converted to the expected type. The expected type was %s, but the yielded "
                      "element was %r (%s)." % (dtype.name, v, e))


class Zip(Dataset):
    """Dataset.zip."""

    def __init__(self, datasets):
        datasets = st.lists_to_tuples(datasets)
        flat = st.flatten(datasets)
        if not flat:
            raise ValueError("zip: no datasets given")
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError("zip: expected a (nested) tuple or dict of Datasets, got %s"
                                % type(d).__name__)
        self._structure = datasets
        self._datasets = flat

    def _make_iter(self):
        return self._run([d._make_iter() for d in self._datasets])

    def _run(self, its):
        s = self._structure
        try:
            while True:
                vals = []
                for it in its:
                    try:
                        vals.append(next(it))
                    except StopIteration:
                        return
                yield st.pack_as(s, vals) if st.is_structure(s) else vals[0]
        finally:
            for it in its:
                close_iter(it)

    def _cardinality(self):
        ns = [d._cardinality() for d in self._datasets]
        finite = [n for n in ns if n >= 0]
        if finite:
            return min(finite) if all(n != UNKNOWN for n in ns) or min(finite) == 0 else UNKNOWN
        return UNKNOWN if UNKNOWN in ns else INFINITE

    def _peek(self):
        vals = [d._peek() for d in self._datasets]
        return st.pack_as(self._structure, vals) if st.is_structure(self._structure) else vals[0]

    def _compute_spec(self):
        specs = [d.element_spec for d in self._datasets]
        return st.pack_as(self._structure, specs) if st.is_structure(self._structure) \
            else specs[0]


class Concatenate(Dataset):
    """Dataset.concatenate."""

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError("concatenate: expected a Dataset, got %s" % type(second).__name__)
        try:
            a, b = first.element_spec, second.element_spec
        except ValueError:  # an empty input whose functions cannot be inspected
            a = b = None
        if a is not None:
            if not st.same_structure(a, b):
                raise TypeError("concatenate: the datasets' elements have different structures: "
                                "%s and %s" % (a, b))
            for x, y in zip(st.flatten(a), st.flatten(b)):
                if x.dtype != y.dtype or (x.shape is not None and y.shape is not None and
                                          len(x.shape) != len(y.shape)):
                    raise TypeError("concatenate: the datasets' elements have different types: "
                                    "%s and %s" % (a, b))
        self._first, self._second = first, second

    def _make_iter(self):
        return self._run()

    def _run(self):
        for d in (self._first, self._second):
            it = d._make_iter()
            try:
                for e in it:
                    yield e
            finally:
                close_iter(it)

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE in (a, b):
            return INFINITE
        if UNKNOWN in (a, b):
            return UNKNOWN
        return a + b

    def _peek(self):
        try:
            return self._first._peek()
        except _NoElement:
            return self._second._peek()

    def _compute_spec(self):
        a, b = self._first.element_spec, self._second.element_spec
        return st.map_structure(lambda x, y: x.most_specific_compatible_type(y)
                                if type(x) is st.TensorSpec else x, a, b)


def list_files(file_pattern, shuffle, seed):
    patterns = _strings(file_pattern, "list_files")
    names = sorted(set(itertools.chain.from_iterable(glob.glob(p) for p in patterns)))
    if not names:
        raise invalid("list_files", "no files matched pattern: %s" % ", ".join(patterns))
    ds = TensorSlices(np.array([n.encode() for n in names], dtype=object))
    if shuffle is None or shuffle:
        ds = ds.shuffle(len(names), seed=seed)
    return ds


def _strings(value, op):
    """A list of str from a str, bytes, a list of them or a string Tensor."""
    if isinstance(value, Tensor):
        value = _storage(value).reshape(-1).tolist() if value.dtype.name == "string" else None
    elif isinstance(value, (str, bytes)):
        value = [value]
    elif isinstance(value, np.ndarray) and value.dtype == object:
        value = value.reshape(-1).tolist()
    if not isinstance(value, (list, tuple)) or \
            not all(isinstance(v, (str, bytes)) for v in value):
        raise TypeError("%s: expected a file name or pattern (str), a list of them or a string "
                        "Tensor, got %r" % (op, value))
    return [v.decode() if isinstance(v, bytes) else v for v in value]
