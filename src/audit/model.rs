//! The model's steps files as the checks and the trace see them: step
//! definitions with the regex cucumber-rs matches them with, the steps'
//! own helper functions, imports and fields, and what each function's
//! code mentions.
//!
//! In: steps files (`tests/**/*.rs`) already parsed with `syn` (by
//! [`super::Analysis::read`], on a large stack, after the depth check).
//! Out: a [`Model`] of owned data, no syntax tree kept, and the definitions
//! each step of an intent matches ([`Model::resolve`]). What must not
//! happen here: parsing text, or judging the code (that is
//! [`super::checks`] and [`mod@super::trace`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use cucumber_expressions::Expression;
use proc_macro2::{Delimiter, LineColumn, TokenStream, TokenTree};
use regex::Regex;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::visit::{self, Visit};

use super::trace::excerpt;
use crate::spec::Intent;
use crate::vocabulary::CodeRef;

/// Step types; a step matches only definitions of its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum StepType {
    Given,
    When,
    Then,
}

impl StepType {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Given => "Given",
            Self::When => "When",
            Self::Then => "Then",
        }
    }
}

/// What a function's code mentions, as far as the checks care.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Every path, as its segments (`Account::open` → `["Account", "open"]`).
    pub(crate) paths: Vec<Vec<String>>,
    /// Paths of the functions called (`f(…)`, `Self::f(…)`).
    pub(crate) calls: Vec<Vec<String>>,
    pub(crate) methods: Vec<String>,
    pub(crate) fields: Vec<String>,
    /// Whether a macro can fail the step (see [`checks`]).
    pub(crate) checks: bool,
    /// Whether the `?` operator is used.
    pub(crate) tries: bool,
    /// Whether an `Err(…)` is built.
    pub(crate) errs: bool,
    /// Paths and method calls with where they start, for [`mod@super::trace`].
    pub(crate) uses: Vec<(LineColumn, Use)>,
}

/// A name that code uses: a path (as its segments), or a method called
/// with, when the receiver is a field (`world.till.pay()`), its name.
#[derive(Debug)]
pub(crate) enum Use {
    Path(Vec<String>),
    Method(String, Option<String>),
}

pub(crate) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl Facts {
    pub(crate) fn of_block(block: &syn::Block) -> Self {
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
pub(crate) fn asserts(facts: &Facts, returns_result: bool) -> bool {
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
pub(crate) struct Def {
    pub(crate) ty: StepType,
    /// The pattern as written, without regex anchors, for messages.
    pub(crate) shown: String,
    pub(crate) matcher: Option<Regex>,
    pub(crate) file: String,
    /// Index of the file in [`Model::scopes`].
    pub(crate) scope: usize,
    pub(crate) line: usize,
    /// Column of its attribute's `#`, from 1, as `column!()` gives it.
    pub(crate) column: usize,
    /// The whole function, attributes and doc comments included, without
    /// its calls (see [`super::trace()`]).
    pub(crate) code: CodeRef,
    /// Of the body only: a parameter's type is not a use of the prototype.
    pub(crate) facts: Facts,
    pub(crate) returns_result: bool,
}

impl Def {
    /// One definition per step attribute of `f`.
    fn read(f: &syn::ItemFn, (file, text): (&str, &str), scope: usize) -> Vec<Self> {
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
                column: attr.pound_token.span.start().column + 1,
                code: excerpt(file, text, (f.span().start(), f.span().end())),
                facts: Facts::of_block(&f.block),
                returns_result: returns_result(&f.sig),
            })
        });
        defs.collect()
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(text))
    }

    /// `Then the fee is {int} euros (tests/steps.rs:18)`.
    pub(crate) fn title(&self) -> String {
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
pub(crate) struct Scope {
    pub(crate) prototype: HashSet<String>,
    /// Whether the file has a glob import from the prototype crate.
    pub(crate) glob: bool,
}

/// A function of the steps files a step definition may call.
#[derive(Debug)]
pub(crate) struct Helper {
    pub(crate) name: String,
    pub(crate) scope: usize,
    /// For a method: the type of its `impl`.
    pub(crate) owner: Option<String>,
    /// Of the whole function: a helper returning a prototype type uses it.
    pub(crate) facts: Facts,
    pub(crate) returns_result: bool,
}

/// Std and cucumber names that a glob import from the prototype does not bring.
pub(crate) const KNOWN: &str = "Self Some None Ok Err Option Result Vec String Box Rc Arc Cell RefCell \
    HashMap HashSet BTreeMap BTreeSet VecDeque Default ToString ToOwned Into From TryFrom \
    TryInto Iterator IntoIterator Clone Copy Debug Display PartialEq Eq PartialOrd Ord Hash Fn \
    FnMut FnOnce Send Sync Sized AsRef AsMut Extend FromIterator FromStr World Step Duration \
    Instant Ordering drop";

/// What the steps files define, import and call.
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub(crate) scopes: Vec<Scope>,
    /// Items defined in the steps files.
    pub(crate) local: HashSet<String>,
    /// Names imported from anywhere but the prototype (`std`, `cucumber`, `super`).
    pub(crate) foreign: HashSet<String>,
    pub(crate) defs: Vec<Def>,
    pub(crate) helpers: Vec<Helper>,
    /// Which shard's definitions each feature's steps match ([`Self::resolve`]).
    pub(crate) layout: crate::shard::Layout,
    /// Fields of the steps files' structs: (name, scope, facts of the type).
    pub(crate) fields: Vec<(String, usize, Facts)>,
    /// Type aliases and tuple structs (wrappers): (name, scope, facts of what they hold).
    pub(crate) wrappers: Vec<(String, usize, Facts)>,
    /// Names of the wrappers of a prototype type (`type Bank = prototype::Bank;`).
    pub(crate) prototype_wrappers: HashSet<String>,
    /// Names of fields whose type mentions the prototype.
    pub(crate) prototype_fields: HashSet<String>,
    /// Names given to prototype items by `use prototype::… as name`: name → item name.
    pub(crate) renames: HashMap<String, String>,
}

impl Model {
    /// Adds the steps file `path` (content `text`, parsed as `file`).
    pub(crate) fn add(&mut self, path: &str, text: &str, file: &syn::File) {
        let scope = self.scopes.len();
        self.scopes.push(Scope::default());
        self.items(&file.items, (path, text), scope);
    }

    /// Resolves what needs every file: which wrappers and fields hold a
    /// prototype type. Call once, after the last [`Model::add`].
    pub(crate) fn finish(&mut self) {
        let wrappers = std::mem::take(&mut self.wrappers);
        self.prototype_wrappers = wrappers
            .iter()
            .filter(|(_, scope, facts)| self.names_prototype(facts, *scope))
            .map(|(name, ..)| name.clone())
            .collect();
        // Fields stay: the trace reads their types.
        let prototype_fields = self
            .fields
            .iter()
            .filter(|(_, scope, facts)| self.names_prototype(facts, *scope))
            .map(|(name, ..)| name.clone())
            .collect();
        self.prototype_fields = prototype_fields;
    }

    fn items(&mut self, items: &[syn::Item], file: (&str, &str), scope: usize) {
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
    pub(crate) fn unknown(&self, name: &str) -> bool {
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

    pub(crate) fn reaches(&self, facts: &Facts, scope: usize) -> bool {
        self.names_prototype(facts, scope)
            || facts
                .fields
                .iter()
                .any(|f| self.prototype_fields.contains(f))
    }

    /// Names of the functions of the steps files that `facts` may call.
    pub(crate) fn local_calls<'f>(&self, facts: &'f Facts) -> impl Iterator<Item = &'f str> {
        let calls = facts.calls.iter().filter_map(|c| match c.as_slice() {
            [name] => Some(name),
            [ty, name] if ty == "Self" || self.local.contains(ty) => Some(name),
            _ => None,
        });
        calls.chain(&facts.methods).map(String::as_str)
    }

    /// Names of the helpers for which `direct` holds, or which call such a
    /// helper, following calls `rounds` levels deep.
    pub(crate) fn helpers_where(
        &self,
        direct: impl Fn(&Helper) -> bool,
        rounds: usize,
    ) -> HashSet<&str> {
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
    pub(crate) fn resolve(&self, intent: &Intent) -> Vec<Vec<usize>> {
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
            // A sharded prototype's steps match their own World's
            // definitions only: those of their shard's files.
            let shard = self
                .layout
                .of_feature(&intent.file)
                .map(|s| s.module.as_str());
            let defs = self.defs.iter().enumerate().filter(|(_, d)| {
                shard.is_none_or(|m| self.layout.of_file(&d.file).is_some_and(|s| s.module == m))
            });
            resolved.push(
                defs.filter(|(_, d)| Some(d.ty) == ty && d.matches(&step.text))
                    .map(|(i, _)| i)
                    .collect(),
            );
        }
        resolved
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::Analysis;
    use crate::audit::fixtures::{files, spec};
    use crate::vocabulary::FindingKind as Kind;

    /// The patterns of the definitions each step of the first intent matches.
    fn resolved(feature: &str, steps: &str) -> Vec<Vec<String>> {
        let (_dir, spec) = spec(feature);
        let model = Analysis::read(
            &files(&[("tests/steps.rs", steps)]),
            &crate::shard::Layout::default(),
        )
        .model;
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
        let findings = crate::audit::check(
            &spec,
            &files(&[("tests/steps.rs", steps)]),
            &crate::shard::Layout::default(),
        );
        let no_assertion: Vec<_> = findings
            .iter()
            .filter(|f| f.kind == Kind::NoAssertion)
            .map(|f| f.line)
            .collect();
        assert_eq!(no_assertion, [8, 12]);
    }
}
