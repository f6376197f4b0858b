#!/usr/bin/env bash
# Builds everything (C# and the native library) and runs every test: ctest for agents/native, then
# every test project of Engine.sln. Ends with one line "N passed, N failed[, N skipped]".
# Usage: bash tests/run-all.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
config=${CONFIGURATION:-Release}
log_dir=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$log_dir"
passed=0 failed=0 skipped=0 status=0

echo "== native library (cmake + ctest)" >&2
if cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >"$log_dir/cmake.log" 2>&1 \
   && cmake --build build/native -j 2 >>"$log_dir/cmake.log" 2>&1; then
  ctest --test-dir build/native --output-on-failure 2>&1 | tee "$log_dir/ctest.log"
  line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$log_dir/ctest.log" | tail -1)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  if [[ -n "$total" && -n "$bad" ]]; then
    passed=$((passed + total - bad)); failed=$((failed + bad))
  else
    echo "ctest printed no summary" >&2; failed=$((failed + 1))
  fi
else
  cat "$log_dir/cmake.log" >&2
  echo "native build failed" >&2; failed=$((failed + 1)); status=1
fi

echo "== dotnet build Engine.sln ($config)" >&2
if ! dotnet build Engine.sln -c "$config" -nologo -v:q 2>&1 | tee "$log_dir/build.log" | grep -E "error|Warn|Elapsed" >&2; then :; fi
if grep -qE "Build FAILED|[1-9][0-9]* Error\(s\)" "$log_dir/build.log"; then
  echo "dotnet build failed" >&2
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
fi

echo "== dotnet test" >&2
dotnet test Engine.sln -c "$config" --no-build -nologo "$@" 2>&1 | tee "$log_dir/test.log"
test_rc=${PIPESTATUS[0]}
projects=$(grep -cE "^(Passed|Failed)!" "$log_dir/test.log" || true)
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(grep -E "^(Passed|Failed)!" "$log_dir/test.log" \
  | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/')
expected=$(find tests -name "*.Tests.csproj" -o -name "Prescient.IntegrationTests.csproj" | wc -l)
if [[ "$projects" -lt "$expected" ]]; then
  echo "only $projects of $expected test projects reported a result (a test host crashed?)" >&2
  failed=$((failed + expected - projects))
fi
if [[ $test_rc -ne 0 && $failed -eq 0 ]]; then
  echo "dotnet test exited $test_rc" >&2; failed=$((failed + 1))
fi

if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 && $status -eq 0 ]]
