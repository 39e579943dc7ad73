//! The first run on a machine: compile the prototype's dependencies
//! (cucumber, tokio: one to two and a half minutes on two cores) while the
//! model is still writing, instead of after its reply (`wow run`, and the
//! first pass of `wow watch` and `wow serve`).
//!
//! In: a [`Workspace`] and the progress line, which shows how many crates
//! are compiled once the round waits for them. Out: a background build of a minimal prototype of
//! wow's own (an empty library and a `World` with no step) in the shared
//! target directory, through the same `cargo::build` as every build
//! (sandboxed, offline but for the fetch), when the dependencies are not
//! compiled there yet. Its artifacts are the ones the real prototype uses:
//! same lock file, features and profile. What must not happen here: a
//! failure that stops the run (the round's own build reports any problem),
//! or a file of the real prototype written.

use std::path::Path;
use std::thread::JoinHandle;

use super::Workspace;
use crate::cargo;
use crate::progress::Progress;
use crate::prototype::Prototype;
use crate::vocabulary::Files;

/// The folder of the minimal prototype, inside the shared target directory.
const FOLDER: &str = "wow-warm-up";

/// Starts compiling the dependencies of `workspace`'s prototype on a
/// thread, unless they are compiled already; join it (or drop it) when the
/// run ends. The round's build waits for it on the target directory's
/// lock, with the counts on `progress`.
pub(super) fn start(workspace: &Workspace, progress: &Progress) -> Option<JoinHandle<()>> {
    if compiled(&workspace.target_dir) {
        return None;
    }
    let target_dir = workspace.target_dir.clone();
    let limits = workspace.limits;
    let warm =
        Prototype::new(target_dir.join(FOLDER)).with_crates(workspace.prototype.crates.clone());
    let files: Files = [
        (
            "src/lib.rs".to_owned(),
            "//! Empty: only the dependencies matter.\n".to_owned(),
        ),
        (
            "tests/steps.rs".to_owned(),
            "#[derive(Debug, Default, cucumber::World)]\npub struct World;\n".to_owned(),
        ),
    ]
    .into();
    warm.write_skeleton(&workspace.spec, &target_dir).ok()?;
    warm.write_files(&files).ok()?;
    let counter = crate::verdict::counter(progress);
    Some(std::thread::spawn(move || {
        // Whatever happens here, the round's own build says it plainly.
        if let Ok(_lock) = cargo::lock(&target_dir) {
            let _ = cargo::build_counted(&warm.dir, &target_dir, limits, counter);
        }
    }))
}

/// Whether cucumber, the largest dependency, is compiled in `target_dir`.
fn compiled(target_dir: &Path) -> bool {
    std::fs::read_dir(target_dir.join("debug/deps"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcucumber-") && name.ends_with(".rlib")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dependencies_count_as_compiled_once_cucumber_is() {
        let target = tempfile::tempdir().expect("temporary folder");
        assert!(!compiled(target.path()));
        let deps = target.path().join("debug/deps");
        std::fs::create_dir_all(&deps).expect("deps folder");
        std::fs::write(deps.join("libcucumber_codegen-1.so"), "").expect("a file");
        assert!(
            !compiled(target.path()),
            "the proc macro alone is not enough"
        );
        std::fs::write(deps.join("libcucumber-0123abcd.rlib"), "").expect("a file");
        assert!(compiled(target.path()));
    }
}
