//! Extract stage: a model's reply text in, the files it contains out.
//!
//! The prompt asks for each file as a Markdown heading with its path and a
//! fenced code block; real models drift, so these are all accepted (design
//! notes, "Reply format"): `### src/lib.rs`, `**src/lib.rs**`,
//! ``### `src/lib.rs` ``, `File: src/lib.rs` or a sentence ending in the path
//! before the block, and the path in the fence's `info` string
//! (```` ```rust src/lib.rs ````). Markdown is parsed with `pulldown-cmark`
//! (CommonMark). Every file is checked against the file policy (its path,
//! and code nested no deeper than wow's own parsers can read, see
//! [`check_code`]); a rejected file carries a reason that is shown to the
//! user and the model. Nothing here touches the disk.

use std::str::FromStr as _;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
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
    /// What the model decided where the scenarios are silent: the bullets
    /// under the reply's "Assumptions" heading, for the product owner.
    pub assumptions: Vec<String>,
    /// The scenarios the model says cannot be right as written: the
    /// bullets under the reply's "Disputes" heading, each naming a
    /// scenario (`features/invoice.feature:14` or its name) and why.
    pub disputes: Vec<String>,
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
    let mut out = code_files(reply, check);
    out.assumptions = bullets_under(reply, "assumption");
    out.disputes = bullets_under(reply, "dispute");
    out
}

/// Finds the files of the web app in `reply` (a reply to
/// [`crate::prompt::app`]) and checks each against the app's file policy
/// ([`check_app`]).
pub fn app_files(reply: &str) -> Extraction {
    code_files(reply, check_app)
}

/// The items of the Markdown lists under every heading (up to level 4)
/// whose text contains `word` (case-insensitive), each trimmed, in order:
/// `## Assumptions` then `- 16:00 counts as peak`. Prose elsewhere is left
/// alone.
pub fn bullets_under(reply: &str, word: &str) -> Vec<String> {
    use pulldown_cmark::HeadingLevel;
    let mut bullets = Vec::new();
    let mut heading: Option<String> = None;
    let mut under = false;
    let mut item: Option<String> = None;
    let mut in_code = false;
    for event in Parser::new(reply) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H4 => {
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                under = heading
                    .take()
                    .is_some_and(|h| h.to_lowercase().contains(word));
            }
            Event::Start(Tag::Item) if under && item.is_none() => item = Some(String::new()),
            Event::End(TagEnd::Item) => {
                if let Some(text) = item.take().map(|t| t.trim().to_owned())
                    && !text.is_empty()
                {
                    bullets.push(text);
                }
            }
            Event::Text(text) | Event::Code(text) if !in_code => {
                if let Some(h) = &mut heading {
                    h.push_str(&text);
                } else if let Some(i) = &mut item {
                    i.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(i) = &mut item {
                    i.push(' ');
                }
            }
            _ => {}
        }
    }
    bullets
}

/// The files of the reply's fenced code blocks.
fn code_files(reply: &str, policy: fn(&str) -> Result<String, String>) -> Extraction {
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
                    take(&mut out, path, content, policy);
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

fn take(
    out: &mut Extraction,
    path: Option<String>,
    content: String,
    policy: fn(&str) -> Result<String, String>,
) {
    let Some(raw) = path else {
        out.rejected.push(Rejected {
            path: NO_PATH.to_owned(),
            reason: "a code block without a file path before it was ignored".to_owned(),
        });
        return;
    };
    let code = check_code(&content)
        .map_err(|deep| deep.to_string())
        .and_then(|()| check_reserved(&content));
    match policy(&raw).and_then(|path| code.map(|()| path)) {
        Ok(path) => {
            out.files.retain(|f| f.path != path);
            out.files.push(File { path, content });
        }
        Err(reason) => out.rejected.push(Rejected { path: raw, reason }),
    }
}

/// The prefix of the names wow gives its own code in the copy the honesty
/// check builds ([`crate::honesty::mutants`]).
pub const RESERVED: &str = "__wow";

/// The file policy on names: `Ok` unless `content` mentions [`RESERVED`],
/// with the reason in words for the model. Code that could name the honesty
/// check's control module could switch its mutants off.
///
/// # Errors
///
/// The reason, when `content` contains the prefix anywhere.
pub fn check_reserved(content: &str) -> Result<(), String> {
    if content.contains(RESERVED) {
        return Err(format!(
            "names starting with `{RESERVED}` are reserved for wow's own checks: rename whatever uses it"
        ));
    }
    Ok(())
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

/// The web app's file policy: `app/**/*.rs` but `app/main.rs` (the
/// tool's server), with the same rules on paths as [`check`].
pub fn check_app(raw: &str) -> Result<String, String> {
    let (path, parts) = normalise(raw)?;
    if path == crate::prototype::APP_MAIN {
        return Err(
            "`app/main.rs` is the tool's server: write the page in `app/page.rs`".to_owned(),
        );
    }
    let rust = std::path::Path::new(&path)
        .extension()
        .is_some_and(|e| e == "rs");
    if !(rust && parts.len() >= 2 && parts[0] == crate::prototype::APP_DIR) {
        return Err(
            "only `app/page.rs` and modules below `app/page/` may be written: the library and the steps stay as they are".to_owned(),
        );
    }
    Ok(path)
}

/// `raw` as a relative `/`-separated path and its parts, or why it cannot
/// be one.
fn normalise(raw: &str) -> Result<(String, Vec<&str>), String> {
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
    Ok((path.to_owned(), parts))
}

/// The file policy: returns the normalised path, or why it is refused.
///
/// Allowed: `src/**/*.rs`, `tests/steps.rs` and `tests/steps/**/*.rs`,
/// relative, without `..`, hidden parts, backslashes or drive prefixes.
pub fn check(raw: &str) -> Result<String, String> {
    let (path, parts) = normalise(raw)?;
    if parts[0] == crate::prototype::APP_DIR {
        return Err(
            "`app/` holds the web app, which is asked for on its own once the scenarios pass: write the library in `src/` and the steps in `tests/steps/`"
                .to_owned(),
        );
    }
    match path.as_str() {
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
    let rust = std::path::Path::new(&path)
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
    Ok(path)
}

/// Deepest nesting of brackets (`(`, `[`, `{`) [`check_code`] accepts.
pub(crate) const MAX_DEPTH: usize = 128;

/// Longest chain [`check_code`] accepts: brackets open around a token plus
/// the tokens before it in each of their unfinished expressions (counted
/// from the last `;`, `,` or block), attributes left out.
pub(crate) const MAX_CHAIN: usize = 1000;

/// The file policy on code: `Ok` unless `content` nests deeper than wow's
/// own parsers (`syn`, which recurses once per level) can read, with the
/// reason in words for the user and the model.
///
/// Two measures, taken on the tokens as Rust lexes them (strings and
/// comments are not code) without recursion: brackets nested more than
/// [`MAX_DEPTH`] deep, and a chain longer than [`MAX_CHAIN`] (thousands of
/// `!`, `&`, `.f()` or `+` in one expression, `Vec<Vec<…>>`, closures of
/// closures). Ordinary code stays far below both. Text that does not lex
/// passes: the parsers refuse it without recursing, and the build reports it.
///
/// # Errors
///
/// Where the code first nests too deep; its `Display` is the reason.
pub(crate) fn check_code(content: &str) -> Result<(), Deep> {
    nesting(content).map_or(Ok(()), Err)
}

/// Where code first nests too deep (see [`check_code`]), by line (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deep {
    /// Brackets nested more than [`MAX_DEPTH`] deep.
    Brackets(usize),
    /// A chain longer than [`MAX_CHAIN`].
    Chain(usize),
}

impl Deep {
    /// The line where the code first nests too deep.
    pub(crate) fn line(self) -> usize {
        match self {
            Self::Brackets(line) | Self::Chain(line) => line,
        }
    }
}

impl std::fmt::Display for Deep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Brackets(line) => write!(
                f,
                "its brackets nest more than {MAX_DEPTH} deep (line {line}), deeper than wow can read: write flatter code"
            ),
            Self::Chain(line) => write!(
                f,
                "one expression or type nests more than {MAX_CHAIN} operators, calls or generic types (line {line}), deeper than wow can read: split it with `let` bindings or type aliases"
            ),
        }
    }
}

/// One bracket level of [`nesting`]'s walk.
struct Level {
    tokens: proc_macro2::token_stream::IntoIter,
    /// Tokens counted since the last reset (see [`MAX_CHAIN`]).
    run: usize,
    /// What `run` goes back to at a `,`: its value after the last `<` or
    /// `|`, whose lists (generic arguments, closure parameters) a comma
    /// does not end.
    mark: usize,
    /// Whether a `{…}` group just closed: a new item or statement resets
    /// the run, an `else`, `as` or operator continues it.
    after_block: bool,
    /// Whether the last token was `#` (or `#!`): an attribute follows.
    attribute: bool,
}

impl Level {
    fn new(tokens: TokenStream) -> Self {
        Self {
            tokens: tokens.into_iter(),
            run: 0,
            mark: 0,
            after_block: false,
            attribute: false,
        }
    }
}

/// The first place `content` nests too deep, if any (see [`check_code`]).
fn nesting(content: &str) -> Option<Deep> {
    // As `syn::parse_file` reads a file: without a byte order mark, nor a
    // first line `#!…` that is not an inner attribute (`#![…]`).
    let code = content.strip_prefix('\u{feff}').unwrap_or(content);
    let code = match code.strip_prefix("#!") {
        Some(rest) if !rest.trim_start().starts_with('[') => {
            rest.split_once('\n').map_or("", |(_, after)| after)
        }
        _ => code,
    };
    let deep = TokenStream::from_str(code).ok().and_then(walk);
    // Lexing records every text in a per-thread map of source positions
    // that is never freed (and overflows at 4 GiB): no token lives on
    // after this, so the map can be emptied.
    proc_macro2::extra::invalidate_current_thread_spans();
    deep
}

/// The walk of [`nesting`], over the tokens of the file.
fn walk(tokens: TokenStream) -> Option<Deep> {
    let mut stack = vec![Level::new(tokens)];
    // The sum of the runs of every level on the stack.
    let mut chain = 0usize;
    while let Some(level) = stack.last_mut() {
        let Some(token) = level.tokens.next() else {
            chain -= level.run;
            stack.pop();
            continue;
        };
        let line = token.span().start().line;
        if std::mem::take(&mut level.after_block) {
            let continues = match &token {
                TokenTree::Ident(ident) => ident == "else" || ident == "as",
                TokenTree::Punct(p) => p.as_char() != '#',
                TokenTree::Group(_) => true,
                TokenTree::Literal(_) => false,
            };
            if !continues {
                chain -= level.run;
                level.run = 0;
                level.mark = 0;
            }
        }
        let attribute = std::mem::take(&mut level.attribute);
        let counted = match &token {
            TokenTree::Punct(p) if p.as_char() == ';' => {
                chain -= level.run;
                level.run = 0;
                level.mark = 0;
                false
            }
            TokenTree::Punct(p) if p.as_char() == ',' => {
                chain -= level.run - level.mark;
                level.run = level.mark;
                false
            }
            TokenTree::Punct(p) if p.as_char() == '#' => {
                level.attribute = true;
                false
            }
            TokenTree::Punct(p) if attribute && p.as_char() == '!' => {
                level.attribute = p.spacing() == Spacing::Alone;
                false
            }
            TokenTree::Group(g) if attribute && g.delimiter() == Delimiter::Bracket => false,
            _ => true,
        };
        if counted {
            level.run += 1;
            chain += 1;
            if let TokenTree::Punct(p) = &token
                && matches!(p.as_char(), '<' | '|')
            {
                level.mark = level.run;
            }
        }
        if let TokenTree::Group(group) = token {
            level.after_block = group.delimiter() == Delimiter::Brace;
            if stack.len() > MAX_DEPTH {
                return Some(Deep::Brackets(line));
            }
            stack.push(Level::new(group.stream()));
        }
        if chain + stack.len() > MAX_CHAIN {
            return Some(Deep::Chain(line));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_are_the_bullets_under_their_heading_and_nothing_else() {
        let reply = "Here it is.\n\n### src/lib.rs\n```rust\n// - not a bullet\n```\n\n## Assumptions\n\n- 16:00 counts as peak time:\n  the scenarios give only 15:00 and 17:00\n- A lost ticket costs the daily maximum\n\n## Notes\n\n- not an assumption\n";
        let extraction = files(reply);
        assert_eq!(extraction.files.len(), 1);
        assert_eq!(
            extraction.assumptions,
            [
                "16:00 counts as peak time: the scenarios give only 15:00 and 17:00",
                "A lost ticket costs the daily maximum"
            ]
        );
        assert!(
            files("### src/lib.rs\n```rust\n```\n")
                .assumptions
                .is_empty()
        );
    }

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
    fn code_naming_the_reserved_prefix_is_refused() {
        let reply = "### src/lib.rs\n```rust\npub fn a() {}\n```\n### tests/steps.rs\n```rust\nfn f() { prototype::__wow_0::set_active(0); }\n```\n";
        let got = files(reply);
        assert_eq!(paths(reply), ["src/lib.rs"]);
        assert_eq!(got.rejected[0].path, "tests/steps.rs");
        assert_eq!(
            got.rejected[0].reason,
            "names starting with `__wow` are reserved for wow's own checks: rename whatever uses it"
        );
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

    /// `n` brackets `open`, `1`, and the `n` closing ones.
    fn nested(open: char, n: usize) -> String {
        let close = match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        format!(
            "{}1{}",
            open.to_string().repeat(n),
            close.to_string().repeat(n)
        )
    }

    #[test]
    fn code_nested_too_deep_is_refused_with_a_reason() {
        for open in ['(', '[', '{'] {
            let lib = format!("pub fn f() -> u8 {{\n    {}\n}}\n", nested(open, 100_000));
            let steps = format!("fn g() {{ let _ = {}; }}\n", nested(open, 100_000));
            let reply = format!(
                "### src/lib.rs\n```rust\n{lib}```\n### tests/steps.rs\n```rust\n{steps}```\n### src/ok.rs\n```rust\npub fn ok() {{}}\n```\n"
            );
            let got = files(&reply);
            assert_eq!(paths(&reply), ["src/ok.rs"], "{open}");
            let refused: Vec<_> = got
                .rejected
                .iter()
                .map(|r| (r.path.as_str(), r.reason.as_str()))
                .collect();
            assert_eq!(
                refused,
                [
                    (
                        "src/lib.rs",
                        "its brackets nest more than 128 deep (line 2), deeper than wow can read: write flatter code"
                    ),
                    (
                        "tests/steps.rs",
                        "its brackets nest more than 128 deep (line 1), deeper than wow can read: write flatter code"
                    ),
                ],
                "{open}"
            );
        }
    }

    #[test]
    fn the_depth_check_counts_code_not_strings_comments_or_attributes() {
        assert_eq!(
            check_code(&format!("pub fn f() -> u8 {{ {} }}", nested('(', 127))),
            Ok(())
        );
        assert_eq!(
            check_code(&format!("pub fn f() -> u8 {{ {} }}", nested('(', 128))),
            Err(Deep::Brackets(1))
        );
        let quoted = format!(
            "\u{feff}#!/usr/bin/env run\n/* {} */\n// {}\npub const S: &str = \"{}\";\npub const R: &str = r#\"{}\"#;\n",
            "(".repeat(5000),
            "[".repeat(5000),
            "{".repeat(5000),
            "(".repeat(5000)
        );
        assert_eq!(check_code(&quoted), Ok(()));
        // A long table, many items and doc comments are not one chain.
        let table = format!(
            "pub const T: [(u32, &str); 3000] = [{}];\n",
            "(1, \"a\"), ".repeat(3000)
        );
        let items = "/// A function.\n/// Documented.\n#[must_use]\npub fn f() -> u32 { if true { 1 } else { 2 } }\n".repeat(2000);
        let arms = format!(
            "pub fn m(x: u32) -> u32 {{ match x {{ {} _ => 0 }} }}\n",
            "1 => { 1 } ".repeat(2000)
        );
        for ok in [table, items, arms] {
            assert_eq!(check_code(&ok), Ok(()));
        }
        // Chains that make a parser recurse, with few brackets.
        for (deep, line) in [
            (
                format!("fn f() {{\n let _ = {}1; }}", "!".repeat(100_000)),
                2,
            ),
            (
                format!("fn f() {{ let _ = 1{}; }}", " + 1".repeat(100_000)),
                1,
            ),
            (
                format!("fn f() {{ let _ = {{1}}{}; }}", " + {1}".repeat(100_000)),
                1,
            ),
            (
                format!("fn f() {{ let _ = x{}; }}", ".f()".repeat(100_000)),
                1,
            ),
            (
                format!(
                    "type T = {}u8{};",
                    "HashMap<u8, ".repeat(50_000),
                    ">".repeat(50_000)
                ),
                1,
            ),
            (
                format!("fn f() {{ let _ = {}x; }}", "|a, | ".repeat(100_000)),
                1,
            ),
            (
                format!("fn f() {{ if a {{}}{} }}", " else if a {}".repeat(100_000)),
                1,
            ),
            (format!("use {}a;", "a::".repeat(100_000)), 1),
        ] {
            assert_eq!(check_code(&deep), Err(Deep::Chain(line)), "{}", &deep[..40]);
        }
        let reason = Deep::Chain(3).to_string();
        assert!(reason.contains("more than 1000"), "{reason}");
    }

    #[test]
    fn hostile_markdown_does_not_crash_the_extraction() {
        let n = 100_000;
        for reply in [
            ">".repeat(n),
            "- ".repeat(n),
            "1. ".repeat(n),
            "[".repeat(n),
            format!("{}x{}", "[".repeat(n), "]".repeat(n)),
            format!("{}x{}", "*".repeat(n), "*".repeat(n)),
            format!("{}x{}", "_".repeat(n), "_".repeat(n)),
            "<div>".repeat(n),
            "![".repeat(n),
            "> - ".repeat(n),
            format!(
                "### src/lib.rs\n{}```rust\nfn a() {{}}\n```\n",
                "> ".repeat(n)
            ),
            "`".repeat(n),
        ] {
            let got = files(&reply);
            assert!(got.files.len() <= 1, "{}", &reply[..20]);
        }
    }
}
