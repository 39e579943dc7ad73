//! `wow` turns a product owner's Gherkin scenarios into a running, validated
//! prototype: parse the features, ask a language model for a prototype and
//! its cucumber-rs step definitions, build, run the scenarios, repair what
//! fails, and report which intents pass. `ARCHITECTURE.md` describes each
//! module, the data it takes and the data it gives.
//!
//! Modules, in the order the data flows:
//! - front end: [`cli`] (clap, resolved into options) → [`app`] (one
//!   function per command), with [`config`] (`wow.toml`) and [`progress`];
//! - stages: [`spec`] → [`prompt`] → [`llm`] → [`extract`] → [`prototype`]
//!   → [`verdict`] (through [`cargo`], [`process`] and [`sandbox`] to build
//!   and run, [`vacuity`], [`honesty`] and [`audit`] to check that passes
//!   are honest) → [`repair`] → [`report`]; beside them [`watch`],
//!   [`serve`] and [`critique`];
//! - shared: [`vocabulary`], which every stage imports and which imports
//!   none.

pub mod app;
pub mod cli;
pub(crate) mod config;
pub(crate) mod progress;

pub mod audit;
pub(crate) mod cargo;
pub(crate) mod critique;
pub(crate) mod extract;
pub mod honesty;
pub(crate) mod llm;
pub(crate) mod process;
pub(crate) mod prompt;
pub mod prototype;
pub(crate) mod repair;
pub mod report;
pub mod sandbox;
pub(crate) mod serve;
pub mod shard;
pub mod spec;
pub mod vacuity;
pub(crate) mod verdict;
pub(crate) mod watch;
pub(crate) mod webapp;

pub mod vocabulary;
