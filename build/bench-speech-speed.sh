#!/usr/bin/env bash
# Seconds per training step of the speech issue's CTC model (conv front end, 3-layer biGRU 256, CTC; batch 16 x 300
# frames x 80 features, targets of 20-45 symbols), ours through CtcSpeechTrainer's loop against the same step in
# PyTorch 1.13 on OpenBLAS's OpenMP build (DESIGN section 7), on the same rows, alternating within each round. Each
# side trains two epochs of [steps] batches and reports the second; the GEMM rate each side reaches is printed.
# Usage: build/bench-speech-speed.sh [rounds, default 3] [threads, default 2] [steps, default 30]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
threads="${2:-2}"
steps="${3:-30}"
data="$root/datasets/.cache/bench-speech-speed/$steps"
"$root/build/setup.sh" > /dev/null
source "$root/build/bench/pytorch-env.sh"
dotnet build "$root/build/bench/SpeechStep" -c Release --verbosity quiet --no-restore > /dev/null
ours=(dotnet "$root/build/bench/SpeechStep/bin/Release/net10.0/MLNet.Sequence.SpeechStep.dll")
echo "CTC training step, batch 16 x 300 x 80, $steps steps per epoch, $threads threads; PyTorch's BLAS: $openblas (openmp), OPENBLAS_CORETYPE=SkylakeX"
for round in $(seq "$rounds"); do
  log="$("${ours[@]}" "$data" "$steps" "$threads")"
  mine=$(sed -n 's/^epoch 2: .*, \([0-9.]*\) s\/step$/\1/p' <<< "$log")
  my_gemm=$(sed -n 's/.*GEMM 1024^3 on [0-9]* threads: \([0-9]*\) GFLOP.*/\1/p' <<< "$log")
  rate=$(gemm)
  theirs=$(pytorch "$root/build/bench/ctc_step.py" "$data" "$steps" "$threads" | sed -n 's/^epoch 2: .*, \([0-9.]*\) s\/step$/\1/p')
  echo "round $round: ours ${mine} s/step (GEMM 1024^3: ${my_gemm} GFLOP/s), PyTorch ${theirs} s/step (GEMM 1024^3: ${rate} GFLOP/s), ours/PyTorch $(awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
