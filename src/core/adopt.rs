//! Switching an existing blog: the items of the feeds readers hold, matched to the site's
//! posts, and what to pin so that no item is delivered twice.
//!
//! An item matches a post by its link (both compared as [`uri::comparable`] spellings,
//! the post's aliases too), else by its id read as a URL, else by title and publication
//! day. Two candidates are never guessed between. A post whose id differs from the one
//! readers hold gets a pin — unless its front matter `guid` decides, or the sources
//! disagree, which are conflicts to list, never resolved silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::core::diag::Diagnostic;
use crate::core::input::ids::{IdSource, Pins, change_cause};
use crate::core::input::post::Post;
use crate::core::site::Site;
use crate::core::uri;

/// An item of a published feed, as readers hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldItem {
    /// The id readers dedupe by (RSS `guid`, Atom `id`, JSON Feed `id`).
    pub id: String,
    pub link: Option<String>,
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    /// The post the item is known to be (from a previous `--out`'s manifest).
    pub post: Option<PathBuf>,
    /// Which source it came from (for messages).
    pub source: String,
}

/// How an item found its post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchedBy {
    Manifest,
    Link,
    IdAsUrl,
    TitleAndDate,
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Post(PathBuf, MatchedBy),
    /// Several posts fit equally: not guessed.
    Ambiguous(Vec<PathBuf>),
    Unmatched,
}

/// The site's posts by the keys items are matched on.
pub struct Matcher<'s> {
    site: &'s Site,
    by_link: BTreeMap<String, BTreeSet<PathBuf>>,
    by_title: BTreeMap<(String, NaiveDate), BTreeSet<PathBuf>>,
}

impl<'s> Matcher<'s> {
    pub fn new(site: &'s Site) -> Matcher<'s> {
        let mut by_link: BTreeMap<String, BTreeSet<PathBuf>> = BTreeMap::new();
        let mut by_title: BTreeMap<(String, NaiveDate), BTreeSet<PathBuf>> = BTreeMap::new();
        let base = site.config().map(|c| c.base_url.clone()).unwrap_or_default();
        for (path, post) in site.posts() {
            let urls = std::iter::once(post.path.as_str()).chain(post.aliases.iter().map(String::as_str));
            for url in urls {
                let absolute = if url.starts_with('/') { format!("{base}{url}") } else { format!("{base}/{url}") };
                if let Some(key) = uri::comparable(&uri::encode(&absolute)) {
                    by_link.entry(key).or_default().insert(path.to_path_buf());
                }
            }
            let day = post.date.instant.naive_utc().date();
            by_title.entry((title_key(&post.title), day)).or_default().insert(path.to_path_buf());
        }
        Matcher { site, by_link, by_title }
    }

    /// The post `item` is, if exactly one fits.
    pub fn find(&self, item: &HeldItem) -> Found {
        if let Some(post) = &item.post {
            return match self.site.post(post) {
                Some(_) => Found::Post(post.clone(), MatchedBy::Manifest),
                None => Found::Unmatched,
            };
        }
        let by_url = |url: &str, how| {
            let candidates = self.by_link.get(&uri::comparable(url)?)?;
            Some(one(candidates, how))
        };
        if let Some(found) = item.link.as_deref().and_then(|l| by_url(l, MatchedBy::Link)) {
            return found;
        }
        if let Some(found) = by_url(&item.id, MatchedBy::IdAsUrl) {
            return found;
        }
        if let (Some(title), Some(published)) = (&item.title, item.published)
            && let Some(candidates) = self.by_title.get(&(title_key(title), published.naive_utc().date()))
        {
            return one(candidates, MatchedBy::TitleAndDate);
        }
        Found::Unmatched
    }
}

fn one(candidates: &BTreeSet<PathBuf>, how: MatchedBy) -> Found {
    match candidates.len() {
        1 => Found::Post(candidates.iter().next().cloned().unwrap_or_default(), how),
        _ => Found::Ambiguous(candidates.iter().cloned().collect()),
    }
}

fn title_key(title: &str) -> String {
    title.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// What `feedwright adopt` found and will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Items matched to a post.
    pub matched: usize,
    /// Posts whose id already is the one readers hold.
    pub equal: BTreeSet<PathBuf>,
    /// The pins to write: every pin the site had, plus the new ones.
    pub pins: Pins,
    /// Pins this run adds or changes.
    pub new_pins: Pins,
    /// Items that match no post (title, link) and why.
    pub unmatched: Vec<String>,
    /// Disagreements that need a person: listed, never resolved.
    pub conflicts: Vec<String>,
    /// How many items' ids have each shape (permalink, WordPress `?p=`, …).
    pub shapes: BTreeMap<&'static str, usize>,
    /// WordPress ids (`?p=N`) that a `guid_base` would give back without pins.
    pub guid_base_hint: Option<String>,
}

/// Match `items` to the site's posts and work out the pins.
pub fn plan(site: &Site, items: &[HeldItem]) -> Plan {
    let matcher = Matcher::new(site);
    let mut plan = Plan { pins: site.config().map(|c| (*c.pins).clone()).unwrap_or_default(), ..Plan::default() };
    let mut wanted: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut holders: BTreeMap<String, BTreeSet<PathBuf>> = BTreeMap::new();
    for item in items {
        *plan.shapes.entry(shape(item)).or_default() += 1;
        match matcher.find(item) {
            Found::Post(path, _) => {
                plan.matched += 1;
                wanted.entry(path.clone()).or_default().insert(item.id.clone());
                holders.entry(item.id.clone()).or_default().insert(path);
            }
            Found::Ambiguous(paths) => plan.unmatched.push(format!(
                "{} ({}): fits {} posts equally: {}",
                item.title.as_deref().unwrap_or("(no title)"),
                item.link.as_deref().unwrap_or(&item.id),
                paths.len(),
                paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            )),
            Found::Unmatched => plan.unmatched.push(format!(
                "{} ({}) in {}",
                item.title.as_deref().unwrap_or("(no title)"),
                item.link.as_deref().unwrap_or(&item.id),
                item.source
            )),
        }
    }
    let shared: BTreeSet<&String> = holders.iter().filter(|(_, posts)| posts.len() > 1).map(|(id, _)| id).collect();
    for id in &shared {
        let posts: Vec<String> = holders[*id].iter().map(|p| p.display().to_string()).collect();
        plan.conflicts.push(format!("readers hold `{id}` for {} posts: {}", posts.len(), posts.join(", ")));
    }
    for (path, ids) in &wanted {
        let Some(post) = site.post(path) else { continue };
        if ids.len() > 1 {
            let list: Vec<&str> = ids.iter().map(String::as_str).collect();
            plan.conflicts.push(format!(
                "{}: readers hold {} ids for it: {}",
                path.display(),
                list.len(),
                list.join(", ")
            ));
            continue;
        }
        let Some(held) = ids.iter().next() else { continue };
        if shared.contains(held) {
            continue;
        }
        if post.id == *held {
            plan.equal.insert(path.clone());
        } else if post.id_source == IdSource::Guid {
            plan.conflicts.push(format!(
                "{}: its front matter `guid` is `{}`, readers hold `{held}`: edit the `guid`",
                path.display(),
                post.id
            ));
        } else {
            plan.pins.insert(path.clone(), held.clone());
            plan.new_pins.insert(path.clone(), held.clone());
        }
    }
    plan.guid_base_hint = guid_base_hint(site, &wanted);
    plan
}

/// For `http://host/?p=N` ids readers hold where the site mints `…/?p=N` under another
/// base: the `guid_base` that gives them back.
fn guid_base_hint(site: &Site, wanted: &BTreeMap<PathBuf, BTreeSet<String>>) -> Option<String> {
    let config = site.config()?;
    wanted.iter().find_map(|(path, ids)| {
        let post = site.post(path)?;
        let held = ids.iter().next()?;
        let (base, n) = held.split_once("/?p=")?;
        let minted = format!("{}/?p={n}", config.guid_base);
        (post.id_source != IdSource::Guid
            && minted != *held
            && base != config.guid_base
            && post_has_wordpress_id(post, n))
        .then(|| base.to_string())
    })
}

fn post_has_wordpress_id(post: &Post, n: &str) -> bool {
    post.id.ends_with(&format!("/?p={n}")) || post.id_source == IdSource::Pin
}

/// The shape of an item's id, as a user recognizes it.
fn shape(item: &HeldItem) -> &'static str {
    let id = item.id.as_str();
    let link = item.link.as_deref().unwrap_or_default();
    if id.contains("/?p=") {
        "WordPress (`http://host/?p=N`)"
    } else if id.starts_with("tag:") {
        "tag URI"
    } else if !link.is_empty() && id == link {
        "the permalink (Hugo, Zola)"
    } else if !link.is_empty() && uri::comparable(id).is_some() && uri::comparable(id) == uri::comparable(link) {
        "the permalink written otherwise (jekyll-feed: without the trailing slash)"
    } else if id.starts_with("urn:") {
        "URN"
    } else {
        "other"
    }
}

/// For `check --against`: each item that maps to a post whose id would differ from the
/// one readers hold, as `path:1: error: readers hold …, feedwright would publish …`.
pub fn differences(site: &Site, items: &[HeldItem]) -> (usize, Vec<Diagnostic>) {
    let matcher = Matcher::new(site);
    let mut matched = 0;
    let mut found = Vec::new();
    for item in items {
        let Found::Post(path, _) = matcher.find(item) else { continue };
        matched += 1;
        let Some(post) = site.post(&path) else { continue };
        if post.id != item.id {
            found.push(Diagnostic::error(
                &path,
                1,
                format!(
                    "readers hold `{}`, feedwright would publish `{}` ({}; `feedwright adopt` pins the old id)",
                    item.id,
                    post.id,
                    change_cause(&item.id, &post.id)
                ),
            ));
        }
    }
    found.sort();
    found.dedup();
    (matched, found)
}
