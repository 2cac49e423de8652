#!/usr/bin/env bash
# Time per epoch of the biLSTM sequence classifier, ours (TorchSharp 0.107, libtorch 2.10) against the same
# model in PyTorch (Debian's python3-torch, run with Debian's /usr/bin/python3), on the same data (Brown
# genre training rows), batch size (32), model and threads, alternating within each round.
# PyTorch uses whatever BLAS Debian's alternatives select; this script installs OpenBLAS
# (libopenblas0-pthread) so that it is not held back by the reference BLAS.
# Usage: build/bench-sequence-speed.sh [rounds, default 2] [threads, default 2] [data: genre|spam]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-2}"
threads="${2:-2}"
data="${3:-genre}"
"$root/build/setup.sh"
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
[[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]] || need+=(libopenblas0-pthread)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "bench: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi
file="$root/datasets/.cache/$([[ $data == spam ]] && echo spam.tsv || echo brown-genre.tsv)"
dotnet build "$root/examples/SequenceClassification" -c Release --verbosity quiet --no-restore
echo "data: $file; threads: $threads; BLAS for PyTorch: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
for round in $(seq "$rounds"); do
  ours=$(dotnet run -c Release --no-build --project "$root/examples/SequenceClassification" -- "$root/datasets/.cache" \
    --dataset "$data" --models l --lstm-epochs 1 --threads "$threads" | sed -n 's/.*epoch 1\/1: .*, \([0-9.]*\) s$/\1/p')
  theirs=$(/usr/bin/python3 "$root/build/bench/torch_classifier_speed.py" "$file" 1 "$threads" | sed -n 's/.*epoch 1: .*, \([0-9.]*\) s$/\1/p')
  echo "round $round: ours ${ours} s/epoch, PyTorch ${theirs} s/epoch, ours/PyTorch $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
