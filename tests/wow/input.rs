//! Bad input never panics and always gets a clear message: random text
//! through `spec::parse` (a proptest run; every mistake it reports is placed
//! in the file), a 10 MB feature file, an
//! unreadable file, an empty folder, binary files. (Every file of the
//! cucumber/gherkin project's `bad` data goes through `conformance`.)

use std::path::PathBuf;

use proptest::prelude::*;

use crate::support::Wow;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random text, some of it shaped like Gherkin: `parse` returns a
    /// spec or an error, and never panics.
    #[test]
    fn parse_never_panics_on_random_text(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("Feature: F".to_owned()),
                Just("  Scenario: S".to_owned()),
                Just("  Scenario Outline: O <a>".to_owned()),
                Just("    Examples:".to_owned()),
                Just("      | a | b |".to_owned()),
                Just("      | 1 |".to_owned()),
                Just("    Given x <a>".to_owned()),
                Just("    \"\"\"".to_owned()),
                Just("  Rule: R".to_owned()),
                Just("  Background:".to_owned()),
                Just("# language: fr".to_owned()),
                Just("@tag @other".to_owned()),
                Just("@a tag".to_owned()),
                Just("Fonctionnalité: F".to_owned()),
                Just("  Scénario: S".to_owned()),
                Just("    Soit x".to_owned()),
                Just("    Wehn x".to_owned()),
                Just("    given x".to_owned()),
                Just("  Scenario S".to_owned()),
                Just("  Scénario S".to_owned()),
                Just("      | 1 | 2 | 3 |".to_owned()),
                Just("      | open".to_owned()),
                Just("    ```".to_owned()),
                Just("    Given".to_owned()),
                Just("\t\u{a0}Examples :".to_owned()),
                ".{0,40}",
            ],
            0..30,
        )
    ) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("random.feature");
        let count = lines.len();
        std::fs::write(&path, lines.join("\n")).expect("write");
        // Every mistake is placed in the file (or just past its end) and
        // shown with its path.
        if let Err(wow::spec::Error::Invalid { errors, .. }) = wow::spec::parse(std::slice::from_ref(&path)) {
            prop_assert!(!errors.is_empty());
            for error in errors {
                prop_assert!(error.line >= 1 && error.line <= count + 1, "{error}");
                let prefix = format!("{}:", path.display());
                prop_assert!(error.to_string().starts_with(&prefix), "{}", error);
            }
        }
    }

    /// Arbitrary bytes, not even UTF-8.
    #[test]
    fn parse_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("random.feature");
        std::fs::write(&path, bytes).expect("write");
        let _ = wow::spec::parse(&[path]);
    }
}

#[test]
fn a_ten_megabyte_feature_file_is_refused_with_its_size() {
    let wow = Wow::new().file(
        "features/huge.feature",
        &format!(
            "Feature: Huge\n  Scenario: S\n    Given {}\n",
            "x".repeat(10 * 1024 * 1024)
        ),
    );
    let out = wow.args(&["check"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("huge.feature"), "{}", out.all());
    assert!(out.stderr.contains("larger than"), "{}", out.all());
}

#[test]
fn binary_files_and_empty_folders_are_explained() {
    let wow = Wow::new();
    std::fs::create_dir_all(wow.path("features/empty")).expect("folder");
    std::fs::write(
        wow.path("features/logo.feature"),
        [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe],
    )
    .expect("binary");
    let wow = wow.args(&["check", "features/logo.feature"]);
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("is not text"), "{}", out.all());
    let out = wow.only_args(&["check", "features/empty"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("no `.feature` files"), "{}", out.all());
}

#[test]
fn an_unreadable_file_is_named() {
    // Root reads any file whatever its mode, so a folder given as a file
    // stands in for an unreadable one: the read fails the same way.
    let wow = Wow::new();
    let path: PathBuf = wow.path("features/cart.feature");
    std::fs::create_dir_all(&path).expect("a folder where a file is expected");
    let file = wow.path("features/ok.feature");
    std::fs::write(&file, "Feature: Ok\n  Scenario: S\n    Given x\n").expect("write");
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o000))
        .expect("chmod");
    let wow = wow.args(&["check", "features/ok.feature"]);
    let out = wow.run();
    if rustix::process::geteuid().is_root() {
        assert_eq!(out.code, 0, "root reads it: {}", out.all());
    } else {
        assert_eq!(out.code, 2, "{}", out.all());
        assert!(
            out.stderr.contains("failed to read `features/ok.feature`"),
            "{}",
            out.all()
        );
    }
    let out = wow.only_args(&["check", "features/cart.feature/"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("cart.feature"), "{}", out.all());
}
