//! Vacuity stage: a pass must mean the prototype does it.
//!
//! In: the results of a run, the model-owned files and the prototype folder.
//! Out: the same results with every passing intent that would pass without
//! the prototype marked [`Status::Hollow`], and the findings of the static
//! checks ([`audit`]). Two tests: the static checks on the step definitions,
//! and a hollow copy of the prototype (every function body replaced by a
//! panic) built and run in `.wow/hollow/` with the shared target directory;
//! an intent that still passes there does not depend on the prototype
//! (the copy is made in [`hollow`], on a large stack; a prototype file too
//! deep to read leaves the check unavailable). The caller holds the target
//! lock ([`cargo::lock`]). The prototype itself is never written here.

mod hollow;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::audit;
use crate::cargo::{self, Build, Limits};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::spec::Spec;
use crate::vocabulary::{Files, Finding, IntentResult, Status};

/// What the checks found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub findings: Vec<Finding>,
    /// Time of the hollow copy's build and run, in milliseconds (0 when no
    /// intent passed, so there was nothing to check).
    pub duration_ms: u64,
    /// Why the hollow copy could not be checked, when it could not.
    pub unavailable: Option<String>,
}

/// Checks the passing intents of `results` and marks the hollow ones.
pub fn verify(
    spec: &Spec,
    prototype: &Prototype,
    files: &Files,
    results: &mut [IntentResult],
    target_dir: &Path,
    limits: Limits,
    progress: &Progress,
) -> Result<Verification, cargo::Error> {
    let findings = audit::check(spec, files);
    let mut verification = Verification {
        findings,
        duration_ms: 0,
        unavailable: None,
    };
    if !results.iter().any(|r| r.status == Status::Passed) {
        return Ok(verification);
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
    progress.phase("checking that the passing intents depend on the prototype");
    let started = Instant::now();
    let hollowed = match hollow::hollow(files) {
        Ok(hollowed) => hollowed,
        Err(too_deep) => {
            verification.unavailable =
                Some(format!("the hollow copy could not be made: {too_deep}"));
            return Ok(verification);
        }
    };
    let hollow = Prototype::new(prototype.state("hollow")).with_crates(prototype.crates.clone());
    let outcome = hollow
        .write_skeleton(spec, target_dir)
        .and_then(|()| hollow.write_files(&hollowed));
    if let Err(error) = outcome {
        verification.unavailable = Some(format!("the hollow copy could not be written: {error}"));
        return Ok(verification);
    }
    match cargo::build(&hollow.dir, target_dir, limits)? {
        Build::Errors { .. } => {
            verification.unavailable =
                Some("the hollow copy of the prototype does not compile".to_owned());
        }
        Build::Built { executable, .. } => {
            let run = cargo::run(spec, &hollow.dir, &executable, limits)?;
            if run.results.iter().all(|r| r.status == Status::NotRun) {
                verification.unavailable = Some(
                    "the hollow copy's scenarios stopped before reporting any result".to_owned(),
                );
            }
            for (result, hollowed) in results.iter_mut().zip(&run.results) {
                if result.status == Status::Passed && hollowed.status == Status::Passed {
                    result.status = Status::Hollow;
                    result.message = Some(
                        "it still passes when every function of the prototype is replaced by a panic: the steps do not depend on the prototype".to_owned(),
                    );
                }
            }
        }
    }
    verification.duration_ms = crate::vocabulary::millis(started.elapsed());
    Ok(verification)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::fixtures::{BANK, files, spec};

    #[test]
    fn a_prototype_too_deep_to_hollow_leaves_the_check_unavailable_without_building() {
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
                ..IntentResult::not_run(intent, "")
            })
            .collect();
        let verification = verify(
            &spec,
            &prototype,
            &files,
            &mut results,
            &dir.path().join("target"),
            Limits::default(),
            &Progress::hidden(),
        )
        .expect("nothing to build");
        assert_eq!(
            verification.unavailable.as_deref(),
            Some(
                "the hollow copy could not be made: wow could not read `src/lib.rs`: its brackets nest more than 128 deep (line 2), deeper than wow can read: write flatter code"
            )
        );
        let skipped: Vec<_> = verification
            .findings
            .iter()
            .map(|f| (f.file.as_str(), f.line))
            .collect();
        assert_eq!(skipped, [("src/lib.rs", 2)]);
        assert!(!prototype.dir.exists(), "nothing is written");
    }
}
