//! The integration tests of `wow`, one binary (one link, shared helpers).
//!
//! - `browser_tools`: Chromium, Node.js and the Cucumber tools of
//!   `tests/tools`, checked first: without them the run stops at once,
//!   saying what to install.
//! - `conformance`: parsing against the cucumber/gherkin conformance data.
//! - `app`: `wow app` on the bundled example, clicked through in headless
//!   Chromium (node's `puppeteer-core` in `tests/tools`); a hostile page
//!   against the app's sandbox.
//! - `cli`: the real binary on feature files: `check`, `prompt`, bad input,
//!   exit codes.
//! - `critique`: `wow critique`: invalid Gherkin sent back once, one
//!   suggestion file per language, readable files.
//! - `examples`: the bundled examples through replay, as the README runs them;
//!   `--tags` and `--name` on `wow test`.
//! - `faults`: misbehaving model servers; retries, clear messages, the
//!   previous prototype untouched.
//! - `honesty`: hollow intents (passing without the prototype) and `wow critique`.
//! - `hostile`: hostile replies (hand-written) against the file policy and
//!   the sandbox: every attack's outcome asserted.
//! - `html`: the HTML report of the bundled examples in headless Chromium,
//!   offline: every intent and status shown, no request, a screenshot.
//! - `messages`: the Cucumber Messages stream of the bundled examples
//!   against the `@cucumber/messages` schema and the official HTML
//!   formatter (node packages in `tests/tools`), its page in Chromium;
//!   pickles against the cucumber/gherkin conformance data.
//! - `input`: bad input (random text through a proptest run, huge, binary,
//!   unreadable, empty) never panics.
//! - `live`: `wow watch` (edit rounds on a saved feature) and `wow serve`.
//! - `models`: `wow run` end to end against fake OpenAI-compatible and
//!   Anthropic servers on 127.0.0.1 serving scripted replies (labelled as
//!   written by hand for these tests), building and running real prototypes.
//! - `safety`: hand edits, history and restore, the lock, refused cargo
//!   configurations, `wow doctor`.
//! - `shards`: a prototype of two features written as two shards by
//!   concurrent calls, one repaired alone, then replayed.
//! - `support`: the command builder and the fake servers.

mod app;
mod browser_tools;
mod cli;
mod conformance;
mod critique;
mod examples;
mod faults;
mod honesty;
mod hostile;
mod html;
mod input;
mod live;
mod messages;
mod models;
mod safety;
mod shards;
mod support;
