#!/usr/bin/env bash
# t-SNE against scikit-learn's Barnes-Hut TSNE (Debian python3-sklearn, which it installs if missing).
# Usage: build/bench-tsne.sh [iterations, default 1000] [word vectors file for the word map] [top, default 2500]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iterations="${1:-1000}"
words="${2:-}"
top="${3:-2500}"
"$root/build/setup.sh"
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  echo "bench: installing Debian's python3-sklearn"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-sklearn > /dev/null
fi
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore
/usr/bin/python3 "$root/build/bench/tsne_compare.py" "$root" "$iterations" "$words" "$top"
