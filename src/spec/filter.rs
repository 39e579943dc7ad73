//! Filters: which intents a command runs, chosen with `--tags` (a
//! Cucumber tag expression) and `--name` (a regular expression on
//! scenario names), as Cucumber's own runners choose them.
//!
//! In: the expression and the pattern as the user typed them, then
//! intents. Out: a [`Filter`] that says whether an intent is selected, or
//! an [`Error`] saying what is wrong with the expression or the pattern and
//! what to write instead. Tag expressions are parsed by the `gherkin`
//! crate's `tagexpr` module (the parser cucumber-rs uses for its own
//! `--tags`), evaluated here over [`Intent::tags`], which already holds the
//! tags inherited from the feature, the rule and the Examples table
//! (<https://cucumber.io/docs/cucumber/api/#tag-expressions>). Must not read
//! files or know about the command line.

use std::fmt;

use gherkin::tagexpr::TagOperation;
use serde::Serialize;

use super::{Error, Intent};

/// The intents a command runs: those whose tags satisfy the tag expression
/// and whose name the pattern matches (both, when both are given). The
/// default filter selects every intent.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The expression as typed, and as parsed.
    tags: Option<(String, TagOperation)>,
    name: Option<regex::Regex>,
}

/// A filter as the user wrote it, for the reports: `--tags` and `--name`
/// verbatim, `null` when not given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    pub tags: Option<String>,
    pub name: Option<String>,
}

impl fmt::Display for Selection {
    /// `--tags '@a and not @b'`, `--name 'Pay'`, or both joined by `and`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [("--tags", &self.tags), ("--name", &self.name)]
            .into_iter()
            .filter_map(|(option, value)| value.as_ref().map(|v| format!("{option} '{v}'")))
            .collect();
        f.write_str(&parts.join(" and "))
    }
}

impl Filter {
    /// The filter of `--tags tags` and `--name name`; `None` for an option
    /// not given.
    ///
    /// # Errors
    /// [`Error::TagExpression`] when `tags` is not a tag expression (tags
    /// start with `@`; `and`, `or`, `not` and parentheses join them);
    /// [`Error::NamePattern`] when `name` is not a regular expression of
    /// the `regex` crate's syntax.
    pub fn new(tags: Option<&str>, name: Option<&str>) -> Result<Self, Error> {
        let tags = tags
            .map(|expression| {
                let trimmed = expression.trim();
                trimmed
                    .parse::<TagOperation>()
                    .map(|parsed| (trimmed.to_owned(), parsed))
                    .map_err(|error| Error::TagExpression {
                        expression: expression.to_owned(),
                        problem: error.to_string(),
                    })
            })
            .transpose()?;
        let name = name
            .map(|pattern| {
                regex::Regex::new(pattern).map_err(|error| Error::NamePattern {
                    pattern: pattern.to_owned(),
                    problem: error.to_string(),
                })
            })
            .transpose()?;
        Ok(Self { tags, name })
    }

    /// Whether this filter selects every intent (neither option given).
    pub fn is_empty(&self) -> bool {
        self.tags.is_none() && self.name.is_none()
    }

    /// Whether `intent` is selected: its tags (inherited ones included,
    /// written without `@` as the parser gives them) satisfy the
    /// expression, and the pattern matches somewhere in its name
    /// (placeholders filled in for an outline row).
    pub fn selects(&self, intent: &Intent) -> bool {
        self.tags
            .as_ref()
            .is_none_or(|(_, expression)| holds(expression, &intent.tags))
            && self
                .name
                .as_ref()
                .is_none_or(|pattern| pattern.is_match(&intent.name))
    }

    /// The filter as written, for the reports.
    pub fn selection(&self) -> Selection {
        Selection {
            tags: self.tags.as_ref().map(|(text, _)| text.clone()),
            name: self.name.as_ref().map(|r| r.as_str().to_owned()),
        }
    }
}

/// Whether `tags` satisfy `expression`, as cucumber-rs evaluates it
/// (`cucumber::tag::Ext::eval`): a tag holds when the intent carries it.
fn holds(expression: &TagOperation, tags: &[String]) -> bool {
    match expression {
        TagOperation::And(left, right) => holds(left, tags) && holds(right, tags),
        TagOperation::Or(left, right) => holds(left, tags) || holds(right, tags),
        TagOperation::Not(inner) => !holds(inner, tags),
        TagOperation::Tag(tag) => tags.iter().any(|t| t == tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    const SHOP: &str = "\
@shop
Feature: Shop

  @fast
  Scenario: Pay by card
    Given a cart
    Then I pay

  Scenario: Refund
    Given a cart
    Then I get a refund

  @discount
  Rule: Discounts

    Scenario: Ten percent off
      Given a cart
      Then I pay less

    @slow
    Scenario Outline: Bulk discount of <count> items
      Given <count> items
      Then I pay less

      @big
      Examples:
        | count |
        | 100   |

      Examples:
        | count |
        | 10    |
";

    fn spec() -> (Spec, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("shop.feature");
        std::fs::write(&path, SHOP).expect("feature");
        (crate::spec::parse(&[path]).expect("valid Gherkin"), dir)
    }

    /// The names of the intents `tags` and `name` select, in file order.
    fn selected(tags: Option<&str>, name: Option<&str>) -> Vec<String> {
        let (spec, _dir) = spec();
        let filter = Filter::new(tags, name).expect("a valid filter");
        spec.intents()
            .filter(|i| filter.selects(i))
            .map(|i| i.name.clone())
            .collect()
    }

    #[test]
    fn tags_are_inherited_from_the_feature_the_rule_and_the_examples() {
        assert_eq!(selected(Some("@shop"), None).len(), 5);
        assert_eq!(
            selected(Some("@discount"), None),
            [
                "Ten percent off",
                "Bulk discount of 100 items",
                "Bulk discount of 10 items"
            ]
        );
        assert_eq!(selected(Some("@big"), None), ["Bulk discount of 100 items"]);
    }

    #[test]
    fn and_or_not_and_parentheses_combine_tags() {
        assert_eq!(
            selected(Some("@discount and not @slow"), None),
            ["Ten percent off"]
        );
        assert_eq!(
            selected(Some("@fast or @big"), None),
            ["Pay by card", "Bulk discount of 100 items"]
        );
        assert_eq!(selected(Some("not (@fast or @discount)"), None), ["Refund"]);
        assert_eq!(
            selected(Some("  (@slow and not @big) or @fast "), None),
            ["Pay by card", "Bulk discount of 10 items"]
        );
    }

    #[test]
    fn the_name_pattern_matches_names_with_placeholders_filled_in() {
        assert_eq!(
            selected(None, Some("^Bulk .* 10 items$")),
            ["Bulk discount of 10 items"]
        );
        assert_eq!(
            selected(None, Some("(?i)refund|card")),
            ["Pay by card", "Refund"]
        );
        // With `--tags`, both must hold.
        assert_eq!(
            selected(Some("@discount"), Some("percent")),
            ["Ten percent off"]
        );
    }

    #[test]
    fn select_sets_apart_what_the_filter_leaves_out() {
        let (spec, _dir) = spec();
        let filter = Filter::new(Some("@fast"), None).expect("valid");
        let spec = spec.select(&filter).expect("one intent selected");
        let names = |intents: Vec<&Intent>| -> Vec<String> {
            intents.into_iter().map(|i| i.name.clone()).collect()
        };
        assert_eq!(names(spec.intents().collect()), ["Pay by card"]);
        assert_eq!(spec.left_out().count(), 4);
        assert_eq!(spec.features[0].every_intent().len(), 5);
        assert_eq!(
            spec.selection.as_ref().map(ToString::to_string).as_deref(),
            Some("--tags '@fast'")
        );
        // Selecting again starts from every intent, not from the last choice.
        let again = Filter::new(Some("@big"), None).expect("valid");
        let spec = spec.select(&again).expect("one intent selected");
        assert_eq!(
            names(spec.intents().collect()),
            ["Bulk discount of 100 items"]
        );
        // No filter: every intent, and no selection to report.
        let (all, _dir) = self::spec();
        let all = all.select(&Filter::default()).expect("no filter");
        assert_eq!(all.intents().count(), 5);
        assert_eq!(all.selection, None);
    }

    #[test]
    fn a_filter_that_selects_nothing_says_which_tags_there_are() {
        let (spec, _dir) = spec();
        let filter = Filter::new(Some("@discont"), None).expect("valid");
        let error = spec.select(&filter).expect_err("nothing selected");
        let message = error.to_string();
        assert!(matches!(error, Error::NothingSelected { intents: 5, .. }));
        assert!(
            message.contains("--tags '@discont' selects none of the 5 intents"),
            "{message}"
        );
        assert!(
            message.contains("@big, @discount, @fast, @shop, @slow"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_expression_or_pattern_says_what_is_wrong_and_what_to_write() {
        for bad in ["@a and", "@a @b", "discount", "(@a or @b", ""] {
            let error = Filter::new(Some(bad), None).expect_err(bad);
            let message = error.to_string();
            assert!(
                matches!(error, Error::TagExpression { .. }),
                "{bad}: {message}"
            );
            assert!(message.contains(&format!("`--tags {bad}`")), "{message}");
            assert!(
                message.contains("such as `--tags '@discount and not @slow'`"),
                "{message}"
            );
        }
        let error = Filter::new(None, Some("Pay (by")).expect_err("unclosed group");
        let message = error.to_string();
        assert!(matches!(error, Error::NamePattern { .. }), "{message}");
        assert!(message.contains("`--name Pay (by`"), "{message}");
        assert!(message.contains("unclosed group"), "{message}");
    }
}
