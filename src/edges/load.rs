//! Reading a site from disk: the config files at its root and every post under
//! `content/` or `_posts/`, as `(path, bytes)` changes for the core.
//!
//! Never panics and never hangs: unreadable files, oversized files and symlink loops
//! become diagnostics.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::core::diag::Diagnostic;
use crate::core::input::classify::{InputKind, input_kind};
use crate::core::input::config::CONFIG_FILES;
use crate::core::input::ids::PINS_FILE;
use crate::core::render::PostFiles;
use crate::core::site::Change;

/// Posts larger than this are skipped with an error: no blog post is 10 MiB of text.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// What a site folder holds: its config files (read) and its post files (found, not
/// yet read: they are read and parsed in one pass on every core, so that a large site
/// never holds every post's bytes at once).
#[derive(Debug, Default)]
pub struct Found {
    pub configs: Vec<Change>,
    /// Post files, relative to the site root, sorted.
    pub posts: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Every input of the site at `root` (skipping the folder `skip`, the output).
pub fn find_site(root: &Path, skip: Option<&Path>) -> Found {
    let mut found = Found::default();
    for name in CONFIG_FILES.iter().chain([&PINS_FILE]) {
        let path = root.join(name);
        if path.is_file()
            && let Some(bytes) = read_file(root, &path, &mut found.diagnostics)
        {
            found.configs.push(Change::Write(PathBuf::from(name), bytes));
        }
    }
    let mut seen = HashSet::new();
    for dir in ["content", "_posts"] {
        walk(root, &root.join(dir), skip, &mut seen, &mut found.posts, &mut found.diagnostics);
    }
    if !root.join("content").is_dir() && !root.join("_posts").is_dir() {
        found.diagnostics.push(Diagnostic::warning(
            "content",
            0,
            "no `content/` or `_posts/` folder: the site has no posts (Hugo keeps them in content/, Jekyll in _posts/)",
        ));
    }
    found
}

/// Every post below the site folder `rel` (relative to `root`).
pub fn find_dir(root: &Path, rel: &Path, skip: Option<&Path>) -> Found {
    let mut found = Found::default();
    walk(root, &root.join(rel), skip, &mut HashSet::new(), &mut found.posts, &mut found.diagnostics);
    found
}

/// The post files of a site folder, read again when the core asks for a body.
struct SiteFiles {
    root: PathBuf,
}

impl PostFiles for SiteFiles {
    fn read(&self, rel: &Path) -> Option<Vec<u8>> {
        read_file(&self.root, &self.root.join(rel), &mut Vec::new())
    }

    fn size(&self, rel: &Path) -> Option<u64> {
        fs::metadata(self.root.join(rel)).ok().filter(|m| m.is_file()).map(|m| m.len())
    }
}

/// The core's way back to the post files of the site at `root`.
pub fn post_files(root: &Path) -> Arc<dyn PostFiles> {
    Arc::new(SiteFiles { root: root.to_path_buf() })
}

/// Read one input file (relative `rel` under `root`) as a change: its bytes, or removal
/// when it is gone. `None` when it is not an input or cannot be read (with a diagnostic).
pub fn read_change(root: &Path, rel: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Change> {
    if input_kind(rel) == InputKind::Other {
        return None;
    }
    let path = root.join(rel);
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() => read_file(root, &path, diagnostics).map(|b| Change::Write(rel.to_path_buf(), b)),
        Ok(_) => None,
        Err(_) => Some(Change::Remove(rel.to_path_buf())),
    }
}

fn read_file(root: &Path, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    read_file_into(root, path, diagnostics, &mut bytes).map(|_| bytes)
}

/// Read a post file into `buffer` (cleared first; its capacity reused): a whole build
/// reads every post through one buffer per thread, not one allocation per file. The
/// file as `stat` saw it when it was opened, when it was read.
pub fn read_post_into(
    root: &Path,
    rel: &Path,
    diagnostics: &mut Vec<Diagnostic>,
    buffer: &mut Vec<u8>,
) -> Option<Stat> {
    read_file_into(root, &root.join(rel), diagnostics, buffer)
}

fn read_file_into(root: &Path, path: &Path, diagnostics: &mut Vec<Diagnostic>, bytes: &mut Vec<u8>) -> Option<Stat> {
    bytes.clear();
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut cannot = |e: io::Error| diagnostics.push(Diagnostic::error(rel, 0, format!("cannot read: {e}")));
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => {
            cannot(e);
            return None;
        }
    };
    let (len, stat) = match file.metadata() {
        Ok(meta) => (meta.len(), Stat::of(&meta)),
        Err(e) => {
            cannot(e);
            return None;
        }
    };
    if len > MAX_FILE_BYTES {
        diagnostics.push(Diagnostic::error(
            rel,
            0,
            format!(
                "file is {} MiB; posts over {} MiB are skipped",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
        return None;
    }
    // One byte more than the size, so a file that grew while being read is read whole.
    bytes.reserve(len as usize + 1);
    match (&mut file).take(MAX_FILE_BYTES + 1).read_to_end(bytes) {
        Ok(_) if bytes.len() as u64 > MAX_FILE_BYTES => {
            diagnostics.push(Diagnostic::error(rel, 0, "file grew past the size limit while being read: skipped"));
            None
        }
        Ok(_) => Some(stat),
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
    // The entry's own type needs no `stat`; a symlink is followed to see what it names.
    let mut entries: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let kind = e.file_type().ok()?;
            let is_dir = if kind.is_symlink() { e.path().is_dir() } else { kind.is_dir() };
            Some((e.path(), is_dir))
        })
        .collect();
    // By name as bytes: the order of `Path`'s own comparison (the entries share their
    // folder), without splitting every path into components.
    entries.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    for (path, is_dir) in entries {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if is_dir {
            walk(root, &path, skip, seen, posts, diagnostics);
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if input_kind(rel) == InputKind::Post {
            posts.push(rel.to_path_buf());
        }
    }
}

/// A file as `stat` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stat {
    pub(crate) size: u64,
    pub(crate) mtime_ns: i128,
    pub(crate) inode: u64,
}

impl Stat {
    pub(crate) fn of(meta: &fs::Metadata) -> Stat {
        let mtime_ns = match meta.modified().map(|m| m.duration_since(std::time::SystemTime::UNIX_EPOCH)) {
            Ok(Ok(d)) => d.as_nanos() as i128,
            Ok(Err(e)) => -(e.duration().as_nanos() as i128),
            Err(_) => 0,
        };
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Stat { size: meta.len(), mtime_ns, inode }
    }
}

pub(crate) fn stat(path: &Path) -> Option<Stat> {
    fs::metadata(path).ok().map(|meta| Stat::of(&meta))
}

/// `stat` of every file `rels` names under `root`, on every core, each relative to its
/// open folder (no path walk per file).
pub(crate) fn stat_all(root: &Path, rels: &[PathBuf]) -> Vec<Option<Stat>> {
    use rayon::prelude::*;
    let folders: std::collections::HashMap<&Path, Option<fs::File>> = rels
        .iter()
        .filter_map(|rel| rel.parent())
        .collect::<std::collections::BTreeSet<&Path>>()
        .into_iter()
        .map(|dir| (dir, fs::File::open(root.join(dir)).ok()))
        .collect();
    rels.par_iter()
        .map(|rel| {
            let folder = rel.parent().and_then(|d| folders.get(d)).and_then(Option::as_ref);
            match (folder, rel.file_name()) {
                (Some(dir), Some(name)) if cfg!(unix) => stat_in(dir, name),
                _ => stat(&root.join(rel)),
            }
        })
        .collect()
}

/// `stat` of the file `name` in the open folder `dir` (what [`stat`] gives for its path).
pub(crate) fn stat_in(dir: &fs::File, name: &std::ffi::OsStr) -> Option<Stat> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::CString::new(name.as_bytes()).ok()?;
        // SAFETY: fstatat on a folder we hold open, a NUL-terminated name, and a stat
        // buffer it fills (zeroed, as plain data).
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstatat(dir.as_raw_fd(), name.as_ptr(), &mut st, 0) } != 0 {
            return None;
        }
        if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
            return None;
        }
        let mtime_ns = st.st_mtime as i128 * 1_000_000_000 + st.st_mtime_nsec as i128;
        Some(Stat { size: st.st_size as u64, mtime_ns, inode: st.st_ino })
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, name);
        None
    }
}
