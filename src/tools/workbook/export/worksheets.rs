//! The workbook's two worksheets as written: the cells with their formats, the
//! lists and bounds that spreadsheets check on input, and the layout they
//! share (widths, heights, page set-up, protection).

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook,
    Worksheet, XlsxError,
};

use super::cells::{Out, follow_up_rows, indicator_rows, note};
use super::target::MARK;
use super::{NEW_INDICATOR_ROWS, Prefills};
use crate::diag::{Diagnostic, Failure};
use crate::model::follow_up::State;
use crate::model::{Action, Plan};
use crate::tools::workbook::{
    FOLLOW_UP_COLUMNS, HEADER_ROW, INDICATOR_COLUMNS, INDICATORS_WORKSHEET, WorkbookColumn,
    follow_up_worksheet,
};

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
pub(super) fn workbook(
    plan: &Plan,
    pre: &Prefills<'_>,
    year: u16,
    actions: &[&Action],
) -> Result<Vec<u8>, Failure> {
    // The texts were measured, and the rest is the export's own: the
    // writer's (English) words would tell the user nothing.
    let internal = |_: XlsxError| {
        Failure(vec![
            Diagnostic::error("écriture du classeur de suivi impossible : erreur interne")
                .hint("ce n'est pas une erreur de vos données : signalez le problème en joignant le dossier `data/` du projet"),
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
            .set_creation_datetime(&created)
            .set_custom_property(
                MARK,
                format!("classeur de suivi {year} écrit par ctg suivi export"),
            ),
    );
    let worksheet = book.add_worksheet();
    follow_up_worksheet_of(worksheet, plan, year, actions, pre, &formats).map_err(internal)?;
    let worksheet = book.add_worksheet();
    indicators_worksheet(worksheet, plan, year, actions, pre, &formats).map_err(internal)?;
    book.save_to_buffer().map_err(internal)
}

/// Writes `rows` under the header, each cell with its format.
fn write_rows(
    worksheet: &mut Worksheet,
    columns: &[WorkbookColumn],
    rows: &[Vec<Out>],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (i, cells) in rows.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        for (col, (cell, column)) in cells.iter().zip(columns).enumerate() {
            let col = col as u16;
            let number = if *column == WorkbookColumn::Progress {
                &formats.whole
            } else {
                &formats.number
            };
            match cell {
                Out::Locked(t) => {
                    worksheet.write_string_with_format(row, col, t, &formats.locked)?
                }
                Out::Text(Some(t)) => {
                    worksheet.write_string_with_format(row, col, t, &formats.editable)?
                }
                Out::Text(None) => worksheet.write_blank(row, col, &formats.editable)?,
                Out::Number(Some(n)) => worksheet.write_number_with_format(row, col, *n, number)?,
                Out::Number(None) => worksheet.write_blank(row, col, number)?,
            };
        }
    }
    Ok(())
}

/// The place of `column` among `columns`.
fn col_of(columns: &[WorkbookColumn], column: WorkbookColumn) -> u16 {
    columns.iter().position(|c| *c == column).unwrap_or(0) as u16
}

fn follow_up_worksheet_of(
    worksheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    actions: &[&Action],
    pre: &Prefills<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    worksheet.set_name(follow_up_worksheet(year))?;
    let columns = FOLLOW_UP_COLUMNS;
    let rows = follow_up_rows(plan, actions, pre);
    write_rows(worksheet, &columns, &rows, formats)?;
    let (first, last) = (HEADER_ROW + 1, HEADER_ROW + actions.len() as u32);
    let labels = State::ALL.map(State::label);
    let state = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_input_title(format!("État {year}"))?
        .set_input_message("Choisissez l'état de l'action dans la liste.")?
        .set_error_title("État inconnu")?
        .set_error_message(format!(
            "Choisissez l'un des états de la liste : {}.",
            labels.join(", ")
        ))?
        .set_error_style(DataValidationErrorStyle::Stop);
    let col = col_of(&columns, WorkbookColumn::State);
    worksheet.add_data_validation(first, col, last, col, &state)?;
    let progress = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, 100))
        .set_error_title("Avancement")?
        .set_error_message("L'avancement est un nombre entier de 0 à 100, sans le signe %.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    let col = col_of(&columns, WorkbookColumn::Progress);
    worksheet.add_data_validation(first, col, last, col, &progress)?;
    lay_out(
        worksheet,
        plan,
        year,
        &columns,
        &rows,
        &note(plan, year),
        formats,
    )
}

fn indicators_worksheet(
    worksheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    actions: &[&Action],
    pre: &Prefills<'_>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    worksheet.set_name(INDICATORS_WORKSHEET)?;
    let columns = INDICATOR_COLUMNS;
    let rows = indicator_rows(plan, actions, pre);
    write_rows(worksheet, &columns, &rows, formats)?;
    // Rows for new indicators, where the action is chosen from the list of
    // those of the follow-up worksheet.
    let first_new = HEADER_ROW + 1 + rows.len() as u32;
    let last = first_new + NEW_INDICATOR_ROWS - 1;
    for row in first_new..=last {
        for (col, column) in columns.iter().enumerate() {
            let format = match column {
                WorkbookColumn::Id | WorkbookColumn::Indicator | WorkbookColumn::Unit => {
                    &formats.editable
                }
                WorkbookColumn::Baseline | WorkbookColumn::Target | WorkbookColumn::Value => {
                    &formats.number
                }
                _ => &formats.locked,
            };
            worksheet.write_blank(row, col as u16, format)?;
        }
    }
    let ids = format!(
        "='{}'!$A${}:$A${}",
        follow_up_worksheet(year),
        HEADER_ROW + 2,
        HEADER_ROW + 1 + actions.len() as u32
    );
    let id = DataValidation::new()
        .allow_list_formula(Formula::new(ids))
        .set_input_title("Nouvel indicateur")?
        .set_input_message("Choisissez l'identifiant de l'action dans la liste.")?
        .set_error_title("Identifiant inconnu")?
        .set_error_message("Choisissez l'identifiant d'une action de la feuille de suivi.")?;
    let col = col_of(&columns, WorkbookColumn::Id);
    worksheet.add_data_validation(first_new, col, last, col, &id)?;
    let number = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-1.0e15, 1.0e15))
        .set_error_title("Nombre attendu")?
        .set_error_message("Saisissez un nombre, par exemple 12 ou 12,5, sans unité.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    let (from, to) = (
        col_of(&columns, WorkbookColumn::Baseline),
        col_of(&columns, WorkbookColumn::Value),
    );
    worksheet.add_data_validation(HEADER_ROW + 1, from, last, to, &number)?;
    let note = format!(
        "Indicateurs {year} : une ligne par indicateur ; saisissez la valeur {year} (un nombre, sans unité). Les valeurs déjà écrites sont celles du dernier suivi : corrigez-les. Pour ajouter un indicateur, utilisez une ligne vide du bas : choisissez l'identifiant de l'action dans la liste et donnez son nom."
    );
    lay_out(worksheet, plan, year, &columns, &rows, &note, formats)
}

/// What both worksheets share: the note above, the header, the widths, the frozen
/// header, the page set-up and the protection.
fn lay_out(
    worksheet: &mut Worksheet,
    plan: &Plan,
    year: u16,
    columns: &[WorkbookColumn],
    rows: &[Vec<Out>],
    note: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let shown = columns
        .iter()
        .filter(|c| **c != WorkbookColumn::Origin)
        .count() as u16;
    let texts: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Out::shown).collect())
        .collect();
    let mut total_width = 0.0;
    let mut widths = Vec::new();
    let mut labels = Vec::new();
    for (col, column) in columns.iter().enumerate() {
        let label = column.label(plan, year);
        worksheet.write_string_with_format(HEADER_ROW, col as u16, &label, &formats.header)?;
        let width = width(*column, &label, texts.iter().filter_map(|r| r.get(col)));
        worksheet.set_column_width(col as u16, width)?;
        if *column == WorkbookColumn::Origin {
            worksheet.set_column_hidden(col as u16)?;
        } else {
            total_width += width;
        }
        widths.push((*column, width));
        labels.push(label);
    }
    // Rows are as tall as their longest wrapped text: spreadsheets do not
    // all size them when they open a file. A row keeps room for a short
    // comment.
    worksheet.set_row_height(HEADER_ROW, height(&labels, &widths, 1))?;
    for (i, row) in texts.iter().enumerate() {
        worksheet.set_row_height(HEADER_ROW + 1 + i as u32, height(row, &widths, 2))?;
    }
    worksheet.merge_range(0, 0, 0, shown - 1, note, &formats.note)?;
    // A merged cell does not grow with its text: its height is given, from
    // the number of lines the text takes across the shown columns.
    let per_line = (total_width * 1.1).max(20.0);
    let lines: f64 = note
        .lines()
        .map(|l| (l.chars().count() as f64 / per_line).ceil().max(1.0))
        .sum();
    worksheet.set_row_height(0, lines * 15.0 + 4.0)?;
    worksheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    worksheet.set_landscape();
    worksheet.set_paper_size(9); // A4
    worksheet.set_print_fit_to_pages(1, 0);
    worksheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    worksheet.set_header(page_header(&plan.convention.caption));
    worksheet.set_footer("&CPage &P / &N");
    let mut protection = ProtectionOptions::new();
    // Columns and rows may be resized to read long texts; no cell but the
    // white ones takes input.
    protection.format_columns = true;
    protection.format_rows = true;
    worksheet.protect_with_options(&protection);
    Ok(())
}

/// Height of a row of `texts` in columns of `widths`, in points: one line
/// of the default font per line of the longest text once wrapped, at least
/// `min_lines`. Hidden columns do not count.
fn height(texts: &[String], widths: &[(WorkbookColumn, f64)], min_lines: usize) -> f64 {
    let lines = texts
        .iter()
        .zip(widths)
        .filter(|(_, (column, _))| *column != WorkbookColumn::Origin)
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
        .map(|l| {
            ((l.chars().count() as f64 * 1.1) / per_line)
                .ceil()
                .max(1.0) as usize
        })
        .sum::<usize>()
        .max(1)
}

/// The page header: the worksheet's name on the left, the plan's caption on the
/// right, shortened to the 255 characters a header holds (a longer one, the
/// writer would leave out with a message of its own).
fn page_header(caption: &str) -> String {
    const MAX: usize = 255;
    let mut header = "&L&A&R".to_string();
    let mut length = header.len();
    let mut chars = caption.chars().peekable();
    while let Some(c) = chars.next() {
        // `&` is the header's own syntax: it is written twice.
        let text = if c == '&' {
            "&&".to_string()
        } else {
            c.to_string()
        };
        let units = text.encode_utf16().count();
        let room = if chars.peek().is_some() { MAX - 1 } else { MAX };
        if length + units > room {
            header.push('…');
            break;
        }
        header.push_str(&text);
        length += units;
    }
    header
}

/// The width of a column, in characters: enough for its longest line, within
/// bounds that keep the page readable (long texts wrap).
fn width<'a>(column: WorkbookColumn, label: &str, cells: impl Iterator<Item = &'a String>) -> f64 {
    let (min, max) = match column {
        WorkbookColumn::Id | WorkbookColumn::Origin => (14.0, 40.0),
        WorkbookColumn::Field | WorkbookColumn::SubSection => (12.0, 24.0),
        WorkbookColumn::Action => (30.0, 60.0),
        WorkbookColumn::Deadline => (10.0, 14.0),
        WorkbookColumn::State => (14.0, 16.0),
        WorkbookColumn::Progress => (12.0, 14.0),
        WorkbookColumn::Comment => (40.0, 60.0),
        WorkbookColumn::Indicator => (20.0, 36.0),
        WorkbookColumn::Unit
        | WorkbookColumn::Baseline
        | WorkbookColumn::Target
        | WorkbookColumn::Value => (10.0, 16.0),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_caption_is_shortened_to_fit_the_page_header() {
        assert_eq!(page_header("Plan & suivi"), "&L&A&RPlan && suivi");
        let units = |h: &str| h.encode_utf16().count();
        for caption in ["a".repeat(300), "&".repeat(300), "é😀".repeat(100)] {
            let header = page_header(&caption);
            assert!(units(&header) <= 255, "{}", units(&header));
            assert!(header.ends_with('…'), "{header}");
            // A `&` is never left alone, which would start a code.
            let text = header.trim_start_matches("&L&A&R");
            assert_eq!(text.matches('&').count() % 2, 0, "{header}");
        }
        // A caption that fits exactly is kept whole.
        let exact = "b".repeat(255 - 6);
        assert_eq!(page_header(&exact), format!("&L&A&R{exact}"));
    }
}
