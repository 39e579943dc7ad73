//! `wow run` end to end against fake model servers on 127.0.0.1: features the
//! tool has never seen, scripted replies (hand-written for these tests, not
//! model output), real builds and runs of the prototype, and the JSON report.

use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::support::{Wow, anthropic_stream, fake_server, openai_json, openai_stream, prompts};

pub(crate) const PARKING: &str = "Feature: Parking fees
  As a driver
  I want to know what I pay
  So that parking holds no surprise

  Scenario: The first hour is free
    Given a car parked for 45 minutes
    Then the fee is 0 euros

  Scenario Outline: Every started hour after the first costs 2 euros
    Given a car parked for <minutes> minutes
    Then the fee is <fee> euros

    Examples:
      | minutes | fee |
      | 90      | 2   |
      | 180     | 4   |
";

/// Steps shared by the replies below. The `Given` step also checks that no
/// API key reached the prototype's environment.
pub(crate) const STEPS: &str = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    minutes: u32,
}

#[given(expr = "a car parked for {int} minutes")]
fn parked(world: &mut World, minutes: u32) {
    assert!(std::env::var_os("OPENAI_API_KEY").is_none(), "an API key leaked into the prototype");
    assert!(std::env::var_os("ANTHROPIC_API_KEY").is_none(), "an API key leaked into the prototype");
    world.minutes = minutes;
}

#[then(expr = "the fee is {int} euros")]
fn fee(world: &mut World, expected: u32) {
    let fee = prototype::fee(world.minutes);
    assert_eq!(fee, expected, "the fee should be {expected} euros");
}
"#;

pub(crate) const LIB_RIGHT: &str =
    "/// Parking fee in euros: the first hour is free, then 2 euros per started hour.
pub fn fee(minutes: u32) -> u32 {
    if minutes <= 60 { 0 } else { (minutes - 60).div_ceil(60) * 2 }
}
";

/// Counts whole hours instead of started ones: 180 minutes costs 6 euros.
const LIB_WRONG: &str = "pub fn fee(minutes: u32) -> u32 {
    if minutes <= 60 { 0 } else { minutes / 60 * 2 }
}
";

const LIB_BROKEN: &str = "pub fn fee(minutes: u32) -> u32 {
    let hours: u32 = \"many\";
    hours * minutes
}
";

/// The parking page, calling the library's `fee`; `broken` adds a type
/// error for the app's repair round.
pub(crate) fn page(broken: bool) -> String {
    let error = if broken {
        "let minutes: u32 = \"soon\";"
    } else {
        ""
    };
    format!(
        "Hand-written test reply.\n\n### app/page.rs\n```rust\nuse crate::{{escape, Form}};\n\npub struct App {{ minutes: u32 }}\n\nimpl App {{\n    pub fn new() -> Self {{ App {{ minutes: 45 }} }}\n    pub fn title(&self) -> String {{ \"Parking fees\".to_owned() }}\n    pub fn render(&self) -> String {{\n        format!(\"<p id=\\\"fee\\\">{{}}</p><form method=\\\"post\\\"><input name=\\\"minutes\\\"><button name=\\\"action\\\" value=\\\"park\\\">Park</button></form>\", escape(&prototype::fee(self.minutes).to_string()))\n    }}\n    pub fn submit(&mut self, form: &Form) -> Result<String, String> {{\n        {error}\n        self.minutes = form.get(\"minutes\").unwrap_or(\"0\").parse().map_err(|_| \"minutes, please\".to_owned())?;\n        Ok(String::new())\n    }}\n}}\n```\n"
    )
}

pub(crate) fn reply(lib: &str, steps: &str) -> String {
    format!(
        "Hand-written test reply.\n\n### src/lib.rs\n```rust\n{lib}```\n\n### tests/steps.rs\n```rust\n{steps}```\n"
    )
}

pub(crate) fn parking() -> Wow {
    Wow::new().file("features/parking.feature", PARKING)
}

pub(crate) fn statuses(report: &Value) -> Vec<(String, String)> {
    report["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_owned(),
                i["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn outcomes(report: &Value) -> Vec<String> {
    report["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_openai_reply_that_passes_first_time() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_stream(
            &format!(
                "{}\n## Assumptions\n\n- A stay of exactly one hour is still free\n- Fees are rounded up to the next whole euro\n",
                reply(LIB_RIGHT, STEPS)
            ),
            "stop",
        )],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "openai/gpt-test",
            "--base-url",
            &format!("{}/v1", server.uri()),
            "--json",
            "report.json",
        ])
        .env("OPENAI_API_KEY", "sk-test-canary")
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    assert_eq!(report["version"], 1);
    assert_eq!(report["model"], "openai/gpt-test");
    assert_eq!(report["prototype"], "generated/features");
    assert_eq!(report["summary"]["intents"], 3);
    assert_eq!(report["summary"]["passed"], 3);
    assert_eq!(
        statuses(&report),
        [
            ("features/parking.feature:6".to_owned(), "passed".to_owned()),
            (
                "features/parking.feature:16".to_owned(),
                "passed".to_owned()
            ),
            (
                "features/parking.feature:17".to_owned(),
                "passed".to_owned()
            ),
        ]
    );
    // What the model decided where the scenarios are silent: open questions
    // in every report.
    assert_eq!(
        report["assumptions"],
        serde_json::json!([
            "A stay of exactly one hour is still free",
            "Fees are rounded up to the next whole euro"
        ])
    );
    assert!(
        out.stdout.contains("Open questions")
            && out
                .stdout
                .contains("? A stay of exactly one hour is still free"),
        "{}",
        out.all()
    );
    assert!(
        wow.read("generated/features/report.html")
            .contains("<li>Fees are rounded up to the next whole euro</li>")
    );
    assert_eq!(outcomes(&report), ["ran"]);
    assert_eq!(report["rounds"][0]["kind"], "generate");
    assert_eq!(report["rounds"][0]["input_tokens"], 1200);
    assert_eq!(report["rounds"][0]["output_tokens"], 340);
    assert!(out.stdout.contains("3 of 3 intents pass"), "{}", out.all());
    // The prototype stands on its own: the engineer's files are there.
    assert!(
        wow.read("generated/features/src/lib.rs")
            .contains("started hour")
    );
    assert_eq!(
        wow.read("generated/features/features/parking.feature"),
        PARKING
    );
    // The exchange was recorded for replay, and replay needs no server.
    let exchange: Value =
        serde_json::from_str(&wow.read("generated/features/.wow/exchanges/round-01.json"))
            .expect("json");
    assert_eq!(exchange["origin"], "model");
    assert!(
        exchange["prompt"]["user"]
            .as_str()
            .unwrap_or_default()
            .contains("Every started hour after the first")
    );
    drop(server);
    let replay = wow.only_args(&["run"]).run();
    assert_eq!(replay.code, 0, "{}", replay.all());
    assert!(replay.stderr.contains("replaying"), "{}", replay.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compile_error_is_repaired_through_anthropic() {
    let server = fake_server(
        "/v1/messages",
        vec![
            anthropic_stream(&reply(LIB_BROKEN, STEPS), "end_turn"),
            anthropic_stream(&reply(LIB_RIGHT, STEPS), "end_turn"),
            anthropic_stream(&page(true), "end_turn"),
            anthropic_stream(&page(false), "end_turn"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "anthropic/claude-test",
            "--json",
            "report.json",
        ])
        .env("ANTHROPIC_API_KEY", "sk-ant-canary")
        .env("ANTHROPIC_BASE_URL", &server.uri())
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    assert_eq!(outcomes(&report), ["compile_error", "ran"]);
    assert_eq!(report["rounds"][1]["kind"], "repair");
    assert_eq!(report["rounds"][0]["input_tokens"], 1500);
    assert_eq!(report["rounds"][0]["output_tokens"], 420);
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 4, "two rounds, then the app and its repair");
    assert!(
        sent[1].contains("mismatched types"),
        "the repair prompt carries rustc's error:\n{}",
        sent[1]
    );
    assert!(
        sent[1].contains("let hours: u32 = \"many\";"),
        "the repair prompt carries the current files"
    );
    // Every intent verified: the app is asked for with the verified
    // library, and repaired from rustc's errors on the page.
    assert!(sent[2].contains("Write `app/page.rs`") && sent[2].contains("pub fn fee("));
    assert!(
        sent[3].contains("mismatched types") && sent[3].contains("let minutes: u32 = \"soon\";"),
        "the app's repair carries its error and its page:\n{}",
        sent[3]
    );
    let app = &report["app"];
    assert_eq!(app["status"], "ready", "{app}");
    assert_eq!(app["calls"], serde_json::json!(["fee"]), "{app}");
    assert_eq!(app["model_calls"], 2);
    assert_eq!(app["usage"]["input_tokens"], 3000, "{app}");
    assert!(
        wow.read("generated/features/app/page.rs")
            .contains("prototype::fee")
    );
    for round in ["round-01.json", "round-02.json"] {
        let exchange = wow.read(&format!("generated/features/.wow/exchanges/app/{round}"));
        assert!(exchange.contains("\"origin\": \"model\""), "{exchange}");
    }
    assert!(
        out.stdout.contains("app: ready (it calls fee)"),
        "{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intent_that_keeps_failing_is_reported_with_its_step() {
    // Non-streamed replies, as from a server that ignores `stream`.
    let wrong = reply(LIB_WRONG, STEPS);
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(&wrong, "stop"), openai_json(&wrong, "stop")],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "ollama/qwen-test:7b",
            "--no-stream",
            "--max-repairs",
            "2",
            "--json",
            "report.json",
        ])
        .env("OLLAMA_HOST", &server.uri().replace("http://", ""))
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    assert_eq!(report["summary"]["passed"], 2);
    assert_eq!(report["summary"]["failed"], 1);
    let failed = &report["intents"][2];
    assert_eq!(failed["id"], "features/parking.feature:17");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failed_step"], "Then the fee is 4 euros");
    assert_eq!(failed["reason"], "the fee should be 4 euros (got 6)");
    // The same failures twice: the loop stops instead of spending the budget.
    assert_eq!(outcomes(&report), ["ran", "ran"]);
    assert_eq!(report["stopped"]["reason"], "stalled");
    assert!(out.stdout.contains("2 of 3 intents pass"), "{}", out.all());
    assert!(
        out.stdout.contains("Then the fee is 4 euros"),
        "{}",
        out.all()
    );
    let sent = prompts(&server).await;
    assert!(
        sent[1].contains("Then the fee is 4 euros"),
        "the repair prompt names the failing step"
    );
    assert!(
        sent[1].contains("the fee should be 4 euros"),
        "and its message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undefined_steps_are_reported_as_undefined() {
    let steps = STEPS.replace("the fee is {int} euros", "the price is {int} euros");
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_stream(&reply(LIB_RIGHT, &steps), "stop")],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "lmstudio/local-test",
            "--base-url",
            &format!("{}/v1", server.uri()),
            "--max-repairs",
            "0",
            "--json",
            "report.json",
        ])
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["status"], "undefined", "{intent}");
        assert!(
            intent["failed_step"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Then the fee is")
        );
    }
    assert_eq!(report["stopped"]["reason"], "budget_spent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_retried_and_unusable_replies_repaired() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string("slow down"),
            openai_stream(
                "I would write the prototype like this, but here is only prose.",
                "stop",
            ),
            openai_stream(&reply(LIB_RIGHT, STEPS)[..200], "length"),
            openai_stream(&reply(LIB_RIGHT, STEPS), "stop"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "openai/gpt-test",
            "--no-app",
            "--json",
            "report.json",
        ])
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_BASE_URL", &format!("{}/v1", server.uri()))
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    assert_eq!(outcomes(&report), ["no_files", "truncated", "ran"]);
    assert!(
        out.stderr.contains("429"),
        "the retry is shown: {}",
        out.all()
    );
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 4, "one retry and three rounds");
    assert!(
        sent[2].contains("no code block"),
        "the model is told why its reply was unusable"
    );
    assert!(
        sent[3].contains("cut off"),
        "and that its reply was truncated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_stops_with_a_clear_message() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": {"message": "Incorrect API key provided"}}),
        )],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--model",
            "openai/gpt-test",
            "--base-url",
            &format!("{}/v1", server.uri()),
        ])
        .env("OPENAI_API_KEY", "sk-wrong")
        .run_async()
        .await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("OPENAI_API_KEY"), "{}", out.all());
    assert!(
        !out.stderr.contains("sk-wrong"),
        "the key itself is never printed"
    );
    assert_eq!(prompts(&server).await.len(), 1, "a 401 is not retried");
    assert!(
        !wow.path("generated/features/src/lib.rs").exists(),
        "nothing was generated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worse_repair_leaves_the_best_round_on_disk() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(LIB_WRONG, STEPS), "stop"),
            openai_json(&reply(LIB_BROKEN, STEPS), "stop"),
        ],
    )
    .await;
    let (wow, out) = parking()
        .args(&["run", "--max-repairs", "1", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    assert_eq!(outcomes(&report), ["ran", "compile_error"]);
    assert_eq!(
        report["summary"]["passed"], 2,
        "the report is the best round's"
    );
    assert_eq!(
        wow.read("generated/features/src/lib.rs"),
        LIB_WRONG,
        "round 1's files are back on disk"
    );
}

#[test]
fn a_command_model_and_a_scenario_that_never_ends() {
    // `cmd:` gets the prompt on stdin; this hand-written reply's step loops
    // forever, so the run is stopped at its limit and the intents say why.
    let looping = STEPS.replace(
        "world.minutes = minutes;",
        "world.minutes = minutes;\n    loop { std::hint::spin_loop(); }",
    );
    let wow = parking()
        .file("reply.md", &reply(LIB_RIGHT, &looping))
        .args(&[
            "run",
            "--model",
            "cmd:cat > prompt.txt; cat reply.md",
            "--run-timeout",
            "3",
            "--max-repairs",
            "0",
            "--json",
            "report.json",
        ]);
    let started = std::time::Instant::now();
    let out = wow.run();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        wow.read("prompt.txt")
            .contains("Every started hour after the first"),
        "the prompt went to stdin"
    );
    let report = wow.report();
    // A command tells no token counts: unknown, not zero.
    assert!(report["rounds"][0]["input_tokens"].is_null(), "{report}");
    assert!(report["rounds"][0]["output_tokens"].is_null(), "{report}");
    for intent in report["intents"].as_array().expect("intents") {
        assert_eq!(intent["status"], "not_run", "{intent}");
        assert!(
            intent["message"]
                .as_str()
                .unwrap_or_default()
                .contains("did not finish within 3 s"),
            "{intent}"
        );
    }
    assert!(
        out.stdout.contains("did not finish within 3 s"),
        "{}",
        out.all()
    );
    // The build may wait for the shared target directory; the run itself is cut at 3 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(300));
    let running = std::process::Command::new("pgrep")
        .args(["-f", "intents-"])
        .output();
    if let Ok(found) = running {
        let pids = String::from_utf8_lossy(&found.stdout);
        assert!(
            pids.trim().is_empty() || !is_ours(&pids, &wow),
            "the looping scenario was left running"
        );
    }
}

/// Whether any of `pids` runs inside this test's folder.
fn is_ours(pids: &str, wow: &Wow) -> bool {
    let ours = wow.path("generated");
    pids.split_whitespace().any(|pid| {
        std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&ours))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crates_allowed_in_wow_toml_reach_the_prototype_and_the_prompt() {
    let lib = format!(
        "{LIB_RIGHT}\n/// The fee as text, formatted by `itoa`.\npub fn fee_text(minutes: u32) -> String {{\n    itoa::Buffer::new().format(fee(minutes)).to_owned()\n}}\n"
    );
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(&reply(&lib, STEPS), "stop")],
    )
    .await;
    let (wow, out) = parking()
        .file("wow.toml", "[dependencies]\nitoa = \"=1.0.18\"\n")
        .args(&["run", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        wow.read("generated/features/Cargo.toml")
            .contains("itoa = { version = \"=1.0.18\" }")
    );
    let sent = server.received_requests().await.unwrap_or_default();
    let body = String::from_utf8_lossy(&sent[0].body).into_owned();
    assert!(
        body.contains("`itoa` =1.0.18"),
        "the model is told which crates it may use"
    );

    let out = wow
        .file("wow.toml", "[dependencies]\nitoa = \"1\"\n")
        .only_args(&[
            "run",
            "--model",
            "vllm/test",
            "--base-url",
            "http://127.0.0.1:9/v1",
        ])
        .run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("is not an exact version"),
        "{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_a_name_filter_runs_and_repairs_only_the_selected_intents() {
    // Whole hours instead of started ones: only the 180-minute row fails,
    // and `--name` leaves it out.
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(&reply(LIB_WRONG, STEPS), "stop")],
    )
    .await;
    let (wow, out) = parking()
        .args(&[
            "run",
            "--name",
            "^The first hour is free$",
            "--no-app",
            "--json",
            "report.json",
        ])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "the selected intent passes: {}", out.all());
    let report = wow.report();
    assert_eq!(report["summary"]["intents"], 1);
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["left_out"], 2);
    let statuses: Vec<&str> = report["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .map(|i| i["status"].as_str().expect("a status"))
        .collect();
    assert_eq!(statuses, ["passed", "left_out", "left_out"]);
    // The failing row was never run, so nothing went back to the model.
    assert_eq!(prompts(&server).await.len(), 1);
    assert!(
        out.stdout.contains("1 of 1 intent passes")
            && out.stdout.contains("2 intents left out by --name"),
        "{}",
        out.all()
    );
}
