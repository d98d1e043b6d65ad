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

use super::cell_limit::{self, Origin, shortened, too_long};
use super::{
    Column, FOLLOW_UP_COLUMNS, HEADER_ROW, INDICATOR_COLUMNS, INDICATORS_SHEET, Prefill, cell_text,
    field_labels, follow_up_sheet, load_project, prefill,
};
use crate::diag::{Diagnostic, Failure};
use crate::model::follow_up::{FOLLOW_UP_DIR, Indicator, State};
use crate::model::{Action, Plan};
use crate::read::CONVENTION_FILE;
use crate::tools::import::names::loose;

/// The pre-filled values, by action id.
type Prefills<'a> = std::collections::BTreeMap<String, Prefill<'a>>;
use crate::french::count;
use crate::tools::scaffold::Outcome;

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
    check_lengths(&options.root, &plan, &pre, year, &actions)?;
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
    check_target(&options.root, &path)?;
    let written =
        crate::write::folder::write_atomic(&dir, &name, &bytes).map_err(|d| Failure(vec![d]))?;
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
                let hint = match crate::read::closest(w, &known) {
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

/// The custom document property that marks a workbook written by `ctg suivi
/// export`: the export replaces such a workbook, and no other file.
const MARK: &str = "ctg";

/// Refuses to write the workbook at `path` into the project's `data/` or
/// `templates/` (the files `ctg` reads), and over an existing file that is
/// not a workbook of the export left as it wrote it: a user's file, or a
/// workbook that a spreadsheet saved since (it may hold a partner's
/// entries). Replacing the export's own earlier workbook is the yearly
/// routine, and stays possible.
fn check_target(root: &Path, path: &Path) -> Result<(), Failure> {
    let shown = path.display();
    let target = resolved(path);
    for folder in ["data", "templates"] {
        // A project without templates of its own may get them later: its
        // `templates/` is refused too, before it exists.
        if target.starts_with(resolved(&root.join(folder))) {
            return Err(Failure(vec![
                Diagnostic::error(format!(
                    "`{shown}` est dans le dossier `{folder}/` du projet : le classeur de suivi ne s'y écrit pas"
                ))
                .hint(format!(
                    "`{folder}/` garde les fichiers que ctg lit, qu'un classeur remplacerait : choisissez un autre chemin avec `--sortie`, par exemple `--sortie out/{}`, ou écrivez la commande sans `--sortie` (le classeur va dans `out/`)",
                    path.file_name().map_or_else(|| "suivi.xlsx".into(), |n| n.to_string_lossy())
                )),
            ]));
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let refuse =
        |message: String, hint: &str| Err(Failure(vec![Diagnostic::error(message).hint(hint)]));
    if meta.is_dir() {
        return refuse(
            format!("`{shown}` est un dossier : le classeur de suivi ne peut pas le remplacer"),
            "donnez à `--sortie` le chemin d'un fichier, par exemple `--sortie suivi-2026.xlsx`",
        );
    }
    match own_export(path) {
        Some(true) => Ok(()),
        Some(false) => refuse(
            format!(
                "`{shown}` est un classeur de suivi enregistré par un tableur depuis son export : il n'est pas remplacé"
            ),
            "il peut contenir les saisies d'un partenaire : renommez-le (ou déplacez-le) avant d'exporter à nouveau, ou choisissez un autre nom avec `--sortie`",
        ),
        None => refuse(
            format!(
                "`{shown}` existe déjà et n'est pas un classeur écrit par `ctg suivi export` : il n'est pas remplacé"
            ),
            "choisissez un autre nom avec `--sortie`, par exemple `--sortie suivi-2026.xlsx` ; pour remplacer ce fichier, supprimez-le d'abord",
        ),
    }
}

/// The absolute path that `path` names, links resolved: the longest part
/// that exists as the system resolves it, the rest as written.
fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component),
            Component::CurDir => {}
            // What `out` holds has its links resolved: `..` is its parent.
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match out.canonicalize() {
                        Ok(real) => out = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    out
}

/// Whether the file at `path` is a workbook written by `ctg suivi export`
/// (`None` when it is not), and if so whether it is as the export wrote it.
/// A spreadsheet that saves a workbook keeps its custom properties, where
/// the mark is, but updates its date of modification, which the export
/// sets to the date of creation.
fn own_export(path: &Path) -> Option<bool> {
    let file = std::fs::File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    // The two parts are a few hundred bytes: a larger one is no export's.
    let mut part = |name: &str| -> Option<String> {
        use std::io::Read;
        let entry = archive.by_name(name).ok()?;
        let mut text = String::new();
        entry.take(64_000).read_to_string(&mut text).ok()?;
        Some(text)
    };
    let core = part("docProps/core.xml")?;
    let custom = part("docProps/custom.xml").unwrap_or_default();
    let (created, modified, title) = core_properties(&core);
    let marked = custom_property_names(&custom).iter().any(|n| n == MARK);
    // The workbooks written before the mark existed: titled « Suivi ANNÉE –
    // … » and dated the first of January of their year at midnight.
    let earlier = title.starts_with("Suivi ") && created.ends_with("-01-01T00:00:00Z");
    if !marked && !earlier {
        return None;
    }
    Some(!created.is_empty() && created == modified)
}

/// The creation date, modification date and title of a `docProps/core.xml`.
fn core_properties(xml: &str) -> (String, String, String) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut created, mut modified, mut title) = (String::new(), String::new(), String::new());
    let mut current: Option<Vec<u8>> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => current = Some(e.local_name().as_ref().to_vec()),
            Ok(Event::Text(t)) => {
                let text = t.decode().map(|t| t.into_owned()).unwrap_or_default();
                match current.as_deref() {
                    Some(b"created") => created.push_str(&text),
                    Some(b"modified") => modified.push_str(&text),
                    Some(b"title") => title.push_str(&text),
                    _ => {}
                }
            }
            Ok(Event::End(_)) => current = None,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (created, modified, title)
}

/// The names of the custom properties of a `docProps/custom.xml`.
fn custom_property_names(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"property" => {
                // As written, unescaped or not: the mark is plain letters.
                if let Ok(Some(name)) = e.try_get_attribute("name") {
                    names.push(String::from_utf8_lossy(&name.value).into_owned());
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    names
}

/// The folder and file name of the workbook's path.
fn split(path: &Path) -> Result<(PathBuf, String), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..");
    let Some(name) = name else {
        return Err(Failure(vec![
            Diagnostic::error(format!("`{}` n'est pas un nom de fichier", path.display())).hint(
                "donnez à `--sortie` le chemin du classeur à écrire, par exemple `suivi-2026.xlsx`",
            ),
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
    let mut text = format!(
        "Suivi {year} du plan d'actions – {} ({}).\n",
        c.title, c.parties
    );
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

/// A cell to write: text or a number (`None`: left empty), locked or to fill
/// in.
#[derive(Debug, Clone)]
enum Out {
    Locked(String),
    Text(Option<String>),
    Number(Option<f64>),
}

impl Out {
    /// The text the cell shows, for the widths and heights.
    fn shown(&self) -> String {
        match self {
            Out::Locked(t) | Out::Text(Some(t)) => t.clone(),
            Out::Number(Some(n)) => super::read::french_number(*n),
            Out::Text(None) | Out::Number(None) => String::new(),
        }
    }
}

/// The rows of the follow-up sheet, pre-filled.
fn follow_up_rows(plan: &Plan, actions: &[&Action], pre: &Prefills<'_>) -> Vec<Vec<Out>> {
    actions
        .iter()
        .map(|action| follow_up_row(plan, action, &pre[&action.id]))
        .collect()
}

/// The row of `action` in the follow-up sheet, in the order of
/// [`FOLLOW_UP_COLUMNS`].
fn follow_up_row(plan: &Plan, action: &Action, pre: &Prefill<'_>) -> Vec<Out> {
    let f = pre.follow_up;
    FOLLOW_UP_COLUMNS
        .iter()
        .map(|column| match column {
            Column::State => Out::Text(f.map(|f| f.state.label().to_string())),
            Column::Progress => Out::Number(f.and_then(|f| f.progress).map(f64::from)),
            Column::Comment => Out::Text(f.and_then(|f| f.comment.as_deref()).map(cell_text)),
            other => Out::Locked(action_cell(plan, action, *other)),
        })
        .collect()
}

/// The rows of the indicators' sheet: one per indicator already known,
/// pre-filled.
fn indicator_rows(plan: &Plan, actions: &[&Action], pre: &Prefills<'_>) -> Vec<Vec<Out>> {
    let mut rows = Vec::new();
    for action in actions {
        for indicator in pre[&action.id].indicators {
            rows.push(indicator_row(plan, action, indicator));
        }
    }
    rows
}

/// The row of an indicator of `action`, in the order of
/// [`INDICATOR_COLUMNS`].
fn indicator_row(plan: &Plan, action: &Action, indicator: &Indicator) -> Vec<Out> {
    INDICATOR_COLUMNS
        .iter()
        .map(|column| match column {
            Column::Indicator => Out::Locked(indicator.name.clone()),
            Column::Unit => Out::Text(indicator.unit.clone()),
            Column::Baseline => Out::Number(indicator.baseline),
            Column::Target => Out::Number(indicator.target),
            Column::Value => Out::Number(Some(indicator.value)),
            other => Out::Locked(action_cell(plan, action, *other)),
        })
        .collect()
}

/// Refuses the texts of the workbook that a cell cannot hold: each one is an
/// error naming where it comes from, and all are said at once, before
/// anything is written.
fn check_lengths(
    root: &Path,
    plan: &Plan,
    pre: &Prefills<'_>,
    year: u16,
    actions: &[&Action],
) -> Result<(), Failure> {
    let mut errors = Vec::new();
    let mut measure = |text: &str, what: &dyn Fn() -> String, origin: &dyn Fn() -> Origin| {
        if let Some(length) = too_long(text) {
            errors.push(cell_limit::error(root, &origin(), &what(), length));
        }
    };
    // The headers the plan names, and the note above them.
    for column in [Column::Field, Column::Action, Column::Deadline] {
        let label = column.label(plan, year);
        measure(
            &label,
            &|| format!("en-tête de colonne « {} »", shortened(&label, 40)),
            &|| label_origin(plan, column),
        );
    }
    measure(
        &note(plan, year),
        &|| format!("note en tête de la feuille « {} »", follow_up_sheet(year)),
        &|| {
            let key = match plan.convention.workbook_note.instructions {
                Some(_) => "consigne",
                None => "retour",
            };
            Origin::new(
                CONVENTION_FILE,
                vec![cell_limit::key("suivi"), cell_limit::key(key)],
            )
        },
    );
    for action in actions {
        let prefill = &pre[&action.id];
        let row = follow_up_row(plan, action, prefill);
        for (column, cell) in FOLLOW_UP_COLUMNS.iter().zip(&row) {
            if let Out::Locked(text) | Out::Text(Some(text)) = cell {
                measure(
                    text,
                    &|| {
                        format!(
                            "« {} » de l'action `{}`",
                            column.label(plan, year),
                            action.id
                        )
                    },
                    &|| cell_origin(plan, action, *column, prefill, None),
                );
            }
        }
        for indicator in prefill.indicators {
            let row = indicator_row(plan, action, indicator);
            for (column, cell) in INDICATOR_COLUMNS.iter().zip(&row) {
                if let Out::Locked(text) | Out::Text(Some(text)) = cell {
                    measure(
                        text,
                        &|| {
                            format!(
                                "« {} » de l'indicateur « {} » de l'action `{}`",
                                column.label(plan, year),
                                shortened(&indicator.name, 40),
                                action.id
                            )
                        },
                        &|| cell_origin(plan, action, *column, prefill, Some(indicator)),
                    );
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure(errors))
    }
}

/// Where the text of `column` for `action` comes from: its file, or the
/// convention, or the follow-up file it was pre-filled from; for a cell of
/// the indicators' sheet, `indicator`'s.
fn cell_origin(
    plan: &Plan,
    action: &Action,
    column: Column,
    pre: &Prefill<'_>,
    indicator: Option<&Indicator>,
) -> Origin {
    use cell_limit::{entry, key};
    let shape = &plan.convention.shape;
    let follow_up = |year: Option<u16>, mut way: Vec<cell_limit::Step>| {
        let year = year.map_or_else(|| "ANNÉE".to_string(), |y| y.to_string());
        let mut full = vec![key("actions"), key(action.id.as_str())];
        full.append(&mut way);
        Origin::new(format!("{}/{year}.toml", FOLLOW_UP_DIR), full)
    };
    let of_action = |i: Option<usize>| {
        let name = i.map_or("id", |i| shape.columns[i].key.as_str());
        Origin::new(action.source.as_str(), vec![key(name)])
    };
    match (column, indicator) {
        (Column::Field, _) => Origin::new(
            CONVENTION_FILE,
            vec![entry("champs", "id", action.field.as_str()), key("libelle")],
        ),
        (Column::SubSection, _) => Origin::new(
            CONVENTION_FILE,
            vec![
                entry("champs", "id", action.field.as_str()),
                entry(
                    "sous_sections",
                    "id",
                    action.subsection.clone().unwrap_or_default(),
                ),
                key("libelle"),
            ],
        ),
        (Column::Action, _) => of_action(shape.title()),
        (Column::Deadline, _) => of_action(shape.deadline()),
        (Column::Indicator | Column::Unit, Some(indicator)) => follow_up(
            pre.indicators_year,
            vec![
                entry("indicateurs", "nom", indicator.name.as_str()),
                key(if column == Column::Unit {
                    "unite"
                } else {
                    "nom"
                }),
            ],
        ),
        (Column::Comment, _) => follow_up(pre.follow_up_year, vec![key("commentaire")]),
        (Column::State, _) => follow_up(pre.follow_up_year, vec![key("etat")]),
        _ => of_action(None),
    }
}

/// Where the header of `column` comes from: the convention, which names the
/// columns of either model in its own way.
fn label_origin(plan: &Plan, column: Column) -> Origin {
    use cell_limit::{entry, key};
    let shape = &plan.convention.shape;
    let index = match column {
        Column::Action => shape.title(),
        Column::Deadline => shape.deadline(),
        _ => None,
    };
    let ways = match index {
        Some(i) => {
            let name = shape.columns[i].key.as_str();
            vec![
                vec![key("colonnes"), key(name)],
                vec![entry("colonnes", "cle", name), key("libelle")],
            ]
        }
        None => vec![
            vec![key("tableau"), key("premiere_colonne")],
            vec![key("colonnes"), key("champ")],
        ],
    };
    Origin {
        file: CONVENTION_FILE.to_string(),
        ways,
    }
}

/// Writes `rows` under the header, each cell with its format.
fn write_rows(
    sheet: &mut Worksheet,
    columns: &[Column],
    rows: &[Vec<Out>],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (i, cells) in rows.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        for (col, (cell, column)) in cells.iter().zip(columns).enumerate() {
            let col = col as u16;
            let number = if *column == Column::Progress {
                &formats.whole
            } else {
                &formats.number
            };
            match cell {
                Out::Locked(t) => sheet.write_string_with_format(row, col, t, &formats.locked)?,
                Out::Text(Some(t)) => {
                    sheet.write_string_with_format(row, col, t, &formats.editable)?
                }
                Out::Text(None) => sheet.write_blank(row, col, &formats.editable)?,
                Out::Number(Some(n)) => sheet.write_number_with_format(row, col, *n, number)?,
                Out::Number(None) => sheet.write_blank(row, col, number)?,
            };
        }
    }
    Ok(())
}

/// The place of `column` among `columns`.
fn col_of(columns: &[Column], column: Column) -> u16 {
    columns.iter().position(|c| *c == column).unwrap_or(0) as u16
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
    let rows = follow_up_rows(plan, actions, pre);
    write_rows(sheet, &columns, &rows, formats)?;
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
    let col = col_of(&columns, Column::State);
    sheet.add_data_validation(first, col, last, col, &state)?;
    let progress = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, 100))
        .set_error_title("Avancement")?
        .set_error_message("L'avancement est un nombre entier de 0 à 100, sans le signe %.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    let col = col_of(&columns, Column::Progress);
    sheet.add_data_validation(first, col, last, col, &progress)?;
    lay_out(
        sheet,
        plan,
        year,
        &columns,
        &rows,
        &note(plan, year),
        formats,
    )
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
    let rows = indicator_rows(plan, actions, pre);
    write_rows(sheet, &columns, &rows, formats)?;
    // Rows for new indicators, where the action is chosen from the list of
    // those of the follow-up sheet.
    let first_new = HEADER_ROW + 1 + rows.len() as u32;
    let last = first_new + NEW_INDICATOR_ROWS - 1;
    for row in first_new..=last {
        for (col, column) in columns.iter().enumerate() {
            let format = match column {
                Column::Id | Column::Indicator | Column::Unit => &formats.editable,
                Column::Baseline | Column::Target | Column::Value => &formats.number,
                _ => &formats.locked,
            };
            sheet.write_blank(row, col as u16, format)?;
        }
    }
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
    let col = col_of(&columns, Column::Id);
    sheet.add_data_validation(first_new, col, last, col, &id)?;
    let number = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-1.0e15, 1.0e15))
        .set_error_title("Nombre attendu")?
        .set_error_message("Saisissez un nombre, par exemple 12 ou 12,5, sans unité.")?
        .set_error_style(DataValidationErrorStyle::Stop);
    let (from, to) = (
        col_of(&columns, Column::Baseline),
        col_of(&columns, Column::Value),
    );
    sheet.add_data_validation(HEADER_ROW + 1, from, last, to, &number)?;
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
    rows: &[Vec<Out>],
    note: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let shown = columns.iter().filter(|c| **c != Column::Origin).count() as u16;
    let texts: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Out::shown).collect())
        .collect();
    let mut total_width = 0.0;
    let mut widths = Vec::new();
    let mut labels = Vec::new();
    for (col, column) in columns.iter().enumerate() {
        let label = column.label(plan, year);
        sheet.write_string_with_format(HEADER_ROW, col as u16, &label, &formats.header)?;
        let width = width(*column, &label, texts.iter().filter_map(|r| r.get(col)));
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
    for (i, row) in texts.iter().enumerate() {
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
    sheet.set_header(page_header(&plan.convention.caption));
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
        .map(|l| {
            ((l.chars().count() as f64 * 1.1) / per_line)
                .ceil()
                .max(1.0) as usize
        })
        .sum::<usize>()
        .max(1)
}

/// The page header: the sheet's name on the left, the plan's caption on the
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook with the document properties `properties`, saved in `dir`.
    fn saved(dir: &Path, name: &str, properties: DocProperties) -> PathBuf {
        let mut book = Workbook::new();
        book.set_properties(&properties);
        book.add_worksheet().write_string(0, 0, "Suivi").unwrap();
        let path = dir.join(name);
        book.save(&path).unwrap();
        path
    }

    #[test]
    fn the_exports_own_workbooks_are_recognised_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let created = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
        let ours = DocProperties::new()
            .set_title("Suivi 2026 – Plan")
            .set_creation_datetime(&created);
        // Marked, as the export writes it now.
        let marked = saved(
            dir.path(),
            "marque.xlsx",
            ours.clone()
                .set_custom_property(MARK, "classeur de suivi 2026"),
        );
        assert_eq!(own_export(&marked), Some(true));
        // Written before the mark: its title and its date tell it.
        let earlier = saved(dir.path(), "avant.xlsx", ours);
        assert_eq!(own_export(&earlier), Some(true));
        // Another workbook, dated otherwise.
        let other = saved(
            dir.path(),
            "budget.xlsx",
            DocProperties::new().set_title("Budget 2026"),
        );
        assert_eq!(own_export(&other), None);
        std::fs::write(dir.path().join("notes.xlsx"), "pas un classeur").unwrap();
        assert_eq!(own_export(&dir.path().join("notes.xlsx")), None);
    }

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

    #[test]
    fn paths_are_resolved_through_their_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::os::unix::fs::symlink(root.join("data"), root.join("lien")).unwrap();
        assert_eq!(
            resolved(&root.join("lien/nouveau/../convention.toml")),
            root.join("data/convention.toml")
        );
        assert_eq!(
            resolved(&root.join("absent/../data/x.xlsx")),
            root.join("data/x.xlsx")
        );
    }
}
