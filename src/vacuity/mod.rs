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
            fail_closed(results, &mut verification, started);
            return Ok(verification);
        }
    };
    let hollow = Prototype::new(prototype.state("hollow")).with_crates(prototype.crates.clone());
    // Written afresh from wow's own files: nothing left in the folder
    // (a toolchain file, a cargo configuration) may take part in the build.
    let outcome = match std::fs::remove_dir_all(&hollow.dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(crate::prototype::Error::Write {
            path: hollow.dir.clone(),
            source: e,
        }),
        _ => Ok(()),
    }
    .and_then(|()| hollow.write_skeleton(spec, target_dir))
    .and_then(|()| hollow.write_files(&keep_unsafe_forbidden(hollowed)));
    if let Err(error) = outcome {
        verification.unavailable = Some(format!("the hollow copy could not be written: {error}"));
    } else {
        match cargo::build(&hollow.dir, target_dir, limits) {
            Err(error) => {
                verification.unavailable =
                    Some(format!("the hollow copy could not be built: {error}"));
            }
            Ok(Build::Errors { .. }) => {
                verification.unavailable =
                    Some("the hollow copy of the prototype does not compile".to_owned());
            }
            Ok(Build::Built { executable, .. }) => {
                match cargo::run(spec, &hollow.dir, &executable, limits) {
                    Err(error) => {
                        verification.unavailable =
                            Some(format!("the hollow copy could not be run: {error}"));
                    }
                    Ok(run) => compare(results, &run.results, &mut verification),
                }
            }
        }
    }
    fail_closed(results, &mut verification, started);
    Ok(verification)
}

/// Fails closed: a pass the check could not examine is not verified.
fn fail_closed(results: &mut [IntentResult], verification: &mut Verification, started: Instant) {
    if let Some(why) = &verification.unavailable {
        for result in results.iter_mut().filter(|r| r.status == Status::Passed) {
            result.status = Status::Unverified;
            result.message = Some(why.clone());
        }
    }
    verification.duration_ms = crate::vocabulary::millis(started.elapsed());
}

/// Marks the passes that still pass in the hollow copy's `hollowed` results;
/// a pass the hollow run did not report is not verified.
fn compare(
    results: &mut [IntentResult],
    hollowed: &[IntentResult],
    verification: &mut Verification,
) {
    if hollowed.iter().all(|r| r.status == Status::NotRun) {
        verification.unavailable =
            Some("the hollow copy's scenarios stopped before reporting any result".to_owned());
        return;
    }
    for (result, hollowed) in results.iter_mut().zip(hollowed) {
        if result.status != Status::Passed {
            continue;
        }
        match hollowed.status {
            Status::Passed => {
                result.status = Status::Hollow;
                result.message = Some(
                    "it still passes when every function of the prototype is replaced by a panic: the steps do not depend on the prototype".to_owned(),
                );
            }
            Status::NotRun => {
                result.status = Status::Unverified;
                result.message = Some(format!(
                    "the hollow copy did not run this scenario ({})",
                    hollowed.message.as_deref().unwrap_or("no reason given")
                ));
            }
            _ => {}
        }
    }
}

/// The hollow rewrite lowers `forbid`/`deny` to `warn`; for `unsafe_code`,
/// which the tool-owned manifest forbids, `warn` is an error (E0453) and
/// the copy would not compile: keep it forbidden.
fn keep_unsafe_forbidden(files: Files) -> Files {
    files
        .into_iter()
        .map(|(path, content)| {
            (
                path,
                content.replace("warn(unsafe_code)", "forbid(unsafe_code)"),
            )
        })
        .collect()
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
