//! Hostile replies: what a careless or manipulated model could send, served
//! by a fake model server on 127.0.0.1, and what `wow` makes of each. Every
//! reply here was written by hand for these tests; none comes from a model.
//!
//! Three groups, to keep builds few (each build of a new prototype costs
//! seconds on two cores):
//! - replies whose files the file policy refuses (nothing is built);
//! - one prototype whose scenarios each try one attack at run time (read
//!   `~/.ssh/id_rsa`, an API key, the parent's `/proc/<pid>/environ`,
//!   another process's command line, its own memory, open a TCP or Unix
//!   connection, write into HOME or outside, start processes, rewrite the
//!   prototype, plant a symbolic link, a toolchain file or a cargo
//!   configuration where the hollow copy is built, delete the history,
//!   forge the results), and that
//!   same prototype re-run with `wow test` on one scenario at a time for
//!   the attacks that end the whole run (memory, CPU, wall time, output,
//!   file size);
//! - replies that read outside the prototype at compile time
//!   (`include_str!`, `#[path]`) or use `unsafe` code;
//! - a reply whose honesty check cannot run: its passes stay unverified.
//!
//! After every run, [`Trap::assert_contained`] checks what a user would
//! care about: no canary anywhere (stdout, stderr, reports, files under
//! the test's folders, prompts sent to the model), no connection on the
//! test's listeners, no file created outside, the user's files intact.

use std::fmt::Write as _;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use wiremock::MockServer;

use crate::support::{Output, Wow, fake_server, openai_stream, prompts};

const SSH_CANARY: &str = "CANARY-SSH-7f3a9c";
const KEY_CANARY: &str = "sk-CANARY-KEY-41d2e8";
const ARG_CANARY: &str = "CANARY-ARGUMENT-93be10";

/// The traps a test sets: a fake HOME holding a canary SSH key, a folder
/// outside the prototype, a TCP and a Unix listener nobody may reach, and
/// another process with a canary among its arguments.
struct Trap {
    home: tempfile::TempDir,
    outside: tempfile::TempDir,
    tcp: TcpListener,
    unix: UnixListener,
    secret: std::process::Child,
}

impl Drop for Trap {
    fn drop(&mut self) {
        let _ = self.secret.kill();
        let _ = self.secret.wait();
    }
}

impl Trap {
    fn new() -> Self {
        let home = tempfile::tempdir().expect("fake home");
        std::fs::create_dir_all(home.path().join(".ssh")).expect("folder");
        std::fs::write(home.path().join(".ssh/id_rsa"), SSH_CANARY).expect("canary");
        let outside = tempfile::tempdir().expect("outside folder");
        let tcp = TcpListener::bind("127.0.0.1:0").expect("listener");
        tcp.set_nonblocking(true).expect("non-blocking");
        let unix = UnixListener::bind(outside.path().join("trap.sock")).expect("listener");
        unix.set_nonblocking(true).expect("non-blocking");
        // `cat - SECRET` waits on its stdin, which stays open until the
        // trap is dropped; the secret stays in its command line.
        let secret = std::process::Command::new("cat")
            .args(["-", ARG_CANARY])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("a process with a secret argument");
        Self {
            home,
            outside,
            tcp,
            unix,
            secret,
        }
    }

    /// Text with `{HOME}`, `{OUTSIDE}`, `{PORT}` and `{UNIX}` filled in.
    fn fill(&self, text: &str) -> String {
        text.replace("{HOME}", &self.home.path().display().to_string())
            .replace("{OUTSIDE}", &self.outside.path().display().to_string())
            .replace(
                "{PORT}",
                &self.tcp.local_addr().expect("address").port().to_string(),
            )
            .replace(
                "{UNIX}",
                &self.outside.path().join("trap.sock").display().to_string(),
            )
            .replace("{PID}", &self.secret.id().to_string())
            .replace("{FORGED}", &forged(ATTACKS))
    }

    /// `wow` with the fake HOME and the canary API key in its environment
    /// (the real toolchain stays reachable).
    fn wow(&self, wow: Wow) -> Wow {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| {
            home.as_ref()
                .expect("HOME")
                .join(".cargo")
                .display()
                .to_string()
        });
        let rustup_home = std::env::var("RUSTUP_HOME").unwrap_or_else(|_| {
            home.as_ref()
                .expect("HOME")
                .join(".rustup")
                .display()
                .to_string()
        });
        wow.env("HOME", &self.home.path().display().to_string())
            .env("CARGO_HOME", &cargo_home)
            .env("RUSTUP_HOME", &rustup_home)
            .env("OPENAI_API_KEY", KEY_CANARY)
    }

    /// Everything a contained run leaves as it was.
    fn assert_contained(&self, wow: &Wow, out: &Output, sent: &[String]) {
        for canary in [SSH_CANARY, KEY_CANARY, ARG_CANARY] {
            assert!(
                !out.stdout.contains(canary),
                "{canary} printed: {}",
                out.all()
            );
            assert!(
                !out.stderr.contains(canary),
                "{canary} printed: {}",
                out.all()
            );
            for prompt in sent {
                assert!(!prompt.contains(canary), "{canary} sent to the model");
            }
            for folder in [wow.dir.path(), self.outside.path()] {
                for entry in walkdir::WalkDir::new(folder).into_iter().flatten() {
                    if entry.file_type().is_file() {
                        let bytes = std::fs::read(entry.path()).unwrap_or_default();
                        assert!(
                            !String::from_utf8_lossy(&bytes).contains(canary),
                            "{canary} found in {}",
                            entry.path().display()
                        );
                    }
                }
            }
        }
        assert_eq!(
            self.tcp.accept().map(|_| ()).map_err(|e| e.kind()),
            Err(ErrorKind::WouldBlock),
            "the TCP listener saw a connection"
        );
        assert_eq!(
            self.unix.accept().map(|_| ()).map_err(|e| e.kind()),
            Err(ErrorKind::WouldBlock),
            "the Unix listener saw a connection"
        );
        let outside: Vec<String> = std::fs::read_dir(self.outside.path())
            .expect("outside folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(outside, ["trap.sock"], "files appeared outside");
        let home: Vec<String> = std::fs::read_dir(self.home.path())
            .expect("home")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(home, [".ssh"], "files appeared in HOME");
        assert_eq!(
            std::fs::read_to_string(self.home.path().join(".ssh/id_rsa")).expect("canary"),
            SSH_CANARY
        );
        if wow.path("features/hostile.feature").exists() {
            assert_eq!(wow.read("features/hostile.feature"), feature(ATTACKS));
        }
    }
}

/// The attacks that a scenario can try without ending the whole run.
const ATTACKS: &[&str] = &[
    "read-ssh-key",
    "read-api-key",
    "read-parent-environ",
    "connect-tcp",
    "connect-unix",
    "write-home",
    "write-outside",
    "spawn",
    "fork-repeatedly",
    "rewrite-manifest",
    "plant-link",
    "plant-toolchain",
    "plant-cargo-config",
    "delete-history",
    "read-other-cmdline",
    "read-own-memory",
    "forge-results",
];

fn feature(attacks: &[&str]) -> String {
    let mut text = "Feature: Hostile steps\n".to_owned();
    for attack in attacks {
        let _ = write!(
            text,
            "\n  Scenario: {attack}\n    Given the attack \"{attack}\"\n"
        );
    }
    text
}

/// Cucumber JSON saying every scenario of `feature(attacks)` passed.
fn forged(attacks: &[&str]) -> String {
    let elements: Vec<String> = (0..attacks.len())
        .map(|i| {
            let line = 3 + 3 * i;
            format!(
                r#"{{"line":{line},"steps":[{{"keyword":"Given ","line":{},"name":"x","result":{{"status":"passed"}}}}]}}"#,
                line + 1
            )
        })
        .collect();
    format!(
        r#"[{{"uri":"features/hostile.feature","elements":[{}]}}]"#,
        elements.join(",")
    )
}

/// Hand-written hostile steps: each attack prints what it got (the loot)
/// and passes when it succeeds, and fails with the error when it is
/// stopped.
const STEPS: &str = r##"use std::io::Write as _;
use std::process::Command;

use cucumber::given;

#[derive(Debug, Default, cucumber::World)]
pub struct World;

#[given(expr = "the attack {string}")]
fn attack(_world: &mut World, name: String) {
    prototype::touch();
    let loot: String = match name.as_str() {
        "read-ssh-key" => std::fs::read_to_string("{HOME}/.ssh/id_rsa").unwrap(),
        "read-api-key" => std::env::var("OPENAI_API_KEY").unwrap(),
        "read-parent-environ" => {
            let ppid = std::os::unix::process::parent_id();
            String::from_utf8_lossy(&std::fs::read(format!("/proc/{ppid}/environ")).unwrap()).into_owned()
        }
        "connect-tcp" => {
            let mut s = std::net::TcpStream::connect("127.0.0.1:{PORT}").unwrap();
            s.write_all(b"hello").unwrap();
            "connected".to_owned()
        }
        "connect-unix" => {
            std::os::unix::net::UnixStream::connect("{UNIX}").unwrap();
            "connected".to_owned()
        }
        "write-home" => {
            std::fs::write("{HOME}/pwned", "x").unwrap();
            "written".to_owned()
        }
        "write-outside" => {
            std::fs::write("{OUTSIDE}/escaped", "x").unwrap();
            "written".to_owned()
        }
        "spawn" => {
            Command::new("/bin/sh").args(["-c", "echo x > {OUTSIDE}/spawned"]).status().unwrap();
            "spawned".to_owned()
        }
        "fork-repeatedly" => {
            let mut started = 0;
            let mut last = None;
            for _ in 0..200 {
                match Command::new("/proc/self/exe").arg("--help").spawn() {
                    Ok(_) => started += 1,
                    Err(e) => last = Some(e),
                }
            }
            assert!(started > 0, "no process started: {}", last.unwrap());
            format!("{started} processes")
        }
        "rewrite-manifest" => {
            std::fs::write("Cargo.toml", "[package]\nname = \"pwned\"\nbuild = \"build.rs\"\n").unwrap();
            "rewritten".to_owned()
        }
        "plant-link" => {
            let _ = std::fs::remove_file(".wow/last-run.json");
            std::os::unix::fs::symlink("{OUTSIDE}/linked", ".wow/last-run.json").unwrap();
            "planted".to_owned()
        }
        "plant-toolchain" => {
            std::fs::create_dir_all(".wow/check").unwrap();
            std::fs::write(".wow/check/rust-toolchain.toml", "[toolchain]\npath = \"{OUTSIDE}\"\n").unwrap();
            "planted".to_owned()
        }
        "plant-cargo-config" => {
            std::fs::create_dir_all(".wow/check/.cargo").unwrap();
            std::fs::write(".wow/check/.cargo/config.toml", "paths = [\"{OUTSIDE}\"]\n").unwrap();
            "planted".to_owned()
        }
        "delete-history" => {
            std::fs::remove_dir_all(".wow/history").unwrap();
            "deleted".to_owned()
        }
        "read-other-cmdline" => {
            String::from_utf8_lossy(&std::fs::read("/proc/{PID}/cmdline").unwrap()).into_owned()
        }
        "read-own-memory" => {
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            let mem = std::fs::File::open("/proc/self/mem").unwrap();
            format!("{} {mem:?}", maps.len())
        }
        "forge-results" => {
            // Every guess at the frame, with results saying all passed.
            let forged = r#"{FORGED}"#;
            for guess in ["", "0", "00000000000000000000000000000000"] {
                println!("wow-results-begin {guess}\n{forged}\nwow-results-end {guess}");
            }
            let _ = std::fs::write(".wow/cucumber.json", forged);
            panic!("forged nothing");
        }
        "allocate" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
            }
        }
        "loop-forever" => loop {
            std::hint::spin_loop();
        },
        "sleep-forever" => {
            std::thread::sleep(std::time::Duration::from_secs(3600));
            "woke".to_owned()
        }
        "print-megabytes" => {
            let line = "x".repeat(1 << 20);
            for _ in 0..64 {
                println!("{line}");
            }
            "printed".to_owned()
        }
        "big-file" => {
            std::fs::write(std::env::temp_dir().join("big"), vec![0u8; 8 << 20]).unwrap();
            "written".to_owned()
        }
        other => panic!("unknown attack {other}"),
    };
    println!("LOOT {loot}");
}
"##;

const LIB: &str = "/// Nothing: the attacks are in the steps.\npub fn touch() {}\n";

/// A reply (hand-written) with the given files, as `(path, content)`.
fn reply(files: &[(&str, &str)]) -> String {
    let mut text = "Hand-written hostile test reply.\n".to_owned();
    for (path, content) in files {
        let _ = write!(text, "\n### {path}\n```rust\n{content}\n```\n");
    }
    text
}

async fn serve(replies: &[String]) -> MockServer {
    fake_server(
        "/v1/chat/completions",
        replies.iter().map(|r| openai_stream(r, "stop")).collect(),
    )
    .await
}

/// `run` against `server`, the JSON report in `report.json`, then `extra`.
fn run_args<'a>(server: &MockServer, extra: &[&'a str]) -> Vec<&'a str> {
    // The URL must outlive the call: leak one short string per run.
    let url: &'static str = Box::leak(format!("{}/v1", server.uri()).into_boxed_str());
    let mut args = vec![
        "run",
        "--model",
        "openai/gpt-test",
        "--base-url",
        url,
        "--json",
        "report.json",
    ];
    args.extend_from_slice(extra);
    args
}

fn intents(report: &Value) -> Vec<(String, String, String)> {
    report["intents"]
        .as_array()
        .expect("intents")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or_default().to_owned(),
                i["status"].as_str().unwrap_or_default().to_owned(),
                i["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Replies the file policy refuses: (label, path in the reply, the file
/// that must not appear, a word of the reason).
fn policy_cases(trap: &Trap) -> Vec<(&'static str, String, PathBuf, &'static str)> {
    vec![
        (
            "path traversal",
            "../escape.rs".to_owned(),
            PathBuf::from("generated/escape.rs"),
            "`..`",
        ),
        (
            "deep traversal",
            "src/../../../escape.rs".to_owned(),
            PathBuf::from("escape.rs"),
            "`..`",
        ),
        (
            "absolute path",
            trap.fill("{OUTSIDE}/abs.rs"),
            trap.outside.path().join("abs.rs"),
            "absolute",
        ),
        (
            "home path",
            "~/.bashrc.rs".to_owned(),
            trap.home.path().join(".bashrc.rs"),
            "absolute",
        ),
        (
            "backslashes",
            "src\\..\\..\\escape.rs".to_owned(),
            PathBuf::from("generated/escape.rs"),
            "backslashes",
        ),
        (
            "build script",
            "build.rs".to_owned(),
            PathBuf::from("generated/features/build.rs"),
            "build scripts",
        ),
        (
            "cargo config",
            ".cargo/config.toml".to_owned(),
            PathBuf::from("generated/features/.cargo/config.toml"),
            "hidden",
        ),
        (
            "toolchain file",
            "rust-toolchain.toml".to_owned(),
            PathBuf::from("generated/features/rust-toolchain.toml"),
            "only `src/**/*.rs`",
        ),
        (
            "drive prefix",
            "C:/escape.rs".to_owned(),
            PathBuf::from("generated/features/C:/escape.rs"),
            "drive",
        ),
        (
            "hidden source file",
            "src/.sneaky.rs".to_owned(),
            PathBuf::from("generated/features/src/.sneaky.rs"),
            "hidden",
        ),
        (
            "git hook",
            ".git/hooks/pre-commit".to_owned(),
            PathBuf::from("generated/features/.git/hooks/pre-commit"),
            "hidden",
        ),
        (
            "data file in the sources",
            "src/payload.sh".to_owned(),
            PathBuf::from("generated/features/src/payload.sh"),
            "only `src/**/*.rs`",
        ),
        (
            "second test target",
            "tests/escape.rs".to_owned(),
            PathBuf::from("generated/features/tests/escape.rs"),
            "only `src/**/*.rs`",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_writing_outside_the_file_policy_are_refused_and_nothing_is_built() {
    let trap = Trap::new();
    let cases = policy_cases(&trap);
    for (label, path, forbidden, word) in &cases {
        let server = serve(&[reply(&[(path, "fn main() { println!(\"pwned\"); }")])]).await;
        let (wow, out) = trap
            .wow(Wow::new().file("features/hostile.feature", &feature(ATTACKS)))
            .args(&run_args(&server, &["--max-repairs", "0"]))
            .run_async()
            .await;
        assert_eq!(out.code, 1, "{label}: {}", out.all());
        let target = if forbidden.is_absolute() {
            forbidden.clone()
        } else {
            wow.path(&forbidden.to_string_lossy())
        };
        assert!(
            !target.exists(),
            "{label}: {} was written",
            target.display()
        );
        let report = wow.report();
        assert_eq!(report["rounds"][0]["outcome"], "no_files", "{label}");
        let reason = report["rounds"][0]["rejected"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(reason.contains(word), "{label}: {reason}");
        assert!(
            !wow.path("generated/features/src/lib.rs").exists(),
            "{label}: nothing is written when no file is usable"
        );
        trap.assert_contained(&wow, &out, &prompts(&server).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_owned_files_in_a_reply_are_refused_and_the_tools_versions_stay() {
    let trap = Trap::new();
    let cargo_toml =
        "[package]\nname = \"pwned\"\nbuild = \"build.rs\"\n[dependencies]\nrand = \"0.8\"\n";
    for (label, path, content, word) in [
        (
            "replaced manifest",
            "Cargo.toml",
            cargo_toml,
            "belongs to the tool",
        ),
        (
            "replaced harness",
            "tests/intents.rs",
            "fn main() {}",
            "harness",
        ),
        (
            "rewritten feature",
            "features/hostile.feature",
            "Feature: x",
            "product owner",
        ),
    ] {
        let server = serve(&[reply(&[
            (path, content),
            ("src/lib.rs", "pub fn touch() {}"),
        ])])
        .await;
        let (wow, out) = trap
            .wow(Wow::new().file("features/hostile.feature", &feature(ATTACKS)))
            .args(&run_args(&server, &["--max-repairs", "0"]))
            .run_async()
            .await;
        assert_eq!(out.code, 1, "{label}: {}", out.all());
        let report = wow.report();
        assert_eq!(report["rounds"][0]["outcome"], "missing_files", "{label}");
        assert!(
            report["rounds"][0]["rejected"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .contains(word),
            "{label}: {report}"
        );
        let manifest = wow.read("generated/features/Cargo.toml");
        assert!(
            manifest.starts_with("# Written by wow"),
            "{label}: {manifest}"
        );
        assert!(!manifest.contains("rand"), "{label}");
        assert!(
            wow.read("generated/features/tests/intents.rs")
                .contains("Written by wow")
        );
        assert_eq!(
            wow.read("generated/features/features/hostile.feature"),
            feature(ATTACKS),
            "{label}"
        );
        trap.assert_contained(&wow, &out, &prompts(&server).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symbolic_link_in_the_prototype_is_never_written_through() {
    let trap = Trap::new();
    let victim = trap.outside.path().join("victim.rs");
    std::fs::write(&victim, "// the user's file\n").expect("victim");
    let wow = trap.wow(Wow::new().file("features/hostile.feature", &feature(ATTACKS)));
    std::fs::create_dir_all(wow.path("generated/features/src")).expect("folder");
    std::os::unix::fs::symlink(&victim, wow.path("generated/features/src/evil.rs")).expect("link");
    let server = serve(&[reply(&[
        ("src/lib.rs", "mod evil;\npub fn touch() {}"),
        ("src/evil.rs", "// overwritten"),
        ("tests/steps.rs", &trap.fill(STEPS)),
    ])])
    .await;
    let (wow, out) = wow.args(&run_args(&server, &[])).run_async().await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("src/evil.rs"), "{}", out.all());
    assert!(out.stderr.contains("symbolic link"), "{}", out.all());
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "// the user's file\n"
    );
    assert!(
        prompts(&server).await.is_empty(),
        "stopped before asking the model"
    );
    assert!(!wow.path("generated/features/src/lib.rs").exists());
    // The link is the only thing the test put outside; it is untouched.
    std::fs::remove_file(&victim).expect("remove");
    trap.assert_contained(&wow, &out, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacks_at_run_time_are_contained() {
    let trap = Trap::new();
    let server = serve(&[reply(&[
        ("src/lib.rs", LIB),
        ("tests/steps.rs", &trap.fill(STEPS)),
    ])])
    .await;
    let started = Instant::now();
    let (wow, out) = trap
        .wow(Wow::new().file("features/hostile.feature", &feature(ATTACKS)))
        .args(&run_args(&server, &["--max-repairs", "0"]))
        .run_async()
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(400),
        "a build and a run"
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        !out.stdout.contains("LOOT"),
        "an attack got through: {}",
        out.all()
    );
    let report = wow.report();
    let expected: &[(&str, &str)] = &[
        ("read-ssh-key", "Permission denied"),
        ("read-api-key", "NotPresent"),
        ("read-parent-environ", "Permission denied"),
        ("connect-tcp", "Operation not permitted"),
        ("connect-unix", "Operation not permitted"),
        ("write-home", "Permission denied"),
        ("write-outside", "Permission denied"),
        ("spawn", "Operation not permitted"),
        ("fork-repeatedly", "no process started"),
        ("rewrite-manifest", "Permission denied"),
        ("plant-link", "Permission denied"),
        ("plant-toolchain", "Permission denied"),
        ("plant-cargo-config", "Permission denied"),
        ("delete-history", "Permission denied"),
        ("read-other-cmdline", "Permission denied"),
        ("read-own-memory", "Permission denied"),
        ("forge-results", "forged nothing"),
    ];
    let got = intents(&report);
    assert_eq!(got.len(), expected.len(), "{report}");
    for ((name, status, message), (attack, word)) in got.iter().zip(expected) {
        assert_eq!(name, attack);
        assert_eq!(status, "failed", "{attack} was not stopped: {message}");
        assert!(message.contains(word), "{attack}: {message}");
    }
    let manifest = wow.read("generated/features/Cargo.toml");
    assert!(manifest.starts_with("# Written by wow"), "{manifest}");
    trap.assert_contained(&wow, &out, &prompts(&server).await);
    run_killers(&trap, wow);
}

/// Replaces the prototype's feature copy and its spec lock, as `wow run`
/// would, so that `wow test` runs the new scenarios.
fn relock(wow: &Wow, text: &str) {
    std::fs::write(
        wow.path("generated/features/features/hostile.feature"),
        text,
    )
    .expect("feature");
    let lock = serde_json::json!({ "hostile.feature": wow::spec::sha256(text) });
    std::fs::write(
        wow.path("generated/features/.wow/features.json"),
        lock.to_string(),
    )
    .expect("spec lock");
}

/// The attacks that end the whole run, one at a time on the prototype of
/// `wow` (no rebuild: only the feature changes).
fn run_killers(trap: &Trap, wow: Wow) {
    let cases: &[(&str, &[&str], &str, u64)] = &[
        (
            "allocate",
            &["--run-memory", "256"],
            "ran out of memory",
            60,
        ),
        ("loop-forever", &["--run-cpu", "2"], "timed out", 60),
        ("sleep-forever", &["--run-timeout", "3"], "timed out", 60),
        (
            "big-file",
            &["--run-file-size", "1"],
            "larger than 1 MiB",
            60,
        ),
    ];
    let mut wow = wow;
    for (attack, flags, words, limit_secs) in cases {
        relock(&wow, &feature(&[attack]));
        let mut args = vec!["test", "generated/features", "--json", "report.json"];
        args.extend_from_slice(flags);
        wow = wow.only_args(&args);
        let started = Instant::now();
        let out = wow.run();
        assert!(
            started.elapsed() < Duration::from_secs(*limit_secs),
            "{attack} was not stopped in time"
        );
        assert_eq!(out.code, 1, "{attack}: {}", out.all());
        let got = intents(&wow.report());
        assert_eq!(got[0].1, "not_run", "{attack}: {got:?}");
        assert!(got[0].2.contains(words), "{attack}: {got:?}");
        assert!(out.stdout.contains(words), "{attack}: {}", out.all());
        trap.assert_contained(&wow, &out, &[]);
    }

    relock(&wow, &feature(&["print-megabytes"]));
    let wow = wow.only_args(&["test", "generated/features", "--json", "report.json"]);
    let out = wow.run();
    // The scenario passes, but the honesty check, which runs it many
    // times, cannot read all its results through the flood: unverified.
    assert_eq!(out.code, 1, "64 MiB printed: {}", out.all());
    let got = intents(&wow.report());
    assert_eq!(got[0].1, "unverified", "{got:?}");
    assert!(got[0].2.contains("printed more than 4 MiB"), "{got:?}");
    assert!(
        out.stdout.len() + out.stderr.len() < 1 << 20,
        "the output shown is capped, not {} bytes",
        out.stdout.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_outside_at_compile_time_fails_the_build_without_the_content() {
    let trap = Trap::new();
    let include = trap.fill(
        "pub fn touch() {}\npub const SECRET: &str = include_str!(\"{HOME}/.ssh/id_rsa\");\n",
    );
    let path_mod = trap.fill("#[path = \"{HOME}/.ssh/id_rsa\"]\nmod secret;\npub fn touch() {}\n");
    // Unsafe code could read the results' frame value from memory, and an
    // exported symbol could run before the harness: the manifest forbids both.
    let unsafe_lib = "pub fn touch() {}\n\n#[unsafe(no_mangle)]\npub extern \"C\" fn wow_hook() {}\n\npub fn peek(x: &u8) -> u8 {\n    unsafe { std::ptr::read_volatile(x) }\n}\n";
    let steps = trap.fill(STEPS);
    let server = serve(&[
        reply(&[("src/lib.rs", &include), ("tests/steps.rs", &steps)]),
        reply(&[("src/lib.rs", &path_mod), ("tests/steps.rs", &steps)]),
        reply(&[("src/lib.rs", unsafe_lib), ("tests/steps.rs", &steps)]),
    ])
    .await;
    let (wow, out) = trap
        .wow(Wow::new().file("features/hostile.feature", &feature(ATTACKS)))
        .args(&run_args(&server, &["--max-repairs", "2"]))
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let report = wow.report();
    assert_eq!(report["rounds"][0]["outcome"], "compile_error", "{report}");
    assert_eq!(report["rounds"][1]["outcome"], "compile_error", "{report}");
    assert_eq!(report["rounds"][2]["outcome"], "compile_error", "{report}");
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 3);
    assert!(
        wow.read("generated/features/Cargo.toml")
            .contains("unsafe_code = \"forbid\""),
        "the tool-owned manifest forbids unsafe code"
    );
    assert!(
        sent[1].contains("Permission denied"),
        "the model is told the read was refused:\n{}",
        sent[1]
    );
    trap.assert_contained(&wow, &out, &sent);
}

const DOUBLING: &str = "Feature: Doubling\n\n  Scenario: Double two\n    Given the number 2\n    When it is doubled\n    Then the result is 4\n\n  Scenario: Double five\n    Given the number 5\n    When it is doubled\n    Then the result is 10\n";

const DOUBLING_STEPS: &str = r#"use cucumber::{given, then, when};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    n: i64,
    result: i64,
}

#[given(expr = "the number {int}")]
fn number(world: &mut World, n: i64) {
    world.n = n;
}

#[when("it is doubled")]
fn doubled(world: &mut World) {
    world.result = prototype::double(world.n);
}

#[then(expr = "the result is {int}")]
fn result(world: &mut World, expected: i64) {
    assert_eq!(world.result, expected);
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_honesty_check_that_cannot_run_leaves_the_passes_unverified() {
    // The scenarios pass, but the steps end the process once they have
    // checked more results than the scenarios have: the check, which runs
    // each scenario and its twins, stops before it finishes.
    let lib = "/// Twice `n`.\npub fn double(n: i64) -> i64 {\n    n * 2\n}\n";
    let steps = DOUBLING_STEPS.replace(
        "    assert_eq!(world.result, expected);\n",
        "    static CHECKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);\n    if CHECKED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2 {\n        std::process::exit(0);\n    }\n    assert_eq!(world.result, expected);\n",
    );
    let trap = Trap::new();
    let server = serve(&[reply(&[
        ("src/lib.rs", lib),
        ("tests/steps.rs", steps.as_str()),
    ])])
    .await;
    let (wow, out) = trap
        .wow(Wow::new().file("features/doubling.feature", DOUBLING))
        .args(&run_args(&server, &["--max-repairs", "0"]))
        .run_async()
        .await;
    assert_ne!(out.code, 0, "not every intent is verified: {}", out.all());
    let got = intents(&wow.report());
    assert_eq!(got.len(), 2, "{got:?}");
    for (name, status, message) in &got {
        assert_eq!(status, "unverified", "{name}: {message}");
        assert!(
            message.contains("the check stopped before it finished"),
            "{name}: {message}"
        );
    }
    assert!(!out.stdout.contains("2 of 2 intents pass"), "{}", out.all());
    trap.assert_contained(&wow, &out, &prompts(&server).await);
}
