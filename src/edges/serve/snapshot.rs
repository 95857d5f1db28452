//! What the server answers from: a snapshot of every file — its bytes in each encoding,
//! compressed once per regeneration, and its validators — swapped whole on each
//! regeneration, so a reader never sees a mix of old and new feeds.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::core::render::moved::{NETLIFY, NGINX};
use crate::edges::output::content_tag;
use crate::edges::watch::Update;

/// One file as it is served: its bytes, validators and type at once; its gzip and brotli
/// encodings made once each, by a background pass right after the swap or by the first
/// request that needs one (whichever comes first), so a regeneration is served as soon
/// as it is rendered. Each encoding has one fixed level, so its bytes — and the strong
/// `ETag` that names them — never change.
#[derive(Debug)]
pub struct Entry {
    pub(super) identity: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
    /// The hex XXH3-128 of the identity bytes (a strong validator: every replica of a
    /// site computes the same one).
    pub(super) etag: String,
    /// When these bytes were first produced (moves forward with every change).
    pub(super) last_modified: SystemTime,
    pub(super) content_type: &'static str,
}

/// gzip's level 6 and brotli's quality 5 (window 2^22): close to their best ratios on
/// feeds, at a fraction of their slowest levels' time.
const GZIP_LEVEL: u32 = 6;
const BROTLI_QUALITY: u32 = 5;

impl Entry {
    fn new(path: &str, bytes: Vec<u8>, etag: String, last_modified: SystemTime) -> Entry {
        let content_type = crate::edges::output::media_type(path, &bytes);
        Entry {
            identity: Bytes::from(bytes),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
            etag,
            last_modified,
            content_type,
        }
    }

    pub(super) fn gzip(&self) -> &Bytes {
        self.gzip.get_or_init(|| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
            let _ = gz.write_all(&self.identity);
            Bytes::from(gz.finish().unwrap_or_default())
        })
    }

    pub(super) fn brotli(&self) -> &Bytes {
        self.brotli.get_or_init(|| {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, 22);
                let _ = w.write_all(&self.identity);
            }
            Bytes::from(out)
        })
    }
}

/// Everything served at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub(super) files: HashMap<String, Arc<Entry>>,
    pub(super) feeds_url: String,
    pub(super) hub: Option<String>,
    /// Old feed URLs (path and query, no leading `/`) → where they moved, or gone.
    pub(super) moved: HashMap<String, Option<String>>,
    pub(super) max_age: u64,
    pub(super) regenerated: Option<DateTime<Utc>>,
    pub(super) last_error: Option<String>,
}

/// The current snapshot, swapped whole on every regeneration.
#[derive(Debug, Default, Clone)]
pub struct Store(Arc<RwLock<Arc<Snapshot>>>);

impl Store {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        // A writer that panicked left a whole snapshot behind (it is swapped in one move).
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Build the next snapshot from an update; returns the paths whose bytes changed.
    pub fn publish(&self, update: Update) -> Vec<String> {
        let old = self.snapshot();
        let mut files = if update.full { HashMap::new() } else { old.files.clone() };
        let mut changed = Vec::new();
        for path in &update.removed {
            if files.remove(path).is_some() {
                changed.push(path.clone());
            }
        }
        let now = SystemTime::now();
        // Only files whose bytes changed get a new entry (and new encodings).
        let mut warm = Vec::new();
        for (path, (bytes, since)) in update.files {
            // Redirect files are for static hosts; the table below answers here.
            if path == NETLIFY || path == NGINX {
                continue;
            }
            let etag = format!("{:032x}", content_tag(&bytes));
            let before = old.files.get(&path);
            if let Some(same) = before.filter(|e| e.etag == etag) {
                files.insert(path, same.clone());
                continue;
            }
            let modified = last_modified(before.map(|e| e.last_modified), since, now);
            let entry = Arc::new(Entry::new(&path, bytes, etag, modified));
            warm.push(entry.clone());
            changed.push(path.clone());
            files.insert(path, entry);
        }
        if update.full {
            changed.extend(old.files.keys().filter(|p| !files.contains_key(*p)).cloned());
        }
        let config = update.config.as_ref();
        let next = Snapshot {
            files,
            feeds_url: config.map(|c| c.feeds_url.clone()).unwrap_or_default(),
            hub: config.and_then(|c| c.websub_hub.clone()),
            moved: match update.moved {
                Some(moved) => moved.into_iter().map(|m| (m.from.trim_start_matches('/').to_string(), m.to)).collect(),
                None => old.moved.clone(),
            },
            max_age: config.map_or(300, |c| c.cache_max_age),
            regenerated: Some(Utc::now()),
            last_error: update.errors.first().cloned(),
        };
        *self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(next);
        // The new files are served now; their encodings are made behind, on every core.
        if !warm.is_empty() {
            rayon::spawn(move || {
                warm.par_iter().for_each(|entry| {
                    entry.gzip();
                    entry.brotli();
                })
            });
        }
        changed.sort();
        changed
    }
}

/// `Last-Modified` for new bytes: when `--out` first held them if that is known (so it
/// survives restarts), else now — and always after the bytes they replace, to the second,
/// because a libcurl reader discards a 200 whose `Last-Modified` is not newer than its own.
fn last_modified(before: Option<SystemTime>, since: Option<u64>, now: SystemTime) -> SystemTime {
    let second = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let produced = since.unwrap_or_else(|| second(now));
    let seconds = match before {
        Some(old) => produced.max(second(old) + 1),
        None => produced,
    };
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::edges::serve) fn snapshot() -> Arc<Snapshot> {
        let store = Store::default();
        let mut update = Update { full: true, ..Update::default() };
        update.files.insert("tags/nfs/index.xml".into(), (b"<rss/>".to_vec(), Some(1_577_934_245)));
        store.publish(update);
        store.snapshot()
    }

    #[test]
    fn last_modified_moves_forward_with_every_change() {
        let t = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(last_modified(None, Some(100), t(500)), t(100), "when --out first held the bytes");
        assert_eq!(last_modified(None, None, t(500)), t(500));
        assert_eq!(last_modified(Some(t(500)), None, t(500)), t(501), "a change within the same second");
        assert_eq!(last_modified(Some(t(500)), Some(90), t(700)), t(501));
        let store = Store::default();
        let mut update = Update { full: true, ..Update::default() };
        update.files.insert("index.xml".into(), (b"one".to_vec(), None));
        store.publish(update);
        let first = store.snapshot().files["index.xml"].last_modified;
        for bytes in [b"two".to_vec(), b"one".to_vec()] {
            let before = store.snapshot().files["index.xml"].last_modified;
            let mut update = Update::default();
            update.files.insert("index.xml".into(), (bytes, None));
            assert_eq!(store.publish(update), ["index.xml"]);
            assert!(store.snapshot().files["index.xml"].last_modified > before);
        }
        assert!(store.snapshot().files["index.xml"].last_modified > first, "back to old bytes is still a change");
    }
}
