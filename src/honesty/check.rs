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

/// The check's module of the harness.
pub const HARNESS_TEMPLATE: &str = include_str!("check.rs.in");

/// The dev-dependency the harness needs besides cucumber and tokio (for
/// its stream of parsed features), under the name `__wow_futures`, which no
/// model-owned file may contain ([`crate::extract::RESERVED`]), so that the
/// steps cannot use a crate the prototype does not have. The version is the
/// one cucumber 0.23 already pulls in, so the shared lock file resolves it
/// and nothing new is compiled.
pub const DEV_DEPENDENCY: &str = "__wow_futures = { package = \"futures\", version = \"0.3\" }";

/// The harness of an instrumented copy (see [`super::mutants::instrument`]),
/// written as the copy's `tests/intents.rs`: the prototype's own harness
/// ([`crate::prototype::harness`] of `layout`) with its `main` renamed `__wow_main`,
/// the check in a module `__wow_check`, and a `main` that runs a schedule,
/// or the scenarios of `features/` when given a nonce alone.
///
/// The crate's root holds the names of the prototype's harness and names
/// starting with `__wow_`, which no model-owned file may contain: steps
/// that compile here compile in the prototype too. The harness names no
/// secret (it switches mutants through the handle it claims first, see
/// [`super::mutants::instrument`]): it is the same for every copy, so a
/// copy whose secret changed does not recompile it but for its library.
pub fn harness(layout: &crate::shard::Layout) -> String {
    let own = crate::prototype::harness(layout).replacen(
        "\nfn main() {",
        "\n#[allow(dead_code)]\nfn __wow_main() {",
        1,
    );
    format!(
        "{own}\n#[doc(hidden)]\nmod __wow_check {{\n{HARNESS_TEMPLATE}}}\n\nfn main() {{\n    __wow_check::main();\n}}\n"
    )
}

/// One scenario run of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// A tag of the scenario, without `@`, unique in the schedule (`wow-12`).
    pub tag: String,
    /// The mutant switched on while it runs; 0 for none.
    pub mutant: u32,
    /// The `World` that runs it, by its name in the harness's `WORLDS`
    /// ([`crate::shard::Layout::world_of`]).
    pub world: String,
    /// A whole feature file holding the scenario, tagged `@<tag>`, as
    /// [`super::twins::render`] writes it.
    pub feature: String,
}

/// The harness's stdin: the nonce on the first line, then the schedule as
/// JSON, `{"features": [...], "worlds": [...], "runs": [{"tag": ..., "mutant": ...}]}`.
pub fn schedule(nonce: &str, runs: &[Run]) -> String {
    #[derive(Serialize)]
    struct Schedule<'r> {
        features: Vec<&'r str>,
        worlds: Vec<&'r str>,
        runs: Vec<Tagged<'r>>,
    }
    #[derive(Serialize)]
    struct Tagged<'r> {
        tag: &'r str,
        mutant: u32,
    }
    let schedule = Schedule {
        features: runs.iter().map(|r| r.feature.as_str()).collect(),
        worlds: runs.iter().map(|r| r.world.as_str()).collect(),
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
            world: "banking".to_owned(),
            feature: "Feature: \"quoted\"\n  Scenario: x\n".to_owned(),
        }];
        let text = schedule("abc", &runs);
        let (nonce, json) = text.split_once('\n').expect("two lines");
        assert_eq!(nonce, "abc");
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(value["runs"][0]["mutant"], 7);
        assert_eq!(value["worlds"][0], "banking");
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
    fn the_harness_claims_the_mutants_control_before_anything_runs() {
        let body = HARNESS_TEMPLATE
            .split_once("pub fn main() {\n")
            .map(|(_, body)| body)
            .expect("a main");
        let first = body
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with("//"))
            .expect("a statement");
        assert_eq!(
            first,
            "let Some(control) = prototype::__wow_control::claim() else {"
        );
    }

    #[test]
    fn the_harness_is_the_prototypes_own_with_the_check_in_a_module_of_its_own() {
        let layout = crate::shard::Layout::default();
        let prototypes = crate::prototype::harness(&layout);
        let source = harness(&layout);
        let (main, renamed) = ("\nfn main() {", "\n#[allow(dead_code)]\nfn __wow_main() {");
        let (own, added) = source.split_at(prototypes.len() + renamed.len() - main.len());
        assert_eq!(
            own.replacen(renamed, main, 1),
            prototypes,
            "the scenarios run as in the prototype, with the same names at the root"
        );
        // Whatever the check adds at the root, steps cannot name it.
        assert!(
            added.starts_with("\n#[doc(hidden)]\nmod __wow_check {\n"),
            "{added}"
        );
        assert!(added.ends_with("}\n\nfn main() {\n    __wow_check::main();\n}\n"));
        assert!(
            !HARNESS_TEMPLATE.contains("\nmod steps;"),
            "the steps are the root's"
        );
        // Nothing in the check's module but its `main` is within the steps' reach.
        let public: Vec<&str> = HARNESS_TEMPLATE
            .lines()
            .filter(|line| line.starts_with("pub"))
            .collect();
        assert_eq!(public, ["pub fn main() {"]);
    }
}
