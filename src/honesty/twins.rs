//! Twins: copies of an intent whose `Then` steps expect another value.
//!
//! In: an intent (background steps first) and the step keywords of its
//! feature's language. Out: one [`Twin`] per value a `Then` step states — a
//! number in its text (`4` → `5`, `0.60` → `1.60`, `-3` → `-2`), a quoted
//! string (`"insufficient funds"` → `"insufficient funds (twin)"`), its doc
//! string, the cells of its data table — and [`render`], the Gherkin text of
//! a feature with one concrete scenario, so that a harness runs intents and
//! twins as ordinary scenarios. A twin that passes shows that the `Then`
//! step does not check that value. What must not happen here: deciding a
//! verdict, or reading files ([`Keywords::of_feature`] takes the keywords
//! from a copy of Gherkin's language table).

use serde::Serialize;

use crate::spec::{Feature, Intent, Step};

/// What a twin changes in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Place {
    /// A value in the step's text, at this byte offset of the original text.
    Text { offset: usize },
    /// The step's doc string.
    DocString,
    /// A cell of the step's data table (0-based row, the header being row 0).
    Cell { row: usize, column: usize },
}

/// A copy of an intent with one expected value changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Twin {
    /// Index in [`crate::spec::Intent::steps`] of the changed step.
    pub step: usize,
    /// Where in the step the value is.
    pub place: Place,
    /// The value as the intent states it: `4`, `"insufficient funds"`, a
    /// cell's text, or for a doc string the number or line changed.
    pub from: String,
    /// What the twin states instead.
    pub to: String,
    /// Every step of the twin, background first, one of them changed.
    pub steps: Vec<Step>,
}

/// Whether `twin` changes a value that a step before its `Then` step
/// already gave (`the room "Mont Blanc"`, `on 12 May`): such a value names
/// what the `Then` step asks about rather than what it expects, and another
/// one may truly give the same answer ("the room is free on 13 May" is as
/// true as on 12 May), so a twin that passes says nothing about the step.
/// Values are matched whole: `4` is not in `45 minutes`, `9` is in `9h`.
pub fn restates_earlier_value(intent: &Intent, twin: &Twin) -> bool {
    let numeric = twin.from.chars().all(|c| c.is_ascii_digit() || c == '.');
    let joins = |c: char| {
        if numeric {
            c.is_ascii_digit() || c == '.'
        } else {
            c.is_alphanumeric()
        }
    };
    let whole = |text: &str| {
        text.match_indices(twin.from.as_str()).any(|(at, found)| {
            let before = text[..at].chars().next_back();
            let after = text[at + found.len()..].chars().next();
            !before.is_some_and(joins) && !after.is_some_and(joins)
        })
    };
    !twin.from.is_empty()
        && intent.steps.iter().take(twin.step).any(|step| {
            whole(&step.text)
                || step.doc_string.as_deref().is_some_and(whole)
                || step
                    .data_table
                    .iter()
                    .flatten()
                    .flatten()
                    .any(|cell| whole(cell))
        })
}

/// Keywords of one Gherkin language, trimmed, as the `gherkin` crate lists
/// them (`gherkin::keywords::Keywords`, from the Cucumber project's
/// `gherkin-languages.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keywords {
    /// The code of `# language:` (`en`, `fr`).
    pub language: String,
    /// The keyword [`render`] writes before a scenario (`Scenario`, `Scénario`).
    pub scenario: String,
    /// `Then` keywords (`Then`; `Alors`, `Donc`).
    pub then: Vec<String>,
    /// `And` keywords: a step of the type of the step before it.
    pub and: Vec<String>,
    /// `But` keywords: likewise.
    pub but: Vec<String>,
}

impl Keywords {
    /// The keywords of the language whose `# language:` code is `code`
    /// (`en`, `fr`, `pt-BR`), or `None` for a code Gherkin does not know.
    pub fn of(code: &str) -> Option<Self> {
        let list = |words: &[String]| {
            let mut kept: Vec<String> = Vec::new();
            for word in words.iter().map(|w| w.trim().to_owned()) {
                if !kept.contains(&word) {
                    kept.push(word);
                }
            }
            kept
        };
        crate::spec::keywords::language(code).map(|language| Self {
            language: language.code().to_owned(),
            scenario: language.scenario().to_owned(),
            then: list(language.then()),
            and: list(language.and()),
            but: list(language.but()),
        })
    }

    /// The keywords of `feature`'s language (its `# language:` line;
    /// English without one, or for a code Gherkin does not know, which
    /// `spec` would have refused).
    pub fn of_feature(feature: &Feature) -> Self {
        crate::spec::language(&feature.text)
            .and_then(Self::of)
            .unwrap_or_else(Self::english)
    }

    /// French, for tests.
    #[cfg(test)]
    pub(crate) fn french() -> Self {
        Self::of("fr").expect("Gherkin knows French")
    }

    /// English, Gherkin's default language.
    pub fn english() -> Self {
        let list = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect();
        Self {
            language: "en".to_owned(),
            scenario: "Scenario".to_owned(),
            then: list(&["Then"]),
            and: list(&["And"]),
            but: list(&["But"]),
        }
    }
}

/// Which steps are `Then` steps: a `Then` keyword, or `And`, `But` or `*`
/// following one (in `keywords`' language).
pub fn then_steps(steps: &[Step], keywords: &Keywords) -> Vec<bool> {
    let mut previous = false;
    steps
        .iter()
        .map(|step| {
            let keyword = step.keyword.trim();
            let has = |list: &[String]| list.iter().any(|k| k.trim() == keyword);
            previous = if keyword == "*" || has(&keywords.and) || has(&keywords.but) {
                previous
            } else {
                has(&keywords.then)
            };
            previous
        })
        .collect()
}

/// The twins of `intent`, in step order and, within a step, in
/// the order of the values: text, doc string, data table.
pub fn twins(intent: &Intent, keywords: &Keywords) -> Vec<Twin> {
    let steps = intent.steps.as_slice();
    let mut out = Vec::new();
    for (index, is_then) in then_steps(steps, keywords).into_iter().enumerate() {
        if !is_then {
            continue;
        }
        let step = &steps[index];
        let mut add = |place: Place, from: String, to: String, changed: Step| {
            let mut all = steps.to_vec();
            all[index] = changed;
            out.push(Twin {
                step: index,
                place,
                from,
                to,
                steps: all,
            });
        };
        for value in values(&step.text) {
            let mut changed = step.clone();
            changed.text.replace_range(value.range.clone(), &value.to);
            add(
                Place::Text {
                    offset: value.range.start,
                },
                value.from,
                value.to,
                changed,
            );
        }
        if let Some(doc) = &step.doc_string {
            let (from, to, text) = if let Some(number) = numbers(doc).first() {
                let mut text = doc.clone();
                text.replace_range(number.range.clone(), &number.to);
                (number.from.clone(), number.to.clone(), text)
            } else {
                let line = doc.lines().rev().find(|l| !l.trim().is_empty());
                let from = line.unwrap_or_default().to_owned();
                let to = format!("{from} (twin)");
                let text = match doc.rfind(&from).filter(|_| !from.is_empty()) {
                    Some(at) => format!("{}{to}{}", &doc[..at], &doc[at + from.len()..]),
                    None => format!("{doc}(twin)"),
                };
                (from, to, text)
            };
            let mut changed = step.clone();
            changed.doc_string = Some(text);
            add(Place::DocString, from, to, changed);
        }
        if let Some(table) = &step.data_table {
            // The header row names the columns: changing it would fail for
            // another reason. Each column of the first row, and the first
            // cell of every other row.
            let first = usize::from(table.len() > 1);
            for (row, cells) in table.iter().enumerate().skip(first) {
                for (column, cell) in cells.iter().enumerate() {
                    if row > first && column > 0 {
                        break;
                    }
                    let to = changed_cell(cell);
                    let mut changed = step.clone();
                    if let Some(t) = &mut changed.data_table {
                        t[row][column].clone_from(&to);
                    }
                    add(Place::Cell { row, column }, cell.clone(), to, changed);
                }
            }
        }
    }
    out
}

/// A cell's twin value: its first number changed, or ` (twin)` appended.
fn changed_cell(cell: &str) -> String {
    match numbers(cell).first() {
        Some(number) => {
            let mut text = cell.to_owned();
            text.replace_range(number.range.clone(), &number.to);
            text
        }
        None if cell.trim().is_empty() => "twin".to_owned(),
        None => format!("{cell} (twin)"),
    }
}

/// A value found in a text and what its twin states.
#[derive(Debug)]
struct Value {
    range: std::ops::Range<usize>,
    from: String,
    to: String,
}

/// The quoted strings and the numbers outside them, in text order.
fn values(text: &str) -> Vec<Value> {
    let quoted = quoted(text);
    let inside = |n: &Value| {
        quoted
            .iter()
            .any(|q| q.range.start <= n.range.start && n.range.end <= q.range.end)
    };
    let mut all: Vec<Value> = numbers(text).into_iter().filter(|n| !inside(n)).collect();
    all.extend(quoted);
    all.sort_by_key(|v| v.range.start);
    all
}

/// Strings in double quotes, and in single quotes where the quotes stand
/// apart from words (`'Dune'`, not the apostrophe of `qu'il`).
fn quoted(text: &str) -> Vec<Value> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let quote = bytes[at];
        let apart = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        if (quote == b'"' || (quote == b'\'' && apart))
            && let Some(length) = text[at + 1..].find(char::from(quote))
        {
            let end = at + 1 + length;
            let after_apart = bytes
                .get(end + 1)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            if quote == b'"' || after_apart {
                let inner = &text[at + 1..end];
                let q = char::from(quote);
                let to = if inner.is_empty() {
                    format!("{q}twin{q}")
                } else {
                    format!("{q}{inner} (twin){q}")
                };
                out.push(Value {
                    range: at..end + 1,
                    from: text[at..=end].to_owned(),
                    to,
                });
                at = end + 1;
                continue;
            }
        }
        at += 1;
    }
    out
}

/// Numbers that do not continue a word (`4`, `-3`, `0.60`, `10%`, the `10`
/// of `10h`, not the `1` of `B1`), each with its value plus one, written
/// with as many decimals: `4` → `5`, `0.60` → `1.60`, `-3` → `-2`.
fn numbers(text: &str) -> Vec<Value> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let before_apart = at == 0 || !is_word(bytes[at - 1]);
        let negative = bytes[at] == b'-'
            && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric());
        // A digit after `B`, `item-` or `2025-` continues a code or a date.
        let continues = !before_apart
            || (at >= 2 && matches!(bytes[at - 1], b'-' | b'.') && is_word(bytes[at - 2]));
        if bytes[at].is_ascii_digit() && continues {
            while at < bytes.len() && (is_word(bytes[at]) || matches!(bytes[at], b'-' | b'.')) {
                at += 1;
            }
            continue;
        }
        if !(bytes[at].is_ascii_digit() || negative) {
            at += 1;
            continue;
        }
        let start = at;
        let mut end = at + usize::from(negative);
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        let mut decimals = 0;
        if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
            let point = end;
            end += 1;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            decimals = end - point - 1;
        }
        let from = &text[start..end];
        if let Some(to) = plus_one(from, decimals) {
            out.push(Value {
                range: start..end,
                from: from.to_owned(),
                to,
            });
        }
        at = end;
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// `number` plus one, with `decimals` decimals.
fn plus_one(number: &str, decimals: usize) -> Option<String> {
    let digits: String = number.chars().filter(|c| *c != '.').collect();
    let scaled: i128 = digits.parse().ok()?;
    let one = 10_i128.checked_pow(u32::try_from(decimals).ok()?)?;
    let sum = scaled.checked_add(one)?;
    if decimals == 0 {
        return Some(sum.to_string());
    }
    let sign = if sum < 0 { "-" } else { "" };
    let magnitude = sum.unsigned_abs();
    let unit = one.unsigned_abs();
    Some(format!(
        "{sign}{}.{:0decimals$}",
        magnitude / unit,
        magnitude % unit
    ))
}

/// A feature file holding one scenario: `feature`'s `# language:` line and
/// keyword, then the scenario `name` tagged with `tags` (each with its
/// `@`), with every step of `steps` (background steps included: the
/// scenario stands alone) with its doc string and data table.
pub fn render(
    feature: &Feature,
    keywords: &Keywords,
    tags: &[String],
    name: &str,
    steps: &[Step],
) -> String {
    let mut lines = Vec::new();
    if keywords.language != "en" {
        lines.push(format!("# language: {}", keywords.language));
    }
    lines.push(format!("{}: {}", feature.keyword, one_line(&feature.name)));
    lines.push(String::new());
    if !tags.is_empty() {
        lines.push(format!("  {}", tags.join(" ")));
    }
    lines.push(format!("  {}: {}", keywords.scenario, one_line(name)));
    for step in steps {
        lines.push(format!("    {} {}", step.keyword, one_line(&step.text)));
        if let Some(doc) = &step.doc_string {
            // gherkin 0.16 keeps what follows the opening fence (a media
            // type, or nothing) as the first line of the content, and has
            // no escapes: another fence is the only way to hold `"""`.
            let fence = if doc.contains("\"\"\"") {
                "```"
            } else {
                "\"\"\""
            };
            let mut block = format!("      {fence}");
            for (index, line) in doc.split('\n').enumerate() {
                if index > 0 {
                    block.push('\n');
                    if !line.trim().is_empty() {
                        block.push_str("      ");
                    }
                }
                block.push_str(line);
            }
            if doc.ends_with('\n') {
                block.push_str("      ");
            }
            block.push_str(fence);
            lines.push(block);
        }
        for row in step.data_table.iter().flatten() {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| {
                    cell.replace('\\', "\\\\")
                        .replace('|', "\\|")
                        .replace('\n', "\\n")
                })
                .collect();
            lines.push(format!("      | {} |", cells.join(" | ")));
        }
    }
    lines.push(String::new());
    lines.join("\n")
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::spec::{self, Intent};

    fn feature(name: &str) -> Feature {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("features")
            .join(name);
        let spec = spec::parse(&[path]).expect("the bundled features parse");
        spec.features
            .into_iter()
            .next()
            .expect("one feature per file")
    }

    fn intent<'f>(feature: &'f Feature, name: &str) -> &'f Intent {
        feature
            .intents
            .iter()
            .find(|i| i.name == name)
            .expect("the intent is in the feature")
    }

    /// The steps of the one scenario of a rendered feature, lines aside.
    fn parsed_steps(text: &str) -> Vec<Step> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("twin.feature");
        std::fs::write(&path, text).expect("write");
        let spec = spec::parse(&[path]).expect("a rendered feature parses");
        let intents = &spec.features[0].intents;
        assert_eq!(intents.len(), 1);
        unlined(&intents[0].steps)
    }

    fn unlined(steps: &[Step]) -> Vec<Step> {
        steps
            .iter()
            .map(|s| Step {
                line: 0,
                ..s.clone()
            })
            .collect()
    }

    fn changes(twins: &[Twin]) -> Vec<(usize, &str, &str)> {
        twins
            .iter()
            .map(|t| (t.step, t.from.as_str(), t.to.as_str()))
            .collect()
    }

    #[test]
    fn values_the_earlier_steps_gave_are_told_apart_from_expected_ones() {
        let rooms = feature("reservation_salle.feature");
        let keywords = Keywords::of_feature(&rooms);
        let cancel = intent(&rooms, "Annuler une réservation libère la salle");
        let cancel_twins = twins(cancel, &keywords);
        let restated: Vec<(&str, bool)> = cancel_twins
            .iter()
            .map(|t| (t.from.as_str(), restates_earlier_value(cancel, t)))
            .collect();
        assert!(!restated.is_empty());
        assert!(restated.iter().all(|(_, r)| *r), "{restated:?}");
        let parking = "Feature: Parking\n\n  Scenario: Three hours\n    Given a car parked for 45 minutes\n    Then the fee is 4 euros\n";
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("parking.feature");
        std::fs::write(&path, parking).expect("write");
        let spec = spec::parse(&[path]).expect("parses");
        let fee = &spec.features[0].intents[0];
        let twins = twins(fee, &Keywords::english());
        assert_eq!(changes(&twins), [(1, "4", "5")]);
        assert!(!restates_earlier_value(fee, &twins[0]), "4 is not in 45");
    }

    #[test]
    fn then_steps_include_and_but_and_star_after_then() {
        let library = feature("library_loans.feature");
        let late = intent(&library, "Bringing a book back three days late");
        assert_eq!(
            then_steps(&late.steps, &Keywords::english()),
            [false, false, false, false, true, true]
        );
        let mut steps = late.steps.clone();
        steps[5].keyword = "*".to_owned();
        steps.push(Step {
            keyword: "But".to_owned(),
            ..steps[5].clone()
        });
        assert_eq!(
            then_steps(&steps, &Keywords::english()),
            [false, false, false, false, true, true, true]
        );
    }

    #[test]
    fn numbers_and_strings_of_then_steps_change_and_given_values_do_not() {
        let library = feature("library_loans.feature");
        let late = intent(&library, "Bringing a book back three days late");
        let twins = twins(late, &Keywords::english());
        assert_eq!(
            changes(&twins),
            [(4, "22", "23"), (4, "2025", "2026"), (5, "0.60", "1.60")]
        );
        assert_eq!(twins[2].steps[5].text, "Sam owes a late fee of 1.60 euros");
        assert_eq!(twins[2].steps[..5], late.steps[..5]);
        assert_eq!(twins[0].place, Place::Text { offset: 25 });
    }

    #[test]
    fn an_outline_row_twins_its_own_values_and_zero_becomes_one() {
        let banking = feature("banking.feature");
        let rows: Vec<&Intent> = banking
            .intents
            .iter()
            .filter(|i| i.example.is_some())
            .collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            changes(&twins(rows[0], &Keywords::english())),
            [(4, "-20", "-19")]
        );
        let empty = intent(&banking, "Emptying the account");
        assert_eq!(
            changes(&twins(empty, &Keywords::english())),
            [(3, "100", "101"), (4, "0", "1")]
        );
    }

    #[test]
    fn french_steps_use_french_keywords_and_apostrophes_are_not_quotes() {
        let rooms = feature("reservation_salle.feature");
        let small = intent(&rooms, "Une salle trop petite pour le groupe");
        assert_eq!(changes(&twins(small, &Keywords::french())), [(3, "8", "9")]);
        let free = intent(&rooms, "Réserver une salle libre");
        assert_eq!(
            changes(&twins(free, &Keywords::french())),
            [
                (4, "\"Everest\"", "\"Everest (twin)\""),
                (4, "12", "13"),
                (4, "10", "11"),
                (4, "11", "12"),
            ]
        );
        // In English, `Alors` is no `Then` keyword: nothing to twin.
        assert!(twins(free, &Keywords::english()).is_empty());
    }

    #[test]
    fn doc_strings_and_table_cells_are_twinned() {
        let library = feature("library_loans.feature");
        let email = intent(&library, "Only overdue books trigger a reminder email");
        let twins_of_email = twins(email, &Keywords::english());
        let doc = twins_of_email
            .iter()
            .find(|t| t.place == Place::DocString)
            .expect("the email's doc string has a twin");
        assert_eq!((doc.from.as_str(), doc.to.as_str()), ("22", "23"));
        let text = doc.steps[doc.step]
            .doc_string
            .as_deref()
            .unwrap_or_default();
        assert!(
            text.contains("\"Dune\" was due back on 23 March 2025"),
            "{text}"
        );

        let mut steps = email.steps.clone();
        steps[5].data_table = Some(vec![
            vec!["title".to_owned(), "days late".to_owned()],
            vec!["Dune".to_owned(), "0".to_owned()],
            vec!["Emma".to_owned(), String::new()],
        ]);
        let tabled = Intent {
            steps,
            ..email.clone()
        };
        let cells: Vec<(Place, String, String)> = twins(&tabled, &Keywords::english())
            .into_iter()
            .filter(|t| matches!(t.place, Place::Cell { .. }))
            .map(|t| (t.place, t.from, t.to))
            .collect();
        let expected = [
            (Place::Cell { row: 1, column: 0 }, "Dune", "Dune (twin)"),
            (Place::Cell { row: 1, column: 1 }, "0", "1"),
            (Place::Cell { row: 2, column: 0 }, "Emma", "Emma (twin)"),
        ]
        .map(|(p, f, t)| (p, f.to_owned(), t.to_owned()));
        assert_eq!(cells, expected);
    }

    #[test]
    fn numbers_keep_their_decimals_and_skip_codes() {
        let found = |text: &str| {
            numbers(text)
                .into_iter()
                .map(|v| (v.from, v.to))
                .collect::<Vec<_>>()
        };
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found("pay -0.50 then 4.90, 10% off B12 at 9h, item-3"),
            pairs(&[
                ("-0.50", "0.50"),
                ("4.90", "5.90"),
                ("10", "11"),
                ("9", "10")
            ])
        );
        assert_eq!(found("2025-03-01"), pairs(&[("2025", "2026")]));
        assert_eq!(found("9.99"), pairs(&[("9.99", "10.99")]));
    }

    #[test]
    fn keywords_come_from_the_feature_language() {
        let rooms = feature("reservation_salle.feature");
        let french = Keywords::of_feature(&rooms);
        assert_eq!(french.scenario, "Scénario");
        assert!(french.then.contains(&"Alors".to_owned()));
        let library = feature("library_loans.feature");
        assert_eq!(Keywords::of_feature(&library).scenario, "Scenario");
        assert_eq!(
            Keywords::of("de").map(|k| k.then),
            Some(vec!["*".to_owned(), "Dann".to_owned()])
        );
        assert_eq!(Keywords::of("xx"), None);
    }

    #[test]
    fn language_is_read_from_the_first_comment_lines() {
        assert_eq!(
            crate::spec::language("# language: fr\nFonctionnalité: x"),
            Some("fr")
        );
        assert_eq!(crate::spec::language("#language:de\n"), Some("de"));
        assert_eq!(crate::spec::language("Feature: x\n# language: fr"), None);
    }

    #[test]
    fn a_french_twin_renders_as_a_standalone_feature() {
        let rooms = feature("reservation_salle.feature");
        let free = intent(&rooms, "Réserver une salle libre");
        let twin = twins(free, &Keywords::french()).remove(0);
        let text = render(
            &rooms,
            &Keywords::french(),
            &["@wow-7".to_owned()],
            &free.name,
            &twin.steps,
        );
        assert_eq!(parsed_steps(&text), unlined(&twin.steps));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn an_intent_with_a_doc_string_and_a_table_renders_them() {
        let library = feature("library_loans.feature");
        let email = intent(&library, "Only overdue books trigger a reminder email");
        let mut steps = email.steps.clone();
        steps[2].data_table = Some(vec![
            vec!["title".to_owned(), "note".to_owned()],
            vec!["Dune".to_owned(), "a | b \\ c".to_owned()],
        ]);
        let text = render(&library, &Keywords::english(), &[], &email.name, &steps);
        assert_eq!(parsed_steps(&text), unlined(&steps));
        insta::assert_snapshot!(text);
    }
}
