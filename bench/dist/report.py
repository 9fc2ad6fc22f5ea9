#!/usr/bin/env python3
"""tandem::dist report: measured strong/weak scaling at 1-4 ranks, an alpha-beta fit of the
ping-pong, and a model (labelled as such) predicting 16 to 1024 nodes with the crossover size
per rank count. Input: the JSON lines of tandem_dist_bench runs (one file per rank count).
Usage: report.py RUN.jsonl... --out DIR   (writes DIR/dist.md and, with matplotlib, DIR/dist.png)
"""
import argparse
import json
import math
import os
import sys

MODEL_RANKS = [16, 64, 256, 1024]
# A typical cluster network for the model's second scenario: an assumption, not a measurement.
NET_ALPHA = 2.0e-6  # s per message
NET_BETA = 1.0 / 12.5e9  # s per byte (100 Gb/s)
BLOCK = 8192  # terms per block of the reproducible sum


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def fit_alpha_beta(pp):
    """Least squares of t = alpha + beta * bytes, relative error (weights 1/t^2)."""
    if len(pp) < 2:
        return None
    sw = swx = swy = swxx = swxy = 0.0
    for r in pp:
        x, y = float(r["bytes"]), float(r["seconds"])
        w = 1.0 / (y * y)
        sw, swx, swy = sw + w, swx + w * x, swy + w * y
        swxx, swxy = swxx + w * x * x, swxy + w * x * y
    det = sw * swxx - swx * swx
    beta = (sw * swxy - swx * swy) / det
    alpha = (swy - beta * swx) / sw
    return max(alpha, 1e-9), max(beta, 1e-13)


def log2(x):
    return math.log2(max(x, 1.0))


def allgather(P, nbytes_each, a, b):
    """Recursive doubling: log2 P steps, (P - 1) pieces in all."""
    return log2(P) * a + (P - 1) * nbytes_each * b


def model(op, P, n, c, a, b):
    """Predicted seconds of op on P nodes for total size n (elements; bytes for word_count;
    N of an N x N matmul). c: the one-node cost constant fitted at 1 rank."""
    per = n / P
    status = allgather(P, 48, a, b)
    if op == "mse":
        roots = allgather(P, 8 * (log2(per / BLOCK) + 2), a, b)
        boundary = a + 8 * min(BLOCK, per) * b  # overlapped with the local block sums
        return max(c * per, boundary) + status + roots
    if op == "sort":
        samples = allgather(P, 32 * 16, a, b)
        alltoall = 2 * ((P - 1) * a + 8 * per * b)  # buckets, then the rebalance
        return c * per * log2(per) + c * per * log2(P) + status + samples + alltoall
    if op == "word_count":
        distinct = 5000.0  # the benchmark text's vocabulary
        exchange = (P - 1) * a + 24 * distinct * b
        gather = allgather(P, 24 * distinct / P, a, b)
        return c * per + status + exchange + gather
    if op == "matmul":
        step_compute = c * (n / P) * (n / P) * n
        step_comm = a + 8 * (n / P) * n * b
        return status + P * max(step_compute, step_comm)
    raise ValueError(op)


def one_node(op, n, c):
    if op == "sort":
        return c * n * log2(n)
    if op == "matmul":
        return c * n ** 3
    return c * n


def crossover(op, P, c, a, b):
    """Smallest size (on a x1.25 grid) from which P nodes beat one node."""
    n = float(P)
    while n < 1e15:
        if model(op, P, n, c, a, b) < one_node(op, n, c):
            return n
        n *= 1.25
    return math.inf


def costs(rows):
    """One-node constants from the 1-rank runs' largest size."""
    out = {}
    for op in ("mse", "sort", "word_count", "matmul"):
        cand = [r for r in rows if r["kind"] == "op" and r["op"] == op and r["ranks"] == 1]
        if not cand:
            continue
        r = max(cand, key=lambda r: r["n"])
        n, t = float(r["n"]), float(r["local_seconds"])
        out[op] = t / (n * log2(n) if op == "sort" else n ** 3 if op == "matmul" else n)
    return out


def fmt_t(t):
    if t == math.inf:
        return "never"
    for unit, s in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= s:
            return f"{t / s:.3g} {unit}"
    return f"{t * 1e9:.3g} ns"


def fmt_n(n):
    if n == math.inf:
        return "never"
    return f"{n:.2e}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out", default=".")
    ap.add_argument("--load", default="", help="the machine's load, printed in the report")
    args = ap.parse_args()
    rows = load(args.runs)
    os.makedirs(args.out, exist_ok=True)
    md = ["## Distributed (tandem::dist over MPI)", ""]
    best = {}  # the fastest one-way time per size over all runs
    for r in rows:
        if r["kind"] == "pingpong" and r["seconds"] < best.get(r["bytes"], math.inf):
            best[r["bytes"]] = r["seconds"]
    pp = [{"bytes": k, "seconds": v} for k, v in sorted(best.items())]
    ab = fit_alpha_beta(pp)
    md += ["Measured on this machine: every rank is a process on the same host (shared memory), "
           "so ranks beyond its cores oversubscribe them; times are the slowest rank's best of "
           "several runs. `local` is the same rank-local work on one node's library; "
           "`dist - local` is what distribution costs." +
           (f" Machine load during the runs: {args.load}." if args.load else ""), ""]
    if ab:
        a, b = ab
        md += [f"**Ping-pong (rank 0 ↔ 1)**: alpha = {fmt_t(a)} per message, "
               f"beta = {1 / b / 1e9:.2f} GB/s (fit of t = alpha + bytes * beta over "
               f"{len(pp)} sizes, the fastest of the runs per size, relative least squares).", "",
               "| bytes | one-way time | model |", "|---:|---:|---:|"]
        for r in pp:
            md.append(f"| {r['bytes']} | {fmt_t(r['seconds'])} | {fmt_t(a + b * r['bytes'])} |")
        md.append("")
    ops = [r for r in rows if r["kind"] == "op"]
    for mode in ("strong", "weak"):
        sel = [r for r in ops if r["mode"] == mode]
        if not sel:
            continue
        md += [f"### {mode.capitalize()} scaling (measured)", "",
               "| op | size | ranks | per rank | dist | local | dist - local | speedup vs 1 rank |",
               "|---|---:|---:|---:|---:|---:|---:|---:|"]
        base = {(r["op"], r["n"] if mode == "strong" else r["per_rank"]): r["seconds"]
                for r in sel if r["ranks"] == 1}
        for r in sorted(sel, key=lambda r: (r["op"], r["n"] if mode == "strong" else r["per_rank"],
                                            r["ranks"])):
            key = (r["op"], r["n"] if mode == "strong" else r["per_rank"])
            sp = base.get(key)
            speed = f"{sp / r['seconds']:.2f}" if sp and mode == "strong" else (
                f"{sp / r['seconds']:.2f} (efficiency)" if sp else "")
            md.append(f"| {r['op']} | {r['n']} | {r['ranks']} | {r['per_rank']} | "
                      f"{fmt_t(r['seconds'])} | {fmt_t(r['local_seconds'])} | "
                      f"{fmt_t(max(0.0, r['seconds'] - r['local_seconds']))} | {speed} |")
        md.append("")

    c = costs(rows)
    if ab and c:
        a, b = ab
        md += ["### Model: 16 to 1024 nodes (predicted, not measured)", "",
               "T_P(n) = one node's cost of n/P (fitted at 1 rank here) + the messages each "
               "algorithm sends, priced alpha + bytes * beta (collectives: recursive doubling, "
               "log2 P messages; all-to-all: P - 1). mse: size allgather, one boundary block "
               "(overlapped with the local sums), "
               "allgather of the O(log n) subtree roots per rank. sort: samples, two all-to-alls "
               "(buckets, rebalance). word_count: one all-to-all of the counts, one allgather. "
               "matmul (N x N): P ring steps of max(local product, band transfer). The "
               "crossover is the smallest size at which P nodes beat one node. Two network "
               "scenarios: alpha/beta measured here (shared memory) and an assumed cluster "
               f"network (alpha = {NET_ALPHA * 1e6:.0f} µs, {1 / NET_BETA / 1e9:.1f} GB/s).", "",
               "| op | nodes | crossover (measured α, β) | crossover (assumed network) | "
               "speedup at 100x crossover (network) |",
               "|---|---:|---:|---:|---:|"]
        units = {"mse": "elements", "sort": "elements", "word_count": "bytes",
                 "matmul": "N (N x N)"}
        for op in ("mse", "sort", "word_count", "matmul"):
            if op not in c:
                continue
            for P in MODEL_RANKS:
                x1 = crossover(op, P, c[op], a, b)
                x2 = crossover(op, P, c[op], NET_ALPHA, NET_BETA)
                big = x2 * (10 if op == "matmul" else 100)
                sp = (one_node(op, big, c[op]) / model(op, P, big, c[op], NET_ALPHA, NET_BETA)
                      if x2 != math.inf else float("nan"))
                md.append(f"| {op} ({units[op]}) | {P} | {fmt_n(x1)} | {fmt_n(x2)} | "
                          f"{sp:.0f}x |")
        md.append("")
        md.append("One-node constants fitted here: " + ", ".join(
            f"{op} {v:.3g} s/{'(n log2 n)' if op == 'sort' else 'N^3' if op == 'matmul' else 'unit'}"
            for op, v in c.items()) + ".")
        md.append("")
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
            ax = axes[0]
            ns = [10 ** (k / 4) for k in range(8, 45)]
            ax.loglog(ns, [one_node("mse", n, c["mse"]) for n in ns], "k-", label="1 node")
            for P in MODEL_RANKS:
                ax.loglog(ns, [model("mse", P, n, c["mse"], NET_ALPHA, NET_BETA) for n in ns],
                          label=f"{P} nodes (model)")
                x = crossover("mse", P, c["mse"], NET_ALPHA, NET_BETA)
                if x != math.inf:
                    ax.axvline(x, ls=":", lw=0.8, color=ax.lines[-1].get_color())
            ax.set_xlabel("total elements n")
            ax.set_ylabel("seconds")
            ax.set_title("dist::mse: MODEL, assumed network (dotted: crossover)")
            ax.legend(fontsize=8)
            ax = axes[1]
            for op in ("mse", "sort", "word_count", "matmul"):
                sel = [r for r in ops if r["op"] == op and r["mode"] == "strong"]
                if not sel:
                    continue
                n = max(r["n"] for r in sel)
                pts = sorted((r["ranks"], r["seconds"]) for r in sel if r["n"] == n)
                t1 = pts[0][1]
                ax.plot([p for p, _ in pts], [t1 / t for _, t in pts], "o-", label=f"{op} n={n}")
            ax.plot([1, 4], [1, 4], "k:", label="ideal")
            ax.set_xlabel("ranks (this machine; >2 oversubscribed)")
            ax.set_ylabel("speedup vs 1 rank")
            ax.set_title("measured strong scaling")
            ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(os.path.join(args.out, "dist.png"), dpi=110)
            md += ["![tandem::dist model and measured scaling](dist.png)", ""]
        except ImportError:
            md += ["(matplotlib not available: no plot)", ""]
    with open(os.path.join(args.out, "dist.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print(os.path.join(args.out, "dist.md"))


if __name__ == "__main__":
    sys.exit(main())
