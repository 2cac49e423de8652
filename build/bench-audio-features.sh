#!/usr/bin/env bash
# Log-mel feature throughput, ours (an ML.NET pipeline, one thread) against torchaudio 0.13 (Debian's
# python3-torchaudio over python3-torch on the openmp OpenBLAS, build/bench/pytorch-env.sh) on the same WAV files:
# reading and features, and features alone; best of [rounds] per side, the sides alternating [alternations] times.
# The files: Asterisk's 8 kHz prompts that set-up installs, or the WAVs of [folder] (FSDD: ../shared/data/speech/fsdd).
# Usage: build/bench-audio-features.sh [folder, default the Asterisk prompts] [rounds, default 3] [torch threads, default 1] [alternations, default 2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
folder="${1:-/usr/share/asterisk/sounds/en}"
rounds="${2:-3}"
threads="${3:-1}"
alternations="${4:-2}"
"$root/build/setup.sh" > /dev/null
source "$root/build/bench/pytorch-env.sh"
if ! /usr/bin/python3 -c 'import torchaudio' 2>/dev/null; then
  echo "bench: installing python3-torchaudio"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torchaudio > /dev/null
fi
list="$root/datasets/.cache/bench-audio-features.list"
mkdir -p "$(dirname "$list")"
find -L "$folder" -name '*.wav' | sort > "$list"
dotnet build "$root/build/bench/FeatureSpeed" -c Release --verbosity quiet --no-restore > /dev/null
echo "$(wc -l < "$list") WAV files under $folder; torch threads $threads (GEMM 1024^3: $(gemm) GFLOP/s)"
for round in $(seq "$alternations"); do
  echo "-- ours"; dotnet "$root/build/bench/FeatureSpeed/bin/Release/net10.0/MLNet.Sequence.FeatureSpeed.dll" "$list" "$rounds"
  echo "-- torchaudio"; pytorch "$root/build/bench/torchaudio_features.py" "$list" "$rounds" "$threads"
done
