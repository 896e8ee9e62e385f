"""asv benchmarks for eager, one module per area (core ops, autodiff).

Helpers shared by the modules live here. A benchmark whose `setup` raises
NotImplementedError is reported by asv as skipped: that is how a benchmark
for a part of eager that does not exist yet (or does not import) stays out
of the results without breaking the import of its module.
"""
import numpy as np

SEED = 0
# Sub-microsecond ops run this many times per timed call: asv times a single
# call per sample for any class with a setup (its clock reads cost ~200 ns),
# so a tiny op is looped and the time shown is LOOP times the time per op.
LOOP = 1000
LINREG_EXAMPLES = 1000
LINREG_STEPS = 200
LINREG_LEARNING_RATE = 0.01


def eager_or_skip():
    """`import eager`, or NotImplementedError (asv: skipped) when it fails."""
    try:
        import eager
    except Exception as e:  # the package may be mid-edit or not built
        raise NotImplementedError("eager does not import: %s: %s"
                                  % (type(e).__name__, e))
    return eager


def tfe_or_skip():
    """`from eager import tfe`, or NotImplementedError when it is missing."""
    eager_or_skip()
    try:
        from eager import tfe
    except Exception as e:
        raise NotImplementedError("eager.tfe does not import: %s: %s"
                                  % (type(e).__name__, e))
    return tfe


def need(module, *names):
    """Each of `names` (dotted, e.g. "linalg.matmul") must be an attribute of
    `module`; otherwise NotImplementedError naming the first missing one."""
    for name in names:
        obj = module
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                raise NotImplementedError("%s.%s is not implemented yet"
                                          % (module.__name__, name))
    return module


def float32_array(n, seed=SEED):
    """n standard-normal float32 values, the same on every run."""
    return np.random.RandomState(seed).standard_normal(n).astype(np.float32)


def linreg_data(n=LINREG_EXAMPLES):
    """The seed README's toy data set: points around 3 * x + 2, as NumPy
    float32 arrays (the same numbers in asv and in compare.py)."""
    rng = np.random.RandomState(SEED)
    inputs = rng.standard_normal(n).astype(np.float32)
    noise = rng.standard_normal(n).astype(np.float32)
    outputs = (inputs * np.float32(3) + np.float32(2) + noise).astype(np.float32)
    return inputs, outputs
