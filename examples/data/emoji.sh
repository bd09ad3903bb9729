#!/usr/bin/env bash
# Packs npm's emoji-datasource-google (MIT; 3,786 colour emoji, 64x64 RGBA) into a labelled
# dataset for gan train: DEST (default runs/data/emoji64.zip), one class per emoji category
# (emoji.json's "category", skin-tone variants with their emoji), transparency composited on
# white. Needs npm and python3; the package is fetched into a temporary folder and never kept.
#
#   examples/data/emoji.sh [DEST.zip]
#   ./gan train --data runs/data/emoji64.zip --conditional --family dcgan
set -euo pipefail
DEST="${1:-runs/data/emoji64.zip}"
VERSION=16.0.0
if [ -e "$DEST" ]; then
  echo "$DEST exists; give another name (nothing is overwritten)" >&2
  exit 1
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "emoji-datasource-google@$VERSION" >/dev/null && tar xzf ./*.tgz)
IMG="$WORK/package/img/google/64"
# dataset.json in ADA's format ([file, class] pairs) plus the class names, beside the pictures
python3 - "$WORK/package/emoji.json" "$IMG" <<'PY'
import json, os, sys
emoji = json.load(open(sys.argv[1], encoding="utf-8"))
folder = sys.argv[2]
category = {}
for e in emoji:
    for v in [e] + list((e.get("skin_variations") or {}).values()):
        category[v["image"]] = e["category"]
files = sorted(f for f in os.listdir(folder) if f.endswith(".png"))
missing = [f for f in files if f not in category]
if missing:
    sys.exit(f"no category for {len(missing)} pictures, e.g. {missing[:3]}")
classes = sorted({category[f] for f in files})
labels = [[f, classes.index(category[f])] for f in files]
json.dump({"labels": labels, "classes": classes}, open(os.path.join(folder, "dataset.json"), "w"))
print(f"{len(files)} pictures in {len(classes)} categories")
PY
mkdir -p "$(dirname "$DEST")"
"$(dirname "$0")/../../gan" dataset --source "$IMG" --dest "$DEST" --channels 3 --background white
