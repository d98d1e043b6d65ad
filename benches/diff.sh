#!/usr/bin/env bash
# `ctg diff` of the reference plan against a version with ten changes, read
# from a folder and from a git revision. Prepares both in a temporary folder
# (with the `git` tool, for the bench only: ctg itself reads the repository),
# then times each form over several runs and prints the median.
#
#   bash benches/diff.sh [RUNS]       (after `cargo build --release`)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
ctg="$here/target/release/ctg"
runs="${1:-21}"
work="$(mktemp -d)"
[ -n "${KEEP:-}" ] && echo "dossier conservé : $work" || trap 'rm -rf "$work"' EXIT

# The signed version, and a copy with ten changes.
mkdir -p "$work/projet" "$work/ancien"
cp -r "$here/data" "$work/ancien/"
cp -r "$here/data" "$work/projet/"
python3 "$here/benches/ten_changes.py" "$work/projet/data"

# The same two versions as commits of a repository: v1.0, then the changes.
repo="$work/depot"
mkdir -p "$repo"
cp -r "$work/ancien/data" "$repo/"
git -C "$repo" init -q
git -C "$repo" -c user.name=bench -c user.email=bench@exemple.fr add data
git -C "$repo" -c user.name=bench -c user.email=bench@exemple.fr commit -qm "plan signé"
git -C "$repo" tag v1.0
rm -rf "$repo/data" && cp -r "$work/projet/data" "$repo/"
git -C "$repo" -c user.name=bench -c user.email=bench@exemple.fr add -A data
git -C "$repo" -c user.name=bench -c user.email=bench@exemple.fr commit -qm "dix changements"

"$ctg" diff ../ancien --root "$work/projet" > "$work/folder.txt" || true
"$ctg" diff v1.0 HEAD --root "$repo" > "$work/git.txt" || true
head -1 "$work/folder.txt"
cmp "$work/folder.txt" <(sed 's/la révision `v1.0` (commit [0-9a-f]*)/le dossier `..\/ancien`/; s/la révision `HEAD` (commit [0-9a-f]*)/le projet/' "$work/git.txt") \
  && echo "mêmes changements depuis git et depuis un dossier"

median() {
  local label="$1"; shift
  python3 - "$label" "$runs" "$@" <<'PY'
import subprocess, sys, time, statistics
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{label}: médiane {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}, {runs} exécutions)")
PY
}
median "ctg diff, dossier" "$ctg" diff ../ancien --root "$work/projet"
median "ctg diff, git    " "$ctg" diff v1.0 HEAD --root "$repo"
