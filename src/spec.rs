//! Spec stage: `.feature` files in, [`Spec`] out (features and their intents).
//!
//! Parsing is the `gherkin` crate's (Gherkin reference,
//! <https://cucumber.io/docs/gherkin/reference>); this module converts its AST
//! once so that no other module imports `gherkin`. Scenario outlines are
//! expanded here: one [`Intent`] per Examples row, identified by `path:line`
//! of that row. It reads files and never writes.

pub mod messages;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

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
    pub intents: Vec<Intent>,
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
    /// inside the prototype.
    pub fn rebase(&mut self, folder: &str) {
        for feature in &mut self.features {
            feature.source = Path::new(folder).join(&feature.rel);
            let shown = display_path(&feature.source);
            for intent in &mut feature.intents {
                intent.id = format!("{shown}:{}", intent.line);
            }
        }
    }

    /// The spec lock: SHA-256 of each feature's text, by its path in the
    /// prototype's `features/` folder.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        self.features
            .iter()
            .map(|f| (f.rel.clone(), sha256(&f.text)))
            .collect()
    }

    /// Every intent of every feature, in order.
    pub fn intents(&self) -> impl Iterator<Item = &Intent> {
        self.features.iter().flat_map(|f| f.intents.iter())
    }
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
    #[error("{}:{line}:{col}: {message}{}", .path.display(), excerpt(.source_line.as_deref()))]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
        source_line: Option<String>,
    },
    #[error("`{}` and `{}` would both be `features/{rel}` in the prototype: rename one", .first.display(), .second.display())]
    Collision {
        first: PathBuf,
        second: PathBuf,
        rel: String,
    },
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

fn excerpt(line: Option<&str>) -> String {
    line.map(|l| format!("\n    | {}", l.trim_end()))
        .unwrap_or_default()
}

/// Reads and parses every `.feature` file under `paths` (files or folders,
/// searched recursively, hidden folders skipped).
///
/// # Errors
/// The first file that cannot be read or parsed; see [`Error`].
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
    let features = order
        .into_iter()
        .map(|(rel, path)| parse_file(&path, rel))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Spec {
        name: prototype_name(paths),
        features,
    })
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
fn parse_file(path: &Path, rel: String) -> Result<Feature, Error> {
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
    let text = String::from_utf8(raw).map_err(|_| Error::NotText(path.to_owned()))?;
    let feature = parse_text(path, &text)?;
    Ok(convert(path, rel, text, &feature))
}

/// Parses `text` (read from `path`) with the gherkin crate.
fn parse_text(path: &Path, text: &str) -> Result<gherkin::Feature, Error> {
    // `parse_path` is the only entry point that returns the parser's own
    // messages (unknown keyword, unsupported language, inconsistent cells);
    // `Feature::parse` keeps them private. Its re-read of a file just read
    // costs microseconds.
    let env = gherkin::GherkinEnv::default();
    match gherkin::Feature::parse_path(path, env) {
        Ok(feature) => Ok(feature),
        Err(gherkin::ParseFileError::Reading { source, .. }) => Err(Error::Read {
            path: path.to_owned(),
            source,
        }),
        Err(gherkin::ParseFileError::Parsing { error, source, .. }) => {
            let (line, col) = error_position(&source.to_string()).unwrap_or((1, 1));
            let env = error.map(|e| e.to_string()).unwrap_or_default();
            let (line, col, message) = if env.starts_with("Requested language") {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with('#') && l.contains("language"))
                    .map_or(1, |i| i + 1);
                (line, 1, language_message(&env))
            } else if let Some(found) = locate(text) {
                found
            } else if env.starts_with("Inconsistent cell count") {
                (
                    line,
                    col,
                    "a table row has a different number of cells from the table's first row (a `|` inside a cell must be written `\\|`)".to_owned(),
                )
            } else {
                // The parser's "unknown keyword" text is whatever it failed
                // on: point at the line it stopped on and say what may stand
                // there instead.
                (line, col, syntax_message(text, line))
            };
            let line = line.max(1);
            let source_line = text
                .lines()
                .nth(line - 1)
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned);
            Err(Error::Syntax {
                path: path.to_owned(),
                line,
                col: col.max(1),
                message,
                source_line,
            })
        }
    }
}

/// The gherkin crate gives the position only in its Display text:
/// `Error at L:C: {expected tokens}`.
fn error_position(display: &str) -> Option<(usize, usize)> {
    let rest = display.strip_prefix("Error at ")?;
    let (line, rest) = rest.split_once(':')?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, col.parse().ok()?))
}

fn language_message(text: &str) -> String {
    let lang = text
        .trim_end_matches('.')
        .strip_prefix("Requested language '")
        .and_then(|t| t.strip_suffix("' is not supported"))
        .unwrap_or(text);
    format!(
        "`# language: {lang}` is not a Gherkin language: use a code such as `en`, `fr`, `de` or `es`"
    )
}

/// The gherkin crate often reports a position after the mistake (at the
/// end of the file, or on the next valid line). Finds the commonest
/// mistakes where they are: text before `Feature:`, a table row that does
/// not end with `|` or has another number of cells than its table's first
/// row, a second doc string on one step, tags with nothing after them, and
/// (in English files, whose keywords are known here) free text after a step.
/// Returns `(line, column, message)`.
fn locate(text: &str) -> Option<(usize, usize, String)> {
    const SECTIONS: &[&str] = &[
        "Feature",
        "Rule",
        "Background",
        "Scenario",
        "Scenario Outline",
        "Scenario Template",
        "Example",
        "Examples",
        "Scenarios",
        "Business Need",
        "Ability",
    ];
    const STEPS: &[&str] = &["Given", "When", "Then", "And", "But", "*"];
    let lines: Vec<&str> = text.lines().collect();
    let column = |l: &str| l.len() - l.trim_start().len() + 1;
    let is_meta = |t: &str| t.is_empty() || t.starts_with('#') || t.starts_with('@');
    let first = lines.iter().position(|l| !is_meta(l.trim()))?;
    if !lines[first].contains(':') {
        return Some((
            first + 1,
            column(lines[first]),
            "a feature file must begin with a `Feature:` line (tags, comments and `# language:` may come before it)".to_owned(),
        ));
    }
    let english = !lines[..first].iter().any(|l| {
        let t = l.trim_start_matches(|c: char| c == '#' || c.is_whitespace());
        t.starts_with("language") && !t.trim_end().ends_with("en")
    });
    let mut in_doc_string = false;
    let mut closed_doc_string_at = None;
    let mut in_steps = false;
    let mut table_width = None;
    for (index, line) in lines.iter().enumerate() {
        let t = line.trim();
        let at = |message: &str| Some((index + 1, column(line), message.to_owned()));
        if t.starts_with("\"\"\"") || t.starts_with("```") {
            if !in_doc_string && index > 0 && closed_doc_string_at == Some(index - 1) {
                return at("a step can have only one doc string: merge the two");
            }
            if in_doc_string {
                closed_doc_string_at = Some(index);
            }
            in_doc_string = !in_doc_string;
            continue;
        }
        if in_doc_string || t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('|') {
            if let Some(message) = table_row_mistake(t, &mut table_width) {
                return at(&message);
            }
            continue;
        }
        table_width = None;
        if t.starts_with('@') {
            let tags = t.split(" #").next().unwrap_or(t);
            if tags.split_whitespace().any(|word| !word.starts_with('@')) {
                return at(
                    "a tag may not contain spaces: write `@a-tag`, and put each tag after its own `@`",
                );
            }
            continue;
        }
        if !english {
            continue;
        }
        if t.split_once(':')
            .is_some_and(|(k, _)| SECTIONS.contains(&k.trim()))
        {
            in_steps = false;
        } else if STEPS
            .iter()
            .any(|k| t == *k || t.starts_with(&format!("{k} ")))
        {
            in_steps = true;
        } else if in_steps {
            return at(
                "this line is not a step: after a step come more steps (`Given`, `When`, `Then`, `And`, `But`, `*`), a table row `| … |`, a doc string, or a new `Scenario:`",
            );
        }
    }
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    if lines[last].trim().starts_with('@') {
        return Some((
            last + 1,
            column(lines[last]),
            "these tags are followed by nothing: tags go on the line before a `Feature:`, `Rule:`, `Scenario:` or `Examples:`".to_owned(),
        ));
    }
    None
}

/// What is wrong with table row `row` (trimmed), given the width of its
/// table's first row (set here for a first row).
fn table_row_mistake(row: &str, table_width: &mut Option<usize>) -> Option<String> {
    if !row.ends_with('|') || row.ends_with("\\|") && !row.ends_with("\\\\|") {
        return Some("this table row does not end with `|`".to_owned());
    }
    let cells = row
        .replace("\\\\", "")
        .replace("\\|", "")
        .matches('|')
        .count()
        - 1;
    match *table_width {
        None => *table_width = Some(cells),
        Some(width) if width != cells => {
            return Some(format!(
                "this table row has {} but the table's first row has {width} (a `|` inside a cell must be written `\\|`)",
                crate::vocabulary::plural(cells, "cell", "cells")
            ));
        }
        Some(_) => {}
    }
    None
}

/// A plain-language message for a position the parser could not go past.
fn syntax_message(text: &str, line: usize) -> String {
    let open_doc_string = text
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("\"\"\"") || t.starts_with("```")
        })
        .count()
        % 2
        == 1;
    let rest_blank = text
        .lines()
        .skip(line.saturating_sub(1))
        .all(|l| l.trim().is_empty());
    let only_tags_left = text.lines().skip(line.saturating_sub(1)).all(|l| {
        l.trim().is_empty() || l.trim_start().starts_with('@') || l.trim_start().starts_with('#')
    });
    if only_tags_left && !rest_blank && !open_doc_string {
        return "tags must be followed by what they tag (a `Scenario:`, `Examples:`, `Rule:` or `Feature:`), but the file ends".to_owned();
    }
    if rest_blank || open_doc_string {
        return if open_doc_string {
            "the file ends inside a doc string: close it with `\"\"\"`".to_owned()
        } else {
            "the file ends too early: a feature needs at least a `Feature:` line, and a rule or outline its scenarios or Examples".to_owned()
        };
    }
    "this line is not valid Gherkin here: expected a keyword (`Feature:`, `Rule:`, `Background:`, `Scenario:`, `Examples:`, `Given`, `When`, `Then`, `And`, `But`, `*`), a table row `| … |`, a tag `@…`, a doc string or a `#` comment".to_owned()
}

fn convert(path: &Path, rel: String, text: String, feature: &gherkin::Feature) -> Feature {
    let lines: Vec<&str> = text.lines().collect();
    let background: Vec<Step> = feature
        .background
        .iter()
        .flat_map(|b| b.steps.iter().map(convert_step))
        .collect();
    let mut intents = Vec::new();
    let mut add = |scenario: &gherkin::Scenario, rule: Option<&gherkin::Rule>| {
        // As the Gherkin pickle compiler does: a scenario without steps gets
        // no background steps either.
        let mut steps = Vec::new();
        if !scenario.steps.is_empty() {
            steps.extend(background.iter().cloned());
            if let Some(rule_background) = rule.and_then(|r| r.background.as_ref()) {
                steps.extend(rule_background.steps.iter().map(convert_step));
            }
            steps.extend(scenario.steps.iter().map(convert_step));
        }
        let mut tags = feature.tags.clone();
        if let Some(rule) = rule {
            tags.extend(rule.tags.iter().cloned());
        }
        tags.extend(scenario.tags.iter().cloned());
        let base = Intent {
            id: String::new(),
            file: rel.clone(),
            line: scenario.position.line,
            scenario_line: scenario.position.line,
            cucumber_line: scenario.position.line,
            feature: feature.name.clone(),
            rule: rule.map(|r| r.name.clone()),
            name: scenario.name.clone(),
            tags,
            example: None,
            steps,
        };
        if scenario.examples.is_empty() {
            intents.push(base);
            return;
        }
        for examples in &scenario.examples {
            let Some(table) = &examples.table else {
                continue;
            };
            let Some((header, rows)) = table.rows.split_first() else {
                continue;
            };
            let row_lines = row_lines(&lines, table.position.line, rows.len());
            for (index, row) in rows.iter().enumerate() {
                let values: Vec<(String, String)> =
                    header.iter().cloned().zip(row.iter().cloned()).collect();
                let mut intent = base.clone();
                intent.line = row_lines[index];
                intent.cucumber_line = examples.position.line + index + 2;
                intent.name = fill(&scenario.name, &values);
                intent.tags.extend(examples.tags.iter().cloned());
                for step in intent
                    .steps
                    .iter_mut()
                    .skip(base.steps.len() - scenario.steps.len())
                {
                    step.text = fill(&step.text, &values);
                    step.doc_string = step.doc_string.as_deref().map(|d| fill(d, &values));
                    if let Some(table) = &mut step.data_table {
                        for cell in table.iter_mut().flatten() {
                            *cell = fill(cell, &values);
                        }
                    }
                }
                intent.example = Some(Example {
                    table: examples.name.clone().unwrap_or_default(),
                    values,
                });
                intents.push(intent);
            }
        }
    };
    for scenario in &feature.scenarios {
        add(scenario, None);
    }
    for rule in &feature.rules {
        for scenario in &rule.scenarios {
            add(scenario, Some(rule));
        }
    }
    // Scenarios directly under the feature come before rules in the AST but
    // may follow them in the file: report in file order.
    intents.sort_by_key(|i| i.line);
    let source = path.to_owned();
    for intent in &mut intents {
        intent.id = format!("{}:{}", display_path(&source), intent.line);
    }
    Feature {
        source,
        rel,
        text,
        keyword: feature.keyword.clone(),
        name: feature.name.clone(),
        description: feature.description.clone().filter(|d| !d.trim().is_empty()),
        tags: feature.tags.clone(),
        intents,
    }
}

/// A path as shown to users: `/`-separated, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}

/// Lines (1-based) of the `count` data rows of a table whose header is on
/// `header_line`: the next lines that start with `|`, skipping blank lines
/// and comments as the Gherkin grammar does.
fn row_lines(lines: &[&str], header_line: usize, count: usize) -> Vec<usize> {
    let mut found: Vec<usize> = lines
        .iter()
        .enumerate()
        .skip(header_line)
        .filter(|(_, l)| l.trim_start().starts_with('|'))
        .map(|(i, _)| i + 1)
        .take(count)
        .collect();
    // Unreachable for text the parser accepted; keep ids unique regardless.
    while found.len() < count {
        found.push(header_line + found.len() + 1);
    }
    found
}

/// Replaces each `<name>` that names a column with the row's value, in one
/// pass (a value that itself looks like `<name>` stays as it is), and leaves
/// other `<…>` text alone, as the Gherkin pickle compiler does.
fn fill(text: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('>').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| (v, end))
        });
        if let Some((value, end)) = value {
            out.push_str(value);
            rest = &after[end + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn convert_step(step: &gherkin::Step) -> Step {
    Step {
        keyword: step.keyword.trim().to_owned(),
        text: step.value.clone(),
        line: step.position.line,
        doc_string: step.docstring.clone(),
        data_table: step.table.as_ref().map(|t| t.rows.clone()),
    }
}

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
                "{}:4:7: this table row does not end with `|`\n    |       | title",
                path.display()
            )
        );
    }
}
