#!/usr/bin/env bash
# Word2Vec speed of this checkout's mlnet-seq against another build of it (an earlier commit), alternating
# within each round, on the Brown corpus concatenated 10 times: the check that a change kept the speed.
# Build the other one in a worktree first, for instance:
#   git worktree add /tmp/before d946420 && dotnet build /tmp/before/src/MLNet.Sequence.Cli -c Release
#   build/bench-word2vec-versions.sh /tmp/before/src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll
# Usage: build/bench-word2vec-versions.sh OTHER/mlnet-seq.dll [rounds, default 3] [threads, default 2] [configs: all | sg | cbow | hs]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
other="$1"
rounds="${2:-3}"
threads="${3:-2}"
which="${4:-all}"
"$root/build/setup.sh" > /dev/null
x10="$root/datasets/.cache/brown-x10.txt"
if [[ ! -s "$x10" ]]; then
  for _ in $(seq 10); do cat "$root/datasets/.cache/brown.txt"; done > "$x10"
fi
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore > /dev/null
ours="$root/src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
rate() { sed -n 's/.*Words\/sec: \([0-9]*\) .*/\1/p'; }
configs=()
[[ $which == all || $which == sg ]] && configs+=("-cbow 0 -negative 5 -hs 0")
[[ $which == all || $which == cbow ]] && configs+=("-cbow 1 -negative 5 -hs 0")
[[ $which == all || $which == hs ]] && configs+=("-cbow 0 -negative 0 -hs 1")
for config in "${configs[@]}"; do
  for round in $(seq "$rounds"); do
    common=(word2vec -train "$x10" -output "$out/v.bin" -binary 1 -size 100 -window 5 -sample 1e-3 -min-count 5 -iter 1 -alpha 0.025 -threads "$threads")
    this=$(dotnet "$ours" "${common[@]}" $config 2>/dev/null | rate)
    that=$(dotnet "$other" "${common[@]}" $config 2>/dev/null | rate)
    echo "$config  round $round: this ${this} words/s, other ${that} words/s, this/other $(awk -v a="$this" -v b="$that" 'BEGIN { printf "%.2f", a / b }')"
  done
done
