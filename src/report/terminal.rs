//! The terminal scoreboard: a [`Report`] and its [`Spec`] in, lines for
//! stdout out.
//!
//! Each feature with its intents (a mark, the name, the id), the failing
//! step and the plain reason under an intent that does not pass, then the
//! totals, the rounds and where the prototype is. Colour is decided by
//! `anstream` (a terminal, `NO_COLOR`, `--color`). The words come from
//! [`super::words`]; this file must not phrase a status or a round itself.

use std::fmt::Write as _;
use std::io::Write as _;

use anstyle::{AnsiColor, Style};

use super::words::{self, Tone};
use super::{Report, RoundReport};
use crate::spec::Spec;
use crate::vocabulary::{Status, plural};

/// Prints the scoreboard to stdout.
pub fn print(report: &Report, spec: &Spec) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    out.write_all(scoreboard(report, spec).as_bytes())?;
    out.flush()
}

const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const AMBER: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn style(tone: Tone) -> Style {
    match tone {
        Tone::Good => GREEN,
        Tone::Bad => RED,
        Tone::Warn => AMBER,
        Tone::Muted => DIM,
    }
}

/// The scoreboard text, with ANSI styles that `anstream` strips where
/// colour is off.
pub fn scoreboard(report: &Report, spec: &Spec) -> String {
    let mut out = String::new();
    let mut results = report.intents.iter();
    let ran = report.ran();
    for feature in &spec.features {
        let _ = writeln!(
            out,
            "{BOLD}{}: {}{BOLD:#}  {DIM}{}{DIM:#}",
            feature.keyword,
            feature.name,
            crate::spec::display_path(&feature.source)
        );
        let mut rule: Option<&str> = None;
        for intent in feature.every_intent() {
            let Some(result) = results.next() else { break };
            if intent.rule.as_deref() != rule {
                rule = intent.rule.as_deref();
                if let Some(name) = rule {
                    let _ = writeln!(out, "  {BOLD}Rule: {name}{BOLD:#}");
                }
            }
            let indent = if rule.is_some() { "    " } else { "  " };
            let (_, mark, tone) = words::status(result.status);
            let style = style(tone);
            let _ = writeln!(
                out,
                "{indent}{style}{mark}{style:#} {}  {DIM}{}{DIM:#}",
                result.name, result.id
            );
            if let Some(step) = &result.failed_step {
                let _ = writeln!(out, "{indent}    {DIM}at{DIM:#} {step}");
            }
            // The footer says once why intents were left out.
            if let Some(reason) = result
                .reason
                .as_ref()
                .filter(|_| result.status != Status::LeftOut)
            {
                let _ = writeln!(out, "{indent}    {style}{reason}{style:#}");
            }
        }
        out.push('\n');
    }
    if !ran {
        let _ = writeln!(
            out,
            "{} in {}",
            plural(report.summary.intents, "intent", "intents"),
            plural(spec.features.len(), "feature", "features")
        );
        return out;
    }
    footer(&mut out, report);
    out
}

/// The totals, rounds and where the prototype is.
fn footer(out: &mut String, report: &Report) {
    let style = if report.all_passed() { GREEN } else { RED };
    let _ = write!(
        *out,
        "{style}{}{style:#}",
        words::headline(report.summary.passed, report.summary.intents, true)
    );
    if !report.rounds.is_empty() {
        let _ = write!(
            *out,
            " · {}",
            plural(report.rounds.len(), "round", "rounds")
        );
        // A `cmd:` model reports no usage at all.
        if let Some((input, output)) = report.tokens() {
            let _ = write!(*out, " · {input} tokens in, {output} out");
        }
    }
    let _ = write!(*out, " · {:.1} s", duration_secs(report.duration_ms));
    if let Some(model) = &report.model {
        let _ = write!(*out, " · {model}");
    }
    out.push('\n');
    if let Some(selection) = report
        .selection
        .as_ref()
        .filter(|_| report.summary.left_out > 0)
    {
        let note = words::left_out_note(report.summary.left_out, &selection.to_string());
        let _ = writeln!(*out, "{DIM}{}{DIM:#}", words::capitalized(&note));
    }
    if !report.assumptions.is_empty() {
        let _ = writeln!(*out, "{BOLD}{}{BOLD:#}", words::ASSUMPTIONS);
        for assumption in &report.assumptions {
            let _ = writeln!(*out, "  ? {assumption}");
        }
    }
    if report.summary.hollow > 0 {
        let _ = writeln!(
            *out,
            "{AMBER}◌ {}{AMBER:#}",
            words::hollow_note(report.summary.hollow)
        );
    }
    let unverified = report.count(Status::Unverified);
    if unverified > 0 {
        let _ = writeln!(
            *out,
            "{AMBER}◍ {}{AMBER:#}",
            words::unverified_note(unverified)
        );
    }
    for finding in report.findings() {
        if !finding.kind.makes_hollow() {
            let _ = writeln!(
                *out,
                "{AMBER}warning: {} ({}:{}){AMBER:#}",
                finding.message, finding.file, finding.line
            );
        }
    }
    if !report.features.is_empty() {
        let locks: Vec<String> = report
            .features
            .iter()
            .map(|f| format!("{} {}", f.path, f.sha256.get(..12).unwrap_or(&f.sha256)))
            .collect();
        let _ = writeln!(
            *out,
            "{DIM}scenarios as written (sha256): {}{DIM:#}",
            locks.join(" · ")
        );
    }
    if report.rounds.len() > 1 {
        let steps: Vec<String> = report
            .rounds
            .iter()
            .map(|r| round_words(r, report.summary.intents))
            .collect();
        let _ = writeln!(*out, "{DIM}rounds: {}{DIM:#}", steps.join(" → "));
    }
    match &report.stopped {
        Some(stop @ crate::vocabulary::Stop::ModelError(_)) => {
            let _ = writeln!(*out, "{AMBER}{}{AMBER:#}", words::stop(stop));
        }
        Some(stop @ crate::vocabulary::Stop::Stalled) => {
            let _ = writeln!(*out, "{DIM}{}{DIM:#}", words::stop(stop));
        }
        _ => {}
    }
    if let Some(prototype) = &report.prototype {
        let _ = writeln!(
            *out,
            "{DIM}prototype: {prototype} (re-run with `cargo test --test intents` there, or `wow test {prototype}`){DIM:#}"
        );
        app_line(out, report, prototype);
    }
}

/// The web app's line, if the command made one.
pub(crate) fn app_line(out: &mut String, report: &Report, prototype: &str) {
    if let Some(app) = &report.app {
        let tone = match app.status {
            crate::vocabulary::AppStatus::Ready => DIM,
            _ => AMBER,
        };
        let _ = writeln!(*out, "{tone}{}{tone:#}", words::app_line(app, prototype));
    }
}

/// `generated, did not compile`; `repaired banking, 23 of 23 pass` for a
/// sharded prototype's repair.
fn round_words(round: &RoundReport, intents: usize) -> String {
    format!(
        "{}, {}",
        words::round_did(round.kind, &round.shards),
        words::round_outcome(round.outcome, round.passed, intents)
    )
}

fn duration_secs(ms: u64) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "durations are far below 2^52 ms"
    )]
    let ms = ms as f64;
    ms / 1000.0
}
