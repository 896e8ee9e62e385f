"""The `eager.dtypes` namespace: DType objects, as_dtype and cast."""
import eager.ops  # noqa: F401
from eager._ext.dtypes import DType, as_dtype  # noqa: F401
from eager.ops._registry import API as _API

globals().update(_API.get("eager.dtypes", {}))
bool = as_dtype("bool")  # noqa: A001
int8, int16, int32, int64 = (as_dtype(_n) for _n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (as_dtype(_n) for _n in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (as_dtype(_n) for _n in ("float16", "float32", "float64"))
half, double = float16, float64
complex64, complex128 = as_dtype("complex64"), as_dtype("complex128")
string = as_dtype("string")
