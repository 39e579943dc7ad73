//! Audit: static checks on the model's code, and the hollow copy of the
//! prototype, so that a pass means the prototype does the work.
//!
//! In: the [`Spec`] and the model-owned [`Files`] of a round. Out: from
//! [`check`], [`Finding`]s in plain words (a `Then` step definition that
//! checks nothing, an intent none of whose steps reaches the prototype,
//! forbidden APIs); from [`hollow`], a copy of the files with every
//! prototype function body replaced by a panic, for the vacuity stage to
//! build and run. Both are pure: nothing is written, built or run here.
//!
//! The checks are heuristics on the syntax tree (`syn`), matched to steps as
//! cucumber-rs matches them (`cucumber-expressions`). They must not flag
//! ordinary, honest step definitions: when in doubt they report nothing,
//! and the hollow copy's run catches the rest.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use cucumber_expressions::Expression;
use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};
use regex::Regex;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::visit::{self, Visit};

use crate::spec::{Intent, Spec};
use crate::vocabulary::{CodeRef, Files, Finding, FindingKind as Kind};

/// Checks the model-owned `files` (path → content, paths like `src/lib.rs`,
/// `tests/steps.rs`, `tests/steps/bank.rs`) against the intents of `spec`.
/// A file that does not parse is skipped: the build reports it.
pub fn check(spec: &Spec, files: &Files) -> Vec<Finding> {
    let mut findings = Model::read(files).findings(spec);
    findings.extend(forbidden(files));
    findings
}

/// For each intent of `spec` (in spec order), for each of its steps
/// ([`Intent::steps`], background first): the step definition that runs it,
/// or `None` where no single definition matches the step (none, or several,
/// which cucumber-rs fails as ambiguous). Steps are matched as [`check`]
/// matches them. Used by the HTML report so an engineer can follow
/// intent → step → code.
///
/// A definition's `source` is its whole function as written, attributes and
/// doc comments included; its `line` is the line `source` starts on, the
/// first attribute or doc comment. Its `calls` are the prototype items
/// (`src/**/*.rs`) its body uses, directly or through the steps files' own
/// functions and methods (two calls deep), in order of first use, each once
/// and with empty `calls`: a function or method (not its whole `impl`), or a
/// struct, enum or trait definition. Every `source` is exact text of the
/// file: from the start of its first line when only indentation precedes
/// it, cut after 150 lines with a `// … (N more lines)` line.
///
/// Names are resolved by name, without type checking: a path by its last
/// segment (`Account::open`: the `open` of an `impl Account`; `Money::ZERO`,
/// `Refusal::Late`: the type), a method call by its name. A method called
/// on a field (`world.till.pay()`) goes to the `impl` of a type the field's
/// declared type names, in the steps or the prototype; otherwise the steps'
/// own method of that name (the same file's first), else the prototype's
/// methods of that name whose type the code, or the types of the fields it
/// reads, mention, else all of them: at most three. The steps' own
/// functions shadow the prototype's. Files that do not parse are skipped.
pub fn trace(spec: &Spec, files: &Files) -> Vec<Vec<Option<CodeRef>>> {
    let model = Model::read(files);
    let items = items(files);
    spec.intents()
        .map(|intent| {
            let steps = model.resolve(intent).into_iter();
            steps
                .map(|defs| match defs.as_slice() {
                    [def] => model.trace(&model.defs[*def], files, &items),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

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
/// file that does not parse is returned unchanged.
pub fn hollow(files: &Files) -> Files {
    files
        .iter()
        .map(|(path, content)| {
            let prototype = is_rust(path, "src/");
            let hollowed = prototype.then(|| hollow_file(content)).flatten();
            (path.clone(), hollowed.unwrap_or_else(|| content.clone()))
        })
        .collect()
}

/// Whether `path` is a Rust file under `folder` (`""`: anywhere).
fn is_rust(path: &str, folder: &str) -> bool {
    path.starts_with(folder)
        && std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e == "rs")
}

fn hollow_file(content: &str) -> Option<String> {
    // Offsets are of the text parsed: keep a byte order mark out of it.
    let (bom, text) = match content.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", content),
    };
    let file: syn::File = syn::parse_str(text).ok()?;
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
    Some(format!("{bom}{out}"))
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

/// Step types; a step matches only definitions of its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum StepType {
    Given,
    When,
    Then,
}

impl StepType {
    fn word(self) -> &'static str {
        match self {
            Self::Given => "Given",
            Self::When => "When",
            Self::Then => "Then",
        }
    }
}

/// What a function's code mentions, as far as the checks care.
#[derive(Debug, Default)]
struct Facts {
    /// Every path, as its segments (`Account::open` → `["Account", "open"]`).
    paths: Vec<Vec<String>>,
    /// Paths of the functions called (`f(…)`, `Self::f(…)`).
    calls: Vec<Vec<String>>,
    methods: Vec<String>,
    fields: Vec<String>,
    /// Whether a macro can fail the step (see [`checks`]).
    checks: bool,
    /// Whether the `?` operator is used.
    tries: bool,
    /// Whether an `Err(…)` is built.
    errs: bool,
    /// Paths and method calls with where they start, for [`trace`].
    uses: Vec<(LineColumn, Use)>,
}

/// A name that code uses: a path (as its segments), or a method called
/// with, when the receiver is a field (`world.till.pay()`), its name.
#[derive(Debug)]
enum Use {
    Path(Vec<String>),
    Method(String, Option<String>),
}

fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl Facts {
    fn of_block(block: &syn::Block) -> Self {
        let mut facts = Self::default();
        facts.visit_block(block);
        facts
    }

    /// Macro bodies that are not expressions (`matches!`, `vec![x; n]`):
    /// the paths, calls and fields their tokens spell.
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let punct = |i: usize, c: char| matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        let parenthesis = |i: usize| matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Group(g) => self.scan(g.stream()),
                TokenTree::Ident(ident) => {
                    let at = ident.span().start();
                    let after_dot = i > 0 && punct(i - 1, '.');
                    let mut path = vec![ident.to_string()];
                    while punct(i + 1, ':')
                        && punct(i + 2, ':')
                        && let Some(TokenTree::Ident(next)) = tokens.get(i + 3)
                    {
                        path.push(next.to_string());
                        i += 3;
                    }
                    let called = parenthesis(i + 1);
                    if after_dot && called {
                        let field =
                            match (tokens.get(i.wrapping_sub(2)), i >= 3 && punct(i - 3, '.')) {
                                (Some(TokenTree::Ident(field)), true) => Some(field.to_string()),
                                _ => None,
                            };
                        self.uses.push((at, Use::Method(path[0].clone(), field)));
                        self.methods.push(path.swap_remove(0));
                    } else if after_dot {
                        self.fields.push(path.swap_remove(0));
                    } else if punct(i + 1, '!') {
                        self.checks |= path.last().is_some_and(|m| checks(m, None));
                    } else {
                        if called {
                            self.errs |= path.last().is_some_and(|s| s == "Err");
                            self.calls.push(path.clone());
                        }
                        self.uses.push((at, Use::Path(path.clone())));
                        self.paths.push(path);
                    }
                }
                TokenTree::Punct(p) if p.as_char() == '?' => self.tries = true,
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Facts {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            let at = first.ident.span().start();
            self.uses.push((at, Use::Path(segments(path))));
        }
        self.paths.push(segments(path));
        visit::visit_path(self, path);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(callee) = &*call.func {
            let path = segments(&callee.path);
            self.errs |= path.last().is_some_and(|s| s == "Err");
            self.calls.push(path);
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.methods.push(call.method.to_string());
        let field = match &*call.receiver {
            syn::Expr::Field(syn::ExprField {
                member: syn::Member::Named(field),
                ..
            }) => Some(field.to_string()),
            _ => None,
        };
        let at = call.method.span().start();
        self.uses
            .push((at, Use::Method(call.method.to_string(), field)));
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_field(&mut self, field: &'ast syn::ExprField) {
        if let syn::Member::Named(name) = &field.member {
            self.fields.push(name.to_string());
        }
        visit::visit_expr_field(self, field);
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.tries = true;
        visit::visit_expr_try(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        let parsed = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        self.checks |= name.is_some_and(|name| checks(&name, parsed.as_ref().ok()));
        match parsed {
            Ok(args) => args.iter().for_each(|arg| self.visit_expr(arg)),
            Err(_) => self.scan(mac.tokens.clone()),
        }
    }
}

/// Whether the macro `name` with `args` (`None`: not expressions) can fail
/// the step: a panic, or an assertion about something. `assert!(true)`,
/// `assert!(x == x)` and `assert_eq!(x, x)` check nothing.
fn checks(name: &str, args: Option<&Punctuated<syn::Expr, syn::Token![,]>>) -> bool {
    if ["panic", "unreachable", "todo", "unimplemented"].contains(&name) {
        return true;
    }
    let name = name.strip_prefix("debug_").unwrap_or(name);
    if !name.starts_with("assert") {
        return false;
    }
    let Some(args) = args else {
        return true;
    };
    let compared = if name.ends_with("_eq") || name.ends_with("_ne") {
        2
    } else {
        1
    };
    let conditions: Vec<&syn::Expr> = args.iter().take(compared).collect();
    let same = match conditions.as_slice() {
        [syn::Expr::Binary(b)] => b.left == b.right,
        [left, right] => left == right,
        _ => false,
    };
    let mentions = conditions.iter().any(|condition| {
        let mut facts = Facts::default();
        facts.visit_expr(condition);
        !facts.paths.is_empty()
    });
    mentions && !same
}

/// Whether `facts` show a check that can fail the step on its own.
fn asserts(facts: &Facts, returns_result: bool) -> bool {
    facts.checks
        || facts.tries
        || (facts.errs && returns_result)
        || facts
            .methods
            .iter()
            .any(|m| m == "unwrap_err" || m == "expect_err")
}

/// Whether `sig` returns a `Result` (or an alias such as `io::Result`).
fn returns_result(sig: &syn::Signature) -> bool {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return false;
    };
    let syn::Type::Path(path) = &**ty else {
        return false;
    };
    let last = path.path.segments.last();
    last.is_some_and(|s| s.ident.to_string().ends_with("Result"))
}

/// A step definition: a function with `#[given]`, `#[when]` or `#[then]`.
#[derive(Debug)]
struct Def {
    ty: StepType,
    /// The pattern as written, without regex anchors, for messages.
    shown: String,
    matcher: Option<Regex>,
    file: String,
    /// Index of the file in [`Model::scopes`].
    scope: usize,
    line: usize,
    /// Where the function starts and ends, attributes and doc comments included.
    extent: (LineColumn, LineColumn),
    /// Of the body only: a parameter's type is not a use of the prototype.
    facts: Facts,
    returns_result: bool,
}

impl Def {
    /// One definition per step attribute of `f`.
    fn read(f: &syn::ItemFn, file: &str, scope: usize) -> Vec<Self> {
        let defs = f.attrs.iter().filter_map(|attr| {
            let path = segments(attr.path());
            let name = match path.as_slice() {
                [name] => name,
                [krate, name] if krate == "cucumber" => name,
                _ => return None,
            };
            let ty = match name.as_str() {
                "given" => StepType::Given,
                "when" => StepType::When,
                "then" => StepType::Then,
                _ => return None,
            };
            let (how, pattern) = attr.parse_args_with(step_argument).ok()?;
            let shown = match how.as_deref() {
                Some("regex") => pattern.trim_start_matches('^').trim_end_matches('$'),
                _ => &pattern,
            };
            Some(Self {
                ty,
                shown: shown.to_owned(),
                matcher: matcher(how.as_deref(), &pattern),
                file: file.to_owned(),
                scope,
                line: attr.pound_token.span.start().line,
                extent: (f.span().start(), f.span().end()),
                facts: Facts::of_block(&f.block),
                returns_result: returns_result(&f.sig),
            })
        });
        defs.collect()
    }

    fn matches(&self, text: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(text))
    }

    /// `Then the fee is {int} euros (tests/steps.rs:18)`.
    fn title(&self) -> String {
        format!(
            "`{} {}` ({}:{})",
            self.ty.word(),
            self.shown,
            self.file,
            self.line
        )
    }
}

/// `"text"`, `expr = "…"` or `regex = "…"`: (`None`, `expr` or `regex`; the text).
fn step_argument(input: ParseStream) -> syn::Result<(Option<String>, String)> {
    if input.peek(syn::LitStr) {
        return Ok((None, input.parse::<syn::LitStr>()?.value()));
    }
    let how: syn::Ident = input.parse()?;
    input.parse::<syn::Token![=]>()?;
    Ok((Some(how.to_string()), input.parse::<syn::LitStr>()?.value()))
}

/// The regex cucumber-rs 0.23 matches a step with: a literal is exact text,
/// an expression becomes an anchored regex, a regex is used as is
/// (unanchored, as cucumber-rs does). Custom parameter types are read as
/// `{}`, since their regex lives in the model's code.
fn matcher(how: Option<&str>, pattern: &str) -> Option<Regex> {
    static PARAMETER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("a valid regex"));
    match how {
        None => Regex::new(&format!("^{}$", regex::escape(pattern))).ok(),
        Some("regex") => Regex::new(pattern).ok(),
        Some("expr") => Expression::regex(pattern).ok().or_else(|| {
            let anonymous = PARAMETER.replace_all(pattern, |c: &regex::Captures<'_>| match &c[1] {
                builtin @ ("int" | "float" | "word" | "string") => format!("{{{builtin}}}"),
                _ => "{}".to_owned(),
            });
            Expression::regex(anonymous.as_ref()).ok()
        }),
        Some(_) => None,
    }
}

/// Names of a steps file bound to the prototype crate by `use prototype::…`.
#[derive(Debug, Default)]
struct Scope {
    prototype: HashSet<String>,
    /// Whether the file has a glob import from the prototype crate.
    glob: bool,
}

/// A function of the steps files a step definition may call.
#[derive(Debug)]
struct Helper {
    name: String,
    scope: usize,
    /// For a method: the type of its `impl`.
    owner: Option<String>,
    /// Of the whole function: a helper returning a prototype type uses it.
    facts: Facts,
    returns_result: bool,
}

/// Std and cucumber names that a glob import from the prototype does not bring.
const KNOWN: &str = "Self Some None Ok Err Option Result Vec String Box Rc Arc Cell RefCell \
    HashMap HashSet BTreeMap BTreeSet VecDeque Default ToString ToOwned Into From TryFrom \
    TryInto Iterator IntoIterator Clone Copy Debug Display PartialEq Eq PartialOrd Ord Hash Fn \
    FnMut FnOnce Send Sync Sized AsRef AsMut Extend FromIterator FromStr World Step Duration \
    Instant Ordering drop";

/// What the steps files define, import and call.
#[derive(Debug, Default)]
struct Model {
    scopes: Vec<Scope>,
    /// Items defined in the steps files.
    local: HashSet<String>,
    /// Names imported from anywhere but the prototype (`std`, `cucumber`, `super`).
    foreign: HashSet<String>,
    defs: Vec<Def>,
    helpers: Vec<Helper>,
    /// Fields of the steps files' structs: (name, scope, facts of the type).
    fields: Vec<(String, usize, Facts)>,
    /// Type aliases and tuple structs (wrappers): (name, scope, facts of what they hold).
    wrappers: Vec<(String, usize, Facts)>,
    /// Names of the wrappers of a prototype type (`type Bank = prototype::Bank;`).
    prototype_wrappers: HashSet<String>,
    /// Names of fields whose type mentions the prototype.
    prototype_fields: HashSet<String>,
    /// Names given to prototype items by `use prototype::… as name`: name → item name.
    renames: HashMap<String, String>,
}

impl Model {
    fn read(files: &Files) -> Self {
        let mut model = Self::default();
        for (path, content) in files {
            if !is_rust(path, "tests/") {
                continue;
            }
            let Ok(file) = syn::parse_file(content) else {
                continue;
            };
            let scope = model.scopes.len();
            model.scopes.push(Scope::default());
            model.items(&file.items, path, scope);
        }
        let wrappers = std::mem::take(&mut model.wrappers);
        model.prototype_wrappers = wrappers
            .iter()
            .filter(|(_, scope, facts)| model.names_prototype(facts, *scope))
            .map(|(name, ..)| name.clone())
            .collect();
        // Fields stay: [`trace`] reads their types.
        let prototype_fields = model
            .fields
            .iter()
            .filter(|(_, scope, facts)| model.names_prototype(facts, *scope))
            .map(|(name, ..)| name.clone())
            .collect();
        model.prototype_fields = prototype_fields;
        model
    }

    fn items(&mut self, items: &[syn::Item], file: &str, scope: usize) {
        for item in items {
            let ident = match item {
                syn::Item::Use(u) => {
                    self.uses(&u.tree, &mut Vec::new(), scope);
                    continue;
                }
                syn::Item::Fn(f) => {
                    self.defs.extend(Def::read(f, file, scope));
                    self.helper(&f.sig, &f.block, scope, None);
                    &f.sig.ident
                }
                syn::Item::Impl(i) => {
                    let owner = match &*i.self_ty {
                        syn::Type::Path(ty) => ty.path.segments.last().map(|s| s.ident.to_string()),
                        _ => None,
                    };
                    for item in &i.items {
                        if let syn::ImplItem::Fn(m) = item {
                            let owner = Some(owner.clone().unwrap_or_default());
                            self.helper(&m.sig, &m.block, scope, owner);
                        }
                    }
                    continue;
                }
                syn::Item::Struct(s) => {
                    let mut wrapped = Facts::default();
                    for field in &s.fields {
                        if let Some(name) = &field.ident {
                            let mut facts = Facts::default();
                            facts.visit_type(&field.ty);
                            self.fields.push((name.to_string(), scope, facts));
                        } else {
                            wrapped.visit_type(&field.ty);
                        }
                    }
                    self.wrappers.push((s.ident.to_string(), scope, wrapped));
                    &s.ident
                }
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.items(items, file, scope);
                    }
                    &m.ident
                }
                syn::Item::Enum(e) => &e.ident,
                syn::Item::Type(t) => {
                    let mut facts = Facts::default();
                    facts.visit_type(&t.ty);
                    self.wrappers.push((t.ident.to_string(), scope, facts));
                    &t.ident
                }
                syn::Item::Trait(t) => &t.ident,
                syn::Item::Const(c) => &c.ident,
                syn::Item::Static(s) => &s.ident,
                _ => continue,
            };
            self.local.insert(ident.to_string());
        }
    }

    fn helper(
        &mut self,
        sig: &syn::Signature,
        block: &syn::Block,
        scope: usize,
        owner: Option<String>,
    ) {
        let mut facts = Facts::of_block(block);
        facts.visit_signature(sig);
        self.helpers.push(Helper {
            name: sig.ident.to_string(),
            scope,
            owner,
            facts,
            returns_result: returns_result(sig),
        });
    }

    fn uses(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>, scope: usize) {
        let (ident, name) = match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.uses(&p.tree, prefix, scope);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(g) => {
                g.items.iter().for_each(|t| self.uses(t, prefix, scope));
                return;
            }
            syn::UseTree::Glob(_) => {
                self.scopes[scope].glob |= prefix.first().is_some_and(|r| r == "prototype");
                return;
            }
            syn::UseTree::Name(n) => (n.ident.to_string(), n.ident.to_string()),
            syn::UseTree::Rename(r) => (r.ident.to_string(), r.rename.to_string()),
        };
        // `use prototype::banking::{self}` binds `banking`.
        let name = match (name.as_str(), prefix.last()) {
            ("self", Some(last)) => last.clone(),
            _ => name,
        };
        if prefix.first().unwrap_or(&ident) == "prototype" {
            let original = match (ident.as_str(), prefix.last()) {
                ("self", Some(last)) => last.clone(),
                _ => ident,
            };
            if original != name {
                self.renames.insert(name.clone(), original);
            }
            self.scopes[scope].prototype.insert(name);
        } else {
            self.foreign.insert(name);
        }
    }

    /// Whether a name is neither defined in the steps nor a known std,
    /// cucumber or imported one: with a glob import, it comes from the prototype.
    fn unknown(&self, name: &str) -> bool {
        !self.local.contains(name)
            && !self.foreign.contains(name)
            && !KNOWN.split_whitespace().any(|k| k == name)
    }

    /// Whether `facts` name an item of the prototype crate.
    fn names_prototype(&self, facts: &Facts, scope: usize) -> bool {
        let scope = &self.scopes[scope];
        let first = |p: &Vec<String>| p.first().cloned().unwrap_or_default();
        let imported = |p: &Vec<String>| {
            let first = first(p);
            first == "prototype"
                || scope.prototype.contains(&first)
                || self.prototype_wrappers.contains(&first)
        };
        let capitalised = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
        facts.paths.iter().any(imported)
            || (scope.glob
                && (facts.paths.iter().any(|p| {
                    let first = first(p);
                    capitalised(&first) && self.unknown(&first)
                }) || facts
                    .calls
                    .iter()
                    .any(|c| c.len() == 1 && self.unknown(&c[0]))))
    }

    fn reaches(&self, facts: &Facts, scope: usize) -> bool {
        self.names_prototype(facts, scope)
            || facts
                .fields
                .iter()
                .any(|f| self.prototype_fields.contains(f))
    }

    /// Names of the functions of the steps files that `facts` may call.
    fn local_calls<'f>(&self, facts: &'f Facts) -> impl Iterator<Item = &'f str> {
        let calls = facts.calls.iter().filter_map(|c| match c.as_slice() {
            [name] => Some(name),
            [ty, name] if ty == "Self" || self.local.contains(ty) => Some(name),
            _ => None,
        });
        calls.chain(&facts.methods).map(String::as_str)
    }

    /// Names of the helpers for which `direct` holds, or which call such a
    /// helper, following calls `rounds` levels deep.
    fn helpers_where(&self, direct: impl Fn(&Helper) -> bool, rounds: usize) -> HashSet<&str> {
        let mut yes = HashSet::new();
        for _ in 0..rounds {
            let next: HashSet<&str> = self
                .helpers
                .iter()
                .filter(|h| direct(h) || self.local_calls(&h.facts).any(|c| yes.contains(c)))
                .map(|h| h.name.as_str())
                .collect();
            // Each round keeps the previous ones' names: the same size is the same set.
            if next.len() == yes.len() {
                break;
            }
            yes = next;
        }
        yes
    }

    /// For each step of `intent`, the indexes of the definitions it matches.
    fn resolve(&self, intent: &Intent) -> Vec<Vec<usize>> {
        let mut previous = None;
        let mut resolved = Vec::new();
        for step in &intent.steps {
            let ty = match step.keyword.as_str() {
                // gherkin 0.16 lists `* ` among the Given keywords.
                "Given" | "*" => Some(StepType::Given),
                "When" => Some(StepType::When),
                "Then" => Some(StepType::Then),
                "And" | "But" => previous.or(Some(StepType::Given)),
                // Another language: the type of the definitions the text matches.
                _ => {
                    let types: BTreeSet<StepType> = self
                        .defs
                        .iter()
                        .filter(|d| d.matches(&step.text))
                        .map(|d| d.ty)
                        .collect();
                    match types.len() {
                        1 => types.first().copied(),
                        _ => previous,
                    }
                }
            };
            previous = ty.or(previous);
            let defs = self.defs.iter().enumerate();
            resolved.push(
                defs.filter(|(_, d)| Some(d.ty) == ty && d.matches(&step.text))
                    .map(|(i, _)| i)
                    .collect(),
            );
        }
        resolved
    }

    fn findings(&self, spec: &Spec) -> Vec<Finding> {
        let asserting = self.helpers_where(|h| asserts(&h.facts, h.returns_result), 2);
        let reaching =
            self.helpers_where(|h| self.reaches(&h.facts, h.scope), self.helpers.len() + 1);
        let used: Vec<(&Intent, Vec<usize>)> = spec
            .intents()
            .map(|intent| {
                let mut defs: Vec<usize> = Vec::new();
                for d in self.resolve(intent).into_iter().flatten() {
                    if !defs.contains(&d) {
                        defs.push(d);
                    }
                }
                (intent, defs)
            })
            .collect();
        let mut findings = Vec::new();
        for (index, def) in self.defs.iter().enumerate() {
            if def.ty != StepType::Then
                || asserts(&def.facts, def.returns_result)
                || self.local_calls(&def.facts).any(|c| asserting.contains(c))
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
                let def = &self.defs[d];
                self.reaches(&def.facts, def.scope)
                    || self.local_calls(&def.facts).any(|c| reaching.contains(c))
            });
            if reaches {
                continue;
            }
            let def = &self.defs[first];
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
}

/// Longest [`CodeRef::source`] [`trace`] gives, in lines.
const MAX_SOURCE_LINES: usize = 150;

/// What an [`Item`] of the prototype is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Fn,
    Method,
    /// A struct, enum or trait.
    Type,
}

/// A function, method or type defined in the prototype's `src/`.
#[derive(Debug)]
struct Item {
    kind: ItemKind,
    name: String,
    /// For a method: the type of its `impl`, or its trait.
    owner: Option<String>,
    code: CodeRef,
}

/// The items of every `src/**/*.rs` file that parses, in file order.
fn items(files: &Files) -> Vec<Item> {
    let mut items = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| is_rust(p, "src/")) {
        if let Ok(file) = syn::parse_file(text) {
            collect_items(&file.items, path, text, &mut items);
        }
    }
    items
}

fn collect_items(items: &[syn::Item], file: &str, text: &str, out: &mut Vec<Item>) {
    let item = |kind, name: &syn::Ident, owner: Option<&syn::Ident>, span: Span| Item {
        kind,
        name: name.to_string(),
        owner: owner.map(ToString::to_string),
        code: excerpt(file, text, (span.start(), span.end())),
    };
    for it in items {
        match it {
            syn::Item::Fn(f) => out.push(item(ItemKind::Fn, &f.sig.ident, None, f.span())),
            syn::Item::Struct(s) => out.push(item(ItemKind::Type, &s.ident, None, s.span())),
            syn::Item::Enum(e) => out.push(item(ItemKind::Type, &e.ident, None, e.span())),
            syn::Item::Trait(t) => {
                out.push(item(ItemKind::Type, &t.ident, None, t.span()));
                for m in &t.items {
                    if let syn::TraitItem::Fn(m) = m
                        && m.default.is_some()
                    {
                        out.push(item(
                            ItemKind::Method,
                            &m.sig.ident,
                            Some(&t.ident),
                            m.span(),
                        ));
                    }
                }
            }
            syn::Item::Impl(i) => {
                let syn::Type::Path(ty) = &*i.self_ty else {
                    continue;
                };
                let Some(owner) = ty.path.segments.last() else {
                    continue;
                };
                for m in &i.items {
                    if let syn::ImplItem::Fn(m) = m {
                        let method =
                            item(ItemKind::Method, &m.sig.ident, Some(&owner.ident), m.span());
                        out.push(method);
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_items(items, file, text, out);
                }
            }
            _ => {}
        }
    }
}

/// The code of `file` (content `text`) between two positions as proc-macro2
/// gives them (1-based line, column in chars, `\n` ends a line).
fn excerpt(file: &str, text: &str, (start, end): (LineColumn, LineColumn)) -> CodeRef {
    // syn skips a byte order mark: positions are of the text after it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = |at: LineColumn| {
        let line: usize = text
            .split_inclusive('\n')
            .take(at.line.saturating_sub(1))
            .map(str::len)
            .sum();
        let column = text[line..].char_indices().nth(at.column);
        column.map_or(text.len(), |(i, _)| line + i)
    };
    let (mut from, to) = (offset(start), offset(end));
    let line_start = text[..from].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..from]
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        from = line_start;
    }
    let lines: Vec<&str> = text[from..to.max(from)].split_inclusive('\n').collect();
    let source = match lines.get(MAX_SOURCE_LINES..) {
        Some(rest) if !rest.is_empty() => format!(
            "{}// … ({} more lines)",
            lines[..MAX_SOURCE_LINES].concat(),
            rest.len()
        ),
        _ => lines.concat(),
    };
    CodeRef {
        file: file.to_owned(),
        line: start.line,
        source,
        calls: Vec::new(),
    }
}

impl Model {
    /// `def` as a [`CodeRef`], with the prototype items it uses (see [`trace`]).
    fn trace(&self, def: &Def, files: &Files, items: &[Item]) -> Option<CodeRef> {
        let mut code = excerpt(&def.file, files.get(&def.file)?, def.extent);
        let mut uses = Vec::new();
        let mut context = (Vec::new(), HashSet::new());
        self.expand((&def.facts, def.scope), 2, items, &mut context, &mut uses);
        let mut calls: Vec<usize> = Vec::new();
        for (facts, used) in uses {
            for item in self.prototype_items(used, facts, &context.1, items) {
                if !calls.contains(&item) {
                    calls.push(item);
                }
            }
        }
        code.calls = calls.into_iter().map(|i| items[i].code.clone()).collect();
        Some(code)
    }

    /// The name `name` stands for (see [`Model::renames`]).
    fn original<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    /// The names the types of the fields called `field` mention.
    fn field_types(&self, field: Option<&str>) -> HashSet<&str> {
        let fields = self
            .fields
            .iter()
            .filter(|(name, ..)| Some(name.as_str()) == field);
        let names = fields.flat_map(|(_, _, ty)| ty.paths.iter().flatten());
        names.map(|name| self.original(name)).collect()
    }

    /// The uses in `facts` (of the steps file `scope`) that may name the
    /// prototype, in source order, with those of the steps' own functions
    /// they call in their place, `depth` calls deep. `context` gathers the
    /// helpers followed and the names the code, and the types of the fields
    /// it reads, mention.
    fn expand<'m>(
        &'m self,
        (facts, scope): (&'m Facts, usize),
        depth: usize,
        items: &[Item],
        context: &mut (Vec<usize>, HashSet<String>),
        out: &mut Vec<(&'m Facts, &'m Use)>,
    ) {
        for field in &facts.fields {
            let types = self.field_types(Some(field));
            context.1.extend(types.into_iter().map(str::to_owned));
        }
        let mentioned = facts
            .paths
            .iter()
            .flatten()
            .map(|n| self.original(n).to_owned());
        context.1.extend(mentioned);
        let mut uses: Vec<&(LineColumn, Use)> = facts.uses.iter().collect();
        uses.sort_by_key(|(at, _)| *at);
        for (_, used) in uses {
            let Some(helpers) = self.local(used, (facts, scope), items) else {
                out.push((facts, used));
                continue;
            };
            for helper in helpers.into_iter().filter(|_| depth > 0) {
                if !context.0.contains(&helper) {
                    context.0.push(helper);
                    let h = &self.helpers[helper];
                    self.expand((&h.facts, h.scope), depth - 1, items, context, out);
                }
            }
        }
    }

    /// For a use of the steps' own code, the [`Model::helpers`] it may call
    /// (none for a type or a variable); `None` if it may name the prototype.
    /// A method goes to the `impl` its receiver field's type names, else to
    /// the steps' own method of that name (preferably in the same file).
    fn local(
        &self,
        used: &Use,
        (facts, scope): (&Facts, usize),
        items: &[Item],
    ) -> Option<Vec<usize>> {
        let helpers = |name: &str, owner: &dyn Fn(Option<&str>) -> bool| {
            let named = self
                .helpers
                .iter()
                .enumerate()
                .filter(|(_, h)| h.name == name);
            let found: Vec<usize> = named
                .filter(|(_, h)| owner(h.owner.as_deref()))
                .map(|(i, _)| i)
                .collect();
            let near: Vec<usize> = found
                .iter()
                .copied()
                .filter(|&i| self.helpers[i].scope == scope)
                .collect();
            if near.is_empty() { found } else { near }
        };
        match used {
            Use::Method(name, field) => {
                let receiver = self.field_types(field.as_deref());
                let typed = helpers(name, &|o| o.is_some_and(|o| receiver.contains(o)));
                let prototype = items.iter().any(|item| {
                    item.kind == ItemKind::Method
                        && item.name == *name
                        && item.owner.as_deref().is_some_and(|o| receiver.contains(o))
                });
                let found = match (typed.is_empty(), prototype) {
                    (false, _) => typed,
                    (true, true) => return None,
                    (true, false) => helpers(name, &|o| o.is_some()),
                };
                (!found.is_empty()).then_some(found)
            }
            Use::Path(path) => match path.as_slice() {
                [first, .., name] if first == "Self" || self.local.contains(first) => {
                    Some(helpers(name, &|o| {
                        o.is_some_and(|o| first == "Self" || o == first)
                    }))
                }
                [name] if self.local.contains(name) && facts.calls.contains(path) => {
                    Some(helpers(name, &|o| o.is_none()))
                }
                [name] if self.local.contains(name) => Some(Vec::new()),
                _ => None,
            },
        }
    }

    /// The indexes of the `items` a use in `facts` may name (see [`trace`]).
    fn prototype_items(
        &self,
        used: &Use,
        facts: &Facts,
        mentioned: &HashSet<String>,
        items: &[Item],
    ) -> Vec<usize> {
        let find = |kind: ItemKind, name: &str, owner: Option<&str>| -> Vec<usize> {
            let matching = items.iter().enumerate().filter(|(_, item)| {
                item.kind == kind
                    && item.name == name
                    && owner.is_none_or(|o| item.owner.as_deref() == Some(o))
            });
            matching.map(|(i, _)| i).collect()
        };
        let path: Vec<&str> = match used {
            Use::Method(name, field) => {
                let all = find(ItemKind::Method, name, None);
                let owned_by = |names: &dyn Fn(&str) -> bool| -> Vec<usize> {
                    let owned = all
                        .iter()
                        .filter(|&&i| items[i].owner.as_deref().is_some_and(names));
                    owned.copied().collect()
                };
                let types = self.field_types(field.as_deref());
                let mut chosen = owned_by(&|o| types.contains(o));
                if chosen.is_empty() {
                    chosen = owned_by(&|o| mentioned.contains(o));
                }
                if chosen.is_empty() {
                    chosen = all;
                }
                chosen.truncate(3);
                return chosen;
            }
            Use::Path(path) => path.iter().map(|s| self.original(s)).collect(),
        };
        let known =
            |name: &str| self.foreign.contains(name) || KNOWN.split_whitespace().any(|k| k == name);
        match path.as_slice() {
            [name] if name.starts_with(char::is_uppercase) => find(ItemKind::Type, name, None),
            [name] if facts.calls.iter().any(|c| c == &path) => find(ItemKind::Fn, name, None),
            [first, _, ..] if known(first) => Vec::new(),
            [.., ty, name] => {
                let methods = find(ItemKind::Method, name, Some(ty));
                let types = find(ItemKind::Type, ty, None);
                match (methods.is_empty(), types.is_empty()) {
                    (false, _) => methods,
                    (true, false) => types,
                    (true, true) => [
                        find(ItemKind::Fn, name, None),
                        find(ItemKind::Type, name, None),
                    ]
                    .concat(),
                }
            }
            _ => Vec::new(),
        }
    }
}

/// One finding per file and kind of forbidden use, at its first line.
fn forbidden(files: &Files) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (path, content) in files.iter().filter(|(p, _)| is_rust(p, "")) {
        let Ok(file) = syn::parse_file(content) else {
            continue;
        };
        let mut uses = Forbidden::default();
        uses.visit_file(&file);
        for (what, line) in uses.first {
            let does = match what {
                "unsafe" => "uses `unsafe` code, which can bypass Rust's safety checks",
                "std::process" => "starts other programs (`std::process`)",
                "std::net" => "opens network connections (`std::net`)",
                _ => "reads environment variables (`std::env`)",
            };
            findings.push(Finding {
                kind: Kind::Forbidden,
                file: path.clone(),
                line,
                message: format!(
                    "the code in `{path}` {does} at line {line}: a prototype must not do this, remove it"
                ),
                intents: Vec::new(),
            });
        }
    }
    findings
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
    use std::path::Path;

    use super::*;

    /// The spec of one feature file with `text`, and the folder holding it.
    fn spec(text: &str) -> (tempfile::TempDir, Spec) {
        let dir = tempfile::tempdir().expect("a temp folder");
        let path = dir.path().join("parcels.feature");
        std::fs::write(&path, text).expect("write the feature");
        let spec = crate::spec::parse(&[path]).expect("valid Gherkin");
        (dir, spec)
    }

    fn files(list: &[(&str, &str)]) -> Files {
        list.iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect()
    }

    fn ids(spec: &Spec) -> Vec<String> {
        spec.intents().map(|i| i.id.clone()).collect()
    }

    /// (kind, file, line, intents) of each finding, without the messages.
    fn summary(findings: &[Finding]) -> Vec<(Kind, &str, usize, Vec<String>)> {
        findings
            .iter()
            .map(|f| (f.kind, f.file.as_str(), f.line, f.intents.clone()))
            .collect()
    }

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
        let findings = check(&spec, &files(&[("tests/steps.rs", PARCEL_STEPS)]));
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

    const BANK: &str = "\
Feature: Bank
  Scenario: Counting alone
    Given a balance of 100 euros
    When I withdraw 30 euros
    Then I receive 30 euros
  Scenario: Asking the bank
    Given a balance of 100 euros
    When the bank pays 30 euros
    Then I receive 30 euros
";

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
        let findings = check(&spec, &files(&[("tests/steps.rs", BANK_STEPS)]));
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
        let findings = check(&spec, &files(&[("tests/steps.rs", steps)]));
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
        let findings = check(&spec, &files(&[("tests/steps.rs", steps)]));
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

    /// The model-owned files of the bundled example prototype.
    fn example() -> (Spec, Files) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/features");
        let spec = crate::spec::parse(&[root.join("features")]).expect("the example's features");
        let mut files = Files::new();
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.expect("a readable example");
            let rel = entry
                .path()
                .strip_prefix(&root)
                .expect("under the root")
                .to_string_lossy()
                .into_owned();
            let owned = rel.starts_with("src/") || rel.starts_with("tests/steps");
            if owned && is_rust(&rel, "") {
                let text = std::fs::read_to_string(entry.path()).expect("a text file");
                files.insert(rel, text);
            }
        }
        (spec, files)
    }

    #[test]
    fn the_honest_example_prototype_has_no_findings() {
        let (spec, files) = example();
        assert!(files.len() > 8, "{:?}", files.keys());
        assert_eq!(check(&spec, &files), []);
        // Every step matches exactly one definition, French ones included.
        let model = Model::read(&files);
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

    /// The patterns of the definitions each step of the first intent matches.
    fn resolved(feature: &str, steps: &str) -> Vec<Vec<String>> {
        let (_dir, spec) = spec(feature);
        let model = Model::read(&files(&[("tests/steps.rs", steps)]));
        let intent = spec.intents().next().expect("one intent");
        model
            .resolve(intent)
            .into_iter()
            .map(|defs| defs.into_iter().map(|d| model.defs[d].title()).collect())
            .collect()
    }

    const BOTH_TYPES: &str = r#"
#[given(expr = "a parcel of {int} kg")]
fn given_parcel(world: &mut World, kg: u32) {}
#[then(expr = "a parcel of {int} kg")]
fn then_parcel(world: &mut World, kg: u32) {}
#[when("it is sent")]
fn sent(world: &mut World) {}
#[then(expr = "the fee is {int} euros")]
fn fee(world: &mut World, euros: u32) {}
#[given("the parcel is not lost")]
fn given_kept(world: &mut World) {}
#[then("the parcel is not lost")]
fn then_kept(world: &mut World) {}
"#;

    #[test]
    fn and_but_and_star_take_the_type_cucumber_gives_them() {
        let feature = "Feature: F\n  Scenario: S\n    * a parcel of 2 kg\n    And the parcel is not lost\n    When it is sent\n    Then the fee is 4 euros\n    But the parcel is not lost\n    * a parcel of 3 kg\n";
        let line = |l: usize| format!("(tests/steps.rs:{l})");
        assert_eq!(
            resolved(feature, BOTH_TYPES),
            [
                vec![format!("`Given a parcel of {{int}} kg` {}", line(2))],
                vec![format!("`Given the parcel is not lost` {}", line(10))],
                vec![format!("`When it is sent` {}", line(6))],
                vec![format!("`Then the fee is {{int}} euros` {}", line(8))],
                vec![format!("`Then the parcel is not lost` {}", line(12))],
                vec![format!("`Given a parcel of {{int}} kg` {}", line(2))],
            ]
        );
    }

    #[test]
    fn a_french_feature_is_matched_by_the_definitions_it_fits() {
        let feature = "# language: fr\nFonctionnalité: Colis\n  Scénario: Frais\n    Soit un colis de 2 kg\n    Et le colis est pesé\n    Quand il est envoyé\n    Alors les frais sont de 4 euros\n    Et le colis n'est pas perdu\n    Mais rien d'inconnu\n";
        let steps = r#"
#[given(expr = "un colis de {int} kg")]
fn colis(world: &mut World, kg: u32) {}
#[given("le colis est pesé")]
fn pese(world: &mut World) {}
#[when("il est envoyé")]
fn envoye(world: &mut World) {}
#[then(expr = "les frais sont de {int} euros")]
fn frais(world: &mut World, euros: u32) {}
#[given("le colis n'est pas perdu")]
fn garde(world: &mut World) {}
#[then("le colis n'est pas perdu")]
fn pas_perdu(world: &mut World) {}
"#;
        let titles: Vec<Vec<String>> = resolved(feature, steps)
            .into_iter()
            .map(|defs| {
                defs.into_iter()
                    .map(|t| t.split(" (").next().unwrap_or_default().to_owned())
                    .collect()
            })
            .collect();
        assert_eq!(
            titles,
            [
                vec!["`Given un colis de {int} kg`"],
                vec!["`Given le colis est pesé`"],
                vec!["`When il est envoyé`"],
                vec!["`Then les frais sont de {int} euros`"],
                vec!["`Then le colis n'est pas perdu`"],
                Vec::<&str>::new(),
            ]
        );
        // And a French `Alors` without assertion is found like an English `Then`.
        let (_dir, spec) = spec(feature);
        let findings = check(&spec, &files(&[("tests/steps.rs", steps)]));
        let no_assertion: Vec<_> = findings
            .iter()
            .filter(|f| f.kind == Kind::NoAssertion)
            .map(|f| f.line)
            .collect();
        assert_eq!(no_assertion, [8, 12]);
    }

    #[test]
    fn every_step_of_the_example_is_traced_to_its_definition_and_the_prototype() {
        let (spec, files) = example();
        let model = Model::read(&files);
        let traced = trace(&spec, &files);
        assert_eq!(traced.len(), spec.intents().count());
        let mut withdrawals = 0;
        for (intent, steps) in spec.intents().zip(&traced) {
            assert_eq!(steps.len(), intent.steps.len(), "{}", intent.id);
            for ((step, code), defs) in intent.steps.iter().zip(steps).zip(model.resolve(intent)) {
                let code = code
                    .as_ref()
                    .unwrap_or_else(|| panic!("`{}` in {}", step.text, intent.id));
                let def = &model.defs[defs[0]];
                assert!(code.file.starts_with("tests/"), "{}", code.file);
                // The step's attribute, on its own line of the source.
                let attribute = code
                    .source
                    .lines()
                    .nth(def.line - code.line)
                    .unwrap_or_default();
                let opening = format!("#[{}(", def.ty.word().to_lowercase());
                assert!(attribute.trim_start().starts_with(&opening), "{attribute}");
                assert!(
                    code.source.contains(&def.shown) || def.shown.contains('\\'),
                    "{}",
                    code.source
                );
                // Each item's source is the file's text from its line on.
                for call in &code.calls {
                    let lines: Vec<&str> = files[&call.file].lines().skip(call.line - 1).collect();
                    let expected = lines[..call.source.lines().count()].join("\n");
                    assert_eq!(call.source.trim_end(), expected.trim_end());
                    assert!(call.calls.is_empty());
                }
            }
            if intent.file.starts_with("banking") {
                let when = intent
                    .steps
                    .iter()
                    .position(|s| s.keyword == "When")
                    .expect("a When step");
                let code = steps[when].as_ref().expect("traced");
                let withdraw = code
                    .calls
                    .iter()
                    .find(|c| c.source.contains("pub fn withdraw("));
                let withdraw = withdraw.expect("the withdrawal method");
                assert_eq!(
                    (withdraw.file.as_str(), withdraw.line),
                    ("src/banking.rs", 77)
                );
                assert!(
                    withdraw.source.starts_with("    /// Pays out `amount`"),
                    "{}",
                    withdraw.source
                );
                assert!(
                    withdraw.source.ends_with("        Ok(amount)\n    }"),
                    "{}",
                    withdraw.source
                );
                withdrawals += 1;
            }
        }
        assert_eq!(withdrawals, 6);
        // `world.rooms.book(…)` is the steps' `RoomsWorld::book`, whose
        // `self.planning.book(…)` is the prototype's, not the library's helper.
        let mut booking = spec
            .intents()
            .zip(&traced)
            .flat_map(|(i, t)| i.steps.iter().zip(t));
        let (_, booking) = booking
            .find(|(step, _)| step.text.starts_with("Julie réserve"))
            .expect("a booking step");
        let calls = &booking.as_ref().expect("traced").calls;
        assert!(
            calls
                .iter()
                .any(|c| c.file == "src/reservation.rs" && c.source.contains("pub fn book("))
        );
        assert!(
            calls.iter().all(|c| c.file == "src/reservation.rs"),
            "{calls:?}"
        );
    }

    const TILL: &str = r"//! A till: cash and card payments (naïve café).
pub struct Cash;
pub struct Card;

impl Cash {
    pub fn pay(&mut self, euros: u32) -> u32 {
        euros
    }
}

impl Card {
    /// Pays « euros » by card.
    pub fn pay(&mut self, euros: u32) -> u32 {
        euros + 1
    }
}
";

    const TILL_STEPS: &str = r#"use cucumber::{given, then, when};
use prototype::{Card, Cash as Coins};

#[derive(Debug, Default, cucumber::World)]
pub struct World {
    card: Card,
    paid: u32,
}

#[when(expr = "I pay {int} in cash")]
fn cash(world: &mut World, euros: u32) {
    world.paid = Coins.pay(euros);
}

/// Pays by card.
#[when(expr = "I pay {int} by card")]
fn card(world: &mut World, euros: u32) {
    charge(world, euros);
}

#[then(expr = "I paid {int}")]
#[then(expr = "I paid {int} euros")]
fn paid(world: &mut World, euros: u32) {
    assert_eq!(world.paid, euros);
}

fn charge(world: &mut World, euros: u32) {
    world.paid = world.card.pay(with_fee(euros));
}

fn with_fee(euros: u32) -> u32 {
	prototype::fees::fee(euros)
}
"#;

    #[test]
    fn a_trace_follows_helpers_and_picks_the_impl_the_step_mentions() {
        let feature = "Feature: Till\n  Scenario: Pay\n    When I pay 3 in cash\n    And I pay 4 by card\n    Then I paid 5\n    And I sing\n";
        let (_dir, spec) = spec(feature);
        // CRLF, a tab and non-ASCII text before the function, on its line.
        let fees = "//! Fées.\r\npub mod fees {\r\n\t/* é */ pub fn fee(euros: u32) -> u32 {\r\n\t\teuros / 10\r\n\t}\r\n}\r\n";
        let long = format!("pub fn long() {{\n{}}}\n", "    let _ = 1;\n".repeat(200));
        let files = files(&[
            ("src/lib.rs", TILL),
            ("src/fees.rs", fees),
            ("src/long.rs", &long),
            ("tests/steps.rs", TILL_STEPS),
        ]);
        let traced = trace(&spec, &files);
        let [steps] = traced.as_slice() else {
            panic!("one intent: {traced:?}");
        };
        let calls = |i: usize| -> Vec<(&str, usize)> {
            let code = steps[i].as_ref().expect("a definition");
            code.calls
                .iter()
                .map(|c| (c.file.as_str(), c.line))
                .collect()
        };
        // `Cash as Coins`, and the `pay` of `Cash`, which the step mentions.
        assert_eq!(calls(0), [("src/lib.rs", 2), ("src/lib.rs", 6)]);
        // Two helpers deep; the field's type picks `Card`.
        assert_eq!(calls(1), [("src/lib.rs", 12), ("src/fees.rs", 3)]);
        let card = steps[1].as_ref().expect("a definition");
        assert_eq!((card.file.as_str(), card.line), ("tests/steps.rs", 15));
        assert!(
            card.source.starts_with(
                "/// Pays by card.\n#[when(expr = \"I pay {int} by card\")]\nfn card("
            ),
            "{}",
            card.source
        );
        assert!(
            card.source.ends_with("charge(world, euros);\n}"),
            "{}",
            card.source
        );
        assert_eq!(
            card.calls[0].source,
            "    /// Pays « euros » by card.\n    pub fn pay(&mut self, euros: u32) -> u32 {\n        euros + 1\n    }"
        );
        assert_eq!(
            card.calls[1].source,
            "pub fn fee(euros: u32) -> u32 {\r\n\t\teuros / 10\r\n\t}"
        );
        // A function that uses nothing, and a step that matches nothing.
        assert_eq!(calls(2), []);
        assert_eq!(steps[3], None);
        let long = &items(&files)
            .into_iter()
            .find(|i| i.name == "long")
            .expect("long")
            .code;
        let lines: Vec<&str> = long.source.lines().collect();
        assert_eq!(lines.len(), MAX_SOURCE_LINES + 1);
        assert_eq!(lines[MAX_SOURCE_LINES], "// … (52 more lines)");
    }

    #[test]
    fn a_step_two_definitions_match_is_traced_to_none() {
        let (_dir, spec) = spec("Feature: Till\n  Scenario: Pay\n    When I pay 3 in cash\n");
        let twice = format!(
            "{TILL_STEPS}\n#[when(expr = \"I pay {{int}} in {{word}}\")]\nfn any(world: &mut World, euros: u32, how: String) {{}}\n"
        );
        let traced = trace(
            &spec,
            &files(&[("src/lib.rs", TILL), ("tests/steps.rs", &twice)]),
        );
        assert_eq!(traced, [vec![None]]);
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
            segments(&mac.path) == ["core", "panic"]
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
        let output = hollow(&input);
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
            hollow(&input)["src/lib.rs"],
            format!("\u{feff}pub fn f() -> u8 {HOLLOW_BODY}\n")
        );
    }
}
