#!/usr/bin/env bash
# The class-conditional runs of docs/results.md ("Every family, conditional" and "Colour: emoji"):
# DCGAN, the progressive GAN and StyleGAN conditioned on Fashion-MNIST's classes (training split,
# apt-get install dataset-fashion-mnist), and a conditional DCGAN on the emoji at 64x64 RGB, whose
# samples are written back as a labelled dataset and read back by gan dataset. Prints each run's
# wall time; the grids (one row per class) are the last fakes*.png of each folder. About 75
# minutes on two cores. Everything goes into a new folder OUT (default runs/conditional-<time>).
#   examples/conditional.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-runs/conditional-$(date +%Y%m%d-%H%M%S)}"
if [ -e "$OUT" ]; then
  echo "conditional.sh: $OUT exists; give a new folder" >&2
  exit 1
fi
mkdir -p "$OUT"
./gan --version >/dev/null # build first, so that no run's time includes the build

run() { # run NAME ARGS...: one gan command, its output in OUT/NAME.log, its wall time
  local name="$1"
  shift
  local start end
  start=$(date +%s)
  ./gan "$@" >"$OUT/$name.log" 2>&1
  end=$(date +%s)
  echo "$name: $((end - start)) s wall  (./gan $*)"
}

FM=(--data fashion-mnist --conditional --no-progress --metrics 2000)
echo "== conditional DCGAN, progressive GAN and StyleGAN on Fashion-MNIST"
run dcgan train --family dcgan "${FM[@]}" --images "${DCGAN_IMAGES:-300k}" --out "$OUT/dcgan"
run progressive train --family progressive "${FM[@]}" --images "${PROGRESSIVE_IMAGES:-200k}" \
  --out "$OUT/progressive"
run stylegan train --family stylegan "${FM[@]}" --images "${STYLEGAN_IMAGES:-100k}" \
  --out "$OUT/stylegan"
grep -H -E "^FD " "$OUT"/dcgan.log "$OUT"/progressive.log "$OUT"/stylegan.log || true

echo "== emoji at 64x64 RGB: pack, train a conditional DCGAN, write samples back, read them back"
examples/data/emoji.sh "$OUT/emoji64.zip" >"$OUT/emoji-pack.log" 2>&1
tail -n 12 "$OUT/emoji-pack.log"
run emoji train --data "$OUT/emoji64.zip" --family dcgan --conditional --xflip --no-progress \
  --images "${EMOJI_IMAGES:-200k}" --out "$OUT/emoji"
run emoji-generate generate --checkpoint "$OUT/emoji/checkpoint.safetensors" --per-class 20 \
  --out "$OUT/emoji-samples.zip" --no-progress
run emoji-readback dataset --source "$OUT/emoji-samples.zip" --dest "$OUT/emoji-samples-readback"
tail -n 12 "$OUT/emoji-readback.log"

echo "grids:"
for r in dcgan progressive stylegan emoji; do ls "$OUT/$r"/fakes*.png | tail -n 1; done
