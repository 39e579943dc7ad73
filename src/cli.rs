//! Command line: the clap types, turned into the application layer's
//! resolved options ([`crate::app`]), which runs the command. Nothing below
//! this module knows about clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app;
use crate::cargo::Limits;
use crate::llm;
use crate::progress::Progress;
use crate::sandbox::{self, Budget};
use crate::spec;

/// Turn Gherkin scenarios into a compiled, validated prototype with a
/// language model, and see which intents pass.
#[derive(Debug, Parser)]
#[command(name = "wow", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// Print no progress on stderr.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print, after each round, what goes back to the model (compile
    /// errors, failing scenarios, refused files).
    #[arg(long, short, global = true)]
    pub verbose: bool,
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
    #[command(after_help = "Examples:
  wow run                                             the bundled examples, replayed offline
  wow run features/ --model anthropic/claude-sonnet-4-5
  wow run cart.feature --model ollama/qwen2.5-coder:14b --out generated/cart
  wow run --model 'cmd:llm -m gpt-4o' --json report.json --junit junit.xml
  wow run --tags '@discount and not @slow'            only those scenarios run; the others are left out")]
    Run(RunArgs),
    /// Parse the features and list their intents (no model).
    #[command(after_help = "Examples:
  wow check                        every feature in features/
  wow check cart.feature --json intents.json")]
    Check(CheckArgs),
    /// Print the generation prompt of the one-call prototype, what `wow run --jobs 1` sends (no model).
    Prompt(PromptArgs),
    /// Rebuild an existing prototype and re-run its scenarios (no model).
    #[command(after_help = "Examples:
  wow test                         the prototype in this folder, or the only one in generated/
  wow test generated/features --junit junit.xml
  wow test --tags '(@pricing or @discount)'        re-run only the scenarios so tagged
  wow test --name 'discount code'                  re-run only the scenarios whose name matches")]
    Test(TestArgs),
    /// Ask a model for a second opinion on the scenarios: suggested scenarios and questions.
    Critique(CritiqueArgs),
    /// Re-run whenever a feature file is saved, updating the current prototype (edit rounds).
    Watch(WatchArgs),
    /// Watch, and show the live report on a local dashboard (127.0.0.1).
    #[command(after_help = "Example:
  wow serve features/ --model anthropic/claude-sonnet-4-5 --port 0   then open the printed URL")]
    Serve(ServeArgs),
    /// Serve the prototype's web app on 127.0.0.1, for stakeholders to click through.
    #[command(after_help = "Examples:
  wow app                                  the only prototype in generated/, on port 8080
  wow app generated/features --port 0      any free port; the URL is printed")]
    App(AppArgs),
    /// Put back the files of an earlier round of the last run.
    Restore(RestoreArgs),
    /// Show which sandbox layers are active, and the toolchain, target directory and model.
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is a flag of the command line"
)]
pub struct RunArgs {
    /// `.feature` files or folders; together they form one prototype.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// Refuse features holding valid Gherkin that is almost always a
    /// mistake (a step under `Feature:`, an outline without Examples, …), as
    /// CI should: the warnings become errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
    /// The prototype folder [default: generated/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Repair rounds after the first (each one model call, or one per shard with something to repair).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repairs: u32,
    /// After a run where every intent is verified, ask for a second opinion on the scenarios (see `wow critique`).
    #[arg(long)]
    pub critique: bool,
    /// Make no web app (no model call for it, no app build): the scenarios only, as in CI.
    #[arg(long)]
    pub no_app: bool,
    /// Overwrite model-owned files edited by hand (saved under `.wow/history/` first).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Where the reports go. `report.html` is always written in the prototype.
#[derive(Debug, Args)]
#[command(next_help_heading = "Reports")]
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
    /// Write the run as Cucumber JSON (the format existing dashboards read) to this file.
    #[arg(long, value_name = "FILE")]
    pub cucumber_json: Option<PathBuf>,
    /// Write a short Markdown summary (for a pull request or a chat) to this file.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the run as Cucumber Messages (NDJSON, what Cucumber's own tools read) to this file.
    #[arg(long, value_name = "FILE")]
    pub messages: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// `.feature` files or folders to watch; together they form one prototype.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// Refuse features holding valid Gherkin that is almost always a
    /// mistake (a step under `Feature:`, an outline without Examples, …), as
    /// CI should: the warnings become errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
    /// The prototype folder [default: generated/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Repair rounds after each edit round (each one model call, or one per shard with something to repair).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repairs: u32,
    /// Make no web app (no model call for it, no app build).
    #[arg(long)]
    pub no_app: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub model: ModelArgs,
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
#[command(next_help_heading = "Model")]
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
    /// Model calls that may run at once. With several features, a new prototype is written as one shard per feature (its own module and `World`), each by its own call, and a repair goes only to the shards that fail; 1 writes the whole prototype in one call.
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

impl ModelArgs {
    fn choice(&self) -> app::ModelChoice {
        app::ModelChoice {
            model: self.model.clone(),
            settings: self.settings(),
            jobs: usize::from(self.jobs),
        }
    }

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
    /// Refuse features holding valid Gherkin that is almost always a
    /// mistake (a step under `Feature:`, an outline without Examples, …), as
    /// CI should: the warnings become errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Options shared by the commands that build prototypes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Build and run limits")]
pub struct BuildArgs {
    /// Cargo target directory shared by all prototypes [default: .target next to the prototype].
    #[arg(long, env = "WOW_TARGET_DIR", value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Contain the build and the scenarios (Landlock, seccomp, limits); `off` runs generated code with your full rights.
    #[arg(long, value_enum, default_value_t = SandboxArg::On, value_name = "MODE")]
    pub sandbox: SandboxArg,
    /// Longest a build may take, in seconds.
    #[arg(long, default_value_t = Budget::BUILD.timeout_secs, value_name = "SECS", help_heading = "Build and run limits")]
    pub build_timeout: u64,
    /// CPU time each build process may use, in seconds.
    #[arg(long, default_value_t = Budget::BUILD.cpu_secs, value_name = "SECS", help_heading = "Build and run limits")]
    pub build_cpu: u64,
    /// Address space each build process may use, in MiB.
    #[arg(long, default_value_t = Budget::BUILD.memory_mb, value_name = "MIB", help_heading = "Build and run limits")]
    pub build_memory: u64,
    /// Longest a run of the scenarios may take, in seconds.
    #[arg(long, default_value_t = Budget::RUN.timeout_secs, value_name = "SECS", help_heading = "Build and run limits")]
    pub run_timeout: u64,
    /// CPU time the scenarios may use, in seconds.
    #[arg(long, default_value_t = Budget::RUN.cpu_secs, value_name = "SECS", help_heading = "Build and run limits")]
    pub run_cpu: u64,
    /// Address space the scenarios may use, in MiB.
    #[arg(long, default_value_t = Budget::RUN.memory_mb, value_name = "MIB", help_heading = "Build and run limits")]
    pub run_memory: u64,
    /// Largest file the scenarios may write, in MiB.
    #[arg(long, default_value_t = Budget::RUN.file_size_mb, value_name = "MIB", help_heading = "Build and run limits")]
    pub run_file_size: u64,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The round whose files to put back (see `.wow/history/round-NN`).
    pub round: u32,
    /// The prototype folder [default: the current folder if it is one, else the only one in `generated/`].
    pub dir: Option<PathBuf>,
    /// Overwrite model-owned files edited by hand (saved under `.wow/history/` first).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The model that `wow run` would use.
    #[arg(long, env = "WOW_MODEL")]
    pub model: Option<String>,
    /// The cargo target directory `wow run` would use.
    #[arg(long, env = "WOW_TARGET_DIR", value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Whether to show the sandbox as `wow run --sandbox MODE` would use it.
    #[arg(long, value_enum, default_value_t = SandboxArg::On, value_name = "MODE")]
    pub sandbox: SandboxArg,
}

/// `--sandbox` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SandboxArg {
    On,
    Off,
}

impl SandboxArg {
    fn mode(self) -> sandbox::Mode {
        match self {
            Self::On => sandbox::Mode::On,
            Self::Off => sandbox::Mode::Off,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `.feature` files or folders.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// Refuse features holding valid Gherkin that is almost always a
    /// mistake (a step under `Feature:`, an outline without Examples, …), as
    /// CI should: the warnings become errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Write the intents as JSON (the report's `intents` shape) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// `.feature` files or folders.
    #[arg(default_value = "features")]
    pub paths: Vec<PathBuf>,
    /// Refuse features holding valid Gherkin that is almost always a
    /// mistake (a step under `Feature:`, an outline without Examples, …), as
    /// CI should: the warnings become errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The prototype folder [default: the current folder if it is one, else the only one in `generated/`].
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args)]
pub struct AppArgs {
    /// The prototype folder [default: the current folder if it is one, else the only one in `generated/`].
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Stop after this many minutes without a visit.
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub idle: u64,
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Which scenarios run, as Cucumber's runners choose them. The others are
/// reported as left out: neither passing nor failing.
#[derive(Debug, Args)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Run only the scenarios whose tags satisfy this Cucumber tag expression, such as `@discount and not @slow` or `(@a or @b)`; a scenario has the tags of its feature, rule and Examples too.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Run only the scenarios whose name this regular expression matches (outline rows with their placeholders filled in); with `--tags`, both must hold.
    #[arg(long, value_name = "REGEX")]
    pub name: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> Result<spec::Filter, Error> {
        Ok(spec::Filter::new(
            self.tags.as_deref(),
            self.name.as_deref(),
        )?)
    }
}

pub use crate::app::Error;

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
    let progress = Progress::stderr(cli.quiet).verbose(cli.verbose);
    match cli.command {
        Command::Run(args) => app::run(&args.options()?, &progress),
        Command::Check(args) => app::check(&app::Check {
            paths: args.paths,
            deny_warnings: args.deny_warnings,
            json: args.json,
        }),
        Command::Prompt(args) => app::prompt(&app::PromptOnly {
            paths: args.paths,
            deny_warnings: args.deny_warnings,
        }),
        Command::Test(args) => app::test(
            &app::Test {
                filter: args.filter.filter()?,
                dir: args.dir,
                reports: args.report.reports(),
                build: args.build.options(),
            },
            &progress,
        ),
        Command::App(args) => app::app(
            &app::App {
                dir: args.dir,
                port: args.port,
                idle_minutes: args.idle,
                build: args.build.options(),
            },
            &progress,
        ),
        Command::Watch(args) => app::watch(&args.options()?, &progress, &|_, _, _| {}),
        Command::Serve(args) => app::serve(
            &app::Serve {
                port: args.port,
                watch: args.watch.options()?,
            },
            progress,
        ),
        Command::Critique(args) => app::critique(
            &app::Critique {
                paths: args.paths,
                deny_warnings: args.deny_warnings,
                model: args.model.choice(),
            },
            &progress,
        ),
        Command::Restore(args) => app::restore(&app::Restore {
            round: args.round,
            dir: args.dir,
            force: args.force,
        }),
        Command::Doctor(args) => app::doctor(&app::Doctor {
            model: args.model,
            target_dir: args.target_dir,
            sandbox: args.sandbox.mode(),
        }),
    }
}

impl RunArgs {
    fn options(&self) -> Result<app::Run, Error> {
        Ok(app::Run {
            filter: self.filter.filter()?,
            paths: self.paths.clone(),
            deny_warnings: self.deny_warnings,
            out: self.out.clone(),
            model: self.model.choice(),
            max_repairs: self.max_repairs,
            critique: self.critique,
            app: !self.no_app,
            force: self.force,
            reports: self.report.reports(),
            build: self.build.options(),
        })
    }
}

impl WatchArgs {
    fn options(&self) -> Result<app::Watch, Error> {
        Ok(app::Watch {
            filter: self.filter.filter()?,
            paths: self.paths.clone(),
            deny_warnings: self.deny_warnings,
            model: self.model.choice(),
            out: self.out.clone(),
            max_repairs: self.max_repairs,
            app: !self.no_app,
            reports: self.report.reports(),
            build: self.build.options(),
        })
    }
}

impl ReportArgs {
    fn reports(&self) -> app::Reports {
        app::Reports {
            json: self.json.clone(),
            html: self.html.clone(),
            open: self.open,
            junit: self.junit.clone(),
            cucumber_json: self.cucumber_json.clone(),
            markdown: self.markdown.clone(),
            messages: self.messages.clone(),
        }
    }
}

impl BuildArgs {
    fn options(&self) -> app::BuildOptions {
        app::BuildOptions {
            target_dir: self.target_dir.clone(),
            limits: limits(self),
        }
    }
}

fn limits(args: &BuildArgs) -> Limits {
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
        sandbox: args.sandbox.mode(),
    }
}
