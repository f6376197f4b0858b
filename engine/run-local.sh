#!/usr/bin/env bash
# The main job until the replay lands: build, start an engine and a node agent on this machine
# (loopback), wait for the agent's first telemetry and the first dry-run command, show
# `prescient status`, then stop both. Usage: bash engine/run-local.sh [--json] [--keep]
#   --json  print the status as one JSON document on stdout
#   --keep  leave engine and agent running (their PIDs are printed); stop them with kill
set -euo pipefail
cd "$(dirname "$0")/.."
json=() keep=0
for a in "$@"; do
  case "$a" in
    --json) json=(--json) ;;
    --keep) keep=1 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done
port=${PRESCIENT_PORT:-50051}
state=${PRESCIENT_STATE_DIR:-$PWD/.prescient}
logs=build/local; mkdir -p "$logs" "$state"

echo "building (Release)..." >&2
dotnet build engine/Prescient.Cli -c Release -nologo -v:q >"$logs/build.log" 2>&1 || { cat "$logs/build.log" >&2; exit 1; }
dotnet build agents/Prescient.Agent -c Release -nologo -v:q >>"$logs/build.log" 2>&1 || { cat "$logs/build.log" >&2; exit 1; }
engine_dll=engine/Prescient.Cli/bin/Release/net10.0/prescient.dll
agent_dll=agents/Prescient.Agent/bin/Release/net10.0/prescient-agent.dll

dotnet "$engine_dll" serve --port "$port" --state-dir "$state" >"$logs/engine.log" 2>&1 &
engine_pid=$!
dotnet "$agent_dll" --engine "http://127.0.0.1:$port" --dry-run --interval 2 >"$logs/agent.log" 2>&1 &
agent_pid=$!
if [[ $keep -eq 0 ]]; then
  trap 'kill $agent_pid $engine_pid 2>/dev/null; wait 2>/dev/null' EXIT
fi
echo "engine pid $engine_pid (log $logs/engine.log), agent pid $agent_pid (log $logs/agent.log), port $port" >&2

for _ in $(seq 1 60); do
  sleep 1
  kill -0 $engine_pid 2>/dev/null || { echo "engine exited:" >&2; cat "$logs/engine.log" >&2; exit 1; }
  out=$(dotnet "$engine_dll" status --engine "http://127.0.0.1:$port" --json 2>/dev/null || true)
  if grep -q '"agent_connected": true' <<<"$out" && grep -q '"telemetry_samples_accepted": [1-9]' <<<"$out"; then
    dotnet "$engine_dll" status --engine "http://127.0.0.1:$port" "${json[@]}"
    exit 0
  fi
done
echo "the agent did not report within 60 s; engine log:" >&2; tail -20 "$logs/engine.log" >&2; tail -20 "$logs/agent.log" >&2
exit 1
