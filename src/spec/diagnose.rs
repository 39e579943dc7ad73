//! Diagnostics: where a feature file is wrong, and where it is valid Gherkin
//! that is almost surely not what its author meant.
//!
//! In: a file's text (and, once parsed, its `gherkin` AST). Out: located
//! [`Problem`]s, errors and warnings, worded in the file's own language
//! (`# language:`), with "did you mean" for misspelled keywords. The line
//! scan follows the Gherkin grammar (<https://cucumber.io/docs/gherkin/reference>,
//! the state machine of cucumber/gherkin's `gherkin.berp`) closely enough to
//! find every mistake of a file, not only the first, and keeps going after
//! each. Keywords come from cucumber/gherkin's `gherkin-languages.json` (MIT),
//! as bundled by the gherkin crate 0.16 (`languages.json`, unchanged).
//! Must not: read files, or decide whether a file is accepted (`mod.rs` does).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

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

/// The keywords of one Gherkin language, as in `gherkin-languages.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Language {
    #[serde(skip)]
    code: String,
    name: String,
    feature: Vec<String>,
    background: Vec<String>,
    rule: Vec<String>,
    scenario: Vec<String>,
    scenario_outline: Vec<String>,
    examples: Vec<String>,
    given: Vec<String>,
    when: Vec<String>,
    then: Vec<String>,
    and: Vec<String>,
    but: Vec<String>,
}

/// Keywords that end with `:` and open a part of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Feature,
    Rule,
    Background,
    Scenario,
    Outline,
    Examples,
}

const SECTIONS: [Section; 6] = [
    Section::Feature,
    Section::Rule,
    Section::Background,
    Section::Outline,
    Section::Scenario,
    Section::Examples,
];

fn languages() -> &'static BTreeMap<String, Language> {
    static TABLE: OnceLock<BTreeMap<String, Language>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: BTreeMap<String, Language> =
            serde_json::from_str(include_str!("languages.json"))
                .expect("the bundled keyword table is valid JSON");
        for (code, language) in &mut table {
            language.code.clone_from(code);
        }
        table
    })
}

/// The keywords of language `code` (`en`, `fr`, …), if Gherkin has it.
pub(crate) fn language(code: &str) -> Option<&'static Language> {
    languages().get(code)
}

fn english() -> &'static Language {
    language("en").expect("the keyword table has English")
}

impl Language {
    fn keywords(&self, section: Section) -> &[String] {
        match section {
            Section::Feature => &self.feature,
            Section::Rule => &self.rule,
            Section::Background => &self.background,
            Section::Scenario => &self.scenario,
            Section::Outline => &self.scenario_outline,
            Section::Examples => &self.examples,
        }
    }

    /// The keyword to suggest for `section`, with its colon.
    fn first(&self, section: Section) -> String {
        let keywords = self.keywords(section);
        // The table lists `Example` before `Scenario` (and `Exemple` before
        // `Scénario`): the longer name reads better in advice.
        let keyword = match section {
            Section::Scenario => keywords.last(),
            _ => keywords.first(),
        };
        format!("{}:", keyword.map_or("", |k| k.trim()))
    }

    /// Step keywords as written (`Given `, `* `), each with its kind.
    fn steps(&self) -> impl Iterator<Item = (&str, usize)> {
        [&self.given, &self.when, &self.then, &self.and, &self.but]
            .into_iter()
            .enumerate()
            .flat_map(|(kind, words)| words.iter().map(move |w| (w.as_str(), kind)))
    }

    /// The step keyword to suggest for kind `kind` (0 given … 4 but).
    fn first_step(&self, kind: usize) -> &str {
        self.steps()
            .find(|&(w, k)| k == kind && w.trim() != "*")
            .map_or("*", |(w, _)| w.trim())
    }

    /// The section `trimmed` opens (`Scenario: …`), if any.
    fn section(&self, trimmed: &str) -> Option<(Section, &str)> {
        SECTIONS.into_iter().find_map(|section| {
            self.keywords(section)
                .iter()
                .find(|k| {
                    trimmed
                        .strip_prefix(k.as_str())
                        .is_some_and(|rest| rest.starts_with(':'))
                })
                .map(|k| (section, k.as_str()))
        })
    }

    /// The longest step keyword `trimmed` starts with, and its kind.
    fn step(&self, trimmed: &str) -> Option<(&str, usize)> {
        self.steps()
            .filter(|(w, _)| trimmed.starts_with(w))
            .max_by_key(|(w, _)| w.len())
    }

    /// "French (`# language: fr`)".
    fn describe(&self) -> String {
        format!("{} (`# language: {}`)", self.name, self.code)
    }

    /// Step keywords for a message: `Given`, `When`, `Then`, `And`, `But`, `*`.
    fn step_list(&self) -> String {
        let mut list: Vec<String> = (0..5)
            .map(|kind| format!("`{}`", self.first_step(kind)))
            .collect();
        list.push("`*`".to_owned());
        list.join(", ")
    }
}

/// What a line is, for the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    Tags,
    DocString(&'static str),
    Row,
    Section(Section),
    Step,
    Other,
}

fn classify(language: &Language, trimmed: &str) -> Kind {
    if trimmed.is_empty() {
        Kind::Blank
    } else if trimmed.starts_with('#') {
        Kind::Comment
    } else if trimmed.starts_with('@') {
        Kind::Tags
    } else if trimmed.starts_with("\"\"\"") {
        Kind::DocString("\"\"\"")
    } else if trimmed.starts_with("```") {
        Kind::DocString("```")
    } else if trimmed.starts_with('|') {
        Kind::Row
    } else if let Some((section, _)) = language.section(trimmed) {
        Kind::Section(section)
    } else if language.step(trimmed).is_some() {
        Kind::Step
    } else {
        Kind::Other
    }
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
    let lines: Vec<&str> = text.lines().collect();
    let mut language = english();
    if let Some((index, line)) = lines.iter().enumerate().find(|(_, l)| !l.trim().is_empty())
        && let Some(code) = language_directive(line)
    {
        {
            match self::language(code) {
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
                message: "these tags are followed by nothing: tags go on the line before a `Feature:`, `Rule:`, `Scenario:` or `Examples:`".to_owned(),
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
    fn error(&mut self, line: usize, text: &str, message: String) {
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

/// What a line that is no keyword line was probably meant to be.
#[derive(Debug)]
struct Guess {
    /// What to read the line as, to go on.
    kind: Kind,
    /// "did you mean `When`?", in the file's language.
    message: String,
    /// A keyword of English in a file of another language.
    foreign: bool,
}

/// Guesses what `trimmed` was meant to be. `strict` (for description text,
/// which is valid) guesses only when the line is very likely a mistake;
/// `expect_step` allows step keyword guesses.
fn guess(language: &Language, trimmed: &str, strict: bool, expect_step: bool) -> Option<Guess> {
    foreign(language, trimmed, expect_step || !strict)
        .or_else(|| misspelled_section(language, trimmed, strict))
        .or_else(|| missing_colon(language, trimmed, strict))
        .or_else(|| {
            expect_step
                .then(|| misspelled_step(language, trimmed, strict))
                .flatten()
        })
}

/// An English keyword in a file of another language.
fn foreign(language: &Language, trimmed: &str, steps: bool) -> Option<Guess> {
    if language.code == "en" {
        return None;
    }
    let english = english();
    let (kind, written, wanted) = if let Some((section, keyword)) = english.section(trimmed) {
        (
            Kind::Section(section),
            format!("{keyword}:"),
            language.first(section),
        )
    } else {
        let (keyword, kind) = english
            .step(trimmed)
            .filter(|(w, _)| steps && w.trim() != "*")?;
        (
            Kind::Step,
            keyword.trim().to_owned(),
            language.first_step(kind).to_owned(),
        )
    };
    Some(Guess {
        kind,
        message: format!(
            "this file is {}: write `{wanted}` for `{written}`, or remove the `# language: {}` line to write in English",
            language.describe(),
            language.code
        ),
        foreign: true,
    })
}

/// `Scenaro: Pay`, `scenario: Pay`.
fn misspelled_section(language: &Language, trimmed: &str, strict: bool) -> Option<Guess> {
    let (head, _) = trimmed.split_once(':')?;
    let head = head.trim();
    let (section, keyword) = closest(
        SECTIONS
            .into_iter()
            .flat_map(|s| language.keywords(s).iter().map(move |k| (s, k.as_str()))),
        head,
        strict,
    )?;
    Some(Guess {
        kind: Kind::Section(section),
        message: format!("`{head}:` is not a keyword: did you mean `{keyword}:`?"),
        foreign: false,
    })
}

/// `Scenario Pay`, `Scenario : Pay`.
fn missing_colon(language: &Language, trimmed: &str, strict: bool) -> Option<Guess> {
    let sections: &[Section] = if strict {
        &[
            Section::Background,
            Section::Outline,
            Section::Scenario,
            Section::Examples,
        ]
    } else {
        &SECTIONS
    };
    let lower = trimmed.to_lowercase();
    let (section, keyword, rest) = sections
        .iter()
        .flat_map(|&s| language.keywords(s).iter().map(move |k| (s, k.trim())))
        .filter_map(|(s, k)| {
            let rest = if strict {
                trimmed.strip_prefix(k)?
            } else {
                // Same length in lowercase for every keyword of the table's
                // scripts that has case; skip the rare ones that do not.
                let lowered = k.to_lowercase();
                lower.strip_prefix(lowered.as_str())?;
                trimmed.get(k.len()..)?
            };
            (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some((s, k, rest))
        })
        .max_by_key(|(_, k, _)| k.len())?;
    let rest = rest.trim();
    let message = match rest.strip_prefix(':') {
        Some(name) => format!(
            "no space may stand before the colon: write `{keyword}: {}`",
            name.trim()
        ),
        None if rest.is_empty() => format!("`{keyword}` needs a colon: write `{keyword}:`"),
        None => format!("`{keyword}` needs a colon: write `{keyword}: {rest}`"),
    };
    Some(Guess {
        kind: Kind::Section(section),
        message,
        foreign: false,
    })
}

/// `Wehn I pay`, `given a cart`.
fn misspelled_step(language: &Language, trimmed: &str, strict: bool) -> Option<Guess> {
    let word = trimmed.split_whitespace().next()?;
    // In description text, `and …` and `but …` are more often prose.
    let words = language
        .steps()
        .filter(|&(w, kind)| w.ends_with(' ') && w.trim() != "*" && (!strict || kind < 3))
        .map(|(w, kind)| (kind, w.trim()));
    if let Some((_, keyword)) = language
        .steps()
        .map(|(w, kind)| (kind, w.trim()))
        .find(|(_, w)| *w == trimmed && *w != "*")
    {
        return Some(Guess {
            kind: Kind::Step,
            message: format!("a step needs text after `{keyword}`"),
            foreign: false,
        });
    }
    let (_, keyword) = closest(words, word, strict)?;
    let message = if keyword.to_lowercase() == word.to_lowercase() {
        format!("`{word}` is not a step keyword: keywords are case-sensitive, write `{keyword}`")
    } else {
        format!("`{word}` is not a step keyword: did you mean `{keyword}`?")
    };
    Some(Guess {
        kind: Kind::Step,
        message,
        foreign: false,
    })
}

/// The candidate nearest to `word` within the distance allowed for its
/// length (the same word in another case always is).
fn closest<'a, T: Copy>(
    candidates: impl Iterator<Item = (T, &'a str)>,
    word: &str,
    strict: bool,
) -> Option<(T, &'a str)> {
    let word = word.to_lowercase();
    candidates
        .filter_map(|(tag, keyword)| {
            let lowered = keyword.to_lowercase();
            let length = lowered.chars().count();
            let allowed = match (strict, length) {
                (true, 5..) | (false, 3..=5) => 1,
                (false, 6..) => 2,
                _ => 0,
            };
            let distance = distance(&word, &lowered);
            (distance <= allowed).then_some((distance, tag, keyword))
        })
        .min_by_key(|(distance, _, _)| *distance)
        .map(|(_, tag, keyword)| (tag, keyword))
}

/// Optimal string alignment distance (edits and adjacent swaps), in characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// What is wrong with table row `row` (trimmed), given the width of its
/// table's first row (set here for a first row).
fn table_row_mistake(row: &str, table_width: &mut Option<usize>) -> Option<String> {
    // What follows the last `|` is not a cell (the reference parser's
    // rule): a row cut short has fewer cells than the first.
    let open = !row.ends_with('|') || row.ends_with("\\|") && !row.ends_with("\\\\|");
    let cells = row
        .replace("\\\\", "")
        .replace("\\|", "")
        .matches('|')
        .count()
        - 1;
    match *table_width {
        None => *table_width = Some(cells),
        Some(width) if width != cells && open => {
            return Some("this table row does not end with `|`: close it with `|`, or the text after its last `|` is lost".to_owned());
        }
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
                    "these `{}` have no rows, so the outline runs for none of them: add a header row and a row for each case",
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
                        "`<{name}>` is not a column of the `{}` on line {} (its columns: {columns}), so it stays `<{name}>` as written: add the column or fix the name",
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
