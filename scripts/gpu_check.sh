#!/usr/bin/env bash
# The GPU check: everything a machine with an NVIDIA GPU (H100, H200) should run, from a build
# made on a machine without one and carried there.
#
#   scripts/gpu_check.sh --prepare [PRESET]   here: build PRESET (default: default, CUDA on,
#                                             sm_80 + sm_90) and pack what the check needs into
#                                             build/PRESET/gpu_carry (binaries, libtandem, the
#                                             CUDA module and the shared libraries a bare GPU
#                                             machine may lack), and that folder into
#                                             build/PRESET/gpu_carry.tar.gz (about 14 MiB: carry
#                                             this one), printing the sizes
#   scripts/gpu_check.sh [OUT_DIR]            there: run the check from the packed folder
#                                             (TANDEM_GPU_CARRY names another; unpacked from
#                                             gpu_carry.tar.gz beside it when absent), logs and
#                                             summary.md into OUT_DIR (default gpu-check-out)
#
# The check: `tandem info`; the GPU tests and the pipeline tests with TANDEM_REQUIRE_GPU=1 (a
# skip for "cuda is unavailable" is a failure); compute-sanitizer memcheck and racecheck over them (where the
# tool is installed and supports the device); the GPU benchmarks (tandem_bench, references and
# cuda runs); TANDEM_VERIFY=1 `tandem run` of every workload and dtype on cuda. About 8 minutes
# at most. Writes at most 7 files. Exits 0 when every test and run passed, 1 when one failed,
# 2 when there is no GPU or nothing packed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# ---- --prepare: build and pack, on the build machine ---------------------------------------
if [ "${1:-}" = "--prepare" ]; then
  set -e
  preset=${2:-default}
  cd "$root"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" --target tandem_gpu_tests tandem_pipeline_tests tandem_cuda \
    tandem_cli tandem_bench
  build=$root/build/$preset
  [ -f "$build/common/libtandem_cuda.so" ] || {
    echo "gpu_check: $build has no CUDA module (libtandem_cuda.so): is nvcc installed?" >&2
    exit 2
  }
  carry=$build/gpu_carry
  rm -rf "$carry"
  mkdir -p "$carry/bin" "$carry/lib"
  cp "$build/tests/tandem_gpu_tests" "$build/tests/tandem_pipeline_tests" "$build/cli/tandem" \
    "$build/bench/tandem_bench" "$carry/bin/"
  cp -L "$build/common/libtandem.so.0" "$build/common/libtandem_cuda.so" "$carry/lib/"
  ln -sf libtandem.so.0 "$carry/lib/libtandem.so"
  # Every shared library they load, except the C library's own (always there) and CUDA's
  # (the GPU machine's toolkit and driver): OpenBLAS, gfortran, libgomp, Google Benchmark,
  # libstdc++ (Google Test is linked statically).
  for f in "$carry"/bin/* "$carry"/lib/libtandem.so.0; do ldd "$f"; done |
    awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u |
    while read -r name path; do
      case "$name" in
        libc.so* | libm.so* | libdl.so* | librt.so* | libpthread.so* | ld-linux* | libcuda.so* | \
          libcublas* | libcudart* | libtandem*) ;;
        *) cp -L "$path" "$carry/lib/$name" ;;
      esac
    done
  strip --strip-unneeded "$carry"/bin/* "$carry"/lib/*.so* 2>/dev/null || true
  git -C "$root" rev-parse HEAD >"$carry/COMMIT" 2>/dev/null || echo unknown >"$carry/COMMIT"
  git -C "$root" diff --quiet 2>/dev/null || echo "(with uncommitted changes)" >>"$carry/COMMIT"
  tar -C "$build" -czf "$carry.tar.gz" gpu_carry
  du -sh "$carry" "$carry.tar.gz"
  ls -l "$carry/lib"
  echo "carry build/$preset/gpu_carry.tar.gz (with the working tree) and run" \
    "scripts/gpu_check.sh OUT_DIR there"
  exit 0
fi

# ---- the check, on the GPU machine -----------------------------------------------------------
out=${1:-gpu-check-out}
carry=${TANDEM_GPU_CARRY:-$root/build/default/gpu_carry}
start=$(date +%s)

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu_check: no GPU here: nvidia-smi is absent (no NVIDIA driver)" >&2
  exit 2
fi
if ! gpus=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1) ||
  [ -z "$gpus" ]; then
  echo "gpu_check: no GPU here: nvidia-smi sees no device (${gpus:-no output})" >&2
  exit 2
fi
if [ ! -x "$carry/bin/tandem_gpu_tests" ] && [ -f "$carry.tar.gz" ]; then
  tar -C "$(dirname "$carry")" -xzf "$carry.tar.gz"
fi
if [ ! -x "$carry/bin/tandem_gpu_tests" ]; then
  echo "gpu_check: nothing packed in $carry: run scripts/gpu_check.sh --prepare on the build" \
    "machine and carry that folder" >&2
  exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary=$out/summary.md

# cuBLAS (dlopened by the module): the toolkit's, or the pip wheel's.
cublas_dir=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-*/lib64 \
  $(python3 -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "lib"))' \
    2>/dev/null); do
  if ls "$d"/libcublas.so.* >/dev/null 2>&1; then
    cublas_dir=$d
    break
  fi
done
export LD_LIBRARY_PATH="$carry/lib${cublas_dir:+:$cublas_dir}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export TANDEM_PROFILE="$out/no-profile.json"  # absent: automatic's built-in defaults
unset TANDEM_BACKEND TANDEM_CUDA_MODULE
bin=$carry/bin
failed=0
declare -a rows

# Runs a step with a time limit, cut to what is left of the whole check's 470 s; records
# "name | status | seconds" for the summary.
budget=470
step() {
  local name=$1 limit=$2 log=$3
  shift 3
  local t0 rc left
  left=$((budget - ($(date +%s) - start)))
  if [ "$left" -lt 5 ]; then
    rows+=("| $name | SKIPPED: the check's time is up | 0 |")
    return 1
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  t0=$(date +%s)
  echo "=== $name ($(date -u +%H:%M:%S), limit ${limit}s): $*" >>"$log"
  timeout --signal=KILL "$limit" "$@" >>"$log" 2>&1
  rc=$?
  local status=passed
  if [ "$rc" -eq 137 ]; then
    status="TIMED OUT after ${limit}s"
  elif [ "$rc" -ne 0 ]; then
    status="FAILED (exit $rc)"
  fi
  echo "=== $name: $status" >>"$log"
  rows+=("| $name | $status | $(($(date +%s) - t0)) |")
  return "$rc"
}

step "tandem info" 30 "$out/info.log" "$bin/tandem" info || failed=1

# The GPU tests: every one must run on the GPU (TANDEM_REQUIRE_GPU=1).
step "GPU tests" 170 "$out/gpu_tests.log" env TANDEM_REQUIRE_GPU=1 "$bin/tandem_gpu_tests" ||
  failed=1

# The chunked pipeline of host-data map and mse (gpu/pipeline.hpp): bits against serial, host
# against device operands, on the GPU.
if [ -x "$bin/tandem_pipeline_tests" ]; then
  step "pipeline tests" 60 "$out/gpu_tests.log" env TANDEM_REQUIRE_GPU=1 \
    "$bin/tandem_pipeline_tests" --gtest_filter=Pipeline.* || failed=1
fi

# compute-sanitizer over the GPU tests, without the ones that fill the device or need 2^31
# elements (far too slow under the tool).
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null |
  head -1)
if [ -n "$sanitizer" ]; then
  quick='-GpuLarge.*:GpuFaults.FullDevice*'
  step "memcheck" 100 "$out/sanitizer.log" "$sanitizer" --tool memcheck --error-exitcode 99 \
    env TANDEM_REQUIRE_GPU=1 "$bin/tandem_gpu_tests" --gtest_filter="$quick" || failed=1
  step "racecheck" 60 "$out/sanitizer.log" "$sanitizer" --tool racecheck --error-exitcode 99 \
    env TANDEM_REQUIRE_GPU=1 "$bin/tandem_gpu_tests" \
    --gtest_filter='GpuDevice.Matmul*:GpuDevice.Mse*:GpuDevice.PolynomialGrid*' || failed=1
  if grep -q "Device not supported" "$out/sanitizer.log"; then
    rows+=("| (compute-sanitizer) | refused the device (\"Device not supported\"): not run | 0 |")
  fi
else
  echo "compute-sanitizer is not installed here (it ships with the CUDA toolkit): skipped" |
    tee "$out/sanitizer.log"
  rows+=("| memcheck, racecheck | skipped: compute-sanitizer absent | 0 |")
fi

step "GPU benchmarks" 150 "$out/bench.log" "$bin/tandem_bench" --quick \
  --benchmark_filter='^ref/(kernel_launch|d2d_copy_bw|h2d_bw|d2h_bw|cublas_gemm)|/cuda' --json "$out/bench.json" || failed=1
if grep -q "Failed to match any benchmarks" "$out/bench.log"; then  # cuda not registered
  rows+=("| GPU benchmarks | FAILED: no GPU benchmark ran (is cuda available?) | 0 |")
  failed=1
fi

# TANDEM_VERIFY=1: each call on cuda is checked against the serial backend.
vlog=$out/verify.log
: >"$vlog"
for w in map matmul polynomial_grid mse; do
  for d in f32 f64 i32 i64; do
    if [ "$w" = mse ] && { [ "$d" = i32 ] || [ "$d" = i64 ]; }; then continue; fi
    step "verify $w $d" 30 "$vlog" env TANDEM_VERIFY=1 "$bin/tandem" run "$w" --backend cuda \
      --dtype "$d" --repeat 3 || failed=1
  done
done

# ---- summary ----------------------------------------------------------------------------------
{
  echo "# tandem GPU check"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(tr '\n' ' ' <"$carry/COMMIT" 2>/dev/null || echo unknown)"
  echo "- GPU (name, driver, memory): $gpus"
  echo "- cuBLAS from: ${cublas_dir:-the library search path}"
  echo "- compute-sanitizer: ${sanitizer:-absent}"
  echo "- tandem info, cuda: $(grep -m1 -i 'cuda' "$out/info.log" 2>/dev/null)"
  echo "- total: $(($(date +%s) - start)) s"
  echo
  echo "| step | result | seconds |"
  echo "| --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "## GPU tests"
  echo
  grep -E '^\[  (PASSED|FAILED|  SKIPPED) ' "$out/gpu_tests.log" | sed 's/^/    /'
  echo
  echo "## Benchmarks (median real time)"
  echo
  if [ -s "$out/bench.json" ] && command -v python3 >/dev/null 2>&1; then
    python3 - "$out/bench.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
print("| benchmark | time | unit | bytes/s | flop/s |")
print("| --- | --- | --- | --- | --- |")
for b in data.get("benchmarks", []):
    if b.get("aggregate_name") not in (None, "median"): continue
    if b.get("run_type") == "iteration" and any(
        x.get("aggregate_name") == "median" for x in data["benchmarks"]): continue
    bps = b.get("bytes_per_second", ""); fps = b.get("flops", b.get("flop_per_second", ""))
    fmt = lambda v: f"{v:.3g}" if isinstance(v, (int, float)) else v
    print(f"| {b['name']} | {b.get('real_time', 0):.4g} | {b.get('time_unit', '')} | "
          f"{fmt(bps)} | {fmt(fps)} |")
EOF
  else
    echo "(no benchmark results: see bench.log)"
  fi
  echo
  echo "## TANDEM_VERIFY=1 runs"
  echo
  grep -E '^(=== verify|median|checksum|result)' "$vlog" | sed 's/^/    /'
} >"$summary"
cat "$summary"
exit "$failed"
