//! Reading a site from disk: the config files at its root and every post under
//! `content/` or `_posts/`, as `(path, bytes)` changes for the core.
//!
//! Never panics and never hangs: unreadable files, oversized files and symlink loops
//! become diagnostics.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILES;
use crate::diag::Diagnostic;
use rayon::prelude::*;

use crate::site::{Change, InputKind, input_kind};

/// Posts larger than this are skipped with an error: no blog post is 10 MiB of text.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Every input of the site at `root`, with problems found while reading.
pub fn load_site(root: &Path, skip: Option<&Path>) -> (Vec<Change>, Vec<Diagnostic>) {
    let mut changes = Vec::new();
    let mut diagnostics = Vec::new();
    for name in CONFIG_FILES {
        let path = root.join(name);
        if path.is_file()
            && let Some(bytes) = read(root, &path, &mut diagnostics)
        {
            changes.push(Change::Write(PathBuf::from(name), bytes));
        }
    }
    let mut seen = HashSet::new();
    let mut posts = Vec::new();
    for dir in ["content", "_posts"] {
        walk(root, &root.join(dir), skip, &mut seen, &mut posts, &mut diagnostics);
    }
    let (read, problems) = read_all(root, posts);
    changes.extend(read);
    diagnostics.extend(problems);
    (changes, diagnostics)
}

/// Read post files on every core.
fn read_all(root: &Path, paths: Vec<PathBuf>) -> (Vec<Change>, Vec<Diagnostic>) {
    let results: Vec<(Option<Change>, Vec<Diagnostic>)> = paths
        .into_par_iter()
        .map(|path| {
            let mut diagnostics = Vec::new();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let change = read(root, &path, &mut diagnostics).map(|bytes| Change::Write(rel, bytes));
            (change, diagnostics)
        })
        .collect();
    let mut changes = Vec::new();
    let mut diagnostics = Vec::new();
    for (change, problems) in results {
        changes.extend(change);
        diagnostics.extend(problems);
    }
    (changes, diagnostics)
}

/// Every post below the site folder `rel` (relative to `root`).
pub fn load_dir(root: &Path, rel: &Path, skip: Option<&Path>) -> (Vec<Change>, Vec<Diagnostic>) {
    let mut posts = Vec::new();
    let mut diagnostics = Vec::new();
    walk(root, &root.join(rel), skip, &mut HashSet::new(), &mut posts, &mut diagnostics);
    let (changes, problems) = read_all(root, posts);
    diagnostics.extend(problems);
    (changes, diagnostics)
}

/// Read one input file (relative `rel` under `root`) as a change: its bytes, or removal
/// when it is gone. `None` when it is not an input or cannot be read (with a diagnostic).
pub fn read_change(root: &Path, rel: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Change> {
    if input_kind(rel) == InputKind::Other {
        return None;
    }
    let path = root.join(rel);
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() => read(root, &path, diagnostics).map(|b| Change::Write(rel.to_path_buf(), b)),
        Ok(_) => None,
        Err(_) => Some(Change::Remove(rel.to_path_buf())),
    }
}

fn read(root: &Path, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    match fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            diagnostics.push(Diagnostic::error(
                rel,
                0,
                format!(
                    "file is {} MiB; posts over {} MiB are skipped",
                    meta.len() / (1024 * 1024),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
            return None;
        }
        Err(e) => {
            diagnostics.push(Diagnostic::error(rel, 0, format!("cannot read: {e}")));
            return None;
        }
        Ok(_) => {}
    }
    match fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            diagnostics.push(Diagnostic::error(rel, 0, format!("cannot read: {e}")));
            None
        }
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    skip: Option<&Path>,
    seen: &mut HashSet<PathBuf>,
    posts: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Ok(canonical) = fs::canonicalize(dir) else { return };
    if skip.is_some_and(|s| canonical == s) {
        return;
    }
    if !seen.insert(canonical) {
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        diagnostics.push(Diagnostic::warning(rel, 0, "folder reached twice (symlink loop?): skipped"));
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let rel = dir.strip_prefix(root).unwrap_or(dir);
            diagnostics.push(Diagnostic::error(rel, 0, format!("cannot read folder: {e}")));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, skip, seen, posts, diagnostics);
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if input_kind(rel) == InputKind::Post {
            posts.push(path);
        }
    }
}
