//! Choosing the model of a command: the one named, the recording of the
//! prototype when none is named, or a plain message saying how to name one.
//!
//! In: a [`ModelChoice`] and, for replay, the prototype folder and the spec.
//! Out: a connected [`Llm`] and whether it replays a recording. What must
//! not happen here: calling the model.

use std::path::Path;

use super::{Error, ModelChoice};
use crate::llm::{self, Llm, Model, replay};
use crate::progress::Progress;
use crate::spec::{self, Spec};
use crate::vocabulary::plural;

/// The model to use and whether it replays a recording.
pub(super) struct Chosen {
    pub model: Box<dyn Llm>,
    pub is_replay: bool,
}

/// The model named in `choice`; with none named, the exchanges recorded in
/// the prototype in `out` when they were recorded for these features.
pub(super) fn choose(
    choice: &ModelChoice,
    out: &Path,
    spec: &Spec,
    progress: &Progress,
) -> Result<Chosen, Error> {
    let named = choice.model.as_deref().filter(|m| !m.trim().is_empty());
    match named.map(Model::parse).transpose()? {
        Some(Model::Replay) => replaying(out, spec, progress).map_err(|e| Error::Model(e.into())),
        Some(model) => Ok(Chosen {
            model: llm::connect(&model, &choice.settings)?,
            is_replay: false,
        }),
        None => replaying(out, spec, progress).map_err(|error| match error {
            replay::Error::Missing(_) => Error::NoModel(format!(
                "no model configured, and `{}` has no recorded exchanges to replay",
                spec::display_path(out)
            )),
            error @ replay::Error::FeaturesChanged { .. } => {
                Error::NoModel(format!("no model configured, and {error}"))
            }
            error => Error::Model(error.into()),
        }),
    }
}

/// A model for the commands that need a live one (`watch`, `serve`,
/// `critique`): replay and no model at all are refused with `why`.
pub(super) fn live(choice: &ModelChoice, why: &str) -> Result<Box<dyn Llm>, Error> {
    let named = choice.model.as_deref().filter(|m| !m.trim().is_empty());
    match named.map(Model::parse).transpose()? {
        None | Some(Model::Replay) => Err(Error::NoModel(why.to_owned())),
        Some(model) => Ok(llm::connect(&model, &choice.settings)?),
    }
}

fn replaying(out: &Path, spec: &Spec, progress: &Progress) -> Result<Chosen, replay::Error> {
    let replay = replay::Replay::open(out, spec)?;
    let first = &replay.exchanges()[0];
    let who = if first.origin == "hand" {
        "replies written by hand, not by a model".to_owned()
    } else {
        format!("recorded from {}", first.model)
    };
    progress.note(&format!(
        "replaying the {} recorded in `{}` ({who})",
        plural(replay.exchanges().len(), "exchange", "exchanges"),
        spec::display_path(out)
    ));
    if let Some(note) = &first.note {
        progress.note(&format!("  note: {note}"));
    }
    Ok(Chosen {
        model: Box::new(replay),
        is_replay: true,
    })
}
