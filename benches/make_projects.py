#!/usr/bin/env python3
"""Makes benchmark projects from the shipped plan.

  make_projects.py DEST --count N [--scale K]

writes N projects DEST/p0001 … each a copy of the shipped data/ whose actions are
repeated K times (new ids and positions), so that the plan has K × 28 actions.

Every project is a different territory: its name and every line of its cells
carry its number, so that no project's layout can be taken from another's (the
compiler memoizes layouts across the documents of a run, as it would for plans
sharing wording, but no two real plans are the same).
"""
import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def territory(text: str, number: int) -> str:
    """Marks every line of the multi-line cells of `text` with the project number."""
    def mark(block: re.Match) -> str:
        lines = [
            line if not line.strip() or line.lstrip().startswith("|") else f"{line} (T{number})"
            for line in block.group(2).split("\n")
        ]
        return block.group(1) + "\n".join(lines) + block.group(3)

    return re.sub(r"('''\n)(.*?)(\n''')", mark, text, flags=re.S)


def scaled_actions(src: Path, dest: Path, scale: int, number: int) -> None:
    for field_dir in sorted((src / "actions").iterdir()):
        files = sorted(field_dir.glob("*.toml"))
        out_dir = dest / "actions" / field_dir.name
        out_dir.mkdir(parents=True, exist_ok=True)
        position = 0
        for copy in range(scale):
            for f in files:
                position += 1
                text = territory(f.read_text(encoding="utf-8"), number)
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
        convention = (src / "convention.toml").read_text(encoding="utf-8")
        convention = re.sub(
            r'^parties = ".*"',
            f'parties = "CAF/Communauté de communes du territoire n° {i}"',
            convention,
            count=1,
            flags=re.M,
        )
        (data / "convention.toml").write_text(convention, encoding="utf-8")
        scaled_actions(src, data, args.scale, i)


if __name__ == "__main__":
    main()
