//! The commands and checks that keep the user safe: `wow doctor` (which
//! sandbox layers are active, the toolchain, the target directory, the
//! model), `wow restore` (an earlier round's files back), the checks made
//! before a prototype is written (lock, links, hand edits), and the one
//! line said when the sandbox is off or a layer is missing.

use std::path::{Path, PathBuf};

use super::{Doctor, Error, Restore, find_prototype};
use crate::cargo::Limits;
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::prototype::history::{self, Lock};
use crate::sandbox::{self, Budget, Layers, Mode, Policy};

/// Everything `wow run` checks before it writes into `prototype`: takes the
/// lock, refuses symbolic links, stops on hand edits (or, with `force`,
/// saves them), and starts a new history. The lock is held until dropped.
pub(super) fn before_writing(
    prototype: &Prototype,
    force: bool,
    progress: &Progress,
) -> Result<Lock, Error> {
    let lock = history::lock(prototype)?;
    if let Some(link) = links(&prototype.dir).into_iter().next() {
        return Err(crate::prototype::Error::Link(link).into());
    }
    if let Some(saved) = history::guard(prototype, force)? {
        progress.note(&format!(
            "saved the files edited by hand in `{}` before overwriting them",
            crate::spec::display_path(&saved)
        ));
    }
    history::start(prototype)?;
    Ok(lock)
}

/// Symbolic links inside the prototype folder, outside the tool's private
/// temporary folders.
fn links(dir: &Path) -> Vec<PathBuf> {
    let skip = [
        dir.join(crate::prototype::STATE_DIR).join("tmp"),
        dir.join(crate::prototype::STATE_DIR).join("home"),
    ];
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !skip.iter().any(|s| e.path() == s))
        .flatten()
        .filter(walkdir::DirEntry::path_is_symlink)
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Says, in one line on stderr, that the sandbox is off or which layers
/// the kernel lacks; says nothing when every layer is active.
pub(super) fn announce(limits: &Limits, prototype: &Prototype) -> Result<(), Error> {
    if limits.sandbox == Mode::Off {
        eprintln!(
            "warning: --sandbox off: the generated code builds and runs with your full rights (your files, your network, no memory or process limit)"
        );
        return Ok(());
    }
    let layers = probe(prototype, limits.run)?;
    let missing = layers.missing();
    if !missing.is_empty() {
        eprintln!(
            "warning: the sandbox lacks {}; `wow doctor` lists every layer",
            missing.join("; ")
        );
    }
    Ok(())
}

fn probe(prototype: &Prototype, budget: Budget) -> Result<Layers, Error> {
    let exe = std::env::current_exe().map_err(sandbox::Error::CurrentExe)?;
    let scratch = std::env::temp_dir();
    let policy = Policy::run(&prototype.dir, &exe, &scratch, budget);
    Ok(sandbox::probe(&policy)?)
}

/// `wow restore ROUND [DIR]`.
pub fn restore(args: &Restore) -> Result<u8, Error> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => find_prototype()?,
    };
    let prototype = Prototype::open(&dir)?;
    let _lock = history::lock(&prototype)?;
    if let Some(link) = links(&prototype.dir).into_iter().next() {
        return Err(crate::prototype::Error::Link(link).into());
    }
    let files = history::round_files(&prototype, args.round)?;
    if let Some(saved) = history::guard(&prototype, args.force)? {
        eprintln!(
            "saved the files edited by hand in `{}` before overwriting them",
            crate::spec::display_path(&saved)
        );
    }
    prototype.write_files(&files)?;
    let shown = crate::spec::display_path(&dir);
    println!(
        "restored round {} of `{shown}` ({}); run `wow test {shown}` to see its intents",
        args.round,
        crate::vocabulary::plural(files.len(), "file", "files")
    );
    Ok(0)
}

/// `wow doctor`: exit 0 when cargo is found, 2 when it is not.
pub fn doctor(args: &Doctor) -> Result<u8, Error> {
    let limits = Limits {
        sandbox: args.sandbox,
        ..Limits::default()
    };
    let scratch = tempfile::tempdir().map_err(|source| Error::CreateDir {
        path: std::env::temp_dir(),
        source,
    })?;
    let layers = probe(&Prototype::new(scratch.path()), limits.run)?;
    let mut rows = layer_rows(&layers);
    if limits.sandbox == Mode::Off {
        let off = "OFF      --sandbox off: none of the layers below is used";
        rows.insert(0, ("sandbox", off.to_owned()));
    }
    if limits.sandbox == Mode::On {
        rows.extend(containment_rows());
    }
    let cargo_found = toolchain_rows(args, &mut rows);
    for (name, value) in &rows {
        println!("{name:<18} {value}");
    }
    Ok(if cargo_found { 0 } else { 2 })
}

/// What a build, a fetch and a run may read and write, and whether they
/// reach the network, taken from the policies themselves.
fn containment_rows() -> Vec<(&'static str, String)> {
    let toolchain = sandbox::Toolchain::find();
    let prototype = Path::new("<prototype>");
    let target = Path::new("<target dir>");
    let scratch = target.join("<scratch>");
    let build = Policy::build(prototype, target, &scratch, &toolchain, Budget::BUILD);
    let fetch = Policy::fetch(&scratch.join("fetch"), &scratch, &toolchain, Budget::BUILD);
    let run = Policy::run(
        prototype,
        Path::new("<test executable>"),
        Path::new("<fresh temporary folder>"),
        Budget::RUN,
    );
    let list = |paths: &[PathBuf], reads: bool| -> String {
        let etc = paths.iter().filter(|p| p.starts_with("/etc")).count();
        let mut shown: Vec<String> = paths
            .iter()
            .filter(|p| !p.starts_with("/etc") && !p.starts_with("/dev"))
            .map(|p| format!("`{}`", p.display()))
            .collect();
        if etc > 0 {
            shown.push(format!("{etc} named files of `/etc`"));
        }
        if reads
            && !paths
                .iter()
                .any(|p| p.starts_with("/proc") || p.starts_with("/sys"))
        {
            shown.push("nothing of `/proc` or `/sys`".to_owned());
        }
        shown.join(", ")
    };
    let net = |policy: &Policy| {
        if policy.network {
            "network"
        } else {
            "no network"
        }
    };
    let mut rows = Vec::new();
    for (name, policy) in [("build", &build), ("fetch", &fetch), ("run", &run)] {
        let (reads, writes, executes) = match name {
            "build" => ("build reads", "build writes", "build executes"),
            "fetch" => ("fetch reads", "fetch writes", "fetch executes"),
            _ => ("run reads", "run writes", "run executes"),
        };
        rows.push((reads, list(&policy.read, true)));
        rows.push((executes, list(&policy.exec, false)));
        let written: Vec<PathBuf> = policy
            .write
            .iter()
            .filter(|p| p.as_path() != Path::new("/dev/null"))
            .cloned()
            .collect();
        rows.push((
            writes,
            format!("{}; {}", list(&written, false), net(policy)),
        ));
    }
    rows
}

fn yes_no(on: bool, yes: &str, no: &str) -> String {
    if on {
        format!("active   {yes}")
    } else {
        format!("MISSING  {no}")
    }
}

/// One row per sandbox layer: active, or missing and what that means.
fn layer_rows(layers: &Layers) -> Vec<(&'static str, String)> {
    let process_limit = if layers.process_limit {
        "active   RLIMIT_NPROC".to_owned()
    } else if rustix::process::getuid().is_root() {
        "MISSING  the kernel ignores RLIMIT_NPROC for root; seccomp still forbids new processes in runs".to_owned()
    } else {
        "MISSING  RLIMIT_NPROC could not be set".to_owned()
    };
    let dumpable = rustix::process::dumpable_behavior()
        .is_ok_and(|d| d == rustix::process::DumpableBehavior::NotDumpable);
    let abi = format!(
        "ABI {}: read-only system; what each may write is listed below",
        layers.landlock_abi
    );
    vec![
        (
            "resource limits",
            yes_no(
                layers.limits,
                "CPU time, address space, file size, open files, no core dumps",
                "setrlimit failed",
            ),
        ),
        ("process limit", process_limit),
        (
            "capabilities",
            yes_no(
                layers.capabilities && layers.no_new_privs,
                "all dropped, no_new_privs set",
                "could not be dropped",
            ),
        ),
        (
            "Landlock files",
            yes_no(
                layers.landlock_fs,
                &abi,
                "the kernel has no Landlock: generated code can read and write your files",
            ),
        ),
        (
            "Landlock network",
            yes_no(
                layers.landlock_net,
                "TCP bind and connect denied",
                "needs Linux 6.7 (ABI 4)",
            ),
        ),
        (
            "Landlock scoping",
            yes_no(
                layers.landlock_scope,
                "signals and abstract sockets stay inside",
                "needs Linux 6.12 (ABI 6)",
            ),
        ),
        (
            "seccomp",
            yes_no(
                layers.seccomp,
                "no sockets, no new processes in runs, no ptrace, bpf or io_uring",
                "generated code can open connections and start processes",
            ),
        ),
        (
            "non-dumpable wow",
            yes_no(
                dumpable,
                "children cannot read wow's memory or environment",
                "prctl(PR_SET_DUMPABLE) failed",
            ),
        ),
    ]
}

/// Rows for cargo, the target directory, cargo's configuration and the
/// model; returns whether cargo was found.
fn toolchain_rows(args: &Doctor, rows: &mut Vec<(&'static str, String)>) -> bool {
    let cargo = sandbox::which("cargo");
    let version = cargo.as_ref().and_then(|path| {
        std::process::Command::new(path)
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    });
    rows.push((
        "cargo",
        match (&cargo, &version) {
            (Some(path), Some(version)) => format!("{} ({version})", path.display()),
            (Some(path), None) => format!("{} (no version)", path.display()),
            (None, _) => "MISSING  not on PATH: install Rust from https://rustup.rs".to_owned(),
        },
    ));
    rows.push((
        "target dir",
        args.target_dir.as_ref().map_or_else(
            || "generated/.target (the default: next to the prototype; WOW_TARGET_DIR or --target-dir to choose)".to_owned(),
            |dir| dir.display().to_string(),
        ),
    ));
    rows.push((
        "cargo config",
        match crate::cargo::config::check(Path::new(".")) {
            Ok(()) => "ok       nothing changes how cargo builds".to_owned(),
            Err(e) => format!("REFUSED  {e}"),
        },
    ));
    rows.push((
        "model",
        match args.model.as_deref().filter(|m| !m.trim().is_empty()) {
            Some(model) => model.to_owned(),
            None => "none configured (--model or WOW_MODEL); `wow run` replays a recording if there is one".to_owned(),
        },
    ));
    cargo.is_some()
}
