//! Vacuity stage: a pass must mean the prototype does it.
//!
//! In: the results of a run, the model-owned files and the prototype folder.
//! Out: the same results with every passing intent that does not depend on
//! what the prototype computes marked [`Status::Hollow`], every verified
//! one listing the functions it pins down ([`IntentResult::pinned_by`]),
//! and the findings of the static checks ([`audit`]).
//!
//! Two tests. The static checks on the step definitions; then the mutation
//! check ([`crate::honesty`]): an instrumented copy of the prototype, made
//! in `.wow/check/` ([`copy`]) and built once with the shared target
//! directory (often the one build of the round, whose executable ran the
//! scenarios too: [`crate::verdict`]), runs each
//! passing intent and its twins with no mutant active, then each intent
//! under every mutant of the code it reached, with control runs of no
//! mutant mixed in at random places (the last run of each intent being
//! one), so that a failure steps cause by themselves is not taken for a
//! mutant's doing; the intents are shared out among check processes that
//! run side by side, one per core, every run of an intent in the same
//! process. An intent is verified when a mutant
//! makes it fail and every twin fails; hollow when it survives every mutant,
//! reaches nothing a mutant changes, or a twin passes. A check that cannot
//! be made, built or run, or whose results are missing or inconsistent,
//! leaves the passes [`Status::Unverified`] (fail closed). The caller holds
//! the target lock ([`cargo::lock`]). The prototype itself is never written
//! here, and a model-owned file naming the control module's reserved prefix
//! is never built.

pub mod copy;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::audit;
use crate::cargo::{self, Limits};
use crate::honesty::check::{self, Outcome, Run};
use crate::honesty::mutants::Instrumented;
use crate::honesty::twins::{self, Keywords, Twin};
use crate::honesty::{self as mutation, Verdict};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::spec::{Feature, Intent, Spec};
use crate::vocabulary::{Files, Finding, IntentResult, Status};

/// What the checks found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub findings: Vec<Finding>,
    /// Time of the mutation check's runs, and of its build when the copy
    /// was not built already to run the scenarios ([`Check::Made`]), in
    /// milliseconds (0 when no intent passed, so there was nothing to check).
    pub duration_ms: u64,
    /// Why the mutation check could not run, when it could not.
    pub unavailable: Option<String>,
    /// The prototype's functions that no verified intent pins down
    /// (`Account::withdraw`): code whose every mutant the scenarios let
    /// through or never reached. Empty when the check did not run.
    pub unpinned: Vec<String>,
}

/// The check copy as the verdict stage hands it over.
#[derive(Debug, Clone)]
pub enum Check {
    /// Made and built: its test executable (which ran the scenarios), and
    /// the check's first phase when it ran beside them ([`ahead`]).
    Built(copy::Made, PathBuf, Option<Ahead>),
    /// Made, not built yet: built only when an intent is left to check.
    Made(copy::Made),
    /// Why no copy could be made or built, in plain words.
    Unavailable(String),
}

/// Checks the passing intents of `results` (of the prototype whose
/// model-owned files are `files`) with the `check` copy, marks the hollow
/// ones and those the check could not examine, and records what the
/// verified ones pin down.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    spec: &Spec,
    layout: &crate::shard::Layout,
    files: &Files,
    results: &mut [IntentResult],
    steps: Option<&[crate::cargo::results::StepAt]>,
    check: Check,
    target_dir: &Path,
    limits: Limits,
    progress: &Progress,
) -> Verification {
    let analysis = audit::Analysis::read(files, layout);
    let mut findings = analysis.findings(spec);
    // The definitions the harness ran with must be those the audit read.
    if results.iter().any(|r| r.status == Status::Passed) {
        findings.extend(analysis.unread_steps(steps));
    }
    let mut verification = Verification {
        findings,
        duration_ms: 0,
        unavailable: None,
        unpinned: Vec::new(),
    };
    if !results.iter().any(|r| r.status == Status::Passed) {
        return verification;
    }
    for finding in verification
        .findings
        .iter()
        .filter(|f| f.kind.makes_hollow())
    {
        for result in results.iter_mut() {
            let concerned = finding.intents.is_empty() || finding.intents.contains(&result.id);
            if concerned && result.status == Status::Passed {
                result.status = Status::Hollow;
                result.message = Some(finding.message.clone());
            }
        }
    }
    if !results.iter().any(|r| r.status == Status::Passed) {
        return verification;
    }
    progress.phase("checking that the passing intents depend on the prototype");
    let started = Instant::now();
    let built = match check {
        Check::Built(made, executable, ahead) => Ok((made, executable, ahead)),
        Check::Made(made) => copy::build(&made, target_dir, limits, None)
            .map(|(executable, _)| (made, executable, None)),
        Check::Unavailable(why) => Err(why),
    };
    match built.and_then(|(made, executable, ahead)| {
        mutation_check(spec, &made, &executable, ahead, results, limits)
    }) {
        Ok(unpinned) => verification.unpinned = unpinned,
        Err(why) => verification.unavailable = Some(why),
    }
    fail_closed(results, &verification);
    verification.duration_ms = crate::vocabulary::millis(started.elapsed());
    verification
}

/// Fails closed: a pass the check could not examine is not verified.
fn fail_closed(results: &mut [IntentResult], verification: &Verification) {
    if let Some(why) = &verification.unavailable {
        for result in results.iter_mut().filter(|r| r.status == Status::Passed) {
            result.status = Status::Unverified;
            result.message = Some(why.clone());
            result.pinned_by.clear();
        }
    }
}

/// The first phase of the check (every intent as it is, and its twins,
/// no mutant active) run for every intent before the scenarios' results
/// are known, beside the scenarios' run: its outcomes, or why it could
/// not run. Made by [`ahead`] only.
#[derive(Debug, Clone)]
pub struct Ahead(Result<Vec<Outcome>, String>);

/// Runs the first phase of the check of `made` (built as `executable`)
/// for every intent of `spec`, as if each had passed, so that it can run
/// beside the scenarios' run; the check then reads the outcomes of the
/// intents that did pass. `None` on a system with one core, where it
/// would only add runs.
pub fn ahead(spec: &Spec, made: &copy::Made, executable: &Path, limits: Limits) -> Option<Ahead> {
    (processes() > 1).then(|| {
        let runs = first_runs(&entries(spec, None, &made.layout));
        Ahead(run_phase(&made.copy, executable, &runs, limits))
    })
}

/// One intent under check (a passing one, or any when run [`ahead`]).
struct Entry<'s> {
    /// Index in the results.
    result: usize,
    /// The `World` that runs it.
    world: String,
    /// Index among the intents of the spec, which names its runs in the
    /// first phase, run ahead or not.
    index: usize,
    feature: &'s Feature,
    keywords: Keywords,
    intent: &'s Intent,
    twins: Vec<Twin>,
}

/// The whole mutation check; `Err` says why it could not be made or run,
/// and leaves the passes for [`fail_closed`].
fn mutation_check(
    spec: &Spec,
    made: &copy::Made,
    executable: &Path,
    ahead: Option<Ahead>,
    results: &mut [IntentResult],
    limits: Limits,
) -> Result<Vec<String>, String> {
    let (copy, instrumented) = (&made.copy, &made.instrumented);
    let entries = entries(spec, Some(results), &made.layout);
    let mut random = Random::new()?;

    // Phase 1: each intent as it is, and its twins, no mutant active. When
    // it ran ahead and could not finish, the passing intents run again on
    // their own: a failing one may be what stopped it.
    let first = match ahead {
        Some(Ahead(Ok(outcomes))) => outcomes,
        _ => run_phase(copy, executable, &first_runs(&entries), limits)?,
    };

    // Phase 2: each intent whose base run agrees with the scenarios' run,
    // under every mutant of the code it reached, controls mixed in; the
    // intents are shared out among processes that run side by side, each
    // intent's runs all in one of them.
    let mut runs = Vec::new();
    let mut examined = Vec::new();
    for (e, entry) in entries.iter().enumerate() {
        let result = &mut results[entry.result];
        let Some(base) = find(&first, &first_tag(entry.index, None)) else {
            unverified(result, "the check did not report this scenario");
            continue;
        };
        if base.status != Status::Passed {
            unverified(
                result,
                &format!(
                    "it passed, then did not pass in the check's copy with nothing changed ({}): the scenario does not give the same result each time",
                    base.message.as_deref().unwrap_or("no message")
                ),
            );
            continue;
        }
        let twin_outcomes: Option<Vec<Outcome>> = (0..entry.twins.len())
            .map(|t| find(&first, &first_tag(entry.index, Some(t))).cloned())
            .collect();
        let Some(twin_outcomes) = twin_outcomes else {
            unverified(
                result,
                "the check did not report every twin of this scenario",
            );
            continue;
        };
        // A twin differs from the intent only from its changed step on: an
        // earlier failure is the scenario's own doing, not the value's.
        let early = entry
            .twins
            .iter()
            .zip(&twin_outcomes)
            .find(|(twin, outcome)| {
                outcome.status != Status::Passed
                    && outcome.failed_step.is_some_and(|f| f < twin.step)
            });
        if let Some((_, outcome)) = early {
            unverified(
                result,
                &format!(
                    "a copy of it with one expected value changed failed before reaching that value ({}): the scenario does not give the same result each time",
                    outcome.message.as_deref().unwrap_or("no message")
                ),
            );
            continue;
        }
        let planned = mutation::plan(instrumented, &base.coverage);
        let mut ours = Vec::new();
        for mutant in &planned {
            ours.push(entry.run(format!("m{e}-{mutant}"), &entry.intent.steps, *mutant));
        }
        // A control per eight mutants, at least one: a step that counts
        // its runs cannot tell which one changes nothing.
        for c in 0..=planned.len() / 8 {
            ours.push(entry.run(format!("c{e}-{c}"), &entry.intent.steps, 0));
        }
        runs.push((e, ours));
        examined.push((e, planned.len(), twin_outcomes));
    }
    let schedules = schedules(runs, processes(), &mut random);
    let second = run_phases(copy, executable, &schedules, limits)?;
    for (e, planned, twin_outcomes) in examined {
        conclude(
            &entries[e],
            e,
            (planned, twin_outcomes),
            &second,
            instrumented,
            results,
        );
    }
    Ok(unpinned(instrumented, results))
}

/// The functions with mutants, not constant nor pass-through, that no
/// verified intent of `results` pins down, in the prototype's order.
fn unpinned(instrumented: &Instrumented, results: &[IntentResult]) -> Vec<String> {
    let pinned: BTreeSet<&str> = results
        .iter()
        .filter(|r| r.status == Status::Passed)
        .flat_map(|r| r.pinned_by.iter().map(String::as_str))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for (index, function) in instrumented.functions.iter().enumerate() {
        let mutated = instrumented.mutants.iter().any(|m| m.function == index);
        if mutated
            && !function.constant
            && !function.passthrough
            && !pinned.contains(function.name.as_str())
            && !names.contains(&function.name)
        {
            names.push(function.name.clone());
        }
    }
    names
}

/// The verdict of `entry` (number `e`, `planned` mutant runs) from the
/// outcomes of its twins and of the second phase, recorded in its result;
/// unverified when runs are missing or a control did not pass.
fn conclude(
    entry: &Entry<'_>,
    e: usize,
    (planned, twin_outcomes): (usize, Vec<Outcome>),
    second: &[Outcome],
    instrumented: &Instrumented,
    results: &mut [IntentResult],
) {
    let count = |prefix: &str| second.iter().filter(|o| o.tag.starts_with(prefix)).count();
    let result = &mut results[entry.result];
    let controls: Vec<&Outcome> = second
        .iter()
        .filter(|o| o.tag.starts_with(&format!("c{e}-")))
        .collect();
    if controls.len() != planned / 8 + 1 || count(&format!("m{e}-")) != planned {
        unverified(
            result,
            "the check did not report every run of this scenario",
        );
        return;
    }
    if let Some(control) = controls.iter().find(|o| o.status != Status::Passed) {
        unverified(
            result,
            &format!(
                "it did not pass in a control run with nothing changed ({}): the scenario does not give the same result each time",
                control.message.as_deref().unwrap_or("no message")
            ),
        );
        return;
    }
    let mutant_outcomes: Vec<Outcome> = second
        .iter()
        .filter(|o| o.tag.starts_with(&format!("m{e}-")))
        .cloned()
        .collect();
    let twin_outcomes: Vec<Option<Outcome>> = twin_outcomes.into_iter().map(Some).collect();
    let verdict = mutation::verdict(instrumented, &mutant_outcomes, &entry.twins, &twin_outcomes);
    apply(result, entry.intent, instrumented, &verdict);
}

/// The tag of the first phase's run of the intent number `index` of the
/// spec, or of its twin number `twin`.
fn first_tag(index: usize, twin: Option<usize>) -> String {
    match twin {
        None => format!("wow-{index}"),
        Some(t) => format!("wow-{index}-twin-{t}"),
    }
}

/// The first phase's runs of `entries`: each intent, then its twins.
fn first_runs(entries: &[Entry<'_>]) -> Vec<Run> {
    let mut runs = Vec::new();
    for entry in entries {
        runs.push(entry.run(first_tag(entry.index, None), &entry.intent.steps, 0));
        for (t, twin) in entry.twins.iter().enumerate() {
            runs.push(entry.run(first_tag(entry.index, Some(t)), &twin.steps, 0));
        }
    }
    runs
}

/// The passing intents of `results`, with their twins and the `World` of
/// `layout` that runs them; every intent of `spec` without `results`.
fn entries<'s>(
    spec: &'s Spec,
    results: Option<&[IntentResult]>,
    layout: &crate::shard::Layout,
) -> Vec<Entry<'s>> {
    spec.features
        .iter()
        .flat_map(|feature| {
            let keywords = Keywords::of_feature(feature);
            feature
                .intents
                .iter()
                .map(move |intent| (feature, keywords.clone(), intent))
        })
        .enumerate()
        .filter_map(|(index, (feature, keywords, intent))| {
            let result = match results {
                Some(results) => results
                    .iter()
                    .position(|r| r.id == intent.id && r.status == Status::Passed)?,
                None => index,
            };
            let twins = twins::twins(intent, &keywords)
                .into_iter()
                .filter(|twin| !twins::restates_earlier_value(intent, twin))
                .collect();
            Some(Entry {
                result,
                world: layout.world_of(&feature.rel),
                index,
                feature,
                keywords,
                intent,
                twins,
            })
        })
        .collect()
}

impl Entry<'_> {
    /// A run of `steps` (the intent's or a twin's) tagged `tag`.
    fn run(&self, tag: String, steps: &[crate::spec::Step], mutant: u32) -> Run {
        Run {
            feature: twins::render(
                self.feature,
                &self.keywords,
                &[format!("@{tag}")],
                &self.intent.name,
                steps,
            ),
            tag,
            mutant,
            world: self.world.clone(),
        }
    }
}

/// How many check processes may run side by side: one per core the
/// system gives wow, at most four (each holds a test executable and its
/// scenarios in memory).
fn processes() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// The runs of each intent (`(e, runs)`) shared out among at most `count`
/// schedules of about as many runs each, all the runs of an intent in one
/// schedule; each schedule shuffled, then the last run of each of its
/// intents made a control ([`last_is_control`]). No schedule is empty.
fn schedules(
    mut intents: Vec<(usize, Vec<Run>)>,
    count: usize,
    random: &mut Random,
) -> Vec<Vec<Run>> {
    // The largest first, each to the schedule with the fewest runs so far.
    intents.sort_by_key(|(_, runs)| std::cmp::Reverse(runs.len()));
    let mut shared: Vec<(Vec<usize>, Vec<Run>)> = vec![(Vec::new(), Vec::new()); count.max(1)];
    for (e, runs) in intents {
        if let Some((es, all)) = shared.iter_mut().min_by_key(|(_, all)| all.len()) {
            es.push(e);
            all.extend(runs);
        }
    }
    shared
        .into_iter()
        .filter(|(_, runs)| !runs.is_empty())
        .map(|(es, mut runs)| {
            random.shuffle(&mut runs);
            for e in es {
                last_is_control(&mut runs, e);
            }
            runs
        })
        .collect()
}

/// Runs each of `schedules` in a check process of its own, side by side:
/// their outcomes together, or why one could not run ([`run_phase`]).
fn run_phases(
    copy: &Prototype,
    executable: &Path,
    schedules: &[Vec<Run>],
    limits: Limits,
) -> Result<Vec<Outcome>, String> {
    let ran: Vec<Result<Vec<Outcome>, String>> = std::thread::scope(|scope| {
        let running: Vec<_> = schedules
            .iter()
            .map(|runs| scope.spawn(move || run_phase(copy, executable, runs, limits)))
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread.join().unwrap_or_else(|_| {
                    Err("the check could not run: a thread running it stopped".to_owned())
                })
            })
            .collect()
    });
    let mut outcomes = Vec::new();
    for outcomes_of_one in ran {
        outcomes.extend(outcomes_of_one?);
    }
    Ok(outcomes)
}

/// Moves a control of intent `e` to the place of its last run: a step
/// that stops working after some runs fails a control too, and cannot
/// pass a failure off as a mutant's doing.
fn last_is_control(runs: &mut [Run], e: usize) {
    let (mutant, control) = (format!("m{e}-"), format!("c{e}-"));
    let ours = |r: &Run| r.tag.starts_with(&mutant) || r.tag.starts_with(&control);
    let Some(last) = runs.iter().rposition(ours) else {
        return;
    };
    if let Some(first_control) = runs.iter().position(|r| r.tag.starts_with(&control)) {
        runs.swap(first_control, last);
    }
}

/// The outcome tagged `tag`.
fn find<'o>(outcomes: &'o [Outcome], tag: &str) -> Option<&'o Outcome> {
    outcomes.iter().find(|o| o.tag == tag)
}

fn unverified(result: &mut IntentResult, why: &str) {
    result.status = Status::Unverified;
    result.message = Some(why.to_owned());
}

/// Records `verdict` in the `result` of `intent`.
fn apply(
    result: &mut IntentResult,
    intent: &Intent,
    instrumented: &Instrumented,
    verdict: &Verdict,
) {
    let message = match verdict {
        Verdict::Verified { killed_by } => {
            let functions: BTreeSet<&str> = killed_by
                .iter()
                .filter_map(|id| {
                    let mutant = instrumented.mutants.iter().find(|m| m.id == *id)?;
                    Some(instrumented.functions.get(mutant.function)?.name.as_str())
                })
                .collect();
            result.pinned_by = functions.into_iter().map(str::to_owned).collect();
            return;
        }
        Verdict::WeakThen { step, from, to } => {
            let text = intent
                .steps
                .get(*step)
                .map(|s| format!("{} {}", s.keyword, s.text))
                .unwrap_or_default();
            format!(
                "the Then step `{text}` passes with `{to}` in place of `{from}`: it does not check that value"
            )
        }
        Verdict::SurvivesMutants { functions } => format!(
            "it still passes when {} return other values: the steps do not depend on what the prototype computes",
            functions
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Verdict::Unreached => "its steps never reach code of the prototype whose result depends on what they give it: they do not depend on what the prototype computes".to_owned(),
    };
    result.status = Status::Hollow;
    result.message = Some(message);
}

/// Runs one schedule of the check; `Err` when it could not run, stopped
/// early, or reported something it should not.
fn run_phase(
    copy: &Prototype,
    executable: &Path,
    runs: &[Run],
    limits: Limits,
) -> Result<Vec<Outcome>, String> {
    let nonce = cargo::nonce().map_err(|e| format!("the check could not run: {e}"))?;
    let input = check::schedule(&nonce, runs);
    let checked = cargo::run_check(&copy.dir, executable, input.as_bytes(), limits)
        .map_err(|e| format!("the check could not run: {e}"))?;
    if let Some(why) = checked.stopped {
        return Err(format!("the check was stopped: {why}"));
    }
    if checked.cut {
        return Err(format!(
            "the check's results could not all be read: the steps printed more than {} MiB",
            crate::process::OUTPUT_CAP_BYTES >> 20
        ));
    }
    let report = check::read(&checked.stdout, &nonce);
    if !report.done {
        return Err(format!(
            "the check stopped before it finished: {}",
            if checked.stderr.is_empty() {
                "no reason given"
            } else {
                checked.stderr.as_str()
            }
        ));
    }
    if let Some(error) = report.errors.first() {
        return Err(format!("the check could not read its scenarios: {error}"));
    }
    let tags: BTreeSet<&str> = runs.iter().map(|r| r.tag.as_str()).collect();
    if report
        .outcomes
        .iter()
        .any(|o| !tags.contains(o.tag.as_str()))
    {
        return Err("the check reported a scenario it was not given".to_owned());
    }
    let seen: BTreeSet<&str> = report.outcomes.iter().map(|o| o.tag.as_str()).collect();
    if seen.len() != report.outcomes.len() {
        return Err("the check reported a scenario twice".to_owned());
    }
    Ok(report.outcomes)
}

/// Shuffles with a generator seeded from the kernel's random source: where
/// the controls fall cannot be known in advance.
struct Random(u64);

impl Random {
    fn new() -> Result<Self, String> {
        let hex = cargo::nonce().map_err(|e| format!("the check could not run: {e}"))?;
        let seed = u64::from_str_radix(&hex[..16], 16).unwrap_or(0x9e37_79b9_7f4a_7c15);
        Ok(Self(seed | 1))
    }

    /// xorshift64*.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let bound = u64::try_from(i + 1).unwrap_or(u64::MAX);
            let j = usize::try_from(self.next() % bound).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::fixtures::{BANK, files, spec};
    use crate::honesty::mutants;

    #[test]
    fn code_no_verified_intent_pins_down_is_listed_once() {
        let files = files(&[(
            "src/lib.rs",
            "pub fn fee(minutes: u32) -> u32 { minutes * 2 }\npub fn discount(euros: u32) -> u32 { euros / 2 }\npub fn version() -> u32 { 1 }\n",
        )]);
        let instrumented = mutants::instrument(&files, "0123456789abcdef");
        let (_dir, spec) = spec(BANK);
        let mut results: Vec<IntentResult> = spec.intents().map(|i| i.not_run("")).collect();
        results[0].status = Status::Passed;
        results[0].pinned_by = vec!["fee".to_owned()];
        // A hollow intent pins nothing down, whatever it lists.
        results[1].status = Status::Hollow;
        results[1].pinned_by = vec!["discount".to_owned()];
        assert_eq!(
            unpinned(&instrumented, &results),
            ["discount"],
            "`version` is constant: its mutants never count"
        );
    }

    #[test]
    fn a_prototype_too_deep_to_read_leaves_the_check_unavailable_without_building() {
        let (dir, spec) = spec(BANK);
        let prototype = Prototype::new(dir.path().join("prototype"));
        let deep = format!(
            "pub fn f() -> u8 {{\n    {}1{}\n}}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let files = files(&[("src/lib.rs", &deep), ("tests/steps.rs", "fn g() {}\n")]);
        let mut results: Vec<IntentResult> = spec
            .intents()
            .map(|intent| IntentResult {
                status: Status::Passed,
                message: None,
                ..intent.not_run("")
            })
            .collect();
        let target = dir.path().join("target");
        let check = match copy::make(&spec, &prototype, &files, &target) {
            Ok(_) => panic!("no copy of code wow cannot read"),
            Err(why) => Check::Unavailable(why),
        };
        let verification = verify(
            &spec,
            &crate::shard::Layout::default(),
            &files,
            &mut results,
            Some(&[]),
            check,
            &target,
            Limits::default(),
            &Progress::hidden(),
        );
        assert_eq!(
            verification.unavailable.as_deref(),
            Some(
                "the check copy could not be made: wow could not read `src/lib.rs`: its brackets nest more than 128 deep (line 2), deeper than wow can read: write flatter code"
            )
        );
        assert!(results.iter().all(|r| r.status == Status::Unverified));
        let skipped: Vec<_> = verification
            .findings
            .iter()
            .map(|f| (f.file.as_str(), f.line))
            .collect();
        assert_eq!(skipped, [("src/lib.rs", 2)]);
        assert!(!prototype.dir.exists(), "nothing is written");
    }

    #[test]
    fn the_last_run_of_each_intent_is_a_control() {
        let run = |tag: &str| Run {
            tag: tag.to_owned(),
            mutant: 0,
            world: String::new(),
            feature: String::new(),
        };
        let mut runs = vec![run("c1-0"), run("m1-4"), run("m12-3"), run("m1-5")];
        last_is_control(&mut runs, 1);
        let tags: Vec<&str> = runs.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(tags, ["m1-5", "m1-4", "m12-3", "c1-0"]);
    }

    #[test]
    fn the_runs_of_an_intent_stay_in_one_schedule_and_end_with_a_control() {
        let run = |tag: String| Run {
            tag,
            mutant: 1,
            world: String::new(),
            feature: String::new(),
        };
        let intents: Vec<(usize, Vec<Run>)> = [(0, 17), (1, 9), (2, 9), (3, 1)]
            .into_iter()
            .map(|(e, mutants)| {
                let mut runs: Vec<Run> = (1..=mutants).map(|m| run(format!("m{e}-{m}"))).collect();
                runs.extend((0..=mutants / 8).map(|c| run(format!("c{e}-{c}"))));
                (e, runs)
            })
            .collect();
        let total: usize = intents.iter().map(|(_, runs)| runs.len()).sum();
        let shared = schedules(intents, 2, &mut Random(7));
        assert_eq!(shared.len(), 2);
        assert_eq!(shared.iter().map(Vec::len).sum::<usize>(), total);
        let sizes: Vec<usize> = shared.iter().map(Vec::len).collect();
        assert!(sizes.iter().all(|&n| n >= total / 3), "{sizes:?}");
        for e in 0..4 {
            let (mutant, control) = (format!("m{e}-"), format!("c{e}-"));
            let holding: Vec<&Vec<Run>> = shared
                .iter()
                .filter(|runs| runs.iter().any(|r| r.tag.starts_with(&mutant)))
                .collect();
            assert_eq!(holding.len(), 1, "intent {e} in one schedule");
            let last = holding[0]
                .iter()
                .rev()
                .find(|r| r.tag.starts_with(&mutant) || r.tag.starts_with(&control))
                .expect("runs");
            assert!(last.tag.starts_with(&control), "{}", last.tag);
        }
        assert_eq!(schedules(Vec::new(), 2, &mut Random(7)).len(), 0);
        assert_eq!(
            schedules(vec![(0, vec![run("c0-0".to_owned())])], 4, &mut Random(7)).len(),
            1,
            "no empty schedule"
        );
    }

    #[test]
    fn a_first_phase_run_ahead_names_each_intent_as_the_check_looks_it_up() {
        let (_dir, spec) = spec(BANK);
        let mut results: Vec<IntentResult> = spec.intents().map(|i| i.not_run("")).collect();
        // Results in another order than the spec's: the runs are named by
        // the spec's order all the same.
        results.reverse();
        results[0].status = Status::Passed;
        let single = crate::shard::Layout::default();
        let all = entries(&spec, None, &single);
        let passing = entries(&spec, Some(&results), &single);
        assert_eq!(passing.len(), 1);
        let ahead = first_runs(&all);
        let own = first_runs(&passing);
        for run in &own {
            let twin = ahead.iter().find(|r| r.tag == run.tag).expect("run ahead");
            assert_eq!(twin.feature, run.feature, "{}", run.tag);
        }
        assert_eq!(passing[0].intent.id, results[0].id);
        assert_eq!(all[passing[0].index].intent.id, passing[0].intent.id);
    }

    #[test]
    fn a_shuffle_keeps_every_run() {
        let mut random = Random(7);
        let mut items: Vec<u32> = (0..50).collect();
        random.shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}
