"""Every test here needs a GPU (and PyCUDA): without one they are skipped."""
import pytest


def pytest_collection_modifyitems(config, items):
    import eager
    if eager.num_gpus():
        return
    import eager.backends.cuda as cuda
    skip = pytest.mark.skip(reason="no GPU: %s" % (cuda.unavailable_reason(),))
    for item in items:
        if "tests/gpu/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(skip)
