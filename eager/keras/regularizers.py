"""keras.regularizers: l1, l2, l1_l2."""
from eager.layers.regularizers import Regularizer, L1L2, l1, l2, l1_l2  # noqa: F401
