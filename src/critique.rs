//! Critique stage: a second opinion on the scenarios themselves.
//!
//! In: the model's reply to [`crate::prompt::critique`]. Out: suggested
//! scenarios as a Gherkin feature written to `<features>/suggested/<name>.feature`
//! (checked with the same parser as every feature; `wow check` accepts it),
//! and questions for the product owner. The product owner's own feature
//! files are never written: `suggested/` is skipped when features are
//! searched, until the product owner moves a scenario into a feature.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::spec::{self, SUGGESTED_DIR};

/// What the reviewer suggested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Critique {
    /// The suggested feature file, relative to the working folder.
    pub file: PathBuf,
    /// The suggestions for the features of other languages, one file per
    /// language (features in two languages give two files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more_files: Vec<PathBuf>,
    /// Questions for the product owner, one sentence each.
    pub questions: Vec<String>,
    /// How each suggested scenario went against the current prototype
    /// (never shown to the model that wrote it); empty when there was no
    /// prototype to run them against.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checked: Vec<Suggested>,
}

/// A suggested scenario run against the current prototype.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggested {
    /// `path:line` in the suggestions file.
    pub id: String,
    pub name: String,
    /// `passed` (the prototype already does it), `failed`, `undefined` (no
    /// step definition understands a step yet), `ambiguous` or `not_run`.
    pub status: crate::vocabulary::Status,
    /// The step that did not pass.
    pub step: Option<String>,
    /// What went wrong, as the step reported it.
    pub message: Option<String>,
}

/// Why no suggestions could be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the critique reply holds no Gherkin block; the reply is kept in `{}`", .0.display())]
    NoFeature(PathBuf),
    #[error("the suggested scenarios are not valid Gherkin ({source}); the reply is kept in `{}`", .reply.display())]
    Invalid {
        reply: PathBuf,
        /// The parser's message, the suggested feature named
        /// `suggested.feature`: what the model is told.
        message: String,
        #[source]
        source: spec::Error,
    },
    #[error("failed to write `{}`: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The folder suggestions go to for features given as `paths`: `suggested/`
/// inside the first folder, or next to the first file.
pub fn folder(paths: &[PathBuf]) -> PathBuf {
    let first = paths
        .first()
        .map_or_else(|| PathBuf::from("features"), Clone::clone);
    let base = if first.is_dir() {
        first
    } else {
        first.parent().map_or_else(PathBuf::new, Path::to_path_buf)
    };
    base.join(SUGGESTED_DIR)
}

/// Takes the Gherkin block and the questions from `reply`, checks the
/// Gherkin, and writes it to `folder/<name>.feature`, or `<name>-2.feature`
/// and so on when earlier suggestions are there (the reply itself goes to
/// `folder/<name>.reply.md`, for reference).
pub fn write(reply: &str, folder: &Path, name: &str) -> Result<Critique, Error> {
    let err = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    fs::create_dir_all(folder).map_err(err(folder))?;
    let reply_path = folder.join(format!("{name}.reply.md"));
    fs::write(&reply_path, reply).map_err(err(&reply_path))?;
    let (gherkin, questions) = split(reply);
    let gherkin = gherkin.ok_or_else(|| Error::NoFeature(reply_path.clone()))?;
    // Earlier suggestions may be under review: never replace them.
    let file = (1..10_000)
        .map(|n| match n {
            1 => folder.join(format!("{name}.feature")),
            n => folder.join(format!("{name}-{n}.feature")),
        })
        .find(|path| !path.exists())
        .ok_or_else(|| Error::Write {
            path: folder.to_owned(),
            source: std::io::Error::other("ten thousand suggestion files already: clear some"),
        })?;
    // Parse a temporary copy first: an invalid reply never replaces earlier
    // suggestions.
    let mut temp = tempfile::Builder::new()
        .suffix(".feature")
        .tempfile_in(folder)
        .map_err(err(folder))?;
    temp.write_all(gherkin.as_bytes())
        .map_err(err(temp.path()))?;
    spec::parse(&[temp.path().to_owned()]).map_err(|source| Error::Invalid {
        reply: reply_path.clone(),
        message: source
            .to_string()
            .replace(&temp.path().display().to_string(), "suggested.feature"),
        source,
    })?;
    // Temporary files are created private (0600); a feature file is not.
    fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .map_err(err(temp.path()))?;
    temp.persist(&file).map_err(|e| Error::Write {
        path: file.clone(),
        source: e.error,
    })?;
    Ok(Critique {
        file,
        more_files: Vec::new(),
        questions,
        checked: Vec::new(),
    })
}

/// The first Gherkin code block and the bullets under a "questions" heading.
fn split(reply: &str) -> (Option<String>, Vec<String>) {
    let mut gherkin = None;
    let mut block: Option<(bool, String)> = None;
    for event in Parser::new(reply) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                let marked = ["gherkin", "feature", "cucumber"]
                    .iter()
                    .any(|w| info.contains(w));
                block = Some((marked, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((marked, text)) = block.take() {
                    let looks = text.trim_start().starts_with("Feature")
                        || text.trim_start().starts_with('#')
                        || text.trim_start().starts_with('@');
                    if gherkin.is_none() && (marked || looks) {
                        gherkin = Some(text);
                    }
                }
            }
            Event::Text(text) => {
                if let Some((_, content)) = &mut block {
                    content.push_str(&text);
                }
            }
            _ => {}
        }
    }
    (gherkin, crate::extract::bullets_under(reply, "question"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "Here are the holes I see.\n\n```gherkin\nFeature: Suggested scenarios for shop\n\n  # why: an empty cart is never described\n  @suggested\n  Scenario: Paying for an empty cart\n    Given an empty cart\n    When I pay\n    Then I am told the cart is empty\n```\n\n## Questions\n\n- Can a discount code be used twice?\n- Are prices shown with or without VAT?\n";

    #[test]
    fn takes_the_gherkin_block_and_the_questions() {
        let (gherkin, questions) = split(REPLY);
        assert!(
            gherkin
                .expect("a block")
                .starts_with("Feature: Suggested scenarios for shop")
        );
        assert_eq!(
            questions,
            [
                "Can a discount code be used twice?",
                "Are prices shown with or without VAT?"
            ]
        );
    }

    #[test]
    fn writes_valid_suggestions_and_refuses_invalid_ones() {
        let dir = tempfile::tempdir().expect("temp");
        let folder = dir.path().join("suggested");
        let critique = write(REPLY, &folder, "shop").expect("valid suggestions");
        assert_eq!(critique.file, folder.join("shop.feature"));
        let parsed =
            spec::parse(std::slice::from_ref(&critique.file)).expect("wow check accepts it");
        assert_eq!(parsed.intents().count(), 1);
        assert!(
            parsed.features[0].intents[0]
                .tags
                .contains(&"suggested".to_owned())
        );

        let broken =
            "```gherkin\nFeature: x\n  Scenario: y\n    Given z\n  oops not gherkin\n```\n";
        let error = write(broken, &folder, "shop").expect_err("invalid Gherkin");
        assert!(error.to_string().contains("not valid Gherkin"), "{error}");
        let kept = fs::read_to_string(folder.join("shop.feature")).expect("earlier suggestions");
        assert!(
            kept.contains("Paying for an empty cart"),
            "the valid suggestions stay"
        );

        let error = write("No holes, all good.", &folder, "shop").expect_err("no block");
        assert!(matches!(error, Error::NoFeature(_)), "{error}");
    }
}
