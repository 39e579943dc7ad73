//! One line of progress on stderr: the phase of the run (generating, compiling,
//! running, repairing), streamed tokens and elapsed time.
//!
//! On a terminal the line updates in place (indicatif); otherwise each phase
//! and note is printed once as a plain line, so logs stay readable. Results
//! never go here: they belong on stdout.

use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress reporter shared by the pipeline stages.
///
/// Cheap to clone; all clones draw the same line.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// Also told every phase and note (the live dashboard of `wow serve`).
    listener: Option<Listener>,
    /// Whether [`Progress::detail`] prints.
    verbose: bool,
    /// The round's prefix while the line shows a build
    /// ([`Progress::compiling`]), so that counts from any build may show.
    building: Arc<Mutex<Option<String>>>,
    /// For one of several concurrent model calls: its slot among the
    /// calls' token counts, whose sum the line shows.
    call: Option<(usize, Arc<Mutex<Vec<u64>>>)>,
}

/// Something told of every phase and note, from any thread.
pub type Listener = Arc<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("bar", &self.bar)
            .field("quiet", &self.quiet)
            .field("listener", &self.listener.is_some())
            .field("verbose", &self.verbose)
            .field("building", &self.building)
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// A reporter that draws on stderr: an updating line on a terminal, plain
    /// lines otherwise, nothing at all when `quiet`.
    pub fn stderr(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("the progress template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            quiet,
            listener: None,
            verbose: false,
            building: Arc::default(),
            call: None,
        }
    }

    /// The same reporter, printing [`Progress::detail`]s when `verbose`.
    #[must_use]
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = verbose;
        self
    }

    /// The same reporter, also telling `listener` every phase and note.
    #[must_use]
    pub fn with_listener(mut self, listener: Listener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// A reporter that shows nothing (tests).
    #[cfg(test)]
    pub fn hidden() -> Self {
        Self {
            bar: None,
            quiet: true,
            listener: None,
            verbose: false,
            building: Arc::default(),
            call: None,
        }
    }

    /// Starts a new phase, such as `generating with openai/gpt-4.1 (round 1)`.
    pub fn phase(&self, message: &str) {
        self.set_building(None);
        if let Some(listener) = &self.listener {
            listener(message);
        }
        match &self.bar {
            Some(bar) => bar.set_message(message.to_owned()),
            None if !self.quiet => eprintln!("{message}"),
            None => {}
        }
    }

    /// Updates the streamed token count of the current model call.
    ///
    /// `tokens` counts output tokens so far (estimated from the streamed
    /// text where the provider reports usage only at the end). Plain output
    /// skips these updates: they would flood a log.
    pub fn tokens(&self, phase: &str, tokens: u64) {
        self.set_building(None);
        let Some(bar) = &self.bar else {
            return;
        };
        match &self.call {
            None => bar.set_message(format!("{phase}: {tokens} tokens")),
            Some((slot, counts)) => {
                let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
                counts[*slot] = tokens;
                let sum: u64 = counts.iter().sum();
                bar.set_message(format!("{phase}: {sum} tokens from {} calls", counts.len()));
            }
        }
    }

    /// Reporters for `calls` concurrent model calls: the line shows the
    /// sum of their streamed tokens.
    pub fn calls(&self, calls: usize) -> Vec<Self> {
        let counts = Arc::new(Mutex::new(vec![0; calls]));
        (0..calls)
            .map(|slot| Self {
                call: (calls > 1).then(|| (slot, Arc::clone(&counts))),
                ..self.clone()
            })
            .collect()
    }

    /// Starts the build phase of a round (`round` is its prefix, such as
    /// `round 2: `, or empty): `compiling`, then the counts that
    /// [`Progress::compiled`] gives while it lasts.
    pub fn compiling(&self, round: &str) {
        self.phase(&format!("{round}compiling"));
        self.set_building(Some(round.to_owned()));
    }

    /// How far a build has come (`done` crates of `total`), from any thread
    /// and any build (the dependencies' warm-up too): shown in place while
    /// the line shows a build phase ([`Progress::compiling`]), dropped
    /// otherwise (while the model streams, say). Plain output and the
    /// listener skip these updates: they would flood a log.
    pub fn compiled(&self, done: usize, total: usize) {
        let building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some(round), Some(bar)) = (building.as_ref(), &self.bar) {
            bar.set_message(crate::report::words::compiling(round, done, total));
        }
    }

    fn set_building(&self, round: Option<String>) {
        *self.building.lock().unwrap_or_else(PoisonError::into_inner) = round;
    }

    /// Prints a one-off note that stays visible, such as a retry after a rate
    /// limit, above the progress line.
    pub fn note(&self, message: &str) {
        if let Some(listener) = &self.listener {
            listener(message);
        }
        match &self.bar {
            Some(bar) => bar.println(message),
            None if !self.quiet => eprintln!("{message}"),
            None => {}
        }
    }

    /// Prints a longer text (what goes back to the model after a round)
    /// with `--verbose` only; control characters are already removed by
    /// the caller.
    pub fn detail(&self, title: &str, text: &str) {
        if !self.verbose {
            return;
        }
        let block = format!("── {title}\n{}", text.trim_end());
        match &self.bar {
            Some(bar) => bar.println(block),
            None => eprintln!("{block}"),
        }
    }

    /// Removes the progress line before results are printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reporter drawing on a bar that is never shown, to read its line.
    fn drawn() -> (Progress, ProgressBar) {
        let bar = ProgressBar::hidden();
        let progress = Progress {
            bar: Some(bar.clone()),
            ..Progress::hidden()
        };
        (progress, bar)
    }

    #[test]
    fn crate_counts_show_only_while_a_build_is_on_the_line() {
        let (progress, bar) = drawn();
        progress.compiled(3, 140);
        assert_eq!(bar.message(), "", "no build phase yet");
        progress.compiling("round 2: ");
        assert_eq!(bar.message(), "round 2: compiling");
        progress.compiled(37, 140);
        assert_eq!(bar.message(), "round 2: compiling 37/140 crates");
        // The dependencies' warm-up goes on while the model writes.
        progress.tokens("generating", 120);
        progress.compiled(38, 140);
        assert_eq!(bar.message(), "generating: 120 tokens");
        progress.compiling("");
        progress.compiled(39, 140);
        assert_eq!(bar.message(), "compiling 39/140 crates");
        progress.phase("running the scenarios");
        progress.compiled(140, 140);
        assert_eq!(bar.message(), "running the scenarios");
    }
}
