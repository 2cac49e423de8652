#!/usr/bin/env bash
# Word2Vec quality against gensim on the Brown corpus (issue: foundation). Needs ../shared/data/embeddings
# (the Google analogy set and WordSim-353) and Debian's python3-gensim, which it installs if missing.
# Usage: build/bench-word2vec-quality.sh [seeds, default 1,2,3] [eval-data folder]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seeds="${1:-1,2,3}"
evals="${2:-$root/../shared/data/embeddings}"
"$root/build/setup.sh"
if ! /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
  echo "bench: installing Debian's python3-gensim"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-gensim > /dev/null
fi
[[ -f "$evals/questions-words.txt" && -f "$evals/wordsim353.tsv" ]] || { echo "bench: evaluation sets not found in $evals" >&2; exit 1; }
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore
/usr/bin/python3 "$root/build/bench/word2vec_quality.py" "$root" "$root/datasets/.cache/brown.txt" "$evals" "$seeds"
