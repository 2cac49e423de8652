#!/usr/bin/env bash
# Word-vector tables of GoogleNews size: a generated 3,000,000 x 300 word2vec binary table (3.4 GiB) loaded,
# saved, applied in an ML.NET pipeline and round-tripped through the model zip, with time and peak RSS of each
# phase, next to gensim's load_word2vec_format / save_word2vec_format on the same file (Debian python3-gensim).
# Needs about 20 GiB of disk in datasets/.cache (the table, its text form, a copy and the zip).
# Usage: build/bench-big-table.sh [rows, default 3000000] [dim, default 300] [rounds, default 2] [text rounds, default 1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-3000000}"
dim="${2:-300}"
rounds="${3:-2}"
text_rounds="${4:-1}"
"$root/build/setup.sh"
if ! /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
  echo "bench: installing python3-gensim"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-gensim > /dev/null
fi
dotnet build "$root/build/bench/BigTable" -c Release --verbosity quiet --no-restore
/usr/bin/python3 "$root/build/bench/big_table.py" "$root" "$root/datasets/.cache" "$rows" "$dim" "$rounds" "$text_rounds"
