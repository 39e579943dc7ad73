//! `wow check`'s parsing against the cucumber/gherkin conformance data
//! (`tests/data/gherkin`): every valid file the gherkin crate accepts gives
//! exactly the expected pickles (line, name, step texts), and every invalid
//! file gives every error the reference parser reports, each as
//! `path:line:col: message`, never a panic.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wow::spec;

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

/// Valid files the gherkin crate 0.16 refuses, and cucumber-rs with it, so
/// `wow` must too: any other refusal is a false alarm of `wow`'s own checks.
const REFUSED_BY_THE_CRATE: &[&str] = &[
    "empty.feature",
    "escaped_pipes.feature",
    "extra_table_content.feature",
    "incomplete_feature_3.feature",
    "scenario_outline_with_value_with_trailing_backslash.feature",
    "step_with_datatable_and_docstring.feature",
    "trim_space.feature",
    "trim_tab.feature",
];

#[test]
fn valid_files_give_the_expected_intents() {
    let mut accepted = 0;
    let mut rejected = Vec::new();
    let mut wrong = Vec::new();
    for file in crate::support::conformance_files("good") {
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
            // The reference gives such files no pickle; `wow` refuses them.
            Err(spec::Error::NoIntents { .. }) if pickles(&file).is_empty() => accepted += 1,
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
    assert_eq!(
        rejected, REFUSED_BY_THE_CRATE,
        "valid files refused ({accepted} accepted)"
    );
}

/// Lines of every error the reference parser reports for `feature`.
fn expected_error_lines(feature: &Path) -> Vec<usize> {
    let path = PathBuf::from(format!("{}.errors.ndjson", feature.display()));
    let text = std::fs::read_to_string(&path).expect("errors file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let error: Value = serde_json::from_str(l).expect("json");
            let line = error["parseError"]["source"]["location"]["line"]
                .as_u64()
                .expect("line");
            usize::try_from(line).expect("small")
        })
        .collect()
}

/// Where `wow` deliberately points elsewhere than the reference parser: at
/// tags with nothing after them, where the reference points at the end of
/// the file after them.
const POINTS_AT_THE_TAGS: &[&str] = &["unexpected_end_of_file.feature", "unexpected_eof.feature"];

/// Lines the reference parser reports as errors of their own that `wow`
/// reports once, on the line where the mistake starts: the reference, after
/// a second doc string's opening `"""`, also flags each line inside it.
const ONE_MISTAKE_ONE_MESSAGE: &[(&str, &[usize])] =
    &[("repeated_step_docstring.feature", &[9, 10])];

#[test]
fn invalid_files_report_every_error_with_path_line_and_column() {
    for file in crate::support::conformance_files("bad") {
        let name = file
            .file_name()
            .expect("file")
            .to_string_lossy()
            .into_owned();
        let error =
            spec::parse(std::slice::from_ref(&file)).expect_err("an invalid file must be refused");
        let message = error.to_string();
        let spec::Error::Invalid { errors, .. } = &error else {
            panic!("{name}: not a Gherkin error: {message}");
        };
        let folded = ONE_MISTAKE_ONE_MESSAGE
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, lines)| lines);
        let expected: Vec<usize> = expected_error_lines(&file)
            .into_iter()
            .filter(|line| !folded.contains(line))
            .map(|line| {
                if POINTS_AT_THE_TAGS.contains(&name.as_str()) {
                    line - 1
                } else {
                    line
                }
            })
            .collect();
        let got: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(
            got, expected,
            "{name}: the reference parser's lines\n{message}"
        );
        for error in errors {
            let shown = error.to_string();
            assert!(
                shown.starts_with(&format!(
                    "{}:{}:{}: ",
                    file.display(),
                    error.line,
                    error.column
                )),
                "{shown}"
            );
            assert!(error.line >= 1 && error.column >= 1, "{shown}");
            assert!(error.message.len() > 10, "no explanation in {shown}");
            assert!(
                message.contains(&shown),
                "{name}: every error is listed:\n{message}"
            );
        }
    }
}
