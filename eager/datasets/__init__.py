"""Data sets for the examples: MNIST from its IDX files (eager.datasets.mnist)
and scikit-learn's bundled handwritten digits shaped like MNIST
(eager.datasets.digits)."""
from eager.datasets import mnist, digits  # noqa: F401
