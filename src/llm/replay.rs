//! Recorded exchanges: every run writes its prompts and replies to the
//! prototype's `.wow/exchanges/` folder, and the `replay` provider serves
//! them back in order, so a recorded run can be rebuilt and re-run offline.
//!
//! One JSON file per model call, `round-NN.json` (`round-NN-<shard>.json`
//! for a shard of a sharded prototype, [`crate::shard`]), shaped as
//! [`Exchange`].
//! Replay refuses when the features changed since the recording: the
//! recorded replies answer other scenarios.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Llm, Reply};
use crate::progress::Progress;
use crate::prompt::Prompt;
use crate::spec::Spec;

/// Version of the exchange file format.
pub const VERSION: u32 = 1;

/// Folder of the recording inside a prototype.
pub const DIR: &str = ".wow/exchanges";

/// Folder of the web app's recording inside a prototype
/// ([`crate::webapp::make`]): its own rounds, numbered from 1.
pub const APP_DIR: &str = ".wow/exchanges/app";

/// One model call as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub version: u32,
    /// Round number, from 1.
    pub round: u32,
    /// `generate` or `repair`.
    pub kind: String,
    /// The model string that answered (`openai/gpt-4.1-mini`).
    pub model: String,
    /// Who wrote the reply: `model`, or `hand` for replies written by a
    /// person (the bundled examples); reports say so.
    pub origin: String,
    /// A note about the recording, shown when it is replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// [`crate::prompt::VERSION`] of the prompt templates.
    pub prompt_version: u32,
    /// SHA-256 (hex) of each feature file, by its path in the prototype.
    pub features: BTreeMap<String, String>,
    pub prompt: Prompt,
    pub reply: Reply,
    /// When the call finished, in seconds since the Unix epoch.
    pub recorded_at_unix: u64,
}

/// Why a recording cannot be read or served.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{}` has no recorded exchanges to replay", .0.display())]
    Missing(PathBuf),
    #[error("failed to read the recording `{}`: {message}", .path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("the recording in `{}` was made for other features ({changes}): replay would serve replies to other scenarios; run with a model (`--model`) to generate anew", .dir.display())]
    FeaturesChanged { dir: PathBuf, changes: String },
    #[error("the recording in `{}` has no reply for round {round}: it holds {recorded}", .dir.display())]
    Exhausted {
        dir: PathBuf,
        round: u32,
        recorded: usize,
    },
}

/// Reads every exchange recorded in `folder` of `prototype_dir` ([`DIR`]
/// or [`APP_DIR`]), in round order.
fn read_in(prototype_dir: &Path, folder: &str) -> Result<Vec<Exchange>, Error> {
    let dir = prototype_dir.join(folder);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Err(Error::Missing(prototype_dir.to_owned()));
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut exchanges = Vec::new();
    for path in paths {
        let unreadable = |message: String| Error::Unreadable {
            path: path.clone(),
            message,
        };
        let text = fs::read_to_string(&path).map_err(|e| unreadable(e.to_string()))?;
        let exchange: Exchange =
            serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        exchanges.push(exchange);
    }
    if exchanges.is_empty() {
        return Err(Error::Missing(prototype_dir.to_owned()));
    }
    exchanges.sort_by_key(|e| e.round);
    Ok(exchanges)
}

/// Replaces the recording in `prototype_dir` with `exchanges`.
pub fn write(prototype_dir: &Path, exchanges: &[Exchange]) -> Result<(), crate::prototype::Error> {
    write_in(prototype_dir, DIR, exchanges)
}

/// Replaces the web app's recording in `prototype_dir` with `exchanges`.
pub fn write_app(
    prototype_dir: &Path,
    exchanges: &[Exchange],
) -> Result<(), crate::prototype::Error> {
    write_in(prototype_dir, APP_DIR, exchanges)
}

fn write_in(
    prototype_dir: &Path,
    folder: &str,
    exchanges: &[Exchange],
) -> Result<(), crate::prototype::Error> {
    let dir = prototype_dir.join(folder);
    if dir.is_dir() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "json") {
                fs::remove_file(entry.path()).map_err(|source| crate::prototype::Error::Write {
                    path: entry.path(),
                    source,
                })?;
            }
        }
    }
    for exchange in exchanges {
        let text = serde_json::to_string_pretty(exchange).expect("exchanges serialize");
        let name = match &exchange.prompt.shard {
            None => format!("round-{:02}.json", exchange.round),
            Some(shard) => format!("round-{:02}-{shard}.json", exchange.round),
        };
        crate::prototype::write(&dir.join(name), &(text + "\n"))?;
    }
    Ok(())
}

/// The `replay` provider: serves recorded replies in round order, each
/// prompt the next reply recorded for its shard ([`Prompt::shard`]), so
/// that the shards' calls may come in any order.
#[derive(Debug)]
pub struct Replay {
    dir: PathBuf,
    exchanges: Vec<Exchange>,
    /// Which exchanges were served.
    served: std::sync::Mutex<Vec<bool>>,
}

impl Replay {
    /// Opens the recording in `prototype_dir`, refusing it when the
    /// features of `spec` differ from those it was recorded for.
    pub fn open(prototype_dir: &Path, spec: &Spec) -> Result<Self, Error> {
        Self::open_in(prototype_dir, DIR, spec)
    }

    /// Opens the web app's recording in `prototype_dir`, on the same terms.
    pub fn open_app(prototype_dir: &Path, spec: &Spec) -> Result<Self, Error> {
        Self::open_in(prototype_dir, APP_DIR, spec)
    }

    fn open_in(prototype_dir: &Path, folder: &str, spec: &Spec) -> Result<Self, Error> {
        let exchanges = read_in(prototype_dir, folder)?;
        let now = spec.hashes();
        let recorded = &exchanges[0].features;
        if *recorded != now {
            let mut changes = Vec::new();
            for (rel, hash) in &now {
                match recorded.get(rel) {
                    None => changes.push(format!("`{rel}` is new")),
                    Some(old) if old != hash => changes.push(format!("`{rel}` changed")),
                    Some(_) => {}
                }
            }
            for rel in recorded.keys().filter(|r| !now.contains_key(*r)) {
                changes.push(format!("`{rel}` is gone"));
            }
            return Err(Error::FeaturesChanged {
                dir: prototype_dir.to_owned(),
                changes: changes.join(", "),
            });
        }
        Ok(Self {
            dir: prototype_dir.to_owned(),
            served: std::sync::Mutex::new(vec![false; exchanges.len()]),
            exchanges,
        })
    }

    /// The recorded exchanges, in order.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }
}

impl Llm for Replay {
    fn name(&self) -> String {
        let first = &self.exchanges[0];
        if first.origin == "hand" {
            "replay (replies written by hand)".to_owned()
        } else {
            format!("replay of {}", first.model)
        }
    }

    fn complete(&self, prompt: &Prompt, _progress: &Progress) -> Result<Reply, super::Error> {
        let mut served = self
            .served
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let same_shard = |e: &Exchange| e.prompt.shard == prompt.shard;
        let next = (0..self.exchanges.len())
            .find(|&i| !served[i] && same_shard(&self.exchanges[i]))
            .ok_or_else(|| {
                let recorded = self.exchanges.iter().filter(|e| same_shard(e)).count();
                Error::Exhausted {
                    dir: self.dir.clone(),
                    round: u32::try_from(recorded + 1).unwrap_or(u32::MAX),
                    recorded,
                }
            })?;
        served[next] = true;
        let mut reply = self.exchanges[next].reply.clone();
        // A recording written by hand, or from a provider that counted
        // nothing, holds zeros: unknown, not zero tokens.
        reply.usage = reply
            .usage
            .filter(|usage| *usage != super::Usage::default());
        Ok(reply)
    }
}
