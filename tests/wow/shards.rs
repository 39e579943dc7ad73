//! Sharded generation end to end: two features, one shard each, written by
//! concurrent calls to a fake OpenAI-compatible server on 127.0.0.1 that
//! answers each shard's prompt with that shard's reply (hand-written for
//! this test, not model output); a repair that goes to the failing shard
//! alone; the recording replayed offline.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers};

use crate::models::statuses;
use crate::support::{Wow, openai_json};

const COUNTER: &str = "Feature: Counter
  Scenario: Counting up
    Given a counter at 2
    When I add 3
    Then the counter shows 5
";

const GREETING: &str = "Feature: Greeting
  Scenario: Greeting someone
    Given a visitor named \"Ada\"
    When the visitor arrives
    Then the greeting is \"Hello, Ada!\"
";

/// The counter shard's reply; `wrong` adds twice what it is given.
fn counter(wrong: bool) -> String {
    let add = if wrong { "n * 2" } else { "n" };
    format!(
        "Hand-written test reply.\n\n### src/counter.rs\n```rust\n#[derive(Debug)]\npub struct Counter {{\n    value: i64,\n}}\n\nimpl Counter {{\n    pub fn new(value: i64) -> Self {{\n        Self {{ value }}\n    }}\n    pub fn add(&mut self, n: i64) {{\n        self.value += {add};\n    }}\n    pub fn value(&self) -> i64 {{\n        self.value\n    }}\n}}\n```\n\n### tests/steps/counter.rs\n```rust\nuse cucumber::{{given, then, when}};\nuse prototype::counter::Counter;\n\n#[derive(Debug, Default, cucumber::World)]\npub struct World {{\n    counter: Option<Counter>,\n}}\n\n#[given(expr = \"a counter at {{int}}\")]\nfn at(world: &mut World, n: i64) {{\n    world.counter = Some(Counter::new(n));\n}}\n\n#[when(expr = \"I add {{int}}\")]\nfn add(world: &mut World, n: i64) {{\n    world.counter.as_mut().expect(\"a counter\").add(n);\n}}\n\n#[then(expr = \"the counter shows {{int}}\")]\nfn shows(world: &mut World, n: i64) {{\n    let value = world.counter.as_ref().expect(\"a counter\").value();\n    assert_eq!(value, n, \"the counter should show {{n}}\");\n}}\n```\n"
    )
}

/// The greeting shard's reply. It also sends `src/counter.rs`, which is not
/// its own: the file is refused and the counter shard's stays.
const GREETING_REPLY: &str = "Hand-written test reply.\n\n### src/greeting.rs\n```rust\npub fn greet(name: &str) -> String {\n    format!(\"Hello, {name}!\")\n}\n```\n\n### tests/steps/greeting.rs\n```rust\nuse cucumber::{given, then, when};\n\n#[derive(Debug, Default, cucumber::World)]\npub struct World {\n    name: String,\n    greeting: String,\n}\n\n#[given(expr = \"a visitor named {string}\")]\nfn named(world: &mut World, name: String) {\n    world.name = name;\n}\n\n#[when(expr = \"the visitor arrives\")]\nfn arrives(world: &mut World) {\n    world.greeting = prototype::greeting::greet(&world.name);\n}\n\n#[then(expr = \"the greeting is {string}\")]\nfn is(world: &mut World, expected: String) {\n    assert_eq!(world.greeting, expected, \"the greeting should be {expected}\");\n}\n```\n\n### src/counter.rs\n```rust\npub fn hijacked() {}\n```\n";

/// How long each reply takes: calls made one after the other would arrive
/// at least this far apart.
const DELAY: Duration = Duration::from_millis(1500);

/// Answers each shard's prompt with the next of its scripted replies,
/// noting which shard asked, when, and the user message.
#[derive(Clone)]
struct Shards {
    script: Arc<Vec<(&'static str, Vec<String>)>>,
    calls: Arc<Mutex<Vec<(String, Instant, String)>>>,
}

impl Shards {
    /// A fake server on 127.0.0.1 serving `script`: each shard's replies,
    /// in order.
    async fn serve(script: Vec<(&'static str, Vec<String>)>) -> (MockServer, Self) {
        let server = MockServer::start().await;
        let shards = Self {
            script: Arc::new(script),
            calls: Arc::default(),
        };
        Mock::given(matchers::method("POST"))
            .and(matchers::path("/v1/chat/completions"))
            .respond_with(shards.clone())
            .mount(&server)
            .await;
        (server, shards)
    }
}

impl Respond for Shards {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("JSON request");
        let system = body["messages"][0]["content"].as_str().unwrap_or_default();
        let user = body["messages"][1]["content"].as_str().unwrap_or_default();
        let Some((shard, replies)) = self
            .script
            .iter()
            .find(|(s, _)| system.contains(&format!("the part for `features/{s}.feature`")))
        else {
            return ResponseTemplate::new(500).set_body_string("no shard of the script");
        };
        let mut calls = self.calls.lock().expect("calls");
        let earlier = calls.iter().filter(|(s, _, _)| s == shard).count();
        calls.push(((*shard).to_owned(), Instant::now(), user.to_owned()));
        match replies.get(earlier) {
            Some(text) => openai_json(text, "stop").set_delay(DELAY),
            None => ResponseTemplate::new(500).set_body_string("no reply scripted"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_feature_is_a_shard_written_at_once_and_repaired_alone() {
    let (server, shards) = Shards::serve(vec![
        ("counter", vec![counter(true), counter(false)]),
        ("greeting", vec![GREETING_REPLY.to_owned()]),
    ])
    .await;
    let (wow, out) = Wow::new()
        .file("features/counter.feature", COUNTER)
        .file("features/greeting.feature", GREETING)
        .args(&["run", "features", "--no-app", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let report = wow.report();
    for (id, status) in statuses(&report) {
        assert_eq!(status, "passed", "{id}: {}", out.all());
    }
    let calls = shards.calls.lock().expect("calls").clone();
    let asked: Vec<&str> = calls.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(asked.len(), 3, "two shards, then one repair: {asked:?}");
    assert_eq!(asked[2], "counter", "only the failing shard is repaired");
    // The first two calls were under way at once.
    let gap = calls[1].1.duration_since(calls[0].1);
    assert!(
        gap < DELAY,
        "the shards were asked one after the other: {gap:?}"
    );
    // The repair holds the counter's feature and files, nothing of the greeting's.
    let repair = &calls[2].2;
    assert!(repair.contains("the counter should show 5"), "{repair}");
    assert!(repair.contains("### src/counter.rs"), "{repair}");
    for other in ["features/greeting.feature", "src/greeting.rs", "src/lib.rs"] {
        assert!(
            !repair.contains(&format!("### {other}")),
            "{other}: {repair}"
        );
    }
    // The greeting's reply could not overwrite the counter's file.
    let out_dir = "generated/features";
    let lib = wow.read(&format!("{out_dir}/src/counter.rs"));
    assert!(lib.contains("pub struct Counter"), "{lib}");
    let rounds = report["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 2);
    let refused: Vec<&str> = rounds[0]["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(refused, ["src/counter.rs"], "{}", rounds[0]);
    // Tokens of round 1 are both calls'.
    assert_eq!(rounds[0]["input_tokens"], 2000, "{}", rounds[0]);
    assert_eq!(rounds[1]["input_tokens"], 1000, "{}", rounds[1]);
    assert_eq!(
        rounds[0]["shards"],
        serde_json::json!(["counter", "greeting"])
    );
    assert_eq!(rounds[1]["shards"], serde_json::json!(["counter"]));
    assert!(
        out.stdout
            .contains("generated, 1 of 2 pass → repaired counter, 2 of 2 pass"),
        "{}",
        out.all()
    );
    assert_sharded_on_disk(&wow);

    // Offline: the recording gives each shard its own replies again.
    let before = server.received_requests().await.unwrap_or_default().len();
    let (wow, out) = wow
        .only_args(&[
            "run",
            "features",
            "--no-app",
            "--model",
            "replay",
            "--json",
            "report.json",
        ])
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(wow.report()["summary"]["passed"], 2, "{}", out.all());
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        before,
        "a replay asks no model"
    );
}

/// The prototype on disk: each shard's module and World declared by the
/// tool, and one recorded exchange per call.
fn assert_sharded_on_disk(wow: &Wow) {
    let out_dir = "generated/features";
    // Each shard's module and World, declared by the tool.
    assert_eq!(
        wow.read(&format!("{out_dir}/src/lib.rs"))
            .lines()
            .filter(|l| l.starts_with("pub mod"))
            .collect::<Vec<_>>(),
        ["pub mod counter;", "pub mod greeting;"]
    );
    let harness = wow.read(&format!("{out_dir}/tests/intents.rs"));
    assert!(harness.contains("steps::counter::World"), "{harness}");
    let mut recorded: Vec<String> =
        std::fs::read_dir(wow.path(&format!("{out_dir}/.wow/exchanges")))
            .expect("the recording")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| {
                std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e == "json")
            })
            .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            "round-01-counter.json",
            "round-01-greeting.json",
            "round-02-counter.json"
        ]
    );
}

/// `alpha`'s reply, with a `Then` step for `beta`'s `World` that checks
/// nothing, written in `alpha`'s file.
const ALPHA_REPLY: &str = "Hand-written test reply.\n\n### src/alpha.rs\n```rust\npub fn double(n: i64) -> i64 {\n    n * 2\n}\n```\n\n### tests/steps/alpha.rs\n```rust\nuse cucumber::{given, then, when};\n\n#[derive(Debug, Default, cucumber::World)]\npub struct World {\n    n: i64,\n    r: i64,\n}\n\n#[given(expr = \"the number {int}\")]\nfn number(w: &mut World, n: i64) {\n    w.n = n;\n}\n\n#[when(\"I double it\")]\nfn double(w: &mut World) {\n    w.r = prototype::alpha::double(w.n);\n}\n\n#[then(expr = \"the result is {int}\")]\nfn result(w: &mut World, r: i64) {\n    assert_eq!(w.r, r, \"the result should be {r}\");\n}\n\n#[then(\"the order is accepted\")]\nfn accepted(_w: &mut super::beta::World) {}\n```\n";

/// `beta`'s reply: no `Then` step of its own; its `When` fails under every
/// mutant of `submit`, so only the missing `Then` could let it pass.
const BETA_REPLY: &str = "Hand-written test reply.\n\n### src/beta.rs\n```rust\npub fn submit(items: u32) -> u32 {\n    items + 1\n}\n```\n\n### tests/steps/beta.rs\n```rust\nuse cucumber::{given, when};\n\n#[derive(Debug, Default, cucumber::World)]\npub struct World {\n    items: u32,\n    id: u32,\n}\n\n#[given(expr = \"an order of {int} items\")]\nfn order(w: &mut World, items: u32) {\n    w.items = items;\n}\n\n#[when(\"I submit the order\")]\nfn submit(w: &mut World) {\n    w.id = prototype::beta::submit(w.items);\n    assert_eq!(w.id, 4, \"the order should get number 4\");\n}\n```\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_written_in_another_shards_file_does_not_run_for_its_world() {
    let (server, _shards) = Shards::serve(vec![
        ("alpha", vec![ALPHA_REPLY.to_owned()]),
        ("beta", vec![BETA_REPLY.to_owned()]),
    ])
    .await;
    let (wow, out) = Wow::new()
        .file(
            "features/alpha.feature",
            "Feature: Alpha\n  Scenario: Doubling\n    Given the number 2\n    When I double it\n    Then the result is 4\n",
        )
        .file(
            "features/beta.feature",
            "Feature: Beta\n  Scenario: Submitting\n    Given an order of 3 items\n    When I submit the order\n    Then the order is accepted\n",
        )
        .args(&["run", "features", "--no-app", "--max-repairs", "0", "--json", "report.json"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    let intents = report["intents"].as_array().expect("intents");
    let status = |file: &str| {
        intents
            .iter()
            .find(|i| i["id"].as_str().unwrap_or_default().contains(file))
            .map(|i| (i["status"].clone(), i["failed_step"].clone()))
            .expect("the intent")
    };
    assert_eq!(status("alpha.feature").0, "passed", "{}", out.all());
    assert_eq!(
        status("beta.feature"),
        ("undefined".into(), "Then the order is accepted".into()),
        "beta's World runs only the definitions of beta's files: {}",
        out.all()
    );
}
