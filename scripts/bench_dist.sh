#!/usr/bin/env bash
# tandem::dist's benchmark: builds the bench preset's tandem_dist_bench, runs it under mpirun on
# 1 to 4 ranks (ping-pong, strong and weak scaling of mse, sort, word_count and matmul), and
# writes OUT/dist.md (+ OUT/dist.png with matplotlib): the measurements, an alpha-beta fit and a
# model of 16 to 1024 nodes. Needs MPI (scripts/deps.sh installs Open MPI).
# Usage: scripts/bench_dist.sh [--quick | --full] [--out DIR] [--ranks "1 2 3 4"]
#                              [--exe PATH (an already built tandem_dist_bench; no build)]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=--quick
out=build/report
ranks="1 2 3 4"
exe=build/bench/bench/dist/tandem_dist_bench
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick | --full) mode=$1 ;;
    --out) out=$2; shift ;;
    --ranks) ranks=$2; shift ;;
    --exe) exe=$2; build=0; shift ;;
    *) echo "usage: scripts/bench_dist.sh [--quick | --full] [--out DIR] [--ranks LIST] [--exe PATH]" >&2
       exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
if [ "$build" = 1 ]; then
  echo "== building tandem_dist_bench (log: $out/dist_build.log)"
  { cmake --preset bench && cmake --build --preset bench --target tandem_dist_bench; } \
    >"$out/dist_build.log" 2>&1 ||
    { tail -n 30 "$out/dist_build.log" >&2; echo "tandem: the build failed" >&2; exit 1; }
fi
if [ ! -x "$exe" ]; then
  echo "tandem: $exe was not built (is MPI installed? see TANDEM_ENABLE_MPI)" >&2
  exit 1
fi
# Open MPI as root and in containers; more ranks than cores is allowed (and reported as such).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
flags=()
mpirun --version 2>/dev/null | grep -q "Open MPI" && flags+=(--oversubscribe)
runs=()
for np in $ranks; do
  echo "== $np rank(s)"
  mpirun -np "$np" "${flags[@]}" "$exe" "$mode" >"$out/dist_np$np.jsonl"
  runs+=("$out/dist_np$np.jsonl")
done
python=python3
[ -x build/venv/bin/python ] && python=build/venv/bin/python
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
"$python" bench/dist/report.py "${runs[@]}" --out "$out" \
  --load "load average ${load:-unknown} on $(getconf _NPROCESSORS_ONLN) cores"
