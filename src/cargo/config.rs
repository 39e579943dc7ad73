//! Cargo configuration check: refuses to build a prototype when a cargo
//! configuration file would change how cargo builds or runs it.
//!
//! In: the prototype folder. Out: nothing, or an [`Error`] naming the file
//! and the key. Cargo reads `.cargo/config.toml` (and the older
//! `.cargo/config`) in the folder it runs in and in every parent folder,
//! then in `CARGO_HOME` (<https://doc.rust-lang.org/cargo/reference/config.html>).
//! A runner, a compiler wrapper, another compiler or linker, extra compiler
//! flags, a patched or path-overridden dependency (`paths`), a build-script
//! override, a credential provider or an unstable flag there would run code
//! the tool did not choose, outside the sandbox's assumptions. Aliases, source
//! replacement (vendoring, checked against the lock file's checksums),
//! network and terminal settings are fine. Nothing is written here.

use std::path::{Path, PathBuf};

/// Keys refused wherever they appear, as `table.key` (`*` matches any one
/// key, such as a target triple or a `cfg(…)` expression).
const REFUSED: &[&str] = &[
    "build.rustc",
    "build.rustc-wrapper",
    "build.rustc-workspace-wrapper",
    "build.rustflags",
    "build.rustdocflags",
    "build.target",
    "target.*.runner",
    "target.*.linker",
    "target.*.rustflags",
    "target.*.ar",
    "host.linker",
    "host.rustflags",
    "host.*.linker",
    "host.*.rustflags",
    // Code of its own that cargo runs to fetch a token.
    "registry.credential-provider",
    "registry.global-credential-providers",
    "registries.*.credential-provider",
];

/// Tables and top-level keys refused as a whole: `paths` overrides
/// dependencies with local folders (their build scripts included),
/// `patch` replaces them, `unstable` and `env` change the build.
const REFUSED_TABLES: &[&str] = &["paths", "patch", "unstable", "env"];

/// A configuration that would change how the prototype is built or run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{}` sets `{key}`, which changes how cargo builds or runs the prototype: remove it, or move the prototype out of that folder (`--out`)", .path.display())]
    Refused { path: PathBuf, key: String },
    #[error("failed to read the cargo configuration `{}`: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not valid TOML, and cargo would refuse it too: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
}

/// Checks every configuration file cargo would read for a build in `dir`.
pub fn check(dir: &Path) -> Result<(), Error> {
    for path in files(dir) {
        check_file(&path)?;
    }
    Ok(())
}

/// The configuration files cargo reads for a build in `dir`, nearest first.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mut folders: Vec<PathBuf> = dir.ancestors().map(|a| a.join(".cargo")).collect();
    if let Some(home) = crate::sandbox::Toolchain::find().cargo_home {
        folders.push(home);
    }
    let mut found = Vec::new();
    for folder in folders {
        for name in ["config.toml", "config"] {
            let path = folder.join(name);
            if path.is_file() && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

fn check_file(path: &Path) -> Result<(), Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| Error::Parse {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })?;
    match refused_key(&table) {
        Some(key) => Err(Error::Refused {
            path: path.to_owned(),
            key,
        }),
        None => Ok(()),
    }
}

/// The first refused key of a parsed configuration, as `table.key`.
fn refused_key(table: &toml::Table) -> Option<String> {
    for name in REFUSED_TABLES {
        if table.contains_key(*name) {
            return Some(format!("[{name}]"));
        }
    }
    for pattern in REFUSED {
        let parts: Vec<&str> = pattern.split('.').collect();
        if let Some(key) = find(table, &parts, "") {
            return Some(key);
        }
    }
    // A table inside `target.<triple>` overrides the build script of the
    // crates that link that library: cargo uses it instead of running it.
    let targets = table.get("target").and_then(toml::Value::as_table)?;
    targets.iter().find_map(|(triple, value)| {
        let inner = value.as_table()?;
        inner
            .iter()
            .find(|(_, v)| v.is_table())
            .map(|(name, _)| format!("target.{triple}.{name}"))
    })
}

fn find(table: &toml::Table, parts: &[&str], prefix: &str) -> Option<String> {
    let (first, rest) = parts.split_first()?;
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let candidates: Vec<(&String, &toml::Value)> = if *first == "*" {
        table.iter().collect()
    } else {
        table.get_key_value(*first).into_iter().collect()
    };
    for (key, value) in candidates {
        if rest.is_empty() {
            return Some(join(key));
        }
        if let Some(inner) = value.as_table()
            && let Some(found) = find(inner, rest, &join(key))
        {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> Option<String> {
        refused_key(&toml::from_str(text).expect("valid TOML"))
    }

    #[test]
    fn keys_that_change_the_build_are_named() {
        for (text, key) in [
            (
                "[build]\nrustc-wrapper = \"sccache\"\n",
                "build.rustc-wrapper",
            ),
            ("[build]\nrustc = \"/tmp/rustc\"\n", "build.rustc"),
            ("[build]\nrustflags = [\"-C\", \"x\"]\n", "build.rustflags"),
            (
                "[target.x86_64-unknown-linux-gnu]\nrunner = \"sh -c\"\n",
                "target.x86_64-unknown-linux-gnu.runner",
            ),
            (
                "[target.'cfg(unix)']\nlinker = \"evil\"\n",
                "target.cfg(unix).linker",
            ),
            ("[patch.crates-io]\ntokio = { path = \"x\" }\n", "[patch]"),
            ("paths = [\"/tmp/evil-tokio\"]\n", "[paths]"),
            (
                "[registry]\ncredential-provider = \"/tmp/steal\"\n",
                "registry.credential-provider",
            ),
            (
                "[target.x86_64-unknown-linux-gnu.ring]\nrustc-link-lib = [\"evil\"]\n",
                "target.x86_64-unknown-linux-gnu.ring",
            ),
        ] {
            assert_eq!(refused(text).as_deref(), Some(key), "{text}");
        }
    }

    #[test]
    fn aliases_and_other_settings_are_fine() {
        assert_eq!(
            refused(
                "[alias]\nt = \"test\"\n[net]\noffline = true\n[term]\ncolor = \"never\"\n[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"vendor\"\n"
            ),
            None
        );
    }

    #[test]
    fn a_config_in_a_parent_folder_stops_the_build_naming_file_and_key() {
        let root = tempfile::tempdir().expect("temporary folder");
        let prototype = root.path().join("generated/shop");
        std::fs::create_dir_all(&prototype).expect("folder");
        std::fs::create_dir_all(root.path().join(".cargo")).expect("folder");
        std::fs::write(
            root.path().join(".cargo/config.toml"),
            "[target.x86_64-unknown-linux-gnu]\nrunner = \"/tmp/steal\"\n",
        )
        .expect("write");
        let error = check(&prototype).expect_err("refused").to_string();
        assert!(error.contains(".cargo/config.toml"), "{error}");
        assert!(
            error.contains("target.x86_64-unknown-linux-gnu.runner"),
            "{error}"
        );
    }
}
