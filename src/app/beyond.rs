//! Beyond the examples: the scenarios `wow critique` suggests, run against
//! the current prototype without ever showing them to the model that wrote
//! it. Whether they already pass says whether the prototype generalises
//! beyond the product owner's examples; those that fail or are not
//! understood are the decisions left to make.
//!
//! In: the workspace of an existing prototype and the critique's suggested
//! feature files. Out: one [`Suggested`] result per suggested scenario, in
//! the critique. A copy of the prototype with the suggested features in
//! place of the product owner's is written afresh in `.wow/suggested/` and
//! built and run like any prototype (sandboxed, in the shared target
//! directory). What must not happen here: a model call, or a write to the
//! prototype itself or to the product owner's features.

use super::{Error, Workspace};
use crate::cargo::{self, Build};
use crate::critique::{Critique, Suggested};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::spec::{self, Spec};
use crate::vocabulary::{IntentResult, Status};

/// The state folder of the copy with the suggested features.
const FOLDER: &str = "suggested";

/// Runs the scenarios of `critique`'s files against `workspace`'s
/// prototype as it is on disk, and records how each went in `critique`.
pub(super) fn check(
    workspace: &Workspace,
    critique: &mut Critique,
    progress: &Progress,
) -> Result<(), Error> {
    let files: Vec<_> = std::iter::once(critique.file.clone())
        .chain(critique.more_files.iter().cloned())
        .collect();
    // Parsed already when they were written; features without a scenario
    // have nothing to run.
    let Ok(suggested) = spec::parse(&files) else {
        return Ok(());
    };
    progress.phase("running the suggested scenarios against the current prototype");
    let model_files = workspace.prototype.read_files()?;
    let copy = Prototype::new(workspace.prototype.state(FOLDER))
        .with_crates(workspace.prototype.crates.clone());
    match std::fs::remove_dir_all(&copy.dir) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
            return Err(crate::prototype::Error::Write {
                path: copy.dir.clone(),
                source,
            }
            .into());
        }
        _ => {}
    }
    // A sharded prototype's suggestions are not any one feature's: every
    // shard's World runs every suggested scenario, and each scenario's
    // result is that of the World that understood it best.
    let layout = workspace.prototype.layout();
    let every_world = crate::shard::Layout {
        shards: layout
            .shards
            .iter()
            .map(|s| crate::shard::Shard {
                module: s.module.clone(),
                features: Vec::new(),
            })
            .collect(),
    };
    copy.set_layout(&every_world)?;
    copy.write_skeleton(&suggested, &workspace.target_dir)?;
    copy.write_files(&model_files)?;
    let _lock = cargo::lock(&workspace.target_dir)?;
    let results = match cargo::build(&copy.dir, &workspace.target_dir, workspace.limits)? {
        Build::Built { executable, .. } => {
            let run = cargo::run(&suggested, &copy.dir, &executable, workspace.limits)?;
            if layout.is_single() {
                run.results
            } else {
                cargo::results::best_of_worlds(&suggested, &run.json).unwrap_or(run.results)
            }
        }
        Build::Errors { .. } => suggested
            .intents()
            .map(|i| i.not_run("the prototype does not compile"))
            .collect(),
    };
    critique.checked = outcomes(&suggested, &results);
    Ok(())
}

/// One [`Suggested`] per intent of `spec`, from its result.
fn outcomes(spec: &Spec, results: &[IntentResult]) -> Vec<Suggested> {
    spec.intents()
        .zip(results)
        .map(|(intent, result)| Suggested {
            id: intent.id.clone(),
            name: intent.name.clone(),
            status: match result.status {
                // Not examined by the honesty check: only whether it passes.
                Status::Passed | Status::Hollow | Status::Unverified | Status::Disputed => {
                    Status::Passed
                }
                other => other,
            },
            step: result.failed_step.clone(),
            message: result.message.clone(),
        })
        .collect()
}
