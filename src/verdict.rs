//! Verdict stage: a prototype on disk in, one verdict per intent out.
//!
//! In: the spec, the prototype folder (its files written, its feature
//! copies locked), the model-owned files it holds, the shared target
//! directory and the limits. Out: an [`Evaluation`]: rustc's errors, or one
//! result per intent after the scenarios ran and the honesty check looked
//! at the passing ones. This is the one path from code to verdict, shared
//! by the repair loop's rounds, `wow test` and `wow watch`.
//!
//! One build serves both when it can: the check copy of the honesty check
//! ([`vacuity::copy`]) is built first, and its executable, with no mutant
//! active, runs the scenarios of the prototype's own `features/` in the
//! prototype's folder through the prototype's own harness code, its results
//! read from the block framed by a fresh nonce as for any run; on a system
//! with more than one core, the honesty check's first phase runs beside
//! them, for every intent ([`vacuity::ahead`]). The
//! prototype itself is built only when the copy cannot stand in for it
//! (it could not be made, a lint level was weakened, the prototype has
//! extra crates) or does not build: then rustc's errors point at the
//! prototype's own files, and passes are left unverified when the copy
//! does not build. Either way nothing but the framed results counts, and
//! anything unexpected leaves a pass unverified ([`vacuity`]). What must not happen here: calling the model, or
//! writing a model-owned file.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::cargo::{self, Build, Compiled, Counter, Diagnostic, Limits};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::spec::Spec;
use crate::vacuity::{self, Check, copy};
use crate::vocabulary::{Files, Finding, IntentResult, millis};

/// What a build and run of a prototype came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluation {
    /// rustc rejected the code.
    CompileErrors {
        diagnostics: Vec<Diagnostic>,
        /// Time of the build, in milliseconds.
        cargo_ms: u64,
    },
    /// The scenarios ran (some may have failed).
    Ran(Verdicts),
}

/// The verdicts of a prototype whose scenarios ran.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdicts {
    /// One result per intent, in spec order, after the honesty check.
    pub results: Vec<IntentResult>,
    /// Findings of the static checks on the code that ran.
    pub findings: Vec<Finding>,
    /// Time of the build (the check copy's when it stood in for the
    /// prototype) and run of the scenarios, in milliseconds.
    pub cargo_ms: u64,
    /// Time of the honesty check, in milliseconds.
    pub honesty_ms: u64,
    /// Why the honesty check could not run, when it could not.
    pub unavailable: Option<String>,
    /// The prototype's functions no verified intent pins down.
    pub unpinned: Vec<String>,
}

/// Why a prototype could not be evaluated at all (not a mistake of the
/// model's code: those are verdicts).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Cargo(#[from] cargo::Error),
    #[error(transparent)]
    Prototype(#[from] crate::prototype::Error),
}

/// Builds the prototype in `prototype` (whose model-owned files are
/// `files`), or its check copy standing in for it, runs its scenarios and
/// checks the passing intents. `round` prefixes the progress phases
/// (`round 2: `, or empty).
pub fn evaluate(
    spec: &Spec,
    prototype: &Prototype,
    files: &Files,
    target_dir: &Path,
    limits: Limits,
    progress: &Progress,
    round: &str,
) -> Result<Evaluation, Error> {
    progress.compiling(round);
    let _lock = cargo::lock(target_dir)?;
    prototype.check_features(target_dir)?;
    // The copy is built inside the prototype's folder: what would stop the
    // prototype's own build stops it too.
    cargo::check_folder(&prototype.dir)?;
    let started = Instant::now();
    // With extra crates, the copy's lock file is the prototype's own, which
    // the prototype's first build completes: the copy is made after it.
    let first = prototype
        .crates
        .is_empty()
        .then(|| copy::make(spec, prototype, files, target_dir));
    let check = match first {
        Some(Ok(made)) if made.stands_in => {
            match copy::build(&made, target_dir, limits, Some(counter(progress))) {
                Ok((executable, build_ms)) => {
                    progress.phase(&format!("{round}running the scenarios"));
                    // The check's first phase runs beside the scenarios, for
                    // every intent since which pass is not known yet.
                    let (run, ahead) = std::thread::scope(|scope| {
                        let ahead =
                            scope.spawn(|| vacuity::ahead(spec, &made, &executable, limits));
                        let run = cargo::run(spec, &prototype.dir, &executable, limits);
                        (run, ahead.join().ok().flatten())
                    });
                    let run = run?;
                    let check = Check::Built(made, executable, ahead);
                    return Ok(verdicts(
                        spec,
                        &prototype.layout(),
                        files,
                        run,
                        build_ms,
                        check,
                        target_dir,
                        limits,
                        progress,
                    ));
                }
                // The prototype's own build says why, pointing at its files.
                Err(why) => Some(Check::Unavailable(why)),
            }
        }
        Some(Ok(made)) => Some(Check::Made(made)),
        Some(Err(why)) => Some(Check::Unavailable(why)),
        None => None,
    };
    let tried_ms = millis(started.elapsed());
    let built = cargo::build_counted(&prototype.dir, target_dir, limits, counter(progress))?;
    let (executable, build_ms) = match built {
        Build::Errors {
            diagnostics,
            duration_ms,
        } => {
            return Ok(Evaluation::CompileErrors {
                diagnostics,
                cargo_ms: tried_ms + duration_ms,
            });
        }
        Build::Built {
            executable,
            duration_ms,
        } => (executable, tried_ms + duration_ms),
    };
    let check = check.unwrap_or_else(|| match copy::make(spec, prototype, files, target_dir) {
        Ok(made) => Check::Made(made),
        Err(why) => Check::Unavailable(why),
    });
    progress.phase(&format!("{round}running the scenarios"));
    let run = cargo::run(spec, &prototype.dir, &executable, limits)?;
    Ok(verdicts(
        spec,
        &prototype.layout(),
        files,
        run,
        build_ms,
        check,
        target_dir,
        limits,
        progress,
    ))
}

/// The verdicts of a `run` that followed a build of `build_ms`, after the
/// honesty check with `check`.
#[expect(
    clippy::too_many_arguments,
    reason = "the run, its build and the check, and what the check needs to run"
)]
fn verdicts(
    spec: &Spec,
    layout: &crate::shard::Layout,
    files: &Files,
    mut run: cargo::Run,
    build_ms: u64,
    check: Check,
    target_dir: &Path,
    limits: Limits,
    progress: &Progress,
) -> Evaluation {
    let verification = vacuity::verify(
        spec,
        layout,
        files,
        &mut run.results,
        run.steps.as_deref(),
        check,
        target_dir,
        limits,
        progress,
    );
    Evaluation::Ran(Verdicts {
        results: run.results,
        findings: verification.findings,
        cargo_ms: build_ms + run.duration_ms,
        honesty_ms: verification.duration_ms,
        unavailable: verification.unavailable,
        unpinned: verification.unpinned,
    })
}

/// Shows on the progress line how many crates cargo has compiled.
pub fn counter(progress: &Progress) -> Counter {
    let progress = progress.clone();
    Arc::new(move |compiled: Compiled| progress.compiled(compiled.done, compiled.total))
}
