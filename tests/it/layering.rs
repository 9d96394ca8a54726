//! The layering README's Development section draws, checked on the source:
//! each top-level module of `src/` may name (`crate::x`) only the modules
//! below it. A new `use` that points upward, or a cycle between two
//! modules, fails here with the file and line that made it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each module and the modules it may use. Keep it in step with the drawing
/// in README ("Development").
const MAY_USE: &[(&str, &[&str])] = &[
    // Leaves: any layer may use them.
    ("domain", &[]),
    ("textfile", &[]),
    ("accept", &[]),
    ("demo", &["domain"]),
    // The layers, each over the ones before it.
    ("store", &["domain", "textfile"]),
    ("engine", &["domain", "textfile", "store"]),
    ("proto", &["domain", "store", "textfile"]),
    ("devices", &["domain", "store", "engine", "textfile"]),
    ("sync", &["domain", "store", "engine", "proto", "textfile"]),
    ("ipc", &["domain", "store", "engine", "accept"]),
    ("hq", &["domain", "store", "proto", "accept", "textfile"]),
    (
        "ui",
        &[
            "domain", "store", "engine", "devices", "sync", "ipc", "textfile",
        ],
    ),
    (
        "config",
        &[
            "domain", "store", "engine", "devices", "sync", "ipc", "textfile",
        ],
    ),
    (
        "cli",
        &[
            "domain", "textfile", "accept", "demo", "store", "engine", "proto", "devices", "sync",
            "ipc", "hq", "ui", "config",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `crate::x` modules a line of code names, outside its comment.
fn named_modules(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or("");
    code.match_indices("crate::")
        .filter(|(at, _)| !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .filter_map(|(at, _)| {
            let rest = &code[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rules: BTreeMap<&str, &[&str]> = MAY_USE.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name")
            .trim_end_matches(".rs");
        // The binaries' mains (`main.rs`, `bin/`) name the library as `till::`.
        if top == "lib" || top == "main" || top == "bin" {
            continue;
        }
        let allowed = rules
            .get(top)
            .unwrap_or_else(|| panic!("src/{top} is not in MAY_USE: place it in the layering"));
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            for used in named_modules(line) {
                if used != top && !allowed.contains(&used) {
                    wrong.push(format!(
                        "src/{}:{}: {top} uses {used}",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_layering_has_no_cycle() {
    // Each module may use only modules listed before it.
    for (i, (module, uses)) in MAY_USE.iter().enumerate() {
        for used in *uses {
            let at = MAY_USE.iter().position(|(m, _)| m == used);
            assert!(
                at.is_some_and(|at| at < i),
                "{module} may use {used}, which is not listed before it"
            );
        }
    }
}

#[test]
fn a_use_in_a_comment_or_a_longer_name_is_not_a_use() {
    assert_eq!(
        named_modules("use crate::store::Store; // crate::ui"),
        ["store"]
    );
    assert_eq!(
        named_modules("let x = my_crate::ui::f();"),
        Vec::<&str>::new()
    );
    assert_eq!(
        named_modules("crate::domain::money::Money, crate::engine::Command"),
        ["domain", "engine"]
    );
}
