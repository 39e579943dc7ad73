//! Report stage: results in, the reports out.
//!
//! In: the [`Spec`], per-intent results and (for `run`) the rounds. Out: the
//! [`Report`] (the JSON report, documented in the README, `"version": 1`)
//! and, from it alone, every other format: the terminal scoreboard
//! ([`print`]) and the files of [`write`] (JSON, HTML, `JUnit` XML, Cucumber
//! JSON, Markdown). A failure is told in the product owner's words (the
//! failing step and a plain reason; the technical message follows), and
//! every renderer takes those words from [`words`]. What must not happen
//! here: a report file written in place (each goes through a temporary file
//! and a rename), or a report format read from what the generated code wrote.

pub mod cucumber;
mod highlight;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod messages;
pub(crate) mod terminal;
pub mod words;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use terminal::{print, scoreboard};

use crate::spec::{Intent, Spec};
use crate::vocabulary::{
    CodeRef, Finding, IntentResult, Rejected, Round, RoundKind, RoundOutcome, Session, Status,
    StepStatus, Stop,
};

/// A report format [`write`] can write: a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The JSON report ([`Report`] serialized, README "The JSON report").
    Json,
    /// One self-contained HTML page ([`html::render`]).
    Html,
    /// `JUnit` XML, one testcase per intent ([`junit::render`]).
    Junit,
    /// Cucumber JSON (the cucumber-json-schema format), from the report
    /// itself ([`cucumber::render`]).
    CucumberJson,
    /// A short GitHub-flavoured Markdown summary ([`markdown::render`]).
    Markdown,
    /// Cucumber Messages, NDJSON ([`messages::render`]).
    Messages,
}

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to write the report `{}`: {source}", crate::spec::display_path(.path))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to render the JUnit report `{}`: {source}", crate::spec::display_path(.path))]
    Junit {
        path: PathBuf,
        #[source]
        source: junit::Error,
    },
}

/// Writes `report` as `format` to `path`, creating its folder: through a
/// temporary file in the same folder and a rename, so a reader never sees
/// half a report and a symbolic link at `path` is replaced, not followed.
/// The file is readable by all (0644).
pub fn write(report: &Report, spec: &Spec, format: Format, path: &Path) -> Result<(), Error> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(report).expect("reports serialize") + "\n",
        Format::Html => html::render(report),
        Format::Junit => junit::render(report).map_err(|source| Error::Junit {
            path: path.to_owned(),
            source,
        })?,
        Format::CucumberJson => cucumber::render(report),
        Format::Markdown => markdown::render(report),
        Format::Messages => messages::render(report, spec),
    };
    write_atomically(path, text.as_bytes()).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".wow-report")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    // Temporary files are created private (0600); a report is not.
    std::fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The file part of an intent id (`features/bank.feature:12`).
pub fn file_of(id: &str) -> &str {
    id.rsplit_once(':').map_or(id, |(file, _)| file)
}

/// Version of the JSON report format.
pub const VERSION: u32 = 1;

/// The machine-readable report (`--json FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub version: u32,
    /// The model string, or `null` for `check` and `test`.
    pub model: Option<String>,
    /// The prototype folder, or `null` for `check`.
    pub prototype: Option<String>,
    pub summary: Summary,
    /// The filter that chose the intents to run (`--tags`, `--name`), or
    /// `null` when every intent ran.
    pub selection: Option<crate::spec::Selection>,
    /// The features the intents come from, with the SHA-256 of their text:
    /// the scenarios validated are the ones the product owner wrote.
    pub features: Vec<FeatureReport>,
    pub intents: Vec<IntentReport>,
    pub rounds: Vec<RoundReport>,
    /// Why the repair loop stopped (`all_passed`, `budget_spent`, `stalled`,
    /// `model_error`), or `null` without a model.
    pub stopped: Option<Stop>,
    /// Wall time of the whole command, in milliseconds.
    pub duration_ms: u64,
    /// The second opinion of `--critique`: the suggested feature file and
    /// the questions for the product owner, or `null`.
    pub critique: Option<crate::critique::Critique>,
    /// What the model decided where the scenarios are silent (its latest
    /// reply's "Assumptions"): open questions for the product owner.
    pub assumptions: Vec<String>,
    /// The prototype's functions that no verified intent pins down (every
    /// mutant of them let through, or never reached): code the scenarios
    /// do not check, for the engineer. Empty when the check did not run.
    pub unpinned: Vec<String>,
    /// The prototype's web app: whether stakeholders can click through it
    /// (`wow app`), and why not; `null` when the command does not build it.
    pub app: Option<crate::vocabulary::AppReport>,
}

/// Intent counts. Intents a filter left out are counted only in
/// `left_out`: `intents` are the selected ones, `passed` and `failed` add
/// up to them, and the exit code depends on them alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Intents selected to run (every intent without a filter).
    pub intents: usize,
    /// Verified intents: they pass, and only because the prototype works.
    pub passed: usize,
    /// Every intent that did not pass (failed, undefined, ambiguous, not
    /// run, hollow).
    pub failed: usize,
    /// Intents that pass but would pass without the prototype (part of `failed`).
    pub hollow: usize,
    /// Intents that did not run (part of `failed`; every intent for `wow check`).
    pub not_run: usize,
    /// Intents a filter left out (status `left_out`; not in `intents`).
    pub left_out: usize,
}

/// One feature file, its narrative, and the SHA-256 (hex) of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureReport {
    pub path: String,
    pub sha256: String,
    /// `Feature`, or the keyword of the file's language.
    pub keyword: String,
    pub name: String,
    /// The text under the feature line (As a / I want / So that), if any.
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Line of the `Feature:` keyword (1-based; not in the JSON report).
    #[serde(skip)]
    pub line: usize,
    /// The description's paragraphs, as the blank lines of the file
    /// separate them (not in the JSON report, whose `description` keeps
    /// the parser's text).
    #[serde(skip)]
    pub paragraphs: Vec<String>,
}

/// One step of an intent and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// As written (`Given`, `And`, `Soit`).
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub status: StepStatus,
    pub doc_string: Option<String>,
    pub data_table: Option<Vec<Vec<String>>>,
    /// The step definition that runs this step and the prototype code it
    /// calls, when the static analysis could tell.
    pub definition: Option<CodeRef>,
}

/// An intent's status change between two rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flip {
    pub id: String,
    pub from: Status,
    pub to: Status,
}

/// One intent in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentReport {
    /// `path:line` of the scenario or Examples row.
    pub id: String,
    pub feature: String,
    pub rule: Option<String>,
    pub name: String,
    pub status: Status,
    /// The step that did not pass, with its keyword.
    pub failed_step: Option<String>,
    /// The technical message.
    pub message: Option<String>,
    /// The reason in plain words, for the product owner.
    pub reason: Option<String>,
    /// What the static checks found in the step definitions or code this
    /// intent runs.
    pub findings: Vec<Finding>,
    /// Line of the scenario or scenario outline the intent comes from.
    pub scenario_line: usize,
    /// The Examples row of an outline intent.
    pub example: Option<crate::spec::Example>,
    pub tags: Vec<String>,
    /// Every step, background first.
    pub steps: Vec<StepReport>,
    /// The prototype functions whose mutants make this intent fail, when
    /// the honesty check verified it (`fee`, `Ticket::exit`).
    pub pinned_by: Vec<String>,
}

/// One round in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// From 1 in a run; `wow watch` goes on counting across saves.
    pub number: u32,
    pub kind: RoundKind,
    pub outcome: RoundOutcome,
    /// Intents verified after the round.
    pub passed: usize,
    /// Intents that passed but would pass without the prototype.
    pub hollow: usize,
    /// `null` when the provider said nothing (a `cmd:` model); the sum of
    /// the round's calls for a sharded prototype.
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// The shards the model wrote in this round, one call each (left out
    /// for a prototype written in one call).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
    pub duration_ms: u64,
    /// The model's time: the longest call, for a sharded round.
    pub model_ms: u64,
    pub cargo_ms: u64,
    /// Time of the honesty check (the mutation check's build and runs).
    pub vacuity_ms: u64,
    pub changed: Vec<String>,
    /// Files of the reply that the file policy refused, with the reason.
    pub rejected: Vec<Rejected>,
    /// Intents whose status changed since the previous round that ran.
    pub flipped: Vec<Flip>,
}

/// What a report is made of, besides the spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    /// One result per intent, in spec order.
    pub results: &'a [IntentResult],
    /// Static findings on the code that ran.
    pub findings: &'a [Finding],
    /// Per intent, per step: the step definition and the code it calls.
    pub traces: &'a [Vec<Option<CodeRef>>],
    /// The rounds of `wow run`; `None` for `check` and `test`.
    pub session: Option<&'a Session>,
    /// The prototype folder; `None` for `check`.
    pub prototype: Option<&'a Path>,
    /// Wall time of the command, in milliseconds.
    pub duration_ms: u64,
    /// The prototype's functions no verified intent pins down.
    pub unpinned: &'a [String],
}

impl Report {
    /// A report of intents that have not run (`wow check`).
    pub fn listing(spec: &Spec, duration_ms: u64) -> Self {
        let results: Vec<IntentResult> = spec
            .intents()
            .map(|i| IntentResult {
                message: None,
                ..i.not_run("")
            })
            .collect();
        Self::new(
            spec,
            &Sources {
                results: &results,
                duration_ms,
                ..Sources::default()
            },
        )
    }

    /// A report of a run of `spec`'s intents.
    pub fn new(spec: &Spec, sources: &Sources) -> Self {
        let Sources {
            results,
            findings,
            traces,
            session,
            prototype,
            duration_ms,
            unpinned,
        } = *sources;
        let intents = intent_reports(spec, results, findings, traces);
        let count = |status| intents.iter().filter(|i| i.status == status).count();
        let passed = count(Status::Passed);
        let left_out = count(Status::LeftOut);
        let selected = intents.len() - left_out;
        Self {
            version: VERSION,
            model: session.map(|s| s.model.clone()),
            prototype: prototype.map(crate::spec::display_path),
            summary: Summary {
                intents: selected,
                passed,
                failed: selected - passed,
                hollow: count(Status::Hollow),
                not_run: count(Status::NotRun),
                left_out,
            },
            selection: spec.selection.clone(),
            features: spec
                .features
                .iter()
                .map(|f| FeatureReport {
                    path: crate::spec::display_path(&f.source),
                    sha256: crate::spec::sha256(&f.text),
                    keyword: f.keyword.clone(),
                    name: f.name.clone(),
                    description: f.description.clone(),
                    tags: f.tags.clone(),
                    line: keyword_line(&f.text, &f.keyword),
                    paragraphs: paragraphs(
                        &f.text,
                        keyword_line(&f.text, &f.keyword),
                        f.description.as_deref().unwrap_or_default(),
                    ),
                })
                .collect(),
            intents,
            rounds: session.map(round_reports).unwrap_or_default(),
            stopped: session.map(|s| s.stop.clone()),
            duration_ms,
            critique: None,
            unpinned: unpinned.to_vec(),
            assumptions: session.map(|s| s.assumptions.clone()).unwrap_or_default(),
            app: None,
        }
    }

    /// Whether any intent ran: a `wow check` listing has none (its intents
    /// are not run, with no reason given).
    pub fn ran(&self) -> bool {
        self.intents
            .iter()
            .filter(|i| i.status != Status::LeftOut)
            .any(|i| i.status != Status::NotRun || i.message.is_some())
    }

    /// The selected intents that are not verified, disputed ones first,
    /// then in report order (those a filter left out are not among them).
    pub fn not_passing(&self) -> Vec<&IntentReport> {
        // Disputed intents first: the product owner decides about them.
        let mut out: Vec<&IntentReport> = self
            .intents
            .iter()
            .filter(|i| !matches!(i.status, Status::Passed | Status::LeftOut))
            .collect();
        out.sort_by_key(|i| i.status != Status::Disputed);
        out
    }

    /// Whether every selected intent passed (exit code 0); intents a
    /// filter left out do not count.
    pub fn all_passed(&self) -> bool {
        self.summary.passed == self.summary.intents
    }

    /// Writes the JSON report to `path`, as [`write`] with [`Format::Json`]
    /// does, for callers that report an [`std::io::Error`] themselves.
    pub fn write_json(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("reports serialize") + "\n";
        write_atomically(path, text.as_bytes())
    }

    /// The intents with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.intents.iter().filter(|i| i.status == status).count()
    }

    /// The intents in scoreboard box `tally`.
    pub fn tally(&self, tally: words::Tally) -> usize {
        self.intents
            .iter()
            .filter(|i| words::Tally::of(i.status) == tally)
            .count()
    }

    /// Input and output tokens of every round.
    /// Tokens in and out over every round whose provider counted them, or
    /// `None` when none did.
    pub fn tokens(&self) -> Option<(u64, u64)> {
        let counted: Vec<(u64, u64)> = self
            .rounds
            .iter()
            .filter_map(|r| r.input_tokens.zip(r.output_tokens))
            .collect();
        (!counted.is_empty()).then(|| counted.iter().fold((0, 0), |(i, o), (a, b)| (i + a, o + b)))
    }

    /// Every finding once, in report order.
    pub fn findings(&self) -> Vec<&Finding> {
        let mut all: Vec<&Finding> = Vec::new();
        for finding in self.intents.iter().flat_map(|i| &i.findings) {
            if !all.contains(&finding) {
                all.push(finding);
            }
        }
        all
    }

    /// The intents of `feature`, in report order.
    pub fn of_feature<'a>(
        &'a self,
        feature: &'a FeatureReport,
    ) -> impl Iterator<Item = &'a IntentReport> {
        self.intents
            .iter()
            .filter(move |i| file_of(&i.id) == feature.path)
    }

    /// The intents whose feature is not listed (none should be).
    pub fn orphans(&self) -> Vec<&IntentReport> {
        self.intents
            .iter()
            .filter(|i| !self.features.iter().any(|f| f.path == file_of(&i.id)))
            .collect()
    }
}

impl IntentReport {
    /// Whether the intent passed without being verified (hollow or
    /// unverified): its steps ran, but prove nothing.
    pub fn proves_nothing(&self) -> bool {
        matches!(self.status, Status::Hollow | Status::Unverified)
    }

    /// The step whose definition a finding of this intent names (file and
    /// first line), if any: the step at fault in a hollow intent.
    pub fn step_at_fault(&self) -> Option<usize> {
        self.steps.iter().position(|step| {
            step.definition.as_ref().is_some_and(|d| {
                self.findings
                    .iter()
                    .any(|f| f.kind.makes_hollow() && f.file == d.file && f.line == d.line)
            })
        })
    }
}

/// The lines of `description` grouped in paragraphs: the parser drops the
/// blank lines of a description, so each line is found again in `text`
/// (after line `from`) and a blank line between two of them starts a
/// paragraph.
fn paragraphs(text: &str, from: usize, description: &str) -> Vec<String> {
    let mut lines = text.lines().skip(from);
    let mut out: Vec<Vec<&str>> = Vec::new();
    for wanted in description.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut blank = false;
        for line in lines.by_ref() {
            if line.trim() == wanted {
                break;
            }
            blank |= line.trim().is_empty();
        }
        match out.last_mut() {
            Some(last) if !blank => last.push(wanted),
            _ => out.push(vec![wanted]),
        }
    }
    out.into_iter().map(|p| p.join("\n")).collect()
}

/// The line of `text` where the `keyword:` line is (1-based), or 1.
fn keyword_line(text: &str, keyword: &str) -> usize {
    let mark = format!("{keyword}:");
    text.lines()
        .position(|l| l.trim_start().starts_with(&mark))
        .map_or(1, |n| n + 1)
}

/// The rounds of `session`, each with the intents it flipped.
fn round_reports(session: &Session) -> Vec<RoundReport> {
    let mut previous: Option<&[IntentResult]> = None;
    session
        .rounds
        .iter()
        .map(|round| {
            let mut report = round_report(round);
            if !round.results.is_empty() {
                if let Some(before) = previous {
                    report.flipped = before
                        .iter()
                        .zip(&round.results)
                        .filter(|(a, b)| a.status != b.status)
                        .map(|(a, b)| Flip {
                            id: b.id.clone(),
                            from: a.status,
                            to: b.status,
                        })
                        .collect();
                }
                previous = Some(&round.results);
            }
            report
        })
        .collect()
}

fn round_report(round: &Round) -> RoundReport {
    RoundReport {
        number: round.number,
        kind: round.kind,
        outcome: round.outcome,
        passed: round.passed,
        hollow: round.hollow,
        input_tokens: round.usage.map(|u| u.input_tokens),
        output_tokens: round.usage.map(|u| u.output_tokens),
        shards: round.shards.clone(),
        duration_ms: round.duration_ms,
        model_ms: round.model_ms,
        cargo_ms: round.cargo_ms,
        vacuity_ms: round.vacuity_ms,
        changed: round.changed.clone(),
        flipped: Vec::new(),
        rejected: round.rejected.clone(),
    }
}

/// The scenario name, with the example values of an outline row.
fn display_name(intent: &Intent) -> String {
    match &intent.example {
        Some(example) => {
            let values: Vec<String> = example
                .values
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            format!("{} ({})", intent.name, values.join(", "))
        }
        None => intent.name.clone(),
    }
}

/// One report per intent of `spec`, in file order: the selected ones from
/// their `results` (in spec order), `findings` and `traces`, and those a
/// filter left out among them.
fn intent_reports(
    spec: &Spec,
    results: &[IntentResult],
    findings: &[Finding],
    traces: &[Vec<Option<CodeRef>>],
) -> Vec<IntentReport> {
    let mut intents: Vec<(&Intent, IntentReport)> = spec
        .intents()
        .zip(results)
        .enumerate()
        .map(|(index, (intent, result))| {
            (
                intent,
                IntentReport {
                    id: intent.id.clone(),
                    feature: intent.feature.clone(),
                    rule: intent.rule.clone(),
                    name: display_name(intent),
                    status: result.status,
                    failed_step: result.failed_step.clone(),
                    message: result.message.clone(),
                    reason: reason(result),
                    findings: findings
                        .iter()
                        .filter(|f| f.intents.is_empty() || f.intents.contains(&intent.id))
                        .cloned()
                        .collect(),
                    scenario_line: intent.scenario_line,
                    example: intent.example.clone(),
                    tags: intent.tags.clone(),
                    pinned_by: result.pinned_by.clone(),
                    steps: intent
                        .steps
                        .iter()
                        .enumerate()
                        .map(|(i, step)| StepReport {
                            keyword: step.keyword.clone(),
                            text: step.text.clone(),
                            line: step.line,
                            status: result.steps.get(i).copied().unwrap_or(StepStatus::NotRun),
                            doc_string: step.doc_string.clone(),
                            data_table: step.data_table.clone(),
                            definition: traces.get(index).and_then(|t| t.get(i)).cloned().flatten(),
                        })
                        .collect(),
                },
            )
        })
        .collect();
    if let Some(selection) = &spec.selection {
        let why = words::left_out(&selection.to_string());
        intents.extend(
            spec.left_out()
                .map(|intent| (intent, left_out(intent, &why))),
        );
    }
    // In file order, features in spec order: left-out intents among the others.
    let feature_index = |intent: &Intent| {
        spec.features
            .iter()
            .position(|f| f.rel == intent.file)
            .unwrap_or(usize::MAX)
    };
    intents.sort_by_key(|(intent, _)| (feature_index(intent), intent.line));
    intents.into_iter().map(|(_, report)| report).collect()
}

/// The report of an intent a filter left out, `why` its reason.
fn left_out(intent: &Intent, why: &str) -> IntentReport {
    IntentReport {
        id: intent.id.clone(),
        feature: intent.feature.clone(),
        rule: intent.rule.clone(),
        name: display_name(intent),
        status: Status::LeftOut,
        failed_step: None,
        message: None,
        reason: Some(why.to_owned()),
        findings: Vec::new(),
        scenario_line: intent.scenario_line,
        example: intent.example.clone(),
        tags: intent.tags.clone(),
        steps: intent
            .steps
            .iter()
            .map(|step| StepReport {
                keyword: step.keyword.clone(),
                text: step.text.clone(),
                line: step.line,
                status: StepStatus::NotRun,
                doc_string: step.doc_string.clone(),
                data_table: step.data_table.clone(),
                definition: None,
            })
            .collect(),
        pinned_by: Vec::new(),
    }
}

/// Why an intent did not pass, in the product owner's words.
pub fn reason(result: &IntentResult) -> Option<String> {
    let message = result.message.as_deref().unwrap_or_default();
    Some(match result.status {
        Status::Passed => return None,
        Status::Undefined => words::UNDEFINED.to_owned(),
        Status::Ambiguous => words::AMBIGUOUS.to_owned(),
        Status::NotRun if message.is_empty() => return None,
        Status::NotRun | Status::LeftOut => message.to_owned(),
        Status::Failed => plain_failure(message),
        Status::Hollow => words::hollow(message),
        Status::Unverified => words::unverified(message),
        Status::Disputed => words::disputed(message),
    })
}

/// Turns a panic message into a sentence: the assertion's own message when
/// it has one, else the values compared (formats of `assert_eq!`,
/// `assert_ne!` and `assert!` in the Rust standard library).
fn plain_failure(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default().trim();
    let value = |side: &str| {
        message
            .lines()
            .find_map(|l| l.trim().strip_prefix(side).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let compared = [
        ("assertion `left == right` failed", true),
        ("assertion `left != right` failed", false),
    ];
    for (prefix, equal) in compared {
        if let Some(rest) = first.strip_prefix(prefix) {
            let custom = rest.trim_start_matches(':').trim();
            return if !custom.is_empty() && equal && !value("left:").is_empty() {
                // The message says what was expected; the value says what was.
                format!("{custom} (got {})", value("left:"))
            } else if !custom.is_empty() {
                custom.to_owned()
            } else if equal {
                format!("expected {} but got {}", value("right:"), value("left:"))
            } else {
                format!("expected a value other than {}", value("right:"))
            };
        }
    }
    if let Some(rest) = first.strip_prefix("assertion failed: ") {
        return format!("this check did not hold: {rest}");
    }
    if first.is_empty() {
        words::NO_MESSAGE.to_owned()
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{RoundKind as Kind, RoundOutcome as Outcome};

    const BANK: &str = "\
Feature: Bank account
  Scenario: Deposit
    Given an account with 100 euros
    When I deposit 20 euros
    Then the balance is 120 euros

  Rule: No overdraw
    Scenario Outline: Withdraw <amount> euros
      Given an account with 100 euros
      When I withdraw <amount> euros
      Then the balance is <balance> euros

      Examples:
        | amount | balance |
        | 10     | 90      |
        | 150    | 100     |
";

    /// The bank spec, read from a temp folder, and that folder's path (to mask).
    fn bank() -> (Spec, String) {
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(dir.path().join("bank.feature"), BANK).expect("write a fixture");
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid features");
        (spec, dir.path().display().to_string())
    }

    fn result(status: Status, failed_step: Option<&str>, message: Option<&str>) -> IntentResult {
        IntentResult {
            id: String::new(),
            status,
            failed_step: failed_step.map(str::to_owned),
            failed_step_line: None,
            message: message.map(str::to_owned),
            step_definition: None,
            steps: Vec::new(),
            pinned_by: Vec::new(),
        }
    }

    #[test]
    fn intents_left_out_by_a_filter_are_listed_but_never_pass_or_fail() {
        let (spec, _) = bank();
        let filter = crate::spec::Filter::new(None, Some("Withdraw 10")).expect("valid");
        let spec = spec.select(&filter).expect("one intent selected");
        let report = Report::new(
            &spec,
            &Sources {
                results: &[IntentResult {
                    steps: vec![StepStatus::Passed; 3],
                    ..result(Status::Passed, None, None)
                }],
                ..Sources::default()
            },
        );
        let statuses: Vec<Status> = report.intents.iter().map(|i| i.status).collect();
        assert_eq!(
            statuses,
            [Status::LeftOut, Status::Passed, Status::LeftOut],
            "in file order"
        );
        assert_eq!(report.summary.intents, 1);
        assert_eq!(report.summary.passed, 1);
        assert_eq!(report.summary.failed, 0);
        assert_eq!(report.summary.left_out, 2);
        assert!(
            report.all_passed(),
            "the exit code depends on the selected intents"
        );
        assert!(report.not_passing().is_empty());
        assert_eq!(
            report.intents[0].reason.as_deref(),
            Some("left out by --name 'Withdraw 10': not run this time")
        );
        let board = scoreboard(&report, &spec);
        assert!(board.contains("1 of 1 intent passes"), "{board}");
        assert!(
            board.contains("2 intents left out by --name 'Withdraw 10'"),
            "{board}"
        );
        let junit = junit::render(&report).expect("JUnit renders");
        assert_eq!(junit.matches("<skipped").count(), 2, "{junit}");
        assert!(junit.contains("left out by --name"), "{junit}");
        let markdown = markdown::render(&report);
        assert!(markdown.contains("2 left out"), "{markdown}");
        let cucumber = cucumber::render(&report);
        assert_eq!(
            cucumber.matches("\"status\": \"passed\"").count(),
            3,
            "{cucumber}"
        );
        assert_eq!(
            cucumber.matches("\"status\": \"skipped\"").count(),
            6,
            "{cucumber}"
        );
        assert!(
            cucumber.contains("\"description\": \"left out by --name"),
            "{cucumber}"
        );
        let messages = messages::render(&report, &spec);
        assert_eq!(messages.matches("\"pickle\":").count(), 3, "{messages}");
        assert_eq!(messages.matches("\"testCase\":").count(), 1, "{messages}");
    }

    /// Deposit passes, withdrawing 10 fails, withdrawing 150 is undefined.
    fn mixed_results() -> Vec<IntentResult> {
        vec![
            result(Status::Passed, None, None),
            result(
                Status::Failed,
                Some("Then the balance is 90 euros"),
                Some(
                    "assertion `left == right` failed: the balance should be 90 euros\n  left: 100\n right: 90",
                ),
            ),
            result(
                Status::Undefined,
                Some("When I withdraw 150 euros"),
                Some("step is undefined"),
            ),
        ]
    }

    fn round(kind: Kind, outcome: Outcome, passed: usize, tokens: (u64, u64)) -> RoundReport {
        RoundReport {
            number: 1,
            shards: Vec::new(),
            kind,
            outcome,
            passed,
            input_tokens: Some(tokens.0),
            output_tokens: Some(tokens.1),
            duration_ms: 9000,
            model_ms: 8000,
            cargo_ms: 1000,
            vacuity_ms: 500,
            hollow: 0,
            flipped: Vec::new(),
            changed: vec!["src/lib.rs".to_owned()],
            rejected: Vec::new(),
        }
    }

    #[test]
    fn reason_in_plain_words_for_each_status() {
        let reason_for = |status, message| reason(&result(status, None, message));
        assert_eq!(reason_for(Status::Passed, Some("ignored")), None);
        assert_eq!(
            reason_for(Status::Undefined, None).as_deref(),
            Some("the prototype does not understand this step yet (no step definition matches it)")
        );
        assert_eq!(
            reason_for(Status::Ambiguous, None).as_deref(),
            Some(
                "this step is understood in more than one way (several step definitions match it)"
            )
        );
        assert_eq!(reason_for(Status::NotRun, None), None);
        assert_eq!(reason_for(Status::NotRun, Some("")), None);
        assert_eq!(
            reason_for(Status::NotRun, Some("the build failed")).as_deref(),
            Some("the build failed")
        );
        assert_eq!(
            reason_for(Status::Failed, Some("account is frozen")).as_deref(),
            Some("account is frozen")
        );
    }

    #[test]
    fn plain_failure_prefers_the_assertion_message() {
        assert_eq!(
            plain_failure(
                "assertion `left == right` failed: the fee should be 4 euros\n  left: 6\n right: 4"
            ),
            "the fee should be 4 euros (got 6)"
        );
    }

    #[test]
    fn plain_failure_without_a_message_names_both_values() {
        assert_eq!(
            plain_failure("assertion `left == right` failed\n  left: 6\n right: 4"),
            "expected 4 but got 6"
        );
    }

    #[test]
    fn plain_failure_of_assert_ne_names_the_value_to_avoid() {
        assert_eq!(
            plain_failure("assertion `left != right` failed\n  left: 4\n right: 4"),
            "expected a value other than 4"
        );
        assert_eq!(
            plain_failure(
                "assertion `left != right` failed: the code should change\n  left: 4\n right: 4"
            ),
            "the code should change"
        );
    }

    #[test]
    fn plain_failure_of_assert_and_panic() {
        assert_eq!(
            plain_failure("assertion failed: x > 3"),
            "this check did not hold: x > 3"
        );
        assert_eq!(
            plain_failure("account is frozen\nnote: run with `RUST_BACKTRACE=1`"),
            "account is frozen"
        );
        assert_eq!(plain_failure(""), "the step failed without a message");
    }

    #[test]
    fn new_counts_every_intent_that_did_not_pass_as_failed() {
        let (spec, _) = bank();
        let report = Report::new(
            &spec,
            &Sources {
                results: &mixed_results(),
                ..Sources::default()
            },
        );
        assert_eq!(
            report.summary,
            Summary {
                intents: 3,
                passed: 1,
                failed: 2,
                hollow: 0,
                not_run: 0,
                left_out: 0,
            }
        );
        assert!(!report.all_passed());
        assert_eq!(
            report.intents[1].name,
            "Withdraw 10 euros (amount 10, balance 90)"
        );
        assert_eq!(
            report.intents[1].reason.as_deref(),
            Some("the balance should be 90 euros (got 100)")
        );
        assert_eq!(report.intents[1].rule.as_deref(), Some("No overdraw"));

        let passed = vec![result(Status::Passed, None, None); 3];
        let report = Report::new(
            &spec,
            &Sources {
                results: &passed,
                ..Sources::default()
            },
        );
        assert_eq!(report.summary.failed, 0);
        assert!(report.all_passed());
    }

    #[test]
    fn listing_counts_intents_that_did_not_run() {
        let (spec, dir) = bank();
        let report = Report::listing(&spec, 0);
        assert_eq!(report.summary.passed, 0);
        assert!(report.intents.iter().all(|i| i.status == Status::NotRun));
        let text = anstream::adapter::strip_str(&scoreboard(&report, &spec)).to_string();
        assert!(
            text.contains(&format!("  · Deposit  {dir}/bank.feature:2\n")),
            "{text}"
        );
        assert!(text.ends_with("\n3 intents in 1 feature\n"), "{text}");
    }

    #[test]
    fn scoreboard_of_two_rounds() {
        let (spec, dir) = bank();
        let mut report = Report::new(
            &spec,
            &Sources {
                results: &mixed_results(),
                prototype: Some(Path::new("generated/bank")),
                duration_ms: 12_345,
                ..Sources::default()
            },
        );
        report.model = Some("openai/gpt-4.1-mini".to_owned());
        report.rounds = vec![
            round(Kind::Generate, Outcome::CompileError, 0, (1200, 800)),
            round(Kind::Repair, Outcome::Ran, 1, (1500, 600)),
        ];
        report.stopped = Some(Stop::Stalled);
        let text = anstream::adapter::strip_str(&scoreboard(&report, &spec))
            .to_string()
            .replace(&dir, "features");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn every_format_is_written_whole_readable_and_never_through_a_link() {
        use std::os::unix::fs::PermissionsExt as _;
        let report = html::tests::sample();
        let features = tempfile::tempdir().expect("a temp folder");
        std::fs::write(features.path().join("shop.feature"), html::tests::SHOP)
            .expect("write a fixture");
        let spec = crate::spec::parse(&[features.path().to_owned()]).expect("valid features");
        let dir = tempfile::tempdir().expect("a temp folder");
        let elsewhere = dir.path().join("elsewhere.txt");
        std::fs::write(&elsewhere, "keep me").expect("write a fixture");
        for format in [
            Format::Json,
            Format::Html,
            Format::Junit,
            Format::CucumberJson,
            Format::Markdown,
            Format::Messages,
        ] {
            let path = dir.path().join(format!("reports/{format:?}"));
            std::fs::create_dir_all(dir.path().join("reports")).expect("a folder");
            std::os::unix::fs::symlink(&elsewhere, &path).expect("a link");
            write(&report, &spec, format, &path).expect("written");
            let meta = std::fs::symlink_metadata(&path).expect("written");
            assert!(meta.is_file(), "{format:?} replaced the link with a file");
            assert_eq!(meta.permissions().mode() & 0o777, 0o644, "{format:?}");
            assert!(std::fs::read(&path).is_ok_and(|b| !b.is_empty()));
        }
        assert_eq!(
            std::fs::read_to_string(&elsewhere).expect("still there"),
            "keep me"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
            .expect("a folder")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".wow-report"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("reports/Json")).expect("written"),
        )
        .expect("valid JSON");
        assert_eq!(json["version"], VERSION);
        let error = write(&report, &spec, Format::Json, &elsewhere.join("no/such"))
            .expect_err("a file is not a folder");
        assert!(
            error.to_string().contains("elsewhere.txt/no/such"),
            "{error}"
        );
    }
}
