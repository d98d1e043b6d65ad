"""Ten changes to a copy of the reference plan's data/, one of each kind that
`ctg diff` reports or more: used by benches/diff.sh."""
import os, re, sys

data = sys.argv[1]
actions = os.path.join(data, "actions")

def edit(path, old, new, count=1):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        sys.exit(f"{path}: {old!r} absent")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, count))

conv = os.path.join(data, "convention.toml")
# 1-2. The title and the period.
edit(conv, 'periode = "2023-2027"', 'periode = "2023-2028"')
with open(conv, encoding="utf-8") as f:
    title = re.search(r'^titre = "(.*)"$', f.read(), re.M).group(1)
edit(conv, f'titre = "{title}"', f'titre = "{title} (avenant n° 1)"')
# 3. A signatory added.
with open(conv, "a", encoding="utf-8") as f:
    f.write('\n[[signataires]]\ninstitution = "Commune de Thonnance-lès-Joinville"\nqualite = "Le Maire"\n')
# 4. An action removed.
os.remove(os.path.join(actions, "logement", "02-accompagnement-non-decence.toml"))
# 5. An action added: a copy of another with a new id and position.
src = os.path.join(actions, "jeunesse", "01-groupe-travail-acteurs-locaux.toml")
with open(src, encoding="utf-8") as f:
    text = f.read()
text = re.sub(r'^id = ".*"$', 'id = "jeunesse-conseil-jeunes"', text, count=1, flags=re.M)
text = re.sub(r'^position = \d+$', 'position = 7', text, count=1, flags=re.M)
with open(os.path.join(actions, "jeunesse", "07-conseil-jeunes.toml"), "w", encoding="utf-8") as f:
    f.write(text)
# 6-7. Two cells changed.
p = os.path.join(actions, "petite-enfance", "01-micro-creche-thonnance.toml")
edit(p, "12 places", "14 places")
p = os.path.join(actions, "parentalite", "01-actions-clas.toml")
edit(p, "Recherche de partenaires", "Recherche de partenaires financiers et associatifs")
# 8. An action moved to another position.
p = os.path.join(actions, "jeunesse", "06-garderies-periscolaires-alsh.toml")
edit(p, "position = 6", "position = 8")
# 9. An action renamed, with its former id.
p = os.path.join(actions, "logement", "01-impayes-de-loyers.toml")
with open(p, encoding="utf-8") as f:
    text = f.read()
old_id = re.search(r'^id = "(.*)"$', text, re.M).group(1)
text = text.replace(f'id = "{old_id}"', f'id = "logement-prevention-impayes"\nancien_id = "{old_id}"', 1)
with open(p, "w", encoding="utf-8") as f:
    f.write(text)
# 10. A field renamed.
with open(conv, encoding="utf-8") as f:
    text = f.read()
text = re.sub(r'(id = "logement"\nlibelle = ")([^"]*)"', r'\1\2 et habitat"', text, count=1)
with open(conv, "w", encoding="utf-8") as f:
    f.write(text)
