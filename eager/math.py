"""The `eager.math` namespace (TensorFlow's `tf.math`): re-exports from the op registry."""
import eager.ops  # noqa: F401  (loads the registry)
from eager.ops._registry import API as _API

globals().update(_API.get("eager.math", {}))
