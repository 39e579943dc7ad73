//! HTML report: a [`Report`] in, one self-contained HTML page out.
//!
//! The page is what stakeholders look at: a big scoreboard, each feature with
//! its narrative and its intents as cards (outlines as their Examples table,
//! a status per row), the failing step with a plain reason next to the
//! technical message, the round history, the code behind every step
//! (collapsed) and the SHA-256 of the scenarios as written. It reads on a
//! projector and prints.
//!
//! It must stay one file that fetches nothing: CSS and script are inline,
//! there is no URL, font or image, and a Content-Security-Policy (hashes of
//! the inline style and script) forbids any request. Every piece of text is
//! escaped: scenario text and model output are untrusted.

use std::fmt::{self, Display, Write as _};

use base64::Engine as _;
use sha2::Digest as _;

use super::{FeatureReport, IntentReport, Report, RoundReport, StepReport};
use crate::vocabulary::{
    CodeRef, Finding, FindingKind, RoundKind as Kind, RoundOutcome as Outcome, Status, StepStatus,
    Stop,
};

/// `write!` into a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Renders `report` as a complete HTML document (UTF-8).
pub fn render(report: &Report) -> String {
    let mut body = String::new();
    header(&mut body, report);
    put!(body, "<main id=\"main\">\n");
    attention(&mut body, report);
    toc(&mut body, report);
    features(&mut body, report);
    rounds(&mut body, report);
    findings(&mut body, report);
    critique(&mut body, report);
    spec_lock(&mut body, report);
    put!(body, "</main>\n");
    put!(
        body,
        "<footer><p>Written by wow · report format {}</p></footer>\n",
        report.version
    );
    let style = format!("{STYLE}{}", bar_rules(report));
    // No request of any kind: only the exact inline style and script run.
    let policy = format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'none'; \
         base-uri 'none'; form-action 'none'",
        csp_hash(&style),
        csp_hash(SCRIPT)
    );
    let mut out = String::with_capacity(body.len() + style.len() + 2048);
    put!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<style>{style}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the intents</a>\n{body}\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        Esc(&format!("wow · {}", headline(report)))
    );
    out
}

/// Text made safe for an element or a quoted attribute: the five markup
/// characters become references, carriage returns go and other control
/// characters (invalid in HTML) become U+FFFD.
struct Esc<'a>(&'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\n' | '\t' => f.write_char(c)?,
                '\r' => {}
                c if c.is_control() => f.write_char('\u{fffd}')?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// A CSP source expression for an inline block (`sha256-…`, base64).
fn csp_hash(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The word, icon and CSS class of an intent status. The word and the icon
/// carry the status; colour only repeats it.
fn status_look(status: Status) -> (&'static str, &'static str, &'static str) {
    match status {
        Status::Passed => ("Verified", "✔", "passed"),
        Status::Failed => ("Failed", "✘", "failed"),
        Status::Hollow => ("Hollow", "◌", "warn"),
        Status::Unverified => ("Unverified", "◍", "warn"),
        Status::Undefined => ("Undefined", "?", "warn"),
        Status::Ambiguous => ("Ambiguous", "?", "warn"),
        Status::NotRun => ("Not run", "·", "warn"),
    }
}

fn step_look(status: StepStatus) -> (&'static str, &'static str, &'static str) {
    match status {
        StepStatus::Passed => ("passed", "✔", "passed"),
        StepStatus::Failed => ("failed", "✘", "failed"),
        StepStatus::Undefined => ("undefined", "?", "warn"),
        StepStatus::Ambiguous => ("ambiguous", "?", "warn"),
        StepStatus::Skipped => ("skipped", "↷", "muted"),
        StepStatus::NotRun => ("not run", "·", "muted"),
    }
}

/// How bad a status is, to pick the colour of a group of intents.
fn severity(status: Status) -> u8 {
    match status {
        Status::Passed => 0,
        Status::NotRun => 1,
        Status::Hollow | Status::Unverified => 2,
        Status::Undefined | Status::Ambiguous => 3,
        Status::Failed => 4,
    }
}

fn badge(out: &mut String, status: Status) {
    let (word, icon, class) = status_look(status);
    put!(
        out,
        "<span class=\"badge {class}\"><span aria-hidden=\"true\">{icon}</span> {word}</span>"
    );
}

fn count(report: &Report, statuses: &[Status]) -> usize {
    report
        .intents
        .iter()
        .filter(|i| statuses.contains(&i.status))
        .count()
}

const FAILING: &[Status] = &[Status::Failed, Status::Undefined, Status::Ambiguous];

/// `5 of 6 intents pass`.
fn headline(report: &Report) -> String {
    let total = report.summary.intents;
    let noun = if total == 1 { "intent" } else { "intents" };
    if total == 0 {
        "No intents".to_owned()
    } else if !report.ran() {
        format!("{total} {noun}, not run yet")
    } else {
        let verb = if report.summary.passed == 1 {
            "passes"
        } else {
            "pass"
        };
        format!("{} of {total} {noun} {verb}", report.summary.passed)
    }
}

/// Status of the whole run, for the headline's colour and icon.
fn overall(report: &Report) -> Status {
    report
        .intents
        .iter()
        .map(|i| i.status)
        .max_by_key(|s| severity(*s))
        .unwrap_or(Status::NotRun)
}

fn header(out: &mut String, report: &Report) {
    let (_, icon, class) = status_look(overall(report));
    put!(
        out,
        "<header class=\"top\">\n<p class=\"kicker\">wow · intent report</p>\n\
         <h1 class=\"headline {class}\"><span class=\"icon\" aria-hidden=\"true\">{icon}</span> {}</h1>\n",
        Esc(&headline(report))
    );
    let tiles = [
        (report.summary.passed, "verified", "✔", "passed"),
        (report.summary.hollow, "hollow", "◌", "warn"),
        (count(report, FAILING), "failing", "✘", "failed"),
        (count(report, &[Status::NotRun]), "not run", "·", "muted"),
    ];
    if report.ran() && report.summary.intents > 0 {
        let label: Vec<String> = tiles.iter().map(|t| format!("{} {}", t.0, t.1)).collect();
        put!(
            out,
            "<div class=\"bar\" role=\"img\" aria-label=\"{}\">",
            label.join(", ")
        );
        for (n, _, _, class) in tiles {
            if n > 0 {
                put!(out, "<span class=\"seg seg-{class}\"></span>");
            }
        }
        put!(out, "</div>\n<ul class=\"tiles\">\n");
        for (n, word, icon, class) in tiles {
            if n > 0 || word != "not run" {
                put!(
                    out,
                    "<li class=\"tile {class}\"><span class=\"n\">{n}</span> \
                     <span class=\"w\"><span aria-hidden=\"true\">{icon}</span> {word}</span></li>\n"
                );
            }
        }
        put!(out, "</ul>\n");
    }
    facts(out, report);
    if report.summary.hollow > 0 {
        put!(
            out,
            "<p class=\"note warn\"><span aria-hidden=\"true\">◌</span> Hollow intents pass only \
             in appearance: they would pass without the prototype doing the work.</p>\n"
        );
    }
    put!(out, "</header>\n");
}

/// Model, time, tokens, rounds, prototype.
fn facts(out: &mut String, report: &Report) {
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(model) = &report.model {
        facts.push(("Model", Esc(model).to_string()));
    }
    facts.push(("Time", duration(report.duration_ms)));
    let input: u64 = report.rounds.iter().map(|r| r.input_tokens).sum();
    let output: u64 = report.rounds.iter().map(|r| r.output_tokens).sum();
    if input + output > 0 {
        facts.push((
            "Tokens",
            format!("{} in · {} out", thousands(input), thousands(output)),
        ));
    }
    if !report.rounds.is_empty() {
        let mut rounds = report.rounds.len().to_string();
        if let Some(stop) = &report.stopped {
            put!(rounds, " · {}", Esc(&stop_words(stop)));
        }
        facts.push(("Rounds", rounds));
    }
    if let Some(prototype) = &report.prototype {
        facts.push(("Prototype", format!("<code>{}</code>", Esc(prototype))));
    }
    put!(out, "<dl class=\"facts\">\n");
    for (term, value) in facts {
        put!(out, "<div><dt>{term}</dt><dd>{value}</dd></div>\n");
    }
    put!(out, "</dl>\n");
}

fn toc(out: &mut String, report: &Report) {
    put!(out, "<nav aria-label=\"Contents\" class=\"toc\"><ul>\n");
    for (index, feature) in report.features.iter().enumerate() {
        let intents: Vec<&IntentReport> = of_feature(report, feature).collect();
        let passed = intents
            .iter()
            .filter(|i| i.status == Status::Passed)
            .count();
        put!(
            out,
            "<li><a href=\"#f-{index}\">{}</a> <span class=\"count\">{passed}/{}</span></li>\n",
            Esc(&feature.name),
            intents.len()
        );
    }
    if !report.rounds.is_empty() {
        put!(out, "<li><a href=\"#rounds\">Rounds</a></li>\n");
    }
    if !report.features.is_empty() {
        put!(
            out,
            "<li><a href=\"#spec-lock\">Scenarios as written</a></li>\n"
        );
    }
    put!(
        out,
        "</ul></nav>\n<div class=\"tools\" role=\"group\" aria-label=\"View\">\
         <button type=\"button\" data-act=\"open\">Show all code</button>\
         <button type=\"button\" data-act=\"close\">Hide all code</button>\
         <button type=\"button\" data-act=\"failing\" aria-pressed=\"false\">Only what does not pass</button></div>\n"
    );
}

/// An element id for an intent id: `i-features-bank-feature-12`.
fn anchor(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("i-{slug}")
}

/// What does not pass, first: each intent with its status, plain reason
/// and a link to its card.
fn attention(out: &mut String, report: &Report) {
    let failing = report.not_passing();
    if failing.is_empty() || !report.ran() {
        return;
    }
    put!(
        out,
        "<section class=\"attention\" aria-labelledby=\"attention-h\"><h2 id=\"attention-h\">Not passing yet</h2>\n<ul>\n"
    );
    for intent in failing {
        put!(out, "<li>");
        badge(out, intent.status);
        put!(
            out,
            " <a href=\"#{}\">{}</a>",
            anchor(&intent.id),
            Esc(&intent.name)
        );
        if let Some(reason) = intent.reason.as_deref().filter(|r| !r.is_empty()) {
            put!(out, " <span class=\"reason\">— {}</span>", Esc(reason));
        }
        put!(out, "</li>\n");
    }
    put!(out, "</ul>\n</section>\n");
}

/// The file part of an intent id (`features/bank.feature:12`).
fn file_of(id: &str) -> &str {
    id.rsplit_once(':').map_or(id, |(file, _)| file)
}

fn of_feature<'a>(
    report: &'a Report,
    feature: &'a FeatureReport,
) -> impl Iterator<Item = &'a IntentReport> {
    report
        .intents
        .iter()
        .filter(move |i| file_of(&i.id) == feature.path)
}

fn features(out: &mut String, report: &Report) {
    for (index, feature) in report.features.iter().enumerate() {
        let intents: Vec<&IntentReport> = of_feature(report, feature).collect();
        let passed = intents
            .iter()
            .filter(|i| i.status == Status::Passed)
            .count();
        put!(
            out,
            "<section class=\"feature\" id=\"f-{index}\" aria-labelledby=\"f-{index}-h\">\n\
             <h2 id=\"f-{index}-h\"><span class=\"kw\">{}:</span> {}</h2>\n\
             <p class=\"where\"><code>{}</code>{} · <strong>{passed} of {} verified</strong></p>\n",
            Esc(&feature.keyword),
            Esc(&feature.name),
            Esc(&feature.path),
            tags(&feature.tags),
            intents.len()
        );
        if let Some(description) = feature.description.as_deref().filter(|d| !d.is_empty()) {
            put!(
                out,
                "<p class=\"narrative\">{}</p>\n",
                Esc(description.trim())
            );
        }
        let background = shared_steps(&intents);
        if let Some(first) = intents.first() {
            background_block(out, &first.steps[..background]);
        }
        intent_list(out, &intents, background);
        put!(out, "</section>\n");
    }
    let known = |i: &&IntentReport| report.features.iter().any(|f| f.path == file_of(&i.id));
    let others: Vec<&IntentReport> = report.intents.iter().filter(|i| !known(i)).collect();
    if !others.is_empty() {
        put!(
            out,
            "<section class=\"feature\" aria-labelledby=\"f-other\"><h2 id=\"f-other\">Other intents</h2>\n"
        );
        intent_list(out, &others, 0);
        put!(out, "</section>\n");
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
fn background_block(out: &mut String, steps: &[StepReport]) {
    if steps.is_empty() {
        return;
    }
    put!(
        out,
        "<div class=\"background\"><p class=\"label\">Background, before every scenario below</p>\n<ol class=\"steps written\">\n"
    );
    for step in steps {
        put!(out, "<li class=\"step\">");
        step_text(out, step, None);
        put!(out, "</li>\n");
    }
    put!(out, "</ol></div>\n");
}

/// The intents of one feature, grouped by rule, outline rows together;
/// their first `background` steps are the feature's background.
fn intent_list(out: &mut String, intents: &[&IntentReport], background: usize) {
    let mut rest = intents;
    while let Some(first) = rest.first() {
        let rule = first.rule.as_deref();
        let len = rest
            .iter()
            .take_while(|i| i.rule.as_deref() == rule)
            .count();
        let (group, after) = rest.split_at(len);
        let mut skip = background;
        let level = if let Some(name) = rule {
            put!(
                out,
                "<section class=\"rule\"><h3><span class=\"kw\">Rule:</span> {}</h3>\n",
                Esc(name)
            );
            skip = shared_steps(group).max(background);
            background_block(out, &first.steps[background..skip]);
            4
        } else {
            3
        };
        put!(out, "<div class=\"cards\">\n");
        let mut cards = group;
        while let Some(first) = cards.first() {
            let len = if first.example.is_some() {
                cards
                    .iter()
                    .take_while(|i| i.example.is_some() && i.scenario_line == first.scenario_line)
                    .count()
            } else {
                1
            };
            let (card, next) = cards.split_at(len);
            if first.example.is_some() {
                outline_card(out, card, level, skip);
            } else {
                scenario_card(out, first, level, skip);
            }
            cards = next;
        }
        put!(out, "</div>\n");
        if rule.is_some() {
            put!(out, "</section>\n");
        }
        rest = after;
    }
}

fn tags(tags: &[String]) -> String {
    tags.iter().fold(String::new(), |mut out, tag| {
        put!(out, " <span class=\"tag\">{}</span>", Esc(tag));
        out
    })
}

fn scenario_card(out: &mut String, intent: &IntentReport, level: u8, background: usize) {
    let (_, _, class) = status_look(intent.status);
    put!(
        out,
        "<article class=\"card {class}{}\" id=\"{}\" data-id=\"{}\">\n<h{level}>",
        wide(intent),
        anchor(&intent.id),
        Esc(&intent.id)
    );
    badge(out, intent.status);
    put!(
        out,
        " <span class=\"name\">{}</span></h{level}>\n<p class=\"where\"><code>{}</code>{}</p>\n",
        Esc(&intent.name),
        Esc(&intent.id),
        tags(&intent.tags)
    );
    failure(out, intent);
    intent_findings(out, intent);
    steps(out, &intent.steps, background);
    put!(out, "</article>\n");
}

/// A failing card spans the whole row: it carries more text.
fn wide(intent: &IntentReport) -> &'static str {
    if intent.status == Status::Passed {
        ""
    } else {
        " wide"
    }
}

/// The failing step, the plain reason and the technical message (folded).
fn failure(out: &mut String, intent: &IntentReport) {
    if intent.status == Status::Passed {
        return;
    }
    let reason = intent.reason.as_deref().filter(|r| !r.is_empty());
    let message = intent.message.as_deref().filter(|m| !m.trim().is_empty());
    if intent.failed_step.is_none() && reason.is_none() && message.is_none() {
        return;
    }
    let (_, _, class) = status_look(intent.status);
    put!(out, "<div class=\"why {class}\">\n");
    if let Some(step) = &intent.failed_step {
        put!(
            out,
            "<p class=\"at\">Stopped at <strong class=\"stepref\">{}</strong></p>\n",
            Esc(step)
        );
    }
    if let Some(reason) = reason {
        put!(out, "<p class=\"reason\">{}</p>\n", Esc(reason));
    }
    if let Some(message) = message.filter(|m| Some(m.trim()) != reason.map(str::trim)) {
        put!(
            out,
            "<details class=\"msg\"><summary>Technical message</summary><pre>{}</pre></details>\n",
            Esc(message.trim_end())
        );
    }
    put!(out, "</div>\n");
}

fn finding_kind(finding: &Finding) -> &'static str {
    match finding.kind {
        FindingKind::NoAssertion => "checks nothing",
        FindingKind::NeverReachesPrototype => "never calls the prototype",
        FindingKind::Forbidden => "uses forbidden code",
    }
}

fn finding_item(out: &mut String, finding: &Finding) {
    put!(
        out,
        "<li><strong><span aria-hidden=\"true\">⚠</span> {}:</strong> {} <code>{}:{}</code></li>\n",
        finding_kind(finding),
        Esc(&finding.message),
        Esc(&finding.file),
        finding.line
    );
}

/// Findings about this intent's own code (the ones about every intent are
/// listed once, in the findings section).
fn intent_findings(out: &mut String, intent: &IntentReport) {
    let own: Vec<&Finding> = intent
        .findings
        .iter()
        .filter(|f| !f.intents.is_empty())
        .collect();
    if own.is_empty() {
        return;
    }
    put!(out, "<ul class=\"findings\">\n");
    for finding in own {
        finding_item(out, finding);
    }
    put!(out, "</ul>\n");
}

/// The steps and their statuses; the first `background` ones are folded
/// into one line when they all passed.
fn steps(out: &mut String, steps: &[StepReport], background: usize) {
    put!(out, "<ol class=\"steps\">\n");
    let folded = background > 0
        && steps.len() >= background
        && steps[..background]
            .iter()
            .all(|s| s.status == StepStatus::Passed);
    if folded {
        put!(
            out,
            "<li class=\"step passed bg\"><span class=\"si\" aria-hidden=\"true\">✔</span>Background: {} passed</li>\n",
            if background == 1 {
                "1 step".to_owned()
            } else {
                format!("{background} steps")
            }
        );
    }
    for step in &steps[if folded { background } else { 0 }..] {
        let (word, icon, class) = step_look(step.status);
        put!(
            out,
            "<li class=\"step {class}\"><span class=\"si\" aria-hidden=\"true\">{icon}</span>"
        );
        if step.status == StepStatus::Passed {
            put!(out, "<span class=\"vh\">{word}: </span>");
        }
        step_text(
            out,
            step,
            (step.status != StepStatus::Passed).then_some(word),
        );
        put!(out, "</li>\n");
    }
    put!(out, "</ol>\n");
}

/// A step's keyword, text, status word (when given), argument and code.
fn step_text(out: &mut String, step: &StepReport, status: Option<&str>) {
    put!(
        out,
        "<span class=\"text\"><span class=\"kw\">{}</span> {}</span>",
        Esc(&step.keyword),
        Esc(&step.text)
    );
    if let Some(word) = status {
        put!(out, " <span class=\"st\">{word}</span>");
    }
    argument(out, step);
    if let Some(definition) = &step.definition {
        code(out, definition);
    }
}

/// A step's doc string or data table.
fn argument(out: &mut String, step: &StepReport) {
    if let Some(doc) = &step.doc_string {
        put!(out, "<pre class=\"doc\">{}</pre>", Esc(doc));
    }
    if let Some(rows) = &step.data_table {
        put!(out, "<table class=\"data\">");
        for row in rows {
            put!(out, "<tr>");
            for cell in row {
                put!(out, "<td>{}</td>", Esc(cell));
            }
            put!(out, "</tr>");
        }
        put!(out, "</table>");
    }
}

/// The step definition and the prototype code it calls, folded.
fn code(out: &mut String, definition: &CodeRef) {
    put!(
        out,
        "<details class=\"code\"><summary>Code <code>{}:{}</code></summary>\n",
        Esc(&definition.file),
        definition.line
    );
    code_block(out, "Step definition", definition);
    for call in &definition.calls {
        code_block(out, "Prototype code it calls", call);
    }
    put!(out, "</details>");
}

fn code_block(out: &mut String, what: &str, code: &CodeRef) {
    put!(
        out,
        "<figure><figcaption>{what} · <code>{}:{}</code></figcaption><pre class=\"rs\" tabindex=\"0\"><code>{}</code></pre></figure>\n",
        Esc(&code.file),
        code.line,
        highlight(&dedent(&code.source))
    );
}

/// `source` without the indentation of its closing line, so that a method
/// taken out of its `impl` block starts at the margin.
fn dedent(source: &str) -> String {
    let source = source.trim_end();
    let last = source.lines().last().unwrap_or_default();
    let indent = last.len() - last.trim_start_matches(' ').len();
    source
        .lines()
        .map(|line| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            &line[spaces.min(indent)..]
        })
        .collect::<Vec<_>>()
        .join("\n")
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
            put!(out, "<{key}>");
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

fn outline_card(out: &mut String, rows: &[&IntentReport], level: u8, background: usize) {
    let Some(first) = rows.first() else { return };
    let worst = rows
        .iter()
        .map(|r| r.status)
        .max_by_key(|s| severity(*s))
        .unwrap_or(Status::NotRun);
    let (_, icon, class) = status_look(worst);
    let passed = rows.iter().filter(|r| r.status == Status::Passed).count();
    let name =
        template(rows, |r| Some(base_name(r))).unwrap_or_else(|| base_name(first).to_owned());
    let where_ = format!("{}:{}", file_of(&first.id), first.scenario_line);
    put!(
        out,
        "<article class=\"card outline wide {class}\" data-outline=\"{}\">\n<h{level}>\
         <span class=\"badge {class}\"><span aria-hidden=\"true\">{icon}</span> {passed} of {} verified</span> \
         <span class=\"name\">{}</span></h{level}>\n<p class=\"where\"><code>{}</code>{}</p>\n",
        Esc(&where_),
        rows.len(),
        Esc(&name),
        Esc(&where_),
        tags(&first.tags)
    );
    let written: Option<Vec<(String, String)>> = (background.min(first.steps.len())
        ..first.steps.len())
        .map(|i| {
            let text = template(rows, |r| r.steps.get(i).map(|s| s.text.as_str()))?;
            Some((first.steps[i].keyword.clone(), text))
        })
        .collect();
    if let Some(written) = written.filter(|w| !w.is_empty()) {
        put!(out, "<ol class=\"steps written\">\n");
        for (keyword, text) in written {
            let mut text = Esc(&text).to_string();
            for (key, _) in first.example.iter().flat_map(|e| &e.values) {
                let placeholder = format!("&lt;{}&gt;", Esc(key));
                text = text.replace(
                    &placeholder,
                    &format!("<span class=\"ph\">{placeholder}</span>"),
                );
            }
            put!(
                out,
                "<li class=\"step\"><span class=\"text\"><span class=\"kw\">{}</span> {text}</span></li>\n",
                Esc(&keyword)
            );
        }
        put!(out, "</ol>\n");
    }
    examples_tables(out, rows);
    put!(
        out,
        "<details class=\"rows\"><summary>Steps and code of each row</summary>\n"
    );
    for row in rows {
        put!(
            out,
            "<div class=\"row\" data-id=\"{}\"><p class=\"rowname\">",
            Esc(&row.id)
        );
        badge(out, row.status);
        put!(
            out,
            " {} <code>{}</code></p>\n",
            Esc(&row.name),
            Esc(&row.id)
        );
        intent_findings(out, row);
        steps(out, &row.steps, background);
        put!(out, "</div>\n");
    }
    put!(out, "</details>\n</article>\n");
}

/// The Examples tables of an outline (one per `Examples:` block) with a
/// status per row, each failure told under its row.
fn examples_tables(out: &mut String, rows: &[&IntentReport]) {
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
        examples_table(out, example, table);
        rest = after;
    }
}

fn examples_table(out: &mut String, example: &crate::spec::Example, rows: &[&IntentReport]) {
    let columns = example.values.len() + 1;
    put!(out, "<table class=\"examples\">");
    if !example.table.is_empty() {
        put!(out, "<caption>{}</caption>", Esc(&example.table));
    }
    put!(out, "<thead><tr><th scope=\"col\">Status</th>");
    for (key, _) in &example.values {
        put!(out, "<th scope=\"col\">{}</th>", Esc(key));
    }
    put!(out, "</tr></thead>\n<tbody>\n");
    for row in rows {
        let (_, _, class) = status_look(row.status);
        put!(
            out,
            "<tr class=\"{class}\" data-id=\"{}\"><td>",
            Esc(&row.id)
        );
        badge(out, row.status);
        put!(out, "</td>");
        for (_, value) in row.example.iter().flat_map(|e| &e.values) {
            put!(out, "<td>{}</td>", Esc(value));
        }
        put!(out, "</tr>\n");
        let mut why = String::new();
        failure(&mut why, row);
        if !why.is_empty() {
            put!(
                out,
                "<tr class=\"why-row\"><td colspan=\"{columns}\">{why}</td></tr>\n"
            );
        }
    }
    put!(out, "</tbody></table>\n");
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Generate => "Generated",
        Kind::Repair => "Repaired",
        Kind::Edit => "Updated",
    }
}

fn outcome_words(round: &RoundReport, intents: usize) -> String {
    match round.outcome {
        Outcome::Ran => format!("{} of {intents} pass", round.passed),
        Outcome::CompileError => "did not compile".to_owned(),
        Outcome::NoFiles => "the reply held no usable file".to_owned(),
        Outcome::Truncated => "the reply was cut off".to_owned(),
        Outcome::MissingFiles => "files were missing".to_owned(),
    }
}

fn stop_words(stop: &Stop) -> String {
    match stop {
        Stop::AllPassed => "stopped: every intent passed".to_owned(),
        Stop::BudgetSpent => "stopped: the repair budget was spent".to_owned(),
        Stop::Stalled => "stopped: a repair did not change the failures".to_owned(),
        Stop::ModelError(detail) => format!("stopped: the model failed: {detail}"),
    }
}

fn rounds(out: &mut String, report: &Report) {
    if report.rounds.is_empty() {
        return;
    }
    put!(
        out,
        "<section class=\"history\" id=\"rounds\" aria-labelledby=\"rounds-h\">\n\
         <h2 id=\"rounds-h\">Rounds</h2>\n<table class=\"rounds\"><thead><tr>\
         <th scope=\"col\">Round</th><th scope=\"col\">Outcome</th><th scope=\"col\">Changed files</th>\
         <th scope=\"col\">Intents that changed</th><th scope=\"col\">Tokens</th><th scope=\"col\">Time</th>\
         </tr></thead>\n<tbody>\n"
    );
    for (number, round) in report.rounds.iter().enumerate() {
        let ok = round.outcome == Outcome::Ran && round.passed == report.summary.intents;
        put!(
            out,
            "<tr><th scope=\"row\">{} · {}</th><td class=\"{}\">{}",
            number + 1,
            kind_words(round.kind),
            if ok { "passed" } else { "plain" },
            outcome_words(round, report.summary.intents)
        );
        if round.hollow > 0 {
            put!(out, ", {} hollow", round.hollow);
        }
        put!(out, "</td><td>");
        list(
            out,
            round
                .changed
                .iter()
                .map(|f| format!("<code>{}</code>", Esc(f))),
        );
        put!(out, "</td><td>");
        list(
            out,
            round.flipped.iter().map(|flip| {
                let name = report
                    .intents
                    .iter()
                    .find(|i| i.id == flip.id)
                    .map_or(flip.id.as_str(), |i| i.name.as_str());
                let (from, from_icon, _) = status_look(flip.from);
                let (to, to_icon, to_class) = status_look(flip.to);
                format!(
                    "<span class=\"flip {to_class}\"><span aria-hidden=\"true\">{from_icon} → {to_icon}</span>\
                     <span class=\"vh\">from {from} to {to}:</span></span> {}",
                    Esc(name)
                )
            }),
        );
        // Command and replayed providers report no usage: not "0 out".
        let tokens = if round.input_tokens + round.output_tokens > 0 {
            format!(
                "{} in · {} out",
                thousands(round.input_tokens),
                thousands(round.output_tokens)
            )
        } else {
            "–".to_owned()
        };
        put!(
            out,
            "</td><td>{tokens}</td><td>{}</td></tr>\n",
            duration(round.duration_ms)
        );
    }
    put!(out, "</tbody></table>\n</section>\n");
}

/// A `<ul>` of already escaped items, or a dash.
fn list(out: &mut String, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        put!(
            out,
            "<span aria-hidden=\"true\">–</span><span class=\"vh\">none</span>"
        );
        return;
    }
    put!(out, "<ul class=\"plain\">");
    for item in items {
        put!(out, "<li>{item}</li>");
    }
    put!(out, "</ul>");
}

fn findings(out: &mut String, report: &Report) {
    let mut all: Vec<&Finding> = Vec::new();
    for finding in report.intents.iter().flat_map(|i| &i.findings) {
        if !all.contains(&finding) {
            all.push(finding);
        }
    }
    if all.is_empty() {
        return;
    }
    put!(
        out,
        "<section class=\"notes\" aria-labelledby=\"findings-h\"><h2 id=\"findings-h\">What the checks found in the code</h2>\n<ul class=\"findings\">\n"
    );
    for finding in all {
        finding_item(out, finding);
    }
    put!(out, "</ul>\n</section>\n");
}

fn critique(out: &mut String, report: &Report) {
    let Some(critique) = &report.critique else {
        return;
    };
    put!(
        out,
        "<section class=\"notes\" aria-labelledby=\"critique-h\"><h2 id=\"critique-h\">Questions for the product owner</h2>\n\
         <p>Suggested scenarios: <code>{}</code></p>\n<ol>\n",
        Esc(&crate::spec::display_path(&critique.file))
    );
    for question in &critique.questions {
        put!(out, "<li>{}</li>\n", Esc(question));
    }
    put!(out, "</ol>\n</section>\n");
}

fn spec_lock(out: &mut String, report: &Report) {
    if report.features.is_empty() {
        return;
    }
    put!(
        out,
        "<section class=\"lock\" id=\"spec-lock\" aria-labelledby=\"lock-h\"><h2 id=\"lock-h\">Scenarios as written</h2>\n\
         <p>The SHA-256 of each feature file as the product owner wrote it: the scenarios validated are these ones.</p>\n\
         <table><thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">File</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>\n"
    );
    for feature in &report.features {
        put!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td><code class=\"hash\">{}</code></td></tr>\n",
            Esc(&feature.name),
            Esc(&feature.path),
            Esc(&feature.sha256)
        );
    }
    put!(out, "</tbody></table>\n</section>\n");
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

/// The widths of the scoreboard bar's segments (numbers only).
fn bar_rules(report: &Report) -> String {
    let segments = [
        ("passed", report.summary.passed),
        ("warn", report.summary.hollow),
        ("failed", count(report, FAILING)),
        ("muted", count(report, &[Status::NotRun])),
    ];
    let mut rules = String::new();
    for (class, n) in segments {
        put!(rules, ".seg-{class}{{flex-grow:{n}}}");
    }
    rules + "\n"
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

/// Rust source as escaped HTML with comments, strings, keywords, numbers,
/// macros, types and attributes in `<span>`s. A reading aid, not a lexer:
/// anything it does not recognise stays plain text.
fn highlight(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let (end, class) = token(&chars, i);
        let text: String = chars[i..end].iter().collect();
        if class.is_empty() {
            put!(out, "{}", Esc(&text));
        } else {
            put!(out, "<span class=\"{class}\">{}</span>", Esc(&text));
        }
        i = end;
    }
    out
}

/// The end of the token starting at `i` and its CSS class (empty: plain).
fn token(chars: &[char], i: usize) -> (usize, &'static str) {
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let until = |mut i: usize, stop: &dyn Fn(usize) -> bool| {
        while i < chars.len() && !stop(i) {
            i += 1;
        }
        i
    };
    let word = |i: usize| until(i, &|j| !(chars[j].is_alphanumeric() || chars[j] == '_'));
    match (at(i), at(i + 1)) {
        ('/', '/') => (until(i, &|j| chars[j] == '\n'), "c"),
        ('/', '*') => {
            let end = until(i + 2, &|j| chars[j] == '*' && at(j + 1) == '/');
            ((end + 2).min(chars.len()), "c")
        }
        ('"', _) => (string_end(chars, i + 1), "s"),
        ('\'', '\\') => {
            let end = until(i + 2, &|j| chars[j] == '\'' || chars[j] == '\n');
            ((end + 1).min(chars.len()), "s")
        }
        ('\'', _) if at(i + 2) == '\'' => (i + 3, "s"),
        // A lifetime or a label.
        ('\'', _) => (word(i + 1), ""),
        ('#', '[' | '!') if at(i + 1) == '[' || at(i + 2) == '[' => (attribute_end(chars, i), "a"),
        (c, _) if c.is_ascii_digit() => (
            until(i, &|j| {
                !(chars[j].is_alphanumeric()
                    || chars[j] == '_'
                    || (chars[j] == '.' && at(j + 1).is_ascii_digit()))
            }),
            "n",
        ),
        (c, _) if c.is_alphabetic() || c == '_' => word_token(chars, i, word(i)),
        _ => (i + 1, ""),
    }
}

/// A word from `i` to `end`: a keyword, a macro, a type, a raw or byte
/// string's prefix, or a plain name.
fn word_token(chars: &[char], i: usize, end: usize) -> (usize, &'static str) {
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let word: String = chars[i..end].iter().collect();
    let hashes = chars[end..].iter().take_while(|&&h| h == '#').count();
    if matches!(word.as_str(), "r" | "br") && at(end + hashes) == '"' {
        (raw_string_end(chars, end + hashes + 1, hashes), "s")
    } else if word == "b" && at(end) == '"' {
        (string_end(chars, end + 1), "s")
    } else if at(end) == '!' && at(end + 1) != '=' {
        (end + 1, "m")
    } else if KEYWORDS.contains(&word.as_str()) {
        (end, "k")
    } else if word.starts_with(char::is_uppercase) {
        (end, "t")
    } else {
        (end, "")
    }
}

/// Index after the `]` closing the attribute that starts at `i`.
fn attribute_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0_usize;
    for (j, c) in chars.iter().enumerate().skip(i) {
        match c {
            '[' => depth += 1,
            ']' if depth <= 1 => return j + 1,
            ']' => depth -= 1,
            _ => {}
        }
    }
    chars.len()
}

/// Index after the closing quote of a string whose text starts at `i`.
fn string_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// Index after the closing `"###` of a raw string whose text starts at `i`.
fn raw_string_end(chars: &[char], mut i: usize, hashes: usize) -> usize {
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    chars.len()
}

/// Expands all code or folds it, filters to what does not pass, and opens
/// the technical messages for printing. The page works without it.
const SCRIPT: &str = r"
document.documentElement.classList.add('js');
document.querySelectorAll('[data-act]').forEach(function (b) {
  b.addEventListener('click', function () {
    var act = b.getAttribute('data-act');
    if (act === 'failing') {
      var on = b.getAttribute('aria-pressed') !== 'true';
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      document.body.classList.toggle('only-failing', on);
      return;
    }
    document.querySelectorAll('details.code, details.rows').forEach(function (d) {
      d.open = act === 'open';
    });
  });
});
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details.msg').forEach(function (d) { d.open = true; });
});
";

/// Light theme, every text colour at WCAG AA contrast or better on its
/// background (measured); sizes for a projector, a print sheet below.
const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--ok:#116329;--ok-bg:#dafbe1;--bad:#b3261e;--bad-fg:#a40e26;--bad-bg:#ffebe9;--warn:#9a6700;--warn-fg:#7d4e00;--warn-bg:#fff8c5;--warn-badge:#f5c242;--warn-ink:#3b2300;--focus:#0b3d91}
*{box-sizing:border-box}
html{font-size:112.5%}
body{margin:0;color:var(--fg);background:#fff;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.top,main,footer{max-width:78rem;margin:0 auto;padding:0 1.5rem}
code,pre{font-family:ui-monospace,SFMono-Regular,"Cascadia Mono","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0}
a{color:var(--focus)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:1rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.kicker{margin:1.5rem 0 0;color:var(--muted);font-weight:600;letter-spacing:.05em;text-transform:uppercase;font-size:.85rem}
h1.headline{font-size:3.2rem;line-height:1.1;margin:.3rem 0 1rem}
h1.passed .icon{color:var(--ok)}h1.failed .icon{color:var(--bad)}h1.warn .icon{color:var(--warn)}
.bar{display:flex;height:1.1rem;border-radius:.55rem;overflow:hidden;background:var(--soft);border:1px solid var(--line);margin:0 0 1rem}
.seg-passed{background:var(--ok)}.seg-failed{background:var(--bad)}.seg-warn{background:var(--warn-badge)}.seg-muted{background:#8c959f}
.tiles{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;margin:0 0 1rem}
.tile{flex:1 1 10rem;border:2px solid var(--line);border-radius:.6rem;padding:.5rem 1rem;display:flex;align-items:baseline;gap:.6rem}
.tile .n{font-size:2.4rem;font-weight:700;line-height:1.1}
.tile .w{font-size:1.15rem;font-weight:600}
.tile.passed{border-color:var(--ok);background:var(--ok-bg)}.tile.passed .w,.tile.passed .n{color:var(--ok)}
.tile.failed{border-color:var(--bad);background:var(--bad-bg)}.tile.failed .w,.tile.failed .n{color:var(--bad-fg)}
.tile.warn{border-color:var(--warn);background:var(--warn-bg)}.tile.warn .w,.tile.warn .n{color:var(--warn-fg)}
.tile.muted{background:var(--soft)}
.facts{display:flex;flex-wrap:wrap;gap:.3rem 2rem;margin:0 0 1rem;font-size:1rem}
.facts div{display:flex;gap:.5rem}.facts dt{color:var(--muted)}.facts dd{margin:0;font-weight:600}
.note{padding:.5rem 1rem;border-radius:.4rem}.note.warn{background:var(--warn-bg);color:var(--warn-fg);border-left:.4rem solid var(--warn)}
.attention ul{list-style:none;padding:0;margin:.4rem 0 0}
.attention li{font-size:1.15rem;padding:.35rem 0;border-bottom:1px solid var(--line)}
.attention a{font-weight:700;color:var(--fg)}
.attention .reason{color:var(--muted)}
.attention h2{margin-top:1rem}
.toc{margin-top:1.2rem}
.toc ul{display:flex;flex-wrap:wrap;gap:.4rem 1.5rem;list-style:none;padding:.6rem 0;margin:0;border-top:1px solid var(--line);border-bottom:1px solid var(--line)}
.toc .count{color:var(--muted);font-variant-numeric:tabular-nums}
.tools{display:none;gap:.6rem;margin:.8rem 0}.js .tools{display:flex;flex-wrap:wrap}
button{font:inherit;font-size:.85rem;padding:.3rem .8rem;border:1px solid var(--line);border-radius:.4rem;background:var(--soft);color:var(--fg);cursor:pointer}
button[aria-pressed=true]{background:var(--fg);color:#fff}
h2{font-size:2rem;margin:2.2rem 0 .2rem}
h3{font-size:1.35rem;margin:1.4rem 0 .6rem}
.feature>h2 .kw,.rule>h3 .kw{color:var(--muted);font-weight:500}
.where{color:var(--muted);margin:.2rem 0 .6rem;font-size:.9rem}
.narrative{white-space:pre-line;font-size:1.15rem;border-left:.3rem solid var(--line);padding:.2rem 0 .2rem 1rem;margin:.6rem 0 1rem;max-width:60rem}
.tag{background:var(--soft);border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;font-size:.85em;color:var(--fg)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem}
.card{border:1px solid var(--line);border-left:.55rem solid var(--line);border-radius:.6rem;padding:.7rem 1rem .5rem;background:#fff;break-inside:avoid}
.card.wide{grid-column:1/-1}
.card.passed{border-left-color:var(--ok)}.card.failed{border-left-color:var(--bad);background:#fffafa}.card.warn{border-left-color:var(--warn);background:#fffdf2}
.card>h3,.card>h4{margin:0;font-size:1.2rem;line-height:1.35}
.card .where{margin:.2rem 0 .4rem}
.badge{display:inline-block;border-radius:.35rem;padding:0 .45rem;font-size:.8rem;font-weight:700;vertical-align:.12em;white-space:nowrap}
.badge.passed{background:var(--ok);color:#fff}.badge.failed{background:var(--bad);color:#fff}.badge.warn{background:var(--warn-badge);color:var(--warn-ink)}
.steps{list-style:none;padding:0;margin:.3rem 0}
.step{padding:.1rem 0 .1rem 1.6rem;position:relative}
.step .si{position:absolute;left:.1rem;font-weight:700;width:1.2rem;text-align:center}
.step.passed .si{color:var(--ok)}.step.failed .si,.step.failed .st{color:var(--bad-fg)}.step.warn .si,.step.warn .st{color:var(--warn-fg)}.step.muted{color:var(--muted)}
.step.failed .text{font-weight:600}
.step .kw{font-weight:700}
.steps.written .step{padding-left:0}
.st{font-size:.8rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.doc{background:var(--soft);border-radius:.3rem;padding:.4rem .6rem;font-size:.8rem}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid var(--line);padding:.2rem .6rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
table.data{font-size:.85rem}
.examples td:first-child{white-space:nowrap}
.examples caption{text-align:left;font-weight:600}
.why-row td{background:#fff;padding:0 .4rem}
.why{margin:.4rem 0;padding:.5rem .8rem;border-radius:.4rem;background:var(--bad-bg)}
.why p{margin:.1rem 0}.why .reason{font-size:1.1rem;font-weight:600;color:var(--bad-fg)}
.why.warn{background:var(--warn-bg)}.why.warn .reason{color:var(--warn-fg)}
.ph{font-style:italic;color:#0550ae}
summary{cursor:pointer;color:var(--focus);font-size:.9rem}
details.code{margin:.2rem 0 .3rem}
details.code[open],details.rows[open]{border:1px solid var(--line);border-radius:.4rem;padding:.3rem .6rem}
figure{margin:.4rem 0}figcaption{font-size:.8rem;color:var(--muted)}
.card:has(details.code[open]),.card:has(details.rows[open]){grid-column:1/-1}
pre.rs{white-space:pre;overflow-x:auto;background:var(--soft);border:1px solid var(--line);border-radius:.3rem;padding:.5rem .7rem;font-size:.8rem;line-height:1.45}
.rs .k{color:#cf222e}.rs .s{color:#0a3069}.rs .c{color:var(--muted);font-style:italic}.rs .n{color:#0550ae}.rs .m{color:#6639ba}.rs .t{color:#953800}.rs .a{color:var(--ok)}
.row{border-top:1px solid var(--line);padding:.3rem 0}.rowname{margin:.2rem 0;font-weight:600}
.findings{padding-left:1.2rem}.findings strong{color:var(--warn-fg)}
.background{background:var(--soft);border-radius:.5rem;padding:.4rem 1rem;margin:.5rem 0 1rem;max-width:60rem}
.background .label{margin:0;font-weight:700;color:var(--muted);font-size:.85rem}
.step.bg{color:var(--muted)}.step.bg .si{color:var(--ok)}
.rounds th[scope=row],.rounds td:nth-child(5),.rounds td:nth-child(6){white-space:nowrap}
.rounds{width:100%}.rounds td.passed{color:var(--ok);font-weight:700}
ul.plain{list-style:none;padding:0;margin:0}
.flip.passed{color:var(--ok)}.flip.failed{color:var(--bad-fg)}.flip.warn{color:var(--warn-fg)}.flip{font-weight:700}
.hash{overflow-wrap:anywhere;font-size:.75rem}
footer{color:var(--muted);font-size:.85rem;padding-top:1rem;padding-bottom:2rem;border-top:1px solid var(--line);margin-top:2rem}
.only-failing .card.passed,.only-failing tr.passed{display:none}
@media (max-width:40rem){html{font-size:100%}h1.headline{font-size:2.2rem}.cards{grid-template-columns:1fr}}
@media print{
html{font-size:10.5pt}
.skip,.tools,.toc{display:none}
h1.headline{font-size:24pt}
body{print-color-adjust:exact;-webkit-print-color-adjust:exact}
.cards{display:block}.card{margin:0 0 .6rem}
h2{break-after:avoid}
details.code{display:none}
}
"#;

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;

    use super::*;
    use crate::report::{Flip, Sources};
    use crate::vocabulary::IntentResult;

    const SHOP: &str = "\
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
        }
    }

    /// A report of every status, two rounds, a finding, a critique and
    /// code references, its temp folder path replaced by `features`.
    pub(in crate::report) fn sample() -> Report {
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
        traces
    }

    /// A round that did not compile, then a repair that flipped intent `id`.
    fn rounds(id: &str) -> Vec<RoundReport> {
        let mut round = RoundReport {
            number: 1,
            kind: Kind::Generate,
            outcome: Outcome::CompileError,
            passed: 0,
            hollow: 0,
            input_tokens: 5210,
            output_tokens: 9800,
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
        assert_eq!(report.intents[0].id, "features/shop.feature:9");
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

    #[test]
    fn highlight_marks_keywords_strings_comments_and_macros() {
        let code = highlight(
            "pub fn f<'a>(x: &'a str) -> u8 { assert!(x != \"<\\\"\"); 'c'; 1_000 } // done",
        );
        assert_eq!(
            code,
            "<span class=\"k\">pub</span> <span class=\"k\">fn</span> f&lt;'a&gt;(x: &amp;'a str) -&gt; u8 { \
             <span class=\"m\">assert!</span>(x != <span class=\"s\">&quot;&lt;\\&quot;&quot;</span>); \
             <span class=\"s\">&#39;c&#39;</span>; <span class=\"n\">1_000</span> } <span class=\"c\">// done</span>"
                .replace("'a", "&#39;a")
        );
        assert_eq!(
            highlight("#[derive(Debug)]\nstruct S; /* a\nb */ r#\"x\"#"),
            "<span class=\"a\">#[derive(Debug)]</span>\n<span class=\"k\">struct</span> <span class=\"t\">S</span>; \
             <span class=\"c\">/* a\nb */</span> <span class=\"s\">r#&quot;x&quot;#</span>"
        );
    }

    #[test]
    fn code_taken_out_of_an_impl_starts_at_the_margin() {
        let method = "fn f() {\n        1\n    }\n";
        assert_eq!(dedent(method), "fn f() {\n    1\n}");
        assert_eq!(dedent(&format!("    {method}")), "fn f() {\n    1\n}");
        assert_eq!(dedent("fn g() {}"), "fn g() {}");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(12_345_678), "12,345,678");
        assert_eq!(duration(43_120), "43.1 s");
        assert_eq!(duration(125_000), "2 min 05 s");
    }
}
