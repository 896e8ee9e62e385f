"""Batching transformations: batch (a NumPy gather per component on index
plans, a stack of elements otherwise), padded_batch and unbatch."""
import threading

import numpy as np

from eager.data import structure as st
from eager.data.dataset import Dataset, INFINITE, UNKNOWN, close_iter, int_arg, invalid


class _Unary(Dataset):
    """A transformation of one input dataset; by default it keeps the
    input's spec, cardinality and representative element."""

    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError("expected a Dataset, got %s" % type(input_dataset).__name__)
        self._input = input_dataset

    def _cardinality(self):
        return self._input._cardinality()

    def _peek(self):
        return self._input._peek()

    def _compute_spec(self):
        return self._input.element_spec


# ---- batching ------------------------------------------------------------------------
class Batch(_Unary):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        super().__init__(input_dataset)
        self._size = int_arg(batch_size, "batch_size", "batch")
        if self._size <= 0:
            raise invalid("batch", "batch_size must be greater than zero, got %d" % self._size)
        self._drop = bool(drop_remainder)

    def _make_iter(self):
        plan = self._input._index_plan()
        if plan is not None:
            return _plan_batches(plan, self._size, self._drop)
        return _batches(self._input._make_iter(), self._size, self._drop, stack_elements)

    def _cardinality(self):
        return _batched_cardinality(self._input._cardinality(), self._size, self._drop)

    def _peek(self):
        return stack_elements([self._input._peek()])

    def _compute_spec(self):
        dim = self._size if self._drop else None
        return st.map_structure(lambda s: type(s)(None if s.shape is None else
                                                  [dim] + list(s.shape), s.dtype),
                                self._input.element_spec)


def _batched_cardinality(n, size, drop):
    if n < 0:
        return n
    return n // size if drop else -(-n // size)


def _plan_batches(plan, size, drop):
    gather = plan.gatherer()
    chunks = plan.chunks()
    try:
        pending = None
        for c in chunks:
            if pending is not None:
                c = np.concatenate((pending, c))
                pending = None
            n = len(c)
            full = n - n % size
            for s in range(0, full, size):
                yield gather(c[s:s + size])
            if full < n:
                pending = c[full:]
        if pending is not None and not drop:
            yield gather(pending)
    finally:
        close_iter(chunks)


def _batches(src, size, drop, stack):
    try:
        buf = []
        for e in src:
            buf.append(e)
            if len(buf) == size:
                yield stack(buf)
                buf = []
        if buf and not drop:
            yield stack(buf)
    finally:
        close_iter(src)


def stack_elements(elems, op="batch"):
    """Elements with the same structure stacked into one (a new first
    dimension on every component)."""
    first = elems[0]
    if type(first) is np.ndarray:
        return _stack_component([e for e in elems], 0, op)
    flats = [st.flatten(e) for e in elems]
    n = len(flats[0])
    for j, f in enumerate(flats):
        if len(f) != n:
            raise TypeError("%s: element %d has %d components, the first has %d"
                            % (op, j, len(f), n))
    out = [_stack_component([f[k] for f in flats], k, op) for k in range(n)]
    return st.pack_as(first, out)


def _stack_component(col, k, op):
    a0 = col[0]
    if isinstance(a0, st.SparseValue):
        return _stack_sparse(col, k, op)
    shape, dt = a0.shape, a0.dtype
    for j, a in enumerate(col):
        if isinstance(a, st.SparseValue):
            raise TypeError("%s: component %d is sparse in element %d but dense in the first"
                            % (op, k, j))
        if a.shape != shape:
            raise invalid(op, "Cannot batch tensors with different shapes in component %d. "
                          "First element had shape %s and element %d had shape %s."
                          % (k, list(shape), j, list(a.shape)))
        if a.dtype != dt:
            raise invalid(op, "Cannot batch tensors with different dtypes in component %d. "
                          "First element had dtype %s and element %d had dtype %s."
                          % (k, st.dtype_name(a0), j, st.dtype_name(a)))
    return np.stack(col)


def _stack_sparse(col, k, op):
    rank = len(col[0].dense_shape)
    dt = col[0].values.dtype
    for j, s in enumerate(col):
        if not isinstance(s, st.SparseValue) or len(s.dense_shape) != rank or \
                s.values.dtype != dt:
            raise invalid(op, "Cannot batch SparseTensors of different ranks or dtypes in "
                          "component %d (element %d)" % (k, j))
    indices = np.concatenate(
        [np.concatenate([np.full((len(s.values), 1), j, np.int64),
                         s.indices.reshape(-1, rank).astype(np.int64)], axis=1)
         for j, s in enumerate(col)]) if col else np.zeros((0, rank + 1), np.int64)
    values = np.concatenate([s.values for s in col])
    dense = np.max(np.stack([s.dense_shape for s in col]), axis=0) if rank else \
        np.zeros(0, np.int64)
    return st.SparseValue(indices, values,
                          np.concatenate([[len(col)], dense]).astype(np.int64))


class PaddedBatch(_Unary):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        super().__init__(input_dataset)
        self._size = int_arg(batch_size, "batch_size", "padded_batch")
        if self._size <= 0:
            raise invalid("padded_batch", "batch_size must be greater than zero, got %d"
                          % self._size)
        self._drop = bool(drop_remainder)
        self._shapes_arg = padded_shapes
        self._values_arg = padding_values
        self._layout = None  # (flat padded shapes, flat padding values), from the first element
        self._lock = threading.Lock()

    def _layout_for(self, e):
        with self._lock:
            if self._layout is None:
                n = len(st.flatten(e))
                if self._shapes_arg is None:
                    shapes = [None] * n
                elif st.is_structure(e):
                    shapes = st.flatten_up_to(e, self._shapes_arg, "padded_batch: padded_shapes")
                else:
                    shapes = [self._shapes_arg]
                shapes = [None if s is None else st.normalize_shape(s) for s in shapes]
                if self._values_arg is None:
                    values = [None] * n
                elif st.is_structure(e):
                    values = st.flatten_up_to(e, self._values_arg,
                                              "padded_batch: padding_values")
                else:
                    values = [self._values_arg]
                self._layout = (shapes, values)
            return self._layout

    def _pad(self, elems):
        first = elems[0]
        shapes, values = self._layout_for(first)
        flats = [st.flatten(e) for e in elems]
        out = []
        for k in range(len(shapes)):
            col = [f[k] for f in flats]
            out.append(_pad_component(col, k, shapes[k], values[k]))
        return st.pack_as(first, out) if st.is_structure(first) else out[0]

    def _make_iter(self):
        return _batches(self._input._make_iter(), self._size, self._drop, self._pad)

    def _cardinality(self):
        return _batched_cardinality(self._input._cardinality(), self._size, self._drop)

    def _peek(self):
        return self._pad([self._input._peek()])

    def _compute_spec(self):
        dim = self._size if self._drop else None
        spec = self._input.element_spec
        shapes, _ = self._layout_for(self._input._peek())
        flat = st.flatten(spec)
        out = []
        for s, p in zip(flat, shapes):
            dims = [None] * len(s.shape) if p is None else list(p)
            out.append(st.TensorSpec([dim] + dims, s.dtype))
        return st.pack_as(spec, out) if st.is_structure(spec) else out[0]


def _pad_component(col, k, padded, value):
    a0 = col[0]
    if isinstance(a0, st.SparseValue):
        raise TypeError("padded_batch: SparseTensor components cannot be padded (component %d)"
                        % k)
    rank, dt = a0.ndim, a0.dtype
    for j, a in enumerate(col):
        if a.ndim != rank or a.dtype != dt:
            raise invalid("padded_batch", "component %d: element %d has shape %s and dtype %s, "
                          "the first has shape %s and dtype %s" % (
                              k, j, list(a.shape), st.dtype_name(a), list(a0.shape),
                              st.dtype_name(a0)))
    if padded is not None and len(padded) != rank:
        raise invalid("padded_batch", "the padded shape %s of component %d has rank %d, but "
                      "its elements have rank %d" % (padded, k, len(padded), rank))
    target = []
    for d in range(rank):
        biggest = max(a.shape[d] for a in col)
        p = None if padded is None else padded[d]
        if p is None:
            target.append(biggest)
        elif biggest > p:
            j = [a.shape[d] for a in col].index(biggest)
            raise invalid("padded_batch", "component %d of element %d has shape %s, larger than "
                          "the padded shape %s" % (k, j, list(col[j].shape), padded))
        else:
            target.append(p)
    if value is None:
        fill = b"" if dt == object else 0
    else:
        fill = st.to_array(value)
        if fill.ndim != 0:
            raise invalid("padded_batch", "padding values must be scalars, got shape %s for "
                          "component %d" % (list(fill.shape), k))
        if (dt == object) != (fill.dtype == object):
            raise TypeError("padded_batch: the padding value of component %d has dtype %s but "
                            "the component has dtype %s" % (k, st.dtype_name(fill),
                                                             st.dtype_name(a0)))
        fill = fill[()]
    out = np.empty([len(col)] + target, dtype=dt)
    out[...] = fill
    for j, a in enumerate(col):
        out[(j,) + tuple(slice(0, s) for s in a.shape)] = a
    return out


class Unbatch(_Unary):
    def _make_iter(self):
        return self._run(self._input._make_iter())

    def _run(self, src):
        try:
            for e in src:
                rows = _unstack(e)
                for r in rows:
                    yield r
        finally:
            close_iter(src)

    def _cardinality(self):
        return INFINITE if self._input._cardinality() == INFINITE else UNKNOWN

    def _peek(self):
        e = self._input._peek()
        rows = _unstack(e)
        if rows:
            return rows[0]
        leaves = st.flatten(e)
        return st.pack_as(e, [np.zeros(a.shape[1:], a.dtype) for a in leaves])

    def _compute_spec(self):
        return st.map_structure(lambda s: type(s)(None if s.shape is None else s.shape[1:],
                                                  s.dtype), self._input.element_spec)


def _unstack(e):
    leaves = st.flatten(e)
    n = None
    for k, a in enumerate(leaves):
        shape = a.dense_shape if isinstance(a, st.SparseValue) else a.shape
        if len(shape) == 0:
            raise invalid("unbatch", "component %d is a scalar: it has no dimension to unbatch"
                          % k)
        if n is None:
            n = int(shape[0])
        elif int(shape[0]) != n:
            raise invalid("unbatch", "all components must have the same first dimension; "
                          "component 0 has %d rows and component %d has %d" % (n, k, shape[0]))
    cols = [_sparse_rows(a, n) if isinstance(a, st.SparseValue) else a for a in leaves]
    if not st.is_structure(e):
        a = cols[0]
        return a if isinstance(a, list) else [a[i, ...] for i in range(n)]
    return [st.pack_as(e, [c[i] if isinstance(c, list) else c[i, ...] for c in cols])
            for i in range(n)]


def _sparse_rows(s, n):
    rows = s.indices[:, 0] if len(s.indices) else np.zeros(0, np.int64)
    return [st.SparseValue(s.indices[rows == i, 1:], s.values[rows == i], s.dense_shape[1:])
            for i in range(n)]
