"""Checkpoints across processes: a save killed (SIGKILL) at its most
delicate moment leaves the last good checkpoint loadable, and training
resumed in a new process follows the uninterrupted trajectory."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import eager as tf
from eager import train

from tests.checkpoint.helpers import MLP, X, tf1_step, values

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_KILLED_SAVE = r"""
import os, sys, time
import numpy as np
from eager import train
from eager.variables import Variable
from eager.train import _checkpoint_format as fmt
directory, mode = sys.argv[1], sys.argv[2]
v = Variable(np.zeros(50000, np.float32))
ckpt = train.Checkpoint(v=v)
prefix = os.path.join(directory, "ckpt")
save = ckpt.save if mode == "save" else ckpt.write
save(prefix)
v.assign(np.ones(50000, np.float32))

def hang(tmp, final):
    if final.endswith(".index"):          # the new data is on disk, the index not yet
        open(os.path.join(directory, "READY"), "w").close()
        time.sleep(120)

fmt._before_replace = hang
save(prefix)
"""

_RESUME = r"""
import json, sys
import numpy as np
import eager as tf
from eager import train
from tests.checkpoint.helpers import MLP, tf1_step, values
directory, m = sys.argv[1], int(sys.argv[2])
model, opt, step = MLP(), train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
status = train.Checkpoint(model=model, optimizer=opt, step=step).restore(
    train.latest_checkpoint(directory))
losses = [tf1_step(model, opt, step) for _ in range(m)]
status.assert_consumed()
print(json.dumps({"losses": losses, "step": int(step.numpy()),
                  "values": [v.tolist() for v in values(model.variables)]}))
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.parametrize("mode", ["save", "write"])
def test_killed_save_leaves_the_last_good_checkpoint(tmp_path, mode):
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE, str(tmp_path), mode],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not (tmp_path / "READY").exists():
            if proc.poll() is not None:
                pytest.fail("the saving process ended early: %s" % proc.stderr.read().decode())
            if time.time() > deadline:
                pytest.fail("the saving process never reached its second save")
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    prefix = str(tmp_path / ("ckpt-1" if mode == "save" else "ckpt"))
    if mode == "save":
        assert train.latest_checkpoint(str(tmp_path)) == prefix
        assert not (tmp_path / "ckpt-2.index").exists()
    target = tf.Variable(np.full(50000, 7.0, np.float32))
    train.Checkpoint(v=target).restore(prefix).assert_consumed()
    np.testing.assert_array_equal(target.numpy(), np.zeros(50000))


def test_resume_in_a_new_process_follows_the_same_trajectory(tmp_path):
    n, m = 2, 3
    ref = MLP()
    ref(X)
    start = ref.get_weights()
    ref_opt, ref_step = train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
    ref_losses = [tf1_step(ref, ref_opt, ref_step) for _ in range(n + m)]

    a = MLP()
    a(X)
    a.set_weights(start)
    a_opt, a_step = train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
    losses = [tf1_step(a, a_opt, a_step) for _ in range(n)]
    manager = train.CheckpointManager(train.Checkpoint(model=a, optimizer=a_opt, step=a_step),
                                      str(tmp_path), max_to_keep=1)
    manager.save()
    out = subprocess.run([sys.executable, "-c", _RESUME, str(tmp_path), str(m)], cwd=ROOT,
                         env=_env(), capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert losses + result["losses"] == ref_losses
    assert result["step"] == n + m
    for want, got in zip(values(ref.variables), result["values"]):
        np.testing.assert_array_equal(want, np.asarray(got, dtype=want.dtype))
