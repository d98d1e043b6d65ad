//! The view of a year's review ("bilan annuel"), for the Typst
//! and HTML templates: the plan's view, its table with the year's state and
//! comment added, plus that year's figures, lists and texts.

use std::collections::HashMap;

use serde::Serialize;

use super::view::{AddedColumn, AddedColumns, Markup, PlanView};
use crate::model::follow_up::{Counts, Review, Standing, State};
use crate::model::{Action, Plan};
use crate::text::{markdown_to_html_document, markdown_to_plain, markdown_to_typst_document};

#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub year: u16,
    pub previous_year: Option<u16>,
    /// "Bilan annuel 2025 – <titre> – <parties>", for metadata.
    pub review_title: String,
    /// The plan as in the annex (title block, columns, groups of rows, notes),
    /// its variables beside the review's own, so that the templates of the
    /// plan's table serve both documents; its table has the year's follow-up
    /// as added columns.
    #[serde(flatten)]
    pub plan: PlanView,
    pub introduction: Option<String>,
    /// The columns of the summary and the chart's categories, in the order of
    /// the counts: every state, then « à venir » and « non renseigné » when
    /// some action is so.
    pub states: Vec<StateColumn>,
    pub summary: Vec<SummaryRow>,
    pub totals: SummaryRow,
    /// Largest total of a field, the scale of the chart.
    pub chart_max: usize,
    pub due: Vec<ItemView>,
    pub overdue: Vec<ItemView>,
    pub changed: Vec<ChangeView>,
    pub field_texts: Vec<FieldTextView>,
    pub conclusions: Option<String>,
    pub indicators: Vec<IndicatorGroupView>,
    /// Geometry of the bar chart drawn in SVG by the HTML page.
    pub chart: ChartView,
}

/// A column of the summary: its label and its fill in the chart (an index in
/// the templates' list of fills, one per state, then « à venir », then « non
/// renseigné »).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StateColumn {
    pub label: &'static str,
    pub pattern: usize,
    #[serde(skip)]
    standing: Standing,
}

impl StateColumn {
    /// The columns that `totals` needs.
    fn all(totals: &Counts) -> Vec<Self> {
        let states = State::ALL.iter().map(|s| Standing::Reported(*s));
        let extra = [
            (totals.upcoming > 0).then_some(Standing::Upcoming),
            (totals.missing > 0).then_some(Standing::Missing),
        ];
        states
            .chain(extra.into_iter().flatten())
            .map(|standing| StateColumn {
                label: standing.label(),
                pattern: match standing {
                    Standing::Reported(s) => s.index(),
                    Standing::Upcoming => State::ALL.len(),
                    Standing::Missing => State::ALL.len() + 1,
                },
                standing,
            })
            .collect()
    }
}

/// A stacked horizontal bar chart: one bar per field, one segment per state.
#[derive(Debug, Serialize)]
pub struct ChartView {
    pub height: u32,
    pub bars: Vec<BarView>,
    pub legend: Vec<LegendView>,
}

#[derive(Debug, Serialize)]
pub struct BarView {
    /// The field's label, wrapped: each line with its baseline.
    pub lines: Vec<LabelLine>,
    pub y: u32,
    pub segments: Vec<SegmentView>,
}

#[derive(Debug, Serialize)]
pub struct LabelLine {
    pub text: String,
    pub y: u32,
}

#[derive(Debug, Serialize)]
pub struct SegmentView {
    pub x: u32,
    pub width: u32,
    /// Centre of the segment, where its count is written.
    pub middle: u32,
    pub fill: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct LegendView {
    pub x: u32,
    pub y: u32,
    pub fill: &'static str,
    pub label: &'static str,
}

/// Fill of each state in the SVG chart (patterns are defined in the template),
/// then of « à venir » and of « non renseigné ».
const SVG_FILLS: [&str; 8] = [
    "#1b5e20",
    "url(#etat-1)",
    "#fff",
    "url(#etat-3)",
    "url(#etat-4)",
    "url(#etat-5)",
    "url(#etat-6)",
    "#c8c8c8",
];

impl ChartView {
    /// The least height of a bar's row, and the bar's own height.
    const ROW: u32 = 34;
    const BAR: u32 = 24;
    const LEFT: u32 = 160;
    const WIDTH: u32 = 460;
    /// The labels' line height, and how many characters a line holds in the
    /// 150 units left of the bars at the labels' size (13), with room to spare
    /// for wide letters.
    const LINE: u32 = 15;
    const LABEL_CHARS: usize = 20;

    fn new(summary: &[SummaryRow], max: usize, columns: &[StateColumn]) -> Self {
        let max = max.max(1);
        let mut top = 10;
        let bars: Vec<BarView> = summary
            .iter()
            .map(|row| {
                // A long label wraps, a row grows to hold it: never cut.
                let wrapped = wrap_words(&row.label, Self::LABEL_CHARS);
                let lines_height = wrapped.len() as u32 * Self::LINE;
                let height = Self::ROW.max(lines_height + 10);
                let first = top + (height - lines_height) / 2 + 11;
                let lines = wrapped
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| LabelLine {
                        text,
                        y: first + i as u32 * Self::LINE,
                    })
                    .collect();
                let y = top + (height - Self::BAR) / 2;
                top += height;
                let mut x = Self::LEFT;
                let segments = row
                    .counts
                    .iter()
                    .copied()
                    .zip(columns)
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, column)| {
                        let width = (n as u32 * Self::WIDTH) / max as u32;
                        let segment = SegmentView {
                            x,
                            width,
                            middle: x + width / 2,
                            fill: SVG_FILLS[column.pattern],
                            count: n,
                        };
                        x += width;
                        segment
                    })
                    .collect();
                BarView { lines, y, segments }
            })
            .collect();
        let top = top + 10;
        let legend: Vec<LegendView> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| LegendView {
                x: (i as u32 % 3) * 200 + 20,
                y: top + (i as u32 / 3) * 22,
                fill: SVG_FILLS[column.pattern],
                label: column.label,
            })
            .collect();
        let rows = legend.len().div_ceil(3) as u32;
        ChartView {
            height: top + rows * 22 + 10,
            bars,
            legend,
        }
    }
}

/// `text` in lines of at most `width` characters, cut between words; a word
/// longer than a line has a line of its own, whole.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[derive(Debug, Serialize)]
pub struct SummaryRow {
    pub label: String,
    /// One count per column of the summary.
    pub counts: Vec<usize>,
    pub total: usize,
}

impl SummaryRow {
    fn new(label: &str, counts: &Counts, columns: &[StateColumn]) -> Self {
        Self {
            label: label.to_string(),
            counts: columns.iter().map(|c| counts.of(c.standing)).collect(),
            total: counts.total(),
        }
    }
}

/// An action in a list: its field, its description as plain text, its deadline
/// and its state this year.
#[derive(Debug, Serialize)]
pub struct ItemView {
    pub id: String,
    pub field: String,
    pub description: String,
    pub deadline: String,
    pub state: String,
}

impl ItemView {
    /// Action `a` in a list of `review`: its field's label, the first line of
    /// its description, its deadline and its state this year.
    fn new(review: &Review<'_>, a: &Action) -> Self {
        Self {
            id: a.id.clone(),
            field: review
                .plan
                .convention
                .field(&a.field)
                .map_or_else(|| a.field.clone(), |f| f.label.clone()),
            description: markdown_to_plain(&a.description)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
            deadline: a.deadline.text.clone(),
            state: review.standing(a).label().to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ChangeView {
    pub item: ItemView,
    pub before: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FieldTextView {
    pub label: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct IndicatorGroupView {
    pub item: ItemView,
    pub rows: Vec<IndicatorView>,
}

/// Numbers written the French way: "12", "12,5".
#[derive(Debug, Serialize)]
pub struct IndicatorView {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
}

/// A figure of the follow-up in French form, as amounts are: thousands
/// grouped by a narrow no-break space, a decimal comma (« 1 850 », « 12,5 »).
pub(crate) fn number(value: f64) -> String {
    let text = if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    };
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, decimals) = text.split_once('.').unwrap_or((text, ""));
    let whole = crate::french::group_thousands(whole);
    match decimals {
        "" => format!("{sign}{whole}"),
        d => format!("{sign}{whole},{d}"),
    }
}

impl ReviewView {
    pub fn new(review: &Review<'_>, format: Markup) -> Self {
        let plan: &Plan = review.plan;
        let document = |md: &str| match format {
            Markup::Typst => markdown_to_typst_document(md, 2),
            Markup::Html => markdown_to_html_document(md, 3),
            // The Word writer places the headings itself.
            Markup::Word => md.to_string(),
        };
        let item = |a: &Action| ItemView::new(review, a);

        let (rows, totals) = review.summary();
        let columns = StateColumn::all(&totals);
        let summary: Vec<SummaryRow> = rows
            .iter()
            .map(|(label, c)| SummaryRow::new(label, c, &columns))
            .collect();
        let chart_max = summary.iter().map(|r| r.total).max().unwrap_or(0);
        let chart = ChartView::new(&summary, chart_max, &columns);
        let texts = &review.year.texts;
        let c = &plan.convention;
        let year = review.year.year;
        let mut follow_up_cells = follow_up_cells(review, format);
        let mut plan_view = PlanView::new(plan, format);
        plan_view.add_columns(follow_up_columns(year), |id| {
            follow_up_cells.remove(id).unwrap_or_default()
        });
        ReviewView {
            year,
            previous_year: review.previous.map(|p| p.year),
            review_title: format!("Bilan annuel {} – {} – {}", year, c.title, c.parties),
            plan: plan_view,
            introduction: texts.introduction.as_deref().map(document),
            chart_max,
            chart,
            totals: SummaryRow::new("Total", &totals, &columns),
            states: columns,
            summary,
            due: review.due().into_iter().map(item).collect(),
            overdue: review.overdue().into_iter().map(item).collect(),
            changed: review
                .changed()
                .into_iter()
                .map(|(a, before, _)| ChangeView {
                    item: item(a),
                    before: before.label(),
                })
                .collect(),
            field_texts: c
                .fields
                .iter()
                .filter_map(|f| {
                    texts.fields.get(&f.id).map(|t| FieldTextView {
                        label: f.label.clone(),
                        text: document(t),
                    })
                })
                .collect(),
            conclusions: texts.conclusions.as_deref().map(document),
            indicators: indicators(review),
        }
    }
}

/// The year's follow-up of each action, as two more cells of its row: the
/// state in bold with the progress in a paragraph under it, and the comment.
fn follow_up_cells<'p>(review: &Review<'p>, format: Markup) -> HashMap<&'p str, Vec<String>> {
    review
        .plan
        .actions
        .iter()
        .map(|a| {
            let follow_up = review.follow_up(a);
            let state_label = review.standing(a).label();
            let state = match follow_up.and_then(|f| f.progress) {
                Some(progress) => format!("**{state_label}**\n\n{progress} %"),
                None => format!("**{state_label}**"),
            };
            let comment = follow_up.and_then(|f| f.comment.as_deref());
            let cells = vec![
                format.markup(&state),
                comment.map(|md| format.markup(md)).unwrap_or_default(),
            ];
            (a.id.as_str(), cells)
        })
        .collect()
}

/// The indicators of the year, action by action, for the actions that have
/// some.
fn indicators(review: &Review<'_>) -> Vec<IndicatorGroupView> {
    review
        .plan
        .actions
        .iter()
        .filter_map(|a| {
            let f = review.follow_up(a).filter(|f| !f.indicators.is_empty())?;
            let rows = f
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    name: i.name.clone(),
                    value: number(i.value),
                    unit: i.unit.clone(),
                    baseline: i.baseline.map(number),
                    target: i.target.map(number),
                })
                .collect();
            Some(IndicatorGroupView {
                item: ItemView::new(review, a),
                rows,
            })
        })
        .collect()
}

/// The columns a review adds to the plan's table: the year's state (with its
/// progress) and comment, under "Suivi <year>".
fn follow_up_columns(year: u16) -> AddedColumns {
    AddedColumns {
        id: "suivi",
        label: format!("Suivi {year}"),
        columns: vec![
            AddedColumn {
                id: "etat",
                label: format!("État {year}"),
                width: 0.9,
            },
            AddedColumn {
                id: "commentaire",
                label: format!("Commentaire {year}"),
                width: 1.7,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_french_way() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.5), "12,5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1850.0), "1\u{202f}850");
        assert_eq!(number(-1234567.25), "-1\u{202f}234\u{202f}567,25");
    }

    #[test]
    fn a_long_field_label_wraps_between_words_and_is_never_cut() {
        let label = "Axe 3 – Accès aux droits et inclusion numérique des familles";
        let row = SummaryRow {
            label: label.to_string(),
            counts: vec![2, 1],
            total: 3,
        };
        let short = SummaryRow {
            label: "Jeunesse".to_string(),
            counts: vec![1, 0],
            total: 1,
        };
        let columns = vec![
            StateColumn {
                label: "réalisé",
                pattern: 0,
                standing: Standing::Reported(State::Done),
            },
            StateColumn {
                label: "en cours",
                pattern: 1,
                standing: Standing::Reported(State::InProgress),
            },
        ];
        let chart = ChartView::new(&[row, short], 3, &columns);
        let lines: Vec<&str> = chart.bars[0]
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() <= ChartView::LABEL_CHARS),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), label);
        // The next bar starts below the wrapped label, and the legend below all.
        let last = chart.bars[0].lines.last().unwrap().y;
        assert!(chart.bars[1].y > last, "{last} {}", chart.bars[1].y);
        assert!(chart.legend[0].y > chart.bars[1].y + ChartView::BAR);
        assert_eq!(chart.bars[1].lines.len(), 1);
    }
}
