#!/usr/bin/env bash
# Benchmarks of ctg, run by hand (not by the tests): cold build of the shipped plan
# beside the Typst CLI on the same source, rebuild time in `ctg watch`, scaling
# with the number of actions and of projects, and peak memory of each; the
# follow-up workbook's export and import.
#
#   benches/run.sh            # all measurements (about 10 minutes on 2 cores)
#   BENCH_DIR=/tmp/x benches/run.sh
#
# Uses GNU time (/usr/bin/time), python3 (compare.py, peak_memory.py), and the
# typst CLI when installed
# (`cargo install typst-cli --version 0.15.1 --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
ctg="$PWD/target/release/ctg"
work="${BENCH_DIR:-/tmp/ctg-bench}"
rm -rf "$work"
mkdir -p "$work"

# "<seconds> s, <peak KiB> KiB" of one run of a command.
measure() {
  /usr/bin/time -f "%e s, pic mémoire %M Kio" "$@" 2>&1 >/dev/null | tail -n 1
}

echo "== Plan de référence : construction à froid (PDF + HTML + Word + données ouvertes), et la CLI Typst sur la même source"
"$ctg" build --root . --out "$work/ref" --typst >/dev/null 2>&1
for _ in 1 2 3; do measure "$ctg" build --root . --out "$work/ref"; done
if command -v typst >/dev/null; then
  typst_cmd="typst compile --ignore-system-fonts --font-path templates/fonts --features a11y-extras --pdf-standard a-2a,ua-1 $work/ref/plan.typ $work/ref/typst.pdf"
  # In alternation, so that a slow spell of the machine weighs on both alike.
  python3 benches/compare.py 60 "exec $ctg build --root . --out $work/ref" "exec $typst_cmd"
  for _ in 1 2 3; do measure $typst_cmd; done
else
  echo "(typst absent : cargo install typst-cli --version 0.15.1 --locked)"
fi

echo "== Plan de référence : part du document Word dans la construction à froid (médianes, étape par étape)"
python3 benches/stages.py 30 "document Word" "exec $ctg build --root . --out $work/ref --timings"

echo "== Reconstruction dans ctg watch après modification d'une cellule"
python3 benches/make_projects.py "$work/watch" --count 1
log="$work/watch.log"
"$ctg" watch --root "$work/watch/p0001" 2>"$log" &
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT
cell=$(ls "$work"/watch/p0001/data/actions/logement/0001-*.toml)
wait_for() { for _ in $(seq 200); do [ "$(grep -c "reconstruit en" "$log")" -ge "$1" ] && return; sleep 0.05; done; }
wait_for 1
sleep 0.5
for i in 1 2 3 4 5; do
  # The line inside the cell's '''…''': the record stays valid.
  sed -i "/^moyens_partenaires = '''/{n;s/.*/CAF, essai $i/}" "$cell"
  wait_for $((i + 1))
  sleep 0.3
done
grep -E "reconstruit en|échec" "$log"
kill $watcher
trap - EXIT

for scale in 1 10 100; do
  echo "== Plan à ${scale}× les actions ($((scale * 28)) actions)"
  python3 benches/make_projects.py "$work/scale$scale" --count 1 --scale "$scale"
  measure "$ctg" build --root "$work/scale$scale/p0001"
  "$ctg" build --root "$work/scale$scale/p0001" --timings 2>&1 | grep -E "ms$"
done

echo "== 50 projets : 1 cœur (taskset) puis tous les cœurs"
python3 benches/make_projects.py "$work/many50" --count 50
python3 benches/compare.py 10 "exec taskset -c 0 $ctg build --root $work/many50" "exec $ctg build --root $work/many50"
python3 benches/peak_memory.py taskset -c 0 "$ctg" build --root "$work/many50"
python3 benches/peak_memory.py "$ctg" build --root "$work/many50"

for count in 100 1000; do
  echo "== $count projets sur tous les cœurs (mémoire de tous les processus)"
  python3 benches/make_projects.py "$work/many$count" --count "$count"
  python3 benches/peak_memory.py "$ctg" build --root "$work/many$count"
done

echo "== Suivi par tableur : plan de référence avec deux années de suivi, classeur 2026 écrit puis relu"
python3 benches/make_follow_up.py "$work/suivi"
s="$work/suivi"
"$ctg" suivi export 2026 --root "$s" >/dev/null 2>&1
# The import writes data/suivi/2026.toml anew each time (the file is removed first).
python3 benches/compare.py 20 "exec $ctg suivi export 2026 --root $s" \
  "rm -f $s/data/suivi/2026.toml; exec $ctg suivi import $s/out/suivi-2026.xlsx --root $s"
