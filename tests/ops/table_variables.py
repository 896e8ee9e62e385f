"""Op table rows for eager/variables.py: reading a Variable."""
import numpy as np

import eager as tf
from eager.ops._registry import execute
from eager.variables import Variable, _read_variable
from tests.ops.optest import OpTest

MOVE_DTYPES = ("float32", "float64", "int32", "bool", "complex64")

ENTRIES = [
    # Reading a fresh Variable holding the sample: the value comes back as is.
    OpTest("read_variable", name="variable", fn=lambda x: Variable(x).read_value(),
           ref=lambda x: x, dtypes=MOVE_DTYPES, grad=False,
           errors=[(([[1.0], [2.0, 3.0]],), ValueError, "non-rectangular"),
                   ((None,), ValueError, "initial_value must be given"),
                   ((np.array([object()]),), TypeError, "initial value")]),
    # The op itself on a tensor (a handle): identity, gradient identity.
    OpTest("read_variable", fn=lambda x: execute(_read_variable, (x,)), ref=lambda x: x,
           dtypes=MOVE_DTYPES, grad2=True),
]

_ = tf  # the table modules import eager first
