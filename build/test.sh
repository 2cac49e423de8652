#!/usr/bin/env bash
# The README's test command: set-up (idempotent), then every test of the solution in Release.
# Ends with a plain "N passed, N failed, N skipped" line summed over the test assemblies.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/build/setup.sh"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test "$root/MLNet.Sequence.sln" -c Release --no-restore "$@" 2>&1 | tee "$log" || status=$?
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1); if ($i == "Skipped:") s += $(i + 1)
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
