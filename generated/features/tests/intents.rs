//! Runs every scenario in `features/` against the step definitions: each
//! `World` of `WORLDS` over its feature files, in turn.
//!
//! Written by wow: it rewrites this file on every run. Run it with
//! `cargo test --test intents`; it prints a readable summary, and takes
//! cucumber's own options, such as `-- --tags @discount` or `-- --name
//! Refund`. When `wow` runs it (the `WOW_RESULTS` variable set), it first
//! reads stdin to the end, before any step can run: a random value on the
//! first line, then the scenarios to run, when wow runs only some, one a
//! line as `<line> <path under features/>` (the line cucumber gives the
//! scenario, or an Examples row). After the run it prints the Cucumber
//! JSON results between two lines carrying that value. The steps never see
//! the value, so they cannot forge the results.

mod steps;

use std::collections::HashSet;
use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::writer::Stats as _;
use cucumber::{WriterExt as _, writer};

/// Set by wow when it wants the framed results.
const FRAMED: &str = "WOW_RESULTS";

/// The scenarios wow asks for, by path under `features/` and line.
type Selected = HashSet<(String, usize)>;

fn main() {
    let framed = std::env::var_os(FRAMED).map(|_| {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .expect("wow sends the frame's value on stdin");
        text
    });
    match framed {
        Some(text) => {
            let (nonce, selected) = framing(&text);
            scenarios(Some(nonce), selected)
        }
        None => scenarios(None, None),
    }
}

/// What wow sent on stdin: the nonce (first line), and the scenarios to run
/// when it runs only some (`None`: all).
fn framing(text: &str) -> (String, Option<Selected>) {
    let mut lines = text.lines();
    let nonce = lines.next().unwrap_or_default().trim().to_owned();
    let selected: Selected = lines
        .filter_map(|line| {
            let (number, path) = line.split_once(' ')?;
            Some((path.to_owned(), number.parse().ok()?))
        })
        .collect();
    (nonce, (!selected.is_empty()).then_some(selected))
}

/// Runs the scenarios (only the `selected` ones, when given) and, given
/// `nonce`, prints the Cucumber JSON results framed by it; then exits, 1
/// when a scenario failed (2 when the results could not be printed),
/// without waiting for what steps left running.
fn scenarios(nonce: Option<String>, selected: Option<Selected>) -> ! {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let json = Buffer::default();
    let failed = runtime.block_on(run(json.clone(), selected));
    if let Some(nonce) = nonce {
        let bytes = json.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Held for the whole block: no step's thread can print inside it.
        let mut out = io::stdout().lock();
        let written = writeln!(out, "\nwow-results-begin {nonce}")
            .and_then(|()| out.write_all(&bytes))
            .and_then(|()| writeln!(out, "\nwow-results-end {nonce}"))
            .and_then(|()| out.flush());
        if written.is_err() {
            std::process::exit(2);
        }
    }
    std::process::exit(i32::from(failed));
}

/// Runs the scenarios (only the `selected` ones, when given), each World
/// over its feature files, writing the Cucumber JSON into `json`; returns
/// whether any failed.
async fn run(json: Buffer, selected: Option<Selected>) -> bool {
    let root = std::fs::canonicalize("features").unwrap_or_else(|_| "features".into());
    let mut failed = false;
    for (name, files) in WORLDS {
        let task = Scenarios {
            json: json.clone(),
            selected: selected.clone(),
            root: root.clone(),
            files,
        };
        failed |= with_world(name, task).await.unwrap_or(true);
    }
    failed
}

/// Something to run with one `World`'s step definitions.
trait Task {
    type Output;
    async fn with<W>(self) -> Self::Output
    where
        W: cucumber::World + std::fmt::Debug + cucumber::codegen::WorldInventory;
}

/// Each `World` by name, with the feature files (under `features/`) it
/// runs; none: every file.
const WORLDS: &[(&str, &[&str])] = &[
    ("banking", &["banking.feature"]),
    ("library_loans", &["library_loans.feature"]),
    ("reservation_salle", &["reservation_salle.feature"]),
    ("shopping_cart", &["shopping_cart.feature"]),
];

/// Runs `task` with the `World` named `name` (`None`: no such World).
async fn with_world<T: Task>(name: &str, task: T) -> Option<T::Output> {
    match name {
        "banking" => Some(task.with::<steps::banking::World>().await),
        "library_loans" => Some(task.with::<steps::library_loans::World>().await),
        "reservation_salle" => Some(task.with::<steps::reservation_salle::World>().await),
        "shopping_cart" => Some(task.with::<steps::shopping_cart::World>().await),
        _ => None,
    }
}

/// The scenarios of some feature files (none: all), run with one `World`.
struct Scenarios {
    json: Buffer,
    selected: Option<Selected>,
    root: std::path::PathBuf,
    files: &'static [&'static str],
}

impl Task for Scenarios {
    /// Whether any scenario failed.
    type Output = bool;

    async fn with<W>(self) -> bool
    where
        W: cucumber::World + std::fmt::Debug + cucumber::codegen::WorldInventory,
    {
        let Self {
            json,
            selected,
            root,
            files,
        } = self;
        // The steps' own collection, run by cucumber's default parser and
        // runner: a `World` impl cannot swap in another parser here.
        let steps = <W as cucumber::World>::collection();
        let writer = cucumber::Cucumber::new()
            .steps(steps)
            .with_writer(
                writer::Basic::raw(io::stdout(), writer::Coloring::Auto, 0)
                    .summarized()
                    .tee::<W, _>(writer::Json::for_tee(json))
                    .normalized(),
            )
            // Only after `with_writer`: called before it, it is silently dropped.
            .fail_on_skipped()
            .filter_run("features", move |feature, _, scenario| {
                let Some(path) = feature.path.as_deref().map(|p| under(&root, p)) else {
                    return false;
                };
                (files.is_empty() || files.contains(&path.as_str()))
                    && selected
                        .as_ref()
                        .is_none_or(|selected| selected.contains(&(path, scenario.position.line)))
            })
            .await;
        writer.execution_has_failed()
    }
}

/// The path of a feature file under the `features/` folder `root`,
/// `/`-separated.
fn under(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The Cucumber JSON, kept in memory.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
