#!/usr/bin/env bash
# Installs what tandem's build, tests and benchmarks need and a fresh Debian machine may lack.
# Runs apt-get only when something is missing; without root it says what to install instead.
set -euo pipefail
need=()
for pkg in cmake ninja-build g++ libgtest-dev libbenchmark-dev libopenblas-openmp-dev clang libomp-dev \
           nlohmann-json3-dev libcli11-dev python3-venv python3-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "tandem: missing packages (install them as root): ${need[*]}" >&2
    echo "tandem: continuing; without OpenBLAS, f32/f64 matmul uses tandem's own kernel" >&2
    exit 0
  fi
fi
echo "tandem: installing ${need[*]}"
if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         "${need[@]}" >/dev/null; }; then
  echo "tandem: could not install ${need[*]}; continuing with what is there" >&2
fi
