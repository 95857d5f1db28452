//! The core stays pure: no file under `src/core/` touches the file system, the network,
//! processes or the environment, reads a clock, starts a thread or takes a lock. The
//! edges (`src/edges/`) do all of that; the core is fed bytes and "now".

use std::fs;
use std::path::{Path, PathBuf};

/// What the core must never name, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("std::fs", "the file system"),
    ("fs::", "the file system"),
    ("File::", "the file system"),
    ("std::net", "the network"),
    ("std::process", "processes"),
    ("std::env", "the environment"),
    ("std::thread", "threads"),
    ("thread::spawn", "threads"),
    ("rayon", "threads"),
    ("tokio", "an async runtime"),
    ("Mutex", "locks"),
    ("RwLock", "locks"),
    ("Condvar", "locks"),
    ("atomic::", "shared state between threads"),
    ("SystemTime", "the clock"),
    ("Instant", "the clock"),
    ("Utc::now", "the clock"),
    ("Local::now", "the clock"),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code of a line, without a `//` comment.
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

#[test]
fn the_core_touches_no_file_clock_thread_or_lock() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    assert!(files.len() > 20, "src/core holds {} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for (name, what) in FORBIDDEN {
                if code(line).contains(name) {
                    let rel = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
                    found.push(format!("{rel}:{}: `{name}` ({what}): {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "the core must stay pure:\n{}", found.join("\n"));
}

/// The core's modules in layers, lowest first: a module may use those before it (and the
/// leaves, which use nothing), never one after it — so no two modules import each other.
const LAYERS: &[&str] = &["paths", "input", "catalog", "render", "site", "adopt"];
const LEAVES: &[&str] = &["counts", "diag", "uri", "xmltext"];

/// The core modules `text` names through `crate::core::…`.
fn named_modules(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut rest = code(line);
        while let Some(i) = rest.find("crate::core::") {
            rest = &rest[i + "crate::core::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            found.push(name);
        }
    }
    found
}

#[test]
fn core_modules_form_layers_without_cycles() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut found = Vec::new();
    let mut seen = 0;
    for (level, module) in LAYERS.iter().chain(LEAVES).enumerate() {
        let mut files = Vec::new();
        let dir = core.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(core.join(format!("{module}.rs")));
        }
        seen += files.len();
        for file in &files {
            for name in named_modules(&fs::read_to_string(file).unwrap()) {
                let allowed = name == *module
                    || LEAVES.contains(&name.as_str()) && !LEAVES.contains(module)
                    || LAYERS.iter().position(|l| *l == name).is_some_and(|l| l < level && level < LAYERS.len());
                if !allowed {
                    let rel = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display().to_string();
                    found.push(format!("{rel}: the {module} layer uses {name}"));
                }
            }
        }
    }
    let mut all = Vec::new();
    rust_files(&core, &mut all);
    // Every file is in some layer but the re-exports of `core/mod.rs`.
    assert_eq!(seen + 1, all.len(), "a module under src/core is in no layer: add it to LAYERS or LEAVES");
    assert!(found.is_empty(), "the core's layers are broken:\n{}", found.join("\n"));
}

#[test]
fn the_check_catches_what_it_looks_for() {
    assert!(code("use std::fs::File; // reads").contains("std::fs"));
    assert!(!code("// the core reads no std::fs").contains("std::fs"));
    assert_eq!(named_modules("use crate::core::catalog::{a, b}; x(crate::core::paths::slug)"), ["catalog", "paths"]);
}
