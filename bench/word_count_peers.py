#!/usr/bin/env python3
"""Word count side by side: tandem (every backend) and a serial C++ std::unordered_map counter
(tandem_word_count_bench), and the Python a notebook user writes for the multiprocessing
notebook's exercise ("counting words"), on the same deterministic text in the same run:

  * collections.Counter(re.findall(rb"[a-z0-9\\x80-\\xff]+", text.lower())): the one-liner;
  * the exercise as a map-reduce with multiprocessing.Pool(2): the text cut into lines, each
    worker counting its share with a Counter, the Counters summed (pool started outside the
    timed region, as the notebook's %time lines do).

Same word definition as tandem (bytes.lower() folds ASCII only; bytes >= 0x80 are word bytes).
Prints the times and ratios and checks the project's targets: tandem's best CPU backend
>= 1.6x the unordered_map counter and >= 20x Counter. Writes JSON with --out.

    bench/word_count_peers.py --exe BUILD/bench/tandem_word_count_bench [--mb 50] [--repeats 3]
                              [--out word_count.json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter

WORD = re.compile(rb"[a-z0-9\x80-\xff]+")
N_JOBS = 2


def counter_one_liner(text: bytes) -> Counter:
    return Counter(WORD.findall(text.lower()))


def count_lines(lines: list[bytes]) -> Counter:
    """The map step: one worker's lines."""
    c = Counter()
    for line in lines:
        c.update(WORD.findall(line.lower()))
    return c


def multiprocessing_mapreduce(pool, text: bytes, n_jobs: int = N_JOBS) -> Counter:
    lines = text.split(b"\n")
    step = (len(lines) + n_jobs - 1) // n_jobs
    parts = pool.map(count_lines, [lines[i:i + step] for i in range(0, len(lines), step)])
    total = Counter()
    for part in parts:  # the reduce step
        total.update(part)
    return total


def best_of(repeats: int, f):
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - t)
    return best, result


def ordered(c: Counter):
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exe", required=True, help="tandem_word_count_bench")
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "text.txt")
        run = subprocess.run([args.exe, "--mb", str(args.mb), "--repeats", str(args.repeats),
                              "--text-out", path], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"{args.exe} failed ({run.returncode}): {run.stderr}")
        cpp = json.loads(run.stdout)
        with open(path, "rb") as f:
            text = f.read()

    rows = [dict(r) for r in cpp["rows"]]
    t, c = best_of(args.repeats, lambda: counter_one_liner(text))
    want_top = [[w, n] for w, n in cpp["top"]]
    top = [[w.decode("latin-1"), n] for w, n in ordered(c)[:10]]
    rows.append({"name": "Python collections.Counter(re.findall)", "seconds": t,
                 "agrees": len(c) == cpp["distinct"] and sum(c.values()) == cpp["total"]
                 and top == want_top})
    with mp.Pool(N_JOBS) as pool:
        pool.map(count_lines, [[b"warm up"]] * N_JOBS)
        t, m = best_of(args.repeats, lambda: multiprocessing_mapreduce(pool, text))
    rows.append({"name": f"Python multiprocessing Pool({N_JOBS}) map-reduce", "seconds": t,
                 "agrees": m == c})
    for r in rows:
        r["mb_per_s"] = len(text) / 1e6 / r["seconds"]

    by_name = {r["name"]: r for r in rows}
    base = by_name["std::unordered_map (serial C++)"]["seconds"]
    counter = by_name["Python collections.Counter(re.findall)"]["seconds"]
    cpu = [r for r in rows if r["name"] in ("tandem openmp", "tandem automatic", "tandem serial")]
    best = min(cpu, key=lambda r: r["seconds"])
    targets = {
        "best CPU backend vs unordered_map >= 1.6x": base / best["seconds"] >= 1.6,
        "best CPU backend vs collections.Counter >= 20x": counter / best["seconds"] >= 20,
    }
    print(f"word count of {len(text) / 1e6:.0f} MB ({cpp['distinct']} distinct words, "
          f"{cpp['total']} in all), {os.cpu_count()} cores, best of {args.repeats}")
    print(f"{'':48} {'seconds':>9} {'MB/s':>8} {'vs map':>7} {'vs Counter':>10}  agrees")
    for r in rows:
        print(f"{r['name']:48} {r['seconds']:9.4f} {r['mb_per_s']:8.1f} {base / r['seconds']:7.2f} "
              f"{counter / r['seconds']:10.1f}  {r['agrees']}")
    for k, ok in targets.items():
        print(f"target {k}: {'met' if ok else 'NOT met'} ({best['name']})")
    ok = all(r["agrees"] for r in rows)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"bytes": len(text), "distinct": cpp["distinct"], "total": cpp["total"],
                       "cores": os.cpu_count(), "rows": rows, "targets": targets}, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
