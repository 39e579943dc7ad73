//! Outlines of the model's files, for repair prompts that carry only what
//! the model needs: the files the failing intents run, whole, and the rest
//! as their outline.
//!
//! In: a spec, the model-owned files and the results of a round that ran.
//! Out: [`Focus`]: the paths to send whole, and for every other file its
//! outline: its items as written, with the body of every function and
//! method left out (`pub fn fee(minutes: u32) -> u32 { … }`). Types,
//! constants and `use` lines stay whole: the model needs them to call the
//! file's code, and they are short. Nothing here decides what a round
//! means; the repair stage chooses when to focus (rounds that ran, never
//! rounds that did not compile).

use std::collections::BTreeSet;

use proc_macro2::LineColumn;
use syn::spanned::Spanned as _;

use super::{Parsed, on_large_stack, parse};
use crate::spec::Spec;
use crate::vocabulary::{Files, IntentResult, Status};

/// The files a repair prompt sends: whole, or as an outline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Paths sent whole: the module roots (`src/lib.rs`, `tests/steps.rs`)
    /// and every file holding a step definition or prototype code that a
    /// failing intent runs.
    pub whole: BTreeSet<String>,
    /// `(path, outline)` of every other file.
    pub outlines: Vec<(String, String)>,
}

/// The module roots, always sent whole: they declare every module and the
/// `World`.
const ROOTS: &[&str] = &["src/lib.rs", "tests/steps.rs"];

/// The focus of a repair after a round whose `results` are those of
/// `spec`'s intents, in order. Every file stays whole when no failing intent
/// could be traced to its code, or a file cannot be outlined.
pub fn focus(
    spec: &Spec,
    files: &Files,
    results: &[IntentResult],
    layout: &crate::shard::Layout,
) -> Focus {
    let traces = super::trace(spec, files, layout);
    let mut whole: BTreeSet<String> = ROOTS.iter().map(|r| (*r).to_owned()).collect();
    let mut any_traced = false;
    for (trace, result) in traces.iter().zip(results) {
        if result.status == Status::Passed {
            continue;
        }
        for step in trace {
            match step {
                Some(definition) => {
                    any_traced = true;
                    whole.insert(definition.file.clone());
                    whole.extend(definition.calls.iter().map(|c| c.file.clone()));
                }
                // A step no single definition runs: its code could be anywhere.
                None => return everything(files),
            }
        }
    }
    if !any_traced {
        return everything(files);
    }
    let mut outlines = Vec::new();
    for (path, text) in files {
        if whole.contains(path) {
            continue;
        }
        match outline(text) {
            Some(outline) => outlines.push((path.clone(), outline)),
            None => {
                whole.insert(path.clone());
            }
        }
    }
    Focus { whole, outlines }
}

fn everything(files: &Files) -> Focus {
    Focus {
        whole: files.keys().cloned().collect(),
        outlines: Vec::new(),
    }
}

/// The outline of one Rust file: its items as written, each function's and
/// method's body replaced by `{ … }`; `None` when it does not parse.
pub fn outline(text: &str) -> Option<String> {
    on_large_stack(|| {
        let Parsed::File(file) = parse(text) else {
            return None;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut out = String::new();
        for attribute in &file.attrs {
            push(
                &mut out,
                text,
                attribute.span().start(),
                attribute.span().end(),
                "",
            );
        }
        for item in &file.items {
            outline_item(&mut out, text, item);
        }
        Some(out)
    })
}

fn outline_item(out: &mut String, text: &str, item: &syn::Item) {
    match item {
        syn::Item::Fn(function) => {
            let start = function.span().start();
            push(out, text, start, function.sig.span().end(), " { … }");
        }
        syn::Item::Impl(block) => {
            let start = block.span().start();
            let header_end = block.self_ty.span().end();
            push(out, text, start, header_end, " {");
            for item in &block.items {
                match item {
                    syn::ImplItem::Fn(method) => {
                        push(
                            out,
                            text,
                            method.span().start(),
                            method.sig.span().end(),
                            " { … }",
                        );
                    }
                    other => push(out, text, other.span().start(), other.span().end(), ""),
                }
            }
            out.push_str("}\n");
        }
        syn::Item::Mod(module) if module.content.is_some() => {
            let start = module.span().start();
            push(out, text, start, module.ident.span().end(), " {");
            for item in module.content.iter().flat_map(|(_, items)| items) {
                outline_item(out, text, item);
            }
            out.push_str("}\n");
        }
        other => push(out, text, other.span().start(), other.span().end(), ""),
    }
}

/// Appends the text between `start` and `end`, then `tail` and a newline.
fn push(out: &mut String, text: &str, start: LineColumn, end: LineColumn, tail: &str) {
    let (from, to) = (
        super::trace::offset(text, start),
        super::trace::offset(text, end),
    );
    if let Some(code) = text.get(from..to.max(from)) {
        let indent = text[..from]
            .rfind('\n')
            .map_or(&text[..from], |i| &text[i + 1..from]);
        if indent.chars().all(char::is_whitespace) {
            out.push_str(indent);
        }
        out.push_str(code);
        out.push_str(tail);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outline_keeps_signatures_types_and_docs_but_no_body() {
        let text = "//! Money.\n\nuse std::fmt;\n\n/// Cents.\n#[derive(Debug)]\npub struct Money(i64);\n\nimpl Money {\n    /// Whole euros.\n    pub fn euros(e: i64) -> Self {\n        Money(e * 100)\n    }\n}\n\npub fn fee(minutes: u32) -> u32 {\n    if minutes <= 60 { 0 } else { 2 }\n}\n";
        let outline = outline(text).expect("parses");
        for kept in [
            "use std::fmt;",
            "/// Cents.\n#[derive(Debug)]\npub struct Money(i64);",
            "impl Money {",
            "    /// Whole euros.\n    pub fn euros(e: i64) -> Self { … }",
            "pub fn fee(minutes: u32) -> u32 { … }",
        ] {
            assert!(outline.contains(kept), "`{kept}` missing from:\n{outline}");
        }
        for body in ["Money(e * 100)", "minutes <= 60"] {
            assert!(!outline.contains(body), "`{body}` in:\n{outline}");
        }
        assert_eq!(super::outline("fn broken( {"), None);
    }

    /// The bundled examples' features, prototype and layout (one shard per
    /// feature), from the repository.
    fn bundled() -> (Spec, Files, crate::shard::Layout) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = crate::spec::parse(&[root.join("features")]).expect("the bundled features");
        let prototype = crate::prototype::Prototype::new(root.join("generated/features"));
        let files = prototype.read_files().expect("the bundled prototype");
        (spec, files, prototype.layout())
    }

    #[test]
    fn a_repair_sends_whole_only_what_the_failing_intents_run() {
        let (spec, files, layout) = bundled();
        let results: Vec<IntentResult> = spec
            .intents()
            .map(|intent| {
                let mut result = intent.not_run("");
                result.status = if intent.id.contains("library_loans") {
                    Status::Failed
                } else {
                    Status::Passed
                };
                result
            })
            .collect();
        let focus = focus(&spec, &files, &results, &layout);
        for whole in [
            "src/library_loans.rs",
            "src/library_loans/money.rs",
            "tests/steps/library_loans.rs",
        ] {
            assert!(focus.whole.contains(whole), "{whole}: {:?}", focus.whole);
        }
        let outlined: Vec<&str> = focus.outlines.iter().map(|(p, _)| p.as_str()).collect();
        for other in [
            "src/banking.rs",
            "tests/steps/banking.rs",
            "src/reservation_salle.rs",
            // Another shard's `Money` is not the one library_loans uses.
            "src/banking/money.rs",
            "src/shopping_cart/money.rs",
        ] {
            assert!(outlined.contains(&other), "{other}: {outlined:?}");
        }
        let whole: usize = focus.whole.iter().map(|p| files[p].len()).sum();
        let outlined_bytes: usize = focus.outlines.iter().map(|(_, o)| o.len()).sum();
        let all: usize = files.values().map(String::len).sum();
        assert!(
            whole + outlined_bytes < all * 3 / 4,
            "the focused prompt carries {} of {all} bytes",
            whole + outlined_bytes
        );
    }

    #[test]
    fn with_every_intent_failing_everything_is_sent_whole() {
        let (spec, files, layout) = bundled();
        let results: Vec<IntentResult> = spec.intents().map(|i| i.not_run("")).collect();
        let focus = focus(&spec, &files, &results, &layout);
        assert!(focus.outlines.is_empty(), "{:?}", focus.outlines);
        assert_eq!(focus.whole.len(), files.len());
    }
}
