#!/usr/bin/env bash
# The language-model target of issue 12: a character CTC recogniser trained on Brown sentences spoken by TTS voices,
# tested on other Brown sentences (the corpus's test split) spoken by voices held out from training; greedy decoding
# against prefix beam search fused with a word trigram model built from Brown's training and validation text (the
# test split excluded). Everything through the CLI, seeded.
#   training voices: espeak-ng en-gb, en-gb-scotland, en-gb-x-rp, en-gb-x-gbcwmd, en-029, en-us-nyc (with variants),
#                    flite awb, rms, kal16
#   held out:        espeak-ng en-us, en-us+f2, en-gb-x-gbclan, flite slt
# Usage: build/bench-speech-lm.sh [training sentences (3000)] [test sentences (300)] [epochs (12)] [threads (2)] [beam (32)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
train_count="${1:-3000}"
test_count="${2:-300}"
epochs="${3:-12}"
threads="${4:-2}"
beam="${5:-32}"
"$root/build/setup.sh" > /dev/null
data="$root/datasets/.cache/speech-lm/$train_count-$test_count"
mkdir -p "$data"
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet > /dev/null
cli=(dotnet "$root/src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll")

# Sentences of plain words: lower case, tokens of letters and apostrophes; a sentence with any other word (numbers,
# hyphenated words) is left out, punctuation tokens are dropped. Split, normalised text per line.
awk -F '\t' 'NR > 1 {
  n = split(tolower($3), t, " "); s = ""; k = 0; ok = 1
  for (i = 1; i <= n; i++) {
    if (t[i] !~ /[a-z]/) continue
    if (t[i] !~ /^[a-z'"'"']+$/) { ok = 0; break }
    s = s (k++ ? " " : "") t[i]
  }
  if (ok && k > 0) print $1 "\t" k "\t" s
}' "$root/datasets/.cache/brown-sentences.tsv" > "$data/sentences.tsv"
# The language model's text: every training and validation sentence; the recogniser's: short ones (4-12 words).
awk -F '\t' '$1 != "test" { print $3 }' "$data/sentences.tsv" > "$data/lm.txt"
awk -F '\t' 'BEGIN { srand(1) } $1 == "train" && $2 >= 4 && $2 <= 12 { print rand() "\t" $3 }' "$data/sentences.tsv" \
  | sort -k1,1 | awk -F "\t" -v n="$train_count" 'NR <= n { print $2 }' > "$data/train.txt"
awk -F '\t' 'BEGIN { srand(2) } $1 == "test" && $2 >= 4 && $2 <= 12 { print rand() "\t" $3 }' "$data/sentences.tsv" \
  | sort -k1,1 | awk -F "\t" -v n="$test_count" 'NR <= n { print $2 }' > "$data/test.txt"
echo "$(wc -l < "$data/train.txt") training sentences, $(wc -l < "$data/test.txt") test sentences, $(wc -l < "$data/lm.txt") sentences of language-model text"

train_voices="espeak:en-gb,espeak:en-gb+m3,espeak:en-gb+f4,espeak:en-gb-scotland,espeak:en-gb-scotland+f2,espeak:en-gb-x-rp,espeak:en-gb-x-rp+m1,espeak:en-gb-x-gbcwmd,espeak:en-029,espeak:en-029+f3,espeak:en-us-nyc,espeak:en-us-nyc+m3,flite:awb,flite:rms,flite:kal16"
test_voices="espeak:en-us,espeak:en-us+f2,espeak:en-gb-x-gbclan,flite:slt"
[[ -f "$data/train/transcripts.tsv" ]] || "${cli[@]}" speech-synthesize -i "$data/train.txt" -o "$data/train" -voices "$train_voices" -rate 16000 -seed 1
[[ -f "$data/test/transcripts.tsv" ]] || "${cli[@]}" speech-synthesize -i "$data/test.txt" -o "$data/test" -voices "$test_voices" -rate 16000 -seed 2
[[ -f "$data/brown.arpa" ]] || "${cli[@]}" arpa-build -i "$data/lm.txt" -o "$data/brown.arpa" -order 3

# A validation slice of the training voices' sentences for early stopping; the rest trains.
tail -n 200 "$data/train/transcripts.tsv" > "$data/valid.tsv"
head -n -200 "$data/train/transcripts.tsv" > "$data/fit.tsv"
start=$(date +%s)
"${cli[@]}" speech-train -train "$data/fit.tsv" -valid "$data/valid.tsv" -audio-dir "$data/train" -output "$data/model.zip" \
  -hidden 256 -layers 3 -epochs "$epochs" -batch 16 -patience 3 -threads "$threads" -seed 1
echo "trained in $(( $(date +%s) - start )) s"

cut -f2 "$data/test/transcripts.tsv" > "$data/test-references.txt"
mapfile -t wavs < <(cut -f1 "$data/test/transcripts.tsv" | sed "s|^|$data/test/|")
"${cli[@]}" transcribe -model "$data/model.zip" "${wavs[@]}" | cut -f2 > "$data/greedy.txt"
"${cli[@]}" transcribe -model "$data/model.zip" -beam "$beam" -lm "$data/brown.arpa" "${wavs[@]}" | cut -f2 > "$data/lm-beam.txt"
echo "-- greedy"; "${cli[@]}" wer "$data/test-references.txt" -i "$data/greedy.txt"
echo "-- prefix beam $beam with the Brown trigram model (alpha 0.5, beta 1.0)"; "${cli[@]}" wer "$data/test-references.txt" -i "$data/lm-beam.txt"
