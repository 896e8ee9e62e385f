"""The op test table's row type (after PyTorch's OpInfo): one OpTest per
registry op, read by test_op_table.py (forward against NumPy, error inputs)
and by the gradient checks (tests/autodiff)."""
import dataclasses
from typing import Any, Callable, Optional, Sequence

import numpy as np

UNARY_SHAPES = [(), (0,), (1,), (5,), (2, 3), (2, 1, 4)]
BINARY_SHAPES = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (2, 3)), ((2, 1), (1, 3)),
                 ((4, 1, 3), (2, 1)), ((0,), (1,)), ((1,), (1,))]
FLOAT_DTYPES = ("float16", "float32", "float64")


@dataclasses.dataclass
class OpTest:
    op: str                                   # registry name
    fn: Callable                              # eager function(*inputs) -> Tensor(s)
    ref: Callable                             # NumPy reference(*arrays) -> array(s)
    dtypes: Sequence[str] = ("float32", "float64")
    arity: int = 1                            # for the default samples
    samples: Optional[Callable] = None        # samples(dtype, rng) -> list of input tuples
    domain: tuple = (-2.0, 2.0)               # range of default float samples
    errors: Sequence[tuple] = ()              # (inputs tuple, exception class, regex)
    rtol: Optional[float] = None
    atol: Optional[float] = None
    grad: bool = True                         # first-order gradient check
    grad2: bool = False                       # second-order check (ops in second-order code)
    grad_samples: Optional[Callable] = None   # samples(rng) -> float64 input tuples
    grad_argnums: Optional[Sequence[int]] = None  # inputs differentiated (default: floats)
    check_dtype: bool = True                  # result dtype must equal the reference's
    random: bool = False                      # output is random: only dtype/shape compared
    name: str = ""                            # test id suffix when one op has several rows

    @property
    def id(self):
        return self.op + ("-" + self.name if self.name else "")

    def make_samples(self, dtype, rng):
        if self.samples is not None:
            return self.samples(dtype, rng)
        if self.arity == 1:
            return [(random_array(s, dtype, rng, self.domain),) for s in UNARY_SHAPES]
        if self.arity == 2:
            return [(random_array(a, dtype, rng, self.domain), random_array(b, dtype, rng, self.domain))
                    for a, b in BINARY_SHAPES]
        raise ValueError("op %s: give samples for arity %d" % (self.op, self.arity))

    def make_grad_samples(self, rng):
        if self.grad_samples is not None:
            return self.grad_samples(rng)
        return [tuple(a.astype(np.float64) if a.dtype.kind == "f" else a for a in s)
                for s in self.make_samples("float64", rng) if all(np.size(a) for a in s)]

    def tolerances(self, dtype):
        if self.rtol is not None or self.atol is not None:
            return (self.rtol or 0.0, self.atol or 0.0)
        return {"float16": (1e-2, 1e-2), "float32": (1e-5, 1e-6),
                "complex64": (1e-5, 1e-6)}.get(dtype, (1e-7, 1e-10))


def random_array(shape, dtype, rng, domain=(-2.0, 2.0)):
    dt = np.dtype(dtype)
    lo, hi = domain
    if dt.kind == "f":
        return rng.uniform(lo, hi, size=shape).astype(dt)
    if dt.kind == "c":
        return (rng.uniform(lo, hi, size=shape) + 1j * rng.uniform(lo, hi, size=shape)).astype(dt)
    if dt.kind == "b":
        return rng.random(size=shape) < 0.5
    if dt.kind == "u":
        return rng.integers(0, max(int(hi) + 3, 2), size=shape).astype(dt)
    return rng.integers(int(lo) - 3, int(hi) + 3, size=shape).astype(dt)
