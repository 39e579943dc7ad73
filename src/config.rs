//! `wow.toml`: what the project chooses and the model cannot.
//!
//! In: the optional `wow.toml` in the working folder. Out: a [`Config`]:
//! today, the extra crates the prototype may use, each with an exact
//! version (the only way a dependency gets into a prototype; replies can
//! never write `Cargo.toml`). Nothing here touches the prototype.
//!
//! ```toml
//! [dependencies]
//! itoa = "=1.0.18"
//! chrono = { version = "=0.4.41", default-features = false, features = ["std"] }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file's name, looked for in the working folder.
pub const FILE: &str = "wow.toml";

/// The project's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Extra crates for the prototype's library, by name.
    pub crates: Vec<Crate>,
}

/// One extra crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    pub name: String,
    /// An exact requirement, such as `=1.0.18`.
    pub version: String,
    pub features: Vec<String>,
    pub default_features: bool,
}

impl Crate {
    /// The line of the prototype's `[dependencies]` for this crate.
    pub fn manifest_line(&self) -> String {
        let mut line = format!("{} = {{ version = \"{}\"", self.name, self.version);
        if !self.default_features {
            line.push_str(", default-features = false");
        }
        if !self.features.is_empty() {
            let features: Vec<String> = self.features.iter().map(|f| format!("\"{f}\"")).collect();
            let _ = write!(line, ", features = [{}]", features.join(", "));
        }
        line.push_str(" }");
        line
    }
}

/// Why `wow.toml` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to read `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not valid: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("`{}`: `{name} = \"{version}\"` is not an exact version: pin it, such as `{name} = \"=1.2.3\"`, so every build of the prototype uses the same code", .path.display())]
    NotExact {
        path: PathBuf,
        name: String,
        version: String,
    },
    #[error("`{}`: `{name}` is not a crate name", .path.display())]
    BadName { path: PathBuf, name: String },
    #[error("`{}`: `{name}` is the tool's own dependency of the tests and cannot be listed", .path.display())]
    Reserved { path: PathBuf, name: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    dependencies: BTreeMap<String, RawCrate>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCrate {
    Version(String),
    #[serde(rename_all = "kebab-case")]
    Detailed {
        version: String,
        #[serde(default)]
        features: Vec<String>,
        #[serde(default = "yes")]
        default_features: bool,
    },
}

fn yes() -> bool {
    true
}

/// Reads `dir/wow.toml`; no file means no extra crate.
pub fn load(dir: &Path) -> Result<Config, Error> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config::default());
        }
        Err(source) => return Err(Error::Read { path, source }),
    };
    parse(&path, &text)
}

fn parse(path: &Path, text: &str) -> Result<Config, Error> {
    let raw: Raw = toml::from_str(text).map_err(|e| Error::Parse {
        path: path.to_owned(),
        message: e.to_string().trim().replace('\n', " "),
    })?;
    let mut crates = Vec::new();
    for (name, spec) in raw.dependencies {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(Error::BadName {
                path: path.to_owned(),
                name,
            });
        }
        if ["cucumber", "tokio", "prototype"].contains(&name.as_str()) {
            return Err(Error::Reserved {
                path: path.to_owned(),
                name,
            });
        }
        let (version, features, default_features) = match spec {
            RawCrate::Version(version) => (version, Vec::new(), true),
            RawCrate::Detailed {
                version,
                features,
                default_features,
            } => (version, features, default_features),
        };
        let exact = version.strip_prefix('=').is_some_and(|v| {
            v.split('.').count() == 3
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        });
        if !exact {
            return Err(Error::NotExact {
                path: path.to_owned(),
                name,
                version,
            });
        }
        crates.push(Crate {
            name,
            version,
            features,
            default_features,
        });
    }
    Ok(Config { crates })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Config, Error> {
        parse(Path::new("wow.toml"), text)
    }

    #[test]
    fn exact_versions_become_manifest_lines() {
        let config = read(
            "[dependencies]\nitoa = \"=1.0.18\"\nchrono = { version = \"=0.4.41\", default-features = false, features = [\"std\"] }\n",
        )
        .expect("valid");
        let lines: Vec<String> = config.crates.iter().map(Crate::manifest_line).collect();
        assert_eq!(
            lines,
            [
                "chrono = { version = \"=0.4.41\", default-features = false, features = [\"std\"] }",
                "itoa = { version = \"=1.0.18\" }",
            ]
        );
        assert_eq!(read("").expect("empty is fine"), Config::default());
    }

    #[test]
    fn loose_versions_tool_crates_and_unknown_keys_are_refused() {
        let loose = read("[dependencies]\nitoa = \"1\"\n").expect_err("not exact");
        assert!(loose.to_string().contains("`itoa = \"=1.2.3\"`"), "{loose}");
        let caret = read("[dependencies]\nitoa = \"^1.0.18\"\n").expect_err("not exact");
        assert!(matches!(caret, Error::NotExact { .. }), "{caret}");
        let tool = read("[dependencies]\ntokio = \"=1.0.0\"\n").expect_err("reserved");
        assert!(tool.to_string().contains("tool's own"), "{tool}");
        let typo = read("[dependency]\nitoa = \"=1.0.18\"\n").expect_err("unknown table");
        assert!(
            typo.to_string().starts_with("`wow.toml` is not valid"),
            "{typo}"
        );
    }
}
