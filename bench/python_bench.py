#!/usr/bin/env python3
"""tandem from Python beside numpy, joblib and multiprocessing, as a notebook user sees them:
the notebooks' jobs at their sizes, each tool called from Python on numpy's own arrays, timed
like %timeit (the best of several loops of calls, each loop long enough for the clock). Writes JSON that
bench/report.py renders (`--python FILE`): rows (job, size, tool, seconds, check), ratios
(tandem's time against each other tool's) and the targets.

    python bench/python_bench.py --out build/report/python.json [--quick]

Needs the tandem package (`pip install .`), numpy and joblib.

Targets: a tandem.mse call on 16 float64 costs no more than numpy's np.square(x).mean(); the
MSE of 1e7 float64 runs at least 0.9x as fast as numpy's np.dot(e, e) / n. Both read the same
80 MB once, and BLAS's dot already reads it at the machine's memory limit, so no MSE can beat it
by much: the target is to be within 10% of it (and np.square(e).mean(), which also writes the
squares, is the slower numpy a notebook runs).
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import json
import multiprocessing as mp
import os
import platform
import sys
import time

import numpy as np

try:
    import tandem
except ImportError:
    sys.exit("bench/python_bench.py needs the tandem package: pip install . (at the repository root)")
try:
    from joblib import Parallel, delayed
except ImportError:
    Parallel = None

JOBS = 2  # pool size of joblib and multiprocessing (the machine's cores; see notebooks.py)


def best_time(fn, budget=1.5, repeats=30):
    """(seconds per call, the first call's value): the best of up to `repeats` loops of a
    number of calls that takes >= 5 ms, stopping once `budget` seconds are spent. It starts
    after a pause: thread pools of the previous tool (numpy's OpenBLAS, OpenMP) spin for a
    while after their last call and would otherwise take the cores from this one."""
    time.sleep(0.25)
    t0 = time.perf_counter()
    value = fn()
    first = time.perf_counter() - t0
    number = max(1, int(0.005 / max(first, 1e-9)))
    best, spent = first, first
    for _ in range(repeats):
        if spent > budget:
            break
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        spent += dt
        best = min(best, dt / number)
    return best, value


# The notebooks' functions (module level, so multiprocessing can pickle them).
def f2k(k):
    return 2 * k


def f_map(data):
    return sum([x ** 2 for x in data]), len(data)


def f_reduce(data):
    sums, counts = np.array(data).T
    return sums.sum() / counts.sum()


def poly(x, a, b, c, d):
    return a * x ** 3 + b * x ** 2 + c * x + d


def parallel_dot(A, B, n_jobs=JOBS):
    tasks = (delayed(np.dot)(block, B) for block in np.array_split(A, n_jobs))
    return np.vstack(Parallel(n_jobs=n_jobs)(tasks))


def tool_name(backend):
    """'tandem' for automatic (what a call without backend= does), else 'tandem <backend>'."""
    return "tandem" if backend == "automatic" else f"tandem {backend}"


# What each tool runs, per job (the JSON's "tools" and the report's notes).
EXPRESSIONS = {
    "map 2k": "python: [f(i) for i in range(BIG)]; joblib: Parallel(n_jobs=2)(delayed(f)(c) for c "
              "in np.split(k, 2)); numpy: 2*k; tandem: tandem.map(k, 'scale', 2) (out=: into a "
              "kept array)",
    "map x*x": "numpy: x*x; tandem: tandem.map(x, 'square')",
    "int matmul": "numpy: np.dot(A, B) on np.random.randint int64 matrices; joblib: the "
                  "notebook's parallel_dot (np.split rows, n_jobs=2); tandem: tandem.matmul(A, B)",
    "int32 matmul": "numpy: A @ B (int32); tandem: tandem.matmul(A, B)",
    "polynomial grid": "python: [poly(x, *row) for row in table]; joblib: Parallel(n_jobs=2)"
                       "(delayed(poly)(x, *row) ...); numpy: broadcasting a*x**3 + b*x**2 + c*x + "
                       "d over the table's columns; tandem: tandem.polynomial_grid(x, axes=[a]*4) "
                       "(table: from the 10^4 x 4 table; out=: into a kept array)",
    "mse": "python: sum([e**2 for e in errors]) / len(errors); multiprocessing: the notebook's "
           "f_reduce(pool.map(f_map, distribute_data(errors, 2))); numpy: np.square(e).mean(); "
           "numpy np.dot: np.dot(e, e) / n; tandem: tandem.mse(e); tandem map_reduce: "
           "tandem.map_reduce(e, 'square', 'sum') / n",
    "mean": "numpy: np.mean(v); tandem: tandem.mean(v)",
    "sort": "numpy: np.sort(v) (a sorted copy); tandem: np.copyto(s, v) then tandem.sort(s); "
            "numpy copyto: the copy alone",
    "word count": "python: collections.Counter(text.split()); tandem: tandem.word_count(text)",
}


class Bench:
    def __init__(self, budget):
        self.rows, self.budget = [], budget

    def run(self, job, size, tool, fn, expected=None, check=None, budget=None):
        seconds, value = best_time(fn, budget or self.budget)
        ok = "ok"
        if expected is not None:
            try:
                (check or (lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-12)))(value,
                                                                                       expected)
            except AssertionError as e:
                ok = "mismatch: " + str(e).strip().splitlines()[-1][:120]
        self.rows.append({"job": job, "size": size, "tool": tool, "seconds": seconds,
                          "check": ok})
        print(f"  {job:16s} {str(size):>10s}  {tool:34s} {seconds * 1e3:10.4f} ms  {ok}",
              flush=True)
        return seconds


def jobs(b, quick, pool):
    rng = np.random.default_rng(1)
    backends = [n for n in tandem.available_backends() if n != "serial"] + ["automatic"]

    # joblib notebook: f(k) = 2k over 2e6 values.
    big = 200_000 if quick else 2_000_000
    k = np.arange(big)
    ref = 2 * k
    b.run("map 2k", big, "python", lambda: [f2k(i) for i in range(big)], budget=0.5)
    if Parallel:
        b.run("map 2k", big, "joblib", lambda: np.concatenate(
            Parallel(n_jobs=JOBS)(delayed(f2k)(c) for c in np.split(k, JOBS))), ref, budget=1)
    b.run("map 2k", big, "numpy", lambda: 2 * k, ref)
    out = np.empty_like(k)
    b.run("map 2k", big, "tandem", lambda: tandem.map(k, "scale", 2), ref)
    b.run("map 2k", big, "tandem out=", lambda: tandem.map(k, "scale", 2, out=out), ref)

    # multiprocessing notebook: f(x) = x * x.
    x = rng.standard_normal(big)
    b.run("map x*x", big, "numpy", lambda: x * x, x * x)
    b.run("map x*x", big, "tandem", lambda: tandem.map(x, "square"), x * x)
    xo = np.empty_like(x)
    b.run("map x*x", big, "tandem out=", lambda: tandem.map(x, "square", out=xo), x * x)

    # joblib notebook: 1000 x 1000 random integer matrices (int64, numpy's default).
    n = 300 if quick else 1000
    A = rng.integers(0, 10, size=(n, n))
    B = rng.integers(0, 10, size=(n, n))
    ref = A @ B
    exact = np.testing.assert_array_equal
    b.run("int matmul", n, "numpy", lambda: np.dot(A, B), ref, exact, budget=0.1)
    if Parallel:
        b.run("int matmul", n, "joblib", lambda: parallel_dot(A, B), ref, exact,
              budget=0.1)
    for be in backends:
        b.run("int matmul", n, tool_name(be), lambda be=be: tandem.matmul(A, B, backend=be),
              ref, exact, budget=0.5)
    A32, B32 = A.astype(np.int32), B.astype(np.int32)
    ref32 = A32 @ B32
    b.run("int32 matmul", n, "numpy", lambda: A32 @ B32, ref32, exact, budget=0.1)
    for be in backends:
        b.run("int32 matmul", n, tool_name(be), lambda be=be: tandem.matmul(A32, B32, backend=be),
              ref32, exact, budget=0.5)

    # joblib notebook's exercise: a cubic for each of 10^4 parameter sets at 50 x.
    axis = np.linspace(0, 1, 10)
    xs = np.linspace(-2, 2, 50)
    table = np.array(list(itertools.product(axis, axis, axis, axis)))
    ref = np.stack([poly(xs, *row) for row in table])
    close = lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)  # noqa: E731
    size = "1e4x50"
    b.run("polynomial grid", size, "python", lambda: np.stack([poly(xs, *r) for r in table]),
          ref, close, budget=0.5)
    if Parallel:
        b.run("polynomial grid", size, "joblib", lambda: np.stack(
            Parallel(n_jobs=JOBS, batch_size=256)(delayed(poly)(xs, *r) for r in table)), ref,
            close, budget=0.5)
    a_, b_, c_, d_ = (table[:, i:i + 1] for i in range(4))
    b.run("polynomial grid", size, "numpy",
          lambda: a_ * xs ** 3 + b_ * xs ** 2 + c_ * xs + d_, ref, close)
    b.run("polynomial grid", size, "tandem",
          lambda: tandem.polynomial_grid(xs, axes=[axis] * 4), ref, close)
    b.run("polynomial grid", size, "tandem table", lambda: tandem.polynomial_grid(table, xs), ref,
          close)
    grid_out = np.empty((len(table), xs.size))
    b.run("polynomial grid", size, "tandem out=",
          lambda: tandem.polynomial_grid(xs, out=grid_out, axes=[axis] * 4), ref, close)

    # multiprocessing notebook: the MSE map-reduce; and the call overhead at 16 values.
    for n in ([16, 10**5, 10**6] if quick else [16, 10**5, 10**6, 10**7]):
        e = rng.standard_normal(n)
        ref = float(np.mean(np.square(e.astype(np.longdouble))))
        rel = lambda a, r: np.testing.assert_allclose(a, r, rtol=1e-9)  # noqa: E731
        if n <= 10**5:
            b.run("mse", n, "python", lambda: sum([v ** 2 for v in e]) / float(len(e)), ref,
                  rel, budget=0.3)
        if pool is not None and 10**5 <= n <= 10**6:
            dist = [e[i::JOBS] for i in range(JOBS)]
            b.run("mse", n, "multiprocessing", lambda: f_reduce(pool.map(f_map, dist)), ref,
                  rel, budget=0.5)
        b.run("mse", n, "numpy", lambda: np.square(e).mean(), ref, rel)
        b.run("mse", n, "numpy np.dot", lambda: np.dot(e, e) / n, ref, rel)
        b.run("mse", n, "tandem", lambda: tandem.mse(e), ref, rel)
        for be in backends:
            if be != "automatic":
                b.run("mse", n, f"tandem {be}", lambda be=be: tandem.mse(e, backend=be), ref, rel)
        if tandem.has("map_reduce"):
            b.run("mse", n, "tandem map_reduce",
                  lambda: tandem.map_reduce(e, "square", "sum") / n, ref, rel)

    # The notebooks' exercise: averaging numbers, sorting, counting words (when built in).
    n = 10**6 if quick else 10**7
    v = rng.standard_normal(n)
    if tandem.has("mean"):
        ref = float(np.mean(v.astype(np.longdouble)))
        rel = lambda a, r: np.testing.assert_allclose(a, r, rtol=1e-9, atol=1e-12)  # noqa: E731
        b.run("mean", n, "numpy", lambda: np.mean(v), ref, rel)
        b.run("mean", n, "tandem", lambda: tandem.mean(v), ref, rel)
    if tandem.has("sort"):
        s = np.empty_like(v)
        b.run("sort", n, "numpy", lambda: np.sort(v), None, budget=1)
        b.run("sort", n, "tandem",
              lambda: (np.copyto(s, v), tandem.sort(s))[1], None, budget=1)
        b.run("sort", n, "numpy copyto", lambda: np.copyto(s, v), None)
    if tandem.has("word_count"):
        words = np.array(["tandem", "numpy", "joblib", "pool", "map", "reduce", "word", "count"])
        text = " ".join(rng.choice(words, size=n // 10))
        from collections import Counter
        b.run("word count", len(text), "python",
              lambda: Counter(text.split()), None, budget=1)
        b.run("word count", len(text), "tandem", lambda: tandem.word_count(text), None, budget=1)


def ratios_of(rows):
    """Each tandem row's speedup over every non-tandem tool of the same job and size."""
    out = []
    for r in rows:
        if not r["tool"].startswith("tandem"):
            continue
        for base in rows:
            if (base["job"], base["size"]) == (r["job"], r["size"]) and \
                    not base["tool"].startswith("tandem"):
                out.append({"job": r["job"], "size": r["size"], "tool": r["tool"],
                            "baseline": base["tool"], "speedup": base["seconds"] / r["seconds"]})
    return out


def targets_of(rows):
    def t(job, size, tool):
        return next((r["seconds"] for r in rows
                     if (r["job"], r["size"], r["tool"]) == (job, size, tool)), None)

    out = []
    for name, size, base, required in (
            ("Python: tandem.mse call on 16 float64 vs np.square(x).mean()", 16,
             "numpy", 1.0),
            ("Python: tandem.mse of 1e7 float64 vs np.dot(e, e) / n", 10**7,
             "numpy np.dot", 0.9)):
        mine, theirs = t("mse", size, "tandem"), t("mse", size, base)
        measured = theirs / mine if mine and theirs else None
        out.append({"name": name, "required": required, "measured": measured, "tool": "tandem",
                    "baseline": base,
                    "met": measured is not None and measured >= required})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="JSON file to write")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, shorter loops")
    args = ap.parse_args(argv)
    print(f"tandem {tandem.__version__} from Python {platform.python_version()}, numpy "
          f"{np.__version__}, {os.cpu_count()} CPUs; backends:")
    for name in tandem.available_backends():
        print(f"  {name}: {tandem.backend_info(name)['device']}")
    b = Bench(budget=0.5 if args.quick else 1.5)
    with mp.Pool(JOBS) as pool:
        pool.map(f_map, [[1.0]] * JOBS)  # started and warm, as in the notebook
        jobs(b, args.quick, pool)
    ratios, targets = ratios_of(b.rows), targets_of(b.rows)
    print("\ntargets:")
    for t in targets:
        got = "n/a" if t["measured"] is None else f"{t['measured']:.2f}x"
        verdict = "n/a" if t["measured"] is None else "met" if t["met"] else "MISSED"
        print(f"  [{verdict}] {t['name']}: {got} "
              f"(required {t['required']}x)")
    doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version(), "numpy": np.__version__,
                       "tandem": tandem.__version__,
                       "backends": {n: tandem.backend_info(n) for n in
                                    tandem.available_backends()}},
           "quick": args.quick, "rows": b.rows, "ratios": ratios, "targets": targets,
           "notes": ["every tool is called from Python on numpy arrays; times are the best of "
                     "up to 30 loops of >= 5 ms each within a time budget per tool (as "
                     "%timeit), after a 0.25 s pause for the previous tool's threads to idle",
                     f"joblib and multiprocessing use {JOBS} workers, started outside the timing",
                     "'tandem' allocates its result like numpy's expressions; 'tandem out=' "
                     "writes into an array the caller keeps",
                     "matmul: the notebook's np.random.randint matrices are int64"]
           + [f"{job}: {what}" for job, what in EXPRESSIONS.items()
              if any(r["job"] == job for r in b.rows)]}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
