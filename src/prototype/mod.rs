//! Prototype stage: the folder on disk that cargo builds.
//!
//! In: the [`Spec`] and the model-owned files of a round. Out: a folder laid
//! out as the design notes' contract says — tool-owned `Cargo.toml`,
//! `Cargo.lock`, `tests/intents.rs` and `features/` copies, model-owned
//! `src/**` and `tests/steps*`. Every write goes through a temporary file
//! and a rename in the same folder, so an interrupted run never leaves a
//! half-written file. Files are written only at the paths the extract
//! stage's policy accepted, and never through a symbolic link: a link
//! anywhere on the way stops the write. Every write is recorded in
//! `.wow/manifest.json` ([`crate::prototype::history`]).

pub mod history;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::shard::Layout;
use crate::spec::Spec;

const MANIFEST: &str = include_str!("manifest.toml");
const LOCK: &str = include_str!("Cargo.lock.in");
/// The harness of every prototype (`tests/intents.rs`), but for its table
/// of Worlds ([`harness`]).
pub const HARNESS_TEMPLATE: &str = include_str!("intents.rs.in");
/// Where [`crate::shard::Layout::worlds_source`] goes in [`HARNESS_TEMPLATE`].
const WORLDS_MARK: &str = "// wow: worlds\n";
/// The web app's server (`app/main.rs`), around the model-owned page.
const APP_SERVER: &str = include_str!("app.rs.in");
/// Where [`APP_SERVER`] is written.
pub const APP_MAIN: &str = "app/main.rs";
/// The folder of the web app: [`APP_MAIN`] is the tool's, the rest the model's.
pub const APP_DIR: &str = "app";
/// The binary line of the template's app, replaced by `<package>-app`.
const APP_BIN: &str = "name = \"app\"";
/// The optional dependencies of the web app in the tool-owned manifest
/// (the `app` feature), which are not extra crates of the library.
const APP_CRATES: &[&str] = &["httparse", "form_urlencoded"];
/// The package line of the templates, replaced by [`Prototype::package_name`].
const TEMPLATE_NAME: &str = "name = \"prototype\"";
const GITIGNORE: &str = "# Written by wow.\n/target/\n/.wow/last-run.json\n/.wow/check/\n/.wow/lock\n/.wow/history/\n/.wow/trash-*/\n/report.html\n";

/// Model-owned files: normalised path → content.
pub type Files = BTreeMap<String, String>;

/// The spec lock: SHA-256 of each feature copy, by its path in `features/`.
const FEATURE_LOCK: &str = "features.json";

/// The state folder of the check copy, inside the prototype's `.wow/`.
pub const CHECK_DIR: &str = "check";

/// Folder of the tool's own state inside a prototype.
pub const STATE_DIR: &str = ".wow";

/// A prototype folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prototype {
    pub dir: PathBuf,
    /// Extra crates of the library, from `wow.toml` ([`crate::config`]).
    pub crates: Vec<crate::config::Crate>,
}

/// Why the prototype folder could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to write `{}`: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not the feature `wow run` copied and validated (its SHA-256 differs from `.wow/features.json`): change the feature where the product owner keeps it and run `wow run` again", .0.display())]
    FeatureChanged(PathBuf),
    #[error("`{}` is a symbolic link: wow never writes through links, since one could lead out of the prototype; remove it", .0.display())]
    Link(PathBuf),
    #[error("`{}` is a folder where wow keeps a file: move it away (the next `wow run` or `wow test` moves it aside by itself)", .0.display())]
    Occupied(PathBuf),
    #[error("`{}` is not a prototype made by wow (it has no `tests/intents.rs` and `features/`): give the folder `wow run` wrote", .0.display())]
    NotPrototype(PathBuf),
}

impl Prototype {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            crates: Vec::new(),
        }
    }

    /// The same prototype, its library depending on `crates` too.
    #[must_use]
    pub fn with_crates(mut self, crates: Vec<crate::config::Crate>) -> Self {
        self.crates = crates;
        self
    }

    /// Path of a file or folder inside the prototype.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Path inside the tool's `.wow/` state folder.
    pub fn state(&self, rel: &str) -> PathBuf {
        self.dir.join(STATE_DIR).join(rel)
    }

    /// Checks that the folder was made by `wow` (for `wow test`).
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let prototype = Self::new(dir);
        if !prototype.path("tests/intents.rs").is_file() || !prototype.path("features").is_dir() {
            return Err(Error::NotPrototype(dir.to_owned()));
        }
        Ok(prototype)
    }

    /// The tool-owned files, path → content: manifest, lock file, harness,
    /// `.gitignore`, the app's server (in this order) and a verbatim copy of every feature
    /// (`features/<rel>`). Creates the folder (see [`Self::package_name`]);
    /// writes nothing else.
    pub fn skeleton(&self, spec: &Spec, target_dir: &Path) -> Result<Vec<(String, String)>, Error> {
        let name = self.package_name(target_dir)?;
        let package = format!("name = \"{name}\"");
        let manifest = manifest_text(&name, &self.crates);
        let mut lock = LOCK.replacen(TEMPLATE_NAME, &package, 1);
        if !self.crates.is_empty() {
            // The template lock lacks the extra crates: the first build's
            // fetch adds them. Keep that lock while the manifest stays.
            let same = fs::read_to_string(self.path("Cargo.toml")).is_ok_and(|m| m == manifest);
            if let (true, Ok(existing)) = (same, fs::read_to_string(self.path("Cargo.lock"))) {
                lock = existing;
            }
        }
        let mut files = vec![
            ("Cargo.toml".to_owned(), manifest),
            ("Cargo.lock".to_owned(), lock),
            ("tests/intents.rs".to_owned(), harness(&self.layout())),
            (".gitignore".to_owned(), GITIGNORE.to_owned()),
            (APP_MAIN.to_owned(), APP_SERVER.to_owned()),
        ];
        for feature in &spec.features {
            files.push((format!("features/{}", feature.rel), feature.text.clone()));
        }
        Ok(files)
    }

    /// How the prototype is split between model calls, from
    /// `.wow/shards.json` ([`crate::shard`]); one part when there is no
    /// such file or it cannot be read.
    pub fn layout(&self) -> Layout {
        fs::read_to_string(self.state(crate::shard::STATE_FILE))
            .ok()
            .and_then(|text| Layout::parse(&text))
            .unwrap_or_default()
    }

    /// Keeps `layout` with the prototype (`.wow/shards.json`; removed for
    /// one part) and rewrites the harness to run it.
    pub fn set_layout(&self, layout: &Layout) -> Result<(), Error> {
        if layout.is_single() {
            let path = self.state(crate::shard::STATE_FILE);
            if path.is_file() {
                remove(&path)?;
            }
        } else {
            self.write_state(crate::shard::STATE_FILE, &layout.to_text())?;
        }
        let harness = harness(layout);
        if fs::read_to_string(self.path("tests/intents.rs"))
            .ok()
            .as_deref()
            != Some(harness.as_str())
        {
            self.refuse_links("tests/intents.rs")?;
            write(&self.path("tests/intents.rs"), &harness)?;
            record(self, &[("tests/intents.rs".to_owned(), &harness)], None)?;
        }
        Ok(())
    }

    /// Writes the tool-owned files ([`Self::skeleton`]), removing copies of
    /// features that are no longer given.
    pub fn write_skeleton(&self, spec: &Spec, target_dir: &Path) -> Result<(), Error> {
        let skeleton = self.skeleton(spec, target_dir)?;
        let written: Vec<(String, &str)> = skeleton
            .iter()
            .map(|(rel, content)| (rel.clone(), content.as_str()))
            .collect();
        for (rel, _) in &written {
            self.refuse_links(rel)?;
        }
        for (rel, content) in &written[..5] {
            write(&self.path(rel), content)?;
        }
        let features = self.path("features");
        let keep: Vec<PathBuf> = spec
            .features
            .iter()
            .map(|f| features.join(&f.rel))
            .collect();
        for stale in list(&features, |p| p.extension().is_some_and(|e| e == "feature"))? {
            if !keep.contains(&stale) {
                remove(&stale)?;
            }
        }
        for feature in &spec.features {
            write(&features.join(&feature.rel), &feature.text)?;
        }
        let hashes = serde_json::to_string_pretty(&spec.hashes()).expect("hashes serialize");
        self.write_state(FEATURE_LOCK, &(hashes + "\n"))?;
        record(self, &written, None)
    }

    /// Checks the spec lock: every feature copy in `features/` still has the
    /// SHA-256 recorded when `wow run` copied it, and no feature was added.
    /// Run before every build, so the scenarios validated are the ones the
    /// product owner wrote. Also rewrites the tool-owned manifest and
    /// harness from wow's own copies ([`Self::refresh_tool_files`]), so the
    /// folder cargo builds next holds wow's versions.
    pub fn check_features(&self, target_dir: &Path) -> Result<(), Error> {
        self.refresh_tool_files(target_dir)?;
        let lock_path = self.state(FEATURE_LOCK);
        let text = fs::read_to_string(&lock_path).map_err(|source| Error::Read {
            path: lock_path.clone(),
            source,
        })?;
        let lock: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| Error::Read {
                path: lock_path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
        let features = self.path("features");
        let on_disk = list(&features, |p| p.extension().is_some_and(|e| e == "feature"))?;
        for path in &on_disk {
            let rel = relative(&features, path);
            let content = fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            if lock.get(&rel) != Some(&crate::spec::sha256(&content)) {
                return Err(Error::FeatureChanged(path.clone()));
            }
        }
        if let Some(missing) = lock.keys().find(|rel| !features.join(rel).is_file()) {
            return Err(Error::FeatureChanged(features.join(missing)));
        }
        Ok(())
    }

    /// Rewrites `Cargo.toml`, `tests/intents.rs` and `app/main.rs` from
    /// wow's templates when they differ, keeping the extra crates the
    /// manifest names (a prototype made by an older wow gets the current
    /// harness and lints). The package name is the one this folder gets
    /// with `target_dir` ([`Self::package_name`]): a prototype copied to
    /// another folder is renamed, in its lock file too, so that the two
    /// never share artifacts in the target directory. The rest of the lock
    /// file is kept: it may hold the extra crates a fetch added.
    pub fn refresh_tool_files(&self, target_dir: &Path) -> Result<(), Error> {
        let path = self.path("Cargo.toml");
        let current = fs::read_to_string(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let invalid = |message: String| Error::Read {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        };
        let table: toml::Table = toml::from_str(&current).map_err(|e| invalid(e.to_string()))?;
        let old = table
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .ok_or_else(|| invalid("no `package.name`".to_owned()))?;
        let crates = table
            .get("dependencies")
            .and_then(toml::Value::as_table)
            .map(crates_of)
            .unwrap_or_default();
        let name = self.package_name(target_dir)?;
        let manifest = manifest_text(&name, &crates);
        let mut written: Vec<(String, &str)> = Vec::new();
        if current != manifest {
            written.push(("Cargo.toml".to_owned(), &manifest));
        }
        let lock_path = self.path("Cargo.lock");
        let lock = fs::read_to_string(&lock_path).map_err(|source| Error::Read {
            path: lock_path.clone(),
            source,
        })?;
        let renamed = lock.replacen(
            &format!("name = \"{old}\"\n"),
            &format!("name = \"{name}\"\n"),
            1,
        );
        if old != name {
            written.push(("Cargo.lock".to_owned(), &renamed));
        }
        let harness = harness(&self.layout());
        if fs::read_to_string(self.path("tests/intents.rs"))
            .ok()
            .as_deref()
            != Some(harness.as_str())
        {
            written.push(("tests/intents.rs".to_owned(), &harness));
        }
        if fs::read_to_string(self.path(APP_MAIN)).ok().as_deref() != Some(APP_SERVER) {
            written.push((APP_MAIN.to_owned(), APP_SERVER));
        }
        if written.is_empty() {
            return Ok(());
        }
        for (rel, content) in &written {
            self.refuse_links(rel)?;
            write(&self.path(rel), content)?;
        }
        record(self, &written, None)
    }

    /// Refuses `rel` when the prototype holds a symbolic link on its way:
    /// checks every component below the prototype folder that exists.
    pub fn refuse_links(&self, rel: &str) -> Result<(), Error> {
        let mut path = self.dir.clone();
        for part in rel.split('/') {
            path.push(part);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Link(path)),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Writes a file of the tool's state (`.wow/<rel>`), atomically and
    /// never through a link.
    pub fn write_state(&self, rel: &str, content: &str) -> Result<(), Error> {
        let rel = format!("{STATE_DIR}/{rel}");
        self.refuse_links(&rel)?;
        write(&self.path(&rel), content)
    }

    /// The cargo package name: `prototype-<folder>-<hash>`, the hash being
    /// that of the folder's path relative to the parent of the shared
    /// `target_dir` when the folder is below it (so a cloned repository
    /// gives the same name), else of its absolute path. The library is
    /// always `prototype`.
    ///
    /// Prototypes share one target directory, and cargo keys artifacts and
    /// their freshness by package name and version, not by folder: two
    /// packages both named `prototype` would be taken for one, and a build
    /// could run the other prototype's stale test executable. The name
    /// sorts right after `prototype` in the lock file, so the template lock
    /// stays valid with the name replaced.
    pub fn package_name(&self, target_dir: &Path) -> Result<String, Error> {
        fs::create_dir_all(&self.dir).map_err(|source| Error::Write {
            path: self.dir.clone(),
            source,
        })?;
        let absolute = fs::canonicalize(&self.dir).map_err(|source| Error::Read {
            path: self.dir.clone(),
            source,
        })?;
        let folder: String = absolute
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let base = fs::canonicalize(target_dir)
            .ok()
            .and_then(|t| t.parent().map(Path::to_path_buf));
        let key = base
            .and_then(|b| {
                absolute
                    .strip_prefix(&b)
                    .ok()
                    .map(|r| relative(Path::new(""), r))
            })
            .unwrap_or_else(|| absolute.to_string_lossy().into_owned());
        let hash = crate::spec::sha256(&key);
        Ok(format!("prototype-{}-{}", folder.trim_matches('-'), &hash[..8]).replace("--", "-"))
    }

    /// Reads the model-owned files currently on disk.
    pub fn read_files(&self) -> Result<Files, Error> {
        let src = list(&self.path("src"), is_rust)?;
        let steps = list(&self.path("tests/steps"), is_rust)?;
        let single = self.path("tests/steps.rs");
        let all = src
            .into_iter()
            .chain(steps)
            .chain(single.is_file().then_some(single));
        self.read_all(all)
    }

    /// The model-owned files of the web app on disk: `app/**/*.rs` but
    /// the tool's [`APP_MAIN`]. Empty when the prototype has no app.
    pub fn read_app_files(&self) -> Result<Files, Error> {
        let main = self.path(APP_MAIN);
        self.read_all(list(&self.path(APP_DIR), |p| is_rust(p) && p != main)?)
    }

    /// The files at `paths`, by their path relative to the prototype.
    fn read_all(&self, paths: impl IntoIterator<Item = PathBuf>) -> Result<Files, Error> {
        let mut files = Files::new();
        for path in paths {
            let content = fs::read_to_string(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            files.insert(relative(&self.dir, &path), content);
        }
        Ok(files)
    }

    /// Makes the web app's model-owned files on disk exactly `files` (paths
    /// the app's file policy accepted, [`crate::extract::check_app`]), like
    /// [`Self::write_files`] does for the library and the steps.
    pub fn write_app_files(&self, files: &Files) -> Result<(), Error> {
        for rel in files.keys() {
            self.refuse_links(rel)?;
        }
        let old = self.read_app_files()?;
        for rel in old.keys() {
            if !files.contains_key(rel) {
                remove(&self.path(rel))?;
            }
        }
        let mut written: Vec<(String, &str)> = Vec::new();
        for (rel, content) in files {
            if old.get(rel) != Some(content) {
                write(&self.path(rel), content)?;
            }
            written.push((rel.clone(), content));
        }
        record(self, &written, None)
    }

    /// Makes the model-owned files on disk exactly `files`: writes each one
    /// that differs and removes model-owned files not in the set.
    pub fn write_files(&self, files: &Files) -> Result<(), Error> {
        for rel in files.keys() {
            self.refuse_links(rel)?;
        }
        for (rel, _) in self.read_files()? {
            if !files.contains_key(&rel) {
                remove(&self.path(&rel))?;
            }
        }
        for (rel, content) in files {
            let path = self.path(rel);
            if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                write(&path, content)?;
            }
        }
        record(self, &[], Some(files))
    }
}

/// The harness (`tests/intents.rs`) of a prototype of `layout`: each World
/// over its feature files.
pub fn harness(layout: &Layout) -> String {
    HARNESS_TEMPLATE.replacen(WORLDS_MARK, &layout.worlds_source(), 1)
}

/// The tool-owned manifest of package `name` with the extra `crates`.
fn manifest_text(name: &str, crates: &[crate::config::Crate]) -> String {
    // The app's binary carries the package name: cargo copies every binary
    // to `<target>/debug/<name>`, which prototypes sharing the target
    // directory would otherwise overwrite for one another.
    let manifest = MANIFEST
        .replacen(TEMPLATE_NAME, &format!("name = \"{name}\""), 1)
        .replacen(APP_BIN, &format!("name = \"{name}-app\""), 1);
    if crates.is_empty() {
        return manifest;
    }
    let lines: String = crates.iter().map(|c| c.manifest_line() + "\n").collect();
    manifest.replacen("[dependencies]\n", &format!("[dependencies]\n{lines}"), 1)
}

/// The extra crates of a manifest's `[dependencies]`, as wow wrote them
/// ([`crate::config::Crate::manifest_line`]).
fn crates_of(dependencies: &toml::Table) -> Vec<crate::config::Crate> {
    dependencies
        .iter()
        .filter(|(name, _)| !APP_CRATES.contains(&name.as_str()))
        .map(|(name, spec)| {
            let strings = |key: &str| -> Vec<String> {
                spec.get(key)
                    .and_then(toml::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_owned)
                    .collect()
            };
            crate::config::Crate {
                name: name.clone(),
                version: spec
                    .as_str()
                    .or_else(|| spec.get("version").and_then(toml::Value::as_str))
                    .unwrap_or_default()
                    .to_owned(),
                features: strings("features"),
                default_features: spec
                    .get("default-features")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(true),
            }
        })
        .collect()
}

/// `path` relative to `dir`, `/`-separated.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .expect("listed under the folder")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Records written files in the manifest.
fn record(
    prototype: &Prototype,
    written: &[(String, &str)],
    model_owned: Option<&Files>,
) -> Result<(), Error> {
    history::record(prototype, written, model_owned).map_err(|e| match e {
        history::Error::Prototype(e) => e,
        other => Error::Write {
            path: prototype.state("manifest.json"),
            source: std::io::Error::other(other.to_string()),
        },
    })
}

fn is_rust(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

/// Regular files under `dir` (none if it does not exist), symlinks excluded.
fn list(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Read {
            path: e.path().unwrap_or(dir).to_owned(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() && keep(entry.path()) {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Writes `content` to `path` atomically: a temporary file in the same
/// folder, then a rename.
pub fn write(path: &Path, content: &str) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().expect("prototype paths have a parent folder");
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::Occupied(path.to_owned()));
    }
    fs::create_dir_all(dir).map_err(err)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    temp.write_all(content.as_bytes()).map_err(err)?;
    // Temporary files are created private (0600); these are ordinary sources.
    fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o644)).map_err(err)?;
    temp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

fn remove(path: &Path) -> Result<(), Error> {
    fs::remove_file(path).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &Path) -> Spec {
        let features = dir.join("features-in");
        fs::create_dir_all(&features).expect("mkdir");
        fs::write(
            features.join("bank.feature"),
            "Feature: Bank\n  Scenario: Withdraw\n    Given an account\n",
        )
        .expect("write a fixture");
        crate::spec::parse(&[features]).expect("valid features")
    }

    fn package(dir: &Path) -> String {
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("a manifest");
        let table: toml::Table = toml::from_str(&manifest).expect("TOML");
        table["package"]["name"]
            .as_str()
            .expect("a name")
            .to_owned()
    }

    #[test]
    fn a_copied_prototype_is_renamed_in_its_manifest_and_lock_file() {
        let root = tempfile::tempdir().expect("a temp folder");
        let target = root.path().join("target");
        fs::create_dir_all(&target).expect("mkdir");
        let first = Prototype::new(root.path().join("first"));
        first
            .write_skeleton(&spec(root.path()), &target)
            .expect("skeleton");
        let copy = Prototype::new(root.path().join("copy"));
        fs::create_dir_all(&copy.dir).expect("mkdir");
        for rel in [
            "Cargo.toml",
            "Cargo.lock",
            "tests/intents.rs",
            "app/main.rs",
        ] {
            let to = copy.path(rel);
            fs::create_dir_all(to.parent().expect("a folder")).expect("mkdir");
            fs::copy(first.path(rel), to).expect("copy");
        }
        copy.refresh_tool_files(&target).expect("refresh");
        let (old, new) = (package(&first.dir), package(&copy.dir));
        assert_ne!(old, new, "two folders, two packages");
        let lock = fs::read_to_string(copy.path("Cargo.lock")).expect("a lock file");
        assert!(lock.contains(&format!("name = \"{new}\"\n")), "{lock}");
        assert!(!lock.contains(&format!("name = \"{old}\"\n")), "{lock}");
        let manifest = fs::read_to_string(copy.path("Cargo.toml")).expect("a manifest");
        assert!(
            manifest.contains(&format!("name = \"{new}-app\"")),
            "the app's binary carries the package name: {manifest}"
        );
    }
}
