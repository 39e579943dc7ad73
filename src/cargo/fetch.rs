//! The fetch: the only step with network, and one that runs no generated
//! code. Whether a build needs one is decided from the tool-owned manifest
//! and lock file and the registry cache, never from what a child printed.
//!
//! In: a prototype folder, `CARGO_HOME`. Out: the crates of the lock file
//! in the registry cache, and the lock completed with the extra crates of
//! `wow.toml`. What must not happen here: any file but the manifest and
//! the lock taking part (the fetch runs in a folder holding copies of just
//! those), or a write to `CARGO_HOME/bin` or the credentials.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{Children, Error, FETCH_ALLOWLIST, Limits, Scratch, exec, sanitize, tail};
use crate::sandbox::{self, Policy, Toolchain};

/// Whether the build in `dir` needs a fetch first, decided from the
/// tool-owned files and the registry cache only: `Some(true)` when the
/// manifest names a crate the lock file lacks (the fetch adds it),
/// `Some(false)` when a locked crate is not in
/// `CARGO_HOME/registry/cache/*/`, `None` when everything is there.
pub(super) fn fetch_needed(dir: &Path, cargo_home: Option<&Path>) -> Option<bool> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
    };
    let (Some(manifest), Some(lock)) = (read("Cargo.toml"), read("Cargo.lock")) else {
        // Unreadable: the fetch says why, with the file's name.
        return Some(false);
    };
    let packages: Vec<&toml::Table> = lock
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
        .collect();
    let text = |table: &toml::Table, key: &str| {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    // The package's own entry lists its direct dependencies (`name` or
    // `name version`): a crate of the manifest missing there is not locked,
    // even when another crate already depends on it.
    let name = manifest
        .get("package")
        .and_then(toml::Value::as_table)
        .map(|p| text(p, "name"))
        .unwrap_or_default();
    let locked: Vec<String> = packages
        .iter()
        .find(|p| text(p, "name") == name)
        .and_then(|p| p.get("dependencies"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .map(|d| d.split(' ').next().unwrap_or_default().to_owned())
        .collect();
    let mut wanted = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.keys());
    if wanted.any(|crate_name| !locked.contains(crate_name)) {
        return Some(true);
    }
    let caches: Vec<PathBuf> = cargo_home
        .map(|home| home.join("registry/cache"))
        .and_then(|cache| std::fs::read_dir(cache).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    let missing = packages
        .iter()
        .filter(|p| {
            let source = text(p, "source");
            source.starts_with("registry+") || source.starts_with("sparse+")
        })
        .any(|p| {
            let file = format!("{}-{}.crate", text(p, "name"), text(p, "version"));
            !caches.iter().any(|cache| cache.join(&file).is_file())
        });
    missing.then_some(false)
}

/// `cargo fetch --locked` in a fresh folder holding only copies of the
/// tool-owned manifest and lock file of `dir` (and empty targets): downloads
/// the locked dependencies, with network, compiling nothing. `unlocked`
/// (extra crates from `wow.toml`): without `--locked`, and the lock cargo
/// completes, keeping every version already locked, is written back to
/// `dir`. The sandbox lets it write only the registry cache and cargo's
/// lock files, never `CARGO_HOME/bin` or the credentials.
pub(super) fn fetch(
    dir: &Path,
    target_dir: &Path,
    limits: Limits,
    unlocked: bool,
    children: &Children,
) -> Result<(), Error> {
    let scratch = Scratch::new(Some(target_dir))?;
    let folder = scratch.path().join("fetch");
    let copy = |from: &str, content: Option<&str>| -> Result<(), Error> {
        let text = match content {
            Some(text) => text.to_owned(),
            None => std::fs::read_to_string(dir.join(from)).map_err(|source| Error::Scratch {
                path: dir.join(from),
                source,
            })?,
        };
        crate::prototype::write(&folder.join(from), &text).map_err(|e| Error::Scratch {
            path: folder.join(from),
            source: std::io::Error::other(e.to_string()),
        })
    };
    copy("Cargo.toml", None)?;
    copy("Cargo.lock", None)?;
    copy("src/lib.rs", Some(""))?;
    copy("tests/intents.rs", Some("fn main() {}\n"))?;
    let toolchain = Toolchain::find();
    if let Some(home) = &toolchain.cargo_home {
        // Landlock can only allow what exists: make the cache folders first.
        for name in ["registry", "git"] {
            let path = home.join(name);
            std::fs::create_dir_all(&path).map_err(|source| Error::Scratch { path, source })?;
        }
    }
    let mut command = Command::new("cargo");
    command.current_dir(&folder).arg("fetch");
    if !unlocked {
        command.arg("--locked");
    }
    let policy = (limits.sandbox == sandbox::Mode::On)
        .then(|| Policy::fetch(&folder, &scratch.path(), &toolchain, limits.build));
    let output = exec(
        command,
        &scratch.path(),
        policy.as_ref(),
        FETCH_ALLOWLIST,
        &[("CARGO_TERM_COLOR", "never")],
        None,
        Duration::from_secs(limits.build.timeout_secs),
        children,
        None,
    )?;
    if output.timed_out {
        return Err(Error::BuildTimeout {
            dir: dir.to_owned(),
            secs: limits.build.timeout_secs,
        });
    }
    if !output.success {
        return Err(Error::Cargo {
            dir: dir.to_owned(),
            stderr: tail(&sanitize(&output.stderr), 3000),
        });
    }
    if unlocked {
        let lock = folder.join("Cargo.lock");
        let text = std::fs::read_to_string(&lock).map_err(|source| Error::Scratch {
            path: lock.clone(),
            source,
        })?;
        crate::prototype::write(&dir.join("Cargo.lock"), &text).map_err(|e| Error::Scratch {
            path: dir.join("Cargo.lock"),
            source: std::io::Error::other(e.to_string()),
        })?;
    }
    Ok(())
}
