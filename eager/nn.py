"""The `eager.nn` namespace (TensorFlow's `tf.nn`): re-exports from the op registry."""
import eager.ops  # noqa: F401  (loads the registry)
from eager.ops._registry import API as _API

globals().update(_API.get("eager.nn", {}))
