#!/usr/bin/env bash
# Time per epoch of the biLSTM sequence classifier, ours (TorchSharp 0.107, libtorch 2.10) against the same
# model in PyTorch 1.13 (Debian's python3-torch, run with Debian's /usr/bin/python3), on the same data (Brown
# genre training rows), batch size (32), model and threads, alternating within each round.
# PyTorch runs on OpenBLAS's OpenMP build (build/bench/pytorch-env.sh, DESIGN section 7); the GEMM rate it
# reaches (a 1024^3 product) is printed with every round.
# Usage: build/bench-sequence-speed.sh [rounds, default 3] [threads, default 2] [data: genre|spam]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
threads="${2:-2}"
data="${3:-genre}"
"$root/build/setup.sh"
source "$root/build/bench/pytorch-env.sh"
file="$root/datasets/.cache/$([[ $data == spam ]] && echo spam.tsv || echo brown-genre.tsv)"
dotnet build "$root/examples/SequenceClassification" -c Release --verbosity quiet --no-restore
echo "data: $file; threads: $threads; PyTorch's BLAS: $openblas (openmp), OPENBLAS_CORETYPE=SkylakeX"
for round in $(seq "$rounds"); do
  ours=$(dotnet run -c Release --no-build --project "$root/examples/SequenceClassification" -- "$root/datasets/.cache" \
    --dataset "$data" --models l --lstm-epochs 1 --threads "$threads" | sed -n 's/.*epoch 1\/1: .*, \([0-9.]*\) s$/\1/p')
  rate=$(gemm)
  theirs=$(pytorch "$root/build/bench/torch_classifier_speed.py" "$file" 1 "$threads" | sed -n 's/.*epoch 1: .*, \([0-9.]*\) s$/\1/p')
  echo "round $round: ours ${ours} s/epoch, PyTorch ${theirs} s/epoch (GEMM 1024^3: ${rate} GFLOP/s), ours/PyTorch $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
