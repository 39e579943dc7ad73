//! Watch stage: re-run when the product owner saves a feature file.
//!
//! In: the feature paths. Out: a [`Watcher`] that blocks until a `.feature`
//! file under them is saved (`notify`, debounced so an editor's several
//! writes count once), [`changes`] between two parses of the scenarios (for
//! the edit prompt) and [`since`] between two reports (for the scoreboard).
//! The pipeline itself is driven by the caller; nothing here runs a model
//! or writes the prototype.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::report::Report;
use crate::spec::{Intent, Spec};
use crate::vocabulary::Status;

/// How long the files must stay quiet before a change counts: an editor's
/// save is often several writes.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Why the feature files cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot watch `{}` for changes: {source}", .path.display())]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("the watch on the feature files stopped")]
    Stopped,
}

/// Waits for saved feature files.
pub struct Watcher {
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    _watcher: RecommendedWatcher,
}

impl Watcher {
    /// Watches every path in `paths` (files, or folders recursively).
    pub fn new(paths: &[PathBuf]) -> Result<Self, Error> {
        let (sender, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(sender).map_err(|source| Error::Watch {
            path: paths.first().cloned().unwrap_or_default(),
            source,
        })?;
        for path in paths {
            watcher
                .watch(path, RecursiveMode::Recursive)
                .map_err(|source| Error::Watch {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(Self {
            events,
            _watcher: watcher,
        })
    }

    /// Blocks until a `.feature` file is created, written or removed, and
    /// then until the files have been quiet for a moment.
    pub fn wait(&self) -> Result<(), Error> {
        loop {
            let event = self.events.recv().map_err(|_| Error::Stopped)?;
            if is_save(&event) {
                break;
            }
        }
        // Later events of the same save are part of it.
        while self.events.recv_timeout(DEBOUNCE).is_ok() {}
        Ok(())
    }
}

/// Whether `event` changed a feature file. Opening or reading one (which
/// `wow` itself does on every pass, as does any editor) is not a change,
/// nor is a change of its metadata.
fn is_save(event: &notify::Result<notify::Event>) -> bool {
    let Ok(event) = event else { return false };
    let changes = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) && !matches!(event.kind, EventKind::Modify(ModifyKind::Metadata(_)));
    changes && event.paths.iter().any(|p| is_feature(p))
}

fn is_feature(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "feature")
}

/// What changed in the scenarios between two parses, as plain lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// The ids of the new and changed intents, in the new spec.
    pub touched: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// A Markdown list for the edit prompt.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (sign, what, items) in [
            ("+", "new", &self.added),
            ("~", "changed", &self.changed),
            ("-", "removed", &self.removed),
        ] {
            for item in items {
                let _ = writeln!(out, "- {sign} {what}: {item}");
            }
        }
        out
    }
}

/// An intent's identity across edits: its file, name and example values
/// (its line moves when lines are added above it).
fn key(intent: &Intent) -> String {
    let values = intent
        .example
        .as_ref()
        .map(|e| {
            e.values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!("{} :: {} :: {values}", intent.file, intent.name)
}

/// The steps as written, without their lines (which move with edits above).
fn wording(intent: &Intent) -> Vec<String> {
    intent
        .steps
        .iter()
        .map(|s| {
            format!(
                "{} {}\n{:?}\n{:?}",
                s.keyword, s.text, s.doc_string, s.data_table
            )
        })
        .collect()
}

fn describe(intent: &Intent) -> String {
    format!("scenario \"{}\" ({})", intent.name, intent.id)
}

/// Intents added, changed (other steps) or removed from `old` to `new`.
pub fn changes(old: &Spec, new: &Spec) -> Changes {
    // Every scenario, those a filter left out too: the model keeps the
    // prototype up to date with the whole features; only runs are filtered.
    fn every(spec: &Spec) -> BTreeMap<String, &Intent> {
        spec.intents()
            .chain(spec.left_out())
            .map(|i| (key(i), i))
            .collect()
    }
    let (before, after) = (every(old), every(new));
    let mut changes = Changes::default();
    for (key, intent) in &after {
        match before.get(key) {
            None => {
                changes.added.push(describe(intent));
                changes.touched.push(intent.id.clone());
            }
            Some(old) if wording(old) != wording(intent) => {
                changes.changed.push(describe(intent));
                changes.touched.push(intent.id.clone());
            }
            Some(_) => {}
        }
    }
    for (key, intent) in &before {
        if !after.contains_key(key) {
            changes
                .removed
                .push(format!("scenario \"{}\"", intent.name));
        }
    }
    changes
}

/// Intent changes between two runs, for the product owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Since {
    pub newly_passing: Vec<String>,
    pub newly_failing: Vec<String>,
    /// Intents whose steps the product owner changed, status unchanged.
    pub changed: Vec<String>,
    pub new: Vec<String>,
    pub removed: Vec<String>,
}

/// What changed from the `old` report to the `new` one, by intent name.
pub fn since(old: &Report, new: &Report) -> Since {
    let name = |feature: &str, intent: &str| format!("{feature} › {intent}");
    let wording = |i: &crate::report::IntentReport| {
        i.steps
            .iter()
            .map(|s| format!("{} {}", s.keyword, s.text))
            .collect::<Vec<_>>()
    };
    // Intents a filter left out neither pass nor fail: nothing to compare.
    let judged = |i: &&crate::report::IntentReport| i.status != Status::LeftOut;
    let before: BTreeMap<String, (Status, Vec<String>)> = old
        .intents
        .iter()
        .filter(judged)
        .map(|i| (name(&i.feature, &i.name), (i.status, wording(i))))
        .collect();
    let mut since = Since::default();
    let mut seen = Vec::new();
    for intent in new.intents.iter().filter(judged) {
        let id = name(&intent.feature, &intent.name);
        seen.push(id.clone());
        match before.get(&id) {
            None => since.new.push(intent.name.clone()),
            Some((Status::Passed, _)) if intent.status != Status::Passed => {
                since.newly_failing.push(intent.name.clone());
            }
            Some((status, _)) if *status != Status::Passed && intent.status == Status::Passed => {
                since.newly_passing.push(intent.name.clone());
            }
            Some((_, steps)) if *steps != wording(intent) => {
                since.changed.push(intent.name.clone());
            }
            Some(_) => {}
        }
    }
    for intent in old.intents.iter().filter(judged) {
        if !seen.contains(&name(&intent.feature, &intent.name)) {
            since.removed.push(intent.name.clone());
        }
    }
    since
}

impl Since {
    /// The terminal's text after a save during a meeting: a separator
    /// naming the run, what changed since the last run first (one line),
    /// then the totals and only the intents that do not pass, each with
    /// its reason.
    pub fn compact(&self, run: usize, report: &Report) -> String {
        let mut out = format!("\n── run {run}, after a save {}\n", "─".repeat(40));
        if let Some(line) = self.line() {
            let _ = writeln!(out, "{line}");
        }
        let rounds: Vec<u32> = report.rounds.iter().map(|r| r.number).collect();
        let _ = write!(
            out,
            "{} of {} pass",
            report.summary.passed,
            crate::vocabulary::plural(report.summary.intents, "intent", "intents")
        );
        match (rounds.first(), rounds.last()) {
            (Some(first), Some(last)) if first != last => {
                let _ = writeln!(out, " · rounds {first}–{last}");
            }
            (Some(only), _) => {
                let _ = writeln!(out, " · round {only}");
            }
            _ => out.push('\n'),
        }
        for intent in report.not_passing() {
            let _ = writeln!(
                out,
                "  {} {}  {}",
                mark(intent.status),
                intent.name,
                intent.id
            );
            if let Some(reason) = &intent.reason {
                let _ = writeln!(out, "      {reason}");
            }
        }
        out
    }

    /// One part per kind of change, in the order a product owner looks
    /// for them.
    fn parts(&self) -> Vec<String> {
        [
            ("✔ newly passing", &self.newly_passing),
            ("✘ newly failing", &self.newly_failing),
            ("~ changed", &self.changed),
            ("+ new", &self.new),
            ("− removed", &self.removed),
        ]
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(label, names)| format!("{label}: {}", names.join(", ")))
        .collect()
    }

    /// One line for the scoreboard, or `None` when nothing changed.
    pub fn line(&self) -> Option<String> {
        let parts = self.parts();
        (!parts.is_empty()).then(|| format!("since the last run: {}", parts.join(" · ")))
    }
}

/// The mark of an intent that does not pass, as the scoreboard shows it.
fn mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "✔",
        Status::Failed => "✘",
        Status::Hollow => "◌",
        Status::Unverified => "◍",
        Status::Disputed => "⚑",
        Status::LeftOut => "–",
        Status::NotRun | Status::Undefined | Status::Ambiguous => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> (Spec, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("a.feature"), text).expect("write");
        (
            crate::spec::parse(&[dir.path().to_owned()]).expect("valid"),
            dir,
        )
    }

    #[test]
    fn edits_are_told_apart_from_moves() {
        let (old, _a) = spec(
            "Feature: F\n  Scenario: Keep\n    Given a\n  Scenario: Change\n    Given b\n  Scenario: Drop\n    Given c\n",
        );
        let (new, _b) = spec(
            "Feature: F\n\n  Scenario: New\n    Given d\n  Scenario: Keep\n    Given a\n  Scenario: Change\n    Given b2\n",
        );
        let changes = changes(&old, &new);
        assert_eq!(changes.added.len(), 1, "{changes:?}");
        assert!(changes.added[0].contains("\"New\""));
        assert_eq!(changes.changed.len(), 1, "{changes:?}");
        assert!(changes.changed[0].contains("\"Change\""));
        assert_eq!(changes.removed, ["scenario \"Drop\""]);
        assert!(changes.describe().contains("- + new: scenario \"New\""));
        assert!(super::changes(&new, &new).is_empty());
    }
}
