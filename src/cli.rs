//! Command line: clap types, configuration, and the commands that drive the
//! stages. Nothing below this module knows about clap. `doctor`, `restore`
//! and the checks before a prototype is written are in [`safety`].

mod safety;

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cargo::{self, Build, Limits};
use crate::llm::{self, Llm, Model, replay};
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::repair;
use crate::report::Report;
use crate::sandbox::{self, Budget};
use crate::spec::{self, Spec};

/// Turn Gherkin scenarios into a compiled, validated prototype with a
/// language model, and see which intents pass.
#[derive(Debug, Parser)]
#[command(name = "wow", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// Print no progress on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a prototype from the features, build it, run the scenarios and repair what fails.
    Run(RunArgs),
    /// Parse the features and list their intents (no model).
    Check(CheckArgs),
    /// Print the generation prompt (no model).
    Prompt(PromptArgs),
    /// Rebuild an existing prototype and re-run its scenarios (no model).
    Test(TestArgs),
    /// Put back the files of an earlier round of the last run.
    Restore(safety::RestoreArgs),
    /// Show which sandbox layers are active, and the toolchain, target directory and model.
    Doctor(safety::DoctorArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// `.feature` files or folders; together they form one prototype.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// The model: `provider/model` (openai, anthropic, ollama, lmstudio, openrouter, …), `cmd:<command>` or `replay`.
    #[arg(long, env = "WOW_MODEL")]
    pub model: Option<String>,
    /// Overrides the provider's endpoint, such as `http://localhost:8080/v1`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The prototype folder [default: generated/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Model calls after the first.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repairs: u32,
    /// Most tokens one reply may use.
    #[arg(long, default_value_t = 16_000, value_name = "N")]
    pub max_tokens: u32,
    /// Ask for the whole reply at once instead of a stream.
    #[arg(long)]
    pub no_stream: bool,
    /// Longest one model call may take, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub model_timeout: u64,
    /// Write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Overwrite model-owned files edited by hand (saved under `.wow/history/` first).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Options shared by the commands that build prototypes.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Cargo target directory shared by all prototypes [default: .target next to the prototype].
    #[arg(long, env = "WOW_TARGET_DIR", value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Contain the build and the scenarios (Landlock, seccomp, limits); `off` runs generated code with your full rights.
    #[arg(long, value_enum, default_value_t = SandboxArg::On, value_name = "MODE")]
    pub sandbox: SandboxArg,
    /// Longest a build may take, in seconds.
    #[arg(long, default_value_t = Budget::BUILD.timeout_secs, value_name = "SECS", help_heading = "Limits")]
    pub build_timeout: u64,
    /// CPU time each build process may use, in seconds.
    #[arg(long, default_value_t = Budget::BUILD.cpu_secs, value_name = "SECS", help_heading = "Limits")]
    pub build_cpu: u64,
    /// Address space each build process may use, in MiB.
    #[arg(long, default_value_t = Budget::BUILD.memory_mb, value_name = "MIB", help_heading = "Limits")]
    pub build_memory: u64,
    /// Longest a run of the scenarios may take, in seconds.
    #[arg(long, default_value_t = Budget::RUN.timeout_secs, value_name = "SECS", help_heading = "Limits")]
    pub run_timeout: u64,
    /// CPU time the scenarios may use, in seconds.
    #[arg(long, default_value_t = Budget::RUN.cpu_secs, value_name = "SECS", help_heading = "Limits")]
    pub run_cpu: u64,
    /// Address space the scenarios may use, in MiB.
    #[arg(long, default_value_t = Budget::RUN.memory_mb, value_name = "MIB", help_heading = "Limits")]
    pub run_memory: u64,
    /// Largest file the scenarios may write, in MiB.
    #[arg(long, default_value_t = Budget::RUN.file_size_mb, value_name = "MIB", help_heading = "Limits")]
    pub run_file_size: u64,
}

/// `--sandbox` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SandboxArg {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `.feature` files or folders.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// Write the intents as JSON (the report's `intents` shape) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// `.feature` files or folders.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The prototype folder [default: the current folder if it is one, else the only one in `generated/`].
    pub dir: Option<PathBuf>,
    /// Write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Why a command could not do its job (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Spec(#[from] spec::Error),
    #[error(transparent)]
    Model(#[from] llm::Error),
    #[error(transparent)]
    Repair(#[from] repair::Error),
    #[error(transparent)]
    Cargo(#[from] cargo::Error),
    #[error(transparent)]
    Prototype(#[from] crate::prototype::Error),
    #[error("failed to write the report `{}`: {source}", .path.display())]
    Report {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to create `{}`: {source}", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}\n\n{NO_MODEL_HELP}")]
    NoModel(String),
    #[error("no prototype given and {0}: name its folder, such as `wow test generated/features`")]
    NoPrototype(String),
    #[error(transparent)]
    History(#[from] crate::history::Error),
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
}

const NO_MODEL_HELP: &str = "Choose a model with --model or the WOW_MODEL variable:
  OpenAI      export OPENAI_API_KEY=...;    wow run --model openai/gpt-4.1-mini
  Anthropic   export ANTHROPIC_API_KEY=...; wow run --model anthropic/claude-sonnet-4-5
  Ollama      wow run --model ollama/qwen2.5-coder:14b     (local, no key; OLLAMA_HOST for another server)
  LM Studio   wow run --model lmstudio/<model id>         (local, no key; http://localhost:1234/v1)
  Any tool    wow run --model 'cmd:<command>'             (prompt on stdin, reply on stdout)";

/// Runs the parsed command line and returns the exit code: 0 when every
/// intent passes, 1 when some fail.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    // Children must not read this process's memory or environment (API
    // keys) through /proc; a kernel without the setting changes nothing.
    let _ = sandbox::protect_self();
    let progress = Progress::stderr(cli.quiet);
    match cli.command {
        Command::Run(args) => run_command(&args, &progress),
        Command::Check(args) => check(&args),
        Command::Prompt(args) => {
            let spec = spec::parse(&args.paths)?;
            print!("{}", crate::prompt::generate(&spec).to_text());
            Ok(0)
        }
        Command::Test(args) => test(&args, &progress),
        Command::Restore(args) => safety::restore(&args),
        Command::Doctor(args) => safety::doctor(&args),
    }
}

fn check(args: &CheckArgs) -> Result<u8, Error> {
    let started = Instant::now();
    let spec = spec::parse(&args.paths)?;
    let report = Report::listing(&spec, llm::millis(started.elapsed()));
    if let Some(path) = &args.json {
        write_json(&report, path)?;
    }
    crate::report::print(&report, &spec).map_err(|source| Error::Report {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(0)
}

fn run_command(args: &RunArgs, progress: &Progress) -> Result<u8, Error> {
    let started = Instant::now();
    let spec = spec::parse(&args.paths)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("generated").join(&spec.name));
    let mut chosen = choose_model(args, &out, &spec, progress)?;
    let prototype = Prototype::new(&out);
    create_dir(&out)?;
    let _lock = safety::before_writing(&prototype, args.force, progress)?;
    let target_dir = target_dir(&args.build, &out)?;
    safety::announce(&limits(&args.build), &prototype)?;
    prototype.write_skeleton(&spec)?;
    let options = repair::Options {
        max_repairs: args.max_repairs,
        limits: limits(&args.build),
    };
    let replaying = chosen.is_replay;
    let session = repair::run(
        &spec,
        &prototype,
        &target_dir,
        chosen.model.as_mut(),
        progress,
        options,
    )?;
    if !replaying {
        replay::write(&out, &session.exchanges)?;
    }
    progress.finish();
    let report = Report::new(
        &spec,
        &session.results,
        Some(&session),
        Some(&out),
        None,
        llm::millis(started.elapsed()),
    );
    finish(&report, &spec, &prototype, args.json.as_deref())
}

/// The model to use and whether it replays a recording.
struct Chosen {
    model: Box<dyn Llm>,
    is_replay: bool,
}

fn choose_model(
    args: &RunArgs,
    out: &Path,
    spec: &Spec,
    progress: &Progress,
) -> Result<Chosen, Error> {
    let settings = llm::Settings {
        base_url: args.base_url.clone(),
        max_tokens: args.max_tokens,
        stream: !args.no_stream,
        timeout_secs: args.model_timeout,
        ..llm::Settings::default()
    };
    let explicit = args.model.as_deref().filter(|m| !m.trim().is_empty());
    match explicit.map(Model::parse).transpose()? {
        Some(Model::Replay) => Ok(replay_of(out, spec, progress)?),
        Some(model) => Ok(Chosen {
            model: llm::connect(&model, &settings)?,
            is_replay: false,
        }),
        None => match replay_of(out, spec, progress) {
            Ok(chosen) => Ok(chosen),
            Err(Error::Model(llm::Error::Replay(replay::Error::Missing(_)))) => {
                Err(Error::NoModel(format!(
                    "no model configured, and `{}` has no recorded exchanges to replay",
                    spec::display_path(out)
                )))
            }
            Err(Error::Model(llm::Error::Replay(e @ replay::Error::FeaturesChanged { .. }))) => {
                Err(Error::NoModel(format!("no model configured, and {e}")))
            }
            Err(e) => Err(e),
        },
    }
}

fn replay_of(out: &Path, spec: &Spec, progress: &Progress) -> Result<Chosen, Error> {
    let replay = replay::Replay::open(out, spec).map_err(llm::Error::from)?;
    let first = &replay.exchanges()[0];
    let who = if first.origin == "hand" {
        "replies written by hand, not by a model".to_owned()
    } else {
        format!("recorded from {}", first.model)
    };
    progress.note(&format!(
        "replaying the {} recorded in `{}` ({who})",
        crate::prompt::plural(replay.exchanges().len(), "exchange", "exchanges"),
        spec::display_path(out)
    ));
    if let Some(note) = &first.note {
        progress.note(&format!("  note: {note}"));
    }
    Ok(Chosen {
        model: Box::new(replay),
        is_replay: true,
    })
}

fn test(args: &TestArgs, progress: &Progress) -> Result<u8, Error> {
    let started = Instant::now();
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => find_prototype()?,
    };
    let prototype = Prototype::open(&dir)?;
    let _lock = crate::history::lock(&prototype)?;
    let spec = spec::parse(&[prototype.path("features")])?;
    let target_dir = target_dir(&args.build, &dir)?;
    let limits = limits(&args.build);
    safety::announce(&limits, &prototype)?;
    progress.phase("compiling");
    let lock = cargo::lock(&target_dir)?;
    let results = match cargo::build(&dir, &target_dir, limits)? {
        Build::Built { executable, .. } => {
            progress.phase("running the scenarios");
            cargo::run(&spec, &dir, &executable, limits)?.results
        }
        Build::Errors { diagnostics, .. } => {
            progress.finish();
            for diagnostic in &diagnostics {
                eprintln!("{}", diagnostic.rendered.trim_end());
            }
            let why = format!(
                "the prototype does not compile ({})",
                crate::prompt::plural(diagnostics.len(), "error", "errors")
            );
            spec.intents()
                .map(|i| cargo::IntentResult::not_run(i, &why))
                .collect()
        }
    };
    drop(lock);
    progress.finish();
    let report = Report::new(
        &spec,
        &results,
        None,
        Some(&dir),
        None,
        llm::millis(started.elapsed()),
    );
    finish(&report, &spec, &prototype, args.json.as_deref())
}

pub(crate) fn find_prototype() -> Result<PathBuf, Error> {
    if Path::new("tests/intents.rs").is_file() && Path::new("features").is_dir() {
        return Ok(PathBuf::from("."));
    }
    let found: Vec<PathBuf> = std::fs::read_dir("generated")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("tests/intents.rs").is_file())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NoPrototype(
            "there is none in `generated/`".to_owned(),
        )),
        many => Err(Error::NoPrototype(format!(
            "`generated/` holds {}",
            many.iter()
                .map(|p| format!("`{}`", spec::display_path(p)))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn finish(
    report: &Report,
    spec: &Spec,
    prototype: &Prototype,
    json: Option<&Path>,
) -> Result<u8, Error> {
    write_json(report, &prototype.state("last-run.json"))?;
    if let Some(path) = json {
        write_json(report, path)?;
    }
    crate::report::print(report, spec).map_err(|source| Error::Report {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(u8::from(!report.all_passed()))
}

fn write_json(report: &Report, path: &Path) -> Result<(), Error> {
    report.write_json(path).map_err(|source| Error::Report {
        path: path.to_owned(),
        source,
    })
}

pub(crate) fn limits(args: &BuildArgs) -> Limits {
    Limits {
        build: Budget {
            timeout_secs: args.build_timeout,
            cpu_secs: args.build_cpu,
            memory_mb: args.build_memory,
            ..Budget::BUILD
        },
        run: Budget {
            timeout_secs: args.run_timeout,
            cpu_secs: args.run_cpu,
            memory_mb: args.run_memory,
            file_size_mb: args.run_file_size,
            ..Budget::RUN
        },
        sandbox: match args.sandbox {
            SandboxArg::On => sandbox::Mode::On,
            SandboxArg::Off => sandbox::Mode::Off,
        },
    }
}

fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::CreateDir {
        path: path.to_owned(),
        source,
    })
}

/// The shared target directory, absolute (cargo runs inside the prototype).
fn target_dir(args: &BuildArgs, prototype_dir: &Path) -> Result<PathBuf, Error> {
    let dir = args.target_dir.clone().unwrap_or_else(|| {
        prototype_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(".target")
    });
    create_dir(&dir)?;
    std::fs::canonicalize(&dir).map_err(|source| Error::CreateDir { path: dir, source })
}
