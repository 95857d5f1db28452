//! The source store: each post file's last parse, and the last-good policy — a post
//! whose new save is broken keeps the version last parsed without error, until fixed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

use super::{Change, Prepared, Site};
use crate::core::diag::Diagnostic;
use crate::core::input::ids::{IdSource, change_cause};
use crate::core::input::post::{Body, Post, parse_post_with};

#[derive(Debug)]
pub(super) struct Source {
    /// The file's bytes, kept only when there is no [`PostFiles`] to read them again.
    pub(super) bytes: Option<Vec<u8>>,
    /// The post as last parsed without error (kept while the file is broken).
    pub(super) post: Option<Arc<Post>>,
    /// While the file is broken: the bytes `post` came from (to parse again under a new config).
    pub(super) good_bytes: Option<Vec<u8>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The file's last save did not parse: `post` is its last good version.
    pub(super) broken: bool,
}

impl Site {
    pub(super) fn take_source(&mut self, path: &Path) -> Option<Source> {
        let source = self.sources.remove(path)?;
        self.problems.remove(path);
        if let Some(post) = &source.post {
            for t in times(post) {
                self.timeline.remove(&t);
            }
        }
        Some(source)
    }

    pub(super) fn put_source(&mut self, path: PathBuf, source: Source) {
        if !source.diagnostics.is_empty() {
            self.problems.insert(path.clone());
        }
        if let Some(post) = &source.post {
            for t in times(post) {
                self.timeline.add(t);
            }
        }
        self.sources.insert(path, source);
    }

    /// [`Site::prepare`] from borrowed bytes (copied only when the site keeps them).
    pub fn prepare_from(&self, path: PathBuf, bytes: &[u8]) -> Change {
        let (post, diagnostics) = self.parse(&path, bytes);
        let bytes = self.files.is_none().then(|| bytes.to_vec());
        Change::Prepared(Box::new(Prepared { path, bytes, post, diagnostics, config: self.config_hash() }))
    }

    /// Parse a post file without changing the site: pure, for any thread. `apply` takes
    /// the result as [`Change::Prepared`] (and parses again if the config changed since).
    pub fn prepare(&self, path: PathBuf, bytes: Vec<u8>) -> Change {
        let (post, diagnostics) = self.parse(&path, &bytes);
        let bytes = self.kept(Some(bytes));
        Change::Prepared(Box::new(Prepared { path, bytes, post, diagnostics, config: self.config_hash() }))
    }

    /// A file's bytes as the site keeps them: not at all when a reader can give them again.
    pub(super) fn kept(&self, bytes: Option<Vec<u8>>) -> Option<Vec<u8>> {
        if self.files.is_some() { None } else { bytes }
    }

    pub(super) fn config_hash(&self) -> u64 {
        self.config.as_ref().map_or(0, |(_, hash)| *hash)
    }

    /// Keep a file's new bytes to be parsed by `reparse` (its last good post stays).
    pub(super) fn defer_parse(&mut self, path: PathBuf, bytes: Option<Vec<u8>>) {
        let bytes = self.kept(bytes);
        let source = match self.take_source(&path) {
            Some(Source { post: Some(post), good_bytes, bytes: old, .. }) => {
                let good_bytes = good_bytes.or(old);
                Source { bytes, post: Some(post), good_bytes, diagnostics: Vec::new(), broken: false }
            }
            _ => Source { bytes, post: None, good_bytes: None, diagnostics: Vec::new(), broken: false },
        };
        self.put_source(path, source);
    }

    pub(super) fn parse_source(
        &mut self,
        path: PathBuf,
        bytes: Option<Vec<u8>>,
        parsed: Option<(Option<Arc<Post>>, Vec<Diagnostic>)>,
        recheck: &mut FxHashSet<PathBuf>,
    ) {
        let old = self.take_source(&path);
        // A post parsed under an older config, its bytes not kept: read it again.
        let bytes = match (bytes, &parsed) {
            (None, None) => self.files.as_ref().and_then(|files| files.read(&path)),
            (bytes, _) => bytes,
        };
        let (parsed, diagnostics) =
            parsed.unwrap_or_else(|| bytes.as_ref().map_or((None, Vec::new()), |b| self.parse(&path, b)));
        let bytes = self.kept(bytes);
        let (old_post, old_good) = match old {
            Some(Source { post: Some(post), good_bytes, bytes, .. }) => (Some(post), good_bytes.or(bytes)),
            _ => (None, None),
        };
        // A post that became invalid keeps its last good version until it is fixed.
        let source = match parsed {
            Some(post) => {
                self.stale.remove(&path);
                Source { bytes, post: Some(post), good_bytes: None, diagnostics, broken: false }
            }
            None => Source { bytes, post: old_post.clone(), good_bytes: old_good, diagnostics, broken: true },
        };
        self.install(path, source, old_post, recheck);
    }

    /// Parse every file again under a changed config (a broken file's last good bytes too).
    pub(super) fn reparse(&mut self, path: PathBuf, recheck: &mut FxHashSet<PathBuf>) {
        let Some(old) = self.take_source(&path) else { return };
        let bytes = old.bytes.clone().or_else(|| self.files.as_ref().and_then(|files| files.read(&path)));
        let (parsed, diagnostics) = bytes.as_ref().map_or((None, Vec::new()), |b| self.parse(&path, b));
        let source = match parsed {
            Some(post) => Source { bytes: old.bytes, post: Some(post), good_bytes: None, diagnostics, broken: false },
            None => {
                let again = old.good_bytes.as_ref().and_then(|good| self.parse(&path, good).0);
                let post = again.or(old.post.clone());
                Source { bytes: old.bytes, post, good_bytes: old.good_bytes, diagnostics, broken: true }
            }
        };
        self.install(path, source, old.post, recheck);
    }

    /// Parse a post under the config in force. Never panics: a failure while reading
    /// one post is that post's error.
    ///
    /// The post is shared from here on: the site, its catalog and its feeds hold the
    /// same allocation (a large site moves no post struct after its parse).
    pub(super) fn parse(&self, path: &Path, bytes: &[u8]) -> (Option<Arc<Post>>, Vec<Diagnostic>) {
        let Some(config) = self.config() else { return (None, Vec::new()) };
        let body = if self.files.is_none() { Body::Keep } else { Body::InFile };
        let parsed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_post_with(path, bytes, config, body)));
        let (mut post, mut diagnostics) = parsed.unwrap_or_else(|_| {
            (None, vec![Diagnostic::error(path, 1, "internal error while reading this post; please report it")])
        });
        if let Some(post) = &mut post
            && let Some(held) = self.held.get(path).filter(|held| **held != post.id)
        {
            diagnostics.push(Diagnostic::error(
                path,
                1,
                format!(
                    "its id would change from `{held}` (what readers hold) to `{}`: {}. \
                     `feedwright adopt <the --out folder>` pins the old id; `--accept-id-changes` publishes the new one{}",
                    post.id,
                    change_cause(held, &post.id),
                    if self.keep_held { " (the old id stays meanwhile)" } else { "" }
                ),
            ));
            if self.keep_held {
                post.id = held.clone();
                post.id_source = IdSource::Published;
            }
        }
        (post.map(Arc::new), diagnostics)
    }
}

/// The moments a post's visibility can change by the clock: its date and its expiry.
pub(super) fn times(post: &Post) -> impl Iterator<Item = DateTime<Utc>> {
    std::iter::once(post.date.instant).chain(post.expiry).map(|t| t.with_timezone(&Utc))
}
