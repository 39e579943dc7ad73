//! The web app's static check: does the page ask the verified library, or
//! does it decide on its own?
//!
//! In: the app's model-owned files (`app/page.rs` and its modules) and the
//! functions the verified intents pin down (the honesty check's
//! `pinned_by`, such as `Account::withdraw`). Out: the pinned functions the
//! page calls, and findings: forbidden APIs ([`super::forbidden`]), and a
//! finding of kind `unchecked_app` when the page calls none of the pinned
//! functions (what it shows is then not what the scenarios verified).
//! Calls are matched by name (`account.withdraw(…)` and
//! `Account::withdraw(…)` both match `Account::withdraw`): a static check,
//! it informs the report and never changes a verdict.

use std::collections::BTreeSet;

use syn::visit::{self, Visit};

use super::{Parsed, on_large_stack, parse};
use crate::vocabulary::{Files, Finding, FindingKind};

/// What the check found in the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppAudit {
    /// The pinned functions the page calls, in `pinned`'s order.
    pub calls: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Checks the app's `files` against the `pinned` functions.
pub fn check(files: &Files, pinned: &[String]) -> AppAudit {
    on_large_stack(|| {
        let mut names = Names::default();
        let mut findings = Vec::new();
        for (path, text) in files {
            match parse(text) {
                Parsed::File(file) => {
                    names.visit_file(&file);
                    findings.extend(super::forbidden::scan(path, &file));
                }
                Parsed::TooDeep(deep) => findings.push(super::skipped(path, deep)),
                Parsed::Invalid => {}
            }
        }
        let calls: Vec<String> = pinned
            .iter()
            .filter(|function| names.matches(function))
            .cloned()
            .collect();
        if calls.is_empty() {
            let file = files.keys().next().cloned().unwrap_or_default();
            findings.push(Finding {
                kind: FindingKind::UncheckedApp,
                file,
                line: 1,
                message: if pinned.is_empty() {
                    "no verified intent pins down a function of the library, so nothing says the page shows what the scenarios check".to_owned()
                } else {
                    "the page calls none of the library functions the scenarios pin down: what it shows is decided by the page itself, not by the verified prototype".to_owned()
                },
                intents: Vec::new(),
            });
        }
        AppAudit { calls, findings }
    })
}

/// The names the page calls: method names, and the last one or two
/// segments of called paths.
#[derive(Default)]
struct Names {
    methods: BTreeSet<String>,
    paths: BTreeSet<String>,
}

impl Names {
    /// Whether `function` (`withdraw`, `Account::withdraw`) is called.
    fn matches(&self, function: &str) -> bool {
        let last = function.rsplit("::").next().unwrap_or(function);
        self.paths.contains(function) || self.paths.contains(last) || self.methods.contains(last)
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.methods.insert(call.method.to_string());
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let Some(last) = segments.last() {
            self.paths.insert(last.clone());
        }
        if segments.len() >= 2 {
            self.paths.insert(segments[segments.len() - 2..].join("::"));
        }
        visit::visit_expr_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `format!("{}", account.balance())`: the arguments are code.
        if let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
        visit::visit_macro(self, mac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(page: &str) -> Files {
        Files::from([("app/page.rs".to_owned(), page.to_owned())])
    }

    fn pinned() -> Vec<String> {
        vec!["Account::withdraw".to_owned(), "fee".to_owned()]
    }

    #[test]
    fn a_page_calling_a_pinned_function_is_not_flagged() {
        let page = "pub fn submit(a: &mut prototype::Account) { let _ = a.withdraw(3); }\npub fn show() -> String { format!(\"{}\", prototype::fee(2)) }\n";
        let audit = check(&files(page), &pinned());
        assert_eq!(audit.calls, ["Account::withdraw", "fee"]);
        assert!(audit.findings.is_empty(), "{:?}", audit.findings);
    }

    #[test]
    fn a_page_deciding_on_its_own_is_flagged() {
        let page = "pub fn submit(balance: &mut i64, amount: i64) -> Result<(), String> {\n    if amount > *balance { return Err(\"no\".into()); }\n    *balance -= amount;\n    Ok(())\n}\n";
        let audit = check(&files(page), &pinned());
        assert!(audit.calls.is_empty());
        assert!(
            audit
                .findings
                .iter()
                .any(|f| f.kind == FindingKind::UncheckedApp),
            "{:?}",
            audit.findings
        );
    }

    #[test]
    fn forbidden_apis_in_the_page_are_findings() {
        let page = "pub fn f(a: &mut prototype::Account) { let _ = a.withdraw(1); let _ = std::net::TcpStream::connect(\"1.1.1.1:80\"); }\n";
        let audit = check(&files(page), &pinned());
        assert!(
            audit
                .findings
                .iter()
                .any(|f| f.kind == FindingKind::Forbidden && f.message.contains("std::net")),
            "{:?}",
            audit.findings
        );
    }
}
