#!/usr/bin/env python3
"""Makes benchmark projects from the shipped plan.

  make_projects.py DEST --count N [--scale K]

writes N projects DEST/p0001 … each a copy of the shipped data/ whose actions are
repeated K times (new ids and positions), so that the plan has K × 28 actions.
"""
import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scaled_actions(src: Path, dest: Path, scale: int) -> None:
    for field_dir in sorted((src / "actions").iterdir()):
        files = sorted(field_dir.glob("*.toml"))
        out_dir = dest / "actions" / field_dir.name
        out_dir.mkdir(parents=True, exist_ok=True)
        position = 0
        for copy in range(scale):
            for f in files:
                position += 1
                text = f.read_text(encoding="utf-8")
                text = re.sub(r'^id = "([^"]+)"', lambda m: f'id = "{m.group(1)}-{copy}"', text, count=1, flags=re.M)
                text = re.sub(r"^position = \d+", f"position = {position}", text, count=1, flags=re.M)
                (out_dir / f"{position:04d}-{f.stem[3:]}.toml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dest", type=Path)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    src = ROOT / "data"
    args.dest.mkdir(parents=True, exist_ok=True)
    for i in range(1, args.count + 1):
        project = args.dest / f"p{i:04d}"
        data = project / "data"
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
        shutil.copy(src / "convention.toml", data / "convention.toml")
        scaled_actions(src, data, args.scale)


if __name__ == "__main__":
    main()
