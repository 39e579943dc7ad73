//! The check copy on disk: `.wow/check/`, made from the model-owned files
//! and built in the shared target directory.
//!
//! In: the spec, the prototype and its model-owned files. Out: a [`Made`]
//! copy (the folder holding exactly the files of the copy: the prototype's
//! tool-owned files, its steps, its sources instrumented, and a harness
//! that runs a schedule of the check or, given a nonce alone, the scenarios
//! of `features/` as the prototype's harness does), then its test
//! executable ([`build`]).
//!
//! The secret naming the control module is fresh whenever the model-owned
//! files differ from the ones the copy on disk was made from: code written
//! after a secret was chosen never builds with it, so no step can use one
//! it learnt from an earlier run. The harness names no secret, so a new
//! one recompiles the library, not the harness; files that did not change
//! are not rewritten, so that cargo finds an unchanged copy fresh. What must not happen here: a write to the
//! prototype itself, or a file in the folder that is not part of the copy
//! (a toolchain file, a cargo configuration) left in place.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::audit;
use crate::cargo::{self, Build, Counter, Limits};
use crate::extract;
use crate::honesty::check;
use crate::honesty::mutants::{self, Instrumented};
use crate::prototype::{self, Prototype};
use crate::spec::Spec;
use crate::vocabulary::Files;

/// A check copy written to disk, not built yet.
#[derive(Debug, Clone)]
pub struct Made {
    /// The copy's folder (`.wow/check/` of the prototype).
    pub copy: Prototype,
    /// The instrumented sources, their mutants and functions.
    pub instrumented: Instrumented,
    /// Whether the copy compiles exactly when the prototype does, so that
    /// its build can stand in for the prototype's: no lint level was
    /// weakened ([`Instrumented::weakened`]).
    pub stands_in: bool,
    /// The prototype's layout: which `World` runs which feature.
    pub layout: crate::shard::Layout,
}

/// Makes the check copy of `files` (the model-owned files of `prototype`)
/// in `.wow/check/`; `Err` says, in plain words, why it could not be made:
/// a file names the prefix wow reserves, code nests too deep to read, or
/// the folder could not be written.
pub fn make(
    spec: &Spec,
    prototype: &Prototype,
    files: &Files,
    target_dir: &Path,
) -> Result<Made, String> {
    readable(files)?;
    let copy =
        Prototype::new(prototype.state(prototype::CHECK_DIR)).with_crates(prototype.crates.clone());
    let rel = format!("{}/{}", prototype::STATE_DIR, prototype::CHECK_DIR);
    prototype
        .refuse_links(&rel)
        .map_err(|e| format!("the check copy could not be written: {e}"))?;
    let instrumented = if let Some(kept) = reusable(&copy, files) {
        kept
    } else {
        let secret =
            cargo::nonce().map_err(|e| format!("the check copy could not be made: {e}"))?;
        instrument(files, &secret)
    };
    let layout = prototype.layout();
    contents(
        spec,
        prototype,
        &layout,
        &copy,
        files,
        &instrumented,
        target_dir,
    )
    .and_then(|wanted| sync(&copy.dir, &wanted))
    .map_err(|e| format!("the check copy could not be written: {e}"))?;
    Ok(Made {
        stands_in: !instrumented.weakened && tells_apart(files).is_none(),
        layout,
        copy,
        instrumented,
    })
}

/// What the model's code could tell the copy from the prototype by, when
/// it uses any: compile-time environment (`env!`, `option_env!`: the
/// package name and folder differ), files included by path (`include!`,
/// `include_str!`, `include_bytes!`, `#[path]`: relative paths lead
/// elsewhere from `.wow/check/`), columns (`column!`, `Location::caller`:
/// instrumented lines are longer), and a macro that calls a macro its
/// caller names (`$m!(…)`). Code that could must not be judged by the
/// copy's run: the prototype itself is built and run for its scenarios.
/// Matched on the tokens, in macro bodies too; a false alarm costs a
/// second build, never a verdict.
pub(crate) fn tells_apart(files: &Files) -> Option<String> {
    use proc_macro2::{TokenStream, TokenTree};
    use std::str::FromStr as _;
    /// Macros whose expansion differs between the copy and the prototype.
    const MACROS: &[&str] = &[
        "env",
        "option_env",
        "include",
        "include_str",
        "include_bytes",
        "column",
    ];
    fn walk(tokens: TokenStream, found: &mut Option<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let punct = |i: usize, c: char| matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Ident(ident) => {
                    let name = ident.to_string();
                    if (MACROS.contains(&name.as_str()) && punct(i + 1, '!')) || name == "Location"
                    {
                        *found = Some(name);
                        return;
                    }
                }
                // `$name!(…)` in a `macro_rules!`: a macro chosen by its
                // caller, which could be any of the above.
                TokenTree::Punct(p)
                    if p.as_char() == '$'
                        && matches!(tokens.get(i + 1), Some(TokenTree::Ident(_)))
                        && punct(i + 2, '!') =>
                {
                    *found = Some("a macro named by a macro's caller".to_owned());
                    return;
                }
                TokenTree::Group(group) => {
                    // `#[path = "…"]` (and `#![…]`): an attribute naming a file.
                    let attribute = i >= 1 && (punct(i - 1, '#') || punct(i - 1, '!'));
                    let mut inner = group.stream().into_iter();
                    if attribute
                        && group.delimiter() == proc_macro2::Delimiter::Bracket
                        && matches!(inner.next(), Some(TokenTree::Ident(i)) if i == "path")
                        && matches!(inner.next(), Some(TokenTree::Punct(p)) if p.as_char() == '=')
                    {
                        *found = Some("path".to_owned());
                        return;
                    }
                    walk(group.stream(), found);
                    if found.is_some() {
                        return;
                    }
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => {}
            }
        }
    }
    files.iter().find_map(|(path, text)| {
        let tokens = TokenStream::from_str(text).ok()?;
        let mut found = None;
        walk(tokens, &mut found);
        found.map(|name| format!("`{path}` uses `{name}`"))
    })
}

/// Builds `made`, telling `counter`, if any, how far the build has come;
/// its test executable and the build's time in milliseconds, or why there
/// is none in plain words.
pub fn build(
    made: &Made,
    target_dir: &Path,
    limits: Limits,
    counter: Option<Counter>,
) -> Result<(PathBuf, u64), String> {
    let built = match counter {
        Some(counter) => cargo::build_counted(&made.copy.dir, target_dir, limits, counter),
        None => cargo::build(&made.copy.dir, target_dir, limits),
    };
    match built {
        Err(error) => Err(format!("the check copy could not be built: {error}")),
        Ok(Build::Errors { diagnostics, .. }) => Err(format!(
            "the check copy of the prototype does not compile: {}",
            diagnostics
                .first()
                .map(|d| cargo::tail(&d.rendered, 600))
                .unwrap_or_default()
                .trim()
        )),
        Ok(Build::Built {
            executable,
            duration_ms,
        }) => Ok((executable, duration_ms)),
    }
}

/// Refuses files that name the reserved prefix or nest too deep to read.
fn readable(files: &Files) -> Result<(), String> {
    for (path, content) in files {
        if content.contains(extract::RESERVED) {
            return Err(format!(
                "the check copy could not be made: `{path}` uses a name starting with `{}`, which wow reserves for its own checks",
                extract::RESERVED
            ));
        }
        if audit::is_rust(path, "src/")
            && let Err(deep) = extract::check_code(content)
        {
            return Err(format!(
                "the check copy could not be made: wow could not read `{path}`: {deep}"
            ));
        }
    }
    Ok(())
}

/// The instrumented copy of `files` whose control module is
/// `__wow_<secret>`, made on a large stack.
fn instrument(files: &Files, secret: &str) -> Instrumented {
    audit::on_large_stack(|| mutants::instrument(files, secret))
}

/// `files` instrumented with the secret of the copy on disk, when the copy
/// was made from exactly these files (every instrumented source and every
/// step file on disk as it would be written now).
fn reusable(copy: &Prototype, files: &Files) -> Option<Instrumented> {
    let lib = std::fs::read_to_string(copy.path("src/lib.rs")).ok()?;
    let secret = secret_of(&lib)?;
    let instrumented = instrument(files, &secret);
    let same = |rel: &str, content: &str| {
        copy.refuse_links(rel).is_ok()
            && std::fs::read_to_string(copy.path(rel)).ok().as_deref() == Some(content)
    };
    let mut model_owned = files
        .iter()
        .filter(|(path, _)| !path.starts_with("src/"))
        .chain(&instrumented.files);
    model_owned
        .all(|(rel, content)| same(rel, content))
        .then_some(instrumented)
}

/// The secret of an instrumented `src/lib.rs`: the 32 hex digits of its
/// control module's name.
fn secret_of(lib: &str) -> Option<String> {
    const OPEN: &str = "\npub mod __wow_";
    lib.match_indices(OPEN).find_map(|(at, _)| {
        let start = at + OPEN.len();
        let secret = lib.get(start..start + 32)?;
        let valid =
            secret.bytes().all(|b| b.is_ascii_hexdigit()) && lib[start + 32..].starts_with(" {");
        valid.then(|| secret.to_owned())
    })
}

/// Every file of the copy, path → content: the prototype's tool-owned
/// files with the check's dependency and harness, its steps, and its
/// sources instrumented.
fn contents(
    spec: &Spec,
    prototype: &Prototype,
    layout: &crate::shard::Layout,
    copy: &Prototype,
    files: &Files,
    instrumented: &Instrumented,
    target_dir: &Path,
) -> Result<BTreeMap<String, String>, prototype::Error> {
    let mut wanted: BTreeMap<String, String> =
        copy.skeleton(spec, target_dir)?.into_iter().collect();
    let name = copy.package_name(target_dir)?;
    if let Some(manifest) = wanted.get_mut("Cargo.toml") {
        *manifest = manifest.replacen(
            "[dev-dependencies]\n",
            &format!("[dev-dependencies]\n{}\n", check::DEV_DEPENDENCY),
            1,
        );
    }
    let mut lock = wanted.remove("Cargo.lock").unwrap_or_default();
    // With extra crates, the lock is the prototype's own, which its first
    // build completed.
    if !prototype.crates.is_empty()
        && let Ok(own) = std::fs::read_to_string(prototype.path("Cargo.lock"))
    {
        let old = format!("name = \"{}\"\n", prototype.package_name(target_dir)?);
        if own.contains(&old) {
            lock = own.replacen(&old, &format!("name = \"{name}\"\n"), 1);
        }
    }
    wanted.insert("Cargo.lock".to_owned(), with_futures(&lock, &name));
    wanted.insert("tests/intents.rs".to_owned(), check::harness(layout));
    for (path, content) in files.iter().filter(|(path, _)| !path.starts_with("src/")) {
        wanted.insert(path.clone(), content.clone());
    }
    wanted.extend(instrumented.files.clone());
    Ok(wanted)
}

/// `lock` with `futures` among the dependencies of package `name`, sorted
/// as cargo writes them (a `--frozen` build compares the text).
pub(super) fn with_futures(lock: &str, name: &str) -> String {
    let header = format!("name = \"{name}\"\n");
    let Some(start) = lock.find(&header) else {
        return lock.to_owned();
    };
    let Some(open) = lock[start..].find("dependencies = [\n").map(|i| start + i) else {
        return lock.to_owned();
    };
    let body = open + "dependencies = [\n".len();
    let Some(close) = lock[body..].find(']').map(|i| body + i) else {
        return lock.to_owned();
    };
    let mut names: Vec<&str> = lock[body..close].lines().collect();
    if names.iter().any(|l| l.trim() == "\"futures\",") {
        return lock.to_owned();
    }
    names.push(" \"futures\",");
    names.sort_unstable();
    format!("{}{}\n{}", &lock[..body], names.join("\n"), &lock[close..])
}

/// Makes the folder `dir` hold exactly `wanted` (path → content): removes
/// every other file, link and folder, and writes the files whose content
/// differs, leaving the others untouched.
fn sync(dir: &Path, wanted: &BTreeMap<String, String>) -> Result<(), prototype::Error> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| prototype::Error::Write { path, source }
    };
    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(dir).map_err(failed(dir))?;
    }
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let folders: BTreeSet<String> = wanted
        .keys()
        .flat_map(|rel| {
            rel.match_indices('/')
                .map(|(at, _)| rel[..at].to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    // Children before their folder: a folder left empty goes too.
    let entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .contents_first(true)
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| prototype::Error::Read {
            path: dir.to_owned(),
            source: e.into(),
        })?;
    for entry in entries {
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("walked under the folder")
            .to_string_lossy()
            .into_owned();
        let kind = entry.file_type();
        if kind.is_dir() {
            if !folders.contains(&rel) {
                std::fs::remove_dir_all(entry.path()).map_err(failed(entry.path()))?;
            }
        } else if kind.is_symlink() || !wanted.contains_key(&rel) {
            std::fs::remove_file(entry.path()).map_err(failed(entry.path()))?;
        }
    }
    for (rel, content) in wanted {
        let path = dir.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            prototype::write(&path, content)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_that_could_tell_the_copy_apart_is_judged_by_the_prototype_itself() {
        let files = |text: &str| Files::from([("tests/steps.rs".to_owned(), text.to_owned())]);
        for (text, name) in [
            ("fn f() -> &'static str { env!(\"CARGO_PKG_NAME\") }", "env"),
            (
                "macro_rules! m { ($i:ident) => { $i!(\"X\") } } fn f() { m!(option_env); }",
                "a macro named by a macro's caller",
            ),
            (
                "const S: &str = include_str!(\"../Cargo.toml\");",
                "include_str",
            ),
            ("#[path = \"../../x.rs\"] mod x;", "path"),
            ("fn f() -> u32 { column!() }", "column"),
            (
                "fn f() { let _ = std::panic::Location::caller(); }",
                "Location",
            ),
        ] {
            let why = tells_apart(&files(text)).unwrap_or_else(|| panic!("not seen: {text}"));
            assert!(why.contains(&format!("`{name}`")), "{why}");
        }
        for plain in [
            "fn f(path: &str) -> bool { let path = path.trim(); path.is_empty() }",
            "fn cell(column: &str, env: &str) -> String { std::env::var(column).unwrap_or_default() + env }",
            "macro_rules! m { ($e:expr) => { $e + 1 } }",
            "fn f() -> String { \"env! include_str!\".to_owned() }",
            "/// Uses `env!`.\nfn f() {}",
        ] {
            assert_eq!(tells_apart(&files(plain)), None, "{plain}");
        }
    }

    #[test]
    fn the_lock_names_futures_among_the_copys_dependencies() {
        let lock = "[[package]]\nname = \"other\"\nversion = \"1\"\ndependencies = [\n \"zeta\",\n]\n\n[[package]]\nname = \"prototype-check-1\"\nversion = \"0.1.0\"\ndependencies = [\n \"cucumber\",\n \"tokio\",\n]\n";
        let out = with_futures(lock, "prototype-check-1");
        assert!(
            out.ends_with("dependencies = [\n \"cucumber\",\n \"futures\",\n \"tokio\",\n]\n"),
            "{out}"
        );
        assert!(out.contains("dependencies = [\n \"zeta\",\n]"));
        assert_eq!(with_futures(&out, "prototype-check-1"), out);
    }

    #[test]
    fn the_secret_is_read_from_the_control_modules_name_only() {
        let secret = "0123456789abcdef0123456789abcdef";
        let lib = format!(
            "pub fn f() {{}}\n#[doc(hidden)]\npub mod __wow_{secret} {{\n}}\npub mod __wow_control {{\n}}\n"
        );
        assert_eq!(secret_of(&lib).as_deref(), Some(secret));
        assert_eq!(secret_of("pub mod __wow_0123 {\n}\n"), None);
        assert_eq!(secret_of(&lib.replace(" {", "x {")), None);
    }

    /// The secret of the copy on disk, and the copy's folder.
    fn made(files: &Files) -> (tempfile::TempDir, String) {
        let (dir, spec) = crate::audit::fixtures::spec(crate::audit::fixtures::BANK);
        let prototype = Prototype::new(dir.path().join("prototype"));
        let made = make(&spec, &prototype, files, &dir.path().join("target")).expect("made");
        let lib = std::fs::read_to_string(made.copy.path("src/lib.rs")).expect("lib");
        let secret = secret_of(&lib).expect("a control module");
        (dir, secret)
    }

    #[test]
    fn the_secret_is_kept_only_while_the_model_owned_files_stay_the_same() {
        let files = crate::audit::fixtures::files(&[
            (
                "src/lib.rs",
                "pub fn fee(minutes: u32) -> u32 {\n    minutes * 2\n}\n",
            ),
            ("tests/steps.rs", "fn g() {}\n"),
        ]);
        let (dir, first) = made(&files);
        let (spec, prototype) = (
            crate::audit::fixtures::spec(crate::audit::fixtures::BANK).1,
            Prototype::new(dir.path().join("prototype")),
        );
        let target = dir.path().join("target");
        let copy = prototype.state(prototype::CHECK_DIR);
        let lib = copy.join("src/lib.rs");
        let written = std::fs::metadata(&lib)
            .and_then(|m| m.modified())
            .expect("mtime");
        make(&spec, &prototype, &files, &target).expect("made again");
        let again = secret_of(&std::fs::read_to_string(&lib).expect("lib")).expect("secret");
        assert_eq!(again, first, "the same code builds with the same secret");
        assert_eq!(
            std::fs::metadata(&lib)
                .and_then(|m| m.modified())
                .expect("mtime"),
            written,
            "an unchanged file is not rewritten: cargo finds the copy fresh"
        );
        for changed in ["src/lib.rs", "tests/steps.rs"] {
            let mut edited = files.clone();
            edited.insert(changed.to_owned(), format!("{}// edited\n", files[changed]));
            make(&spec, &prototype, &edited, &target).expect("made after an edit");
            let after = secret_of(&std::fs::read_to_string(&lib).expect("lib")).expect("secret");
            assert_ne!(after, first, "new code in `{changed}` gets a fresh secret");
        }
    }

    #[test]
    fn nothing_but_the_copy_stays_in_its_folder() {
        let files = crate::audit::fixtures::files(&[
            ("src/lib.rs", "pub fn fee() -> u32 {\n    2\n}\n"),
            ("tests/steps.rs", "fn g() {}\n"),
        ]);
        let (dir, _) = made(&files);
        let copy = dir.path().join("prototype/.wow/check");
        std::fs::create_dir_all(copy.join(".cargo")).expect("folder");
        std::fs::write(
            copy.join(".cargo/config.toml"),
            "[build]\nrustc = \"evil\"\n",
        )
        .expect("file");
        std::fs::write(copy.join("rust-toolchain"), "evil\n").expect("file");
        std::os::unix::fs::symlink("/etc/passwd", copy.join("src/extra.rs")).expect("link");
        std::fs::write(copy.join("tests/steps.rs"), "fn tampered() {}\n").expect("file");
        let (spec, prototype) = (
            crate::audit::fixtures::spec(crate::audit::fixtures::BANK).1,
            Prototype::new(dir.path().join("prototype")),
        );
        make(&spec, &prototype, &files, &dir.path().join("target")).expect("made");
        assert!(!copy.join(".cargo").exists());
        assert!(!copy.join("rust-toolchain").exists());
        assert!(copy.join("src/extra.rs").symlink_metadata().is_err());
        assert_eq!(
            std::fs::read_to_string(copy.join("tests/steps.rs")).expect("steps"),
            "fn g() {}\n"
        );
    }
}
