//! One function per command, each a short table of contents over the
//! stages: what it reads, what it asks the model, what it builds, what it
//! reports.
//!
//! In: the command's options. Out: the exit code, or an [`Error`]. What
//! must not happen here: a stage's own work (parsing, prompting, building,
//! rendering) — each is one call.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::model::{self, Chosen};
use super::safety;
use super::{Check, Critique, Error, PromptOnly, Run, Serve, Test, Watch, Workspace};
use crate::llm::{self, Llm, replay};
use crate::progress::Progress;
use crate::repair;
use crate::report::Report;
use crate::spec::{self, Spec};
use crate::vocabulary::{Files, millis};

/// `wow run`: generate a prototype from the features, build it, run the
/// scenarios and repair what fails; then the reports.
pub fn run(options: &Run, progress: &Progress) -> Result<u8, Error> {
    let started = Instant::now();
    let spec = super::features(&options.paths, options.deny_warnings, &options.filter)?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| Path::new("generated").join(&spec.name));
    let Chosen {
        model: mut llm,
        is_replay,
    } = model::choose(&options.model, &out, &spec, progress)?;
    let workspace = super::workspace(spec, Some(&out), &options.build)?;
    let _lock = safety::before_writing(&workspace.prototype, options.force, progress)?;
    safety::announce(&workspace.limits, &workspace.prototype)?;
    workspace
        .prototype
        .write_skeleton(&workspace.spec, &workspace.target_dir)?;
    lay_out(
        &workspace,
        &repair::Start::Generate,
        options.model.jobs,
        is_replay,
    )?;
    super::record_sources(&workspace)?;
    let warming = super::warm::start(&workspace, progress);
    if warming.is_some() {
        progress.note(crate::report::words::WARMING);
    }
    let (session, exchanges) = repair::run(
        &workspace.spec,
        &workspace.prototype,
        &workspace.target_dir,
        llm.as_mut(),
        progress,
        repair::Options {
            max_repairs: options.max_repairs,
            limits: workspace.limits,
            first_round: 1,
            jobs: options.model.jobs,
        },
        repair::Start::Generate,
    )?;
    if let Some(warming) = warming {
        // Long finished, unless every round failed before building.
        let _ = warming.join();
    }
    if !is_replay {
        replay::write(&workspace.prototype.dir, &exchanges)?;
    }
    let mut report = session_report(&workspace, &session, started)?;
    if options.critique {
        if is_replay {
            progress.note("no critique: a replay has no model to ask for a second opinion");
        } else if !report.all_passed() {
            progress.note("no critique: it runs after a run where every intent is verified");
        } else {
            let mut critique =
                second_opinion(&workspace.spec, &options.paths, llm.as_mut(), progress)?;
            super::beyond::check(&workspace, &mut critique, progress)?;
            report.critique = Some(critique);
        }
    }
    progress.finish();
    // The scoreboard first: the app comes after it, never in its way.
    let code = super::publish(&report, &workspace, &options.reports)?;
    if let Some(critique) = &report.critique {
        print_critique(critique);
    }
    if options.app {
        let mut recorded = if is_replay {
            replay::Replay::open_app(&workspace.prototype.dir, &workspace.spec).ok()
        } else {
            None
        };
        let model: Option<&mut dyn Llm> = if is_replay {
            recorded.as_mut().map(|r| r as &mut dyn Llm)
        } else {
            Some(llm.as_mut())
        };
        super::webapp::attach(
            &workspace,
            &mut report,
            model,
            !is_replay,
            options.max_repairs,
            progress,
        )?;
        progress.finish();
        super::write_report_files(&report, &workspace, &options.reports)?;
        super::webapp::print_app_line(&report);
    }
    Ok(code)
}

/// `wow check`: parse the features and list their intents (no model).
pub fn check(options: &Check) -> Result<u8, Error> {
    let started = Instant::now();
    let spec = super::features(
        &options.paths,
        options.deny_warnings,
        &spec::Filter::default(),
    )?;
    let report = Report::listing(&spec, millis(started.elapsed()));
    if let Some(path) = &options.json {
        crate::report::write(&report, &spec, crate::report::Format::Json, path)?;
    }
    crate::report::print(&report, &spec).map_err(Error::Print)?;
    Ok(0)
}

/// `wow prompt`: print the exact generation prompt (no model).
pub fn prompt(options: &PromptOnly) -> Result<u8, Error> {
    let spec = super::features(
        &options.paths,
        options.deny_warnings,
        &spec::Filter::default(),
    )?;
    let crates = crate::config::load(Path::new("."))?.crates;
    let prompt = crate::prompt::generate(&spec).with_crates(&crates);
    print!("{}", prompt.to_text());
    Ok(0)
}

/// `wow test`: rebuild an existing prototype and re-run its scenarios (no
/// model), for engineers who edited it.
pub fn test(options: &Test, progress: &Progress) -> Result<u8, Error> {
    let started = Instant::now();
    let dir = match &options.dir {
        Some(dir) => dir.clone(),
        None => super::find_prototype()?,
    };
    let workspace = super::existing(&dir, &options.build, &options.filter)?;
    let _lock = crate::prototype::history::lock(&workspace.prototype)?;
    safety::announce(&workspace.limits, &workspace.prototype)?;
    let report = checked_report(&workspace, progress, started)?;
    super::publish(&report, &workspace, &options.reports)
}

/// `wow critique`: a second opinion on the scenarios, written next to them.
pub fn critique(options: &Critique, progress: &Progress) -> Result<u8, Error> {
    let spec = super::features(
        &options.paths,
        options.deny_warnings,
        &spec::Filter::default(),
    )?;
    let mut llm = model::live(&options.model, "`wow critique` needs a model")?;
    let prototype_dir = Path::new("generated").join(&spec.name);
    let mut critique = second_opinion(&spec, &options.paths, llm.as_mut(), progress)?;
    // Against the prototype made from these features, when there is one.
    if crate::prototype::Prototype::open(&prototype_dir).is_ok() {
        let workspace =
            super::workspace(spec, Some(&prototype_dir), &super::BuildOptions::default())?;
        let _lock = crate::prototype::history::lock(&workspace.prototype)?;
        super::beyond::check(&workspace, &mut critique, progress)?;
    }
    progress.finish();
    print_critique(&critique);
    Ok(0)
}

/// `wow watch`: runs, then re-runs whenever a feature file is saved, with an
/// edit round from the current prototype. `publish` is told every report
/// (`wow serve` shows it). Ends only on Ctrl-C, which leaves the last good
/// prototype on disk.
pub fn watch(options: &Watch, progress: &Progress, publish: &Publish<'_>) -> Result<u8, Error> {
    let mut llm = model::live(
        &options.model,
        "`wow watch` needs a model: it updates the prototype when a feature changes",
    )?;
    let watcher = crate::watch::Watcher::new(&options.paths)?;
    // The first pass's round waits for it on the target directory's lock;
    // never joined: a watch ends only on Ctrl-C, which ends its cargo too.
    if warm_up(options, progress).is_some() {
        progress.note(crate::report::words::WARMING);
    }
    let last_good: Arc<Mutex<Option<(crate::prototype::Prototype, Files)>>> =
        Arc::new(Mutex::new(None));
    let restore = Arc::clone(&last_good);
    // Only the first handler counts; a second `set_handler` fails, harmlessly.
    let _ = ctrlc::set_handler(move || {
        crate::cargo::kill_running();
        crate::webapp::stop_all();
        if let Ok(Some((prototype, files))) = restore.lock().map(|g| g.clone()) {
            let _ = prototype.write_files(&files);
        }
        eprintln!("\nstopped; the last good prototype is on disk");
        std::process::exit(130);
    });
    let mut previous: Option<(Spec, Report)> = None;
    let mut runs = 0;
    let mut rounds = 0;
    loop {
        match watch_once(
            options,
            llm.as_mut(),
            previous.as_ref(),
            rounds + 1,
            progress,
        ) {
            Ok(Some((workspace, mut report))) => {
                progress.finish();
                runs += 1;
                rounds = report.rounds.last().map_or(rounds, |r| r.number);
                match &previous {
                    // The meeting's terminal: what changed first, then only
                    // what does not pass.
                    Some((_, old)) => {
                        super::write_reports(&report, &workspace, &options.reports)?;
                        print!(
                            "{}",
                            crate::watch::since(old, &report).compact(runs, &report)
                        );
                    }
                    None => {
                        super::publish(&report, &workspace, &options.reports)?;
                    }
                }
                publish(&report, &workspace, None);
                // The scoreboard first; then this round's app, which the
                // dashboard shows once it is made.
                if options.app {
                    match super::webapp::attach(
                        &workspace,
                        &mut report,
                        Some(llm.as_mut()),
                        true,
                        options.max_repairs,
                        progress,
                    ) {
                        Ok(app) => {
                            progress.finish();
                            super::write_report_files(&report, &workspace, &options.reports)?;
                            super::webapp::print_app_line(&report);
                            publish(&report, &workspace, app.as_deref());
                        }
                        Err(error) => {
                            progress.finish();
                            eprintln!("error: {error}");
                        }
                    }
                }
                let prototype = workspace.prototype;
                if let (Ok(files), Ok(mut good)) = (prototype.read_files(), last_good.lock()) {
                    *good = Some((prototype, files));
                }
                previous = Some((workspace.spec, report));
            }
            Ok(None) => {}
            // A filter that selects nothing from the start is bad input, as
            // for `wow run`; later, a save may have removed a tag: go on.
            Err(error @ Error::Spec(spec::Error::NothingSelected { .. })) if previous.is_none() => {
                progress.finish();
                return Err(error);
            }
            Err(error) => {
                progress.finish();
                eprintln!("error: {error}");
            }
        }
        progress.phase("watching the feature files: save one to re-run, Ctrl-C to stop");
        watcher.wait()?;
    }
}

/// What `wow watch` hands on after each pass: the report, the workspace,
/// and the app's executable when it built (`wow serve` restarts the app).
pub type Publish<'a> = dyn Fn(&Report, &Workspace, Option<&Path>) + 'a;

/// Decides how the prototype is split between model calls and keeps it
/// with the prototype ([`crate::shard`]): a generation is sharded when
/// there are several features and `jobs` allows more than one call; a
/// replay (`replayed`) keeps the layout it was recorded with; an edit
/// keeps the prototype's layout, brought to the current features.
fn lay_out(
    workspace: &Workspace,
    start: &repair::Start,
    jobs: usize,
    replayed: bool,
) -> Result<(), Error> {
    let prototype = &workspace.prototype;
    let layout = match (start, replayed) {
        (repair::Start::Edit { .. }, _) => prototype.layout().follow(&workspace.spec).0,
        (repair::Start::Generate, true) => {
            let recorded = replay::Replay::open(&prototype.dir, &workspace.spec)
                .is_ok_and(|r| r.exchanges().iter().any(|e| e.prompt.shard.is_some()));
            if recorded {
                prototype.layout()
            } else {
                crate::shard::Layout::default()
            }
        }
        (repair::Start::Generate, false) => crate::shard::Layout::plan(&workspace.spec, jobs),
    };
    prototype.set_layout(&layout)?;
    Ok(())
}

/// Starts compiling the prototype's dependencies on a first run with this
/// target directory (see [`super::warm`]), when the features parse.
fn warm_up(options: &Watch, progress: &Progress) -> Option<std::thread::JoinHandle<()>> {
    let spec = spec::parse(&options.paths).ok()?;
    let workspace = super::workspace(spec, options.out.as_deref(), &options.build).ok()?;
    super::warm::start(&workspace, progress)
}

/// One pass of `wow watch`: `None` when a save changed no scenario.
fn watch_once(
    options: &Watch,
    llm: &mut dyn Llm,
    previous: Option<&(Spec, Report)>,
    first_round: u32,
    progress: &Progress,
) -> Result<Option<(Workspace, Report)>, Error> {
    let started = Instant::now();
    let spec = super::features(&options.paths, options.deny_warnings, &options.filter)?;
    let workspace = super::workspace(spec, options.out.as_deref(), &options.build)?;
    let prototype = &workspace.prototype;
    let files = prototype.read_files()?;
    let before = previous
        .map(|(spec, _)| spec.clone())
        .or_else(|| spec::parse(&[prototype.path("features")]).ok());
    let start = match before {
        Some(before) if !files.is_empty() => {
            let changes = crate::watch::changes(&before, &workspace.spec);
            if changes.is_empty() && previous.is_some() {
                return Ok(None);
            }
            (!changes.is_empty()).then(|| repair::Start::Edit {
                files,
                changes: changes.describe(),
                touched: changes.touched.clone(),
            })
        }
        _ => Some(repair::Start::Generate),
    };
    prototype.write_skeleton(&workspace.spec, &workspace.target_dir)?;
    if let Some(start) = &start {
        lay_out(&workspace, start, options.model.jobs, false)?;
    }
    super::record_sources(&workspace)?;
    let report = match start {
        // The prototype already matches these features: check it as it is.
        None => checked_report(&workspace, progress, started)?,
        Some(start) => {
            let options = repair::Options {
                max_repairs: options.max_repairs,
                limits: workspace.limits,
                first_round,
                jobs: options.model.jobs,
            };
            let (session, exchanges) = repair::run(
                &workspace.spec,
                prototype,
                &workspace.target_dir,
                llm,
                progress,
                options,
                start,
            )?;
            replay::write(&prototype.dir, &exchanges)?;
            session_report(&workspace, &session, started)?
        }
    };
    Ok(Some((workspace, report)))
}

/// The report of the prototype as it is on disk, built, run and checked
/// without the model.
fn checked_report(
    workspace: &Workspace,
    progress: &Progress,
    started: Instant,
) -> Result<Report, Error> {
    let verdicts = super::evaluate(workspace, progress)?;
    progress.finish();
    super::report(
        workspace,
        &verdicts.results,
        &verdicts.findings,
        &verdicts.unpinned,
        None,
        started,
    )
}

/// The report of a run of the repair loop: the best round's verdicts and
/// every round.
fn session_report(
    workspace: &Workspace,
    session: &crate::vocabulary::Session,
    started: Instant,
) -> Result<Report, Error> {
    super::report(
        workspace,
        &session.results,
        &session.findings,
        &session.unpinned,
        Some(session),
        started,
    )
}

/// `wow serve`: `wow watch` with a live dashboard on 127.0.0.1.
pub fn serve(options: &Serve, progress: Progress) -> Result<u8, Error> {
    let slot = crate::webapp::proxy::Slot::new(crate::report::words::APP_WAITS);
    let server = Arc::new(crate::serve::Server::start(
        options.port,
        Arc::clone(&slot),
    )?);
    // On stdout too, so a script can find the address.
    println!("the live report is at {}", server.url());
    let listener = Arc::clone(&server);
    let progress = progress.with_listener(Arc::new(move |text: &str| listener.progress(text)));
    let running: Mutex<Option<crate::webapp::Running>> = Mutex::new(None);
    watch(
        &options.watch,
        &progress,
        &|report: &Report, workspace: &Workspace, app: Option<&Path>| {
            let mut running = running
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // The previous round's app stops before this round's starts.
            *running = None;
            let why = match app.map(|app| crate::webapp::Running::start(app, &workspace.limits)) {
                Some(Ok(app)) => {
                    slot.up(app.address);
                    *running = Some(app);
                    None
                }
                Some(Err(error)) => Some(error.to_string()),
                None => Some(match &report.app {
                    Some(app) => app.reason.clone().unwrap_or_default(),
                    None if options.watch.app => crate::report::words::APP_COMING.to_owned(),
                    None => crate::report::words::APP_OFF.to_owned(),
                }),
            };
            if let Some(why) = why {
                slot.down(&why);
            }
            server.publish(report);
        },
    )
}

/// Asks `llm` for a second opinion on the scenarios and writes the
/// suggestions next to the features: one file per language the features
/// are written in (each in its own language), each asked for once more
/// with the parser's message when its Gherkin is not valid.
fn second_opinion(
    spec: &Spec,
    paths: &[PathBuf],
    llm: &mut dyn Llm,
    progress: &Progress,
) -> Result<crate::critique::Critique, Error> {
    let mut languages: Vec<&str> = Vec::new();
    for feature in &spec.features {
        let language = spec::language(&feature.text).unwrap_or("en");
        if !languages.contains(&language) {
            languages.push(language);
        }
    }
    let mut all: Option<crate::critique::Critique> = None;
    for language in &languages {
        let part = Spec {
            features: spec
                .features
                .iter()
                .filter(|f| spec::language(&f.text).unwrap_or("en") == *language)
                .cloned()
                .collect(),
            ..spec.clone()
        };
        let name = if languages.len() == 1 {
            spec.name.clone()
        } else {
            format!("{}-{language}", spec.name)
        };
        let critique = critique_one(&part, paths, &name, llm, progress)?;
        all = Some(match all {
            None => critique,
            Some(mut so_far) => {
                so_far.more_files.push(critique.file);
                so_far.questions.extend(critique.questions);
                so_far
            }
        });
    }
    Ok(all.expect("a spec has at least one feature"))
}

/// One critique call for `spec` (features of one language), written as
/// `suggested/<name>.feature`; asked again once when the Gherkin is invalid.
fn critique_one(
    spec: &Spec,
    paths: &[PathBuf],
    name: &str,
    llm: &mut dyn Llm,
    progress: &Progress,
) -> Result<crate::critique::Critique, Error> {
    progress.phase(&format!(
        "asking {} for a second opinion on the scenarios",
        llm.name()
    ));
    let folder = crate::critique::folder(paths);
    let prompt = crate::prompt::critique(spec);
    let reply = ask(llm, &prompt, progress)?;
    match crate::critique::write(&reply, &folder, name) {
        Err(crate::critique::Error::Invalid {
            message,
            reply: kept,
            ..
        }) => {
            progress.note(&format!(
                "the suggested scenarios are not valid Gherkin (the reply is kept in `{}`): asking again with the parser's message",
                spec::display_path(&kept)
            ));
            let again = crate::prompt::critique_again(spec, &reply, &message);
            let reply = ask(llm, &again, progress)?;
            Ok(crate::critique::write(&reply, &folder, name)?)
        }
        written => Ok(written?),
    }
}

/// The text of `llm`'s reply to `prompt`, saying when it was cut off.
fn ask(
    llm: &mut dyn Llm,
    prompt: &crate::prompt::Prompt,
    progress: &Progress,
) -> Result<String, Error> {
    let reply = llm.complete(prompt, progress)?;
    if let llm::Finish::Truncated { reason } = &reply.finish {
        progress.note(&format!(
            "the critique was cut off (`{reason}`): using what arrived"
        ));
    }
    Ok(reply.text)
}

fn print_critique(critique: &crate::critique::Critique) {
    let files: Vec<String> = std::iter::once(&critique.file)
        .chain(&critique.more_files)
        .map(|f| spec::display_path(f))
        .collect();
    println!(
        "\nsuggested scenarios: {} (move the ones you want into your features)",
        files.join(", ")
    );
    if !critique.checked.is_empty() {
        let count = |status| {
            critique
                .checked
                .iter()
                .filter(|s| s.status == status)
                .count()
        };
        println!(
            "against the current prototype (never shown to the model): {} already pass, {} fail, {} not understood yet",
            count(crate::vocabulary::Status::Passed),
            count(crate::vocabulary::Status::Failed),
            critique.checked.len()
                - count(crate::vocabulary::Status::Passed)
                - count(crate::vocabulary::Status::Failed),
        );
        for suggested in &critique.checked {
            println!(
                "  {} {}",
                crate::report::words::status(suggested.status).1,
                suggested.name
            );
        }
    }
    if !critique.questions.is_empty() {
        println!("questions for the product owner:");
        for question in &critique.questions {
            println!("  - {}", crate::cargo::sanitize(question));
        }
    }
}
