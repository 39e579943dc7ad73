//! Prompt stage: the text sent to the model.
//!
//! In: the [`Spec`] (features verbatim), and for a repair round the current
//! model-owned files and a description of what went wrong. Out: a [`Prompt`]
//! (system + user text). The system text is the contract between `wow` and
//! the model (see the design notes, "The generated prototype"); it changes
//! only with [`VERSION`]. This module renders text and does nothing else.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::spec::Spec;
use crate::vocabulary::plural;

pub mod app;

/// Version of the prompt templates, recorded with every exchange.
pub const VERSION: u32 = 4;

/// The text sent to a model: a system message and a user message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// Instructions: the contract between `wow` and the model.
    pub system: String,
    /// The task: features verbatim, or the failures of the previous round.
    pub user: String,
    /// The shard of a sharded prototype the prompt is for, by module name
    /// ([`crate::shard`]); `None` for a prototype written in one call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// The contract's sentence on the library's dependencies.
const STD_ONLY: &str = "The library may use only the standard library.";

impl Prompt {
    /// The same prompt, telling the model it may also use `crates` (the
    /// extra crates of `wow.toml`) in the library.
    #[must_use]
    pub fn with_crates(&self, crates: &[crate::config::Crate]) -> Self {
        if crates.is_empty() {
            return self.clone();
        }
        let list: Vec<String> = crates
            .iter()
            .map(|c| format!("`{}` {}", c.name, c.version))
            .collect();
        let allowed = format!(
            "The library may use the standard library and these crates, nothing else: {}.",
            list.join(", ")
        );
        Self {
            system: self.system.replacen(STD_ONLY, &allowed, 1),
            user: self.user.clone(),
            shard: self.shard.clone(),
        }
    }

    /// The same task for one shard of a sharded prototype: the contract
    /// says which files are the shard's, and which the tool's. The task
    /// must have been rendered from a spec of the shard's features alone
    /// ([`Spec::only`]).
    #[must_use]
    pub fn for_shard(mut self, shard: &crate::shard::Shard) -> Self {
        let features: Vec<String> = shard
            .features
            .iter()
            .map(|f| format!("`features/{f}`"))
            .collect();
        let layout = SHARD_LAYOUT
            .replace("{module}", &shard.module)
            .replace("{features}", &features.join(", "));
        self.system = format!("{INTRO}\n\n{layout}\n\n{COMMON}")
            .replace("{first_file}", &format!("src/{}.rs", shard.module));
        self.shard = Some(shard.module.clone());
        self
    }

    /// The whole prompt as one text, for `wow prompt`, `cmd:` providers and
    /// pasting into a chat window.
    pub fn to_text(&self) -> String {
        format!("{}\n\n{}", self.system.trim_end(), self.user)
    }
}

/// The contract's first paragraph: what the model writes, and for whom.
const INTRO: &str = r"You write a runnable prototype in Rust from a product owner's Gherkin scenarios, together with the cucumber-rs step definitions that run those scenarios against it. An engineer will grow your prototype into the real product, so write it as the seed of real code: domain types and operations named in the product owner's words, real logic, small and readable.";

/// The layout of a prototype written in one call.
const ONE_LAYOUT: &str = r"The project layout is fixed. These files belong to the tool; never send them:
- `Cargo.toml`: package and library `prototype`, Rust 2024 edition. The library may use only the standard library. The tests have two dev-dependencies: `cucumber` 0.23 and `tokio` 1.
- `Cargo.lock`.
- `tests/intents.rs`: the harness. It declares `mod steps;` and runs `steps::World::cucumber()` over every file in `features/`. An undefined or skipped step fails its scenario.
- `features/**/*.feature`: the product owner's features, copied verbatim.

You write only these files:
- `src/lib.rs`, and any `src/**/*.rs` module it declares: the prototype.
- `tests/steps.rs`, and any `tests/steps/**/*.rs` module it declares: the step definitions and `pub struct World`.";

/// The layout of one shard of a sharded prototype (`{module}`, `{features}`).
const SHARD_LAYOUT: &str = r"You write one part of the prototype: the part for {features}. Other parts, written separately, cover the other features of the product; you do not see them and they do not see yours, so this part stands alone.

The project layout is fixed. These files belong to the tool; never send them:
- `Cargo.toml`: package and library `prototype`, Rust 2024 edition. The library may use only the standard library. The tests have two dev-dependencies: `cucumber` 0.23 and `tokio` 1.
- `Cargo.lock`.
- `src/lib.rs`: it declares `pub mod {module};` and the other parts' modules.
- `tests/steps.rs`: it declares `pub mod {module};` and the other parts' step modules.
- `tests/intents.rs`: the harness. It runs `steps::{module}::World::cucumber()` over {features}. An undefined or skipped step fails its scenario.
- `features/**/*.feature`: the product owner's features, copied verbatim.

You write only these files:
- `src/{module}.rs`, and any `src/{module}/**/*.rs` module it declares: this part of the prototype, which the steps use as `prototype::{module}::…`.
- `tests/steps/{module}.rs`, and any `tests/steps/{module}/**/*.rs` module it declares: the step definitions and `pub struct World`.";

/// The rest of the contract, the same for both layouts (`{first_file}`: the
/// file the reply format's example names).
const COMMON: &str = r#"`World` holds the state of one scenario (a fresh one for each scenario):

```rust
#[derive(Debug, Default, cucumber::World)]
pub struct World { /* fields */ }
```

Step definitions:
- Import the attributes with `use cucumber::{given, then, when};` and match steps with Cucumber expressions, such as `#[given(expr = "an account with {int} euros")]`, or with anchored regular expressions, such as `#[when(regex = r"^I withdraw (\d+) euros$")]`. Cucumber expressions have only `{int}`, `{float}`, `{word}`, `{string}` (text in double quotes, passed without them) and `{}`.
- A step matches only definitions of its own type: `And` and `But` take the type of the step before them, and `*` is always a `Given` step. Every step in the features must match exactly one definition.
- The first parameter is `world: &mut World`, then the captured values in order. To read a step's data table or doc string, take `step: &cucumber::gherkin::Step` last and use `step.table` (rows of cells, header first) or `step.docstring`.
- `Given` and `When` steps call into the prototype (`prototype::…`) and keep what it returns in the world. `Then` steps assert on what the prototype computed; they never compute the expected outcome themselves.
- Every assertion carries a message in the product owner's words, such as `assert_eq!(balance, expected, "the balance should be {expected} euros");`. The message is shown to the product owner when the scenario fails.
- Do not use `unsafe`, `std::process`, `std::net`, `std::env`, the file system or threads.

Where the scenarios leave a decision open (a boundary, a rounding, an order, what happens twice), decide, and after the files list every decision you made under the heading `## Assumptions`, one bullet each, in the product owner's words and language, such as `- 16:00 counts as peak time: the scenarios give only 15:00 and 17:00`. The product owner reads them as open questions.

If a scenario contradicts itself or another scenario, or cannot be implemented as written, do not bend the code or the steps to make it pass: after the files, list it under the heading `## Disputes`, one bullet per scenario, starting with its path and line as given above (`features/invoice.feature:14`), then why (show the arithmetic), then `Suggested change:` and the smallest change to the scenario that would make it right. The product owner decides; a reply may hold only disputes.

Reply with every file you write, whole, each as a Markdown heading with the file's path followed by one fenced code block:

### {first_file}
```rust
// the whole file
```

Files you do not send keep their current content."#;

/// The contract of a prototype written in one call.
fn system() -> String {
    format!("{INTRO}\n\n{ONE_LAYOUT}\n\n{COMMON}").replace("{first_file}", "src/lib.rs")
}

/// Renders the first prompt of a run: the contract and every feature verbatim.
pub fn generate(spec: &Spec) -> Prompt {
    let mut user = String::new();
    // Every scenario, those a filter left out too: the prototype is made
    // for the whole features, and only the run is filtered.
    let intents = spec.intents().count() + spec.left_out().count();
    let _ = writeln!(
        user,
        "Write the prototype and its step definitions for {} {} ({}). Every scenario must pass.\n",
        these(spec.features.len()),
        plural(spec.features.len(), "feature", "features"),
        plural(intents, "intent", "intents"),
    );
    push_features(&mut user, spec);
    Prompt {
        system: system(),
        user,
        shard: None,
    }
}

/// Renders a repair prompt: what went wrong in round `round`, the features,
/// and the current model-owned files as `(path, content)`.
///
/// `problems` is Markdown written by the repair stage (compiler diagnostics,
/// failing scenarios with their failing step and message, rejected files).
/// `outlines` are `(path, outline)` of the files the failures do not run
/// (their items without function bodies, [`crate::audit::outline`]): sent
/// so the model knows what exists, at a fraction of the tokens.
pub fn repair(
    spec: &Spec,
    round: u32,
    problems: &str,
    files: &[(String, String)],
    outlines: &[(String, String)],
) -> Prompt {
    let mut prompt = update(
        spec,
        &format!(
            "Round {round} of this prototype did not pass all its scenarios. Fix the cause of each problem below; keep what already works."
        ),
        "Problems",
        problems,
        files,
    );
    push_outlines(&mut prompt.user, outlines, "The failures above");
    prompt
}

/// A prompt to update the current files: the task, a titled section (what
/// went wrong, or what changed), the features and the files.
fn update(
    spec: &Spec,
    task: &str,
    title: &str,
    section: &str,
    files: &[(String, String)],
) -> Prompt {
    let mut user = String::new();
    let _ = writeln!(user, "{task}\n");
    let _ = writeln!(user, "## {title}\n\n{}\n", section.trim_end());
    let _ = writeln!(user, "## Features\n");
    push_features(&mut user, spec);
    let _ = writeln!(user, "## Current files\n");
    for (path, content) in files {
        push_block(&mut user, path, "rust", content);
    }
    let _ = writeln!(
        user,
        "Reply with the whole content of every file you change, in the reply format above."
    );
    Prompt {
        system: system(),
        user,
        shard: None,
    }
}

const CRITIQUE: &str = r#"You are a sceptical reviewer of a product owner's Gherkin scenarios. You do not write code. You find the holes a developer would fall into: missing edge cases and boundaries, ambiguous steps that two people would read differently, rules without a scenario that shows them refusing something, unstated assumptions (who, when, which currency, what happens twice, what happens at zero).

Reply with exactly two parts:

1. One Gherkin feature in a single fenced block marked `gherkin`, holding new scenarios that would close the most important holes. Write it in the language of the features (with the same `# language:` header if they have one), name it "Suggested scenarios for" followed by the product's name, tag every scenario `@suggested`, and put a comment line `# why: …` before each scenario saying which hole it closes. Use the same step phrasing as the existing scenarios wherever possible. Do not repeat scenarios that already exist.
2. A heading `## Questions` followed by a short bulleted list (at most eight) of questions for the product owner: decisions the scenarios leave open."#;

/// Renders the second-opinion prompt of `wow critique`: an adversarial
/// review of the features, answered in Gherkin and questions.
pub fn critique(spec: &Spec) -> Prompt {
    let mut user = String::new();
    let _ = writeln!(
        user,
        "Find the holes in {} {} of the product `{}`.\n",
        these(spec.features.len()),
        plural(spec.features.len(), "feature", "features"),
        spec.name
    );
    push_features(&mut user, spec);
    Prompt {
        system: CRITIQUE.to_owned(),
        user,
        shard: None,
    }
}

/// The critique prompt again, after a reply whose Gherkin `error` refused:
/// the reply and what was wrong with it, so the model can correct it.
pub fn critique_again(spec: &Spec, reply: &str, error: &str) -> Prompt {
    let mut prompt = critique(spec);
    let _ = write!(
        prompt.user,
        "\n## Your previous reply\n\n{reply}\n\n## What was wrong with it\n\nIts suggested scenarios are not valid Gherkin:\n\n```text\n{error}\n```\n\nSend the whole reply again, corrected: one Gherkin feature in a ```gherkin block, then the questions.\n"
    );
    prompt
}

/// Renders an edit prompt (`wow watch`): the product owner changed the
/// scenarios; `changes` lists what is new, changed or removed, and `files`
/// are the current model-owned files as `(path, content)`.
/// `outlines` as for [`repair`]: the files the changed scenarios do not
/// run, without their functions' bodies.
pub fn edit(
    spec: &Spec,
    changes: &str,
    files: &[(String, String)],
    outlines: &[(String, String)],
) -> Prompt {
    let mut prompt = update(
        spec,
        "The product owner changed the scenarios of this prototype. Update the prototype and its step definitions so that every scenario passes; keep what already works, and send only the files you change.",
        "Changes",
        changes,
        files,
    );
    push_outlines(&mut prompt.user, outlines, "The changed scenarios");
    prompt
}

/// The section of outlined files, if any: `who` do not run them.
fn push_outlines(user: &mut String, outlines: &[(String, String)], who: &str) {
    if outlines.is_empty() {
        return;
    }
    let _ = writeln!(
        user,
        "\n## Other files, outlined\n\n{who} do not run these files, so they are shown without the bodies of their functions (`{{ … }}`). Leave them out of your reply unless you must change one; then send it whole, bodies included.\n"
    );
    for (path, outline) in outlines {
        push_block(user, path, "rust", outline);
    }
}

pub(crate) fn push_features(out: &mut String, spec: &Spec) {
    for feature in &spec.features {
        push_block(
            out,
            &format!("features/{}", feature.rel),
            "gherkin",
            &feature.text,
        );
    }
}

/// Writes `### path` and a fenced block longer than any backtick run in
/// `content`, so a doc string or a Markdown comment cannot close it early.
pub(crate) fn push_block(out: &mut String, path: &str, language: &str, content: &str) {
    let fence = "`".repeat(longest_backtick_run(content).max(2) + 1);
    let _ = writeln!(
        out,
        "### {path}\n{fence}{language}\n{}\n{fence}\n",
        content.trim_end()
    );
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `this` for one, `these` for several.
fn these(count: usize) -> &'static str {
    if count == 1 { "this" } else { "these" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `files` (path under `features/`, text). The prompt shows only
    /// `features/{rel}` and the text, so the temp folder never reaches it.
    fn spec(files: &[(&str, &str)]) -> Spec {
        let dir = tempfile::tempdir().expect("a temp folder");
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("under the temp folder")).expect("mkdir");
            std::fs::write(path, text).expect("write a fixture");
        }
        crate::spec::parse(&[dir.path().to_owned()]).expect("valid features")
    }

    fn bank_and_cart() -> Spec {
        spec(&[
            (
                "bank.feature",
                "Feature: Bank account\n  Scenario Outline: Withdraw <amount> euros\n    Given an account with 100 euros\n    When I withdraw <amount> euros\n    Then the balance is <balance> euros\n\n    Examples:\n      | amount | balance |\n      | 10     | 90      |\n      | 100    | 0       |\n",
            ),
            (
                "shop/cart.feature",
                "Feature: Cart\n  Scenario: Add a book\n    Given an empty cart\n    When I add \"Dune\"\n    Then the cart holds 1 item\n",
            ),
        ])
    }

    #[test]
    fn generate_prompt() {
        insta::assert_snapshot!(generate(&bank_and_cart()).to_text());
    }

    #[test]
    fn shard_generate_prompt() {
        let spec = bank_and_cart();
        let shard = crate::shard::Shard {
            module: "bank".to_owned(),
            features: vec!["bank.feature".to_owned()],
        };
        let prompt = generate(&spec.only(&shard.features)).for_shard(&shard);
        assert_eq!(prompt.shard.as_deref(), Some("bank"));
        assert!(!prompt.user.contains("features/shop/cart.feature"));
        // The rest of the contract is the one-call prototype's.
        let one = generate(&spec).system;
        let common = one.split_once("`World` holds").expect("the common part").1;
        assert!(
            prompt
                .system
                .contains(&common.replace("src/lib.rs", "src/bank.rs"))
        );
        insta::assert_snapshot!(prompt.to_text());
    }

    #[test]
    fn repair_prompt() {
        let spec = bank_and_cart();
        let problems = "### Failing scenarios\n\n- `features/bank.feature:10` Withdraw 100 euros\n  - at `Then the balance is 0 euros`: the balance should be 0 euros (expected 0 but got 100)\n";
        let files = [
            (
                "src/lib.rs".to_owned(),
                "pub fn withdraw(balance: u32, amount: u32) -> u32 {\n    balance\n}\n".to_owned(),
            ),
            (
                "tests/steps.rs".to_owned(),
                "#[derive(Debug, Default, cucumber::World)]\npub struct World;\n".to_owned(),
            ),
        ];
        let prompt = repair(&spec, 2, problems, &files, &[]);
        // The contract is the same in every round (snapshotted once, above).
        assert_eq!(prompt.system, generate(&spec).system);
        insta::assert_snapshot!(prompt.user);
    }

    #[test]
    fn a_doc_string_in_backticks_gets_a_longer_fence() {
        let spec = spec(&[(
            "api.feature",
            "Feature: API\n  Scenario: Reply\n    Then the reply is\n      ```json\n      {\"ok\": true}\n      ```\n",
        )]);
        let user = generate(&spec).user;
        let block = user
            .split_once("### features/api.feature\n")
            .expect("the feature's heading")
            .1;
        assert!(block.starts_with("````gherkin\nFeature: API\n"), "{block}");
        assert!(
            block.contains("      ```\n````\n"),
            "the doc string closes inside the block: {block}"
        );
    }

    #[test]
    fn a_file_with_a_four_backtick_fence_gets_five() {
        let files = [(
            "src/lib.rs".to_owned(),
            "//! ````text\n//! a\n//! ````\n".to_owned(),
        )];
        let user = repair(&bank_and_cart(), 1, "none", &files, &[]).user;
        assert!(
            user.contains("### src/lib.rs\n`````rust\n//! ````text\n//! a\n//! ````\n`````\n"),
            "{user}"
        );
    }

    #[test]
    fn plural_counts() {
        assert_eq!(plural(1, "intent", "intents"), "1 intent");
        assert_eq!(plural(0, "intent", "intents"), "0 intents");
        assert_eq!(plural(3, "feature", "features"), "3 features");
    }
}
