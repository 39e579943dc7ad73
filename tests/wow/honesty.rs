//! Honest intents: a pass must mean the prototype does it. Scripted replies
//! (hand-written for these tests) that make the scenarios pass without the
//! prototype doing the work are reported hollow, not passing, with exit 1;
//! an honest reply is verified. Code that compiles only in the check's
//! copy (steps reaching into its harness, a denied lint the copy weakens)
//! is a compile error, as plain cargo says. `wow critique` writes Gherkin `wow check`
//! accepts. Code nested deeper than wow can read, in a reply or on disk,
//! is refused or skipped, never a crash.

use serde_json::Value;

use crate::models::{LIB_RIGHT, STEPS, parking, reply};
use crate::support::{Output, Wow, fake_server, openai_json, prompts};

/// Runs `wow run` on the parking feature with one scripted reply and no repair.
async fn run_once(text: String) -> (Wow, Output, Value) {
    let server = fake_server("/v1/chat/completions", vec![openai_json(&text, "stop")]).await;
    let (wow, out) = parking()
        .args(&["run", "--max-repairs", "0", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    let report = wow.report();
    (wow, out, report)
}

fn assert_all_hollow(out: &Output, report: &Value, why: &str) {
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(report["summary"]["passed"], 0, "{}", out.all());
    assert_eq!(report["summary"]["hollow"], 3, "{}", out.all());
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["status"], "hollow", "{intent}");
        assert!(
            intent["reason"].as_str().unwrap_or_default().contains(why),
            "{intent}"
        );
    }
    assert!(out.stdout.contains("0 of 3 intents pass"), "{}", out.all());
    assert!(out.stdout.contains("◌"), "{}", out.all());
}

/// The expected fee computed in the steps themselves, not by the prototype.
const SELF_COMPUTED: &str = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    minutes: u32,
}

#[given(expr = "a car parked for {int} minutes")]
fn parked(world: &mut World, minutes: u32) {
    world.minutes = minutes;
}

#[then(expr = "the fee is {int} euros")]
fn fee(world: &mut World, expected: u32) {
    let fee = if world.minutes <= 60 { 0 } else { (world.minutes - 60).div_ceil(60) * 2 };
    assert_eq!(fee, expected, "the fee should be {expected} euros");
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn then_steps_that_assert_nothing_are_hollow() {
    let steps = STEPS.replace(
        "    assert_eq!(fee, expected, \"the fee should be {expected} euros\");\n",
        "    let _ = (fee, expected);\n",
    );
    let (_, out, report) = run_once(reply(LIB_RIGHT, &steps)).await;
    assert_all_hollow(&out, &report, "checks nothing");
    let finding = &report["intents"][0]["findings"][0];
    assert_eq!(finding["kind"], "no_assertion", "{report}");
    assert_eq!(finding["file"], "tests/steps.rs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_that_compute_the_answer_themselves_are_hollow() {
    let (_, out, report) = run_once(reply(LIB_RIGHT, SELF_COMPUTED)).await;
    assert_all_hollow(&out, &report, "prototype");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_prototype_with_self_consistent_steps_is_hollow() {
    let (_, out, report) = run_once(reply("// Nothing here yet.\n", SELF_COMPUTED)).await;
    assert_all_hollow(&out, &report, "prototype");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hollow_intents_are_sent_back_for_repair_and_an_honest_reply_is_verified() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(LIB_RIGHT, SELF_COMPUTED), "stop"),
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
            openai_json(CRITIQUE, "stop"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&["run", "--critique", "--no-app", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    assert_eq!(report["rounds"][0]["hollow"], 3);
    assert_eq!(report["rounds"][1]["passed"], 3);
    assert_eq!(report["summary"]["passed"], 3);
    assert_eq!(report["summary"]["hollow"], 0);
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["pinned_by"], serde_json::json!(["fee"]), "{intent}");
    }
    // `--critique` after the green run: suggestions and questions reported.
    assert_eq!(
        report["critique"]["file"],
        "features/suggested/features.feature"
    );
    assert_eq!(
        report["critique"]["questions"][0],
        "Is a lost ticket charged a flat fee?"
    );
    // The suggestions ran against the prototype, never shown to its model:
    // one already passes, one fails, one is not understood yet.
    let checked: Vec<(String, String)> = report["critique"]["checked"]
        .as_array()
        .expect("the suggestions ran")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        checked,
        [
            (
                "Exactly one hour is still free".to_owned(),
                "passed".to_owned()
            ),
            (
                "A whole day costs at most 20 euros".to_owned(),
                "failed".to_owned()
            ),
            (
                "A lost ticket costs 20 euros".to_owned(),
                "undefined".to_owned()
            ),
        ],
        "{}",
        out.all()
    );
    assert!(
        out.stdout
            .contains("1 already pass, 1 fail, 1 not understood yet"),
        "{}",
        out.all()
    );
    let sent = crate::support::prompts(&server).await;
    assert!(
        !sent.iter().any(|p| p.contains("A whole day costs at most")),
        "the model that writes the prototype never sees the suggestions"
    );
    assert!(
        out.stdout.contains("questions for the product owner"),
        "{}",
        out.all()
    );
    let sent = crate::support::prompts(&server).await;
    assert!(
        sent[1].contains("would pass without the prototype doing anything"),
        "the model is told why:\n{}",
        sent[1]
    );
    // The spec lock: the report names each feature with the SHA-256 of its text.
    let lock = &report["features"][0];
    assert_eq!(lock["path"], "features/parking.feature");
    assert_eq!(lock["sha256"].as_str().map(str::len), Some(64));
}

/// One feature, one build: an honest scenario for each kind of expected
/// value, and one for each way steps can pass without depending on what the
/// prototype computes.
const MIXED: &str = "Feature: Parking meter

  Scenario: The first hour is free
    Given a car parked for 45 minutes
    Then the fee is 0 euros

  Scenario: Three hours cost 4 euros
    Given a car parked for 180 minutes
    Then the fee is 4 euros

  Scenario: The steps work the fee out themselves
    Given a car parked for 90 minutes
    Then the fee worked out by the steps is 2 euros

  Scenario: The meter is ready
    Given a car parked for 10 minutes
    Then the meter is ready

  Scenario: Any fee will do
    Given a car parked for 180 minutes
    Then the fee charged is 4 euros
";

const MIXED_LIB: &str =
    "/// Parking fee in euros: the first hour is free, then 2 euros per started hour.
pub fn fee(minutes: u32) -> u32 {
    if minutes <= 60 { 0 } else { (minutes - 60).div_ceil(60) * 2 }
}

/// The version of the meter.
pub fn version() -> &'static str {
    \"1\"
}

/// Whether the meter takes cars.
pub fn ready() -> bool {
    true
}
";

const MIXED_STEPS: &str = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    minutes: u32,
}

#[given(expr = "a car parked for {int} minutes")]
fn parked(world: &mut World, minutes: u32) {
    world.minutes = minutes;
}

#[then(expr = "the fee is {int} euros")]
fn fee(world: &mut World, expected: u32) {
    assert_eq!(prototype::fee(world.minutes), expected, "the fee should be {expected} euros");
}

#[then(expr = "the fee worked out by the steps is {int} euros")]
fn own_fee(world: &mut World, expected: u32) {
    assert!(!prototype::version().is_empty(), "the meter has a version");
    let fee = if world.minutes <= 60 { 0 } else { (world.minutes - 60).div_ceil(60) * 2 };
    assert_eq!(fee, expected, "the fee should be {expected} euros");
}

#[then("the meter is ready")]
fn ready(_world: &mut World) {
    assert!(prototype::ready(), "the meter should be ready");
}

#[then(expr = "the fee charged is {int} euros")]
fn charged(world: &mut World, expected: u32) {
    let fee = prototype::fee(world.minutes);
    assert!(fee < 1000, "the fee should be {expected} euros");
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_scenarios_that_depend_on_what_the_prototype_computes_are_verified() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(&reply(MIXED_LIB, MIXED_STEPS), "stop")],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/meter.feature", MIXED)
        .args(&["run", "--max-repairs", "0", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    let intent = |line: usize| {
        report["intents"]
            .as_array()
            .expect("intents")
            .iter()
            .find(|i| i["id"] == format!("features/meter.feature:{line}"))
            .unwrap_or_else(|| panic!("no intent on line {line}: {report}"))
    };
    // A fee of 0 is pinned down too: a mutant returning 1 makes it fail.
    for line in [3, 7] {
        assert_eq!(intent(line)["status"], "passed", "{}", intent(line));
        assert_eq!(intent(line)["pinned_by"], serde_json::json!(["fee"]));
    }
    let hollow = [
        // One call to a function that always returns the same value.
        (11, "never reach"),
        (15, "never reach"),
        // Any fee passes: the twin with 5 euros passes too.
        (
            19,
            "the Then step `Then the fee charged is 4 euros` passes with `5` in place of `4`: it does not check that value",
        ),
    ];
    for (line, why) in hollow {
        let got = intent(line);
        assert_eq!(got["status"], "hollow", "{got}");
        assert!(
            got["reason"].as_str().unwrap_or_default().contains(why),
            "{got}"
        );
        assert_eq!(got["pinned_by"], serde_json::json!([]));
    }
    assert!(out.stdout.contains("2 of 5 intents pass"), "{}", out.all());
    let html = wow.read("generated/features/report.html");
    assert!(html.contains("pinned down by"), "{html}");
}

/// The build of the check's copy stands in for the prototype's own: what
/// compiles only there must not count.
async fn assert_does_not_compile(lib: &str, steps: &str, error: &str) {
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(lib, steps), "stop"),
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&["run", "--max-repairs", "1", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    let report = wow.report();
    assert_eq!(
        report["rounds"][0]["outcome"],
        "compile_error",
        "{}",
        out.all()
    );
    let sent = prompts(&server).await;
    assert!(
        sent.get(1).is_some_and(|p| p.contains(error)),
        "the repair prompt carries rustc's error about the prototype's own files: {sent:?}"
    );
    // Then an honest reply builds and is verified as usual.
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(report["rounds"][1]["outcome"], "ran", "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_reaching_for_the_checks_harness_do_not_compile() {
    // `control` is what the check's harness calls the switch of mutants:
    // steps that could read it would fail exactly when a mutant is active.
    let steps = STEPS.replace(
        "    let fee = prototype::fee(world.minutes);\n",
        "    let fee = prototype::fee(world.minutes);\n    assert!(!super::control::take_applied());\n",
    );
    assert_does_not_compile(LIB_RIGHT, &steps, "control").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_lint_stops_the_build_though_the_check_copy_warns() {
    // The check's copy turns `deny` into `warn` (its inserted code trips
    // lints): here only the prototype's own build tells the truth.
    let lib = format!(
        "#![deny(unused_variables)]\n{LIB_RIGHT}pub fn spare() {{\n    let unused = 1;\n}}\n"
    );
    assert_does_not_compile(&lib, STEPS, "unused").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_definition_wow_cannot_read_makes_every_intent_hollow() {
    // The `Then` step is made by a macro: the audit reads no definition
    // for it, though the harness runs one. Here it is even honest (and the
    // `Given` calls the prototype, so without this protection every
    // intent would be verified); wow still cannot say what it does, so
    // nothing counts as verified.
    let steps = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    fee: u32,
}

#[given(expr = "a car parked for {int} minutes")]
fn parked(world: &mut World, minutes: u32) {
    world.fee = prototype::fee(minutes);
}

macro_rules! then_step {
    ($($body:tt)*) => {
        #[then(expr = "the fee is {int} euros")]
        $($body)*
    };
}

then_step! {
    fn fee(world: &mut World, expected: u32) {
        assert_eq!(world.fee, expected, "the fee should be {expected} euros");
    }
}
"#;
    let (_, out, report) = run_once(reply(LIB_RIGHT, steps)).await;
    assert_all_hollow(&out, &report, "that is not one wow read");
    for intent in report["intents"].as_array().expect("intents") {
        let unread = intent["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["kind"] == "unread_step")
            .unwrap_or_else(|| panic!("no unread_step finding: {intent}"));
        assert!(
            unread["message"].as_str().is_some_and(
                |m| m.contains("tests/steps.rs:20:1") && m.contains("not one wow read")
            ),
            "{unread}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_that_behave_otherwise_when_run_again_are_unverified() {
    // The `Then` step passes the three times the scenarios run, then fails:
    // the honesty check, which runs each scenario more than once, sees a
    // scenario that does not give the same result each time.
    let steps = STEPS.replace(
        "    let fee = prototype::fee(world.minutes);\n",
        "    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);\n    assert!(CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 3, \"run once only\");\n    let fee = prototype::fee(world.minutes);\n",
    );
    let (_, out, report) = run_once(reply(LIB_RIGHT, &steps)).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(report["summary"]["passed"], 0, "{}", out.all());
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["status"], "unverified", "{intent}");
        assert!(
            intent["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("does not give the same result each time"),
            "{intent}"
        );
        assert_eq!(intent["pinned_by"], serde_json::json!([]));
    }
}

const CRITIQUE: &str = "Hand-written test reply for the critique prompt.\n\n```gherkin\nFeature: Suggested scenarios for features\n\n  # why: exactly one hour is the boundary of the free hour\n  @suggested\n  Scenario: Exactly one hour is still free\n    Given a car parked for 60 minutes\n    Then the fee is 0 euros\n\n  # why: nothing says a day is capped\n  @suggested\n  Scenario: A whole day costs at most 20 euros\n    Given a car parked for 1440 minutes\n    Then the fee is 20 euros\n\n  # why: tickets get lost\n  @suggested\n  Scenario: A lost ticket costs 20 euros\n    Given a lost ticket\n    Then the fee is 20 euros\n```\n\n## Questions\n\n- Is a lost ticket charged a flat fee?\n- Do motorbikes pay the same as cars?\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn critique_writes_suggestions_that_check_accepts() {
    let server = fake_server("/v1/chat/completions", vec![openai_json(CRITIQUE, "stop")]).await;
    let (wow, out) = parking()
        .args(&["critique"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("features/suggested/features.feature"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout.contains("Is a lost ticket charged a flat fee?"),
        "{}",
        out.all()
    );
    let sent = crate::support::prompts(&server).await;
    assert!(
        sent[0].contains("Find the holes"),
        "an adversarial prompt: {}",
        sent[0]
    );
    assert_eq!(
        wow.read("features/parking.feature"),
        crate::models::PARKING,
        "the product owner's file is untouched"
    );
    let wow = wow.only_args(&["check", "features/suggested/features.feature"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("Exactly one hour is still free"),
        "{}",
        out.all()
    );
    // Suggestions stay out of the product owner's features until adopted.
    let out = wow.only_args(&["check"]).run();
    assert!(!out.stdout.contains("Exactly one hour"), "{}", out.all());
}

/// `n` nested pairs of `open`/`close` around `1`.
fn nested(open: &str, close: &str, n: usize) -> String {
    format!("{}1{}", open.repeat(n), close.repeat(n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_nested_too_deep_is_refused_in_a_reply_and_skipped_on_disk() {
    let deep_lib = format!(
        "pub fn f() -> u8 {{\n    {}\n}}\n",
        nested("(", ")", 100_000)
    );
    let deep_steps = format!(
        "fn g() {{\n    let _ = {};\n}}\n",
        nested("[", "]", 100_000)
    );
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(&deep_lib, &deep_steps), "stop"),
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&["run", "--max-repairs", "1", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    assert_eq!(report["rounds"][0]["outcome"], "no_files", "{report}");
    let rejected = report["rounds"][0]["rejected"]
        .as_array()
        .expect("rejected");
    assert_eq!(rejected.len(), 2, "{report}");
    for file in rejected {
        let reason = file["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("nest more than 128 deep"), "{file}");
    }
    let sent = crate::support::prompts(&server).await;
    assert!(
        sent[1].contains("nest more than 128 deep"),
        "the model is told why:\n{}",
        sent[1]
    );
    // Files on disk are not checked by the file policy: written by hand,
    // or before it. Outside the module tree, so the build never reads them.
    let deep_brace = format!("pub fn h() -> u8 {{ {} }}\n", nested("{", "}", 100_000));
    std::fs::write(wow.path("generated/features/src/deep.rs"), &deep_brace).expect("write");
    std::fs::create_dir_all(wow.path("generated/features/tests/steps")).expect("mkdir");
    std::fs::write(
        wow.path("generated/features/tests/steps/deep.rs"),
        &deep_steps,
    )
    .expect("write");
    let wow = wow.only_args(&["test", "generated/features", "--json", "report.json"]);
    let out = wow.run();
    assert!(out.code == 0 || out.code == 1, "{}", out.all());
    let report = wow.report().to_string();
    for file in ["src/deep.rs", "tests/steps/deep.rs"] {
        let skipped = format!(
            "wow could not check the code in `{file}`: its brackets nest more than 128 deep"
        );
        assert!(report.contains(&skipped), "{file}: {report}");
    }
}

/// A scenario whose own numbers contradict the feature's rule.
const WRONG_SCENARIO: &str = "
  Scenario: Two hours cost 5 euros
    Given a car parked for 120 minutes
    Then the fee is 5 euros
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disputed_scenario_is_shown_to_the_product_owner_and_uses_no_repair() {
    let text = format!("{}{WRONG_SCENARIO}", crate::models::PARKING);
    let line = text
        .lines()
        .position(|l| l.contains("Two hours cost 5 euros"))
        .expect("the scenario")
        + 1;
    let dispute = format!(
        "{}\n## Disputes\n\n- features/parking.feature:{line}: the outline says every started hour after the first costs 2 euros, so 120 minutes cost 2 euros, not 5. Suggested change: `Then the fee is 2 euros`.\n",
        reply(LIB_RIGHT, STEPS)
    );
    // A second reply is served but must never be asked for.
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(&dispute, "stop"), openai_json(&dispute, "stop")],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/parking.feature", &text)
        .args(&["run", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(
        out.code,
        1,
        "a disputed intent does not pass: {}",
        out.all()
    );
    let report = wow.report();
    let disputed: Vec<&Value> = report["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .filter(|i| i["status"] == "disputed")
        .collect();
    assert_eq!(disputed.len(), 1, "{}", out.all());
    assert_eq!(
        disputed[0]["id"],
        format!("features/parking.feature:{line}")
    );
    assert!(
        disputed[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("120 minutes cost 2 euros, not 5"),
        "{}",
        disputed[0]
    );
    assert_eq!(report["summary"]["passed"], 3, "the others are verified");
    assert_eq!(
        report["rounds"].as_array().map(Vec::len),
        Some(1),
        "no repair spent on a disputed scenario"
    );
    assert_eq!(report["stopped"]["reason"], "disputed");
    assert_eq!(crate::support::prompts(&server).await.len(), 1);
    let html = wow.read("generated/features/report.html");
    assert!(html.contains("Disputed"), "the badge");
    assert!(html.contains("Suggested change"), "the model's correction");
    assert!(out.stdout.contains("⚑"), "{}", out.all());
}

/// Right only when built as wow's check copy (its package is
/// `prototype-check-…`), wrong in the prototype itself.
const LIB_RIGHT_ONLY_IN_THE_COPY: &str = "pub fn fee(minutes: u32) -> u32 {
    let right = if minutes <= 60 { 0 } else { (minutes - 60).div_ceil(60) * 2 };
    if env!(\"CARGO_PKG_NAME\").contains(\"-check-\") { right } else { right + 1 }
}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_that_tells_the_check_copy_apart_is_judged_by_the_prototype_itself() {
    let (wow, out, report) = run_once(reply(LIB_RIGHT_ONLY_IN_THE_COPY, STEPS)).await;
    // What plain `cargo test --test intents` says in the prototype: every
    // fee is one euro too high.
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(report["summary"]["passed"], 0, "{}", out.all());
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["status"], "failed", "{intent}");
    }
    let plain = std::process::Command::new("cargo")
        .args(["test", "--quiet", "--test", "intents"])
        .current_dir(wow.path("generated/features"))
        .env("CARGO_TARGET_DIR", crate::support::shared_target_dir())
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run plain cargo");
    assert!(
        !plain.status.success(),
        "plain cargo fails it too: {}",
        String::from_utf8_lossy(&plain.stdout)
    );
}
