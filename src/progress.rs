//! One line of progress on stderr: the phase of the run (generating, compiling,
//! running, repairing), streamed tokens and elapsed time.
//!
//! On a terminal the line updates in place (indicatif); otherwise each phase
//! and note is printed once as a plain line, so logs stay readable. Results
//! never go here: they belong on stdout.

use std::io::IsTerminal as _;
use std::sync::Arc;
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
        }
    }

    /// Starts a new phase, such as `generating with openai/gpt-4.1 (round 1)`.
    pub fn phase(&self, message: &str) {
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
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{phase}: {tokens} tokens"));
        }
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
