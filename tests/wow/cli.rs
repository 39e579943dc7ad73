//! The real binary on feature files, without a model: `check`, `prompt`,
//! bad input and the exit codes a product owner's terminal shows.

use serde_json::Value;

use crate::support::Wow;

const CART: &str = "@shop
Feature: Cart
  Scenario: Adding a book
    Given an empty cart
    When I add a book costing 12 euros
    Then the cart total is 12 euros

  Scenario Outline: Adding several books
    Given an empty cart
    When I add <count> books costing 10 euros each
    Then the cart total is <total> euros

    Examples: small orders
      | count | total |
      | 2     | 20    |

    Examples: large orders
      | count | total |
      | 10    | 100   |
";

#[test]
fn check_lists_every_intent_and_writes_the_intents_as_json() {
    let wow =
        Wow::new()
            .file("features/cart.feature", CART)
            .args(&["check", "--json", "report.json"]);
    let out = wow.run();
    assert_eq!(out.code, 0, "{}", out.all());
    for id in [
        "features/cart.feature:3",
        "features/cart.feature:15",
        "features/cart.feature:19",
    ] {
        assert!(out.stdout.contains(id), "{id} missing:\n{}", out.all());
    }
    assert!(
        out.stdout
            .contains("Adding several books (count 10, total 100)"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout.contains("3 intents in 1 feature"),
        "{}",
        out.all()
    );
    let report: Value = wow.report();
    let intents = report["intents"].as_array().expect("intents");
    assert_eq!(intents.len(), 3);
    assert_eq!(intents[1]["id"], "features/cart.feature:15");
    assert_eq!(intents[1]["feature"], "Cart");
    assert_eq!(intents[1]["status"], "not_run");
    assert!(!wow.path("generated").exists(), "check writes no prototype");
}

#[test]
fn bad_gherkin_exits_2_with_path_line_and_column_and_writes_nothing() {
    let broken =
        "Feature: Cart\n  Scenario: Adding\n    Given an empty cart\n    this is not a step\n";
    for command in ["check", "run", "prompt"] {
        let wow = Wow::new()
            .file("features/cart.feature", broken)
            .args(&[command]);
        let out = wow.run();
        assert_eq!(out.code, 2, "{command}: {}", out.all());
        assert!(
            out.stderr.contains("features/cart.feature:4:"),
            "{command}: {}",
            out.all()
        );
        assert!(
            out.stderr.contains("this is not a step"),
            "the offending line is shown: {}",
            out.all()
        );
        assert!(
            out.stdout.is_empty(),
            "{command} printed results: {}",
            out.all()
        );
        assert!(
            !wow.path("generated").exists(),
            "{command} wrote a prototype"
        );
    }
}

#[test]
fn unusable_inputs_are_explained() {
    let out = Wow::new().args(&["check"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`features` does not exist"),
        "{}",
        out.all()
    );

    let wow = Wow::new().file("features/notes.txt", "hello");
    std::fs::create_dir_all(wow.path("features")).expect("folder");
    let out = wow.args(&["check"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no `.feature` files in `features`"),
        "{}",
        out.all()
    );

    let wow = Wow::new().file(
        "features/a.feature",
        "Feature: A\n  Scenario: B\n    Given \u{0}\n",
    );
    let out = wow.args(&["check"]).run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not text"), "{}", out.all());
}

#[test]
fn run_without_a_model_explains_how_to_configure_one() {
    let out = Wow::new()
        .file("features/cart.feature", CART)
        .args(&["run"])
        .run();
    assert_eq!(out.code, 2, "{}", out.all());
    for provider in [
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "ollama/",
        "lmstudio/",
        "cmd:",
    ] {
        assert!(
            out.stderr.contains(provider),
            "{provider} missing: {}",
            out.all()
        );
    }
}

#[test]
fn model_strings_are_checked_before_anything_is_written() {
    let wow =
        Wow::new()
            .file("features/cart.feature", CART)
            .args(&["run", "--model", "nosuch/model"]);
    let out = wow.run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("unknown provider `nosuch`"),
        "{}",
        out.all()
    );
    let out = wow
        .only_args(&["run", "--model", "openai/gpt-4.1-mini"])
        .run();
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("`OPENAI_API_KEY` is not set"),
        "{}",
        out.all()
    );
    assert!(!out.stderr.contains("gpt-4.1-mini\n"), "{}", out.all());
}

#[test]
fn prompt_prints_the_contract_and_the_features_verbatim() {
    let out = Wow::new()
        .file("features/cart.feature", CART)
        .args(&["prompt"])
        .run();
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains(CART.trim_end()),
        "the feature is carried verbatim"
    );
    assert!(out.stdout.contains("### features/cart.feature"));
    assert!(
        out.stdout.contains("pub struct World"),
        "the contract is in the prompt"
    );
    assert!(out.stdout.contains("tests/steps.rs"));
}

#[test]
fn check_reports_every_mistake_of_every_file_at_once() {
    let mistakes = [
        (
            "features/a.feature",
            "Feature: Cart\n  Scenario: Add books\n    Given these books:\n      | title | price |\n      | Dune  | 12    | 3 |\n",
            "features/a.feature:5:7: this table row has 3 cells but the table's first row has 2",
        ),
        (
            "features/b.feature",
            "# language: fr\nFeature: Panier\n  Scenario: Vider\n    Given un panier\n",
            "features/b.feature:2:1: this file is French (`# language: fr`): write `Fonctionnalité:` for `Feature:`",
        ),
        (
            "features/c.feature",
            "Feature: Pay\n  Scenario: Card\n    Given a cart\n    Wehn I pay by card\n    Then the order is paid\n",
            "features/c.feature:4:5: `Wehn` is not a step keyword: did you mean `When`?",
        ),
        (
            "features/d.feature",
            "Feature: Ship\n  Scenario: Home\n    Given an order\n    Then it ships home\n  Scenario Abroad\n    Given an order\n",
            "features/d.feature:5:3: `Scenario` needs a colon: write `Scenario: Abroad`",
        ),
        (
            "features/e.feature",
            "Feature: Refund\n  @slow path\n  Scenario: Late\n    Given an order\n",
            "features/e.feature:2:3: a tag may not contain spaces: write `@a-tag`",
        ),
    ];
    let mut wow = Wow::new();
    for (path, text, _) in &mistakes {
        wow = wow.file(path, text);
    }
    let out = wow.args(&["check"]).run();
    assert_eq!(out.code, 2, "{}", out.all());
    for (_, text, expected) in &mistakes {
        assert!(
            out.stderr.contains(expected),
            "{expected} missing:\n{}",
            out.all()
        );
        let line: usize = expected
            .split(':')
            .nth(1)
            .and_then(|l| l.parse().ok())
            .expect("a line");
        let shown = format!(
            "    | {}",
            text.lines().nth(line - 1).expect("the line").trim_end()
        );
        assert!(
            out.stderr.contains(&shown),
            "{shown} missing:\n{}",
            out.all()
        );
    }
    assert!(out.stderr.contains("5 errors in 5 files"), "{}", out.all());
    assert!(out.stdout.is_empty(), "{}", out.all());
}

#[test]
fn features_without_an_intent_are_refused_with_the_reason() {
    let french = "# language: fr\nFonctionnalité: Panier\n  Scenario: Vider le panier\n    Soit un panier plein\n    Quand je le vide\n";
    for command in ["check", "prompt", "run"] {
        let wow = Wow::new()
            .file("features/panier.feature", french)
            .args(&[command]);
        let out = wow.run();
        assert_eq!(out.code, 2, "{command}: {}", out.all());
        assert!(
            out.stderr.contains("no intent in `features`"),
            "{command}: {}",
            out.all()
        );
        assert!(
            out.stderr.contains(
                "features/panier.feature:3:3: warning: this line is read as the `Fonctionnalité:`'s description: this file is French (`# language: fr`): write `Scénario:` for `Scenario:`"
            ),
            "{command}: {}",
            out.all()
        );
        assert!(out.stdout.is_empty(), "{command}: {}", out.all());
        assert!(
            !wow.path("generated").exists(),
            "{command} wrote a prototype"
        );
    }
}
