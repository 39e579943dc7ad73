//! Runs every scenario in `features/` against `steps::World`.
//!
//! Written by wow: it rewrites this file on every run. Run it with
//! `cargo test --test intents`; it prints a readable summary. When `wow`
//! runs it (the `WOW_RESULTS` variable set), it first reads a random value
//! from stdin to the end, before any step can run, and after the run
//! prints the Cucumber JSON results between two lines carrying that value.
//! The steps never see the value, so they cannot forge the results.

mod steps;

use std::io::{self, Read as _, Write as _};
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::writer::Stats as _;
use cucumber::{WriterExt as _, writer};

/// Set by wow when it wants the framed results.
const FRAMED: &str = "WOW_RESULTS";

fn main() {
    let nonce = std::env::var_os(FRAMED).map(|_| {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .expect("wow sends the frame's value on stdin");
        text.trim().to_owned()
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let json = Buffer::default();
    let failed = runtime.block_on(run(json.clone()));
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

/// Runs the scenarios, writing the Cucumber JSON into `json`; returns
/// whether any failed.
async fn run(json: Buffer) -> bool {
    // The steps' own collection, run by cucumber's default parser and
    // runner: a `World` impl cannot swap in another parser here.
    let steps = <steps::World as cucumber::World>::collection();
    let writer = cucumber::Cucumber::new()
        .steps(steps)
        .with_writer(
            writer::Basic::raw(io::stdout(), writer::Coloring::Auto, 0)
                .summarized()
                .tee::<steps::World, _>(writer::Json::for_tee(json))
                .normalized(),
        )
        // Only after `with_writer`: called before it, it is silently dropped.
        .fail_on_skipped()
        .run("features")
        .await;
    writer.execution_has_failed()
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
