//! Writing feeds to `--out`: atomically (temporary file in the same folder, fsync,
//! rename), skipping files whose bytes did not change, and removing only files that
//! feedwright itself wrote (listed in a manifest).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

/// The manifest: one relative path per line, every file feedwright wrote in `--out`.
pub const MANIFEST: &str = ".feedwright-manifest";

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The files written or removed, in order.
    pub touched: Vec<String>,
}

/// Files written beside their targets by [`OutDir::stage`], waiting for [`OutDir::finish`].
#[derive(Debug, Default)]
pub struct Staged {
    /// Changed files (relative), each written to its temporary name.
    files: Vec<String>,
    /// Every file staged or found unchanged.
    names: BTreeSet<String>,
    unchanged: usize,
    /// Whether any staged file replaces one that exists.
    replaces: bool,
}

impl Staged {
    /// Delete every staged file (they were written under `root`).
    fn discard(&mut self, root: &Path) {
        for rel in self.files.drain(..) {
            let _ = fs::remove_file(temp_name(&root.join(rel)));
        }
    }
}

/// The output folder and what feedwright has written there.
pub struct OutDir {
    root: PathBuf,
    manifest: BTreeSet<String>,
}

impl OutDir {
    /// Open `root` (created on first write) and read its manifest.
    pub fn open(root: &Path) -> OutDir {
        let manifest = fs::read_to_string(root.join(MANIFEST))
            .map(|text| text.lines().filter(|l| is_safe(l)).map(str::to_string).collect())
            .unwrap_or_default();
        OutDir { root: root.to_path_buf(), manifest }
    }

    /// How many files feedwright manages here.
    pub fn manifest_len(&self) -> usize {
        self.manifest.len()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Make `--out` hold exactly `files` among the files feedwright manages.
    pub fn sync(&mut self, files: &BTreeMap<String, Vec<u8>>) -> io::Result<Written> {
        let mut staged = Staged::default();
        self.stage(&mut staged, files)?;
        self.finish(staged, None)
    }

    /// Write `files` and remove `remove` (only those feedwright wrote), then the manifest.
    pub fn update(&mut self, files: &BTreeMap<String, Vec<u8>>, remove: &[String]) -> io::Result<Written> {
        let mut staged = Staged::default();
        self.stage(&mut staged, files)?;
        self.finish(staged, Some(remove))
    }

    /// Write the files of `files` whose bytes changed beside their targets (temporary
    /// names), so that a large build can render and drop its output a part at a time.
    /// Nothing is published until [`OutDir::finish`]; on error, everything staged so far
    /// is deleted and `--out` is as it was.
    pub fn stage(&self, staged: &mut Staged, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
        let result = self.stage_part(staged, files);
        if result.is_err() {
            staged.discard(&self.root);
        }
        result
    }

    fn stage_part(&self, staged: &mut Staged, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
        if let Some(bad) = files.keys().find(|rel| !is_safe(rel)) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refusing to write outside --out: {bad}")));
        }
        staged.names.extend(files.keys().cloned());
        // Only files whose bytes differ are written, so unchanged files keep their mtime.
        let changed: Vec<(&String, &Vec<u8>, bool)> = files
            .par_iter()
            .filter_map(|(rel, bytes)| match fs::read(self.root.join(rel)) {
                Ok(old) if old == **bytes => None,
                Ok(_) => Some((rel, bytes, true)),
                Err(_) => Some((rel, bytes, false)),
            })
            .collect();
        staged.unchanged += files.len() - changed.len();
        let dirs: BTreeSet<&Path> = changed.iter().filter_map(|(rel, _, _)| Path::new(rel.as_str()).parent()).collect();
        for dir in dirs {
            fs::create_dir_all(self.root.join(dir))?;
        }
        let written: Vec<io::Result<(String, bool)>> = changed
            .par_iter()
            .map(|(rel, bytes, existed)| {
                fs::write(temp_name(&self.root.join(rel)), bytes)?;
                Ok(((*rel).clone(), *existed))
            })
            .collect();
        let mut failed = None;
        for result in written {
            match result {
                Ok((rel, existed)) => {
                    staged.replaces |= existed;
                    staged.files.push(rel);
                }
                Err(e) => failed = Some(e),
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Publish what was staged: made durable, renamed over the targets, then the renames
    /// made durable too. `remove`: files to delete (only those feedwright wrote), or `None`
    /// for "every managed file that was not staged". Then the manifest.
    ///
    /// Durability: one `syncfs` for a large batch, an fsync per file for a small one. A
    /// batch that replaces no file (a first build into an empty folder) is not forced to
    /// disk, as no static site generator does: a crash then can lose only files never
    /// published, and the next build writes them again.
    pub fn finish(&mut self, mut staged: Staged, remove: Option<&[String]>) -> io::Result<Written> {
        if let Err(e) = self.make_durable(&staged) {
            staged.discard(&self.root);
            return Err(e);
        }
        let mut done = Written::default();
        for rel in std::mem::take(&mut staged.files) {
            let path = self.root.join(&rel);
            fs::rename(temp_name(&path), &path)?;
            done.written += 1;
            done.touched.push(rel);
        }
        // And the renames themselves.
        if staged.replaces {
            if done.written < 8 {
                let dirs: BTreeSet<&Path> = done.touched.iter().filter_map(|r| Path::new(r).parent()).collect();
                for dir in dirs {
                    File::open(self.root.join(dir))?.sync_all()?;
                }
            } else {
                sync_filesystem(&self.root)?;
            }
        }
        done.unchanged = staged.unchanged;
        let stale: Vec<String> = match remove {
            Some(list) => list.to_vec(),
            None => self.manifest.iter().filter(|p| !staged.names.contains(*p)).cloned().collect(),
        };
        self.manifest.extend(staged.names.iter().cloned());
        for rel in &stale {
            if self.manifest.remove(rel) && !staged.names.contains(rel) {
                match fs::remove_file(self.root.join(rel)) {
                    Ok(()) => {
                        done.removed += 1;
                        done.touched.push(rel.clone());
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
                self.prune_empty_dirs(rel);
            }
        }
        if done.written > 0 || done.removed > 0 || !self.root.join(MANIFEST).exists() {
            let mut text = String::new();
            for rel in &self.manifest {
                text.push_str(rel);
                text.push('\n');
            }
            self.write_file(MANIFEST, text.as_bytes())?;
        }
        Ok(done)
    }

    /// Flush the staged files before they replace published ones.
    fn make_durable(&self, staged: &Staged) -> io::Result<()> {
        if !staged.replaces {
            return Ok(());
        }
        if staged.files.len() < 8 {
            for rel in &staged.files {
                File::open(temp_name(&self.root.join(rel)))?.sync_all()?;
            }
            return Ok(());
        }
        sync_filesystem(&self.root)
    }

    /// Write one file atomically unless it already holds `bytes`; true if written.
    fn write_file(&self, rel: &str, bytes: &[u8]) -> io::Result<bool> {
        let path = self.root.join(rel);
        if fs::read(&path).is_ok_and(|old| old == bytes) {
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        let tmp = temp_name(&path);
        let result = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&tmp, &path)?;
            // Make the rename itself durable.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(true)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn prune_empty_dirs(&self, rel: &str) {
        let mut dir = Path::new(rel).parent();
        while let Some(d) = dir {
            if d.as_os_str().is_empty() || fs::remove_dir(self.root.join(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}

/// The temporary file a new version of `path` is written to first (same folder).
fn temp_name(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Flush every file written so far on the file system holding `dir` (one call for a
/// whole batch, instead of one fsync per file).
fn sync_filesystem(dir: &Path) -> io::Result<()> {
    let d = File::open(dir)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs on a file descriptor we own and keep open for the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
        Err(io::Error::last_os_error())
    }
    #[cfg(not(target_os = "linux"))]
    {
        drop(d);
        // Without syncfs, fall back to the whole system's sync.
        std::process::Command::new("sync").status().map(|_| ())
    }
}

/// A relative path of plain names only: nothing can climb out of `--out`.
fn is_safe(rel: &str) -> bool {
    !rel.is_empty() && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_))) && !rel.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())).collect()
    }

    #[test]
    fn writes_skips_unchanged_and_removes_only_its_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("foreign.html"), "keep me").unwrap();
        let mut out = OutDir::open(tmp.path());
        let first = out.sync(&files(&[("index.xml", "a"), ("tags/x/index.xml", "b")])).unwrap();
        assert_eq!((first.written, first.unchanged, first.removed), (2, 0, 0));
        let mut out = OutDir::open(tmp.path());
        let second = out.sync(&files(&[("index.xml", "a")])).unwrap();
        assert_eq!((second.written, second.unchanged, second.removed), (0, 1, 1));
        assert_eq!(second.touched, ["tags/x/index.xml"]);
        assert!(!tmp.path().join("tags").exists());
        assert_eq!(fs::read_to_string(tmp.path().join("foreign.html")).unwrap(), "keep me");
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_write_in_parts_publishes_nothing_until_finished_and_nothing_if_a_part_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(tmp.path());
        out.sync(&files(&[("index.xml", "old"), ("gone.xml", "x")])).unwrap();
        let mut staged = Staged::default();
        out.stage(&mut staged, &files(&[("index.xml", "new")])).unwrap();
        out.stage(&mut staged, &files(&[("tags/a/index.xml", "a")])).unwrap();
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "old");
        let done = out.finish(staged, None).unwrap();
        assert_eq!((done.written, done.removed), (2, 1));
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "new");
        assert!(!tmp.path().join("gone.xml").exists());

        // A part that cannot be written (a folder where a file is) undoes the parts before.
        let mut staged = Staged::default();
        out.stage(&mut staged, &files(&[("index.xml", "newer")])).unwrap();
        assert!(out.stage(&mut staged, &files(&[("index.xml/x.xml", "bad")])).is_err());
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "new");
        let leftovers = fs::read_dir(tmp.path()).unwrap().filter_map(|e| e.ok());
        assert!(leftovers.filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count() == 0);
    }

    #[test]
    fn refuses_paths_outside_out() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(tmp.path());
        assert!(out.sync(&files(&[("../evil", "x")])).is_err());
        assert!(!is_safe("/etc/passwd") && !is_safe("a/../../b") && is_safe("tags/c/index.xml"));
    }
}
