#!/usr/bin/env bash
# Seconds per training epoch of the Multi30k translation model, ours against the same model in PyTorch 1.13 on
# OpenBLAS's OpenMP build (DESIGN section 7), one epoch each, alternating within each round, on the same tokens
# (written by the first round of ours), batch size, schedule and threads. The GEMM rate each side reaches is
# printed with every round.
# Usage: build/bench-translation-speed.sh [rounds, default 3] [threads, default 2] [source, default en] [target, default de]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
threads="${2:-2}"
src="${3:-en}"
tgt="${4:-de}"
corpus="${MULTI30K:-$root/../shared/data/translation/multi30k}"
out="$root/datasets/.cache/bench-translation-speed/$src-$tgt"
mkdir -p "$out/pytorch"
"$root/build/setup.sh" > /dev/null
source "$root/build/bench/pytorch-env.sh"
dotnet build "$root/examples/Multi30k" -c Release --verbosity quiet --no-restore > /dev/null
echo "Multi30k $src->$tgt, one epoch per run, $threads threads; PyTorch's BLAS: $openblas (openmp), OPENBLAS_CORETYPE=SkylakeX"
for round in $(seq "$rounds"); do
  log="$out/ours-$round.log"
  dotnet run -c Release --no-build --project "$root/examples/Multi30k" -- "$corpus" --source "$src" --target "$tgt" --epochs 1 \
    --threads "$threads" --dump "$out/tokens" --no-eval > "$log"
  ours=$(sed -n 's/.*epoch 1\/1: .*, \([0-9.]*\) s$/\1/p' "$log")
  our_gemm=$(sed -n 's/.*GEMM 1024^3 on [0-9]* threads: \([0-9]*\) GFLOP.*/\1/p' "$log")
  rate=$(gemm)
  theirs=$(pytorch "$root/build/bench/seq2seq_multi30k.py" "$out/tokens" 1 "$threads" "$out/pytorch" --decode-limit 0 --no-decode | sed -n 's/^epoch 1: .*, \([0-9.]*\) s$/\1/p')
  echo "round $round: ours ${ours} s/epoch (GEMM 1024^3: ${our_gemm} GFLOP/s), PyTorch ${theirs} s/epoch (GEMM 1024^3: ${rate} GFLOP/s), ours/PyTorch $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
