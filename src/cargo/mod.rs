//! Cargo stage: build a prototype and run its scenarios.
//!
//! In: a prototype folder written by wow and the shared target directory.
//! Out: a [`Build`] (rustc diagnostics from `cargo --message-format=json`,
//! or the test executable) and a [`Run`] (one result per intent, from the
//! results the tool-owned harness frames on stdout, see [`results`]).
//! Every child runs through [`crate::process`] (own process group, capped
//! output, wall-clock limit) with a cleared environment (an allowlist: no
//! API key reaches cargo or the prototype) and the toolchain pinned with
//! `RUSTUP_TOOLCHAIN`. Unless the sandbox is off, every child runs inside a
//! [`sandbox::Policy`]. Builds and runs get a fresh scratch `HOME` and
//! `TMPDIR` that is deleted afterwards, and never write the prototype or
//! its `.wow/` state. Dependencies are fetched by a separate `cargo fetch`,
//! decided from the lock file and the registry cache, in a folder holding
//! only the tool-owned manifest and lock; builds are `--frozen`. Must not:
//! trust a file or a line a child could have written, other than the
//! framed results and cargo's own messages.

pub mod config;
mod fetch;
pub mod results;

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::process::{self, Children, Output};
use crate::sandbox::{self, Budget, Policy, Toolchain};
use crate::spec::Spec;
use crate::vocabulary::{IntentResult, millis};

/// Environment variables passed to cargo and the prototype; every other
/// variable, API keys included, is removed.
const ENV_ALLOWLIST: &[&str] = &[
    "PATH",
    "USER",
    "LANG",
    "LC_ALL",
    "CARGO_NET_OFFLINE",
    // Whether cargo keeps incremental caches (`0` turns them off, as the
    // test suite does to save disk).
    "CARGO_INCREMENTAL",
];

/// Variables cargo may need to fetch crates the first time (proxies, CA
/// bundles); passed to the fetch only, never to a build or a run.
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

/// Files cargo or rustup read in the folder a build runs in besides the
/// manifest: none of them may be there unless wow wrote them (it writes none).
const FOREIGN: &[&str] = &["rust-toolchain", "rust-toolchain.toml", ".cargo"];

/// The variable that asks the harness for framed results.
const FRAMED: &str = "WOW_RESULTS";

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
    /// The harness's human-readable output (capped, control characters
    /// removed, the framed results taken out).
    pub output: String,
    /// The framed Cucumber JSON, one array per `World` (empty when the
    /// harness reported none).
    pub json: String,
    /// The step definitions the harness's `World`s ran with, as it
    /// reported them ([`results::steps_at`]); `None` when it did not.
    pub steps: Option<Vec<results::StepAt>>,
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
    #[error("failed to prepare `{}` for a build or a run: {source}", .path.display())]
    Scratch {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not a file wow wrote, and cargo would read it (a toolchain or configuration of its own): remove it", .0.display())]
    Foreign(PathBuf),
    #[error("failed to wait for `{program}`: {source}")]
    Wait {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

impl From<process::Error> for Error {
    fn from(error: process::Error) -> Self {
        match error {
            process::Error::Spawn { program, source } => Self::Spawn { program, source },
            process::Error::Wait { program, source } => Self::Wait { program, source },
        }
    }
}

/// The children of [`build`] and [`run`], so that [`kill_running`] can end
/// them; kept until every caller owns its [`Children`] and calls
/// [`build_with`] and [`run_with`].
static RUNNING: LazyLock<Children> = LazyLock::new(Children::new);

/// Kills every child of [`build`] and [`run`] that is still running.
pub fn kill_running() {
    RUNNING.kill_all();
}

/// A fresh, private scratch folder (`home/` and `tmp/` inside), deleted
/// when dropped.
struct Scratch(tempfile::TempDir);

impl Scratch {
    /// A scratch folder in `parent`, or in the system's temporary folder.
    fn new(parent: Option<&Path>) -> Result<Self, Error> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".wow-scratch-");
        let made = match parent {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        };
        let dir = made.map_err(|source| Error::Scratch {
            path: parent.map_or_else(std::env::temp_dir, Path::to_path_buf),
            source,
        })?;
        for name in ["home", "tmp"] {
            let path = dir.path().join(name);
            std::fs::create_dir(&path).map_err(|source| Error::Scratch { path, source })?;
        }
        Ok(Self(dir))
    }

    /// The folder, absolute with links resolved (Landlock rules and the
    /// child's `HOME` name the same place).
    fn path(&self) -> PathBuf {
        std::fs::canonicalize(self.0.path()).unwrap_or_else(|_| self.0.path().to_owned())
    }
}

/// The toolchain every cargo and rustc call uses: `RUSTUP_TOOLCHAIN` of
/// wow's own environment, else the one rustup picks for wow's folder,
/// found once. A toolchain file in a build folder can then never choose
/// another program to run as `cargo` or `rustc`. `None` without rustup.
pub fn pinned_toolchain() -> Option<&'static str> {
    static PINNED: OnceLock<Option<String>> = OnceLock::new();
    PINNED
        .get_or_init(|| {
            if let Ok(name) = std::env::var("RUSTUP_TOOLCHAIN")
                && !name.is_empty()
            {
                return Some(name);
            }
            let mut command = Command::new("rustc");
            command.args(["--print", "sysroot"]).env_clear();
            for key in ["PATH", "HOME", "RUSTUP_HOME", "CARGO_HOME"] {
                if let Some(value) = std::env::var_os(key) {
                    command.env(key, value);
                }
            }
            let output = command.stderr(std::process::Stdio::null()).output().ok()?;
            let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            let is_rustup = sysroot
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "toolchains");
            is_rustup
                .then(|| {
                    sysroot
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
                .flatten()
        })
        .as_deref()
}

/// Runs `command` (see [`process::run_observed`]) with a cleared
/// environment (the allowlist, the `pass` variables, the scratch `HOME` and
/// `TMPDIR`, the toolchain, then `extra`), inside `policy` unless it is
/// `None`, telling `lines` each line of its stdout.
#[expect(
    clippy::too_many_arguments,
    reason = "one child's whole setup: program, scratch, policy, environment, input, limit, registry, observer"
)]
fn exec(
    command: Command,
    scratch: &Path,
    policy: Option<&Policy>,
    pass: &[&str],
    extra: &[(&str, &str)],
    stdin: Option<&[u8]>,
    timeout: Duration,
    children: &Children,
    lines: Option<process::Lines>,
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
    let toolchain = Toolchain::find();
    command
        .env_clear()
        .envs(kept)
        .env("HOME", scratch.join("home"))
        .env("TMPDIR", scratch.join("tmp"));
    if let Some(home) = toolchain.cargo_home {
        command.env("CARGO_HOME", home);
    }
    if let Some(home) = toolchain.rustup_home {
        command.env("RUSTUP_HOME", home);
    }
    if let Some(name) = pinned_toolchain() {
        command.env("RUSTUP_TOOLCHAIN", name);
    }
    command.envs(extra.iter().copied());
    let output = process::run_observed(command, stdin, timeout, children, lines)?;
    if policy.is_some()
        && matches!(output.code, Some(sandbox::EXIT_SETUP | sandbox::EXIT_EXEC))
        && let Some(message) = output.stderr.strip_prefix(sandbox::PREFIX)
    {
        if output.code == Some(sandbox::EXIT_EXEC) {
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
    Ok(output)
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

/// How far a build has come, for the progress line: units cargo compiled
/// or found fresh (libraries, proc-macros and test executables, not build
/// scripts), at most `total`, the packages of the folder's lock file (about
/// the units a build of the prototype makes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compiled {
    pub done: usize,
    pub total: usize,
}

/// Told how far a build has come, from the thread reading cargo's output.
pub type Counter = std::sync::Arc<dyn Fn(Compiled) + Send + Sync>;

/// Builds the prototype's `intents` test in `dir` with the shared
/// `target_dir`, offline. When the lock file names a crate missing from
/// cargo's registry cache, or lacks an extra crate of the manifest, fetches
/// first ([`fetch`], the only step with network, and one that runs no
/// generated code). Refuses to build when a cargo configuration would
/// change how the build runs ([`config::check`]) or when `dir` holds a
/// toolchain file or a `.cargo/` folder. Hold a [`TargetLock`] from before
/// the build until after the run.
pub fn build(dir: &Path, target_dir: &Path, limits: Limits) -> Result<Build, Error> {
    build_with(dir, target_dir, limits, &RUNNING, None)
}

/// [`build`], telling `counter` how far it has come. Only counts come from
/// cargo's output here, never text: what a proc-macro prints may pass for
/// a line of cargo's, and can at most move the count.
pub fn build_counted(
    dir: &Path,
    target_dir: &Path,
    limits: Limits,
    counter: Counter,
) -> Result<Build, Error> {
    build_with(dir, target_dir, limits, &RUNNING, Some(counter))
}

/// [`build`], its children registered in `children` (which the caller can
/// end with [`Children::kill_all`]) instead of the registry of
/// [`kill_running`], telling `counter`, if any, how far it has come.
pub fn build_with(
    dir: &Path,
    target_dir: &Path,
    limits: Limits,
    children: &Children,
    counter: Option<Counter>,
) -> Result<Build, Error> {
    build_target(dir, target_dir, limits, children, Target::Intents, counter)
}

/// What a build makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The scenarios' test executable (`cargo test --no-run --test intents`).
    Intents,
    /// The web app (`cargo build --features app --bins`), which the
    /// scenarios never build.
    App,
}

impl Target {
    /// Whether cargo's `target` is this one: the test `intents`, or the
    /// package's only binary (the app, named after the package so that
    /// prototypes sharing a target directory do not overwrite one
    /// another's, [`crate::prototype`]).
    fn is(self, target: &CargoTarget) -> bool {
        match self {
            Self::Intents => target.name == "intents",
            Self::App => target.kind.iter().any(|k| k == "bin"),
        }
    }
}

/// Builds the web app of the prototype in `dir` (`app/main.rs` around the
/// model's `app/page.rs`) in the same sandbox and limits as the scenarios'
/// build; [`Build::Built`] carries the app's executable. Its errors never
/// touch the scenarios' verdict: the caller reports the app as missing.
pub fn build_app(dir: &Path, target_dir: &Path, limits: Limits) -> Result<Build, Error> {
    build_target(dir, target_dir, limits, &RUNNING, Target::App, None)
}

fn build_target(
    dir: &Path,
    target_dir: &Path,
    limits: Limits,
    children: &Children,
    target: Target,
    counter: Option<Counter>,
) -> Result<Build, Error> {
    check_folder(dir)?;
    let toolchain = Toolchain::find();
    if let Some(unlocked) = fetch::fetch_needed(dir, toolchain.cargo_home.as_deref()) {
        fetch::fetch(dir, target_dir, limits, unlocked, children)?;
    }
    let lines = counter.map(|counter| counting(dir, counter));
    let output = cargo_build(dir, target_dir, limits, children, target, lines)?;
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
                if message.target.as_ref().is_some_and(|t| target.is(t))
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

/// A [`process::Lines`] observer of cargo's JSON messages that tells
/// `counter` each unit compiled, out of the packages of `dir`'s lock file.
fn counting(dir: &Path, counter: Counter) -> process::Lines {
    #[derive(Deserialize)]
    struct Artifact {
        target: Kinds,
    }
    #[derive(Deserialize)]
    struct Kinds {
        kind: Vec<String>,
    }
    let total = std::fs::read_to_string(dir.join("Cargo.lock"))
        .map_or(0, |lock| lock.matches("\n[[package]]\n").count());
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::sync::Arc::new(move |line: &str| {
        if total == 0 || !line.starts_with("{\"reason\":\"compiler-artifact\"") {
            return;
        }
        let Ok(artifact) = serde_json::from_str::<Artifact>(line) else {
            return;
        };
        if artifact.target.kind.iter().any(|k| k == "custom-build") {
            return;
        }
        let done = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        counter(Compiled {
            done: done.min(total),
            total,
        });
    })
}

/// Refuses to build in `dir` when it holds a toolchain file or a `.cargo/`
/// folder ([`Error::Foreign`]), or when a cargo configuration there or in
/// a parent folder would change the build ([`config::check`]). Every build
/// checks its own folder; a build in a folder inside a prototype (the
/// check's copy) checks the prototype's first.
pub fn check_folder(dir: &Path) -> Result<(), Error> {
    for name in FOREIGN {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            return Err(Error::Foreign(path));
        }
    }
    Ok(config::check(dir)?)
}

/// `cargo test --no-run --frozen` of the `intents` test (or `cargo build
/// --frozen` of the app), with a scratch folder inside the target
/// directory, its stdout told to `lines`.
fn cargo_build(
    dir: &Path,
    target_dir: &Path,
    limits: Limits,
    children: &Children,
    target: Target,
    lines: Option<process::Lines>,
) -> Result<Output, Error> {
    let scratch = Scratch::new(Some(target_dir))?;
    let mut command = Command::new("cargo");
    command.current_dir(dir);
    match target {
        Target::Intents => command.args(["test", "--no-run", "--frozen", "--test", "intents"]),
        Target::App => command.args(["build", "--frozen", "--features", "app", "--bins"]),
    };
    command
        .arg("--message-format=json")
        .arg("--target-dir")
        .arg(target_dir);
    let policy = (limits.sandbox == sandbox::Mode::On).then(|| {
        Policy::build(
            dir,
            target_dir,
            &scratch.path(),
            &Toolchain::find(),
            limits.build,
        )
    });
    exec(
        command,
        &scratch.path(),
        policy.as_ref(),
        &[],
        &[("CARGO_TERM_COLOR", "never")],
        None,
        Duration::from_secs(limits.build.timeout_secs),
        children,
        lines,
    )
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
    #[serde(default)]
    kind: Vec<String>,
}

/// Runs the built scenarios in `dir` and reads the results of every
/// intent from the block the harness frames with a fresh random value sent
/// on its stdin ([`results`]). The run writes only a scratch folder outside
/// the prototype, deleted afterwards.
pub fn run(spec: &Spec, dir: &Path, executable: &Path, limits: Limits) -> Result<Run, Error> {
    run_with(spec, dir, executable, limits, &RUNNING)
}

/// [`run`], the child registered in `children` instead of the registry of
/// [`kill_running`].
pub fn run_with(
    spec: &Spec,
    dir: &Path,
    executable: &Path,
    limits: Limits,
    children: &Children,
) -> Result<Run, Error> {
    let nonce = nonce()?;
    let output = run_executable(
        dir,
        executable,
        harness_input(spec, &nonce).as_bytes(),
        limits,
        children,
    )?;
    let duration_ms = millis(output.duration);
    let not_run =
        |why: &str| -> Vec<IntentResult> { spec.intents().map(|i| i.not_run(why)).collect() };
    let mut json = String::new();
    let (results, shown) = if let Some(why) = stopped_by_limit(&output, limits.run) {
        (not_run(&why), output.stdout.clone())
    } else {
        match results::framed(&output.stdout, &nonce) {
            Ok(framed) => {
                json.clone_from(&framed.json);
                (
                    results::checked(spec, &framed.json, output.code),
                    framed.rest,
                )
            }
            Err(why) => {
                let why = format!(
                    "the scenarios stopped before reporting ({why}; exit code {}): {}",
                    output
                        .code
                        .map_or_else(|| "none".to_owned(), |c| c.to_string()),
                    tail(&sanitize(&output.stderr), 600).trim()
                );
                (not_run(&why), output.stdout.clone())
            }
        }
    };
    Ok(Run {
        results,
        duration_ms,
        output: tail(&sanitize(&shown), 20_000),
        steps: results::steps_at(&json),
        json,
    })
}

/// What the harness reads on stdin: the `nonce` on the first line, then,
/// when a filter left some intents out of `spec`, one line per selected
/// intent, `<cucumber line> <path under features/>`, so that only those
/// run (`prototype/intents.rs.in`).
fn harness_input(spec: &Spec, nonce: &str) -> String {
    let mut input = format!("{nonce}\n");
    if spec.selection.is_some() {
        for intent in spec.intents() {
            let _ = writeln!(input, "{} {}", intent.cucumber_line, intent.file);
        }
    }
    input
}

/// Runs a test executable built from `dir` with `stdin`, in `dir`, under
/// the run's policy, environment and limits, with a scratch folder deleted
/// afterwards. Shared by [`run`] and [`run_check`], so that the scenarios
/// and the honesty check run in the same sandbox.
fn run_executable(
    dir: &Path,
    executable: &Path,
    stdin: &[u8],
    limits: Limits,
    children: &Children,
) -> Result<Output, Error> {
    let scratch = Scratch::new(None)?;
    let mut command = Command::new(executable);
    command.current_dir(dir);
    let dir_text = dir.to_string_lossy().into_owned();
    let policy = (limits.sandbox == sandbox::Mode::On)
        .then(|| Policy::run(dir, executable, &scratch.path(), limits.run));
    exec(
        command,
        &scratch.path(),
        policy.as_ref(),
        &[],
        &[
            ("CARGO_MANIFEST_DIR", dir_text.as_str()),
            ("RUST_BACKTRACE", "0"),
            ("NO_COLOR", "1"),
            // Fewer malloc arenas: each reserves 64 MiB of address space,
            // which the memory limit counts.
            ("MALLOC_ARENA_MAX", "2"),
            (FRAMED, "1"),
        ],
        Some(stdin),
        Duration::from_secs(limits.run.timeout_secs),
        children,
        None,
    )
}

/// What a run of the honesty check's harness printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Its stdout, at most [`crate::process::OUTPUT_CAP_BYTES`]: the framed
    /// lines for [`crate::honesty::check::read`] among what steps printed.
    pub stdout: String,
    /// Why a limit stopped it, in plain words, when one did.
    pub stopped: Option<String>,
    /// Whether its stdout was longer than the cap, so that lines from the
    /// middle were dropped.
    pub cut: bool,
    /// The end of its stderr, control characters removed.
    pub stderr: String,
    pub duration_ms: u64,
}

/// Runs the honesty check's harness `executable`, built from the check copy
/// in `dir`, with `stdin` (a nonce and a schedule,
/// [`crate::honesty::check::schedule`]), in the same sandbox, environment
/// and limits as the scenarios' run ([`run`]).
pub fn run_check(
    dir: &Path,
    executable: &Path,
    stdin: &[u8],
    limits: Limits,
) -> Result<Checked, Error> {
    let output = run_executable(dir, executable, stdin, limits, &RUNNING)?;
    Ok(Checked {
        stopped: stopped_by_limit(&output, limits.run),
        cut: output.stdout.len() >= crate::process::OUTPUT_CAP_BYTES,
        stderr: tail(&sanitize(&output.stderr), 600).trim().to_owned(),
        duration_ms: millis(output.duration),
        stdout: output.stdout,
    })
}

/// 32 hex characters from the kernel's random source: a run's nonce, or
/// the secret part of a name nothing outside wow can know in advance.
pub fn nonce() -> Result<String, Error> {
    let path = Path::new("/dev/urandom");
    let mut bytes = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|source| Error::Scratch {
            path: path.to_owned(),
            source,
        })?;
    Ok(bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[package]\nname = \"p\"\nversion = \"0.1.0\"\n\n[dev-dependencies]\ncucumber = \"=0.23.0\"\n";
    const LOCK: &str = "version = 4\n\n[[package]]\nname = \"cucumber\"\nversion = \"0.23.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"p\"\nversion = \"0.1.0\"\n";

    fn folders(manifest: &str) -> (tempfile::TempDir, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
        std::fs::write(dir.path().join("Cargo.lock"), LOCK).expect("lock");
        let home = tempfile::tempdir().expect("temporary folder");
        (dir, home)
    }

    #[test]
    fn a_fetch_is_decided_from_the_lock_and_the_registry_cache_only() {
        let (dir, home) = folders(MANIFEST);
        assert_eq!(
            fetch::fetch_needed(dir.path(), Some(home.path())),
            Some(false)
        );
        let cache = home
            .path()
            .join("registry/cache/index.crates.io-1949cf8c6b5b557f");
        std::fs::create_dir_all(&cache).expect("cache");
        std::fs::write(cache.join("cucumber-0.23.0.crate"), "").expect("crate");
        assert_eq!(fetch::fetch_needed(dir.path(), Some(home.path())), None);
        // Whatever a child printed plays no part: there is nothing to read.
        // `cucumber` is locked, but not as a dependency of the package itself.
        let extra = format!("{MANIFEST}\n[dependencies]\ncucumber = \"=0.23.0\"\n");
        let (dir, _) = folders(&extra);
        assert_eq!(
            fetch::fetch_needed(dir.path(), Some(home.path())),
            Some(true)
        );
    }

    #[test]
    fn a_build_counts_units_out_of_the_locked_packages_and_nothing_else() {
        let (dir, _) = folders(MANIFEST);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let told = std::sync::Arc::clone(&seen);
        let lines = counting(
            dir.path(),
            std::sync::Arc::new(move |c: Compiled| {
                told.lock().expect("not poisoned").push((c.done, c.total));
            }),
        );
        let artifact = |kind: &str| {
            format!(
                "{{\"reason\":\"compiler-artifact\",\"target\":{{\"kind\":[\"{kind}\"],\"name\":\"x\"}},\"fresh\":true}}"
            )
        };
        lines(&artifact("lib"));
        lines(&artifact("custom-build"));
        lines("{\"reason\":\"build-script-executed\"}");
        lines("compiler-artifact lib");
        lines(&artifact("proc-macro"));
        // A proc-macro printing lines like cargo's moves the count, never past the total.
        lines(&artifact("lib"));
        assert_eq!(
            *seen.lock().expect("not poisoned"),
            [(1, 2), (2, 2), (2, 2)]
        );
    }

    #[test]
    fn a_toolchain_file_or_cargo_folder_in_the_build_folder_stops_the_build() {
        for name in FOREIGN {
            let (dir, _) = folders(MANIFEST);
            let path = dir.path().join(name);
            if name.starts_with('.') {
                std::fs::create_dir_all(&path).expect("folder");
            } else {
                std::fs::write(&path, "[toolchain]\npath = \"/tmp/evil\"\n").expect("file");
            }
            let error = build(dir.path(), dir.path(), Limits::default())
                .expect_err("refused")
                .to_string();
            assert!(
                error.contains(name) && error.contains("remove it"),
                "{error}"
            );
        }
    }
}
