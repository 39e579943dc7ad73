//! The Cucumber Messages report against the Cucumber tools themselves. The
//! bundled examples' report (intents passing, failed, undefined, hollow,
//! unverified and not run, the step definitions traced in the bundled
//! prototype) is rendered by `wow::report::messages::render`; the stream
//! must validate against the JSON schema of `@cucumber/messages`, every id
//! it refers to must exist, and the official `@cucumber/html-formatter`
//! must render it into a page that, opened offline in headless Chromium,
//! shows every intent with its status and counts only verified intents as
//! passed. The pickles of the cucumber/gherkin conformance data must be the
//! reference parser's. The node packages live in `tests/tools` (`npm ci` there, as
//! `.ci/run` does); the page is kept as `target/wow-artifacts/messages.html`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use wow::report::Report;
use wow::spec::{Intent, Spec};
use wow::vocabulary::{IntentResult, Status, StepStatus};

/// The intents that do not pass, by name, and how.
const NOT_PASSING: &[(&str, Status)] = &[
    ("Bringing a book back three days late", Status::Failed),
    ("Withdrawing part of the balance", Status::Hollow),
    ("Emptying the account", Status::Unverified),
    ("An unknown discount code", Status::Undefined),
    ("Réserver une salle libre", Status::NotRun),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled examples and their report: every intent passes but those of
/// [`NOT_PASSING`]; the code behind each step as `wow::audit` traces it in
/// the bundled prototype; paths relative to the repository.
fn example() -> (Spec, Report) {
    let (spec, report) = crate::support::bundled_report(result);
    for (name, status) in NOT_PASSING {
        assert!(
            report
                .intents
                .iter()
                .any(|i| i.name == *name && i.status == *status),
            "a bundled intent `{name}`"
        );
    }
    (spec, report)
}

/// How `intent` went: passed, unless [`NOT_PASSING`] says otherwise.
fn result(intent: &Intent) -> IntentResult {
    let status = NOT_PASSING
        .iter()
        .find(|(name, _)| *name == intent.name)
        .map_or(Status::Passed, |(_, status)| *status);
    let last = intent.steps.len() - 1;
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
    let step = |i: usize| format!("{} {}", intent.steps[i].keyword, intent.steps[i].text);
    match status {
        Status::Failed => {
            result.steps[last] = StepStatus::Failed;
            result.failed_step = Some(step(last));
            result.message =
                Some("Sam should owe a late fee of 0.60 euros, but owes 4.80 euros".to_owned());
        }
        Status::Undefined => {
            result.steps[last - 1] = StepStatus::Undefined;
            result.steps[last] = StepStatus::NotRun;
            result.failed_step = Some(step(last - 1));
            result.message = Some("step is undefined".to_owned());
        }
        Status::Hollow => {
            result.message = Some(
                "it still passes when every function of the prototype is hollowed out".to_owned(),
            );
        }
        Status::Unverified => {
            result.message = Some("the hollow copy did not build".to_owned());
        }
        Status::Disputed => {
            result.message = Some("1.50 + 0.66 + 60.00 = 62.16, not 61.16".to_owned());
        }
        Status::NotRun => {
            result.steps = vec![StepStatus::NotRun; intent.steps.len()];
            result.message = Some("the run stopped after 60 s".to_owned());
        }
        Status::Passed | Status::Ambiguous | Status::LeftOut => {}
    }
    result
}

/// Runs `tests/tools/messages.mjs` on `stream`, writing `page`; returns
/// its stdout, failing with its stderr.
fn check_and_render(stream: &Path, page: &Path) -> String {
    let output = Command::new("node")
        .arg(crate::support::cucumber_tools().join("messages.mjs"))
        .arg(stream)
        .arg(page)
        .output()
        .expect("run node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Cucumber tools refused the stream:\n{stderr}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The page's DOM once its script has run, from headless Chromium with the
/// network cut off.
fn dom(page: &Path, profile: &Path) -> String {
    let extra = [
        "--virtual-time-budget=10000".to_owned(),
        "--dump-dom".to_owned(),
    ];
    crate::support::browse(page, profile, &extra).0
}

/// The worst step status the page shows for the scenario or Examples row
/// whose heading has the id `anchor`, as the formatter orders statuses.
fn shown_status(dom: &str, anchor: &str) -> &'static str {
    let heading = format!(" id=\"{anchor}\"");
    let at = dom
        .find(&heading)
        .unwrap_or_else(|| panic!("no heading `{anchor}` in the page"));
    let rest = &dom[at..];
    let article = &rest[..rest.find("</article>").expect("the steps of a scenario")];
    let order = ["UNDEFINED", "AMBIGUOUS", "FAILED", "SKIPPED", "PASSED"];
    order
        .into_iter()
        .find(|status| article.contains(&format!("data-status=\"{status}\"")))
        .unwrap_or_else(|| panic!("no step status under `{anchor}`"))
}

/// What the page must show for an intent of `status`.
fn expected(status: Status) -> &'static str {
    match status {
        Status::Passed => "PASSED",
        Status::Failed | Status::Hollow | Status::Unverified | Status::Disputed => "FAILED",
        Status::Undefined => "UNDEFINED",
        Status::Ambiguous => "AMBIGUOUS",
        Status::NotRun => "SKIPPED",
        Status::LeftOut => unreachable!("the example leaves no intent out"),
    }
}

#[test]
fn the_stream_is_valid_and_the_official_formatter_shows_every_intent() {
    let (spec, report) = example();
    let text = wow::report::messages::render(&report, &spec);
    let messages: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON message a line"))
        .collect();

    // One pickle per intent, named by the intent's `path:line`.
    let pickles: Vec<&Value> = messages.iter().filter_map(|m| m.get("pickle")).collect();
    let ids: Vec<String> = pickles
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["uri"].as_str().expect("uri"),
                p["location"]["line"]
            )
        })
        .collect();
    let expected_ids: Vec<&str> = report.intents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, expected_ids);
    assert!(
        messages
            .iter()
            .any(|m| m["stepDefinition"]["pattern"]["source"]
                == "{word} has a current account with {int} euros in it"),
        "the traced step definitions come with their patterns"
    );
    let arguments: Vec<Vec<&str>> = messages
        .iter()
        .filter_map(|m| m["testCase"]["testSteps"].as_array())
        .flatten()
        .filter_map(|step| step["stepMatchArgumentsLists"][0]["stepMatchArguments"].as_array())
        .map(|list| {
            list.iter()
                .filter_map(|a| a["group"]["value"].as_str())
                .collect()
        })
        .collect();
    assert!(
        arguments.contains(&vec!["Alice", "30"]),
        "`When Alice withdraws 30 euros` has its arguments: {arguments:?}"
    );
    assert_eq!(
        messages.last().expect("messages")["testRunFinished"]["success"],
        false
    );

    let tools_dir = crate::support::cucumber_tools();
    let dir = tempfile::tempdir().expect("a temp folder");
    let stream = dir.path().join("messages.ndjson");
    let page = dir.path().join("messages.html");
    std::fs::write(&stream, &text).expect("write the stream");
    let said = check_and_render(&stream, &page);
    assert!(said.contains("messages valid"), "{said}");
    let artifacts = root().join("target/wow-artifacts");
    std::fs::create_dir_all(&artifacts).expect("create target/wow-artifacts");
    std::fs::copy(&page, artifacts.join("messages.html")).expect("keep the page");

    let dom = dom(&page, &dir.path().join("profile"));
    assert!(
        dom.contains(&format!(
            "({} / {}) passed",
            report.summary.passed, report.summary.intents
        )),
        "the page counts only verified intents as passed"
    );
    for (intent, pickle) in report.intents.iter().zip(&pickles) {
        // A scenario's heading carries its id, an Examples row's its row's.
        let anchor = pickle["astNodeIds"]
            .as_array()
            .and_then(|ids| ids.last())
            .and_then(Value::as_str)
            .expect("an AST node id");
        assert_eq!(
            shown_status(&dom, anchor),
            expected(intent.status),
            "`{}` ({:?}) in the page",
            intent.id,
            intent.status
        );
    }
    for words in [
        "Sam should owe a late fee of 0.60 euros, but owes 4.80 euros",
        "not verified (hollow): passes, but not because of the prototype",
        "not verified (unverified): passes, but wow could not check it",
        "the run stopped after 60 s",
    ] {
        assert!(dom.contains(words), "the page says `{words}`");
    }

    // The same check refuses a broken stream: it is not blind.
    let broken = text.replacen("\"status\":\"PASSED\"", "\"status\":\"VERIFIED\"", 1);
    std::fs::write(&stream, broken).expect("write the stream");
    let output = Command::new("node")
        .arg(tools_dir.join("messages.mjs"))
        .arg(&stream)
        .arg(&page)
        .output()
        .expect("run node");
    assert!(
        !output.status.success(),
        "a status messages do not have is refused"
    );
}

/// Files of the conformance data whose pickles this writer does not give
/// as the reference does, each with why.
const KNOWN_PICKLE_DIFFERENCES: &[&str] = &[
    // A conjunction after `*` has the type `Unknown` in the reference; the
    // gherkin crate gives it the type of the step before (it keeps no
    // conjunction keywords to tell `And` from `Given` in every language).
    "conjunctions.feature",
    // The gherkin crate's own AST differences (see `conformance`).
    "padded_example.feature",
    "prefixed-keywords.feature",
];

/// The documents of every conformance file the gherkin crate accepts
/// (descriptions, comments, doc strings, escaped cells, languages, rules)
/// in one stream, as `wow check` lists them: valid for the Cucumber tools.
#[test]
fn the_documents_of_the_conformance_data_are_valid_messages() {
    let features: Vec<_> = crate::support::conformance_files("good")
        .iter()
        .filter_map(|file| wow::spec::parse(std::slice::from_ref(file)).ok())
        .flat_map(|spec| spec.features)
        .collect();
    // Files without any scenario are refused by `spec::parse` (nothing to
    // run), so fewer documents than files.
    assert!(features.len() > 35, "the conformance data was read");
    let spec = Spec {
        name: "conformance".to_owned(),
        features,
        warnings: Vec::new(),
        selection: None,
    };
    let text = wow::report::messages::render(&Report::listing(&spec, 0), &spec);
    let dir = tempfile::tempdir().expect("a temp folder");
    let stream = dir.path().join("conformance.ndjson");
    std::fs::write(&stream, &text).expect("write the stream");
    let said = check_and_render(&stream, &dir.path().join("conformance.html"));
    assert!(said.contains("messages valid"), "{said}");
}

/// The pickles of `text` (NDJSON), without their `uri`.
fn pickles_of(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let mut message: Value = serde_json::from_str(l).expect("one JSON message a line");
            let pickle = message.get_mut("pickle")?;
            pickle.as_object_mut().expect("an object").remove("uri");
            Some(pickle.take())
        })
        .collect()
}

/// The pickles (ids, AST node ids, names, step texts, types, arguments,
/// tags) of every valid file of the cucumber/gherkin conformance data
/// (`tests/data/gherkin/good`) are the reference parser's, byte for byte.
#[test]
fn pickles_match_the_reference_for_the_gherkin_conformance_data() {
    let mut wrong = Vec::new();
    let mut compared = 0;
    for file in crate::support::conformance_files("good") {
        let name = file
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let expected_path = PathBuf::from(format!("{}.pickles.ndjson", file.display()));
        let expected = pickles_of(&std::fs::read_to_string(&expected_path).unwrap_or_default());
        let spec = match wow::spec::parse(std::slice::from_ref(&file)) {
            Ok(spec) => spec,
            // A file without any scenario is refused (nothing to run); the
            // reference has no pickle for it either.
            Err(wow::spec::Error::NoIntents { .. }) => {
                compared += 1;
                if !expected.is_empty() {
                    wrong.push(format!("{name}: refused for holding no intent"));
                }
                continue;
            }
            Err(_) => continue,
        };
        let report = Report::listing(&spec, 0);
        let got = pickles_of(&wow::report::messages::render(&report, &spec));
        compared += 1;
        if got != expected && !KNOWN_PICKLE_DIFFERENCES.contains(&name.as_str()) {
            let first = got.iter().zip(&expected).find(|(g, e)| g != e).map_or_else(
                || format!("{} pickles, expected {}", got.len(), expected.len()),
                |(g, e)| format!("got      {g}\nexpected {e}"),
            );
            wrong.push(format!("{name}:\n{first}"));
        }
    }
    assert!(
        compared > 40,
        "the conformance data was read: {compared} files"
    );
    assert!(
        wrong.is_empty(),
        "{} files differ:\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}
