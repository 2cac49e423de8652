#!/usr/bin/env bash
# The README's main command: set-up (idempotent), then the Word2Vec example on the Brown corpus.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/build/setup.sh"
dotnet run -c Release --project "$root/examples/Word2VecBrown" -- "$root/datasets/.cache/brown.txt" "$@"
