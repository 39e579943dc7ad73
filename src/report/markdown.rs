//! Markdown report: a [`Report`] in, a short summary out, for a pull
//! request comment or a chat message (`--markdown FILE`).
//!
//! It says in a few lines what a reader needs: the headline, counts per
//! feature, each intent that does not pass with its reason, the model, the
//! rounds and the time. The full story is in the HTML report. It must not
//! let scenario text or model output become markup: every piece of text is
//! escaped, so no link, image, mention or HTML can slip in.

use std::fmt::Write as _;

use super::{IntentReport, Report};
use crate::vocabulary::{RoundKind as Kind, RoundOutcome as Outcome, Status, Stop};

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
        put!(out, "\n**Questions for the product owner**\n\n");
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

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Passed => "✔ verified",
        Status::Failed => "✘ failed",
        Status::Hollow => "◌ hollow",
        Status::Unverified => "◍ unverified",
        Status::Undefined => "? undefined",
        Status::Ambiguous => "? ambiguous",
        Status::NotRun => "· not run",
    }
}

fn headline(out: &mut String, report: &Report) {
    let total = report.summary.intents;
    let noun = if total == 1 { "intent" } else { "intents" };
    if !report.ran() {
        put!(out, "## {total} {noun}, not run yet\n");
        return;
    }
    let icon = if report.all_passed() { "✔" } else { "✘" };
    let verb = if report.summary.passed == 1 {
        "passes"
    } else {
        "pass"
    };
    put!(
        out,
        "## {icon} {} of {total} {noun} {verb}\n\n",
        report.summary.passed
    );
    let failing = report
        .intents
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                Status::Failed | Status::Undefined | Status::Ambiguous
            )
        })
        .count();
    let not_run = report
        .intents
        .iter()
        .filter(|i| i.status == Status::NotRun)
        .count();
    let mut counts = vec![format!("{} verified", report.summary.passed)];
    for (n, word) in [
        (report.summary.hollow, "hollow"),
        (failing, "failing"),
        (not_run, "not run"),
    ] {
        if n > 0 {
            counts.push(format!("{n} {word}"));
        }
    }
    put!(out, "{}\n", counts.join(" · "));
    if report.summary.hollow > 0 {
        put!(
            out,
            "\nHollow intents pass only in appearance: they would pass without the prototype doing the work.\n"
        );
    }
}

/// The file part of an intent id (`features/bank.feature:12`).
fn file_of(id: &str) -> &str {
    id.rsplit_once(':').map_or(id, |(file, _)| file)
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
        let intents: Vec<&IntentReport> = report
            .intents
            .iter()
            .filter(|i| file_of(&i.id) == feature.path)
            .collect();
        put!(out, "| {} | {} |", text(&feature.name), intents.len());
        if ran {
            let passed = intents
                .iter()
                .filter(|i| i.status == Status::Passed)
                .count();
            put!(out, " {passed} | {} |", intents.len() - passed);
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
        "\n### Not passing\n\n| Intent | Status | Why |\n|---|---|---|\n"
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
                let kind = match r.kind {
                    Kind::Generate => "generated",
                    Kind::Repair => "repaired",
                    Kind::Edit => "updated",
                };
                let outcome = match r.outcome {
                    Outcome::Ran => format!("{}/{} pass", r.passed, report.summary.intents),
                    Outcome::CompileError => "did not compile".to_owned(),
                    Outcome::NoFiles => "reply had no files".to_owned(),
                    Outcome::Truncated => "reply cut off".to_owned(),
                    Outcome::MissingFiles => "files missing".to_owned(),
                };
                format!("{kind}, {outcome}")
            })
            .collect();
        facts.push(format!(
            "{} round{} ({})",
            report.rounds.len(),
            if report.rounds.len() == 1 { "" } else { "s" },
            rounds.join(" → ")
        ));
        let input: u64 = report.rounds.iter().map(|r| r.input_tokens).sum();
        let output: u64 = report.rounds.iter().map(|r| r.output_tokens).sum();
        if input + output > 0 {
            facts.push(format!("{input} tokens in, {output} out"));
        }
    }
    facts.push(format!(
        "{}.{} s",
        report.duration_ms / 1000,
        report.duration_ms % 1000 / 100
    ));
    put!(out, "\n{}\n", facts.join(" · "));
    match &report.stopped {
        Some(Stop::BudgetSpent) => put!(out, "\nStopped: the repair budget was spent.\n"),
        Some(Stop::Stalled) => put!(out, "\nStopped: a repair did not change the failures.\n"),
        Some(Stop::ModelError(detail)) => {
            put!(out, "\nStopped: the model failed: {}\n", text(detail));
        }
        Some(Stop::AllPassed) | None => {}
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
