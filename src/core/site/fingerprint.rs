//! Which feeds changed: per feed, a hash of everything its bytes depend on. Only feeds
//! that hold a post that came, went or changed (or that links to one) are fingerprinted
//! again, unless a term that stays was renamed.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::Path;

use super::{Affected, Site};
use crate::core::input::post::Post;
use crate::core::paths::FeedKey;
use crate::core::render::local_files;

/// The fingerprint of a feed rendered from a stale file: matches no real fingerprint.
pub(super) const STALE: u64 = 0;

impl Site {
    /// Bring derived state up to date and say which outputs changed since last time.
    ///
    /// Only feeds that hold a post that came, went or changed (or that links to one)
    /// are fingerprinted again, unless a term that stays was renamed.
    pub(super) fn refresh(&mut self) -> Affected {
        let Some((config, config_hash)) = &self.config else { return Affected::default() };
        if self.catalog.refresh(config) {
            self.generation += 1;
        }
        let changed = self.catalog.take_changed_posts();
        let keys: BTreeSet<FeedKey> = self.catalog.keys(config).into_iter().collect();
        // With more posts changed than there are feeds (a first build), look at them all.
        let full = self.fingerprints.get(&None) != Some(&self.generation) || changed.len() >= keys.len();
        let candidates: BTreeSet<FeedKey> = if full {
            keys.clone()
        } else {
            let mut candidates: BTreeSet<FeedKey> =
                config.feeds.iter().map(|f| FeedKey::Custom(f.slug.clone())).collect();
            for post in &changed {
                candidates.extend(self.catalog.feeds_of(config, post));
                for referrer in self.links.referrers(post) {
                    if let Some(r) = self.visible.get(referrer) {
                        candidates.extend(self.catalog.feeds_of(config, r));
                    }
                }
            }
            candidates.retain(|k| keys.contains(k));
            candidates
        };
        let config_hash = *config_hash;
        // A feed without items is dated by the site's newest post.
        let site_newest = self.catalog.newest();
        let mut after: BTreeMap<Option<FeedKey>, u64> = self
            .fingerprints
            .iter()
            .filter(|(k, _)| k.as_ref().is_some_and(|k| keys.contains(k)))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        let mut items: HashMap<&Path, u64> = HashMap::new();
        let mut pages_after: BTreeMap<FeedKey, Vec<u64>> =
            self.page_prints.iter().filter(|(k, _)| keys.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        for key in candidates {
            let Some(feed) = self.catalog.feed(config, &key) else { continue };
            let mut h = DefaultHasher::new();
            config_hash.hash(&mut h);
            (&feed.title, &feed.description, &feed.html_url).hash(&mut h);
            for post in &feed.items {
                items.entry(&post.source).or_insert_with(|| self.item_fingerprint(post)).hash(&mut h);
            }
            if feed.items.is_empty() {
                site_newest.hash(&mut h);
            }
            pages_after.remove(&key);
            if config.archives_for(&key) {
                // Each page: its posts and whether a page follows; the feed links to the
                // newest page, so it depends on how many there are.
                let pages = self.catalog.archive_pages(config, &key).unwrap_or_default();
                pages.len().hash(&mut h);
                let mut prints = Vec::with_capacity(pages.len());
                for (i, page) in pages.iter().enumerate() {
                    let mut p = DefaultHasher::new();
                    (config_hash, &feed.title, &feed.description, &feed.html_url, i, i + 1 == pages.len()).hash(&mut p);
                    for post in page {
                        items.entry(&post.source).or_insert_with(|| self.item_fingerprint(post)).hash(&mut p);
                    }
                    if page.is_empty() {
                        // Dated by the feed's newest item.
                        (feed.items.first().map(|p| p.updated), site_newest).hash(&mut p);
                    }
                    prints.push(p.finish());
                }
                pages_after.insert(key.clone(), prints);
            }
            after.insert(Some(key), h.finish());
        }
        let mut opml = DefaultHasher::new();
        (config_hash, site_newest, self.generation).hash(&mut opml);
        for key in &keys {
            (key, self.catalog.title(config, key)).hash(&mut opml);
        }
        let opml = opml.finish();
        let mut affected = diff(&self.fingerprints, &after);
        diff_pages(&self.page_prints, &pages_after, &mut affected);
        self.page_prints = pages_after;
        affected.opml = self.opml_fingerprint != Some(opml);
        self.opml_fingerprint = Some(opml);
        after.insert(None, self.generation);
        self.fingerprints = after;
        affected
    }

    /// What an item's bytes depend on: the post (its file's revision, and its id, which
    /// the published ids can decide), the display names of its terms, and the permalinks
    /// of the posts it links to.
    pub(super) fn item_fingerprint(&self, post: &Post) -> u64 {
        let mut h = DefaultHasher::new();
        (&post.source, post.revision, &post.id, self.stale.contains(&post.source)).hash(&mut h);
        for t in &post.tags {
            self.catalog.tags.display(&t.to_lowercase(), t).hash(&mut h);
        }
        for c in &post.categories {
            self.catalog.categories.display(&c.to_lowercase(), c).hash(&mut h);
        }
        self.links.hash_targets(post, &mut h);
        // The lengths measured from the site's files are in the item.
        if let (Some(media), Some(files), Some(config)) = (&post.media, &self.files, self.config()) {
            for link in media.measured() {
                local_files(config, post, link).iter().find_map(|f| files.size(f)).hash(&mut h);
            }
        }
        h.finish()
    }
}

/// Which archive pages changed, came or went.
pub(super) fn diff_pages(
    before: &BTreeMap<FeedKey, Vec<u64>>,
    after: &BTreeMap<FeedKey, Vec<u64>>,
    affected: &mut Affected,
) {
    for (key, prints) in after {
        let old = before.get(key).map_or(&[][..], Vec::as_slice);
        for (i, print) in prints.iter().enumerate() {
            if old.get(i) != Some(print) {
                affected.pages.insert((key.clone(), i + 1));
            }
        }
        for i in prints.len()..old.len() {
            affected.pages_removed.insert((key.clone(), i + 1));
        }
    }
    for (key, old) in before {
        if !after.contains_key(key) {
            affected.pages_removed.extend((1..=old.len()).map(|i| (key.clone(), i)));
        }
    }
}

pub(super) fn diff(before: &BTreeMap<Option<FeedKey>, u64>, after: &BTreeMap<Option<FeedKey>, u64>) -> Affected {
    let mut affected = Affected::default();
    for (key, hash) in after {
        if let Some(k) = key
            && before.get(key) != Some(hash)
        {
            affected.changed.insert(k.clone());
        }
    }
    for key in before.keys().flatten() {
        if !after.contains_key(&Some(key.clone())) {
            affected.removed.insert(key.clone());
        }
    }
    affected
}
