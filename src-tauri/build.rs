//! Builds the Tauri context from the root `tauri.conf.json` and declares the app's
//! commands, so that each one is denied unless a capability grants it.
//!
//! The commands are declared once, in `src/commands.rs`; this script reads their names
//! from it as text (a build script cannot run the crate it builds), hands them to Tauri,
//! which generates an `allow-<command>` permission for each, and writes the window's
//! capability, `capabilities/default.json`, granting exactly those (plus the file and
//! folder pickers and the save dialog). The test
//! `the_declaration_the_handler_the_build_script_and_the_capability_agree` checks all of
//! them against the declaration as compiled.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src/commands.rs");
    let source = std::fs::read_to_string("src/commands.rs").expect("src/commands.rs");
    let names = command_names(&source);
    write_capability(&names);
    // Tauri keeps the list for the whole build: leaking it is what a build script may do.
    let names: &'static [&'static str] = Vec::leak(
        names
            .into_iter()
            .map(|n| &*String::leak(n))
            .collect::<Vec<&'static str>>(),
    );
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(names));
    tauri_build::try_build(attributes).expect("tauri build script");
}

/// The names declared inside `commands! { ... }`: each line there that starts with a
/// lower-case name followed by `(`.
fn command_names(source: &str) -> Vec<String> {
    let start = source
        .find("commands! {")
        .expect("a commands! { ... } block");
    let body = &source[start..];
    let end = body.find("\n}").expect("the end of the commands! block");
    body[..end]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .filter_map(|l| {
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            (!name.is_empty() && l[name.len()..].starts_with('(')).then_some(name)
        })
        .collect()
}

/// Writes the capability when its content changes (so an unchanged build touches
/// nothing).
fn write_capability(names: &[String]) {
    let mut permissions: Vec<String> = names
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .collect();
    permissions.push("dialog:allow-open".to_string());
    permissions.push("dialog:allow-save".to_string());
    let capability = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "default",
        "description": "The main window may call Consentry's own commands (declared in src/commands.rs; this file is written by build.rs from them) and open the file and folder pickers and the save dialog (they return a path the user chose; nothing is read or written through them); nothing else: no file system, shell, opener, HTTP or other plugin access.",
        "windows": ["main"],
        "permissions": permissions,
    });
    let text = serde_json::to_string_pretty(&capability).expect("JSON") + "\n";
    let path = Path::new("capabilities/default.json");
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path, text).expect("write capabilities/default.json");
    }
}
