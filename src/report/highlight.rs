//! Rust syntax highlighting for the code behind each step: source text in,
//! escaped HTML with `<span>`s for comments, strings, keywords, numbers,
//! macros, types and attributes out.
//!
//! Hand-written on purpose. The crates that highlight Rust offline either
//! carry a regex engine and bundled grammar dumps (syntect, several MB and a
//! long build) or compile C grammars (tree-sitter and the crates on it), for
//! a reading aid on a few short functions. This one is a small scanner, not
//! a lexer: anything it does not recognise stays plain text, and every piece
//! of text goes through the template engine's escaping. It must not emit
//! markup from the source.

use maud::{Markup, html};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

/// Rust source as escaped HTML with comments, strings, keywords, numbers,
/// macros, types and attributes in `<span>`s. A reading aid, not a lexer:
/// anything it does not recognise stays plain text.
pub fn highlight(source: &str) -> Markup {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (end, class) = token(&chars, i);
        tokens.push((chars[i..end].iter().collect::<String>(), class));
        i = end;
    }
    html! {
        @for (text, class) in &tokens {
            @if class.is_empty() { (text) } @else { span class=(class) { (text) } }
        }
    }
}

/// The end of the token starting at `i` and its CSS class (empty: plain).
fn token(chars: &[char], i: usize) -> (usize, &'static str) {
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let until = |mut i: usize, stop: &dyn Fn(usize) -> bool| {
        while i < chars.len() && !stop(i) {
            i += 1;
        }
        i
    };
    let word = |i: usize| until(i, &|j| !(chars[j].is_alphanumeric() || chars[j] == '_'));
    match (at(i), at(i + 1)) {
        ('/', '/') => (until(i, &|j| chars[j] == '\n'), "c"),
        ('/', '*') => {
            let end = until(i + 2, &|j| chars[j] == '*' && at(j + 1) == '/');
            ((end + 2).min(chars.len()), "c")
        }
        ('"', _) => (string_end(chars, i + 1), "s"),
        ('\'', '\\') => {
            let end = until(i + 2, &|j| chars[j] == '\'' || chars[j] == '\n');
            ((end + 1).min(chars.len()), "s")
        }
        ('\'', _) if at(i + 2) == '\'' => (i + 3, "s"),
        // A lifetime or a label.
        ('\'', _) => (word(i + 1), ""),
        ('#', '[' | '!') if at(i + 1) == '[' || at(i + 2) == '[' => (attribute_end(chars, i), "a"),
        (c, _) if c.is_ascii_digit() => (
            until(i, &|j| {
                !(chars[j].is_alphanumeric()
                    || chars[j] == '_'
                    || (chars[j] == '.' && at(j + 1).is_ascii_digit()))
            }),
            "n",
        ),
        (c, _) if c.is_alphabetic() || c == '_' => word_token(chars, i, word(i)),
        _ => (i + 1, ""),
    }
}

/// A word from `i` to `end`: a keyword, a macro, a type, a raw or byte
/// string's prefix, or a plain name.
fn word_token(chars: &[char], i: usize, end: usize) -> (usize, &'static str) {
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let word: String = chars[i..end].iter().collect();
    let hashes = chars[end..].iter().take_while(|&&h| h == '#').count();
    if matches!(word.as_str(), "r" | "br") && at(end + hashes) == '"' {
        (raw_string_end(chars, end + hashes + 1, hashes), "s")
    } else if word == "b" && at(end) == '"' {
        (string_end(chars, end + 1), "s")
    } else if at(end) == '!' && at(end + 1) != '=' {
        (end + 1, "m")
    } else if KEYWORDS.contains(&word.as_str()) {
        (end, "k")
    } else if word.starts_with(char::is_uppercase) {
        (end, "t")
    } else {
        (end, "")
    }
}

/// Index after the `]` closing the attribute that starts at `i`.
fn attribute_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0_usize;
    for (j, c) in chars.iter().enumerate().skip(i) {
        match c {
            '[' => depth += 1,
            ']' if depth <= 1 => return j + 1,
            ']' => depth -= 1,
            _ => {}
        }
    }
    chars.len()
}

/// Index after the closing quote of a string whose text starts at `i`.
fn string_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// Index after the closing `"###` of a raw string whose text starts at `i`.
fn raw_string_end(chars: &[char], mut i: usize, hashes: usize) -> usize {
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    chars.len()
}

/// `source` without the indentation of its closing line, so that a method
/// taken out of its `impl` block starts at the margin.
pub fn dedent(source: &str) -> String {
    let source = source.trim_end();
    let last = source.lines().last().unwrap_or_default();
    let indent = last.len() - last.trim_start_matches(' ').len();
    source
        .lines()
        .map(|line| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            &line[spaces.min(indent)..]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_keywords_strings_comments_and_macros() {
        let code = highlight(
            "pub fn f<'a>(x: &'a str) -> u8 { assert!(x != \"<\\\"\"); 'c'; 1_000 } // done",
        )
        .into_string();
        assert_eq!(
            code,
            "<span class=\"k\">pub</span> <span class=\"k\">fn</span> f&lt;'a&gt;(x: &amp;'a str) -&gt; u8 { \
             <span class=\"m\">assert!</span>(x != <span class=\"s\">&quot;&lt;\\&quot;&quot;</span>); \
             <span class=\"s\">'c'</span>; <span class=\"n\">1_000</span> } <span class=\"c\">// done</span>"
        );
        assert_eq!(
            highlight("#[derive(Debug)]\nstruct S; /* a\nb */ r#\"x\"#").into_string(),
            "<span class=\"a\">#[derive(Debug)]</span>\n<span class=\"k\">struct</span> <span class=\"t\">S</span>; \
             <span class=\"c\">/* a\nb */</span> <span class=\"s\">r#&quot;x&quot;#</span>"
        );
    }

    #[test]
    fn code_taken_out_of_an_impl_starts_at_the_margin() {
        let method = "fn f() {\n        1\n    }\n";
        assert_eq!(dedent(method), "fn f() {\n    1\n}");
        assert_eq!(dedent(&format!("    {method}")), "fn f() {\n    1\n}");
        assert_eq!(dedent("fn g() {}"), "fn g() {}");
    }
}
