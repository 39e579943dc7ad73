//! The web app's prompts: the page a stakeholder clicks through, over the
//! library the scenarios verified.
//!
//! In: the [`Spec`], the verified library and steps (`(path, content)`),
//! and for a repair the app's files and rustc's errors. Out: a [`Prompt`].
//! The system text is the app's contract (the README, "The web app"); it
//! changes only with [`VERSION`].

use std::fmt::Write as _;

use super::{Prompt, push_block, push_features};
use crate::spec::Spec;

/// Version of the app's prompt templates, recorded with every exchange.
pub const VERSION: u32 = 1;

const SYSTEM: &str = r#"You write the web page of a Rust prototype, so that stakeholders can click through what the product owner's Gherkin scenarios describe. The prototype's library (`prototype`, in `src/`) already passes every scenario; the page is a thin skin over it.

The project layout is fixed. You write only `app/page.rs` (and, if it grows, modules it declares below `app/page/`). Never send `src/**`, `tests/**`, `Cargo.toml` or `app/main.rs`: they stay as they are.

`app/main.rs` belongs to the tool. It serves the page over HTTP, keeps one `App` in memory, and gives you:
- `crate::Form`: the fields of a submitted form. `form.get("amount") -> Option<&str>` (trimmed), `form.all("name")` (every value, for checkboxes), `form.action() -> &str` (the `value` of the pressed `<button name="action" value="…">`).
- `crate::escape(text: &str) -> String`: HTML-escapes text for element content and attribute values.

`app/page.rs` must define exactly:

```rust
use crate::{escape, Form};

pub struct App { /* the state of the demo, in memory */ }

impl App {
    /// The starting state: the data the scenarios' Background and first steps set up, so a person can click right away.
    pub fn new() -> Self { … }
    /// The page's title, in the product owner's words and language.
    pub fn title(&self) -> String { … }
    /// The HTML inside <main>: the state the `Then` steps check, and one form per thing the `When` steps do.
    pub fn render(&self) -> String { … }
    /// Handles one submitted form: Ok(what happened) or Err(why it was refused), in the product owner's words.
    pub fn submit(&mut self, form: &Form) -> Result<String, String> { … }
}
```

Rules:
- Every decision comes from the `prototype` library (`use prototype::…`): call it for each rule, computation and refusal. Never re-implement a rule, a computation or a check in the page; parsing a form field into a library type (`FromStr`) is fine.
- One `<section>` with an `<h2>` per feature. Forms use `method="post"` and no `action` attribute (the page is served under several addresses), with a `<button name="action" value="…">`. Label every input. Give `id` attributes to the elements that show the state the scenarios check.
- Words, labels and messages in the product owner's words and in each feature's language.
- Escape every value you show with `escape`. No JavaScript, no external assets (styles are provided), no `unsafe`, no `std::fs`, `std::net`, `std::process`, `std::env` or threads: only the standard library and `prototype`.

Reply with every file you write, whole, each as a Markdown heading with the file's path followed by one fenced code block:

### app/page.rs
```rust
// the whole file
```"#;

/// The first app prompt: the contract, the features, and the verified
/// library and steps (`(path, content)`), so the page calls what exists.
pub fn generate(spec: &Spec, files: &[(String, String)]) -> Prompt {
    let mut user = String::new();
    let _ = writeln!(
        user,
        "Write `app/page.rs` for the prototype of the features below. Its library and step definitions follow them: use the library's public API as it is.\n"
    );
    push_features(&mut user, spec);
    push_files(&mut user, files);
    Prompt {
        system: SYSTEM.to_owned(),
        user,
        shard: None,
    }
}

/// A repair of the app: the first prompt, the app's current files and
/// what went wrong (rustc's errors, or why no file could be used).
pub fn repair(
    spec: &Spec,
    files: &[(String, String)],
    app: &[(String, String)],
    problems: &str,
) -> Prompt {
    let mut prompt = generate(spec, files);
    let _ = writeln!(
        prompt.user,
        "## The page as it is\n\nIt does not work yet. Fix the cause of each problem below and send `app/page.rs` again, whole.\n"
    );
    push_files(&mut prompt.user, app);
    let _ = writeln!(
        prompt.user,
        "## Problems\n\n```text\n{}\n```",
        problems.trim()
    );
    prompt
}

fn push_files(out: &mut String, files: &[(String, String)]) {
    for (path, content) in files {
        push_block(out, path, "rust", content);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repair_carries_the_page_and_the_errors_after_the_contract() {
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(
            dir.path().join("bank.feature"),
            "Feature: Bank\n  Scenario: Withdraw\n    Given an account\n",
        )
        .expect("write a fixture");
        let spec = crate::spec::parse(&[dir.path().to_owned()]).expect("valid features");
        let library = [("src/lib.rs".to_owned(), "pub fn withdraw() {}\n".to_owned())];
        let page = [("app/page.rs".to_owned(), "pub struct App;\n".to_owned())];
        let prompt = repair(&spec, &library, &page, "error[E0425]: cannot find `x`");
        assert_eq!(prompt.system, SYSTEM);
        let user = &prompt.user;
        let at = |needle: &str| {
            user.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        };
        assert!(at("bank.feature") < at("### src/lib.rs"));
        assert!(at("### src/lib.rs") < at("### app/page.rs"));
        assert!(at("### app/page.rs") < at("error[E0425]"));
    }
}
