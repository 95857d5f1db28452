//! The manifest: every file feedwright wrote in `--out`, one per line — its path, a hash
//! of its bytes and when those bytes were first written — so that feedwright removes only
//! its own files, dates each file's bytes, and can finish or undo a run killed midway (a
//! `# pending` line marks a batch under way).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::disk::at;
use super::is_safe;

/// The manifest: every file feedwright wrote in `--out`, one per line: its path, a hash
/// of its bytes ([`content_tag`]) and when those bytes were first written (Unix seconds).
pub const MANIFEST: &str = ".feedwright-manifest";
/// The ids the last build published: one line per post, its file and the id. Apart from
/// the manifest, which every write replaces, because it is large (50,000 posts: 6 MB)
/// and changes only when a post comes, goes or changes id.
pub const IDS_FILE: &str = ".feedwright-ids";
pub(super) const HEADER: &str = "# feedwright manifest 2";
pub(super) const PENDING: &str = "# pending";

/// What the manifest knows of one file: a hash of its bytes and when they were first
/// written (both unknown for a file announced but not yet written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    pub hash: Option<u128>,
    pub since: Option<u64>,
}

impl Stamp {
    /// Record `hash` as this file's bytes: when they are new, dated `since` (when they were
    /// found on disk) or `now` — and always after the bytes they replace, to the second
    /// (readers compare `Last-Modified` at that resolution).
    pub(super) fn restamp(&mut self, hash: u128, since: Option<u64>, now: u64) {
        if self.hash != Some(hash) || self.since.is_none() {
            let after = self.since.map_or(0, |s| s + 1);
            *self = Stamp { hash: Some(hash), since: Some(since.unwrap_or(now).max(after)) };
        }
    }
}

/// Now, in Unix seconds.
pub(super) fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The hash the manifest keeps of a file's bytes (XXH3-128): the same on every machine,
/// so two servers of one site agree on it (it is `serve`'s ETag too).
pub fn content_tag(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// In manifests before `IDS_FILE`, the line after which each line is a post's file and
/// the id the build published.
const IDS: &str = "# ids";

/// Post file → the id the last build published for it.
pub type Ids = BTreeMap<PathBuf, String>;

/// What a manifest says.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub files: BTreeMap<String, Stamp>,
    pub ids: Ids,
    /// The ids came from the manifest, not `IDS_FILE` (a version before it wrote them).
    pub ids_in_manifest: bool,
    /// A batch was under way when the run stopped.
    pub interrupted: bool,
    /// An older version wrote it (temporary files beside their targets).
    pub legacy: bool,
}

/// The manifest in `root` (empty when there is none).
pub(super) fn read(root: &Path) -> Manifest {
    let text = fs::read_to_string(root.join(MANIFEST)).unwrap_or_default();
    let ids = fs::read_to_string(root.join(IDS_FILE)).ok();
    parse(&text, ids.as_deref())
}

/// A manifest's text, and the text of `IDS_FILE` beside it if there is one.
pub(super) fn parse(text: &str, ids_text: Option<&str>) -> Manifest {
    let (files, old_ids) = text.split_once(&format!("\n{IDS}\n")).unwrap_or((text, ""));
    let ids = ids_text.unwrap_or(old_ids);
    Manifest {
        files: files.lines().filter(|l| !l.starts_with('#')).filter_map(parse_line).collect(),
        ids: ids.lines().filter_map(|l| l.split_once('\t')).map(|(p, id)| (PathBuf::from(p), id.to_string())).collect(),
        ids_in_manifest: ids_text.is_none() && !old_ids.is_empty(),
        interrupted: files.lines().any(|l| l == PENDING),
        legacy: !text.is_empty() && !text.starts_with(HEADER),
    }
}

/// Write `IDS_FILE` atomically and durably.
pub(super) fn write_ids(root: &Path, ids: &Ids) -> io::Result<()> {
    replace(root, IDS_FILE, ids_text(ids).as_bytes())
}

/// The text of `IDS_FILE`: a post's file and its id per line.
pub(super) fn ids_text(ids: &Ids) -> String {
    let mut text = String::new();
    for (post, id) in ids {
        text.push_str(&post.to_string_lossy());
        text.push('\t');
        text.push_str(id);
        text.push('\n');
    }
    text
}

/// Write the manifest atomically and durably; `pending` marks a batch under way.
pub(super) fn write(root: &Path, files: &BTreeMap<String, Stamp>, pending: bool) -> io::Result<()> {
    replace(root, MANIFEST, text(files, pending).as_bytes())
}

/// The manifest's text; `pending` marks a batch under way.
pub(super) fn text(files: &BTreeMap<String, Stamp>, pending: bool) -> String {
    let mut text = format!("{HEADER}\n");
    if pending {
        text.push_str(PENDING);
        text.push('\n');
    }
    for (rel, stamp) in files {
        text.push_str(rel);
        if let (Some(hash), Some(since)) = (stamp.hash, stamp.since) {
            text.push_str(&format!("\t{hash:032x}\t{since}"));
        }
        text.push('\n');
    }
    text
}

/// Make `root/name` hold `bytes`, atomically and durably.
fn replace(root: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let path = root.join(name);
    let tmp = root.join(format!("{name}.tmp"));
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &path)?;
        File::open(root)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| at(&path, e))
}

/// One manifest line: `path`, or `path<TAB>hash<TAB>since`.
fn parse_line(line: &str) -> Option<(String, Stamp)> {
    let mut fields = line.split('\t');
    let rel = fields.next().filter(|r| is_safe(r))?;
    let hash = fields.next().and_then(|h| u128::from_str_radix(h, 16).ok());
    let since = fields.next().and_then(|s| s.parse().ok());
    Some((rel.to_string(), Stamp { hash, since: hash.and(since) }))
}

/// For `.NAME.1234.tmp`, the file `NAME` it was to become.
pub(super) fn legacy_temp_target(name: &str) -> Option<&str> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, pid) = inner.rsplit_once('.')?;
    (!target.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())).then_some(target)
}
