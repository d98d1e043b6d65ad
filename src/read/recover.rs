//! Reading a file through every serde error: each error is reported, its
//! value replaced by a stand-in, and the file read again, so that one run
//! reports every mistake of a file.
use std::borrow::Cow;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Loaded;
use super::messages::*;
use crate::diag::{Diagnostic, SourceFile};
use crate::read::source::Source;

pub(crate) fn parse_file<T: DeserializeOwned>(
    source: &Source,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    match source.read_text(path) {
        Ok(file) => parse_source(file, diags),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Parses one file's text into `T`, reporting every problem found in it: all
/// syntax errors, or else every unknown key, missing key and wrong type.
pub fn parse_source<T: DeserializeOwned>(
    file: SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loaded<T>> {
    if file.text.trim().is_empty() {
        diags.push(
            Diagnostic::error("le fichier est vide")
                .in_file(&file)
                .hint("supprimez-le ou remplissez-le (voir l'exemple d'action du README)"),
        );
        return None;
    }
    // The parser and serde are dependencies: a panic in them names this file.
    let outcome = crate::diag::guard(&file.name, || deserialize_all::<T>(&file));
    match outcome {
        Ok(Ok(value)) => Some(Loaded { file, value }),
        // Its errors are reported, and the value read without its unknown keys
        // is checked as well.
        Ok(Err((found, mended))) => {
            diags.extend(found);
            mended.map(|value| Loaded { file, value })
        }
        Err(panic) => {
            diags.push(panic.in_file(&file));
            None
        }
    }
}

/// At most this many problems are reported for one file.
pub(crate) const MAX_ERRORS_PER_FILE: usize = 30;

/// Deserialises `T`, collecting every problem rather than stopping at the first.
///
/// serde reports one error at a time, so each one is recorded, then mended in the
/// parsed table (an unknown key is removed, a value of the wrong type or a missing
/// key is replaced by a stand-in), and deserialisation runs again. Stand-ins carry
/// a span past the end of the text, which tells their own errors apart: a stand-in
/// of the wrong type is changed to the next type and never reported.
///
/// The value so mended comes with the errors, so that its checks run too and
/// every mistake of the file is reported in one run; what those checks say of a
/// stand-in is then forgotten ([`forget_stand_ins`]).
pub(crate) fn deserialize_all<T: DeserializeOwned>(
    file: &SourceFile,
) -> Result<T, (Vec<Diagnostic>, Option<T>)> {
    let (table, syntax) = DeTable::parse_recoverable(&file.text);
    if !syntax.is_empty() {
        let mut found: Vec<Diagnostic> = syntax
            .iter()
            .take(MAX_ERRORS_PER_FILE)
            .map(|e| syntax_diagnostic(file, e))
            .collect();
        sort_by_place(&mut found);
        return Err((found, None));
    }
    let root_span = table.span();
    let mut table = table;
    let mut found = Vec::new();
    // Missing keys, by the span of their table: one message per table.
    let mut missing: Vec<(Range<usize>, Vec<String>)> = Vec::new();
    let mut stand_ins = StandIns {
        next: file.text.len() + 1,
    };
    let mut mended_value = None;
    for _ in 0..MAX_ERRORS_PER_FILE * 8 {
        let err = match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(value) if found.is_empty() && missing.is_empty() => return Ok(value),
            Ok(value) => {
                mended_value = Some(value);
                break;
            }
            Err(err) => err,
        };
        let Some(span) = err.span() else {
            found.push(serde_diagnostic(file, &err));
            break;
        };
        let synthetic = span.start > file.text.len();
        let mended = if let Some(key) = quoted_after(err.message(), "missing field ") {
            if !synthetic {
                match missing.iter_mut().find(|(s, _)| *s == span) {
                    Some((_, keys)) => keys.push(key.to_string()),
                    None => missing.push((span.clone(), vec![key.to_string()])),
                }
            }
            let key = key.to_string();
            let stand_in = stand_ins.first();
            table_at(&mut table, root_span.clone(), &span).is_some_and(|t| {
                t.insert(Spanned::new(stand_in.span(), Cow::Owned(key)), stand_in);
                true
            })
        } else if synthetic {
            value_at(table.get_mut(), &span).is_some_and(|v| stand_ins.next_type(v))
        } else {
            found.push(serde_diagnostic(file, &err));
            if quoted_after(err.message(), "unknown field ").is_some() {
                remove_key(table.get_mut(), &span)
            } else {
                let stand_in = stand_ins.first();
                value_at(table.get_mut(), &span).is_some_and(|v| {
                    *v = stand_in;
                    true
                })
            }
        };
        if !mended || found.len() >= MAX_ERRORS_PER_FILE {
            break;
        }
    }
    for (span, keys) in missing {
        let root = root_span == span;
        let described: Vec<(String, String)> = keys
            .into_iter()
            .map(|k| {
                let what = describe_key(&k).to_string();
                (k, what)
            })
            .collect();
        found.push(missing_keys(file, span, root, &described));
    }
    if found.is_empty() {
        // Not mended within the limit: report the first error as it is.
        if let Err(err) = T::deserialize(toml::de::Deserializer::from(table)) {
            found.push(serde_diagnostic(file, &err));
        }
    }
    sort_by_place(&mut found);
    Err((found, mended_value))
}

pub(crate) fn sort_by_place(found: &mut [Diagnostic]) {
    found.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
}

/// Forgets what the checks said of stand-ins: the missing or mistyped values
/// they replace are reported already, and a stand-in has no place in the file
/// to show (its span lies past the end of the text).
pub fn forget_stand_ins(diags: &mut Vec<Diagnostic>) {
    diags.retain(|d| match (&d.file, &d.span) {
        (Some(file), Some(span)) => span.start <= file.text.len(),
        _ => true,
    });
}

/// Values that stand in for a missing or mistyped one while errors are collected.
pub(crate) struct StandIns {
    /// The next span past the end of the text.
    next: usize,
}

impl StandIns {
    /// The types a stand-in takes in turn until it fits.
    const TYPES: [&'static str; 7] = ["\"\"", "0", "0.0", "false", "2000-01-01", "[]", "{}"];

    fn make(&mut self, index: usize) -> Spanned<DeValue<'static>> {
        let span = self.next..self.next;
        self.next += 1;
        let value =
            DeValue::parse(Self::TYPES[index]).map_or(DeValue::Boolean(false), |v| v.into_inner());
        Spanned::new(span, value)
    }

    fn first(&mut self) -> Spanned<DeValue<'static>> {
        self.make(0)
    }

    /// Changes a stand-in to the next type; `false` when none is left.
    fn next_type(&mut self, value: &mut Spanned<DeValue<'_>>) -> bool {
        let index = match value.get_ref() {
            DeValue::String(_) => 1,
            DeValue::Integer(_) => 2,
            DeValue::Float(_) => 3,
            DeValue::Boolean(_) => 4,
            DeValue::Datetime(_) => 5,
            DeValue::Array(_) => 6,
            DeValue::Table(_) => return false,
        };
        *value = self.make(index);
        true
    }
}

/// The table whose span is `span`: the document itself, or a table value in it.
pub(crate) fn table_at<'a, 'i>(
    root: &'a mut Spanned<DeTable<'i>>,
    root_span: Range<usize>,
    span: &Range<usize>,
) -> Option<&'a mut DeTable<'i>> {
    if *span == root_span {
        return Some(root.get_mut());
    }
    table_in(root.get_mut(), span)
}

/// The table value whose span is `span`, at any depth. An array of tables
/// with a single table has that table's span: the table is the one sought.
pub(crate) fn table_in<'a, 'i>(
    table: &'a mut DeTable<'i>,
    span: &Range<usize>,
) -> Option<&'a mut DeTable<'i>> {
    for (_, value) in table.iter_mut() {
        let here = value.span() == *span;
        match value.get_mut() {
            DeValue::Table(t) => {
                if here {
                    return Some(t);
                }
                if let Some(found) = table_in(t, span) {
                    return Some(found);
                }
            }
            DeValue::Array(items) => {
                for item in items.iter_mut() {
                    let here = item.span() == *span;
                    if let DeValue::Table(t) = item.get_mut() {
                        if here {
                            return Some(t);
                        }
                        if let Some(found) = table_in(t, span) {
                            return Some(found);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The value whose span is `span`, at any depth.
pub(crate) fn value_at<'a, 'i>(
    table: &'a mut DeTable<'i>,
    span: &Range<usize>,
) -> Option<&'a mut Spanned<DeValue<'i>>> {
    for (_, value) in table.iter_mut() {
        if value.span() == *span {
            return Some(value);
        }
        if let Some(found) = value_in(value.get_mut(), span) {
            return Some(found);
        }
    }
    None
}

pub(crate) fn value_in<'a, 'i>(
    value: &'a mut DeValue<'i>,
    span: &Range<usize>,
) -> Option<&'a mut Spanned<DeValue<'i>>> {
    match value {
        DeValue::Table(t) => value_at(t, span),
        DeValue::Array(items) => {
            for item in items.iter_mut() {
                if item.span() == *span {
                    return Some(item);
                }
                if let Some(found) = value_in(item.get_mut(), span) {
                    return Some(found);
                }
            }
            None
        }
        _ => None,
    }
}

/// Removes the key whose own span is `span`, at any depth.
pub(crate) fn remove_key(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let key = table
        .iter()
        .map(|(k, _)| k)
        .find(|k| k.span() == *span)
        .cloned();
    if let Some(key) = key {
        return table.remove(&key).is_some();
    }
    table
        .iter_mut()
        .any(|(_, v)| remove_key_in(v.get_mut(), span))
}

pub(crate) fn remove_key_in(value: &mut DeValue<'_>, span: &Range<usize>) -> bool {
    match value {
        DeValue::Table(t) => remove_key(t, span),
        DeValue::Array(items) => items.iter_mut().any(|v| remove_key_in(v.get_mut(), span)),
        _ => false,
    }
}
