#!/usr/bin/env python3
"""Turn tandem's comparative benchmark into a Markdown page with plots.

    bench/report.py RESULTS.json [--notebooks NOTEBOOKS.json] [--python PYTHON.json]
                    [--load LOAD.json] --out DIR

RESULTS.json is Google Benchmark's JSON output of tandem_bench; each run is identified by its
label, space-separated key=value pairs (kind=workload|reference, workload, dtype, backend,
threads, n, sweep, variant, bytes, flops, ref, notebook). NOTEBOOKS.json is written by
bench/notebooks.py, PYTHON.json by bench/python_bench.py (tandem called from Python). Writes DIR/report.md, DIR/crossovers.md and DIR/*.png, and prints the path
of report.md. Uses only the standard library, numpy and matplotlib (Agg backend).
"""
import argparse
import json
import math
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
HOST, DEVICE = "host", "device"
# Per-workload settings: plotted dtypes, what n counts, the peak that bounds it, how work grows.
WORKLOADS = [
    dict(name="map", dtypes=("f64", "i32"), xlabel="n (elements)", xbase=2, peak="copy_bw",
         work=lambda n: n),
    dict(name="matmul", dtypes=("f32", "f64", "i32"), xlabel="n (n×n times n×n matrices)",
         xbase=10, peak="blas_gemm", work=lambda n: float(n) ** 3),
    dict(name="polynomial_grid", dtypes=("f64",), xlabel="n (parameter sets, each at 50 x)",
         xbase=10, peak=None, work=lambda n: n),
    dict(name="mse", dtypes=("f64", "f32"), xlabel="n (elements)", xbase=2, peak="read_bw",
         work=lambda n: n),
    dict(name="sum", dtypes=("f64", "f32", "i64", "i32"), xlabel="n (elements)", xbase=2,
         peak="read_bw", work=lambda n: n),
    dict(name="min", dtypes=("f64", "i64"), xlabel="n (elements)", xbase=2, peak="read_bw",
         work=lambda n: n),
]
# Reference kinds in display order: title, and how the run becomes a figure.
REFERENCES = {
    "read_bw": ("Read bandwidth", "bw"), "copy_bw": ("Copy bandwidth", "bw"),
    "read_bw_2m": ("Read bandwidth, 2 MiB pages", "bw"),
    "read_bw_4k": ("Read bandwidth, 4 KiB pages", "bw"),
    "copy_nt_bw_2m": ("Copy with streaming stores, 2 MiB pages", "bw"),
    "copy_nt_bw_4k": ("Copy with streaming stores, 4 KiB pages", "bw"),
    "thrust_omp_map": ("Thrust OpenMP system: map y = 2x (f64)", "time"),
    "thrust_omp_mse": ("Thrust OpenMP system: mse (f64)", "time"),
    "omp_empty_region": ("Empty OpenMP parallel region", "time"),
    "blas_gemm": ("Raw BLAS GEMM", "gflops"), "kernel_launch": ("Empty CUDA kernel launch", "time"),
    "d2d_copy_bw": ("GPU device-to-device copy", "bw"), "h2d_bw": ("Host-to-device copy", "bw"),
    "d2h_bw": ("Device-to-host copy", "bw"), "cublas_gemm": ("Raw cuBLAS GEMM", "gflops"),
}
AUTOMATIC = ("automatic", "automatic_defaults")  # with the run's profile; with built-in defaults
SERIES_ORDER = [("serial", HOST), ("openmp", HOST), ("cuda", HOST), ("cuda", DEVICE),
                ("automatic", HOST), ("automatic_defaults", HOST)]
SERIES_COLOR = {("serial", HOST): "#444444", ("openmp", HOST): "tab:blue",
                ("cuda", HOST): "tab:orange", ("cuda", DEVICE): "tab:red",
                ("automatic", HOST): "tab:green", ("automatic_defaults", HOST): "tab:olive"}
# automatic ÷ the best backend at every size: after calibration, and with the built-in defaults.
AUTOMATIC_TARGETS = {"automatic": 1.05, "automatic_defaults": 1.5}
DTYPE_MARKERS = "osD^v"
GPU_BIG_N = 2 ** 26     # device-resident bandwidth target applies from here
GPU_SMALL_N = 2 ** 16   # a "small call" for the launch-overhead target
# The memory-bound limits: (workload, memory the run's data lives in) -> the reference that
# bounds it. tandem::allocator memory is on 2 MiB pages; ordinary (std::vector) memory on 4 KiB
# pages when transparent huge pages are in madvise mode.
MEMORY_LIMITS = {("mse", "tandem"): "read_bw_2m", ("map", "tandem"): "copy_nt_bw_2m",
                 ("mse", "vector"): "read_bw_4k", ("map", "vector"): "copy_nt_bw_4k"}
LIMIT_TARGET = 0.9
# The reductions (read-only, like mse): openmp f64 at n ≥ 4×LLC against the read limits.
REDUCE_LIMITS = {(wl, memory): ref for wl in ("sum", "min", "max")
                 for memory, ref in (("tandem", "read_bw_2m"), ("vector", "read_bw_4k"))}
REDUCE_LIMIT_TARGET = 0.85
PEER_N = 1024  # openmp map and mse against Thrust's OpenMP system at this n


# ----------------------------------------------------------------------------- formatting
def fmt_time(s):
    """Seconds as a short human string (ns, µs, ms, s)."""
    if s is None or not math.isfinite(s):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(s) >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def fmt_n(n, approx=False):
    """A problem size: 2^k for exact powers of two, thousands separators or 1.2e7 otherwise."""
    pre = "≈ " if approx else ""
    if not approx and n >= 1024 and float(n).is_integer() and (int(n) & (int(n) - 1)) == 0:
        return f"2^{int(n).bit_length() - 1}"
    if n < 1e5:
        return f"{pre}{n:,.0f}"
    mant, exp = f"{n:.2e}".split("e")
    return f"{pre}{float(mant):g}e{int(exp)}"


def fmt_bytes(b):
    """Bytes in KiB/MiB/GiB."""
    for unit, scale in (("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if b >= scale:
            return f"{b / scale:.3g} {unit}"
    return f"{b:.0f} B"


def md_table(headers, rows):
    """A Markdown table; cells are str()-ed."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def series_name(key):
    backend, variant = key
    return f"cuda ({variant} data)" if backend == "cuda" else backend


# ----------------------------------------------------------------------------- input
def parse_label(text):
    """'k=v k=v' -> dict, numbers converted (integral values to int)."""
    out = {}
    for token in (text or "").split():
        key, sep, value = token.partition("=")
        if not sep:
            continue
        try:
            num = float(value)
            out[key] = int(num) if num.is_integer() and abs(num) < 2 ** 62 else num
        except ValueError:
            out[key] = value
    return out


def load_results(path):
    """Return (context, runs, problems). Repetitions of one label are reduced to the median
    real time; aggregates are ignored; errored or skipped runs go to problems."""
    with open(path) as f:
        doc = json.load(f)
    times, problems = defaultdict(list), []
    # Per label, each registration's repetitions apart (family_index: the order they ran in):
    # a limit is taken from the reference run right before the workload it bounds.
    by_family = defaultdict(lambda: defaultdict(list))
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        if b.get("error_occurred") or b.get("error_message") or b.get("skipped"):
            problems.append((b.get("name", "?"), b.get("error_message") or "skipped",
                             "error" if b.get("error_occurred") else "skipped"))
            continue
        label = b.get("label", "")
        if "kind=" not in label or not b.get("iterations", 1):
            continue
        seconds = b["real_time"] * UNIT_SECONDS.get(b.get("time_unit", "ns"), 1e-9)
        times[label].append(seconds)
        by_family[label][b.get("family_index", -1)].append(seconds)
    runs = [dict(parse_label(label), seconds=statistics.median(ts),
                 families={f: statistics.median(v) for f, v in by_family[label].items()})
            for label, ts in times.items()]
    return doc.get("context", {}), runs, problems


def llc_bytes(ctx):
    """The last-level cache size: the custom llc_bytes key, else the largest listed cache."""
    try:
        return int(float(ctx["llc_bytes"]))
    except (KeyError, TypeError, ValueError):
        sizes = [c.get("size", 0) for c in ctx.get("caches", [])]
        return max(sizes) if sizes else None


def size_series(runs, workload, dtype, memory="vector"):
    """{(backend, variant): {"n","t","bytes","flops" arrays, "dtype"}} of one size sweep on
    `memory` ("vector": ordinary memory, "tandem": tandem::allocator memory).
    Per point: the default thread count; the median over duplicates."""
    points = defaultdict(list)
    for r in runs:
        if (r.get("kind") == "workload" and r.get("workload") == workload
                and r.get("dtype") == dtype and r.get("sweep", "size") != "threads"
                and r.get("memory", "vector") == memory):
            key = (r.get("backend"), r.get("variant", HOST))
            points[key, r["n"]].append(r)
    series = defaultdict(lambda: defaultdict(list))
    for (key, n), rs in sorted(points.items(), key=lambda kv: kv[0][1]):
        rs, s = default_threads(rs), series[key]
        s["n"].append(n)
        s["t"].append(statistics.median(r["seconds"] for r in rs))
        s["bytes"].append(rs[0].get("bytes", 0))
        s["flops"].append(rs[0].get("flops", 0))
    order = {k: i for i, k in enumerate(SERIES_ORDER)}
    return {k: dict({f: np.asarray(v, dtype=float) for f, v in series[k].items()}, dtype=dtype)
            for k in sorted(series, key=lambda k: order.get(k, 99))}


def default_threads(rs):
    """The runs at the default thread count (threads=0), else at the largest count given."""
    most = max(r.get("threads", 0) or math.inf for r in rs)
    return [r for r in rs if (r.get("threads", 0) or math.inf) == most]


def dtypes_of(runs, workload):
    return sorted({r["dtype"] for r in runs if r.get("workload") == workload and "dtype" in r})


def refs_of(runs, ref):
    return [r for r in runs if r.get("kind") == "reference" and r.get("ref") == ref]


def ref_value(r):
    """A reference run as its figure: bytes/s, FLOP/s, or seconds per call."""
    how = REFERENCES.get(r["ref"], ("", "time"))[1]
    if how == "time":
        return r["seconds"]
    return r.get("bytes" if how == "bw" else "flops", 0) / r["seconds"]


def peak_bandwidth(runs, ref):
    """The best bandwidth (bytes/s) measured by any run of a bandwidth reference."""
    vals = [ref_value(r) for r in refs_of(runs, ref)]
    return max(vals) if vals else None


def overhead_ref(runs, ref):
    """Per-call time (seconds) of an overhead reference at the default or largest thread
    count, the one a default openmp call uses."""
    rs = refs_of(runs, ref)
    return min(r["seconds"] for r in default_threads(rs)) if rs else None


def gemm_ref(runs, ref, dtype, n):
    """FLOP/s of the raw GEMM reference of this dtype at the measured n nearest (in log) to n."""
    rs = [r for r in refs_of(runs, ref) if r.get("dtype") == dtype and r.get("n")]
    if not rs:
        return None, None
    near = min(rs, key=lambda r: abs(math.log(r["n"] / n)))["n"]
    return max(ref_value(r) for r in rs if r["n"] == near), near


# ----------------------------------------------------------------------------- analysis
def crossover(ns, ratio):
    """Smallest n from which ratio > 1 (the contender faster) at that and every larger n,
    interpolated in log-log between the bracketing points. Returns a string."""
    if len(ns) == 0:
        return "n/a"
    faster = ratio > 1
    if not faster[-1]:
        return "never (up to " + fmt_n(ns[-1]) + ")"
    i = len(ns) - 1
    while i > 0 and faster[i - 1]:
        i -= 1
    if i == 0:
        return "always (≤ " + fmt_n(ns[0]) + ")"
    lr0, lr1 = math.log(ratio[i - 1]), math.log(ratio[i])
    frac = -lr0 / (lr1 - lr0) if lr1 != lr0 else 1.0
    return fmt_n(math.exp(math.log(ns[i - 1]) + frac * math.log(ns[i] / ns[i - 1])), approx=True)


def compare(series, fast_key, slow_key):
    """(common n, time(slow) / time(fast)) for two series."""
    a, b = series.get(fast_key), series.get(slow_key)
    if a is None or b is None:
        return np.array([]), np.array([])
    ns, ia, ib = np.intersect1d(a["n"], b["n"], return_indices=True)
    return ns, b["t"][ib] / a["t"][ia]


def crossover_rows(runs):
    """Every backend vs serial, and cuda vs openmp per data variant, for every dtype."""
    rows = []
    for wl in WORKLOADS:
        for dtype in dtypes_of(runs, wl["name"]):
            series = size_series(runs, wl["name"], dtype)
            pairs = [(k, ("serial", HOST)) for k in series if k[0] != "serial"]
            pairs += [(k, ("openmp", HOST)) for k in series if k[0] == "cuda"]
            for fast, slow in pairs:
                ns, ratio = compare(series, fast, slow)
                if len(ns):
                    rows.append([wl["name"], dtype, series_name(fast), series_name(slow),
                                 crossover(ns, ratio), f"{fmt_n(ns[0])} … {fmt_n(ns[-1])}"])
    return rows


def fraction_points(runs, wl, s, key, llc):
    """[(n, achieved, peak, reference)] for one series: bandwidth workloads at every n with
    bytes ≥ 4×LLC against read/copy bandwidth (device data: n ≥ 2^26 against d2d copy), matmul
    at its largest n against raw (cu)BLAS GEMM at the nearest n. Rates in bytes/s or FLOP/s."""
    if s is None or wl["peak"] is None or (key == ("cuda", HOST) and wl["peak"] != "blas_gemm"):
        return []
    if wl["peak"] == "blas_gemm":
        ref = "cublas_gemm" if key[0] == "cuda" else "blas_gemm"
        peak, near = gemm_ref(runs, ref, s["dtype"], s["n"][-1])
        ok = peak and s["flops"][-1]
        return [(s["n"][-1], s["flops"][-1] / s["t"][-1], peak, f"{ref} n={fmt_n(near)}")] if ok \
            else []
    ref = "d2d_copy_bw" if key[1] == DEVICE else wl["peak"]
    peak = peak_bandwidth(runs, ref)
    big = s["n"] >= GPU_BIG_N if key[1] == DEVICE else s["bytes"] >= 4 * (llc or math.inf)
    return [(n, b / t, peak, ref) for n, b, t in zip(s["n"][big], s["bytes"][big], s["t"][big])
            if peak and b]


def adjacent_limit(runs, ref, family):
    """The bandwidth (bytes/s) of the reference `ref`, at its largest thread count, from the
    registration that ran last before benchmark family `family`: the limit as the machine stood
    seconds before the workload, not minutes (a shared host's memory bandwidth drifts by ±20%
    over a run). Falls back to the best run of the reference."""
    rs = refs_of(runs, ref)
    if not rs:
        return None
    top = max(r.get("threads", 0) for r in rs)
    before = [(f, r["bytes"] / t) for r in rs if r.get("threads", 0) == top and r.get("bytes")
              for f, t in r.get("families", {}).items() if 0 <= f < family and t > 0]
    return max(before)[1] if before else peak_bandwidth(runs, ref)


def limit_fraction(runs, wl, memory, ref, llc):
    """Worst fraction of the limit `ref` that openmp f64 reaches at n ≥ 4×LLC on `memory`,
    each size against the reference measured right before it."""
    if not llc:
        return None
    read_only = wl in ("mse", "sum", "mean", "min", "max")
    fr = []
    for r in runs:
        if (r.get("kind") == "workload" and r.get("workload") == wl and r.get("dtype") == "f64"
                and r.get("backend") == "openmp" and r.get("variant", HOST) == HOST
                and r.get("sweep", "size") == "size" and r.get("memory", "vector") == memory
                and r.get("threads", 0) == 0 and r.get("bytes")
                and r["bytes"] >= (4 if read_only else 8) * llc):  # n*8 ≥ 4×LLC for map
            family = min(r.get("families", {-1: 0}))
            limit = adjacent_limit(runs, ref, family)
            if limit:
                fr.append(r["bytes"] / r["seconds"] / limit)
    return min(fr) if fr else None


def peer_ratio(runs, wl, n):
    """Thrust's OpenMP time ÷ tandem openmp's (default threads, ordinary memory) at n, f64:
    ≥ 1 when tandem is no slower."""
    s = size_series(runs, wl, "f64").get(("openmp", HOST))
    peer = [r["seconds"] for r in refs_of(runs, f"thrust_omp_{wl}") if r.get("n") == n]
    if s is None or not peer or not (s["n"] == n).any():
        return None
    return min(peer) / s["t"][s["n"] == n][0]


def fit_lstsq(x_columns, y, relative=False):
    """Least squares y ≈ X·c, on absolute or (relative=True) relative residuals. Returns
    (coefficients, R², rms relative residual)."""
    X, y = np.column_stack(x_columns), np.asarray(y, dtype=float)
    w = 1 / y if relative else np.ones_like(y)
    coef = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)[0]
    res = y - X @ coef
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - float(np.sum(res ** 2)) / ss_tot if ss_tot > 0 else float("nan")
    return coef, r2, float(np.sqrt(np.mean((res / y) ** 2)))


def thread_sweeps(runs):
    """{(workload, dtype, backend, n): (threads array, seconds array)} with ≥ 2 thread counts."""
    groups = defaultdict(dict)
    for r in runs:
        if r.get("kind") == "workload" and r.get("sweep") == "threads" and r.get("threads", 0) > 0:
            groups[r["workload"], r["dtype"], r.get("backend"), r["n"]][r["threads"]] = r["seconds"]
    return {k: (np.array(sorted(v), dtype=float), np.array([v[p] for p in sorted(v)]))
            for k, v in sorted(groups.items()) if len(v) >= 2}


# ----------------------------------------------------------------------------- plots
def finish_plot(fig, ax, out_dir, name):
    """Grid, legend under the axes, save as PNG; returns the file name. A log y axis spanning
    less than ~1.5 decades also labels its minor ticks, like its major ones."""
    if ax.get_yscale() == "log":
        lo, hi = ax.get_ylim()
        ax.yaxis.set_minor_formatter(ax.yaxis.get_major_formatter() if math.log10(hi / lo) < 1.5
                                     else NullFormatter())
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7.5, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    fig.savefig(os.path.join(out_dir, name), dpi=110, bbox_inches="tight")
    plt.close(fig)
    return name


def log_axis(ax, axis, base, fmt=None):
    """Log scale with readable tick labels (2^k for base 2, else fmt(value) if given)."""
    getattr(ax, f"set_{axis}scale")("log", base=base)
    if base == 2 and fmt is None:
        fmt = lambda v: f"$2^{{{int(round(math.log2(v)))}}}$"  # noqa: E731
    if fmt is not None:
        getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))


def draw_series(ax, key, dtype_index, dtype, x, y):
    ax.plot(x, y, color=SERIES_COLOR.get(key, "tab:purple"),
            marker=DTYPE_MARKERS[dtype_index % len(DTYPE_MARKERS)], markersize=4.5,
            linestyle="--" if key[0] in AUTOMATIC else "-",
            alpha=1.0 if dtype_index == 0 else 0.6, label=f"{series_name(key)} · {dtype}")


def plot_workload(wl, data, llc, out_dir):
    """Time per call and speedup over serial versus n; returns the two PNG names."""
    names = []
    for what in ("time", "speedup"):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for di, (dtype, series) in enumerate(data.items()):
            for key, s in series.items():
                if what == "time":
                    draw_series(ax, key, di, dtype, s["n"], s["t"])
                elif key[0] != "serial":
                    ns, ratio = compare(series, key, ("serial", HOST))
                    if len(ns):
                        draw_series(ax, key, di, dtype, ns, ratio)
        log_axis(ax, "x", wl["xbase"])
        ax.set_xlabel(wl["xlabel"])
        if what == "time":
            log_axis(ax, "y", 10, fmt_time)
            ax.set_ylabel("time per call (wall clock)")
            ax.set_title(f"{wl['name']}: time per call")
            first = next(iter(data.values()), {}).get(("serial", HOST))
            if wl["peak"] in ("read_bw", "copy_bw") and llc and first is not None:
                n_llc = 4 * llc / (first["bytes"][-1] / first["n"][-1])
                ax.axvline(n_llc, color="0.6", linestyle=":", label="4×LLC (first dtype)")
        else:
            ys = [line.get_ydata() for line in ax.get_lines()]
            if ys and max(map(max, ys)) / min(map(min, ys)) > 30:
                log_axis(ax, "y", 10, lambda v: f"{v:g}×")
            ax.axhline(1.0, color="black", linewidth=0.8)
            ax.set_ylabel("speedup over serial (×)")
            ax.set_title(f"{wl['name']}: speedup over serial (above 1 = faster)")
        names.append(finish_plot(fig, ax, out_dir, f"{wl['name']}_{what}.png"))
    return names


def plot_amdahl(sweeps, fits, out_dir):
    """Time versus threads for every thread sweep, with its fitted a + b/p curve."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (key, (p, t)) in enumerate(sweeps.items()):
        a, b = fits[key][0]
        pp = np.linspace(p.min(), p.max(), 100)
        c = colors[i % len(colors)]
        ax.plot(p, t, "o", color=c, label=f"{key[0]} {key[1]} n={fmt_n(key[3])}")
        ax.plot(pp, a + b / pp, "--", color=c, linewidth=1)
    log_axis(ax, "x", 2, lambda v: f"{v:g}")
    log_axis(ax, "y", 10, fmt_time)
    ax.set_xlabel("OpenMP threads")
    ax.set_ylabel("time per call (wall clock)")
    ax.set_title("Thread sweep: measured (dots) and Amdahl fit T(p) = a + b/p (dashed)")
    return finish_plot(fig, ax, out_dir, "amdahl.png")


# ----------------------------------------------------------------------------- sections
def header_section(ctx, path):
    llc = llc_bytes(ctx)
    machine = [f"**CPU** {ctx.get('machine', 'unknown')}", f"{ctx.get('num_cpus', '?')} cores",
               f"LLC {fmt_bytes(llc) if llc else 'unknown'}", f"**GPU** {ctx.get('gpu', 'none')}"]
    return (f"# tandem comparative benchmark\n\n"
            f"{ctx.get('date', 'date unknown')} · tandem {ctx.get('tandem_version', '?')} · "
            f"commit `{ctx.get('tandem_commit', '?')}` · "
            f"mode **{ctx.get('tandem_mode', '?')}** · "
            f"host `{ctx.get('host_name', '?')}` · from `{os.path.basename(path)}`\n\n"
            + " · ".join(machine) + (f"\n\n**OpenMP** {ctx['openmp']}" if "openmp" in ctx else "")
            + "\n\n"
            "**How to read it.** All figures are ratios measured in this one run, on this one "
            "machine: speedups of a backend over `serial`, and fractions of this machine's own "
            "measured memory bandwidth and raw BLAS — not absolute numbers to compare across "
            "machines. A time is the wall-clock time of one call (the median over repetitions). "
            "A speedup above 1 means faster than `serial`; a crossover is the problem size from "
            "which a backend stays faster. n counts elements for map and mse, the size of the "
            "square matrices for matmul and parameter sets (each at 50 x) for polynomial_grid.\n")


def references_section(runs):
    rows = []
    for ref, (title, how) in REFERENCES.items():
        for r in sorted(refs_of(runs, ref), key=lambda r: (str(r.get("dtype")), r.get("n", 0))):
            v = ref_value(r)
            fig = {"bw": f"{v / 1e9:.1f} GB/s", "gflops": f"{v / 1e9:.1f} GFLOP/s",
                   "time": fmt_time(v)}[how]
            size = (f"{r.get('dtype')} n={fmt_n(r['n'])}" if how == "gflops"
                    else fmt_bytes(r["bytes"]) if r.get("bytes") else "")
            rows.append([title, r.get("threads") or "default", size, fig])
    body = md_table(["reference", "threads", "size", "figure"], rows) if rows else \
        "_No reference runs in this file._\n"
    return "## Reference figures\n\nWhat this machine does with no library in the way.\n\n" + body


def crossovers_table(runs):
    rows = crossover_rows(runs)
    if not rows:
        return "_No pair of backends measured at common sizes._\n"
    return md_table(["workload", "dtype", "backend", "faster than", "from n", "measured n"], rows)


def workload_section(wl, runs, llc, out_dir):
    """Plots and fraction-of-peak table of one workload."""
    data = {d: size_series(runs, wl["name"], d) for d in wl["dtypes"]}
    data = {d: s for d, s in data.items() if s}
    out = [f"### {wl['name']}\n"]
    if not data:
        return out[0] + "\n_No measurements of this workload._\n"
    time_png, speed_png = plot_workload(wl, data, llc, out_dir)
    out.append(f"![{wl['name']}: time per call]({time_png})\n")
    out.append(f"![{wl['name']}: speedup over serial]({speed_png})\n")
    if wl["peak"] is None:
        return "\n".join(out)
    gemm = wl["peak"] == "blas_gemm"
    unit, rows, over = ("GFLOP/s" if gemm else "GB/s"), [], False
    for dtype, series in data.items():
        for key, ser in series.items():
            pts = fraction_points(runs, wl, ser, key, llc)
            if pts:
                n, ach, peak, ref = pts[-1]
                fr = [a / p for _, a, p, _ in pts]
                over |= max(fr) > 1.05
                rows.append([series_name(key), dtype, " … ".join(dict.fromkeys(
                    [fmt_n(pts[0][0]), fmt_n(n)])), f"{ach / 1e9:.1f} {unit}",
                    f"{peak / 1e9:.1f} {unit} ({ref})",
                    f"{fr[-1]:.0%}" + (f" (worst {min(fr):.0%})" if min(fr) < fr[-1] - 5e-3
                                       else "")])
    note = ("GFLOP/s at the largest n against the raw GEMM reference of the same dtype at the "
            "nearest n." if gemm else
            f"Bytes moved per second against the measured {wl['peak']} reference, at every n "
            f"whose working set is ≥ 4×LLC ({fmt_bytes(4 * llc) if llc else 'LLC unknown'}); "
            "cuda on device data against d2d copy at n ≥ 2^26. Achieved and fraction at the "
            "largest such n.")
    out.append(f"**Fraction of peak.** {note}\n")
    missing = not refs_of(runs, wl["peak"])
    out.append(md_table(["backend", "dtype", "n", "achieved", "peak", "fraction"], rows) if rows
               else f"_Not measured: the {wl['peak']} reference is missing._\n" if missing
               else "_No measured point reaches a working set of 4×LLC (nor n ≥ 2^26 on the "
                    "GPU)._\n")
    if over:
        out.append("_Above 100%: the workload beat its reference run, so that reference is not "
                   "this machine's peak (a noisy run, or a different access pattern or library "
                   "path); read those fractions with care._\n")
    return "\n".join(out)


def automatic_ratios(runs):
    """{(workload, dtype, automatic key): (sizes, ratios)}: automatic's time ÷ the fastest of
    the concrete backends on host data, at each size where both were measured."""
    out = {}
    for wl in WORKLOADS:
        for dtype in dtypes_of(runs, wl["name"]):
            series = size_series(runs, wl["name"], dtype)
            others = [s for k, s in series.items() if k[1] == HOST and k[0] not in AUTOMATIC]
            for which in AUTOMATIC:
                auto = series.get((which, HOST))
                if auto is None or not others:
                    continue
                ns, ratios = [], []
                for n, t in zip(auto["n"], auto["t"]):
                    best = [s["t"][s["n"] == n][0] for s in others if n in s["n"]]
                    if best:
                        ns.append(n)
                        ratios.append(t / min(best))
                if ratios:
                    out[wl["name"], dtype, which] = (ns, ratios)
    return out


def automatic_section(runs, ctx):
    profile = str(ctx.get("tandem_profile", "unknown"))
    calibrated = not profile.startswith("none")
    rows = []
    for (wl, dtype, which), (ns, ratios) in automatic_ratios(runs).items():
        worst = int(np.argmax(ratios))
        target = AUTOMATIC_TARGETS[which]
        if which == "automatic" and not calibrated:
            verdict_ = "n/a (no profile in this run)"
        else:
            verdict_ = "met" if ratios[worst] <= target else "**missed**"
        rows.append([wl, dtype, "calibrated profile" if which == "automatic" else
                     "built-in defaults", len(ns), f"{math.exp(np.mean(np.log(ratios))):.2f}×",
                     f"{ratios[worst]:.2f}× at n={fmt_n(ns[worst])}", f"≤ {target}×", verdict_])
    body = md_table(["workload", "dtype", "model", "sizes", "geometric mean", "max", "target",
                     "verdict"], rows) if rows else "_No automatic runs._\n"
    return ("## automatic against the best backend\n\nautomatic's time ÷ the fastest of serial, "
            "openmp and cuda on host data, at each size (1.00× = it picked the best), with the "
            "run's calibrated profile and with the built-in defaults (as before calibration), "
            "both measured in this run. Targets: within 1.05× of the best at every size after "
            "calibration, within 1.5× before.\n\nProfile of this run: " + profile + "\n\n"
            + body)


def amdahl_section(runs, out_dir):
    """Amdahl fit of every thread sweep, table and plot."""
    sweeps = thread_sweeps(runs)
    out = ["## Where the time goes: Amdahl fit and fixed overhead\n"]
    if sweeps:
        fits, rows = {}, []
        for key, (p, t) in sweeps.items():
            (a, b), r2, _ = fits.setdefault(key, fit_lstsq([np.ones_like(p), 1 / p], t))
            s = a / (a + b) if a + b > 0 else float("nan")
            rows.append([key[0], key[1], key[2], fmt_n(key[3]),
                         ", ".join(str(int(x)) for x in p), fmt_time(a + b), f"{s:.1%}",
                         f"{1 - s:.1%}", f"{1 / s:.1f}×" if s > 0 else "unbounded",
                         "exact (2 points)" if len(p) == 2 else f"{r2:.3f}"])
        out.append("T(p) = a + b/p fitted by least squares to each thread sweep: serial "
                   "fraction s = a/(a+b), speedup limit 1/s.\n")
        out.append(md_table(["workload", "dtype", "backend", "n", "threads", "T(1) fitted",
                             "serial fraction", "parallel part", "limit", "R²"], rows))
        out.append(f"![thread sweep and Amdahl fit]({plot_amdahl(sweeps, fits, out_dir)})\n")
    else:
        out.append("_No thread sweep with at least two thread counts._\n")
    return "\n".join(out)


def overhead_section(runs):
    """Fixed cost per openmp call from the small end of the size sweep."""
    empty = overhead_ref(runs, "omp_empty_region")
    rows = []
    for wl in WORKLOADS:
        for dtype in wl["dtypes"]:
            s = size_series(runs, wl["name"], dtype).get(("openmp", HOST))
            if s is None or len(s["n"]) < 2:
                continue
            k = max(2, math.ceil(len(s["n"]) / 2))
            work, t = np.array([wl["work"](n) for n in s["n"][:k]]), s["t"][:k]
            (c0, c1), _, err = fit_lstsq([np.ones_like(t), work], t, relative=True)
            rows.append([wl["name"], dtype, f"{fmt_n(s['n'][0])} … {fmt_n(s['n'][k - 1])}",
                         f"{c0 * 1e6:.2f} µs", f"{c0 / empty:.2f}×" if empty else "n/a",
                         f"{err:.0%}"])
    out = ["**Fixed cost per openmp call.** T(n) = c0 + c1·work(n) fitted (relative least "
               "squares) to the smallest half of the openmp size sweep; work is n, or n³ for "
               "matmul. A negative c0 or a large fit error means the small sizes are noisier than "
               "the fixed cost. Compare c0 with the empty parallel region"
               + (f" ({empty * 1e6:.2f} µs).\n" if empty else " (not measured).\n")]
    out.append(md_table(["workload", "dtype", "sizes fitted", "c0", "c0 ÷ empty region",
                         "fit error (rms)"],
                        rows) if rows else "_No openmp size sweep._\n")
    return "\n".join(out)


def verdict(measured, required, higher=True):
    """'met (+x%)' or 'missed by x%' for a target of measured ≥ (or ≤) required."""
    if measured is None:
        return "n/a"
    margin = measured / required - 1 if higher else required / measured - 1
    spec = ".1%" if abs(margin) < 0.1 else ".0%"
    return (f"met (+{margin:{spec}})" if margin >= 0
            else f"**missed by {-margin:{spec}}**")


def target_rows(runs, ctx, notebooks):
    """The performance targets: [name, required, measured, verdict]."""
    llc, rows = llc_bytes(ctx), []
    gpu = (any(r.get("backend") == "cuda" for r in runs)
           or not str(ctx.get("gpu", "none")).startswith("none"))
    wls = {w["name"]: w for w in WORKLOADS}
    any_dtype = ("f64", "f32", "i32", "i64")

    def series(wl, key, dtypes):
        """The first of dtypes that has this series, or None."""
        return next((size_series(runs, wl, d)[key] for d in dtypes
                     if key in size_series(runs, wl, d)), None)

    def fraction(wl, keys, dtypes, worst):
        """Worst (or largest-n) fraction of peak of the first of keys that was measured."""
        for key in keys:
            pts = fraction_points(runs, wls[wl], series(wl, key, dtypes), key, llc)
            if pts:
                fr = [a / p for _, a, p, _ in pts]
                return min(fr) if worst else fr[-1]
        return None

    def add(name, required, measured, higher=True, fmt="{:.0%}"):
        rows.append([name, ("≥ " if higher else "≤ ") + fmt.format(required),
                     "n/a" if measured is None else fmt.format(measured),
                     verdict(measured, required, higher)])

    omp, dev, cuda_host = ("openmp", HOST), ("cuda", DEVICE), ("cuda", HOST)
    for (wl, memory), ref in MEMORY_LIMITS.items():
        what = "tandem::allocator memory" if memory == "tandem" else "ordinary memory"
        add(f"{wl} openmp f64, n ≥ 4×LLC, {what}: worst fraction of {ref}", LIMIT_TARGET,
            limit_fraction(runs, wl, memory, ref, llc))
    for (wl, memory), ref in REDUCE_LIMITS.items():
        what = "tandem::allocator memory" if memory == "tandem" else "ordinary memory"
        add(f"{wl} openmp f64, n ≥ 4×LLC, {what}: worst fraction of {ref}", REDUCE_LIMIT_TARGET,
            limit_fraction(runs, wl, memory, ref, llc))
    for wl in ("map", "mse"):
        add(f"openmp {wl} f64 at n = {PEER_N}: Thrust OpenMP time ÷ openmp time", 1.0,
            peer_ratio(runs, wl, PEER_N), fmt="{:.2f}×")
    for d in ("f32", "f64"):
        add(f"matmul openmp {d}, largest n: fraction of raw BLAS", 0.9,
            fraction("matmul", [omp], (d,), worst=False))
    nb_targets = list((notebooks or {}).get("targets", []))
    for name, word, required in (("int32 matmul 1000³ vs numpy int matmul", "matmul", 40.0),
                                 ("notebook polynomial grid vs numpy broadcasting", "poly", 10.0),
                                 ("notebook MSE of 1e7 vs numpy", "mse", 5.0)):
        t = next((t for t in nb_targets if word in str(t.get("name", "")).lower()), {})
        if t:
            nb_targets.remove(t)
        add(name, t.get("required") or required, t.get("measured"), fmt="{:.1f}×")
        if t.get("tool"):  # which tandem backend against what
            rows[-1][2] += f" ({t['tool']} vs {t.get('baseline', '?')})"
    for t in nb_targets:  # further targets of the notebooks' JSON, as given
        if t.get("required"):
            add(str(t.get("name")), t["required"], t.get("measured"), fmt="{:.1f}×")
    for wl in ("map", "mse"):
        add(f"GPU: {wl} on device data, n ≥ 2^26: worst fraction of d2d copy", 0.9,
            fraction(wl, [dev], any_dtype, worst=True))
    launch = overhead_ref(runs, "kernel_launch")
    for wl in ("map", "mse"):
        s, small = series(wl, dev, any_dtype), None
        if s is not None and launch and (s["n"] <= GPU_SMALL_N).any():
            small = s["t"][s["n"] <= GPU_SMALL_N][-1] / launch
        add(f"GPU: small {wl} call (largest n ≤ 2^16): time ÷ empty kernel launch", 2.0, small,
            higher=False, fmt="{:.2f}×")
    for d in ("f32", "f64"):
        add(f"GPU: matmul {d}, largest n: fraction of raw cuBLAS", 0.9,
            fraction("matmul", [dev, cuda_host], (d,), worst=False))
    ratios = automatic_ratios(runs)
    calibrated = not str(ctx.get("tandem_profile", "none")).startswith("none")
    for which, what in (("automatic", "after calibration"),
                        ("automatic_defaults", "built-in defaults (before calibration)")):
        worst = [max(r) for (_, _, w), (_, r) in ratios.items() if w == which]
        add(f"automatic ÷ best backend, every size, {what}: worst", AUTOMATIC_TARGETS[which],
            max(worst) if worst else None, higher=False, fmt="{:.2f}×")
        if which == "automatic" and not calibrated:
            rows[-1][3] = "n/a (no profile in this run)"
    for row in rows:
        if not gpu and row[0].startswith("GPU:"):
            row[3] = "n/a (no GPU in this run)"
    return rows


def targets_section(rows):
    return ("## Performance targets\n\nn/a: not measured in this run (or, for the notebooks' "
            "targets, no NOTEBOOKS.json given). A memory-bound fraction divides by the limit "
            "measured seconds before the workload (the reference registered right before its "
            "largest sizes), not by the run's best: a shared host's memory bandwidth moves by "
            "tens of percent over a run.\n\n"
            + md_table(["target", "required", "measured", "verdict"], rows))


def console_summary(rows, path):
    """The closing lines scripts/bench.sh prints: one line per target, then where the report is."""
    met = sum(r[3].startswith("met") for r in rows)
    missed = [r for r in rows if "missed" in r[3]]
    na = len(rows) - met - len(missed)
    lines = [f"targets: {met} met, {len(missed)} missed, {na} not measured here"]
    for r in rows:
        mark = "ok  " if r[3].startswith("met") else ("MISS" if "missed" in r[3] else "n/a ")
        lines.append(f"  {mark} {r[0]}: {r[2]} (required {r[1]})")
    lines.append(f"report: {path}")
    return "\n".join(lines)


def errors_section(problems):
    if not problems:
        return ""
    rows = [[f"`{name}`", kind, msg.replace("|", "\\|")] for name, msg, kind in problems]
    return "## Errored or skipped benchmarks\n\n" + md_table(["benchmark", "status", "message"],
                                                           rows)


def notebooks_section(notebooks):
    out = "## The notebooks' tools, side by side\n\n"
    if notebooks is None:
        return out + ("_Not measured: no NOTEBOOKS.json was given. `scripts/bench.sh` runs "
                      "`bench/notebooks.py` and passes its output here with `--notebooks`._\n")
    tools, cells = [], defaultdict(dict)
    for r in notebooks.get("rows", []):
        if r.get("tool") not in tools:
            tools.append(r.get("tool"))
        cells[(r.get("job"), str(r.get("size")))][r.get("tool")] = r.get("seconds")
    out += "Seconds per run of each job with each tool.\n\n"
    out += md_table(["job", "size"] + [str(t) for t in tools],
                    [[j, s] + [fmt_time(c.get(t)) if c.get(t) is not None else "—"
                               for t in tools] for (j, s), c in cells.items()])
    # Speedups of the best parallel tandem backend over each notebook tool, one row per job.
    best, baselines = {}, []
    for r in notebooks.get("ratios", []):
        if r.get("speedup") is None or r.get("tool") == "tandem serial":
            continue
        if r.get("baseline") not in baselines:
            baselines.append(r.get("baseline"))
        key = (r.get("job"), str(r.get("size")), r.get("baseline"))
        if key not in best or r["speedup"] > best[key][0]:
            best[key] = (r["speedup"], str(r.get("tool")).replace("tandem ", ""))
    if best:
        out += ("\nSpeedup of tandem (its faster parallel backend, named) over each notebook tool: "
                "the tool's time ÷ tandem's.\n\n")
        out += md_table(["job", "size"] + [str(b) for b in baselines],
                        [[j, s] + [f"{best[(j, s, b)][0]:.3g}× ({best[(j, s, b)][1]})"
                                   if (j, s, b) in best else "—" for b in baselines]
                         for (j, s) in cells])
    bad = [r for r in notebooks.get("rows", []) if r.get("check", "ok") != "ok"]
    if bad:
        out += "\n**Result checks failed:** " + "; ".join(
            f"{r.get('job')} {r.get('size')} {r.get('tool')}: {r['check']}" for r in bad) + "\n"
    also = {k: v for t in notebooks.get("targets", []) for k, v in (t.get("also") or {}).items()}
    if also:
        out += "\nFor information:\n\n" + "".join(
            f"- {k}: {v:.3g}×\n" for k, v in also.items() if isinstance(v, (int, float)))
    notes = notebooks.get("notes")
    if notes:
        notes = notes if isinstance(notes, list) else [notes]
        out += "\nHow the notebooks' code was run:\n\n" + "".join(f"- {n}\n" for n in notes)
    return out


def python_target_rows(python):
    """The targets of bench/python_bench.py's JSON, as rows of the targets table."""
    rows = []
    for t in (python or {}).get("targets", []):
        m, req = t.get("measured"), t.get("required")
        rows.append([str(t.get("name")), f"≥ {req:.1f}×", "n/a" if m is None else f"{m:.2f}×",
                     verdict(m, req)])
    return rows


def python_section(python):
    """tandem called from Python beside numpy, joblib and multiprocessing (python_bench.py)."""
    if python is None:
        return ""
    body = notebooks_section({k: v for k, v in python.items() if k != "targets"})
    return body.replace("## The notebooks' tools, side by side",
                        "## tandem from Python, beside numpy, joblib and multiprocessing", 1)


# ----------------------------------------------------------------------------- main
def load_target_rows(load):
    """Under load: automatic's and openmp's (default team) mean per call within 1.5x of
    serial's, worst over sizes."""
    if not load:
        return []
    rows = []
    pts = {(p["workload"], p["backend"], p["mode"], p["n"]): p for p in load.get("points", [])}
    for backend, what in (("automatic", "automatic"), ("openmp", "openmp, default team,")):
        worst = None
        for (wl, b, mode, n), p in pts.items():
            s = pts.get((wl, "serial", mode, n))
            if b == backend and mode == "loaded" and s and s["mean"] > 0:
                r = p["mean"] / s["mean"]
                worst = r if worst is None else max(worst, r)
        if worst is None and backend != "automatic":
            continue
        rows.append([f"{what} under load (every core busy): mean per call ÷ serial's, worst "
                     "over mse and map at 1e4..1e7", "≤ 1.50×",
                     "n/a" if worst is None else f"{worst:.2f}×",
                     verdict(worst, 1.5, higher=False)])
    return rows


def load_section(load):
    if not load:
        return ""
    out = ("## Under load\n\n`tandem_load_bench`: every core runs a bounded busy loop in another "
           f"process ({load.get('cores')} cores), as other users' jobs would; mean and 99th "
           "percentile per call, idle and loaded. A fork-join team waits for all its threads to "
           "be scheduled, so a team's calls can take a scheduler slice each under load. "
           "automatic's openmp choice and explicit openmp with the default team learn it per call "
           "shape (a moving average of the team's times against its fastest call, or 8 times its "
           "prediction, and one thread's) "
           "and back off to one thread of openmp — the same bits — while the cores are busy, "
           "probing the team again after 20 ms, doubling up to 640 ms. `openmp_team` asks for the "
           "team by number (`Options::threads`), which never backs off: the cliff the others "
           "avoid.\n\n")
    rows = []
    for p in load.get("points", []):
        rows.append([p["workload"], p["backend"], p["mode"], fmt_n(p["n"]), fmt_time(p["mean"]),
                     fmt_time(p["p99"]), str(p["calls"])])
    return out + md_table(["workload", "backend", "machine", "n", "mean", "p99", "calls"], rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", metavar="RESULTS.json", help="Google Benchmark JSON of tandem_bench")
    ap.add_argument("--notebooks", metavar="NOTEBOOKS.json", help="written by bench/notebooks.py")
    ap.add_argument("--python", metavar="PYTHON.json", help="written by bench/python_bench.py")
    ap.add_argument("--load", metavar="LOAD.json", help="written by tandem_load_bench")
    ap.add_argument("--out", metavar="DIR", required=True, help="for report.md and the PNGs")
    args = ap.parse_args(argv)
    ctx, runs, problems = load_results(args.results)
    notebooks = None
    if args.notebooks and os.path.exists(args.notebooks):
        with open(args.notebooks) as f:
            notebooks = json.load(f)
    elif args.notebooks:
        print(f"report.py: {args.notebooks} not found; skipping the notebooks", file=sys.stderr)
    python = None
    if args.python and os.path.exists(args.python):
        with open(args.python) as f:
            python = json.load(f)
    elif args.python:
        print(f"report.py: {args.python} not found; skipping tandem from Python", file=sys.stderr)
    load = None
    if args.load and os.path.exists(args.load):
        with open(args.load) as f:
            load = json.load(f)
    elif args.load:
        print(f"report.py: {args.load} not found; skipping the load scenario", file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    llc = llc_bytes(ctx)
    crossovers = crossovers_table(runs)
    with open(os.path.join(args.out, "crossovers.md"), "w") as f:
        f.write(crossovers)
    targets = (target_rows(runs, ctx, notebooks) + python_target_rows(python)
               + load_target_rows(load))
    parts = [header_section(ctx, args.results), references_section(runs),
             "## Crossovers\n\nThe smallest n from which a backend is faster than another at "
             "that and every larger measured n, interpolated in log space between the two "
             "measured sizes that bracket it.\n\n" + crossovers,
             "## Workloads\n\nTime per call and speedup over serial; automatic is dashed, "
             "the markers are the measured sizes.\n",
             *[workload_section(wl, runs, llc, args.out) for wl in WORKLOADS],
             automatic_section(runs, ctx), amdahl_section(runs, args.out), overhead_section(runs),
             targets_section(targets), errors_section(problems),
             load_section(load), notebooks_section(notebooks), python_section(python)]
    path = os.path.join(args.out, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(p for p in parts if p))
    print(console_summary(targets, path))


if __name__ == "__main__":
    main()
