#!/usr/bin/env bash
# The comparative benchmark: builds tandem, calibrates automatic's cost model (into
# OUT/profile.json, unless TANDEM_PROFILE names a profile to use), runs the sweep on every
# available backend, automatic with that profile and with the built-in defaults, and the
# notebooks' tools side by side, and writes a Markdown report with PNG plots.
# Usage: scripts/bench.sh [--quick | --full] [--out DIR]   (default: --quick --out build/report)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=--quick
out=build/report
while [ $# -gt 0 ]; do
  case "$1" in
    --quick | --full) mode=$1 ;;
    --out) out=$2; shift ;;
    *) echo "usage: scripts/bench.sh [--quick | --full] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

scripts/deps.sh
# Python side (report plots, the notebooks' numpy/joblib/multiprocessing): a private venv.
venv=build/venv
if ! "$venv/bin/python" -c 'import numpy, matplotlib, joblib' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/requirements.txt
fi

mkdir -p "$out"
echo "== building the bench preset (log: $out/build.log)"
cmake --preset bench >"$out/build.log" 2>&1 && cmake --build --preset bench >>"$out/build.log" 2>&1 ||
  { tail -n 30 "$out/build.log" >&2; echo "tandem: the build failed; see $out/build.log" >&2; exit 1; }
bin=build/bench/bench
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -z "${TANDEM_PROFILE:-}" ]; then
  export TANDEM_PROFILE=$out/profile.json
  echo "== calibrating automatic's cost model into $TANDEM_PROFILE"
  build/bench/cli/tandem calibrate --quick >"$out/calibrate.log"
  tail -n 1 "$out/calibrate.log"
fi
echo "== the sweep: every workload x backend x dtype x size (rows: $out/bench.log)"
"$bin/tandem_bench" "$mode" --json "$out/results.json" --log "$out/bench.log" --commit "$commit"
echo "== the notebooks' jobs side by side (numpy, joblib, multiprocessing)"
"$venv/bin/python" bench/notebooks.py --jobs-exe "$bin/tandem_notebook_jobs" --out "$out/notebooks.json"
echo "== mse and map with every core busy (bounded busy loops), and idle"
"$bin/tandem_load_bench" --out "$out/load.json" >"$out/load.log"
echo "== tandem from Python (pip install . into $venv) beside numpy, joblib, multiprocessing"
"$venv/bin/pip" install -q . >"$out/pip.log" 2>&1 ||
  { tail -n 20 "$out/pip.log" >&2; echo "tandem: pip install . failed; see $out/pip.log" >&2; exit 1; }
"$venv/bin/python" bench/python_bench.py --out "$out/python.json" >"$out/python.log"
echo "== the report"
"$venv/bin/python" bench/report.py "$out/results.json" --notebooks "$out/notebooks.json" \
  --load "$out/load.json" --python "$out/python.json" --out "$out"
if command -v mpirun >/dev/null 2>&1; then
  echo "== tandem::dist over 1-4 MPI ranks (report: $out/dist.md)"
  scripts/bench_dist.sh "$mode" --out "$out" >"$out/dist.log" 2>&1 ||
    echo "tandem: the dist benchmark did not run; see $out/dist.log" >&2
fi
