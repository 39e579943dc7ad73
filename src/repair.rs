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
use crate::shard::{Layout, Shard};
use crate::spec::Spec;
use crate::verdict::{self, Evaluation};
use crate::vocabulary::{
    Files, IntentResult, Rejected, Round, RoundKind as Kind, RoundOutcome as Outcome, Session,
    Status, Stop, plural,
};

/// Settings of the loop.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Repair rounds after the first.
    pub max_repairs: u32,
    pub limits: cargo::Limits,
    /// The number of the first round (1; `wow watch` goes on counting
    /// across saves).
    pub first_round: u32,
    /// Model calls that may run at once (the shards of a round).
    pub jobs: usize,
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
///
/// A sharded prototype ([`crate::shard`], the layout `prototype` keeps)
/// gets one model call per shard in a round, up to `options.jobs` at once;
/// after the first round only the shards with problems get a call, with
/// their own files and failures. A round is still one build and one run.
pub fn run(
    spec: &Spec,
    prototype: &Prototype,
    target_dir: &Path,
    llm: &dyn Llm,
    progress: &Progress,
    options: Options,
    start: Start,
) -> Result<(Session, Vec<Exchange>), Error> {
    let model = llm.name();
    let hashes = spec.hashes();
    let layout = prototype.layout();
    let parts = parts(&layout);
    let (first, mut files, mut calls) = first_round(spec, &layout, &parts, start);
    let mut rounds: Vec<Round> = Vec::new();
    let mut exchanges = Vec::new();
    let mut stop = Stop::BudgetSpent;
    // Intents the model disputed in any round: the product owner decides.
    let mut disputes: std::collections::BTreeMap<String, String> =
        std::collections::BTreeMap::new();
    // The latest assumptions of each part: a part not called in a round
    // keeps its word.
    let mut assumptions: Vec<Vec<String>> = vec![Vec::new(); parts.len()];
    let last = options.first_round.saturating_add(options.max_repairs);
    for number in options.first_round..=last {
        let kind = if number == options.first_round {
            first
        } else {
            Kind::Repair
        };
        let started = Instant::now();
        progress.phase(&phase(number, kind, &model, &parts, &calls));
        let sent: Vec<Prompt> = calls
            .iter()
            .map(|c| c.prompt.with_crates(&prototype.crates))
            .collect();
        // A call that failed after its retries fails the round: the
        // others' replies are not recorded as answered.
        let replies = match complete_all(llm, &sent, options.jobs, progress)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(replies) => replies,
            Err(error) if rounds.is_empty() => return Err(error.into()),
            Err(error) => {
                stop = Stop::ModelError(error.to_string());
                break;
            }
        };
        for (prompt, reply) in sent.iter().zip(&replies) {
            exchanges.push(record(number, kind, &model, &hashes, prompt, reply));
        }
        let answered: Vec<(usize, &llm::Reply)> =
            calls.iter().map(|c| c.part).zip(&replies).collect();
        let mut round = new_round(number, kind, &replies, files.clone());
        round.shards = calls
            .iter()
            .filter_map(|c| parts[c.part].as_ref().map(|s| s.module.clone()))
            .collect();
        let mut problems = play(
            spec,
            &layout,
            &parts,
            prototype,
            target_dir,
            &answered,
            &mut round,
            progress,
            options,
            &mut assumptions,
        )?;
        round.assumptions = assumptions.concat();
        disputes.extend(std::mem::take(&mut round.disputes));
        settle(spec, &parts, &rounds, &mut round, &disputes, &mut problems);
        round.duration_ms = crate::vocabulary::millis(started.elapsed());
        files.clone_from(&round.files);
        let repeated = rounds
            .last()
            .is_some_and(|previous| same_failures(previous, &round));
        let settled = settled(&round);
        calls = next_calls(spec, &layout, &parts, &round, &problems);
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
        if repeated || calls.is_empty() {
            stop = Stop::Stalled;
            break;
        }
    }
    if !layout.is_single() {
        progress.phase(&format!(
            "{} in {}",
            plural(exchanges.len(), "model call", "model calls"),
            plural(rounds.len(), "round", "rounds")
        ));
    }
    let session = conclude(spec, prototype, progress, model, rounds, stop)?;
    Ok((session, exchanges))
}

/// The session of `rounds`: the best round's files left on disk, its
/// results, findings and the last assumptions.
fn conclude(
    spec: &Spec,
    prototype: &Prototype,
    progress: &Progress,
    model: String,
    rounds: Vec<Round>,
    stop: Stop,
) -> Result<Session, Error> {
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
    Ok(session)
}

/// A round that has just had its replies, before anything is made of
/// them: their tokens summed (unknown if any call's are), the model's
/// time that of the longest call (they ran at once).
fn new_round(number: u32, kind: Kind, replies: &[llm::Reply], files: Files) -> Round {
    let usage = replies
        .iter()
        .map(|r| r.usage)
        .sum::<Option<crate::vocabulary::Usage>>();
    Round {
        number,
        kind,
        outcome: Outcome::Ran,
        passed: 0,
        hollow: 0,
        usage,
        shards: Vec::new(),
        model_ms: replies.iter().map(|r| r.duration_ms).max().unwrap_or(0),
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

/// A part of the prototype the model writes in one call: a shard of a
/// sharded prototype, or (`None`) the whole prototype.
type Part = Option<Shard>;

/// The parts of a prototype of `layout`, in order.
fn parts(layout: &Layout) -> Vec<Part> {
    if layout.is_single() {
        vec![None]
    } else {
        layout.shards.iter().cloned().map(Some).collect()
    }
}

/// Whether `path` is one of `part`'s files.
fn owns(part: &Part, path: &str) -> bool {
    part.as_ref().is_none_or(|shard| shard.owns(path))
}

/// Whether `part` runs `intent`.
fn runs(part: &Part, intent: &crate::spec::Intent) -> bool {
    part.as_ref()
        .is_none_or(|s| s.features.contains(&intent.file))
}

/// The spec a part is prompted with: its features alone.
fn spec_of(spec: &Spec, part: &Part) -> Spec {
    match part {
        None => spec.clone(),
        Some(shard) => spec.only(&shard.features),
    }
}

/// `prompt` for `part`: the shard's contract, or as it is.
fn for_part(prompt: Prompt, part: &Part) -> Prompt {
    match part {
        None => prompt,
        Some(shard) => prompt.for_shard(shard),
    }
}

/// One model call of a round: the index of the part it writes, and its
/// prompt.
#[derive(Debug, Clone)]
struct Call {
    part: usize,
    prompt: Prompt,
}

/// The progress line of round `number` while the model writes: the
/// shards called, for a sharded prototype.
fn phase(number: u32, kind: Kind, model: &str, parts: &[Part], calls: &[Call]) -> String {
    let doing = match kind {
        Kind::Generate => "generating",
        Kind::Edit => "updating the prototype",
        Kind::Repair => "repairing",
    };
    let names: Vec<&str> = calls
        .iter()
        .filter_map(|c| parts[c.part].as_ref().map(|s| s.module.as_str()))
        .collect();
    if names.is_empty() {
        format!("round {number}: {doing} with {model}")
    } else {
        let doing = doing.trim_end_matches(" the prototype");
        format!(
            "round {number}: {doing} {} with {model} ({})",
            plural(calls.len(), "shard", "shards"),
            names.join(", ")
        )
    }
}

/// Sends `prompts`, up to `jobs` at once, each on its own share of the
/// progress line; the replies in the order of `prompts`.
fn complete_all(
    llm: &dyn Llm,
    prompts: &[Prompt],
    jobs: usize,
    progress: &Progress,
) -> Vec<Result<llm::Reply, llm::Error>> {
    match prompts {
        [] => return Vec::new(),
        [prompt] => return vec![llm.complete(prompt, progress)],
        _ => {}
    }
    let reporters = progress.calls(prompts.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let replies: Vec<std::sync::Mutex<Option<Result<llm::Reply, llm::Error>>>> = prompts
        .iter()
        .map(|_| std::sync::Mutex::default())
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, prompts.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(prompt) = prompts.get(i) else {
                        break;
                    };
                    let reply = llm.complete(prompt, &reporters[i]);
                    *replies[i]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reply);
                }
            });
        }
    });
    replies
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .expect("every call has its reply: a call that panics ends the scope")
        })
        .collect()
}

/// Files as a prompt lists them: `(path, text)`.
type Listed = Vec<(String, String)>;

/// The files of `part` a prompt sends whole, and its outlined ones, by
/// `focus`.
fn focused(part: &Part, files: &Files, focus: &crate::audit::outline::Focus) -> (Listed, Listed) {
    let whole = files
        .iter()
        .filter(|(p, _)| owns(part, p) && focus.whole.contains(*p))
        .map(|(p, c)| (p.clone(), c.clone()))
        .collect();
    let outlines = focus
        .outlines
        .iter()
        .filter(|(p, _)| owns(part, p))
        .cloned()
        .collect();
    (whole, outlines)
}

/// The first round's kind, starting files and calls. A generation starts
/// from nothing: files of an earlier prototype are not carried over unless
/// the reply sends them again; every part gets a call. An edit calls the
/// parts that run a new or changed scenario (a new shard generates), and
/// drops the files of shards whose features are gone.
fn first_round(
    spec: &Spec,
    layout: &Layout,
    parts: &[Part],
    start: Start,
) -> (Kind, Files, Vec<Call>) {
    match start {
        Start::Generate => {
            let calls = parts
                .iter()
                .enumerate()
                .map(|(part, p)| Call {
                    part,
                    prompt: for_part(prompt::generate(&spec_of(spec, p)), p),
                })
                .collect();
            (Kind::Generate, Files::new(), calls)
        }
        Start::Edit {
            mut files,
            changes,
            touched,
        } => {
            if !layout.is_single() {
                files.retain(|path, _| layout.of_file(path).is_some());
            }
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
            let focus = crate::audit::outline::focus(spec, &files, &results, layout);
            let mut calls = Vec::new();
            for (index, part) in parts.iter().enumerate() {
                let has_files = files.keys().any(|p| owns(part, p));
                let prompt = if part.is_some() && !has_files {
                    prompt::generate(&spec_of(spec, part))
                } else if spec
                    .intents()
                    .any(|i| runs(part, i) && touched.contains(&i.id))
                    || part.is_none()
                {
                    let (list, outlines) = focused(part, &files, &focus);
                    prompt::edit(&spec_of(spec, part), &changes, &list, &outlines)
                } else {
                    continue;
                };
                calls.push(Call {
                    part: index,
                    prompt: for_part(prompt, part),
                });
            }
            (Kind::Edit, files, calls)
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

/// Applies a round's replies (each with the index of the part it wrote):
/// extract, keep each part's own files, write, build, run. Fills in
/// `round` (its `problems` the parts' problems together) and returns each
/// part's problems, for its next prompt (empty: none).
#[allow(clippy::too_many_arguments)]
fn play(
    spec: &Spec,
    layout: &Layout,
    parts: &[Part],
    prototype: &Prototype,
    target_dir: &Path,
    answered: &[(usize, &llm::Reply)],
    round: &mut Round,
    progress: &Progress,
    options: Options,
    assumptions: &mut [Vec<String>],
) -> Result<Vec<String>, Error> {
    let mut problems = vec![String::new(); parts.len()];
    let unusable = take_replies(spec, parts, answered, round, &mut problems, assumptions);
    round.files.extend(layout.joined());
    let mut missing_any = false;
    for (index, part) in parts.iter().enumerate() {
        let required: Vec<[String; 2]> = match part {
            None => vec![
                ["src/lib.rs".to_owned(), "src/lib.rs".to_owned()],
                ["tests/steps.rs".to_owned(), "tests/steps.rs".to_owned()],
            ],
            Some(shard) => Layout::required(shard).to_vec(),
        };
        let missing: Vec<&str> = required
            .iter()
            .filter(|either| !either.iter().any(|p| round.files.contains_key(p)))
            .map(|either| either[0].as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        missing_any = true;
        let _ = writeln!(
            problems[index],
            "- The prototype cannot be built without {}: send {}.",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" and "),
            if missing.len() == 1 { "it" } else { "them" }
        );
    }
    if missing_any {
        round.outcome = unusable.unwrap_or(Outcome::MissingFiles);
        round.problems = joined(parts, &problems);
        return Ok(problems);
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
            compile_problems(parts, &diagnostics, &mut problems);
            round.problems = joined(parts, &problems);
        }
        Evaluation::Ran(verdicts) => {
            round.cargo_ms = verdicts.cargo_ms;
            round.vacuity_ms = verdicts.honesty_ms;
            round.vacuity_unavailable = verdicts.unavailable;
            round.findings = verdicts.findings;
            round.unpinned = verdicts.unpinned;
            round.results = verdicts.results;
            tally(spec, parts, round, &mut problems);
        }
    }
    Ok(problems)
}

/// Takes each part's files from its reply into `round` (a file outside
/// the part is refused), with its assumptions and disputes; returns the
/// outcome of a reply that could not be used at all, if any.
fn take_replies(
    spec: &Spec,
    parts: &[Part],
    answered: &[(usize, &llm::Reply)],
    round: &mut Round,
    problems: &mut [String],
    assumptions: &mut [Vec<String>],
) -> Option<Outcome> {
    // The outcome of a part whose reply could not be used at all.
    let mut unusable: Option<Outcome> = None;
    for &(index, reply) in answered {
        let part = &parts[index];
        if let Finish::Truncated { reason } = &reply.finish {
            unusable = unusable.or(Some(Outcome::Truncated));
            let _ = writeln!(
                problems[index],
                "- Your reply was cut off by the token limit (`{reason}`) before it ended, so none of it was used. Send the files again, complete, and keep them short: fewer comments, no repeated code."
            );
            continue;
        }
        let extraction = extract::files(&reply.text);
        // Model text, shown on a terminal: no control characters.
        assumptions[index] = extraction
            .assumptions
            .iter()
            .map(|a| cargo::sanitize(a))
            .collect();
        round.disputes.extend(disputed(spec, &extraction.disputes));
        let why_empty = extraction.why_empty();
        let mut rejected = extraction.rejected.clone();
        let mut kept = Vec::new();
        for file in extraction.files {
            if owns(part, &file.path) {
                kept.push(file);
            } else if let Some(shard) = part {
                rejected.push(Rejected {
                    path: file.path,
                    reason: format!(
                        "this part writes only `src/{0}.rs`, `src/{0}/…`, `tests/steps/{0}.rs` and `tests/steps/{0}/…`",
                        shard.module
                    ),
                });
            }
        }
        problems[index].push_str(&refusals(&rejected));
        round.rejected.extend(rejected);
        if kept.is_empty() {
            let why = why_empty.unwrap_or_else(|| {
                "every file it sent belongs to the tool or to another part".to_owned()
            });
            unusable = unusable.or(Some(Outcome::NoFiles));
            let _ = writeln!(problems[index], "- No file could be used: {why}.");
            continue;
        }
        for file in kept {
            if round.files.get(&file.path) != Some(&file.content) {
                round.changed.push(file.path.clone());
                round.files.insert(file.path, file.content);
            }
        }
    }
    unusable
}

/// rustc's errors, each in the problems of the part whose file it points
/// at; one in a file of the tool's (the harness naming `steps::<m>::World`,
/// `src/lib.rs` declaring a missing module) in the problems of the one
/// shard it names, else in every part's.
fn compile_problems(parts: &[Part], diagnostics: &[cargo::Diagnostic], problems: &mut [String]) {
    let owner = |d: &cargo::Diagnostic| {
        if let Some(file) = d.file.as_deref()
            && let Some(part) = parts.iter().position(|p| p.is_some() && owns(p, file))
        {
            return Some(part);
        }
        let named: Vec<usize> = parts
            .iter()
            .enumerate()
            .filter_map(|(index, part)| {
                let m = &part.as_ref()?.module;
                [
                    format!("steps::{m}::"),
                    format!("`{m}`"),
                    format!("src/{m}.rs"),
                    format!("tests/steps/{m}.rs"),
                ]
                .iter()
                .any(|mention| d.rendered.contains(mention.as_str()))
                .then_some(index)
            })
            .collect();
        match named.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };
    for (index, part_problems) in problems.iter_mut().enumerate() {
        let mine: Vec<&cargo::Diagnostic> = diagnostics
            .iter()
            .filter(|d| owner(d).is_none_or(|o| o == index))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(
            part_problems,
            "- The code does not compile ({}):\n",
            plural(mine.len(), "error", "errors")
        );
        let mut budget = 12_000usize;
        for diagnostic in mine {
            if diagnostic.rendered.len() > budget {
                let _ = writeln!(part_problems, "(further errors left out)");
                break;
            }
            budget -= diagnostic.rendered.len();
            let _ = writeln!(
                part_problems,
                "```text\n{}\n```",
                diagnostic.rendered.trim_end()
            );
        }
    }
}

/// The parts' problems as one text: a single part's as they are, a
/// sharded prototype's under a heading per shard; `None` when there are
/// none.
fn joined(parts: &[Part], problems: &[String]) -> Option<String> {
    let mut text = String::new();
    for (part, problem) in parts.iter().zip(problems) {
        if problem.is_empty() {
            continue;
        }
        match part {
            None => text.push_str(problem),
            Some(shard) => {
                let _ = write!(text, "### Shard `{}`\n\n{problem}\n", shard.module);
            }
        }
    }
    (!text.is_empty()).then_some(text)
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

/// Counts the round's verified and hollow intents and describes, in the
/// problems of the part that runs it, every intent that did not pass,
/// after the problems found before the build.
fn tally(spec: &Spec, parts: &[Part], round: &mut Round, problems: &mut [String]) {
    let count = |status| round.results.iter().filter(|r| r.status == status).count();
    round.passed = count(Status::Passed);
    round.hollow = count(Status::Hollow);
    for (index, part) in parts.iter().enumerate() {
        let mut failures = String::new();
        let (mut passed, mut total) = (0, 0);
        for (intent, result) in spec.intents().zip(&round.results) {
            if !runs(part, intent) {
                continue;
            }
            total += 1;
            // Disputed intents are listed too, so the model keeps its word
            // on them, but told to be left as they are.
            if result.status == Status::Passed {
                passed += 1;
            } else {
                let _ = writeln!(failures, "{}", describe_failure(intent, result));
            }
        }
        let before = std::mem::take(&mut problems[index]);
        let all = before + &failures;
        if !all.is_empty() {
            problems[index] = format!(
                "{passed} of {} pass. These do not:\n\n{all}",
                plural(total, "intent", "intents")
            );
        }
    }
    round.problems = joined(parts, problems);
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
    parts: &[Part],
    rounds: &[Round],
    round: &mut Round,
    disputes: &std::collections::BTreeMap<String, String>,
    problems: &mut [String],
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
    // The refusals stay; the failures are told again, disputes as such.
    let refused = refusals(&round.rejected);
    for (index, part) in parts.iter().enumerate() {
        problems[index] = if round.rejected.iter().any(|r| owns(part, &r.path)) {
            refused.clone()
        } else {
            String::new()
        };
    }
    tally(spec, parts, round, problems);
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

/// The calls of the round after `round`: one repair prompt for each part
/// that has something to repair (a scenario of its own that fails, an
/// error in its files, a reply that could not be used), none for the
/// others. After a round that ran, only the files the failing intents run
/// go whole, the others as outlines ([`crate::audit::outline::focus`]);
/// after a compile error, every file of the part goes whole (an error may
/// be anywhere).
fn next_calls(
    spec: &Spec,
    layout: &Layout,
    parts: &[Part],
    round: &Round,
    problems: &[String],
) -> Vec<Call> {
    let ran = round.outcome == Outcome::Ran && round.results.len() == spec.intents().count();
    let focus = if ran {
        crate::audit::outline::focus(spec, &round.files, &round.results, layout)
    } else {
        crate::audit::outline::Focus {
            whole: round.files.keys().cloned().collect(),
            outlines: Vec::new(),
        }
    };
    let open = |part: &Part| {
        !ran || spec.intents().zip(&round.results).any(|(intent, result)| {
            runs(part, intent) && !matches!(result.status, Status::Passed | Status::Disputed)
        })
    };
    let mut calls = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        if problems[index].is_empty() || !open(part) {
            continue;
        }
        let (files, outlines) = focused(part, &round.files, &focus);
        let prompt = prompt::repair(
            &spec_of(spec, part),
            round.number,
            &problems[index],
            &files,
            &outlines,
        );
        calls.push(Call {
            part: index,
            prompt: for_part(prompt, part),
        });
    }
    calls
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
        let mut round = new_round(number, Kind::Repair, &[reply()], Files::new());
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
        let mut problems = vec![String::new()];
        settle(
            &spec,
            &[None],
            &[ran],
            &mut only_disputes,
            &disputes,
            &mut problems,
        );
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
        tally(&spec, &[None], &mut round, &mut [String::new()]);
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
        tally(&spec, &[None], &mut round, &mut [String::new()]);
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
        let single = Layout::default();
        let (kind, kept, _) = first_round(
            &spec,
            &single,
            &[None],
            Start::Edit {
                files: files.clone(),
                changes: "+ new: Refunding".to_owned(),
                touched: Vec::new(),
            },
        );
        assert_eq!((kind, kept), (Kind::Edit, files));
        let (kind, kept, _) = first_round(&spec, &single, &[None], Start::Generate);
        assert_eq!((kind, kept), (Kind::Generate, Files::new()));
    }

    #[test]
    fn an_edit_sends_whole_only_what_the_changed_scenarios_run() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = crate::spec::parse(&[root.join("features")]).expect("the bundled features");
        let prototype = crate::prototype::Prototype::new(root.join("generated/features"));
        let files = prototype.read_files().expect("the bundled prototype");
        let layout = prototype.layout();
        let parts = parts(&layout);
        assert_eq!(
            parts.len(),
            4,
            "the bundled prototype has a shard per feature"
        );
        let changed = spec
            .intents()
            .find(|i| i.id.contains("banking"))
            .expect("a banking scenario");
        let (_, _, calls) = first_round(
            &spec,
            &layout,
            &parts,
            Start::Edit {
                files,
                changes: format!("- ~ changed: {}", changed.id),
                touched: vec![changed.id.clone()],
            },
        );
        // Only the shard that runs the changed scenario is asked.
        assert_eq!(calls.len(), 1, "{calls:?}");
        let prompt = &calls[0].prompt;
        assert_eq!(prompt.shard.as_deref(), Some("banking"));
        let user = &prompt.user;
        let at = |path: &str| user.find(&format!("### {path}\n"));
        let files = at("src/banking.rs").expect("the current files");
        assert!(!user.contains("## Other files, outlined"), "{user}");
        for whole in [
            "features/banking.feature",
            "src/banking/money.rs",
            "tests/steps/banking.rs",
        ] {
            assert!(at(whole).is_some(), "{whole} goes whole");
        }
        assert!(at("features/banking.feature") < Some(files));
        // What the changed scenario does not run is not sent at all: neither
        // another shard's features and files, whole or outlined, nor the
        // tool's module roots.
        for other in [
            "features/library_loans.feature",
            "src/lib.rs",
            "tests/steps.rs",
            "src/library_loans.rs",
            "tests/steps/reservation_salle.rs",
            "src/shopping_cart/money.rs",
        ] {
            assert!(at(other).is_none(), "{other} is sent");
        }
        assert!(!user.contains("library_loans"), "{user}");
    }
}

#[cfg(test)]
mod sharded {
    use super::*;

    /// Three features, `a`, `b` and `c`, one scenario each.
    fn spec() -> (tempfile::TempDir, Spec) {
        let dir = tempfile::tempdir().expect("temporary folder");
        for name in ["a", "b", "c"] {
            std::fs::write(
                dir.path().join(format!("{name}.feature")),
                format!(
                    "Feature: {name}\n  Scenario: {name} works\n    Given a {name}\n    Then it works\n"
                ),
            )
            .expect("write the feature");
        }
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("the features parse");
        (dir, spec)
    }

    fn shard(module: &str) -> Shard {
        Shard {
            module: module.to_owned(),
            features: vec![format!("{module}.feature")],
        }
    }

    fn reply(text: &str) -> llm::Reply {
        llm::Reply {
            text: text.to_owned(),
            usage: None,
            finish: Finish::Complete,
            duration_ms: 0,
        }
    }

    fn block(path: &str) -> String {
        format!("### {path}\n```rust\npub fn f() {{}}\n```\n\n")
    }

    #[test]
    fn a_shard_keeps_only_its_own_files_and_the_rest_is_refused() {
        let (_dir, spec) = spec();
        let parts = vec![Some(shard("a")), Some(shard("b"))];
        let text = [
            "src/a.rs",
            "tests/steps/a/given.rs",
            "src/b.rs",
            "src/lib.rs",
        ]
        .map(block)
        .concat();
        let reply = reply(&text);
        let mut round = new_round(
            1,
            Kind::Generate,
            std::slice::from_ref(&reply),
            Files::new(),
        );
        let mut problems = vec![String::new(); 2];
        let mut assumptions = vec![Vec::new(); 2];
        let unusable = take_replies(
            &spec,
            &parts,
            &[(0, &reply)],
            &mut round,
            &mut problems,
            &mut assumptions,
        );
        assert_eq!(unusable, None);
        assert_eq!(
            round.files.keys().collect::<Vec<_>>(),
            ["src/a.rs", "tests/steps/a/given.rs"]
        );
        let refused: Vec<&str> = round.rejected.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(refused, ["src/b.rs", "src/lib.rs"]);
        assert!(
            problems[0].contains("`src/b.rs` was refused") && problems[0].contains("src/a.rs"),
            "{}",
            problems[0]
        );
        assert!(problems[1].is_empty(), "the other shard is not told");
        // A reply whose every file is another's is no usable reply.
        let only_others = self::reply(&block("tests/steps/b.rs"));
        let unusable = take_replies(
            &spec,
            &parts,
            &[(0, &only_others)],
            &mut round,
            &mut problems,
            &mut assumptions,
        );
        assert_eq!(unusable, Some(Outcome::NoFiles));
        assert!(!round.files.contains_key("tests/steps/b.rs"));
    }

    #[test]
    fn a_compile_error_goes_to_the_shard_it_points_at() {
        let parts = vec![Some(shard("a")), Some(shard("b"))];
        let diagnostic = |file: Option<&str>, rendered: &str| cargo::Diagnostic {
            file: file.map(str::to_owned),
            rendered: rendered.to_owned(),
        };
        let mut problems = vec![String::new(); 2];
        compile_problems(
            &parts,
            &[diagnostic(Some("src/b/money.rs"), "error[E0308]: in b")],
            &mut problems,
        );
        assert!(problems[0].is_empty());
        assert!(problems[1].contains("in b"), "{}", problems[1]);
        let mut problems = vec![String::new(); 2];
        compile_problems(
            &parts,
            &[diagnostic(
                Some("tests/intents.rs"),
                "error[E0412]: cannot find type `World` in module `steps::a`\n  | task.with::<steps::a::World>()",
            )],
            &mut problems,
        );
        assert!(problems[0].contains("steps::a::World"), "{}", problems[0]);
        assert!(problems[1].is_empty(), "{}", problems[1]);
        let mut problems = vec![String::new(); 2];
        compile_problems(
            &parts,
            &[diagnostic(None, "error: linking failed")],
            &mut problems,
        );
        assert!(problems.iter().all(|p| p.contains("linking failed")));
    }

    #[test]
    fn only_the_shards_with_failing_scenarios_get_a_repair_call() {
        let (_dir, spec) = spec();
        let parts: Vec<Part> = ["a", "b", "c"].map(|m| Some(shard(m))).into();
        let layout = Layout {
            shards: parts.iter().flatten().cloned().collect(),
        };
        let mut round = new_round(1, Kind::Generate, &[], Files::new());
        for m in ["a", "b", "c"] {
            round
                .files
                .insert(format!("src/{m}.rs"), format!("pub fn {m}() {{}}\n"));
            round
                .files
                .insert(format!("tests/steps/{m}.rs"), format!("// steps of {m}\n"));
        }
        round.files.extend(layout.joined());
        round.results = spec
            .intents()
            .map(|intent| {
                let mut result = intent.not_run("");
                if !intent.file.starts_with('b') {
                    result.status = Status::Passed;
                }
                result
            })
            .collect();
        let mut problems = vec![String::new(); 3];
        tally(&spec, &parts, &mut round, &mut problems);
        assert!(problems[0].is_empty() && problems[2].is_empty());
        let calls = next_calls(&spec, &layout, &parts, &round, &problems);
        assert_eq!(calls.len(), 1, "one call, for `b`");
        let prompt = &calls[0].prompt;
        assert_eq!(prompt.shard.as_deref(), Some("b"));
        assert!(prompt.system.contains("`src/b.rs`"));
        assert!(prompt.user.contains("### features/b.feature"));
        assert!(prompt.user.contains("### src/b.rs"));
        for other in ["features/a.feature", "src/a.rs", "src/c.rs", "src/lib.rs"] {
            assert!(
                !prompt.user.contains(&format!("### {other}")),
                "{other} is not `b`'s"
            );
        }
    }

    /// Answers each prompt with its user text, after a while.
    struct Echo;

    impl Llm for Echo {
        fn name(&self) -> String {
            "echo".to_owned()
        }

        fn complete(&self, prompt: &Prompt, _: &Progress) -> Result<llm::Reply, llm::Error> {
            std::thread::sleep(std::time::Duration::from_millis(20));
            Ok(reply(&prompt.user))
        }
    }

    #[test]
    fn the_replies_come_in_the_order_of_the_prompts_and_no_prompt_makes_no_call() {
        let progress = Progress::hidden();
        assert!(complete_all(&Echo, &[], 4, &progress).is_empty());
        let prompts: Vec<Prompt> = (0..5)
            .map(|i| Prompt {
                system: String::new(),
                user: i.to_string(),
                shard: None,
            })
            .collect();
        for jobs in [1, 2, 64] {
            let texts: Vec<String> = complete_all(&Echo, &prompts, jobs, &progress)
                .into_iter()
                .map(|r| r.expect("a reply").text)
                .collect();
            assert_eq!(texts, ["0", "1", "2", "3", "4"], "--jobs {jobs}");
        }
    }

    #[test]
    fn an_edit_calls_the_shards_it_touches_and_generates_a_new_feature() {
        let (_dir, spec) = spec();
        let before = Layout {
            shards: vec![shard("a"), shard("b"), shard("gone")],
        };
        let (layout, added) = before.follow(&spec);
        assert_eq!(added, ["c"]);
        let parts = parts(&layout);
        let files: Files = [
            "src/a.rs",
            "tests/steps/a.rs",
            "src/b.rs",
            "tests/steps/b.rs",
            "src/gone.rs",
        ]
        .iter()
        .map(|p| ((*p).to_owned(), "pub fn f() {}\n".to_owned()))
        .collect();
        let touched: Vec<String> = spec
            .intents()
            .filter(|i| i.file == "a.feature")
            .map(|i| i.id.clone())
            .collect();
        let (kind, kept, calls) = first_round(
            &spec,
            &layout,
            &parts,
            Start::Edit {
                files,
                changes: "~ changed: a works".to_owned(),
                touched,
            },
        );
        assert_eq!(kind, Kind::Edit);
        assert!(
            !kept.contains_key("src/gone.rs"),
            "a gone feature's files go"
        );
        let called: Vec<(Option<&str>, bool)> = calls
            .iter()
            .map(|c| {
                (
                    c.prompt.shard.as_deref(),
                    c.prompt.user.contains("changed the scenarios"),
                )
            })
            .collect();
        assert_eq!(called, [(Some("a"), true), (Some("c"), false)]);
    }
}
