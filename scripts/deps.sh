#!/usr/bin/env bash
# Installs what tandem's build, tests and demo need and a fresh Debian machine may lack.
# Runs apt-get only when something is missing; without root it says what to install instead.
set -euo pipefail
need=()
for pkg in cmake ninja-build g++ libgtest-dev libbenchmark-dev libopenblas-openmp-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "tandem: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "tandem: installing ${need[*]}"
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "tandem: missing packages (install them as root): ${need[*]}" >&2
  echo "tandem: continuing; without OpenBLAS, f32/f64 matmul uses tandem's own kernel" >&2
fi
