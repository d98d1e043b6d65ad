//! Follow-up by spreadsheet, writing: `ctg suivi export ANNÉE` lays out the
//! year's workbook, one row per action in the plan's order and one row per
//! indicator, pre-filled and protected so that only the cells to fill in take
//! input, ready to send and to print.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook,
    Worksheet, XlsxError,
};

use super::{
    Column, FOLLOW_UP_COLUMNS, HEADER_ROW, INDICATOR_COLUMNS, INDICATORS_SHEET, Prefill,
    cell_text, field_labels, follow_up_sheet, load_project, prefill,
};
use crate::diag::{Diagnostic, Failure};
use crate::import::names::loose;
use crate::model::{Action, Plan};
use crate::review::State;

/// The pre-filled values, by action id.
type Prefills<'a> = std::collections::BTreeMap<String, Prefill<'a>>;
use crate::scaffold::Outcome;
use crate::text::count;

/// What `ctg suivi export` writes.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub root: PathBuf,
    pub year: u16,
    /// The fields whose actions the workbook holds (ids or labels); all when empty.
    pub fields: Vec<String>,
    /// The workbook's path; `out/suivi-ANNÉE.xlsx` (`suivi-ANNÉE-<champ>.xlsx`
    /// with fields chosen) under the root when `None`.
    pub out: Option<PathBuf>,
}

/// Empty rows left at the bottom of the indicators' sheet for new indicators.
pub const NEW_INDICATOR_ROWS: u32 = 20;

/// Writes the year's follow-up workbook.
pub fn export(options: &ExportOptions) -> Result<Outcome, Failure> {
    let (plan, follow_ups, mut diagnostics) = load_project(&options.root)?;
    let year = options.year;
    let period = plan.convention.period;
    if !period.contains(year) {
        return Err(Failure(vec![
            Diagnostic::error(format!(
                "année de suivi hors de la période de la convention : {year}"
            ))
            .hint(format!(
                "la convention couvre {}-{} : choisissez une année de cette période",
                period.start, period.end
            )),
        ]));
    }
    let fields = chosen_fields(&plan, &options.fields)?;
    let actions: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| fields.is_empty() || fields.contains(&a.field.as_str()))
        .collect();
    if actions.is_empty() {
        return Err(Failure(vec![
            Diagnostic::error("aucune action dans les champs choisis : rien à exporter")
                .hint("choisissez avec `--champ` un champ d'intervention qui a des actions"),
        ]));
    }
    let pre = prefill(&plan, &follow_ups, year);
    let bytes = workbook(&plan, &pre, year, &actions)?;
    let path = match &options.out {
        Some(path) => path.clone(),
        None => {
            let mut name = format!("suivi-{year}");
            for field in &fields {
                name.push('-');
                name.push_str(field);
            }
            options.root.join("out").join(format!("{name}.xlsx"))
        }
    };
    let (dir, name) = split(&path)?;
    let written = crate::output::write_atomic(&dir, &name, &bytes).map_err(|d| Failure(vec![d]))?;
    let indicators: usize = actions.iter().map(|a| pre[&a.id].indicators.len()).sum();
    diagnostics.retain(|d| !d.is_error());
    Ok(Outcome {
        diagnostics,
        summary: vec![format!(
            "écrit {} ({}, {}) : à faire remplir, puis à relire avec `ctg suivi import`",
            written.display(),
            count(actions.len(), "action", "actions"),
            count(indicators, "indicateur", "indicateurs"),
        )],
        success: true,
    })
}

/// The ids of the fields that `--champ` names (by id or label), in the
/// convention's order.
fn chosen_fields<'a>(plan: &'a Plan, wanted: &[String]) -> Result<Vec<&'a str>, Failure> {
    let fields = &plan.convention.fields;
    let mut chosen = Vec::new();
    let mut errors = Vec::new();
    for w in wanted {
        match fields
            .iter()
            .find(|f| f.id == *w || loose(&f.id) == loose(w) || loose(&f.label) == loose(w))
        {
            Some(field) => chosen.push(field.id.as_str()),
            None => {
                let known: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
                let list = known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = match crate::load::closest(w, &known) {
                    Some(best) => format!("vouliez-vous dire `{best}` ? Champs déclarés : {list}"),
                    None => format!("champs déclarés dans data/convention.toml : {list}"),
                };
                errors.push(
                    Diagnostic::error(format!("champ d'intervention inconnu : `{w}`")).hint(hint),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(Failure(errors));
    }
    chosen.sort_by_key(|id| fields.iter().position(|f| f.id == *id));
    chosen.dedup();
    Ok(chosen)
}

/// The folder and file name of the workbook's path.
fn split(path: &Path) -> Result<(PathBuf, String), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..");
    let Some(name) = name else {
        return Err(Failure(vec![
            Diagnostic::error(format!("`{}` n'est pas un nom de fichier", path.display()))
                .hint("donnez à `--sortie` le chemin du classeur à écrire, par exemple `suivi-2026.xlsx`"),
        ]));
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((dir, name))
}

/// The cell formats of the workbook.
struct Formats {
    note: Format,
    header: Format,
    locked: Format,
    editable: Format,
    whole: Format,
    number: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xA6A6A6));
        // Shaded: read only. White: to fill in.
        let locked = cell.clone().set_background_color(Color::RGB(0xEDEDED));
        let editable = cell.clone().set_unlocked();
        Self {
            note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD0D7E5)),
            whole: editable.clone().set_num_format("0"),
            number: editable.clone().set_num_format("General"),
            locked,
            editable,
        }
    }
}

/// The whole workbook, as bytes.
fn workbook(
    plan: &Plan,
    pre: &Prefills<'_>,
    year: u16,
    actions: &[&Action],
) -> Result<Vec<u8>, Failure> {
    let internal = |e: XlsxError| {
        Failure(vec![
            Diagnostic::error(format!("écriture du classeur impossible : {e}"))
                .hint("un texte du plan est peut-être trop long pour une cellule (32 767 caractères au plus)"),
        ])
    };
    let formats = Formats::new();
    let mut book = Workbook::new();
    // A fixed date: the same data give the same workbook, byte for byte.
    let created = ExcelDateTime::from_ymd(year, 1, 1).map_err(internal)?;
    let c = &plan.convention;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Suivi {year} – {}", c.caption))
            .set_subject(format!("{} – {}", c.title, c.parties))
            .set_author(c.collectivity.clone())
            .set_creation_datetime(&created),
    );
    let sheet = book.add_worksheet();
    follow_up_sheet_of(sheet, plan, year, actions, pre, &formats).map_err(internal)?;
    let sheet = book.add_worksheet();
    indicators_sheet(sheet, plan, year, actions, pre, &formats).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

/// The note at the top of the follow-up sheet: what to fill in, and whom to
/// send the workbook back to (from the convention's `[suivi]`).
fn note(plan: &Plan, year: u16) -> String {
    let c = &plan.convention;
    let mut text = format!("Suivi {year} du plan d'actions – {} ({}).\n", c.title, c.parties);
    text.push_str(c.workbook_note.instructions.as_deref().unwrap_or(
        "Pour chaque action, choisissez l'état dans la liste, indiquez l'avancement (pourcentage de 0 à 100) et un commentaire ; les valeurs des indicateurs se saisissent dans la feuille « Indicateurs ». Seules les cellules blanches se modifient ; les valeurs déjà écrites sont celles du dernier suivi : corrigez-les.",
    ));
    if let Some(to) = &c.workbook_note.send_to {
        text.push_str(&format!("\nClasseur à renvoyer à : {to}"));
    }
    text
}

/// The text of `column` for `action`, in the follow-up sheet.
fn action_cell(plan: &Plan, action: &Action, column: Column) -> String {
    let (field, sub) = field_labels(plan, action);
    match column {
        Column::Id | Column::Origin => action.id.clone(),
        Column::Field => field.to_string(),
        Column::SubSection => sub.to_string(),
        Column::Action => cell_text(&action.description),
        Column::Deadline => action.deadline.text.clone(),
        _ => String::new(),
    }
}

fn follow_up_sheet_of(
    sheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    actions: &[&Action],
    pre: &Prefills<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(follow_up_sheet(year))?;
    let columns = FOLLOW_UP_COLUMNS;
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + actions.len() as u32;
    for (i, action) in actions.iter().enumerate() {
        let row = first + i as u32;
        let follow_up = pre[&action.id].follow_up;
        for (col, column) in columns.iter().enumerate() {
            let col = col as u16;
            match column {
                Column::State => match follow_up {
                    Some(f) => sheet.write_string_with_format(row, col, f.state.label(), &formats.editable)?,
                    None => sheet.write_blank(row, col, &formats.editable)?,
                },
                Column::Progress => match follow_up.and_then(|f| f.progress) {
                    Some(p) => sheet.write_number_with_format(row, col, p, &formats.whole)?,
                    None => sheet.write_blank(row, col, &formats.whole)?,
                },
                Column::Comment => match follow_up.and_then(|f| f.comment.as_deref()) {
                    Some(c) => sheet.write_string_with_format(row, col, cell_text(c), &formats.editable)?,
                    None => sheet.write_blank(row, col, &formats.editable)?,
                },
                other => sheet.write_string_with_format(
                    row,
                    col,
                    action_cell(plan, action, *other),
                    &formats.locked,
                )?,
            };
        }
    }
    let col_of = |c: Column| columns.iter().position(|x| *x == c).unwrap_or(0) as u16;
    let labels = State::ALL.map(State::label);
    let state = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_input_title(format!("État {year}"))?
        .set_input_message("Choisissez l'état de l'action dans la liste.")?
        .set_error_title("État inconnu")?
        .set_error_message(format!("Choisissez l'un des états de la liste : {}.", labels.join(", ")))?
        .set_error_style(DataValidationErrorStyle::Stop);
    sheet.add_data_validation(first, col_of(Column::State), last, col_of(Column::State), &state)?;
    let progress = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, 100))
        .set_error_title("Avancement")?
        .set_error_message("L'avancement est un nombre entier de 0 à 100, sans le signe %.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    sheet.add_data_validation(
        first,
        col_of(Column::Progress),
        last,
        col_of(Column::Progress),
        &progress,
    )?;
    let rows: Vec<Vec<String>> = actions
        .iter()
        .map(|a| {
            let f = pre[&a.id].follow_up;
            columns
                .iter()
                .map(|c| match c {
                    Column::State => f.map(|f| f.state.label().to_string()).unwrap_or_default(),
                    Column::Progress => f
                        .and_then(|f| f.progress)
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    Column::Comment => f
                        .and_then(|f| f.comment.as_deref())
                        .map(cell_text)
                        .unwrap_or_default(),
                    other => action_cell(plan, a, *other),
                })
                .collect()
        })
        .collect();
    lay_out(sheet, plan, year, &columns, &rows, &note(plan, year), formats)
}

fn indicators_sheet(
    sheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    actions: &[&Action],
    pre: &Prefills<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(INDICATORS_SHEET)?;
    let columns = INDICATOR_COLUMNS;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = HEADER_ROW + 1;
    for action in actions {
        for indicator in pre[&action.id].indicators {
            let mut texts = Vec::new();
            for (col, column) in columns.iter().enumerate() {
                let col = col as u16;
                let value = match column {
                    Column::Unit => {
                        let unit = indicator.unit.clone().unwrap_or_default();
                        sheet.write_string_with_format(row, col, &unit, &formats.editable)?;
                        texts.push(unit);
                        continue;
                    }
                    Column::Baseline => indicator.baseline,
                    Column::Target => indicator.target,
                    Column::Value => Some(indicator.value),
                    Column::Indicator => {
                        sheet.write_string_with_format(row, col, &indicator.name, &formats.locked)?;
                        texts.push(indicator.name.clone());
                        continue;
                    }
                    other => {
                        let text = action_cell(plan, action, *other);
                        sheet.write_string_with_format(row, col, &text, &formats.locked)?;
                        texts.push(text);
                        continue;
                    }
                };
                match value {
                    Some(v) => sheet.write_number_with_format(row, col, v, &formats.number)?,
                    None => sheet.write_blank(row, col, &formats.number)?,
                };
                texts.push(value.map(super::read::french_number).unwrap_or_default());
            }
            rows.push(texts);
            row += 1;
        }
    }
    // Rows for new indicators: the action is chosen from the list of those
    // of the follow-up sheet.
    let known_end = row;
    for r in known_end..known_end + NEW_INDICATOR_ROWS {
        for (col, column) in columns.iter().enumerate() {
            let format = match column {
                Column::Id | Column::Indicator | Column::Unit => &formats.editable,
                Column::Baseline | Column::Target | Column::Value => &formats.number,
                _ => &formats.locked,
            };
            sheet.write_blank(r, col as u16, format)?;
        }
    }
    let last = known_end + NEW_INDICATOR_ROWS - 1;
    let col_of = |c: Column| columns.iter().position(|x| *x == c).unwrap_or(0) as u16;
    let ids = format!(
        "='{}'!$A${}:$A${}",
        follow_up_sheet(year),
        HEADER_ROW + 2,
        HEADER_ROW + 1 + actions.len() as u32
    );
    let id = DataValidation::new()
        .allow_list_formula(Formula::new(ids))
        .set_input_title("Nouvel indicateur")?
        .set_input_message("Choisissez l'identifiant de l'action dans la liste.")?
        .set_error_title("Identifiant inconnu")?
        .set_error_message("Choisissez l'identifiant d'une action de la feuille de suivi.")?;
    sheet.add_data_validation(known_end, col_of(Column::Id), last, col_of(Column::Id), &id)?;
    let number = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-1.0e15, 1.0e15))
        .set_error_title("Nombre attendu")?
        .set_error_message("Saisissez un nombre, par exemple 12 ou 12,5, sans unité.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    sheet.add_data_validation(
        HEADER_ROW + 1,
        col_of(Column::Baseline),
        last,
        col_of(Column::Value),
        &number,
    )?;
    let note = format!(
        "Indicateurs {year} : une ligne par indicateur ; saisissez la valeur {year} (un nombre, sans unité). Les valeurs déjà écrites sont celles du dernier suivi : corrigez-les. Pour ajouter un indicateur, utilisez une ligne vide du bas : choisissez l'identifiant de l'action dans la liste et donnez son nom."
    );
    lay_out(sheet, plan, year, &columns, &rows, &note, formats)
}

/// What both sheets share: the note above, the header, the widths, the frozen
/// header, the page set-up and the protection.
fn lay_out(
    sheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    columns: &[Column],
    rows: &[Vec<String>],
    note: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let shown = columns.iter().filter(|c| **c != Column::Origin).count() as u16;
    let mut total_width = 0.0;
    let mut widths = Vec::new();
    let mut labels = Vec::new();
    for (col, column) in columns.iter().enumerate() {
        let label = column.label(plan, year);
        sheet.write_string_with_format(HEADER_ROW, col as u16, &label, &formats.header)?;
        let width = width(*column, &label, rows.iter().filter_map(|r| r.get(col)));
        sheet.set_column_width(col as u16, width)?;
        if *column == Column::Origin {
            sheet.set_column_hidden(col as u16)?;
        } else {
            total_width += width;
        }
        widths.push((*column, width));
        labels.push(label);
    }
    // Rows are as tall as their longest wrapped text: spreadsheets do not
    // all size them when they open a file. A row keeps room for a short
    // comment.
    sheet.set_row_height(HEADER_ROW, height(&labels, &widths, 1))?;
    for (i, row) in rows.iter().enumerate() {
        sheet.set_row_height(HEADER_ROW + 1 + i as u32, height(row, &widths, 2))?;
    }
    sheet.merge_range(0, 0, 0, shown - 1, note, &formats.note)?;
    // A merged cell does not grow with its text: its height is given, from
    // the number of lines the text takes across the shown columns.
    let per_line = (total_width * 1.1).max(20.0);
    let lines: f64 = note
        .lines()
        .map(|l| (l.chars().count() as f64 / per_line).ceil().max(1.0))
        .sum();
    sheet.set_row_height(0, lines * 15.0 + 4.0)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_header(format!("&L&A&R{}", header_text(&plan.convention.caption)));
    sheet.set_footer("&CPage &P / &N");
    let mut protection = ProtectionOptions::new();
    // Columns and rows may be resized to read long texts; no cell but the
    // white ones takes input.
    protection.format_columns = true;
    protection.format_rows = true;
    sheet.protect_with_options(&protection);
    Ok(())
}

/// Height of a row of `texts` in columns of `widths`, in points: one line
/// of the default font per line of the longest text once wrapped, at least
/// `min_lines`. Hidden columns do not count.
fn height(texts: &[String], widths: &[(Column, f64)], min_lines: usize) -> f64 {
    let lines = texts
        .iter()
        .zip(widths)
        .filter(|(_, (column, _))| *column != Column::Origin)
        .map(|(text, (_, width))| wrapped_lines(text, *width))
        .max()
        .unwrap_or(1)
        .max(min_lines);
    lines as f64 * LINE_HEIGHT + 3.0
}

/// Height of a line of the default font (Calibri 11), in points.
const LINE_HEIGHT: f64 = 15.0;

/// How many lines `text` takes in a column `width` characters wide. Words
/// wrap whole, which leaves part of each line empty: a tenth is allowed for.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let per_line = (width - 1.0).max(4.0);
    text.lines()
        .map(|l| ((l.chars().count() as f64 * 1.1) / per_line).ceil().max(1.0) as usize)
        .sum::<usize>()
        .max(1)
}

/// Text for a page header: `&` is the header's own syntax.
fn header_text(text: &str) -> String {
    text.replace('&', "&&")
}

/// The width of a column, in characters: enough for its longest line, within
/// bounds that keep the page readable (long texts wrap).
fn width<'a>(column: Column, label: &str, cells: impl Iterator<Item = &'a String>) -> f64 {
    let (min, max) = match column {
        Column::Id | Column::Origin => (14.0, 40.0),
        Column::Field | Column::SubSection => (12.0, 24.0),
        Column::Action => (30.0, 60.0),
        Column::Deadline => (10.0, 14.0),
        Column::State => (14.0, 16.0),
        Column::Progress => (12.0, 14.0),
        Column::Comment => (40.0, 60.0),
        Column::Indicator => (20.0, 36.0),
        Column::Unit | Column::Baseline | Column::Target | Column::Value => (10.0, 16.0),
    };
    let longest_word = label
        .split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let longest_line = cells
        .flat_map(|c| c.lines())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64;
    (longest_line.max(longest_word) + 2.0).clamp(min, max)
}
