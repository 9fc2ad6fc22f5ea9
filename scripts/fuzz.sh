#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan) and runs every fuzz target for its
# share of SECONDS (default 60), starting from the committed corpus in fuzz/corpus/<target>.
# New interesting inputs go to build/fuzz-corpus/<target>, logs and any crashing input to
# build/fuzz-artifacts/. Exits non-zero on the first finding.
# Usage: scripts/fuzz.sh [SECONDS]      e.g. scripts/fuzz.sh 3600 for a long run
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=(map matmul polynomial_grid mse map_reduce sort word_count backend cli profile)
share=$(( seconds / ${#targets[@]} ))
[ "$share" -ge 1 ] || share=1
scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
# libomp keeps its thread pool's descriptors for the process's life (see fuzz/lsan.supp).
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp"
mkdir -p build/fuzz-artifacts
total=0
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz-corpus/$t" "fuzz/corpus/$t"
  log="build/fuzz-artifacts/$t.log"
  if ! build/fuzz/fuzz/fuzz_"$t" "build/fuzz-corpus/$t" "fuzz/corpus/$t" \
      -max_total_time="$share" -timeout=20 -print_final_stats=1 \
      -artifact_prefix=build/fuzz-artifacts/ \
      >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz_$t: FINDING (input saved under build/fuzz-artifacts/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  total=$(( total + runs ))
  echo "fuzz_$t: ${share} s, ${runs} executions, no finding"
done
echo "fuzz: ${#targets[@]} targets, $(( share * ${#targets[@]} )) s, ${total} executions, no finding"
