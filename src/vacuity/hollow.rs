//! The hollow copy: the prototype with every function body replaced by a
//! panic, for the vacuity check to build and run. An intent that still
//! passes there does not depend on the prototype.
//!
//! In: the model-owned [`Files`]. Out: the same files with the bodies of
//! `src/**/*.rs` replaced, byte for byte elsewhere. Pure: nothing is
//! written, built or run here. The files are hostile: a file too deep to
//! parse safely is refused ([`TooDeep`]), and parsing happens on a large
//! stack ([`audit::on_large_stack`]).

use std::ops::Range;

use syn::spanned::Spanned as _;
use syn::visit::Visit;

use crate::audit;
use crate::extract::{self, Deep};
use crate::vocabulary::Files;

/// The body every hollowed function gets.
const HOLLOW_BODY: &str = "{ ::core::panic!(\"hollowed by wow's vacuity check\") }";

/// Traits whose impls [`hollow`] keeps (see there why).
const STRUCTURAL: &[&str] = &[
    "Default",
    "Debug",
    "Clone",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Drop",
];

/// The hollow copy of the model-owned files: in every `src/**/*.rs`, the
/// body of every function and method is replaced by a panic; `tests/` files
/// are unchanged. Kept, so that the copy still compiles and the world can
/// still be built: `const fn`s, functions whose return type contains
/// `impl Trait`, and methods in impls of `Default`, `Debug`, `Clone`,
/// `PartialEq`, `Eq`, `PartialOrd`, `Ord`, `Hash` (no behaviour a scenario
/// could validate) and `Drop` (a panicking `drop` would abort the run). A
/// file that does not parse is returned unchanged (the copy's build fails).
///
/// # Errors
///
/// A prototype file that nests too deep for wow to read
/// ([`crate::extract::check_code`]): no honest copy can be made.
pub(crate) fn hollow(files: &Files) -> Result<Files, TooDeep> {
    audit::on_large_stack(|| {
        files
            .iter()
            .map(|(path, content)| {
                let hollowed = if audit::is_rust(path, "src/") {
                    hollow_file(content).map_err(|deep| TooDeep {
                        path: path.clone(),
                        deep,
                    })?
                } else {
                    None
                };
                Ok((path.clone(), hollowed.unwrap_or_else(|| content.clone())))
            })
            .collect()
    })
}

/// A prototype file [`hollow`] could not read: it nests too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TooDeep {
    /// The file, as in [`Files`] (`src/lib.rs`).
    pub(crate) path: String,
    pub(crate) deep: Deep,
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "wow could not read `{}`: {}", self.path, self.deep)
    }
}

/// The hollow `content`, `None` if it does not parse.
fn hollow_file(content: &str) -> Result<Option<String>, Deep> {
    // Offsets are of the text parsed: keep a byte order mark out of it.
    let (bom, text) = match content.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", content),
    };
    extract::check_code(text)?;
    let Ok(file) = syn::parse_str::<syn::File>(text) else {
        return Ok(None);
    };
    let mut bodies = Bodies::default();
    bodies.visit_file(&file);
    bodies.edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut end = 0;
    for (range, replacement) in bodies.edits {
        if range.start < end || range.end > text.len() {
            continue;
        }
        out.push_str(&text[end..range.start]);
        out.push_str(replacement);
        end = range.end;
    }
    out.push_str(&text[end..]);
    // The syntax tree is dropped here, on the large stack.
    drop(file);
    Ok(Some(format!("{bom}{out}")))
}

/// The edits that make a file hollow: byte range and replacement.
#[derive(Default)]
struct Bodies {
    edits: Vec<(Range<usize>, &'static str)>,
}

impl Bodies {
    fn body(&mut self, sig: &syn::Signature, block: &syn::Block) {
        if sig.constness.is_none() && !returns_impl_trait(sig) {
            let range = block.brace_token.span.join().byte_range();
            self.edits.push((range, HOLLOW_BODY));
        }
    }
}

impl<'ast> Visit<'ast> for Bodies {
    // A hollow body leaves parameters, imports and helpers unused: a
    // `deny(warnings)` must not stop the copy from building.
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta
            && (list.path.is_ident("deny") || list.path.is_ident("forbid"))
        {
            self.edits.push((list.path.span().byte_range(), "warn"));
        }
    }

    // Bodies are not entered: they are replaced whole, or kept whole.
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        f.attrs.iter().for_each(|a| self.visit_attribute(a));
        self.body(&f.sig, &f.block);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let structural = i.trait_.as_ref().is_some_and(|(_, path, _)| {
            path.segments
                .last()
                .is_some_and(|s| STRUCTURAL.iter().any(|t| s.ident == t))
        });
        if structural {
            return;
        }
        for item in &i.items {
            if let syn::ImplItem::Fn(m) = item {
                m.attrs.iter().for_each(|a| self.visit_attribute(a));
                self.body(&m.sig, &m.block);
            }
        }
    }

    fn visit_trait_item_fn(&mut self, t: &'ast syn::TraitItemFn) {
        t.attrs.iter().for_each(|a| self.visit_attribute(a));
        if let Some(block) = &t.default {
            self.body(&t.sig, block);
        }
    }
}

fn returns_impl_trait(sig: &syn::Signature) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return false;
    };
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Files {
        list.iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect()
    }

    const PROTOTYPE: &str = r#"//! Café: a counter, with non-ASCII text before the bodies (naïve).
#![deny(warnings)]

pub struct Counter {
    n: u32,
}

impl Counter {
    pub const fn zero() -> Self {
        Self { n: 0 }
    }

    /// Adds « k ».
    pub fn add(&mut self, k: u32) {
        self.n += k;
    }

    pub fn evens(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.n).filter(|n| n % 2 == 0)
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::zero()
    }
}

impl std::fmt::Display for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} été", self.n)
    }
}

pub trait Named {
    fn name(&self) -> String {
        "compteur".to_owned()
    }
}

pub mod inner {
    pub fn twice(k: u32) -> u32 {
        k * 2
    }
}

#[forbid(unused_variables)]
pub fn total(c: &Counter) -> u32 {
    fn nested() {}
    nested();
    c.n
}
"#;

    /// (function name, whether its body was hollowed) of every function in `text`.
    fn bodies(text: &str) -> Vec<(String, bool)> {
        #[derive(Default)]
        struct Collect(Vec<(String, bool)>);
        impl Collect {
            fn push(&mut self, sig: &syn::Signature, block: &syn::Block) {
                let hollowed = is_hollow(block);
                self.0.push((sig.ident.to_string(), hollowed));
            }
        }
        impl<'ast> Visit<'ast> for Collect {
            fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
                self.push(&f.sig, &f.block);
            }
            fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
                self.push(&f.sig, &f.block);
            }
            fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
                if let Some(block) = &f.default {
                    self.push(&f.sig, block);
                }
            }
        }
        fn is_hollow(block: &syn::Block) -> bool {
            let [stmt] = block.stmts.as_slice() else {
                return false;
            };
            let mac = match stmt {
                syn::Stmt::Macro(m) => &m.mac,
                syn::Stmt::Expr(syn::Expr::Macro(m), _) => &m.mac,
                _ => return false,
            };
            mac.path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                == ["core", "panic"]
                && mac.tokens.to_string().contains("hollowed by wow")
        }
        let file = syn::parse_file(text).expect("the hollow copy parses");
        let mut collect = Collect::default();
        collect.visit_file(&file);
        collect.0
    }

    #[test]
    fn hollow_replaces_behaviour_and_keeps_what_the_world_needs() {
        let steps = "use prototype::Counter;\nfn main() { let _ = 1; }\n";
        let broken = "pub fn oops( {\n";
        let input = files(&[
            ("src/lib.rs", PROTOTYPE),
            ("src/broken.rs", broken),
            ("tests/steps.rs", steps),
        ]);
        let output = hollow(&input).expect("shallow files");
        assert_eq!(output.len(), 3);
        assert_eq!(output["tests/steps.rs"], steps);
        assert_eq!(output["src/broken.rs"], broken);
        let hollowed = |name: &str| (name.to_owned(), true);
        let kept = |name: &str| (name.to_owned(), false);
        assert_eq!(
            bodies(&output["src/lib.rs"]),
            [
                kept("zero"),
                hollowed("add"),
                kept("evens"),
                kept("default"),
                hollowed("fmt"),
                hollowed("name"),
                hollowed("twice"),
                hollowed("total"),
            ]
        );
        let lib = &output["src/lib.rs"];
        assert!(lib.starts_with("//! Café"), "{lib}");
        assert!(
            lib.contains("    /// Adds « k ».\n    pub fn add(&mut self, k: u32) { ::core::panic!"),
            "{lib}"
        );
        assert!(!lib.contains("nested"), "{lib}");
        assert!(lib.contains("#![warn(warnings)]\n"), "{lib}");
        assert!(
            lib.contains("#[warn(unused_variables)]\npub fn total"),
            "{lib}"
        );
    }

    #[test]
    fn hollow_keeps_a_byte_order_mark() {
        let input = files(&[("src/lib.rs", "\u{feff}pub fn f() -> u8 {\n    1\n}\n")]);
        assert_eq!(
            hollow(&input).expect("a shallow file")["src/lib.rs"],
            format!("\u{feff}pub fn f() -> u8 {HOLLOW_BODY}\n")
        );
    }

    #[test]
    fn a_prototype_file_too_deep_to_read_is_refused() {
        for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
            let deep = format!(
                "pub fn f() -> u8 {{\n    {}1{}\n}}\n",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let steps = format!(
                "fn g() {{ {}{} }}\n",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let refused = hollow(&files(&[("src/lib.rs", &deep), ("tests/steps.rs", &steps)]));
            let error = refused.expect_err("too deep");
            assert_eq!(error.path, "src/lib.rs");
            assert_eq!(
                error.to_string(),
                "wow could not read `src/lib.rs`: its brackets nest more than 128 deep (line 2), deeper than wow can read: write flatter code"
            );
            // Steps are copied as they are, however deep.
            let copied = hollow(&files(&[
                ("src/lib.rs", "pub fn f() {}\n"),
                ("tests/steps.rs", &steps),
            ]));
            assert_eq!(copied.expect("shallow prototype")["tests/steps.rs"], steps);
        }
    }
}
