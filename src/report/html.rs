//! HTML report: a [`Report`] in, one self-contained HTML page out.
//!
//! The page is what stakeholders look at: a big scoreboard, each feature with
//! its narrative and its intents as cards (outlines as their Examples table,
//! a status per row), the failing step with a plain reason next to the
//! technical message, the round history, the code behind every step
//! (collapsed) and the SHA-256 of the scenarios as written. It reads on a
//! projector and prints. `wow serve` shows the same page with a live
//! progress line ([`render_live`]).
//!
//! It must stay one file that fetches nothing: CSS (`report.css`) and script
//! (`report.js`) are inline, there is no URL, font or image, and a
//! Content-Security-Policy (hashes of the inline style and scripts) forbids
//! any request but the live page's own events. Scenario text and model
//! output are untrusted, so the markup is written with maud, whose
//! templates escape every interpolated value unless it is wrapped in
//! `PreEscaped` (used here only for the page's own CSS and scripts). maud
//! over askama or minijinja: its templates are Rust expressions checked at
//! compile time (a typo is a build error, not a blank page), it escapes by
//! default, and it builds in a few seconds on the `syn` this crate already
//! compiles, with no runtime template parsing and no template files to keep
//! in step with the types. Every word about a status comes from
//! [`super::words`].

use std::fmt::Write as _;

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::Digest as _;

mod outline;

use super::highlight::{dedent, highlight};
use super::words::{self, Tally, Tone};
use super::{FeatureReport, IntentReport, Report, RoundReport, StepReport};
use crate::vocabulary::{CodeRef, Finding, Status, StepStatus};

/// Light theme, every text colour at WCAG AA contrast or better on its
/// background (measured); sizes for a projector, a print sheet below.
const STYLE: &str = include_str!("report.css");

/// Expands all code or folds it, filters to what does not pass, and opens
/// the technical messages for printing. The page works without it.
const SCRIPT: &str = include_str!("report.js");

/// Follows `/events` on the live page: shows progress in the status line,
/// reloads on a new report.
const LIVE_SCRIPT: &str = r#"
(function () {
  var line = document.getElementById("wow-live");
  var events = new EventSource("/events");
  events.addEventListener("progress", function (e) { line.textContent = "running: " + e.data; });
  events.addEventListener("report", function () { location.reload(); });
  events.onerror = function () { line.textContent = "live: disconnected from wow serve"; };
})();
"#;

/// Renders `report` as a complete HTML document (UTF-8).
pub fn render(report: &Report) -> String {
    document(Some(report), false)
}

/// The page of `wow serve`: `report`'s page, or a waiting page before the
/// first report, with a live progress line that follows `/events`.
pub fn render_live(report: Option<&Report>) -> String {
    document(report, true)
}

fn document(report: Option<&Report>, live: bool) -> String {
    let style = format!("{STYLE}{}", report.map(bar_rules).unwrap_or_default());
    let scripts = if live {
        format!("'{}' '{}'", csp_hash(SCRIPT), csp_hash(LIVE_SCRIPT))
    } else {
        format!("'{}'", csp_hash(SCRIPT))
    };
    // No request of any kind: only the exact inline style and scripts run,
    // and only the live page may follow its server's events.
    let policy = format!(
        "default-src 'none'; style-src '{}'; script-src {scripts}; {}img-src 'none'; \
         base-uri 'none'; form-action 'none'",
        csp_hash(&style),
        if live {
            "connect-src 'self'; frame-src 'self'; "
        } else {
            ""
        }
    );
    let title = report.map_or_else(
        || "wow · waiting for the first run".to_owned(),
        |r| format!("wow · {}", headline(r)),
    );
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(policy);
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(&style)) }
            }
            body {
                a.skip href="#main" { "Skip to the intents" }
                @if let Some(report) = report {
                    (header(report))
                    main #main {
                        (attention(report))
                        (app(report, live))
                        (assumptions(report))
                        (toc(report))
                        (features(report))
                        (rounds(report))
                        (findings(report))
                        (unpinned(report))
                        (critique(report))
                        (spec_lock(report))
                    }
                    footer { p { "Written by wow · report format " (report.version) } }
                } @else {
                    header.top {
                        p.kicker { "wow · intent report" }
                        h1.headline.muted #main {
                            span.icon aria-hidden="true" { "·" } " Waiting for the first run"
                        }
                        p.note { "The first round is running: its report appears here as soon as it finishes." }
                    }
                }
                @if live {
                    p #wow-live .live role="status" aria-live="polite" {
                        @if report.is_some() { "live: waiting for the next run" } @else { "running: starting" }
                    }
                }
                script { (PreEscaped(SCRIPT)) }
                @if live { script { (PreEscaped(LIVE_SCRIPT)) } }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// A CSP source expression for an inline block (`sha256-…`, base64).
fn csp_hash(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `badge failed`, the classes of a badge of `tone`.
fn badge_class(tone: Tone) -> String {
    format!("badge {}", tone.class())
}

fn badge(status: Status) -> Markup {
    let (word, icon, tone) = words::status(status);
    html! { span class=(badge_class(tone)) { span aria-hidden="true" { (icon) } " " (word) } }
}

/// `5 of 6 intents pass`.
fn headline(report: &Report) -> String {
    words::headline(report.summary.passed, report.summary.intents, report.ran())
}

/// The worst status of `intents`, for the colour and icon of a group;
/// intents a filter left out do not count.
fn worst<'a>(intents: impl Iterator<Item = &'a IntentReport>) -> Status {
    intents
        .map(|i| i.status)
        .filter(|s| *s != Status::LeftOut)
        .max_by_key(|s| (words::status(*s).2, *s == Status::Failed))
        .unwrap_or(Status::NotRun)
}

fn header(report: &Report) -> Markup {
    let (_, icon, tone) = words::status(worst(report.intents.iter()));
    let tiles = tiles(report);
    let label: Vec<String> = tiles
        .iter()
        .map(|(n, t)| format!("{n} {}", t.look().0))
        .collect();
    let unverified = report.count(Status::Unverified);
    html! {
        header.top {
            p.kicker { "wow · intent report" }
            h1 class={ "headline " (tone.class()) } {
                span.icon aria-hidden="true" { (icon) } " " (headline(report))
            }
            @if report.ran() && report.summary.intents > 0 {
                div.bar role="img" aria-label=(label.join(", ")) {
                    @for (index, (n, tally)) in tiles.iter().enumerate() {
                        @if *n > 0 { span class={ "seg seg-" (index) " " (tally.look().2.class()) } {} }
                    }
                }
                ul.tiles {
                    @for (n, tally) in &tiles {
                        @let (word, icon, tone) = tally.look();
                        li class={ "tile " (tone.class()) } {
                            span.n { (n) } " "
                            span.w { span aria-hidden="true" { (icon) } " " (word) }
                        }
                    }
                }
            }
            (facts(report))
            @if report.summary.hollow > 0 {
                p.note.warn { span aria-hidden="true" { "◌ " } (words::capitalized(&words::hollow_note(report.summary.hollow))) "." }
            }
            @if unverified > 0 {
                p.note.warn { span aria-hidden="true" { "◍ " } (words::capitalized(&words::unverified_note(unverified))) "." }
            }
            @if let Some(selection) = report.selection.as_ref().filter(|_| report.summary.left_out > 0) {
                p.note.muted { span aria-hidden="true" { "– " } (words::capitalized(&words::left_out_note(report.summary.left_out, &selection.to_string()))) "." }
            }
        }
    }
}

/// Model, time, tokens, rounds, prototype.
fn facts(report: &Report) -> Markup {
    let tokens = report.tokens();
    html! {
        dl.facts {
            @if let Some(model) = &report.model { div { dt { "Model" } dd { (model) } } }
            div { dt { "Time" } dd { (duration(report.duration_ms)) } }
            @if let Some((input, output)) = tokens {
                div { dt { "Tokens" } dd { (thousands(input)) " in · " (thousands(output)) " out" } }
            }
            @if !report.rounds.is_empty() {
                div { dt { "Rounds" } dd {
                    (report.rounds.len())
                    @if let Some(stop) = &report.stopped { " · " (words::stop(stop)) }
                } }
            }
            @if let Some(prototype) = &report.prototype {
                div { dt { "Prototype" } dd { code { (prototype) } } }
            }
        }
    }
}

fn toc(report: &Report) -> Markup {
    html! {
        nav.toc aria-label="Contents" { ul {
            @for (index, feature) in report.features.iter().enumerate() {
                @let intents: Vec<&IntentReport> = report.of_feature(feature).collect();
                li {
                    a href={ "#f-" (index) } { (feature.name) } " "
                    span.count { (verified(&intents)) "/" (selected(&intents)) }
                }
            }
            @if !report.rounds.is_empty() { li { a href="#rounds" { "Rounds" } } }
            @if !report.features.is_empty() { li { a href="#spec-lock" { (words::SPEC_LOCK) } } }
        } }
        div.tools role="group" aria-label="View" {
            button type="button" data-act="open" { "Show all code" }
            button type="button" data-act="close" { "Hide all code" }
            button type="button" data-act="failing" aria-pressed="false" { "Only what does not pass" }
        }
    }
}

/// How many of `intents` were selected to run (not left out by a filter).
fn selected(intents: &[&IntentReport]) -> usize {
    intents
        .iter()
        .filter(|i| i.status != Status::LeftOut)
        .count()
}

fn verified(intents: &[&IntentReport]) -> usize {
    intents
        .iter()
        .filter(|i| i.status == Status::Passed)
        .count()
}

/// The element id of an intent's card or Examples row: one per intent id,
/// two intent ids never share one (every character but ASCII letters and
/// digits is spelled out).
fn anchor(id: &str) -> String {
    let mut out = String::from("i-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", u32::from(c));
        }
    }
    out
}

/// What does not pass, first: each intent with its status, plain reason
/// and a link to its card or row.
fn attention(report: &Report) -> Markup {
    let failing = report.not_passing();
    html! {
        @if !failing.is_empty() && report.ran() {
            section.attention aria-labelledby="attention-h" {
                h2 #attention-h { (words::NOT_PASSING) }
                ul { @for intent in failing { li {
                    (badge(intent.status)) " "
                    a href={ "#" (anchor(&intent.id)) } { (intent.name) }
                    @if let Some(reason) = intent.reason.as_deref().filter(|r| !r.is_empty()) {
                        " " span.reason { "— " (reason) }
                    }
                } } }
            }
        }
    }
}

/// The narrative, a paragraph per block of lines of the feature file.
fn narrative(feature: &FeatureReport) -> Markup {
    let single;
    let paragraphs: &[String] = if feature.paragraphs.is_empty() {
        single = feature
            .description
            .iter()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>();
        &single
    } else {
        &feature.paragraphs
    };
    html! {
        @if !paragraphs.is_empty() {
            div.narrative { @for p in paragraphs { p { (p) } } }
        }
    }
}

fn features(report: &Report) -> Markup {
    let others = report.orphans();
    html! {
        @for (index, feature) in report.features.iter().enumerate() {
            @let intents: Vec<&IntentReport> = report.of_feature(feature).collect();
            @let background = shared_steps(&intents);
            section.feature id={ "f-" (index) } aria-labelledby={ "f-" (index) "-h" } {
                h2 id={ "f-" (index) "-h" } { span.kw { (feature.keyword) ":" } " " (feature.name) }
                p.where {
                    code { (feature.path) } (tags(&feature.tags)) " · "
                    strong { (verified(&intents)) " of " (selected(&intents)) " verified" }
                }
                (narrative(feature))
                @if let Some(first) = intents.first() { (background_block(&first.steps[..background])) }
                (intent_list(&intents, background))
            }
        }
        @if !others.is_empty() {
            section.feature aria-labelledby="f-other" {
                h2 #f-other { "Other intents" }
                (intent_list(&others, 0))
            }
        }
    }
}

/// How many leading steps every intent of `intents` shares (the same
/// lines): the background, when the intents come from two scenarios or more
/// (the rows of one outline share every line).
fn shared_steps(intents: &[&IntentReport]) -> usize {
    let Some(first) = intents.first() else {
        return 0;
    };
    if intents
        .iter()
        .all(|i| i.scenario_line == first.scenario_line)
    {
        return 0;
    }
    (0..first.steps.len())
        .take_while(|&n| {
            intents.iter().all(|i| {
                i.steps
                    .get(n)
                    .is_some_and(|s| s.line == first.steps[n].line)
            })
        })
        .count()
}

/// The background steps, once, with the code behind them.
fn background_block(steps: &[StepReport]) -> Markup {
    html! {
        @if !steps.is_empty() {
            div.background {
                p.label { "Background, before every scenario below" }
                ol.steps.written { @for step in steps { li.step { (step_text(step, None)) } } }
            }
        }
    }
}

/// The intents of one feature, grouped by rule, outline rows together;
/// their first `background` steps are the feature's background.
fn intent_list(intents: &[&IntentReport], background: usize) -> Markup {
    let mut groups: Vec<&[&IntentReport]> = Vec::new();
    let mut rest = intents;
    while let Some(first) = rest.first() {
        let len = rest.iter().take_while(|i| i.rule == first.rule).count();
        let (group, after) = rest.split_at(len);
        groups.push(group);
        rest = after;
    }
    html! {
        @for group in groups {
            @let first = group[0];
            @if let Some(name) = &first.rule {
                @let skip = shared_steps(group).max(background);
                section.rule {
                    h3 { span.kw { "Rule:" } " " (name) }
                    (background_block(first.steps.get(background..skip).unwrap_or_default()))
                    (cards(group, 4, skip))
                }
            } @else {
                (cards(group, 3, background))
            }
        }
    }
}

/// A card per scenario, one per outline (its rows together).
fn cards(group: &[&IntentReport], level: u8, background: usize) -> Markup {
    let mut cards: Vec<&[&IntentReport]> = Vec::new();
    let mut rest = group;
    while let Some(first) = rest.first() {
        let len = if first.example.is_some() {
            rest.iter()
                .take_while(|i| i.example.is_some() && i.scenario_line == first.scenario_line)
                .count()
        } else {
            1
        };
        let (card, after) = rest.split_at(len);
        cards.push(card);
        rest = after;
    }
    html! {
        div.cards {
            @for card in cards {
                @if card[0].example.is_some() {
                    (outline::card(card, level, background))
                } @else {
                    (scenario_card(card[0], level, background))
                }
            }
        }
    }
}

/// `<h3>` or `<h4>` holding `content`.
fn heading(level: u8, content: &Markup) -> Markup {
    html! {
        @if level == 3 { h3 { (content) } } @else { h4 { (content) } }
    }
}

fn tags(tags: &[String]) -> Markup {
    html! { @for tag in tags { " " span.tag { (tag) } } }
}

fn scenario_card(intent: &IntentReport, level: u8, background: usize) -> Markup {
    let (_, _, tone) = words::status(intent.status);
    // A card that does not pass spans the whole row: it carries more text.
    let wide = if intent.status == Status::Passed {
        ""
    } else {
        " wide"
    };
    html! {
        article class={ "card " (tone.class()) (wide) } id=(anchor(&intent.id)) data-id=(intent.id) {
            (heading(level, &html! { (badge(intent.status)) " " span.name { (intent.name) } }))
            p.where { code { (intent.id) } (tags(&intent.tags)) }
            (pinned(intent))
            (failure(intent))
            (intent_findings(intent))
            (steps(intent, background))
        }
    }
}

/// The prototype functions a verified intent pins down, if any.
fn pinned(intent: &IntentReport) -> Markup {
    html! {
        @if !intent.pinned_by.is_empty() {
            p.pinned {
                (words::PINNED) " "
                @for (i, function) in intent.pinned_by.iter().enumerate() {
                    @if i > 0 { ", " }
                    code { (function) }
                }
            }
        }
    }
}

/// The failing step, the plain reason and the technical message (folded).
fn failure(intent: &IntentReport) -> Markup {
    let reason = intent.reason.as_deref().filter(|r| !r.is_empty());
    let message = intent
        .message
        .as_deref()
        .map(str::trim_end)
        .filter(|m| !m.trim().is_empty() && Some(m.trim()) != reason.map(str::trim));
    let (_, _, tone) = words::status(intent.status);
    html! {
        @if intent.status != Status::Passed && (intent.failed_step.is_some() || reason.is_some() || message.is_some()) {
            div class={ "why " (tone.class()) } {
                @if let Some(step) = &intent.failed_step {
                    p.at { "Stopped at " strong.stepref { (step) } }
                }
                @if let Some(reason) = reason { p.reason { (reason) } }
                @if let Some(message) = message {
                    details.msg { summary { "Technical message" } pre { (message) } }
                }
            }
        }
    }
}

fn finding_item(finding: &Finding) -> Markup {
    html! {
        li {
            strong { span aria-hidden="true" { "⚠" } " " (words::finding(finding.kind)) ":" }
            " " (finding.message) " " code { (finding.file) ":" (finding.line) }
        }
    }
}

/// Findings about this intent's own code (the ones about every intent are
/// listed once, in the findings section).
fn intent_findings(intent: &IntentReport) -> Markup {
    let own: Vec<&Finding> = intent
        .findings
        .iter()
        .filter(|f| !f.intents.is_empty())
        .collect();
    html! {
        @if !own.is_empty() { ul.findings { @for finding in own { (finding_item(finding)) } } }
    }
}

/// The look of step `index` of `intent`: its own status, except in an
/// intent that passed without being verified, where no step looks
/// verified and the step a finding names is marked.
fn step_look(intent: &IntentReport, index: usize) -> (&'static str, &'static str, Tone) {
    let step = &intent.steps[index];
    if intent.proves_nothing() && step.status == StepStatus::Passed {
        if intent.step_at_fault() == Some(index) {
            let kind = intent
                .findings
                .iter()
                .find(|f| f.kind.makes_hollow())
                .map_or(words::STEP_AT_FAULT.0, |f| words::finding(f.kind));
            return (kind, words::STEP_AT_FAULT.1, words::STEP_AT_FAULT.2);
        }
        return words::STEP_RAN;
    }
    words::step(step.status)
}

/// The steps and their statuses; the first `background` ones are folded
/// into one line when they all passed in a verified or failed intent.
fn steps(intent: &IntentReport, background: usize) -> Markup {
    let all = &intent.steps;
    let folded = background > 0
        && !intent.proves_nothing()
        && all.len() >= background
        && all[..background]
            .iter()
            .all(|s| s.status == StepStatus::Passed);
    let first = if folded { background } else { 0 };
    html! {
        ol.steps {
            @if folded {
                li.step.passed.bg {
                    span.si aria-hidden="true" { "✔" }
                    "Background: " (if background == 1 { "1 step".to_owned() } else { format!("{background} steps") }) " passed"
                }
            }
            @for index in first..all.len() {
                @let (word, icon, tone) = step_look(intent, index);
                @let plain = all[index].status == StepStatus::Passed && !intent.proves_nothing();
                li class={ "step " (tone.class()) } {
                    span.si aria-hidden="true" { (icon) }
                    @if plain { span.vh { (word) ": " } }
                    (step_text(&all[index], (!plain).then_some(word)))
                }
            }
        }
    }
}

/// A step's keyword, text, status word (when given), argument and code.
fn step_text(step: &StepReport, status: Option<&str>) -> Markup {
    html! {
        span.text { span.kw { (step.keyword) } " " (step.text) }
        @if let Some(word) = status { " " span.st { (word) } }
        @if let Some(doc) = &step.doc_string { pre.doc { (doc) } }
        @if let Some(rows) = &step.data_table {
            table.data { @for row in rows { tr { @for cell in row { td { (cell) } } } } }
        }
        @if let Some(definition) = &step.definition { (code(definition)) }
    }
}

/// The step definition and the prototype code it calls, folded.
fn code(definition: &CodeRef) -> Markup {
    html! {
        details.code {
            summary { "Code " code { (definition.file) ":" (definition.line) } }
            (code_block("Step definition", definition))
            @for call in &definition.calls { (code_block("Prototype code it calls", call)) }
        }
    }
}

fn code_block(what: &str, code: &CodeRef) -> Markup {
    html! {
        figure {
            figcaption { (what) " · " code { (code.file) ":" (code.line) } }
            pre.rs tabindex="0" { code { (highlight(&dedent(&code.source))) } }
        }
    }
}

fn rounds(report: &Report) -> Markup {
    let intents = report.summary.intents;
    html! {
        @if !report.rounds.is_empty() {
            section.history #rounds aria-labelledby="rounds-h" {
                h2 #rounds-h { "Rounds" }
                table.rounds {
                    thead { tr {
                        th scope="col" { "Round" } th scope="col" { "Outcome" }
                        th scope="col" { "Changed files" } th scope="col" { "Intents that changed" }
                        th scope="col" { "Tokens" } th scope="col" { "Time" }
                    } }
                    tbody { @for (number, round) in report.rounds.iter().enumerate() {
                        (round_row(report, number + 1, round, intents))
                    } }
                }
            }
        }
    }
}

fn round_row(report: &Report, number: usize, round: &RoundReport, intents: usize) -> Markup {
    let ok = round.outcome == crate::vocabulary::RoundOutcome::Ran && round.passed == intents;
    let changed: Vec<Markup> = round
        .changed
        .iter()
        .map(|f| html! { code { (f) } })
        .collect();
    let flipped: Vec<Markup> = round
        .flipped
        .iter()
        .map(|flip| {
            let name = report
                .intents
                .iter()
                .find(|i| i.id == flip.id)
                .map_or(flip.id.as_str(), |i| i.name.as_str());
            let (from, from_icon, _) = words::status(flip.from);
            let (to, to_icon, to_tone) = words::status(flip.to);
            html! {
                span class={ "flip " (to_tone.class()) } {
                    span aria-hidden="true" { (from_icon) " → " (to_icon) }
                    span.vh { "from " (from) " to " (to) ":" }
                }
                " " (name)
            }
        })
        .collect();
    html! {
        tr {
            th scope="row" { (number) " · " (words::capitalized(&words::round_did(round.kind, &round.shards))) }
            td class=(if ok { "passed" } else { "plain" }) {
                (words::round_outcome(round.outcome, round.passed, intents))
                @if round.hollow > 0 { ", " (round.hollow) " hollow" }
            }
            td { (list(&changed)) }
            td { (list(&flipped)) }
            // A `cmd:` model reports no usage: not "0 out".
            td { @if let (Some(input), Some(output)) = (round.input_tokens, round.output_tokens) {
                (thousands(input)) " in · " (thousands(output)) " out"
            } @else { "–" } }
            td { (duration(round.duration_ms)) }
        }
    }
}

/// A `<ul>` of items, or a dash.
fn list(items: &[Markup]) -> Markup {
    html! {
        @if items.is_empty() {
            span aria-hidden="true" { "–" } span.vh { "none" }
        } @else {
            ul.plain { @for item in items { li { (item) } } }
        }
    }
}

fn findings(report: &Report) -> Markup {
    let all = report.findings();
    html! {
        @if !all.is_empty() {
            section.notes aria-labelledby="findings-h" {
                h2 #findings-h { "What the checks found in the code" }
                ul.findings { @for finding in all { (finding_item(finding)) } }
            }
        }
    }
}

/// What the model decided where the scenarios are silent, if it said.
fn assumptions(report: &Report) -> Markup {
    html! {
        @if !report.assumptions.is_empty() {
            section.notes aria-labelledby="assumptions-h" {
                h2 #assumptions-h { (words::ASSUMPTIONS) }
                ul { @for assumption in &report.assumptions { li { (assumption) } } }
            }
        }
    }
}

/// The prototype's web app: in the live dashboard, the app itself (served
/// by wow below `/app/`, sandboxed in the frame and by its own policy);
/// in a report file, its status and the command that serves it.
fn app(report: &Report, live: bool) -> Markup {
    use crate::vocabulary::AppStatus;
    let Some(app) = &report.app else {
        return html! {};
    };
    let round = report.rounds.last().map(|r| r.number);
    let prototype = report.prototype.as_deref().unwrap_or("generated/…");
    html! {
        section.app aria-labelledby="app-h" {
            h2 #app-h { (words::APP_TITLE) }
            p { (words::app_line(app, prototype)) }
            @if live && app.status != AppStatus::Missing {
                p.note { (words::app_round(round)) }
                iframe src="/app/" sandbox="allow-forms" title=(words::APP_TITLE) {}
            }
        }
    }
}

/// The prototype's functions no verified intent pins down, if any.
fn unpinned(report: &Report) -> Markup {
    html! {
        @if !report.unpinned.is_empty() {
            section.notes aria-labelledby="unpinned-h" {
                h2 #unpinned-h { (words::UNPINNED) }
                p { (words::UNPINNED_NOTE) }
                ul { @for function in &report.unpinned { li { code { (function) } } } }
            }
        }
    }
}

fn critique(report: &Report) -> Markup {
    html! {
        @if let Some(critique) = &report.critique {
            section.notes aria-labelledby="critique-h" {
                h2 #critique-h { (words::QUESTIONS) }
                p { "Suggested scenarios: "
                    @for (i, file) in std::iter::once(&critique.file).chain(&critique.more_files).enumerate() {
                        @if i > 0 { ", " }
                        code { (crate::spec::display_path(file)) }
                    }
                }
                ol { @for question in &critique.questions { li { (question) } } }
            }
        }
    }
}

fn spec_lock(report: &Report) -> Markup {
    html! {
        @if !report.features.is_empty() {
            section.lock #spec-lock aria-labelledby="lock-h" {
                h2 #lock-h { (words::SPEC_LOCK) }
                p { "The SHA-256 of each feature file as the product owner wrote it: the scenarios validated are these ones." }
                table {
                    thead { tr { th scope="col" { "Feature" } th scope="col" { "File" } th scope="col" { "SHA-256" } } }
                    tbody { @for feature in &report.features { (lock_row(feature)) } }
                }
            }
        }
    }
}

fn lock_row(feature: &FeatureReport) -> Markup {
    html! {
        tr { td { (feature.name) } td { code { (feature.path) } } td { code.hash { (feature.sha256) } } }
    }
}

/// `43.1 s`, `2 min 05 s`.
fn duration(ms: u64) -> String {
    if ms < 60_000 {
        format!("{}.{} s", ms / 1000, ms % 1000 / 100)
    } else {
        format!("{} min {:02} s", ms / 60_000, ms % 60_000 / 1000)
    }
}

/// `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The scoreboard's boxes: verified and failing always, the others when
/// they hold an intent.
fn tiles(report: &Report) -> Vec<(usize, Tally)> {
    Tally::ALL
        .iter()
        .map(|t| (report.tally(*t), *t))
        .filter(|(n, t)| *n > 0 || matches!(t, Tally::Verified | Tally::Failing))
        .collect()
}

/// The widths of the scoreboard bar's segments (numbers only).
fn bar_rules(report: &Report) -> String {
    let mut rules = String::new();
    for (index, (n, _)) in tiles(report).iter().enumerate() {
        let _ = write!(rules, ".seg-{index}{{flex-grow:{n}}}");
    }
    rules.push('\n');
    rules
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::Path;

    use super::*;
    use crate::report::{Flip, Sources};
    use crate::vocabulary::{
        FindingKind, IntentResult, RoundKind as Kind, RoundOutcome as Outcome, Stop,
    };

    pub(crate) const SHOP: &str = "\
Feature: Shopping cart
  As a shopper
  I want a cart that adds up my items

  So that I know what I pay

  Background:
    Given an empty cart

  Scenario: Add one item
    When I add a \"book\" at 12 euros
    Then the total is 12 euros

  @discount
  Rule: Codes lower the total
    Scenario Outline: Apply the code <code>
      When I add a \"book\" at 100 euros
      And I apply the code <code>
      Then the total is <total> euros

      Examples:
        | code    | total |
        | TEN     | 90    |
        | HALF    | 50    |
        | UNKNOWN | 100   |

    Scenario: Codes are listed
      When I list the codes
      Then I see:
        | TEN  |
        | HALF |
";

    fn result(
        status: Status,
        failed_step: Option<&str>,
        message: Option<&str>,
        steps: &[StepStatus],
    ) -> IntentResult {
        IntentResult {
            id: String::new(),
            status,
            failed_step: failed_step.map(str::to_owned),
            failed_step_line: None,
            message: message.map(str::to_owned),
            step_definition: None,
            steps: steps.to_vec(),
            pinned_by: Vec::new(),
        }
    }

    /// A report of every status, two rounds, a finding, a critique and
    /// code references, its temp folder path replaced by `features`.
    pub(crate) fn sample() -> Report {
        use StepStatus::{Failed, NotRun, Passed, Undefined};
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(dir.path().join("shop.feature"), SHOP).expect("write a fixture");
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid features");
        let results = vec![
            result(Status::Passed, None, None, &[Passed; 3]),
            result(Status::Passed, None, None, &[Passed; 4]),
            result(
                Status::Failed,
                Some("Then the total is 50 euros"),
                Some(
                    "assertion `left == right` failed: the total should be 50 euros\n  left: 100\n right: 50",
                ),
                &[Passed, Passed, Passed, Failed],
            ),
            result(
                Status::Undefined,
                Some("And I apply the code UNKNOWN"),
                Some("step is undefined"),
                &[Passed, Passed, Undefined, NotRun],
            ),
            result(
                Status::Hollow,
                None,
                Some("`Then I see:` checks nothing"),
                &[Passed; 3],
            ),
        ];
        let traces = traces();
        let findings = [Finding {
            kind: FindingKind::NoAssertion,
            file: "tests/steps.rs".to_owned(),
            line: 41,
            message: "the `Then I see:` step definition checks nothing".to_owned(),
            intents: vec![spec.intents().nth(4).expect("five intents").id.clone()],
        }];
        let mut report = Report::new(
            &spec,
            &Sources {
                results: &results,
                findings: &findings,
                traces: &traces,
                prototype: Some(Path::new("generated/shop")),
                duration_ms: 43_120,
                ..Sources::default()
            },
        );
        report.rounds = rounds(&report.intents[0].id);
        report.model = Some("openai/gpt-4.1-mini".to_owned());
        report.stopped = Some(Stop::BudgetSpent);
        report.critique = Some(crate::critique::Critique {
            more_files: Vec::new(),
            checked: Vec::new(),
            file: "features/suggested/shop.feature".into(),
            questions: vec!["What happens when two codes are applied?".to_owned()],
        });
        mask(&mut report, &dir.path().display().to_string());
        report
    }

    /// The code behind the `Then the total is …` step of two intents.
    fn traces() -> Vec<Vec<Option<CodeRef>>> {
        let lib = CodeRef {
            file: "src/lib.rs".to_owned(),
            line: 10,
            source: "/// The total, in cents.\npub fn total(&self) -> u64 {\n    self.items.iter().map(|i| i.price).sum::<u64>() // no codes yet\n}".to_owned(),
            calls: Vec::new(),
        };
        let step = CodeRef {
            file: "tests/steps.rs".to_owned(),
            line: 30,
            source: "#[then(expr = \"the total is {int} euros\")]\nfn total(world: &mut World, euros: u64) {\n    assert_eq!(world.cart.total(), euros * 100, \"the total should be {euros} euros\");\n}".to_owned(),
            calls: vec![lib],
        };
        let mut traces = vec![
            vec![None; 3],
            vec![None; 4],
            vec![None; 4],
            vec![None; 4],
            vec![None; 3],
        ];
        traces[0][2] = Some(step.clone());
        traces[2][3] = Some(step);
        traces[4][2] = Some(CodeRef {
            file: "tests/steps.rs".to_owned(),
            line: 41,
            source: "#[then(\"I see:\")]\nfn see(_world: &mut World) {}".to_owned(),
            calls: Vec::new(),
        });
        traces
    }

    /// A round that did not compile, then a repair that flipped intent `id`.
    fn rounds(id: &str) -> Vec<RoundReport> {
        let mut round = RoundReport {
            number: 1,
            shards: Vec::new(),
            kind: Kind::Generate,
            outcome: Outcome::CompileError,
            passed: 0,
            hollow: 0,
            input_tokens: Some(5210),
            output_tokens: Some(9800),
            duration_ms: 41_000,
            model_ms: 36_000,
            cargo_ms: 5000,
            vacuity_ms: 0,
            changed: vec!["src/lib.rs".to_owned(), "tests/steps.rs".to_owned()],
            rejected: Vec::new(),
            flipped: Vec::new(),
        };
        let first = round.clone();
        round.kind = Kind::Repair;
        round.outcome = Outcome::Ran;
        round.passed = 2;
        round.hollow = 1;
        round.changed = vec!["src/lib.rs".to_owned()];
        round.flipped = vec![Flip {
            id: id.to_owned(),
            from: Status::NotRun,
            to: Status::Passed,
        }];
        vec![first, round]
    }

    /// Replaces the temp folder `dir` with `features` in `report`'s paths.
    fn mask(report: &mut Report, dir: &str) {
        let fix = |text: &mut String| *text = text.replace(dir, "features");
        report.features.iter_mut().for_each(|f| fix(&mut f.path));
        for intent in &mut report.intents {
            fix(&mut intent.id);
            for finding in &mut intent.findings {
                finding.intents.iter_mut().for_each(fix);
            }
        }
        for round in &mut report.rounds {
            round.flipped.iter_mut().for_each(|f| fix(&mut f.id));
        }
    }

    fn html() -> String {
        render(&sample())
    }

    #[test]
    fn sample_covers_every_status() {
        let report = sample();
        assert_eq!(report.intents[0].id, "features/shop.feature:10");
        let statuses: Vec<Status> = report.intents.iter().map(|i| i.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Passed,
                Status::Passed,
                Status::Failed,
                Status::Undefined,
                Status::Hollow
            ]
        );
    }

    #[test]
    fn model_output_is_escaped_and_nothing_is_fetched() {
        let page = html();
        for reference in [
            "http://", "https://", "src=", "url(", "@import", "<link", "<img", "<iframe",
        ] {
            assert!(!page.contains(reference), "`{reference}` in the page");
        }
        let mut report = sample();
        report.intents[2].message = Some("<script>alert(1)</script>".to_owned());
        report.intents[2].reason = Some("</p><script>alert(2)</script>".to_owned());
        report.intents[3].name = "\"><img src=x onerror=alert(3)>".to_owned();
        report.model = Some("<b>model</b>".to_owned());
        report.intents[0].steps[2]
            .definition
            .as_mut()
            .expect("a code reference")
            .source = "fn f() { \"</pre><script>alert(4)</script>\" }".to_owned();
        let page = render(&report);
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>model"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(3)&gt;"));
        assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    }

    #[test]
    fn the_page_shows_every_intent_with_its_status_in_words() {
        let page = html();
        assert!(page.contains("<h1 class=\"headline failed\"><span class=\"icon\" aria-hidden=\"true\">✘</span> 2 of 5 intents pass</h1>"));
        for (name, word) in [("Add one item", "Verified"), ("Codes are listed", "Hollow")] {
            assert!(
                page.contains(&format!("{word}</span> <span class=\"name\">{name}</span>")),
                "{name}"
            );
        }
        // The outline as written, a status per Examples row, the failure under its row.
        assert!(page.contains("<span class=\"name\">Apply the code &lt;code&gt;</span>"));
        assert!(page.contains("<span class=\"kw\">Then</span> the total is <span class=\"ph\">&lt;total&gt;</span> euros"));
        for (word, code) in [
            ("Verified", "TEN"),
            ("Failed", "HALF"),
            ("Undefined", "UNKNOWN"),
        ] {
            assert!(
                page.contains(&format!("{word}</span></td><td>{code}</td>")),
                "{code}"
            );
        }
        assert!(page.contains("<p class=\"reason\">the total should be 50 euros (got 100)</p>"));
        assert!(
            page.contains(
                "Stopped at <strong class=\"stepref\">Then the total is 50 euros</strong>"
            )
        );
        // The background once, folded in the cards where it passed.
        assert!(page.contains("Background, before every scenario below"));
        assert!(page.contains("Background: 1 step passed"));
        assert!(page.contains("2 · Repaired"));
        assert!(page.contains("What happens when two codes are applied?"));
        assert!(
            page.contains(
                "checks nothing:</strong> the `Then I see:` step definition checks nothing"
            )
        );
        assert!(page.contains(&sample().features[0].sha256));
    }

    /// The element of `page` that starts at `marker`, up to `end`.
    fn part<'a>(page: &'a str, marker: &str, end: &str) -> &'a str {
        let at = page.find(marker).unwrap_or_else(|| panic!("no `{marker}`"));
        let rest = &page[at..];
        &rest[..rest.find(end).map_or(rest.len(), |e| e + end.len())]
    }

    #[test]
    fn no_step_of_a_hollow_intent_looks_verified() {
        let report = sample();
        let page = render(&report);
        let card = part(&page, "data-id=\"features/shop.feature:27\"", "</article>");
        assert!(card.contains("Codes are listed"), "{card}");
        assert!(!card.contains("✔"), "a hollow card shows a tick: {card}");
        assert!(!card.contains("step passed"), "{card}");
        assert!(
            card.contains("passes, but not because of the prototype"),
            "the hollow reason is on the card: {card}"
        );
        // The step whose definition the finding names is marked.
        let then = part(
            card,
            "<li class=\"step warn\"><span class=\"si\" aria-hidden=\"true\">◌",
            "</li>",
        );
        assert!(then.contains("I see:"), "{then}");
        assert!(
            then.contains("<span class=\"st\">checks nothing</span>"),
            "{then}"
        );
        let unverified = {
            let mut report = report.clone();
            report.intents[4].status = Status::Unverified;
            render(&report)
        };
        let card = part(
            &unverified,
            "data-id=\"features/shop.feature:27\"",
            "</article>",
        );
        assert!(
            !card.contains("✔"),
            "an unverified card shows a tick: {card}"
        );
    }

    #[test]
    fn every_id_is_unique_and_every_link_lands() {
        let page = html();
        let ids: Vec<&str> = page
            .split(" id=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
        for link in page.split("href=\"#").skip(1) {
            let target = link.split('"').next().unwrap_or_default();
            assert!(ids.contains(&target), "`#{target}` leads nowhere");
        }
        // Outline rows are linked from the list of what does not pass.
        assert!(page.contains("<tr class=\"failed\" data-id=\"features/shop.feature:24\" id=\"i-"));
        assert_ne!(anchor("a-b.feature:1"), anchor("a_b.feature:1"));
    }

    #[test]
    fn a_blank_line_in_the_narrative_starts_a_paragraph() {
        let report = sample();
        assert_eq!(
            report.features[0]
                .description
                .as_deref()
                .map(|d| d.matches('\n').count() >= 2),
            Some(true),
            "{:?}",
            report.features[0].description
        );
        let page = render(&report);
        assert!(
            page.contains("<div class=\"narrative\"><p>As a shopper\nI want a cart that adds up my items</p><p>So that I know what I pay</p></div>"),
            "{}",
            part(&page, "<div class=\"narrative\"", "</div>")
        );
    }

    #[test]
    fn code_no_scenario_pins_down_is_listed_for_the_engineer() {
        let mut report = sample();
        assert!(!render(&report).contains("Code no scenario pins down"));
        report.unpinned = vec!["Cart::discount".to_owned()];
        let page = render(&report);
        assert!(page.contains("<h2 id=\"unpinned-h\">Code no scenario pins down</h2>"));
        assert!(page.contains("<li><code>Cart::discount</code></li>"));
    }

    #[test]
    fn counters_and_badges_agree() {
        let page = html();
        // Failed and undefined: both red, both counted as failing.
        assert!(page.contains(
            "<span class=\"badge failed\"><span aria-hidden=\"true\">?</span> Undefined</span>"
        ));
        assert!(page.contains("<li class=\"tile failed\"><span class=\"n\">2</span> <span class=\"w\"><span aria-hidden=\"true\">✘</span> failing</span></li>"));
        assert!(page.contains("<li class=\"tile warn\"><span class=\"n\">1</span> <span class=\"w\"><span aria-hidden=\"true\">◌</span> hollow</span></li>"));
        for status in Status::ALL {
            let (_, _, tone) = words::status(status);
            assert_eq!(tone, Tally::of(status).look().2, "{status:?}");
        }
    }

    #[test]
    fn the_live_page_waits_in_the_report_look_and_may_follow_its_events() {
        let waiting = render_live(None);
        assert!(waiting.contains("Waiting for the first run"));
        assert!(waiting.contains(STYLE), "the report's style");
        assert!(
            waiting.contains("<p class=\"live\" id=\"wow-live\" role=\"status\""),
            "{waiting}"
        );
        assert!(waiting.contains("new EventSource(\"/events\")"));
        assert!(waiting.contains(&csp_hash(LIVE_SCRIPT)));
        assert!(waiting.contains("connect-src 'self'"));
        let live = render_live(Some(&sample()));
        assert!(live.contains("2 of 5 intents pass"));
        assert!(live.contains("id=\"wow-live\""));
        let still = html();
        assert!(
            !still.contains("connect-src") && !still.contains("wow-live"),
            "the file report stays offline"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(12_345_678), "12,345,678");
        assert_eq!(duration(43_120), "43.1 s");
        assert_eq!(duration(125_000), "2 min 05 s");
    }
}
