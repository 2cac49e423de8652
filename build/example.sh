#!/usr/bin/env bash
# The README's main command: set-up (idempotent), then an example on the Brown corpus.
# Usage: build/example.sh [word2vec (default) | glove | analysis]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-word2vec}" in
  word2vec) project=Word2VecBrown ;;
  glove) project=GloVeBrown ;;
  analysis) project=EmbeddingAnalysis ;;
  *) echo "usage: build/example.sh [word2vec | glove | analysis]" >&2; exit 2 ;;
esac
"$root/build/setup.sh"
dotnet run -c Release --project "$root/examples/$project" -- "$root/datasets/.cache/brown.txt"
