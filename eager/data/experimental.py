"""`eager.data.experimental`: the names TensorFlow keeps there."""
from eager.data.dataset import AUTOTUNE, INFINITE as INFINITE_CARDINALITY  # noqa: F401
from eager.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY  # noqa: F401


def cardinality(dataset):
    """The dataset's cardinality as an int64 scalar (see Dataset.cardinality)."""
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]
