"""The registry is complete: every op has a CPU kernel, a gradient or an
explicit differentiable=False, a documented public function, and a row in
the op table."""
import eager  # noqa: F401  (loads every op family)
from eager.ops._registry import REGISTRY
from tests.ops.test_op_table import ENTRIES


def test_every_op_has_a_cpu_kernel_and_gradient_decision():
    for name, op in REGISTRY.items():
        assert callable(op.cpu_kernel), name
        assert (op.grad is not None) == op.differentiable, name


def test_every_op_has_a_documented_public_function():
    for name, op in REGISTRY.items():
        if op.info.get("internal"):
            continue
        fn = op.info.get("api")
        assert fn is not None, "op %s has no public function" % name
        assert fn.__doc__ and fn.__doc__.strip(), "op %s: public function has no docstring" % name


def test_every_op_has_a_table_row():
    covered = {row.op for row in ENTRIES}
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, "ops without an OpTest row: %s" % missing
