//! Gherkin AST → [`Feature`]: the one place the `gherkin` crate's types
//! become this crate's.
//!
//! In: a file's path, its text and the `gherkin::Feature` parsed from it.
//! Out: a [`Feature`] whose intents are its scenarios and, for scenario
//! outlines, one intent per Examples row with `<placeholders>` filled in
//! (as the Gherkin pickle compiler does). Must not read files or judge the
//! input: mistakes are found in `diagnose`.

use std::path::Path;

use super::{Example, Feature, Intent, Step, display_path};

/// Converts one parsed file; intents are in file order, identified by
/// `path:line` (see [`Intent::id`]).
pub(crate) fn convert(
    path: &Path,
    rel: String,
    text: String,
    feature: &gherkin::Feature,
) -> Feature {
    let lines: Vec<&str> = text.lines().collect();
    let background: Vec<Step> = feature
        .background
        .iter()
        .flat_map(|b| b.steps.iter().map(convert_step))
        .collect();
    let mut intents = Vec::new();
    let mut add = |scenario: &gherkin::Scenario, rule: Option<&gherkin::Rule>| {
        // As the Gherkin pickle compiler does: a scenario without steps gets
        // no background steps either.
        let mut steps = Vec::new();
        if !scenario.steps.is_empty() {
            steps.extend(background.iter().cloned());
            if let Some(rule_background) = rule.and_then(|r| r.background.as_ref()) {
                steps.extend(rule_background.steps.iter().map(convert_step));
            }
            steps.extend(scenario.steps.iter().map(convert_step));
        }
        let mut tags = feature.tags.clone();
        if let Some(rule) = rule {
            tags.extend(rule.tags.iter().cloned());
        }
        tags.extend(scenario.tags.iter().cloned());
        let base = Intent {
            id: String::new(),
            file: rel.clone(),
            line: scenario.position.line,
            scenario_line: scenario.position.line,
            cucumber_line: scenario.position.line,
            feature: feature.name.clone(),
            rule: rule.map(|r| r.name.clone()),
            name: scenario.name.clone(),
            tags,
            example: None,
            steps,
        };
        if scenario.examples.is_empty() {
            intents.push(base);
            return;
        }
        for examples in &scenario.examples {
            let Some(table) = &examples.table else {
                continue;
            };
            let Some((header, rows)) = table.rows.split_first() else {
                continue;
            };
            let row_lines = row_lines(&lines, table.position.line, rows.len());
            for (index, row) in rows.iter().enumerate() {
                let values: Vec<(String, String)> =
                    header.iter().cloned().zip(row.iter().cloned()).collect();
                let mut intent = base.clone();
                intent.line = row_lines[index];
                intent.cucumber_line = examples.position.line + index + 2;
                intent.name = fill(&scenario.name, &values);
                intent.tags.extend(examples.tags.iter().cloned());
                for step in intent
                    .steps
                    .iter_mut()
                    .skip(base.steps.len() - scenario.steps.len())
                {
                    step.text = fill(&step.text, &values);
                    step.doc_string = step.doc_string.as_deref().map(|d| fill(d, &values));
                    if let Some(table) = &mut step.data_table {
                        for cell in table.iter_mut().flatten() {
                            *cell = fill(cell, &values);
                        }
                    }
                }
                intent.example = Some(Example {
                    table: examples.name.clone().unwrap_or_default(),
                    values,
                });
                intents.push(intent);
            }
        }
    };
    for scenario in &feature.scenarios {
        add(scenario, None);
    }
    for rule in &feature.rules {
        for scenario in &rule.scenarios {
            add(scenario, Some(rule));
        }
    }
    // Scenarios directly under the feature come before rules in the AST but
    // may follow them in the file: report in file order.
    intents.sort_by_key(|i| i.line);
    let source = path.to_owned();
    for intent in &mut intents {
        intent.id = format!("{}:{}", display_path(&source), intent.line);
    }
    Feature {
        source,
        rel,
        text,
        keyword: feature.keyword.clone(),
        name: feature.name.clone(),
        description: feature.description.clone().filter(|d| !d.trim().is_empty()),
        tags: feature.tags.clone(),
        intents,
        left_out: Vec::new(),
    }
}

/// Lines (1-based) of the `count` data rows of a table whose header is on
/// `header_line`: the next lines that start with `|`, skipping blank lines
/// and comments as the Gherkin grammar does.
pub(super) fn row_lines(lines: &[&str], header_line: usize, count: usize) -> Vec<usize> {
    let mut found: Vec<usize> = lines
        .iter()
        .enumerate()
        .skip(header_line)
        .filter(|(_, l)| l.trim_start().starts_with('|'))
        .map(|(i, _)| i + 1)
        .take(count)
        .collect();
    // Unreachable for text the parser accepted; keep ids unique regardless.
    while found.len() < count {
        found.push(header_line + found.len() + 1);
    }
    found
}

/// Replaces each `<name>` that names a column with the row's value, in one
/// pass (a value that itself looks like `<name>` stays as it is), and leaves
/// other `<…>` text alone, as the Gherkin pickle compiler does.
pub(super) fn fill(text: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('>').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| (v, end))
        });
        if let Some((value, end)) = value {
            out.push_str(value);
            rest = &after[end + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn convert_step(step: &gherkin::Step) -> Step {
    Step {
        keyword: step.keyword.trim().to_owned(),
        text: step.value.clone(),
        line: step.position.line,
        doc_string: step.docstring.clone(),
        data_table: step.table.as_ref().map(|t| t.rows.clone()),
    }
}
