//! Web app stage: the page stakeholders click through, every decision made
//! by the library the scenarios verified.
//!
//! In: a prototype whose `app/page.rs` (model-owned) sits in the tool's
//! `app/main.rs` server ([`crate::prototype::APP_MAIN`]). Out: a running
//! app ([`Running`]) behind wow's own server ([`proxy`]), and the app's
//! part of the report ([`make`]).
//!
//! Containment: wow binds a loopback port itself and hands the listening
//! socket to the app as its stdin; the app runs in the sandbox with
//! `socket(2)` denied ([`crate::sandbox::Policy::app`]), so it can accept
//! connections on that socket and nothing else: no outgoing connection,
//! no other port. It writes only a scratch folder, and runs from a private
//! copy of its executable, so a later build cannot swap it. There is no
//! wall-clock limit; [`proxy`] stops it after an idle time.

pub mod make;
pub mod proxy;

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use crate::cargo::{self, Limits};
use crate::process::Children;
use crate::sandbox::{self, Budget, Policy};

/// Most bytes kept of what the app prints on stderr.
const STDERR_CAP: usize = 8 * 1024;

/// The apps running now, so that Ctrl-C ([`stop_all`]) ends them: each
/// runs in a process group of its own.
static RUNNING: LazyLock<Children> = LazyLock::new(Children::new);

/// The scratch folders of the apps running now, removed by [`stop_all`]
/// (a Ctrl-C handler exits without running destructors).
static SCRATCH: LazyLock<Mutex<Vec<PathBuf>>> = LazyLock::new(Mutex::default);

/// Kills every running app and removes its scratch folder (for Ctrl-C
/// handlers).
pub fn stop_all() {
    RUNNING.kill_all();
    let folders = std::mem::take(&mut *SCRATCH.lock().unwrap_or_else(PoisonError::into_inner));
    for folder in folders {
        let _ = std::fs::remove_dir_all(folder);
    }
}

/// Why the app could not be started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open a loopback port for the app: {0}")]
    Listen(#[source] std::io::Error),
    #[error("cannot prepare the app's scratch folder: {0}")]
    Scratch(#[source] std::io::Error),
    #[error("cannot start the app: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("cannot sandbox the app: {0}")]
    Sandbox(#[from] sandbox::Error),
}

/// A running app: a child in its own process group, killed on drop.
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// Where it listens (127.0.0.1, a port wow chose).
    pub address: SocketAddr,
    stderr: Arc<Mutex<String>>,
    scratch: tempfile::TempDir,
}

impl Running {
    /// Starts the app built at `executable`, in the sandbox unless
    /// `limits.sandbox` is off, listening on a fresh loopback port.
    pub fn start(executable: &Path, limits: &Limits) -> Result<Self, Error> {
        let scratch = tempfile::Builder::new()
            .prefix("wow-app-")
            .tempdir()
            .map_err(Error::Scratch)?;
        let root = std::fs::canonicalize(scratch.path()).map_err(Error::Scratch)?;
        for name in ["home", "tmp"] {
            std::fs::create_dir(root.join(name)).map_err(Error::Scratch)?;
        }
        let copy = root.join("app");
        std::fs::copy(executable, &copy).map_err(Error::Scratch)?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(Error::Listen)?;
        let address = listener.local_addr().map_err(Error::Listen)?;
        let mut command = Command::new(&copy);
        command.current_dir(root.join("home"));
        let mut command = if limits.sandbox == sandbox::Mode::On {
            Policy::app(&copy, &root, Budget::APP).wrap(&command)?
        } else {
            command
        };
        command
            .env_clear()
            .env("HOME", root.join("home"))
            .env("TMPDIR", root.join("tmp"))
            .env("NO_COLOR", "1")
            .env("MALLOC_ARENA_MAX", "2")
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::from(OwnedFd::from(listener)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        SCRATCH
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(root.clone());
        let mut child = command.spawn().map_err(Error::Spawn)?;
        RUNNING.adopt(child.id());
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let kept = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buffer = [0_u8; 4096];
                while let Ok(read) = pipe.read(&mut buffer) {
                    if read == 0 {
                        break;
                    }
                    let mut text = kept.lock().unwrap_or_else(PoisonError::into_inner);
                    text.push_str(&String::from_utf8_lossy(&buffer[..read]));
                    if text.len() > STDERR_CAP {
                        let cut = text.len() - STDERR_CAP;
                        let cut = (cut..text.len())
                            .find(|i| text.is_char_boundary(*i))
                            .unwrap_or(text.len());
                        text.drain(..cut);
                    }
                }
            });
        }
        Ok(Self {
            child,
            address,
            stderr,
            scratch,
        })
    }

    /// Why the app stopped, in plain words (its exit and the end of its
    /// stderr, control characters removed), or `None` while it runs.
    pub fn stopped(&mut self) -> Option<String> {
        let status = self.child.try_wait().ok().flatten()?;
        let said = cargo::sanitize(&self.stderr.lock().unwrap_or_else(PoisonError::into_inner));
        let how = match status.code() {
            Some(code) if code == sandbox::EXIT_SETUP => {
                "the sandbox could not confine it".to_owned()
            }
            Some(code) => format!("it exited with code {code}"),
            None => "it was stopped by a signal (a limit, or a crash)".to_owned(),
        };
        let said = cargo::tail(&said, 400);
        Some(if said.trim().is_empty() {
            how
        } else {
            format!("{how}: {}", said.trim())
        })
    }

    /// Kills the app's process group and waits for it; its scratch folder
    /// goes when the app is dropped.
    pub fn stop(&mut self) {
        RUNNING.end(self.child.id());
        let _ = self.child.wait();
        if let Ok(root) = std::fs::canonicalize(self.scratch.path()) {
            SCRATCH
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|folder| *folder != root);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}
