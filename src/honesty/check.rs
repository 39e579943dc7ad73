//! The check harness's side of the contract, seen from `wow`.
//!
//! In: the control module's secret, a nonce, and the runs to make (a
//! feature text holding one scenario tagged `@<tag>`, and the mutant to
//! switch on, 0 for none). Out: the harness source for the instrumented
//! copy ([`harness`], from `check.rs.in`), the text to write to its stdin
//! ([`schedule`]), and the results read back from its stdout ([`read`]).
//! What must not happen here: running anything, or trusting a line that
//! does not start with the nonce (steps print to the same stdout).

use serde::{Deserialize, Serialize};

use crate::vocabulary::{Status, StepStatus};

/// The harness source, with `__WOW_CONTROL__` where the control module's
/// name goes.
pub const HARNESS_TEMPLATE: &str = include_str!("check.rs.in");

/// The dev-dependency the harness needs besides cucumber and tokio (for
/// its stream of parsed features); the version is the one cucumber 0.23
/// already pulls in, so the shared lock file resolves it and nothing new
/// is compiled.
pub const DEV_DEPENDENCY: &str = "futures = \"0.3\"";

/// The harness for an instrumented copy whose control module is
/// `__wow_<secret>` (see [`super::mutants::instrument`]). Written as the
/// copy's `tests/intents.rs`, in place of the ordinary harness.
pub fn harness(secret: &str) -> String {
    HARNESS_TEMPLATE.replace("__WOW_CONTROL__", &format!("__wow_{secret}"))
}

/// One scenario run of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// A tag of the scenario, without `@`, unique in the schedule (`wow-12`).
    pub tag: String,
    /// The mutant switched on while it runs; 0 for none.
    pub mutant: u32,
    /// A whole feature file holding the scenario, tagged `@<tag>`, as
    /// [`super::twins::render`] writes it.
    pub feature: String,
}

/// The harness's stdin: the nonce on the first line, then the schedule as
/// JSON, `{"features": [...], "runs": [{"tag": ..., "mutant": ...}]}`.
pub fn schedule(nonce: &str, runs: &[Run]) -> String {
    #[derive(Serialize)]
    struct Schedule<'r> {
        features: Vec<&'r str>,
        runs: Vec<Tagged<'r>>,
    }
    #[derive(Serialize)]
    struct Tagged<'r> {
        tag: &'r str,
        mutant: u32,
    }
    let schedule = Schedule {
        features: runs.iter().map(|r| r.feature.as_str()).collect(),
        runs: runs
            .iter()
            .map(|r| Tagged {
                tag: &r.tag,
                mutant: r.mutant,
            })
            .collect(),
    };
    let json = serde_json::to_string(&schedule).expect("strings and numbers always serialize");
    format!("{nonce}\n{json}\n")
}

/// What the harness reported about one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Outcome {
    /// The run's tag; empty for a scenario no run names.
    pub tag: String,
    /// The mutant that was active; 0 for none.
    pub mutant: u32,
    /// `passed`, or the status of the first step that did not pass
    /// (`failed`, `undefined`, `ambiguous`), or `failed` for a failed hook.
    pub status: Status,
    /// Every step, background first, in order.
    pub steps: Vec<StepStatus>,
    /// Index in `steps` of the first step that did not pass.
    pub failed_step: Option<usize>,
    /// The panic message of that step (or of a failed hook).
    pub message: Option<String>,
    /// Ids of the prototype functions entered while the scenario ran
    /// ([`super::mutants::Function::id`]).
    pub coverage: Vec<u32>,
    /// Whether the mutant changed a return value or a comparison: a
    /// mutant whose type has no such value, or that the scenario never
    /// reached, leaves it `false`, and the run says nothing.
    pub applied: bool,
    /// From the `before` hook to the `after` hook, in milliseconds.
    pub duration_ms: u64,
}

/// What the harness's stdout held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// One per finished scenario, in the order run.
    pub outcomes: Vec<Outcome>,
    /// Whether the harness reached its end: if not, it was killed or
    /// crashed, and scenarios missing from `outcomes` did not finish.
    pub done: bool,
    /// Features the harness could not parse, and framed lines that were
    /// not understood.
    pub errors: Vec<String>,
}

/// Reads the harness's stdout: only lines that start with `nonce` and a
/// space count; everything else is what steps printed.
pub fn read(stdout: &str, nonce: &str) -> Report {
    #[derive(Deserialize)]
    struct Error {
        error: String,
    }
    let mut report = Report::default();
    let prefix = format!("{nonce} ");
    for line in stdout.lines() {
        let Some(json) = line.strip_prefix(&prefix) else {
            continue;
        };
        if json.trim() == "{\"done\":true}" {
            report.done = true;
        } else if let Ok(outcome) = serde_json::from_str::<Outcome>(json) {
            report.outcomes.push(outcome);
        } else if let Ok(error) = serde_json::from_str::<Error>(json) {
            report.errors.push(error.error);
        } else {
            report
                .errors
                .push(format!("a result line was not understood: {json}"));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_a_nonce_line_then_json() {
        let runs = [Run {
            tag: "wow-1".to_owned(),
            mutant: 7,
            feature: "Feature: \"quoted\"\n  Scenario: x\n".to_owned(),
        }];
        let text = schedule("abc", &runs);
        let (nonce, json) = text.split_once('\n').expect("two lines");
        assert_eq!(nonce, "abc");
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(value["runs"][0]["mutant"], 7);
        assert_eq!(value["features"][0], runs[0].feature.as_str());
    }

    #[test]
    fn only_lines_framed_by_the_nonce_count() {
        let stdout = concat!(
            "step output\n",
            "\n",
            "n0nce {\"tag\":\"r1\",\"mutant\":9,\"status\":\"failed\",\"steps\":[\"passed\",\"failed\",\"not_run\"],\"failed_step\":1,\"message\":\"paid out 0.00 euros\",\"coverage\":[1,2],\"applied\":true,\"duration_ms\":3}\n",
            "forged {\"tag\":\"r1\",\"mutant\":9,\"status\":\"passed\",\"steps\":[],\"failed_step\":null,\"message\":null,\"coverage\":[],\"applied\":false,\"duration_ms\":0}\n",
            "n0nce {\"error\":\"Failed to parse feature: …\"}\n",
            "n0nce {\"done\":true}\n",
        );
        let report = read(stdout, "n0nce");
        assert!(report.done);
        assert_eq!(report.outcomes.len(), 1);
        let outcome = &report.outcomes[0];
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(
            outcome.steps,
            [StepStatus::Passed, StepStatus::Failed, StepStatus::NotRun]
        );
        assert_eq!(outcome.failed_step, Some(1));
        assert!(outcome.applied);
        assert_eq!(report.errors, ["Failed to parse feature: …"]);
    }

    #[test]
    fn the_harness_names_the_control_module() {
        let source = harness("3f9a");
        assert!(source.contains("use prototype::__wow_3f9a as control;"));
        assert!(!source.contains("__WOW_CONTROL__"));
    }
}
