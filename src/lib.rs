//! `wow` turns a product owner's Gherkin scenarios into a running, validated
//! prototype: parse the features, ask a language model for a prototype and
//! its cucumber-rs step definitions, build, run the scenarios, repair what
//! fails, and report which intents pass.
//!
//! One module per pipeline stage, plain owned data between them:
//! [`spec`] → [`prompt`] → [`llm`] → [`extract`] → [`prototype`] →
//! [`cargo`] → [`repair`] → [`report`]. [`cli`] holds the command line and
//! drives the stages.

pub mod app;
pub mod audit;
pub mod cargo;
pub mod cli;
pub mod config;
pub mod critique;
pub mod extract;
pub mod history;
pub mod honesty;
pub mod llm;
pub mod process;
pub mod progress;
pub mod prompt;
pub mod prototype;
pub mod repair;
pub mod report;
pub mod sandbox;
pub mod serve;
pub mod spec;
pub mod vacuity;
pub mod verdict;
pub mod vocabulary;
pub mod watch;
