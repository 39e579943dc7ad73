//! Verdict stage: a prototype on disk in, one verdict per intent out.
//!
//! In: the spec, the prototype folder (its files written, its feature
//! copies locked), the model-owned files it holds, the shared target
//! directory and the limits. Out: an [`Evaluation`]: rustc's errors, or one
//! result per intent after the scenarios ran and the honesty check looked
//! at the passing ones. This is the one path from code to verdict, shared
//! by the repair loop's rounds, `wow test` and `wow watch`. What must not
//! happen here: calling the model, or writing a model-owned file.

use std::path::Path;
use std::sync::Arc;

use crate::cargo::{self, Build, Compiled, Counter, Diagnostic, Limits};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::spec::Spec;
use crate::vocabulary::{Files, Finding, IntentResult};

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
    /// Time of the build and run of the scenarios, in milliseconds.
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
/// `files`), runs its scenarios and checks the passing intents. `round`
/// prefixes the progress phases (`round 2: `, or empty).
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
    prototype.check_features()?;
    let built = cargo::build_counted(&prototype.dir, target_dir, limits, counter(progress))?;
    let (executable, build_ms) = match built {
        Build::Errors {
            diagnostics,
            duration_ms,
        } => {
            return Ok(Evaluation::CompileErrors {
                diagnostics,
                cargo_ms: duration_ms,
            });
        }
        Build::Built {
            executable,
            duration_ms,
        } => (executable, duration_ms),
    };
    progress.phase(&format!("{round}running the scenarios"));
    let mut run = cargo::run(spec, &prototype.dir, &executable, limits)?;
    let verification = crate::vacuity::verify(
        spec,
        prototype,
        files,
        &mut run.results,
        target_dir,
        limits,
        progress,
    );
    Ok(Evaluation::Ran(Verdicts {
        results: run.results,
        findings: verification.findings,
        cargo_ms: build_ms + run.duration_ms,
        honesty_ms: verification.duration_ms,
        unavailable: verification.unavailable,
        unpinned: verification.unpinned,
    }))
}

/// Shows on the progress line how many crates cargo has compiled.
pub fn counter(progress: &Progress) -> Counter {
    let progress = progress.clone();
    Arc::new(move |compiled: Compiled| progress.compiled(compiled.done, compiled.total))
}
