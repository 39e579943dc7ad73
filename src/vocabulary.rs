//! The shared vocabulary: what the stages hand to one another and what the
//! reports say, in Gherkin's, Cucumber's and the model world's terms.
//!
//! In: nothing; every stage imports this module, and it imports no stage. Out: intent and step
//! statuses, per-intent results, findings of the honesty checks, rounds
//! (kind, outcome, token usage) and why a run stopped. What must not happen
//! here: logic of a stage. Serialized names are those of the JSON report
//! (README, "The JSON report").

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Model-owned files: normalised path (`src/lib.rs`) → content.
pub type Files = BTreeMap<String, String>;

/// Status of one intent after a run, as the JSON report spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Undefined,
    Ambiguous,
    NotRun,
    /// Passed, but not because of what the prototype computes: it still
    /// passes under every mutant of the code its steps reach, a copy of it
    /// with one expected value changed passes too, or its steps check
    /// nothing or never call the prototype. Not verified.
    Hollow,
    /// Passed, but wow could not check that it passes because of the
    /// prototype (the honesty check could not run or its results could not
    /// be trusted): the message says why. Not verified.
    Unverified,
    /// The model says the scenario contradicts itself or another one, or
    /// cannot be implemented as written: the message gives its reasoning
    /// and the smallest change it suggests. Not passing, and not sent back
    /// for repair: the product owner decides.
    Disputed,
    /// Not selected by `--tags` or `--name`: not prompted for, run or
    /// judged this time. Neither passing nor failing; it never changes the
    /// exit code.
    LeftOut,
}

impl Status {
    /// Every status, in the order the reports list them.
    pub const ALL: [Self; 9] = [
        Self::Disputed,
        Self::Passed,
        Self::Failed,
        Self::Undefined,
        Self::Ambiguous,
        Self::Hollow,
        Self::Unverified,
        Self::NotRun,
        Self::LeftOut,
    ];
}

/// What happened to one intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentResult {
    /// [`crate::spec::Intent::id`].
    pub id: String,
    pub status: Status,
    /// The step that failed, was undefined or ambiguous: `Then the balance is 90`.
    pub failed_step: Option<String>,
    /// Line of that step in its feature file.
    pub failed_step_line: Option<usize>,
    /// The technical message: the assertion's or panic's text, cucumber's
    /// word for an undefined step, or why the scenario did not run.
    pub message: Option<String>,
    /// Where the matched step definition is (`tests/steps.rs:12:1`), if known.
    pub step_definition: Option<String>,
    /// The status of each step of the intent ([`crate::spec::Intent::steps`], background
    /// first), in order.
    pub steps: Vec<StepStatus>,
    /// The prototype functions whose mutants make this intent fail
    /// (`fee`, `Ticket::exit`): what its passing pins down. Empty unless
    /// the honesty check verified it.
    pub pinned_by: Vec<String>,
}

/// Status of one step, as Cucumber JSON spells it, plus `not_run` for the
/// steps cucumber does not report after a failed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    Undefined,
    Ambiguous,
    Skipped,
    NotRun,
}

/// A problem found in the model's code, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// File and line of the step definition or code concerned (`tests/steps.rs`, 1-based).
    pub file: String,
    pub line: usize,
    /// Plain words for the product owner and the model.
    pub message: String,
    /// Ids ([`crate::spec::Intent::id`]) of the intents concerned; empty means every intent.
    pub intents: Vec<String>,
}

/// What kind of problem a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A `Then` step definition with no assertion, panic or `Result` error path.
    NoAssertion,
    /// No step of the intent reaches the `prototype` crate.
    NeverReachesPrototype,
    /// `unsafe`, `std::process`, `std::net` or `std::env` in the steps or the prototype.
    Forbidden,
    /// Step definitions wow cannot read: registered by hand through
    /// cucumber's `codegen` (`inventory::submit!`), or run by the harness
    /// without being a function with `#[given]`, `#[when]` or `#[then]`
    /// that wow read (made by a macro, included from elsewhere).
    UnreadStep,
    /// The web app calls none of the library functions the verified
    /// intents pin down ([`crate::audit::app`]).
    UncheckedApp,
}

impl FindingKind {
    /// Whether an intent with this finding cannot count as verified.
    pub fn makes_hollow(self) -> bool {
        matches!(
            self,
            Self::NoAssertion | Self::NeverReachesPrototype | Self::UnreadStep
        )
    }
}

/// A piece of the model's code, for following an intent to the code that
/// runs it: a step definition, or a prototype item a definition uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRef {
    /// Path in the prototype (`tests/steps.rs`, `src/banking.rs`).
    pub file: String,
    /// First line of the item (1-based).
    pub line: usize,
    /// The item's source text as written (the whole function or method).
    pub source: String,
    /// For a step definition: the prototype functions, methods and types it
    /// uses (defined in `src/`), in order of first use; empty otherwise.
    pub calls: Vec<CodeRef>,
}

/// A code block the policy refused, with the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The path as the reply wrote it, or `(no path)`.
    pub path: String,
    pub reason: String,
}

/// The prototype's web app (`app/page.rs` in the tool's `app/main.rs`), as
/// the reports show it. It never changes an intent's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppReport {
    pub status: AppStatus,
    /// Why the app is missing or unchecked, in plain words.
    pub reason: Option<String>,
    /// The library functions pinned down by verified intents that the page
    /// calls (`Account::withdraw`).
    pub calls: Vec<String>,
    /// The static check's findings on the page ([`crate::audit::app`]).
    pub findings: Vec<Finding>,
    /// Model calls made for the app by this command (0: the page on disk
    /// was kept).
    pub model_calls: u32,
    /// Time the model took for them, in milliseconds.
    pub model_ms: u64,
    /// Tokens of those calls, `null` where a provider counted nothing.
    pub usage: Option<Usage>,
    /// Wall time of the app's builds, in milliseconds.
    pub build_ms: u64,
}

/// Whether the prototype has a page stakeholders can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppStatus {
    /// Built, and it calls functions the scenarios pin down.
    Ready,
    /// Built, but it calls none of them: what it shows is not checked.
    Unchecked,
    /// No app: none was made, or it does not compile.
    Missing,
}

/// Token counts reported by the provider for one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens (`prompt_tokens` in Chat Completions, `input_tokens` in Messages).
    pub input_tokens: u64,
    /// Reply tokens (`completion_tokens` / `output_tokens`).
    pub output_tokens: u64,
}

/// The tokens of several calls together.
impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), |a, b| Self {
            input_tokens: a.input_tokens + b.input_tokens,
            output_tokens: a.output_tokens + b.output_tokens,
        })
    }
}

/// What a round was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// A prototype from scratch.
    Generate,
    /// The current prototype updated for changed scenarios (`wow watch`).
    Edit,
    /// A fix for what failed in the round before.
    Repair,
}

impl RoundKind {
    /// `generate`, `edit` or `repair`, as recorded and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generate => "generate",
            Self::Edit => "edit",
            Self::Repair => "repair",
        }
    }
}

/// How a round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundOutcome {
    /// The scenarios ran (some may have failed).
    Ran,
    /// rustc rejected the code.
    CompileError,
    /// The reply held no usable file.
    NoFiles,
    /// The reply was cut off by the token limit.
    Truncated,
    /// After this round, `src/lib.rs` or `tests/steps.rs` was still missing.
    MissingFiles,
}

/// One round: a model call and what became of its reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    /// From 1.
    pub number: u32,
    pub kind: RoundKind,
    pub outcome: RoundOutcome,
    /// Intents verified after this round (0 unless it ran).
    pub passed: usize,
    /// Intents that passed but would pass without the prototype.
    pub hollow: usize,
    /// Tokens of the model calls; `None` when a provider said nothing.
    pub usage: Option<Usage>,
    /// The shards of a sharded prototype the model wrote in this round
    /// (one call each), by module; empty for a prototype in one call.
    pub shards: Vec<String>,
    /// Time of the model call, in milliseconds.
    pub model_ms: u64,
    /// Time of the build and run, in milliseconds.
    pub cargo_ms: u64,
    /// The whole round, in milliseconds.
    pub duration_ms: u64,
    /// Files the reply wrote or changed.
    pub changed: Vec<String>,
    /// Files the reply sent that the policy refused.
    pub rejected: Vec<Rejected>,
    /// Time of the honesty check (the mutation check's build and runs), in milliseconds.
    pub vacuity_ms: u64,
    /// Why the vacuity check could not run, when it could not.
    pub vacuity_unavailable: Option<String>,
    /// Findings of the static checks on the model's code.
    pub findings: Vec<Finding>,
    /// The prototype's functions no verified intent pins down.
    #[serde(skip)]
    pub unpinned: Vec<String>,
    /// What the reply said it decided where the scenarios are silent.
    #[serde(skip)]
    pub assumptions: Vec<String>,
    /// The intents the reply disputed (id → the model's reasoning and
    /// suggested change).
    #[serde(skip)]
    pub disputes: BTreeMap<String, String>,
    /// Plain words on what went wrong, for the next prompt and the report.
    pub problems: Option<String>,
    /// Per-intent results, when the scenarios ran.
    #[serde(skip)]
    pub results: Vec<IntentResult>,
    #[serde(skip)]
    pub(crate) files: Files,
}

/// Why the loop stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum Stop {
    AllPassed,
    BudgetSpent,
    /// A round repeated the previous round's failures.
    Stalled,
    /// The model failed after at least one round; the message says how.
    ModelError(String),
    /// Every intent passes but those the model disputes: the product owner
    /// decides about them, no repair can.
    Disputed,
}

/// The result of a whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub model: String,
    pub rounds: Vec<Round>,
    /// Index in `rounds` of the round whose files are on disk.
    pub best: Option<usize>,
    pub stop: Stop,
    /// Per-intent results of the best round (all not run if none ran).
    pub results: Vec<IntentResult>,
    /// Findings of the static checks on the best round's code.
    pub findings: Vec<Finding>,
    /// The best round's prototype functions no verified intent pins down.
    pub unpinned: Vec<String>,
    /// The decisions the model made where the scenarios are silent, as its
    /// latest reply that listed any gave them: open questions.
    pub assumptions: Vec<String>,
}

/// Converts a duration to whole milliseconds for reports.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `1 intent`, `3 intents`.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
