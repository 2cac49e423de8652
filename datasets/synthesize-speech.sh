#!/usr/bin/env bash
# Synthetic training speech, seeded: N digit strings (1-7 digits, as words) spoken by espeak-ng and flite voices
# at random rates and pitches with white noise at 5-30 dB SNR, into OUT/*.wav and OUT/transcripts.tsv (8 kHz,
# FSDD's rate). Needs build/setup.sh first (espeak-ng, flite).
# Usage: datasets/synthesize-speech.sh [OUT (datasets/.cache/tts-digits)] [N (2000)] [SEED (1)] [extra speech-synthesize flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/datasets/.cache/tts-digits}"
count="${2:-2000}"
seed="${3:-1}"
shift 3 2>/dev/null || shift $#
mkdir -p "$out"
text="$out/digit-strings.txt"
# awk's srand/rand: a fixed seed gives the same strings on every machine with the same awk.
awk -v n="$count" -v seed="$seed" 'BEGIN {
  split("zero one two three four five six seven eight nine", w, " "); srand(seed)
  for (i = 0; i < n; i++) { k = 1 + int(rand() * 7); s = ""; for (j = 0; j < k; j++) s = s (j ? " " : "") w[1 + int(rand() * 10)]; print s }
}' > "$text"
dotnet run -c Release --project "$root/src/MLNet.Sequence.Cli" -- speech-synthesize -i "$text" -o "$out" -rate 8000 -seed "$seed" "$@"
