//! Making the app: build the page on disk, or ask the model for one and
//! repair it from rustc's errors.
//!
//! In: the prototype (its verified library and steps), the functions the
//! verified intents pin down, and a model if there is one. Out: [`Made`]:
//! the app's part of the report ([`AppReport`]), the exchanges to record
//! in `.wow/exchanges/app/`, and the app's executable when it built.
//!
//! The app never changes a verdict: it is built after the scenarios, with
//! its own cargo feature (`app`) that the scenarios' build never enables,
//! and every way it can fail ends as [`AppStatus::Missing`] with the
//! reason, never as an error of the command. A page on disk that builds
//! is kept (no model call); the model is asked only once every intent is
//! verified.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::audit;
use crate::cargo::{self, Build, Limits};
use crate::extract;
use crate::llm::replay::{self, Exchange};
use crate::llm::{Llm, Reply};
use crate::progress::Progress;
use crate::prompt::{self, Prompt};
use crate::prototype::{Files, Prototype};
use crate::report::words;
use crate::spec::Spec;
use crate::vocabulary::{AppReport, AppStatus, FindingKind, Usage, millis};

/// What [`make`] needs to know about the prototype.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub spec: &'a Spec,
    pub prototype: &'a Prototype,
    pub target_dir: &'a std::path::Path,
    pub limits: Limits,
    /// The functions the verified intents pin down (`Account::withdraw`).
    pub pinned: &'a [String],
    /// Whether every intent is verified (the model is asked only then).
    pub all_verified: bool,
    /// Model calls after the first.
    pub max_repairs: u32,
}

/// The app as made.
#[derive(Debug)]
pub struct Made {
    pub report: AppReport,
    /// The model calls to record ([`replay::write_app`]); empty when none
    /// was made.
    pub exchanges: Vec<Exchange>,
    /// The app's executable, when it built.
    pub executable: Option<PathBuf>,
}

/// Builds the app on disk, or makes one with `llm`.
pub fn make(inputs: Inputs<'_>, llm: Option<&mut dyn Llm>, progress: &Progress) -> Made {
    let mut made = Made {
        report: AppReport {
            status: AppStatus::Missing,
            reason: None,
            calls: Vec::new(),
            findings: Vec::new(),
            model_calls: 0,
            model_ms: 0,
            usage: None,
            build_ms: 0,
        },
        exchanges: Vec::new(),
        executable: None,
    };
    let mut current = match inputs.prototype.read_app_files() {
        Ok(files) => files,
        Err(error) => return made.missing(&error.to_string()),
    };
    let mut problems = None;
    if !current.is_empty() {
        progress.phase("app: compiling the page");
        match made.build(&inputs, &current) {
            Ok(()) | Err(None) => return made,
            Err(Some(errors)) => problems = Some(errors),
        }
    }
    let Some(llm) = llm else {
        return match problems {
            None => made.missing(words::APP_NO_MODEL),
            Some(errors) => made.missing(&format!(
                "the page does not compile: {}; run `wow run` with a model to repair it",
                first_line(&errors)
            )),
        };
    };
    if !inputs.all_verified {
        return made.missing(words::APP_WAITS);
    }
    let library: Vec<(String, String)> = match inputs.prototype.read_files() {
        Ok(files) => files.into_iter().collect(),
        Err(error) => return made.missing(&error.to_string()),
    };
    for round in 1..=inputs.max_repairs.saturating_add(1) {
        let prompt = match &problems {
            None => prompt::app::generate(inputs.spec, &library),
            Some(problems) => {
                let app: Vec<(String, String)> = current.clone().into_iter().collect();
                prompt::app::repair(inputs.spec, &library, &app, problems)
            }
        };
        progress.phase(&format!(
            "app: round {round}: asking the model for the page"
        ));
        let reply = match llm.complete(&prompt, progress) {
            Ok(reply) => reply,
            Err(error) => return made.missing(&format!("the model failed: {error}")),
        };
        made.count(&reply);
        made.exchanges
            .push(exchange(inputs.spec, round, &llm.name(), &prompt, &reply));
        let extraction = extract::app_files(&reply.text);
        if let Some(why) = extraction.why_empty() {
            let refused: Vec<String> = extraction
                .rejected
                .iter()
                .map(|r| format!("`{}`: {}", r.path, r.reason))
                .collect();
            problems = Some(format!("{why}\n{}", refused.join("\n")));
            continue;
        }
        let mut files = Files::new();
        for file in extraction.files {
            files.insert(file.path, file.content);
        }
        current = files;
        if let Err(error) = inputs.prototype.write_app_files(&current) {
            return made.missing(&error.to_string());
        }
        progress.phase(&format!("app: round {round}: compiling the page"));
        match made.build(&inputs, &current) {
            Ok(()) | Err(None) => return made,
            Err(Some(errors)) => problems = Some(errors),
        }
    }
    let last = problems.as_deref().map(first_line).unwrap_or_default();
    let why = format!(
        "the page still does not compile after {} model calls: {last}",
        made.report.model_calls
    );
    made.missing(&why)
}

impl Made {
    fn missing(mut self, why: &str) -> Self {
        self.report.status = AppStatus::Missing;
        self.report.reason = Some(why.to_owned());
        self.executable = None;
        self
    }

    fn count(&mut self, reply: &Reply) {
        self.report.model_calls += 1;
        self.report.model_ms += reply.duration_ms;
        self.report.usage = match (self.report.usage, reply.usage) {
            (None, Some(usage)) if self.report.model_calls == 1 => Some(usage),
            (_, None) | (None, Some(_)) => None,
            (Some(total), Some(usage)) => Some(Usage {
                input_tokens: total.input_tokens + usage.input_tokens,
                output_tokens: total.output_tokens + usage.output_tokens,
            }),
        };
    }

    /// Builds the app of `files`. `Ok`: it built and [`Self::report`] says
    /// how it stands; `Err(Some(errors))`: rustc's errors, for the model;
    /// `Err(None)`: the build itself failed ([`Self::report`] says why).
    fn build(&mut self, inputs: &Inputs<'_>, files: &Files) -> Result<(), Option<String>> {
        let started = Instant::now();
        let built = cargo::build_app(&inputs.prototype.dir, inputs.target_dir, inputs.limits);
        self.report.build_ms += millis(started.elapsed());
        match built {
            Ok(Build::Built { executable, .. }) => {
                let audit = audit::app::check(files, inputs.pinned);
                self.report.status = if audit
                    .findings
                    .iter()
                    .any(|f| f.kind == FindingKind::UncheckedApp)
                {
                    AppStatus::Unchecked
                } else {
                    AppStatus::Ready
                };
                self.report.reason = audit
                    .findings
                    .iter()
                    .find(|f| f.kind == FindingKind::UncheckedApp)
                    .map(|f| f.message.clone());
                self.report.calls = audit.calls;
                self.report.findings = audit.findings;
                self.executable = Some(executable);
                Ok(())
            }
            Ok(Build::Errors { diagnostics, .. }) => Err(Some(
                diagnostics
                    .iter()
                    .map(|d| d.rendered.trim_end().to_owned())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            )),
            Err(error) => {
                self.report.status = AppStatus::Missing;
                self.report.reason = Some(format!("the app could not be built: {error}"));
                Err(None)
            }
        }
    }
}

/// The first line of rustc's errors, for a one-line reason.
fn first_line(errors: &str) -> &str {
    errors.lines().next().unwrap_or("").trim()
}

fn exchange(spec: &Spec, round: u32, model: &str, prompt: &Prompt, reply: &Reply) -> Exchange {
    Exchange {
        version: replay::VERSION,
        round,
        kind: if round == 1 { "app" } else { "app_repair" }.to_owned(),
        model: model.to_owned(),
        origin: "model".to_owned(),
        note: None,
        prompt_version: prompt::app::VERSION,
        features: spec.hashes(),
        prompt: prompt.clone(),
        reply: reply.clone(),
        recorded_at_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}
