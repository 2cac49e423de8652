#!/usr/bin/env bash
# Seconds per training step of the default trigger-word model (the course's Conv1d + two GRUs of 128; batches of 16
# ten-second clips of 5,511 frames x 101 spectrogram values, BCE, Adam), ours through TriggerWordTrainer's loop against
# the same step in PyTorch 1.13 on OpenBLAS's OpenMP build (DESIGN section 7), on the same rows, alternating within
# each round; each side trains two epochs of [steps] batches and reports the second, with the GEMM rate it reaches.
# Then the streaming detector's real-time factor on one thread.
# Usage: build/bench-trigger-speed.sh [rounds, default 3] [threads, default 2] [steps, default 10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
threads="${2:-2}"
steps="${3:-10}"
data="$root/datasets/.cache/bench-trigger-speed/$steps"
"$root/build/setup.sh" > /dev/null
source "$root/build/bench/pytorch-env.sh"
dotnet build "$root/build/bench/TriggerStep" -c Release --verbosity quiet --no-restore > /dev/null
ours=(dotnet "$root/build/bench/TriggerStep/bin/Release/net10.0/MLNet.Sequence.TriggerStep.dll")
echo "Trigger-word training step, batch 16 x 5511 x 101, $steps steps per epoch, $threads threads; PyTorch's BLAS: $openblas (openmp), OPENBLAS_CORETYPE=SkylakeX"
for round in $(seq "$rounds"); do
  log="$("${ours[@]}" "$data" "$steps" "$threads")"
  mine=$(sed -n 's/^epoch 2: .*, \([0-9.]*\) s\/step$/\1/p' <<< "$log")
  my_gemm=$(sed -n 's/.*GEMM 1024^3 on [0-9]* threads: \([0-9]*\) GFLOP.*/\1/p' <<< "$log")
  rate=$(gemm)
  theirs=$(pytorch "$root/build/bench/trigger_step.py" "$data" "$steps" "$threads" | sed -n 's/^epoch 2: .*, \([0-9.]*\) s\/step$/\1/p')
  echo "round $round: ours ${mine} s/step (GEMM 1024^3: ${my_gemm} GFLOP/s), PyTorch ${theirs} s/step (GEMM 1024^3: ${rate} GFLOP/s), ours/PyTorch $(awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')"
done
"${ours[@]}" stream 60
