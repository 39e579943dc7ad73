//! Test support: a builder that runs the real `wow` binary in a temporary
//! folder, scripted fake model servers on 127.0.0.1 (wiremock), and the wire
//! formats of the two protocols those servers speak.
//!
//! Every reply served here is written by hand for a test; none comes from a
//! model.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use std::sync::Mutex;
use wait_timeout::ChildExt as _;

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers};

/// The cargo target directory shared by every prototype the tests build, so
/// cucumber and tokio compile once per test run.
pub fn shared_target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wow-test-prototypes")
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Everything printed, for messages of failed assertions.
    pub fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `wow` in its own temporary folder with a clean model environment.
pub struct Wow {
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl Wow {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    /// Writes a file inside the temporary folder.
    pub fn file(self, rel: &str, content: &str) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(path, content).expect("write file");
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Replaces the arguments, keeping the folder and environment.
    pub fn only_args(mut self, args: &[&str]) -> Self {
        self.args.clear();
        self.args(args)
    }

    /// `--model vllm/test --base-url <server>/v1`: a local OpenAI-compatible
    /// server needing no key, the fake one of the test.
    pub fn local_model(self, server: &MockServer) -> Self {
        let base = format!("{}/v1", server.uri());
        self.args(&["--model", "vllm/test", "--base-url", &base])
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The JSON report written with `--json report.json`.
    pub fn report(&self) -> Value {
        serde_json::from_str(&self.read("report.json")).expect("the report is JSON")
    }

    /// Runs the binary (blocking; call it from `spawn_blocking` while a fake
    /// server runs on the test's runtime).
    pub fn run(&self) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wow"));
        command.current_dir(self.dir.path()).args(&self.args);
        for key in [
            "WOW_MODEL",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "OPENAI_API_BASE",
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "OPENROUTER_API_KEY",
            "OLLAMA_HOST",
            "NO_COLOR",
        ] {
            command.env_remove(key);
        }
        command.env("WOW_TARGET_DIR", shared_target_dir());
        // Every test prototype is built a few times at most: incremental
        // caches would only fill the disk (about 40 MB each).
        command.env("CARGO_INCREMENTAL", "0");
        command.envs(self.envs.iter().map(|(k, v)| (k, v)));
        let output = command.output().expect("run the wow binary");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs the binary on a blocking thread and waits for it.
    pub async fn run_async(self) -> (Self, Output) {
        tokio::task::spawn_blocking(move || {
            let output = self.run();
            (self, output)
        })
        .await
        .expect("the wow run finished")
    }
}

/// Serves scripted responses in order; a request past the script gets a 500
/// saying so.
struct Script(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0
            .lock()
            .expect("script lock")
            .pop_front()
            .unwrap_or_else(|| {
                ResponseTemplate::new(500).set_body_string("the test script has no more replies")
            })
    }
}

/// A fake model server on 127.0.0.1 answering `POST path` with `responses`
/// in order.
pub async fn fake_server(path: &str, responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(matchers::method("POST"))
        .and(matchers::path(path))
        .respond_with(Script(Mutex::new(responses.into())))
        .mount(&server)
        .await;
    server
}

/// The user messages of every request the server received, in order.
pub async fn prompts(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).expect("JSON request");
            body["messages"]
                .as_array()
                .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn sse(events: &[String]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(events.concat(), "text/event-stream")
}

/// A streamed Chat Completions reply (OpenAI API reference, "chat
/// completion chunk"): the text in three chunks, the finish reason, a usage
/// chunk and `[DONE]`.
pub fn openai_stream(text: &str, finish_reason: &str) -> ResponseTemplate {
    let mut events = Vec::new();
    let third = text.len() / 3;
    let cut = |n: usize| {
        let mut i = n;
        while !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let (a, b) = (cut(third), cut(2 * third));
    for piece in [&text[..a], &text[a..b], &text[b..]] {
        let chunk = json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
        events.push(format!("data: {chunk}\n\n"));
    }
    let end = json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]});
    events.push(format!("data: {end}\n\n"));
    let usage = json!({"id": "c1", "object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540}});
    events.push(format!("data: {usage}\n\n"));
    events.push("data: [DONE]\n\n".to_owned());
    sse(&events)
}

/// A non-streamed Chat Completions reply.
pub fn openai_json(text: &str, finish_reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "c2", "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300}
    }))
}

/// A streamed Anthropic Messages reply (Anthropic docs, "Streaming
/// Messages"): `message_start` with input tokens, text deltas,
/// `message_delta` with the stop reason and output tokens, `message_stop`.
pub fn anthropic_stream(text: &str, stop_reason: &str) -> ResponseTemplate {
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let mut events = vec![
        event(
            "message_start",
            json!({"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "content": [], "model": "claude-test", "usage": {"input_tokens": 1500, "output_tokens": 1}}}),
        ),
        event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        event("ping", json!({"type": "ping"})),
    ];
    for line in text.split_inclusive('\n') {
        events.push(event("content_block_delta", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": line}})));
    }
    events.push(event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push(event("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": stop_reason}, "usage": {"output_tokens": 420}})));
    events.push(event("message_stop", json!({"type": "message_stop"})));
    sse(&events)
}

/// How to run the other tests on a machine without the browser tests' tools.
const SKIP_HINT: &str = "or leave the browser tests out: \
    `cargo test -- --skip browser_tools:: --skip html:: --skip messages::`";

/// The browser (`chromium` on the `PATH`), or what to install.
pub fn find_chromium() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "the browser tests need Chromium: install it with \
             `apt-get install -y --no-install-recommends chromium` (Debian), as `.ci/run` does"
                .to_owned()
        })
}

/// The folder of the Cucumber tools (`tests/tools`, its npm packages
/// installed, Node.js on the `PATH`), or what to install.
pub fn find_cucumber_tools() -> Result<PathBuf, String> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools");
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        return Err(
            "the messages test needs Node.js (18 or later) on the `PATH`: install it \
             (Debian: `apt-get install -y nodejs npm`), then run `npm ci --prefix tests/tools`"
                .to_owned(),
        );
    }
    for package in [
        "@cucumber/messages",
        "@cucumber/html-formatter",
        "ajv",
        "puppeteer-core",
    ] {
        if !tools.join("node_modules").join(package).is_dir() {
            return Err(format!(
                "the messages and app tests need the npm package `{package}`: run \
                 `npm ci --prefix tests/tools` (as `.ci/run` does)"
            ));
        }
    }
    Ok(tools)
}

/// What the browser tests lack, one line each with how to install it;
/// empty when Chromium, Node.js and the Cucumber tools are all there.
pub fn missing_tools() -> Vec<String> {
    [find_chromium(), find_cucumber_tools()]
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// Ends the whole test run at once, before any prototype is built, when
/// [`missing_tools`] names something: a full `cargo test` cannot pass
/// without it, and the failure would otherwise be told only after every
/// other test ran (some twenty minutes on two cores). The message goes
/// past the test harness's output capture, straight to stderr.
pub fn stop_without_tools() {
    let missing = missing_tools();
    if missing.is_empty() {
        return;
    }
    let lines: Vec<String> = missing.iter().map(|line| format!("  - {line}")).collect();
    let text = format!(
        "\nerror: the tests cannot all pass on this machine:\n{}\n  {SKIP_HINT}\n",
        lines.join("\n")
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
    std::process::exit(101);
}

/// The browser, or a failure saying how to install it: a browser test
/// never passes without having looked at the page.
pub fn chromium() -> PathBuf {
    find_chromium().unwrap_or_else(|hint| panic!("{hint}"))
}

/// The Cucumber tools' folder, or a failure saying how to install them:
/// the messages test never passes without them having read the stream.
pub fn cucumber_tools() -> PathBuf {
    find_cucumber_tools().unwrap_or_else(|hint| panic!("{hint}"))
}

/// Runs headless Chromium on `page` with the network cut off, `extra` being
/// what to do (`--dump-dom`, `--screenshot=…`); returns stdout and stderr.
pub fn browse(page: &Path, profile: &Path, extra: &[String]) -> (String, String) {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).map(|_| text)
    });
    let status = child
        .wait_timeout(Duration::from_secs(120))
        .expect("wait for chromium");
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromium did not finish within 120 s");
    }
    let stdout = out.join().expect("stdout reader").expect("utf-8 stdout");
    let stderr = err.join().expect("stderr reader").unwrap_or_default();
    assert!(
        status.is_some_and(|s| s.success()),
        "chromium failed: {status:?}\n{stderr}"
    );
    (stdout, stderr)
}

/// The `.feature` files of the cucumber/gherkin conformance data of `kind`
/// (`good` or `bad`, in `tests/data/gherkin`), sorted.
pub fn conformance_files(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gherkin")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the conformance data is in the repository")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "feature"))
        .collect();
    files.sort();
    files
}

/// The bundled examples' features and a report of them in which each
/// intent's result is `result(intent)`, with the code behind each step as
/// `wow::audit` traces it in the bundled prototype and paths relative to
/// the repository: what the report renderers' tests show.
pub fn bundled_report(
    result: impl Fn(&wow::spec::Intent) -> wow::vocabulary::IntentResult,
) -> (wow::spec::Spec, wow::report::Report) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = wow::spec::parse(&[root.join("features")]).expect("the bundled features parse");
    let prototype = wow::prototype::Prototype::new(root.join("generated/features"));
    let files = prototype.read_files().expect("the bundled prototype");
    let traces = wow::audit::trace(&spec, &files, &prototype.layout());
    assert!(
        traces.iter().flatten().any(Option::is_some),
        "the steps lead to their code"
    );
    let results: Vec<_> = spec.intents().map(result).collect();
    let mut report = wow::report::Report::new(
        &spec,
        &wow::report::Sources {
            results: &results,
            traces: &traces,
            prototype: Some(Path::new("generated/features")),
            duration_ms: 23_400,
            ..wow::report::Sources::default()
        },
    );
    let prefix = format!("{}/", root.display());
    for feature in &mut report.features {
        feature.path = feature.path.replace(&prefix, "");
    }
    for intent in &mut report.intents {
        intent.id = intent.id.replace(&prefix, "");
    }
    (spec, report)
}
