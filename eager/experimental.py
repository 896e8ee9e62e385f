"""The `eager.experimental` namespace: zero-copy exchange with other libraries
and explicit copies between devices."""
import eager.ops  # noqa: F401
from eager.ops._registry import API as _API
from eager.ops.placement import from_dlpack, to_dlpack  # noqa: F401

globals().update(_API.get("eager.experimental", {}))
dlpack = type("dlpack", (), {"from_dlpack": staticmethod(from_dlpack),
                             "to_dlpack": staticmethod(to_dlpack)})
