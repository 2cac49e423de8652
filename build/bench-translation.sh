#!/usr/bin/env bash
# Multi30k translation, ours (Seq2SeqAttentionTrainer on TorchSharp 0.107 / libtorch 2.10) against the same
# encoder-decoder with attention in PyTorch 1.13 (Debian's python3-torch on OpenBLAS's OpenMP build, DESIGN
# section 7; build/bench/seq2seq_multi30k.py), trained on the same tokens for the same epochs with the same
# batching, optimiser, schedule and threads. Both outputs are scored by the project's sacreBLEU-compatible BLEU
# (13a, detokenised) against test_2016_flickr. Our run also measures batched decoding and the beam analysis on
# val; PyTorch's decodes one sentence at a time. The GEMM rate each side reaches is printed.
# Usage: build/bench-translation.sh [epochs, default 12] [threads, default 2] [source, default en] [target, default de] [pytorch: 1|0]
# The corpus folder is $MULTI30K (default ../shared/data/translation/multi30k).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs="${1:-12}"
threads="${2:-2}"
src="${3:-en}"
tgt="${4:-de}"
with_pytorch="${5:-1}"
corpus="${MULTI30K:-$root/../shared/data/translation/multi30k}"
out="$root/datasets/.cache/bench-translation/$src-$tgt"
mkdir -p "$out/pytorch"
"$root/build/setup.sh" > /dev/null
dotnet build "$root/examples/Multi30k" -c Release --verbosity quiet --no-restore
dotnet build "$root/src/MLNet.Sequence.Cli" -c Release --verbosity quiet --no-restore
cli="$root/src/MLNet.Sequence.Cli/bin/Release/net10.0/mlnet-seq.dll"

echo "== ours: $src -> $tgt, $epochs epochs, $threads threads"
dotnet run -c Release --no-build --project "$root/examples/Multi30k" -- "$corpus" --source "$src" --target "$tgt" --epochs "$epochs" \
  --threads "$threads" --dump "$out/tokens" --out "$out" $([[ $src == en && $tgt == de ]] && echo --analysis) | tee "$out/ours.log"

if [[ $with_pytorch == 1 ]]; then
  source "$root/build/bench/pytorch-env.sh"
  echo "== PyTorch: same model and tokens; GEMM 1024^3: $(gemm) GFLOP/s on $threads threads (openmp OpenBLAS, OPENBLAS_CORETYPE=SkylakeX)"
  pytorch "$root/build/bench/seq2seq_multi30k.py" "$out/tokens" "$epochs" "$threads" "$out/pytorch" | tee "$out/pytorch.log"
  for kind in greedy beam; do
    echo "PyTorch $kind: $(dotnet "$cli" bleu "$out/tokens/test.ref" -i "$out/pytorch/test.$kind" | head -1)"
  done
fi
