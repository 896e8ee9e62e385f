"""`eager.data`: input pipelines with TensorFlow's tf.data API, run eagerly.

    dataset = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5, 6])
    dataset = dataset.map(tf.square).shuffle(2).batch(2)
    for x in tfe.Iterator(dataset):
        print(x)
"""
from eager.data.dataset import Dataset, DatasetV2, AUTOTUNE  # noqa: F401
from eager.data.dataset import INFINITE as INFINITE_CARDINALITY  # noqa: F401
from eager.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY  # noqa: F401
from eager.data.iterator import Iterator  # noqa: F401
from eager.data.readers import (TextLineDataset, FixedLengthRecordDataset,  # noqa: F401
                                TFRecordDataset)
from eager.data.structure import TensorSpec, SparseTensorSpec, SparseTensor  # noqa: F401
from eager.data import experimental  # noqa: F401

__all__ = ["Dataset", "DatasetV2", "Iterator", "TextLineDataset", "FixedLengthRecordDataset",
           "TFRecordDataset", "TensorSpec", "SparseTensorSpec", "SparseTensor", "AUTOTUNE",
           "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "experimental"]
