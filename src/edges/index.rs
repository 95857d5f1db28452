//! The index a build leaves in its output folder, `.feedwright-index`: each post file's
//! size, modification time and inode with the post parsed from it, and every feed's
//! fingerprint as the output holds it. The next build (or a daemon starting) parses only
//! the files that changed and writes only the feeds whose fingerprint moved.
//!
//! Never trusted blindly. The file is checksummed and versioned, and written by this
//! binary with these options; otherwise it is ignored, with a log line, and the site is
//! built from scratch. A post is taken from it only when its file stats as recorded —
//! and, when its time is not safely before the indexed build (saved in the same clock
//! tick, or while the build ran), when its bytes hash to the parsed revision. The
//! fingerprints are taken only while the output folder is as the indexed build left it
//! (the manifest, the ids and every file it names stat as they did then); another
//! writer, a file changed by hand or an interrupted write makes them stale, and every
//! feed is rendered again (only bytes that differ are written).
//!
//! The quick "nothing changed" check is the inputs record (`edges::inputs`): it reads
//! stats only. This index is what a build with something to do starts from.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::core::diag::Diagnostic;
use crate::core::input::post::Post;
use crate::core::paths::slug::content_hash;
use crate::core::{Options, Prints, Site};
use crate::edges::inputs::{TICK_NS, binary};
use crate::edges::load::{Stat, stat, stat_all};
use crate::edges::output::{IDS_FILE, INPUTS_FILE, MANIFEST};

/// The index's file name in the output folder.
pub const INDEX_FILE: &str = ".feedwright-index";

/// The first line: what wrote the file, then the checksum of the rest.
const MAGIC: &str = "feedwright index 1";

/// An index larger than this is not read (no site's index is near it): memory stays
/// bounded whatever the folder holds.
const MAX_INDEX_BYTES: u64 = 1 << 30;

#[derive(Serialize)]
struct SavedRef<'a> {
    binary: String,
    options: &'a str,
    context: u64,
    started: i128,
    output: Vec<Option<Stat>>,
    prints: Prints,
    rendering: &'a [Diagnostic],
    posts: Vec<(&'a Path, PostRef<'a>)>,
}

#[derive(Serialize)]
struct PostRef<'a> {
    stat: Stat,
    post: Option<&'a Post>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Deserialize)]
struct Saved {
    binary: String,
    options: String,
    context: u64,
    started: i128,
    output: Vec<Option<Stat>>,
    prints: Prints,
    rendering: Vec<Diagnostic>,
    /// (Each path beside its post, not in it: it becomes the key of [`Index::posts`]
    /// without a copy.)
    posts: Vec<(PathBuf, SavedPost)>,
}

/// A post file as the indexed build found it. The post is read straight into the
/// allocation the site will share, and the entry stays small: a large site's index holds
/// no second copy of its posts while they are applied.
#[derive(Deserialize)]
pub struct SavedPost {
    stat: Stat,
    post: Option<Arc<Post>>,
    diagnostics: Vec<Diagnostic>,
}

/// A trusted index.
pub struct Index {
    /// [`Site::parse_context`] of the indexed build.
    context: u64,
    /// When the indexed build started (Unix ns).
    started: i128,
    posts: FxHashMap<PathBuf, SavedPost>,
    /// The fingerprints the output holds; `None` when the folder changed since.
    pub prints: Option<Prints>,
    /// What the indexed build's rendering found (reported again for the posts a build
    /// does not render again).
    pub rendering: Vec<Diagnostic>,
}

/// What [`load`] found.
pub enum Loaded {
    Absent,
    /// Not trusted (why): build from scratch, and say so.
    Ignored(String),
    Index(Index),
}

/// What an index depends on besides the files and the config: which posts show. (A
/// build's other options do not change a saved parse: a post whose id the published ids
/// would change is parsed again.)
pub fn options(options: &Options) -> String {
    format!("drafts={} future={}", options.drafts, options.future)
}

/// The output folder as `stat` sees it: the manifest, the ids and every file the
/// manifest names (a file changed or removed by hand is seen).
fn output_stamp(out: &Path) -> Vec<Option<Stat>> {
    let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap_or_default();
    let files: Vec<PathBuf> = [MANIFEST, IDS_FILE]
        .into_iter()
        .chain(manifest.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split('\t').next()))
        .map(PathBuf::from)
        .collect();
    stat_all(out, &files)
}

/// Remove what a write of the index or the inputs record left when its process was
/// killed (`<name>.partial`; the rename that completes a write consumes it). Every run
/// into a folder calls this first, a build that finds nothing changed included, so
/// `--out` holds whole files only.
pub fn remove_partials(out: &Path) {
    for name in [INDEX_FILE, INPUTS_FILE] {
        let _ = fs::remove_file(partial(out, name));
    }
}

/// Where the file `name` of `out` is written before the rename that completes it.
pub fn partial(out: &Path, name: &str) -> PathBuf {
    out.join(format!("{name}.partial"))
}

/// Read the index in `out`, written by a build with `options`.
pub fn load(out: &Path, options: &str) -> Loaded {
    let path = out.join(INDEX_FILE);
    let Ok(file) = fs::File::open(&path) else { return Loaded::Absent };
    // Read into a buffer of the file's size (grown by doubling, a large index was copied
    // twice more on its way in).
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_INDEX_BYTES + 1);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    if file.take(MAX_INDEX_BYTES + 1).read_to_end(&mut bytes).is_err() {
        return ignored("it cannot be read");
    }
    if bytes.len() as u64 > MAX_INDEX_BYTES {
        return ignored("it is larger than any index feedwright writes");
    }
    let Some(newline) = memchr::memchr(b'\n', &bytes) else { return ignored("it is truncated") };
    let Ok(header) = std::str::from_utf8(&bytes[..newline]) else { return ignored("it is not an index") };
    let Some((version, checksum)) = header.rsplit_once(' ') else { return ignored("it is not an index") };
    if version != MAGIC {
        return ignored("another version of feedwright wrote it");
    }
    let body = &bytes[newline + 1..];
    if format!("{:016x}", content_hash(body)) != checksum {
        return ignored("its checksum does not match (truncated or corrupt)");
    }
    let saved: Saved = match postcard::from_bytes(body) {
        Ok(saved) => saved,
        Err(_) => return ignored("it does not parse"),
    };
    if saved.binary != binary() {
        return ignored("another build of feedwright wrote it");
    }
    if saved.options != options {
        return ignored("it was written with other options");
    }
    let prints = (saved.output == output_stamp(out)).then_some(saved.prints);
    let posts = saved.posts.into_iter().collect();
    Loaded::Index(Index { context: saved.context, started: saved.started, posts, prints, rendering: saved.rendering })
}

impl Loaded {
    /// The index, when there is one to trust; `note` is told why when it is ignored.
    pub fn trusted(self, note: impl FnOnce(String)) -> Option<Index> {
        match self {
            Loaded::Index(index) => Some(index),
            Loaded::Ignored(why) => {
                note(why);
                None
            }
            Loaded::Absent => None,
        }
    }
}

fn ignored(why: &str) -> Loaded {
    Loaded::Ignored(format!("{INDEX_FILE} is ignored: {why}; parsing every post"))
}

impl Index {
    /// Whether its posts were parsed as `site` would parse them now (the same config).
    pub fn fits(&self, site: &Site) -> bool {
        self.context == site.parse_context()
    }

    /// The saved parse of the post file `rel`, if the index has one.
    pub fn take(&mut self, rel: &Path) -> Option<SavedPost> {
        self.posts.remove(rel)
    }

    /// Whether `saved` is what the file `rel` holds now: it stats (`now`) as recorded,
    /// and if it may have changed within a clock tick of the indexed build, its bytes
    /// (read into `buffer`) hash to the parsed revision.
    pub fn unchanged(&self, root: &Path, rel: &Path, saved: &SavedPost, now: Stat, buffer: &mut Vec<u8>) -> bool {
        if now != saved.stat {
            return false;
        }
        if saved.stat.mtime_ns <= self.started - TICK_NS {
            return true;
        }
        let Some(post) = &saved.post else { return false };
        buffer.clear();
        fs::File::open(root.join(rel)).and_then(|mut f| f.read_to_end(buffer)).is_ok()
            && content_hash(buffer) == post.revision
    }
}

impl SavedPost {
    /// The parsed post and its problems.
    pub fn into_parts(self) -> (Option<Arc<Post>>, Vec<Diagnostic>) {
        (self.post, self.diagnostics)
    }
}

/// Write the index of a build that started at `started` (Unix ns) and has just written
/// `out` whole. `rendering`: what its rendering found. `stats`: each post file as it was
/// when the build read it (`None`: as it is now).
pub fn save(
    root: &Path,
    out: &Path,
    site: &Site,
    options: &str,
    started: i128,
    rendering: &[Diagnostic],
    stats: Option<&[(PathBuf, Stat)]>,
) -> io::Result<()> {
    let path = out.join(INDEX_FILE);
    let parsed: Vec<(&Path, Option<&Post>, &[Diagnostic])> = site.parsed().collect();
    let read: Option<FxHashMap<&Path, Stat>> = stats.map(|s| s.iter().map(|(p, s)| (p.as_path(), *s)).collect());
    let stats: Vec<Option<Stat>> = match &read {
        Some(read) => parsed.iter().map(|(rel, _, _)| read.get(rel).copied()).collect(),
        None => parsed.par_iter().map(|(rel, _, _)| stat(&root.join(rel))).collect(),
    };
    let posts = parsed
        .into_iter()
        .zip(stats)
        .filter_map(|((path, post, diagnostics), stat)| Some((path, PostRef { stat: stat?, post, diagnostics })))
        .collect();
    let saved = SavedRef {
        binary: binary(),
        options,
        context: site.parse_context(),
        started,
        output: output_stamp(out),
        prints: site.prints(),
        rendering,
        posts,
    };
    // Streamed to the file, hashed on the way: a large site's index is never a second
    // copy in memory. The header's checksum is written last, over its placeholder.
    let temp = partial(out, INDEX_FILE);
    let mut file = fs::File::create(&temp)?;
    file.write_all(format!("{MAGIC} {:016x}\n", 0).as_bytes())?;
    // The hash sees the buffer's large writes, not postcard's field-sized ones.
    let mut writer = io::BufWriter::with_capacity(1 << 20, Hashing { inner: file, hash: Xxh3::new() });
    postcard::to_io(&saved, &mut writer).map_err(io::Error::other)?;
    let Hashing { inner: mut file, hash } = writer.into_inner().map_err(|e| e.into_error())?;
    let checksum = hash.digest();
    file.seek(io::SeekFrom::Start(MAGIC.len() as u64 + 1))?;
    file.write_all(format!("{checksum:016x}").as_bytes())?;
    drop(file);
    fs::rename(&temp, &path)
}

/// A writer that hashes what it writes (XXH3, as `content_hash` does in one go).
struct Hashing<W> {
    inner: W,
    hash: Xxh3,
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
