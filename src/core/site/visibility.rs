//! Which posts show in feeds now — published, not a draft, not expired, first with its
//! id — and keeping the catalog and link index holding exactly those.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Site;
use crate::core::catalog::Catalog;
use crate::core::catalog::links::Links;
use crate::core::input::post::Post;
use crate::core::render::HtmlCache;

/// A digest of a set of (post file, id) pairs: the XOR of each pair's 128-bit hash, so
/// that adding or removing one pair is one XOR, and two equal sets have equal digests.
pub fn ids_digest<'a>(ids: impl IntoIterator<Item = (&'a Path, &'a str)>) -> u128 {
    ids.into_iter().fold(0, |digest, (path, id)| digest ^ pair_digest(path, id))
}

fn pair_digest(path: &Path, id: &str) -> u128 {
    let path = path.as_os_str().as_encoded_bytes();
    let mut bytes = Vec::with_capacity(path.len() + 1 + id.len());
    bytes.extend_from_slice(path);
    // Neither a path nor an id holds a NUL: the pair splits one way only.
    bytes.push(0);
    bytes.extend_from_slice(id.as_bytes());
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

impl Site {
    /// Whether `post` shows in feeds now: published, first with its id.
    pub(super) fn shows(&self, post: &Post) -> bool {
        let first = self.ids.get(&post.id).and_then(|c| c.first()).is_some_and(|p| *p == post.source);
        let published = self.options.future || post.date.instant <= self.now;
        let unexpired = post.expiry.is_none_or(|e| e > self.now);
        first && (self.options.drafts || !post.draft) && published && unexpired
    }

    /// Make the catalog hold the post at `path` exactly when it shows.
    pub(super) fn show_or_hide(&mut self, path: &Path) {
        let Some(config) = self.config.as_ref().map(|(c, _)| c) else { return };
        let wanted = self.sources.get(path).and_then(|s| s.post.clone()).filter(|p| self.shows(p));
        let current = self.visible.get(path);
        if let (Some(a), Some(b)) = (&wanted, current)
            && Arc::ptr_eq(a, b)
        {
            return;
        }
        if let Some(old) = self.visible.remove(path) {
            self.ids_digest ^= pair_digest(path, &old.id);
            self.catalog.remove(config, &old);
            self.links.remove(&old);
        }
        // A post's HTML stays while it shows (its key says whether it still fits): a
        // broken save restored and broken again must still find its last rendering.
        if wanted.is_none() {
            self.html.remove(path);
        }
        if let Some(new) = wanted {
            self.catalog.insert(config, &new);
            self.links.insert(&new);
            self.ids_digest ^= pair_digest(path, &new.id);
            self.visible.insert(path.to_path_buf(), new);
        }
    }

    pub(super) fn rebuild_catalog(&mut self) {
        let Some(config) = self.config() else { return };
        self.catalog = Catalog::new(config);
        self.links = Links::default();
        self.html = HtmlCache::default();
        self.stale.clear();
        self.visible.clear();
        self.ids_digest = 0;
        let paths: Vec<PathBuf> = self.sources.keys().cloned().collect();
        for path in &paths {
            self.show_or_hide(path);
        }
    }
}
