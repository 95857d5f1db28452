//! The terms of one taxonomy (tags, categories or series): each term's members, and the
//! spellings posts use for it — the most common spelling is its display name, and the
//! display names decide the slugs.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::Ranked;
use crate::core::counts::Counts;
use crate::core::input::post::Post;
use crate::core::paths::slug::assign_slugs;

/// Tags, categories or series: members per term, and spellings to pick display names.
#[derive(Debug, Default)]
pub struct Terms {
    /// lowercase key → members
    pub(super) members: HashMap<String, BTreeSet<Ranked>>,
    /// lowercase key → spelling → how many times posts use it
    spellings: HashMap<String, Counts<String>>,
    /// Posts that name a series in front matter (series only).
    pub(super) declared: Counts<String>,
    display: HashMap<String, String>,
    pub(super) slugs: HashMap<String, String>,
    pub(super) by_slug: HashMap<String, String>,
    /// Messages about names that had to share a slug.
    pub collisions: Vec<String>,
    /// Display names changed: slugs must be reassigned.
    stale: bool,
    /// Display names as they were at the last refresh, for the terms changed since.
    before: HashMap<String, Option<String>>,
}

impl Terms {
    pub(super) fn add(&mut self, name: &str, post: &Arc<Post>) {
        let key = lowercase(name);
        match self.members.get_mut(key.as_ref()) {
            Some(set) => {
                set.insert(Ranked::new(post.clone()));
            }
            None => {
                self.members.insert(key.to_string(), BTreeSet::from([Ranked::new(post.clone())]));
            }
        }
        match self.spellings.get_mut(key.as_ref()) {
            Some(counts) => counts.add_borrowed(name),
            None => self.spellings.entry(key.to_string()).or_default().add_borrowed(name),
        }
        self.redisplay(&key);
    }

    pub(super) fn remove(&mut self, name: &str, post: &Arc<Post>) {
        let key = name.to_lowercase();
        if let Some(set) = self.members.get_mut(&key) {
            set.remove(&Ranked::new(post.clone()));
            if set.is_empty() {
                self.members.remove(&key);
            }
        }
        if let Some(counts) = self.spellings.get_mut(&key) {
            counts.remove(name);
            if counts.is_empty() {
                self.spellings.remove(&key);
            }
        }
        self.redisplay(&key);
    }

    /// Recompute one term's display name: its most common spelling (ties: smallest).
    fn redisplay(&mut self, key: &str) {
        let best = self
            .spellings
            .get(key)
            .and_then(|counts| counts.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(n, _)| n));
        if self.display.get(key).map(String::as_str) != best.map(String::as_str) {
            let best = best.cloned();
            self.before.entry(key.to_string()).or_insert_with(|| self.display.get(key).cloned());
            match best {
                Some(name) => self.display.insert(key.to_string(), name),
                None => self.display.remove(key),
            };
            self.stale = true;
        }
    }

    /// Reassign slugs after display names changed; true when a term that stays was
    /// renamed or moved to another slug.
    pub(super) fn refresh(&mut self, slugify: impl Fn(&str) -> String) -> bool {
        let mut renamed = self
            .before
            .drain()
            .any(|(key, old)| old.is_some_and(|old| self.display.get(&key).is_some_and(|new| *new != old)));
        if self.stale {
            let (slugs, collisions) = assign_slugs(self.display.values().map(String::as_str), slugify);
            let slugs: HashMap<String, String> =
                self.display.iter().map(|(key, name)| (key.clone(), slugs[name].clone())).collect();
            if slugs.iter().any(|(k, s)| self.slugs.get(k).is_some_and(|old| old != s)) {
                renamed = true;
            }
            self.by_slug = slugs.iter().map(|(k, s)| (s.clone(), k.clone())).collect();
            self.slugs = slugs;
            self.collisions = collisions;
            self.stale = false;
        }
        renamed
    }

    /// Each term's slug and display name.
    pub fn slugs_and_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.slugs.iter().map(|(key, slug)| (slug.as_str(), self.display.get(key).map_or(key.as_str(), String::as_str)))
    }

    /// Every spelling posts use for the term at `slug`.
    pub fn spellings_of(&self, slug: &str) -> impl Iterator<Item = &str> {
        let key = self.by_slug.get(slug);
        key.and_then(|k| self.spellings.get(k)).into_iter().flat_map(|c| c.iter().map(|(s, _)| s.as_str()))
    }

    /// The slug of the term `name` belongs to.
    pub fn slug_of(&self, name: &str) -> Option<&String> {
        self.slug(name)
    }

    /// The slug of the term `name` belongs to.
    pub(super) fn slug(&self, name: &str) -> Option<&String> {
        self.slugs.get(lowercase(name).as_ref())
    }

    /// The display name of `name`'s term (the name itself if unknown).
    pub fn display<'s>(&'s self, key: &str, fallback: &'s str) -> &'s str {
        self.display.get(key).map_or(fallback, String::as_str)
    }

    pub(super) fn members_of(&self, slug: &str) -> Option<&BTreeSet<Ranked>> {
        self.by_slug.get(slug).and_then(|k| self.members.get(k))
    }
}

/// A term's key: its name in lower case (borrowed when it already is).
pub(super) fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.to_lowercase())
    }
}
