//! Findings on the step definitions: a `Then` step definition that checks
//! nothing, and an intent none of whose steps reaches the prototype.
//!
//! In: the [`Model`] of the steps files and the [`Spec`]. Out: [`Finding`]s
//! in plain words, for the product owner and the model. These are
//! heuristics: they must not flag ordinary, honest step definitions; when
//! in doubt they report nothing, and the mutation check
//! ([`crate::vacuity`]) catches the rest. Nothing is parsed, written or run here.

use super::model::{Model, StepType, asserts};
use crate::spec::{Intent, Spec};
use crate::vocabulary::{Finding, FindingKind as Kind};

/// The findings of `model` on the intents of `spec`: one per `Then`
/// definition used by some intent that cannot fail (with those intents),
/// then one per intent whose steps never reach the prototype.
pub(crate) fn findings(model: &Model, spec: &Spec) -> Vec<Finding> {
    let asserting = model.helpers_where(|h| asserts(&h.facts, h.returns_result), 2);
    let reaching = model.helpers_where(
        |h| model.reaches(&h.facts, h.scope),
        model.helpers.len() + 1,
    );
    let used: Vec<(&Intent, Vec<usize>)> = spec
        .intents()
        .map(|intent| {
            let mut defs: Vec<usize> = Vec::new();
            for d in model.resolve(intent).into_iter().flatten() {
                if !defs.contains(&d) {
                    defs.push(d);
                }
            }
            (intent, defs)
        })
        .collect();
    let mut findings = Vec::new();
    for (index, def) in model.defs.iter().enumerate() {
        if def.ty != StepType::Then
            || asserts(&def.facts, def.returns_result)
            || model.local_calls(&def.facts).any(|c| asserting.contains(c))
        {
            continue;
        }
        let intents: Vec<String> = used
            .iter()
            .filter(|(_, defs)| defs.contains(&index))
            .map(|(intent, _)| intent.id.clone())
            .collect();
        // An unused definition makes no intent hollow; an empty list would mean all.
        if intents.is_empty() {
            continue;
        }
        findings.push(Finding {
            kind: Kind::NoAssertion,
            file: def.file.clone(),
            line: def.line,
            message: format!(
                "the step definition for {} checks nothing: it has no assertion that can fail, so a passing scenario would not mean the prototype works",
                def.title()
            ),
            intents,
        });
    }
    for (intent, defs) in &used {
        let Some(&first) = defs.first() else {
            continue;
        };
        let reaches = defs.iter().any(|&d| {
            let def = &model.defs[d];
            model.reaches(&def.facts, def.scope)
                || model.local_calls(&def.facts).any(|c| reaching.contains(c))
        });
        if reaches {
            continue;
        }
        let def = &model.defs[first];
        findings.push(Finding {
            kind: Kind::NeverReachesPrototype,
            file: def.file.clone(),
            line: def.line,
            message: format!(
                "no step of `{}` ({}) uses the prototype: its step definitions, starting with {}, only work on their own data, so the scenario would pass even if the prototype did nothing",
                intent.name,
                intent.id,
                def.title()
            ),
            intents: vec![intent.id.clone()],
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::audit::fixtures::{BANK, example, files, ids, spec, summary};
    use crate::audit::{Analysis, check};
    use crate::vocabulary::FindingKind as Kind;

    const PARCELS: &str = "\
Feature: Parcels
  Scenario: Fee
    Given a parcel of 2 kg
    When it is sent
    Then the fee is 4 euros
    And the parcel is insured
  Scenario: Checked
    Given a parcel of 2 kg
    Then the parcel is checked
    And the parcel is weighed
  Scenario: Vacuous
    Given a parcel of 2 kg
    Then the parcel is sealed
    And the parcel is labelled
";

    const PARCEL_STEPS: &str = r#"use cucumber::{given, then, when};
use prototype::Parcel;

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    parcel: Option<Parcel>,
    fee: u32,
}

#[given(expr = "a parcel of {int} kg")]
fn parcel(world: &mut World, kg: u32) {
    world.parcel = Some(Parcel::new(kg));
}

#[when("it is sent")]
fn sent(world: &mut World) {
    world.fee = world.parcel.as_ref().map_or(0, Parcel::fee);
}

#[then(expr = "the fee is {int} euros")]
fn fee(world: &mut World, expected: u32) {
    println!("the fee is {} (expected {expected})", world.fee);
}

#[then(regex = r"^the parcel is (insured)$")]
fn insured(world: &mut World, _what: String) -> Result<(), String> {
    if world.fee == 0 {
        return Err("not insured".to_owned());
    }
    Ok(())
}

#[cucumber::then("the parcel is checked")]
fn checked(world: &mut World) {
    check(world);
}

#[then("the parcel is weighed")]
fn weighed(world: &mut World) -> Result<(), String> {
    let _parcel = world.parcel.as_ref().ok_or("no parcel")?;
    Ok(())
}

fn check(world: &World) {
    really_check(world);
}

fn really_check(world: &World) {
    assert!(world.parcel.is_some(), "no parcel");
}

#[then("the parcel is sealed")]
fn sealed(_world: &mut World) {
    assert!(true, "sealed");
}

#[then("the parcel is labelled")]
fn labelled(world: &mut World) {
    assert_eq!(world.fee, world.fee, "labelled");
}
"#;

    #[test]
    fn a_then_without_assertion_is_found_with_the_intents_using_it() {
        let (_dir, spec) = spec(PARCELS);
        let findings = check(
            &spec,
            &files(&[("tests/steps.rs", PARCEL_STEPS)]),
            &crate::shard::Layout::default(),
        );
        let ids = ids(&spec);
        // `assert!(true)` and `assert_eq!(x, x)` check nothing either.
        assert_eq!(
            summary(&findings),
            [
                (
                    Kind::NoAssertion,
                    "tests/steps.rs",
                    20,
                    vec![ids[0].clone()]
                ),
                (
                    Kind::NoAssertion,
                    "tests/steps.rs",
                    52,
                    vec![ids[2].clone()]
                ),
                (
                    Kind::NoAssertion,
                    "tests/steps.rs",
                    57,
                    vec![ids[2].clone()]
                ),
            ]
        );
        assert_eq!(
            findings[0].message,
            "the step definition for `Then the fee is {int} euros` (tests/steps.rs:20) checks nothing: it has no assertion that can fail, so a passing scenario would not mean the prototype works"
        );
        assert!(Kind::NoAssertion.makes_hollow());
    }

    const BANK_STEPS: &str = r#"use cucumber::{given, then, when};
use prototype::banking::Account as Acct;

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    account: Option<Acct>,
    paid: i64,
}

#[given(expr = "a balance of {int} euros")]
fn balance(world: &mut World, euros: i64) {
    world.paid = euros - euros;
}

#[when(expr = "I withdraw {int} euros")]
fn withdraw(world: &mut World, euros: i64) {
    world.paid = euros;
}

#[when(expr = "the bank pays {int} euros")]
fn bank_pays(world: &mut World, euros: i64) {
    world.paid = account(world).withdraw(euros);
}

#[then(expr = "I receive {int} euros")]
fn receive(world: &mut World, euros: i64) {
    assert_eq!(world.paid, euros);
}

fn account(world: &mut World) -> &mut Acct {
    world.account.as_mut().expect("an account")
}
"#;

    #[test]
    fn an_intent_whose_steps_never_reach_the_prototype_is_found() {
        let (_dir, spec) = spec(BANK);
        let findings = check(
            &spec,
            &files(&[("tests/steps.rs", BANK_STEPS)]),
            &crate::shard::Layout::default(),
        );
        let ids = ids(&spec);
        assert_eq!(
            summary(&findings),
            [(
                Kind::NeverReachesPrototype,
                "tests/steps.rs",
                10,
                vec![ids[0].clone()]
            )]
        );
        let message = &findings[0].message;
        assert!(
            message.starts_with(&format!(
                "no step of `Counting alone` ({}) uses the prototype",
                ids[0]
            )),
            "{message}"
        );
        assert!(Kind::NeverReachesPrototype.makes_hollow());
    }

    #[test]
    fn a_glob_import_reaches_through_names_the_steps_do_not_define() {
        let (_dir, spec) = spec(
            "Feature: Bank\n  Scenario: Open\n    Given an account\n  Scenario: Local\n    Given a note\n",
        );
        let steps = r#"use cucumber::given;
use prototype::*;

#[derive(Debug, Default, cucumber::World)]
pub struct World { note: Option<Note> }

#[derive(Debug)]
struct Note(String);

#[given("an account")]
fn account(_world: &mut World) {
    let _account = Account::open("Alice");
}

#[given("a note")]
fn note(world: &mut World) {
    world.note = Some(Note(String::from("local")));
}
"#;
        let findings = check(
            &spec,
            &files(&[("tests/steps.rs", steps)]),
            &crate::shard::Layout::default(),
        );
        assert_eq!(
            summary(&findings),
            [(
                Kind::NeverReachesPrototype,
                "tests/steps.rs",
                15,
                vec![ids(&spec)[1].clone()]
            )]
        );
    }

    #[test]
    fn aliases_and_wrappers_of_prototype_types_reach_it() {
        let (_dir, spec) = spec(
            "Feature: Bank\n  Scenario: Bank\n    Given a count\n    When the bank opens\n  Scenario: Till\n    Given a till\n  Scenario: Count\n    Given a count\n",
        );
        let steps = r#"use cucumber::{given, when};

type Bank = prototype::Bank;

#[derive(Debug, Default)]
struct Till(prototype::till::Till);

#[derive(Debug, Default, cucumber::World)]
pub struct World { bank: Option<Bank>, till: Till, count: u32 }

#[given("a bank")]
#[when("the bank opens")]
fn bank(world: &mut World) {
    if let Some(bank) = world.bank.as_mut() { bank.open(); }
}

#[given("a till")]
fn till(world: &mut World) {
    world.till.0.count();
}

#[given("a count")]
fn count(world: &mut World) {
    world.count += 1;
}
"#;
        let findings = check(
            &spec,
            &files(&[("tests/steps.rs", steps)]),
            &crate::shard::Layout::default(),
        );
        assert_eq!(
            summary(&findings),
            [(
                Kind::NeverReachesPrototype,
                "tests/steps.rs",
                22,
                vec![ids(&spec)[2].clone()]
            )]
        );
    }

    #[test]
    fn the_honest_example_prototype_has_no_findings() {
        let (spec, files) = example();
        assert!(files.len() > 8, "{:?}", files.keys());
        assert_eq!(check(&spec, &files, &crate::shard::Layout::default()), []);
        // Every step matches exactly one definition, French ones included.
        let model = Analysis::read(&files, &crate::shard::Layout::default()).model;
        for intent in spec.intents() {
            for (step, defs) in intent.steps.iter().zip(model.resolve(intent)) {
                assert_eq!(
                    defs.len(),
                    1,
                    "{} `{}` in {}",
                    step.keyword,
                    step.text,
                    intent.id
                );
            }
        }
    }

    /// A sharded prototype: a step definition for one shard's `World` may
    /// sit in another shard's file (`fn f(w: &mut super::beta::World)`).
    /// cucumber files it under `beta`'s `World`, but the harness runs a
    /// shard's `World` with the definitions in its own files only
    /// (`steps_of` in `tests/intents.rs`), so `beta`'s step has none: the
    /// audit must see it so too, not judge `beta` by `alpha`'s definition.
    #[test]
    fn a_step_has_only_the_definitions_of_its_own_shards_files() {
        let dir = tempfile::tempdir().expect("a temp folder");
        for (name, text) in [
            (
                "alpha.feature",
                "Feature: Alpha\n  Scenario: Doubling\n    Given the number 2\n    When I double it\n    Then the result is 4\n",
            ),
            (
                "beta.feature",
                "Feature: Beta\n  Scenario: Submitting\n    Given an order of 3 items\n    When I submit the order\n    Then the order is accepted\n",
            ),
        ] {
            std::fs::write(dir.path().join(name), text).expect("write the feature");
        }
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid Gherkin");
        let layout = crate::shard::Layout::plan(&spec, 2);
        let alpha = r#"use cucumber::{given, then, when};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    n: i64,
    r: i64,
}

#[given(expr = "the number {int}")]
fn number(w: &mut World, n: i64) {
    w.n = n;
}

#[when("I double it")]
fn double(w: &mut World) {
    w.r = prototype::alpha::double(w.n);
}

#[then(expr = "the result is {int}")]
fn result(w: &mut World, r: i64) {
    assert_eq!(w.r, r);
}

#[then("the order is accepted")]
fn accepted(_w: &mut super::beta::World) {}
"#;
        let beta = r#"use cucumber::{given, when};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    items: u32,
    id: u32,
}

#[given(expr = "an order of {int} items")]
fn order(w: &mut World, n: u32) {
    w.items = n;
}

#[when("I submit the order")]
fn submit(w: &mut World) {
    w.id = prototype::beta::submit(w.items);
}
"#;
        let mut files = files(&[
            ("src/alpha.rs", "pub fn double(n: i64) -> i64 { n * 2 }\n"),
            ("src/beta.rs", "pub fn submit(n: u32) -> u32 { n + 1 }\n"),
            ("tests/steps/alpha.rs", alpha),
            ("tests/steps/beta.rs", beta),
        ]);
        files.extend(layout.joined());
        let model = Analysis::read(&files, &layout).model;
        let beta = spec
            .intents()
            .find(|i| i.file == "beta.feature")
            .expect("beta's scenario");
        let resolved = model.resolve(beta);
        assert_eq!(
            resolved[..2].iter().map(Vec::len).collect::<Vec<_>>(),
            [1, 1]
        );
        assert!(
            resolved[2].is_empty(),
            "`Then the order is accepted` has no definition in beta's files"
        );
        let harness = crate::prototype::harness(&layout);
        assert!(harness.contains("let (steps, kept) = steps_of::<W>(world);"));
    }
}
