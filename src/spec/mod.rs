//! Spec stage: `.feature` files in, [`Spec`] out (features, their intents,
//! and warnings), or every Gherkin mistake of every file as one [`Error`].
//!
//! Parsing is the `gherkin` crate's (Gherkin reference,
//! <https://cucumber.io/docs/gherkin/reference>), as cucumber-rs parses the
//! prototype's features; `convert` turns its AST into [`Feature`]s once, so
//! that no other module imports `gherkin`, expanding scenario outlines (one
//! [`Intent`] per Examples row, identified by `path:line` of that row).
//! `diagnose` finds every mistake and suspicious line, in the words of each
//! file's `# language:` (`keywords`). This file holds the types, discovery
//! and [`parse`]. It reads files and never writes or prints.

mod filter;
pub mod messages;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

mod convert;
mod diagnose;
pub(crate) mod keywords;

pub use filter::{Filter, Selection};

/// Largest feature file read, in bytes. Real feature files are a few KiB;
/// anything this big is a mistake (a log or a data dump saved as `.feature`).
pub const MAX_FEATURE_BYTES: u64 = 1024 * 1024;

/// Every feature given to one run; together they form one prototype.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spec {
    /// Prototype name: the folder name or file stem of the first path given.
    pub name: String,
    /// Features in the order found (sorted by path within each folder).
    pub features: Vec<Feature>,
    /// Valid Gherkin that is almost always a mistake (a step under
    /// `Feature:`, a `<placeholder>` that names no Examples column, …), in
    /// file order: for stderr, or refused with [`Spec::deny_warnings`].
    pub warnings: Vec<Diagnostic>,
    /// The filter that chose the intents ([`Spec::select`]); `None` when
    /// every intent is selected.
    pub selection: Option<Selection>,
}

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file is not valid Gherkin (or would lose something, such as a
    /// table cell): nothing can run until it is fixed.
    Error,
    /// Valid Gherkin that almost surely does not say what was meant.
    Warning,
}

/// One problem at a place in a feature file, with what to do about it.
///
/// Displays as `path:line:col: message` (`path:line:col: warning: message`
/// for a warning), then the offending line under it as `    | text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as given (see [`Feature::source`]).
    pub path: PathBuf,
    /// 1-based; one past the last line for "the file ends too early".
    pub line: usize,
    /// 1-based, in characters (a tab counts one).
    pub column: usize,
    pub severity: Severity,
    /// What is wrong and what to do, in the words of the file's
    /// `# language:` (its keywords in backticks).
    pub message: String,
    /// The offending line, verbatim; `None` past the end of the file or
    /// for a blank line.
    pub source_line: Option<String>,
}

impl Diagnostic {
    fn new(path: &Path, text: &str, problem: diagnose::Problem, severity: Severity) -> Self {
        let source_line = text
            .lines()
            .nth(problem.line.saturating_sub(1))
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim_end().to_owned());
        Diagnostic {
            path: path.to_owned(),
            line: problem.line.max(1),
            column: problem.column.max(1),
            severity,
            message: problem.message,
            source_line,
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(
            f,
            "{}:{}:{}: {label}{}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some(line) = &self.source_line {
            write!(f, "\n    | {line}")?;
        }
        Ok(())
    }
}

/// Each diagnostic as a block, blank lines between, then a count when there
/// are several: the text of [`Error::Invalid`] and its kin.
fn listing(diagnostics: &[&Diagnostic]) -> String {
    use std::fmt::Write as _;
    let mut text = diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n");
    if diagnostics.len() > 1 {
        let count = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count()
        };
        let files = diagnostics
            .iter()
            .map(|d| &d.path)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        let mut parts = Vec::new();
        if errors > 0 {
            parts.push(crate::vocabulary::plural(errors, "error", "errors"));
        }
        if warnings > 0 {
            parts.push(crate::vocabulary::plural(warnings, "warning", "warnings"));
        }
        let _ = write!(
            text,
            "\n\n{} in {}",
            parts.join(" and "),
            crate::vocabulary::plural(files, "file", "files")
        );
    }
    text
}

fn invalid(errors: &[Diagnostic], warnings: &[Diagnostic]) -> String {
    listing(&errors.iter().chain(warnings).collect::<Vec<_>>())
}

fn no_intents(paths: &[PathBuf], warnings: &[Diagnostic]) -> String {
    let shown = paths
        .iter()
        .map(|p| format!("`{}`", display_path(p)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        "no intent in {shown}: the features hold no scenario to prompt, build or run; write a `Scenario:` with its steps"
    );
    if !warnings.is_empty() {
        text.push_str("\n\n");
        text.push_str(&listing(&warnings.iter().collect::<Vec<_>>()));
    }
    text
}

fn denied(warnings: &[Diagnostic]) -> String {
    format!(
        "{}\n\nwarnings are errors here (`--deny-warnings`): fix them, or run without it",
        listing(&warnings.iter().collect::<Vec<_>>())
    )
}

/// One parsed `.feature` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature {
    /// The path as the user can open it (relative to the working folder when given so).
    pub source: PathBuf,
    /// Path inside the prototype's `features/` folder, `/`-separated.
    pub rel: String,
    /// The file's text, verbatim.
    pub text: String,
    /// `Feature`, or the keyword of the file's language (`Fonctionnalité`).
    pub keyword: String,
    pub name: String,
    /// Free text under the feature line (usually the As a / I want / So that narrative).
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// The intents selected to run, in file order: every intent unless a
    /// filter left some out ([`Spec::select`]).
    pub intents: Vec<Intent>,
    /// The intents a filter left out, in file order: never prompted for
    /// repair, built into a schedule, run or counted as failing.
    pub left_out: Vec<Intent>,
}

/// One executable scenario: a scenario, or one Examples row of an outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intent {
    /// `source:line`, such as `features/cart.feature:14`.
    pub id: String,
    /// Path inside the prototype's `features/` folder (see [`Feature::rel`]).
    pub file: String,
    /// Line of the scenario, or of the Examples row for an outline (1-based).
    pub line: usize,
    /// Line of the scenario or scenario outline itself.
    pub scenario_line: usize,
    /// The line cucumber-rs reports for this intent: the scenario line, or
    /// for an outline row, the Examples keyword line + row index + 2
    /// (cucumber 0.23 `feature::Ext::expand_examples`), which differs from
    /// [`Intent::line`] when blank lines or comments sit between rows.
    pub cucumber_line: usize,
    pub feature: String,
    pub rule: Option<String>,
    /// Scenario name, with `<placeholders>` filled in for outline rows.
    pub name: String,
    /// Tags of the feature, rule, scenario and Examples table, in that order.
    pub tags: Vec<String>,
    /// The row values for an outline intent.
    pub example: Option<Example>,
    /// Background steps followed by the scenario's steps, placeholders filled in.
    pub steps: Vec<Step>,
}

/// The Examples row an outline intent comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// Name of the Examples table (may be empty).
    pub table: String,
    /// Header cell and value, in column order.
    pub values: Vec<(String, String)>,
}

/// One step of an intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The keyword as written, trimmed (`Given`, `And`, `Soit`, `*`).
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub doc_string: Option<String>,
    pub data_table: Option<Vec<Vec<String>>>,
}

impl Spec {
    /// Names every feature `<folder>/<rel>`, intent ids included: for a
    /// prototype's copies of the features, so that `wow test` reports
    /// `features/cart.feature:12` as `wow run` did, not the copy's path
    /// inside the prototype. Warnings follow their features.
    pub fn rebase(&mut self, folder: &str) {
        let sources = self
            .features
            .iter()
            .map(|f| (f.rel.clone(), Path::new(folder).join(&f.rel)))
            .collect();
        self.rebase_to(&sources);
    }

    /// Names each feature by the path `sources` gives for its path in the
    /// prototype (`rel` → the path the product owner's file had when `wow
    /// run` copied it), intent ids and warnings included, so that `wow
    /// test` reports `gym/gym_membership.feature:27` as `wow run` did.
    /// Features `sources` does not name keep their names.
    pub fn rebase_to(&mut self, sources: &BTreeMap<String, PathBuf>) {
        for feature in &mut self.features {
            let Some(source) = sources.get(&feature.rel) else {
                continue;
            };
            for warning in &mut self.warnings {
                if warning.path == feature.source {
                    warning.path.clone_from(source);
                }
            }
            feature.source.clone_from(source);
            let shown = display_path(&feature.source);
            for intent in feature.intents.iter_mut().chain(&mut feature.left_out) {
                intent.id = format!("{shown}:{}", intent.line);
            }
        }
    }

    /// Each feature's path in the prototype (`rel`) and the path it is
    /// shown by (its source), for [`Spec::rebase_to`].
    pub fn sources(&self) -> BTreeMap<String, PathBuf> {
        self.features
            .iter()
            .map(|f| (f.rel.clone(), PathBuf::from(display_path(&f.source))))
            .collect()
    }

    /// The spec lock: SHA-256 of each feature's text, by its path in the
    /// prototype's `features/` folder.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        self.features
            .iter()
            .map(|f| (f.rel.clone(), sha256(&f.text)))
            .collect()
    }

    /// The spec, or its warnings as an error when it has any: for
    /// `--deny-warnings`, which makes warnings fail a CI run.
    ///
    /// # Errors
    /// [`Error::Warnings`], listing every warning.
    pub fn deny_warnings(self) -> Result<Spec, Error> {
        if self.warnings.is_empty() {
            Ok(self)
        } else {
            Err(Error::Warnings(self.warnings))
        }
    }

    /// The spec of the features at `rels` (paths under `features/`) alone,
    /// in this spec's order: what one shard of a sharded prototype is
    /// prompted with ([`crate::shard`]).
    #[must_use]
    pub fn only(&self, rels: &[String]) -> Self {
        Self {
            name: self.name.clone(),
            features: self
                .features
                .iter()
                .filter(|f| rels.contains(&f.rel))
                .cloned()
                .collect(),
            warnings: Vec::new(),
            selection: self.selection.clone(),
        }
    }

    /// Every selected intent of every feature, in order: what the stages
    /// prompt for, build, run and judge.
    pub fn intents(&self) -> impl Iterator<Item = &Intent> {
        self.features.iter().flat_map(|f| f.intents.iter())
    }

    /// Every intent a filter left out, in order (none without a filter).
    pub fn left_out(&self) -> impl Iterator<Item = &Intent> {
        self.features.iter().flat_map(|f| f.left_out.iter())
    }

    /// The spec with only the intents `filter` selects left in
    /// [`Feature::intents`], the others moved to [`Feature::left_out`],
    /// and the filter kept in [`Spec::selection`]. The feature files
    /// themselves are untouched. An empty filter changes nothing.
    ///
    /// # Errors
    /// [`Error::NothingSelected`] when the filter selects no intent at all:
    /// there would be nothing to prompt, build or run.
    pub fn select(mut self, filter: &Filter) -> Result<Spec, Error> {
        if filter.is_empty() {
            return Ok(self);
        }
        for feature in &mut self.features {
            let mut all = std::mem::take(&mut feature.intents);
            all.append(&mut feature.left_out);
            all.sort_by_key(|i| i.line);
            (feature.intents, feature.left_out) = all.into_iter().partition(|i| filter.selects(i));
        }
        let selection = filter.selection();
        if self.intents().next().is_none() {
            let tags: BTreeSet<String> = self
                .left_out()
                .flat_map(|i| i.tags.iter().map(|t| format!("@{t}")))
                .collect();
            return Err(Error::NothingSelected {
                selection: selection.to_string(),
                intents: self.left_out().count(),
                tags: tags.into_iter().collect(),
            });
        }
        self.selection = Some(selection);
        Ok(self)
    }
}

fn nothing_selected(selection: &str, intents: usize, tags: &[String]) -> String {
    let known = if tags.is_empty() {
        "the features carry no tag".to_owned()
    } else {
        format!("their tags are {}", tags.join(", "))
    };
    format!(
        "{selection} selects none of the {}: {known}; correct the filter, or run without it",
        crate::vocabulary::plural(intents, "intent", "intents")
    )
}

/// Why the features could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{}` does not exist: give a `.feature` file or a folder of them", .0.display())]
    NotFound(PathBuf),
    #[error("no `.feature` files in `{}`: write one (see README) or give another folder", .0.display())]
    Empty(PathBuf),
    #[error("`{}` is not a `.feature` file: give `.feature` files or folders", .0.display())]
    NotFeature(PathBuf),
    #[error("failed to read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not text (it is binary or not UTF-8): save it as UTF-8 text", .0.display())]
    NotText(PathBuf),
    #[error("`{}` is {bytes} bytes, larger than {} bytes: a feature file this big is likely not one", .path.display(), MAX_FEATURE_BYTES)]
    TooLarge { path: PathBuf, bytes: u64 },
    /// Gherkin mistakes, every one in every file given, each with its
    /// place and fix; the warnings of the same files come after them.
    #[error("{}", invalid(.errors, .warnings))]
    Invalid {
        errors: Vec<Diagnostic>,
        warnings: Vec<Diagnostic>,
    },
    /// Valid features without a single intent; the warnings usually say why
    /// (scenarios read as description, a keyword of another language).
    #[error("{}", no_intents(.paths, .warnings))]
    NoIntents {
        paths: Vec<PathBuf>,
        warnings: Vec<Diagnostic>,
    },
    /// Warnings refused by [`Spec::deny_warnings`].
    #[error("{}", denied(.0))]
    Warnings(Vec<Diagnostic>),
    #[error(
        "`--tags {expression}` is not a tag expression ({problem}): write tags with their `@`, joined by `and`, `or`, `not` and parentheses, such as `--tags '@discount and not @slow'`"
    )]
    TagExpression { expression: String, problem: String },
    #[error(
        "`--name {pattern}` is not a regular expression: {problem}\nescape the special characters (`\\(`, `\\.`), or match part of the scenario name, such as `--name 'discount'`"
    )]
    NamePattern { pattern: String, problem: String },
    /// A filter that selects no intent at all: nothing would run.
    #[error("{}", nothing_selected(.selection, *.intents, .tags))]
    NothingSelected {
        /// The filter, as [`Selection`] displays it.
        selection: String,
        /// How many intents the features hold.
        intents: usize,
        /// Every tag of those intents, with its `@`, sorted.
        tags: Vec<String>,
    },
    #[error("`{}` and `{}` would both be `features/{rel}` in the prototype: rename one", .first.display(), .second.display())]
    Collision {
        first: PathBuf,
        second: PathBuf,
        rel: String,
    },
}

/// The language code of a feature file's `# language:` line, if any.
pub fn language(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .find_map(|l| {
            let rest = l.strip_prefix('#')?.trim_start();
            Some(
                rest.strip_prefix("language")?
                    .trim_start()
                    .strip_prefix(':')?
                    .trim(),
            )
        })
}

impl Feature {
    /// Every intent of the feature, selected or left out by a filter, in
    /// file order: what the reports list.
    pub fn every_intent(&self) -> Vec<&Intent> {
        let mut all: Vec<&Intent> = self.intents.iter().chain(&self.left_out).collect();
        all.sort_by_key(|i| i.line);
        all
    }
}

impl Intent {
    /// The result of this intent when it did not run, and why.
    pub fn not_run(&self, message: &str) -> crate::vocabulary::IntentResult {
        use crate::vocabulary::{IntentResult, Status, StepStatus};
        IntentResult {
            id: self.id.clone(),
            status: Status::NotRun,
            failed_step: None,
            failed_step_line: None,
            message: Some(message.to_owned()),
            step_definition: None,
            steps: vec![StepStatus::NotRun; self.steps.len()],
            pinned_by: Vec::new(),
        }
    }
}

/// Lowercase hex SHA-256 of `text` (FIPS 180-4), as the spec lock and the
/// manifest of written files record it.
pub fn sha256(text: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// Reads and parses every `.feature` file under `paths` (files or folders,
/// searched recursively, hidden folders and `suggested/` skipped), and
/// checks them all before answering: the warnings of the files that parse
/// are in [`Spec::warnings`].
///
/// # Errors
/// A path that cannot be searched stops at once ([`Error::NotFound`],
/// [`Error::Empty`], [`Error::NotFeature`], [`Error::Collision`]). Gherkin
/// mistakes, and files that cannot be read, are gathered over every file
/// into one [`Error::Invalid`]; a single unreadable file and nothing else
/// is its own error ([`Error::Read`], [`Error::NotText`], [`Error::TooLarge`]).
/// Features that hold no intent at all give [`Error::NoIntents`]: nothing
/// could be prompted, built or run.
pub fn parse(paths: &[PathBuf]) -> Result<Spec, Error> {
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut order = Vec::new();
    for root in paths {
        for (rel, path) in discover(root)? {
            if let Some(first) = files.get(&rel) {
                return Err(Error::Collision {
                    first: first.clone(),
                    second: path,
                    rel,
                });
            }
            files.insert(rel.clone(), path.clone());
            order.push((rel, path));
        }
    }
    let mut features = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    // The first file that cannot be read, reported as itself when it is
    // the only problem.
    let mut unreadable = None;
    for (rel, path) in order {
        let text = match read(&path) {
            Ok(text) => text,
            Err(error) => {
                errors.push(Diagnostic {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    severity: Severity::Error,
                    message: unreadable_message(&error),
                    source_line: None,
                });
                unreadable.get_or_insert(error);
                continue;
            }
        };
        let checked = check(&path, &text);
        let located = |problems: Vec<diagnose::Problem>, severity| {
            problems
                .into_iter()
                .map(|p| Diagnostic::new(&path, &text, p, severity))
                .collect::<Vec<_>>()
        };
        errors.extend(located(checked.errors, Severity::Error));
        warnings.extend(located(checked.warnings, Severity::Warning));
        if let Some(feature) = checked.feature {
            features.push(convert::convert(&path, rel, text, &feature));
        }
    }
    if let Some(error) = unreadable.filter(|_| errors.len() == 1) {
        return Err(error);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid { errors, warnings });
    }
    let spec = Spec {
        name: prototype_name(paths),
        features,
        warnings,
        selection: None,
    };
    if spec.intents().next().is_none() {
        return Err(Error::NoIntents {
            paths: paths.to_vec(),
            warnings: spec.warnings,
        });
    }
    Ok(spec)
}
fn prototype_name(paths: &[PathBuf]) -> String {
    let first = paths
        .first()
        .map_or_else(|| PathBuf::from("features"), Clone::clone);
    let name = if first.is_dir() {
        fs::canonicalize(&first)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        first.file_stem().map(|n| n.to_string_lossy().into_owned())
    };
    let name: String = name
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "prototype".to_owned()
    } else {
        name
    }
}

/// Lists `(path inside the prototype, path to read)` for one input path.
fn discover(root: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let meta = fs::metadata(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(root.to_owned()),
        _ => Error::Read {
            path: root.to_owned(),
            source,
        },
    })?;
    if meta.is_file() {
        if root.extension().is_none_or(|e| e != "feature") {
            return Err(Error::NotFeature(root.to_owned()));
        }
        let name = root
            .file_name()
            .expect("a file path has a file name")
            .to_string_lossy()
            .into_owned();
        return Ok(vec![(name, root.to_owned())]);
    }
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_owned();
            Error::Read {
                path,
                source: e.into(),
            }
        })?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "feature") {
            let rel = path
                .strip_prefix(root)
                .expect("walkdir yields paths under its root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            found.push((rel, path.to_owned()));
        }
    }
    if found.is_empty() {
        return Err(Error::Empty(root.to_owned()));
    }
    Ok(found)
}

/// Folders a search skips: hidden ones, and `suggested/`, where `wow
/// critique` writes scenarios the product owner has not adopted yet.
fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == SUGGESTED_DIR
}

/// Folder, inside a features folder, of the scenarios `wow critique` suggests.
pub const SUGGESTED_DIR: &str = "suggested";

/// Reads and parses one file.
/// What is wrong with a file [`read`] refused, as a [`Diagnostic`] says it
/// (after the file's path).
fn unreadable_message(error: &Error) -> String {
    match error {
        Error::NotText(_) => {
            "this file is not text (it is binary or not UTF-8): save it as UTF-8 text".to_owned()
        }
        Error::TooLarge { bytes, .. } => format!(
            "this file is {bytes} bytes, larger than {MAX_FEATURE_BYTES} bytes: a feature file this big is likely not one"
        ),
        Error::Read { source, .. } => format!("failed to read this file: {source}"),
        other => other.to_string(),
    }
}

/// Reads one file as text, refusing what cannot be a feature file.
fn read(path: &Path) -> Result<String, Error> {
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let bytes = fs::metadata(path).map_err(read_err)?.len();
    if bytes > MAX_FEATURE_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            bytes,
        });
    }
    let raw = fs::read(path).map_err(read_err)?;
    if raw.contains(&0) {
        return Err(Error::NotText(path.to_owned()));
    }
    String::from_utf8(raw).map_err(|_| Error::NotText(path.to_owned()))
}

/// One file checked: its AST when it is valid, its problems in any case.
struct Checked {
    feature: Option<gherkin::Feature>,
    errors: Vec<diagnose::Problem>,
    warnings: Vec<diagnose::Problem>,
}

/// Parses `text` (read from `path`) with the gherkin crate, and scans it
/// for every mistake (the crate stops at the first, and lets some through,
/// such as extra cells in a table row, which it drops).
fn check(path: &Path, text: &str) -> Checked {
    let scan = diagnose::scan(text);
    // `parse_str` keeps the parser's own messages (unsupported language,
    // inconsistent cells) private; only `parse_path` returns them. Its
    // re-read of a file just read costs microseconds.
    match gherkin::Feature::parse_path(path, gherkin::GherkinEnv::default()) {
        Ok(feature) => {
            // A language the crate knows and the bundled table does not
            // (its `formal` test language): trust the crate, say nothing.
            let Some(language) = scan.language else {
                return Checked {
                    feature: Some(feature),
                    errors: Vec::new(),
                    warnings: Vec::new(),
                };
            };
            let mut warnings = scan.warnings;
            warnings.extend(diagnose::suspicious(language, &feature, text));
            warnings.sort_by_key(|w| (w.line, w.column));
            Checked {
                feature: scan.errors.is_empty().then_some(feature),
                errors: scan.errors,
                warnings,
            }
        }
        Err(gherkin::ParseFileError::Reading { source, .. }) => Checked {
            feature: None,
            errors: vec![diagnose::Problem {
                line: 1,
                column: 1,
                message: format!("failed to read the file: {source}"),
            }],
            warnings: Vec::new(),
        },
        Err(gherkin::ParseFileError::Parsing { error, source, .. }) => {
            if !scan.errors.is_empty() {
                return Checked {
                    feature: None,
                    errors: scan.errors,
                    warnings: scan.warnings,
                };
            }
            let environment = error.map(|e| e.to_string()).unwrap_or_default();
            let problem = diagnose::parser_problem(text, &source.to_string(), &environment);
            // The crate refuses some text the grammar reads as description
            // (a step or a keyword without its colon under `Feature:`): the
            // warnings up to where it stopped say what was meant.
            let (errors, warnings): (Vec<_>, Vec<_>) = scan
                .warnings
                .into_iter()
                .partition(|w| w.line <= problem.line);
            Checked {
                feature: None,
                errors: if errors.is_empty() {
                    vec![problem]
                } else {
                    errors
                },
                warnings,
            }
        }
    }
}

/// A path as shown to users: `/`-separated, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}

/// Lines (1-based) of the `count` data rows of a table whose header is on
/// `header_line`: the next lines that start with `|`, skipping blank lines
#[cfg(test)]
mod tests {
    use super::*;

    /// A temp folder holding `files` (path inside it, text).
    fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temp folder");
        for (path, text) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().expect("under the temp folder")).expect("mkdir");
            fs::write(path, text).expect("write a fixture");
        }
        dir
    }

    /// Parses one feature file with `text`.
    fn feature(text: &str) -> Feature {
        let dir = folder(&[("shop.feature", text.as_bytes())]);
        let mut spec = parse(&[dir.path().join("shop.feature")]).expect("valid Gherkin");
        spec.features.remove(0)
    }

    fn parse_error(path: &Path) -> Error {
        parse(&[path.to_owned()]).expect_err("a bad input")
    }

    fn step(keyword: &str, text: &str, line: usize) -> Step {
        Step {
            keyword: keyword.to_owned(),
            text: text.to_owned(),
            line,
            doc_string: None,
            data_table: None,
        }
    }

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|&c| c.to_owned()).collect())
            .collect()
    }

    const OUTLINE: &str = "\
@shop
Feature: Delivery fees
  Background:
    Given the price list of 2024

  @fees
  Rule: Fees depend on the weight

    @outline
    Scenario Outline: A <weight> kg parcel costs <fee> euros
      Given a parcel of <weight> kg
        \"\"\"
        weighs <weight> kg
        \"\"\"
      When it is sent to these zones:
        | zone | fee   |
        | home | <fee> |
      Then the fee is <fee> euros

      @light
      Examples: Light
        | weight | fee |
        | 1      | 4   |

      @heavy
      Examples: Heavy
        | weight | fee |
        | 20     | 9   |
        | 30     | 12  |
";

    #[test]
    fn outline_rows_become_intents_with_placeholders_filled() {
        let feature = feature(OUTLINE);
        assert_eq!(feature.keyword, "Feature");
        assert_eq!(feature.tags, ["shop"]);
        let rows: Vec<_> = feature
            .intents
            .iter()
            .map(|i| (i.line, i.cucumber_line, i.name.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (23, 23, "A 1 kg parcel costs 4 euros"),
                (28, 28, "A 20 kg parcel costs 9 euros"),
                (29, 29, "A 30 kg parcel costs 12 euros"),
            ]
        );

        let heavy = &feature.intents[2];
        assert!(heavy.id.ends_with("shop.feature:29"), "{}", heavy.id);
        assert_eq!(heavy.file, "shop.feature");
        assert_eq!(heavy.feature, "Delivery fees");
        assert_eq!(heavy.rule.as_deref(), Some("Fees depend on the weight"));
        assert_eq!(heavy.tags, ["shop", "fees", "outline", "heavy"]);
        assert_eq!(
            feature.intents[0].tags,
            ["shop", "fees", "outline", "light"]
        );
        assert_eq!(
            heavy.example,
            Some(Example {
                table: "Heavy".to_owned(),
                values: vec![
                    ("weight".to_owned(), "30".to_owned()),
                    ("fee".to_owned(), "12".to_owned()),
                ],
            })
        );
        assert_eq!(
            heavy.steps,
            [
                step("Given", "the price list of 2024", 4),
                Step {
                    // As gherkin 0.16 and so cucumber's `step.docstring` give it.
                    doc_string: Some("\nweighs 30 kg\n".to_owned()),
                    ..step("Given", "a parcel of 30 kg", 11)
                },
                Step {
                    data_table: Some(table(&[&["zone", "fee"], &["home", "12"]])),
                    ..step("When", "it is sent to these zones:", 15)
                },
                step("Then", "the fee is 12 euros", 18),
            ]
        );
    }

    #[test]
    fn blank_lines_and_comments_between_rows_move_line_but_not_cucumber_line() {
        let feature = feature(
            "Feature: Fees\n\n  Scenario Outline: <n> parcels\n    Given <n> parcels\n\n    Examples:\n      | n |\n      | 1 |\n\n      # the big one\n      | 9 |\n",
        );
        let lines: Vec<_> = feature
            .intents
            .iter()
            .map(|i| (i.line, i.cucumber_line))
            .collect();
        // Examples keyword on line 6: cucumber says 6 + index + 2.
        assert_eq!(lines, [(8, 8), (11, 9)]);
    }

    #[test]
    fn step_keywords_are_kept_as_written() {
        let feature = feature(
            "Feature: Cart\n  Scenario: Add\n    Given an empty cart\n    And a book\n    But no pen\n    * a coupon\n    When I add the book\n    Then the cart holds 1 item\n",
        );
        let keywords: Vec<_> = feature.intents[0]
            .steps
            .iter()
            .map(|s| s.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["Given", "And", "But", "*", "When", "Then"]);
    }

    #[test]
    fn a_french_feature_keeps_its_keywords() {
        let feature = feature(
            "# language: fr\nFonctionnalité: Panier\n  Scénario: Ajouter un livre\n    Soit un panier vide\n    Quand j'ajoute un livre\n    Alors le panier contient 1 article\n",
        );
        assert_eq!(feature.keyword, "Fonctionnalité");
        assert_eq!(feature.name, "Panier");
        let intent = &feature.intents[0];
        assert_eq!((intent.name.as_str(), intent.line), ("Ajouter un livre", 3));
        let keywords: Vec<_> = intent.steps.iter().map(|s| s.keyword.as_str()).collect();
        assert_eq!(keywords, ["Soit", "Quand", "Alors"]);
    }

    #[test]
    fn a_folder_gives_sorted_relative_paths_and_skips_hidden_folders() {
        let text: &[u8] = b"Feature: F\n  Scenario: S\n    Given a step\n";
        let dir = folder(&[
            ("shop/checkout/pay.feature", text),
            ("shop/cart.feature", text),
            ("account.feature", text),
            (".drafts/old.feature", text),
            ("notes.txt", b"not a feature"),
        ]);
        let spec = parse(&[dir.path().to_owned()]).expect("valid features");
        let rels: Vec<_> = spec.features.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "account.feature",
                "shop/cart.feature",
                "shop/checkout/pay.feature"
            ]
        );
        assert_eq!(
            spec.features[1].source,
            dir.path().join("shop/cart.feature")
        );
        assert_eq!(
            spec.intents().nth(1).expect("3 intents").file,
            "shop/cart.feature"
        );
    }

    #[test]
    fn the_prototype_is_named_after_the_folder_or_file_stem() {
        let text: &[u8] = b"Feature: F\n  Scenario: S\n    Given a step\n";
        let dir = folder(&[
            ("bank/overdraw.feature", text),
            ("my shop/cart.feature", text),
        ]);
        let name = |path: &str| parse(&[dir.path().join(path)]).expect("valid").name;
        assert_eq!(name("bank"), "bank");
        assert_eq!(name("bank/overdraw.feature"), "overdraw");
        assert_eq!(name("my shop"), "my-shop");
    }

    #[test]
    fn rebase_renames_features_intents_and_warnings() {
        let dir = folder(&[(
            "features/cart.feature",
            b"Feature: Cart\n  Scenario Outline: Add\n    Given <n> books\n",
        )]);
        let mut spec = parse(&[dir.path().join("features")]).expect("valid");
        spec.rebase("shop");
        assert_eq!(spec.features[0].source, Path::new("shop/cart.feature"));
        assert_eq!(
            spec.intents().next().expect("1 intent").id,
            "shop/cart.feature:2"
        );
        assert_eq!(spec.warnings.len(), 1, "{:?}", spec.warnings);
        assert_eq!(spec.warnings[0].path, Path::new("shop/cart.feature"));
    }

    #[test]
    fn an_unreadable_file_is_listed_with_the_other_mistakes() {
        let dir = folder(&[
            ("logo.feature", b"Feature: F\0\x89PNG"),
            (
                "cart.feature",
                b"Feature: Cart\n  Scenario: Add\n    Given a cart\n    oops\n",
            ),
        ]);
        let error = parse_error(dir.path());
        let Error::Invalid { errors, .. } = &error else {
            panic!("{error:?}");
        };
        let found: Vec<_> = errors.iter().map(|e| (e.path.clone(), e.line)).collect();
        assert_eq!(
            found,
            [
                (dir.path().join("cart.feature"), 4),
                (dir.path().join("logo.feature"), 1)
            ]
        );
        let text = error.to_string();
        assert!(
            text.contains(&format!(
                "{}:1:1: this file is not text (it is binary or not UTF-8): save it as UTF-8 text",
                dir.path().join("logo.feature").display()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_missing_path_says_what_to_give() {
        let dir = folder(&[]);
        let path = dir.path().join("missing.feature");
        let error = parse_error(&path);
        assert!(matches!(error, Error::NotFound(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "`{}` does not exist: give a `.feature` file or a folder of them",
                path.display()
            )
        );
    }

    #[test]
    fn an_empty_folder_says_to_write_a_feature() {
        let dir = folder(&[("notes.txt", b"hello")]);
        let error = parse_error(dir.path());
        assert!(matches!(error, Error::Empty(_)), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains(&format!("`{}`", dir.path().display())),
            "{text}"
        );
        assert!(text.contains("write one"), "{text}");
    }

    #[test]
    fn a_text_file_is_not_a_feature() {
        let dir = folder(&[("notes.txt", b"Feature: F\n")]);
        let path = dir.path().join("notes.txt");
        let error = parse_error(&path);
        assert!(matches!(error, Error::NotFeature(_)), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&format!("`{}`", path.display())), "{text}");
        assert!(text.contains("give `.feature` files or folders"), "{text}");
    }

    #[test]
    fn a_binary_file_is_not_text() {
        let dir = folder(&[("logo.feature", b"Feature: F\0\x89PNG")]);
        let path = dir.path().join("logo.feature");
        let error = parse_error(&path);
        assert!(matches!(error, Error::NotText(_)), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&format!("`{}`", path.display())), "{text}");
        assert!(text.contains("save it as UTF-8 text"), "{text}");
    }

    #[test]
    fn a_huge_file_is_refused_before_reading() {
        let size = usize::try_from(MAX_FEATURE_BYTES).expect("1 MiB fits") + 1;
        let dir = folder(&[("dump.feature", &vec![b'#'; size])]);
        let path = dir.path().join("dump.feature");
        let error = parse_error(&path);
        assert!(matches!(error, Error::TooLarge { .. }), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&format!("`{}`", path.display())), "{text}");
        assert!(text.contains(&format!("is {size} bytes")), "{text}");
        assert!(text.contains("likely not one"), "{text}");
    }

    #[test]
    fn mistakes_in_the_middle_of_a_file_are_pointed_at_where_they_are() {
        let dir = folder(&[
            (
                "stray.feature",
                b"Feature: Cart\n  Scenario: Add\n    Given an empty cart\n  Whatever this is\n  Scenario: B\n    Given x\n",
            ),
            (
                "cells.feature",
                b"Feature: Cart\n  Scenario: Add\n    Given these books:\n      | title | price |\n      | Dune |\n    Then the cart holds 1 item\n",
            ),
        ]);
        let stray = parse_error(&dir.path().join("stray.feature")).to_string();
        assert!(
            stray.contains("stray.feature:4:3: this line is not a step"),
            "{stray}"
        );
        assert!(stray.ends_with("|   Whatever this is"), "{stray}");
        let cells = parse_error(&dir.path().join("cells.feature")).to_string();
        assert!(
            cells.contains(
                "cells.feature:5:7: this table row has 1 cell but the table's first row has 2"
            ),
            "{cells}"
        );
    }

    #[test]
    fn a_syntax_error_starts_with_path_line_and_column() {
        let dir = folder(&[(
            "cart.feature",
            b"Feature: Cart\n  Scenario: Add\n    Given these books:\n      | title\n",
        )]);
        let path = dir.path().join("cart.feature");
        assert_eq!(
            parse_error(&path).to_string(),
            format!(
                "{}:4:7: this table row does not end with `|`: close it with `|` (a `|` inside a cell is written `\\|`)\n    |       | title",
                path.display()
            )
        );
    }
}
