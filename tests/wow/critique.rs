//! `wow critique` as the product owner meets it: invalid Gherkin in the
//! reply is sent back once with the parser's message; features in two
//! languages get one suggestion file each, in their own language; the
//! suggestions are ordinary readable files. Every reply here is written by
//! hand for these tests.

use std::os::unix::fs::PermissionsExt as _;

use crate::support::{Wow, fake_server, openai_json, prompts};

const ENGLISH: &str = "Feature: Parking fees\n  Scenario: The first hour is free\n    Given a car parked for 30 minutes\n    Then the fee is 0 euros\n";

const FRENCH: &str = "# language: fr\nFonctionnalité: Réserver une salle\n  Scénario: Une salle libre se réserve\n    Soit la salle Everest libre\n    Alors la réservation est acceptée\n";

const INVALID: &str = "Hand-written test reply for the critique prompt: its Gherkin has a table row with a cell too many.\n\n```gherkin\nFeature: Suggested scenarios\n\n  Scenario: Fees by duration\n    Given these durations:\n      | minutes | fee |\n      | 60      | 0   | 9 |\n    Then every fee is charged\n```\n\n## Questions\n\n- Is a lost ticket charged a flat fee?\n";

const VALID: &str = "Hand-written test reply for the critique prompt.\n\n```gherkin\nFeature: Suggested scenarios\n\n  Scenario: Exactly one hour is still free\n    Given a car parked for 60 minutes\n    Then the fee is 0 euros\n```\n\n## Questions\n\n- Is a lost ticket charged a flat fee?\n";

const FRENCH_REPLY: &str = "Réponse écrite à la main pour ce test.\n\n```gherkin\n# language: fr\nFonctionnalité: Scénarios suggérés\n\n  Scénario: Une salle déjà prise est refusée\n    Soit la salle Everest réservée\n    Alors la réservation est refusée\n```\n\n## Questions\n\n- Peut-on réserver une salle pour toute la journée ?\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_gherkin_is_sent_back_once_with_the_parsers_message() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![openai_json(INVALID, "stop"), openai_json(VALID, "stop")],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/parking.feature", ENGLISH)
        .args(&["critique"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 2, "asked twice: {sent:?}");
    assert!(
        sent[1].contains("not valid Gherkin")
            && sent[1].contains("suggested.feature:6:7: this table row has 3 cells"),
        "the second prompt carries the parser's message with its line: {}",
        sent[1]
    );
    let file = wow.path("features/suggested/features.feature");
    assert!(
        wow.read("features/suggested/features.feature")
            .contains("Exactly one hour")
    );
    let mode = std::fs::metadata(&file)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o644,
        "readable like the product owner's files"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn features_in_two_languages_get_one_suggestion_file_each() {
    let server = fake_server(
        "/v1/chat/completions",
        vec![
            openai_json(VALID, "stop"),
            openai_json(FRENCH_REPLY, "stop"),
        ],
    )
    .await;
    let (wow, out) = Wow::new()
        .file("features/parking.feature", ENGLISH)
        .file("features/salle.feature", FRENCH)
        .args(&["critique"])
        .local_model(&server)
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let sent = prompts(&server).await;
    assert_eq!(sent.len(), 2, "one call per language: {sent:?}");
    assert!(sent[0].contains("Parking fees") && !sent[0].contains("Réserver"));
    assert!(sent[1].contains("Réserver une salle") && !sent[1].contains("Parking fees"));
    assert!(
        wow.read("features/suggested/features-en.feature")
            .contains("Exactly one hour")
    );
    assert!(
        wow.read("features/suggested/features-fr.feature")
            .contains("Une salle déjà prise est refusée")
    );
    assert!(
        out.stdout.contains("features-en.feature") && out.stdout.contains("features-fr.feature"),
        "{}",
        out.all()
    );
}
