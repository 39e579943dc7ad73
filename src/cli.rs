//! Command line: clap types, configuration, and the commands that drive the
//! stages. Nothing below this module knows about clap. `doctor`, `restore`
//! and the checks before a prototype is written are in [`safety`].

mod safety;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cargo::{self, Build, Limits};
use crate::llm::{self, Llm, Model, replay};
use crate::progress::Progress;
use crate::prototype::{Files, Prototype};
use crate::repair;
use crate::report::{Report, Sources};
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
    /// Ask a model for a second opinion on the scenarios: suggested scenarios and questions.
    Critique(CritiqueArgs),
    /// Re-run whenever a feature file is saved, updating the current prototype (edit rounds).
    Watch(WatchArgs),
    /// Watch, and show the live report on a local dashboard (127.0.0.1).
    Serve(ServeArgs),
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
    #[command(flatten)]
    pub model: ModelArgs,
    /// The prototype folder [default: generated/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Model calls after the first.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repairs: u32,
    /// After a run where every intent is verified, ask for a second opinion on the scenarios (see `wow critique`).
    #[arg(long)]
    pub critique: bool,
    /// Overwrite model-owned files edited by hand (saved under `.wow/history/` first).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Where the reports go. `report.html` is always written in the prototype.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the HTML report here [default: report.html in the prototype].
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Open the HTML report in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Write a JUnit XML report (one testcase per intent) to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Copy the scenarios' Cucumber JSON (as dashboards read it) to this file.
    #[arg(long, value_name = "FILE")]
    pub cucumber_json: Option<PathBuf>,
    /// Write a short Markdown summary (for a pull request or a chat) to this file.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// `.feature` files or folders to watch; together they form one prototype.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// The prototype folder [default: generated/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Model calls after each edit round.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repairs: u32,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    #[command(flatten)]
    pub watch: WatchArgs,
}

/// Options that choose and reach the model.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The model: `provider/model` (openai, anthropic, ollama, lmstudio, openrouter, …), `cmd:<command>` or `replay`.
    #[arg(long, env = "WOW_MODEL")]
    pub model: Option<String>,
    /// Overrides the provider's endpoint, such as `http://localhost:8080/v1`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Most tokens one reply may use.
    #[arg(long, default_value_t = 16_000, value_name = "N")]
    pub max_tokens: u32,
    /// Ask for the whole reply at once instead of a stream.
    #[arg(long)]
    pub no_stream: bool,
    /// Longest one model call may take, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub model_timeout: u64,
}

impl ModelArgs {
    fn settings(&self) -> llm::Settings {
        llm::Settings {
            base_url: self.base_url.clone(),
            max_tokens: self.max_tokens,
            stream: !self.no_stream,
            timeout_secs: self.model_timeout,
            ..llm::Settings::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct CritiqueArgs {
    /// `.feature` files or folders.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
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
    #[command(flatten)]
    pub report: ReportArgs,
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
    #[error(transparent)]
    Critique(#[from] crate::critique::Error),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Watch(#[from] crate::watch::Error),
    #[error(transparent)]
    Serve(#[from] crate::serve::Error),
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
            let crates = crate::config::load(Path::new("."))?.crates;
            let prompt = crate::prompt::generate(&spec).with_crates(&crates);
            print!("{}", prompt.to_text());
            Ok(0)
        }
        Command::Test(args) => test(&args, &progress),
        Command::Watch(args) => watch(&args, &progress, &|_| {}),
        Command::Serve(args) => serve(&args, progress),
        Command::Critique(args) => {
            let spec = spec::parse(&args.paths)?;
            let model = match args.model.model.as_deref().map(Model::parse).transpose()? {
                None | Some(Model::Replay) => {
                    return Err(Error::NoModel("`wow critique` needs a model".to_owned()));
                }
                Some(model) => llm::connect(&model, &args.model.settings())?,
            };
            let critique = critique(&spec, &args.paths, model, &progress)?;
            progress.finish();
            print_critique(&critique);
            Ok(0)
        }
        Command::Restore(args) => safety::restore(&args),
        Command::Doctor(args) => safety::doctor(&args),
    }
}

fn check(args: &CheckArgs) -> Result<u8, Error> {
    let started = Instant::now();
    let spec = spec::parse(&args.paths)?;
    let report = Report::listing(&spec, crate::vocabulary::millis(started.elapsed()));
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
    let config = crate::config::load(Path::new("."))?;
    let prototype = Prototype::new(&out).with_crates(config.crates);
    create_dir(&out)?;
    let _lock = safety::before_writing(&prototype, args.force, progress)?;
    let target_dir = target_dir(&args.build, &out)?;
    safety::announce(&limits(&args.build), &prototype)?;
    prototype.write_skeleton(&spec, &target_dir)?;
    let options = repair::Options {
        max_repairs: args.max_repairs,
        limits: limits(&args.build),
    };
    let replaying = chosen.is_replay;
    let (session, exchanges) = repair::run(
        &spec,
        &prototype,
        &target_dir,
        chosen.model.as_mut(),
        progress,
        options,
        repair::Start::Generate,
    )?;
    if !replaying {
        replay::write(&out, &exchanges)?;
    }
    let mut report = Report::new(
        &spec,
        &Sources {
            results: &session.results,
            findings: &session.findings,
            traces: &crate::audit::trace(&spec, &prototype.read_files()?),
            session: Some(&session),
            prototype: Some(&out),
            duration_ms: crate::vocabulary::millis(started.elapsed()),
        },
    );
    if args.critique {
        if replaying {
            progress.note("no critique: a replay has no model to ask for a second opinion");
        } else if !report.all_passed() {
            progress.note("no critique: it runs after a run where every intent is verified");
        } else {
            report.critique = Some(critique(&spec, &args.paths, chosen.model, progress)?);
        }
    }
    progress.finish();
    let code = finish(&report, &spec, &prototype, &args.report)?;
    if let Some(critique) = &report.critique {
        print_critique(critique);
    }
    Ok(code)
}

/// Asks `model` for a second opinion on the scenarios and writes the
/// suggestions next to the features.
fn critique(
    spec: &Spec,
    paths: &[PathBuf],
    mut model: Box<dyn Llm>,
    progress: &Progress,
) -> Result<crate::critique::Critique, Error> {
    progress.phase(&format!(
        "asking {} for a second opinion on the scenarios",
        model.name()
    ));
    let reply = model.complete(&crate::prompt::critique(spec), progress)?;
    if let llm::Finish::Truncated { reason } = &reply.finish {
        progress.note(&format!(
            "the critique was cut off (`{reason}`): using what arrived"
        ));
    }
    Ok(crate::critique::write(
        &reply.text,
        &crate::critique::folder(paths),
        &spec.name,
    )?)
}

fn print_critique(critique: &crate::critique::Critique) {
    println!(
        "\nsuggested scenarios: {} (move the ones you want into your features)",
        spec::display_path(&critique.file)
    );
    if !critique.questions.is_empty() {
        println!("questions for the product owner:");
        for question in &critique.questions {
            println!("  - {}", crate::cargo::sanitize(question));
        }
    }
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
    let settings = args.model.settings();
    let explicit = args.model.model.as_deref().filter(|m| !m.trim().is_empty());
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
        crate::vocabulary::plural(replay.exchanges().len(), "exchange", "exchanges"),
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
    let mut spec = spec::parse(&[prototype.path("features")])?;
    spec.rebase("features");
    let target_dir = target_dir(&args.build, &dir)?;
    let limits = limits(&args.build);
    safety::announce(&limits, &prototype)?;
    let (results, findings) = evaluate(&spec, &prototype, &target_dir, limits, progress)?;
    progress.finish();
    let report = Report::new(
        &spec,
        &Sources {
            results: &results,
            findings: &findings,
            traces: &crate::audit::trace(&spec, &prototype.read_files()?),
            session: None,
            prototype: Some(&dir),
            duration_ms: crate::vocabulary::millis(started.elapsed()),
        },
    );
    finish(&report, &spec, &prototype, &args.report)
}

/// Builds the prototype as it is on disk, runs its scenarios and checks the
/// passing ones (no model): `wow test`, and `wow watch` when nothing changed.
fn evaluate(
    spec: &Spec,
    prototype: &Prototype,
    target_dir: &Path,
    limits: Limits,
    progress: &Progress,
) -> Result<
    (
        Vec<crate::vocabulary::IntentResult>,
        Vec<crate::vocabulary::Finding>,
    ),
    Error,
> {
    prototype.check_features()?;
    progress.phase("compiling");
    let _lock = cargo::lock(target_dir)?;
    match cargo::build(&prototype.dir, target_dir, limits)? {
        Build::Built { executable, .. } => {
            progress.phase("running the scenarios");
            let mut results = cargo::run(spec, &prototype.dir, &executable, limits)?.results;
            let files = prototype.read_files()?;
            let findings = crate::vacuity::verify(
                spec,
                prototype,
                &files,
                &mut results,
                target_dir,
                limits,
                progress,
            )?
            .findings;
            Ok((results, findings))
        }
        Build::Errors { diagnostics, .. } => {
            progress.finish();
            for diagnostic in &diagnostics {
                eprintln!("{}", diagnostic.rendered.trim_end());
            }
            let why = format!(
                "the prototype does not compile ({})",
                crate::vocabulary::plural(diagnostics.len(), "error", "errors")
            );
            let results = spec
                .intents()
                .map(|i| crate::vocabulary::IntentResult::not_run(i, &why))
                .collect();
            Ok((results, Vec::new()))
        }
    }
}

/// `wow watch`: runs, then re-runs whenever a feature file is saved, with an
/// edit round from the current prototype. `publish` is told every report
/// (`wow serve` shows it). Ends only on Ctrl-C, which leaves the last good
/// prototype on disk.
fn watch(args: &WatchArgs, progress: &Progress, publish: &dyn Fn(&Report)) -> Result<u8, Error> {
    let model = match args.model.model.as_deref().map(Model::parse).transpose()? {
        None | Some(Model::Replay) => {
            return Err(Error::NoModel(
                "`wow watch` needs a model: it updates the prototype when a feature changes"
                    .to_owned(),
            ));
        }
        Some(model) => llm::connect(&model, &args.model.settings())?,
    };
    let mut model = model;
    let watcher = crate::watch::Watcher::new(&args.paths)?;
    let last_good: Arc<Mutex<Option<(Prototype, Files)>>> = Arc::new(Mutex::new(None));
    let restore = Arc::clone(&last_good);
    // Only the first handler counts; a second `set_handler` fails, harmlessly.
    let _ = ctrlc::set_handler(move || {
        cargo::kill_running();
        if let Ok(Some((prototype, files))) = restore.lock().map(|g| g.clone()) {
            let _ = prototype.write_files(&files);
        }
        eprintln!("\nstopped; the last good prototype is on disk");
        std::process::exit(130);
    });
    let mut previous: Option<(Spec, Report)> = None;
    loop {
        match watch_once(args, model.as_mut(), previous.as_ref(), progress) {
            Ok(Some((spec, report, prototype))) => {
                progress.finish();
                finish(&report, &spec, &prototype, &args.report)?;
                if let Some(line) = previous
                    .as_ref()
                    .and_then(|(_, old)| crate::watch::since(old, &report).line())
                {
                    println!("{line}");
                }
                publish(&report);
                if let (Ok(files), Ok(mut good)) = (prototype.read_files(), last_good.lock()) {
                    *good = Some((prototype, files));
                }
                previous = Some((spec, report));
            }
            Ok(None) => {}
            Err(error) => {
                progress.finish();
                eprintln!("error: {error}");
            }
        }
        progress.phase("watching the feature files: save one to re-run, Ctrl-C to stop");
        watcher.wait()?;
    }
}

/// One pass of `wow watch`: `None` when a save changed no scenario.
fn watch_once(
    args: &WatchArgs,
    model: &mut dyn Llm,
    previous: Option<&(Spec, Report)>,
    progress: &Progress,
) -> Result<Option<(Spec, Report, Prototype)>, Error> {
    let started = Instant::now();
    let spec = spec::parse(&args.paths)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("generated").join(&spec.name));
    create_dir(&out)?;
    let config = crate::config::load(Path::new("."))?;
    let prototype = Prototype::new(&out).with_crates(config.crates);
    let target_dir = target_dir(&args.build, &out)?;
    let files = prototype.read_files()?;
    let before = previous
        .map(|(spec, _)| spec.clone())
        .or_else(|| spec::parse(&[prototype.path("features")]).ok());
    let start = match before {
        Some(before) if !files.is_empty() => {
            let changes = crate::watch::changes(&before, &spec);
            if changes.is_empty() && previous.is_some() {
                return Ok(None);
            }
            (!changes.is_empty()).then(|| repair::Start::Edit {
                files,
                changes: changes.describe(),
            })
        }
        _ => Some(repair::Start::Generate),
    };
    prototype.write_skeleton(&spec, &target_dir)?;
    let limits = limits(&args.build);
    let (results, findings, session) = match start {
        // The prototype already matches these features: check it as it is.
        None => {
            let (results, findings) = evaluate(&spec, &prototype, &target_dir, limits, progress)?;
            (results, findings, None)
        }
        Some(start) => {
            let options = repair::Options {
                max_repairs: args.max_repairs,
                limits,
            };
            let (session, exchanges) = repair::run(
                &spec,
                &prototype,
                &target_dir,
                model,
                progress,
                options,
                start,
            )?;
            replay::write(&out, &exchanges)?;
            (
                session.results.clone(),
                session.findings.clone(),
                Some(session),
            )
        }
    };
    let report = Report::new(
        &spec,
        &Sources {
            results: &results,
            findings: &findings,
            traces: &crate::audit::trace(&spec, &prototype.read_files()?),
            session: session.as_ref(),
            prototype: Some(&out),
            duration_ms: crate::vocabulary::millis(started.elapsed()),
        },
    );
    Ok(Some((spec, report, prototype)))
}

/// `wow serve`: `wow watch` with a live dashboard on 127.0.0.1.
fn serve(args: &ServeArgs, progress: Progress) -> Result<u8, Error> {
    let server = Arc::new(crate::serve::Server::start(args.port)?);
    // On stdout too, so a script can find the address.
    println!("the live report is at {}", server.url());
    let listener = Arc::clone(&server);
    let progress = progress.with_listener(Arc::new(move |text: &str| listener.progress(text)));
    watch(&args.watch, &progress, &|report| server.publish(report))
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

/// Writes every report asked for, prints the scoreboard, and returns the
/// exit code: 0 when every intent is verified, 1 otherwise.
fn finish(
    report: &Report,
    spec: &Spec,
    prototype: &Prototype,
    formats: &ReportArgs,
) -> Result<u8, Error> {
    write_json(report, &prototype.state("last-run.json"))?;
    if let Some(path) = &formats.json {
        write_json(report, path)?;
    }
    let html = formats
        .html
        .clone()
        .unwrap_or_else(|| prototype.path("report.html"));
    write_text(&html, &crate::report::html::render(report))?;
    if let Some(path) = &formats.junit {
        let xml = crate::report::junit::render(report).map_err(|e| Error::Report {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        write_text(path, &xml)?;
    }
    if let Some(path) = &formats.markdown {
        write_text(path, &crate::report::markdown::render(report))?;
    }
    if let Some(path) = &formats.cucumber_json {
        // The harness's own output, the format existing dashboards read,
        // with the feature paths the other reports use.
        let source = prototype.state("cucumber.json");
        let json = std::fs::read_to_string(&source).map_err(|error| Error::Report {
            path: path.clone(),
            source: std::io::Error::new(
                error.kind(),
                format!(
                    "no Cucumber JSON in `{}` (the scenarios did not run): {error}",
                    spec::display_path(&source)
                ),
            ),
        })?;
        write_text(path, &cargo::relabel(spec, &json))?;
    }
    if formats.open
        && let Err(error) = open::that_detached(&html)
    {
        eprintln!("could not open `{}`: {error}", spec::display_path(&html));
    }
    crate::report::print(report, spec).map_err(|source| Error::Report {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(u8::from(!report.all_passed()))
}

fn write_text(path: &Path, text: &str) -> Result<(), Error> {
    let written = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| std::fs::write(path, text)),
        None => std::fs::write(path, text),
    };
    written.map_err(|source| Error::Report {
        path: path.to_owned(),
        source,
    })
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
