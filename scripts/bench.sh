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

cmake --preset bench >/dev/null
cmake --build --preset bench
bin=build/bench/bench
mkdir -p "$out"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -z "${TANDEM_PROFILE:-}" ]; then
  export TANDEM_PROFILE=$out/profile.json
  build/bench/cli/tandem calibrate --quick
fi
"$bin/tandem_bench" "$mode" --json "$out/results.json" --commit "$commit" --benchmark_color=false
"$venv/bin/python" bench/notebooks.py --jobs-exe "$bin/tandem_notebook_jobs" --out "$out/notebooks.json"
"$venv/bin/python" bench/report.py "$out/results.json" --notebooks "$out/notebooks.json" --out "$out"
