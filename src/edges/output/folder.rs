//! Writing feeds to a folder: atomically, skipping files whose bytes did not change, and
//! removing only files that feedwright itself wrote (listed in a manifest).
//!
//! A batch of files is published in three steps, so that a crash at any instant — even
//! `kill -9` — loses nothing already published and leaves nothing the next run cannot
//! finish or undo:
//! 1. `begin`: the manifest is rewritten *before* any new file exists, listing the old
//!    files and the new ones, marked pending (write-ahead);
//! 2. `stage`: changed files are written to `.feedwright-tmp/` inside `--out` (the same
//!    file system), their folders created;
//! 3. `finish`: staged files are made durable and renamed over their targets, files no
//!    longer wanted are removed, and the published ids (when they changed) and the
//!    manifest are written as they now are.
//!
//! The next run clears `.feedwright-tmp/`, and removes whatever the manifest lists that
//! the new build does not make — including a file published just before a crash.
//!
//! (Long with its tests: the three steps share their invariants and are tested together.)

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::disk::{at, failpoint, modified, sync_filesystem};
use super::manifest::{self, Ids, MANIFEST, Stamp, content_tag, legacy_temp_target};
use super::{Destination, IdsRecord, Written, is_safe, no_batch};
use crate::core::{Files, Site};

/// Where changed files wait to be renamed into place.
pub const STAGING: &str = ".feedwright-tmp";

/// A batch under way: files staged by [`OutDir::stage`], waiting for [`OutDir::finish`].
#[derive(Debug, Default)]
pub struct Batch {
    /// Changed files (relative) and their staged names.
    files: Vec<(String, PathBuf)>,
    /// Every file staged or found unchanged, with the hash of its bytes (and, for a file
    /// found unchanged, when it was written, if the manifest did not know).
    names: BTreeMap<String, (u128, Option<u64>)>,
    unchanged: usize,
    /// Whether any staged file replaces one that exists.
    replaces: bool,
    /// Folders made for staged files, to remove again if the batch is abandoned.
    made_dirs: Vec<PathBuf>,
    /// The manifest's bytes before `begin` wrote ahead (`Some(None)`: there was none).
    manifest_before: Option<Option<Vec<u8>>>,
    /// `begin` made `--out` itself.
    made_root: bool,
}

/// The output folder and what feedwright has written there.
pub struct OutDir {
    root: PathBuf,
    manifest: BTreeMap<String, Stamp>,
    /// The ids published, by post file; changed until `IDS_FILE` holds them.
    ids: IdsRecord,
    /// The last run stopped between `begin` and `finish`.
    interrupted: bool,
    /// Written by a version that named temporary files `.NAME.PID.tmp` beside targets.
    legacy: bool,
    lock: Option<File>,
    /// The batch under way through [`Destination`].
    batch: Option<Batch>,
}

impl OutDir {
    /// Open `root` and read its manifest; nothing is created or locked until a write.
    pub fn open(root: &Path) -> OutDir {
        let read = manifest::read(root);
        OutDir {
            root: root.to_path_buf(),
            manifest: read.files,
            ids: IdsRecord::new(read.ids, read.ids_in_manifest),
            interrupted: read.interrupted,
            legacy: read.legacy,
            lock: None,
            batch: None,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Start a batch that will write (some of) `targets`: lock `--out`, clear what an
    /// interrupted run left, and make the manifest know every target before it exists.
    pub fn open_batch<'t>(&mut self, targets: impl IntoIterator<Item = &'t String>) -> io::Result<Batch> {
        let made_root = !self.root.exists();
        fs::create_dir_all(&self.root).map_err(|e| at(&self.root, e))?;
        self.lock()?;
        // The folder is about to change: a build must not stop at the inputs' record.
        let _ = fs::remove_file(self.root.join(super::INPUTS_FILE));
        self.recover()?;
        let mut known = self.manifest.clone();
        let before = known.len();
        let mut batch = Batch { made_root, ..Batch::default() };
        for target in targets {
            if !is_safe(target) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("refusing to write outside --out: {target}"),
                ));
            }
            if !known.contains_key(target) {
                known.insert(target.clone(), Stamp::default());
            }
        }
        if known.len() != before {
            batch.manifest_before = Some(fs::read(self.root.join(MANIFEST)).ok());
            manifest::write(&self.root, &known, true)?;
            self.interrupted = true;
            self.manifest = known;
        }
        Ok(batch)
    }

    /// Give a batch up: nothing it staged is published, and `--out` is as it was before
    /// `open_batch` (its manifest too).
    pub fn abandon_batch(&mut self, mut batch: Batch) -> io::Result<()> {
        self.discard(&mut batch);
        if let Some(before) = batch.manifest_before.take() {
            let path = self.root.join(MANIFEST);
            match before {
                Some(bytes) => fs::write(&path, bytes).map_err(|e| at(&path, e))?,
                None => fs::remove_file(&path).map_err(|e| at(&path, e))?,
            }
            *self = OutDir { lock: self.lock.take(), ..OutDir::open(&self.root) };
        }
        if batch.made_root {
            let _ = fs::remove_dir(&self.root);
        }
        Ok(())
    }

    /// Take the lock on `--out` — an flock on the folder itself, so no file is added —
    /// kept until this `OutDir` is dropped: two processes never write one folder at once.
    fn lock(&mut self) -> io::Result<()> {
        if self.lock.is_some() {
            return Ok(());
        }
        let file = File::open(&self.root).map_err(|e| at(&self.root, e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor we own, kept open with the lock.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("{}: another feedwright is writing to this folder", self.root.display()),
                ));
            }
        }
        self.lock = Some(file);
        Ok(())
    }

    /// Remove what a run killed mid-batch left: its staged files, and (from versions that
    /// wrote temporary files beside their targets) `.NAME.PID.tmp` files.
    fn recover(&mut self) -> io::Result<()> {
        let staging = self.root.join(STAGING);
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| at(&staging, e))?;
        }
        if self.legacy || self.interrupted {
            let dirs: BTreeSet<PathBuf> =
                self.manifest.keys().filter_map(|rel| self.root.join(rel).parent().map(Path::to_path_buf)).collect();
            for dir in dirs {
                let Ok(entries) = fs::read_dir(&dir) else { continue };
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let rel = entry.path().strip_prefix(&self.root).map(|p| p.to_string_lossy().into_owned());
                    if let (Some(target), Ok(_)) = (legacy_temp_target(&name), rel) {
                        let target_rel = dir.join(target);
                        let known = target_rel.strip_prefix(&self.root).is_ok_and(|t| {
                            self.manifest.contains_key(&*t.to_string_lossy()) || t == Path::new(MANIFEST)
                        });
                        if known {
                            let _ = fs::remove_file(entry.path());
                        }
                    }
                }
            }
            self.legacy = false;
        }
        Ok(())
    }

    /// Stage the files of `files` whose bytes changed (their folders created), so that a
    /// large build can render and drop its output a part at a time. Nothing is published
    /// until [`OutDir::finish_batch`]; on error, everything staged so far is deleted and
    /// `--out` is as it was.
    pub fn stage_batch(&self, batch: &mut Batch, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
        let result = self.stage_part(batch, files);
        if result.is_err() {
            self.discard(batch);
        }
        result
    }

    fn stage_part(&self, batch: &mut Batch, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
        if let Some(bad) = files.keys().find(|rel| !is_safe(rel) || !self.manifest.contains_key(*rel)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not staged: {bad} is outside --out or was not announced by open_batch"),
            ));
        }
        // Only files whose bytes differ are written, so unchanged files keep their mtime.
        let looked: Vec<Looked> = files
            .par_iter()
            .map(|(rel, bytes)| {
                let hash = content_tag(bytes);
                let path = self.root.join(rel);
                let state = match fs::read(&path) {
                    Ok(old) if old == **bytes => State::Same(self.manifest[rel].since.or_else(|| modified(&path))),
                    Ok(_) => State::Differs,
                    Err(_) => State::New,
                };
                Looked { rel, bytes, hash, state }
            })
            .collect();
        let mut changed: Vec<(&String, &Vec<u8>, bool)> = Vec::new();
        for Looked { rel, bytes, hash, state } in looked {
            match state {
                State::Same(since) => {
                    batch.names.insert(rel.clone(), (hash, since));
                    batch.unchanged += 1;
                }
                State::Differs | State::New => {
                    batch.names.insert(rel.clone(), (hash, None));
                    changed.push((rel, bytes, matches!(state, State::Differs)));
                }
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        let staging = self.root.join(STAGING);
        fs::create_dir_all(&staging).map_err(|e| at(&staging, e))?;
        let dirs: BTreeSet<&Path> = changed.iter().filter_map(|(rel, _, _)| Path::new(rel.as_str()).parent()).collect();
        for dir in dirs {
            let path = self.root.join(dir);
            if !path.is_dir() {
                // Its ancestors first, so that each folder made is known.
                let mut missing: Vec<PathBuf> =
                    path.ancestors().take_while(|a| !a.exists()).map(Path::to_path_buf).collect();
                missing.reverse();
                for folder in missing {
                    fs::create_dir(&folder).map_err(|e| at(&folder, e))?;
                    batch.made_dirs.push(folder);
                }
                if !path.is_dir() {
                    let e = io::Error::new(io::ErrorKind::AlreadyExists, "a file stands where this folder must be");
                    return Err(at(&path, e));
                }
            }
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let written: Vec<io::Result<(String, PathBuf, bool)>> = changed
            .par_iter()
            .map(|(rel, bytes, existed)| {
                let temp = staging.join(format!("{}.tmp", NEXT.fetch_add(1, Ordering::Relaxed)));
                fs::write(&temp, bytes).map_err(|e| at(&self.root.join(rel), e))?;
                Ok(((*rel).clone(), temp, *existed))
            })
            .collect();
        let mut failed = None;
        for result in written {
            match result {
                Ok((rel, temp, existed)) => {
                    batch.replaces |= existed;
                    batch.files.push((rel, temp));
                }
                Err(e) => failed = Some(e),
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Delete every staged file of `batch` and the folders made for them.
    fn discard(&self, batch: &mut Batch) {
        for (_, temp) in batch.files.drain(..) {
            let _ = fs::remove_file(temp);
        }
        let _ = fs::remove_dir(self.root.join(STAGING));
        for dir in batch.made_dirs.drain(..).rev() {
            let _ = fs::remove_dir(dir);
        }
    }

    /// Publish what was staged: made durable, renamed over the targets, then the renames
    /// made durable too. `remove`: files to delete (only those feedwright wrote), or `None`
    /// for "every managed file that was not staged". Then the manifest.
    ///
    /// Durability: one `syncfs` for a large batch, an fsync per file for a small one. A
    /// batch that replaces no file (a first build into an empty folder) is not forced to
    /// disk, as no static site generator does: a crash then can lose only files never
    /// published, and the next build writes them again.
    pub fn finish_batch(&mut self, mut batch: Batch, remove: Option<&[String]>) -> io::Result<Written> {
        if let Err(e) = self.make_durable(&batch) {
            self.discard(&mut batch);
            return Err(e);
        }
        failpoint("staged");
        let mut done = Written::default();
        for (rel, temp) in std::mem::take(&mut batch.files) {
            let path = self.root.join(&rel);
            fs::rename(&temp, &path).map_err(|e| at(&path, e))?;
            done.written += 1;
            failpoint("renamed");
            done.changed.push(rel);
        }
        let _ = fs::remove_dir(self.root.join(STAGING));
        // And the renames themselves.
        if batch.replaces {
            if done.written < 8 {
                let dirs: BTreeSet<&Path> = done.changed.iter().filter_map(|r| Path::new(r).parent()).collect();
                for dir in dirs {
                    let path = self.root.join(dir);
                    File::open(&path).and_then(|d| d.sync_all()).map_err(|e| at(&path, e))?;
                }
            } else {
                sync_filesystem(&self.root)?;
            }
        }
        done.unchanged = batch.unchanged;
        let stale: Vec<String> = match remove {
            Some(list) => list.iter().filter(|r| !batch.names.contains_key(*r)).cloned().collect(),
            None => self.manifest.keys().filter(|p| !batch.names.contains_key(*p)).cloned().collect(),
        };
        let mut manifest = self.manifest.clone();
        let now = manifest::now();
        for (rel, (hash, since)) in &batch.names {
            manifest.entry(rel.clone()).or_default().restamp(*hash, *since, now);
        }
        for rel in &stale {
            if manifest.remove(rel).is_some() {
                let path = self.root.join(rel);
                match fs::remove_file(&path) {
                    Ok(()) => {
                        done.removed += 1;
                        done.changed.push(rel.clone());
                        done.gone.push(rel.clone());
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(at(&path, e)),
                }
                self.prune_empty_dirs(rel);
            }
        }
        if self.ids.changed {
            manifest::write_ids(&self.root, &self.ids.ids)?;
            self.ids.changed = false;
        }
        if manifest != self.manifest || self.interrupted || !self.root.join(MANIFEST).exists() {
            manifest::write(&self.root, &manifest, false)?;
            self.manifest = manifest;
            self.interrupted = false;
        }
        Ok(done)
    }

    /// Flush the staged files before they replace published ones.
    fn make_durable(&self, batch: &Batch) -> io::Result<()> {
        if !batch.replaces {
            return Ok(());
        }
        if batch.files.len() < 8 {
            for (_, temp) in &batch.files {
                File::open(temp).and_then(|f| f.sync_all()).map_err(|e| at(temp, e))?;
            }
            return Ok(());
        }
        sync_filesystem(&self.root)
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

impl Destination for OutDir {
    fn is_live(&self) -> bool {
        false
    }

    fn ids(&self) -> &Ids {
        &self.ids.ids
    }

    fn record_ids(&mut self, site: &Site) {
        self.ids.record(site);
    }

    fn ids_pending(&self) -> bool {
        self.ids.changed
    }

    fn stamp(&self, rel: &str) -> Option<Stamp> {
        self.manifest.get(rel).copied()
    }

    fn published(&self) -> Vec<String> {
        self.manifest.keys().cloned().collect()
    }

    fn begin(&mut self, targets: &[String], _max_age: u64) -> io::Result<()> {
        if let Some(old) = self.batch.take() {
            self.abandon_batch(old)?;
        }
        self.batch = Some(self.open_batch(targets)?);
        Ok(())
    }

    fn stage(&mut self, files: &Files) -> io::Result<()> {
        let mut batch = self.batch.take().ok_or_else(no_batch)?;
        let staged = self.stage_batch(&mut batch, files);
        self.batch = Some(batch);
        staged
    }

    fn finish(&mut self, remove: Option<&[String]>) -> io::Result<Written> {
        let batch = self.batch.take().ok_or_else(no_batch)?;
        self.finish_batch(batch, remove)
    }

    fn abandon(&mut self) -> io::Result<()> {
        match self.batch.take() {
            Some(batch) => self.abandon_batch(batch),
            None => Ok(()),
        }
    }
}

/// A file to stage, compared with what `--out` holds.
struct Looked<'a> {
    rel: &'a String,
    bytes: &'a Vec<u8>,
    hash: u128,
    state: State,
}

enum State {
    /// The same bytes are there (written at this Unix second, if known).
    Same(Option<u64>),
    Differs,
    New,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edges::output::Destination;
    use crate::edges::output::manifest::{HEADER, IDS_FILE, PENDING};

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())).collect()
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") || name == STAGING {
                found.push(name);
            }
        }
        found
    }

    #[test]
    fn writes_skips_unchanged_and_removes_only_its_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("foreign.html"), "keep me").unwrap();
        let mut out = OutDir::open(tmp.path());
        let first = out.replace(&files(&[("index.xml", "a"), ("tags/x/index.xml", "b")]), 0).unwrap();
        assert_eq!((first.written, first.unchanged, first.removed), (2, 0, 0));
        drop(out);
        let mut out = OutDir::open(tmp.path());
        let second = out.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        assert_eq!((second.written, second.unchanged, second.removed), (0, 1, 1));
        assert_eq!(second.changed, ["tags/x/index.xml"]);
        assert!(!tmp.path().join("tags").exists());
        assert_eq!(fs::read_to_string(tmp.path().join("foreign.html")).unwrap(), "keep me");
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[test]
    fn a_write_in_parts_publishes_nothing_until_finished_and_nothing_if_a_part_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(tmp.path());
        out.replace(&files(&[("index.xml", "old"), ("gone.xml", "x")]), 0).unwrap();
        let all = files(&[("index.xml", "new"), ("tags/a/index.xml", "a")]);
        let mut batch = out.open_batch(all.keys()).unwrap();
        out.stage_batch(&mut batch, &files(&[("index.xml", "new")])).unwrap();
        out.stage_batch(&mut batch, &files(&[("tags/a/index.xml", "a")])).unwrap();
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "old");
        let done = out.finish_batch(batch, None).unwrap();
        assert_eq!((done.written, done.removed), (2, 1));
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "new");
        assert!(!tmp.path().join("gone.xml").exists());

        // A part that cannot be written (a folder where a file is) undoes the parts before.
        let bad = files(&[("index.xml", "newer"), ("index.xml/x.xml", "bad")]);
        let mut batch = out.open_batch(bad.keys()).unwrap();
        out.stage_batch(&mut batch, &files(&[("index.xml", "newer")])).unwrap();
        let err = out.stage_batch(&mut batch, &files(&[("index.xml/x.xml", "bad")])).unwrap_err();
        assert!(err.to_string().contains("index.xml"), "{err}");
        assert_eq!(fs::read_to_string(tmp.path().join("index.xml")).unwrap(), "new");
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[test]
    fn the_manifest_knows_a_file_before_it_is_published() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(tmp.path());
        out.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        let _batch = out.open_batch(files(&[("index.xml", "a"), ("tags/new/index.xml", "n")]).keys()).unwrap();
        let written = fs::read_to_string(tmp.path().join(MANIFEST)).unwrap();
        assert!(written.contains("tags/new/index.xml") && written.contains(PENDING), "{written}");
        // A run that stops here is finished by the next: the new file is known, and goes.
        let mut next = OutDir::open(tmp.path());
        drop(out);
        next.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        let after = fs::read_to_string(tmp.path().join(MANIFEST)).unwrap();
        let since = next.stamp("index.xml").unwrap().since.unwrap();
        assert_eq!(after, format!("{HEADER}\nindex.xml\t{:032x}\t{since}\n", content_tag(b"a")));
    }

    #[test]
    fn leftovers_of_an_older_version_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("tags/x")).unwrap();
        fs::write(tmp.path().join(MANIFEST), "index.xml\ntags/x/index.xml\n").unwrap();
        for name in [".index.xml.123.tmp", "tags/x/.index.xml.99.tmp", ".mine.123.tmp"] {
            fs::write(tmp.path().join(name), "x").unwrap();
        }
        let mut out = OutDir::open(tmp.path());
        out.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        assert!(!tmp.path().join(".index.xml.123.tmp").exists());
        assert!(!tmp.path().join("tags").exists());
        assert!(tmp.path().join(".mine.123.tmp").exists(), "a file feedwright never wrote stays");
    }

    #[test]
    fn ids_a_manifest_held_move_to_their_own_file() {
        let tmp = tempfile::tempdir().unwrap();
        let old = format!("{HEADER}\nindex.xml\n# ids\ncontent/post/a.md\thttp://ex.org/?p=1\n");
        fs::write(tmp.path().join(MANIFEST), old).unwrap();
        let mut out = OutDir::open(tmp.path());
        out.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        assert_eq!(fs::read_to_string(tmp.path().join(IDS_FILE)).unwrap(), "content/post/a.md\thttp://ex.org/?p=1\n");
        assert!(!fs::read_to_string(tmp.path().join(MANIFEST)).unwrap().contains("# ids"));
        let again = OutDir::open(tmp.path());
        assert_eq!(again.ids().get(Path::new("content/post/a.md")).map(String::as_str), Some("http://ex.org/?p=1"));
    }

    #[test]
    fn one_writer_at_a_time() {
        let tmp = tempfile::tempdir().unwrap();
        let mut first = OutDir::open(tmp.path());
        first.replace(&files(&[("index.xml", "a")]), 0).unwrap();
        let mut second = OutDir::open(tmp.path());
        let err = second.replace(&files(&[("index.xml", "b")]), 0).unwrap_err();
        assert!(err.to_string().contains("another feedwright"), "{err}");
    }

    #[test]
    fn refuses_paths_outside_out() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(tmp.path());
        assert!(out.replace(&files(&[("../evil", "x")]), 0).is_err());
        assert!(!is_safe("/etc/passwd") && !is_safe("a/../../b") && is_safe("tags/c/index.xml"));
        assert!(!is_safe(MANIFEST) && !is_safe(IDS_FILE) && !is_safe(".feedwright-tmp/1.tmp"));
    }
}
