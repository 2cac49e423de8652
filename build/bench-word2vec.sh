#!/usr/bin/env bash
# Word2Vec speed, scale and memory against gensim (and word2vec.c when its binary is given) on the Brown
# corpus concatenated 10 times. word2vec.c is not part of this repository: build it yourself from its
# public source (tmikolov/word2vec: gcc word2vec.c -o word2vec -lm -pthread -O3 -march=native -funroll-loops)
# and pass the binary's path.
# Usage: build/bench-word2vec.sh [path/to/word2vec] [rounds, default 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
w2v="${1:-}"
rounds="${2:-3}"
"$root/build/setup.sh"
need=()
/usr/bin/python3 -c 'import gensim' 2>/dev/null || need+=(python3-gensim)
[[ -x /usr/bin/time ]] || need+=(time)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "bench: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi
x10="$root/datasets/.cache/brown-x10.txt"
if [[ ! -s "$x10" ]]; then
  for _ in $(seq 10); do cat "$root/datasets/.cache/brown.txt"; done > "$x10"
fi
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore
/usr/bin/python3 "$root/build/bench/word2vec_speed.py" "$root" "$root/datasets/.cache/brown.txt" "$x10" "$rounds" "$w2v"
