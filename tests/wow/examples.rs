//! The README's first command: the bundled examples run offline through
//! replay of their recorded (hand-written) exchanges, really compiling and
//! running the scenarios; `wow test` re-runs them; replay refuses features
//! that changed since the recording. The JSON report of that run is pinned
//! by a golden file (`snapshots/wow__examples__bundled_report.snap`).

use std::path::Path;

use crate::support::Wow;

/// A copy of the repository's `features/` and `generated/features/` (its
/// tool state included, results of earlier runs excluded).
pub(crate) fn bundled() -> Wow {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wow = Wow::new();
    for folder in ["features", "generated/features"] {
        for entry in walkdir::WalkDir::new(root.join(folder)) {
            let entry = entry.expect("readable example");
            let rel = entry
                .path()
                .strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .into_owned();
            let skip = ["cucumber.json", "last-run.json"]
                .iter()
                .any(|n| rel.ends_with(n))
                || rel.contains("/target");
            if entry.file_type().is_file() && !skip {
                wow = wow.file(
                    &rel,
                    &std::fs::read_to_string(entry.path()).expect("text file"),
                );
            }
        }
    }
    wow
}

#[test]
fn the_bundled_examples_replay_build_and_pass() {
    let wow = bundled().args(&["run", "--json", "report.json"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("written by hand, not by a model"),
        "the replay says who wrote the replies: {}",
        out.all()
    );
    assert!(
        out.stdout.contains("23 of 23 intents pass"),
        "{}",
        out.all()
    );
    let report = wow.report();
    insta::assert_snapshot!("bundled_report", golden(&report));
    assert_eq!(report["summary"]["intents"], 23);
    // The recorded page is on disk and builds: no model call for it.
    assert_eq!(report["app"]["status"], "ready", "{}", report["app"]);
    assert_eq!(report["app"]["model_calls"], 0);
    assert!(
        report["app"]["calls"]
            .as_array()
            .is_some_and(|calls| calls.iter().any(|c| c == "Account::withdraw")),
        "{}",
        report["app"]
    );
    let rounds = report["rounds"].as_array().expect("rounds");
    assert_eq!(
        rounds.len(),
        2,
        "the recording holds a generate and a repair round"
    );
    assert_eq!(
        rounds[0]["passed"], 21,
        "round 1 carries the deliberate late-fee mistake"
    );
    assert_eq!(rounds[1]["kind"], "repair");
    assert_eq!(rounds[1]["passed"], 23);
    // Every feature kind of the README is there: a French feature among them.
    assert!(
        out.stdout
            .contains("Fonctionnalité: Réserver une salle de réunion"),
        "{}",
        out.all()
    );
    // One call per feature's shard in round 1, and only the failing shard
    // repaired in round 2; the recording is never rewritten by a replay.
    let exchanges = [
        "round-01-banking.json",
        "round-01-library_loans.json",
        "round-01-reservation_salle.json",
        "round-01-shopping_cart.json",
        "round-02-library_loans.json",
    ];
    for name in exchanges {
        let exchange = wow.read(&format!("generated/features/.wow/exchanges/{name}"));
        assert!(exchange.contains("\"origin\": \"hand\""), "{name}");
    }
    let recorded = std::fs::read_dir(wow.path("generated/features/.wow/exchanges"))
        .expect("the recording")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
        .count();
    assert_eq!(recorded, exchanges.len(), "no other exchange is recorded");

    let wow = wow.only_args(&["test", "generated/features"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("23 of 23 intents pass"),
        "{}",
        out.all()
    );
    filters(wow);
}

/// `--tags` and `--name` on `wow test`, after the run above: only the
/// selected scenarios run (a banking step broken by hand does not matter
/// to a run of the discount scenarios), the others are reported as left
/// out in every format, and a bad or empty filter is refused (exit 2).
fn filters(wow: crate::support::Wow) {
    let steps = "generated/features/tests/steps/banking.rs";
    let opened = "world.account = Some(Account::open(holder, balance));";
    let broken = wow.read(steps).replace(
        opened,
        &format!("{opened}\n    panic!(\"broken by hand for the filter test\");"),
    );
    assert_ne!(
        broken,
        wow.read(steps),
        "the banking step to break is there"
    );
    let wow = wow.file(steps, &broken).only_args(&[
        "test",
        "generated/features",
        "--tags",
        "@discount and not @pricing",
        "--json",
        "report.json",
        "--junit",
        "filtered.xml",
        "--messages",
        "filtered.ndjson",
    ]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("2 of 2 intents pass"), "{}", out.all());
    assert!(
        out.stdout
            .contains("21 intents left out by --tags '@discount and not @pricing'"),
        "{}",
        out.all()
    );
    let report = wow.report();
    assert_eq!(report["summary"]["intents"], 2);
    assert_eq!(report["summary"]["left_out"], 21);
    assert_eq!(report["selection"]["tags"], "@discount and not @pricing");
    for intent in report["intents"].as_array().expect("intents") {
        let tags: Vec<&str> = intent["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        let selected = tags.contains(&"discount") && !tags.contains(&"pricing");
        let expected = if selected { "passed" } else { "left_out" };
        assert_eq!(intent["status"], expected, "{intent}");
    }
    let junit = wow.read("filtered.xml");
    assert_eq!(junit.matches("<skipped").count(), 21, "{junit}");
    assert!(junit.contains("left out by --tags"), "{junit}");
    let messages = wow.read("filtered.ndjson");
    assert_eq!(messages.matches("{\"pickle\":").count(), 23);
    assert_eq!(messages.matches("{\"testCase\":").count(), 2);

    // The hand edit does break banking: run alone, it fails.
    let mut wow = wow.only_args(&[
        "test",
        "generated/features",
        "--name",
        "^Emptying the account$",
    ]);
    let out = wow.run();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("0 of 1 intent pass "), "{}", out.all());
    assert!(out.stdout.contains("broken by hand"), "{}", out.all());

    for (args, said) in [
        (
            ["--tags", "@discount and"],
            "`--tags @discount and` is not a tag expression",
        ),
        (
            ["--name", "Withdraw (all"],
            "`--name Withdraw (all` is not a regular expression",
        ),
        (
            ["--tags", "@discont"],
            "--tags '@discont' selects none of the 23 intents: their tags are @checkout, @discount, @pricing",
        ),
    ] {
        for command in [
            &["test", "generated/features"][..],
            &[
                "run",
                "--model",
                "vllm/test",
                "--base-url",
                "http://127.0.0.1:9/v1",
            ][..],
        ] {
            wow = wow.only_args(command).args(&args);
            let out = wow.run();
            assert_eq!(out.code, 2, "{}", out.all());
            assert!(out.stderr.contains(said), "{}", out.all());
            assert!(!out.stderr.contains("compiling"), "{}", out.all());
        }
    }
}

/// The JSON report with what changes from run to run masked: durations
/// (every `*_ms` field) become 0, and the source text of step definitions
/// and the code they call becomes its line count, so the golden file pins
/// the report's shape and values without copying the prototype's code.
fn golden(report: &serde_json::Value) -> String {
    fn mask(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key.ends_with("_ms") && value.is_number() {
                        *value = 0.into();
                    } else if key == "source" && value.is_string() {
                        let lines = value.as_str().map_or(0, |s| s.lines().count());
                        *value = format!("<{lines} lines>").into();
                    } else {
                        mask(value);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    let mut report = report.clone();
    mask(&mut report);
    serde_json::to_string_pretty(&report).expect("JSON values serialize")
}

#[test]
fn replay_refuses_features_changed_since_the_recording() {
    let wow = bundled();
    let banking = wow
        .read("features/banking.feature")
        .replace("Withdrawing part of the balance", "Withdrawing a little");
    let wow = wow
        .file("features/banking.feature", &banking)
        .args(&["run"]);
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("`banking.feature` changed"),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("--model"), "{}", out.all());
    let out = wow.only_args(&["run", "--model", "replay"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("`banking.feature` changed"),
        "{}",
        out.all()
    );
}
