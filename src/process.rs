//! Process supervision: runs one child the way every child of wow runs.
//!
//! In: a [`Command`] (program, arguments, folder, environment: the caller's
//! business), optional bytes for its stdin, a wall-clock limit, and the
//! [`Children`] registry of the caller. Out: an [`Output`] with the exit
//! status and the captured stdout and stderr, each capped at
//! [`OUTPUT_CAP_BYTES`]. The child runs in a process group of its own; at
//! the limit, and again once the child has exited, the whole group is
//! killed, so no grandchild outlives it or keeps the pipes open. Nothing
//! here decides what a child may do (that is [`crate::sandbox`]) or what
//! its output means (that is the caller).

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt as _;

/// Most bytes kept of a child's stdout or stderr; the rest is read and dropped.
pub const OUTPUT_CAP_BYTES: usize = 4 * 1024 * 1024;

/// Longest line of stdout a [`Lines`] observer is told; longer ones are
/// skipped.
pub const LINE_CAP_BYTES: usize = 64 * 1024;

/// Told each line of a child's stdout as it arrives, without its newline
/// (invalid UTF-8 replaced), on the thread reading the pipe. What it is
/// told is the child's: count it, never trust or echo it.
pub type Lines = Arc<dyn Fn(&str) + Send + Sync>;

/// How long the readers may take to see the end of the pipes once the
/// group is killed; a process that left the group may hold them open.
const DRAIN_SECS: u64 = 2;

/// The process groups of the children running now, owned by the caller so
/// that an interrupted `wow` (Ctrl-C in `wow watch`) can end them: they run
/// in groups of their own and do not get the terminal's signal. Cloning
/// gives another handle to the same registry.
#[derive(Debug, Clone, Default)]
pub struct Children(Arc<Mutex<Vec<u32>>>);

impl Children {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Kills every process group registered here that is still running.
    pub fn kill_all(&self) {
        let running = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for pid in running {
            kill_group(pid);
        }
    }

    /// Registers the process group `pid` of a long-running child started
    /// elsewhere (the web app), so [`Self::kill_all`] ends it too.
    pub fn adopt(&self, pid: u32) {
        self.add(pid);
    }

    /// Kills the process group `pid` and forgets it.
    pub fn end(&self, pid: u32) {
        self.remove(pid);
        kill_group(pid);
    }

    fn add(&self, pid: u32) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(pid);
    }

    fn remove(&self, pid: u32) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| *p != pid);
    }
}

/// A finished child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Exited with status 0, within the limit.
    pub success: bool,
    /// The exit code, when the child exited (not killed by a signal).
    pub code: Option<i32>,
    /// The signal that ended the child, if one did.
    pub signal: Option<i32>,
    /// Stdout, at most [`OUTPUT_CAP_BYTES`], invalid UTF-8 replaced.
    pub stdout: String,
    /// Stderr, at most [`OUTPUT_CAP_BYTES`], invalid UTF-8 replaced.
    pub stderr: String,
    /// The wall-clock limit was reached and the group killed.
    pub timed_out: bool,
    pub duration: Duration,
}

/// Why a child could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to start `{program}`: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to wait for `{program}`: {source}")]
    Wait {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

/// Runs `command` in its own process group with `stdin` as its whole input
/// (then closed; no input: `/dev/null`), stdout and stderr captured,
/// killing the group after `timeout`. The child is in `children` while it
/// runs.
pub fn run(
    command: Command,
    stdin: Option<&[u8]>,
    timeout: Duration,
    children: &Children,
) -> Result<Output, Error> {
    run_observed(command, stdin, timeout, children, None)
}

/// [`run`], telling `lines` each line of stdout as it arrives.
pub fn run_observed(
    mut command: Command,
    stdin: Option<&[u8]>,
    timeout: Duration,
    children: &Children,
    lines: Option<Lines>,
) -> Result<Output, Error> {
    let program = command.get_program().to_string_lossy().into_owned();
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| Error::Spawn {
        program: program.clone(),
        source,
    })?;
    let pid = child.id();
    children.add(pid);
    let writer = match (child.stdin.take(), stdin) {
        (Some(mut pipe), Some(bytes)) => {
            let bytes = bytes.to_vec();
            // A child that never reads its stdin is fine: ignore the broken pipe.
            Some(thread::spawn(move || drop(pipe.write_all(&bytes))))
        }
        _ => None,
    };
    let stdout = capture(child.stdout.take().expect("stdout is piped"), lines);
    let stderr = capture(child.stderr.take().expect("stderr is piped"), None);
    let waited = child.wait_timeout(timeout);
    let timed_out = matches!(waited, Ok(None));
    kill_group(pid);
    let status = match waited {
        Ok(Some(status)) => Ok(status),
        // Reaps the leader after the kill.
        Ok(None) => child.wait(),
        Err(error) => Err(error),
    };
    // Children left in the group would keep the pipes open: end them too.
    kill_group(pid);
    children.remove(pid);
    let status = status.map_err(|source| Error::Wait {
        program: program.clone(),
        source,
    })?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let deadline = Duration::from_secs(DRAIN_SECS);
    Ok(Output {
        success: status.success() && !timed_out,
        code: status.code(),
        signal: status.signal(),
        stdout: stdout.recv_timeout(deadline).unwrap_or_default(),
        stderr: stderr.recv_timeout(deadline).unwrap_or_default(),
        timed_out,
        duration: started.elapsed(),
    })
}

/// The line being read, for a [`Lines`] observer.
#[derive(Default)]
struct Line {
    bytes: Vec<u8>,
    /// Longer than [`LINE_CAP_BYTES`]: skipped up to its newline.
    long: bool,
}

impl Line {
    /// Adds `chunk`, telling `told` each line it completes.
    fn feed(&mut self, chunk: &[u8], told: &(dyn Fn(&str) + Send + Sync)) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let end = rest.iter().position(|b| *b == b'\n');
            let part = &rest[..end.unwrap_or(rest.len())];
            if self.bytes.len() + part.len() > LINE_CAP_BYTES {
                self.long = true;
                self.bytes.clear();
            } else if !self.long {
                self.bytes.extend_from_slice(part);
            }
            let Some(end) = end else { break };
            if !self.long {
                told(&String::from_utf8_lossy(&self.bytes));
            }
            self.bytes.clear();
            self.long = false;
            rest = &rest[end + 1..];
        }
    }
}

fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // The group may already be gone; nothing to do then.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Reads a pipe to the end on a thread, keeping the first and the last
/// half of [`OUTPUT_CAP_BYTES`] (what a program prints last, such as its
/// results, survives a flood) with a marker line where bytes were cut;
/// tells `lines` each line as it arrives.
fn capture(mut pipe: impl Read + Send + 'static, lines: Option<Lines>) -> mpsc::Receiver<String> {
    let half = OUTPUT_CAP_BYTES / 2;
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let mut head = Vec::new();
        let mut tail: Vec<u8> = Vec::new();
        let mut total = 0usize;
        let mut buffer = [0u8; 8192];
        let mut line = Line::default();
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Some(lines) = &lines {
                        line.feed(&buffer[..n], lines.as_ref());
                    }
                    total += n;
                    let room = half.saturating_sub(head.len()).min(n);
                    head.extend_from_slice(&buffer[..room]);
                    tail.extend_from_slice(&buffer[room..n]);
                    if tail.len() > 2 * half {
                        tail.drain(..tail.len() - half);
                    }
                }
            }
        }
        if tail.len() > half {
            tail.drain(..tail.len() - half);
        }
        let cut = total - head.len() - tail.len();
        let mut text = String::from_utf8_lossy(&head).into_owned();
        if cut > 0 {
            let _ = write!(text, "\n[… {cut} bytes cut …]\n");
        }
        text.push_str(&String::from_utf8_lossy(&tail));
        let _ = send.send(text);
    });
    receive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn stdin_is_given_then_closed_and_stdout_captured() {
        let out = run(
            sh("cat; echo done >&2"),
            Some(b"nonce"),
            Duration::from_secs(10),
            &Children::new(),
        )
        .expect("runs");
        assert!(out.success);
        assert_eq!(out.stdout, "nonce");
        assert_eq!(out.stderr, "done\n");
    }

    #[test]
    fn the_whole_group_is_killed_at_the_limit() {
        let started = Instant::now();
        let out = run(
            sh("sleep 30 & sleep 30"),
            None,
            Duration::from_millis(300),
            &Children::new(),
        )
        .expect("runs");
        assert!(out.timed_out);
        assert!(!out.success);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_is_capped() {
        let out = run(
            sh("head -c 6000000 /dev/zero; echo; echo the-end"),
            None,
            Duration::from_secs(20),
            &Children::new(),
        )
        .expect("runs");
        assert!(out.stdout.len() <= OUTPUT_CAP_BYTES + 64);
        assert!(out.stdout.contains("bytes cut"));
        assert!(out.stdout.ends_with("the-end\n"), "the end survives");
    }

    #[test]
    fn lines_are_told_as_they_arrive_and_long_ones_skipped() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let told = Arc::clone(&seen);
        let lines: Lines = Arc::new(move |line: &str| {
            told.lock().expect("not poisoned").push(line.to_owned());
        });
        let script = format!(
            "printf 'one\\ntw'; sleep 0.2; printf 'o\\n'; head -c {} /dev/zero | tr '\\0' x; printf '\\nthree\\nunfinished'",
            LINE_CAP_BYTES + 1
        );
        let out = run_observed(
            sh(&script),
            None,
            Duration::from_secs(10),
            &Children::new(),
            Some(lines),
        )
        .expect("runs");
        assert!(out.success);
        assert!(
            out.stdout.ends_with("three\nunfinished"),
            "all of it is kept"
        );
        assert_eq!(*seen.lock().expect("not poisoned"), ["one", "two", "three"]);
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let error = run(
            Command::new("/nonexistent/wow-program"),
            None,
            Duration::from_secs(1),
            &Children::new(),
        )
        .expect_err("cannot start");
        assert!(error.to_string().contains("/nonexistent/wow-program"));
    }

    #[test]
    fn kill_all_ends_a_running_child() {
        let children = Children::new();
        let handle = children.clone();
        let killer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            handle.kill_all();
        });
        let out = run(sh("sleep 30"), None, Duration::from_secs(20), &children).expect("runs");
        killer.join().expect("killer thread");
        assert_eq!(out.signal, Some(libc::SIGKILL));
    }
}
