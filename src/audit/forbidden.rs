//! The forbidden-API scan: what a prototype or its steps must never do,
//! whatever the scenarios say.
//!
//! In: one model-owned Rust file, parsed with `syn` (by
//! [`super::Analysis::read`]). Out: [`Finding`]s of kind `forbidden` for
//! `unsafe` code (and foreign functions), `std::process`, `std::net`
//! (`std::os::unix::net` too) and `std::env` (and `env!`), in code and in
//! macro bodies. These findings inform; they do not make an intent hollow.
//! Containment does not rest on them (see the sandbox): nothing is run here.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};

use super::model::segments;
use crate::vocabulary::{Finding, FindingKind as Kind};

/// One finding per kind of forbidden use in the file `path` (parsed as
/// `file`), at its first line, in the order `std::env`, `std::net`,
/// `std::process`, `unsafe`.
pub(crate) fn scan(path: &str, file: &syn::File) -> Vec<Finding> {
    let mut uses = Forbidden::default();
    uses.visit_file(file);
    let findings = uses.first.into_iter().map(|(what, line)| {
        let does = match what {
            "unsafe" => "uses `unsafe` code, which can bypass Rust's safety checks",
            "std::process" => "starts other programs (`std::process`)",
            "std::net" => "opens network connections (`std::net`)",
            _ => "reads environment variables (`std::env`)",
        };
        Finding {
            kind: Kind::Forbidden,
            file: path.to_owned(),
            line,
            message: format!(
                "the code in `{path}` {does} at line {line}: a prototype must not do this, remove it"
            ),
            intents: Vec::new(),
        }
    });
    findings.collect()
}

/// First line of each kind of forbidden use in one file.
#[derive(Default)]
struct Forbidden {
    first: BTreeMap<&'static str, usize>,
}

impl Forbidden {
    fn note(&mut self, what: &'static str, span: Span) {
        let line = span.start().line;
        let first = self.first.entry(what).or_insert(line);
        *first = (*first).min(line);
    }

    /// A path given as its segments and the span of its first one
    /// (`std::os::unix::net` counts as `std::net`).
    fn path<'a>(&mut self, mut segments: impl Iterator<Item = &'a str>, span: Span) {
        if segments.next() != Some("std") {
            return;
        }
        for segment in segments {
            match segment {
                "process" => self.note("std::process", span),
                "net" => self.note("std::net", span),
                "env" => self.note("std::env", span),
                _ => {}
            }
        }
    }

    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<syn::Ident>) {
        let last = match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.clone());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(g) => {
                g.items.iter().for_each(|t| self.use_tree(t, prefix));
                return;
            }
            syn::UseTree::Name(n) => Some(&n.ident),
            syn::UseTree::Rename(r) => Some(&r.ident),
            syn::UseTree::Glob(_) => None,
        };
        let all: Vec<String> = prefix.iter().chain(last).map(ToString::to_string).collect();
        if let Some(first) = prefix.first().or(last) {
            self.path(all.iter().map(String::as_str), first.span());
        }
    }

    /// Macro bodies are tokens: look for `unsafe` and `std::…` in them.
    fn scan(&mut self, tokens: TokenStream) {
        let mut flat = Vec::new();
        flatten(tokens, &mut flat);
        for (i, token) in flat.iter().enumerate() {
            let TokenTree::Ident(ident) = token else {
                continue;
            };
            if ident == "unsafe" {
                self.note("unsafe", ident.span());
            }
            let colons =
                |j: usize| matches!(flat.get(j), Some(TokenTree::Punct(p)) if p.as_char() == ':');
            let mut path = vec![ident.to_string()];
            let mut j = i;
            while colons(j + 1)
                && colons(j + 2)
                && let Some(TokenTree::Ident(next)) = flat.get(j + 3)
            {
                path.push(next.to_string());
                j += 3;
            }
            self.path(path.iter().map(String::as_str), ident.span());
        }
    }
}

/// The finding on a steps file (`tests/…`) that registers step definitions
/// by hand: it names cucumber's `codegen` module in a path (`codegen::…`,
/// `cucumber::codegen`: the only way to `inventory::submit!` a step), or
/// `WorldInventory` or `StepConstructor`, anywhere in its tokens, macro
/// bodies included (the names cannot be made from pieces without a
/// procedural macro). A field or variable named `codegen` is no path. Such a step runs code
/// the audit never sees, under whatever location it claims, so every
/// intent is concerned. `None` for a file that does not tokenize (the
/// build reports it) or names none of them.
pub(crate) fn hand_registered(path: &str, text: &str) -> Option<Finding> {
    let tokens: TokenStream = text.parse().ok()?;
    let mut flat = Vec::new();
    flatten(tokens, &mut flat);
    let line = flat.iter().enumerate().find_map(|(i, token)| {
        let TokenTree::Ident(ident) = token else {
            return None;
        };
        let colon = |j: Option<usize>| {
            j.and_then(|j| flat.get(j))
                .is_some_and(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ':'))
        };
        // `::` is two `:` tokens; one alone is a type ascription.
        let in_path = (colon(i.checked_sub(2)) && colon(i.checked_sub(1)))
            || (colon(Some(i + 1)) && colon(Some(i + 2)));
        let name = ident.to_string();
        let hidden = matches!(name.as_str(), "WorldInventory" | "StepConstructor")
            || (name == "codegen" && in_path);
        hidden.then(|| ident.span().start().line)
    })?;
    Some(Finding {
        kind: Kind::UnreadStep,
        file: path.to_owned(),
        line,
        message: format!(
            "`{path}` registers step definitions by hand (cucumber's `codegen`) at line {line}: wow cannot read which code such a step runs, so no scenario counts as verified; write every step definition with `#[given]`, `#[when]` or `#[then]`"
        ),
        intents: Vec::new(),
    })
}

fn flatten(tokens: TokenStream, out: &mut Vec<TokenTree>) {
    for token in tokens {
        match token {
            TokenTree::Group(g) => flatten(g.stream(), out),
            other => out.push(other),
        }
    }
}

impl<'ast> Visit<'ast> for Forbidden {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            let names: Vec<String> = segments(path);
            self.path(names.iter().map(String::as_str), first.ident.span());
        }
        visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, &mut Vec::new());
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        if let Some(token) = &sig.unsafety {
            self.note("unsafe", token.span);
        }
        visit::visit_signature(self, sig);
    }

    fn visit_expr_unsafe(&mut self, expr: &'ast syn::ExprUnsafe) {
        self.note("unsafe", expr.unsafe_token.span);
        visit::visit_expr_unsafe(self, expr);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if let Some(token) = &item.unsafety {
            self.note("unsafe", token.span);
        }
        visit::visit_item_impl(self, item);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if let Some(token) = &item.unsafety {
            self.note("unsafe", token.span);
        }
        visit::visit_item_trait(self, item);
    }

    // Foreign functions are only ever called through `unsafe` (or declared `safe` in an `unsafe extern`).
    fn visit_item_foreign_mod(&mut self, item: &'ast syn::ItemForeignMod) {
        self.note("unsafe", item.abi.extern_token.span);
        visit::visit_item_foreign_mod(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(last) = mac.path.segments.last()
            && (last.ident == "env" || last.ident == "option_env")
        {
            self.note("std::env", last.ident.span());
        }
        self.scan(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }
}

#[cfg(test)]
mod tests {
    use super::hand_registered;
    use crate::audit::check;

    #[test]
    fn steps_registered_by_hand_are_found_wherever_they_hide() {
        for (text, line) in [
            ("use cucumber::codegen::submit;\n", 1),
            (
                "fn f() {}\nmacro_rules! reg {\n    () => { cucumber::codegen::inventory::submit! {} };\n}\n",
                3,
            ),
            ("use cucumber::*;\nuse codegen::submit as s;\n", 2),
            ("use cucumber::{codegen as cg};\n", 1),
            ("type T = <World as WorldInventory>::Then;\n", 1),
            ("fn f<S: StepConstructor<World>>() {}\n", 1),
        ] {
            let finding =
                hand_registered("tests/steps/a.rs", text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (finding.kind, finding.line),
                (Kind::UnreadStep, line),
                "{text}"
            );
            assert!(finding.kind.makes_hollow());
            assert!(finding.intents.is_empty(), "every intent is concerned");
        }
        for honest in [
            "#[then(expr = \"the codegen is {word}\")]\nfn codegen(world: &mut World, codegen: String) {\n    assert_eq!(world.codegen, codegen);\n}\n",
            "// cucumber::codegen is not used here\nfn f() { let s = \"codegen::x\"; }\n",
        ] {
            assert_eq!(hand_registered("tests/steps.rs", honest), None, "{honest}");
        }
    }
    use crate::audit::fixtures::{BANK, files, spec};
    use crate::vocabulary::FindingKind as Kind;

    #[test]
    fn forbidden_uses_are_found_once_per_file_and_kind() {
        let lib = r#"//! A prototype that should not do this.
use std::{env, process::Command};

pub fn run() -> String {
    let _ = Command::new("ls");
    env::var("HOME").unwrap_or_default()
}

pub fn raw() -> u8 {
    unsafe { *std::ptr::null() }
}

pub fn again() -> usize {
    ::std::env::args().count()
}

pub fn pair() -> bool {
    std::os::unix::net::UnixStream::pair().is_ok()
}
"#;
        let steps = r#"fn call() {
    let _ = format!("{:?}", std::net::TcpStream::connect("example.com:80"));
    let _ = option_env!("HOME");
}
"#;
        let (_dir, spec) = spec(BANK);
        let findings = check(
            &spec,
            &files(&[
                ("src/lib.rs", lib),
                ("tests/steps.rs", steps),
                ("src/broken.rs", "fn ("),
            ]),
            &crate::shard::Layout::default(),
        );
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.kind, f.file.as_str(), f.line, f.intents.len()))
            .collect();
        assert_eq!(
            found,
            [
                (Kind::Forbidden, "src/lib.rs", 2, 0),
                (Kind::Forbidden, "src/lib.rs", 18, 0),
                (Kind::Forbidden, "src/lib.rs", 2, 0),
                (Kind::Forbidden, "src/lib.rs", 10, 0),
                (Kind::Forbidden, "tests/steps.rs", 3, 0),
                (Kind::Forbidden, "tests/steps.rs", 2, 0),
            ]
        );
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages[0],
            "the code in `src/lib.rs` reads environment variables (`std::env`) at line 2: a prototype must not do this, remove it"
        );
        assert!(messages[1].contains("network"), "{}", messages[1]);
        assert!(
            messages[2].contains("starts other programs"),
            "{}",
            messages[2]
        );
        assert!(messages[3].contains("`unsafe`"), "{}", messages[3]);
        assert!(messages[5].contains("network"), "{}", messages[5]);
        assert!(!Kind::Forbidden.makes_hollow());
    }
}
