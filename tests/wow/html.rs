//! The HTML report in a real browser. The report of the bundled examples
//! (every intent passing but one failed and one hollow, with the code behind
//! each step traced in the bundled prototype) is rendered by `wow::report::html::render` and opened in
//! headless Chromium (Debian's `chromium`) with the network cut off: no name
//! resolves and every request goes to a dead proxy. Every intent and its
//! status must be in the page, the network log must hold no request but the
//! page itself, and the screenshot is kept as a test artifact
//! (`target/wow-artifacts/report.png`, with the page next to it).

use std::path::{Path, PathBuf};

use crate::support::browse;
use wow::report::{Flip, Report, RoundReport};
use wow::spec::Intent;
use wow::vocabulary::{
    IntentResult, RoundKind as Kind, RoundOutcome as Outcome, Status, StepStatus, Stop,
};

const FAILED: &str = "Bringing a book back three days late";
const HOLLOW: &str = "Withdrawing part of the balance";

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wow-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/wow-artifacts");
    dir
}

/// The bundled examples' report: every intent passes but [`FAILED`] and
/// [`HOLLOW`]; the code behind each step as `wow::audit` traces it in the
/// bundled prototype; two rounds; paths relative to the repository.
fn example_report() -> Report {
    let (_, mut report) = crate::support::bundled_report(result);
    report.rounds = rounds(&report);
    report.model = Some("replay (replies written by hand)".to_owned());
    report.stopped = Some(Stop::BudgetSpent);
    report
}

/// `intent` passed, unless it is [`FAILED`] or [`HOLLOW`].
fn result(intent: &Intent) -> IntentResult {
    let mut result = IntentResult {
        id: intent.id.clone(),
        status: Status::Passed,
        failed_step: None,
        failed_step_line: None,
        message: None,
        step_definition: None,
        steps: vec![StepStatus::Passed; intent.steps.len()],
        pinned_by: Vec::new(),
    };
    if intent.name == FAILED {
        let last = intent.steps.len() - 1;
        result.status = Status::Failed;
        result.steps[last] = StepStatus::Failed;
        result.failed_step = Some(format!(
            "{} {}",
            intent.steps[last].keyword, intent.steps[last].text
        ));
        result.message = Some(
            "Sam should owe a late fee of 0.60 euros, but owes 4.80 euros\n\
             note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
                .to_owned(),
        );
    }
    if intent.name == HOLLOW {
        result.status = Status::Hollow;
        result.message =
            Some("it still passes when every function of the prototype is hollowed out".to_owned());
    }
    result
}

/// A generate round and a repair that fixed the late fee cap.
fn rounds(report: &Report) -> Vec<RoundReport> {
    let capped = report
        .intents
        .iter()
        .find(|i| i.name == "The late fee stops growing at 5 euros")
        .expect("a bundled intent");
    let round = |number, kind, passed, flipped| RoundReport {
        number,
        shards: Vec::new(),
        kind,
        outcome: Outcome::Ran,
        passed,
        hollow: 1,
        input_tokens: Some(6120),
        output_tokens: Some(11_840),
        duration_ms: 9800,
        model_ms: 7900,
        cargo_ms: 1400,
        vacuity_ms: 500,
        changed: vec![
            "src/library_loans.rs".to_owned(),
            "tests/steps/library_loans.rs".to_owned(),
        ],
        flipped,
        rejected: Vec::new(),
    };
    vec![
        round(1, Kind::Generate, 20, Vec::new()),
        round(
            2,
            Kind::Repair,
            21,
            vec![Flip {
                id: capped.id.clone(),
                from: Status::Failed,
                to: Status::Passed,
            }],
        ),
    ]
}

/// Text as Chromium serializes it in a dumped DOM.
fn as_dom(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Passed => "Verified",
        Status::Failed => "Failed",
        Status::Hollow => "Hollow",
        Status::Unverified => "Unverified",
        Status::Disputed => "Disputed",
        Status::Undefined => "Undefined",
        Status::Ambiguous => "Ambiguous",
        Status::NotRun => "Not run",
        Status::LeftOut => "Left out",
    }
}

/// The URLs a page asked for, from a Chromium net log (`--log-net-log`):
/// requests whose network isolation key is the `file://` page's site.
/// Chromium's own background requests (update checks, time, accounts) have
/// another key; they fail at the dead proxy anyway.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).expect("chromium wrote its net log");
    let text = text.trim_end().trim_end_matches(',');
    // A log cut short by the browser's exit lacks its closing brackets.
    let log: serde_json::Value = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&format!("{text}]}}")))
        .expect("a JSON net log");
    log["events"]
        .as_array()
        .expect("net log events")
        .iter()
        .filter_map(|event| {
            let params = event.get("params")?;
            let key = params.get("network_isolation_key")?.as_str()?;
            let url = params.get("url")?.as_str()?;
            key.starts_with("file://").then(|| url.to_owned())
        })
        .collect()
}

#[test]
fn the_report_opens_offline_in_chromium_with_every_intent_and_status() {
    let report = example_report();
    assert_eq!(report.summary.intents, 23);
    let html = wow::report::html::render(&report);
    for reference in ["http://", "https://", "src=", "url("] {
        assert!(
            !html.contains(reference),
            "the page refers to something outside itself: `{reference}`"
        );
    }
    let dir = tempfile::tempdir().expect("a temp folder");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write the page");
    std::fs::write(artifacts().join("report.html"), &html).expect("keep the page");
    let png = artifacts().join("report.png");
    let _ = std::fs::remove_file(&png);

    let net_log = dir.path().join("net-log.json");
    let (dom, stderr) = browse(
        &page,
        &dir.path().join("profile"),
        &[
            "--dump-dom".to_owned(),
            format!("--log-net-log={}", net_log.display()),
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2400".to_owned(),
        ],
    );
    assert!(dom.contains("21 of 23 intents pass"), "{dom}");
    for intent in &report.intents {
        let name = as_dom(&intent.name);
        assert!(dom.contains(&name), "`{}` is not in the page", intent.name);
        let anchor = format!("data-id=\"{}\"", as_dom(&intent.id));
        let at = dom
            .find(&anchor)
            .unwrap_or_else(|| panic!("no element for `{}` in the page", intent.id));
        let card = &dom[at..];
        let card = &card[..card[anchor.len()..]
            .find("data-id=")
            .map_or(card.len(), |end| end + anchor.len())];
        assert!(
            card.contains(label(intent.status)),
            "`{}` should show `{}`: {card}",
            intent.name,
            label(intent.status)
        );
    }
    assert!(
        dom.contains("Sam should owe a late fee of 0.60 euros, but owes 4.80 euros"),
        "the failure's reason is shown"
    );
    // The inline style and script run under the page's own policy.
    assert!(
        !stderr.contains("Content Security Policy"),
        "the page broke its own policy: {stderr}"
    );
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the inline script ran"
    );
    let requests = page_requests(&net_log);
    assert!(requests.is_empty(), "requests left the page: {requests:?}");

    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 50_000,
        "the screenshot holds a page, not a blank: {} bytes",
        bytes.len()
    );

    // The same check sees a page's request: it is not blind.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><title>control</title><img alt=\"\" src=\"http://example.invalid/x.png\">",
    )
    .expect("write the control page");
    let control_log = dir.path().join("control-log.json");
    browse(
        &control,
        &dir.path().join("profile"),
        &[
            "--dump-dom".to_owned(),
            format!("--log-net-log={}", control_log.display()),
        ],
    );
    assert_eq!(
        page_requests(&control_log),
        ["http://example.invalid/x.png"],
        "the net log check sees a page's request"
    );
}
