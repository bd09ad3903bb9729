#!/usr/bin/env bash
# Reruns every run that docs/results.md reports, on the current code, and prints the figures the
# page shows: wall times, FD / KID / precision / recall, modes covered. About 35 minutes on two
# cores. Each run gets a folder under OUT (default runs/results-<time>); an existing folder is
# never reused.
#   examples/results.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-runs/results-$(date +%Y%m%d-%H%M%S)}"
if [ -e "$OUT" ]; then
  echo "results.sh: $OUT exists; give a new folder" >&2
  exit 1
fi
mkdir -p "$OUT"
./gan --version >/dev/null # build first, so that no run's time includes the build

# run NAME ARGS...: one gan command, its output in OUT/NAME.log, its wall time in seconds
run() {
  local name="$1"
  shift
  local start end
  start=$(date +%s)
  ./gan "$@" >"$OUT/$name.log" 2>&1
  end=$(date +%s)
  echo "$name: $((end - start)) s wall  (./gan $*)"
}

metrics() { # the metrics line a training run prints at its end
  grep -E "^FD " "$OUT/$1.log" || echo "(no metrics)"
}

echo "== DCGAN, the default run (./gan train), and the same after one step"
run dcgan-untrained train --images 64 --metrics 2000 --no-progress --out "$OUT/dcgan-untrained"
metrics dcgan-untrained
run dcgan train --no-progress --out "$OUT/dcgan"
metrics dcgan

echo "== class-conditional StyleGAN2 (cpu32), 100k images, and the same after one step"
run sg2-untrained train --family stylegan2 --conditional --images 32 --metrics 2000 --no-progress \
  --out "$OUT/sg2-untrained"
metrics sg2-untrained
run sg2 train --family stylegan2 --conditional --images 100k --snapshot 20k --no-progress \
  --out "$OUT/sg2"
metrics sg2
grep -E "s/kimg" "$OUT/sg2.log" | sed -E 's/.*kimg ([0-9.]+)\/.* ([0-9.]+) s\/kimg.*/  kimg \1: \2 s per thousand images/'

echo "== the 2014 GAN on the 25-Gaussian grid (./gan example vanilla) after 500k, 1M and 2M samples"
for n in 500k 1M 2M; do
  run "vanilla-$n" example vanilla --images "$n" --out "$OUT/vanilla-$n"
  grep -E "^modes covered" "$OUT/vanilla-$n.log"
done

echo "pictures (the docs/images of docs/results.md):"
ls "$OUT"/dcgan/fakes*.png | tail -n 1
echo "$OUT/dcgan/losses.png $OUT/sg2/fakes020000.png $OUT/sg2/fakes100000.png $OUT/vanilla-2M/scatter.png"
