#!/usr/bin/env bash
# GPU check for Prescient.Kernels: runs the kernel tests (incl. GpuParityTests, which must not skip on a GPU
# machine) and `gpu-check` (GPU vs CPU vs reference parity, then GPU timings for N = 1k…1M), and writes
#   check.log  nvidia-smi.txt  tests.log  summary.json  summary.txt
# to $1, else $OUT, else ./gpu-check-out. Meant to finish within 5 minutes on one H100.
#
# With a .NET SDK on the PATH it builds and runs from source. Without one (the GPU machines here have no SDK
# and no network) it runs the bundle made by bench/gpu/prepare.sh in .gpu/: the .NET runtime is unpacked to
# $PRESCIENT_GPU_WORK (default /tmp/prescient-gpu) and the prebuilt runner and tests run on it.
# PRESCIENT_GPU_PREBUILT=1 forces the bundle even where an SDK exists (to rehearse the GPU machine's path).
# Exit code: 0 all passed; otherwise the first failing stage's code (tests, then gpu-check: 3 no usable GPU,
# 4 parity failed, 5 error), 2 when nothing can run.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_DIR="${1:-${OUT:-$ROOT/gpu-check-out}}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
LOG="$OUT_DIR/check.log"
: > "$LOG"
START=$(date +%s)
log() { printf '[check.sh +%3ds] %s\n' "$(( $(date +%s) - START ))" "$*" | tee -a "$LOG"; }
cd "$ROOT"
log "repo $ROOT; results in $OUT_DIR"

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi > "$OUT_DIR/nvidia-smi.txt" 2>&1
  log "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
else
  echo "nvidia-smi not found" > "$OUT_DIR/nvidia-smi.txt"
  log "nvidia-smi not found"
fi

# ILGPU loads the CUDA driver as libcuda.so; some driver installs only register libcuda.so.1.
LIBCUDA="$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/{print $NF; exit}')"
if [ -z "$LIBCUDA" ]; then
  for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64; do
    [ -e "$d/libcuda.so.1" ] && LIBCUDA="$d/libcuda.so.1" && break
  done
fi
if [ -n "$LIBCUDA" ]; then
  LINKDIR="${PRESCIENT_GPU_WORK:-/tmp/prescient-gpu}/cuda-link"
  mkdir -p "$LINKDIR" && ln -sf "$LIBCUDA" "$LINKDIR/libcuda.so"
  export LD_LIBRARY_PATH="$LINKDIR:$(dirname "$LIBCUDA")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "CUDA driver library: $LIBCUDA"
else
  log "no libcuda.so.1 found: expect no CUDA device"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if command -v dotnet >/dev/null 2>&1 && [ "${PRESCIENT_GPU_PREBUILT:-0}" != 1 ]; then
  log "mode: build from source with $(dotnet --version)"
  DOTNET=dotnet
  if ! dotnet build tests/Prescient.Kernels.Tests -c Release -nologo -v q >> "$LOG" 2>&1 \
     || ! dotnet build bench/Prescient.Bench.Kernels -c Release -nologo -v q >> "$LOG" 2>&1; then
    log "build failed (see above)"
    exit 2
  fi
  TESTS_DLL="$ROOT/tests/Prescient.Kernels.Tests/bin/Release/net10.0/Prescient.Kernels.Tests.dll"
  APP_DLL="$ROOT/bench/Prescient.Bench.Kernels/bin/Release/net10.0/Prescient.Bench.Kernels.dll"
else
  if [ ! -f .gpu/dotnet-runtime.tar.gz ] || [ ! -f .gpu/app.tar.gz ] || [ ! -f .gpu/tests.tar.gz ]; then
    log "no dotnet SDK and no bundle in .gpu/: run bench/gpu/prepare.sh where the SDK is, and carry .gpu"
    exit 2
  fi
  WORK="${PRESCIENT_GPU_WORK:-/tmp/prescient-gpu}"
  rm -rf "$WORK/dotnet" "$WORK/app" "$WORK/tests"
  mkdir -p "$WORK/dotnet" "$WORK/app" "$WORK/tests"
  tar xzf .gpu/dotnet-runtime.tar.gz -C "$WORK/dotnet" && tar xzf .gpu/app.tar.gz -C "$WORK/app" \
    && tar xzf .gpu/tests.tar.gz -C "$WORK/tests" || { log "unpacking the bundle failed"; exit 2; }
  export DOTNET_ROOT="$WORK/dotnet"
  DOTNET="$WORK/dotnet/dotnet"
  TESTS_DLL="$WORK/tests/Prescient.Kernels.Tests.dll"
  APP_DLL="$WORK/app/Prescient.Bench.Kernels.dll"
  log "mode: prebuilt bundle, runtime $(ls "$WORK/dotnet/shared/Microsoft.NETCore.App")"
  sed 's/^/  manifest: /' .gpu/MANIFEST.txt | tee -a "$LOG"
fi

log "kernel tests (xunit), GpuParityTests included"
timeout 120 "$DOTNET" "$TESTS_DLL" > "$OUT_DIR/tests.log" 2>&1
TEST_RC=$?
grep -E 'Total:|\[FAIL\]' "$OUT_DIR/tests.log" | sed 's/\x1b\[[0-9;]*m//g' | tee -a "$LOG"
if grep -q 'GpuParityTests.*\[SKIP\]' "$OUT_DIR/tests.log"; then
  log "GpuParityTests SKIPPED: $(grep -A1 'GpuParityTests.*\[SKIP\]' "$OUT_DIR/tests.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -1 | sed 's/^ *//')"
fi
log "tests exit code $TEST_RC"

log "gpu-check: parity and timings"
timeout 240 "$DOTNET" "$APP_DLL" gpu-check --out "$OUT_DIR" 2>&1 | tee -a "$LOG"
CHECK_RC=${PIPESTATUS[0]}
log "gpu-check exit code $CHECK_RC"

RC=0
[ "$TEST_RC" != 0 ] && RC=$TEST_RC
[ "$RC" = 0 ] && [ "$CHECK_RC" != 0 ] && RC=$CHECK_RC
log "done in $(( $(date +%s) - START )) s, exit code $RC"
exit "$RC"
