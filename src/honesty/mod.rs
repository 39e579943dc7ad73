//! Honesty check: does a passing intent pass because of the prototype?
//!
//! In: the model-owned files, the parsed intents, and what the check
//! harness reported. Out: an instrumented copy of the prototype in which
//! mutants can be switched on at run time ([`mutants`]), twins of an intent
//! whose `Then` steps expect another value ([`twins`]), the harness and its
//! schedule ([`check`]), which mutants to run for an intent ([`plan`]) and
//! the [`Verdict`]. An intent is verified when some mutant of the code its
//! steps reach makes it fail and every twin of it fails. What must not
//! happen here: building or running anything, or writing files.
//!
//! The check, as the pipeline runs it for the intents that passed:
//! 1. [`mutants::instrument`] the model's files with a secret (fresh
//!    whenever they changed); write them with the model's `tests/` files
//!    into a check copy whose `tests/intents.rs` is [`check::harness`] and
//!    whose manifest adds [`check::DEV_DEPENDENCY`]; build it once (often
//!    before the scenarios run: given a nonce alone, its harness runs them
//!    as the prototype's does).
//! 2. Run it with a [`check::schedule`] of every passing intent
//!    ([`twins::render`] with a tag of its own, mutant 0) and every twin
//!    ([`twins::twins`], mutant 0) that changes an expected value, not one
//!    an earlier step gave ([`twins::restates_earlier_value`]), in the keywords of the feature's
//!    language ([`twins::Keywords::of_feature`]); [`check::read`] the
//!    results: each intent's coverage, each twin's status.
//! 3. Run it with a schedule of the intent once per mutant of [`plan`];
//!    then [`verdict`].

pub mod check;
pub mod mutants;
pub mod twins;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::vocabulary::Status;

use self::check::Outcome;
use self::mutants::Instrumented;
use self::twins::Twin;

/// The mutants worth running for an intent whose run entered the
/// functions `coverage`: those of the functions it reached, except
/// constant and pass-through functions (whatever the steps do, such a
/// function returns the same, so a failure says nothing about them).
pub fn plan(instrumented: &Instrumented, coverage: &[u32]) -> Vec<u32> {
    let reached: BTreeSet<usize> = coverage
        .iter()
        .filter_map(|id| usize::try_from(*id).ok())
        .filter(|&index| {
            instrumented
                .functions
                .get(index)
                .is_some_and(|f| !f.constant && !f.passthrough)
        })
        .collect();
    instrumented
        .mutants
        .iter()
        .filter(|m| reached.contains(&m.function))
        .map(|m| m.id)
        .collect()
}

/// The honesty verdict of one intent that passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    /// A mutant of the code its steps reach made it fail, and every twin failed.
    Verified {
        /// The mutants that made it fail.
        killed_by: Vec<u32>,
    },
    /// A twin passed: the `Then` step does not check that value.
    WeakThen {
        /// Index in the intent's steps.
        step: usize,
        from: String,
        to: String,
    },
    /// It passed under every mutant that changed the code its steps reach.
    SurvivesMutants {
        /// The names of the functions changed (`Account::withdraw`).
        functions: Vec<String>,
    },
    /// No mutant changed anything its steps reach: its steps reach no
    /// prototype code that wow can change, or only constants.
    Unreached,
}

impl Verdict {
    /// Whether the intent counts as verified.
    pub fn verified(&self) -> bool {
        matches!(self, Self::Verified { .. })
    }
}

/// The verdict for one intent that passed, from the outcomes of its runs
/// under the mutants of [`plan`] (`mutant_outcomes`) and of its twins
/// (`twin_outcomes[i]` for `twins[i]`; a missing outcome counts as a twin
/// that did not pass). A mutant run counts only when the mutant changed
/// something ([`Outcome::applied`]).
pub fn verdict(
    instrumented: &Instrumented,
    mutant_outcomes: &[Outcome],
    twins: &[Twin],
    twin_outcomes: &[Option<Outcome>],
) -> Verdict {
    let weak = twins
        .iter()
        .zip(twin_outcomes)
        .find(|(_, outcome)| outcome.as_ref().is_some_and(|o| o.status == Status::Passed));
    if let Some((twin, _)) = weak {
        return Verdict::WeakThen {
            step: twin.step,
            from: twin.from.clone(),
            to: twin.to.clone(),
        };
    }
    let applied: Vec<&Outcome> = mutant_outcomes.iter().filter(|o| o.applied).collect();
    let killed_by: Vec<u32> = applied
        .iter()
        .filter(|o| o.status != Status::Passed)
        .map(|o| o.mutant)
        .collect();
    if !killed_by.is_empty() {
        return Verdict::Verified { killed_by };
    }
    if applied.is_empty() {
        return Verdict::Unreached;
    }
    let functions: BTreeSet<&str> = applied
        .iter()
        .filter_map(|o| {
            let mutant = instrumented.mutants.iter().find(|m| m.id == o.mutant)?;
            Some(instrumented.functions.get(mutant.function)?.name.as_str())
        })
        .collect();
    Verdict::SurvivesMutants {
        functions: functions.into_iter().map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Files;

    fn instrumented() -> Instrumented {
        let mut files = Files::new();
        files.insert(
            "src/lib.rs".to_owned(),
            "pub fn version() -> u32 { 1 }\npub fn same(x: u32) -> u32 { x }\npub fn fee(days: u32) -> u32 { days * 2 }\n"
                .to_owned(),
        );
        mutants::instrument(&files, "t")
    }

    fn outcome(mutant: u32, status: Status, applied: bool) -> Outcome {
        Outcome {
            tag: "wow-1".to_owned(),
            mutant,
            status,
            steps: Vec::new(),
            failed_step: None,
            message: None,
            coverage: Vec::new(),
            applied,
            duration_ms: 0,
        }
    }

    fn twin() -> Twin {
        Twin {
            step: 2,
            place: twins::Place::Text { offset: 4 },
            from: "4".to_owned(),
            to: "5".to_owned(),
            steps: Vec::new(),
        }
    }

    #[test]
    fn the_plan_leaves_out_constant_and_pass_through_functions() {
        let z = instrumented();
        let names: Vec<&str> = z.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["version", "same", "fee"]);
        // `fee`'s mutants only: 0 and 1.
        assert_eq!(plan(&z, &[0, 1, 2]), [5, 6]);
        assert!(plan(&z, &[0, 1]).is_empty());
    }

    #[test]
    fn a_failing_applied_mutant_and_failing_twins_verify() {
        let z = instrumented();
        let mutants = [
            outcome(5, Status::Passed, true),
            outcome(6, Status::Failed, true),
        ];
        let twin_outcomes = [Some(outcome(0, Status::Failed, false))];
        let verdict = verdict(&z, &mutants, &[twin()], &twin_outcomes);
        assert_eq!(verdict, Verdict::Verified { killed_by: vec![6] });
        assert!(verdict.verified());
    }

    #[test]
    fn a_passing_twin_is_a_weak_then_step() {
        let z = instrumented();
        let mutants = [outcome(6, Status::Failed, true)];
        let twin_outcomes = [Some(outcome(0, Status::Passed, false))];
        assert_eq!(
            verdict(&z, &mutants, &[twin()], &twin_outcomes),
            Verdict::WeakThen {
                step: 2,
                from: "4".to_owned(),
                to: "5".to_owned()
            }
        );
    }

    #[test]
    fn surviving_every_applied_mutant_names_the_functions() {
        let z = instrumented();
        let mutants = [
            outcome(5, Status::Passed, true),
            // Failed, but the mutant changed nothing: not its doing.
            outcome(6, Status::Failed, false),
        ];
        assert_eq!(
            verdict(&z, &mutants, &[], &[]),
            Verdict::SurvivesMutants {
                functions: vec!["fee".to_owned()]
            }
        );
        assert_eq!(verdict(&z, &[], &[], &[]), Verdict::Unreached);
    }
}
