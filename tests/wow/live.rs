//! `wow watch` and `wow serve` end to end against the fake model server:
//! a saved feature file triggers an edit round from the current prototype,
//! the scoreboard tells what changed, Ctrl-C leaves the prototype on disk,
//! and the dashboard answers on 127.0.0.1 and pushes an update when a run
//! finishes. Replies are hand-written for these tests.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::models::{LIB_RIGHT, PARKING, STEPS, reply};
use crate::support::{fake_server, openai_json, prompts, shared_target_dir};

/// A `wow` child whose stdout lines arrive on a channel.
struct Live {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Live {
    fn start(dir: &std::path::Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wow"))
            .current_dir(dir)
            .args(args)
            .env("WOW_TARGET_DIR", shared_target_dir())
            .env("CARGO_INCREMENTAL", "0")
            .env_remove("WOW_MODEL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wow");
        // Both streams on one channel: results on stdout, progress on stderr.
        let (sender, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let to_stderr = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if to_stderr.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a stdout line containing `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                self.seen.push(line.clone());
                if line.contains(text) {
                    return line;
                }
            }
        }
        panic!(
            "`{text}` never came; stdout so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// The stdout lines printed within `quiet` from now.
    fn lines_within(&mut self, quiet: Duration) -> Vec<String> {
        let deadline = Instant::now() + quiet;
        let mut lines = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if let Ok(line) = self.lines.recv_timeout(left) {
                self.seen.push(line.clone());
                lines.push(line);
            }
        }
        lines
    }

    /// Ctrl-C, then the exit code.
    fn interrupt(mut self) -> Option<i32> {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("signal");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        None
    }
}

const NEW_SCENARIO: &str = "
  Scenario: Two hours and a minute cost two hours
    Given a car parked for 121 minutes
    Then the fee is 4 euros
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_runs_an_edit_round_when_a_scenario_is_added() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("features")).expect("folder");
    std::fs::write(dir.path().join("features/parking.feature"), PARKING).expect("write");
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
        ],
    )
    .await;
    let base = format!("{}/v1", server.uri());
    let path = dir.path().to_owned();
    let (mut live, first) = tokio::task::spawn_blocking(move || {
        let mut live = Live::start(
            &path,
            &[
                "watch",
                "--no-app",
                "--model",
                "vllm/test",
                "--base-url",
                &base,
            ],
        );
        let first = live.wait_for("intents pass");
        (live, first)
    })
    .await
    .expect("first run");
    assert!(first.contains("3 of 3 intents pass"), "{first}");

    let mut text = PARKING.to_owned();
    text.push_str(NEW_SCENARIO);
    std::fs::write(dir.path().join("features/parking.feature"), text).expect("save the feature");
    let (live, since) = tokio::task::spawn_blocking(move || {
        // During a meeting the terminal says what changed first, then the totals.
        let since = live.wait_for("since the last run");
        let summary = live.wait_for("4 of 4 intents pass");
        assert!(
            summary.contains("round 2"),
            "round numbers go on: {summary}"
        );
        (live, since)
    })
    .await
    .expect("second run");
    assert!(
        since.contains("+ new: Two hours and a minute cost two hours"),
        "{since}"
    );

    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 2, "one generation, one edit round");
    assert!(
        sent[1].contains("+ new: scenario \"Two hours and a minute cost two hours\""),
        "{}",
        sent[1]
    );
    assert!(
        sent[1].contains("## Current files"),
        "the edit starts from the current prototype"
    );
    assert!(sent[1].contains("started hour"), "with the current code");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("generated/features/.wow/last-run.json"))
            .expect("report"),
    )
    .expect("json");
    assert_eq!(report["rounds"][0]["kind"], "edit");

    let code = tokio::task::spawn_blocking(move || live.interrupt())
        .await
        .expect("stop");
    assert_eq!(code, Some(130), "Ctrl-C ends the watch");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("generated/features/src/lib.rs")).expect("kept"),
        LIB_RIGHT,
        "the last good prototype is on disk"
    );
}

/// Reads an HTTP response from 127.0.0.1:`port` until `until` appears.
fn http(port: u16, path: &str, until: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..n]);
        if String::from_utf8_lossy(&received).contains(until) {
            break;
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_loopback_and_pushes_each_finished_run() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("features")).expect("folder");
    std::fs::write(dir.path().join("features/parking.feature"), PARKING).expect("write");
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(&reply(LIB_RIGHT, STEPS), "stop"),
            openai_json(&crate::models::page(false), "stop"),
        ],
    )
    .await;
    let base = format!("{}/v1", server.uri());
    let path = dir.path().to_owned();
    let (live, events, page, json, app) = tokio::task::spawn_blocking(move || {
        let mut live = Live::start(
            &path,
            &[
                "serve",
                "--port",
                "0",
                "--model",
                "vllm/test",
                "--base-url",
                &base,
            ],
        );
        let announced = live.wait_for("the live report is at http://127.0.0.1:");
        let port: u16 = announced
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .expect("a port in the URL");
        // Subscribed before the first run ends (it builds a prototype first).
        let events = http(port, "/events", "event: report");
        let json = http(port, "/report.json", "\"summary\"");
        // The app comes after the scoreboard: the dashboard shows it once
        // it is made, through the dashboard's own server.
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        let mut shown = http(port, "/", "</html>");
        while !shown.contains("<iframe") && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            shown = http(port, "/", "</html>");
        }
        let app = http(port, "/app/", "</html>");
        (live, events, shown, json, app)
    })
    .await
    .expect("serve");
    assert!(events.contains("text/event-stream"), "{events}");
    assert!(
        events.contains("event: progress"),
        "progress is pushed while the round runs: {events}"
    );
    assert!(events.contains("event: report"), "{events}");
    assert!(
        page.contains("The first hour is free"),
        "the report of the run: {page}"
    );
    assert!(
        page.contains("new EventSource(\"/events\")"),
        "the page follows the events"
    );
    assert!(json.contains("\"passed\": 3"), "{json}");
    assert!(
        page.contains("<iframe src=\"/app/\" sandbox=\"allow-forms\""),
        "the dashboard shows the app: {page}"
    );
    assert!(page.contains("round 1's prototype"), "{page}");
    assert!(
        app.contains("<p id=\"fee\">0</p>"),
        "the app answers: {app}"
    );
    assert!(
        app.to_ascii_lowercase()
            .contains("content-security-policy: sandbox allow-forms;"),
        "{app}"
    );
    tokio::task::spawn_blocking(move || live.interrupt())
        .await
        .expect("stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_on_the_bundled_example_updates_it_for_an_edited_scenario() {
    let wow = crate::examples::bundled();
    let dir = wow.dir.path().to_owned();
    // Hand-written edit reply: the banking module as it is (the edited
    // scenario already holds with the current prototype).
    let banking = wow.read("generated/features/src/banking.rs");
    let edit = format!(
        "Hand-written test reply: nothing to change.\n\n### src/banking.rs\n```rust\n{banking}```\n"
    );
    let server = fake_server("/v1/chat/completions", vec![openai_json(&edit, "stop")]).await;
    let base = format!("{}/v1", server.uri());
    let path = dir.clone();
    let mut live = tokio::task::spawn_blocking(move || {
        let mut live = Live::start(
            &path,
            &["watch", "--model", "vllm/test", "--base-url", &base],
        );
        // The prototype matches the features: checked without the model.
        live.wait_for("23 of 23 intents pass");
        // Reading the features, as every pass does, is not a save: the
        // watch stays idle until one is written.
        let idle = live.lines_within(Duration::from_secs(3));
        let passes = idle
            .iter()
            .filter(|l| l.contains("watching the feature files"))
            .count();
        assert!(passes <= 1, "passes without a save: {idle:?}");
        assert!(!idle.iter().any(|l| l.contains("intents pass")), "{idle:?}");
        live
    })
    .await
    .expect("first run");
    assert!(
        prompts(&server).await.is_empty(),
        "no model call for an unchanged prototype"
    );

    let feature = dir.join("features/banking.feature");
    let text = std::fs::read_to_string(&feature).expect("feature");
    let edited = text
        .replace(
            "When Alice withdraws 30 euros",
            "When Alice withdraws 40 euros",
        )
        .replace(
            "Then she receives 30 euros in cash",
            "Then she receives 40 euros in cash",
        )
        .replace("And her balance is 70 euros", "And her balance is 60 euros");
    assert_ne!(text, edited);
    std::fs::write(&feature, edited).expect("save the feature");
    let (live, since) = tokio::task::spawn_blocking(move || {
        let since = live.wait_for("since the last run");
        live.wait_for("23 of 23 intents pass");
        (live, since)
    })
    .await
    .expect("edit round");
    assert!(
        since.contains("~ changed: Withdrawing part of the balance"),
        "{since}"
    );
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 1, "one edit round");
    assert!(
        sent[0].contains("~ changed: scenario \"Withdrawing part of the balance\""),
        "{}",
        sent[0]
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("generated/features/.wow/last-run.json"))
            .expect("report"),
    )
    .expect("json");
    assert_eq!(report["rounds"][0]["kind"], "edit");
    tokio::task::spawn_blocking(move || live.interrupt())
        .await
        .expect("stop");
}
