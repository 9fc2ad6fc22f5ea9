#!/usr/bin/env bash
# Builds tandem and runs the demo: the notebooks' four jobs on every available backend.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target tandem_demo
build/default/bench/tandem_demo "$@"
