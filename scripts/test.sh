#!/usr/bin/env bash
# Builds tandem (CUDA backend too when nvcc is present) and runs the whole test suite.
# Usage: scripts/test.sh [preset]   (presets: default, cpu, noblas, debug, asan, tsan; see CMakePresets.json)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
scripts/deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
