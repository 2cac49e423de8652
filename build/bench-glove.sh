#!/usr/bin/env bash
# GloVe against Stanford's reference tools on the Brown corpus (min count 5, window 10, 100 dims, 15
# iterations, x_max 10, 2 threads). The reference is not part of this repository: build it yourself from
# its public source (stanfordnlp/GloVe: make, or gcc -O3 -march=native -funroll-loops -pthread for
# vocab_count, cooccur, shuffle and glove) and pass the folder holding the four binaries.
# Needs ../shared/data/embeddings for the evaluation sets.
# Usage: build/bench-glove.sh path/to/glove/build [rounds, default 3] [eval-data folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
glove="${1:?give the folder holding the vocab_count, cooccur, shuffle and glove binaries of Stanford GloVe}"
rounds="${2:-3}"
evals="${3:-$root/../shared/data/embeddings}"
"$root/build/setup.sh"
[[ -x /usr/bin/time ]] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time > /dev/null; }
[[ -f "$evals/questions-words.txt" && -f "$evals/wordsim353.tsv" ]] || { echo "bench: evaluation sets not found in $evals" >&2; exit 1; }
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore
/usr/bin/python3 "$root/build/bench/glove_compare.py" "$root" "$root/datasets/.cache/brown.txt" "$evals" "$glove" "$rounds"
