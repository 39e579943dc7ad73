//! The `cmd:<shell command>` provider: any CLI model runner as a model.
//!
//! In: a [`Prompt`], written to the command's stdin as the system text, a
//! blank line, and the user text. Out: the command's stdout as the reply
//! text. It must not outlive its timeout: the command runs in its own process
//! group, and the whole group is killed at the timeout or when the command
//! exits (so a stray background job cannot keep the pipes open).

use std::io::{Read, Write as _};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command as Process, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use wait_timeout::ChildExt as _;

use super::{Error, Finish, Llm, Reply};
use crate::progress::Progress;
use crate::prompt::Prompt;
use crate::vocabulary::{Usage, millis};

/// Most of the command's stderr kept for an error message, in bytes (the end of it).
const STDERR_TAIL_BYTES: usize = 2048;

/// A model behind a shell command, run as `sh -c <command>` once per prompt.
pub(super) struct Command {
    command: String,
    timeout_secs: u64,
}

impl Command {
    /// A provider running `command`, killed after `timeout_secs` seconds.
    pub(super) fn new(command: String, timeout_secs: u64) -> Self {
        Self {
            command,
            timeout_secs,
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

    fn complete(&mut self, prompt: &Prompt, _progress: &Progress) -> Result<Reply, Error> {
        let started = Instant::now();
        let mut child = Process::new("sh")
            .arg("-c")
            .arg(&self.command)
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.fail(format!("cannot start `sh`: {e}")))?;
        let input = format!("{}\n\n{}", prompt.system, prompt.user);
        let mut stdin = child.stdin.take().expect("stdin was piped");
        // A command that never reads its stdin is fine: ignore the broken pipe.
        let writer = thread::spawn(move || drop(stdin.write_all(input.as_bytes())));
        let stdout = drain(child.stdout.take().expect("stdout was piped"));
        let stderr = drain(child.stderr.take().expect("stderr was piped"));

        let status = child.wait_timeout(Duration::from_secs(self.timeout_secs));
        kill_group(&mut child);
        let status = match status {
            Ok(Some(status)) => status,
            // The readers may be stuck on pipes held by an escaped process: leave them.
            Ok(None) => {
                return Err(Error::CommandTimeout {
                    command: self.command.clone(),
                    timeout_secs: self.timeout_secs,
                });
            }
            Err(e) => return Err(self.fail(format!("cannot wait for it: {e}"))),
        };
        let _ = writer.join();
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() {
            let how = match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => format!("was killed by a signal ({status})"),
            };
            let tail = tail(&stderr);
            let message = if tail.is_empty() {
                how
            } else {
                format!("{how}: {tail}")
            };
            return Err(self.fail(message));
        }
        Ok(Reply {
            text: String::from_utf8_lossy(&stdout).into_owned(),
            usage: Usage::default(),
            finish: Finish::Complete,
            duration_ms: millis(started.elapsed()),
        })
    }
}

/// Reads a pipe to its end on a thread, so neither pipe can fill up and stall the command.
fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Kills what is left of the command's process group and reaps the shell.
fn kill_group(child: &mut Child) {
    let pid = i32::try_from(child.id()).expect("process ids fit in an i32");
    // ESRCH when the group has already gone: nothing to do.
    let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    let _ = child.wait();
}

/// The last [`STDERR_TAIL_BYTES`] of stderr, trimmed, without control
/// characters other than newlines (it is echoed to a terminal).
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
    use super::*;

    fn prompt() -> Prompt {
        Prompt {
            system: "be brief".to_owned(),
            user: "write src/lib.rs".to_owned(),
        }
    }

    #[test]
    fn cat_echoes_the_prompt_as_the_reply() {
        let mut model = Command::new("cat".to_owned(), 10);
        let reply = model.complete(&prompt(), &Progress::hidden()).unwrap();
        assert_eq!(reply.text, "be brief\n\nwrite src/lib.rs");
        assert_eq!(reply.finish, Finish::Complete);
        assert_eq!(reply.usage, Usage::default());
        assert_eq!(model.name(), "cmd:cat");
    }

    #[test]
    fn a_failing_command_reports_its_status_and_stderr() {
        let mut model = Command::new("echo 'no model loaded' >&2; exit 3".to_owned(), 10);
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
        let mut model = Command::new("sleep 30 | cat".to_owned(), 1);
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
