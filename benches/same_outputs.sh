#!/usr/bin/env bash
# Builds every project of the repository with two `ctg` programs and compares
# their outputs byte for byte: the reference plan, the review example, each
# fixture that is a project (with a year of follow-up for `mini`, an amendment
# for `versions/v2`), with the Typst sources, a follow-up workbook and the
# open data. Prints one line per project and exits 1 at the first difference.
#
#   bash benches/same_outputs.sh OLD_CTG NEW_CTG
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
old="$(realpath "$1")"
new="$(realpath "$2")"
work="$(mktemp -d)"
[ -n "${KEEP:-}" ] && echo "dossier conservé : $work" || trap 'rm -rf "$work"' EXIT

# name and folder of each project; `mini-suivi` is `mini` with its follow-up.
projects=(
  "reference:$here"
  "bilan-demo:$here/examples/bilan-demo"
  "autre-modele:$here/tests/fixtures/autre-modele"
  "fiche-longue:$here/tests/fixtures/fiche-longue"
  "logos:$here/tests/fixtures/logos"
  "mini:$here/tests/fixtures/mini"
  "mini-suivi:$here/tests/fixtures/mini"
  "versions:$here/tests/fixtures/versions"
)

build() { # program, project folder: every document, then a workbook
  local ctg="$1" root="$2"
  "$ctg" build --root "$root" --typst >/dev/null 2>&1
  local year
  year="$( (ls "$root/data/suivi" 2>/dev/null || true) | sed -n 's/^\([0-9]\{4\}\)\.toml$/\1/p' | tail -1)"
  if [ -n "$year" ]; then
    "$ctg" suivi export "$year" --root "$root" >/dev/null 2>&1
  fi
}

status=0
for entry in "${projects[@]}"; do
  name="${entry%%:*}"
  from="${entry#*:}"
  for side in old new; do
    mkdir -p "$work/$side/$name"
    if [ "$name" = versions ]; then
      cp -r "$from/v1" "$from/v2" "$work/$side/$name/"
    else
      cp -r "$from/data" "$work/$side/$name/"
      # The reference plan's templates are the built-in ones.
      if [ -d "$from/templates" ] && [ "$name" != reference ]; then cp -r "$from/templates" "$work/$side/$name/"; fi
      if [ -d "$from/logos" ]; then cp -r "$from/logos" "$work/$side/$name/"; fi
    fi
    if [ "$name" = mini-suivi ]; then
      mkdir -p "$work/$side/$name/data/suivi"
      cp "$here/tests/fixtures/mini-suivi/2024.toml" "$work/$side/$name/data/suivi/"
    fi
    program="$old"; [ "$side" = new ] && program="$new"
    root="$work/$side/$name"; [ "$name" = versions ] && root="$work/$side/$name/v2"
    build "$program" "$root"
  done
  out_old="$work/old/$name/out"; out_new="$work/new/$name/out"
  if [ "$name" = versions ]; then out_old="$work/old/$name/v2/out"; out_new="$work/new/$name/v2/out"; fi
  count="$(find "$out_new" -type f ! -name ".ctg-*" | wc -l)"
  # The record of what each document was made from holds dates: left out.
  if diff -r -q -x .ctg-documents "$out_old" "$out_new" >"$work/diff-$name" 2>&1; then
    echo "$name : $count fichiers identiques"
  else
    echo "$name : DIFFÉRENCES"
    cat "$work/diff-$name"
    status=1
  fi
done
exit $status
