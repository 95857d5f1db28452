//! Where the feeds go: a folder (`folder.rs`) or object storage (`bucket.rs`), behind one
//! trait, [`Destination`], so that `build`, `watch` and `serve --out` write either through
//! the same batches. Both keep a manifest (`manifest.rs`) of the files feedwright wrote,
//! with a hash of each file's bytes: only changed files are written, only feedwright's
//! files are removed, and a run stopped midway is completed by the next.

mod bucket;
mod disk;
mod folder;
mod manifest;

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::core::render::moved::{NETLIFY, NGINX};
use crate::core::render::{FEEDS_INDEX, OPML, STYLESHEET};
use crate::core::{Files, Format, Site, ids_digest};

pub use self::bucket::{Bucket, DEFAULT_MAX_DELETES};
pub use self::folder::{Batch, OutDir, STAGING};
pub use self::manifest::{IDS_FILE, Ids, MANIFEST, Stamp, content_tag};

/// The record of the inputs of the last build (see `edges::inputs`); every writer of the
/// folder removes it first.
pub const INPUTS_FILE: &str = ".feedwright-inputs";

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The files written or removed, in order.
    pub changed: Vec<String>,
    /// The files removed (also in `changed`).
    pub gone: Vec<String>,
}

/// Where the feeds go: a folder ([`OutDir`]) or object storage ([`Bucket`]). Files go in
/// batches: `begin` names every file the batch may write, `stage` hands over their bytes
/// a part at a time (only files whose bytes changed are kept), and `finish` publishes
/// them and removes what is no longer made — or `abandon` publishes nothing.
pub trait Destination: Send {
    /// Whether readers see a file as soon as it is written here (a bucket behind a CDN),
    /// so that a WebSub hub may be told at once; a folder may be deployed later.
    fn is_live(&self) -> bool;
    /// The ids the last build published, by post file.
    fn ids(&self) -> &Ids;
    /// The ids `site` publishes, written by `finish` when they changed.
    fn record_ids(&mut self, site: &Site);
    /// Ids recorded that `finish` has yet to write.
    fn ids_pending(&self) -> bool;
    /// What the manifest knows of the file `rel`.
    fn stamp(&self, rel: &str) -> Option<Stamp>;
    /// Every file the manifest names.
    fn published(&self) -> Vec<String>;
    /// Start a batch that may write `targets`; `max_age`: how long readers and caches
    /// may keep a file (seconds).
    fn begin(&mut self, targets: &[String], max_age: u64) -> io::Result<()>;
    /// Hand over the bytes of some of the batch's files.
    fn stage(&mut self, files: &Files) -> io::Result<()>;
    /// Publish the batch. `remove`: files to delete (only those feedwright wrote), or
    /// `None` for "every managed file that was not staged".
    fn finish(&mut self, remove: Option<&[String]>) -> io::Result<Written>;
    /// Give the batch up: nothing it staged is published.
    fn abandon(&mut self) -> io::Result<()>;

    /// Make the destination hold exactly `files` among the files feedwright manages.
    fn replace(&mut self, files: &Files, max_age: u64) -> io::Result<Written> {
        let targets: Vec<String> = files.keys().cloned().collect();
        self.begin(&targets, max_age)?;
        self.stage(files)?;
        self.finish(None)
    }

    /// Write `files` and remove `remove` (only those feedwright wrote).
    fn update(&mut self, files: &Files, remove: &[String], max_age: u64) -> io::Result<Written> {
        let targets: Vec<String> = files.keys().cloned().collect();
        self.begin(&targets, max_age)?;
        self.stage(files)?;
        self.finish(Some(remove))
    }
}

/// `--out`: a folder, or a bucket's URL (`s3://`, `gs://`, `az://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Folder(PathBuf),
    Bucket(String),
}

impl Target {
    pub fn parse(text: &str) -> Target {
        if bucket::is_bucket_url(text) { Target::Bucket(text.to_string()) } else { Target::Folder(PathBuf::from(text)) }
    }

    /// Open the destination (a bucket: its manifest is read).
    pub fn open(&self, max_deletes: usize) -> io::Result<Box<dyn Destination>> {
        Ok(match self {
            Target::Folder(path) => Box::new(OutDir::open(path)),
            Target::Bucket(url) => Box::new(Bucket::open(url, max_deletes)?),
        })
    }

    pub fn folder(&self) -> Option<&Path> {
        match self {
            Target::Folder(path) => Some(path),
            Target::Bucket(_) => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Folder(path) => write!(f, "{}", path.display()),
            Target::Bucket(url) => f.write_str(url),
        }
    }
}

/// The files about the whole site (published after the feeds they list or redirect to).
pub fn is_site_file(rel: &str) -> bool {
    rel == OPML || rel == NETLIFY || rel == NGINX || rel == FEEDS_INDEX || rel == STYLESHEET
}

/// A feed readers subscribe to: not a file about the whole site, not an archive
/// document (what a WebSub hub is told of).
pub fn is_subscription_feed(rel: &str) -> bool {
    !is_site_file(rel) && next_archive(rel).is_none()
}

/// For an archive document (`…/archive/<N>.xml` or `.atom`), the path of the one after
/// it (`None` for any other file).
pub fn next_archive(rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let folder = dir.rsplit('/').next().unwrap_or(dir);
    let (number, extension) = name.split_once('.')?;
    let page: usize = number.parse().ok().filter(|_| folder == "archive" && ["xml", "atom"].contains(&extension))?;
    Some(format!("{dir}/{}.{extension}", page + 1))
}

/// An archive document that is full: one follows it (only the newest may be partial),
/// so its bytes change only if a post on it is edited. `exists`: whether a file is
/// published.
pub fn is_full_archive(rel: &str, exists: impl Fn(&str) -> bool) -> bool {
    next_archive(rel).is_some_and(|next| exists(&next))
}

/// `Cache-Control` of a file: a full archive document may be kept for a year.
pub fn cache_control(rel: &str, max_age: u64, exists: impl Fn(&str) -> bool) -> String {
    if is_full_archive(rel, exists) {
        "public, max-age=31536000, immutable".into()
    } else {
        format!("public, max-age={max_age}")
    }
}

/// The `Content-Type` of a file feedwright writes.
pub fn media_type(rel: &str, bytes: &[u8]) -> &'static str {
    match Format::of_file(rel, bytes) {
        _ if rel == OPML => "text/x-opml; charset=utf-8",
        _ if rel == STYLESHEET => "text/xsl; charset=utf-8",
        _ if rel == FEEDS_INDEX => "application/json; charset=utf-8",
        _ if rel == NETLIFY || rel == NGINX => "text/plain; charset=utf-8",
        Some(format) => format.media_type(),
        None => "application/octet-stream",
    }
}

/// The published ids a destination keeps, and whether they changed since written.
#[derive(Debug, Default)]
struct IdsRecord {
    ids: Ids,
    /// `ids_digest` of `ids`.
    digest: u128,
    changed: bool,
}

impl IdsRecord {
    fn new(ids: Ids, changed: bool) -> IdsRecord {
        IdsRecord { digest: ids_digest(ids.iter().map(|(p, id)| (p.as_path(), id.as_str()))), ids, changed }
    }

    /// Costs nothing when `site` publishes the ids recorded (a daemon's edit, most often).
    fn record(&mut self, site: &Site) {
        let digest = site.published_ids_digest();
        if digest == self.digest {
            return;
        }
        self.ids = site.published_ids().map(|(post, id)| (post.to_path_buf(), id.to_string())).collect();
        self.digest = digest;
        self.changed = true;
    }
}

pub(super) fn no_batch() -> io::Error {
    io::Error::other("no batch under way (begin was not called)")
}

/// A relative path of plain names only: nothing can climb out of `--out`.
pub(super) fn is_safe(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
        && !rel.contains('\\')
        && !rel.starts_with(".feedwright")
}
