//! Shards: the parts of a prototype the model writes in separate, concurrent
//! calls, one per feature.
//!
//! In: the [`Spec`] and the number of concurrent calls allowed. Out: a
//! [`Layout`], either one part written in one call (`steps::World` runs
//! every feature) or one [`Shard`] per feature: the library module
//! `src/<module>.rs` and the step definitions `tests/steps/<module>.rs`,
//! with their own `World`. cucumber-rs keeps one step registry per `World`
//! type, so two shards never make each other's steps ambiguous, and the
//! harness runs each shard's `World` over its feature in turn.
//!
//! The layout is kept with the prototype in `.wow/shards.json`
//! (`{"shards": [{"module": "banking", "features": ["banking.feature"]}]}`;
//! no file: one part), written by the run that generated it. `src/lib.rs`
//! and `tests/steps.rs` of a sharded prototype are the tool's: they only
//! declare the modules ([`Layout::joined`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::spec::Spec;
use crate::vocabulary::Files;

/// The state file holding the layout, under `.wow/`.
pub const STATE_FILE: &str = "shards.json";

/// One part of a sharded prototype.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The module name in `src/` and `tests/steps/`: a Rust identifier
    /// made from the feature's file name (`reservation_salle`).
    pub module: String,
    /// The features it runs, by their path under `features/`.
    pub features: Vec<String>,
}

impl Shard {
    /// Whether the model-owned file at `path` is this shard's:
    /// `src/<module>.rs`, `src/<module>/…`, `tests/steps/<module>.rs` or
    /// `tests/steps/<module>/…`.
    pub fn owns(&self, path: &str) -> bool {
        let Some(rest) = path
            .strip_prefix("src/")
            .or_else(|| path.strip_prefix("tests/steps/"))
        else {
            return false;
        };
        rest.strip_prefix(self.module.as_str())
            .is_some_and(|tail| tail == ".rs" || tail.starts_with('/'))
    }
}

/// How the prototype is split between model calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Empty: one part, written in one call.
    pub shards: Vec<Shard>,
}

/// Words Rust reserves, which a module cannot be named, and names a shard
/// may not take: `lib` (`src/lib.rs` is the tool's) and the crates the
/// prototype names.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "union",
    "std",
    "core",
    "alloc",
    "prototype",
    "cucumber",
    "tokio",
    "steps",
    "lib",
];

impl Layout {
    /// The layout of a new prototype: one shard per feature when there are
    /// several features and more than one call may run at once (`jobs`),
    /// else one part.
    pub fn plan(spec: &Spec, jobs: usize) -> Self {
        if spec.features.len() < 2 || jobs < 2 {
            return Self::default();
        }
        let mut taken = BTreeSet::new();
        let shards = spec
            .features
            .iter()
            .map(|feature| {
                let module = unique_module(&feature.rel, &mut taken);
                Shard {
                    module,
                    features: vec![feature.rel.clone()],
                }
            })
            .collect();
        Self { shards }
    }

    /// The layout of an existing prototype brought to the features of
    /// `spec`: shards whose features are all gone are dropped, features
    /// no shard runs get a shard of their own. Returns the layout and the
    /// modules added.
    #[must_use]
    pub fn follow(&self, spec: &Spec) -> (Self, Vec<String>) {
        if self.is_single() {
            return (self.clone(), Vec::new());
        }
        let present: BTreeSet<&str> = spec.features.iter().map(|f| f.rel.as_str()).collect();
        let mut shards: Vec<Shard> = self
            .shards
            .iter()
            .map(|s| Shard {
                module: s.module.clone(),
                features: s
                    .features
                    .iter()
                    .filter(|f| present.contains(f.as_str()))
                    .cloned()
                    .collect(),
            })
            .filter(|s| !s.features.is_empty())
            .collect();
        let mut taken: BTreeSet<String> = self.shards.iter().map(|s| s.module.clone()).collect();
        let mut added = Vec::new();
        for feature in &spec.features {
            if shards.iter().any(|s| s.features.contains(&feature.rel)) {
                continue;
            }
            let module = unique_module(&feature.rel, &mut taken);
            added.push(module.clone());
            shards.push(Shard {
                module,
                features: vec![feature.rel.clone()],
            });
        }
        (Self { shards }, added)
    }

    /// Whether the prototype is one part.
    pub fn is_single(&self) -> bool {
        self.shards.is_empty()
    }

    /// The layout from the text of `.wow/shards.json`; `None` when it is
    /// not one (a module that is not a plain identifier is refused: the
    /// names go into Rust source). A feature's path may hold any character
    /// its file name does: [`Self::worlds_source`] writes it as an escaped
    /// literal, and whatever [`Self::plan`] writes reads back.
    pub fn parse(text: &str) -> Option<Self> {
        let layout: Self = serde_json::from_str(text).ok()?;
        let valid = layout
            .shards
            .iter()
            .all(|s| is_identifier(&s.module) && s.features.iter().all(|f| !f.is_empty()));
        let unique: BTreeSet<&str> = layout.shards.iter().map(|s| s.module.as_str()).collect();
        // A feature runs with one World only.
        let features: Vec<&str> = layout
            .shards
            .iter()
            .flat_map(|s| s.features.iter().map(String::as_str))
            .collect();
        let once = features.iter().collect::<BTreeSet<_>>().len() == features.len();
        (valid && once && unique.len() == layout.shards.len()).then_some(layout)
    }

    /// The text of `.wow/shards.json`.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).expect("a layout serializes") + "\n"
    }

    /// The shard that runs the feature at `rel` (under `features/`).
    pub fn of_feature(&self, rel: &str) -> Option<&Shard> {
        self.shards
            .iter()
            .find(|s| s.features.iter().any(|f| f == rel))
    }

    /// The shard a model-owned file belongs to ([`Shard::owns`]).
    pub fn of_file(&self, path: &str) -> Option<&Shard> {
        self.shards.iter().find(|s| s.owns(path))
    }

    /// The tool's `src/lib.rs` and `tests/steps.rs` of a sharded
    /// prototype, which declare each shard's modules; empty for one part.
    pub fn joined(&self) -> Files {
        if self.is_single() {
            return Files::new();
        }
        let mut mods = String::new();
        for shard in &self.shards {
            let _ = writeln!(mods, "pub mod {};", shard.module);
        }
        Files::from([
            (
                "src/lib.rs".to_owned(),
                format!(
                    "//! The prototype, one module per feature.\n//!\n//! Written by wow: it rewrites this file on every run.\n\n{mods}"
                ),
            ),
            (
                "tests/steps.rs".to_owned(),
                format!(
                    "//! The step definitions, one module per feature, each with its own `World`.\n//!\n//! Written by wow: it rewrites this file on every run.\n\n{mods}"
                ),
            ),
        ])
    }

    /// The files a shard must have before the prototype can be built, each
    /// as the alternatives that satisfy it.
    pub fn required(shard: &Shard) -> [[String; 2]; 2] {
        let m = &shard.module;
        [
            [format!("src/{m}.rs"), format!("src/{m}/mod.rs")],
            [
                format!("tests/steps/{m}.rs"),
                format!("tests/steps/{m}/mod.rs"),
            ],
        ]
    }

    /// The harness's table of Worlds, Rust source for
    /// [`crate::prototype::harness`]: the `WORLDS` constant (each World's
    /// name and the feature files it runs; none: every file) and the
    /// `with_world` dispatch.
    pub fn worlds_source(&self) -> String {
        let (mut table, mut arms) = (String::new(), String::new());
        if self.is_single() {
            table.push_str("    (\"\", &[]),\n");
            arms.push_str("        \"\" => Some(task.with::<steps::World>().await),\n");
        }
        for shard in &self.shards {
            // Debug formatting writes a Rust string literal, escapes and all.
            let files: Vec<String> = shard.features.iter().map(|f| format!("{f:?}")).collect();
            let _ = writeln!(table, "    ({:?}, &[{}]),", shard.module, files.join(", "));
            let _ = writeln!(
                arms,
                "        {0:?} => Some(task.with::<steps::{0}::World>().await),",
                shard.module
            );
        }
        format!(
            "/// Each `World` by name, with the feature files (under `features/`) it\n/// runs; none: every file.\nconst WORLDS: &[(&str, &[&str])] = &[\n{table}];\n\n/// Runs `task` with the `World` named `name` (`None`: no such World).\nasync fn with_world<T: Task>(name: &str, task: T) -> Option<T::Output> {{\n    match name {{\n{arms}        _ => None,\n    }}\n}}\n"
        )
    }

    /// The name of the World that runs the feature at `rel`, as in
    /// [`Self::worlds_source`] (`""` for one part).
    pub fn world_of(&self, rel: &str) -> String {
        self.of_feature(rel)
            .map(|s| s.module.clone())
            .unwrap_or_default()
    }
}

/// The module name of the feature at `rel` ([`module_name`]), with `_2`,
/// `_3`, … when it is `taken` already; taken from then on.
fn unique_module(rel: &str, taken: &mut BTreeSet<String>) -> String {
    let base = module_name(rel);
    let mut module = base.clone();
    let mut n = 2;
    while !taken.insert(module.clone()) {
        module = format!("{base}_{n}");
        n += 1;
    }
    module
}

/// A module name for the feature at `rel`: its file name without the
/// extension, lower case, with every character that is not an ASCII letter
/// or digit made `_` (accents dropped), never a keyword or a name the
/// prototype already uses.
pub fn module_name(rel: &str) -> String {
    let stem = rel
        .rsplit('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".feature");
    let mut name = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        let c = fold(c);
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let mut name = name.trim_end_matches('_').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "feature_");
    }
    if KEYWORDS.contains(&name.as_str()) || name.starts_with("__") {
        name.push_str("_feature");
    }
    name
}

/// The ASCII letter an accented Latin letter is written with, else `c`.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

/// Whether `name` is a plain lower-case Rust identifier.
fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(modules: &[(&str, &str)]) -> Layout {
        Layout {
            shards: modules
                .iter()
                .map(|(m, f)| Shard {
                    module: (*m).to_owned(),
                    features: vec![(*f).to_owned()],
                })
                .collect(),
        }
    }

    #[test]
    fn module_names_are_identifiers_made_from_the_file_name() {
        assert_eq!(module_name("banking.feature"), "banking");
        assert_eq!(module_name("billing/Late Fees.feature"), "late_fees");
        assert_eq!(
            module_name("réservation-salle.feature"),
            "reservation_salle"
        );
        assert_eq!(module_name("2fa.feature"), "feature_2fa");
        assert_eq!(module_name("type.feature"), "type_feature");
        assert_eq!(module_name("steps.feature"), "steps_feature");
        assert_eq!(module_name("lib.feature"), "lib_feature");
        assert_eq!(module_name("日本.feature"), "feature_");
        for name in ["banking", "late_fees", "feature_2fa", "type_feature"] {
            assert!(is_identifier(name), "{name}");
        }
    }

    #[test]
    fn files_belong_to_the_shard_of_their_module_only() {
        let layout = layout(&[("banking", "banking.feature"), ("cart", "cart.feature")]);
        for (path, module) in [
            ("src/banking.rs", Some("banking")),
            ("src/banking/money.rs", Some("banking")),
            ("tests/steps/cart.rs", Some("cart")),
            ("tests/steps/cart/given.rs", Some("cart")),
            ("src/lib.rs", None),
            ("tests/steps.rs", None),
            ("src/bankingx.rs", None),
            ("src/banking.rs/x.rs", None),
            ("tests/intents.rs", None),
        ] {
            assert_eq!(
                layout.of_file(path).map(|s| s.module.as_str()),
                module,
                "{path}"
            );
        }
    }

    #[test]
    fn a_stored_layout_with_a_name_that_is_not_an_identifier_is_refused() {
        let good = layout(&[("banking", "banking.feature")]);
        assert_eq!(Layout::parse(&good.to_text()), Some(good));
        let bad = layout(&[("x\"; std::process::exit(0); \"", "a.feature")]);
        assert_eq!(Layout::parse(&bad.to_text()), None);
        let twice = layout(&[("a", "a.feature"), ("a", "b.feature")]);
        assert_eq!(Layout::parse(&twice.to_text()), None);
        let shared = layout(&[("a", "a.feature"), ("b", "a.feature")]);
        assert_eq!(
            Layout::parse(&shared.to_text()),
            None,
            "one World per feature"
        );
        let tool = layout(&[("lib", "lib.feature")]);
        assert_eq!(
            Layout::parse(&tool.to_text()),
            None,
            "`src/lib.rs` is the tool's"
        );
    }

    #[test]
    fn the_harness_table_names_each_shards_world_and_its_features() {
        let source = layout(&[
            ("banking", "banking.feature"),
            ("cart", "shop/cart.feature"),
        ])
        .worlds_source();
        assert!(source.contains("(\"banking\", &[\"banking.feature\"])"));
        assert!(source.contains("(\"cart\", &[\"shop/cart.feature\"])"));
        assert!(source.contains("\"cart\" => Some(task.with::<steps::cart::World>().await)"));
        let single = Layout::default().worlds_source();
        assert!(single.contains("\"\" => Some(task.with::<steps::World>().await)"));
    }

    #[test]
    fn the_layout_planned_for_any_feature_name_reads_back() {
        let dir = tempfile::tempdir().expect("a temp folder");
        for name in ["al\"pha.feature", "back\\slash.feature", "plain.feature"] {
            std::fs::write(
                dir.path().join(name),
                "Feature: F\n  Scenario: S\n    Given a step\n",
            )
            .expect("write the feature");
        }
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid Gherkin");
        let planned = Layout::plan(&spec, 4);
        assert_eq!(planned.shards.len(), 3);
        // Refused, the prototype would be run as one part while its
        // harness and `src/lib.rs` are the sharded ones.
        assert_eq!(Layout::parse(&planned.to_text()), Some(planned.clone()));
        let source = planned.worlds_source();
        assert!(source.contains(r#"&["al\"pha.feature"]"#), "{source}");
        assert!(source.contains(r#"&["back\\slash.feature"]"#), "{source}");
    }
}
