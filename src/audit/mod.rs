//! Audit: static checks on the model's code, and the trace from each step
//! to the code that runs it.
//!
//! In: the [`Spec`] and the model-owned [`Files`] of a round. Out: an
//! [`Analysis`], read once per evaluation, with [`Analysis::findings`]
//! ([`Finding`]s in plain words: a `Then` step definition that checks
//! nothing, an intent none of whose steps reaches the prototype, forbidden
//! APIs, code too deep to read) and [`Analysis::traces`] (intent → step →
//! definition → prototype code, for the HTML report). Everything is pure:
//! nothing is written, built or run here.
//!
//! The parts: [`model`] reads the steps files (definitions, helpers,
//! matching steps to definitions as cucumber-rs does, with
//! `cucumber-expressions`), [`checks`] judges them, [`trace`] follows them
//! into the prototype, [`forbidden`] scans every file for forbidden APIs.
//! The checks are heuristics on the syntax tree (`syn`): they must not flag
//! ordinary, honest step definitions; when in doubt they report nothing,
//! and the mutation check ([`crate::vacuity`]) catches the rest.
//!
//! The files are the model's reply, or whatever is on disk: hostile. `syn`
//! recurses once per nesting level, so a file is parsed only if
//! [`extract::check_code`] finds it shallow enough, and all parsing and
//! walking happens on a thread with a large stack ([`on_large_stack`]).
//! What must not happen: a reply that crashes wow.

pub mod app;
mod checks;
mod forbidden;
mod model;
pub mod outline;
mod trace;

use std::sync::{Mutex, PoisonError};

use crate::extract::{self, Deep};
use crate::shard::Layout;
use crate::spec::Spec;
use crate::vocabulary::{CodeRef, Files, Finding, FindingKind};

use model::Model;
use trace::Item;

/// The model-owned files of a round, read once: what the checks and the
/// trace need, as owned data (no syntax tree is kept).
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// The steps files (`tests/**/*.rs`).
    model: Model,
    /// The functions, methods and types of the prototype (`src/**/*.rs`).
    items: Vec<Item>,
    /// Findings that need no spec: forbidden uses and files skipped as too
    /// deep to read, in file order.
    notes: Vec<Finding>,
}

impl Analysis {
    /// Reads the model-owned `files` (path → content, paths like
    /// `src/lib.rs`, `tests/steps.rs`, `tests/steps/bank.rs`). A file that
    /// does not parse is skipped (the build reports it); a file too deep to
    /// read is skipped with a [`FindingKind::Forbidden`] finding saying so.
    /// Parses on a thread with a large stack.
    ///
    /// `layout` says which `World` runs which feature: a step of a sharded
    /// prototype matches only the definitions of its own shard.
    pub(crate) fn read(files: &Files, layout: &Layout) -> Self {
        on_large_stack(|| Self::read_here(files, layout))
    }

    fn read_here(files: &Files, layout: &Layout) -> Self {
        let mut analysis = Self::default();
        analysis.model.layout = layout.clone();
        for (path, text) in files.iter().filter(|(p, _)| is_rust(p, "")) {
            let file = match parse(text) {
                Parsed::File(file) => file,
                Parsed::Invalid => continue,
                Parsed::TooDeep(deep) => {
                    analysis.notes.push(skipped(path, deep));
                    continue;
                }
            };
            if is_rust(path, "tests/") {
                analysis.model.add(path, text, &file);
                analysis
                    .notes
                    .extend(forbidden::hand_registered(path, text));
            }
            if is_rust(path, "src/") {
                trace::collect_items(&file.items, path, text, &mut analysis.items);
            }
            analysis.notes.extend(forbidden::scan(path, &file));
            // The syntax tree is dropped here, on the large stack: dropping
            // a deep tree recurses too.
            drop(file);
        }
        analysis.model.finish();
        analysis
    }

    /// The findings on the intents of `spec`: step definitions that check
    /// nothing and intents that never reach the prototype (see
    /// [`checks::findings`]), then forbidden uses and skipped files.
    pub(crate) fn findings(&self, spec: &Spec) -> Vec<Finding> {
        let mut findings = checks::findings(&self.model, spec);
        findings.extend(self.notes.iter().cloned());
        findings
    }

    /// The finding on the step definitions the harness ran with (`steps`,
    /// as it reported them, [`crate::cargo::results::StepAt`]) that are not
    /// the definitions read from the model's files: each must be a function
    /// with `#[given]`, `#[when]` or `#[then]` at the place cucumber gives,
    /// and only one definition may claim a place. A definition made by a macro, included
    /// from a file wow did not read, or registered by hand under a borrowed
    /// place fails this; so does a run that did not report its definitions
    /// (`None`). At most one finding, concerning every intent.
    pub(crate) fn unread_steps(
        &self,
        steps: Option<&[crate::cargo::results::StepAt]>,
    ) -> Option<Finding> {
        let unread = |file: String, line: usize, what: String| Finding {
            kind: FindingKind::UnreadStep,
            file,
            line,
            message: format!(
                "{what}: wow cannot read which code it runs, so no scenario counts as verified; write each step definition as a function with `#[given]`, `#[when]` or `#[then]`"
            ),
            intents: Vec::new(),
        };
        let Some(steps) = steps else {
            return Some(unread(
                "tests/intents.rs".to_owned(),
                1,
                "the scenarios ran without saying which step definitions they used".to_owned(),
            ));
        };
        let mut seen = std::collections::BTreeSet::new();
        steps.iter().find_map(|at| {
            let known = self
                .model
                .defs
                .iter()
                .any(|d| d.file == at.file && d.line == at.line && d.column == at.column);
            let first = seen.insert((&at.world, &at.file, at.line, at.column));
            (!known || !first).then(|| {
                unread(
                    at.file.clone(),
                    at.line,
                    format!(
                        "a step definition at `{}:{}:{}` ran that is not one wow read{}",
                        at.file,
                        at.line,
                        at.column,
                        if first {
                            ""
                        } else {
                            " (two definitions claim this place)"
                        }
                    ),
                )
            })
        })
    }

    /// See [`trace`].
    pub(crate) fn traces(&self, spec: &Spec) -> Vec<Vec<Option<CodeRef>>> {
        trace::traces(&self.model, &self.items, spec)
    }
}

/// Checks the model-owned `files` against the intents of `spec` (see
/// [`Analysis::read`] and [`Analysis::findings`]).
pub fn check(spec: &Spec, files: &Files, layout: &Layout) -> Vec<Finding> {
    Analysis::read(files, layout).findings(spec)
}

/// For each intent of `spec` (in spec order), for each of its steps
/// ([`crate::spec::Intent::steps`], background first): the step definition
/// that runs it, or `None` where no single definition matches the step
/// (none, or several, which cucumber-rs fails as ambiguous). Steps are
/// matched as [`check`] matches them. Used by the HTML report so an
/// engineer can follow intent → step → code.
///
/// A definition's `source` is its whole function as written, attributes and
/// doc comments included; its `line` is the line `source` starts on, the
/// first attribute or doc comment. Its `calls` are the prototype items
/// (`src/**/*.rs`) its body uses, directly or through the steps files' own
/// functions and methods (two calls deep), in order of first use, each once
/// and with empty `calls`: a function or method (not its whole `impl`), or a
/// struct, enum or trait definition. Every `source` is exact text of the
/// file: from the start of its first line when only indentation precedes
/// it, cut after 150 lines with a `// … (N more lines)` line.
///
/// Names are resolved by name, without type checking: a path by its last
/// segment (`Account::open`: the `open` of an `impl Account`; `Money::ZERO`,
/// `Refusal::Late`: the type), a method call by its name. A method called
/// on a field (`world.till.pay()`) goes to the `impl` of a type the field's
/// declared type names, in the steps or the prototype; otherwise the steps'
/// own method of that name (the same file's first), else the prototype's
/// methods of that name whose type the code, or the types of the fields it
/// reads, mention, else all of them: at most three. The steps' own
/// functions shadow the prototype's. Files that do not parse, or nest too
/// deep to read, are skipped.
pub fn trace(spec: &Spec, files: &Files, layout: &Layout) -> Vec<Vec<Option<CodeRef>>> {
    Analysis::read(files, layout).traces(spec)
}

/// Whether `path` is a Rust file under `folder` (`""`: anywhere).
pub(crate) fn is_rust(path: &str, folder: &str) -> bool {
    path.starts_with(folder)
        && std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e == "rs")
}

/// A model-owned Rust file, parsed if it safely can be.
pub(crate) enum Parsed {
    File(syn::File),
    /// It does not parse: the build will say why.
    Invalid,
    /// It nests deeper than `syn` can parse without overflowing the stack.
    TooDeep(Deep),
}

/// Parses `text` with `syn` after the depth check
/// ([`extract::check_code`]). Call it, and drop what it returns, inside
/// [`on_large_stack`]: even within the limits, `syn` and its visitors
/// recurse once per level.
pub(crate) fn parse(text: &str) -> Parsed {
    match extract::check_code(text) {
        Err(deep) => Parsed::TooDeep(deep),
        Ok(()) => syn::parse_file(text).map_or(Parsed::Invalid, Parsed::File),
    }
}

/// The finding for a file the checks skipped because it nests too deep.
fn skipped(path: &str, deep: Deep) -> Finding {
    Finding {
        kind: FindingKind::Forbidden,
        file: path.to_owned(),
        line: deep.line(),
        message: format!("wow could not check the code in `{path}`: {deep}"),
        intents: Vec::new(),
    }
}

/// Stacks [`on_large_stack`] tries, largest first, in bytes. With the
/// limits of [`extract::check_code`], the deepest code they let through
/// needs 12 to 24 MiB in a debug build: the first is about ten times that,
/// the last still enough. Reserved, not used: the kernel maps only the
/// pages touched.
const STACK_BYTES: [usize; 3] = [256 << 20, 64 << 20, 32 << 20];

/// Runs `job` on a new thread with a large stack ([`STACK_BYTES`]) and
/// returns what it returns (a panic in `job` resumes here). If no such
/// thread can be started (an address-space limit), runs it on the caller's
/// thread.
pub(crate) fn on_large_stack<T: Send>(job: impl FnOnce() -> T + Send) -> T {
    let job = Mutex::new(Some(job));
    let take = || job.lock().unwrap_or_else(PoisonError::into_inner).take();
    let done = std::thread::scope(|scope| {
        STACK_BYTES.into_iter().find_map(|bytes| {
            let worker = std::thread::Builder::new()
                .name("wow-audit".to_owned())
                .stack_size(bytes)
                .spawn_scoped(scope, || take().map(|job| job()));
            // A thread that did not start leaves the job for the next try.
            let joined = worker.ok()?.join();
            joined.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    });
    match done {
        Some(value) => value,
        None => take().expect("the job is taken once: no thread started, so it is here")(),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! What the tests of the audit's parts share: feature files, steps, the
    //! bundled example prototype.

    use std::path::Path;

    use super::is_rust;
    use crate::spec::Spec;
    use crate::vocabulary::{Files, Finding, FindingKind as Kind};

    /// The spec of one feature file with `text`, and the folder holding it.
    pub(crate) fn spec(text: &str) -> (tempfile::TempDir, Spec) {
        let dir = tempfile::tempdir().expect("a temp folder");
        let path = dir.path().join("parcels.feature");
        std::fs::write(&path, text).expect("write the feature");
        let spec = crate::spec::parse(&[path]).expect("valid Gherkin");
        (dir, spec)
    }

    pub(crate) fn files(list: &[(&str, &str)]) -> Files {
        list.iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect()
    }

    pub(crate) fn ids(spec: &Spec) -> Vec<String> {
        spec.intents().map(|i| i.id.clone()).collect()
    }

    /// (kind, file, line, intents) of each finding, without the messages.
    pub(crate) fn summary(findings: &[Finding]) -> Vec<(Kind, &str, usize, Vec<String>)> {
        findings
            .iter()
            .map(|f| (f.kind, f.file.as_str(), f.line, f.intents.clone()))
            .collect()
    }

    pub(crate) const BANK: &str = "\
Feature: Bank
  Scenario: Counting alone
    Given a balance of 100 euros
    When I withdraw 30 euros
    Then I receive 30 euros
  Scenario: Asking the bank
    Given a balance of 100 euros
    When the bank pays 30 euros
    Then I receive 30 euros
";

    /// The model-owned files of the bundled example prototype.
    pub(crate) fn example() -> (Spec, Files) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/features");
        let spec = crate::spec::parse(&[root.join("features")]).expect("the example's features");
        let mut files = Files::new();
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.expect("a readable example");
            let rel = entry
                .path()
                .strip_prefix(&root)
                .expect("under the root")
                .to_string_lossy()
                .into_owned();
            let owned = rel.starts_with("src/") || rel.starts_with("tests/steps");
            if owned && is_rust(&rel, "") {
                let text = std::fs::read_to_string(entry.path()).expect("a text file");
                files.insert(rel, text);
            }
        }
        (spec, files)
    }

    /// The layout of the bundled example prototype (one shard per feature).
    pub(crate) fn example_layout() -> crate::shard::Layout {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/features");
        crate::prototype::Prototype::new(root).layout()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{BANK, files, spec};
    use super::*;

    #[test]
    fn a_file_too_deep_to_read_is_skipped_with_a_finding() {
        let (_dir, spec) = spec(BANK);
        for open in ["(", "[", "{"] {
            let close = match open {
                "(" => ")",
                "[" => "]",
                _ => "}",
            };
            let deep = format!(
                "pub fn f() {{\n    let _ = {}1{};\n}}\n",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let steps = format!(
                "fn g() {{ {}{} }}\n",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let files = files(&[
                ("src/lib.rs", &deep),
                ("tests/steps.rs", &steps),
                ("src/ok.rs", "pub fn ok() { let _ = std::env::args(); }\n"),
            ]);
            let findings = check(&spec, &files, &crate::shard::Layout::default());
            let found: Vec<_> = findings
                .iter()
                .map(|f| (f.kind, f.file.as_str(), f.line))
                .collect();
            assert_eq!(
                found,
                [
                    (FindingKind::Forbidden, "src/lib.rs", 2),
                    (FindingKind::Forbidden, "src/ok.rs", 1),
                    (FindingKind::Forbidden, "tests/steps.rs", 1),
                ],
                "{open}"
            );
            assert!(
                findings[0]
                    .message
                    .starts_with("wow could not check the code in `src/lib.rs`: its brackets nest more than 128 deep (line 2)"),
                "{}",
                findings[0].message
            );
            let traced = trace(&spec, &files, &crate::shard::Layout::default());
            assert!(traced.iter().flatten().all(Option::is_none), "{traced:?}");
        }
    }

    /// Code just inside the limits of [`extract::check_code`], in each of
    /// the shapes that make `syn` recurse, parses and is checked without
    /// overflowing the large stack (in this debug build, its worst case).
    #[test]
    fn the_deepest_code_the_limits_let_through_is_read() {
        let depth = extract::MAX_DEPTH - 2;
        let chain = extract::MAX_CHAIN - 20;
        let shapes = [
            format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
            format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
            format!("{}1{}", "{".repeat(depth), "}".repeat(depth)),
            format!("{}1", "!".repeat(chain)),
            format!("{}1", "- ".repeat(chain)),
            format!("{}x", "&".repeat(chain)),
            format!("1{}", " + 1".repeat(chain / 2)),
            format!("x{}", ".f()".repeat(chain / 3)),
            format!("x{}", ".y".repeat(chain / 2)),
            format!("x{}", "?".repeat(chain)),
            format!("{}x", "|a, | ".repeat(chain / 3)),
            format!("{}x", "return ".repeat(chain)),
            format!("if a {{}}{}", " else if a {}".repeat(chain / 4)),
            // Inside the deepest brackets, a chain as long as still fits.
            format!(
                "{}{}1{}",
                "(".repeat(depth),
                "!".repeat(chain - 2 * depth - 20),
                ")".repeat(depth)
            ),
        ];
        let (_dir, spec) = spec(BANK);
        for (index, shape) in shapes.iter().enumerate() {
            let lib = format!("pub fn f() {{\n    let _ = {shape};\n}}\n");
            assert_eq!(extract::check_code(&lib), Ok(()), "shape {index}");
            let ty = format!(
                "pub type T = {}u8{};\n",
                "Vec<".repeat(chain / 3 - 5),
                ">".repeat(chain / 3 - 5)
            );
            assert_eq!(extract::check_code(&ty), Ok(()));
            let files = files(&[
                ("src/lib.rs", &lib),
                ("src/ty.rs", &ty),
                ("tests/steps.rs", &lib),
            ]);
            assert!(
                check(&spec, &files, &crate::shard::Layout::default()).is_empty(),
                "shape {index}"
            );
            let parsed = on_large_stack(|| matches!(parse(&lib), Parsed::File(_)));
            assert!(parsed, "shape {index}");
        }
    }

    #[test]
    fn a_job_on_the_large_stack_returns_its_value_and_its_panic() {
        assert_eq!(on_large_stack(|| 6 * 7), 42);
        let panicked = std::panic::catch_unwind(|| on_large_stack(|| panic!("inside")));
        assert!(panicked.is_err());
    }
}
