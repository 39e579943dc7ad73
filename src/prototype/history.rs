//! History of a prototype: never lose the user's work.
//!
//! In: a prototype folder. Out: its `.wow/manifest.json` (the SHA-256 of
//! every file the tool wrote), the list of model-owned files edited by hand
//! since, copies of every round's files in `.wow/history/round-NN/` (and of
//! hand edits overwritten with `--force` in `.wow/history/hand-edits-*`),
//! the restore of a round, and `.wow/lock`, which keeps two runs from
//! writing one prototype at once. What must not happen here: writing a
//! model-owned file (that is [`Prototype::write_files`], which records its
//! hashes through [`record`]), or following a symbolic link.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{self as prototype, Files, Prototype};
use crate::spec::sha256;

/// Version of `.wow/manifest.json`.
pub const VERSION: u32 = 1;

/// `.wow/manifest.json`: what the tool last wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Path relative to the prototype (`src/lib.rs`) → SHA-256 of the
    /// content the tool wrote, in hexadecimal.
    pub files: BTreeMap<String, String>,
}

/// Why the history could not be read or written, or why writing must wait.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Prototype(#[from] prototype::Error),
    #[error("`{}` is not a valid manifest ({source}): move it away to start the history afresh", .path.display())]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("failed to lock `{}`: {source}", .path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("another `wow` ({}) is writing `{}`: wait for it to finish", .pid.as_deref().map_or_else(|| "pid unknown".to_owned(), |p| format!("pid {p}")), .dir.display())]
    Busy { dir: PathBuf, pid: Option<String> },
    #[error("{} edited by hand since wow wrote {}:\n{}\nwow stops so as not to overwrite {}: keep your changes with `wow test`, or run again with `--force` (the edited files are saved under `.wow/history/` first)", crate::vocabulary::plural(.files.len(), "file was", "files were"), if .files.len() == 1 { "it" } else { "them" }, .files.iter().map(|f| format!("  {}/{f}", .dir.display())).collect::<Vec<_>>().join("\n"), if .files.len() == 1 { "it" } else { "them" })]
    Edited { dir: PathBuf, files: Vec<String> },
    #[error("`{}` keeps no round {round}: the rounds kept are {}", .dir.display(), if .kept.is_empty() { "none".to_owned() } else { .kept.iter().map(u32::to_string).collect::<Vec<_>>().join(", ") })]
    NoRound {
        dir: PathBuf,
        round: u32,
        kept: Vec<u32>,
    },
}

/// Exclusive right to write a prototype, held for a whole command.
#[derive(Debug)]
pub struct Lock(#[expect(dead_code, reason = "held for its lock")] fs::File);

/// Entries of `.wow/` and whether each is a folder (else a file).
const STATE: &[(&str, bool)] = &[
    ("lock", false),
    ("manifest.json", false),
    ("features.json", false),
    ("last-run.json", false),
    ("cucumber.json", false),
    ("sources.json", false),
    ("history", true),
    ("exchanges", true),
    (prototype::CHECK_DIR, true),
    ("suggested", true),
];

/// Moves aside every entry of the prototype's state that is not what wow
/// keeps there (a folder where a file goes, a file where a folder goes, a
/// symbolic link; `.wow` itself included) into `.wow/trash-<seconds>/`
/// (`.wow` itself to `.wow.trash-<seconds>` beside it; a link inside `.wow/`
/// is removed), so that a run recovers from whatever an earlier one left.
/// Returns each move, from → to (an empty `to`: the link was removed).
pub fn recover(prototype: &Prototype) -> Result<Vec<(PathBuf, PathBuf)>, Error> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let state = prototype.state("");
    let state = state.components().collect::<PathBuf>();
    let mut moved = Vec::new();
    let wrong = |path: &Path, folder: bool| match fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_symlink() || meta.is_dir() != folder,
        Err(_) => false,
    };
    let aside =
        |from: PathBuf, to: PathBuf, moved: &mut Vec<(PathBuf, PathBuf)>| -> Result<(), Error> {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|source| prototype::Error::Write {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            fs::rename(&from, &to).map_err(|source| prototype::Error::Write {
                path: from.clone(),
                source,
            })?;
            moved.push((from, to));
            Ok(())
        };
    if wrong(&state, true) {
        let mut to = state.clone().into_os_string();
        to.push(format!(".trash-{seconds}"));
        aside(state.clone(), PathBuf::from(to), &mut moved)?;
        return Ok(moved);
    }
    let trash = state.join(format!("trash-{seconds}"));
    for (name, folder) in STATE {
        let path = state.join(name);
        if !wrong(&path, *folder) {
            continue;
        }
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            // A link holds nothing of the user's: removed, not kept, so
            // that no link is left inside the prototype.
            fs::remove_file(&path).map_err(|source| prototype::Error::Write {
                path: path.clone(),
                source,
            })?;
            moved.push((path, PathBuf::new()));
        } else {
            aside(path, trash.join(name), &mut moved)?;
        }
    }
    Ok(moved)
}

/// Takes `.wow/lock` of `prototype` without waiting, recording this
/// process's id in it so another run can name it. First moves aside what
/// does not belong in `.wow/` ([`recover`]), saying so on stderr.
pub fn lock(prototype: &Prototype) -> Result<Lock, Error> {
    for (from, to) in recover(prototype)? {
        let done = if to.as_os_str().is_empty() {
            "a symbolic link; removed it".to_owned()
        } else {
            format!(
                "a folder, a file or a link in its place; moved it aside to `{}`",
                to.display()
            )
        };
        eprintln!(
            "note: `{}` was not what wow keeps there ({done})",
            from.display()
        );
    }
    let path = prototype.state("lock");
    prototype.refuse_links(&format!("{}/lock", prototype::STATE_DIR))?;
    let err = |source| Error::Lock {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(prototype.state("")).map_err(err)?;
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(Error::Busy {
                dir: prototype.dir.clone(),
                pid: (!pid.is_empty()).then(|| pid.to_owned()),
            });
        }
        Err(fs::TryLockError::Error(source)) => return Err(err(source)),
    }
    file.set_len(0).map_err(err)?;
    file.rewind().map_err(err)?;
    write!(file, "{}", std::process::id()).map_err(err)?;
    Ok(Lock(file))
}

/// Reads `.wow/manifest.json`, if there is one.
pub fn manifest(prototype: &Prototype) -> Result<Option<Manifest>, Error> {
    let path = prototype.state("manifest.json");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(prototype::Error::Read { path, source }.into()),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| Error::Manifest { path, source })
}

/// Records that the tool wrote `written` (path → content). With
/// `model_files`, the model-owned entries of the manifest become exactly
/// those files.
pub fn record(
    prototype: &Prototype,
    written: &[(String, &str)],
    model_owned: Option<&Files>,
) -> Result<(), Error> {
    let mut manifest = manifest(prototype)?.unwrap_or_default();
    manifest.version = VERSION;
    if let Some(files) = model_owned {
        manifest.files.retain(|rel, _| !is_model_owned(rel));
        for (rel, content) in files {
            manifest.files.insert(rel.clone(), sha256(content));
        }
    }
    for (rel, content) in written {
        manifest.files.insert(rel.clone(), sha256(content));
    }
    let text = serde_json::to_string_pretty(&manifest).expect("manifests serialize") + "\n";
    prototype.write_state("manifest.json", &text)?;
    Ok(())
}

/// Whether `rel` is a path the model writes (the file policy's shape).
fn is_model_owned(rel: &str) -> bool {
    rel.starts_with("src/") || rel == "tests/steps.rs" || rel.starts_with("tests/steps/")
}

/// The model-owned files on disk that differ from what the tool last
/// wrote, or that the tool never wrote. With no manifest at all, every
/// model-owned file counts: nothing says the tool wrote it.
pub fn edited(prototype: &Prototype) -> Result<Vec<String>, Error> {
    let mut on_disk = prototype.read_files()?;
    on_disk.extend(prototype.read_app_files()?);
    let known = manifest(prototype)?.unwrap_or_default().files;
    Ok(on_disk
        .into_iter()
        .filter(|(rel, content)| known.get(rel) != Some(&sha256(content)))
        .map(|(rel, _)| rel)
        .collect())
}

/// Stops with [`Error::Edited`] when a model-owned file was edited by
/// hand, unless `force`; with `force`, saves the edited files under
/// `.wow/history/hand-edits-<unix time>/` first and returns that folder.
pub fn guard(prototype: &Prototype, force: bool) -> Result<Option<PathBuf>, Error> {
    let files = edited(prototype)?;
    if files.is_empty() {
        return Ok(None);
    }
    if !force {
        return Err(Error::Edited {
            dir: prototype.dir.clone(),
            files,
        });
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let folder = format!("history/hand-edits-{stamp}");
    let on_disk = prototype.read_files()?;
    for rel in &files {
        prototype.write_state(&format!("{folder}/{rel}"), &on_disk[rel])?;
    }
    Ok(Some(prototype.state(&folder)))
}

/// Starts the history of a new run: the previous run's rounds move to
/// `.wow/history/previous-run/` (replacing an older one).
pub fn start(prototype: &Prototype) -> Result<(), Error> {
    let history = prototype.state("history");
    let kept = rounds(prototype);
    if kept.is_empty() {
        return Ok(());
    }
    let previous = history.join("previous-run");
    let err = |path: &Path| {
        let path = path.to_owned();
        move |source| prototype::Error::Write { path, source }
    };
    if previous.exists() {
        fs::remove_dir_all(&previous).map_err(err(&previous))?;
    }
    fs::create_dir_all(&previous).map_err(err(&previous))?;
    for round in kept {
        let name = round_folder(round);
        fs::rename(history.join(&name), previous.join(&name)).map_err(err(&previous))?;
    }
    Ok(())
}

fn round_folder(round: u32) -> String {
    format!("round-{round:02}")
}

/// Keeps a copy of the model-owned files of round `round`.
pub fn save_round(prototype: &Prototype, round: u32, files: &Files) -> Result<(), Error> {
    let folder = format!("history/{}", round_folder(round));
    let path = prototype.state(&folder);
    if path.exists() {
        fs::remove_dir_all(&path).map_err(|source| prototype::Error::Write {
            path: path.clone(),
            source,
        })?;
    }
    for (rel, content) in files {
        prototype.write_state(&format!("{folder}/{rel}"), content)?;
    }
    Ok(())
}

/// The rounds kept in `.wow/history/`, in order.
pub fn rounds(prototype: &Prototype) -> Vec<u32> {
    let mut found: Vec<u32> = fs::read_dir(prototype.state("history"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("round-")?.parse().ok())
        .collect();
    found.sort_unstable();
    found
}

/// The model-owned files kept for round `round`.
pub fn round_files(prototype: &Prototype, round: u32) -> Result<Files, Error> {
    if !rounds(prototype).contains(&round) {
        return Err(Error::NoRound {
            dir: prototype.dir.clone(),
            round,
            kept: rounds(prototype),
        });
    }
    let kept = Prototype::new(
        prototype
            .state("history")
            .join(round_folder(round))
            .as_path(),
    );
    Ok(kept.read_files()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Files {
        pairs
            .iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect()
    }

    #[test]
    fn a_hand_edit_is_found_and_saved_before_a_forced_overwrite() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let prototype = Prototype::new(dir.path());
        let written = files(&[("src/lib.rs", "pub fn a() {}\n"), ("tests/steps.rs", "")]);
        prototype.write_files(&written).expect("write");
        assert_eq!(edited(&prototype).expect("edited"), Vec::<String>::new());
        fs::write(dir.path().join("src/lib.rs"), "pub fn mine() {}\n").expect("edit");
        fs::write(dir.path().join("src/extra.rs"), "// mine\n").expect("add");
        assert_eq!(
            edited(&prototype).expect("edited"),
            ["src/extra.rs", "src/lib.rs"]
        );
        let error = guard(&prototype, false).expect_err("stops").to_string();
        assert!(
            error.contains("src/lib.rs") && error.contains("--force"),
            "{error}"
        );
        let saved = guard(&prototype, true).expect("forced").expect("saved");
        assert_eq!(
            fs::read_to_string(saved.join("src/lib.rs")).expect("kept"),
            "pub fn mine() {}\n"
        );
    }

    #[test]
    fn rounds_are_kept_and_restorable_and_a_new_run_moves_them_aside() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let prototype = Prototype::new(dir.path());
        save_round(&prototype, 1, &files(&[("src/lib.rs", "one")])).expect("save");
        save_round(&prototype, 2, &files(&[("src/lib.rs", "two")])).expect("save");
        assert_eq!(rounds(&prototype), [1, 2]);
        assert_eq!(
            round_files(&prototype, 1).expect("round 1")["src/lib.rs"],
            "one"
        );
        let missing = round_files(&prototype, 7).expect_err("none").to_string();
        assert!(missing.contains("1, 2"), "{missing}");
        start(&prototype).expect("start");
        assert_eq!(rounds(&prototype), Vec::<u32>::new());
        assert!(prototype.state("history/previous-run/round-02").is_dir());
    }

    #[test]
    fn a_second_lock_names_the_first_holder() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let prototype = Prototype::new(dir.path());
        let _held = lock(&prototype).expect("first");
        let error = lock(&prototype).expect_err("second").to_string();
        assert!(
            error.contains(&format!("pid {}", std::process::id())),
            "{error}"
        );
    }

    #[test]
    fn state_replaced_by_folders_or_links_is_moved_aside_and_the_lock_recovers() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let prototype = Prototype::new(dir.path());
        fs::create_dir_all(prototype.state("lock/inner")).expect("a folder for the lock");
        fs::create_dir_all(prototype.state("manifest.json")).expect("a folder for the manifest");
        fs::write(prototype.state("history"), "a file for the history").expect("file");
        std::os::unix::fs::symlink("/etc/passwd", prototype.state("last-run.json")).expect("link");
        let error = prototype
            .write_state("manifest.json", "{}")
            .expect_err("a folder is in the way")
            .to_string();
        assert!(
            error.contains("manifest.json") && error.contains("move it away"),
            "{error}"
        );
        let lock = lock(&prototype).expect("recovers");
        assert!(prototype.state("lock").is_file());
        for name in ["manifest.json", "history", "last-run.json"] {
            // Moved or, for the link, removed.
            assert!(
                fs::symlink_metadata(prototype.state(name)).is_err(),
                "{name} moved aside"
            );
        }
        let trash: Vec<PathBuf> = fs::read_dir(prototype.state(""))
            .expect("state")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("trash-"))
            })
            .collect();
        assert_eq!(trash.len(), 1);
        assert!(trash[0].join("history").is_file(), "nothing is deleted");
        drop(lock);
        prototype
            .write_state("manifest.json", "{}")
            .expect("writes again");
    }

    #[test]
    fn a_state_folder_that_is_a_link_is_moved_aside() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let elsewhere = tempfile::tempdir().expect("temporary folder");
        let prototype = Prototype::new(dir.path());
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(".wow")).expect("link");
        let moved = recover(&prototype).expect("recovers");
        assert_eq!(moved.len(), 1);
        let _lock = lock(&prototype).expect("locks");
        assert!(fs::symlink_metadata(dir.path().join(".wow")).is_ok_and(|m| m.is_dir()));
        assert_eq!(
            fs::read_dir(elsewhere.path()).expect("untouched").count(),
            0
        );
    }
}
