//! Model faults end to end: the real binary against fake servers on
//! 127.0.0.1 that misbehave (scripted, hand-written responses). Each fault
//! ends in a retry that succeeds, or in a clear message naming the provider
//! and what happened, with the previous prototype untouched and exit code 2
//! when no round completed.

use serde_json::json;
use wiremock::ResponseTemplate;

use crate::support::{Output, Wow, anthropic_stream, fake_server, openai_stream, prompts};

const FEATURE: &str = "Feature: Greeting
  Scenario: Saying hello
    Given a visitor named Ada
    Then the greeting is \"Hello, Ada\"
";

const LIB: &str = "/// The greeting for `name`.\npub fn greet(name: &str) -> String {\n    format!(\"Hello, {name}\")\n}\n";

const STEPS: &str = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    name: String,
}

#[given(expr = "a visitor named {word}")]
fn visitor(world: &mut World, name: String) {
    world.name = name;
}

#[then(expr = "the greeting is {string}")]
fn greeting(world: &mut World, expected: String) {
    assert_eq!(prototype::greet(&world.name), expected);
}
"#;

/// The hand-written reply that passes.
fn good_reply() -> String {
    format!(
        "Hand-written test reply.\n\n### src/lib.rs\n```rust\n{LIB}```\n\n### tests/steps.rs\n```rust\n{STEPS}```\n"
    )
}

/// A folder holding a prototype from an earlier, successful run (through
/// a `cmd:` model, so no server is needed for it).
fn previous() -> Wow {
    let wow = Wow::new()
        .file("features/greeting.feature", FEATURE)
        .file("reply.md", &good_reply())
        .args(&["run", "--model", "cmd:cat reply.md"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "the earlier run: {}", out.all());
    wow
}

/// Asserts that the earlier prototype is exactly as it was.
fn untouched(wow: &Wow, out: &Output, manifest: &str) {
    assert_eq!(
        wow.read("generated/features/src/lib.rs"),
        LIB,
        "{}",
        out.all()
    );
    assert_eq!(wow.read("generated/features/tests/steps.rs"), STEPS);
    assert_eq!(wow.read("generated/features/.wow/manifest.json"), manifest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_that_stop_the_run_leave_the_previous_prototype_whole() {
    let wow = tokio::task::spawn_blocking(previous)
        .await
        .expect("earlier run");
    let manifest = wow.read("generated/features/.wow/manifest.json");
    let mut wow = wow;
    let cases: Vec<(&str, ResponseTemplate, &str)> = vec![
        (
            "an error inside a 200 stream",
            ResponseTemplate::new(200).set_body_raw(
                format!(
                    "data: {}\n\ndata: {}\n\n",
                    json!({"choices": [{"index": 0, "delta": {"content": "pub "}}]}),
                    json!({"error": {"code": 502, "message": "upstream provider returned error"}, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]})
                ),
                "text/event-stream",
            ),
            "upstream provider returned error",
        ),
        (
            "malformed JSON",
            ResponseTemplate::new(200).set_body_raw("{\"choices\": [", "application/json"),
            "openrouter",
        ),
        (
            "a refused key",
            ResponseTemplate::new(403).set_body_json(json!({"error": {"message": "forbidden"}})),
            "OPENROUTER_API_KEY",
        ),
    ];
    for (label, response, words) in cases {
        let server = fake_server("/v1/chat/completions", vec![response]).await;
        let url = format!("{}/v1", server.uri());
        let (back, out) = wow
            .only_args(&[
                "run",
                "--model",
                "openrouter/test/model",
                "--base-url",
                &url,
                "--no-stream",
            ])
            .env("OPENROUTER_API_KEY", "sk-or-test")
            .run_async()
            .await;
        wow = back;
        assert_eq!(out.code, 2, "{label}: {}", out.all());
        assert!(out.stderr.contains(words), "{label}: {}", out.all());
        assert!(
            !out.stderr.contains("sk-or-test"),
            "{label}: the key is never shown"
        );
        untouched(&wow, &out, &manifest);
    }

    // Nothing listens: retried, then a clear message naming the URL.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("address")
        .port();
    let url = format!("http://127.0.0.1:{port}/v1");
    let wow = wow.only_args(&["run", "--model", "vllm/test", "--base-url", &url]);
    let out = tokio::task::block_in_place(|| wow.run());
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains(&url), "{}", out.all());
    untouched(&wow, &out, &manifest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_retried_and_the_run_goes_on() {
    let cut = {
        // A stream that stops mid-reply: no finish reason, no `[DONE]`.
        let chunk = json!({"choices": [{"index": 0, "delta": {"content": "### src/lib.rs\n```rust\npub fn"}, "finish_reason": null}]});
        ResponseTemplate::new(200).set_body_raw(format!("data: {chunk}\n\n"), "text/event-stream")
    };
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            ResponseTemplate::new(503).set_body_string("unavailable"),
            ResponseTemplate::new(429).set_body_string("slow down, no Retry-After"),
            ResponseTemplate::new(502).set_body_string("bad gateway"),
            cut,
            openai_stream(&good_reply(), "stop"),
        ],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/greeting.feature", FEATURE)
        .args(&[
            "run",
            "--model",
            "openai/gpt-test",
            "--base-url",
            &format!("{}/v1", server.uri()),
            "--no-app",
            "--json",
            "report.json",
        ])
        .env("OPENAI_API_KEY", "sk-test")
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(prompts(&server).await.len(), 5, "four retries, one reply");
    assert_eq!(wow.report()["rounds"].as_array().map(Vec::len), Some(1));
    assert_eq!(wow.read("generated/features/src/lib.rs"), LIB);

    let anthropic = fake_server(
        "/v1/messages",
        vec![
            ResponseTemplate::new(529).set_body_json(
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ),
            anthropic_stream("", "end_turn"),
            anthropic_stream(&good_reply(), "end_turn"),
        ],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/greeting.feature", FEATURE)
        .args(&[
            "run",
            "--model",
            "anthropic/claude-test",
            "--json",
            "report.json",
        ])
        .env("ANTHROPIC_API_KEY", "sk-ant-test")
        .env("ANTHROPIC_BASE_URL", &anthropic.uri())
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    let outcomes: Vec<&str> = report["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        outcomes,
        ["no_files", "ran"],
        "the empty reply is a round that is repaired"
    );
}
