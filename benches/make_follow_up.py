#!/usr/bin/env python3
"""Makes a benchmark project for the follow-up workbooks: the shipped plan with
two years of follow-up.

  make_follow_up.py DEST

writes DEST/data: a copy of the shipped data/, and data/suivi/2024.toml and
2025.toml with a state, a progress, a comment of two lines for every action,
and two indicators for every third action.
"""
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES = ["réalisé", "en cours", "non démarré", "reporté", "abandonné", "réorienté"]


def main() -> None:
    dest = Path(sys.argv[1])
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "data", dest / "data")
    ids = sorted(
        re.search(r'^id = "([^"]+)"', path.read_text(encoding="utf-8"), re.M).group(1)
        for path in (dest / "data" / "actions").rglob("*.toml")
    )
    suivi = dest / "data" / "suivi"
    suivi.mkdir()
    for year in (2024, 2025):
        lines = [f"# Suivi {year} (banc d'essai)\n"]
        for n, action in enumerate(ids):
            state = STATES[(n + year) % len(STATES)]
            lines.append(f"\n[actions.{action}]\netat = \"{state}\"\n")
            lines.append(f"avancement = {(n * 7 + year) % 101}\n")
            lines.append(
                f"commentaire = '''\nPoint d'étape {year} de l'action {n + 1}.\n\n"
                f"Réunion du comité technique ; suite en {year + 1}.\n'''\n"
            )
            if n % 3 == 0:
                for name, unit in (("Familles accompagnées", "familles"), ("Réunions", "réunions")):
                    lines.append(
                        f"\n[[actions.{action}.indicateurs]]\nnom = \"{name}\"\n"
                        f"valeur = {n + year - 2000}\nunite = \"{unit}\"\nreference = 0\ncible = 40\n"
                    )
        (suivi / f"{year}.toml").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
