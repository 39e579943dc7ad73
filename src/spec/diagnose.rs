//! Diagnostics: where a feature file is wrong, and where it is valid Gherkin
//! that is almost surely not what its author meant.
//!
//! In: a file's text (and, once parsed, its `gherkin` AST). Out: located
//! [`Problem`]s, errors and warnings, worded in the file's own language
//! (`# language:`, keywords from `keywords`). The line scan follows the
//! Gherkin grammar (<https://cucumber.io/docs/gherkin/reference>, the state
//! machine of cucumber/gherkin's `gherkin.berp`) closely enough to find
//! every mistake of a file, not only the first, and keeps going after each.
//! Must not: read files, or decide whether a file is accepted (`mod.rs` does).

use super::keywords::{self, Kind, Language, Section, classify, english, guess};

/// One problem at a place in a file (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// What the line scan of one file found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The file's language; `None` when `# language:` names one not in the
    /// bundled table.
    pub(crate) language: Option<&'static Language>,
    pub(crate) errors: Vec<Problem>,
    pub(crate) warnings: Vec<Problem>,
}

/// Where the grammar is, between lines. `…Text` states take free text as
/// description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    FeatureText,
    RuleText,
    BackgroundText,
    ScenarioText,
    BackgroundSteps,
    ScenarioSteps,
    ExamplesText,
    ExamplesTable,
}

impl State {
    fn is_text(self) -> bool {
        matches!(
            self,
            State::FeatureText
                | State::RuleText
                | State::BackgroundText
                | State::ScenarioText
                | State::ExamplesText
        )
    }

    fn is_steps(self) -> bool {
        matches!(self, State::BackgroundSteps | State::ScenarioSteps)
    }

    /// "the `Feature:`'s description", for a warning.
    fn owner(self, language: &Language) -> String {
        let section = match self {
            State::RuleText => Section::Rule,
            State::BackgroundText => Section::Background,
            State::ScenarioText => Section::Scenario,
            State::ExamplesText => Section::Examples,
            _ => Section::Feature,
        };
        format!("the `{}`'s description", language.first(section))
    }
}

/// Mistakes reported per file at most.
const MAX_ERRORS: usize = 20;

/// The line scan of one file, keeping going after each mistake.
struct Scanner {
    language: &'static Language,
    state: State,
    /// Line of the current step's doc string, if it has one.
    step_doc: Option<usize>,
    /// Open doc string: its separator and line.
    doc: Option<(&'static str, usize)>,
    table_width: Option<usize>,
    /// Line of tags still waiting for what they tag.
    tags: Option<usize>,
    /// A warning about steps in this description was given already.
    steps_warned: bool,
    stopped: bool,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
}

/// Finds every mistake in `text`, and the suspicious lines of valid text.
pub(crate) fn scan(text: &str) -> Scan {
    // A byte order mark is no character of the first line.
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    let mut language = english();
    if let Some((index, line)) = lines.iter().enumerate().find(|(_, l)| !l.trim().is_empty())
        && let Some(code) = language_directive(line)
    {
        match keywords::language(code) {
            Some(found) => language = found,
            None => {
                return Scan {
                    language: None,
                    errors: vec![Problem {
                        line: index + 1,
                        column: column(line),
                        message: language_message(code),
                    }],
                    warnings: Vec::new(),
                };
            }
        }
    }
    let mut scanner = Scanner {
        language,
        state: State::Header,
        step_doc: None,
        doc: None,
        table_width: None,
        tags: None,
        steps_warned: false,
        stopped: false,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if text.starts_with('\u{feff}') {
        // The gherkin crate, and so cucumber-rs, reads it as text before
        // `Feature:`.
        scanner.errors.push(Problem {
            line: 1,
            column: 1,
            message: "this file starts with a byte order mark (BOM), which cucumber-rs cannot read: save it as UTF-8 without BOM".to_owned(),
        });
    }
    for (index, line) in lines.iter().enumerate() {
        if scanner.stopped {
            break;
        }
        scanner.line(index + 1, line);
    }
    if !scanner.stopped {
        if let Some((separator, open)) = scanner.doc {
            scanner.errors.push(Problem {
                line: lines.len() + 1,
                column: 1,
                message: format!(
                    "the file ends inside the doc string opened on line {open}: close it with a line of {}",
                    if separator == "```" { "three backticks" } else { "`\"\"\"`" }
                ),
            });
        } else if let Some(line) = scanner.tags {
            scanner.errors.push(Problem {
                line,
                column: column(lines[line - 1]),
                message: format!(
                    "these tags are followed by nothing: tags go on the line before a `{}`, `{}`, `{}` or `{}`",
                    language.first(Section::Feature),
                    language.first(Section::Rule),
                    language.first(Section::Scenario),
                    language.first(Section::Examples),
                ),
            });
        } else if scanner.state == State::Header && scanner.errors.is_empty() {
            // Blank or only comments: the reference parser accepts it as
            // no feature; the gherkin crate, and so cucumber-rs, refuses it.
            scanner.errors.push(Problem {
                line: 1,
                column: 1,
                message: format!(
                    "this file holds no `{}` line: write one, with a `{}` under it, or delete the file",
                    language.first(Section::Feature),
                    language.first(Section::Scenario)
                ),
            });
        }
    }
    Scan {
        language: Some(language),
        errors: scanner.errors,
        warnings: scanner.warnings,
    }
}

/// The code in a `# language: xx` line.
fn language_directive(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("language")?.trim_start();
    let code = rest.strip_prefix(':')?.trim();
    (!code.is_empty()).then_some(code)
}

/// 1-based column, in characters, of the first non-blank character.
fn column(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count() + 1
}

impl Scanner {
    fn error(&mut self, line: usize, text: &str, mut message: String) {
        if self.errors.len() + 1 == MAX_ERRORS {
            // A file this wrong is likely not Gherkin at all: the first
            // mistakes say enough.
            message = format!(
                "{message} (and the scan stops here after {MAX_ERRORS} mistakes: fix these, then check again)"
            );
            self.stopped = true;
        }
        self.errors.push(Problem {
            line,
            column: column(text),
            message,
        });
    }

    fn warn(&mut self, line: usize, text: &str, message: String) {
        self.warnings.push(Problem {
            line,
            column: column(text),
            message,
        });
    }

    fn line(&mut self, number: usize, text: &str) {
        let trimmed = text.trim();
        if let Some((separator, _)) = self.doc {
            if trimmed.starts_with(separator) {
                self.doc = None;
            }
            return;
        }
        let kind = classify(self.language, trimmed);
        if matches!(kind, Kind::Blank | Kind::Comment) {
            return;
        }
        if kind != Kind::Row {
            self.table_width = None;
        }
        if let Some(tags) = self.tags {
            let tagged = match kind {
                Kind::Tags => true,
                Kind::Section(Section::Feature) => self.state == State::Header,
                Kind::Section(Section::Rule | Section::Scenario | Section::Outline) => {
                    self.state != State::Header
                }
                Kind::Section(Section::Examples) => matches!(
                    self.state,
                    State::ScenarioText
                        | State::ScenarioSteps
                        | State::ExamplesText
                        | State::ExamplesTable
                ),
                _ => false,
            };
            if kind != Kind::Tags {
                self.tags = None;
            }
            if !tagged {
                self.error(
                    number,
                    text,
                    format!(
                        "the tags on line {tags} must be followed by what they tag: a `{}`, `{}`, `{}` or `{}` line",
                        self.language.first(Section::Feature),
                        self.language.first(Section::Rule),
                        self.language.first(Section::Scenario),
                        self.language.first(Section::Examples),
                    ),
                );
                if kind == Kind::Other {
                    return;
                }
            }
        }
        self.dispatch(kind, number, text);
    }

    fn dispatch(&mut self, kind: Kind, number: usize, text: &str) {
        let trimmed = text.trim();
        match kind {
            Kind::Blank | Kind::Comment => {}
            Kind::Tags => {
                self.tags = Some(number);
                let tags = trimmed.split(" #").next().unwrap_or(trimmed);
                if tags.split_whitespace().any(|word| !word.starts_with('@')) {
                    self.error(
                        number,
                        text,
                        "a tag may not contain spaces: write `@a-tag`, and put each tag after its own `@`".to_owned(),
                    );
                }
            }
            Kind::DocString(separator) => self.doc_string(separator, number, text),
            Kind::Row => self.row(number, text),
            Kind::Section(section) => self.section(section, number, text),
            Kind::Step => self.step(number, text),
            Kind::Other => self.other(number, text),
        }
    }

    fn doc_string(&mut self, separator: &'static str, number: usize, text: &str) {
        if self.state.is_text() {
            return;
        }
        if self.state == State::Header {
            self.other(number, text);
            return;
        }
        match (self.state.is_steps(), self.step_doc) {
            (true, None) => self.step_doc = Some(number),
            (true, Some(first)) => self.error(
                number,
                text,
                format!("this step already has the doc string on line {first}: a step has one doc string at most, so merge the two"),
            ),
            (false, _) => self.error(
                number,
                text,
                "this doc string belongs to no step: put it right under the step it is for".to_owned(),
            ),
        }
        self.doc = Some((separator, number));
    }

    fn row(&mut self, number: usize, text: &str) {
        match self.state {
            State::Header => return self.other(number, text),
            State::BackgroundSteps | State::ScenarioSteps => {}
            State::ExamplesText | State::ExamplesTable => self.state = State::ExamplesTable,
            _ => return,
        }
        if let Some(message) = table_row_mistake(text.trim(), &mut self.table_width) {
            self.error(number, text, message);
        }
    }

    fn section(&mut self, section: Section, number: usize, text: &str) {
        let language = self.language;
        if self.state == State::Header {
            if section == Section::Feature {
                self.state = State::FeatureText;
                self.steps_warned = false;
                return;
            }
            self.error(
                number,
                text,
                format!(
                    "a feature file must begin with a `{}` line (tags, comments and `# language:` may come before it)",
                    language.first(Section::Feature)
                ),
            );
            self.state = State::FeatureText;
        }
        let state = self.state;
        let misplaced = |what: String| (!state.is_text()).then_some(what);
        let problem = match section {
            Section::Feature => {
                if state.is_text() {
                    return;
                }
                misplaced(format!(
                    "a file holds one `{}`: put this one in a file of its own",
                    language.first(Section::Feature)
                ))
            }
            Section::Rule => {
                self.state = State::RuleText;
                self.steps_warned = false;
                None
            }
            Section::Background => match state {
                State::FeatureText | State::RuleText => {
                    self.state = State::BackgroundText;
                    None
                }
                _ if state.is_text() => return,
                _ => {
                    self.state = State::BackgroundText;
                    Some(format!(
                        "a `{}` must come before the first scenario of its feature or rule: move it up",
                        language.first(Section::Background)
                    ))
                }
            },
            Section::Scenario | Section::Outline => {
                self.state = State::ScenarioText;
                None
            }
            Section::Examples => match state {
                State::ScenarioText
                | State::ScenarioSteps
                | State::ExamplesText
                | State::ExamplesTable => {
                    self.state = State::ExamplesText;
                    None
                }
                State::FeatureText | State::RuleText | State::BackgroundText => {
                    self.warn(
                        number,
                        text,
                        format!(
                            "this line is read as {}: `{}` belong under a `{}`",
                            state.owner(language),
                            language.first(Section::Examples),
                            language.first(Section::Outline)
                        ),
                    );
                    return;
                }
                _ => {
                    self.state = State::ExamplesText;
                    Some(format!(
                        "`{}` belong to a `{}`, not to a `{}`",
                        language.first(Section::Examples),
                        language.first(Section::Outline),
                        language.first(Section::Background)
                    ))
                }
            },
        };
        if let Some(message) = problem {
            self.error(number, text, message);
        }
    }

    fn step(&mut self, number: usize, text: &str) {
        let language = self.language;
        match self.state {
            State::ScenarioText | State::ScenarioSteps => self.state = State::ScenarioSteps,
            State::BackgroundText | State::BackgroundSteps => self.state = State::BackgroundSteps,
            State::FeatureText | State::RuleText | State::ExamplesText => {
                if !self.steps_warned {
                    self.steps_warned = true;
                    let owner = self.state.owner(language);
                    self.warn(
                        number,
                        text,
                        format!(
                            "this step is read as {owner}, so it never runs: put it under a `{}` (or a `{}` to run it before every scenario)",
                            language.first(Section::Scenario),
                            language.first(Section::Background)
                        ),
                    );
                }
                return;
            }
            State::ExamplesTable => {
                self.error(
                    number,
                    text,
                    format!(
                        "a step cannot follow an `{}` table: start a new `{}` above it",
                        language.first(Section::Examples),
                        language.first(Section::Scenario)
                    ),
                );
                return;
            }
            State::Header => return self.other(number, text),
        }
        self.step_doc = None;
    }

    fn other(&mut self, number: usize, text: &str) {
        let language = self.language;
        let state = self.state;
        let trimmed = text.trim();
        if state.is_text() {
            let expect_step = matches!(state, State::ScenarioText | State::BackgroundText);
            if let Some(guess) = guess(language, trimmed, true, expect_step) {
                self.warn(
                    number,
                    text,
                    format!(
                        "this line is read as {}: {}",
                        state.owner(language),
                        guess.message
                    ),
                );
            }
            return;
        }
        let guessed = guess(language, trimmed, false, state != State::Header);
        if let Some(guess) = guessed.as_ref().filter(|g| g.foreign) {
            self.error(number, text, guess.message.clone());
            self.stopped = true;
            return;
        }
        if state == State::Header
            && guessed.is_none()
            && let Some(other) = keywords::feature_language(trimmed)
        {
            self.error(
                number,
                text,
                format!(
                    "this line is {}: put `# language: {}` on the first line of the file, or write `{}`",
                    other.describe_keyword(),
                    other.code(),
                    language.first(Section::Feature)
                ),
            );
            self.stopped = true;
            return;
        }
        let message = match state {
            State::Header => format!(
                "a feature file must begin with a `{}` line (tags, comments and `# language:` may come before it)",
                language.first(Section::Feature)
            ),
            State::ExamplesTable => format!(
                "this line is not valid after an `{}` table: expected another row `| … |`, more `{}`, or a new `{}`",
                language.first(Section::Examples),
                language.first(Section::Examples),
                language.first(Section::Scenario)
            ),
            _ => format!(
                "this line is not a step: after a step come more steps ({}), a table row `| … |`, a doc string, or a new `{}`",
                language.step_list(),
                language.first(Section::Scenario)
            ),
        };
        match guessed {
            Some(guess) => {
                self.error(number, text, guess.message);
                if state != State::Header || guess.kind == Kind::Section(Section::Feature) {
                    self.dispatch(guess.kind, number, text);
                }
            }
            None => self.error(number, text, message),
        }
    }
}

/// What is wrong with table row `row` (trimmed), given the width of its
/// table's first row (set here for a first row).
fn table_row_mistake(row: &str, table_width: &mut Option<usize>) -> Option<String> {
    // The reference parser drops what follows the last `|`; the gherkin
    // crate, and so cucumber-rs, refuses the row.
    if !row.ends_with('|') || row.ends_with("\\|") && !row.ends_with("\\\\|") {
        return Some(
            "this table row does not end with `|`: close it with `|` (a `|` inside a cell is written `\\|`)"
                .to_owned(),
        );
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
                "this table row has {} but the table's first row has {width}: give every row as many cells as the first (a `|` inside a cell must be written `\\|`)",
                crate::vocabulary::plural(cells, "cell", "cells")
            ));
        }
        Some(_) => {}
    }
    None
}

fn language_message(code: &str) -> String {
    format!(
        "`# language: {code}` is not a Gherkin language: use a code such as `en`, `fr`, `de` or `es`"
    )
}

/// The problem for a file the gherkin crate refused where the scan found
/// nothing: its position (only in its Display text, `Error at L:C: …`) and
/// a plain-language message.
pub(crate) fn parser_problem(text: &str, position: &str, environment: &str) -> Problem {
    let (line, column) = error_position(position).unwrap_or((1, 1));
    if let Some(code) = environment
        .trim_end_matches('.')
        .strip_prefix("Requested language '")
        .and_then(|t| t.strip_suffix("' is not supported"))
    {
        let line = text
            .lines()
            .position(|l| language_directive(l).is_some())
            .map_or(1, |i| i + 1);
        return Problem {
            line,
            column: 1,
            message: language_message(code),
        };
    }
    let message = if environment.starts_with("Inconsistent cell count") {
        "a table row has a different number of cells from the table's first row (a `|` inside a cell must be written `\\|`)".to_owned()
    } else {
        syntax_message(text, line)
    };
    Problem {
        line: line.max(1),
        column: column.max(1),
        message,
    }
}

fn error_position(display: &str) -> Option<(usize, usize)> {
    let rest = display.strip_prefix("Error at ")?;
    let (line, rest) = rest.split_once(':')?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// A plain-language message for a position the parser could not go past.
fn syntax_message(text: &str, line: usize) -> String {
    let rest_blank = text
        .lines()
        .skip(line.saturating_sub(1))
        .all(|l| l.trim().is_empty());
    if rest_blank {
        return "the file ends too early: a feature needs at least a `Feature:` line, and a rule or outline its scenarios or Examples".to_owned();
    }
    "this line is not valid Gherkin here: expected a keyword (`Feature:`, `Rule:`, `Background:`, `Scenario:`, `Examples:`, `Given`, `When`, `Then`, `And`, `But`, `*`), a table row `| … |`, a tag `@…`, a doc string or a `#` comment".to_owned()
}

/// Warnings only the parsed file shows: a feature without scenarios, an
/// outline without Examples or rows, a `<placeholder>` that names no
/// column, and a scenario that joins the rule above it by mistake.
pub(crate) fn suspicious(
    language: &Language,
    feature: &gherkin::Feature,
    text: &str,
) -> Vec<Problem> {
    let lines: Vec<&str> = text.lines().collect();
    let at = |line: usize, message: String| Problem {
        line,
        column: lines.get(line.wrapping_sub(1)).map_or(1, |l| column(l)),
        message,
    };
    let mut found = Vec::new();
    if feature.scenarios.is_empty() && feature.rules.iter().all(|r| r.scenarios.is_empty()) {
        found.push(at(
            feature.position.line,
            format!(
                "this feature has no scenario, so it adds no intent: write a `{}` with its steps under it",
                language.first(Section::Scenario)
            ),
        ));
    }
    let in_rules = feature
        .rules
        .iter()
        .flat_map(|r| r.scenarios.iter().map(move |s| (s, Some(r))));
    for (scenario, rule) in feature.scenarios.iter().map(|s| (s, None)).chain(in_rules) {
        found.extend(
            outline_problems(language, scenario)
                .into_iter()
                .map(|(l, m)| at(l, m)),
        );
        let Some(rule) = rule else { continue };
        let indent = |line: usize| lines.get(line.wrapping_sub(1)).map_or(1, |l| column(l));
        let outdented = indent(scenario.position.line) <= indent(rule.position.line);
        let others_indented = rule
            .scenarios
            .iter()
            .any(|s| indent(s.position.line) > indent(rule.position.line));
        if outdented && others_indented {
            found.push(at(
                scenario.position.line,
                format!(
                    "this scenario belongs to the `{}` on line {} (every scenario after a rule belongs to it): indent it under the rule, or move it above the first rule",
                    language.first(Section::Rule),
                    rule.position.line
                ),
            ));
        }
    }
    found.sort_by_key(|p| p.line);
    found
}

/// `(line, message)` for an outline without Examples or rows, and for each
/// `<placeholder>` no Examples table has a column for.
fn outline_problems(language: &Language, scenario: &gherkin::Scenario) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut used: Vec<(usize, String)> = placeholders(&scenario.name)
        .map(|name| (scenario.position.line, name))
        .collect();
    for step in &scenario.steps {
        let texts = std::iter::once(step.value.as_str())
            .chain(step.docstring.as_deref())
            .chain(
                step.table
                    .iter()
                    .flat_map(|t| t.rows.iter().flatten().map(String::as_str)),
            );
        for text in texts {
            used.extend(placeholders(text).map(|name| (step.position.line, name)));
        }
    }
    let outline = language
        .keywords(Section::Outline)
        .iter()
        .any(|k| k.trim() == scenario.keyword.trim());
    if scenario.examples.is_empty() {
        if outline {
            let shown = used.first().map_or_else(String::new, |(_, name)| {
                format!(", with `<{name}>` as written")
            });
            found.push((
                scenario.position.line,
                format!(
                    "this scenario outline has no `{}`, so it runs once{shown}: add an `{}` table with a column for each `<placeholder>`",
                    language.first(Section::Examples),
                    language.first(Section::Examples)
                ),
            ));
        }
        return found;
    }
    for examples in &scenario.examples {
        let header = examples.table.as_ref().and_then(|t| t.rows.first());
        let rows = examples
            .table
            .as_ref()
            .map_or(0, |t| t.rows.len().saturating_sub(1));
        if rows == 0 {
            found.push((
                examples.position.line,
                format!(
                    "these `{}:` have no rows, so the outline runs for none of them: add a header row and a row for each case",
                    examples.keyword.trim()
                ),
            ));
            continue;
        }
        let header = header.map(Vec::as_slice).unwrap_or_default();
        for (line, name) in &used {
            let reported = found
                .iter()
                .any(|(l, m)| l == line && m.starts_with(&format!("`<{name}>`")));
            if !header.iter().any(|h| h == name) && !reported {
                let columns = header
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                found.push((
                    *line,
                    format!(
                        "`<{name}>` is not a column of the `{}:` on line {} (its columns: {columns}), so it stays `<{name}>` as written: add the column or fix the name",
                        examples.keyword.trim(),
                        examples.position.line
                    ),
                ));
            }
        }
    }
    found
}

/// The names of the `<placeholders>` in `text`.
fn placeholders(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('<').skip(1).filter_map(|part| {
        let (name, _) = part.split_once('>')?;
        (!name.is_empty() && !name.contains(['<', '\n'])).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::spec::{self, Diagnostic, Error};

    /// `line:col: message` of each diagnostic.
    fn show(diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
            .collect()
    }

    /// Parses `files` (name, text) in a temp folder: the result, and the folder.
    fn parse(files: &[(&str, &str)]) -> (Result<spec::Spec, Error>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temp folder");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write a fixture");
        }
        (spec::parse(&[dir.path().to_owned()]), dir)
    }

    /// Errors and warnings of one `shop.feature`, as `line:col: message`;
    /// a spec without intents gives the error `no intents`.
    fn check(text: &str) -> (Vec<String>, Vec<String>) {
        match parse(&[("shop.feature", text)]).0 {
            Ok(spec) => (Vec::new(), show(&spec.warnings)),
            Err(Error::Invalid { errors, warnings }) => (show(&errors), show(&warnings)),
            Err(Error::NoIntents { warnings, .. }) => {
                (vec!["no intents".to_owned()], show(&warnings))
            }
            Err(other) => panic!("not a Gherkin error: {other}"),
        }
    }

    fn contains(found: &[String], wanted: &str) -> bool {
        found.iter().any(|f| f.contains(wanted))
    }

    #[test]
    fn extra_cells_in_a_data_table_or_an_examples_table_are_refused() {
        let (errors, _) = check(
            "Feature: Fees\n  Scenario: Parcels\n    Given these parcels:\n      | weight | fee |\n      | 1      | 4   | 9 |\n\n  Scenario Outline: <w> kg\n    Given a parcel of <w> kg\n    Examples:\n      | w |\n      | 1 | 2 |\n",
        );
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(
            errors[0]
                .starts_with("5:7: this table row has 3 cells but the table's first row has 2"),
            "{errors:#?}"
        );
        assert!(
            errors[1]
                .starts_with("11:7: this table row has 2 cells but the table's first row has 1"),
            "{errors:#?}"
        );
    }

    #[test]
    fn english_keywords_in_a_french_file_are_told_the_file_is_french() {
        let (errors, _) = check(
            "# language: fr\nFeature: Panier\n  Scenario: Ajouter\n    Given un panier vide\n",
        );
        assert_eq!(
            errors,
            [
                "2:1: this file is French (`# language: fr`): write `Fonctionnalité:` for `Feature:`, or remove the `# language: fr` line to write in English"
            ]
        );
    }

    #[test]
    fn unaccented_french_scenarios_are_a_warning_and_no_intent() {
        let (errors, warnings) = check(
            "# language: fr\nFonctionnalité: Panier\n  Scenario: Ajouter\n    Soit un panier vide\n",
        );
        assert_eq!(errors, ["no intents"]);
        assert!(
            contains(
                &warnings,
                "3:3: this line is read as the `Fonctionnalité:`'s description: this file is French (`# language: fr`): write `Scénario:` for `Scenario:`"
            ),
            "{warnings:#?}"
        );
        assert!(
            contains(
                &warnings,
                "2:1: this feature has no scenario, so it adds no intent: write a `Scénario:`"
            ),
            "{warnings:#?}"
        );
    }

    #[test]
    fn misspelled_keywords_and_a_missing_colon_get_did_you_mean() {
        let (errors, _) = check(
            "Feature: Pay\n  Scenario: Card\n    Given a cart\n    Wehn I pay\n    Then it is paid\n  Scenario Cash\n    Given a cart\n    Thne it is paid\n",
        );
        assert_eq!(
            errors,
            [
                "4:5: `Wehn` is not a step keyword: did you mean `When`?",
                "6:3: `Scenario` needs a colon: write `Scenario: Cash`",
                "8:5: `Thne` is not a step keyword: did you mean `Then`?",
            ]
        );
    }

    #[test]
    fn did_you_mean_speaks_the_files_language() {
        let (errors, _) = check(
            "# language: fr\nFonctionnalité: Payer\n  Scénario: Carte\n    Soit un panier\n    Quadn je paie\n  Scénario Espèces\n    Soit un panier\n  Scenaro: Chèque\n    Soit un panier\n",
        );
        assert_eq!(
            errors,
            [
                "5:5: `Quadn` is not a step keyword: did you mean `Quand`?",
                "6:3: `Scénario` needs a colon: write `Scénario: Espèces`",
                "8:3: `Scenaro:` is not a keyword: did you mean `Scénario:`?",
            ]
        );
    }

    #[test]
    fn a_step_under_the_feature_line_is_a_warning() {
        let (errors, warnings) = check(
            "Feature: Pay\n  Given a cart\n  And a card\n\n  Scenario: Card\n    Given a cart\n",
        );
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(
            warnings.len(),
            1,
            "one warning per description: {warnings:#?}"
        );
        assert!(
            warnings[0].starts_with(
                "2:3: this step is read as the `Feature:`'s description, so it never runs"
            ),
            "{warnings:#?}"
        );
    }

    #[test]
    fn a_lowercase_first_step_is_a_warning_and_prose_is_not() {
        let (errors, warnings) = check(
            "Feature: Pay\n  Scenario: Card\n    given a cart\n    When I pay\n  Scenario: Cash\n    Paying cash, and so on,\n    and more prose\n    When I pay\n",
        );
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(
            warnings,
            [
                "3:5: this line is read as the `Scenario:`'s description: `given` is not a step keyword: keywords are case-sensitive, write `Given`"
            ]
        );
    }

    #[test]
    fn placeholders_without_a_column_and_outlines_without_examples_are_warnings() {
        let (errors, warnings) = check(
            "Feature: Fees\n  Scenario Outline: A parcel\n    Given a parcel of <weight> kg\n    Then the fee is <amount> euros\n\n    Examples:\n      | weight | fee |\n      | 1      | 4   |\n\n  Scenario Outline: No table\n    Given <amount> euros\n",
        );
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(
            warnings,
            [
                "4:5: `<amount>` is not a column of the `Examples:` on line 6 (its columns: `weight`, `fee`), so it stays `<amount>` as written: add the column or fix the name",
                "10:3: this scenario outline has no `Examples:`, so it runs once, with `<amount>` as written: add an `Examples:` table with a column for each `<placeholder>`",
            ]
        );
    }

    #[test]
    fn a_scenario_that_joins_the_rule_above_it_is_a_warning() {
        let (result, _dir) = parse(&[(
            "fees.feature",
            "Feature: Fees\n  Scenario: Free\n    Given a cart\n\n  Rule: Heavy parcels cost more\n    Scenario: Heavy\n      Given a parcel\n\n  Scenario: Light\n    Given a parcel\n",
        )]);
        let spec = result.expect("valid Gherkin");
        assert_eq!(
            show(&spec.warnings),
            [
                "9:3: this scenario belongs to the `Rule:` on line 5 (every scenario after a rule belongs to it): indent it under the rule, or move it above the first rule"
            ]
        );
        let light = spec.intents().last().expect("3 intents");
        assert_eq!(light.rule.as_deref(), Some("Heavy parcels cost more"));
    }

    #[test]
    fn a_feature_without_scenarios_is_a_warning_beside_others() {
        let (result, _dir) = parse(&[
            (
                "a.feature",
                "Feature: Cart\n  Scenario: Add\n    Given a cart\n",
            ),
            ("b.feature", "Feature: Later\n  Some day.\n"),
        ]);
        let spec = result.expect("one intent is enough");
        assert_eq!(
            show(&spec.warnings),
            [
                "1:1: this feature has no scenario, so it adds no intent: write a `Scenario:` with its steps under it"
            ]
        );
        let error = spec.deny_warnings().expect_err("a warning");
        assert!(matches!(error, Error::Warnings(_)), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains("b.feature:1:1: warning: this feature has no scenario"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "warnings are errors here (`--deny-warnings`): fix them, or run without it"
            ),
            "{text}"
        );
    }

    #[test]
    fn every_mistake_of_every_file_is_listed_in_one_error() {
        let (result, dir) = parse(&[
            (
                "a.feature",
                "Feature: A\n  Scenario: S\n    Given x\n    oops\n    When y\n    oops again\n",
            ),
            ("b.feature", "Scenario: S\n  Given x\n"),
        ]);
        let error = result.expect_err("mistakes");
        let path = |name: &str| PathBuf::from(dir.path()).join(name);
        let at = |name: &str, line: usize, col: usize| {
            format!("{}:{line}:{col}: ", path(name).display())
        };
        let text = error.to_string();
        let blocks: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(blocks.len(), 4, "{text}");
        assert!(blocks[0].starts_with(&at("a.feature", 4, 5)), "{text}");
        assert!(
            blocks[0].ends_with("\n    |     oops"),
            "the line is shown: {text}"
        );
        assert!(blocks[1].starts_with(&at("a.feature", 6, 5)), "{text}");
        assert!(blocks[2].starts_with(&at("b.feature", 1, 1)), "{text}");
        assert!(
            blocks[2].contains("must begin with a `Feature:` line"),
            "{text}"
        );
        assert_eq!(blocks[3], "3 errors in 2 files", "{text}");
        assert!(Path::new(&path("a.feature")).exists());
    }

    #[test]
    fn a_file_without_a_feature_line_says_so() {
        for text in ["", "\n\n", "# only a comment\n"] {
            let (errors, _) = check(text);
            assert_eq!(
                errors,
                [
                    "1:1: this file holds no `Feature:` line: write one, with a `Scenario:` under it, or delete the file"
                ],
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_is_named() {
        let (errors, _) = check("\u{feff}Feature: Cart\n  Scenario: Add\n    Given a cart\n");
        assert_eq!(
            errors,
            [
                "1:1: this file starts with a byte order mark (BOM), which cucumber-rs cannot read: save it as UTF-8 without BOM"
            ]
        );
    }

    #[test]
    fn a_feature_in_another_language_without_its_language_line_is_told_which() {
        let (errors, _) = check("Fonctionnalité: Panier\n  Scénario: Vider\n    Soit un panier\n");
        assert_eq!(
            errors,
            [
                "1:1: this line is the French `Fonctionnalité:`: put `# language: fr` on the first line of the file, or write `Feature:`"
            ]
        );
    }

    /// The whole listing a product owner reads, mistakes then warnings.
    #[test]
    fn the_listing_of_mistakes_and_warnings() {
        let (result, dir) = parse(&[
            (
                "panier.feature",
                "# language: fr\nFonctionnalité: Panier\n  Scénario: Vider\n    Soit un panier plein\n    Quadn je le vide\n    Alors il est vide\n",
            ),
            (
                "fees.feature",
                "Feature: Fees\n  Given a price list\n\n  Scenario Outline: A parcel\n    Given a parcel of <weight> kg\n    Then the fee is <amount> euros\n\n    Examples:\n      | weight | fee |\n      | 1      | 4   | 5 |\n",
            ),
        ]);
        let text = result.expect_err("mistakes").to_string();
        let text = text.replace(&format!("{}/", dir.path().display()), "<dir>/");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_first_scenario_without_its_colon_explains_why_nothing_runs() {
        // The gherkin crate refuses this text where the grammar reads it
        // as description: either way, the user learns what was meant.
        let (errors, warnings) = check("Feature: Pay\n  Scenario Card\n    Given a cart\n");
        assert_eq!(
            errors,
            [
                "2:3: this line is read as the `Feature:`'s description: `Scenario` needs a colon: write `Scenario: Card`",
                "3:5: this step is read as the `Feature:`'s description, so it never runs: put it under a `Scenario:` (or a `Background:` to run it before every scenario)",
            ]
        );
        assert!(warnings.is_empty(), "{warnings:#?}");
    }

    /// Random Gherkin-shaped files: whatever the gherkin crate accepts, the
    /// scan accepts too, but for mistakes the reference parser also refuses
    /// (rows of another width, which the crate cuts short; `Examples:` or
    /// tags where they tag nothing).
    #[test]
    fn the_scan_refuses_only_what_the_reference_refuses_among_what_the_crate_accepts() {
        const POOL: [&str; 24] = [
            "Feature: F",
            "  Scenario: S",
            "  Scenario Outline: O <a>",
            "    Examples:",
            "      | a | b |",
            "      | 1 | 2 |",
            "    Given x <a>",
            "    When y",
            "    And z",
            "    * w",
            "    \"\"\"",
            "    ```",
            "  Rule: R",
            "  Background:",
            "@tag @other",
            "  # comment",
            "",
            "  some text",
            "    | 1 |",
            "  Example: E",
            "    Then t",
            "  Scenarios:",
            "@t",
            "    But b",
        ];
        let mut seed: u64 = 12345;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(seed >> 33).expect("31 bits fit") % n
        };
        let also_refused = |m: &str| {
            m.contains("cells but")
                || m.contains("belong to a")
                || m.contains("must be followed by what they tag")
        };
        for _ in 0..3000 {
            let count = 2 + next(12);
            let mut lines = vec!["Feature: F"];
            lines.extend((0..count).map(|_| POOL[next(POOL.len())]));
            let text = lines.join("\n") + "\n";
            if gherkin::Feature::parse(&text, gherkin::GherkinEnv::default()).is_ok() {
                let errors = super::scan(&text).errors;
                assert!(
                    errors.iter().all(|e| also_refused(&e.message)),
                    "{errors:#?}\n{text}"
                );
            }
        }
    }

    #[test]
    fn a_file_of_mistakes_stops_at_twenty() {
        let text = format!(
            "Feature: F\n  Scenario: S\n    Given x\n{}",
            "    Wehn y\n    oops\n".repeat(100)
        );
        let (errors, _) = check(&text);
        assert_eq!(errors.len(), 20, "{errors:#?}");
        assert!(
            errors[19].ends_with(
                "(and the scan stops here after 20 mistakes: fix these, then check again)"
            ),
            "{errors:#?}"
        );
    }
}
