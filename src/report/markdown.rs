//! Markdown report: a [`Report`] in, a short summary out, for a pull
//! request comment or a chat message (`--markdown FILE`).
//!
//! It says in a few lines what a reader needs: the headline, counts per
//! feature, each intent that does not pass with its reason, the model, the
//! rounds and the time. The full story is in the HTML report. It must not
//! let scenario text or model output become markup: every piece of text is
//! escaped, so no link, image, mention or HTML can slip in.

use std::fmt::Write as _;

use super::words::{self, Tally};
use super::{IntentReport, Report};
use crate::vocabulary::{Status, Stop};

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Longest reason shown in the table, in characters.
const MAX_REASON_CHARS: usize = 200;

/// Renders `report` as GitHub-flavoured Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    headline(&mut out, report);
    features(&mut out, report);
    not_passing(&mut out, report);
    if let Some(critique) = &report.critique {
        put!(out, "\n**{}**\n\n", words::QUESTIONS);
        for question in &critique.questions {
            put!(out, "- {}\n", text(question));
        }
    }
    footer(&mut out, report);
    out
}

/// Inline text with Markdown's punctuation escaped and line breaks folded.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '@' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span that holds `raw` whatever backticks it contains (usable in a
/// table cell: pipes are escaped).
fn code(raw: &str) -> String {
    let raw = raw.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = raw
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    let pad = if raw.starts_with('`') || raw.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{raw}{pad}{fence}")
}

/// `✘ failed`: the icon and word of a status.
fn status_words(status: Status) -> String {
    let (word, icon, _) = words::status(status);
    format!("{icon} {}", word.to_lowercase())
}

fn headline(out: &mut String, report: &Report) {
    let total = report.summary.intents;
    let headline = words::headline(report.summary.passed, total, report.ran());
    if !report.ran() {
        put!(out, "## {headline}\n");
        return;
    }
    let icon = if report.all_passed() { "✔" } else { "✘" };
    put!(out, "## {icon} {headline}\n\n");
    let counts: Vec<String> = Tally::ALL
        .iter()
        .map(|t| (report.tally(*t), t.look().0))
        .filter(|(n, word)| *n > 0 || *word == "verified")
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
    put!(out, "{}\n", counts.join(" · "));
    if report.summary.hollow > 0 {
        put!(
            out,
            "\n{}.\n",
            words::capitalized(&words::hollow_note(report.summary.hollow))
        );
    }
    let unverified = report.count(Status::Unverified);
    if unverified > 0 {
        put!(
            out,
            "\n{}.\n",
            words::capitalized(&words::unverified_note(unverified))
        );
    }
    if let Some(selection) = report
        .selection
        .as_ref()
        .filter(|_| report.summary.left_out > 0)
    {
        put!(
            out,
            "\n{}.\n",
            words::capitalized(&words::left_out_note(
                report.summary.left_out,
                &selection.to_string()
            ))
        );
    }
}

fn features(out: &mut String, report: &Report) {
    if report.features.is_empty() {
        return;
    }
    let ran = report.ran();
    put!(
        out,
        "\n| Feature | Intents |{}\n|---|---:|{}\n",
        if ran { " Verified | Not passing |" } else { "" },
        if ran { "---:|---:|" } else { "" }
    );
    for feature in &report.features {
        let intents: Vec<&IntentReport> = report.of_feature(feature).collect();
        put!(out, "| {} | {} |", text(&feature.name), intents.len());
        if ran {
            let passed = intents
                .iter()
                .filter(|i| i.status == Status::Passed)
                .count();
            let judged = intents
                .iter()
                .filter(|i| i.status != Status::LeftOut)
                .count();
            put!(out, " {passed} | {} |", judged - passed);
        }
        out.push('\n');
    }
}

fn not_passing(out: &mut String, report: &Report) {
    let failing = report.not_passing();
    if failing.is_empty() || !report.ran() {
        return;
    }
    put!(
        out,
        "\n### {}\n\n| Intent | Status | Why |\n|---|---|---|\n",
        words::NOT_PASSING
    );
    for intent in failing {
        let mut why = String::new();
        if let Some(step) = &intent.failed_step {
            put!(why, "at *{}*", text(step));
        }
        let reason = intent.reason.as_deref().or(intent.message.as_deref());
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty()) {
            let short: String = if reason.chars().count() > MAX_REASON_CHARS {
                reason.chars().take(MAX_REASON_CHARS).collect::<String>() + "…"
            } else {
                reason.to_owned()
            };
            if !why.is_empty() {
                why.push_str(": ");
            }
            why.push_str(&text(&short));
        }
        put!(
            out,
            "| {} {} | {} | {} |\n",
            text(&intent.name),
            code(&intent.id),
            status_words(intent.status),
            why
        );
    }
}

fn footer(out: &mut String, report: &Report) {
    let mut facts = Vec::new();
    if let Some(model) = &report.model {
        facts.push(format!("model {}", code(model)));
    }
    if !report.rounds.is_empty() {
        let rounds: Vec<String> = report
            .rounds
            .iter()
            .map(|r| {
                format!(
                    "{}, {}",
                    words::round_did(r.kind, &r.shards),
                    words::round_outcome(r.outcome, r.passed, report.summary.intents)
                )
            })
            .collect();
        facts.push(format!(
            "{} round{} ({})",
            report.rounds.len(),
            if report.rounds.len() == 1 { "" } else { "s" },
            rounds.join(" → ")
        ));
        if let Some((input, output)) = report.tokens() {
            facts.push(format!("{input} tokens in, {output} out"));
        }
    }
    facts.push(format!(
        "{}.{} s",
        report.duration_ms / 1000,
        report.duration_ms % 1000 / 100
    ));
    put!(out, "\n{}\n", facts.join(" · "));
    if let Some(stop) = report.stopped.as_ref().filter(|s| **s != Stop::AllPassed) {
        put!(
            out,
            "\n{}.\n",
            text(&words::capitalized(&words::stop(stop)))
        );
    }
    if !report.features.is_empty() {
        let locks: Vec<String> = report
            .features
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    code(&f.path),
                    code(f.sha256.get(..12).unwrap_or(&f.sha256))
                )
            })
            .collect();
        put!(
            out,
            "\nScenarios as written (SHA-256): {}\n",
            locks.join(" · ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_run_with_every_status() {
        let report = super::super::html::tests::sample();
        insta::assert_snapshot!(render(&report));
    }

    #[test]
    fn model_output_cannot_become_markup() {
        assert_eq!(
            text("![x](http://e.x/a.png) <b>hi</b> @team\n| `code` *"),
            "!\\[x\\](http://e.x/a.png) \\<b\\>hi\\</b\\> \\@team \\| \\`code\\` \\*"
        );
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a|b"), "`` `a\\|b ``");
    }

    #[test]
    fn a_listing_says_nothing_ran() {
        let mut report = super::super::html::tests::sample();
        for intent in &mut report.intents {
            intent.status = Status::NotRun;
            intent.message = None;
        }
        report.rounds.clear();
        report.model = None;
        report.stopped = None;
        report.critique = None;
        let text = render(&report);
        assert!(text.starts_with("## 5 intents, not run yet\n"), "{text}");
        assert!(!text.contains("Not passing"), "{text}");
    }
}
