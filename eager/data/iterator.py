"""Iteration over datasets: the seed's `tfe.Iterator`.

    for x in tfe.Iterator(dataset):
        print(x)
"""
from eager import errors
from eager.data import structure as st
from eager.data.dataset import Dataset, close_iter


class Iterator(object):
    """A Python iterator over a Dataset's elements (tfe.Iterator; also what
    `iter(dataset)` returns). Each Iterator runs the pipeline once from the
    start; background threads of prefetch and parallel map start with the
    first element and stop when the iterator is exhausted, closed or
    garbage-collected.

    next() / __next__ raise StopIteration at the end; get_next() raises
    OutOfRangeError, as TensorFlow's eager iterator does.
    """

    def __init__(self, dataset):
        if not isinstance(dataset, Dataset):
            raise TypeError("Iterator: expected a Dataset, got %s" % type(dataset).__name__)
        self._dataset = dataset
        self._source = dataset._make_iter()

    def __iter__(self):
        return self

    def __next__(self):
        return st.to_user(next(self._source))

    def next(self):
        """The next element (StopIteration at the end)."""
        return st.to_user(next(self._source))

    def get_next(self, name=None):
        """The next element; OutOfRangeError at the end."""
        try:
            return st.to_user(next(self._source))
        except StopIteration:
            raise errors.OutOfRangeError(None, "IteratorGetNext", "End of sequence")

    def get_next_as_optional(self):
        raise NotImplementedError("get_next_as_optional: use get_next and OutOfRangeError")

    def close(self):
        """Stops the pipeline (and its threads) before the end."""
        close_iter(self._source)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    @property
    def output_types(self):
        return self._dataset.output_types

    @property
    def output_shapes(self):
        return self._dataset.output_shapes

    @property
    def output_classes(self):
        return self._dataset.output_classes
