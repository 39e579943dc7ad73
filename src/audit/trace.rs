//! The trace: from an intent's step to the step definition that runs it,
//! and on to the prototype code that definition uses, so that an engineer
//! reading the HTML report can follow intent → step → code.
//!
//! In: the [`Model`] of the steps files, the [`Item`]s of the prototype's
//! `src/` files (both read by [`super::Analysis::read`]) and the [`Spec`].
//! Out: [`CodeRef`]s with exact excerpts of the files. Names are resolved
//! by name, without type checking (see [`super::Analysis::traces`]). What
//! must not happen here: parsing, or judging the code.

use std::collections::HashSet;

use proc_macro2::{LineColumn, Span};
use syn::spanned::Spanned as _;

use super::model::{Def, Facts, KNOWN, Model, Use};
use crate::spec::Spec;
use crate::vocabulary::CodeRef;

/// Longest [`CodeRef::source`] a trace gives, in lines.
pub(crate) const MAX_SOURCE_LINES: usize = 150;

/// What an [`Item`] of the prototype is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Fn,
    Method,
    /// A struct, enum or trait.
    Type,
}

/// A function, method or type defined in the prototype's `src/`.
#[derive(Debug)]
pub(crate) struct Item {
    kind: ItemKind,
    name: String,
    /// For a method: the type of its `impl`, or its trait.
    owner: Option<String>,
    code: CodeRef,
}

/// Adds the items of the prototype file `file` (content `text`), parsed
/// as `items`, to `out`, in file order.
pub(crate) fn collect_items(items: &[syn::Item], file: &str, text: &str, out: &mut Vec<Item>) {
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
pub(crate) fn excerpt(file: &str, text: &str, (start, end): (LineColumn, LineColumn)) -> CodeRef {
    // syn skips a byte order mark: positions are of the text after it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut from, to) = (offset(text, start), offset(text, end));
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

/// The byte offset in `text` of a position as proc-macro2 gives it (1-based
/// line, column in chars, `\n` ends a line); the end of `text` past it.
pub(crate) fn offset(text: &str, at: LineColumn) -> usize {
    let line: usize = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    text.get(line..)
        .and_then(|rest| rest.char_indices().nth(at.column))
        .map_or(text.len(), |(i, _)| line + i)
}

/// Follows step definitions of a [`Model`] into the prototype's [`Item`]s.
struct Tracer<'a> {
    model: &'a Model,
    items: &'a [Item],
    /// The shard of the definition traced, in a sharded prototype: its
    /// steps use only its own prototype items (a shard's `Money` is not
    /// another's).
    shard: Option<&'a str>,
}

/// For each intent of `spec`, for each of its steps: the definition that
/// runs it with the prototype items it uses, or `None` where no single
/// definition matches (see [`super::Analysis::traces`]).
pub(crate) fn traces(model: &Model, items: &[Item], spec: &Spec) -> Vec<Vec<Option<CodeRef>>> {
    spec.intents()
        .map(|intent| {
            let steps = model.resolve(intent).into_iter();
            steps
                .map(|defs| match defs.as_slice() {
                    [def] => {
                        let def = &model.defs[*def];
                        let shard = model.layout.of_file(&def.file);
                        let tracer = Tracer {
                            model,
                            items,
                            shard: shard.map(|s| s.module.as_str()),
                        };
                        Some(tracer.trace(def))
                    }
                    _ => None,
                })
                .collect()
        })
        .collect()
}

impl<'a> Tracer<'a> {
    /// `def` as a [`CodeRef`], with the prototype items it uses (see [`super::trace()`]).
    fn trace(&self, def: &'a Def) -> CodeRef {
        let mut code = def.code.clone();
        let mut uses = Vec::new();
        let mut context = (Vec::new(), HashSet::new());
        self.expand((&def.facts, def.scope), 2, &mut context, &mut uses);
        let mut calls: Vec<usize> = Vec::new();
        for (facts, used) in uses {
            for item in self.prototype_items(used, facts, &context.1) {
                if !calls.contains(&item) {
                    calls.push(item);
                }
            }
        }
        code.calls = calls
            .into_iter()
            .map(|i| self.items[i].code.clone())
            .collect();
        code
    }

    /// The name `name` stands for (see [`Model::renames`]).
    fn original<'n>(&self, name: &'n str) -> &'n str
    where
        'a: 'n,
    {
        self.model.renames.get(name).map_or(name, String::as_str)
    }

    /// The names the types of the fields called `field` mention.
    fn field_types(&self, field: Option<&str>) -> HashSet<&'a str> {
        let fields = self
            .model
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
    fn expand(
        &self,
        (facts, scope): (&'a Facts, usize),
        depth: usize,
        context: &mut (Vec<usize>, HashSet<String>),
        out: &mut Vec<(&'a Facts, &'a Use)>,
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
        let mut uses: Vec<&'a (LineColumn, Use)> = facts.uses.iter().collect();
        uses.sort_by_key(|(at, _)| *at);
        for (_, used) in uses {
            let Some(helpers) = self.local(used, (facts, scope)) else {
                out.push((facts, used));
                continue;
            };
            for helper in helpers.into_iter().filter(|_| depth > 0) {
                if !context.0.contains(&helper) {
                    context.0.push(helper);
                    let h = &self.model.helpers[helper];
                    self.expand((&h.facts, h.scope), depth - 1, context, out);
                }
            }
        }
    }

    /// For a use of the steps' own code, the [`Model::helpers`] it may call
    /// (none for a type or a variable); `None` if it may name the prototype.
    /// A method goes to the `impl` its receiver field's type names, else to
    /// the steps' own method of that name (preferably in the same file).
    fn local(&self, used: &Use, (facts, scope): (&Facts, usize)) -> Option<Vec<usize>> {
        let helpers = |name: &str, owner: &dyn Fn(Option<&str>) -> bool| {
            let named = self
                .model
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
                .filter(|&i| self.model.helpers[i].scope == scope)
                .collect();
            if near.is_empty() { found } else { near }
        };
        match used {
            Use::Method(name, field) => {
                let receiver = self.field_types(field.as_deref());
                let typed = helpers(name, &|o| o.is_some_and(|o| receiver.contains(o)));
                let prototype = self.items.iter().any(|item| {
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
                [first, .., name] if first == "Self" || self.model.local.contains(first) => {
                    Some(helpers(name, &|o| {
                        o.is_some_and(|o| first == "Self" || o == first)
                    }))
                }
                [name] if self.model.local.contains(name) && facts.calls.contains(path) => {
                    Some(helpers(name, &|o| o.is_none()))
                }
                [name] if self.model.local.contains(name) => Some(Vec::new()),
                _ => None,
            },
        }
    }

    /// The indexes of the `items` a use in `facts` may name (see [`super::trace()`]).
    fn prototype_items(
        &self,
        used: &Use,
        facts: &Facts,
        mentioned: &HashSet<String>,
    ) -> Vec<usize> {
        let items = self.items;
        let find = |kind: ItemKind, name: &str, owner: Option<&str>| -> Vec<usize> {
            let matching = items.iter().enumerate().filter(|(_, item)| {
                item.kind == kind
                    && item.name == name
                    && owner.is_none_or(|o| item.owner.as_deref() == Some(o))
                    && self.shard.is_none_or(|m| {
                        let layout = &self.model.layout;
                        layout
                            .of_file(&item.code.file)
                            .is_some_and(|s| s.module == m)
                    })
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
        let known = |name: &str| {
            self.model.foreign.contains(name) || KNOWN.split_whitespace().any(|k| k == name)
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::fixtures::{example, example_layout, files, spec};
    use crate::audit::{Analysis, trace};

    #[test]
    fn every_step_of_the_example_is_traced_to_its_definition_and_the_prototype() {
        let (spec, files) = example();
        let layout = example_layout();
        assert!(!layout.is_single(), "the example is sharded");
        let model = Analysis::read(&files, &layout).model;
        let traced = trace(&spec, &files, &layout);
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
                    ("src/banking.rs", 79)
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
        // `world.book(…)` is the steps' `World::book`, whose
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
                .any(|c| c.file == "src/reservation_salle.rs" && c.source.contains("pub fn book("))
        );
        assert!(
            calls.iter().all(|c| c.file == "src/reservation_salle.rs"),
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
        let traced = trace(&spec, &files, &crate::shard::Layout::default());
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
        let long = &Analysis::read(&files, &crate::shard::Layout::default())
            .items
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
            &crate::shard::Layout::default(),
        );
        assert_eq!(traced, [vec![None]]);
    }
}
