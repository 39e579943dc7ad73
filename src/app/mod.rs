//! Application layer: one function per command, over one path through the
//! stages.
//!
//! In: a resolved command ([`Run`], [`Check`], [`Test`], [`Watch`],
//! [`Serve`], [`Critique`], [`PromptOnly`]) with plain options, as the
//! command line or a test builds them, and a [`Progress`] line. Out: the
//! exit code (0 every intent verified, 1 some intent not, see the README)
//! or an [`Error`] (exit code 2). Every command that builds goes through
//! [`workspace`] (the prototype folder, its target directory, the project's
//! extra crates) and [`evaluate`] (build, run, honesty check) and ends in
//! [`publish`] (reports, scoreboard). What must not happen here: clap types
//! (they stop at [`crate::cli`]), HTTP, or process spawning (those stay in
//! `llm`, `cargo` and `sandbox`).

mod beyond;
mod commands;
mod model;
mod safety;
mod warm;
mod webapp;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cargo::Limits;
use crate::config::Crate;
use crate::llm;
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::prototype::history;
use crate::report::{self, Format, Report, Sources};
use crate::spec::{self, Spec};
use crate::verdict::{self, Evaluation, Verdicts};
use crate::vocabulary::{Finding, IntentResult, Session, millis, plural};
use crate::{critique, repair, sandbox, serve, watch};

pub use commands::{check, critique, prompt, run, serve, test, watch};
pub use safety::{doctor, restore};
pub use webapp::app;

/// How to reach the model: the model string and the settings of a call.
#[derive(Debug, Clone, Default)]
pub struct ModelChoice {
    /// `provider/model`, `cmd:<command>` or `replay`; `None` when not given.
    pub model: Option<String>,
    pub settings: llm::Settings,
    /// Model calls that may run at once (`--jobs`); with several features
    /// and more than 1, a new prototype is sharded ([`crate::shard`]).
    pub jobs: usize,
}

/// Where prototypes are built, and the limits of their builds and runs.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The shared cargo target directory; `None`: `.target` next to the prototype.
    pub target_dir: Option<PathBuf>,
    pub limits: Limits,
}

/// The reports a command writes besides `report.html` in the prototype.
#[derive(Debug, Clone, Default)]
pub struct Reports {
    pub json: Option<PathBuf>,
    /// Where the HTML report goes; `None`: `report.html` in the prototype.
    pub html: Option<PathBuf>,
    /// Open the HTML report in the default browser.
    pub open: bool,
    pub junit: Option<PathBuf>,
    pub cucumber_json: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    /// Cucumber Messages (NDJSON).
    pub messages: Option<PathBuf>,
}

/// `wow run`: generate, build, run and repair.
#[derive(Debug, Clone)]
#[expect(clippy::struct_excessive_bools, reason = "each is a flag of `wow run`")]
pub struct Run {
    /// `.feature` files or folders; together they form one prototype.
    pub paths: Vec<PathBuf>,
    /// Refuse the features when they hold a suspicious construct (a
    /// warning), as CI should.
    pub deny_warnings: bool,
    /// The prototype folder; `None`: `generated/<name>`.
    pub out: Option<PathBuf>,
    pub model: ModelChoice,
    /// Repair rounds after the first.
    pub max_repairs: u32,
    /// Ask for a second opinion after a run where every intent is verified.
    pub critique: bool,
    /// Make the web app after the rounds (`--no-app`: false).
    pub app: bool,
    /// Overwrite model-owned files edited by hand (saved first).
    pub force: bool,
    /// The intents to run (`--tags`, `--name`); the model still writes
    /// the prototype for every scenario.
    pub filter: spec::Filter,
    pub reports: Reports,
    pub build: BuildOptions,
}

/// `wow check`: parse and list the intents.
#[derive(Debug, Clone)]
pub struct Check {
    pub paths: Vec<PathBuf>,
    /// Refuse the features when they hold a suspicious construct (a
    /// warning), as CI should.
    pub deny_warnings: bool,
    /// Where to write the intents as JSON.
    pub json: Option<PathBuf>,
}

/// `wow prompt`: print the generation prompt.
#[derive(Debug, Clone)]
pub struct PromptOnly {
    pub paths: Vec<PathBuf>,
    /// Refuse the features when they hold a suspicious construct (a
    /// warning), as CI should.
    pub deny_warnings: bool,
}

/// `wow test`: rebuild an existing prototype and re-run its scenarios.
#[derive(Debug, Clone)]
pub struct Test {
    /// The prototype folder; `None`: the current folder if it is one, else
    /// the only one in `generated/`.
    pub dir: Option<PathBuf>,
    /// The intents to run (`--tags`, `--name`).
    pub filter: spec::Filter,
    pub reports: Reports,
    pub build: BuildOptions,
}

/// `wow app`: serve the prototype's web app.
#[derive(Debug, Clone)]
pub struct App {
    /// The prototype folder; `None`: as for [`Test`].
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    pub port: u16,
    /// Stop after this many minutes without a request.
    pub idle_minutes: u64,
    pub build: BuildOptions,
}

/// `wow watch`: re-run on every save, with edit rounds.
#[derive(Debug, Clone)]
pub struct Watch {
    pub paths: Vec<PathBuf>,
    /// Refuse the features when they hold a suspicious construct (a
    /// warning), as CI should.
    pub deny_warnings: bool,
    pub model: ModelChoice,
    pub out: Option<PathBuf>,
    /// Repair rounds after each edit round.
    pub max_repairs: u32,
    /// Make the web app after each pass (`--no-app`: false).
    pub app: bool,
    /// The intents to run (`--tags`, `--name`); the model still updates
    /// the prototype for every scenario.
    pub filter: spec::Filter,
    pub reports: Reports,
    pub build: BuildOptions,
}

/// `wow serve`: `wow watch` with a live dashboard on 127.0.0.1.
#[derive(Debug, Clone)]
pub struct Serve {
    /// Port on 127.0.0.1 (0 picks a free one).
    pub port: u16,
    pub watch: Watch,
}

/// `wow critique`: a second opinion on the scenarios.
#[derive(Debug, Clone)]
pub struct Critique {
    pub paths: Vec<PathBuf>,
    /// Refuse the features when they hold a suspicious construct (a
    /// warning), as CI should.
    pub deny_warnings: bool,
    pub model: ModelChoice,
}

/// `wow restore`: put back the files of a round of the last run.
#[derive(Debug, Clone)]
pub struct Restore {
    /// The round whose files to put back.
    pub round: u32,
    /// The prototype folder; `None`: as for [`Test::dir`].
    pub dir: Option<PathBuf>,
    /// Overwrite model-owned files edited by hand (saved first).
    pub force: bool,
}

/// `wow doctor`: the sandbox layers, the toolchain and the model.
#[derive(Debug, Clone)]
pub struct Doctor {
    /// The model `wow run` would use.
    pub model: Option<String>,
    /// The target directory `wow run` would use.
    pub target_dir: Option<PathBuf>,
    pub sandbox: sandbox::Mode,
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
    Verdict(#[from] crate::verdict::Error),
    #[error(transparent)]
    Cargo(#[from] crate::cargo::Error),
    #[error(transparent)]
    Prototype(#[from] crate::prototype::Error),
    #[error(transparent)]
    Report(#[from] report::Error),
    #[error("failed to print the scoreboard: {0}")]
    Print(#[source] std::io::Error),
    #[error("failed to create `{}`: {source}", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}\n\n{NO_MODEL_HELP}")]
    NoModel(String),
    #[error(transparent)]
    Critique(#[from] critique::Error),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Watch(#[from] watch::Error),
    #[error(transparent)]
    Serve(#[from] serve::Error),
    #[error("no prototype given and {0}: name its folder, such as `wow test generated/features`")]
    NoPrototype(String),
    #[error(transparent)]
    History(#[from] history::Error),
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
    #[error("`{}` has no app to serve: {why}", .dir.display())]
    NoApp { dir: PathBuf, why: String },
    #[error(transparent)]
    App(#[from] crate::webapp::Error),
    #[error("the app keeps stopping: {0}")]
    AppStopped(String),
}

const NO_MODEL_HELP: &str = "Choose a model with --model or the WOW_MODEL variable:
  OpenAI      export OPENAI_API_KEY=...;    wow run --model openai/gpt-4.1-mini
  Anthropic   export ANTHROPIC_API_KEY=...; wow run --model anthropic/claude-sonnet-4-5
  Ollama      wow run --model ollama/qwen2.5-coder:14b     (local, no key; OLLAMA_HOST for another server)
  LM Studio   wow run --model lmstudio/<model id>         (local, no key; http://localhost:1234/v1)
  Any tool    wow run --model 'cmd:<command>'             (prompt on stdin, reply on stdout)";

/// A prototype ready to be written and built: its spec, its folder (with
/// the project's extra crates), the absolute shared target directory and
/// the limits of its builds and runs.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub spec: Spec,
    pub prototype: Prototype,
    pub target_dir: PathBuf,
    pub limits: Limits,
}

/// The features under `paths`, parsed: their warnings printed on stderr,
/// and refused (exit code 2) with `deny_warnings`; the intents `filter`
/// leaves out set apart ([`Spec::select`]: a filter that selects nothing
/// is refused, exit code 2).
pub fn features(
    paths: &[PathBuf],
    deny_warnings: bool,
    filter: &spec::Filter,
) -> Result<Spec, Error> {
    let spec = spec::parse(paths)?;
    if deny_warnings {
        return Ok(spec.deny_warnings()?.select(filter)?);
    }
    for warning in &spec.warnings {
        eprintln!("{warning}");
    }
    Ok(spec.select(filter)?)
}

/// The workspace of the prototype made from `spec`: in `out`, or
/// `generated/<name>` by default; the folder and the target directory are
/// created, `wow.toml` is read from the working folder.
pub fn workspace(spec: Spec, out: Option<&Path>, build: &BuildOptions) -> Result<Workspace, Error> {
    let dir = out.map_or_else(
        || Path::new("generated").join(&spec.name),
        Path::to_path_buf,
    );
    create_dir(&dir)?;
    let crates: Vec<Crate> = crate::config::load(Path::new("."))?.crates;
    let target_dir = target_dir(build.target_dir.as_deref(), &dir)?;
    Ok(Workspace {
        spec,
        prototype: Prototype::new(dir).with_crates(crates),
        target_dir,
        limits: build.limits,
    })
}

/// The workspace of an existing prototype folder (`wow test`): its spec is
/// that of its own copies of the features, named as `wow run` named them,
/// with the intents `filter` leaves out set apart ([`Spec::select`]).
pub fn existing(
    dir: &Path,
    build: &BuildOptions,
    filter: &spec::Filter,
) -> Result<Workspace, Error> {
    let prototype = Prototype::open(dir)?;
    let mut spec = spec::parse(&[prototype.path("features")])?;
    spec.rebase("features");
    // Named as `wow run` named them, from where the product owner keeps them.
    if let Some(sources) = std::fs::read_to_string(prototype.state(SOURCES))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
    {
        spec.rebase_to(&sources);
    }
    for warning in &spec.warnings {
        eprintln!("{warning}");
    }
    let spec = spec.select(filter)?;
    let target_dir = target_dir(build.target_dir.as_deref(), dir)?;
    Ok(Workspace {
        spec,
        prototype,
        target_dir,
        limits: build.limits,
    })
}

/// The state file that keeps where each feature copy came from
/// (`.wow/sources.json`: path in `features/` → the path `wow run` read).
const SOURCES: &str = "sources.json";

/// Records where the features of `workspace` come from, so that `wow test`
/// names intents as `wow run` does.
pub fn record_sources(workspace: &Workspace) -> Result<(), Error> {
    let sources =
        serde_json::to_string_pretty(&workspace.spec.sources()).expect("paths serialize") + "\n";
    workspace.prototype.write_state(SOURCES, &sources)?;
    Ok(())
}

/// The prototype folder `wow test` and `wow restore` use when none is
/// given: the current folder if it is one, else the only one in
/// `generated/`.
pub fn find_prototype() -> Result<PathBuf, Error> {
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

/// Writes every report asked for (and `report.html` and `.wow/last-run.json`
/// in the prototype), prints the scoreboard, and returns the exit code: 0
/// when every intent is verified, 1 otherwise.
pub fn publish(report: &Report, workspace: &Workspace, reports: &Reports) -> Result<u8, Error> {
    write_reports(report, workspace, reports)?;
    report::print(report, &workspace.spec).map_err(Error::Print)?;
    Ok(u8::from(!report.all_passed()))
}

/// Writes every report asked for, and `report.html` and
/// `.wow/last-run.json` in the prototype; opens the HTML report with
/// `--open`.
pub fn write_reports(
    report: &Report,
    workspace: &Workspace,
    reports: &Reports,
) -> Result<(), Error> {
    let html = write_report_files(report, workspace, reports)?;
    if reports.open
        && let Err(error) = open::that_detached(&html)
    {
        eprintln!("could not open `{}`: {error}", spec::display_path(&html));
    }
    Ok(())
}

/// [`write_reports`] without opening anything (to rewrite reports already
/// written, such as once the app is made); the HTML report's path.
pub fn write_report_files(
    report: &Report,
    workspace: &Workspace,
    reports: &Reports,
) -> Result<PathBuf, Error> {
    let prototype = &workspace.prototype;
    let html = reports
        .html
        .clone()
        .unwrap_or_else(|| prototype.path("report.html"));
    let last_run = prototype.state("last-run.json");
    let asked = [
        (Format::Json, Some(&last_run)),
        (Format::Json, reports.json.as_ref()),
        (Format::Html, Some(&html)),
        (Format::Junit, reports.junit.as_ref()),
        (Format::Markdown, reports.markdown.as_ref()),
        (Format::CucumberJson, reports.cucumber_json.as_ref()),
        (Format::Messages, reports.messages.as_ref()),
    ];
    for (format, path) in asked {
        if let Some(path) = path {
            report::write(report, &workspace.spec, format, path)?;
        }
    }
    Ok(html)
}

/// The verdicts of `workspace` as it is on disk (no model): built, run and
/// checked. A prototype that does not compile gives intents that did not
/// run, its errors printed on stderr.
pub fn evaluate(workspace: &Workspace, progress: &Progress) -> Result<Verdicts, Error> {
    let files = workspace.prototype.read_files()?;
    let evaluation = verdict::evaluate(
        &workspace.spec,
        &workspace.prototype,
        &files,
        &workspace.target_dir,
        workspace.limits,
        progress,
        "",
    )?;
    Ok(match evaluation {
        Evaluation::Ran(verdicts) => verdicts,
        Evaluation::CompileErrors { diagnostics, .. } => {
            progress.finish();
            for diagnostic in &diagnostics {
                eprintln!("{}", diagnostic.rendered.trim_end());
            }
            let why = format!(
                "the prototype does not compile ({})",
                plural(diagnostics.len(), "error", "errors")
            );
            Verdicts {
                results: workspace.spec.intents().map(|i| i.not_run(&why)).collect(),
                ..Verdicts::default()
            }
        }
    })
}

/// The report of a command over `workspace`: the `results` and `findings`
/// of its verdicts, the rounds of `session` when the model was called, and
/// the trace of each step to the code that runs it (read from the files on
/// disk).
pub fn report(
    workspace: &Workspace,
    results: &[IntentResult],
    findings: &[Finding],
    unpinned: &[String],
    session: Option<&Session>,
    started: Instant,
) -> Result<Report, Error> {
    let files = workspace.prototype.read_files()?;
    Ok(Report::new(
        &workspace.spec,
        &Sources {
            results,
            findings,
            traces: &crate::audit::trace(&workspace.spec, &files, &workspace.prototype.layout()),
            session,
            prototype: Some(&workspace.prototype.dir),
            duration_ms: millis(started.elapsed()),
            unpinned,
        },
    ))
}

fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|source| Error::CreateDir {
        path: path.to_owned(),
        source,
    })
}

/// The shared target directory, absolute (cargo runs inside the
/// prototype): the one given, else `.target` next to the prototype folder,
/// found from its absolute path so that `wow test` run inside the folder
/// (`.`) shares it too rather than making one inside the prototype.
fn target_dir(given: Option<&Path>, prototype_dir: &Path) -> Result<PathBuf, Error> {
    let dir = if let Some(dir) = given {
        dir.to_path_buf()
    } else {
        let absolute = std::fs::canonicalize(prototype_dir).map_err(|source| Error::CreateDir {
            path: prototype_dir.to_owned(),
            source,
        })?;
        absolute.parent().unwrap_or(Path::new("/")).join(".target")
    };
    create_dir(&dir)?;
    std::fs::canonicalize(&dir).map_err(|source| Error::CreateDir { path: dir, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wow_test_names_intents_as_wow_run_did() {
        let root = tempfile::tempdir().expect("temporary folder");
        let gym = root.path().join("gym");
        std::fs::create_dir_all(&gym).expect("features folder");
        std::fs::write(
            gym.join("gym_membership.feature"),
            "Feature: Gym\n  Scenario: Joining\n    Given a visitor\n    Then she is a member\n",
        )
        .expect("a feature");
        let spec = spec::parse(std::slice::from_ref(&gym)).expect("valid");
        let run_ids: Vec<String> = spec.intents().map(|i| i.id.clone()).collect();
        let build = BuildOptions {
            target_dir: Some(root.path().join("target")),
            ..BuildOptions::default()
        };
        let out = root.path().join("generated/gym");
        let workspace = workspace(spec, Some(&out), &build).expect("workspace");
        workspace
            .prototype
            .write_skeleton(&workspace.spec, &workspace.target_dir)
            .expect("skeleton");
        record_sources(&workspace).expect("sources");
        let tested = existing(&out, &build, &spec::Filter::default()).expect("the prototype opens");
        let test_ids: Vec<String> = tested.spec.intents().map(|i| i.id.clone()).collect();
        assert_eq!(test_ids, run_ids);
        assert!(
            run_ids[0].ends_with("gym/gym_membership.feature:2"),
            "{run_ids:?}"
        );
    }

    #[test]
    fn the_default_target_directory_sits_next_to_the_prototype_even_from_inside_it() {
        let root = tempfile::tempdir().expect("temporary folder");
        let prototype = root.path().join("generated/shop");
        std::fs::create_dir_all(&prototype).expect("prototype folder");
        let expected = std::fs::canonicalize(root.path())
            .expect("absolute")
            .join("generated/.target");
        assert_eq!(target_dir(None, &prototype).expect("target"), expected);
        // `wow test` inside the prototype folder names it `.`.
        let inside = prototype.join(".");
        assert_eq!(target_dir(None, &inside).expect("target"), expected);
        let given = root.path().join("elsewhere");
        assert_eq!(
            target_dir(Some(&given), &prototype).expect("target"),
            std::fs::canonicalize(&given).expect("created")
        );
    }
}
