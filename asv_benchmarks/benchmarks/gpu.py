"""GPU workloads (skipped without a GPU): float32 matmul 4096^2, add of
2^26 float32, a tiny op's dispatch and launch, and the seed's MNIST CNN
Adam step at batch 50. Every timed call ends with a synchronisation, so
the time is the GPU's as well as the host's.

    python asv_benchmarks/benchmarks/gpu.py      # eager against PyTorch on this GPU

runs each library in its own process and prints the ratios the GPU issue
asks for (matmul and add throughput, tiny-op and MNIST-step time).
"""
import json
import subprocess
import sys
import time

import numpy as np

try:
    from . import eager_or_skip
except ImportError:              # run as a script
    def eager_or_skip():
        import eager
        return eager

LOOP = 1000


def _gpu_eager():
    tf = eager_or_skip()
    if tf.num_gpus() == 0:
        raise NotImplementedError("no GPU (or no PyCUDA)")
    from eager.backends import cuda
    return tf, cuda.synchronize


class MatmulGPU:
    timeout = 120

    def setup(self):
        tf, self.sync = _gpu_eager()
        rng = np.random.RandomState(0)
        with tf.device("/gpu:0"):
            self.x = tf.constant(rng.standard_normal((4096, 4096)).astype(np.float32))
            self.y = tf.constant(rng.standard_normal((4096, 4096)).astype(np.float32))
        self.tf = tf
        tf.matmul(self.x, self.y)
        self.sync()

    def time_matmul_4096_f32(self):
        self.tf.matmul(self.x, self.y)
        self.sync()


class AddGPU:
    timeout = 120

    def setup(self):
        tf, self.sync = _gpu_eager()
        n = 1 << 26
        with tf.device("/gpu:0"):
            self.a = tf.ones([n], tf.float32)
            self.b = tf.ones([n], tf.float32)
        self.tf = tf
        self.sync()

    def time_add_2p26_f32(self):
        self.tf.add(self.a, self.b)
        self.sync()


class TinyOpGPU:
    """LOOP adds of one element (time shown in µs = ns per op)."""

    def setup(self):
        tf, self.sync = _gpu_eager()
        with tf.device("/gpu:0"):
            self.a = tf.constant(np.ones(1, np.float32))
            self.b = tf.constant(np.ones(1, np.float32))
        self.tf = tf
        self.sync()

    def time_tiny_add(self):
        add, a, b = self.tf.add, self.a, self.b
        for _ in range(LOOP):
            add(a, b)
        self.sync()


class MNISTStepGPU:
    timeout = 300

    def setup(self):
        tf, self.sync = _gpu_eager()
        self.step = _eager_mnist_step(tf)
        self.step()
        self.sync()

    def time_mnist_adam_step_b50(self):
        self.step()
        self.sync()


def _eager_mnist_step(tf):
    import eager.train  # noqa: F401
    from eager import tfe
    from eager.examples.mnist import MNISTModel, loss
    rng = np.random.RandomState(0)
    x = rng.random_sample((50, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 50)]
    with tf.device("/gpu:0"):
        model = MNISTModel("channels_first")
        xs, ys = tf.constant(x), tf.constant(y)
    opt = tf.train.AdamOptimizer(learning_rate=1e-4)
    grad = tfe.implicit_gradients(loss)

    def step():
        with tf.device("/gpu:0"):
            opt.apply_gradients(grad(model, xs, ys))
    return step


# ---- eager against PyTorch, each in its own process -------------------------------------
def _best(fn, reps=5, inner=1):
    fn()
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def _worker_eager():
    b = {}
    m = MatmulGPU(); m.setup(); b["matmul"] = _best(m.time_matmul_4096_f32, 10)
    a = AddGPU(); a.setup(); b["add"] = _best(a.time_add_2p26_f32, 20)
    t = TinyOpGPU(); t.setup(); b["tiny"] = _best(t.time_tiny_add, 5) / LOOP
    s = MNISTStepGPU(); s.setup(); b["mnist"] = _best(s.time_mnist_adam_step_b50, 5, 20)
    return b


def _worker_torch():
    import torch
    import torch.nn as nn
    dev = torch.device("cuda:0")
    sync = torch.cuda.synchronize
    b = {}
    x = torch.randn(4096, 4096, device=dev)
    y = torch.randn(4096, 4096, device=dev)
    b["matmul"] = _best(lambda: (torch.matmul(x, y), sync()), 10)
    p = torch.ones(1 << 26, device=dev)
    q = torch.ones(1 << 26, device=dev)
    b["add"] = _best(lambda: (torch.add(p, q), sync()), 20)
    s1 = torch.ones(1, device=dev)
    s2 = torch.ones(1, device=dev)

    def tiny():
        for _ in range(LOOP):
            torch.add(s1, s2)
        sync()
    b["tiny"] = _best(tiny, 5) / LOOP
    model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
                          nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.ReLU(),
                          nn.Linear(1024, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    rng = np.random.RandomState(0)
    xb = torch.from_numpy(rng.random_sample((50, 1, 28, 28)).astype(np.float32)).to(dev)
    yb = torch.from_numpy(rng.randint(0, 10, 50)).to(dev)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
        sync()
    b["mnist"] = _best(step, 5, 20)
    return b


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        r = _worker_eager() if sys.argv[2] == "eager" else _worker_torch()
        print(json.dumps(r))
        return
    res = {}
    for lib in ("eager", "torch"):
        p = subprocess.run([sys.executable, __file__, "--worker", lib], capture_output=True,
                           text=True)
        if p.returncode:
            print("%s worker failed:\n%s" % (lib, p.stderr[-3000:]))
            continue
        res[lib] = json.loads(p.stdout.strip().splitlines()[-1])
    if len(res) < 2:
        print(json.dumps(res, indent=1))
        return
    e, t = res["eager"], res["torch"]
    print("matmul 4096^2 f32: eager %.2f ms, torch %.2f ms, throughput ratio %.2f (target >= 0.9)"
          % (e["matmul"] * 1e3, t["matmul"] * 1e3, t["matmul"] / e["matmul"]))
    print("add 2^26 f32:      eager %.3f ms, torch %.3f ms, bandwidth ratio %.2f (target >= 0.85)"
          % (e["add"] * 1e3, t["add"] * 1e3, t["add"] / e["add"]))
    print("tiny add:          eager %.2f us, torch %.2f us, time ratio %.2f (target <= 1.0)"
          % (e["tiny"] * 1e6, t["tiny"] * 1e6, e["tiny"] / t["tiny"]))
    print("MNIST Adam step:   eager %.2f ms, torch %.2f ms, time ratio %.2f (target <= 1.5)"
          % (e["mnist"] * 1e3, t["mnist"] * 1e3, e["mnist"] / t["mnist"]))


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/asv_benchmarks/", 1)[0])
    main()
