//! Cargo stage: build a prototype and run its scenarios.
//!
//! In: a prototype folder and the shared target directory. Out: a
//! [`Build`] (rustc diagnostics from `cargo --message-format=json`, or the
//! test executable) and a [`Run`] (per-intent results parsed from the
//! harness's Cucumber JSON, <https://github.com/cucumber/cucumber-json-schema>).
//! Every child runs in its own process group with a cleared environment (an
//! allowlist: no API key reaches cargo or the prototype) and a wall-clock
//! limit; at the limit the whole group is killed. Captured output is capped.
//! Unless the sandbox is off, every child runs inside a [`sandbox::Policy`]
//! (resource limits, Landlock, seccomp), with a private `HOME` and `TMPDIR`
//! in the prototype's `.wow/`. Dependencies are fetched by a separate
//! `cargo fetch` that reads only the tool-owned manifest and lock file;
//! builds are `--frozen`, without network.

pub mod config;

use std::collections::HashMap;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt as _;

use crate::sandbox::{self, Budget, Policy, Toolchain};
use crate::spec::Spec;
use crate::vocabulary::{IntentResult, Status, StepStatus, millis};

/// Most bytes kept of a child's stdout or stderr; the rest is dropped.
pub const OUTPUT_CAP_BYTES: usize = 4 * 1024 * 1024;

/// Environment variables passed to cargo and the prototype; every other
/// variable, API keys included, is removed.
const ENV_ALLOWLIST: &[&str] = &[
    "PATH",
    "USER",
    "LANG",
    "LC_ALL",
    "RUSTUP_TOOLCHAIN",
    "CARGO_NET_OFFLINE",
];

/// Variables cargo may need to fetch crates the first time (proxies, CA
/// bundles); passed to the build only, never to the prototype's run.
const FETCH_ALLOWLIST: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CARGO_HTTP_CAINFO",
    "CARGO_HTTP_PROXY",
    "CARGO_REGISTRIES_CRATES_IO_PROTOCOL",
];

/// Limits for the build and the run, and whether they are sandboxed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Budget of a build ([`Budget::BUILD`] by default).
    pub build: Budget,
    /// Budget of a run of the scenarios ([`Budget::RUN`] by default).
    pub run: Budget,
    pub sandbox: sandbox::Mode,
}

impl Default for Budget {
    fn default() -> Self {
        Self::RUN
    }
}

/// Result of `cargo test --no-run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Build {
    /// The test executable of `tests/intents.rs`.
    Built {
        executable: PathBuf,
        duration_ms: u64,
    },
    /// rustc rejected the model's code.
    Errors {
        diagnostics: Vec<Diagnostic>,
        duration_ms: u64,
    },
}

/// One rustc error, as rendered by rustc (no colour).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file the error points at, relative to the prototype, if any.
    pub file: Option<String>,
    pub rendered: String,
}

/// Result of running the scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// One result per intent of the spec, in spec order.
    pub results: Vec<IntentResult>,
    pub duration_ms: u64,
    /// The harness's human-readable output (capped, control characters removed).
    pub output: String,
    /// The harness's Cucumber JSON, when it wrote one.
    pub cucumber_json: Option<String>,
}

impl Run {
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.status == Status::Passed)
            .count()
    }
}

/// Why cargo or the prototype could not be run at all (not a model mistake).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to start `{program}`: {source} (is Rust installed? see https://rustup.rs)")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`cargo` failed in `{}` without a compiler error:\n{stderr}", .dir.display())]
    Cargo { dir: PathBuf, stderr: String },
    #[error("the build in `{}` did not finish within {secs} s: raise `--build-timeout`", .dir.display())]
    BuildTimeout { dir: PathBuf, secs: u64 },
    #[error("failed to lock the shared target directory with `{}`: {source}", .path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cargo built `{}` but named no test executable for `intents`", .0.display())]
    NoExecutable(PathBuf),
    #[error(transparent)]
    Config(#[from] config::Error),
    #[error("failed to sandbox `{program}`: {source}")]
    Sandbox {
        program: String,
        #[source]
        source: sandbox::Error,
    },
    #[error("failed to sandbox `{program}`: {message}")]
    Launcher { program: String, message: String },
    #[error("failed to create `{}`: {source}", .path.display())]
    StateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Output of a finished child process.
struct Output {
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
    /// The signal that ended the child, if one did.
    signal: Option<i32>,
    duration: Duration,
}

/// Runs `command` in its own process group with a cleared environment
/// (the allowlist, the `pass` variables, the private home of `dir`, then
/// `extra`), inside `policy` unless it is `None`, killing the group after
/// `timeout`.
fn exec(
    command: Command,
    dir: &Path,
    policy: Option<&Policy>,
    pass: &[&str],
    extra: &[(&str, &str)],
    timeout: Duration,
) -> Result<Output, Error> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut command = match policy {
        Some(policy) => policy.wrap(&command).map_err(|source| Error::Sandbox {
            program: program.clone(),
            source,
        })?,
        None => command,
    };
    let kept: Vec<(String, String)> = ENV_ALLOWLIST
        .iter()
        .chain(pass)
        .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
        .collect();
    command
        .env_clear()
        .envs(kept)
        .envs(private_env(dir)?)
        .envs(extra.iter().copied());
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| Error::Spawn {
        program: program.clone(),
        source,
    })?;
    if let Ok(mut running) = RUNNING.lock() {
        running.push(child.id());
    }
    let stdout = capture(child.stdout.take().expect("stdout is piped"));
    let stderr = capture(child.stderr.take().expect("stderr is piped"));
    let status = child.wait_timeout(timeout).ok().flatten();
    let timed_out = status.is_none();
    if timed_out {
        kill_group(child.id());
    }
    // Also reaps the group leader after a kill; the group is gone by then.
    let status = match status {
        Some(status) => status,
        None => child.wait().map_err(|source| Error::Spawn {
            program: "wait".to_owned(),
            source,
        })?,
    };
    // Children left in the group would keep the pipes open: end them too.
    kill_group(child.id());
    if let Ok(mut running) = RUNNING.lock() {
        running.retain(|pid| *pid != child.id());
    }
    let stderr = stderr.join().unwrap_or_default();
    if policy.is_some()
        && matches!(
            status.code(),
            Some(sandbox::EXIT_SETUP | sandbox::EXIT_EXEC)
        )
        && let Some(message) = stderr.strip_prefix(sandbox::PREFIX)
    {
        if status.code() == Some(sandbox::EXIT_EXEC) {
            return Err(Error::Spawn {
                program,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    message.trim().to_owned(),
                ),
            });
        }
        return Err(Error::Launcher {
            program,
            message: message.trim().to_owned(),
        });
    }
    Ok(Output {
        success: status.success() && !timed_out,
        code: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr,
        timed_out,
        signal: status.signal(),
        duration: started.elapsed(),
    })
}

/// Process groups of the children running now, so that an interrupted
/// `wow` (Ctrl-C in `wow watch`) can end them: they run in groups of their
/// own and do not get the terminal's signal.
static RUNNING: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// Kills every child process group started here that is still running.
pub fn kill_running() {
    let running = RUNNING.lock().map(|mut r| std::mem::take(&mut *r));
    for pid in running.unwrap_or_default() {
        kill_group(pid);
    }
}

/// The private `HOME` and `TMPDIR` of the prototype in `dir` (created), and
/// the real `CARGO_HOME` and `RUSTUP_HOME` so the registry cache and the
/// toolchain are found.
fn private_env(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let state = dir.join(crate::prototype::STATE_DIR);
    let mut env = Vec::new();
    for (key, name) in [("HOME", "home"), ("TMPDIR", "tmp")] {
        let path = state.join(name);
        std::fs::create_dir_all(&path).map_err(|source| Error::StateDir {
            path: path.clone(),
            source,
        })?;
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        env.push((key.to_owned(), path));
    }
    let toolchain = Toolchain::find();
    if let Some(home) = toolchain.cargo_home {
        env.push(("CARGO_HOME".to_owned(), home));
    }
    if let Some(home) = toolchain.rustup_home {
        env.push(("RUSTUP_HOME".to_owned(), home));
    }
    Ok(env)
}

/// The prototype's `.wow/` folder, absolute.
fn state_dir(dir: &Path) -> PathBuf {
    let state = dir.join(crate::prototype::STATE_DIR);
    std::fs::canonicalize(&state).unwrap_or(state)
}

fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // The group may already be gone; nothing to do then.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Reads a pipe to the end on a thread, keeping at most [`OUTPUT_CAP_BYTES`].
fn capture(pipe: impl std::io::Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        let mut pipe = pipe;
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = OUTPUT_CAP_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(&buffer[..n.min(room)]);
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// Removes terminal control characters (escape sequences included) from
/// untrusted output before it is printed or sent to a model.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip a CSI sequence: ESC [ params final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&n) = chars.peek() {
                    chars.next();
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            continue;
        }
        if c == '\n' || c == '\t' || !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// Exclusive use of a shared target directory, held from a build until the
/// run of what it built ends.
///
/// Every prototype is package `prototype`, and cargo derives artifact names
/// from the package id, not its folder: two prototypes built in one target
/// directory write the same test executable. Without this lock a second
/// `wow` could replace the executable between the first one's build and run.
#[derive(Debug)]
pub struct TargetLock(#[expect(dead_code, reason = "held for its lock")] std::fs::File);

/// Waits for exclusive use of `target_dir` (see [`TargetLock`]).
pub fn lock(target_dir: &Path) -> Result<TargetLock, Error> {
    let path = target_dir.join("wow.lock");
    let err = |source| Error::Lock {
        path: path.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    file.lock().map_err(err)?;
    Ok(TargetLock(file))
}

/// Builds the prototype's `intents` test with the shared `target_dir`,
/// offline; when a dependency is missing from cargo's cache, fetches the
/// dependencies of the tool-owned lock file first (the only step with
/// network, and one that runs no generated code). Refuses to build when a
/// cargo configuration would change how the build runs ([`config::check`]).
/// Hold a [`TargetLock`] from before the build until after the run.
pub fn build(dir: &Path, target_dir: &Path, limits: Limits) -> Result<Build, Error> {
    config::check(dir)?;
    let output = match cargo_build(dir, target_dir, limits)? {
        output if needs_fetch(&output) => {
            fetch(dir, target_dir, limits)?;
            cargo_build(dir, target_dir, limits)?
        }
        output => output,
    };
    if output.timed_out {
        return Err(Error::BuildTimeout {
            dir: dir.to_owned(),
            secs: limits.build.timeout_secs,
        });
    }
    let duration_ms = millis(output.duration);
    let mut diagnostics = Vec::new();
    let mut executable = None;
    for line in output.stdout.lines() {
        let Ok(message) = serde_json::from_str::<CargoMessage>(line) else {
            continue;
        };
        match message.reason.as_str() {
            "compiler-message" => {
                let Some(m) = message.message else { continue };
                if m.level == "error" {
                    let file = m
                        .spans
                        .iter()
                        .find(|s| s.is_primary)
                        .map(|s| s.file_name.clone());
                    diagnostics.push(Diagnostic {
                        file,
                        rendered: sanitize(m.rendered.as_deref().unwrap_or(&m.message)),
                    });
                }
            }
            "compiler-artifact"
                if message.target.as_ref().is_some_and(|t| t.name == "intents")
                    && message.executable.is_some() =>
            {
                executable = message.executable;
            }
            _ => {}
        }
    }
    if !diagnostics.is_empty() {
        return Ok(Build::Errors {
            diagnostics,
            duration_ms,
        });
    }
    if !output.success {
        return Err(Error::Cargo {
            dir: dir.to_owned(),
            stderr: tail(&sanitize(&output.stderr), 3000),
        });
    }
    executable
        .map(|executable| Build::Built {
            executable,
            duration_ms,
        })
        .ok_or_else(|| Error::NoExecutable(dir.to_owned()))
}

/// `cargo test --no-run --frozen` of the `intents` test.
fn cargo_build(dir: &Path, target_dir: &Path, limits: Limits) -> Result<Output, Error> {
    let mut command = Command::new("cargo");
    command
        .current_dir(dir)
        .args([
            "test",
            "--no-run",
            "--frozen",
            "--test",
            "intents",
            "--message-format=json",
        ])
        .arg("--target-dir")
        .arg(target_dir);
    let policy = (limits.sandbox == sandbox::Mode::On).then(|| {
        Policy::build(
            dir,
            target_dir,
            &state_dir(dir),
            &Toolchain::find(),
            limits.build,
            false,
        )
    });
    exec(
        command,
        dir,
        policy.as_ref(),
        &[],
        &[("CARGO_TERM_COLOR", "never")],
        Duration::from_secs(limits.build.timeout_secs),
    )
}

/// Whether an offline build failed for want of a downloaded dependency.
fn needs_fetch(output: &Output) -> bool {
    // Offline: a crate is not downloaded yet. `--frozen`: the lock lacks an
    // extra crate of `wow.toml`, which the fetch adds.
    !output.success
        && !output.timed_out
        && (output.stderr.contains("offline") || output.stderr.contains("--frozen"))
}

/// `cargo fetch --locked`: downloads the dependencies named in the
/// tool-owned `Cargo.lock`, with network, compiling nothing. With extra
/// crates from `wow.toml`, without `--locked`: cargo adds them to the lock,
/// keeping every version already locked.
fn fetch(dir: &Path, target_dir: &Path, limits: Limits) -> Result<(), Error> {
    let extra = std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|m| m.lines().any(|l| l.trim() == "[dependencies]"));
    let mut command = Command::new("cargo");
    command.current_dir(dir).arg("fetch");
    if !extra {
        command.arg("--locked");
    }
    let policy = (limits.sandbox == sandbox::Mode::On).then(|| {
        Policy::build(
            dir,
            target_dir,
            &state_dir(dir),
            &Toolchain::find(),
            limits.build,
            true,
        )
    });
    let output = exec(
        command,
        dir,
        policy.as_ref(),
        FETCH_ALLOWLIST,
        &[("CARGO_TERM_COLOR", "never")],
        Duration::from_secs(limits.build.timeout_secs),
    )?;
    if output.timed_out {
        return Err(Error::BuildTimeout {
            dir: dir.to_owned(),
            secs: limits.build.timeout_secs,
        });
    }
    if !output.success {
        return Err(Error::Cargo {
            dir: dir.to_owned(),
            stderr: tail(&sanitize(&output.stderr), 3000),
        });
    }
    Ok(())
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    message: Option<RustcMessage>,
    target: Option<CargoTarget>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct RustcMessage {
    level: String,
    message: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<RustcSpan>,
}

#[derive(Deserialize)]
struct RustcSpan {
    file_name: String,
    is_primary: bool,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
}

/// Runs the built scenarios in `dir` and reads the results of every intent.
pub fn run(spec: &Spec, dir: &Path, executable: &Path, limits: Limits) -> Result<Run, Error> {
    let json_path = dir.join(crate::prototype::STATE_DIR).join("cucumber.json");
    // A result file from an earlier run must never pass for this one.
    let _ = std::fs::remove_file(&json_path);
    let mut command = Command::new(executable);
    command.current_dir(dir);
    let dir_text = dir.to_string_lossy().into_owned();
    let policy = (limits.sandbox == sandbox::Mode::On)
        .then(|| Policy::run(dir, executable, &state_dir(dir), limits.run));
    let output = exec(
        command,
        dir,
        policy.as_ref(),
        &[],
        &[
            ("CARGO_MANIFEST_DIR", dir_text.as_str()),
            ("RUST_BACKTRACE", "0"),
            ("NO_COLOR", "1"),
            // Fewer malloc arenas: each reserves 64 MiB of address space,
            // which the memory limit counts.
            ("MALLOC_ARENA_MAX", "2"),
        ],
        Duration::from_secs(limits.run.timeout_secs),
    )?;
    let duration_ms = millis(output.duration);
    let text = sanitize(&output.stdout);
    let json = std::fs::read_to_string(&json_path).ok();
    let results = if let Some(why) = stopped_by_limit(&output, limits.run) {
        spec.intents()
            .map(|i| IntentResult::not_run(i, &why))
            .collect()
    } else if let Some(json) = &json {
        results(spec, json)
    } else {
        let why = format!(
            "the scenarios stopped before reporting (exit code {}): {}",
            output
                .code
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
            tail(&sanitize(&output.stderr), 600).trim()
        );
        spec.intents()
            .map(|i| IntentResult::not_run(i, &why))
            .collect()
    };
    Ok(Run {
        results,
        duration_ms,
        output: tail(&text, 20_000),
        cucumber_json: json,
    })
}

/// The harness's Cucumber JSON with each feature's `uri` set to the path the
/// other reports use ([`crate::spec::Feature::source`]) instead of the path
/// on the machine that ran it.
pub fn relabel(spec: &Spec, json: &str) -> String {
    let Ok(mut features) = serde_json::from_str::<Vec<serde_json::Value>>(json) else {
        return json.to_owned();
    };
    for feature in &mut features {
        let uri = feature["uri"]
            .as_str()
            .unwrap_or_default()
            .replace('\\', "/");
        if let Some(found) = spec
            .features
            .iter()
            .find(|f| uri.ends_with(&format!("features/{}", f.rel)))
        {
            feature["uri"] = crate::spec::display_path(&found.source).into();
        }
    }
    serde_json::to_string_pretty(&features).expect("JSON values serialize")
}

/// Why a run was stopped by one of its limits, in plain words starting with
/// what a product owner looks for ("timed out", "ran out of memory"), or
/// `None` when it ended on its own.
fn stopped_by_limit(output: &Output, budget: Budget) -> Option<String> {
    if output.timed_out {
        return Some(format!(
            "timed out: the scenarios did not finish within {} s (a step may loop or wait forever)",
            budget.timeout_secs
        ));
    }
    let out_of_memory = output.stderr.contains("memory allocation of")
        || output.stderr.contains("out of memory")
        || output.stderr.contains("failed to allocate");
    match output.signal {
        Some(libc::SIGXCPU | libc::SIGKILL) => Some(format!(
            "timed out: the scenarios used more than {} s of CPU time (a step may loop forever)",
            budget.cpu_secs
        )),
        Some(libc::SIGXFSZ) => Some(format!(
            "stopped: a step wrote a file larger than {} MiB",
            budget.file_size_mb
        )),
        Some(libc::SIGABRT | libc::SIGSEGV) if out_of_memory => Some(format!(
            "ran out of memory: the scenarios needed more than {} MiB (a step may allocate without bound)",
            budget.memory_mb
        )),
        _ if out_of_memory && !output.success => Some(format!(
            "ran out of memory: the scenarios needed more than {} MiB (a step may allocate without bound)",
            budget.memory_mb
        )),
        _ => None,
    }
}

/// The last `max` bytes of `text` (at a char boundary), marked when cut.
pub fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[… {start} bytes cut …]\n{}", &text[start..])
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
    let features: Vec<JsonFeature> = serde_json::from_str(json).unwrap_or_default();
    let mut steps: HashMap<(String, usize), Vec<&JsonStep>> = HashMap::new();
    for feature in &features {
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
                return IntentResult::not_run(
                    intent,
                    "this scenario has no steps: add its Given, When and Then steps",
                );
            }
            let Some(found) = steps.get(&(intent.file.clone(), intent.cucumber_line)) else {
                return IntentResult::not_run(intent, "cucumber did not run this scenario");
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
