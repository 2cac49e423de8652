#!/usr/bin/env bash
# The captioning set, seeded: shape scenes (one to three shapes over noisy gradients, 64 x 64 PNG) with 3-5 captions
# each from the scene grammar, into OUT/set-TRAIN-VALIDATION-TEST-SIZE-SEED (OUT: datasets/.cache/scenes): train.tsv, validation/train.tsv and
# test.tsv, whose scenes all hold a colour-shape pair never drawn in training (red circle, green square, blue
# triangle, yellow diamond). Flags after OUT go to examples/ImageCaptioning (--train N --test N --validation N --seed N).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/.cache/scenes}"
shift || true
dotnet run -c Release --project "$here/../examples/ImageCaptioning" -- "$out" --generate-only "$@"
