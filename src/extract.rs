//! Extract stage: a model's reply text in, the files it contains out.
//!
//! The prompt asks for each file as a Markdown heading with its path and a
//! fenced code block; real models drift, so these are all accepted (design
//! notes, "Reply format"): `### src/lib.rs`, `**src/lib.rs**`,
//! ``### `src/lib.rs` ``, `File: src/lib.rs` or a sentence ending in the path
//! before the block, and the path in the fence's `info` string
//! (```` ```rust src/lib.rs ````). Markdown is parsed with `pulldown-cmark`
//! (CommonMark). Every path is checked against the file policy; a rejected
//! file carries a reason that is shown to the user and the model. Nothing
//! here touches the disk.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::vocabulary::Rejected;

/// One file taken from a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct File {
    /// Normalised relative path, `/`-separated, such as `src/lib.rs`.
    pub path: String,
    pub content: String,
}

/// What a reply contained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// Accepted files in reply order; a path sent twice keeps its last block.
    pub files: Vec<File>,
    pub rejected: Vec<Rejected>,
    /// Number of fenced code blocks seen, named or not.
    pub blocks: usize,
}

impl Extraction {
    /// Why no file could be used, in words for the user and the model, or
    /// `None` when at least one file was accepted.
    pub fn why_empty(&self) -> Option<String> {
        if !self.files.is_empty() {
            return None;
        }
        Some(if self.blocks == 0 {
            "the reply contains no code block: each file must be a heading with its path (`### src/lib.rs`) followed by a fenced code block".to_owned()
        } else if self.rejected.iter().all(|r| r.path == NO_PATH) {
            format!(
                "none of the reply's {} code blocks names its file: put the path in a heading (`### src/lib.rs`) right before each block",
                self.blocks
            )
        } else {
            "every file in the reply was refused (see the reasons above)".to_owned()
        })
    }
}

const NO_PATH: &str = "(no path)";

/// Finds the files in `reply` and checks each path against the file policy.
pub fn files(reply: &str) -> Extraction {
    let mut out = Extraction::default();
    // Text of the block element (heading or paragraph) just before a code block.
    let mut previous = String::new();
    let mut current = String::new();
    let mut in_code: Option<(Option<String>, String)> = None;
    for event in Parser::new(reply) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => {
                        // Indented code is prose formatting, never a file.
                        continue;
                    }
                };
                let path = path_in_info(&info).or_else(|| path_in_text(&previous));
                in_code = Some((path, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((path, content)) = in_code.take() {
                    out.blocks += 1;
                    take(&mut out, path, content);
                }
                previous.clear();
            }
            Event::Text(text) => match &mut in_code {
                Some((_, content)) => content.push_str(&text),
                None => current.push_str(&text),
            },
            Event::Code(text) => {
                // Inline code is a word of its own: `src/lib.rs`.
                current.push(' ');
                current.push_str(&text);
                current.push(' ');
            }
            Event::SoftBreak | Event::HardBreak => current.push('\n'),
            Event::Start(Tag::Heading { .. } | Tag::Paragraph) => current.clear(),
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph) => {
                previous = std::mem::take(&mut current);
            }
            _ => {}
        }
    }
    out
}

fn take(out: &mut Extraction, path: Option<String>, content: String) {
    let Some(raw) = path else {
        out.rejected.push(Rejected {
            path: NO_PATH.to_owned(),
            reason: "a code block without a file path before it was ignored".to_owned(),
        });
        return;
    };
    match check(&raw) {
        Ok(path) => {
            out.files.retain(|f| f.path != path);
            out.files.push(File { path, content });
        }
        Err(reason) => out.rejected.push(Rejected { path: raw, reason }),
    }
}

/// A path in a fence info string: ```` ```rust src/lib.rs ```` or ```` ```src/lib.rs ````.
fn path_in_info(info: &str) -> Option<String> {
    info.split_whitespace()
        .map(clean)
        .find(|word| looks_like_path(word))
}

/// The last path-like word of the heading or paragraph before a block.
fn path_in_text(text: &str) -> Option<String> {
    let last_line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    last_line
        .split_whitespace()
        .rev()
        .map(clean)
        .find(|word| looks_like_path(word))
}

fn clean(word: &str) -> String {
    word.trim_matches(|c: char| {
        matches!(
            c,
            '`' | '*' | '"' | '\'' | ':' | ',' | '(' | ')' | '[' | ']'
        )
    })
    .trim_end_matches('.')
    .to_owned()
}

fn looks_like_path(word: &str) -> bool {
    !word.is_empty()
        && !word.contains("://")
        && (word.contains('/')
            || word.contains('\\')
            || word.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && matches!(
                        ext,
                        "rs" | "toml"
                            | "lock"
                            | "feature"
                            | "md"
                            | "json"
                            | "sh"
                            | "txt"
                            | "yml"
                            | "yaml"
                    )
            }))
}

/// The file policy: returns the normalised path, or why it is refused.
///
/// Allowed: `src/**/*.rs`, `tests/steps.rs` and `tests/steps/**/*.rs`,
/// relative, without `..`, hidden parts, backslashes or drive prefixes.
pub fn check(raw: &str) -> Result<String, String> {
    let path = raw.trim().trim_start_matches("./");
    if path.starts_with('/') || path.starts_with('~') {
        return Err(
            "absolute paths are not allowed: use a path inside the prototype, such as `src/lib.rs`"
                .to_owned(),
        );
    }
    if path.contains('\\') || path.as_bytes().get(1) == Some(&b':') {
        return Err(
            "use `/`-separated relative paths, without backslashes or drive letters".to_owned(),
        );
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.contains(&"..") {
        return Err("`..` is not allowed: every file stays inside the prototype".to_owned());
    }
    if parts.iter().any(|p| p.is_empty() || *p == ".") {
        return Err("the path has an empty part".to_owned());
    }
    if parts.iter().any(|p| p.starts_with('.')) {
        return Err("hidden files and folders are not allowed".to_owned());
    }
    match path {
        "Cargo.toml" | "Cargo.lock" => {
            return Err(format!(
                "`{path}` belongs to the tool: the prototype uses only the standard library, and the tests only cucumber and tokio"
            ));
        }
        "build.rs" => return Err("build scripts are not allowed".to_owned()),
        "tests/intents.rs" => {
            return Err(
                "`tests/intents.rs` is the tool's harness: write the steps in `tests/steps.rs`"
                    .to_owned(),
            );
        }
        _ => {}
    }
    if parts[0] == "features" {
        return Err("the features belong to the product owner and are never rewritten".to_owned());
    }
    let rust = std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e == "rs");
    let allowed = rust
        && (parts[0] == "src" && parts.len() >= 2
            || path == "tests/steps.rs"
            || parts.len() >= 3 && parts[0] == "tests" && parts[1] == "steps");
    if !allowed {
        return Err(
            "only `src/**/*.rs`, `tests/steps.rs` and `tests/steps/**/*.rs` may be written"
                .to_owned(),
        );
    }
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(reply: &str) -> Vec<String> {
        files(reply).files.into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn accepts_every_heading_variant_of_the_design_notes() {
        let reply = "Here is the prototype.\n\n### src/lib.rs\n```rust\npub fn a() {}\n```\n\n**src/a.rs**\n```rust\npub fn b() {}\n```\n\nFile: src/b.rs\n```rust\npub fn c() {}\n```\n\n```rust src/c.rs\npub fn d() {}\n```\n\n### `tests/steps.rs`\n```rust\npub struct World;\n```\n\nThat is all.\n";
        assert_eq!(
            paths(reply),
            [
                "src/lib.rs",
                "src/a.rs",
                "src/b.rs",
                "src/c.rs",
                "tests/steps.rs"
            ]
        );
        assert_eq!(files(reply).files[0].content, "pub fn a() {}\n");
    }

    #[test]
    fn a_sentence_ending_in_the_path_names_the_block() {
        let reply = "And the steps go in `tests/steps/bank.rs`:\n\n```rust\nfn x() {}\n```\n";
        assert_eq!(paths(reply), ["tests/steps/bank.rs"]);
    }

    #[test]
    fn longer_fences_keep_inner_backticks() {
        let reply = "### src/lib.rs\n````rust\n/// ```\n/// doc\n/// ```\npub fn a() {}\n````\n";
        let got = files(reply);
        assert_eq!(got.files.len(), 1);
        assert!(got.files[0].content.contains("/// ```\n/// doc"));
    }

    #[test]
    fn a_path_sent_twice_keeps_the_last_block() {
        let reply = "### src/lib.rs\n```rust\nold\n```\n### src/lib.rs\n```rust\nnew\n```\n";
        let got = files(reply);
        assert_eq!(got.files.len(), 1);
        assert_eq!(got.files[0].content, "new\n");
    }

    #[test]
    fn refuses_paths_outside_the_policy_with_reasons() {
        for (path, word) in [
            ("/etc/passwd.rs", "absolute"),
            ("../evil.rs", "`..`"),
            ("src/../../evil.rs", "`..`"),
            ("C:/x.rs", "drive"),
            ("src\\lib.rs", "backslashes"),
            ("Cargo.toml", "belongs to the tool"),
            ("build.rs", "build scripts"),
            ("tests/intents.rs", "harness"),
            ("features/a.feature", "product owner"),
            ("src/.hidden.rs", "hidden"),
            (".cargo/config.toml", "hidden"),
            ("src/data.json", "only `src/**/*.rs`"),
            ("tests/other.rs", "only `src/**/*.rs`"),
            ("rust-toolchain.toml", "only `src/**/*.rs`"),
        ] {
            let reason = check(path).expect_err(path);
            assert!(reason.contains(word), "{path}: {reason}");
        }
        assert_eq!(check("./src/lib.rs").as_deref(), Ok("src/lib.rs"));
        assert_eq!(
            check("tests/steps/a/b.rs").as_deref(),
            Ok("tests/steps/a/b.rs")
        );
    }

    #[test]
    fn a_refused_file_is_reported_and_the_rest_kept() {
        let reply = "### Cargo.toml\n```toml\n[dependencies]\nrand = \"1\"\n```\n### src/lib.rs\n```rust\npub fn a() {}\n```\n";
        let got = files(reply);
        assert_eq!(paths(reply), ["src/lib.rs"]);
        assert_eq!(got.rejected.len(), 1);
        assert_eq!(got.rejected[0].path, "Cargo.toml");
        assert_eq!(got.why_empty(), None);
    }

    #[test]
    fn explains_a_reply_without_files() {
        let prose = files("I cannot help with that.");
        assert!(
            prose
                .why_empty()
                .expect("no files")
                .contains("no code block")
        );
        let unnamed = files("Sure:\n\n```rust\nfn main() {}\n```\n");
        assert!(
            unnamed
                .why_empty()
                .expect("no files")
                .contains("names its file")
        );
    }
}
