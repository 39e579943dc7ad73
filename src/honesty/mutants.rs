//! Mutant schemata: every mutant of the prototype compiled into one build.
//!
//! In: the model-owned files and a secret suffix chosen by the caller. Out:
//! an [`Instrumented`] copy of `src/**/*.rs` in which each function body
//! starts by recording that it was entered and by returning a plausible
//! wrong value when its mutant is the active one, the list of those
//! [`Mutant`]s and of the [`Function`]s they change. Values are chosen by
//! return type as cargo-mutants does (<https://mutants.rs/mutants.html>):
//! 0, 1 and -1, `true` and `false`, `""` and `"xyzzy"`, `None`, `Some(…)`,
//! empty and one-element `Vec`s, `Ok(…)`, the unit variants of a local enum,
//! `Default::default()` where the type implements `Default` (decided by the
//! compiler through autoref specialisation, so a type without it compiles
//! to "no mutant"); a function returning `()` is skipped; comparisons on
//! one line are flipped (`<` ↔ `<=`, `>` ↔ `>=`, `==` ↔ `!=`). The control
//! module `__wow_<secret>` is appended to `src/lib.rs`: the active mutant,
//! whether it changed anything, and which functions were entered.
//!
//! What must not happen here: moving a line. Text is only inserted inside
//! existing lines (and the control module after the last one), so rustc
//! messages and panic locations keep the original line numbers. Nothing is
//! written to disk and nothing is built here.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::Span;
use serde::Serialize;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::vocabulary::Files;

/// The instrumented copy of a prototype.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrumented {
    /// Every `src/**/*.rs` file of the input, instrumented (a file that does
    /// not parse is kept as it is); `tests/` files are not included.
    pub files: Files,
    /// Every mutant, ids from 1 in order (0 means "no mutant").
    pub mutants: Vec<Mutant>,
    /// Every instrumented function; `functions[i].id == i`.
    pub functions: Vec<Function>,
    /// Whether a `deny` or `forbid` lint level was made `warn`: the copy
    /// may then compile where the prototype does not.
    pub weakened: bool,
}

/// One wrong behaviour that the control module can switch on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mutant {
    /// What `set_active` takes; unique, from 1.
    pub id: u32,
    /// Index in [`Instrumented::functions`] of the function it changes.
    pub function: usize,
    /// In plain words: `return 0`, `return ""`, `skip the body`,
    /// `` `<` → `<=` on line 12 ``.
    pub description: String,
}

/// One function whose body was instrumented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    /// What the coverage lists; equal to its index.
    pub id: u32,
    /// Path among the model-owned files (`src/banking.rs`).
    pub file: String,
    /// Line of the `fn` keyword (1-based).
    pub line: usize,
    /// `Account::withdraw` for a method, `fee` for a free function.
    pub name: String,
    /// No parameters and no `self`: whatever a step does, it returns the
    /// same thing, so its mutants say nothing about the steps.
    pub constant: bool,
    /// The body only returns one of its parameters (or `self`).
    pub passthrough: bool,
}

/// Methods of impls of these traits are not instrumented: they carry no
/// behaviour a scenario validates, a wrong `eq` would make the steps'
/// own assertions fail, and a mutated `default` could call itself.
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

/// Standard-library names whose values are built here; a prototype that
/// defines its own type of that name gets no structural mutants for it.
const WRAPPERS: &[&str] = &["Option", "Result", "Vec", "Box", "String"];

/// Instruments the prototype in `files` for mutant runs; `secret` (letters,
/// digits and `_`) names the control module `__wow_<secret>`, appended to
/// `src/lib.rs` (without that file, the copy is returned unchanged and
/// without mutants).
///
/// The control module's public functions: `set_active(id: u32)` (0: none;
/// also clears the flag below), `take_applied() -> bool` (whether the
/// active mutant changed a return value or a comparison since the last
/// call), `take_coverage() -> Vec<u32>` (ids of the functions entered since
/// the last call, ascending). The harness reaches them through the module
/// `__wow_control`, whose `claim()` gives the one handle on them, `Some`
/// for its first caller only: the harness's `main`, before any step runs.
/// So the harness names no secret, and a copy whose secret changed
/// recompiles its library, not its harness.
pub fn instrument(files: &Files, secret: &str) -> Instrumented {
    let control = format!("crate::__wow_{secret}");
    let parsed: Vec<(&String, &str, &str, Option<syn::File>)> = files
        .iter()
        .filter(|(path, _)| {
            path.starts_with("src/")
                && std::path::Path::new(path.as_str())
                    .extension()
                    .is_some_and(|e| e == "rs")
        })
        .map(|(path, content)| {
            let (bom, text) = match content.strip_prefix('\u{feff}') {
                Some(rest) => ("\u{feff}", rest),
                None => ("", content.as_str()),
            };
            (path, bom, text, syn::parse_file(text).ok())
        })
        .collect();
    if !parsed
        .iter()
        .any(|(path, ..)| path.as_str() == "src/lib.rs")
    {
        // No crate root to hold the control module: nothing can be switched.
        return Instrumented {
            files: parsed
                .iter()
                .map(|(path, bom, text, _)| ((*path).clone(), format!("{bom}{text}")))
                .collect(),
            mutants: Vec::new(),
            functions: Vec::new(),
            weakened: false,
        };
    }
    let mut locals = Locals::default();
    for file in parsed.iter().filter_map(|(_, _, _, f)| f.as_ref()) {
        locals.visit_file(file);
    }
    let mut out = Instrumented {
        files: Files::new(),
        mutants: Vec::new(),
        functions: Vec::new(),
        weakened: false,
    };
    for (path, bom, text, file) in &parsed {
        let Some(file) = file else {
            out.files.insert((*path).clone(), format!("{bom}{text}"));
            continue;
        };
        let mut walker = Walker {
            path,
            text,
            control: &control,
            locals: &locals,
            out: &mut out,
            edits: Vec::new(),
            owner: None,
            impl_generics: BTreeSet::new(),
        };
        walker.visit_file(file);
        let edits = walker.edits;
        out.files
            .insert((*path).clone(), format!("{bom}{}", apply(text, edits)));
    }
    if let Some(lib) = out.files.get_mut("src/lib.rs") {
        // Flipped comparisons are parenthesised, needed or not.
        let start = if lib.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        lib.insert_str(start, "#![allow(unused_parens)] ");
        if !lib.ends_with('\n') {
            lib.push('\n');
        }
        lib.push_str(
            &CONTROL
                .replace("SECRET", secret)
                .replace("FUNCTIONS", &out.functions.len().to_string()),
        );
    }
    out
}

/// The control module, appended after the last line of `src/lib.rs`.
const CONTROL: &str = r"#[doc(hidden)]
#[allow(warnings, clippy::all, clippy::pedantic, missing_docs, unused)]
pub mod __wow_SECRET {
    use ::core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    static ACTIVE: AtomicU32 = AtomicU32::new(0);
    static APPLIED: AtomicBool = AtomicBool::new(false);
    static ENTERED: [AtomicBool; FUNCTIONS] = [const { AtomicBool::new(false) }; FUNCTIONS];
    ::std::thread_local! {
        // While a `Default::default()` mutant builds its value: no mutant,
        // so that a `default` calling the mutated function cannot recurse.
        static QUIET: ::core::cell::Cell<bool> = const { ::core::cell::Cell::new(false) };
    }
    pub fn set_active(id: u32) {
        ACTIVE.store(id, Ordering::SeqCst);
        APPLIED.store(false, Ordering::SeqCst);
    }
    pub fn take_applied() -> bool {
        APPLIED.swap(false, Ordering::SeqCst)
    }
    pub fn take_coverage() -> ::std::vec::Vec<u32> {
        (0u32..).zip(ENTERED.iter()).filter(|(_, e)| e.swap(false, Ordering::SeqCst)).map(|(i, _)| i).collect()
    }
    // No `#[inline]` here nor on `on`: unoptimised, an inline function
    // is compiled again in every crate that instantiates a caller of it
    // (closures of the prototype's code, in the test executable), so a
    // fresh secret would recompile much of the harness's code too.
    pub fn enter(function: u32) {
        if let Some(entered) = ENTERED.get(function as usize) {
            entered.store(true, Ordering::Relaxed);
        }
    }
    pub fn on(id: u32) -> bool {
        if ACTIVE.load(Ordering::Relaxed) != id || QUIET.with(|q| q.get()) {
            return false;
        }
        APPLIED.store(true, Ordering::SeqCst);
        true
    }
    pub struct Wrap<T>(u32, ::core::marker::PhantomData<fn() -> T>);
    impl<T> Wrap<T> {
        pub fn new(id: u32) -> Self {
            Wrap(id, ::core::marker::PhantomData)
        }
    }
    pub trait ViaDefault<T> {
        fn __wow_default(&self) -> ::core::option::Option<T>;
    }
    impl<T: ::core::default::Default> ViaDefault<T> for &Wrap<T> {
        fn __wow_default(&self) -> ::core::option::Option<T> {
            if !on(self.0) {
                return None;
            }
            QUIET.with(|q| q.set(true));
            let value = T::default();
            QUIET.with(|q| q.set(false));
            Some(value)
        }
    }
    pub trait NoDefault<T> {
        fn __wow_default(&self) -> ::core::option::Option<T>;
    }
    impl<T> NoDefault<T> for Wrap<T> {
        fn __wow_default(&self) -> ::core::option::Option<T> {
            None
        }
    }
}
#[doc(hidden)]
#[allow(warnings, clippy::all, clippy::pedantic, missing_docs, unused)]
pub mod __wow_control {
    use ::core::sync::atomic::{AtomicBool, Ordering};
    static CLAIMED: AtomicBool = AtomicBool::new(false);
    pub struct Control(());
    pub fn claim() -> ::core::option::Option<Control> {
        if CLAIMED.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(Control(()))
    }
    impl Control {
        pub fn set_active(&self, id: u32) {
            super::__wow_SECRET::set_active(id)
        }
        pub fn take_applied(&self) -> bool {
            super::__wow_SECRET::take_applied()
        }
        pub fn take_coverage(&self) -> ::std::vec::Vec<u32> {
            super::__wow_SECRET::take_coverage()
        }
    }
}
";

/// Applies non-overlapping `(range, replacement)` edits; an edit that
/// overlaps an earlier one is dropped.
fn apply(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len() * 2);
    let mut end = 0;
    for (range, replacement) in edits {
        if range.start < end || range.end > text.len() {
            continue;
        }
        out.push_str(&text[end..range.start]);
        out.push_str(&replacement);
        end = range.end;
    }
    out.push_str(&text[end..]);
    out
}

/// What the files define, as far as choosing values goes.
#[derive(Default)]
struct Locals {
    /// Enum name → unit variants; `None` when the name is defined twice or
    /// the enum is generic (its variants are then not used).
    enums: BTreeMap<String, Option<Vec<String>>>,
    /// Names of [`WRAPPERS`] that a prototype type shadows.
    shadowed: BTreeSet<String>,
}

impl Locals {
    fn define(&mut self, name: &syn::Ident) {
        let name = name.to_string();
        if WRAPPERS.contains(&name.as_str()) {
            self.shadowed.insert(name.clone());
        }
        if let Some(entry) = self.enums.get_mut(&name) {
            *entry = None;
        }
    }
}

impl<'ast> Visit<'ast> for Locals {
    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        let name = e.ident.to_string();
        if WRAPPERS.contains(&name.as_str()) {
            self.shadowed.insert(name.clone());
        }
        let variants = e
            .variants
            .iter()
            // A variant under `#[cfg]` may not exist in this build.
            .filter(|v| {
                matches!(v.fields, syn::Fields::Unit)
                    && !v.attrs.iter().any(|a| a.path().is_ident("cfg"))
            })
            .map(|v| v.ident.to_string())
            .collect();
        let usable = e.generics.params.is_empty() && !self.enums.contains_key(&name);
        self.enums.insert(name, usable.then_some(variants));
        visit::visit_item_enum(self, e);
    }
    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        self.define(&s.ident);
    }
    fn visit_item_union(&mut self, u: &'ast syn::ItemUnion) {
        self.define(&u.ident);
    }
    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.define(&t.ident);
        visit::visit_item_trait(self, t);
    }
    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        // `type Result<T> = std::result::Result<T, Error>` keeps `Ok(…)` right.
        if t.ident != "Result" {
            self.define(&t.ident);
        }
    }
}

/// One value a mutant returns.
enum Value {
    /// An expression of the return type, as Rust text.
    Expr(String),
    /// `Default::default()` of this type (Rust text), if it has one.
    Default(String),
}

/// A candidate: description, the value, and the constructors around it
/// (innermost first), as `(prefix, suffix)` Rust text.
struct Candidate {
    description: String,
    value: Value,
    wrappers: Vec<(&'static str, &'static str)>,
}

impl Candidate {
    fn expr(description: &str, expr: &str) -> Self {
        Self {
            description: description.to_owned(),
            value: Value::Expr(expr.to_owned()),
            wrappers: Vec::new(),
        }
    }

    fn wrap(mut self, name: &str, prefix: &'static str, suffix: &'static str) -> Self {
        self.description = if name == "vec!" {
            format!("vec![{}]", self.description)
        } else {
            format!("{name}({})", self.description)
        };
        self.wrappers.push((prefix, suffix));
        self
    }

    /// The statement that returns this value when mutant `id` is active.
    fn code(&self, control: &str, id: u32) -> String {
        let wrap = |inner: &str| {
            let mut text = inner.to_owned();
            for (prefix, suffix) in &self.wrappers {
                text = format!("{prefix}{text}{suffix}");
            }
            text
        };
        match &self.value {
            Value::Expr(expr) => format!("if {control}::on({id}) {{ return {}; }} ", wrap(expr)),
            Value::Default(ty) => format!(
                "if let ::core::option::Option::Some(__wow_v) = {{ #[allow(unused_imports)] use {control}::{{ViaDefault as _, NoDefault as _}}; (&&{control}::Wrap::<{ty}>::new({id})).__wow_default() }} {{ return {}; }} ",
                wrap("__wow_v")
            ),
        }
    }
}

/// Walks the items of one file, collecting edits.
struct Walker<'a> {
    path: &'a str,
    text: &'a str,
    control: &'a str,
    locals: &'a Locals,
    out: &'a mut Instrumented,
    edits: Vec<(Range<usize>, String)>,
    /// The type of the impl being walked: its name and, for an enum,
    /// its own name to look variants up.
    owner: Option<String>,
    /// Type parameters of the impl being walked, plus `Self` when there
    /// are any: autoref specialisation cannot see through them.
    impl_generics: BTreeSet<String>,
}

impl Walker<'_> {
    /// The source text of `span` on one line, or `None` when it spans
    /// several lines or holds a comment.
    fn one_line(&self, span: Span) -> Option<&str> {
        let text = self.text.get(span.byte_range())?;
        (span.start().line == span.end().line && !text.contains("//") && !text.contains("/*"))
            .then_some(text)
    }

    fn function(&mut self, attrs: &[syn::Attribute], sig: &syn::Signature, block: &syn::Block) {
        let skipped = sig.constness.is_some()
            || sig.unsafety.is_some()
            || sig.asyncness.is_some()
            || sig.abi.is_some()
            || sig.variadic.is_some()
            || attrs.iter().any(|a| {
                matches!(a.style, syn::AttrStyle::Inner(_))
                    || a.path().is_ident("test")
                    || is_cfg_test(a)
            });
        if skipped {
            return;
        }
        let candidates = match &sig.output {
            syn::ReturnType::Default => vec![Candidate::expr("skip the body", "")],
            syn::ReturnType::Type(_, ty) => {
                let mut generics: BTreeSet<String> = sig
                    .generics
                    .type_params()
                    .map(|p| p.ident.to_string())
                    .collect();
                generics.extend(self.impl_generics.iter().cloned());
                match self.candidates(ty, &generics, true) {
                    Some(candidates) => candidates,
                    None => return,
                }
            }
        };
        let index = self.out.functions.len();
        let function_id = u32::try_from(index).expect("fewer than 2^32 functions in a prototype");
        let name = match &self.owner {
            Some(owner) => format!("{owner}::{}", sig.ident),
            None => sig.ident.to_string(),
        };
        self.out.functions.push(Function {
            id: function_id,
            file: self.path.to_owned(),
            line: sig.fn_token.span.start().line,
            name,
            constant: sig.inputs.is_empty(),
            passthrough: passthrough(sig, block),
        });
        let mut prologue = format!("{}::enter({function_id}); ", self.control);
        for candidate in candidates {
            let id = self.next_id();
            let code = if matches!(&candidate.value, Value::Expr(e) if e.is_empty()) {
                format!("if {}::on({id}) {{ return; }} ", self.control)
            } else {
                candidate.code(self.control, id)
            };
            prologue.push_str(&code);
            self.out.mutants.push(Mutant {
                id,
                function: index,
                description: if candidate.description == "skip the body" {
                    candidate.description
                } else {
                    format!("return {}", candidate.description)
                },
            });
        }
        prologue.truncate(prologue.trim_end().len());
        let open = block.brace_token.span.open().byte_range().end;
        self.edits.push((open..open, prologue));
        let mut flips = Flips::default();
        for stmt in &block.stmts {
            flips.visit_stmt(stmt);
        }
        for binary in flips.found {
            self.flip(binary, index);
        }
    }

    fn next_id(&self) -> u32 {
        u32::try_from(self.out.mutants.len() + 1).expect("fewer than 2^32 mutants in a prototype")
    }

    fn flip(&mut self, binary: &syn::ExprBinary, function: usize) {
        let (from, to) = match binary.op {
            syn::BinOp::Lt(_) => ("<", "<="),
            syn::BinOp::Le(_) => ("<=", "<"),
            syn::BinOp::Gt(_) => (">", ">="),
            syn::BinOp::Ge(_) => (">=", ">"),
            syn::BinOp::Eq(_) => ("==", "!="),
            syn::BinOp::Ne(_) => ("!=", "=="),
            _ => return,
        };
        let (Some(_), Some(left), Some(right)) = (
            self.one_line(binary.span()),
            self.one_line(binary.left.span()),
            self.one_line(binary.right.span()),
        ) else {
            return;
        };
        let id = self.next_id();
        let line = binary.op.span().start().line;
        let code = format!(
            "(if {}::on({id}) {{ ({left}) {to} ({right}) }} else {{ ({left}) {from} ({right}) }})",
            self.control
        );
        self.edits.push((binary.span().byte_range(), code));
        self.out.mutants.push(Mutant {
            id,
            function,
            description: format!("`{from}` → `{to}` on line {line}"),
        });
    }

    /// The mutant values of a return type, or `None` when the function is
    /// not to be instrumented (`-> !`, `impl Trait`).
    fn candidates(
        &self,
        ty: &syn::Type,
        generics: &BTreeSet<String>,
        top: bool,
    ) -> Option<Vec<Candidate>> {
        let plain = |list: &[(&str, &str)]| {
            Some(
                list.iter()
                    .map(|(d, e)| Candidate::expr(d, e))
                    .collect::<Vec<_>>(),
            )
        };
        if contains_impl_trait(ty) {
            return None;
        }
        match ty {
            syn::Type::Never(_) => None,
            // Unsized or not nameable here: no value.
            syn::Type::TraitObject(_)
            | syn::Type::Slice(_)
            | syn::Type::Infer(_)
            | syn::Type::Macro(_)
            | syn::Type::Verbatim(_) => Some(Vec::new()),
            syn::Type::Path(p) if p.path.is_ident("str") => Some(Vec::new()),
            syn::Type::Paren(p) => self.candidates(&p.elem, generics, top),
            syn::Type::Group(g) => self.candidates(&g.elem, generics, top),
            syn::Type::Tuple(t) if t.elems.is_empty() => {
                if top {
                    plain(&[("skip the body", "")])
                } else {
                    plain(&[("()", "()")])
                }
            }
            syn::Type::Reference(r) => match &*r.elem {
                syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("str") => {
                    plain(&[("\"\"", "\"\""), ("\"xyzzy\"", "\"xyzzy\"")])
                }
                syn::Type::Slice(_) if top && r.mutability.is_none() => plain(&[("&[]", "&[]")]),
                _ => Some(Vec::new()),
            },
            syn::Type::Path(p) if p.qself.is_none() => {
                if mentions(ty, generics) {
                    return Some(self.generic_wrapper(p, generics));
                }
                Some(self.path_candidates(ty, p, generics))
            }
            _ if mentions(ty, generics) => Some(Vec::new()),
            _ => Some(self.default_of(ty)),
        }
    }

    /// `Default::default()` of `ty`, when its text fits on one line.
    fn default_of(&self, ty: &syn::Type) -> Vec<Candidate> {
        self.one_line(ty.span())
            .map(|text| Candidate {
                description: "Default::default()".to_owned(),
                value: Value::Default(text.to_owned()),
                wrappers: Vec::new(),
            })
            .into_iter()
            .collect()
    }

    /// For a type that names a generic parameter: only the empty values of
    /// the standard wrappers.
    fn generic_wrapper(&self, p: &syn::TypePath, generics: &BTreeSet<String>) -> Vec<Candidate> {
        let Some(last) = p.path.segments.last() else {
            return Vec::new();
        };
        let name = last.ident.to_string();
        if self.locals.shadowed.contains(&name) {
            return Vec::new();
        }
        match name.as_str() {
            "Option" => vec![Candidate::expr("None", "::core::option::Option::None")],
            "Vec" => vec![Candidate::expr("vec![]", "::std::vec::Vec::new()")],
            "Result" => Self::first_argument(last)
                .and_then(|t| self.candidates(t, generics, false))
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.wrap("Ok", "::core::result::Result::Ok(", ")"))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn first_argument(segment: &syn::PathSegment) -> Option<&syn::Type> {
        let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
    }

    fn path_candidates(
        &self,
        ty: &syn::Type,
        p: &syn::TypePath,
        generics: &BTreeSet<String>,
    ) -> Vec<Candidate> {
        let Some(last) = p.path.segments.last() else {
            return Vec::new();
        };
        let name = last.ident.to_string();
        let bare = matches!(last.arguments, syn::PathArguments::None);
        let shadowed = self.locals.shadowed.contains(&name);
        let inner = |t: &syn::Type| self.candidates(t, generics, false).unwrap_or_default();
        match name.as_str() {
            "bool" if bare => vec![
                Candidate::expr("true", "true"),
                Candidate::expr("false", "false"),
            ],
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" if bare => vec![
                Candidate::expr("0", "0"),
                Candidate::expr("1", "1"),
                Candidate::expr("-1", "-1"),
            ],
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" if bare => {
                vec![Candidate::expr("0", "0"), Candidate::expr("1", "1")]
            }
            "f32" | "f64" if bare => vec![
                Candidate::expr("0.0", "0.0"),
                Candidate::expr("1.0", "1.0"),
                Candidate::expr("-1.0", "-1.0"),
            ],
            "String" if bare && !shadowed => vec![
                Candidate::expr("String::new()", "::std::string::String::new()"),
                Candidate::expr(
                    "\"xyzzy\".to_owned()",
                    "::std::string::String::from(\"xyzzy\")",
                ),
            ],
            "Option" if !shadowed => {
                let mut all = vec![Candidate::expr("None", "::core::option::Option::None")];
                if let Some(t) = Self::first_argument(last) {
                    all.extend(
                        inner(t)
                            .into_iter()
                            .map(|c| c.wrap("Some", "::core::option::Option::Some(", ")")),
                    );
                }
                all
            }
            "Vec" if !shadowed => {
                let mut all = vec![Candidate::expr("vec![]", "::std::vec::Vec::new()")];
                if let Some(t) = Self::first_argument(last) {
                    all.extend(
                        inner(t)
                            .into_iter()
                            .map(|c| c.wrap("vec!", "::std::vec![", "]")),
                    );
                }
                all
            }
            "Box" if !shadowed => Self::first_argument(last)
                .map(|t| {
                    inner(t)
                        .into_iter()
                        .map(|c| c.wrap("Box::new", "::std::boxed::Box::new(", ")"))
                        .collect()
                })
                .unwrap_or_default(),
            // `fmt::Result`: a `fmt` that writes nothing.
            "Result" if p.path.segments.len() >= 2 && bare => {
                let fmt = p.path.segments.iter().rev().nth(1);
                if fmt.is_some_and(|s| s.ident == "fmt") {
                    vec![Candidate::expr("()", "()").wrap("Ok", "::core::result::Result::Ok(", ")")]
                } else {
                    Vec::new()
                }
            }
            "Result" if !shadowed => Self::first_argument(last)
                .map(|t| {
                    inner(t)
                        .into_iter()
                        .map(|c| c.wrap("Ok", "::core::result::Result::Ok(", ")"))
                        .collect()
                })
                .unwrap_or_default(),
            _ => {
                let mut all = Vec::new();
                let own = if name == "Self" {
                    self.owner.as_deref()
                } else {
                    bare.then_some(name.as_str())
                };
                if bare
                    && p.path.segments.len() == 1
                    && let Some(Some(variants)) = own.and_then(|o| self.locals.enums.get(o))
                {
                    all.extend(variants.iter().map(|v| {
                        Candidate::expr(&format!("{name}::{v}"), &format!("{name}::{v}"))
                    }));
                }
                all.extend(self.default_of(ty));
                all
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    // Inserted code trips lints (`unused_parens`): a `deny(warnings)` must
    // not stop the copy from building. `forbid(unsafe_code)` stays: the
    // copy runs the model's code too.
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta
            && (list.path.is_ident("deny") || list.path.is_ident("forbid"))
            && list.tokens.to_string().trim() != "unsafe_code"
        {
            self.edits
                .push((list.path.span().byte_range(), "warn".to_owned()));
            self.out.weakened = true;
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.attrs.iter().any(is_cfg_test) {
            return;
        }
        visit::visit_item_mod(self, m);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        f.attrs.iter().for_each(|a| self.visit_attribute(a));
        let owner = self.owner.take();
        self.function(&f.attrs, &f.sig, &f.block);
        self.owner = owner;
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        i.attrs.iter().for_each(|a| self.visit_attribute(a));
        let structural = i.trait_.as_ref().is_some_and(|(_, path, _)| {
            path.segments
                .last()
                .is_some_and(|s| STRUCTURAL.iter().any(|t| s.ident == t))
        });
        if structural || i.attrs.iter().any(is_cfg_test) {
            return;
        }
        let mut impl_generics: BTreeSet<String> = i
            .generics
            .type_params()
            .map(|p| p.ident.to_string())
            .collect();
        if !impl_generics.is_empty() {
            impl_generics.insert("Self".to_owned());
        }
        let owner = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        for item in &i.items {
            if let syn::ImplItem::Fn(m) = item {
                m.attrs.iter().for_each(|a| self.visit_attribute(a));
                self.owner.clone_from(&owner);
                self.impl_generics.clone_from(&impl_generics);
                self.function(&m.attrs, &m.sig, &m.block);
                self.owner = None;
                self.impl_generics.clear();
            }
        }
    }

    // Default bodies of trait methods are generic over `Self`: left alone.
    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        t.attrs.iter().for_each(|a| self.visit_attribute(a));
    }
}

/// Comparisons in a body, outermost only, outside nested items.
#[derive(Default)]
struct Flips<'ast> {
    found: Vec<&'ast syn::ExprBinary>,
}

impl<'ast> Visit<'ast> for Flips<'ast> {
    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        use syn::BinOp::{Eq, Ge, Gt, Le, Lt, Ne};
        if matches!(b.op, Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_)) {
            self.found.push(b);
        } else {
            visit::visit_expr_binary(self, b);
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_expr_const(&mut self, _: &'ast syn::ExprConst) {}
}

fn is_cfg_test(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr
            .parse_args::<syn::Ident>()
            .is_ok_and(|ident| ident == "test")
}

/// Whether the body only returns one of the parameters (or `self`).
fn passthrough(sig: &syn::Signature, block: &syn::Block) -> bool {
    let names: BTreeSet<String> = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Receiver(_) => Some("self".to_owned()),
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(i) => Some(i.ident.to_string()),
                _ => None,
            },
        })
        .collect();
    let expr = match block.stmts.as_slice() {
        [syn::Stmt::Expr(e, None)] => e,
        [syn::Stmt::Expr(syn::Expr::Return(r), _)] => match &r.expr {
            Some(e) => e,
            None => return false,
        },
        _ => return false,
    };
    let expr = match expr {
        syn::Expr::Return(r) => match &r.expr {
            Some(e) => &**e,
            None => return false,
        },
        e => e,
    };
    matches!(expr, syn::Expr::Path(p) if p.qself.is_none()
        && p.path.get_ident().is_some_and(|i| names.contains(&i.to_string())))
}

/// Whether `ty` names one of `generics`.
fn mentions(ty: &syn::Type, generics: &BTreeSet<String>) -> bool {
    struct Finder<'g>(&'g BTreeSet<String>, bool);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            if p.get_ident()
                .is_some_and(|i| self.0.contains(&i.to_string()))
            {
                self.1 = true;
            }
            visit::visit_path(self, p);
        }
    }
    let mut finder = Finder(generics, false);
    finder.visit_type(ty);
    finder.1
}

fn contains_impl_trait(ty: &syn::Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

#[cfg(test)]
mod signatures {
    use super::*;

    /// Every kind of signature the prototypes use, in one `src/lib.rs`.
    const ZOO: &str = r#"//! A zoo of signatures.
#![forbid(unused_variables)]
#![forbid(unsafe_code)]
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colour { #[default] Red, Green, Rgb(u8, u8, u8) }

#[derive(Debug, Default)]
pub struct Cart { items: Vec<String>, total: i64 }

pub struct NoDefault(u8);

pub struct Stack<T> { items: Vec<T> }

pub trait Priced { fn price(&self) -> u32; fn doubled(&self) -> u32 { self.price() * 2 } }

pub fn fee(days: u32) -> u32 { if days > 3 { days - 3 } else { 0 } } // « été » déjà
pub fn signed(x: i64) -> i64 { if match x { 0 => 1, _ => x } < 0 { x } else { -x } }
pub fn ratio(x: f64) -> f64 { x / 2.0 }
pub fn version() -> &'static str { "1" }
pub fn echo(text: String) -> String { text }
pub fn colour(dark: bool) -> Colour { if dark { Colour::Green } else { Colour::Red } }
pub fn pair(a: u8) -> (u8, u8) { (a, a) }
pub fn index(names: &[String]) -> BTreeMap<String, usize> { names.iter().cloned().zip(0..).collect() }
pub fn first<T: Clone>(items: &[T]) -> T { items[0].clone() }
pub fn maybe_first<T: Clone>(items: &[T]) -> Option<T> { items.first().cloned() }
pub fn evens(up_to: u32) -> impl Iterator<Item = u32> { (0..up_to).filter(|n| n % 2 == 0) }
pub const fn twice(x: u32) -> u32 { x * 2 }
pub async fn later(x: u32) -> u32 { x }
pub fn never(message: &str) -> ! { panic!("{message}") }
pub fn nothing(x: u32) -> () { let _ = x; }
pub fn boxed(x: u32) -> Box<u32> { Box::new(x) }
pub fn dynamic(x: u32) -> Box<dyn fmt::Display> { Box::new(x) }
pub fn raw(x: &NoDefault) -> NoDefault { NoDefault(x.0) }

impl Cart {
    pub fn new() -> Self { Self::default() }
    pub fn name(&self, i: usize) -> &str { &self.items[i] }
    pub fn find(&self, name: &str) -> Option<String> { self.items.iter().find(|i| *i == name).cloned() }
    pub fn add(&mut self, item: String) { self.items.push(item); }
    pub fn pay(&mut self, amount: i64) -> Result<u32, String> {
        if amount < self.total { return Err("short".to_owned()); }
        Ok(0)
    }
    pub fn items(&self) -> Vec<String> { self.items.clone() }
    pub fn into_items(self) -> Vec<String> { self.items }
    pub fn itself(self) -> Self { self }
    pub fn lines(&self) -> &[String] { &self.items }
    pub fn count(&self) -> Option<Vec<u8>> { None }
}

impl<T: Clone> Stack<T> {
    pub fn empty() -> Self { Stack { items: Vec::new() } }
    pub fn top(&self) -> Option<T> { self.items.last().cloned() }
    pub fn all(&self) -> Vec<T> { self.items.clone() }
}

impl Priced for Cart { fn price(&self) -> u32 { self.total as u32 } }

impl Colour {
    pub fn next(self) -> Self { match self { Self::Red => Self::Green, _ => Self::Red } }
    pub fn is_red(self) -> bool { self == Colour::Red }
}

impl fmt::Display for Cart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.total) }
}

impl PartialEq for NoDefault { fn eq(&self, other: &Self) -> bool { self.0 == other.0 } }

#[cfg(test)]
mod tests { #[test] fn t() { assert_eq!(super::fee(1), 0); } }
"#;

    fn zoo() -> Instrumented {
        let mut files = Files::new();
        files.insert("src/lib.rs".to_owned(), ZOO.to_owned());
        files.insert("tests/steps.rs".to_owned(), "fn x() {}".to_owned());
        instrument(&files, "zoo")
    }

    /// The mutants of the function named `name`, as descriptions.
    fn mutants(instrumented: &Instrumented, name: &str) -> Vec<String> {
        let Some(index) = instrumented.functions.iter().position(|f| f.name == name) else {
            return Vec::new();
        };
        instrumented
            .mutants
            .iter()
            .filter(|m| m.function == index)
            .map(|m| m.description.clone())
            .collect()
    }

    #[test]
    fn mutants_follow_the_return_type() {
        let z = zoo();
        let cases: &[(&str, &[&str])] = &[
            ("fee", &["return 0", "return 1", "`>` → `>=` on line 19"]),
            (
                "signed",
                &["return 0", "return 1", "return -1", "`<` → `<=` on line 20"],
            ),
            ("ratio", &["return 0.0", "return 1.0", "return -1.0"]),
            ("version", &["return \"\"", "return \"xyzzy\""]),
            (
                "echo",
                &["return String::new()", "return \"xyzzy\".to_owned()"],
            ),
            (
                "colour",
                &[
                    "return Colour::Red",
                    "return Colour::Green",
                    "return Default::default()",
                ],
            ),
            ("pair", &["return Default::default()"]),
            ("index", &["return Default::default()"]),
            ("first", &[]),
            ("maybe_first", &["return None"]),
            ("nothing", &["skip the body"]),
            ("boxed", &["return Box::new(0)", "return Box::new(1)"]),
            ("dynamic", &[]),
            ("raw", &["return Default::default()"]),
            ("Cart::new", &["return Default::default()"]),
            ("Cart::name", &["return \"\"", "return \"xyzzy\""]),
            (
                "Cart::find",
                &[
                    "return None",
                    "return Some(String::new())",
                    "return Some(\"xyzzy\".to_owned())",
                    "`==` → `!=` on line 41",
                ],
            ),
            ("Cart::add", &["skip the body"]),
            (
                "Cart::pay",
                &["return Ok(0)", "return Ok(1)", "`<` → `<=` on line 44"],
            ),
            (
                "Cart::items",
                &[
                    "return vec![]",
                    "return vec![String::new()]",
                    "return vec![\"xyzzy\".to_owned()]",
                ],
            ),
            ("Cart::itself", &["return Default::default()"]),
            ("Cart::lines", &["return &[]"]),
            (
                "Cart::count",
                &[
                    "return None",
                    "return Some(vec![])",
                    "return Some(vec![0])",
                    "return Some(vec![1])",
                ],
            ),
            ("Stack::empty", &[]),
            ("Stack::top", &["return None"]),
            ("Stack::all", &["return vec![]"]),
            ("Cart::price", &["return 0", "return 1"]),
            (
                "Colour::next",
                &[
                    "return Self::Red",
                    "return Self::Green",
                    "return Default::default()",
                ],
            ),
            (
                "Colour::is_red",
                &["return true", "return false", "`==` → `!=` on line 64"],
            ),
            ("Cart::fmt", &["return Ok(())"]),
        ];
        for (name, expected) in cases {
            assert_eq!(mutants(&z, name), *expected, "mutants of `{name}`");
        }
        for skipped in [
            "evens",
            "twice",
            "later",
            "never",
            "doubled",
            "eq",
            "t",
            "NoDefault::eq",
        ] {
            assert!(
                !z.functions.iter().any(|f| f.name == skipped),
                "`{skipped}` must not be instrumented"
            );
        }
    }

    #[test]
    fn constant_and_passthrough_functions_are_marked() {
        let z = zoo();
        let marks = |name: &str| {
            let f = z
                .functions
                .iter()
                .find(|f| f.name == name)
                .expect("instrumented");
            (f.constant, f.passthrough)
        };
        assert_eq!(marks("version"), (true, false));
        assert_eq!(marks("Cart::new"), (true, false));
        assert_eq!(marks("echo"), (false, true));
        assert_eq!(marks("Cart::itself"), (false, true));
        assert_eq!(marks("fee"), (false, false));
        assert_eq!(marks("Cart::into_items"), (false, false));
    }

    #[test]
    fn a_file_that_does_not_parse_is_kept_and_a_byte_order_mark_stays_first() {
        let mut files = Files::new();
        files.insert(
            "src/lib.rs".to_owned(),
            "\u{feff}pub mod broken;\npub fn f(x: u32) -> bool { x > 1 }\n".to_owned(),
        );
        files.insert("src/broken.rs".to_owned(), "pub fn g( {".to_owned());
        let z = instrument(&files, "b");
        assert_eq!(z.files["src/broken.rs"], "pub fn g( {");
        let lib = &z.files["src/lib.rs"];
        assert!(lib.starts_with("\u{feff}#![allow(unused_parens)] pub mod broken;"));
        assert_eq!(z.functions.len(), 1);
        assert_eq!(
            mutants(&z, "f"),
            ["return true", "return false", "`>` → `>=` on line 2"]
        );
    }

    #[test]
    fn without_a_crate_root_nothing_is_instrumented() {
        let mut files = Files::new();
        files.insert(
            "src/banking.rs".to_owned(),
            "pub fn f() -> u32 { 1 }".to_owned(),
        );
        let z = instrument(&files, "x");
        assert_eq!(z.files, files);
        assert!(z.mutants.is_empty() && z.functions.is_empty());
    }

    #[test]
    fn ids_are_dense_and_tests_untouched() {
        let z = zoo();
        for (i, m) in z.mutants.iter().enumerate() {
            assert_eq!(m.id as usize, i + 1);
        }
        for (i, f) in z.functions.iter().enumerate() {
            assert_eq!(f.id as usize, i);
        }
        assert_eq!(z.files.keys().collect::<Vec<_>>(), ["src/lib.rs"]);
    }

    #[test]
    fn every_line_stays_where_it_was() {
        let z = zoo();
        let out = &z.files["src/lib.rs"];
        let original: Vec<&str> = ZOO.lines().collect();
        let instrumented: Vec<&str> = out.lines().collect();
        assert!(
            instrumented.len() > original.len(),
            "the control module follows"
        );
        for (number, (before, after)) in original.iter().zip(&instrumented).enumerate() {
            let before = before.replace("forbid(unused", "warn(unused");
            // Text is only inserted or, for a flipped comparison, the
            // comparison replaced: a line begins and ends as it did.
            let words: Vec<&str> = before.split_whitespace().collect();
            if let (Some(first), Some(last)) = (words.first(), words.last()) {
                let indent = &before[..before.len() - before.trim_start().len()];
                assert!(
                    (number == 0 || after.starts_with(&format!("{indent}{first}")))
                        && (after.ends_with(last)
                            || after.contains(&format!("{last}crate::__wow_zoo::enter("))),
                    "line {} moved:\n{before}\n{after}",
                    number + 1
                );
            }
        }
        for f in &z.functions {
            assert!(instrumented[f.line - 1].contains("fn "), "{f:?}");
        }
        assert!(out.contains("#![warn(unused_variables)]"));
        assert!(out.contains("#![forbid(unsafe_code)]"));
        assert!(
            z.weakened,
            "the copy may build where the prototype does not"
        );
        let plain = Files::from([(
            "src/lib.rs".to_owned(),
            "#![forbid(unsafe_code)]\n#![warn(missing_docs)]\npub fn f() -> u8 { 1 }\n".to_owned(),
        )]);
        assert!(!instrument(&plain, "zoo").weakened);
        assert!(out.contains("pub mod __wow_zoo {"));
    }

    /// The instrumented zoo compiles with plain `rustc`, and the control
    /// module switches mutants: a user would see every intent unverified
    /// if the copy did not build.
    #[test]
    #[ignore = "runs rustc (about 2 s)"]
    fn the_instrumented_zoo_compiles() {
        let z = zoo();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let lib = dir.path().join("lib.rs");
        std::fs::write(&lib, &z.files["src/lib.rs"]).expect("write");
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let output = std::process::Command::new(rustc)
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "lib",
                "--emit",
                "metadata",
                "-o",
            ])
            .arg(dir.path().join("libzoo.rmeta"))
            .arg(&lib)
            .output()
            .expect("rustc runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(!stderr.contains("warning"), "{stderr}");
    }
}
