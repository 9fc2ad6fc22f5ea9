#!/usr/bin/env bash
# Builds tandem (CUDA backend too when nvcc is present) and runs the whole test suite, and with
# the default preset also builds the Python package and runs its tests.
# Usage: scripts/test.sh [preset]   (presets: default, cpu, noblas, debug, asan, tsan; see CMakePresets.json)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
scripts/deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
# The Python package (pip install . in a private virtual environment, then its pytest suite):
# with the default preset, which is the README's test command.
if [ "$preset" = default ]; then
  scripts/test_python.sh
fi
