//! An outline's card: its rows (intents of one Scenario Outline) in, the
//! card out: the outline as written (placeholders guessed back from the
//! rows), its Examples tables with a status per row and the failure under
//! its row, and each row's steps and code, folded.
//!
//! It must not show a value as markup: every text goes through maud's
//! escaping, placeholders included.

use maud::{Markup, html};

use super::{
    anchor, badge, badge_class, failure, heading, intent_findings, pinned, steps, tags, verified,
    worst,
};
use crate::report::{IntentReport, file_of, words};

pub(super) fn card(rows: &[&IntentReport], level: u8, background: usize) -> Markup {
    let first = rows[0];
    let (_, icon, tone) = words::status(worst(rows.iter().copied()));
    let name =
        template(rows, |r| Some(base_name(r))).unwrap_or_else(|| base_name(first).to_owned());
    let where_ = format!("{}:{}", file_of(&first.id), first.scenario_line);
    let written: Option<Vec<(&str, String)>> = (background.min(first.steps.len())
        ..first.steps.len())
        .map(|i| {
            let text = template(rows, |r| r.steps.get(i).map(|s| s.text.as_str()))?;
            Some((first.steps[i].keyword.as_str(), text))
        })
        .collect();
    let keys: Vec<&str> = first
        .example
        .iter()
        .flat_map(|e| &e.values)
        .map(|(k, _)| k.as_str())
        .collect();
    html! {
        article class={ "card outline wide " (tone.class()) } data-outline=(where_) {
            (heading(level, &html! {
                span class=(badge_class(tone)) {
                    span aria-hidden="true" { (icon) } " " (verified(rows)) " of " (rows.len()) " verified"
                }
                " " span.name { (name) }
            }))
            p.where { code { (where_) } (tags(&first.tags)) }
            @if let Some(written) = written.filter(|w| !w.is_empty()) {
                ol.steps.written { @for (keyword, text) in written {
                    li.step { span.text { span.kw { (keyword) } " " (placeholders(&text, &keys)) } }
                } }
            }
            (examples_tables(rows))
            details.rows {
                summary { "Steps and code of each row" }
                @for row in rows {
                    div.row data-id=(row.id) id={ (anchor(&row.id)) "-steps" } {
                        p.rowname { (badge(row.status)) " " (row.name) " " code { (row.id) } }
                        (pinned(row))
                        (intent_findings(row))
                        (steps(row, background))
                    }
                }
            }
        }
    }
}

/// `text` with each `<key>` of `keys` marked as a placeholder.
fn placeholders(text: &str, keys: &[&str]) -> Markup {
    let mut parts: Vec<(&str, bool)> = Vec::new();
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for (at, _) in rest.match_indices('<') {
            let found = keys.iter().find(|k| {
                rest[at + 1..].starts_with(**k) && rest[at + 1 + k.len()..].starts_with('>')
            });
            if let Some(key) = found {
                let end = at + key.len() + 2;
                parts.push((&rest[..at], false));
                parts.push((&rest[at..end], true));
                rest = &rest[end..];
                continue 'outer;
            }
        }
        parts.push((rest, false));
        break;
    }
    html! { @for (part, ph) in parts { @if ph { span.ph { (part) } } @else { (part) } } }
}

/// The Examples tables of an outline (one per `Examples:` block) with a
/// status per row, each failure told under its row.
fn examples_tables(rows: &[&IntentReport]) -> Markup {
    let mut tables: Vec<&[&IntentReport]> = Vec::new();
    let mut rest = rows;
    while let Some(example) = rest.first().and_then(|r| r.example.as_ref()) {
        let len = rest
            .iter()
            .take_while(|r| {
                r.example.as_ref().is_some_and(|e| {
                    e.table == example.table
                        && e.values
                            .iter()
                            .map(|(k, _)| k)
                            .eq(example.values.iter().map(|(k, _)| k))
                })
            })
            .count();
        let (table, after) = rest.split_at(len);
        tables.push(table);
        rest = after;
    }
    html! { @for table in tables { (examples_table(table)) } }
}

fn examples_table(rows: &[&IntentReport]) -> Markup {
    let Some(example) = rows[0].example.as_ref() else {
        return html! {};
    };
    let columns = example.values.len() + 1;
    html! {
        table.examples {
            @if !example.table.is_empty() { caption { (example.table) } }
            thead { tr {
                th scope="col" { "Status" }
                @for (key, _) in &example.values { th scope="col" { (key) } }
            } }
            tbody { @for row in rows {
                @let why = failure(row);
                tr class=(words::status(row.status).2.class()) data-id=(row.id) id=(anchor(&row.id)) {
                    td { (badge(row.status)) }
                    @for (_, value) in row.example.iter().flat_map(|e| &e.values) { td { (value) } }
                }
                @if !why.0.is_empty() {
                    tr.why-row { td colspan=(columns) { (why) } }
                }
            } }
        }
    }
}

/// The row name of an outline intent: its name without the ` (k v, …)`
/// suffix the report adds.
fn base_name(intent: &IntentReport) -> &str {
    let Some(example) = &intent.example else {
        return &intent.name;
    };
    let values: Vec<String> = example
        .values
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let suffix = format!(" ({})", values.join(", "));
    intent.name.strip_suffix(&suffix).unwrap_or(&intent.name)
}

/// `text` with each example value (as a whole word) put back as its
/// `<placeholder>`: a guess at the outline as written.
fn unfill(text: &str, example: &crate::spec::Example) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let boundary = |after: Option<char>| after.is_none_or(|a| !a.is_alphanumeric());
        let found = example
            .values
            .iter()
            .filter(|(_, v)| {
                !v.is_empty()
                    && rest.starts_with(v.as_str())
                    && boundary(previous)
                    && boundary(rest[v.len()..].chars().next())
            })
            .max_by_key(|(_, v)| v.len());
        if let Some((key, value)) = found {
            out.push('<');
            out.push_str(key);
            out.push('>');
            previous = value.chars().last();
            rest = &rest[value.len()..];
        } else {
            out.push(c);
            previous = Some(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The outline's text as written: the text itself when every row has the
/// same, else the guess every row agrees on (two rows at least).
fn template<'a>(
    rows: &[&'a IntentReport],
    text: impl Fn(&'a IntentReport) -> Option<&'a str>,
) -> Option<String> {
    let texts: Vec<&str> = rows.iter().map(|r| text(r)).collect::<Option<_>>()?;
    let first = *texts.first()?;
    if texts.iter().all(|t| *t == first) {
        return Some(first.to_owned());
    }
    let guesses: Vec<String> = rows
        .iter()
        .zip(&texts)
        .map(|(row, text)| row.example.as_ref().map(|e| unfill(text, e)))
        .collect::<Option<_>>()?;
    guesses
        .iter()
        .all(|g| *g == guesses[0])
        .then(|| guesses[0].clone())
}
