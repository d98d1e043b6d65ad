//! Follow-up by spreadsheet, writing the year's file: the values read from
//! the workbooks are set in `data/suivi/<année>.toml` as an officer would edit
//! it, keeping its comments, its layout and the order of its entries; new
//! actions and indicators come after the others.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// A follow-up file being updated.
pub struct FollowUpFile {
    doc: DocumentMut,
    /// The position given to the next new table, after every other.
    next_position: isize,
}

impl FollowUpFile {
    /// The file's text, already checked as follow-up: `Err` only for a text
    /// that this parser reads otherwise than the loader did.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| e.to_string())?;
        let mut last = 0;
        max_position(doc.as_table(), &mut last);
        Ok(Self {
            doc,
            next_position: last + 1,
        })
    }

    /// A new file, with a comment that says what it is.
    pub fn new(year: u16) -> Self {
        let mut doc = DocumentMut::new();
        doc.decor_mut().set_prefix(format!(
            "# Suivi {year} des actions du plan : état, avancement (0 à 100), commentaire\n# et indicateurs de chaque action, par identifiant (voir le README, « Bilan annuel »).\n\n"
        ));
        Self {
            doc,
            next_position: 1,
        }
    }

    /// Sets `key` of the follow-up of action `id` (removes it with `None`),
    /// creating the action's table after the others if need be.
    pub fn set(&mut self, id: &str, key: &str, value: Option<Value>) {
        let position = &mut self.next_position;
        let actions = self.doc.as_table_mut().entry("actions").or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        });
        // Inside `actions = { … }`, an action is an inline table too.
        let inline = actions.is_inline_table();
        let Some(actions) = actions.as_table_like_mut() else {
            return;
        };
        if actions.get(id).is_none() {
            if value.is_none() {
                return;
            }
            let item = if inline {
                Item::Value(Value::InlineTable(InlineTable::new()))
            } else {
                let mut t = Table::new();
                t.set_position(Some(*position));
                *position += 1;
                Item::Table(t)
            };
            actions.insert(id, item);
        }
        let Some(action) = actions.get_mut(id).and_then(Item::as_table_like_mut) else {
            return;
        };
        set_key(action, key, value);
    }

    /// Sets `key` of the indicator `name` of action `id` (whose table exists,
    /// or is created by [`FollowUpFile::set`] before), adding the indicator
    /// after the action's others when it has none of that name.
    pub fn set_indicator(&mut self, id: &str, name: &str, key: &str, value: Option<Value>) {
        let position = &mut self.next_position;
        let Some(item) = self
            .doc
            .get_mut("actions")
            .and_then(Item::as_table_like_mut)
            .and_then(|a| a.get_mut(id))
        else {
            return;
        };
        // An action written as a table gets `[[actions.<id>.indicateurs]]`;
        // an inline one, an inline array.
        let standard = item.is_table();
        let Some(action) = item.as_table_like_mut() else {
            return;
        };
        if action.get("indicateurs").is_none() {
            if value.is_none() {
                return;
            }
            let item = if standard {
                Item::ArrayOfTables(ArrayOfTables::new())
            } else {
                Item::Value(Value::Array(Array::new()))
            };
            action.insert("indicateurs", item);
        }
        let Some(list) = action.get_mut("indicateurs") else {
            return;
        };
        let named = |t: &dyn TableLike| {
            t.get("nom")
                .and_then(Item::as_str)
                .is_some_and(|n| n.trim() == name)
        };
        match list {
            Item::ArrayOfTables(tables) => {
                let index = tables.iter().position(|t| named(t));
                let table = match index {
                    Some(i) => tables.get_mut(i),
                    None => {
                        if value.is_none() {
                            return;
                        }
                        let mut t = Table::new();
                        t.set_position(Some(*position));
                        *position += 1;
                        t.insert("nom", Item::Value(Value::from(name)));
                        tables.push(t);
                        tables.get_mut(tables.len() - 1)
                    }
                };
                if let Some(table) = table {
                    set_key(table, key, value);
                }
            }
            Item::Value(Value::Array(array)) => {
                let index = array
                    .iter()
                    .position(|v| v.as_inline_table().is_some_and(|t| named(t)));
                let index = match index {
                    Some(i) => i,
                    None => {
                        if value.is_none() {
                            return;
                        }
                        let mut t = InlineTable::new();
                        t.insert("nom", Value::from(name));
                        array.push(Value::InlineTable(t));
                        array.len() - 1
                    }
                };
                if let Some(table) = array.get_mut(index).and_then(Value::as_inline_table_mut) {
                    set_key(table, key, value);
                }
            }
            _ => {}
        }
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }
}

/// Sets `key` of `table`, keeping the comments around a value it replaces;
/// removes it with `None`.
fn set_key(table: &mut dyn TableLike, key: &str, value: Option<Value>) {
    match value {
        None => {
            table.remove(key);
        }
        Some(mut value) => {
            if let Some(old) = table.get(key).and_then(Item::as_value) {
                *value.decor_mut() = old.decor().clone();
            }
            table.insert(key, Item::Value(value));
        }
    }
}

fn max_position(table: &Table, last: &mut isize) {
    if let Some(p) = table.position() {
        *last = (*last).max(p);
    }
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => max_position(t, last),
            Item::ArrayOfTables(a) => a.iter().for_each(|t| max_position(t, last)),
            _ => {}
        }
    }
}

/// A text value: a comment on several lines is written between `'''`, as in
/// the README, when its text allows.
pub fn text_value(text: &str) -> Value {
    if text.contains('\n')
        && !text.contains("'''")
        && !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        if let Ok(value) = format!("'''\n{text}\n'''").parse::<Value>() {
            return value;
        }
    }
    Value::from(text)
}

/// A number value: a whole number without a decimal point.
pub fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Suivi 2025, préparé pour le comité.

[actions.a]
etat = "en cours"   # à confirmer
avancement = 40

[[actions.a.indicateurs]]
nom = "Places"
valeur = 10

# La seconde action.
[actions.b]
etat = "reporté"
"#;

    #[test]
    fn values_change_in_place_and_comments_stay() {
        let mut file = FollowUpFile::parse(FILE).unwrap();
        file.set("a", "etat", Some(Value::from("réalisé")));
        file.set("a", "avancement", None);
        file.set_indicator("a", "Places", "valeur", Some(number_value(12.0)));
        let text = file.text();
        assert!(
            text.contains("etat = \"réalisé\"   # à confirmer\n"),
            "{text}"
        );
        assert!(!text.contains("avancement"), "{text}");
        assert!(text.contains("valeur = 12\n"), "{text}");
        assert!(
            text.starts_with("# Suivi 2025, préparé pour le comité."),
            "{text}"
        );
        assert!(text.contains("# La seconde action.\n[actions.b]"), "{text}");
    }

    #[test]
    fn new_actions_and_indicators_come_after_the_others() {
        let mut file = FollowUpFile::parse(FILE).unwrap();
        file.set("c", "etat", Some(Value::from("en cours")));
        file.set("c", "commentaire", Some(text_value("Un.\nDeux.")));
        file.set_indicator("c", "Jeunes", "valeur", Some(number_value(3.5)));
        file.set_indicator("a", "Familles", "valeur", Some(number_value(4.0)));
        let text = file.text();
        let b = text.find("[actions.b]").unwrap();
        let c = text.find("[actions.c]").unwrap();
        assert!(b < c, "{text}");
        assert!(
            text.contains("commentaire = '''\nUn.\nDeux.\n'''"),
            "{text}"
        );
        assert!(
            text.contains("[[actions.c.indicateurs]]\nnom = \"Jeunes\"\nvaleur = 3.5"),
            "{text}"
        );
        // Read back, it is the same data.
        let back: toml::Table = toml::from_str(&text).unwrap();
        let a = &back["actions"]["a"]["indicateurs"];
        assert_eq!(a.as_array().unwrap().len(), 2, "{text}");
    }

    #[test]
    fn a_new_file_lists_the_actions_in_the_order_given() {
        let mut file = FollowUpFile::new(2026);
        file.set("z", "etat", Some(Value::from("en cours")));
        file.set("a", "etat", Some(Value::from("réalisé")));
        let text = file.text();
        assert!(text.starts_with("# Suivi 2026"), "{text}");
        assert!(
            text.find("[actions.z]").unwrap() < text.find("[actions.a]").unwrap(),
            "{text}"
        );
        assert!(!text.contains("[actions]\n"), "{text}");
    }
}
