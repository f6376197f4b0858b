#!/usr/bin/env bash
# Builds the bundle that bench/gpu/check.sh runs on a GPU machine without a .NET SDK (and without network):
#   .gpu/dotnet-runtime.tar.gz  the dotnet host, hostfxr and Microsoft.NETCore.App from this machine
#   .gpu/app.tar.gz             bench/Prescient.Bench.Kernels published (framework-dependent, Release, linux-x64 natives only)
#   .gpu/tests.tar.gz           tests/Prescient.Kernels.Tests built (Release), incl. GpuParityTests
#   .gpu/MANIFEST.txt           commit, runtime version, sizes
# .gpu/ is git-ignored (.gitignore and .git/info/exclude); the device tool carries it with `carry: [".gpu"]`.
# Usage: bench/gpu/prepare.sh [--no-onnx]   (--no-onnx leaves ONNX Runtime's 29 MB native library out)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WITH_ONNX=1
[ "${1:-}" = "--no-onnx" ] && WITH_ONNX=0
DOTNET_HOME="$(dirname "$(readlink -f "$(command -v dotnet)")")"
FX_VERSION="$(dotnet --list-runtimes | awk '$1=="Microsoft.NETCore.App"{v=$2} END{print v}')"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
mkdir -p .gpu
rm -f .gpu/*.tar.gz .gpu/MANIFEST.txt

echo "[prepare] building tests and publishing the runner (Release)"
dotnet build tests/Prescient.Kernels.Tests -c Release -nologo -v q
dotnet publish bench/Prescient.Bench.Kernels -c Release -nologo -v q -o "$STAGE/app"
# Keep linux-x64 natives only; TraceEvent's Windows natives (amd64/x86/arm64) are not needed either.
find "$STAGE/app/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
rm -rf "$STAGE/app/amd64" "$STAGE/app/x86" "$STAGE/app/arm64"
rm -f "$STAGE/app/runtimes/linux-x64/native/libcapstone.so"
if [ "$WITH_ONNX" = 0 ]; then
  rm -f "$STAGE/app/runtimes/linux-x64/native/libonnxruntime"*.so
fi
cp -r tests/Prescient.Kernels.Tests/bin/Release/net10.0 "$STAGE/tests"
rm -rf "$STAGE/tests/runtimes"

echo "[prepare] packing runtime $FX_VERSION from $DOTNET_HOME"
tar czf .gpu/dotnet-runtime.tar.gz -C "$DOTNET_HOME" dotnet host/fxr "shared/Microsoft.NETCore.App/$FX_VERSION"
tar czf .gpu/app.tar.gz -C "$STAGE/app" .
tar czf .gpu/tests.tar.gz -C "$STAGE/tests" .
{
  echo "commit $(git rev-parse HEAD)$(git diff --quiet -- gpu-kernels bench/Prescient.Bench.Kernels tests/Prescient.Kernels.Tests || echo ' (+ uncommitted changes)')"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
  echo "runtime Microsoft.NETCore.App $FX_VERSION; onnxruntime native included: $WITH_ONNX"
  du -b .gpu/*.tar.gz
} > .gpu/MANIFEST.txt
cat .gpu/MANIFEST.txt
TOTAL=$(du -cb .gpu/*.tar.gz | awk 'END{print $1}')
echo "[prepare] total $((TOTAL / 1048576)) MiB (the device tool carries at most 64 MiB with the working tree)"
if [ "$TOTAL" -gt $((60 * 1048576)) ]; then
  echo "[prepare] bundle over 60 MiB; rerun with --no-onnx" >&2
  exit 1
fi
