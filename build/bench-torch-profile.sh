#!/usr/bin/env bash
# Where the time goes, ours (TorchSharp 0.107, libtorch 2.10) next to PyTorch 1.13 on the openmp OpenBLAS
# (build/bench/pytorch-env.sh): one epoch of the speed benchmark's biLSTM classifier phase by phase, and the
# per-call cost of small operations and of one step of a recurrent decoder. Alternating, [rounds] rounds.
# Usage: build/bench-torch-profile.sh [rounds, default 2] [threads, default 2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-2}"
threads="${2:-2}"
"$root/build/setup.sh"
source "$root/build/bench/pytorch-env.sh"
dotnet build "$root/build/bench/TorchProfile" -c Release --verbosity quiet --no-restore
ours=(dotnet "$root/build/bench/TorchProfile/bin/Release/net10.0/MLNet.Sequence.TorchProfile.dll")
genre="$root/datasets/.cache/brown-genre.tsv"
for round in $(seq "$rounds"); do
  echo "== round $round (PyTorch GEMM 1024^3: $(gemm) GFLOP/s)"
  echo "-- ours, epoch"; "${ours[@]}" epoch "$genre" "$threads"
  echo "-- PyTorch, epoch"; pytorch "$root/build/bench/torch_profile.py" epoch "$genre" "$threads"
  echo "-- ours, calls"; "${ours[@]}" calls "$threads"
  echo "-- PyTorch, calls"; pytorch "$root/build/bench/torch_profile.py" calls "$threads"
done
