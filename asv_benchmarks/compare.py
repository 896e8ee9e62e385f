"""eager against NumPy, PyTorch, TensorFlow and JAX on the same workloads,
each library timed in its own process, printed as one table of ratios.

    python compare.py                  # all workloads, every installed library
    python compare.py --quick          # fewer repeats, shorter runs
    python compare.py --only add_1_f32,linreg_200 --json out.json
    python compare.py --worker torch   # one library's timings, as JSON

The ratio printed is eager time / peer time: lower is better for eager
(0.50x: eager takes half the peer's time). Each library, and each workload,
runs in a fresh subprocess so that imports, allocations and thread pools do
not interfere, with the same BLAS/OpenMP thread count set in its
environment before it starts.
"""
import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LIBS = ("eager", "numpy", "torch", "tensorflow", "jax")

SEED = 0
LINREG_EXAMPLES = 1000
LINREG_STEPS = 200
LEARNING_RATE = 0.01
TAPE_OPS = 100

# name -> description, in table order.
WORKLOADS = [
    ("add_1_f32", "a + b, (1,) float32"),
    ("tf_add_1_f32", "tf.add(a, b), (1,) float32"),
    ("add_scalar_1_f32", "a + 1.0, (1,) float32"),
    ("matmul_2x2_i32", "matmul 2x2 int32"),
    ("matmul_1000_f32", "matmul 1000x1000 float32"),
    ("add_10M_f32", "a + b, 10M float32"),
    ("reduce_sum_1M_f32", "reduce_sum 1M float32"),
    ("convert_list_1000", "convert_to_tensor(1000 floats list)"),
    ("constant_np_1000_f32", "constant(NumPy 1000 float32)"),
    ("grad_square", "grad of x*x at 3.0"),
    ("linreg_200", "linreg 200 steps, 1000 pts"),
    ("tape_none_mul100", "100 x (1,) mul, no tape"),
    ("tape_record_mul100", "100 x (1,) mul, tape recording"),
]

# name -> (reference, highest allowed ratio). The reference is a peer
# library (ratio = eager / that library) or "eager:<workload>" (ratio =
# eager on this workload / eager on that one).
TARGETS = {
    "add_1_f32": ("numpy", 1.0),
    "matmul_2x2_i32": ("numpy", 1.0),
    "matmul_1000_f32": ("numpy", 1.05),
    "add_10M_f32": ("numpy", 1.05),
    "grad_square": ("torch", 0.2),
    "linreg_200": ("torch", 0.5),
    "tape_record_mul100": ("eager:tape_none_mul100", 2.0),
}

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "TF_NUM_INTRAOP_THREADS")


def f32(n, seed=SEED):
    return np.random.RandomState(seed).standard_normal(n).astype(np.float32)


def linreg_data():
    """The seed README's data set: points around 3 * x + 2 (same numbers as
    benchmarks/__init__.py)."""
    rng = np.random.RandomState(SEED)
    inputs = rng.standard_normal(LINREG_EXAMPLES).astype(np.float32)
    noise = rng.standard_normal(LINREG_EXAMPLES).astype(np.float32)
    outputs = (inputs * np.float32(3) + np.float32(2) + noise).astype(np.float32)
    return inputs, outputs


def common_inputs():
    """The NumPy values every library starts from."""
    return {
        "a1": np.array([1.5], np.float32), "b1": np.array([2.5], np.float32),
        "m2": np.array([[1, 2], [3, 4]], np.int32), "n2": np.array([[4, 5], [6, 7]], np.int32),
        "x1000": f32(1000 * 1000).reshape(1000, 1000),
        "y1000": f32(1000 * 1000, seed=1).reshape(1000, 1000),
        "a10M": f32(10 ** 7), "b10M": f32(10 ** 7, seed=1),
        "v1M": f32(10 ** 6),
        "list1000": [float(v) for v in f32(1000)],
        "np1000": f32(1000),
    }


# ---------------------------------------------------------------------------
# Workloads per library. Each builder returns (stmt, namespace[, check]):
# `stmt` is timed inline by timeit (no extra Python call around tiny ops);
# `check`, when given, is an expression that must be true before timing, so
# a wrong answer is reported instead of timed.

def eager_workloads():
    # This checkout's in-place build when there is one, else the installed eager.
    inplace = glob.glob(os.path.join(REPO, "eager", "_ext", "tensor*.so")) + \
        glob.glob(os.path.join(REPO, "eager", "_ext", "tensor*.pyd"))
    if inplace:
        sys.path.insert(0, REPO)
    import eager as tf
    d = common_inputs()

    def tensors(**names):
        return {k: tf.constant(d[v]) for k, v in names.items()}

    def tfe():
        from eager import tfe as _tfe
        return _tfe

    def grad_square():
        df = tfe().gradients_function(lambda x: x * x)
        return "df(3.0)", {"df": df}, "float(df(3.0)[0].numpy()) == 6.0"

    def linreg():
        inputs, outputs = linreg_data()
        training_inputs = tf.constant(inputs)
        training_outputs = tf.constant(outputs)

        def prediction(input, weight, bias):
            return input * weight + bias

        def loss(weight, bias):
            error = prediction(training_inputs, weight, bias) - training_outputs
            return tf.reduce_mean(tf.square(error))

        grad = tfe().gradients_function(loss)

        def run():
            W = 5.
            B = 10.
            for i in range(LINREG_STEPS):
                (dW, dB) = grad(W, B)
                W -= dW * LEARNING_RATE
                B -= dB * LEARNING_RATE
            return W, B
        return "run()", {"run": run}, "converged(run())"

    def tape(record):
        x = tf.constant(d["a1"])
        block = range(TAPE_OPS)
        Tape = getattr(tf, "GradientTape", None) or tfe().GradientTape

        def plain():
            for _ in block:
                x * x

        def recorded():
            with Tape() as t:
                t.watch(x)
                for _ in block:
                    x * x
        return "run()", {"run": recorded if record else plain}

    return {
        "add_1_f32": lambda: ("a + b", tensors(a="a1", b="b1")),
        "tf_add_1_f32": lambda: ("add(a, b)", dict(tensors(a="a1", b="b1"), add=tf.add)),
        "add_scalar_1_f32": lambda: ("a + 1.0", tensors(a="a1")),
        "matmul_2x2_i32": lambda: ("matmul(a, b)", dict(tensors(a="m2", b="n2"), matmul=tf.matmul)),
        "matmul_1000_f32": lambda: ("matmul(a, b)", dict(tensors(a="x1000", b="y1000"), matmul=tf.matmul)),
        "add_10M_f32": lambda: ("a + b", tensors(a="a10M", b="b10M")),
        "reduce_sum_1M_f32": lambda: ("reduce_sum(a)", dict(tensors(a="v1M"), reduce_sum=tf.reduce_sum)),
        "convert_list_1000": lambda: ("convert(v)", {"convert": tf.convert_to_tensor, "v": d["list1000"]}),
        "constant_np_1000_f32": lambda: ("constant(v)", {"constant": tf.constant, "v": d["np1000"]}),
        "grad_square": grad_square,
        "linreg_200": linreg,
        "tape_none_mul100": lambda: tape(False),
        "tape_record_mul100": lambda: tape(True),
    }, tf.__version__, tf.__file__


def numpy_workloads():
    d = common_inputs()

    def ns(**names):
        return {k: d[v] for k, v in names.items()}

    return {
        "add_1_f32": lambda: ("a + b", ns(a="a1", b="b1")),
        "tf_add_1_f32": lambda: ("add(a, b)", dict(ns(a="a1", b="b1"), add=np.add)),
        "add_scalar_1_f32": lambda: ("a + 1.0", ns(a="a1")),
        "matmul_2x2_i32": lambda: ("a @ b", ns(a="m2", b="n2")),
        "matmul_1000_f32": lambda: ("a @ b", ns(a="x1000", b="y1000")),
        "add_10M_f32": lambda: ("a + b", ns(a="a10M", b="b10M")),
        "reduce_sum_1M_f32": lambda: ("a.sum()", ns(a="v1M")),
        "convert_list_1000": lambda: ("array(v, dtype=float32)",
                                      {"array": np.array, "float32": np.float32, "v": d["list1000"]}),
        "constant_np_1000_f32": lambda: ("array(v)", {"array": np.array, "v": d["np1000"]}),
    }, np.__version__, np.__file__


def torch_workloads(threads):
    import torch
    torch.set_num_threads(threads)
    d = common_inputs()

    def ns(**names):
        return {k: torch.from_numpy(np.ascontiguousarray(d[v])) for k, v in names.items()}

    def grad_square():
        tensor, grad = torch.tensor, torch.autograd.grad

        def run():
            x = tensor(3.0, requires_grad=True)
            return grad(x * x, x)
        return "run()", {"run": run}, "float(run()[0]) == 6.0"

    def linreg():
        inputs, outputs = linreg_data()
        x, y = torch.from_numpy(inputs), torch.from_numpy(outputs)

        def run():
            W = torch.tensor(5.0, requires_grad=True)
            B = torch.tensor(10.0, requires_grad=True)
            for i in range(LINREG_STEPS):
                error = x * W + B - y
                loss = torch.mean(torch.square(error))
                dW, dB = torch.autograd.grad(loss, (W, B))
                with torch.no_grad():
                    W -= dW * LEARNING_RATE
                    B -= dB * LEARNING_RATE
            return W.detach(), B.detach()
        return "run()", {"run": run}, "converged(run())"

    def tape(record):
        x = torch.tensor([1.5], requires_grad=record)
        block = range(TAPE_OPS)

        def run():
            for _ in block:
                x * x
        return "run()", {"run": run}

    return {
        "add_1_f32": lambda: ("a + b", ns(a="a1", b="b1")),
        "tf_add_1_f32": lambda: ("add(a, b)", dict(ns(a="a1", b="b1"), add=torch.add)),
        "add_scalar_1_f32": lambda: ("a + 1.0", ns(a="a1")),
        "matmul_2x2_i32": lambda: ("matmul(a, b)", dict(ns(a="m2", b="n2"), matmul=torch.matmul)),
        "matmul_1000_f32": lambda: ("matmul(a, b)", dict(ns(a="x1000", b="y1000"), matmul=torch.matmul)),
        "add_10M_f32": lambda: ("a + b", ns(a="a10M", b="b10M")),
        "reduce_sum_1M_f32": lambda: ("a.sum()", ns(a="v1M")),
        "convert_list_1000": lambda: ("tensor(v)", {"tensor": torch.tensor, "v": d["list1000"]}),
        "constant_np_1000_f32": lambda: ("tensor(v)", {"tensor": torch.tensor, "v": d["np1000"]}),
        "grad_square": grad_square,
        "linreg_200": linreg,
        "tape_none_mul100": lambda: tape(False),
        "tape_record_mul100": lambda: tape(True),
    }, torch.__version__, torch.__file__


def tensorflow_workloads(threads):
    import tensorflow as tf
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError:
        pass
    d = common_inputs()

    def ns(**names):
        return {k: tf.constant(d[v]) for k, v in names.items()}

    def grad_square():
        def run():
            with tf.GradientTape() as t:
                x = tf.constant(3.0)
                t.watch(x)
                y = x * x
            return t.gradient(y, x)
        return "run()", {"run": run}, "float(run()) == 6.0"

    def linreg():
        inputs, outputs = linreg_data()
        x, y = tf.constant(inputs), tf.constant(outputs)

        def run():
            W = tf.constant(5.0)
            B = tf.constant(10.0)
            for i in range(LINREG_STEPS):
                with tf.GradientTape() as t:
                    t.watch(W)
                    t.watch(B)
                    loss = tf.reduce_mean(tf.square(x * W + B - y))
                dW, dB = t.gradient(loss, [W, B])
                W -= dW * LEARNING_RATE
                B -= dB * LEARNING_RATE
            return W, B
        return "run()", {"run": run}, "converged(run())"

    def tape(record):
        x = tf.constant(d["a1"])
        block = range(TAPE_OPS)

        def plain():
            for _ in block:
                x * x

        def recorded():
            with tf.GradientTape() as t:
                t.watch(x)
                for _ in block:
                    x * x
        return "run()", {"run": recorded if record else plain}

    return {
        "add_1_f32": lambda: ("a + b", ns(a="a1", b="b1")),
        "tf_add_1_f32": lambda: ("add(a, b)", dict(ns(a="a1", b="b1"), add=tf.add)),
        "add_scalar_1_f32": lambda: ("a + 1.0", ns(a="a1")),
        "matmul_2x2_i32": lambda: ("matmul(a, b)", dict(ns(a="m2", b="n2"), matmul=tf.matmul)),
        "matmul_1000_f32": lambda: ("matmul(a, b)", dict(ns(a="x1000", b="y1000"), matmul=tf.matmul)),
        "add_10M_f32": lambda: ("a + b", ns(a="a10M", b="b10M")),
        "reduce_sum_1M_f32": lambda: ("reduce_sum(a)", dict(ns(a="v1M"), reduce_sum=tf.reduce_sum)),
        "convert_list_1000": lambda: ("convert(v)", {"convert": tf.convert_to_tensor, "v": d["list1000"]}),
        "constant_np_1000_f32": lambda: ("constant(v)", {"constant": tf.constant, "v": d["np1000"]}),
        "grad_square": grad_square,
        "linreg_200": linreg,
        "tape_none_mul100": lambda: tape(False),
        "tape_record_mul100": lambda: tape(True),
    }, tf.__version__, tf.__file__


def jax_workloads(threads):
    # Op by op, not jitted: the same execution model as eager. JAX
    # dispatches asynchronously, so every statement waits for its result.
    import jax
    import jax.numpy as jnp
    d = common_inputs()

    def ns(**names):
        return {k: jnp.asarray(d[v]) for k, v in names.items()}

    def grad_square():
        df = jax.grad(lambda x: x * x)
        return "df(3.0).block_until_ready()", {"df": df}, "float(df(3.0)) == 6.0"

    def linreg():
        inputs, outputs = linreg_data()
        x, y = jnp.asarray(inputs), jnp.asarray(outputs)

        def loss(W, B):
            return jnp.mean(jnp.square(x * W + B - y))
        grad = jax.grad(loss, argnums=(0, 1))

        def run():
            W = jnp.float32(5.0)
            B = jnp.float32(10.0)
            for i in range(LINREG_STEPS):
                dW, dB = grad(W, B)
                W = W - dW * LEARNING_RATE
                B = B - dB * LEARNING_RATE
            return W.block_until_ready(), B.block_until_ready()
        return "run()", {"run": run}, "converged(run())"

    def ready(expr):
        return "(%s).block_until_ready()" % expr

    return {
        "add_1_f32": lambda: (ready("a + b"), ns(a="a1", b="b1")),
        "tf_add_1_f32": lambda: (ready("add(a, b)"), dict(ns(a="a1", b="b1"), add=jnp.add)),
        "add_scalar_1_f32": lambda: (ready("a + 1.0"), ns(a="a1")),
        "matmul_2x2_i32": lambda: (ready("a @ b"), ns(a="m2", b="n2")),
        "matmul_1000_f32": lambda: (ready("a @ b"), ns(a="x1000", b="y1000")),
        "add_10M_f32": lambda: (ready("a + b"), ns(a="a10M", b="b10M")),
        "reduce_sum_1M_f32": lambda: (ready("a.sum()"), ns(a="v1M")),
        "convert_list_1000": lambda: (ready("asarray(v)"), {"asarray": jnp.asarray, "v": d["list1000"]}),
        "constant_np_1000_f32": lambda: (ready("asarray(v)"), {"asarray": jnp.asarray, "v": d["np1000"]}),
        "grad_square": grad_square,
        "linreg_200": linreg,
    }, jax.__version__, jax.__file__


def converged(wb):
    """The linear regression found W ~ 3 and B ~ 2."""
    w, b = (float(np.asarray(v)) for v in wb)
    return abs(w - 3.0) < 0.5 and abs(b - 2.0) < 0.5


# ---------------------------------------------------------------------------
# Timing (worker side)

def measure(stmt, namespace, repeats, min_time):
    """timeit-style: find a loop count whose run takes >= min_time, then time
    that many loops `repeats` times; seconds per call (median and best)."""
    timer = timeit.Timer(stmt, globals=namespace)
    timer.timeit(1)   # warm-up: first-call caches, lazy imports, page faults
    number = 1
    while True:
        for n in (1, 2, 5):
            loops = number * n
            if timer.timeit(loops) >= min_time:
                break
        else:
            number *= 10
            continue
        break
    times = [timer.timeit(loops) / loops for _ in range(repeats)]
    return {"median": statistics.median(times), "best": min(times),
            "number": loops, "repeats": repeats}


def run_worker(lib, names, quick, threads):
    """Time `names` on `lib` in this process; a JSON-able dict."""
    out = {"lib": lib, "available": True, "results": {}}
    try:
        if lib == "eager":
            table, version, path = eager_workloads()
        elif lib == "numpy":
            table, version, path = numpy_workloads()
        elif lib == "torch":
            table, version, path = torch_workloads(threads)
        elif lib == "tensorflow":
            table, version, path = tensorflow_workloads(threads)
        elif lib == "jax":
            table, version, path = jax_workloads(threads)
        else:
            raise ValueError("unknown library %r" % lib)
    except ModuleNotFoundError as e:
        if e.name == lib:
            return dict(out, available=False, reason="not installed (%s)" % e)
        return dict(out, available=False, reason="import failed: %s: %s" % (type(e).__name__, e))
    except Exception as e:
        return dict(out, available=False, reason="import failed: %s: %s" % (type(e).__name__, e))
    out.update(version=version, path=os.path.dirname(path))
    repeats, min_time = (3, 0.05) if quick else (7, 0.2)
    for name in names:
        if name not in table:
            continue
        try:
            built = table[name]()
            stmt, namespace = built[0], dict(built[1], converged=converged)
            if len(built) > 2 and not eval(built[2], namespace):
                raise AssertionError("wrong result: %s is false" % built[2])
            out["results"][name] = measure(stmt, namespace, repeats, min_time)
        except Exception as e:
            out["results"][name] = {"error": "%s: %s" % (type(e).__name__, str(e)[:200])}
    return out


# ---------------------------------------------------------------------------
# The table (parent side)

def fmt_time(t):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if t >= scale:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % (t / 1e-9)


def time_of(results, lib, name):
    r = results.get(lib, {}).get("results", {}).get(name)
    return r.get("median") if r and "median" in r else None


def cell(results, lib, name, eager_t):
    res = results.get(lib, {})
    if not res.get("available", False):
        reason = res.get("reason", "not run")
        return "not installed" if reason.startswith("not installed") else \
            "import failed" if reason.startswith("import failed") else "unavailable"
    r = res["results"].get(name)
    if r is None:
        return "-"
    if "error" in r:
        return "error"
    t = r["median"]
    if lib == "eager" or eager_t is None:
        return fmt_time(t)
    return "%s (%.2fx)" % (fmt_time(t), eager_t / t)


def target_cells(results, name):
    if name not in TARGETS:
        return "", ""
    ref, limit = TARGETS[name]
    eager_t = time_of(results, "eager", name)
    if ref.startswith("eager:"):
        ref_name = ref.split(":", 1)[1]
        ref_t = time_of(results, "eager", ref_name)
        what = "<= %.2fx eager %s" % (limit, ref_name)
    else:
        ref_t = time_of(results, ref, name)
        what = "<= %.2fx %s" % (limit, ref)
    if eager_t is None or ref_t is None:
        return what, "n/a"
    ratio = eager_t / ref_t
    return what, ("yes" if ratio <= limit else "NO") + " (%.2fx)" % ratio


def print_table(results, names, libs, threads, quick):
    libs = ["eager"] + [l for l in libs if l != "eager"]
    print("eager vs peers: median seconds per call, %s" %
          ("--quick: 3 repeats of >= 0.05 s" if quick else "7 repeats of >= 0.2 s"))
    print("each library in its own process; %s=%d for every worker; CPU only "
          "(CUDA_VISIBLE_DEVICES=''; JAX_PLATFORMS=cpu)" % ("/".join(THREAD_VARS[:3]), threads))
    print("machine: %s, %d cores, Python %s" % (platform.machine(), os.cpu_count() or 0,
                                                  platform.python_version()))
    for lib in libs:
        res = results.get(lib, {})
        if res.get("available"):
            print("  %-10s %s  (%s)" % (lib, res.get("version", "?"), res.get("path", "")))
        else:
            print("  %-10s %s" % (lib, res.get("reason", "not run")))
    print("peer cells: time (eager/peer ratio: lower is better for eager; < 1.00x means eager is faster)")
    print("JAX runs op by op (not jitted), blocking on each result; numpy has no autodiff rows")
    print()
    header = ["workload"] + libs + ["target (eager/ref)", "met"]
    rows = []
    for name in names:
        eager_t = time_of(results, "eager", name)
        row = [name] + [cell(results, lib, name, eager_t) for lib in libs]
        row += list(target_cells(results, name))
        rows.append(row)
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print("  ".join("%-*s" % (w, h) for w, h in zip(widths, header)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join("%-*s" % (w, c) for w, c in zip(widths, r)).rstrip())
    errors = [(lib, n, r["error"]) for lib in libs
              for n, r in results.get(lib, {}).get("results", {}).items() if "error" in r]
    if errors:
        print("\nerrors:")
        for lib, n, e in errors:
            print("  %s %s: %s" % (lib, n, e))
    desc = dict(WORKLOADS)
    print("\nworkloads:")
    for name in names:
        print("  %-22s %s" % (name, desc[name]))


def worker_env(threads):
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONHASHSEED="0")
    return env


def _run_one(lib, names, args):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", lib,
           "--only", ",".join(names), "--threads", str(args.threads)]
    if args.quick:
        cmd.append("--quick")
    try:
        proc = subprocess.run(cmd, env=worker_env(args.threads), capture_output=True,
                              text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"lib": lib, "available": False,
                "reason": "worker timed out after %d s" % args.timeout}
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if lines:
        return json.loads(lines[-1])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"lib": lib, "available": False,
            "reason": "worker failed (rc %d): %s" % (proc.returncode, tail[0])}


def run_parent(args, names):
    """Each (library, workload) pair runs in a fresh process, so neither
    another library nor an earlier workload's allocations, caches or spinning
    BLAS threads can skew a timing."""
    libs = [l.strip() for l in args.libs.split(",") if l.strip()]
    results = {}
    for lib in libs:
        start = time.time()
        sys.stderr.write("timing %s ... " % lib)
        sys.stderr.flush()
        first = _run_one(lib, names[:1], args)
        results[lib] = first
        if first.get("available", False):
            for name in names[1:]:
                r = _run_one(lib, [name], args)
                if r.get("available", False):
                    first["results"].update(r["results"])
                else:
                    first["results"][name] = {"error": r.get("reason", "worker failed")}
        sys.stderr.write("%.1f s\n" % (time.time() - start))
    print_table(results, names, libs, args.threads, args.quick)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "quick": args.quick, "workloads": names,
                       "targets": TARGETS, "results": results}, f, indent=1)
    return results


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="3 repeats of >= 0.05 s instead of 7 of >= 0.2 s")
    p.add_argument("--only", default="", help="comma-separated workload names (see --list)")
    p.add_argument("--json", default="", help="also write all timings to this file")
    p.add_argument("--libs", default=",".join(LIBS), help="comma-separated libraries (default: %(default)s)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="BLAS/OpenMP threads for every library (default: all cores, %(default)s)")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per library worker")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--worker", metavar="LIB", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    known = [n for n, _ in WORKLOADS]
    if args.list:
        for n, d in WORKLOADS:
            print("%-22s %s%s" % (n, d, "   target: <= %.2fx %s" % TARGETS[n][::-1] if n in TARGETS else ""))
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or known
    unknown = [n for n in names if n not in known]
    if unknown:
        p.error("unknown workload(s) %s; known: %s" % (", ".join(unknown), ", ".join(known)))
    # A target against another workload needs that one timed too.
    for n in list(names):
        ref = TARGETS.get(n, ("",))[0]
        if ref.startswith("eager:") and ref[6:] not in names:
            names.insert(names.index(n), ref[6:])
    if args.worker:
        print(json.dumps(run_worker(args.worker, names, args.quick, args.threads)))
        return 0
    run_parent(args, names)
    return 0


# ---------------------------------------------------------------------------
# Input pipelines (issue 5): one epoch of the MNIST-shaped pipeline. tf.data
# did 5,941 batches/s here (1,200 batches: 202 ms); the target is 2x that.
DATA_EXAMPLES, DATA_FEATURES, DATA_BATCH, DATA_BUFFER = 60000, 784, 50, 10000
WORKLOADS.append(("data_pipeline", "epoch of slices(60000x784 f32, int64).shuffle(10000)"
                  ".batch(50).prefetch(1): 1200 batches; tf.data here: 5,941 batches/s"))
TARGETS["data_pipeline"] = ("tensorflow", 0.5)


def _data_pipeline(data):
    """A builder of the data_pipeline workload on a tf.data-like module."""
    def build():
        rng = np.random.RandomState(SEED)
        images = rng.random_sample((DATA_EXAMPLES, DATA_FEATURES)).astype(np.float32)
        labels = rng.randint(0, 10, DATA_EXAMPLES).astype(np.int64)
        ds = data.Dataset.from_tensor_slices((images, labels)).shuffle(DATA_BUFFER) \
            .batch(DATA_BATCH).prefetch(1)

        def run():
            n = 0
            for _ in ds:
                n += 1
            return n
        return "run()", {"run": run}, "run() == %d" % (-(-DATA_EXAMPLES // DATA_BATCH))
    return build


def _with_data_pipeline(workloads, data_module):
    def wrapped(*args):
        table, version, path = workloads(*args)
        try:
            table["data_pipeline"] = _data_pipeline(data_module())
        except Exception as e:  # reported in this row only, not for the whole library
            def failed(error=e):
                raise error
            table["data_pipeline"] = failed
        return table, version, path
    return wrapped


def _eager_data():
    import eager.data
    return eager.data


def _tf_data():
    import tensorflow as tf
    return tf.data


eager_workloads = _with_data_pipeline(eager_workloads, _eager_data)
tensorflow_workloads = _with_data_pipeline(tensorflow_workloads, _tf_data)


if __name__ == "__main__":
    sys.exit(main())
