//! The user's work is never lost, and the tool says what protects it:
//! hand edits stop `wow run` (and `--force` saves them first), every round
//! can be restored, a second run waits its turn, a cargo configuration that
//! changes the build is refused, and `wow doctor` lists the layers. Replies
//! come from a `cmd:` model printing hand-written files.

use std::io::Write as _;

use crate::support::Wow;

const FEATURE: &str = "Feature: Greeting
  Scenario: Saying hello
    Given a visitor named Ada
    Then the greeting is \"Hello, Ada\"
";

const STEPS: &str = r#"use cucumber::{given, then};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    name: String,
}

#[given(expr = "a visitor named {word}")]
fn visitor(world: &mut World, name: String) {
    world.name = name;
}

#[then(expr = "the greeting is {string}")]
fn greeting(world: &mut World, expected: String) {
    assert_eq!(prototype::greet(&world.name), expected);
}
"#;

fn reply(greeting: &str) -> String {
    format!(
        "Hand-written test reply.\n\n### src/lib.rs\n```rust\npub fn greet(name: &str) -> String {{\n    format!(\"{greeting}, {{name}}\")\n}}\n```\n\n### tests/steps.rs\n```rust\n{STEPS}```\n"
    )
}

fn greeting() -> Wow {
    Wow::new()
        .file("features/greeting.feature", FEATURE)
        .file("reply.md", &reply("Hello"))
        .args(&["run", "--model", "cmd:cat reply.md", "--max-repairs", "0"])
}

#[test]
fn hand_edits_stop_the_run_until_forced_and_rounds_can_be_restored() {
    let wow = greeting();
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    let lib = "generated/features/src/lib.rs";
    let first = wow.read(lib);
    assert_eq!(
        wow.read("generated/features/.wow/history/round-01/src/lib.rs"),
        first
    );

    let mine = "// my own greeting, edited by hand\npub fn greet(name: &str) -> String {\n    format!(\"Hello, {name}\")\n}\n";
    std::fs::write(wow.path(lib), mine).expect("hand edit");
    let wow = wow.file("reply.md", &reply("Hi"));
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("generated/features/src/lib.rs"),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("--force"), "{}", out.all());
    assert_eq!(wow.read(lib), mine, "the hand edit is intact");

    let wow = wow.args(&["--force"]);
    let out = wow.run();
    assert_eq!(out.code, 1, "the new reply fails its intent: {}", out.all());
    assert!(wow.read(lib).contains("Hi, "), "overwritten with --force");
    let saved: Vec<String> = walkdir::WalkDir::new(wow.path("generated/features/.wow/history"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(
        saved.iter().any(|s| s == mine),
        "the hand edit was saved first"
    );

    // The previous run's round 1 moved aside; this run's round 1 is "Hi".
    let wow = wow.only_args(&["restore", "1", "generated/features"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(wow.read(lib).contains("Hi, "));
    let out = wow.only_args(&["restore", "4", "generated/features"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("keeps no round 4"), "{}", out.all());
}

#[test]
fn a_second_run_on_the_same_prototype_is_told_who_holds_it() {
    let wow = greeting();
    std::fs::create_dir_all(wow.path("generated/features/.wow")).expect("folder");
    let mut held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(wow.path("generated/features/.wow/lock"))
        .expect("lock file");
    held.lock().expect("lock");
    write!(held, "4242").expect("pid");
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("pid 4242"), "{}", out.all());
    assert!(!wow.path("generated/features/src/lib.rs").exists());
}

#[test]
fn a_cargo_config_that_changes_the_build_is_refused_by_file_and_key() {
    let wow = greeting().file(
        ".cargo/config.toml",
        "[build]\nrustc-wrapper = \"/tmp/steal-everything\"\n",
    );
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains(".cargo/config.toml"), "{}", out.all());
    assert!(out.stderr.contains("build.rustc-wrapper"), "{}", out.all());
}

#[test]
fn doctor_lists_every_layer_and_the_toolchain() {
    let out = Wow::new()
        .args(&["doctor"])
        .env("WOW_MODEL", "ollama/test:7b")
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    for row in [
        "resource limits",
        "Landlock files",
        "Landlock network",
        "seccomp",
        "non-dumpable wow",
        "cargo",
        "target dir",
        "ollama/test:7b",
    ] {
        assert!(out.stdout.contains(row), "{row} missing:\n{}", out.all());
    }
    // On Linux 6.12+ (as in CI) every kernel layer is active.
    if std::path::Path::new("/sys/kernel/security/landlock").exists() || out.stdout.contains("ABI")
    {
        assert!(
            out.stdout.contains("Landlock files     active"),
            "{}",
            out.all()
        );
    }
    let row = |name: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    let run = row("run writes");
    assert!(
        run.contains("<fresh temporary folder>") && !run.contains("<prototype>"),
        "{run}"
    );
    assert!(
        row("run reads").contains("nothing of `/proc`"),
        "{}",
        out.all()
    );
    let fetch = row("fetch writes");
    assert!(
        fetch.contains("registry") && fetch.contains("; network"),
        "{fetch}"
    );
    assert!(
        !fetch.contains("credentials") && !fetch.contains("bin`"),
        "{fetch}"
    );
    assert!(
        !row("build writes").contains("<prototype>"),
        "{}",
        out.all()
    );
    let off = Wow::new().args(&["doctor", "--sandbox", "off"]).run();
    assert!(off.stdout.contains("OFF"), "{}", off.all());
}

#[test]
fn state_left_in_the_way_is_moved_aside_and_foreign_toolchain_files_stop_the_build() {
    let wow = greeting();
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    let state = wow.path("generated/features/.wow");
    std::fs::remove_file(state.join("lock")).expect("the lock file");
    std::fs::create_dir_all(state.join("lock/planted")).expect("a folder for the lock");
    let _ = std::fs::remove_file(state.join("last-run.json"));
    std::fs::create_dir_all(state.join("last-run.json")).expect("a folder for the last run");
    std::fs::remove_dir_all(state.join("history")).expect("history");
    std::os::unix::fs::symlink("/tmp", state.join("history")).expect("a link for the history");

    let toolchain = wow.path("generated/features/rust-toolchain.toml");
    std::fs::write(&toolchain, "[toolchain]\npath = \"/tmp/evil\"\n").expect("toolchain file");
    let wow = wow.only_args(&["test", "generated/features"]);
    let refused = wow.run();
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(
        refused.stderr.contains("rust-toolchain.toml") && refused.stderr.contains("remove it"),
        "{}",
        refused.all()
    );
    assert!(
        refused.stderr.contains("moved it aside") && refused.stderr.contains("removed it"),
        "{}",
        refused.all()
    );
    std::fs::remove_file(&toolchain).expect("remove");

    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(state.join("lock").is_file());
    assert!(!state.join("last-run.json").is_dir(), "{}", out.all());
    let again = wow
        .only_args(&["run", "--model", "cmd:cat reply.md", "--max-repairs", "0"])
        .run();
    assert_eq!(again.code, 0, "{}", again.all());
}
