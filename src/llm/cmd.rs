//! The `cmd:<shell command>` provider: any CLI model runner as a model.
//!
//! In: a [`Prompt`], written to the command's stdin as the system text, a
//! blank line, and the user text. Out: the command's stdout as the reply
//! text. It must not outlive its timeout: the command runs in its own process
//! group, and the whole group is killed at the timeout or when the command
//! exits (so a stray background job cannot keep the pipes open).

use std::process::Command as Process;
use std::time::Duration;

use super::{Error, Finish, Llm, Reply};
use crate::process::{self, Children};
use crate::progress::Progress;
use crate::prompt::Prompt;
use crate::vocabulary::millis;

/// Most of the command's stderr kept for an error message, in bytes (the end of it).
const STDERR_TAIL_BYTES: usize = 2048;

/// A model behind a shell command, run as `sh -c <command>` once per prompt.
pub(super) struct Command {
    #[expect(
        clippy::struct_field_names,
        reason = "the shell command of the `cmd:` provider"
    )]
    command: String,
    timeout_secs: u64,
    /// The running command, for [`Children::kill_all`].
    running: Children,
}

impl Command {
    /// A provider running `command`, killed after `timeout_secs` seconds.
    pub(super) fn new(command: String, timeout_secs: u64) -> Self {
        Self {
            command,
            timeout_secs,
            running: Children::new(),
        }
    }

    fn fail(&self, message: String) -> Error {
        Error::Command {
            command: self.command.clone(),
            message,
        }
    }
}

impl Llm for Command {
    fn name(&self) -> String {
        format!("cmd:{}", self.command)
    }

    fn complete(&self, prompt: &Prompt, _progress: &Progress) -> Result<Reply, Error> {
        let mut command = Process::new("sh");
        command.arg("-c").arg(&self.command);
        let input = format!("{}\n\n{}", prompt.system, prompt.user);
        let output = process::run(
            command,
            Some(input.as_bytes()),
            Duration::from_secs(self.timeout_secs),
            &self.running,
        )
        .map_err(|e| self.fail(format!("cannot start `sh`: {e}")))?;
        if output.timed_out {
            return Err(Error::CommandTimeout {
                command: self.command.clone(),
                timeout_secs: self.timeout_secs,
            });
        }
        if !output.success {
            let how = match (output.code, output.signal) {
                (Some(code), _) => format!("exited with status {code}"),
                (None, Some(signal)) => format!("was killed by a signal ({signal})"),
                (None, None) => "ended without a status".to_owned(),
            };
            let tail = tail(output.stderr.as_bytes());
            let message = if tail.is_empty() {
                how
            } else {
                format!("{how}: {tail}")
            };
            return Err(self.fail(message));
        }
        Ok(Reply {
            text: output.stdout,
            // A command tells no token counts.
            usage: None,
            finish: Finish::Complete,
            duration_ms: millis(output.duration),
        })
    }
}

fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    let mut start = text.len().saturating_sub(STDERR_TAIL_BYTES);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let prefix = if start > 0 { "…" } else { "" };
    let text: String = text[start..]
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    format!("{prefix}{text}")
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn prompt() -> Prompt {
        Prompt {
            system: "be brief".to_owned(),
            user: "write src/lib.rs".to_owned(),
            shard: None,
        }
    }

    #[test]
    fn cat_echoes_the_prompt_as_the_reply() {
        let model = Command::new("cat".to_owned(), 10);
        let reply = model.complete(&prompt(), &Progress::hidden()).unwrap();
        assert_eq!(reply.text, "be brief\n\nwrite src/lib.rs");
        assert_eq!(reply.finish, Finish::Complete);
        assert_eq!(reply.usage, None);
        assert_eq!(model.name(), "cmd:cat");
    }

    #[test]
    fn a_failing_command_reports_its_status_and_stderr() {
        let model = Command::new("echo 'no model loaded' >&2; exit 3".to_owned(), 10);
        let error = model.complete(&prompt(), &Progress::hidden()).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::Command { .. }), "{error:?}");
        assert!(
            message.contains("exited with status 3: no model loaded"),
            "{message}"
        );
    }

    #[test]
    fn a_command_past_its_timeout_is_killed_with_its_children() {
        let started = Instant::now();
        let model = Command::new("sleep 30 | cat".to_owned(), 1);
        let error = model.complete(&prompt(), &Progress::hidden()).unwrap_err();
        assert!(
            matches!(
                error,
                Error::CommandTimeout {
                    timeout_secs: 1,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn stderr_is_cut_to_its_tail() {
        let long = format!("{}end", "x".repeat(5000));
        let tail = tail(long.as_bytes());
        assert!(tail.starts_with('…') && tail.ends_with("end"));
        assert!(tail.len() <= STDERR_TAIL_BYTES + 3);
    }
}
