//! `wow check`'s parsing against the cucumber/gherkin conformance data
//! (`tests/data/gherkin`): every valid file the gherkin crate accepts gives
//! exactly the expected pickles (line, name, step texts), and every invalid
//! file gives a `path:line:col: message` error, never a panic.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wow::spec;

fn data(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gherkin")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the conformance data is in the repository")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "feature"))
        .collect();
    files.sort();
    files
}

/// (line, name, step texts) of each expected pickle.
fn pickles(feature: &Path) -> Vec<(usize, String, Vec<String>)> {
    let path = PathBuf::from(format!("{}.pickles.ndjson", feature.display()));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("valid ndjson");
            let p = &v["pickle"];
            let line =
                usize::try_from(p["location"]["line"].as_u64().expect("line")).expect("small");
            let name = p["name"].as_str().expect("name").to_owned();
            let steps = p["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| s["text"].as_str().expect("text").to_owned())
                .collect();
            (line, name, steps)
        })
        .collect()
}

/// Files the gherkin crate 0.16 accepts but parses to another AST than the
/// reference parser (its own shortcomings, listed so a change shows up).
const KNOWN_AST_DIFFERENCES: &[&str] = &[
    // Example cells padded with non-breaking spaces and tabs are not trimmed.
    "padded_example.feature",
    // Keywords that are prefixes of others (`Ke` of `Kedy`) are mis-split.
    "prefixed-keywords.feature",
];

#[test]
fn valid_files_give_the_expected_intents() {
    let mut accepted = 0;
    let mut rejected = Vec::new();
    let mut wrong = Vec::new();
    for file in data("good") {
        let name = file
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        match spec::parse(std::slice::from_ref(&file)) {
            Ok(spec) => {
                accepted += 1;
                let got: Vec<(usize, String, Vec<String>)> = spec
                    .intents()
                    .map(|i| {
                        (
                            i.line,
                            i.name.clone(),
                            i.steps.iter().map(|s| s.text.clone()).collect(),
                        )
                    })
                    .collect();
                if got != pickles(&file) && !KNOWN_AST_DIFFERENCES.contains(&name.as_str()) {
                    wrong.push(format!(
                        "{name}:\n  got      {got:?}\n  expected {:?}",
                        pickles(&file)
                    ));
                }
            }
            Err(error) => {
                let message = error.to_string();
                assert!(
                    message.starts_with(&file.display().to_string()),
                    "{message}"
                );
                rejected.push(name);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "intents differ from the pickles:\n{}",
        wrong.join("\n")
    );
    assert!(
        accepted >= 37,
        "only {accepted} valid files accepted; rejected: {rejected:?}"
    );
}

/// Line of the first error the reference parser reports for `feature`.
fn expected_error_line(feature: &Path) -> usize {
    let path = PathBuf::from(format!("{}.errors.ndjson", feature.display()));
    let text = std::fs::read_to_string(&path).expect("errors file");
    let first: Value = serde_json::from_str(text.lines().next().expect("an error")).expect("json");
    let line = first["parseError"]["source"]["location"]["line"]
        .as_u64()
        .expect("line");
    usize::try_from(line).expect("small")
}

/// Where `wow` deliberately points elsewhere than the reference parser: at
/// tags with nothing after them, where the reference points at the end of
/// the file after them.
const POINTS_AT_THE_TAGS: &[&str] = &["unexpected_end_of_file.feature", "unexpected_eof.feature"];

#[test]
fn invalid_files_fail_with_path_line_and_column() {
    for file in data("bad") {
        let name = file
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        let error =
            spec::parse(std::slice::from_ref(&file)).expect_err("an invalid file must be refused");
        let message = error.to_string();
        let prefix = format!("{}:", file.display());
        let rest = message
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("no path in {message}"));
        let mut parts = rest.splitn(3, ':');
        let line: usize = parts
            .next()
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("no line in {message}"));
        let col: usize = parts
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no column in {message}"));
        assert!(line >= 1 && col >= 1, "{message}");
        if POINTS_AT_THE_TAGS.contains(&name.as_str()) {
            assert_eq!(line, expected_error_line(&file) - 1, "{message}");
        } else {
            assert_eq!(
                line,
                expected_error_line(&file),
                "the reference parser's line: {message}"
            );
        }
        assert!(
            parts.next().is_some_and(|m| m.trim().len() > 10),
            "no explanation in {message}"
        );
    }
}
