//! Cucumber JSON: a [`Report`] in, the JSON that Cucumber dashboards read
//! out (`--cucumber-json FILE`), in the format of
//! <https://github.com/cucumber/cucumber-json-schema>.
//!
//! One feature object per feature file (`uri` = the path the other reports
//! use), one `scenario` element per intent (one per Examples row of an
//! outline), its steps with their `result`. It is made from the report alone:
//! never from the file the prototype's harness writes, which the generated
//! code could forge. Statuses that Cucumber does not know are told in its
//! terms: a step that did not run is `skipped`, and a hollow or unverified
//! intent fails, at the step whose definition a finding names (else its
//! last step), with the plain reason as `error_message`; a scenario that
//! `--tags` or `--name` left out has every step `skipped`, the reason as
//! its description (never passed, never failed). What the report
//! does not hold is not invented: no durations; tags carry the line of the
//! feature or scenario they tag; a scenario's keyword is `Scenario` or
//! `Scenario Outline`.

use serde_json::{Value, json};

use super::{FeatureReport, IntentReport, Report, StepReport, file_of};
use crate::vocabulary::{Status, StepStatus};

/// Renders `report` as Cucumber JSON (an array of features, pretty-printed).
pub fn render(report: &Report) -> String {
    let mut features: Vec<Value> = report
        .features
        .iter()
        .map(|f| feature(f, report.of_feature(f)))
        .collect();
    // Intents whose feature file is not listed still count (none should).
    for intent in report.orphans() {
        let mut found = false;
        let path = file_of(&intent.id);
        for f in &mut features {
            if f["uri"] == path {
                if let Some(elements) = f["elements"].as_array_mut() {
                    elements.push(element(&slug(&intent.feature), intent));
                }
                found = true;
            }
        }
        if !found {
            let other = FeatureReport {
                path: path.to_owned(),
                sha256: String::new(),
                keyword: "Feature".to_owned(),
                name: intent.feature.clone(),
                description: None,
                tags: Vec::new(),
                line: 1,
                paragraphs: Vec::new(),
            };
            features.push(feature(&other, std::iter::once(intent)));
        }
    }
    serde_json::to_string_pretty(&features).expect("JSON values serialize") + "\n"
}

fn feature<'a>(feature: &FeatureReport, intents: impl Iterator<Item = &'a IntentReport>) -> Value {
    let id = slug(&feature.name);
    json!({
        "uri": feature.path,
        "id": id,
        "keyword": feature.keyword,
        "name": feature.name,
        "line": feature.line,
        "description": if feature.paragraphs.is_empty() {
            feature.description.clone().unwrap_or_default()
        } else {
            feature.paragraphs.join("\n\n")
        },
        "tags": tags(&feature.tags, feature.line),
        "elements": intents.map(|i| element(&id, i)).collect::<Vec<_>>(),
    })
}

fn tags(tags: &[String], line: usize) -> Vec<Value> {
    tags.iter()
        .map(|t| {
            let name = if t.starts_with('@') {
                t.clone()
            } else {
                format!("@{t}")
            };
            json!({ "name": name, "line": line })
        })
        .collect()
}

/// The line of an intent: its Examples row, or its scenario.
fn line_of(intent: &IntentReport) -> usize {
    intent
        .id
        .rsplit_once(':')
        .and_then(|(_, line)| line.parse().ok())
        .unwrap_or(intent.scenario_line)
}

fn element(feature_id: &str, intent: &IntentReport) -> Value {
    let line = line_of(intent);
    let keyword = if intent.example.is_some() {
        "Scenario Outline"
    } else {
        "Scenario"
    };
    // Where a passing but unverified intent fails, in Cucumber's terms.
    let at_fault = intent.proves_nothing().then(|| {
        intent
            .step_at_fault()
            .unwrap_or(intent.steps.len().saturating_sub(1))
    });
    let steps: Vec<Value> = intent
        .steps
        .iter()
        .enumerate()
        .map(|(n, s)| step(intent, s, at_fault == Some(n)))
        .collect();
    json!({
        "type": "scenario",
        "id": format!("{feature_id};{};{line}", slug(&intent.name)),
        "keyword": keyword,
        "name": intent.name,
        "line": line,
        // Where the format has room for why a scenario was left out.
        "description": if intent.status == Status::LeftOut {
            intent.reason.clone().unwrap_or_default()
        } else {
            String::new()
        },
        "tags": tags(&intent.tags, intent.scenario_line),
        "steps": steps,
    })
}

fn step(intent: &IntentReport, step: &StepReport, at_fault: bool) -> Value {
    let (status, error) = if at_fault {
        (
            "failed",
            intent.reason.as_deref().or(intent.message.as_deref()),
        )
    } else {
        match step.status {
            StepStatus::Passed => ("passed", None),
            StepStatus::Failed => (
                "failed",
                intent.message.as_deref().or(intent.reason.as_deref()),
            ),
            StepStatus::Undefined => ("undefined", None),
            StepStatus::Ambiguous => ("ambiguous", intent.message.as_deref()),
            StepStatus::Skipped | StepStatus::NotRun => ("skipped", None),
        }
    };
    let mut result = json!({ "status": status });
    if let Some(error) = error.filter(|e| !e.is_empty()) {
        result["error_message"] = error.into();
    }
    let mut value = json!({
        "keyword": format!("{} ", step.keyword),
        "line": step.line,
        "name": step.text,
        "result": result,
    });
    if let Some(doc) = &step.doc_string {
        value["doc_string"] = json!({ "value": doc, "line": step.line + 1 });
    }
    if let Some(rows) = &step.data_table {
        value["rows"] = rows.iter().map(|cells| json!({ "cells": cells })).collect();
    }
    value
}

/// `Bank account` → `bank-account`, as Cucumber makes its ids.
fn slug(name: &str) -> String {
    name.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

/// The status Cucumber would give an intent, from its steps: what
/// dashboards will show for it.
#[cfg(test)]
fn scenario_status(element: &Value) -> &str {
    let statuses: Vec<&str> = element["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["result"]["status"].as_str())
        .collect();
    statuses
        .iter()
        .find(|s| **s != "passed")
        .copied()
        .unwrap_or("passed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Status;

    fn elements(json: &Value) -> Vec<&Value> {
        json.as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["elements"].as_array().into_iter().flatten())
            .collect()
    }

    #[test]
    fn one_scenario_per_intent_with_the_report_paths() {
        let report = super::super::html::tests::sample();
        let text = render(&report);
        let json: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(json[0]["uri"], "features/shop.feature");
        assert_eq!(json[0]["keyword"], "Feature");
        assert_eq!(json[0]["line"], 1);
        assert!(
            json[0]["description"]
                .as_str()
                .is_some_and(|d| d.contains("As a shopper"))
        );
        let elements = elements(&json);
        assert_eq!(elements.len(), report.intents.len());
        let statuses: Vec<&str> = elements.iter().map(|e| scenario_status(e)).collect();
        assert_eq!(
            statuses,
            ["passed", "passed", "failed", "undefined", "failed"]
        );
        assert_eq!(elements[2]["type"], "scenario");
        assert_eq!(elements[2]["keyword"], "Scenario Outline");
        assert_eq!(elements[2]["line"], 24);
        let failed = &elements[2]["steps"][3];
        assert_eq!(failed["keyword"], "Then ");
        assert_eq!(failed["name"], "the total is 50 euros");
        assert!(
            failed["result"]["error_message"]
                .as_str()
                .is_some_and(|m| m.contains("left: 100"))
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_hollow_intent_fails_with_its_reason() {
        let report = super::super::html::tests::sample();
        let json: Value = serde_json::from_str(&render(&report)).expect("valid JSON");
        let hollow = elements(&json)[4];
        assert_eq!(hollow["name"], "Codes are listed");
        let failed: Vec<&Value> = hollow["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["result"]["status"] == "failed")
            .collect();
        assert_eq!(failed.len(), 1, "{hollow}");
        assert_eq!(
            failed[0]["result"]["error_message"],
            "passes, but not because of the prototype: `Then I see:` checks nothing"
        );
        let mut unverified = report.clone();
        unverified.intents[4].status = Status::Unverified;
        unverified.intents[4].reason = Some("passes, but wow could not check it: x".to_owned());
        let json: Value = serde_json::from_str(&render(&unverified)).expect("valid JSON");
        assert_eq!(scenario_status(elements(&json)[4]), "failed");
    }
}
