#!/usr/bin/env python3
"""The notebooks side by side: the two teaching notebooks' own workloads, at their sizes, with
their own tools (pure Python, numpy, joblib, multiprocessing), and tandem's equivalent calls
(tandem_notebook_jobs, every backend), in one run; prints the times and the speedups and writes
them, with the project's targets, as JSON.

    bench/notebooks.py --jobs-exe BUILD/bench/tandem_notebook_jobs --out notebooks.json
                       [--repeats N] [--quick]

Faithful to the notebooks, with these adaptations (also in the JSON's "notes"):
  * n_jobs / Pool size is 2 on every parallel tool, not the notebooks' 2-8 and 5 nodes: the
    machine's core count is printed, and a pool larger than it only adds overhead;
  * Python 3: xrange -> range, print(), np.random.randn(int(N));
  * the polynomial grid's parameters are the 10^4 itertools.product rows as a numpy array, not
    the notebook's CSV read back with pandas (same values, pandas not required); the notebook's
    `[pool.apply(...) for line in ...]` (10^4 round trips, its own counter-example) is left out;
  * numpy broadcasting over the whole grid is added as the fair numpy baseline of the grid, and
    numpy's own 2*k and x*x for the maps;
  * pools (Pool(2), joblib's workers) are started and warmed outside the timed region, and the
    MSE data is distributed outside it, as the notebooks' %time/%timeit lines do;
  * the pure-Python MSE runs at 1e5 and 1e6 only (at 1e7 it takes seconds per run and shows
    nothing new); --quick also skips the 1e7 multiprocessing map-reduce;
  * sort is the multiprocessing notebook's exercise ("maybe even a mergesort"), written as its
    map-reduce: the list distributed in Pool-size parts outside the timed region, map = sorted()
    of each part in the pool, reduce = heapq.merge of the sorted parts; numpy's np.sort(x) and
    Python's sorted(xs) beside it, and C++'s std::sort (and std::sort(std::execution::par)
    where the standard library has it) from tandem_notebook_jobs; the values are tandem's
    (splitmix64, see sort_input), each sort returns a sorted copy, and its checksum, sum of
    s[i] * i / n, checks the order; --quick skips the pure-Python sorts at 1e7.

Times are the best of up to N calls (default 5), stopping once a tool has used its time budget,
so the slow tools (numpy's int matmul takes seconds) run once or twice. tandem rows come from
tandem_notebook_jobs (one warm-up, then best of N) with two times: "seconds", the call writing
into an output the program keeps (tandem's form: map(x, y, op), matmul(A, B, C)...), which the
ratios and targets use, and "seconds_fresh_output", allocating a new output in every call as
numpy's expressions do (on a small VM the page faults of a fresh 4 MB output can cost more than
the polynomial grid itself). Both are reported.

Checks: tandem's inputs are made in C++ (hashed digits for matmul, mt19937 normals for the MSE),
so its checksums are held to what those inputs must give: map sums and the grid's sum equal
numpy's, sum(A.B) follows from the digits' column and row sums, the MSE of N(0, 1) data is
within 6 sigma of 1, and every backend matches tandem serial. Each notebook tool is checked
against numpy on the same data. A failed check marks its row and sets the exit status to 1.
"""
from __future__ import annotations

import argparse
import datetime
import heapq
import itertools
import json
import math
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
from collections import OrderedDict, namedtuple
from pathlib import Path

try:
    import joblib
    import numpy as np
    from joblib import Parallel, delayed
except ImportError as missing:
    sys.exit(f"bench/notebooks.py needs numpy and joblib ({missing}).\n"
             "Install them with: pip install -r bench/requirements.txt")

N_JOBS = 2  # joblib n_jobs and multiprocessing Pool size for every parallel tool
BIG = 2000000  # the joblib notebook's list size
JOBLIB, POOL = f"joblib Parallel({N_JOBS})", f"multiprocessing Pool({N_JOBS})"

# ---- The notebooks' own code (module level, so that worker processes can unpickle it). ----


def f(k):
    """The joblib notebook's job."""
    return 2 * k


def list_single_thread(BIG=BIG):
    return [f(i) for i in range(BIG)]


def list_multi_thread(n_jobs=N_JOBS, BIG=BIG):
    return Parallel(n_jobs=n_jobs)(delayed(f)(i) for i in np.split(np.arange(BIG), n_jobs))


def parallel_dot(A, B, n_jobs=N_JOBS):
    """The joblib notebook's A x B on n_jobs processes (rows of A must divide by n_jobs)."""
    parallelizer = Parallel(n_jobs=n_jobs)
    tasks_iterator = (delayed(np.dot)(A_block, B) for A_block in np.split(A, n_jobs))
    return np.vstack(parallelizer(tasks_iterator))


def poly(x, a, b, c, d):
    """The joblib notebook's exercise 9.1: a cubic with four parameters."""
    return a * x**3 + b * x**2 + c * x + d


def square(x):
    """The multiprocessing notebook's f(x) = x * x (renamed: f is the joblib notebook's)."""
    return x * x


def distribute_data(data, n_nodes):
    return [data[i::n_nodes] for i in range(n_nodes)]


def f_map(data):
    """Perform your function locally in one node"""
    return sum([x**2 for x in data]), len(data)


def f_reduce(data):
    """Reduce all the local results back to final answer"""
    sums, counts = np.array(data).T
    return sums.sum() / counts.sum()


def merge_sorted(parts):
    """The mergesort's reduce: one sorted list from the sorted parts."""
    return list(heapq.merge(*parts))


def sort_input(n):
    """tandem_notebook_jobs' sort values: splitmix64(i + 1) >> 11, scaled to [-0.5, 0.5)."""
    with np.errstate(over="ignore"):
        z = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 - 0.5


def poly_broadcast(params, x):
    """The fair numpy baseline of the grid: every parameter set at every x in one expression."""
    a, b, c, d = params.T
    return a[:, None] * x**3 + b[:, None] * x**2 + c[:, None] * x + d[:, None]


# ---- The cases: one row per (job, size, tool), inputs built outside the timed region. ----

Case = namedtuple("Case", "job size tool code fn")


def notebook_cases(pool, quick):
    """Every notebook tool on every job and size, with the code it times."""
    np.random.seed(0)
    k = np.arange(BIG)
    xs = np.arange(1_000_000) / 1_000_000  # the same values as tandem's, so sums compare
    xs_list = xs.tolist()
    A = np.random.randint(0, high=10, size=(1000, 1000), dtype=np.int64)
    B = np.random.randint(0, high=10, size=(1000, 1000), dtype=np.int64)
    A32, B32 = A.astype(np.int32), B.astype(np.int32)
    grid = OrderedDict((name, np.linspace(0, 1, 10)) for name in "abcd")
    params = np.array(list(itertools.product(*grid.values())))  # 10^4 x 4, as the CSV's rows
    x = np.linspace(-2, 2, 50)
    cases = [
        Case("map 2k", "2e6 i64", "python list", "[f(i) for i in range(BIG)]",
             list_single_thread),
        Case("map 2k", "2e6 i64", JOBLIB, "list_multi_thread(n_jobs=2)", list_multi_thread),
        Case("map 2k", "2e6 i64", "numpy", "f(np.arange(BIG))", lambda: f(k)),
        Case("map x*x", "1e6 f64", "python list", "[f(v) for v in xs]  # xs a list",
             lambda: [square(v) for v in xs_list]),
        Case("map x*x", "1e6 f64", POOL, "p.map(f, xs)  # xs a list",
             lambda: pool.map(square, xs_list)),
        Case("map x*x", "1e6 f64", "numpy", "f(xs)  # xs a numpy array", lambda: square(xs)),
        Case("matmul int", "1000^3 i64", "numpy", "np.dot(A, B)", lambda: np.dot(A, B)),
        Case("matmul int", "1000^3 i64", JOBLIB, "parallel_dot(A, B, n_jobs=2)",
             lambda: parallel_dot(A, B)),
        Case("matmul int", "1000^3 i32", "numpy", "np.dot(A32, B32)", lambda: np.dot(A32, B32)),
        Case("polynomial grid", "10^4x50 f64", "python list", "[poly(x, *line) for line in params]",
             lambda: [poly(x, *line) for line in params]),
        Case("polynomial grid", "10^4x50 f64", JOBLIB,
             "Parallel(n_jobs=2)(delayed(poly)(x, *line) for line in params)",
             lambda: Parallel(n_jobs=N_JOBS)(delayed(poly)(x, *line) for line in params)),
        Case("polynomial grid", "10^4x50 f64", POOL,
             "pool.starmap(poly, [(x, *line) for line in params])",
             lambda: pool.starmap(poly, [(x, *line) for line in params])),
        Case("polynomial grid", "10^4x50 f64", "numpy", "a[:,None]*x**3 + ... + d[:,None]",
             lambda: poly_broadcast(params, x)),
    ]
    for n in (10**5, 10**6, 10**7):
        errors = np.random.randn(n)
        distributed = distribute_data(errors, N_JOBS)
        size = f"1e{round(math.log10(n))} f64"
        if n <= 10**6:
            cases.append(Case("mse", size, "python list",
                              "sum([error ** 2 for error in errors]) / float(len(errors))",
                              lambda e=errors: sum([error**2 for error in e]) / float(len(e))))
        cases.append(Case("mse", size, "numpy", "np.square(errors).mean()",
                          lambda e=errors: np.square(e).mean()))
        if not (quick and n == 10**7):
            cases.append(Case("mse", size, POOL, "f_reduce(p.map(f_map, distributed_data))",
                              lambda d=distributed: f_reduce(pool.map(f_map, d))))
        # Averaging numbers: the plain reduction under the mse.
        if n <= 10**6:
            cases.append(Case("mean", size, "python list", "sum(errors) / len(errors)",
                              lambda e=errors: sum(e) / len(e)))
        cases.append(Case("mean", size, "numpy", "np.mean(errors)", lambda e=errors: np.mean(e)))
    for n in (10**6, 10**7):
        values = sort_input(n)
        values_list = values.tolist()
        parts = [values_list[i * n // N_JOBS:(i + 1) * n // N_JOBS] for i in range(N_JOBS)]
        size = f"1e{round(math.log10(n))} f64"
        cases.append(Case("sort", size, "numpy", "np.sort(x)", lambda v=values: np.sort(v)))
        if not (quick and n == 10**7):
            cases.append(Case("sort", size, "python list", "sorted(xs)",
                              lambda v=values_list: sorted(v)))
            cases.append(Case("sort", size, POOL, "merge_sorted(p.map(sorted, parts))",
                              lambda p=parts: merge_sorted(pool.map(sorted, p))))
    return cases


def best_of(fn, repeats, budget):
    """Best wall time of fn() over up to `repeats` calls, stopping once the calls have used
    `budget` seconds (at least one call); returns (seconds, calls, last result)."""
    best, spent, runs, result = math.inf, 0.0, 0, None
    while runs < repeats and (runs == 0 or spent < budget):
        result = None  # free the previous output outside the clock
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
    return best, runs, result


def checksum(result, job=None):
    """Sum of every value of a tool's output (a scalar, array, list of arrays or of numbers);
    for sort, sum of s[i] * i / n, which checks the order too."""
    if job == "sort":
        s = np.asarray(result, dtype=np.float64)
        return float((s * (np.arange(s.size) / s.size)).sum())
    total = np.asarray(result).sum()
    return int(total) if np.issubdtype(total.dtype, np.integer) else float(total)


def run_tandem(exe, repeats):
    """Runs tandem_notebook_jobs; returns its JSON (tandem_version, backends, rows)."""
    try:
        done = subprocess.run([str(exe), "--repeats", str(repeats)], capture_output=True,
                              text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as failure:
        sys.exit(f"{exe} failed: {failure}\n{getattr(failure, 'stderr', '') or ''}")
    return json.loads(done.stdout)


# ---- Checks: tandem's checksums against what its inputs must give, tools against numpy. ----


def matmul_expected(n=1000):
    """sum(A @ B) for tandem's inputs: digit(i) = ((i * 2654435761) & 0xFFFFFFFF) >> 16) % 10,
    A = first n*n, B = next n*n; sum(A @ B) = A.sum(0) @ B.sum(1), exact in int64."""
    i = np.arange(2 * n * n, dtype=np.uint64)
    d = (((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(16)) % np.uint64(10)
    A, B = d[:n * n].astype(np.int64).reshape(n, n), d[n * n:].astype(np.int64).reshape(n, n)
    return int(A.sum(axis=0) @ B.sum(axis=1))


def agree(value, reference, rel=1e-9):
    if isinstance(value, float) or isinstance(reference, float):
        return abs(value - reference) <= rel * abs(reference)
    return value == reference


def check_rows(rows):
    """Sets row["check"] to "ok" or the reason it failed; returns the failures."""
    numpy_sum = {(r["job"], r["size"]): r["checksum"] for r in rows if r["tool"] == "numpy"}
    serial_sum = {(r["job"], r["size"]): r["checksum"] for r in rows
                  if r["tool"] == "tandem serial"}
    matmul = None
    for r in rows:
        key, value, problem = (r["job"], r["size"]), r["checksum"], None
        if not r["tool"].startswith("tandem"):
            if not agree(value, numpy_sum[key]):
                problem = f"sum {value!r} but numpy's is {numpy_sum[key]!r}"
        elif r["job"] == "matmul int":
            matmul = matmul_expected() if matmul is None else matmul
            problem = None if value == matmul else f"sum(C) {value!r}, expected {matmul}"
        elif r["job"] == "mse":
            n = int(float(r["size"].split()[0]))  # N(0, 1) data: mse = 1 +- sqrt(2 / n)
            if abs(value - 1.0) > 6 * math.sqrt(2.0 / n):
                problem = f"mse {value!r} of N(0, 1) data is more than 6 sigma from 1"
        elif r["job"] == "mean":
            n = int(float(r["size"].split()[0]))  # N(0, 1) data: mean = 0 +- 1 / sqrt(n)
            if abs(value) > 6 / math.sqrt(n):
                problem = f"mean {value!r} of N(0, 1) data is more than 6 sigma from 0"
        else:  # map 2k, map x*x, polynomial grid, sort: tandem's inputs are numpy's, sums must agree
            expected = numpy_sum[key]
            value = int(value) if isinstance(expected, int) else value
            if not agree(value, expected):
                problem = f"sum {value!r} but numpy's is {expected!r}"
        # (A mean of N(0, 1) data cancels: backends agree within the sum's bound, relative to
        # sum |x|, not to 1e-12 of the mean.)
        if problem is None and r["tool"].startswith("tandem") and key in serial_sum \
                and r["job"] != "mean" \
                and not agree(r["checksum"], serial_sum[key], rel=1e-12):
            problem = f"checksum {r['checksum']!r} but tandem serial's is {serial_sum[key]!r}"
        r["check"] = problem or "ok"
    failures = [r for r in rows if r["check"] != "ok"]
    for r in failures:
        print(f"WARNING: {r['job']} {r['size']} {r['tool']}: {r['check']}", file=sys.stderr)
    return failures


# ---- Ratios and targets. ----

TARGETS = [  # (name, job, size, baseline tool, required speedup)
    ("int32 matmul 1000^3 vs numpy int matmul", "matmul int", "1000^3 i32", "numpy", 40),
    ("notebook polynomial grid vs numpy broadcasting", "polynomial grid", "10^4x50 f64", "numpy",
     15),
    ("MSE 1e7 vs numpy", "mse", "1e7 f64", "numpy", 5),
    ("sort 1e7 f64 vs std::sort", "sort", "1e7 f64", "std::sort", 1.6),
    ("sort 1e7 f64 vs numpy np.sort", "sort", "1e7 f64", "numpy", 1.0),
]


def ratios_of(rows):
    """Speedup of every tandem row over every notebook tool of the same job and size."""
    out = []
    tandem = [r for r in rows if r["tool"].startswith("tandem")]
    for t in tandem:
        for b in (r for r in rows if r not in tandem):
            if (b["job"], b["size"]) == (t["job"], t["size"]):
                out.append({"job": t["job"], "size": t["size"], "baseline": b["tool"],
                            "tool": t["tool"], "speedup": b["seconds"] / t["seconds"],
                            "speedup_fresh_output": b["seconds"] / t["seconds_fresh_output"]})
    return out


def best_parallel(rows, job, size):
    """The fastest tandem row of (job, size) that did not run on the serial backend."""
    candidates = [r for r in rows if (r["job"], r["size"]) == (job, size)
                  and r["tool"].startswith("tandem") and r.get("ran") != "serial"]
    return min(candidates, key=lambda r: r["seconds"]) if candidates else None


def targets_of(rows):
    """The project's targets, each against the best non-serial tandem backend."""
    seconds = {(r["job"], r["size"], r["tool"]): r["seconds"] for r in rows}
    out = []
    for name, job, size, baseline, required in TARGETS:
        best, base = best_parallel(rows, job, size), seconds.get((job, size, baseline))
        measured = base / best["seconds"] if best and base else None
        out.append({"name": name, "required": required, "measured": measured,
                    "met": measured is not None and measured >= required,
                    "tool": best and best["tool"], "baseline": f"{baseline} {size}",
                    "measured_fresh_output":
                        base / best["seconds_fresh_output"] if best and base else None})
    # The notebook's own np.dot(A, B) multiplies int64: tandem against that, informational.
    numpy64 = seconds.get(("matmul int", "1000^3 i64", "numpy"))
    for size in ("1000^3 i32", "1000^3 i64"):
        best = best_parallel(rows, "matmul int", size)
        if best and numpy64:
            out[0].setdefault("also", {})[f"tandem {size.split()[1]} vs numpy int64 (the "
                                          f"notebook's arrays)"] = numpy64 / best["seconds"]
    return out


# ---- Output. ----


def print_report(rows, ratios, targets):
    groups = list(OrderedDict.fromkeys((r["job"], r["size"]) for r in rows))
    print(f"\n{'job':<16} {'size':<12} {'tool':<26} {'time [ms]':>11} {'fresh out':>11} "
          f"{'runs':>5}  check")
    for key in groups:
        for r in sorted((r for r in rows if (r["job"], r["size"]) == key),
                        key=lambda r: r["seconds"]):
            fresh = f"{r['seconds_fresh_output'] * 1e3:>11.3f}" if "seconds_fresh_output" in r \
                else f"{'':>11}"
            print(f"{key[0]:<16} {key[1]:<12} {r['tool']:<26} {r['seconds'] * 1e3:>11.3f} "
                  f"{fresh} {r['runs']:>5}  {r['check']}")
    print("\nspeedups (notebook tool time / tandem time):")
    for key in groups:
        for tool in OrderedDict.fromkeys(q["tool"] for q in ratios if (q["job"], q["size"]) == key):
            parts = [f"{q['speedup']:.3g}x {q['baseline']}" for q in ratios
                     if (q["job"], q["size"], q["tool"]) == (*key, tool)]
            print(f"  {key[0]} {key[1]}: {tool} is " + ", ".join(parts))
    print("\ntargets (best tandem backend that is not serial):")
    for t in targets:
        got = "n/a" if t["measured"] is None else f"{t['measured']:.1f}x"
        fresh = t["measured_fresh_output"]
        print(f"  [{'met' if t['met'] else 'MISSED'}] {t['name']}: {got} (required "
              f"{t['required']}x; {t['tool']} vs {t['baseline']}"
              + (f"; {fresh:.1f}x with a fresh output per call)" if fresh else ")"))
        for what, value in t.get("also", {}).items():
            print(f"         {what}: {value:.1f}x")


def busy_cpus(interval=0.5):
    """CPUs kept busy by other processes over `interval` seconds (Linux /proc/stat), or None."""
    def sample():
        with open("/proc/stat") as stat:
            ticks = [int(t) for t in stat.readline().split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # total, idle + iowait
    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (os.cpu_count() or 1) * (1 - (idle1 - idle0) / max(1, total1 - total0))


def notes():
    """The module docstring's adaptations and timing rules, one string each, for the JSON."""
    paragraphs = __doc__.split("\n\n")
    return [" ".join(p.split()) for p in paragraphs[2].split("\n  * ")[1:] + paragraphs[3:]]


def cpu_model():
    """The CPU's model name (Linux /proc/cpuinfo), else what platform knows."""
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1] for line in info if line.startswith("model name")]
        return names[0].strip()
    except (OSError, IndexError):
        return platform.processor() or platform.machine()


def context(tandem):
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=Path(__file__).resolve().parent,
                                  capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    return {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host": platform.node(), "cpu_count": os.cpu_count(),
            "cpu": cpu_model(),
            "python": platform.python_version(), "numpy": np.__version__,
            "joblib": joblib.__version__, "tandem_version": tandem["tandem_version"],
            "tandem_backends": tandem["backends"], "commit": commit, "n_jobs": N_JOBS}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs-exe", required=True, type=Path, help="tandem_notebook_jobs")
    parser.add_argument("--out", required=True, type=Path, help="JSON file to write")
    parser.add_argument("--repeats", type=int, default=None, help="best of N (default 5, quick 2)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 1e7 map-reduce")
    args = parser.parse_args()
    repeats = max(1, args.repeats or (2 if args.quick else 5))
    budget = 0.5 if args.quick else 2.0  # seconds of timed calls per tool before stopping

    print(f"notebooks side by side: {os.cpu_count()} CPUs, n_jobs = Pool size = {N_JOBS}, "
          f"python {platform.python_version()}, numpy {np.__version__}, "
          f"joblib {joblib.__version__}; best of {repeats}")
    busy_before = busy_cpus()
    if busy_before is not None and busy_before > 0.25:
        print(f"WARNING: other processes keep {busy_before:.1f} CPUs busy before the run: the "
              "times will be noisy", file=sys.stderr)
    tandem = run_tandem(args.jobs_exe, repeats)
    for b in tandem["backends"]:
        print(f"  tandem {tandem['tandem_version']} {b['name']}: {b['device']}")

    rows = []
    with mp.Pool(N_JOBS) as pool:
        pool.map(square, range(N_JOBS))  # start the pools outside the timed region
        Parallel(n_jobs=N_JOBS)(delayed(f)(i) for i in range(N_JOBS))
        for case in notebook_cases(pool, args.quick):
            seconds, runs, result = best_of(case.fn, repeats, budget)
            rows.append({"job": case.job, "size": case.size, "tool": case.tool,
                         "seconds": seconds, "runs": runs, "checksum": checksum(result, case.job),
                         "code": case.code})
            print(f"  {case.job} {case.size} {case.tool}: {seconds * 1e3:.1f} ms", flush=True)
    rows += tandem["rows"]

    failures = check_rows(rows)
    ratios, targets = ratios_of(rows), targets_of(rows)
    print_report(rows, ratios, targets)
    busy_after = busy_cpus()
    if busy_after is not None and busy_after > 0.25:
        print(f"WARNING: other processes keep {busy_after:.1f} CPUs busy after the run: the "
              "times may be noisy", file=sys.stderr)
    report = {"context": {**context(tandem), "busy_cpus_before": busy_before,
                          "busy_cpus_after": busy_after},
              "notes": notes(), "rows": rows,
              "ratios": ratios, "targets": targets}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.out}")
    if failures:
        sys.exit(f"{len(failures)} result check(s) failed; see the WARNING lines and 'check'")


if __name__ == "__main__":
    main()
