//! Every phrase the reports say about statuses, rounds, stop reasons and
//! findings, in one place.
//!
//! In: the shared vocabulary ([`crate::vocabulary`]). Out: words, icons and
//! tones for the terminal scoreboard, the HTML page, the Markdown summary,
//! the `JUnit` XML and the Cucumber JSON. What must not happen here:
//! formatting for one renderer (markup, escaping, colour codes); a renderer
//! decides how a word looks, never what it says.

use crate::vocabulary::{FindingKind, RoundKind, RoundOutcome, Status, StepStatus, Stop, plural};

/// How a status looks: the colour family every renderer gives it. The word
/// and the icon carry the status; the tone only repeats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tone {
    /// Green: verified.
    Good,
    /// Grey: nothing to say yet.
    Muted,
    /// Amber: passes, but not verified.
    Warn,
    /// Red: does not pass.
    Bad,
}

impl Tone {
    /// The CSS class of the tone (`passed`, `muted`, `warn`, `failed`).
    pub fn class(self) -> &'static str {
        match self {
            Self::Good => "passed",
            Self::Muted => "muted",
            Self::Warn => "warn",
            Self::Bad => "failed",
        }
    }
}

/// The label, icon and tone of an intent status (`Verified`, `✔`, good).
pub fn status(status: Status) -> (&'static str, &'static str, Tone) {
    match status {
        Status::Passed => ("Verified", "✔", Tone::Good),
        Status::Failed => ("Failed", "✘", Tone::Bad),
        Status::Undefined => ("Undefined", "?", Tone::Bad),
        Status::Ambiguous => ("Ambiguous", "?", Tone::Bad),
        Status::Hollow => ("Hollow", "◌", Tone::Warn),
        Status::Unverified => ("Unverified", "◍", Tone::Warn),
        Status::Disputed => ("Disputed", "⚑", Tone::Warn),
        Status::NotRun => ("Not run", "·", Tone::Muted),
        Status::LeftOut => ("Left out", "–", Tone::Muted),
    }
}

/// The word, icon and tone of a step status (`passed`, `✔`, good).
pub fn step(status: StepStatus) -> (&'static str, &'static str, Tone) {
    match status {
        StepStatus::Passed => ("passed", "✔", Tone::Good),
        StepStatus::Failed => ("failed", "✘", Tone::Bad),
        StepStatus::Undefined => ("undefined", "?", Tone::Bad),
        StepStatus::Ambiguous => ("ambiguous", "?", Tone::Bad),
        StepStatus::Skipped => ("skipped", "↷", Tone::Muted),
        StepStatus::NotRun => ("not run", "·", Tone::Muted),
    }
}

/// The word and mark of a step that ran without failing in an intent that
/// is not verified (hollow or unverified): it ran, but proves nothing.
pub const STEP_RAN: (&str, &str, Tone) = ("ran, proves nothing", "○", Tone::Warn);

/// The word and mark of the step whose definition a finding names in a
/// hollow intent.
pub const STEP_AT_FAULT: (&str, &str, Tone) = ("checks nothing", "◌", Tone::Warn);

/// A box of the scoreboard: every intent status belongs to exactly one, and
/// a box has the tone of its statuses, so counters and badges agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    Disputed,
    Verified,
    Hollow,
    Unverified,
    Failing,
    NotRun,
    LeftOut,
}

impl Tally {
    /// The boxes, in the order shown.
    pub const ALL: [Self; 7] = [
        Self::Disputed,
        Self::Verified,
        Self::Hollow,
        Self::Unverified,
        Self::Failing,
        Self::NotRun,
        Self::LeftOut,
    ];

    /// The box an intent status is counted in.
    pub fn of(status: Status) -> Self {
        match status {
            Status::Passed => Self::Verified,
            Status::Hollow => Self::Hollow,
            Status::Unverified => Self::Unverified,
            Status::Disputed => Self::Disputed,
            Status::Failed | Status::Undefined | Status::Ambiguous => Self::Failing,
            Status::NotRun => Self::NotRun,
            Status::LeftOut => Self::LeftOut,
        }
    }

    /// The box's word, icon and tone (`failing`, `✘`, bad).
    pub fn look(self) -> (&'static str, &'static str, Tone) {
        match self {
            Self::Verified => ("verified", "✔", Tone::Good),
            Self::Hollow => ("hollow", "◌", Tone::Warn),
            Self::Unverified => ("unverified", "◍", Tone::Warn),
            Self::Disputed => ("disputed", "⚑", Tone::Warn),
            Self::Failing => ("failing", "✘", Tone::Bad),
            Self::NotRun => ("not run", "·", Tone::Muted),
            Self::LeftOut => ("left out", "–", Tone::Muted),
        }
    }
}

/// Why an intent is disputed, in the product owner's words: the model's
/// own reasoning and suggested change.
pub fn disputed(message: &str) -> String {
    format!("the model says this scenario cannot be right as written: {message}")
}

/// `5 of 6 intents pass`, `3 intents, not run yet`, `No intents`.
pub fn headline(passed: usize, total: usize, ran: bool) -> String {
    let noun = if total == 1 { "intent" } else { "intents" };
    if total == 0 {
        "No intents".to_owned()
    } else if !ran {
        format!("{total} {noun}, not run yet")
    } else {
        let verb = if passed == 1 { "passes" } else { "pass" };
        format!("{passed} of {total} {noun} {verb}")
    }
}

/// Why an intent did not run: the filter `selection` (`--tags '@a'`) left
/// it out.
pub fn left_out(selection: &str) -> String {
    format!("left out by {selection}: not run this time")
}

/// What the intents a filter left out mean, for a report with `left_out`
/// of them and the filter `selection`.
pub fn left_out_note(left_out: usize, selection: &str) -> String {
    format!(
        "{} out by {selection}: not run, and not counted as passing or failing",
        plural(left_out, "intent left", "intents left"),
    )
}

/// What hollow intents mean, for a report with `hollow` of them.
pub fn hollow_note(hollow: usize) -> String {
    format!(
        "{} only in appearance: {} pass without the prototype doing the work",
        plural(hollow, "intent passes", "intents pass"),
        if hollow == 1 {
            "it would"
        } else {
            "they would"
        }
    )
}

/// What unverified intents mean, for a report with `unverified` of them.
pub fn unverified_note(unverified: usize) -> String {
    format!(
        "{} but could not be checked: wow cannot tell whether the prototype does the work",
        plural(unverified, "intent passes", "intents pass"),
    )
}

/// Before the functions whose mutants make a verified intent fail.
pub const PINNED: &str = "pinned down by";

/// Heading of the decisions the model made where the scenarios are silent.
pub const ASSUMPTIONS: &str =
    "Open questions: what the model decided where the scenarios are silent";

/// Heading of the list of prototype functions no scenario pins down.
pub const UNPINNED: &str = "Code no scenario pins down";

/// What that list means, for the engineer.
pub const UNPINNED_NOTE: &str = "Changing what these functions return made no verified scenario fail: the scenarios do not check them yet. Add a scenario, or expect them to change freely.";

/// Why an undefined step did not run.
pub const UNDEFINED: &str =
    "the prototype does not understand this step yet (no step definition matches it)";
/// Why an ambiguous step did not run.
pub const AMBIGUOUS: &str =
    "this step is understood in more than one way (several step definitions match it)";
/// The reason of a failed step with no message.
pub const NO_MESSAGE: &str = "the step failed without a message";

/// The reason of a hollow intent, with the check's `message`.
pub fn hollow(message: &str) -> String {
    format!("passes, but not because of the prototype: {message}")
}

/// The reason of an unverified intent, with why the check could not run.
pub fn unverified(message: &str) -> String {
    format!("passes, but wow could not check it: {message}")
}

/// `generated`, `updated`, `repaired`.
pub fn round_kind(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Generate => "generated",
        RoundKind::Edit => "updated",
        RoundKind::Repair => "repaired",
    }
}

/// What a round did: `generated`, or for a sharded prototype's repair or
/// edit, with the shards it called, `repaired library_loans`.
pub fn round_did(kind: RoundKind, shards: &[String]) -> String {
    if shards.is_empty() || kind == RoundKind::Generate {
        round_kind(kind).to_owned()
    } else {
        format!("{} {}", round_kind(kind), shards.join(", "))
    }
}

/// What a round came to: `21 of 23 pass`, `did not compile`.
pub fn round_outcome(outcome: RoundOutcome, passed: usize, intents: usize) -> String {
    match outcome {
        RoundOutcome::Ran => format!("{passed} of {intents} pass"),
        RoundOutcome::CompileError => "did not compile".to_owned(),
        RoundOutcome::NoFiles => "the reply held no usable file".to_owned(),
        RoundOutcome::Truncated => "the reply was cut off".to_owned(),
        RoundOutcome::MissingFiles => "files were missing".to_owned(),
    }
}

/// Why the repairs stopped: `stopped: the repair budget was spent`.
pub fn stop(stop: &Stop) -> String {
    match stop {
        Stop::AllPassed => "stopped: every intent passed".to_owned(),
        Stop::BudgetSpent => "stopped: the repair budget was spent".to_owned(),
        Stop::Stalled => "stopped: a repair did not change the failures".to_owned(),
        Stop::ModelError(detail) => format!("stopped: the model failed: {detail}"),
        Stop::Disputed => {
            "stopped: every intent passes but those the model disputes, which the product owner decides".to_owned()
        }
    }
}

/// `checks nothing`, `never calls the prototype`, `uses forbidden code`.
pub fn finding(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::NoAssertion => "checks nothing",
        FindingKind::NeverReachesPrototype => "never calls the prototype",
        FindingKind::Forbidden => "uses forbidden code",
        FindingKind::UnreadStep => "runs steps wow cannot read",
        FindingKind::UncheckedApp => "decides on its own",
    }
}

/// The app's line under the scoreboard: `app: ready (calls Account::withdraw, …): wow app generated/bank`.
pub fn app_line(app: &crate::vocabulary::AppReport, dir: &str) -> String {
    use crate::vocabulary::AppStatus;
    let calls = match app.calls.as_slice() {
        [] => String::new(),
        [one] => format!(" (it calls {one})"),
        [first, second] => format!(" (it calls {first} and {second})"),
        [first, rest @ ..] => format!(" (it calls {first} and {} more)", rest.len()),
    };
    let reason = app.reason.as_deref().unwrap_or("");
    match app.status {
        AppStatus::Ready => format!("app: ready{calls}; click through it with `wow app {dir}`"),
        AppStatus::Unchecked => {
            format!("app: built but unchecked: {reason}; `wow app {dir}` still serves it")
        }
        AppStatus::Missing => format!("app: missing: {reason}"),
    }
}

/// The title of the app's section in the reports.
pub const APP_TITLE: &str = "The prototype, to click through";

/// Which round's prototype the dashboard's app shows.
pub fn app_round(round: Option<u32>) -> String {
    match round {
        Some(round) => format!(
            "This is round {round}'s prototype: every answer on it comes from the library the scenarios above verified."
        ),
        None => {
            "Every answer on it comes from the library the scenarios above verified.".to_owned()
        }
    }
}

/// Why no app was asked for: some intent is not verified.
pub const APP_WAITS: &str =
    "the app is asked for once every intent is verified, so that it shows a prototype that works";
/// Why no app exists without a model.
pub const APP_NO_MODEL: &str = "no app was ever made for this prototype: run `wow run` with a model (`--model`) once every intent passes";
/// Why the dashboard has no app yet: the round's scoreboard is out, its
/// app is being made.
pub const APP_COMING: &str = "this round's app is being made; the page reloads when it is ready";
/// Why the dashboard has no app at all.
pub const APP_OFF: &str = "no app is made (`--no-app`)";

/// The page `wow app` and `wow serve` show when the app is not running.
pub fn app_down(why: &str) -> String {
    format!("The prototype's app is not running: {why}")
}

/// The title of the list of intents that do not pass.
pub const NOT_PASSING: &str = "Not passing yet";
/// The title of the questions of `--critique`.
pub const QUESTIONS: &str = "Questions for the product owner";
/// The title of the feature hashes.
pub const SPEC_LOCK: &str = "Scenarios as written";

/// The note of a first run with a target directory, whose dependencies
/// compile while the model writes.
pub const WARMING: &str = "first run with this target directory: compiling the prototype's dependencies while the model writes";

/// The progress line while cargo builds: `compiling 37/140 crates`, after
/// the round's prefix (`round 2: `, or empty). Counts only: nothing cargo
/// or a crate printed is ever shown here.
pub fn compiling(round: &str, done: usize, total: usize) -> String {
    format!("{round}compiling {done}/{total} crates")
}

/// `text` with its first letter in upper case, to open a sentence.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_has_the_tone_of_its_statuses() {
        for status in Status::ALL {
            assert_eq!(
                self::status(status).2,
                Tally::of(status).look().2,
                "{status:?}"
            );
        }
    }

    #[test]
    fn headlines_count_in_words() {
        assert_eq!(headline(1, 1, true), "1 of 1 intent passes");
        assert_eq!(headline(2, 5, true), "2 of 5 intents pass");
        assert_eq!(headline(0, 3, false), "3 intents, not run yet");
        assert_eq!(headline(0, 0, true), "No intents");
    }
}
