//! Runs every scenario in `features/` against `steps::World`.
//!
//! Written by wow: it rewrites this file on every run. Run it with
//! `cargo test --test intents`; it prints a readable summary and writes the
//! Cucumber JSON results to `.wow/cucumber.json` for `wow` to read.

mod steps;

use std::{fs, io};

use cucumber::{World as _, WriterExt as _, writer};

#[tokio::main]
async fn main() {
    // Paths are relative to the prototype folder, where `cargo test` and
    // `wow` run this harness: the folder may move, and prototypes share one
    // target directory.
    fs::create_dir_all(".wow").expect("the prototype folder must be writable");
    let json = fs::File::create(".wow/cucumber.json")
        .expect("the prototype's `.wow/` folder must be writable");
    steps::World::cucumber()
        .with_writer(
            writer::Basic::raw(io::stdout(), writer::Coloring::Auto, 0)
                .summarized()
                .tee::<steps::World, _>(writer::Json::for_tee(json))
                .normalized(),
        )
        // Only after `with_writer`: called before it, it is silently dropped.
        .fail_on_skipped()
        .run_and_exit("features")
        .await;
}
