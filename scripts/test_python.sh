#!/usr/bin/env bash
# Builds and installs the Python package exactly as a user would (`pip install .`, which builds
# libtandem and the extension with scikit-build-core in an isolated environment) into a virtual
# environment, build/venv-py, then runs its tests (tests/python) with pytest.
# Usage: scripts/test_python.sh [pytest arguments...]
#   PYTHON=python3.12 scripts/test_python.sh      another interpreter (default: python3)
#   TANDEM_PIP_ARGS="-Ccmake.define.TANDEM_ENABLE_CUDA=ON" scripts/test_python.sh   with CUDA
# The build folder build/python/<wheel tag> is kept, so a second run recompiles only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
py=${PYTHON:-python3}
venv=build/venv-py
if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "test_python.sh: $py cannot create virtual environments (install python3-venv)" >&2
  exit 1
fi
if ! "$py" -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' 2>/dev/null; then
  echo "test_python.sh: $py has no development headers (install python3-dev)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q pytest
start=$(date +%s)
# shellcheck disable=SC2086  # TANDEM_PIP_ARGS is a list of arguments
"$venv/bin/python" -m pip install -q ${TANDEM_PIP_ARGS:-} .
echo "test_python.sh: pip install . took $(( $(date +%s) - start )) s"
# From outside the source tree, so `import tandem` is the installed package.
set +e
(cd tests/python && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider -rs "$@" .)
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test_python.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
