//! A feature's Gherkin document as Cucumber Messages spell it.
//!
//! In: one parsed [`Feature`](super::Feature) (its verbatim text is parsed
//! again with the `gherkin` crate) and the id counter of the message stream.
//! Out: the `gherkinDocument` message body ([`Document`], the AST with an id
//! on every node a pickle points at) and, per intent, what its `pickle`
//! takes from the AST ([`Pickling`]: the ids of the scenario, Examples row,
//! steps and tags). Shapes follow `GherkinDocument.schema.json` and
//! `Pickle.schema.json` of <https://github.com/cucumber/messages>; ids are
//! handed out in the order the reference parser (cucumber/gherkin) gives
//! them: a node's children, then its tags, then the node itself. Locations the
//! `gherkin` crate does not keep (tags, table rows and cells, doc strings,
//! comments) are found in the text. What must not happen here: anything
//! about results; this module only describes the document.

use serde::Serialize;

/// Hands out the ids of one message stream: `"0"`, `"1"`, … (the reference
/// implementation's "incrementing" generator).
#[derive(Debug, Default)]
pub struct Ids(u64);

impl Ids {
    /// The next unused id.
    pub fn fresh(&mut self) -> String {
        let id = self.0;
        self.0 += 1;
        id.to_string()
    }
}

/// A line (1-based) and column (1-based, in characters) in a feature file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// The body of a `gherkinDocument` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The feature's path, as the `source` message and the pickles name it.
    pub uri: String,
    pub feature: Feature,
    /// Every `#` comment outside doc strings (the `# language:` line aside).
    pub comments: Vec<Comment>,
}

/// A `#` comment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub location: Location,
    /// The whole line, indentation included.
    pub text: String,
}

/// A tag; `name` keeps its `@`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub location: Location,
    pub name: String,
    pub id: String,
}

/// The feature node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature {
    pub location: Location,
    pub tags: Vec<Tag>,
    /// The Gherkin language code (`en`, `fr`).
    pub language: String,
    pub keyword: String,
    pub name: String,
    pub description: String,
    /// Background, scenarios and rules in file order.
    pub children: Vec<Child>,
}

/// One child of a feature or rule: exactly one field is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Child {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Background>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
}

/// A rule node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub location: Location,
    pub tags: Vec<Tag>,
    pub keyword: String,
    pub name: String,
    pub description: String,
    /// Its background and scenarios (never a rule).
    pub children: Vec<Child>,
    pub id: String,
}

/// A background node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Background {
    pub location: Location,
    pub keyword: String,
    pub name: String,
    pub description: String,
    pub steps: Vec<Step>,
    pub id: String,
}

/// A scenario or scenario outline node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub location: Location,
    pub tags: Vec<Tag>,
    pub keyword: String,
    pub name: String,
    pub description: String,
    pub steps: Vec<Step>,
    pub examples: Vec<Examples>,
    pub id: String,
}

/// An Examples node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Examples {
    pub location: Location,
    pub tags: Vec<Tag>,
    pub keyword: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_header: Option<TableRow>,
    pub table_body: Vec<TableRow>,
    pub id: String,
}

/// A step node; `keyword` keeps its trailing space (`Given `).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub location: Location,
    pub keyword: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_string: Option<DocString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_table: Option<DataTable>,
    pub id: String,
}

/// A doc string: its content without the delimiters and indentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocString {
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub content: String,
    /// `"""` or ```` ``` ````.
    pub delimiter: String,
}

/// A step's data table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataTable {
    pub location: Location,
    pub rows: Vec<TableRow>,
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    pub location: Location,
    pub cells: Vec<TableCell>,
    pub id: String,
}

/// A table cell, unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCell {
    pub location: Location,
    pub value: String,
}

/// What the `pickle` of one intent takes from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pickling {
    /// [`super::Intent::line`]: the scenario's line, or its Examples row's.
    pub line: usize,
    /// The scenario's or Examples row's location.
    pub location: Location,
    /// The scenario's id, then the Examples row's for an outline intent.
    pub ast_node_ids: Vec<String>,
    /// Tags of the feature, rule, scenario and Examples, in that order:
    /// (name with its `@`, the tag node's id).
    pub tags: Vec<(String, String)>,
    /// One per step of the intent, background first.
    pub steps: Vec<PickleStep>,
}

/// What a pickle step takes from the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickleStep {
    /// The step's id, then the Examples row's for an outline intent.
    pub ast_node_ids: Vec<String>,
    /// `Context`, `Action`, `Outcome` or `Unknown` (a `*` step).
    pub kind: &'static str,
    /// The doc string's media type, if any.
    pub media_type: Option<String>,
    /// The doc string's content, placeholders filled in, if any.
    pub doc_string: Option<String>,
}

/// The document of `feature` named `uri`, and one [`Pickling`] per intent
/// in file order; `None` if its text no longer parses (it was read from a
/// file that parsed, so only a changed `gherkin` crate could do that).
pub fn document(
    feature: &super::Feature,
    uri: &str,
    ids: &mut Ids,
) -> Option<(Document, Vec<Pickling>)> {
    let ast = gherkin::Feature::parse(&feature.text, gherkin::GherkinEnv::default()).ok()?;
    let text = Text::new(&feature.text);
    let mut builder = Builder {
        text: &text,
        ids,
        pickles: Vec::new(),
        kinds: std::collections::HashMap::new(),
    };
    let background = ast.background.as_ref().map(|b| builder.background(b));
    let mut children: Vec<Child> = Vec::new();
    if let Some(background) = &background {
        children.push(child_background(background));
    }
    // Children in file order: the crate keeps scenarios and rules apart.
    let mut items: Vec<Item<'_>> = ast.scenarios.iter().map(Item::Scenario).collect();
    items.extend(ast.rules.iter().map(Item::Rule));
    items.sort_by_key(Item::line);
    for item in items {
        let child = match item {
            Item::Scenario(scenario) => {
                let scenario = builder.scenario(scenario, background.as_ref(), None);
                Child {
                    rule: None,
                    background: None,
                    scenario: Some(scenario),
                }
            }
            Item::Rule(rule) => Child {
                rule: Some(builder.rule(rule, background.as_ref())),
                background: None,
                scenario: None,
            },
        };
        children.push(child);
    }
    // The reference parser gives a node's tags their ids after its children.
    let feature_tags = builder.tags(&ast.tags, ast.position.line);
    let mut pickles = builder.pickles;
    for pickle in &mut pickles {
        inherit(pickle, &feature_tags);
    }
    pickles.sort_by_key(|p| p.line);
    let document = Document {
        uri: uri.to_owned(),
        feature: Feature {
            location: text.location(ast.position.line, &ast.keyword),
            tags: feature_tags,
            language: text.language(),
            keyword: ast.keyword.clone(),
            name: ast.name.clone(),
            description: ast.description.clone().unwrap_or_default(),
            children,
        },
        comments: text.comments(),
    };
    Some((document, pickles))
}

enum Item<'a> {
    Scenario(&'a gherkin::Scenario),
    Rule(&'a gherkin::Rule),
}

impl Item<'_> {
    fn line(&self) -> usize {
        match self {
            Self::Scenario(s) => s.position.line,
            Self::Rule(r) => r.position.line,
        }
    }
}

fn child_background(background: &Background) -> Child {
    Child {
        rule: None,
        background: Some(background.clone()),
        scenario: None,
    }
}

/// Walks the AST, handing out ids, and collects the picklings.
struct Builder<'t, 'i> {
    text: &'t Text<'t>,
    ids: &'i mut Ids,
    pickles: Vec<Pickling>,
    /// Pickle step type by step id.
    kinds: std::collections::HashMap<String, &'static str>,
}

impl Builder<'_, '_> {
    fn rule(&mut self, rule: &gherkin::Rule, feature_background: Option<&Background>) -> Rule {
        let first_pickle = self.pickles.len();
        let mut children = Vec::new();
        let background = rule.background.as_ref().map(|b| self.background(b));
        if let Some(background) = &background {
            children.push(child_background(background));
        }
        for scenario in &rule.scenarios {
            let scenario = self.scenario(scenario, feature_background, background.as_ref());
            children.push(Child {
                rule: None,
                background: None,
                scenario: Some(scenario),
            });
        }
        let tags = self.tags(&rule.tags, rule.position.line);
        for pickle in &mut self.pickles[first_pickle..] {
            inherit(pickle, &tags);
        }
        Rule {
            location: self.text.location(rule.position.line, &rule.keyword),
            tags,
            keyword: rule.keyword.clone(),
            name: rule.name.clone(),
            description: rule.description.clone().unwrap_or_default(),
            children,
            id: self.ids.fresh(),
        }
    }

    fn background(&mut self, background: &gherkin::Background) -> Background {
        let steps = background.steps.iter().map(|s| self.step(s)).collect();
        Background {
            location: self
                .text
                .location(background.position.line, &background.keyword),
            keyword: background.keyword.clone(),
            name: background.name.clone(),
            description: background.description.clone().unwrap_or_default(),
            steps,
            id: self.ids.fresh(),
        }
    }

    /// The scenario node, and the picklings of its intents.
    fn scenario(
        &mut self,
        scenario: &gherkin::Scenario,
        feature_background: Option<&Background>,
        rule_background: Option<&Background>,
    ) -> Scenario {
        let steps: Vec<Step> = scenario.steps.iter().map(|s| self.step(s)).collect();
        let examples: Vec<Examples> = scenario.examples.iter().map(|e| self.examples(e)).collect();
        let tags = self.tags(&scenario.tags, scenario.position.line);
        let id = self.ids.fresh();
        let location = self
            .text
            .location(scenario.position.line, &scenario.keyword);
        // As the pickle compiler does: no steps, no background steps either.
        let mut pickle_steps: Vec<(&Step, &'static str)> = Vec::new();
        if !steps.is_empty() {
            let background_steps = feature_background
                .into_iter()
                .chain(rule_background)
                .flat_map(|b| b.steps.iter());
            pickle_steps = background_steps
                .chain(&steps)
                .map(|s| (s, self.kinds.get(&s.id).copied().unwrap_or("Unknown")))
                .collect();
        }
        let mut tag_names: Vec<(String, String)> = tags
            .iter()
            .map(|t| (t.name.clone(), t.id.clone()))
            .collect();
        let first_own = pickle_steps.len().saturating_sub(scenario.steps.len());
        if examples.is_empty() {
            self.pickles.push(Pickling {
                line: location.line,
                location,
                ast_node_ids: vec![id.clone()],
                tags: tag_names.clone(),
                steps: pickle_steps
                    .iter()
                    .map(|(s, kind)| pickle_step(s, kind, None))
                    .collect(),
            });
        }
        for table in &examples {
            let base = tag_names.len();
            tag_names.extend(table.tags.iter().map(|t| (t.name.clone(), t.id.clone())));
            let header: Vec<String> = table
                .table_header
                .iter()
                .flat_map(|h| h.cells.iter().map(|c| c.value.clone()))
                .collect();
            for row in &table.table_body {
                let values: Vec<(String, String)> = header
                    .iter()
                    .cloned()
                    .zip(row.cells.iter().map(|c| c.value.clone()))
                    .collect();
                self.pickles.push(Pickling {
                    line: row.location.line,
                    location: row.location,
                    ast_node_ids: vec![id.clone(), row.id.clone()],
                    tags: tag_names.clone(),
                    steps: pickle_steps
                        .iter()
                        .enumerate()
                        .map(|(i, (s, kind))| {
                            // Background steps take nothing from the row.
                            let row = (i >= first_own).then_some((row, values.as_slice()));
                            pickle_step(s, kind, row)
                        })
                        .collect(),
                });
            }
            tag_names.truncate(base);
        }
        Scenario {
            location,
            tags,
            keyword: scenario.keyword.clone(),
            name: scenario.name.clone(),
            description: scenario.description.clone().unwrap_or_default(),
            steps,
            examples,
            id,
        }
    }

    fn examples(&mut self, examples: &gherkin::Examples) -> Examples {
        let (table_header, table_body) = match &examples.table {
            Some(table) if !table.rows.is_empty() => {
                let mut rows = self.rows(table).into_iter();
                (rows.next(), rows.collect())
            }
            _ => (None, Vec::new()),
        };
        let tags = self.tags(&examples.tags, examples.position.line);
        Examples {
            location: self
                .text
                .location(examples.position.line, &examples.keyword),
            tags,
            keyword: examples.keyword.clone(),
            name: examples.name.clone().unwrap_or_default(),
            description: examples.description.clone().unwrap_or_default(),
            table_header,
            table_body,
            id: self.ids.fresh(),
        }
    }

    fn step(&mut self, step: &gherkin::Step) -> Step {
        let line = step.position.line;
        let doc_string = step
            .docstring
            .as_ref()
            .and_then(|_| self.text.doc_string(line));
        let data_table = step.table.as_ref().map(|table| DataTable {
            location: self.text.first_cell_row(table.position.line),
            rows: self.rows(table),
        });
        let written = self.text.line(line).trim();
        let keyword = written
            .strip_suffix(step.value.trim_end())
            .filter(|k| !k.is_empty())
            .map_or_else(|| format!("{} ", step.keyword.trim()), str::to_owned);
        let id = self.ids.fresh();
        self.kinds.insert(id.clone(), kind(step));
        Step {
            location: self.text.location(line, step.keyword.trim()),
            keyword,
            text: step.value.clone(),
            doc_string,
            data_table,
            id,
        }
    }

    /// The rows of `table`, each with its id, line and cell columns.
    fn rows(&mut self, table: &gherkin::Table) -> Vec<TableRow> {
        let first = self.text.first_cell_row(table.position.line).line;
        let mut lines = vec![first];
        lines.extend(super::convert::row_lines(
            &self.text.lines,
            first,
            table.rows.len().saturating_sub(1),
        ));
        table
            .rows
            .iter()
            .zip(lines)
            .map(|(cells, line)| {
                let columns = cell_columns(self.text.line(line));
                TableRow {
                    location: Location {
                        line,
                        column: indent(self.text.line(line)),
                    },
                    cells: cells
                        .iter()
                        .enumerate()
                        .map(|(i, value)| TableCell {
                            location: Location {
                                line,
                                column: columns.get(i).copied().unwrap_or(1),
                            },
                            value: value.clone(),
                        })
                        .collect(),
                    id: self.ids.fresh(),
                }
            })
            .collect()
    }

    /// The tags `names` (without `@`, as the crate keeps them) of the node
    /// on `line`: found on the tag lines just above it.
    fn tags(&mut self, names: &[String], line: usize) -> Vec<Tag> {
        let found = self.text.tags_above(line);
        let located = found.len() == names.len();
        names
            .iter()
            .enumerate()
            .map(|(i, name)| Tag {
                location: if located {
                    found[i]
                } else {
                    Location { line, column: 1 }
                },
                name: format!("@{name}"),
                id: self.ids.fresh(),
            })
            .collect()
    }
}

/// Puts `tags` (of a feature or rule) before the tags `pickle` has.
fn inherit(pickle: &mut Pickling, tags: &[Tag]) {
    let names = tags.iter().map(|t| (t.name.clone(), t.id.clone()));
    pickle.tags.splice(0..0, names);
}

/// What the pickle step of `step` takes from the document; `row` is the
/// Examples row (and its values by column) of an outline step.
fn pickle_step(
    step: &Step,
    kind: &'static str,
    row: Option<(&TableRow, &[(String, String)])>,
) -> PickleStep {
    let mut ast_node_ids = vec![step.id.clone()];
    ast_node_ids.extend(row.map(|(row, _)| row.id.clone()));
    PickleStep {
        ast_node_ids,
        kind,
        media_type: step
            .doc_string
            .as_ref()
            .and_then(|d| d.media_type.as_deref())
            .map(|m| match row {
                Some((_, values)) => super::convert::fill(m, values),
                None => m.to_owned(),
            }),
        doc_string: step.doc_string.as_ref().map(|d| match row {
            Some((_, values)) => super::convert::fill(&d.content, values),
            None => d.content.clone(),
        }),
    }
}

/// The pickle step type of `step`: `Given` is `Context`, `When` `Action`,
/// `Then` `Outcome` (the crate gives `And` and `But` the type of the step
/// before them), and `*` is `Unknown` (as in the reference pickle compiler).
fn kind(step: &gherkin::Step) -> &'static str {
    if step.keyword.trim() == "*" {
        return "Unknown";
    }
    match step.ty {
        gherkin::StepType::Given => "Context",
        gherkin::StepType::When => "Action",
        gherkin::StepType::Then => "Outcome",
    }
}

/// The feature's text, by line.
struct Text<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Text<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: text.lines().collect(),
        }
    }

    /// Line `line` (1-based), or `""`.
    fn line(&self, line: usize) -> &'a str {
        line.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The location of a node whose keyword starts line `line`.
    fn location(&self, line: usize, keyword: &str) -> Location {
        let text = self.line(line);
        let column = text
            .find(keyword.trim())
            .map_or_else(|| indent(text), |byte| text[..byte].chars().count() + 1);
        Location { line, column }
    }

    /// The `# language:` code, `en` without one.
    fn language(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.trim())
            .take_while(|l| l.is_empty() || l.starts_with('#'))
            .find_map(|l| {
                let rest = l.strip_prefix('#')?.trim_start().strip_prefix("language")?;
                Some(rest.trim_start().strip_prefix(':')?.trim().to_owned())
            })
            .unwrap_or_else(|| "en".to_owned())
    }

    /// The first table row at or after `line` (the crate's table position
    /// may be the step's line).
    fn first_cell_row(&self, line: usize) -> Location {
        let found = (line..=self.lines.len())
            .find(|&l| self.line(l).trim_start().starts_with('|'))
            .unwrap_or(line);
        Location {
            line: found,
            column: indent(self.line(found)),
        }
    }

    /// The doc string of the step on `step_line`, read from the text.
    fn doc_string(&self, step_line: usize) -> Option<DocString> {
        let open = (step_line + 1..=self.lines.len()).find(|&l| {
            let t = self.line(l).trim_start();
            t.starts_with("\"\"\"") || t.starts_with("```")
        })?;
        let opening = self.line(open);
        let column = indent(opening);
        let trimmed = opening.trim_start();
        let delimiter = if trimmed.starts_with("```") {
            "```"
        } else {
            "\"\"\""
        };
        let media_type = trimmed[delimiter.len()..].trim();
        let close = (open + 1..=self.lines.len())
            .find(|&l| self.line(l).trim_start().starts_with(delimiter))
            .unwrap_or(self.lines.len() + 1);
        let content: Vec<String> = (open + 1..close)
            .map(|l| {
                let text = self.line(l);
                // Indentation up to the delimiter's column is not content.
                let cut = text
                    .char_indices()
                    .take(column - 1)
                    .take_while(|(_, c)| c.is_whitespace())
                    .last()
                    .map_or(0, |(i, c)| i + c.len_utf8());
                text[cut..]
                    .replace("\\\"\\\"\\\"", "\"\"\"")
                    .replace("\\`\\`\\`", "```")
            })
            .collect();
        Some(DocString {
            location: Location { line: open, column },
            media_type: (!media_type.is_empty()).then(|| media_type.to_owned()),
            content: content.join("\n"),
            delimiter: delimiter.to_owned(),
        })
    }

    /// The tags on the lines just above `line` (blank and comment lines
    /// between them skipped), in file order.
    fn tags_above(&self, line: usize) -> Vec<Location> {
        let mut tag_lines = Vec::new();
        let mut at = line;
        while at > 1 {
            at -= 1;
            let text = self.line(at).trim_start();
            if text.starts_with('@') {
                tag_lines.push(at);
            } else if !(text.is_empty() || text.starts_with('#')) {
                break;
            }
        }
        tag_lines.reverse();
        let mut found = Vec::new();
        for line in tag_lines {
            let text = self.line(line);
            let mut previous = ' ';
            for (index, c) in text.chars().enumerate() {
                let column = index + 1;
                if c == '#' && previous.is_whitespace() {
                    break;
                }
                if c == '@' && previous.is_whitespace() {
                    found.push(Location { line, column });
                }
                previous = c;
            }
        }
        found
    }

    /// Every comment line outside doc strings, the language line aside.
    fn comments(&self) -> Vec<Comment> {
        let mut comments = Vec::new();
        let mut inside: Option<&str> = None;
        let mut language_seen = false;
        for (index, text) in self.lines.iter().enumerate() {
            let trimmed = text.trim_start();
            if let Some(delimiter) = inside {
                if trimmed.starts_with(delimiter) {
                    inside = None;
                }
                continue;
            }
            if trimmed.starts_with("\"\"\"") {
                inside = Some("\"\"\"");
            } else if trimmed.starts_with("```") {
                inside = Some("```");
            } else if let Some(comment) = trimmed.strip_prefix('#') {
                let language = comment.trim_start().starts_with("language");
                if language && !language_seen && comments.is_empty() {
                    language_seen = true;
                    continue;
                }
                comments.push(Comment {
                    location: Location {
                        line: index + 1,
                        column: 1,
                    },
                    text: text.trim_end().to_owned(),
                });
            } else if !trimmed.is_empty() {
                language_seen = true;
            }
        }
        comments
    }
}

/// Column (1-based) of the first character that is not whitespace.
fn indent(text: &str) -> usize {
    text.chars().take_while(|c| c.is_whitespace()).count() + 1
}

/// Column (1-based) of each cell's value on a table row: the first
/// character after its `|` that is not a space (`\|` does not end a cell).
fn cell_columns(text: &str) -> Vec<usize> {
    let mut columns = Vec::new();
    let mut escaped = false;
    let mut start: Option<usize> = None;
    let mut open = false;
    for (index, c) in text.chars().enumerate() {
        let column = index + 1;
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if open && start.is_none() {
                    start = Some(column);
                }
            }
            '|' => {
                if open {
                    columns.push(start.unwrap_or(column));
                }
                open = true;
                start = None;
            }
            c if open && start.is_none() && !c.is_whitespace() => start = Some(column),
            _ => {}
        }
    }
    columns
}
