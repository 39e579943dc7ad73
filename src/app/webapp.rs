//! The prototype's web app in the commands: made after the rounds of `wow
//! run` (and of every save in `wow watch` and `wow serve`), served by `wow
//! app` and below `/app/` by `wow serve`.
//!
//! In: a workspace, its report, and the model when there is one. Out: the
//! report's `app` part, the app's recording, and a running app behind
//! wow's server. What must not happen here: the app changing a verdict
//! (it is made after the report's verdicts exist, and every failure of it
//! is a status, not an error).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{App, Error, Workspace};
use crate::llm::{Llm, replay};
use crate::progress::Progress;
use crate::report::Report;
use crate::vocabulary::Status;
use crate::webapp::make::{self, Inputs};
use crate::webapp::proxy::Slot;
use crate::webapp::{self, Running};

/// Times the app may stop on its own before `wow app` gives up.
const RESTARTS: u32 = 5;

/// Makes the app of `workspace` (building the page on disk, or asking
/// `llm`) and puts its status in `report`; records the model's app
/// exchanges when `record`. Returns the app's executable when it built.
pub fn attach(
    workspace: &Workspace,
    report: &mut Report,
    llm: Option<&mut dyn Llm>,
    record: bool,
    max_repairs: u32,
    progress: &Progress,
) -> Result<Option<PathBuf>, Error> {
    let pinned = pinned(report);
    // With a filter, intents left out are not verified: no app.
    let all_verified =
        report.all_passed() && report.summary.intents > 0 && report.summary.left_out == 0;
    let made = make::make(
        inputs(workspace, &pinned, all_verified, max_repairs),
        llm,
        progress,
    );
    if record && !made.exchanges.is_empty() {
        replay::write_app(&workspace.prototype.dir, &made.exchanges)?;
    }
    report.app = Some(made.report);
    Ok(made.executable)
}

/// Prints the app's line of `report` (after the scoreboard, once the app
/// is made), in the scoreboard's colours.
pub fn print_app_line(report: &Report) {
    let mut out = String::new();
    crate::report::terminal::app_line(
        &mut out,
        report,
        report.prototype.as_deref().unwrap_or_default(),
    );
    print!("{}", anstream::adapter::strip_str(&out));
}

/// What [`make::make`] needs of `workspace`.
fn inputs<'a>(
    workspace: &'a Workspace,
    pinned: &'a [String],
    all_verified: bool,
    max_repairs: u32,
) -> Inputs<'a> {
    Inputs {
        spec: &workspace.spec,
        prototype: &workspace.prototype,
        target_dir: &workspace.target_dir,
        limits: workspace.limits,
        pinned,
        all_verified,
        max_repairs,
    }
}

/// The functions the verified intents of `report` pin down, each once.
fn pinned(report: &Report) -> Vec<String> {
    let mut pinned: Vec<String> = report
        .intents
        .iter()
        .filter(|i| i.status == Status::Passed)
        .flat_map(|i| i.pinned_by.iter().cloned())
        .collect();
    pinned.sort();
    pinned.dedup();
    pinned
}

/// The pinned functions of the last report of the prototype
/// (`.wow/last-run.json`, written by wow), or none.
fn last_pinned(workspace: &Workspace) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Last {
        intents: Vec<LastIntent>,
    }
    #[derive(serde::Deserialize)]
    struct LastIntent {
        status: Status,
        #[serde(default)]
        pinned_by: Vec<String>,
    }
    let Ok(text) = std::fs::read_to_string(workspace.prototype.state("last-run.json")) else {
        return Vec::new();
    };
    let Ok(last) = serde_json::from_str::<Last>(&text) else {
        return Vec::new();
    };
    let mut pinned: Vec<String> = last
        .intents
        .into_iter()
        .filter(|i| i.status == Status::Passed)
        .flat_map(|i| i.pinned_by)
        .collect();
    pinned.sort();
    pinned.dedup();
    pinned
}

/// `wow app`: builds the prototype's app and serves it on 127.0.0.1 until
/// Ctrl-C, or until nobody visited it for the idle time.
pub fn app(options: &App, progress: &Progress) -> Result<u8, Error> {
    let dir = match &options.dir {
        Some(dir) => dir.clone(),
        None => super::find_prototype()?,
    };
    let workspace = super::existing(&dir, &options.build, &crate::spec::Filter::default())?;
    super::safety::announce(&workspace.limits, &workspace.prototype)?;
    let made = {
        let _lock = crate::prototype::history::lock(&workspace.prototype)?;
        workspace.prototype.check_features(&workspace.target_dir)?;
        let pinned = last_pinned(&workspace);
        make::make(inputs(&workspace, &pinned, false, 0), None, progress)
    };
    progress.finish();
    let Some(executable) = made.executable else {
        return Err(Error::NoApp {
            dir: workspace.prototype.dir.clone(),
            why: made.report.reason.unwrap_or_default(),
        });
    };
    if let Some(why) = &made.report.reason {
        eprintln!("warning: {why}");
    }
    let slot = Slot::new("it is starting");
    let server = crate::serve::AppServer::start(options.port, Arc::clone(&slot))?;
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // The loop below notices, and the app and its scratch folder go with
    // it; a second Ctrl-C (or a handler already set) ends at once.
    if ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            webapp::stop_all();
            std::process::exit(130);
        }
    })
    .is_err()
    {
        eprintln!("warning: Ctrl-C will not stop the app cleanly");
    }
    let mut running = Running::start(&executable, &workspace.limits)?;
    slot.up(running.address);
    // On stdout, so a script can find the address.
    println!("the prototype's app is at {}", server.url());
    let idle = Duration::from_secs(options.idle_minutes.saturating_mul(60));
    let mut restarts = 0;
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if interrupted.load(Ordering::SeqCst) {
            return Ok(130);
        }
        if slot.idle() >= idle && since.elapsed() >= idle {
            eprintln!(
                "stopped: nobody used the app for {} minutes",
                options.idle_minutes
            );
            return Ok(0);
        }
        if let Some(why) = running.stopped() {
            restarts += 1;
            slot.down(&why);
            eprintln!("the app stopped: {why}");
            if restarts > RESTARTS {
                return Err(Error::AppStopped(why));
            }
            running = Running::start(&executable, &workspace.limits)?;
            slot.up(running.address);
            since = Instant::now();
        }
    }
}
