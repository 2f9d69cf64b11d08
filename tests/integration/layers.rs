//! The core's layers point one way, checked by reading the sources (ARCHITECTURE.md,
//! "Layers"): the model imports only the model and the error type; `store` imports
//! only the model, the error type and itself, never an operation module; the error
//! type imports nothing of the crate. A new `use crate::deal::...` in `src/store` fails
//! here, naming the file, the line and the module.

use std::path::{Path, PathBuf};

/// Which top-level modules of the crate the files under `dir` may name.
const RULES: &[(&str, &[&str])] = &[
    ("src/model", &["model", "error"]),
    ("src/store", &["model", "error", "store"]),
    ("src/error.rs", &[]),
];

#[test]
fn layers_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut broken = Vec::new();
    for (place, allowed) in RULES {
        for file in rust_files(&root.join(place)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (line, module) in crate_paths(&text) {
                if !allowed.contains(&module.as_str()) {
                    broken.push(format!(
                        "{}:{line} names crate::{module}",
                        file.strip_prefix(root).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "a lower layer imports a higher one:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn the_checker_sees_every_form_of_a_crate_path() {
    let text = "use crate::model::deal;\n\
                // use crate::deal::Deal; (a comment)\n\
                use crate::{error::Result, store::Tx};\n\
                fn f() { crate::partner::get(); }\n\
                use crate::{\n    model::{a, b},\n    snapshot::Sealed,\n};\n";
    assert_eq!(
        crate_paths(text),
        [
            (1, "model".to_string()),
            (3, "error".to_string()),
            (3, "store".to_string()),
            (4, "partner".to_string()),
            (6, "model".to_string()),
            (7, "snapshot".to_string()),
        ]
    );
}

fn rust_files(place: &Path) -> Vec<PathBuf> {
    if place.is_file() {
        return vec![place.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(place).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Every `crate::<module>` a source names outside comments, with its line: plain paths
/// and each top-level name of a `crate::{a, b::c}` group, over several lines too.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at + "crate::".len();
        let rest = &code[start..];
        if let Some(group) = rest.strip_prefix('{') {
            let push = |found: &mut Vec<(usize, String)>, a: usize, b: usize| {
                let item = &group[a..b];
                let lead = item.len() - item.trim_start().len();
                let name = ident(item);
                if !name.is_empty() && name != "self" {
                    found.push((line_of(start + 1 + a + lead), name));
                }
            };
            // Top-level names only: skip what nested braces hold.
            let (mut depth, mut item_start) = (0, 0);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        push(&mut found, item_start, k);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        push(&mut found, item_start, k);
                        item_start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((line_of(start), ident(rest)));
        }
        from = start;
    }
    found
}
