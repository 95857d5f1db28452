//! What a build leaves for the next one to start from (the edge keeps it in `--out`):
//! each post file as parsed, and each feed's fingerprint. A site started from it parses
//! only the files that changed, and renders only the feeds whose fingerprint moved.
//!
//! A saved parse is taken only when a fresh parse would give the same: the same config,
//! and no id the published ids would change (those posts are parsed again).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::fingerprint::{diff, diff_pages};
use super::{Affected, Change, Prepared, Site};
use crate::core::diag::Diagnostic;
use crate::core::input::ids::IdSource;
use crate::core::input::post::Post;
use crate::core::paths::FeedKey;

/// Every feed's fingerprint (and each archive page's, and the OPML list's) as the site
/// had them when its output was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prints {
    feeds: BTreeMap<FeedKey, u64>,
    pages: BTreeMap<FeedKey, Vec<u64>>,
    opml: Option<u64>,
}

impl Site {
    /// What a parse depends on besides the file's bytes: the config in force (pins
    /// included) and whether bodies stay in the files. Saved parses are taken only under
    /// the same.
    pub fn parse_context(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.config_hash(), self.files.is_some()).hash(&mut h);
        h.finish()
    }

    /// Each post file as it parsed: the post (none while the file is broken) and the
    /// problems found, by file.
    pub fn parsed(&self) -> impl Iterator<Item = (&Path, Option<&Post>, &[Diagnostic])> {
        self.sources.iter().map(|(path, s)| {
            let post = if s.broken { None } else { s.post.as_deref() };
            (path.as_path(), post, s.diagnostics.as_slice())
        })
    }

    /// A post file's saved parse as a change for `apply`, or `None` when it must be parsed
    /// again: it had errors, or its id and the id published for it differ (the error and
    /// the held id come from a fresh parse).
    pub fn saved_parse(&self, path: PathBuf, post: Option<Arc<Post>>, diagnostics: Vec<Diagnostic>) -> Option<Change> {
        if diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        if let Some(post) = &post
            && (post.id_source == IdSource::Published || self.held.get(&path).is_some_and(|held| *held != post.id))
        {
            return None;
        }
        Some(Change::Prepared(Box::new(Prepared { path, bytes: None, post, diagnostics, config: self.config_hash() })))
    }

    /// The fingerprints as they are now (what the output written from this site holds).
    pub fn prints(&self) -> Prints {
        Prints {
            feeds: self.fingerprints.iter().filter_map(|(k, v)| Some((k.clone()?, *v))).collect(),
            pages: self.page_prints.clone(),
            opml: self.opml_fingerprint,
        }
    }

    /// Which outputs differ from an output written when the fingerprints were `before`.
    pub fn changed_since(&self, before: &Prints) -> Affected {
        let feeds: BTreeMap<Option<FeedKey>, u64> = before.feeds.iter().map(|(k, v)| (Some(k.clone()), *v)).collect();
        let mut affected = diff(&feeds, &self.fingerprints);
        diff_pages(&before.pages, &self.page_prints, &mut affected);
        affected.opml = before.opml != self.opml_fingerprint;
        affected
    }
}
