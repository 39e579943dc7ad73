//! Results: the harness's output → one result per intent.
//!
//! In: the stdout of a run of the tool-owned harness, the random value wow
//! gave it on stdin, its exit code, and the [`Spec`]. Out: one
//! [`IntentResult`] per intent, in spec order. Only the block framed by
//! lines carrying that value counts (the steps cannot name it); a missing
//! block, results that do not parse, or an exit code that contradicts them
//! make every intent "not run" with the reason. Pure: no I/O.

use std::collections::HashMap;

use serde::Deserialize;

use super::sanitize;
use crate::spec::Spec;
use crate::vocabulary::{IntentResult, Status, StepStatus};

/// The line before the results, followed by a space and the value.
const BEGIN: &str = "wow-results-begin";
/// The line after the results, followed by a space and the value.
const END: &str = "wow-results-end";

/// The results of a run, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed {
    /// The Cucumber JSON between the frame lines.
    pub json: String,
    /// The rest of stdout: the human summary and whatever the steps printed.
    pub rest: String,
}

/// Takes the block framed by `nonce` out of `stdout`. `Err` says why there
/// is no trustworthy block: none, or more than one.
pub fn framed(stdout: &str, nonce: &str) -> Result<Framed, String> {
    let begin = format!("{BEGIN} {nonce}");
    let end = format!("{END} {nonce}");
    let mut lines = stdout.split_inclusive('\n');
    let mut rest = String::new();
    let mut json: Option<String> = None;
    while let Some(line) = lines.next() {
        if line.trim_end() != begin {
            rest.push_str(line);
            continue;
        }
        if json.is_some() {
            return Err("the harness reported its results twice".to_owned());
        }
        let mut block = String::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            if inner.trim_end() == end {
                closed = true;
                break;
            }
            block.push_str(inner);
        }
        if !closed {
            return Err("the harness's results were cut off".to_owned());
        }
        json = Some(block);
    }
    json.map(|json| Framed { json, rest })
        .ok_or_else(|| "the harness reported no results".to_owned())
}

/// One result per intent from the framed Cucumber `json`, checked against
/// the harness's exit `code`: results that do not parse, or a code that
/// says the opposite of the results, make every intent "not run".
pub fn checked(spec: &Spec, json: &str, code: Option<i32>) -> Vec<IntentResult> {
    let not_run = |why: &str| spec.intents().map(|i| i.not_run(why)).collect();
    if parse(json).is_none() {
        return not_run("the harness's results could not be read");
    }
    let results = results(spec, json);
    let failed = spec
        .intents()
        .zip(&results)
        .any(|(intent, result)| !intent.steps.is_empty() && result.status != Status::Passed);
    match (failed, code) {
        (false, Some(0)) | (true, Some(1)) => results,
        (true, Some(0)) => {
            not_run("the harness exited as if every scenario passed, yet its results show failures")
        }
        _ => not_run(&format!(
            "the harness exited with code {} after reporting {}",
            code.map_or_else(|| "none".to_owned(), |c| c.to_string()),
            if failed { "failures" } else { "only passes" }
        )),
    }
}

/// The features of the framed block: one Cucumber JSON array per `World`
/// the harness ran ([`crate::shard`]), one after another; `None` unless
/// the block is one or more arrays and nothing else.
fn parse(json: &str) -> Option<Vec<JsonFeature>> {
    let (arrays, _) = blocks(json)?;
    Some(arrays.into_iter().flatten().collect())
}

/// A step definition a `World` of the harness ran with: where cucumber
/// says it was written (`tests/steps/bank.rs`, line and column of its
/// `#[given]`, `#[when]` or `#[then]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StepAt {
    pub world: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// What the framed block holds: the Cucumber JSON arrays, one per
/// `World`, and once, after them, `{"steps": [[world, file, line,
/// column], ...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Block {
    Features(Vec<JsonFeature>),
    Steps { steps: Vec<StepAt> },
}

/// The framed block read: one array of features per `World`, and the step
/// definitions they ran with, when the harness said.
type Blocks = (Vec<Vec<JsonFeature>>, Option<Vec<StepAt>>);

/// The arrays of the block and its step definitions; `None` unless the
/// block is one or more arrays and at most one list of steps, after them.
fn blocks(json: &str) -> Option<Blocks> {
    let mut arrays = Vec::new();
    let mut steps = None;
    for block in serde_json::Deserializer::from_str(json).into_iter::<Block>() {
        match block.ok()? {
            Block::Features(features) if steps.is_none() => arrays.push(features),
            Block::Steps { steps: list } if steps.is_none() => steps = Some(list),
            _ => return None,
        }
    }
    (!arrays.is_empty()).then_some((arrays, steps))
}

/// The step definitions the harness says its `World`s ran with; `None`
/// when the block does not say (or is not a block of results).
pub fn steps_at(json: &str) -> Option<Vec<StepAt>> {
    blocks(json)?.1
}

#[derive(Deserialize)]
struct JsonFeature {
    uri: Option<String>,
    #[serde(default)]
    elements: Vec<JsonElement>,
}

#[derive(Deserialize)]
struct JsonElement {
    line: usize,
    #[serde(default)]
    steps: Vec<JsonStep>,
}

#[derive(Deserialize)]
struct JsonStep {
    keyword: String,
    line: usize,
    name: String,
    result: JsonResult,
}

#[derive(Deserialize)]
struct JsonResult {
    status: String,
    error_message: Option<String>,
}

/// Maps the harness's Cucumber JSON to one result per intent of `spec`.
///
/// Scenarios are keyed by (feature path, line) as cucumber reports them
/// ([`Intent::cucumber_line`]), never by name: outline rows share names.
/// Cucumber reports a background and its scenario as two elements on the
/// same line, and no step after a failed one: such intents count as failed
/// at that step, and an intent missing from the file as not run.
pub fn results(spec: &Spec, json: &str) -> Vec<IntentResult> {
    results_of(spec, &parse(json).unwrap_or_default())
}

/// For a harness that ran every feature with every `World` (one array
/// each, [`crate::shard`]): each intent's result under the World that
/// understood it best: a pass, else the result whose steps ran furthest
/// before one failed or matched no definition. `None` when the block is
/// not arrays of features.
pub fn best_of_worlds(spec: &Spec, json: &str) -> Option<Vec<IntentResult>> {
    let worlds: Vec<Vec<IntentResult>> = blocks(json)?
        .0
        .iter()
        .map(|array| results_of(spec, array))
        .collect();
    let rank = |r: &IntentResult| {
        let ran = r
            .steps
            .iter()
            .take_while(|s| **s == StepStatus::Passed)
            .count();
        (
            r.status == Status::Passed,
            r.status != Status::Undefined,
            ran,
        )
    };
    let mut best: Vec<IntentResult> = worlds.first()?.clone();
    for world in &worlds[1..] {
        for (kept, other) in best.iter_mut().zip(world) {
            if rank(other) > rank(kept) {
                kept.clone_from(other);
            }
        }
    }
    Some(best)
}

fn results_of(spec: &Spec, features: &[JsonFeature]) -> Vec<IntentResult> {
    let mut steps: HashMap<(String, usize), Vec<&JsonStep>> = HashMap::new();
    for feature in features {
        let uri = feature
            .uri
            .as_deref()
            .unwrap_or_default()
            .replace('\\', "/");
        let uri = uri.trim_start_matches('/');
        let Some(rel) = uri
            .strip_prefix("features/")
            .or_else(|| uri.rsplit_once("/features/").map(|(_, r)| r))
        else {
            continue;
        };
        for element in &feature.elements {
            steps
                .entry((rel.to_owned(), element.line))
                .or_default()
                .extend(&element.steps);
        }
    }
    spec.intents()
        .map(|intent| {
            if intent.steps.is_empty() {
                // Cucumber skips a scenario without steps; there is nothing to validate.
                return intent
                    .not_run("this scenario has no steps: add its Given, When and Then steps");
            }
            let Some(found) = steps.get(&(intent.file.clone(), intent.cucumber_line)) else {
                return intent.not_run("cucumber did not run this scenario");
            };
            let steps: Vec<StepStatus> = (0..intent.steps.len())
                .map(|i| {
                    found
                        .get(i)
                        .map_or(StepStatus::NotRun, |s| step_status(&s.result.status))
                })
                .collect();
            let failed = found.iter().find(|s| s.result.status != "passed");
            let Some(step) = failed else {
                let all_ran = found.len() >= intent.steps.len();
                return IntentResult {
                    id: intent.id.clone(),
                    status: if all_ran {
                        Status::Passed
                    } else {
                        Status::NotRun
                    },
                    failed_step: None,
                    failed_step_line: None,
                    message: (!all_ran).then(|| "some steps did not run".to_owned()),
                    step_definition: None,
                    steps,
                    pinned_by: Vec::new(),
                };
            };
            let status = match step.result.status.as_str() {
                // With `fail_on_skipped`, a skipped step is one no
                // definition matched.
                "undefined" | "skipped" => Status::Undefined,
                "ambiguous" => Status::Ambiguous,
                _ => Status::Failed,
            };
            let (step_definition, message) =
                split_message(step.result.error_message.as_deref().unwrap_or(""));
            IntentResult {
                id: intent.id.clone(),
                status,
                failed_step: Some(format!("{} {}", step.keyword.trim(), step.name)),
                failed_step_line: Some(step.line),
                message: Some(message),
                step_definition,
                steps,
                pinned_by: Vec::new(),
            }
        })
        .collect()
}

/// Splits cucumber's `Matched: tests/steps.rs:10:1\nStep panicked. Captured
/// output: <message>` into the step definition location and the message.
fn split_message(raw: &str) -> (Option<String>, String) {
    let raw = sanitize(raw);
    let (location, rest) = match raw
        .strip_prefix("Matched: ")
        .and_then(|r| r.split_once('\n'))
    {
        Some((location, rest)) => (Some(location.to_owned()), rest.to_owned()),
        None => (None, raw.clone()),
    };
    let message = rest
        .strip_prefix("Step panicked. Captured output: ")
        .unwrap_or(&rest)
        .trim()
        .to_owned();
    (location, message)
}

/// A step status as Cucumber JSON spells it.
fn step_status(status: &str) -> StepStatus {
    match status {
        "passed" => StepStatus::Passed,
        "undefined" => StepStatus::Undefined,
        "ambiguous" => StepStatus::Ambiguous,
        "skipped" => StepStatus::Skipped,
        _ => StepStatus::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE: &str = "Feature: Shop\n\n  Scenario: Pay\n    Given a cart\n    Then I pay\n\n  Scenario: Refund\n    Given a cart\n    Then I get a refund\n";

    fn spec() -> Spec {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("shop.feature");
        std::fs::write(&path, FEATURE).expect("feature");
        crate::spec::parse(&[path]).expect("valid Gherkin")
    }

    fn step(keyword: &str, line: usize, name: &str, status: &str) -> String {
        format!(
            r#"{{"keyword":"{keyword} ","line":{line},"name":"{name}","result":{{"status":"{status}"{}}}}}"#,
            if status == "failed" {
                r#","error_message":"Matched: tests/steps.rs:9:1\nStep panicked. Captured output: no refund""#
            } else {
                ""
            }
        )
    }

    fn json(refund: &str) -> String {
        format!(
            r#"[{{"uri":"features/shop.feature","elements":[{{"line":3,"steps":[{},{}]}},{{"line":7,"steps":[{},{}]}}]}}]"#,
            step("Given", 4, "a cart", "passed"),
            step("Then", 5, "I pay", "passed"),
            step("Given", 8, "a cart", "passed"),
            step("Then", 9, "I get a refund", refund),
        )
    }

    fn statuses(results: &[IntentResult]) -> Vec<Status> {
        results.iter().map(|r| r.status).collect()
    }

    #[test]
    fn each_worlds_array_counts_and_anything_else_in_the_block_makes_none() {
        let spec = spec();
        // One World ran the first scenario, another the second.
        let whole = json("failed");
        let (first, second) = whole.split_once("},{\"line\":7").expect("two elements");
        let two = format!(
            "{first}}}]}}]\n[{{\"uri\":\"features/shop.feature\",\"elements\":[{{\"line\":7{second}"
        );
        assert_eq!(
            statuses(&checked(&spec, &two, Some(1))),
            [Status::Passed, Status::Failed]
        );
        for broken in [
            format!("{two} trailing"),
            String::new(),
            format!("{two}{{}}"),
        ] {
            assert_eq!(
                statuses(&checked(&spec, &broken, Some(1))),
                [Status::NotRun, Status::NotRun],
                "{broken}"
            );
        }
    }

    #[test]
    fn with_every_world_over_every_scenario_the_world_that_understood_it_counts() {
        let spec = spec();
        // The first World knows none of these steps; the second passes
        // `Pay` and fails `Refund` at its last step.
        let undefined = format!(
            r#"[{{"uri":"features/shop.feature","elements":[{{"line":3,"steps":[{},{}]}},{{"line":7,"steps":[{},{}]}}]}}]"#,
            step("Given", 4, "a cart", "undefined"),
            step("Then", 5, "I pay", "skipped"),
            step("Given", 8, "a cart", "undefined"),
            step("Then", 9, "I get a refund", "skipped"),
        );
        for block in [
            format!("{undefined}\n{}", json("failed")),
            format!("{}\n{undefined}", json("failed")),
        ] {
            let best = best_of_worlds(&spec, &block).expect("two arrays");
            assert_eq!(statuses(&best), [Status::Passed, Status::Failed], "{block}");
        }
        assert_eq!(best_of_worlds(&spec, "[] junk"), None);
    }

    #[test]
    fn only_the_block_framed_by_the_value_counts() {
        let stdout = format!(
            "LOOT\nwow-results-begin guess\n[]\nwow-results-end guess\nsummary\nwow-results-begin n0nce\n{}\nwow-results-end n0nce\n",
            json("passed")
        );
        let framed = framed(&stdout, "n0nce").expect("a block");
        assert_eq!(framed.json.trim(), json("passed"));
        assert!(framed.rest.contains("summary"));
        assert!(framed.rest.contains("wow-results-begin guess"));
    }

    #[test]
    fn no_block_a_cut_block_or_two_blocks_are_no_results() {
        assert_eq!(
            framed("2 scenarios (2 passed)\n", "n").expect_err("none"),
            "the harness reported no results"
        );
        assert!(framed("wow-results-begin n\n[]\n", "n").is_err());
        let twice = "wow-results-begin n\n[]\nwow-results-end n\nwow-results-begin n\n[]\nwow-results-end n\n";
        assert!(framed(twice, "n").is_err());
    }

    #[test]
    fn results_are_keyed_by_file_and_line() {
        let results = checked(&spec(), &json("failed"), Some(1));
        assert_eq!(statuses(&results), [Status::Passed, Status::Failed]);
        assert_eq!(
            results[1].failed_step.as_deref(),
            Some("Then I get a refund")
        );
        assert_eq!(results[1].message.as_deref(), Some("no refund"));
        assert_eq!(
            results[1].step_definition.as_deref(),
            Some("tests/steps.rs:9:1")
        );
    }

    #[test]
    fn an_exit_code_that_contradicts_the_results_means_not_run() {
        let spec = spec();
        for (json, code) in [
            (json("failed"), Some(0)),
            (json("passed"), Some(1)),
            (json("passed"), None),
        ] {
            let results = checked(&spec, &json, code);
            assert_eq!(
                statuses(&results),
                [Status::NotRun, Status::NotRun],
                "{code:?}"
            );
            assert!(
                results[0]
                    .message
                    .as_deref()
                    .unwrap_or_default()
                    .contains("exit")
            );
        }
        assert_eq!(
            statuses(&checked(&spec, &json("passed"), Some(0))),
            [Status::Passed, Status::Passed]
        );
    }

    #[test]
    fn missing_or_partial_results_are_never_passes() {
        let spec = spec();
        let partial = format!(
            r#"[{{"uri":"features/shop.feature","elements":[{{"line":3,"steps":[{}]}}]}}]"#,
            step("Given", 4, "a cart", "passed")
        );
        let results = checked(&spec, &partial, Some(1));
        assert_eq!(statuses(&results), [Status::NotRun, Status::NotRun]);
        let unreadable = checked(&spec, "{not json", Some(0));
        assert_eq!(statuses(&unreadable), [Status::NotRun, Status::NotRun]);
    }
}
