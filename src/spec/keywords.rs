//! Gherkin keywords in every language, and what a line that is no keyword
//! line was probably meant to be ("did you mean `When`?").
//!
//! In: a line of a feature file and the file's language. Out: its kind for
//! the grammar, or a guess with a message in the file's language. The
//! keywords are cucumber/gherkin's `gherkin-languages.json` (MIT), as the
//! gherkin crate 0.16 bundles it (`languages.json`, unchanged), so they are
//! the ones cucumber-rs reads. Must not: judge where a line stands (that is
//! `diagnose`'s grammar).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

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
pub(super) enum Section {
    Feature,
    Rule,
    Background,
    Scenario,
    Outline,
    Examples,
}

pub(super) const SECTIONS: [Section; 6] = [
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

/// The language whose `Feature:` keyword opens `trimmed`
/// (`Fonctionnalité: …` is French), if any.
pub(crate) fn feature_language(trimmed: &str) -> Option<&'static Language> {
    languages().values().find(|l| {
        l.code != "en"
            && l.section(trimmed)
                .is_some_and(|(s, _)| s == Section::Feature)
    })
}

/// The keywords of language `code` (`en`, `fr`, …), if Gherkin has it.
pub(crate) fn language(code: &str) -> Option<&'static Language> {
    languages().get(code)
}

pub(super) fn english() -> &'static Language {
    language("en").expect("the keyword table has English")
}

impl Language {
    /// The `# language:` code (`en`, `fr`, `pt-BR`).
    pub(crate) fn code(&self) -> &str {
        &self.code
    }

    /// The scenario keyword to write (`Scenario`, `Scénario`): the table
    /// lists the shorter `Example` first.
    pub(crate) fn scenario(&self) -> &str {
        self.scenario.last().map_or("Scenario", |k| k.trim())
    }

    /// `Then` keywords as written (`Then `, `Alors `, `* `).
    pub(crate) fn then(&self) -> &[String] {
        &self.then
    }

    /// `And` keywords: a step of the type of the step before it.
    pub(crate) fn and(&self) -> &[String] {
        &self.and
    }

    /// `But` keywords: likewise.
    pub(crate) fn but(&self) -> &[String] {
        &self.but
    }

    pub(super) fn keywords(&self, section: Section) -> &[String] {
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
    pub(super) fn first(&self, section: Section) -> String {
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
    pub(super) fn steps(&self) -> impl Iterator<Item = (&str, usize)> {
        [&self.given, &self.when, &self.then, &self.and, &self.but]
            .into_iter()
            .enumerate()
            .flat_map(|(kind, words)| words.iter().map(move |w| (w.as_str(), kind)))
    }

    /// The step keyword to suggest for kind `kind` (0 given … 4 but).
    pub(super) fn first_step(&self, kind: usize) -> &str {
        self.steps()
            .find(|&(w, k)| k == kind && w.trim() != "*")
            .map_or("*", |(w, _)| w.trim())
    }

    /// The section `trimmed` opens (`Scenario: …`), if any.
    pub(super) fn section(&self, trimmed: &str) -> Option<(Section, &str)> {
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
    pub(super) fn step(&self, trimmed: &str) -> Option<(&str, usize)> {
        self.steps()
            .filter(|(w, _)| trimmed.starts_with(w))
            .max_by_key(|(w, _)| w.len())
    }

    /// "the French `Fonctionnalité:`", for a header written in this language
    /// without its `# language:` line.
    pub(super) fn describe_keyword(&self) -> String {
        format!("the {} `{}`", self.name, self.first(Section::Feature))
    }

    /// "French (`# language: fr`)".
    pub(super) fn describe(&self) -> String {
        format!("{} (`# language: {}`)", self.name, self.code)
    }

    /// Step keywords for a message: `Given`, `When`, `Then`, `And`, `But`, `*`.
    pub(super) fn step_list(&self) -> String {
        let mut list: Vec<String> = (0..5)
            .map(|kind| format!("`{}`", self.first_step(kind)))
            .collect();
        list.push("`*`".to_owned());
        list.join(", ")
    }
}

/// What a line is, for the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    Comment,
    Tags,
    DocString(&'static str),
    Row,
    Section(Section),
    Step,
    Other,
}

pub(super) fn classify(language: &Language, trimmed: &str) -> Kind {
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

/// What a line that is no keyword line was probably meant to be.
#[derive(Debug)]
pub(super) struct Guess {
    /// What to read the line as, to go on.
    pub(super) kind: Kind,
    /// "did you mean `When`?", in the file's language.
    pub(super) message: String,
    /// A keyword of English in a file of another language.
    pub(super) foreign: bool,
}

/// Guesses what `trimmed` was meant to be. `strict` (for description text,
/// which is valid) guesses only when the line is very likely a mistake;
/// `expect_step` allows step keyword guesses.
pub(super) fn guess(
    language: &Language,
    trimmed: &str,
    strict: bool,
    expect_step: bool,
) -> Option<Guess> {
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
    let (head, rest) = trimmed.split_once(':')?;
    let head = head.trim();
    let (section, keyword) = closest(
        SECTIONS
            .into_iter()
            .flat_map(|s| language.keywords(s).iter().map(move |k| (s, k.as_str()))),
        head,
        strict,
    )?;
    let message = if head == keyword {
        format!(
            "no space may stand before the colon: write `{keyword}: {}`",
            rest.trim()
        )
    } else {
        format!("`{head}:` is not a keyword: did you mean `{keyword}:`?")
    };
    Some(Guess {
        kind: Kind::Section(section),
        message,
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
            // Lengths further apart than allowed cannot be near: skip the
            // quadratic count (description lines can be long).
            if word.chars().count().abs_diff(length) > allowed {
                return None;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn guessed(code: &str, line: &str, strict: bool, expect_step: bool) -> Option<String> {
        let language = language(code).expect("a known language");
        guess(language, line, strict, expect_step).map(|g| g.message)
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("wehn", "when"), 1);
        assert_eq!(distance("scenaro", "scenario"), 1);
        assert_eq!(distance("quadn", "quand"), 1);
        assert_eq!(distance("given", "given"), 0);
        assert_eq!(distance("", "and"), 3);
    }

    #[test]
    fn description_prose_is_not_mistaken_for_keywords() {
        for line in [
            "Feature flags are stored per user",
            "Rules of thumb: keep it short",
            "and so on",
            "but not always",
            "Note: prices include tax",
            "Went to the shop",
        ] {
            assert_eq!(guessed("en", line, true, true), None, "{line}");
        }
    }

    #[test]
    fn mistakes_where_a_keyword_must_stand_get_a_guess() {
        assert_eq!(
            guessed("en", "and a card", false, true).as_deref(),
            Some("`and` is not a step keyword: keywords are case-sensitive, write `And`")
        );
        assert_eq!(
            guessed("en", "Scenario Outline Fees", false, true).as_deref(),
            Some("`Scenario Outline` needs a colon: write `Scenario Outline: Fees`")
        );
        assert_eq!(
            guessed("en", "Scenario : Fees", false, true).as_deref(),
            Some("no space may stand before the colon: write `Scenario: Fees`")
        );
        assert_eq!(
            guessed("de", "Angenomen ein Warenkorb", false, true).as_deref(),
            Some("`Angenomen` is not a step keyword: did you mean `Angenommen`?")
        );
        assert_eq!(
            guessed("de", "Given a cart", false, true).as_deref(),
            Some(
                "this file is German (`# language: de`): write `Angenommen` for `Given`, or remove the `# language: de` line to write in English"
            )
        );
    }
}
