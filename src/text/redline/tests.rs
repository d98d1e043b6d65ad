use super::*;
use crate::text::{markdown_to_html, markdown_to_typst};

const DEL: &str = "<del><span class=\"ctg-cache\">suppression\u{a0}: </span>";
const INS: &str = "<ins><span class=\"ctg-cache\">ajout\u{a0}: </span>";

fn both(old: &str, new: &str) -> (String, String) {
    (redline_typst(old, new), redline_html(old, new))
}

#[test]
fn a_replaced_word() {
    let (typst, html) = both("Ouverture d'une crèche.", "Ouverture d'une micro-crèche.");
    assert_eq!(
        typst,
        r"Ouverture d\'une #del[crèche.] #ins[micro\-crèche.]"
    );
    assert_eq!(
        html,
        format!("<p>Ouverture d&#39;une {DEL}crèche.</del> {INS}micro-crèche.</ins></p>")
    );
}

#[test]
fn an_item_added_to_a_list() {
    let (typst, html) = both("- un\n- trois", "- un\n- deux\n- trois");
    assert_eq!(typst, "#list([un], [#ins[deux]], [trois])");
    assert_eq!(
        html,
        format!("<ul>\n<li>un</li>\n<li>{INS}deux</ins></li>\n<li>trois</li>\n</ul>")
    );
}

#[test]
fn a_paragraph_removed_stays_a_paragraph() {
    let (typst, html) = both("Un.\n\nDeux mots.\n\nTrois.", "Un.\n\nTrois.");
    assert_eq!(typst, "Un.\n\n#del[Deux mots.]\n\nTrois.");
    assert_eq!(
        html,
        format!("<p>Un.</p>\n<p>{DEL}Deux mots.</del></p>\n<p>Trois.</p>")
    );
}

#[test]
fn a_change_of_layout_only_says_so() {
    // A paragraph split in two: the same words, no mark, and a note.
    let (typst, html) = both("Un mot. Deux mots.", "Un mot.\n\nDeux mots.");
    assert!(differs("Un mot. Deux mots.", "Un mot.\n\nDeux mots."));
    assert!(
        !typst.contains("#del") && !typst.contains("#ins"),
        "{typst}"
    );
    assert!(
        typst.ends_with("Deux mots.\n\n#text(fill: luma(70))[#emph[Mise en forme seule modifiée (paragraphes, listes ou retours à la ligne)\u{202f}; les mots sont inchangés.]]"),
        "{typst}"
    );
    assert_eq!(
        html,
        format!("<p>Un mot.</p>\n<p>Deux mots.</p>\n<p class=\"ctg-inchange\">{LAYOUT_ONLY}</p>")
    );
    // A line break added, a paragraph turned into a list item: the same.
    assert!(redline_html("a b", "a  \nb").ends_with(&format!("{LAYOUT_ONLY}</p>")));
    assert!(redline_html("a", "- a").ends_with(&format!("{LAYOUT_ONLY}</p>")));
    // A word changed: its marks say it, without the note.
    assert!(!redline_html("Un mot.", "Un autre mot.").contains(LAYOUT_ONLY));
    // The same text: no note either.
    assert!(!redline_html("Un mot.", "Un mot.").contains(LAYOUT_ONLY));
}

#[test]
fn a_change_inside_bold_text_nests_the_style_in_the_mark() {
    let (typst, html) = both(
        "Budget : **100 000 €** par an",
        "Budget : **120 000 €** par an",
    );
    // The changed amount is marked whole, never a group of its digits
    // (« 100 120 000 € »); its strong style inside.
    assert_eq!(
        typst,
        "Budget\u{a0}: #del[#strong[100\u{202f}000\u{a0}€]] #ins[#strong[120\u{202f}000\u{a0}€]] par an"
    );
    assert_eq!(
        html,
        format!(
            "<p>Budget\u{a0}: {DEL}<strong>100\u{202f}000\u{a0}€</strong></del> {INS}<strong>120\u{202f}000\u{a0}€</strong></ins> par an</p>"
        )
    );
    // A mark spanning a style's end still nests well.
    assert_eq!(
        redline_typst("a **b c** d", "a **b x** y"),
        "a #strong[b] #del[#strong[c] d] #ins[#strong[x] y]"
    );
}

#[test]
fn a_struck_word_inserted_is_not_struck_and_underlined() {
    // PDF/UA refuses two lines on one text: the template says it in words.
    let (typst, html) = both("a", "a ~~b~~");
    assert_eq!(typst, "a #ins[#ins-struck[b]]");
    assert!(html.contains("<s>b</s></ins>"), "{html}");
    let (typst, _) = both("a ~~b~~", "a");
    assert_eq!(typst, "a #del[#strike[b]]");
}

#[test]
fn a_word_losing_its_emphasis_is_deleted_and_inserted() {
    let (typst, html) = both("un *mot* ici", "un mot ici");
    assert_eq!(typst, "un #del[#emph[mot]] #ins[mot] ici");
    assert_eq!(
        html,
        format!("<p>un {DEL}<em>mot</em></del> {INS}mot</ins> ici</p>")
    );
}

#[test]
fn typography_is_kept_around_the_marks() {
    let (typst, html) = both("Objectif : 12 places", "Objectif : 14 places");
    assert_eq!(typst, "Objectif\u{a0}: #del[12] #ins[14]\u{a0}places");
    assert_eq!(
        html,
        format!("<p>Objectif\u{a0}: {DEL}12</del> {INS}14</ins>\u{a0}places</p>")
    );
    assert_eq!(
        redline_typst("une 2ème fois", "une 3ème fois"),
        "une #del[2] #ins[3]#super[e] fois"
    );
}

#[test]
fn an_empty_side_marks_everything() {
    let (typst, html) = both("", "Un **deux**\n\n- trois");
    assert_eq!(typst, "#ins[Un #strong[deux]]\n\n#list([#ins[trois]])");
    assert_eq!(
        html,
        format!(
            "<p>{INS}Un <strong>deux</strong></ins></p>\n<ul>\n<li>{INS}trois</ins></li>\n</ul>"
        )
    );
    let (typst, html) = both("- a\n  - b\n- c", "");
    assert_eq!(typst, "#list([#del[a]#list([#del[b]])], [#del[c]])");
    assert_eq!(
        html,
        format!(
            "<ul>\n<li>{DEL}a</del>\n<ul>\n<li>{DEL}b</del></li>\n</ul>\n</li>\n<li>{DEL}c</del></li>\n</ul>"
        )
    );
    assert_eq!(both("", ""), (String::new(), String::new()));
}

#[test]
fn an_unchanged_text_is_written_as_elsewhere() {
    for text in [
        "Un 2ème **mot**. Suite : fin !",
        "- *a*\n- **b**. suite\n\n> cité\n\n3. trois\n4. quatre",
    ] {
        assert_eq!(redline_typst(text, text), markdown_to_typst(text));
        assert_eq!(redline_html(text, text), markdown_to_html(text));
    }
}

#[test]
fn differs_only_in_what_a_reader_sees() {
    assert!(!differs("*a*", "_a_"));
    assert!(!differs(
        "un  mot\nsur deux lignes",
        "un mot sur deux lignes"
    ));
    assert!(!differs("Objectif: 12 places", "Objectif : 12 places"));
    assert!(differs("*a*", "a"));
    assert!(differs("un mot", "un autre mot"));
    assert!(differs("- a\n- b", "- a\n\n  b"));
}

#[test]
fn hostile_text_stays_literal() {
    let text = r"#set $x$ ] [ @ref \ `#raw` 🎉 <script>alert(1)</script>";
    let (typst, html) = both(&format!("{text} fin"), &format!("{text} suite"));
    // The kept part is escaped exactly as the plan's cells are.
    assert_eq!(
        typst,
        format!("{} #del[fin] #ins[suite]", markdown_to_typst(text))
    );
    assert!(!html.contains("<script") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("#set $x$ ] [ @ref \\ <code>#raw</code> 🎉"));
}

/// The Typst markup compiles, and the hostile text prints as written.
#[test]
fn the_typst_markup_compiles_and_prints_the_text() {
    use crate::render::pdf::{Export, Images, compile, page_texts};
    let text = r"#set $x$ ] [ @ref \ 🎉 <script>alert(1)</script> (a). 1. b";
    let body = redline_typst(
        &format!("{text} fin\n\n- un"),
        &format!("{text} suite\n\n- un\n- deux"),
    );
    let source = format!(
        "#set document(title: \"t\")\n#set text(lang: \"fr\")\n#let del(body) = text(fill: red, body)\n#let ins(body) = text(fill: blue, body)\n#block[{body}]"
    );
    let export = Export {
        ident: "redline".into(),
        timestamp: 0,
    };
    let pdf = compile("redline.typ", source, Images::default(), &export).expect("compiles");
    // The printed words, in order (the layout splits runs at the emoji).
    let printed = page_texts(&pdf.document).join(" ");
    let printed: Vec<&str> = printed.split_whitespace().collect();
    let expected = format!("{text} fin suite • un • deux");
    assert_eq!(printed, expected.split_whitespace().collect::<Vec<_>>());
}

#[test]
fn the_blocks_are_those_the_markup_writes() {
    let run = |mark, text: &str, before| Run {
        mark,
        style: 0,
        text: Some(text.to_string()),
        before,
    };
    let item = |depth, runs| RedlineBlock {
        kind: BlockKind::Item(None),
        depth,
        quoted: false,
        runs,
    };
    let compared = redline_blocks("- un\n  - deux\n- trois", "- un\n  - deux mots\n- trois");
    assert_eq!(
        compared,
        Redline {
            blocks: vec![
                item(1, vec![run(Mark::Same, "un", None)]),
                item(
                    2,
                    vec![
                        run(Mark::Same, "deux", None),
                        run(Mark::Inserted, "mots", Some(' '))
                    ]
                ),
                item(1, vec![run(Mark::Same, "trois", None)]),
            ],
            layout_only: false,
        }
    );
    // A bold amount: its style on the run; a numbered list's first number.
    let compared = redline_blocks("3. **12** €", "3. **15** €");
    assert_eq!(compared.blocks[0].kind, BlockKind::Item(Some(3)));
    let runs = &compared.blocks[0].runs;
    assert!(runs[0].is(STRONG) && runs[0].mark == Mark::Deleted);
    assert!(runs[1].is(STRONG) && runs[1].mark == Mark::Inserted);
    assert!(!runs[2].is(STRONG) && runs[2].mark == Mark::Same);
    // The note of a change of layout only, as the markup's.
    let texts = [
        "Un mot. Deux mots.",
        "Un mot.\n\nDeux mots.",
        "- Un mot. Deux mots.",
        "Un mot. Trois.",
    ];
    for old in texts {
        for new in texts {
            assert_eq!(
                redline_blocks(old, new).layout_only,
                redline_html(old, new).contains(LAYOUT_ONLY),
                "{old:?} → {new:?}"
            );
        }
    }
}

/// Every pair of these texts gives well nested markup in both formats.
#[test]
fn markup_is_well_nested_whatever_the_change() {
    let texts = [
        "",
        "Un **deux trois** quatre",
        "Un *deux **trois** quatre* cinq",
        "- a\n- b\n  - c\n\n> d **e**\n\n```\nf\n```",
        "1. a\n2. b\n\nc  \nd ~~e~~ ^f^ `g`",
        "# Titre\n\nTexte [lien](https://exemple.fr) ---\n\n---",
        "> - a\n> - b\n\nc",
    ];
    for old in texts {
        for new in texts {
            html_nests(&redline_html(old, new));
            typst_nests(&redline_typst(old, new));
        }
    }
}

fn html_nests(html: &str) {
    let mut open = Vec::new();
    for tag in html.split('<').skip(1) {
        let name = tag.split(['>', ' ']).next().unwrap_or_default();
        match name.strip_prefix('/') {
            Some(closed) => assert_eq!(open.pop(), Some(closed), "{html}"),
            None if tag.contains("/>") => {}
            None => open.push(name),
        }
    }
    assert!(open.is_empty(), "{html}");
}

fn typst_nests(typst: &str) {
    let (mut open, mut string) = (Vec::new(), false);
    let mut chars = typst.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => string = !string,
            '[' | '(' if !string => open.push(c),
            ']' if !string => assert_eq!(open.pop(), Some('['), "{typst}"),
            ')' if !string => assert_eq!(open.pop(), Some('('), "{typst}"),
            _ => {}
        }
    }
    assert!(open.is_empty() && !string, "{typst}");
}
