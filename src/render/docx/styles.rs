//! Word documents, styles: every paragraph and run of the documents has one of
//! these named styles, so that an editor restyles the whole document in one
//! place (the size of every cell's text, the colour of every header…). The
//! styles' identifiers are ASCII, their names are the French ones Word shows.
//! The list definitions (bullets, numbers) are here too.

use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, Docx, Level, LevelJc, LevelText, LineSpacing,
    NumberFormat, Numbering, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, RunFonts,
    SpecialIndentType, Start, Style, StyleType,
};

/// The font of every document. Liberation Sans, the PDF's, has Arial's
/// metrics: Word has Arial everywhere, and LibreOffice shows Liberation Sans
/// in its place.
pub const FONT: &str = "Arial";

// Paragraph styles.
pub const TITLE: &str = "Titre";
pub const PARTIES: &str = "Parties";
pub const HEADING: &str = "Intitule";
pub const CAPTION: &str = "Legende";
pub const HEADER_CELL: &str = "EnTeteTableau";
pub const CELL: &str = "TexteCellule";
pub const CELL_LIST: &str = "ListeCellule";
pub const FIELD: &str = "ChampIntervention";
pub const FIELD_CONTINUED: &str = "ChampSuite";
pub const SUBSECTION: &str = "SousSection";
pub const NOTE: &str = "NoteTableau";
pub const PAGE_HEADER: &str = "EnTetePage";
pub const PAGE_FOOTER: &str = "PiedPage";
pub const PLACE_AND_DATE: &str = "LieuDate";
pub const SIGNATORY: &str = "Signataire";
pub const SIGNATURE_MENTION: &str = "MentionSignature";
pub const TEXT: &str = "Texte";
pub const TABLE_TEXT: &str = "TexteTableau";
pub const TEXT_LIST: &str = "ListeTexte";
pub const QUOTE: &str = "Citation";
pub const CODE_BLOCK: &str = "Code";
pub const RULE: &str = "Separateur";
pub const FIGURE: &str = "Figure";
pub const UNCHANGED: &str = "Inchange";
pub const MENTION: &str = "MentionAvenant";
pub const CHANGE_DETAIL: &str = "DetailChangement";
pub const READING: &str = "LectureModifications";

// Character styles.
pub const LINK: &str = "LienHypertexte";
pub const CODE: &str = "CodeEnLigne";

/// The style of a heading of `level` (1 to 6): Word's own heading styles, which
/// its navigation pane and tables of contents follow.
pub fn heading(level: u8) -> &'static str {
    match level {
        0 | 1 => "Heading1",
        2 => "Heading2",
        3 => "Heading3",
        4 => "Heading4",
        5 => "Heading5",
        _ => "Heading6",
    }
}

/// The bullets' numbering instance, shared by every bulleted list.
pub const BULLETS: usize = 2;
pub const BULLETS_ABSTRACT: usize = 2;
/// The numbered levels; each numbered list has its own instance, from
/// [`FIRST_LIST_NUMBERING`] on, which restarts at the list's first number.
pub const NUMBERED_ABSTRACT: usize = 3;
pub const FIRST_LIST_NUMBERING: usize = 3;

/// Text sizes of a document, in points.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Prose outside the tables.
    pub text: f32,
    /// The text of the plan's table.
    pub cell: f32,
    /// The document's title.
    pub title: f32,
}

/// Half-points, Word's unit of text size.
fn half_points(points: f32) -> usize {
    (points * 2.0).round() as usize
}

/// Points in twips.
fn pt(points: f32) -> u32 {
    (points * 20.0).round() as u32
}

/// A list level's indentation, in twips: the text's left edge and how far the
/// bullet or number hangs before it.
pub fn list_indent(level: usize) -> (i32, i32) {
    (284 * (level as i32 + 1), 227)
}

fn paragraph(id: &str, name: &str, points: f32) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .size(half_points(points))
        .based_on("Normal")
        .next(id)
}

fn spaced(style: Style, before: f32, after: f32) -> Style {
    style.line_spacing(LineSpacing::new().before(pt(before)).after(pt(after)))
}

fn keep_with_next(mut style: Style) -> Style {
    style.paragraph_property = std::mem::take(&mut style.paragraph_property).keep_next(true);
    style
}

/// Adds the styles, the text defaults and the list definitions to `docx`
/// (a table: one style a line).
pub fn add(docx: Docx, sizes: Sizes) -> Docx {
    let grey = "595959";
    let mut styles = vec![
        spaced(paragraph(TITLE, "Titre", sizes.title), 0.0, 4.0)
            .bold()
            .align(AlignmentType::Center),
        spaced(paragraph(PARTIES, "Parties", 12.0), 0.0, 4.0)
            .bold()
            .align(AlignmentType::Center),
        keep_with_next(
            spaced(paragraph(HEADING, "Intitulé", 12.0), 0.0, 10.0)
                .bold()
                .align(AlignmentType::Center)
                .outline_lvl(0),
        ),
        keep_with_next(
            spaced(paragraph(CAPTION, "Légende", 9.0), 4.0, 4.0)
                .bold()
                .align(AlignmentType::Center),
        ),
        spaced(
            paragraph(HEADER_CELL, "En-tête de tableau", sizes.cell),
            0.0,
            0.0,
        )
        .bold()
        .align(AlignmentType::Center),
        spaced(paragraph(CELL, "Texte de cellule", sizes.cell), 0.0, 3.0),
        spaced(
            paragraph(CELL_LIST, "Liste de cellule", sizes.cell),
            0.0,
            1.0,
        )
        .based_on(CELL),
        spaced(
            paragraph(FIELD, "Champ d'intervention", sizes.cell),
            0.0,
            0.0,
        )
        .bold(),
        spaced(
            paragraph(FIELD_CONTINUED, "Champ d'intervention (suite)", sizes.cell),
            0.0,
            0.0,
        )
        .color(grey),
        keep_with_next(spaced(paragraph(SUBSECTION, "Sous-section", sizes.cell), 0.0, 0.0).bold()),
        spaced(paragraph(NOTE, "Note du tableau", sizes.cell), 2.0, 2.0).indent(
            Some(284),
            Some(SpecialIndentType::Hanging(284)),
            None,
            None,
        ),
        paragraph(PAGE_HEADER, "En-tête de page", 7.0)
            .color(grey)
            .align(AlignmentType::Right),
        paragraph(PAGE_FOOTER, "Pied de page", 7.0).color(grey),
        spaced(paragraph(PLACE_AND_DATE, "Lieu et date", 10.0), 6.0, 12.0),
        spaced(paragraph(SIGNATORY, "Signataire", 9.0), 0.0, 2.0),
        spaced(
            paragraph(SIGNATURE_MENTION, "Mention de signature", 7.0),
            6.0,
            0.0,
        )
        .color(grey)
        .align(AlignmentType::Right),
        spaced(paragraph(TEXT, "Texte", sizes.text), 0.0, 4.0),
        spaced(paragraph(TEXT_LIST, "Liste du texte", sizes.text), 0.0, 2.0).based_on(TEXT),
        spaced(
            paragraph(TABLE_TEXT, "Texte de tableau", sizes.text),
            0.0,
            0.0,
        ),
        spaced(paragraph(QUOTE, "Citation", sizes.text), 2.0, 4.0)
            .italic()
            .indent(Some(567), None, Some(567), None),
        spaced(paragraph(CODE_BLOCK, "Code", sizes.text), 0.0, 4.0)
            .fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New")),
        spaced(paragraph(FIGURE, "Figure", sizes.text), 6.0, 2.0).align(AlignmentType::Center),
        spaced(paragraph(UNCHANGED, "Inchangé", sizes.cell), 0.0, 3.0)
            .italic()
            .color("464646"),
        spaced(paragraph(MENTION, "Mention d'avenant", 7.0), 4.0, 0.0).italic(),
        spaced(
            paragraph(CHANGE_DETAIL, "Détail du changement", 7.0),
            2.0,
            0.0,
        ),
        Style::new(LINK, StyleType::Character)
            .name("Lien hypertexte")
            .color("1F4E9A")
            .underline("single"),
        Style::new(CODE, StyleType::Character)
            .name("Code en ligne")
            .fonts(RunFonts::new().ascii("Courier New").hi_ansi("Courier New")),
    ];
    let mut rule = spaced(paragraph(RULE, "Séparateur", sizes.text), 2.0, 6.0);
    rule.paragraph_property = std::mem::take(&mut rule.paragraph_property).set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6)
                .color("808080"),
        ),
    );
    styles.push(rule);
    // The reading note of an amendment's changes, framed as in the PDF.
    let mut reading = spaced(
        paragraph(READING, "Lecture des modifications", sizes.text),
        4.0,
        8.0,
    );
    let frame = [
        ParagraphBorderPosition::Top,
        ParagraphBorderPosition::Left,
        ParagraphBorderPosition::Bottom,
        ParagraphBorderPosition::Right,
    ]
    .into_iter()
    .fold(ParagraphBorders::with_empty(), |borders, position| {
        borders.set(
            ParagraphBorder::new(position)
                .val(BorderType::Single)
                .size(4)
                .space(4)
                .color("787878"),
        )
    });
    reading.paragraph_property = std::mem::take(&mut reading.paragraph_property).set_borders(frame);
    styles.push(reading);
    // Word's own heading styles, by their English names (Word shows "Titre 1"…).
    for (level, points) in [
        (1u8, 14.0),
        (2, 11.0),
        (3, 10.0),
        (4, 9.5),
        (5, 9.0),
        (6, 9.0),
    ] {
        styles.push(keep_with_next(
            spaced(
                paragraph(heading(level), &format!("heading {level}"), points),
                if level == 1 { 14.0 } else { 10.0 },
                5.0,
            )
            .bold()
            .outline_lvl(usize::from(level - 1)),
        ));
    }
    let docx = docx
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_size(half_points(sizes.text));
    let docx = styles.into_iter().fold(docx, Docx::add_style);
    let (bullets, numbered) = lists();
    docx.add_abstract_numbering(bullets)
        .add_abstract_numbering(numbered)
        .add_numbering(Numbering::new(BULLETS, BULLETS_ABSTRACT))
}

/// The bulleted and the numbered list definitions, nine levels each.
fn lists() -> (AbstractNumbering, AbstractNumbering) {
    let level = |abstract_level: usize, format: &str, text: String| {
        let (left, hanging) = list_indent(abstract_level);
        Level::new(
            abstract_level,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(
            Some(left),
            Some(SpecialIndentType::Hanging(hanging)),
            None,
            None,
        )
    };
    let mut bullets = AbstractNumbering::new(BULLETS_ABSTRACT);
    let mut numbered = AbstractNumbering::new(NUMBERED_ABSTRACT);
    for l in 0..9 {
        let bullet = ["•", "◦", "▪"][l % 3];
        bullets = bullets.add_level(level(l, "bullet", bullet.to_string()));
        numbered = numbered.add_level(level(l, "decimal", format!("%{}.", l + 1)));
    }
    (bullets, numbered)
}
