//! Repair stage: the loop of rounds.
//!
//! A round is one model call and the build and run that follow it. The first
//! round generates; each later one repairs, fed with what went wrong: rustc's
//! rendered errors, each failing scenario with its failing step and message,
//! refused files, or why the reply could not be used. The loop stops when
//! every intent passes, when the repair budget is spent, or when a round
//! repeats the previous round's failures; the best round's files are left on
//! disk. A failed round is a value ([`Round`]); only setup problems and a
//! model that never answered are errors.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::cargo;
use crate::extract;
use crate::llm::replay::{self, Exchange};
use crate::llm::{self, Finish, Llm};
use crate::progress::Progress;
use crate::prompt::{self, Prompt};
use crate::prototype::Prototype;
use crate::spec::Spec;
use crate::verdict::{self, Evaluation};
use crate::vocabulary::{
    Files, IntentResult, Rejected, Round, RoundKind as Kind, RoundOutcome as Outcome, Session,
    Status, Stop, plural,
};

/// Settings of the loop.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Model calls after the first.
    pub max_repairs: u32,
    pub limits: cargo::Limits,
    /// The number of the first round (1; `wow watch` goes on counting
    /// across saves).
    pub first_round: u32,
}

/// Where a run starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// From nothing: the model writes every file.
    Generate,
    /// From the current prototype's model-owned `files`: the model gets
    /// `changes` (which scenarios are new or changed; `touched`, their
    /// intent ids) and returns the files it updates.
    Edit {
        files: Files,
        changes: String,
        touched: Vec<String>,
    },
}

/// Why the loop could not go on at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Model(#[from] llm::Error),
    #[error(transparent)]
    Cargo(#[from] cargo::Error),
    #[error(transparent)]
    Verdict(#[from] verdict::Error),
    #[error(transparent)]
    Prototype(#[from] crate::prototype::Error),
    #[error(transparent)]
    History(#[from] crate::prototype::history::Error),
}

/// Runs rounds until every intent passes, the budget is spent or the model
/// stalls, starting from the model-owned files already in `prototype`
/// (empty for a new prototype).
pub fn run(
    spec: &Spec,
    prototype: &Prototype,
    target_dir: &Path,
    llm: &mut dyn Llm,
    progress: &Progress,
    options: Options,
    start: Start,
) -> Result<(Session, Vec<Exchange>), Error> {
    let model = llm.name();
    let hashes = spec.hashes();
    let (first, mut files, mut prompt) = first_round(spec, start);
    let mut rounds: Vec<Round> = Vec::new();
    let mut exchanges = Vec::new();
    let mut stop = Stop::BudgetSpent;
    // Intents the model disputed in any round: the product owner decides.
    let mut disputes: std::collections::BTreeMap<String, String> =
        std::collections::BTreeMap::new();
    let last = options.first_round.saturating_add(options.max_repairs);
    for number in options.first_round..=last {
        let kind = if number == options.first_round {
            first
        } else {
            Kind::Repair
        };
        let started = Instant::now();
        progress.phase(&format!(
            "round {number}: {} with {model}",
            match kind {
                Kind::Generate => "generating",
                Kind::Edit => "updating the prototype",
                Kind::Repair => "repairing",
            }
        ));
        let sent = prompt.with_crates(&prototype.crates);
        let reply = match llm.complete(&sent, progress) {
            Ok(reply) => reply,
            Err(error) if !rounds.is_empty() => {
                stop = Stop::ModelError(error.to_string());
                break;
            }
            Err(error) => return Err(error.into()),
        };
        exchanges.push(record(number, kind, &model, &hashes, &sent, &reply));
        let mut round = new_round(number, kind, &reply, files.clone());
        play(
            spec, prototype, target_dir, &reply, &mut round, progress, options,
        )?;
        disputes.extend(std::mem::take(&mut round.disputes));
        settle(spec, &rounds, &mut round, &disputes);
        round.duration_ms = crate::vocabulary::millis(started.elapsed());
        files.clone_from(&round.files);
        let repeated = rounds
            .last()
            .is_some_and(|previous| same_failures(previous, &round));
        let settled = settled(&round);
        prompt = next_prompt(spec, &round);
        if let Some(problems) = &round.problems {
            progress.detail(
                &format!("round {number}: what goes back to the model"),
                problems,
            );
        }
        rounds.push(round);
        if let Some(reason) = settled {
            stop = reason;
            break;
        }
        if repeated {
            stop = Stop::Stalled;
            break;
        }
    }
    let best = best_round(&rounds);
    if let Some(best) = best
        && best + 1 != rounds.len()
    {
        progress.phase(&format!(
            "keeping the files of round {}, the best",
            best + 1
        ));
        prototype.write_files(&rounds[best].files)?;
    }
    // A best round that did not compile has no results: its intents did
    // not run (an empty list would read as "nothing failed").
    let results = match best {
        Some(b) if rounds[b].outcome == Outcome::Ran => rounds[b].results.clone(),
        _ => spec
            .intents()
            .map(|i| i.not_run("no round produced a prototype that compiles"))
            .collect(),
    };
    let findings = best.map(|b| rounds[b].findings.clone()).unwrap_or_default();
    let unpinned = best.map(|b| rounds[b].unpinned.clone()).unwrap_or_default();
    let assumptions = rounds
        .iter()
        .rev()
        .find(|r| !r.assumptions.is_empty())
        .map(|r| r.assumptions.clone())
        .unwrap_or_default();
    let session = Session {
        model,
        rounds,
        best,
        stop,
        results,
        findings,
        unpinned,
        assumptions,
    };
    Ok((session, exchanges))
}

/// A round that has just had its reply, before anything is made of it.
fn new_round(number: u32, kind: Kind, reply: &llm::Reply, files: Files) -> Round {
    Round {
        number,
        kind,
        outcome: Outcome::Ran,
        passed: 0,
        hollow: 0,
        usage: reply.usage,
        model_ms: reply.duration_ms,
        cargo_ms: 0,
        vacuity_ms: 0,
        vacuity_unavailable: None,
        findings: Vec::new(),
        unpinned: Vec::new(),
        assumptions: Vec::new(),
        disputes: std::collections::BTreeMap::new(),
        duration_ms: 0,
        changed: Vec::new(),
        rejected: Vec::new(),
        problems: None,
        results: Vec::new(),
        files,
    }
}

/// The first round's kind, starting files and prompt. A generation starts
/// from nothing: files of an earlier prototype are not carried over unless
/// the reply sends them again.
fn first_round(spec: &Spec, start: Start) -> (Kind, Files, Prompt) {
    match start {
        Start::Generate => (Kind::Generate, Files::new(), prompt::generate(spec)),
        Start::Edit {
            files,
            changes,
            touched,
        } => {
            // The files the new and changed scenarios already run go whole,
            // the others as outlines; a step with no single definition yet
            // (a new one) sends every file whole.
            let results: Vec<IntentResult> = spec
                .intents()
                .map(|intent| {
                    let mut result = intent.not_run("");
                    if !touched.contains(&intent.id) {
                        result.status = Status::Passed;
                    }
                    result
                })
                .collect();
            let focus = crate::audit::outline::focus(spec, &files, &results);
            let list: Vec<(String, String)> = files
                .iter()
                .filter(|(p, _)| focus.whole.contains(*p))
                .map(|(p, c)| (p.clone(), c.clone()))
                .collect();
            let prompt = prompt::edit(spec, &changes, &list, &focus.outlines);
            (Kind::Edit, files, prompt)
        }
    }
}

/// The recording of one model call.
fn record(
    round: u32,
    kind: Kind,
    model: &str,
    features: &std::collections::BTreeMap<String, String>,
    prompt: &Prompt,
    reply: &llm::Reply,
) -> Exchange {
    Exchange {
        version: replay::VERSION,
        round,
        kind: kind.as_str().to_owned(),
        model: model.to_owned(),
        origin: "model".to_owned(),
        note: None,
        prompt_version: prompt::VERSION,
        features: features.clone(),
        prompt: prompt.clone(),
        reply: reply.clone(),
        recorded_at_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}

/// Applies one reply: extract, write, build, run. Fills in `round`.
fn play(
    spec: &Spec,
    prototype: &Prototype,
    target_dir: &Path,
    reply: &llm::Reply,
    round: &mut Round,
    progress: &Progress,
    options: Options,
) -> Result<(), Error> {
    if let Finish::Truncated { reason } = &reply.finish {
        round.outcome = Outcome::Truncated;
        round.problems = Some(format!(
            "Your reply was cut off by the token limit (`{reason}`) before it ended, so none of it was used. Send the files again, complete, and keep them short: fewer comments, no repeated code."
        ));
        return Ok(());
    }
    let extraction = extract::files(&reply.text);
    // Model text, shown on a terminal: no control characters.
    round.assumptions = extraction
        .assumptions
        .iter()
        .map(|a| cargo::sanitize(a))
        .collect();
    round.disputes = disputed(spec, &extraction.disputes);
    round.rejected.clone_from(&extraction.rejected);
    let mut problems = refusals(&extraction.rejected);
    if let Some(why) = extraction.why_empty() {
        round.outcome = Outcome::NoFiles;
        let _ = writeln!(problems, "- No file could be used: {why}.");
        round.problems = Some(problems);
        return Ok(());
    }
    for file in extraction.files {
        if round.files.get(&file.path) != Some(&file.content) {
            round.changed.push(file.path.clone());
            round.files.insert(file.path, file.content);
        }
    }
    let missing: Vec<&str> = ["src/lib.rs", "tests/steps.rs"]
        .into_iter()
        .filter(|p| !round.files.contains_key(*p))
        .collect();
    if !missing.is_empty() {
        round.outcome = Outcome::MissingFiles;
        let _ = writeln!(
            problems,
            "- The prototype cannot be built without {}: send {}.",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" and "),
            if missing.len() == 1 { "it" } else { "them" }
        );
        round.problems = Some(problems);
        return Ok(());
    }
    write_round(prototype, round)?;
    let label = format!("round {}: ", round.number);
    let evaluation = verdict::evaluate(
        spec,
        prototype,
        &round.files,
        target_dir,
        options.limits,
        progress,
        &label,
    )?;
    match evaluation {
        Evaluation::CompileErrors {
            diagnostics,
            cargo_ms,
        } => {
            round.cargo_ms = cargo_ms;
            round.outcome = Outcome::CompileError;
            let _ = writeln!(
                problems,
                "- The code does not compile ({}):\n",
                plural(diagnostics.len(), "error", "errors")
            );
            let mut budget = 12_000usize;
            for diagnostic in &diagnostics {
                if diagnostic.rendered.len() > budget {
                    let _ = writeln!(problems, "(further errors left out)");
                    break;
                }
                budget -= diagnostic.rendered.len();
                let _ = writeln!(problems, "```text\n{}\n```", diagnostic.rendered.trim_end());
            }
            round.problems = Some(problems);
        }
        Evaluation::Ran(verdicts) => {
            round.cargo_ms = verdicts.cargo_ms;
            round.vacuity_ms = verdicts.honesty_ms;
            round.vacuity_unavailable = verdicts.unavailable;
            round.findings = verdicts.findings;
            round.unpinned = verdicts.unpinned;
            round.results = verdicts.results;
            tally(spec, round, problems);
        }
    }
    Ok(())
}

/// One line per refused file, for the next prompt.
fn refusals(rejected: &[Rejected]) -> String {
    let mut lines = String::new();
    for rejected in rejected.iter().filter(|r| r.path != "(no path)") {
        let _ = writeln!(
            lines,
            "- The file `{}` was refused: {}.",
            rejected.path, rejected.reason
        );
    }
    lines
}

/// Counts the round's verified and hollow intents and describes every
/// intent that did not pass, after the `problems` found before the build.
fn tally(spec: &Spec, round: &mut Round, mut problems: String) {
    let count = |status| round.results.iter().filter(|r| r.status == status).count();
    round.passed = count(Status::Passed);
    round.hollow = count(Status::Hollow);
    for (intent, result) in spec.intents().zip(&round.results) {
        // Disputed intents are listed too, so the model keeps its word on
        // them, but told to be left as they are.
        if result.status != Status::Passed {
            let _ = writeln!(problems, "{}", describe_failure(intent, result));
        }
    }
    if !problems.is_empty() {
        round.problems = Some(format!(
            "{} of {} pass. These do not:\n\n{problems}",
            round.passed,
            plural(round.results.len(), "intent", "intents")
        ));
    }
}

/// Why the loop stops after `round` because nothing is left to repair:
/// every intent passes, or passes but for those the model disputes.
fn settled(round: &Round) -> Option<Stop> {
    let done = round.outcome == Outcome::Ran
        && round
            .results
            .iter()
            .all(|r| matches!(r.status, Status::Passed | Status::Disputed));
    let disputed = round.results.iter().any(|r| r.status == Status::Disputed);
    done.then_some(if disputed {
        Stop::Disputed
    } else {
        Stop::AllPassed
    })
}

/// The intents of `spec` each bullet of a reply's "Disputes" names (by
/// `path:line`, else by the scenario's name), with the bullet as the
/// model's reasoning; bullets that name no intent are left out.
fn disputed(spec: &Spec, bullets: &[String]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for bullet in bullets {
        let bullet = cargo::sanitize(bullet);
        // As the prompt names it (`features/<path>:<line>`), or by its id.
        let by_id: Vec<&str> = spec
            .intents()
            .filter(|i| {
                bullet.contains(&format!("features/{}:{}", i.file, i.line))
                    || bullet.contains(i.id.as_str())
            })
            .map(|i| i.id.as_str())
            .collect();
        let named: Vec<&str> = if by_id.is_empty() {
            spec.intents()
                .filter(|i| !i.name.is_empty() && bullet.contains(i.name.as_str()))
                .map(|i| i.id.as_str())
                .collect()
        } else {
            by_id
        };
        for id in named {
            out.insert(id.to_owned(), bullet.trim().to_owned());
        }
    }
    out
}

/// Applies the `disputes` of the run to `round`: a reply that only
/// disputes is an answer, with the files and results of the last round
/// that ran; a disputed intent that does not pass is `disputed`, not sent
/// back for repair.
fn settle(
    spec: &Spec,
    rounds: &[Round],
    round: &mut Round,
    disputes: &std::collections::BTreeMap<String, String>,
) {
    if disputes.is_empty() {
        return;
    }
    if round.outcome == Outcome::NoFiles
        && let Some(previous) = rounds.iter().rev().find(|r| r.outcome == Outcome::Ran)
    {
        round.outcome = Outcome::Ran;
        round.results.clone_from(&previous.results);
        round.findings.clone_from(&previous.findings);
        round.unpinned.clone_from(&previous.unpinned);
    }
    if round.outcome != Outcome::Ran {
        return;
    }
    for result in &mut round.results {
        if result.status != Status::Passed
            && let Some(reason) = disputes.get(&result.id)
        {
            result.status = Status::Disputed;
            result.message = Some(reason.clone());
            result.pinned_by.clear();
        }
    }
    round.problems = None;
    tally(spec, round, refusals(&round.rejected));
}

/// Writes the round's files and keeps a copy in the history.
fn write_round(prototype: &Prototype, round: &Round) -> Result<(), Error> {
    prototype.write_files(&round.files)?;
    crate::prototype::history::save_round(prototype, round.number, &round.files)?;
    Ok(())
}

fn describe_failure(intent: &crate::spec::Intent, result: &IntentResult) -> String {
    let mut text = format!("- Scenario \"{}\" ({}):", intent.name, intent.id);
    if let Some(example) = &intent.example {
        let values: Vec<String> = example
            .values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let _ = write!(text, " example {},", values.join(", "));
    }
    let message = result.message.as_deref().unwrap_or_default();
    let step = result.failed_step.as_deref().unwrap_or_default();
    let _ = match result.status {
        Status::Undefined => write!(
            text,
            " no step definition matches the step `{step}`; add one."
        ),
        Status::Ambiguous => write!(
            text,
            " more than one step definition matches `{step}`; keep one.\n  {message}"
        ),
        Status::Failed => write!(
            text,
            " the step `{step}` failed:\n  {}",
            message.replace('\n', "\n  ")
        ),
        Status::Disputed => write!(
            text,
            " you disputed it: {message}. The product owner decides; leave it as it is."
        ),
        Status::Unverified => write!(
            text,
            " passes, but could not be checked: {message}. Keep the prototype and the steps to plain, deterministic Rust."
        ),
        Status::Hollow => write!(
            text,
            " passes, but would pass without the prototype doing anything: {message}. Make the `Given` and `When` steps call the prototype and the `Then` steps assert on what it returned, and put the behaviour in the prototype."
        ),
        Status::NotRun | Status::Passed | Status::LeftOut => {
            write!(text, " did not run: {message}")
        }
    };
    text
}

/// The prompt for the round after `round`.
/// The repair prompt after `round`. After a round that ran, only the files
/// the failing intents run go whole, the others as outlines
/// ([`crate::audit::outline::focus`]); after a compile error, every file
/// goes whole (an error may be anywhere).
fn next_prompt(spec: &Spec, round: &Round) -> Prompt {
    let focus = if round.outcome == Outcome::Ran && round.results.len() == spec.intents().count() {
        crate::audit::outline::focus(spec, &round.files, &round.results)
    } else {
        crate::audit::outline::Focus {
            whole: round.files.keys().cloned().collect(),
            outlines: Vec::new(),
        }
    };
    let files: Vec<(String, String)> = round
        .files
        .iter()
        .filter(|(p, _)| focus.whole.contains(*p))
        .map(|(p, c)| (p.clone(), c.clone()))
        .collect();
    prompt::repair(
        spec,
        round.number,
        round.problems.as_deref().unwrap_or_default(),
        &files,
        &focus.outlines,
    )
}

/// Whether `round` failed exactly as `previous` did: same outcome, and for
/// compile errors or runs the same problems.
fn same_failures(previous: &Round, round: &Round) -> bool {
    previous.outcome == round.outcome
        && previous.problems == round.problems
        && previous.passed == round.passed
}

/// The round to keep: most intents passing, a build that ran over one that
/// did not, and the later round on a tie.
fn best_round(rounds: &[Round]) -> Option<usize> {
    rounds
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.outcome, Outcome::Ran | Outcome::CompileError))
        .max_by_key(|(i, r)| (r.outcome == Outcome::Ran, r.passed, *i))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::StepStatus;

    const SHOP: &str = "\
Feature: Shop
  Scenario: Paying
    Given a cart with 2 items
    When I pay
    Then I owe 4 euros

  Scenario: Refunding
    Given a paid cart
    When I ask for a refund
    Then I owe 0 euros
";

    fn spec() -> Spec {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("shop.feature");
        std::fs::write(&path, SHOP).expect("write the feature");
        crate::spec::parse(&[path]).expect("the feature parses")
    }

    fn reply() -> llm::Reply {
        llm::Reply {
            text: String::new(),
            usage: None,
            finish: Finish::Complete,
            duration_ms: 0,
        }
    }

    fn round(number: u32, outcome: Outcome, passed: usize, problems: &str) -> Round {
        let mut round = new_round(number, Kind::Repair, &reply(), Files::new());
        round.outcome = outcome;
        round.passed = passed;
        round.problems = (!problems.is_empty()).then(|| problems.to_owned());
        round
    }

    fn result(intent: &crate::spec::Intent, status: Status, message: &str) -> IntentResult {
        IntentResult {
            id: intent.id.clone(),
            status,
            failed_step: (status != Status::Passed).then(|| "Then I owe 4 euros".to_owned()),
            failed_step_line: None,
            message: (!message.is_empty()).then(|| message.to_owned()),
            step_definition: None,
            steps: vec![StepStatus::Passed; intent.steps.len()],
            pinned_by: Vec::new(),
        }
    }

    #[test]
    fn a_reply_that_only_disputes_is_an_answer_and_the_disputed_intent_goes_to_the_product_owner() {
        let spec = spec();
        let intents: Vec<_> = spec.intents().collect();
        let mut ran = round(1, Outcome::Ran, 1, "x");
        ran.results = vec![
            result(intents[0], Status::Failed, "expected 4 but got 2"),
            result(intents[1], Status::Passed, ""),
        ];
        let bullets = vec![format!(
            "{}: 2 items at 1 euro make 2 euros, not 4. Suggested change: `Then I owe 2 euros`",
            intents[0].id
        )];
        let disputes = disputed(&spec, &bullets);
        assert_eq!(disputes.len(), 1);
        let mut only_disputes = round(2, Outcome::NoFiles, 0, "No file could be used");
        settle(&spec, &[ran], &mut only_disputes, &disputes);
        assert_eq!(only_disputes.outcome, Outcome::Ran, "not `no usable file`");
        assert_eq!(only_disputes.results[0].status, Status::Disputed);
        assert!(
            only_disputes.results[0]
                .message
                .as_deref()
                .is_some_and(|m| m.contains("not 4"))
        );
        assert_eq!(only_disputes.passed, 1);
        assert!(
            only_disputes
                .problems
                .as_deref()
                .is_some_and(|p| p.contains("you disputed it") && p.contains("leave it as it is")),
            "the model is reminded of its dispute, not asked to repair it"
        );
        assert_eq!(settled(&only_disputes), Some(Stop::Disputed));
        // By name too, and a bullet naming no scenario disputes nothing.
        let by_name = disputed(
            &spec,
            &[
                "\"Refunding\" cannot be right".to_owned(),
                "nothing here".to_owned(),
            ],
        );
        assert_eq!(by_name.keys().collect::<Vec<_>>(), [&intents[1].id]);
    }

    #[test]
    fn the_best_round_has_the_most_intents_passing_and_the_later_wins_a_tie() {
        let rounds = [
            round(1, Outcome::Ran, 1, "x"),
            round(2, Outcome::Ran, 2, "y"),
            round(3, Outcome::Ran, 1, "z"),
        ];
        assert_eq!(best_round(&rounds), Some(1));
        let tie = [
            round(1, Outcome::Ran, 1, "x"),
            round(2, Outcome::Ran, 1, "y"),
        ];
        assert_eq!(best_round(&tie), Some(1));
    }

    #[test]
    fn a_round_that_ran_beats_one_that_did_not_compile_and_unusable_replies_never_count() {
        let rounds = [
            round(1, Outcome::Ran, 0, "x"),
            round(2, Outcome::CompileError, 0, "y"),
            round(3, Outcome::NoFiles, 0, "z"),
        ];
        assert_eq!(best_round(&rounds), Some(0));
        let none = [
            round(1, Outcome::NoFiles, 0, "x"),
            round(2, Outcome::Truncated, 0, "y"),
            round(3, Outcome::MissingFiles, 0, "z"),
        ];
        assert_eq!(best_round(&none), None);
        let compiled_never = [
            round(1, Outcome::NoFiles, 0, "x"),
            round(2, Outcome::CompileError, 0, "y"),
        ];
        assert_eq!(best_round(&compiled_never), Some(1));
    }

    #[test]
    fn the_loop_stalls_only_when_a_round_repeats_the_same_failures() {
        let first = round(1, Outcome::Ran, 1, "1 of 2 pass: Refunding fails");
        assert!(same_failures(
            &first,
            &round(2, Outcome::Ran, 1, "1 of 2 pass: Refunding fails")
        ));
        assert!(!same_failures(
            &first,
            &round(2, Outcome::Ran, 1, "1 of 2 pass: Paying fails")
        ));
        assert!(!same_failures(
            &first,
            &round(2, Outcome::Ran, 2, "1 of 2 pass: Refunding fails")
        ));
        assert!(!same_failures(
            &first,
            &round(2, Outcome::CompileError, 1, "1 of 2 pass: Refunding fails")
        ));
    }

    #[test]
    fn the_tally_counts_verified_and_hollow_intents_and_tells_every_failure() {
        let spec = spec();
        let intents: Vec<_> = spec.intents().collect();
        let mut round = round(1, Outcome::Ran, 0, "");
        round.results = vec![
            result(
                intents[0],
                Status::Failed,
                "assertion `left == right` failed\n  left: 6\n right: 4",
            ),
            result(
                intents[1],
                Status::Hollow,
                "the steps compute the answer themselves",
            ),
        ];
        tally(&spec, &mut round, String::new());
        assert_eq!((round.passed, round.hollow), (0, 1));
        let problems = round.problems.expect("failures are told");
        assert!(problems.starts_with("0 of 2 intents pass"), "{problems}");
        assert!(
            problems.contains("\"Paying\"") && problems.contains("left: 6"),
            "{problems}"
        );
        assert!(
            problems.contains("\"Refunding\"")
                && problems.contains("would pass without the prototype"),
            "{problems}"
        );
    }

    #[test]
    fn a_round_where_everything_passes_has_no_problems_to_send_back() {
        let spec = spec();
        let mut round = round(1, Outcome::Ran, 0, "");
        round.results = spec
            .intents()
            .map(|i| result(i, Status::Passed, ""))
            .collect();
        tally(&spec, &mut round, String::new());
        assert_eq!(round.passed, 2);
        assert_eq!(round.problems, None);
    }

    #[test]
    fn refused_files_are_told_to_the_model_but_a_block_without_a_path_is_not() {
        let lines = refusals(&[
            Rejected {
                path: "Cargo.toml".to_owned(),
                reason: "wow writes the manifest".to_owned(),
            },
            Rejected {
                path: "(no path)".to_owned(),
                reason: "no path".to_owned(),
            },
        ]);
        assert_eq!(
            lines,
            "- The file `Cargo.toml` was refused: wow writes the manifest.\n"
        );
    }

    #[test]
    fn an_edit_starts_from_the_current_files_and_a_generation_from_none() {
        let spec = spec();
        let files: Files = [("src/lib.rs".to_owned(), "pub fn pay() {}".to_owned())].into();
        let (kind, kept, _) = first_round(
            &spec,
            Start::Edit {
                files: files.clone(),
                changes: "+ new: Refunding".to_owned(),
                touched: Vec::new(),
            },
        );
        assert_eq!((kind, kept), (Kind::Edit, files));
        let (kind, kept, _) = first_round(&spec, Start::Generate);
        assert_eq!((kind, kept), (Kind::Generate, Files::new()));
    }

    #[test]
    fn an_edit_sends_whole_only_what_the_changed_scenarios_run() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = crate::spec::parse(&[root.join("features")]).expect("the bundled features");
        let files = crate::prototype::Prototype::new(root.join("generated/features"))
            .read_files()
            .expect("the bundled prototype");
        let changed = spec
            .intents()
            .find(|i| i.id.contains("banking"))
            .expect("a banking scenario");
        let (_, _, prompt) = first_round(
            &spec,
            Start::Edit {
                files,
                changes: format!("- ~ changed: {}", changed.id),
                touched: vec![changed.id.clone()],
            },
        );
        let user = &prompt.user;
        let outlined = user
            .find("## Other files, outlined")
            .expect("the other files are outlined");
        let at = |path: &str| {
            user.find(&format!("### {path}\n"))
                .unwrap_or_else(|| panic!("{path} missing"))
        };
        for whole in ["src/banking.rs", "tests/steps/banking.rs", "src/lib.rs"] {
            assert!(at(whole) < outlined, "{whole} goes whole");
        }
        for other in ["src/library_loans.rs", "tests/steps/reservation.rs"] {
            assert!(at(other) > outlined, "{other} goes as its outline");
        }
    }
}
