//! The Cucumber Messages report: a finished run's [`Report`] and its
//! [`Spec`] in, the NDJSON message stream out (one JSON envelope a line),
//! as read by `@cucumber/html-formatter` and the other Cucumber tools.
//!
//! Shapes follow the JSON schemas of <https://github.com/cucumber/messages>
//! (checked against `@cucumber/messages` [`PROTOCOL_VERSION`]). The stream
//! is `meta`; per feature its `source`, `gherkinDocument` and one `pickle`
//! per intent; one `stepDefinition` per step definition the report traced;
//! `testRunStarted`; one `testCase` per pickle (none for a pickle that
//! `--tags` or `--name` left out, as Cucumber's filters do); per test case
//! `testCaseStarted`, `testStepStarted`/`testStepFinished` per step and
//! `testCaseFinished`; `testRunFinished`. Statuses Cucumber does not have
//! are mapped so that nothing unverified reads as passed (see
//! [`step_results`]). The report keeps only the command's wall time, so
//! times are spread evenly over it. What must not happen here: reading or
//! writing files, or anything but describing the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use regex::Regex;
use serde_json::{Value, json};

use super::{IntentReport, Report, StepReport};
use crate::spec::Spec;
use crate::spec::messages::{Ids, Pickling};
use crate::vocabulary::{Status, StepStatus};

/// Version of the Cucumber Messages schema the stream follows
/// (`meta.protocolVersion`).
pub const PROTOCOL_VERSION: &str = "34.2.1";

/// Renders `report` (of `spec`'s intents) as Cucumber Messages NDJSON, one
/// envelope a line. The run is taken to have ended now and to have lasted
/// the report's `duration_ms`.
pub fn render(report: &Report, spec: &Spec) -> String {
    render_at(report, spec, SystemTime::now())
}

/// [`render`] with the run ending at `finished`.
fn render_at(report: &Report, spec: &Spec, finished: SystemTime) -> String {
    let mut out = Stream::default();
    let mut ids = Ids::default();
    out.emit("meta", meta());

    let mut cases: Vec<Case<'_>> = Vec::new();
    let mut intents = report.intents.iter();
    for (index, feature) in spec.features.iter().enumerate() {
        let uri = report.features.get(index).map_or_else(
            || crate::spec::display_path(&feature.source),
            |f| f.path.clone(),
        );
        out.emit(
            "source",
            json!({
                "uri": uri,
                "data": feature.text,
                "mediaType": "text/x.cucumber.gherkin+plain",
            }),
        );
        let (language, picklings) = match crate::spec::messages::document(feature, &uri, &mut ids) {
            Some((document, picklings)) => {
                let language = document.feature.language.clone();
                out.emit("gherkinDocument", to_value(&document));
                (language, picklings)
            }
            None => ("en".to_owned(), Vec::new()),
        };
        for spec_intent in feature.every_intent() {
            let Some(intent) = intents.next() else { break };
            let pickling = picklings
                .iter()
                .find(|p| p.line == spec_intent.line)
                .cloned();
            let case = Case::new(intent, &spec_intent.name, pickling, &mut ids);
            out.emit("pickle", case.pickle(&uri, &language));
            // As Cucumber does: a pickle a filter leaves out gets no test case.
            if intent.status != Status::LeftOut {
                cases.push(case);
            }
        }
    }

    let definitions = step_definitions(report, &mut ids);
    for definition in definitions.values() {
        out.emit("stepDefinition", definition.body.clone());
    }

    let finished_ns = nanos_since_epoch(finished);
    let total_ns = report.duration_ms.saturating_mul(1_000_000);
    let started_ns = finished_ns.saturating_sub(total_ns);
    let run_id = ids.fresh();
    out.emit(
        "testRunStarted",
        json!({ "id": run_id, "timestamp": timestamp(started_ns) }),
    );
    emit_test_cases(&mut out, &mut cases, &definitions, &run_id, &mut ids);

    emit_results(&mut out, &cases, (started_ns, total_ns), &mut ids);
    out.emit(
        "testRunFinished",
        json!({
            "testRunStartedId": run_id,
            "success": report.all_passed(),
            "timestamp": timestamp(finished_ns),
        }),
    );
    out.text
}

/// One `testCase` per pickle, each step bound to its pickle step and the
/// step definition the report traced for it.
fn emit_test_cases(
    out: &mut Stream,
    cases: &mut [Case<'_>],
    definitions: &Definitions,
    run_id: &str,
    ids: &mut Ids,
) {
    for case in cases.iter_mut() {
        case.test_case_id = ids.fresh();
        let steps: Vec<Value> = case
            .steps
            .iter_mut()
            .map(|step| {
                step.test_step_id = ids.fresh();
                let mut test_step = json!({
                    "id": step.test_step_id,
                    "pickleStepId": step.pickle_step_id,
                    "stepDefinitionIds": [],
                });
                if let Some(definition) = step
                    .report
                    .definition
                    .as_ref()
                    .and_then(|d| definitions.get(&(d.file.clone(), d.line)))
                {
                    test_step["stepDefinitionIds"] = json!([definition.id]);
                    if let Some(arguments) = definition.arguments(&step.report.text) {
                        test_step["stepMatchArgumentsLists"] =
                            json!([{ "stepMatchArguments": arguments }]);
                    }
                }
                test_step
            })
            .collect();
        out.emit(
            "testCase",
            json!({
                "id": case.test_case_id,
                "pickleId": case.pickle_id,
                "testSteps": steps,
                "testRunStartedId": run_id,
            }),
        );
    }
}

/// The test cases' `testCaseStarted`, step and `testCaseFinished` messages
/// over the run `(start, length)` in nanoseconds.
fn emit_results(
    out: &mut Stream,
    cases: &[Case<'_>],
    (started_ns, total_ns): (u64, u64),
    ids: &mut Ids,
) {
    // Scenarios run concurrently and the report keeps no per-step times:
    // each intent gets an equal slice of the run, each step an equal part.
    let count = u64::try_from(cases.len()).unwrap_or(u64::MAX).max(1);
    let slice_ns = total_ns / count;
    for (index, case) in cases.iter().enumerate() {
        let start_ns = started_ns + slice_ns * u64::try_from(index).unwrap_or(u64::MAX).min(count);
        let started_id = ids.fresh();
        out.emit(
            "testCaseStarted",
            json!({
                "id": started_id,
                "testCaseId": case.test_case_id,
                "attempt": 0,
                "timestamp": timestamp(start_ns),
            }),
        );
        let results = step_results(case.intent, &case.steps);
        let step_ns = slice_ns / u64::try_from(case.steps.len()).unwrap_or(u64::MAX).max(1);
        let mut at_ns = start_ns;
        for (step, (status, message)) in case.steps.iter().zip(results) {
            out.emit(
                "testStepStarted",
                json!({
                    "testCaseStartedId": started_id,
                    "testStepId": step.test_step_id,
                    "timestamp": timestamp(at_ns),
                }),
            );
            at_ns += step_ns;
            let mut result = json!({ "status": status, "duration": duration(step_ns) });
            if let Some(message) = message {
                result["message"] = json!(message);
            }
            out.emit(
                "testStepFinished",
                json!({
                    "testCaseStartedId": started_id,
                    "testStepId": step.test_step_id,
                    "testStepResult": result,
                    "timestamp": timestamp(at_ns),
                }),
            );
        }
        out.emit(
            "testCaseFinished",
            json!({
                "testCaseStartedId": started_id,
                "timestamp": timestamp(start_ns + slice_ns),
                "willBeRetried": false,
            }),
        );
    }
}

/// The NDJSON text being written.
#[derive(Default)]
struct Stream {
    text: String,
}

impl Stream {
    /// Appends the envelope `{key: body}` as one line.
    fn emit(&mut self, key: &str, body: Value) {
        let mut envelope = serde_json::Map::new();
        envelope.insert(key.to_owned(), body);
        let _ = writeln!(self.text, "{}", Value::Object(envelope));
    }
}

fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("message bodies serialize")
}

fn meta() -> Value {
    json!({
        "protocolVersion": PROTOCOL_VERSION,
        "implementation": { "name": "wow", "version": env!("CARGO_PKG_VERSION") },
        "runtime": { "name": "rust" },
        "os": { "name": std::env::consts::OS },
        "cpu": { "name": std::env::consts::ARCH },
    })
}

/// One intent on its way to a pickle and a test case.
struct Case<'a> {
    intent: &'a IntentReport,
    name: String,
    pickle_id: String,
    test_case_id: String,
    pickling: Option<Pickling>,
    steps: Vec<CaseStep<'a>>,
}

struct CaseStep<'a> {
    report: &'a StepReport,
    pickle_step_id: String,
    test_step_id: String,
    /// `Context`, `Action`, `Outcome` or `Unknown`.
    kind: &'static str,
    media_type: Option<String>,
    /// The doc string as the document has it (the report's keeps the
    /// `gherkin` crate's media type line and indentation).
    doc_string: Option<String>,
    ast_node_ids: Vec<String>,
}

impl<'a> Case<'a> {
    /// Hands out the pickle's step ids, then its own (the reference order).
    fn new(
        intent: &'a IntentReport,
        name: &str,
        pickling: Option<Pickling>,
        ids: &mut Ids,
    ) -> Self {
        let steps = intent
            .steps
            .iter()
            .enumerate()
            .map(|(i, report)| {
                let from = pickling.as_ref().and_then(|p| p.steps.get(i));
                CaseStep {
                    report,
                    pickle_step_id: ids.fresh(),
                    test_step_id: String::new(),
                    kind: from.map_or("Unknown", |s| s.kind),
                    media_type: from.and_then(|s| s.media_type.clone()),
                    doc_string: from
                        .and_then(|s| s.doc_string.clone())
                        .or_else(|| report.doc_string.clone()),
                    ast_node_ids: from.map_or_else(Vec::new, |s| s.ast_node_ids.clone()),
                }
            })
            .collect();
        Self {
            intent,
            name: name.to_owned(),
            pickle_id: ids.fresh(),
            test_case_id: String::new(),
            pickling,
            steps,
        }
    }

    fn pickle(&self, uri: &str, language: &str) -> Value {
        // Ids must point into the document; without one (a feature the
        // crate no longer parses) they point at nothing rather than lie.
        let fallback = || vec![String::new()];
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|step| {
                let mut pickle_step = json!({
                    "id": step.pickle_step_id,
                    "text": step.report.text,
                    "type": step.kind,
                    "astNodeIds": if step.ast_node_ids.is_empty() { fallback() } else { step.ast_node_ids.clone() },
                });
                if let Some(content) = &step.doc_string {
                    let mut doc = json!({ "content": content });
                    if let Some(media_type) = &step.media_type {
                        doc["mediaType"] = json!(media_type);
                    }
                    pickle_step["argument"] = json!({ "docString": doc });
                } else if let Some(rows) = &step.report.data_table {
                    let rows: Vec<Value> = rows
                        .iter()
                        .filter(|cells| !cells.is_empty())
                        .map(|cells| {
                            let cells: Vec<Value> =
                                cells.iter().map(|c| json!({ "value": c })).collect();
                            json!({ "cells": cells })
                        })
                        .collect();
                    pickle_step["argument"] = json!({ "dataTable": { "rows": rows } });
                }
                pickle_step
            })
            .collect();
        let mut pickle = json!({
            "id": self.pickle_id,
            "uri": uri,
            "name": self.name,
            "language": language,
            "steps": steps,
            "tags": self.pickling.as_ref().map_or_else(Vec::new, |p| {
                p.tags.iter().map(|(name, id)| json!({ "name": name, "astNodeId": id })).collect()
            }),
            "astNodeIds": self.pickling.as_ref().map_or_else(fallback, |p| p.ast_node_ids.clone()),
        });
        if let Some(pickling) = &self.pickling {
            pickle["location"] = to_value(&pickling.location);
        }
        pickle
    }
}

/// Step definitions by (file, line).
type Definitions = BTreeMap<(String, usize), Definition>;

/// A step definition the report traced.
struct Definition {
    id: String,
    /// The `stepDefinition` message body.
    body: Value,
    /// The regex cucumber-rs matches steps with, when wow can build it
    /// (not for custom parameter types, whose regex is in the model's code).
    matcher: Option<Regex>,
    /// The parameter type of each argument (`int`, `word`), for an
    /// expression; empty for a regex.
    parameters: Vec<String>,
}

impl Definition {
    /// The `stepMatchArguments` of `text`: each argument's value and where
    /// it starts (in bytes, UTF-8), or `None` when the pattern is unknown or
    /// does not match `text`.
    fn arguments(&self, text: &str) -> Option<Vec<Value>> {
        let captures = self.matcher.as_ref()?.captures(text)?;
        // The outermost groups only: `{string}` has groups inside its own.
        let mut end = 0;
        let mut arguments = Vec::new();
        for group in captures.iter().skip(1).flatten() {
            if group.start() < end {
                continue;
            }
            end = group.end();
            let mut argument = json!({
                "group": { "start": group.start(), "value": group.as_str(), "children": [] },
            });
            if let Some(name) = self
                .parameters
                .get(arguments.len())
                .filter(|n| !n.is_empty())
            {
                argument["parameterTypeName"] = json!(name);
            }
            arguments.push(argument);
        }
        Some(arguments)
    }
}

/// The regex cucumber-rs 0.23 matches with: an expression becomes an
/// anchored regex (cucumber-expressions), a regex is used as is.
fn matcher(source: &str, kind: &str) -> Option<Regex> {
    if kind == "REGULAR_EXPRESSION" {
        Regex::new(source).ok()
    } else {
        cucumber_expressions::Expression::regex(source).ok()
    }
}

/// The parameter names of a Cucumber expression, in order (`\{` is text).
fn parameters(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = expression.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => names.push(chars.by_ref().take_while(|&c| c != '}').collect()),
            _ => {}
        }
    }
    names
}

/// One `stepDefinition` per step definition the report traced.
fn step_definitions(report: &Report, ids: &mut Ids) -> Definitions {
    let mut found = Definitions::new();
    let traced = report
        .intents
        .iter()
        .flat_map(|i| &i.steps)
        .filter_map(|s| s.definition.as_ref());
    for definition in traced {
        let key = (definition.file.clone(), definition.line);
        if found.contains_key(&key) {
            continue;
        }
        let (source, kind) = pattern(&definition.source).unwrap_or_default();
        let known = kind.is_some();
        let kind = kind.unwrap_or("CUCUMBER_EXPRESSION");
        let id = ids.fresh();
        let body = json!({
            "id": id,
            "pattern": { "source": source, "type": kind },
            "sourceReference": { "uri": definition.file, "location": { "line": definition.line } },
        });
        let expression = kind == "CUCUMBER_EXPRESSION";
        found.insert(
            key,
            Definition {
                id,
                body,
                matcher: known.then(|| matcher(&source, kind)).flatten(),
                parameters: if expression {
                    parameters(&source)
                } else {
                    Vec::new()
                },
            },
        );
    }
    found
}

/// The pattern of a cucumber-rs step definition's attribute (`#[given("…")]`,
/// `#[when(expr = "…")]`, `#[then(regex = r"…")]`) and its messages type; a
/// literal is an exact match, written as a Cucumber expression with its
/// special characters escaped (cucumber-expressions grammar). `None` when
/// the source is not such a function.
fn pattern(source: &str) -> Option<(String, Option<&'static str>)> {
    let item: syn::ItemFn = syn::parse_str(source).ok()?;
    item.attrs.iter().find_map(|attr| {
        let name = attr.path().segments.last()?.ident.to_string();
        if !matches!(name.as_str(), "given" | "when" | "then") {
            return None;
        }
        if let Ok(literal) = attr.parse_args::<syn::LitStr>() {
            let escaped: String = literal
                .value()
                .chars()
                .flat_map(|c| {
                    let escape = matches!(c, '(' | ')' | '{' | '}' | '/' | '\\');
                    escape.then_some('\\').into_iter().chain([c])
                })
                .collect();
            return Some((escaped, Some("CUCUMBER_EXPRESSION")));
        }
        let arguments = attr
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::MetaNameValue, syn::Token![,]>::parse_terminated,
            )
            .ok()?;
        arguments.iter().find_map(|argument| {
            let kind = match argument.path.get_ident()?.to_string().as_str() {
                "expr" => "CUCUMBER_EXPRESSION",
                "regex" => "REGULAR_EXPRESSION",
                _ => return None,
            };
            match &argument.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some((text.value(), Some(kind))),
                _ => None,
            }
        })
    })
}

/// Each step's `testStepResult` status and message.
///
/// Steps keep their own status (`passed` → `PASSED`, `failed` → `FAILED`,
/// `undefined` → `UNDEFINED`, `ambiguous` → `AMBIGUOUS`, `skipped` and
/// `not_run` → `SKIPPED`), the technical message on the step that did not
/// pass. Then the intent's status decides what Cucumber's statuses cannot
/// say: a hollow or unverified intent (its steps passed, but it is not
/// verified) has its last `Outcome` step (else its last step) `FAILED`
/// with the plain reason as the message; an intent that did not run has
/// every step `SKIPPED`, the reason on the first; a failed, undefined or
/// ambiguous intent whose steps do not show it gets that status on the
/// step it names (else the last step).
fn step_results(
    intent: &IntentReport,
    steps: &[CaseStep<'_>],
) -> Vec<(&'static str, Option<String>)> {
    let technical = intent.message.clone().or_else(|| intent.reason.clone());
    let mut results: Vec<(&'static str, Option<String>)> = steps
        .iter()
        .map(|step| match step.report.status {
            StepStatus::Passed => ("PASSED", None),
            StepStatus::Failed => ("FAILED", technical.clone()),
            StepStatus::Undefined => ("UNDEFINED", technical.clone()),
            StepStatus::Ambiguous => ("AMBIGUOUS", technical.clone()),
            StepStatus::Skipped | StepStatus::NotRun => ("SKIPPED", None),
        })
        .collect();
    let Some(last) = results.len().checked_sub(1) else {
        return results;
    };
    match intent.status {
        Status::Passed => {}
        Status::Hollow | Status::Unverified | Status::Disputed => {
            let at = steps
                .iter()
                .rposition(|s| s.kind == "Outcome")
                .unwrap_or(last);
            let word = match intent.status {
                Status::Hollow => "hollow",
                Status::Disputed => "disputed",
                _ => "unverified",
            };
            let reason = intent.reason.clone().unwrap_or_default();
            results[at] = ("FAILED", Some(format!("not verified ({word}): {reason}")));
        }
        Status::NotRun | Status::LeftOut => {
            for (i, result) in results.iter_mut().enumerate() {
                *result = ("SKIPPED", (i == 0).then(|| intent.reason.clone()).flatten());
            }
        }
        Status::Failed | Status::Undefined | Status::Ambiguous => {
            let expected = match intent.status {
                Status::Failed => "FAILED",
                Status::Undefined => "UNDEFINED",
                _ => "AMBIGUOUS",
            };
            if !results.iter().any(|(status, _)| *status == expected) {
                let named = steps.iter().position(|s| {
                    intent.failed_step.as_deref()
                        == Some(format!("{} {}", s.report.keyword, s.report.text).as_str())
                });
                results[named.unwrap_or(last)] = (expected, technical);
            }
        }
    }
    results
}

fn nanos_since_epoch(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A `Timestamp` message of `nanos` since the Unix epoch.
fn timestamp(nanos: u64) -> Value {
    json!({ "seconds": nanos / 1_000_000_000, "nanos": nanos % 1_000_000_000 })
}

/// A `Duration` message of `nanos`.
fn duration(nanos: u64) -> Value {
    timestamp(nanos)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::report::Sources;
    use crate::vocabulary::{CodeRef, IntentResult};

    const SHOP: &str = r#"@shop
Feature: Shop
  Buying things.

  Background:
    Given a shop
      """json
      {"open": true}
      """

  # Baskets
  Scenario: Empty basket
    When I look at my basket
    Then it is empty

  Rule: Prices
    @slow
    Scenario Outline: Buying <count> apples
      When I buy <count> apples
        | fruit | count   |
        | apple | <count> |
      Then I pay <price> euros

      @cheap
      Examples:
        | count | price |
        | 1     | 2     |
        | 3     | 6     |

    Scenario: Hollow refund
      When I return an apple
      Then I get my money back

    Scenario: Closed shop
      When the shop closes
      Then I cannot buy apples
"#;

    /// The shop spec and a report where the intents pass, fail, are
    /// undefined, hollow and not run, in that order.
    fn shop() -> (Spec, Report) {
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(dir.path().join("shop.feature"), SHOP).expect("write a fixture");
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid features");
        let statuses = [
            Status::Passed,
            Status::Failed,
            Status::Undefined,
            Status::Hollow,
            Status::NotRun,
        ];
        let results: Vec<IntentResult> = spec
            .intents()
            .zip(statuses)
            .map(|(intent, status)| {
                let mut result = IntentResult {
                    id: intent.id.clone(),
                    status,
                    failed_step: None,
                    failed_step_line: None,
                    message: None,
                    step_definition: None,
                    steps: vec![StepStatus::Passed; intent.steps.len()],
                    pinned_by: Vec::new(),
                };
                let last = intent.steps.len() - 1;
                match status {
                    Status::Failed => {
                        result.steps[last] = StepStatus::Failed;
                        result.message = Some("assertion `left == right` failed: the price should be 2 euros\n  left: 3\n right: 2".to_owned());
                    }
                    Status::Undefined => {
                        result.steps[1] = StepStatus::Undefined;
                        result.steps[last] = StepStatus::NotRun;
                        result.message = Some("step is undefined".to_owned());
                    }
                    Status::NotRun => {
                        result.steps = vec![StepStatus::NotRun; intent.steps.len()];
                        result.message = Some("the run timed out after 60 s".to_owned());
                    }
                    Status::Hollow => {
                        result.message = Some("it still passes when every function of the prototype is hollowed out".to_owned());
                    }
                    _ => {}
                }
                result
            })
            .collect();
        let definition = CodeRef {
            file: "tests/steps.rs".to_owned(),
            line: 12,
            source:
                "#[when(expr = \"I buy {int} apples\")]\nfn buy(world: &mut World, count: u32) {}"
                    .to_owned(),
            calls: Vec::new(),
        };
        let traces: Vec<Vec<Option<CodeRef>>> = spec
            .intents()
            .map(|i| {
                i.steps
                    .iter()
                    .map(|s| s.text.starts_with("I buy").then(|| definition.clone()))
                    .collect()
            })
            .collect();
        let mut report = Report::new(
            &spec,
            &Sources {
                results: &results,
                traces: &traces,
                duration_ms: 2000,
                ..Sources::default()
            },
        );
        report.features[0].path = "features/shop.feature".to_owned();
        (spec, report)
    }

    #[test]
    fn stream_of_a_small_run() {
        let (spec, report) = shop();
        let finished = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let text = render_at(&report, &spec, finished)
            .replace(std::env::consts::OS, "<os>")
            .replace(std::env::consts::ARCH, "<cpu>")
            .replace(env!("CARGO_PKG_VERSION"), "<version>");
        insta::assert_snapshot!(text);
    }
}
