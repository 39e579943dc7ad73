//! Sandbox: contains the processes that build and run generated code.
//!
//! In: a [`Policy`] (what a build or a run of the scenarios may read, write,
//! execute and use) and a command. Out: a [`Command`] that runs the command
//! through `wow __sandbox`, a hidden launcher that confines itself and then
//! execs the command, so the confinement is inherited by every process the
//! command starts. No `unsafe` and no `pre_exec` hook are needed: the
//! launcher is an ordinary process until it execs.
//!
//! Layers, each applied by the launcher to itself (Linux):
//! - resource limits (`setrlimit`): CPU time, address space, file size,
//!   open files, processes (not enforced by the kernel for root), no core
//!   dumps;
//! - `no_new_privs`, and every capability dropped (matters when run as root);
//! - Landlock (<https://docs.kernel.org/userspace-api/landlock.html>): the
//!   file system is denied except the listed paths; TCP `bind`/`connect`
//!   are denied unless the network is allowed (ABI 4+); signals and
//!   abstract Unix sockets are scoped to the sandbox (ABI 6+); a process in
//!   the sandbox cannot `ptrace` or read `/proc/<pid>/environ` of one
//!   outside it;
//! - seccomp: `socket`, `connect` and TCP Fast Open denied unless the
//!   network is allowed, new processes and `execve` denied unless allowed
//!   (threads stay possible; the launcher execs through `execveat`),
//!   clearing the parent-death signal denied to the app, and `ptrace`, `bpf`,
//!   `io_uring_*`, `unshare`, `mount`, raising limits and similar system
//!   calls always denied.
//!
//! What must not happen here: printing the policy's paths or the
//! environment anywhere the contained process could read it back, or
//! failing open silently. A layer the kernel lacks is reported by
//! [`probe`] so the caller says so once.

mod confine;

use std::ffi::OsString;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Name of the hidden launcher subcommand.
pub const LAUNCHER: &str = "__sandbox";

/// Exit code of the launcher when it could not confine itself.
pub const EXIT_SETUP: i32 = 125;
/// Exit code of the launcher when the program could not be executed.
pub const EXIT_EXEC: i32 = 127;
/// Prefix of every message the launcher prints.
pub const PREFIX: &str = "wow sandbox:";

/// Whether builds and runs are sandboxed (`--sandbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every layer the kernel offers.
    #[default]
    On,
    /// None: the explicit, loud opt-out.
    Off,
}

/// Resource limits of one kind of process tree, a build or a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Wall-clock time of the whole tree, enforced by the parent (it kills
    /// the process group).
    pub timeout_secs: u64,
    /// CPU time of each process (`RLIMIT_CPU`): `SIGXCPU` at the limit,
    /// `SIGKILL` a second later.
    pub cpu_secs: u64,
    /// Address space of each process (`RLIMIT_AS`), in MiB.
    pub memory_mb: u64,
    /// Largest file a process may write (`RLIMIT_FSIZE`), in MiB.
    pub file_size_mb: u64,
    /// Open file descriptors of each process (`RLIMIT_NOFILE`).
    pub open_files: u64,
    /// Processes and threads the tree may add to those its user already
    /// has (`RLIMIT_NPROC`; the kernel does not enforce it for root).
    pub processes: u64,
}

impl Budget {
    /// Defaults for builds, sized for a two-core laptop: the first build
    /// compiles cucumber and tokio (about a minute), rustc and the linker
    /// need address space, rlibs and test executables are large.
    pub const BUILD: Self = Self {
        timeout_secs: 600,
        cpu_secs: 1200,
        memory_mb: 8192,
        file_size_mb: 2048,
        open_files: 4096,
        processes: 1024,
    };

    /// Defaults for runs of the scenarios: a prototype is small, so these
    /// are tight.
    pub const RUN: Self = Self {
        timeout_secs: 60,
        cpu_secs: 60,
        memory_mb: 2048,
        file_size_mb: 64,
        open_files: 256,
        processes: 256,
    };
}

impl Budget {
    /// Defaults for the web app (`wow app`): no wall-clock limit (the
    /// server stops it after an idle time instead), CPU time for a long
    /// meeting, a small memory and file budget.
    pub const APP: Self = Self {
        timeout_secs: 0,
        cpu_secs: 1800,
        memory_mb: 1024,
        file_size_mb: 16,
        open_files: 256,
        processes: 64,
    };
}

/// What a contained process tree may reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub budget: Budget,
    /// Paths that may be read and executed (files or folders).
    pub exec: Vec<PathBuf>,
    /// Paths that may be read only.
    pub read: Vec<PathBuf>,
    /// Paths that may be read, written, created and removed (and executed).
    pub write: Vec<PathBuf>,
    /// TCP and `socket(2)` allowed (only for fetching crates, which runs no
    /// generated code).
    pub network: bool,
    /// New processes allowed (cargo starts rustc); threads always are.
    pub processes: bool,
    /// Killed when wow dies (`PR_SET_PDEATHSIG`): for the web app, which
    /// has no wall-clock limit and must not outlive the server in front of
    /// it.
    #[serde(default)]
    pub die_with_parent: bool,
}

/// Folders of the system the toolchain and the C runtime live in.
const SYSTEM_EXEC: &[&str] = &[
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/nix/store",
];

/// Files and folders of `/etc` that the loader, the linker and a crate
/// fetch read; the rest of `/etc` stays closed.
const SYSTEM_READ: &[&str] = &[
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/pki",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/gai.conf",
    "/etc/host.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/localtime",
    "/etc/alternatives",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];

/// What a run reads of the prototype: its sources and scenarios, never
/// `.wow/` (exchanges, history, reports).
const RUN_READ: &[&str] = &["Cargo.toml", "Cargo.lock", "features", "src", "tests"];

/// Cargo's lock files and its cache tracker in `CARGO_HOME`, written even
/// by an offline build.
const CARGO_STATE: &[&str] = &[
    ".package-cache",
    ".package-cache-mutate",
    ".global-cache",
    ".global-cache-journal",
    ".global-cache-wal",
    ".global-cache-shm",
];

/// Where the toolchain lives, found once from the environment of `wow`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// `CARGO_HOME`, or `~/.cargo`.
    pub cargo_home: Option<PathBuf>,
    /// `RUSTUP_HOME`, or `~/.rustup`.
    pub rustup_home: Option<PathBuf>,
    /// Folders of `cargo` and `rustc` as found on `PATH` (symbolic links resolved).
    pub bin_dirs: Vec<PathBuf>,
}

impl Toolchain {
    /// Finds the toolchain from the current environment.
    pub fn find() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let from = |var: &str, default: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(default)))
                .filter(|p| p.is_absolute())
        };
        let mut bin_dirs = Vec::new();
        for program in ["cargo", "rustc"] {
            if let Some(found) = which(program) {
                for path in [
                    found.clone(),
                    std::fs::canonicalize(&found).unwrap_or(found),
                ] {
                    if let Some(dir) = path.parent()
                        && !bin_dirs.iter().any(|d: &PathBuf| d == dir)
                    {
                        bin_dirs.push(dir.to_owned());
                    }
                }
            }
        }
        Self {
            cargo_home: from("CARGO_HOME", ".cargo"),
            rustup_home: from("RUSTUP_HOME", ".rustup"),
            bin_dirs,
        }
    }
}

/// The first `program` on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

impl Policy {
    /// A build of the prototype in `dir`: the prototype and the toolchain
    /// read-only, the registry cache read-only, the shared target directory
    /// writable (`scratch`, the build's `HOME` and `TMPDIR`, is inside it),
    /// processes allowed (cargo runs rustc and the dependencies' build
    /// scripts, all chosen by the tool), no network. Nothing of `/proc` or
    /// `/sys` is readable, so no compile-time include can copy another
    /// process's data into the program.
    pub fn build(
        dir: &Path,
        target_dir: &Path,
        scratch: &Path,
        toolchain: &Toolchain,
        budget: Budget,
    ) -> Self {
        let mut policy = Self::toolchain(toolchain, budget);
        policy.read.push(dir.to_owned());
        if let Some(cargo) = &toolchain.cargo_home {
            policy
                .read
                .extend(["registry", "git"].map(|n| cargo.join(n)));
        }
        policy
            .write
            .extend([target_dir.to_owned(), scratch.to_owned()]);
        policy
    }

    /// A fetch of the dependencies in `folder` (a copy of the tool-owned
    /// manifest and lock file only): the network, and writes to `folder`,
    /// `scratch` and cargo's registry cache and lock files, never to
    /// `CARGO_HOME/bin` or `CARGO_HOME/credentials*`.
    pub fn fetch(folder: &Path, scratch: &Path, toolchain: &Toolchain, budget: Budget) -> Self {
        let mut policy = Self::toolchain(toolchain, budget);
        policy.network = true;
        policy.write.extend([folder.to_owned(), scratch.to_owned()]);
        if let Some(cargo) = &toolchain.cargo_home {
            policy
                .write
                .extend(["registry", "git"].map(|n| cargo.join(n)));
        }
        policy
    }

    /// What every cargo process needs: the system's programs and the
    /// toolchain (read and execute), the named files of `/etc`, cargo's
    /// configuration files (read) and cargo's lock and cache-tracking files
    /// (write), `/dev/null`.
    fn toolchain(toolchain: &Toolchain, budget: Budget) -> Self {
        let mut exec: Vec<PathBuf> = SYSTEM_EXEC.iter().map(PathBuf::from).collect();
        exec.extend(toolchain.bin_dirs.iter().cloned());
        let mut read: Vec<PathBuf> = SYSTEM_READ.iter().map(PathBuf::from).collect();
        let mut write = vec![PathBuf::from("/dev/null")];
        if let Some(rustup) = &toolchain.rustup_home {
            exec.push(rustup.join("toolchains"));
            read.push(rustup.join("settings.toml"));
            read.push(rustup.join("update-hashes"));
        }
        if let Some(cargo) = &toolchain.cargo_home {
            exec.push(cargo.join("bin"));
            // Never the whole of CARGO_HOME: `credentials.toml` is there.
            for name in ["config.toml", "config"] {
                read.push(cargo.join(name));
            }
            write.extend(CARGO_STATE.iter().map(|n| cargo.join(n)));
        }
        Self {
            budget,
            exec,
            read,
            write,
            network: false,
            processes: true,
            die_with_parent: false,
        }
    }

    /// The web app: its executable and the C runtime (read and execute),
    /// the system's shared data (read), only `scratch` writable; no
    /// network (`socket(2)` denied: the app serves only the listening
    /// socket it inherits as stdin, so it can neither connect out nor
    /// listen anywhere else), no new process, nothing of `/proc` or `/sys`.
    pub fn app(executable: &Path, scratch: &Path, budget: Budget) -> Self {
        let mut policy = Self::run(scratch, executable, scratch, budget);
        policy.read.retain(|path| !path.starts_with(scratch));
        policy.die_with_parent = true;
        policy
    }

    /// A run of the scenarios: the test executable and the C runtime
    /// executable, the prototype's sources and features and the system's
    /// shared data readable,
    /// only `scratch` (a fresh folder outside the prototype, its `HOME` and
    /// `TMPDIR`) writable; nothing of `/proc` (not even its own: the
    /// results' frame value stays out of reach) or `/sys`; no network and
    /// no new process.
    pub fn run(dir: &Path, executable: &Path, scratch: &Path, budget: Budget) -> Self {
        let exec = [
            executable.to_owned(),
            PathBuf::from("/lib"),
            PathBuf::from("/lib64"),
            PathBuf::from("/usr/lib"),
            PathBuf::from("/usr/lib64"),
        ]
        .to_vec();
        let mut read: Vec<PathBuf> = SYSTEM_READ.iter().map(PathBuf::from).collect();
        read.push(PathBuf::from("/usr/share"));
        // The prototype's own files, not wow's state in `.wow/`.
        read.extend(RUN_READ.iter().map(|name| dir.join(name)));
        Self {
            budget,
            exec,
            read,
            write: vec![scratch.to_owned(), PathBuf::from("/dev/null")],
            network: false,
            processes: false,
            die_with_parent: false,
        }
    }

    /// The command that runs `command` inside this policy: the `wow`
    /// executable as launcher, with the same folder, and the program and
    /// its arguments after `--`. The caller sets the environment.
    pub fn wrap(&self, command: &Command) -> Result<Command, Error> {
        let launcher = std::env::current_exe().map_err(Error::CurrentExe)?;
        // The launcher runs in the command's folder: relative paths would
        // name other places there.
        let absolute = |paths: &[PathBuf]| -> Vec<PathBuf> {
            paths
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
                .collect()
        };
        let policy = Self {
            exec: absolute(&self.exec),
            read: absolute(&self.read),
            write: absolute(&self.write),
            ..self.clone()
        };
        let mut wrapped = Command::new(launcher);
        wrapped
            .arg(LAUNCHER)
            .arg(serde_json::to_string(&policy).map_err(Error::Encode)?)
            .arg("--")
            .arg(command.get_program())
            .args(command.get_args());
        if let Some(dir) = command.get_current_dir() {
            wrapped.current_dir(dir);
        }
        Ok(wrapped)
    }
}

/// Why a sandbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to find the `wow` executable to start the sandbox: {0}")]
    CurrentExe(#[source] std::io::Error),
    #[error("failed to encode the sandbox policy: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("failed to decode the sandbox policy: {0}")]
    Decode(#[source] serde_json::Error),
    #[error("failed to set the {what} limit: {source}")]
    Limit {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to bind the app to wow: {0}")]
    Parent(String),
    #[error("failed to drop capabilities: {0}")]
    Capabilities(#[source] std::io::Error),
    #[error("failed to apply Landlock: {0}")]
    Landlock(#[source] landlock::RulesetError),
    #[error("failed to build the seccomp filter: {0}")]
    SeccompBuild(String),
    #[error("failed to apply the seccomp filter: {0}")]
    Seccomp(#[source] seccompiler::Error),
    #[error("failed to start the sandbox probe `{}`: {source}", .program.display())]
    Probe {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the sandbox probe failed: {0}")]
    ProbeFailed(String),
}

/// What the launcher managed to enforce, layer by layer.
#[expect(
    clippy::struct_excessive_bools,
    reason = "one flag per independent layer, reported as JSON"
)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layers {
    /// CPU, address space, file size and open files limits are set.
    pub limits: bool,
    /// The process limit is one the kernel enforces (not for root).
    pub process_limit: bool,
    /// Capabilities were held and are dropped, or none were held.
    pub capabilities: bool,
    pub no_new_privs: bool,
    /// The Landlock ABI version of the kernel (0: none).
    pub landlock_abi: i32,
    /// Landlock's file system rules are fully enforced.
    pub landlock_fs: bool,
    /// Landlock also denies TCP `bind`/`connect` (ABI 4+).
    pub landlock_net: bool,
    /// Landlock scopes signals and abstract sockets to the sandbox (ABI 6+).
    pub landlock_scope: bool,
    pub seccomp: bool,
}

impl Layers {
    /// Every layer that is missing, in words for one line to the user.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.landlock_abi == 0 {
            out.push(
                "Landlock (the kernel has none: generated code can read and write every file you can)",
            );
        } else {
            if !self.landlock_fs {
                out.push("part of Landlock's file rules (an older kernel)");
            }
            if !self.landlock_net {
                out.push("Landlock's network rules (kernel older than 6.7; seccomp still denies sockets in runs)");
            }
            if !self.landlock_scope {
                out.push("Landlock's signal scoping (kernel older than 6.12)");
            }
        }
        if !self.seccomp {
            out.push("seccomp (generated code can open network connections and start processes)");
        }
        if !self.limits {
            out.push("resource limits");
        }
        out
    }
}

/// Runs the launcher in probe mode with `policy` and reads which layers it
/// enforced.
pub fn probe(policy: &Policy) -> Result<Layers, Error> {
    let program = std::env::current_exe().map_err(Error::CurrentExe)?;
    let output = Command::new(&program)
        .arg(LAUNCHER)
        .arg(serde_json::to_string(policy).map_err(Error::Encode)?)
        .arg("--probe")
        .env_clear()
        .output()
        .map_err(|source| Error::Probe {
            program: program.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(Error::ProbeFailed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(Error::Decode)
}

/// The launcher, `wow __sandbox POLICY -- PROGRAM [ARGS]...` (`args` are
/// the arguments after `__sandbox`): decodes the policy, confines this
/// process, then execs the program. With `--probe` instead of `--`, prints
/// the enforced [`Layers`] as JSON and exits. Returns the exit code when it
/// does not exec.
pub fn launcher(args: &[OsString]) -> i32 {
    let (Some(policy), Some(separator)) = (args.first(), args.get(1)) else {
        eprintln!("{PREFIX} usage: wow {LAUNCHER} POLICY -- PROGRAM [ARGS]...");
        return EXIT_SETUP;
    };
    let probe = separator == "--probe";
    let program = args.get(2);
    if !probe && (separator != "--" || program.is_none()) {
        eprintln!("{PREFIX} usage: wow {LAUNCHER} POLICY -- PROGRAM [ARGS]...");
        return EXIT_SETUP;
    }
    close_inherited();
    let parent = rustix::process::getppid();
    let layers = serde_json::from_str::<Policy>(&policy.to_string_lossy())
        .map_err(Error::Decode)
        .and_then(|policy| {
            if policy.die_with_parent {
                rustix::process::set_parent_process_death_signal(Some(
                    rustix::process::Signal::KILL,
                ))
                .map_err(|e| Error::Parent(e.to_string()))?;
                // wow may have died before the setting took effect.
                if rustix::process::getppid() != parent {
                    return Err(Error::Parent("wow is gone".to_owned()));
                }
            }
            confine::confine(&policy)
        });
    let layers = match layers {
        Ok(layers) => layers,
        Err(error) => {
            eprintln!("{PREFIX} {error}");
            return EXIT_SETUP;
        }
    };
    let Some(program) = program.filter(|_| !probe) else {
        println!(
            "{}",
            serde_json::to_string(&layers).expect("layers encode as JSON")
        );
        return 0;
    };
    let error = exec(program, &args[3..]);
    eprintln!(
        "{PREFIX} failed to start `{}`: {error}",
        program.to_string_lossy()
    );
    EXIT_EXEC
}

/// Closes every descriptor but stdin, stdout and stderr: what `wow`'s own
/// parent left open without close-on-exec (a terminal, a pipe, a socket)
/// must not reach the contained program. Read from `/proc/self/fd`
/// before Landlock closes `/proc`.
fn close_inherited() {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let open: Vec<i32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in open {
        // The listing's own descriptor is among them, closed already.
        let _ = nix::unistd::close(fd);
    }
}

/// Replaces this process with `program` (found on `PATH` when it names no
/// folder), `args` and this process's environment, through `execveat`:
/// runs deny `execve` ([`confine`]), so that what they run cannot start
/// another program. Returns only on failure.
fn exec(program: &std::ffi::OsStr, args: &[OsString]) -> std::io::Error {
    use std::ffi::CString;
    use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
    let path = if program.as_bytes().contains(&b'/') {
        PathBuf::from(program)
    } else {
        match which(&program.to_string_lossy()) {
            Some(path) => path,
            None => return std::io::ErrorKind::NotFound.into(),
        }
    };
    let c = |text: &[u8]| CString::new(text).map_err(std::io::Error::other);
    let strings = || -> std::io::Result<(CString, Vec<CString>, Vec<CString>)> {
        let path = c(path.as_os_str().as_bytes())?;
        let words = std::iter::once(program)
            .chain(args.iter().map(OsString::as_os_str))
            .map(|a| c(a.as_bytes()))
            .collect::<Result<_, _>>()?;
        let env = std::env::vars_os()
            .map(|(name, value)| {
                let mut pair = name.into_vec();
                pair.push(b'=');
                pair.extend(value.as_bytes());
                c(&pair)
            })
            .collect::<Result<_, _>>()?;
        Ok((path, words, env))
    };
    let (path, words, env) = match strings() {
        Ok(strings) => strings,
        Err(error) => return error,
    };
    match nix::unistd::execveat(
        nix::fcntl::AT_FDCWD,
        &path,
        &words,
        &env,
        nix::fcntl::AtFlags::empty(),
    ) {
        Ok(never) => match never {},
        Err(errno) => errno.into(),
    }
}

/// Makes this process non-dumpable: its memory and `/proc/<pid>/environ`
/// (where API keys are) become unreadable to processes of the same user
/// without `CAP_SYS_PTRACE`, children included.
pub fn protect_self() -> std::io::Result<()> {
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_can_reach_only_its_state_folder_for_writing() {
        let policy = Policy::run(
            Path::new("/p"),
            Path::new("/t/debug/deps/intents-1"),
            Path::new("/tmp/.wow-scratch-1"),
            Budget::RUN,
        );
        assert_eq!(
            policy.write,
            [
                PathBuf::from("/tmp/.wow-scratch-1"),
                PathBuf::from("/dev/null")
            ]
        );
        assert!(
            !policy
                .read
                .iter()
                .chain(&policy.exec)
                .any(|p| p.starts_with("/proc") || p.starts_with("/sys")),
            "no process's /proc entries, not even its own"
        );
        assert!(
            !policy.read.iter().any(|p| p == Path::new("/p")),
            "not the prototype's `.wow/`"
        );
        assert!(policy.read.iter().any(|p| p == Path::new("/p/features")));
        assert!(!policy.network);
        assert!(!policy.processes);
        assert!(
            !policy.read.iter().any(|p| p == Path::new("/etc")),
            "only named files of /etc"
        );
    }

    #[test]
    fn a_build_never_reads_all_of_cargo_home() {
        let toolchain = Toolchain {
            cargo_home: Some(PathBuf::from("/h/.cargo")),
            rustup_home: Some(PathBuf::from("/h/.rustup")),
            bin_dirs: vec![PathBuf::from("/h/.cargo/bin")],
        };
        let policy = Policy::build(
            Path::new("/p"),
            Path::new("/t"),
            Path::new("/t/.wow-scratch-1"),
            &toolchain,
            Budget::BUILD,
        );
        assert!(!policy.network);
        assert!(
            !policy.write.iter().any(|p| p.starts_with("/p")),
            "a build never writes the prototype or its state"
        );
        let all: Vec<&PathBuf> = policy
            .read
            .iter()
            .chain(&policy.exec)
            .chain(&policy.write)
            .collect();
        assert!(!all.iter().any(|p| p.as_path() == Path::new("/h/.cargo")));
        assert!(!all.iter().any(|p| p.as_path() == Path::new("/h")));
        assert!(all.iter().any(|p| p.ends_with(".cargo/registry")));
    }

    #[test]
    fn a_fetch_never_writes_cargos_programs_or_credentials() {
        let toolchain = Toolchain {
            cargo_home: Some(PathBuf::from("/h/.cargo")),
            rustup_home: Some(PathBuf::from("/h/.rustup")),
            bin_dirs: vec![PathBuf::from("/h/.cargo/bin")],
        };
        let policy = Policy::fetch(
            Path::new("/t/.wow-scratch-1/fetch"),
            Path::new("/t/.wow-scratch-1"),
            &toolchain,
            Budget::BUILD,
        );
        assert!(policy.network);
        for path in &policy.write {
            assert!(
                !Path::new("/h/.cargo").starts_with(path),
                "all of CARGO_HOME writable through {}",
                path.display()
            );
            assert!(!path.starts_with("/h/.cargo/bin"), "{}", path.display());
            assert!(
                !path.to_string_lossy().contains("credentials"),
                "{}",
                path.display()
            );
        }
        assert!(policy.write.iter().any(|p| p.ends_with(".cargo/registry")));
    }
}
