#!/usr/bin/env bash
# The README's main command: set-up (idempotent), then an example.
# Usage: build/example.sh [word2vec (default) | glove | analysis | classify | tag | lm | dates | captions] [example flags...]
#   word2vec, glove, analysis: the embedding examples on the Brown corpus (under a minute each)
#   classify: Brown genre with the ML.NET baseline, mean of embeddings and a biLSTM (about 10 minutes)
#   tag: Brown part-of-speech tagging with a biLSTM (about 10 minutes)
#   lm: a character model that generates text and a word model that scores sentences (about 15 minutes)
#   dates: date normalisation by an encoder-decoder with attention, greedy and beam search, beam analysis (a few minutes)
#   captions: image captioning of generated shape scenes with held-out colour-shape pairs: ResNet18 retrieval,
#             show and tell, show attend and tell; BLEU, error kinds, attention pictures (about 15 minutes)
# Extra flags go to the example (see the head of its Program.cs), replacing the defaults below.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-word2vec}"
shift || true
cache="$root/datasets/.cache"
case "$what" in
  word2vec) project=Word2VecBrown; input="$cache/brown.txt"; defaults=() ;;
  glove) project=GloVeBrown; input="$cache/brown.txt"; defaults=() ;;
  analysis) project=EmbeddingAnalysis; input="$cache/brown.txt"; defaults=() ;;
  classify) project=SequenceClassification; input="$cache"; defaults=(--dataset genre --models bml --lstm-epochs 3) ;;
  tag) project=SequenceTagging; input="$cache"; defaults=(--epochs 3) ;;
  lm) project=LanguageModelBrown; input="$cache"; defaults=(--char-rows 4000 --char-epochs 2 --word-epochs 2) ;;
  dates) project=DateTranslation; input="$cache"; defaults=() ;;
  captions) project=ImageCaptioning; input="$cache/scenes"; defaults=() ;;
  *) echo "usage: build/example.sh [word2vec | glove | analysis | classify | tag | lm | dates | captions] [example flags...]" >&2; exit 2 ;;
esac
[[ $# -gt 0 ]] && defaults=("$@")
"$root/build/setup.sh"
dotnet run -c Release --project "$root/examples/$project" -- "$input" "${defaults[@]}"
