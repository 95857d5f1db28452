//! The catalog: which feeds a site has and which posts each one shows, kept up to date
//! one post at a time.
//!
//! Every feed's members are held in a set ordered newest first (ties broken by id), so
//! a feed's items are the first `limit` members and adding or removing a post costs a
//! few set operations, however large the site. Derived facts — a tag's display name (its
//! most common spelling), slugs, which series have enough posts — are recomputed from
//! counts when they can have changed.

pub mod slug;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::core::catalog::slug::assign_slugs;
use crate::core::input::config::{Config, CustomFeed};
use crate::core::input::post::Post;

/// One feed of the site, named by what it selects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedKey {
    Site,
    Tag(String),
    Category(String),
    Series(String),
    Custom(String),
}

impl FeedKey {
    /// The folder the feed's files live in, relative to `--out` (`""` or `tags/nfs/`).
    pub fn dir(&self) -> String {
        match self {
            FeedKey::Site => String::new(),
            FeedKey::Tag(s) => format!("tags/{s}/"),
            FeedKey::Category(s) => format!("categories/{s}/"),
            FeedKey::Series(s) => format!("series/{s}/"),
            FeedKey::Custom(s) => format!("{s}/"),
        }
    }
}

/// A feed: what it is called and which posts it shows.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    pub key: FeedKey,
    pub title: String,
    pub description: String,
    /// The site's HTML page matching the feed.
    pub html_url: String,
    /// Posts shown, newest first, at most the feed's limit.
    pub items: Vec<&'a Post>,
}

/// A post in feed order: newest first, then by id (unique among visible posts), then path.
#[derive(Debug, Clone)]
pub struct Ranked(pub Arc<Post>);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .date
            .instant
            .cmp(&self.0.date.instant)
            .then_with(|| self.0.id.cmp(&other.0.id))
            .then_with(|| self.0.source.cmp(&other.0.source))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// Tags, categories or series: members per term, and spellings to pick display names.
#[derive(Debug, Default)]
pub struct Terms {
    /// lowercase key → members
    members: HashMap<String, BTreeSet<Ranked>>,
    /// lowercase key → spelling → how many times posts use it
    spellings: HashMap<String, BTreeMap<String, usize>>,
    /// Posts that name a series in front matter (series only).
    declared: HashMap<String, usize>,
    display: HashMap<String, String>,
    slugs: HashMap<String, String>,
    by_slug: HashMap<String, String>,
    /// Messages about names that had to share a slug.
    pub collisions: Vec<String>,
    /// Display names changed: slugs must be reassigned.
    stale: bool,
    /// Display names as they were at the last refresh, for the terms changed since.
    before: HashMap<String, Option<String>>,
}

impl Terms {
    fn add(&mut self, name: &str, post: &Arc<Post>) {
        let key = lowercase(name);
        match self.members.get_mut(key.as_ref()) {
            Some(set) => {
                set.insert(Ranked(post.clone()));
            }
            None => {
                self.members.insert(key.to_string(), BTreeSet::from([Ranked(post.clone())]));
            }
        }
        let counts = match self.spellings.get_mut(key.as_ref()) {
            Some(counts) => counts,
            None => self.spellings.entry(key.to_string()).or_default(),
        };
        match counts.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                counts.insert(name.to_string(), 1);
            }
        }
        self.redisplay(&key);
    }

    fn remove(&mut self, name: &str, post: &Arc<Post>) {
        let key = name.to_lowercase();
        if let Some(set) = self.members.get_mut(&key) {
            set.remove(&Ranked(post.clone()));
            if set.is_empty() {
                self.members.remove(&key);
            }
        }
        if let Some(counts) = self.spellings.get_mut(&key) {
            if let Some(n) = counts.get_mut(name) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(name);
                }
            }
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
            .and_then(|counts| counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(n, _)| n));
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
    fn refresh(&mut self) -> bool {
        let mut renamed = self
            .before
            .drain()
            .any(|(key, old)| old.is_some_and(|old| self.display.get(&key).is_some_and(|new| *new != old)));
        if self.stale {
            let (slugs, collisions) = assign_slugs(self.display.values().map(String::as_str));
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

    /// The slug of the term `name` belongs to.
    fn slug(&self, name: &str) -> Option<&String> {
        self.slugs.get(lowercase(name).as_ref())
    }

    /// The display name of `name`'s term (the name itself if unknown).
    pub fn display<'s>(&'s self, key: &str, fallback: &'s str) -> &'s str {
        self.display.get(key).map_or(fallback, String::as_str)
    }

    fn members_of(&self, slug: &str) -> Option<&BTreeSet<Ranked>> {
        self.by_slug.get(slug).and_then(|k| self.members.get(k))
    }
}

/// Every feed of a site and its members.
#[derive(Debug, Default)]
pub struct Catalog {
    all: BTreeSet<Ranked>,
    /// Every visible post's `updated`, counted (the newest is the site's date).
    updated: BTreeMap<DateTime<FixedOffset>, usize>,
    /// Posts inserted or removed since the last `take_touched`.
    touched: Vec<Arc<Post>>,
    pub tags: Terms,
    pub categories: Terms,
    pub series: Terms,
    custom: Vec<BTreeSet<Ranked>>,
}

/// A term's key: its name in lower case (borrowed when it already is).
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.to_lowercase())
    }
}

/// The series a title belongs to by the config's patterns (site patterns first).
pub fn detect_series(title: &str, config: &Config) -> Option<String> {
    config.series_patterns.iter().rev().find_map(|re| {
        re.captures(title).and_then(|c| c.name("name")).map(|m| m.as_str().trim().to_string()).filter(|n| !n.is_empty())
    })
}

/// A post's series: those its front matter names, and the one its title shows.
pub fn series_names(post: &Post) -> Vec<&str> {
    let mut names: Vec<&str> = post.series.iter().map(String::as_str).collect();
    if let Some(detected) = &post.detected_series
        && !names.iter().any(|n| n.to_lowercase() == detected.to_lowercase())
    {
        names.push(detected);
    }
    names
}

/// The catalog of `posts` in one go (tests and one-shot uses).
pub fn build(config: &Config, posts: &[Arc<Post>]) -> Catalog {
    let mut catalog = Catalog::new(config);
    for post in posts {
        catalog.insert(config, post);
    }
    catalog.refresh();
    catalog
}

impl Catalog {
    pub fn new(config: &Config) -> Catalog {
        Catalog { custom: vec![BTreeSet::new(); config.feeds.len()], ..Catalog::default() }
    }

    /// Add a visible post to every feed it belongs to.
    pub fn insert(&mut self, config: &Config, post: &Arc<Post>) {
        self.touched.push(post.clone());
        if self.all.insert(Ranked(post.clone())) {
            *self.updated.entry(post.updated).or_default() += 1;
        }
        post.tags.iter().for_each(|t| self.tags.add(t, post));
        post.categories.iter().for_each(|c| self.categories.add(c, post));
        for name in series_names(post) {
            self.series.add(name, post);
        }
        for name in &post.series {
            *self.series.declared.entry(name.to_lowercase()).or_default() += 1;
        }
        for (i, feed) in config.feeds.iter().enumerate() {
            if matches(feed, post) {
                self.custom[i].insert(Ranked(post.clone()));
            }
        }
    }

    /// Take a post out of every feed (`post` must be the version that was inserted).
    pub fn remove(&mut self, config: &Config, post: &Arc<Post>) {
        self.touched.push(post.clone());
        if self.all.remove(&Ranked(post.clone()))
            && let Some(n) = self.updated.get_mut(&post.updated)
        {
            *n -= 1;
            if *n == 0 {
                self.updated.remove(&post.updated);
            }
        }
        post.tags.iter().for_each(|t| self.tags.remove(t, post));
        post.categories.iter().for_each(|c| self.categories.remove(c, post));
        for name in series_names(post) {
            self.series.remove(name, post);
        }
        for name in &post.series {
            let key = name.to_lowercase();
            if let Some(n) = self.series.declared.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    self.series.declared.remove(&key);
                }
            }
        }
        for (i, feed) in config.feeds.iter().enumerate() {
            if matches(feed, post) {
                self.custom[i].remove(&Ranked(post.clone()));
            }
        }
    }

    /// Bring slugs up to date; call after inserts and removes, before reading feeds.
    /// True when a term that stays was renamed: then any feed may have changed.
    pub fn refresh(&mut self) -> bool {
        let tags = self.tags.refresh();
        let categories = self.categories.refresh();
        let series = self.series.refresh();
        tags || categories || series
    }

    /// The posts inserted or removed since the last call.
    pub fn take_touched(&mut self) -> Vec<Arc<Post>> {
        std::mem::take(&mut self.touched)
    }

    /// The feeds `post` belongs to (by its terms; whether it shows in them or not).
    pub fn feeds_of(&self, config: &Config, post: &Post) -> Vec<FeedKey> {
        let mut keys = vec![FeedKey::Site];
        keys.extend(post.tags.iter().filter_map(|t| self.tags.slug(t)).map(|s| FeedKey::Tag(s.clone())));
        keys.extend(
            post.categories.iter().filter_map(|c| self.categories.slug(c)).map(|s| FeedKey::Category(s.clone())),
        );
        keys.extend(
            series_names(post).into_iter().filter_map(|n| self.series.slug(n)).map(|s| FeedKey::Series(s.clone())),
        );
        keys.extend(config.feeds.iter().filter(|f| matches(f, post)).map(|f| FeedKey::Custom(f.slug.clone())));
        keys
    }

    /// The newest `updated` of any visible post (the date of feeds without items).
    pub fn newest(&self) -> Option<DateTime<FixedOffset>> {
        self.updated.keys().next_back().copied()
    }

    /// Every visible post, newest first.
    pub fn posts(&self) -> impl Iterator<Item = &Post> {
        self.all.iter().map(|r| r.0.as_ref())
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Every feed the site has, in a stable order.
    pub fn keys(&self, config: &Config) -> Vec<FeedKey> {
        let mut keys = vec![FeedKey::Site];
        keys.extend(self.tags.slugs.values().map(|s| FeedKey::Tag(s.clone())));
        keys.extend(self.categories.slugs.values().map(|s| FeedKey::Category(s.clone())));
        keys.extend(
            self.series
                .slugs
                .iter()
                .filter(|(key, _)| self.series_has_feed(key))
                .map(|(_, s)| FeedKey::Series(s.clone())),
        );
        keys.extend(config.feeds.iter().map(|f| FeedKey::Custom(f.slug.clone())));
        keys.sort();
        keys
    }

    /// A series found only through titles needs two posts to be a feed.
    fn series_has_feed(&self, key: &str) -> bool {
        self.series.declared.contains_key(key) || self.series.members.get(key).is_some_and(|m| m.len() >= 2)
    }

    /// The members of a feed, newest first, with its limit.
    fn members(&self, config: &Config, key: &FeedKey) -> Option<(&BTreeSet<Ranked>, usize)> {
        match key {
            FeedKey::Site => Some((&self.all, config.limit)),
            FeedKey::Tag(slug) => self.tags.members_of(slug).map(|m| (m, config.limit)),
            FeedKey::Category(slug) => self.categories.members_of(slug).map(|m| (m, config.limit)),
            FeedKey::Series(slug) => self
                .series
                .by_slug
                .get(slug)
                .filter(|k| self.series_has_feed(k))
                .and_then(|k| self.series.members.get(k))
                .map(|m| (m, config.limit)),
            FeedKey::Custom(slug) => {
                let i = config.feeds.iter().position(|f| &f.slug == slug)?;
                Some((&self.custom[i], config.feeds[i].limit.unwrap_or(config.limit)))
            }
        }
    }

    /// The posts a feed shows (newest first, at most its limit); `None` if no such feed.
    pub fn items(&self, config: &Config, key: &FeedKey) -> Option<Vec<&Post>> {
        let (members, limit) = self.members(config, key)?;
        Some(members.iter().take(limit).map(|r| r.0.as_ref()).collect())
    }

    /// A feed with its title, description, page and items.
    pub fn feed(&self, config: &Config, key: &FeedKey) -> Option<Feed<'_>> {
        let items = self.items(config, key)?;
        let site = &config.title;
        let base = &config.base_url;
        let (title, description, html_url) = match key {
            FeedKey::Site => (
                site.clone(),
                if config.description.is_empty() {
                    format!("Recent posts on {site}")
                } else {
                    config.description.clone()
                },
                format!("{base}/"),
            ),
            FeedKey::Tag(slug) | FeedKey::Category(slug) | FeedKey::Series(slug) => {
                let (terms, label) = match key {
                    FeedKey::Tag(_) => (&self.tags, "tag"),
                    FeedKey::Category(_) => (&self.categories, "category"),
                    _ => (&self.series, "series"),
                };
                let name = terms.by_slug.get(slug).map_or(slug.as_str(), |k| terms.display(k, slug));
                (
                    self.title(config, key),
                    format!("Posts in {label} “{name}” on {site}"),
                    crate::core::uri::encode(&format!("{base}/{}", key.dir())).into_owned(),
                )
            }
            FeedKey::Custom(slug) => {
                let custom = config.feeds.iter().find(|f| &f.slug == slug)?;
                (
                    self.title(config, key),
                    custom.description.clone().unwrap_or_else(|| format!("{} on {site}", custom.title)),
                    format!("{base}/"),
                )
            }
        };
        Some(Feed { key: key.clone(), title, description, html_url, items })
    }

    /// A feed's title (what the OPML list shows of it).
    pub fn title(&self, config: &Config, key: &FeedKey) -> String {
        let site = &config.title;
        let name = |terms: &Terms, label: &str, slug: &str| {
            let name = terms.by_slug.get(slug).map_or(slug, |k| terms.display(k, slug));
            format!("{site} — {label}: {name}")
        };
        match key {
            FeedKey::Site => site.clone(),
            FeedKey::Tag(slug) => name(&self.tags, "Tag", slug),
            FeedKey::Category(slug) => name(&self.categories, "Category", slug),
            FeedKey::Series(slug) => name(&self.series, "Series", slug),
            FeedKey::Custom(slug) => {
                let title = config.feeds.iter().find(|f| &f.slug == slug).map_or(slug.as_str(), |f| f.title.as_str());
                format!("{site} — {title}")
            }
        }
    }
}

/// Whether `post` is in a custom feed: every criterion given holds (any entry of a list).
pub fn matches(feed: &CustomFeed, post: &Post) -> bool {
    let series: Vec<String> = series_names(post).into_iter().map(str::to_string).collect();
    let any = |wanted: &[String], have: &[String]| {
        wanted.is_empty() || have.iter().any(|h| wanted.contains(&h.to_lowercase()))
    };
    any(&feed.tags, &post.tags)
        && any(&feed.categories, &post.categories)
        && any(&feed.series, &series)
        && feed.title_pattern.as_ref().is_none_or(|re| re.is_match(&post.title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::config::parse_config;
    use crate::core::input::post::parse_post;
    use std::path::Path;

    fn config(extra: &str) -> Config {
        let text = format!("base_url: https://ex.com\ntitle: Ex\n{extra}");
        parse_config(Path::new("feedwright.yaml"), text.as_bytes()).unwrap()
    }

    fn post(config: &Config, name: &str, title: &str, date: &str, tags: &str) -> Arc<Post> {
        let text = format!("---\ntitle: '{title}'\ndate: {date}\ntags: {tags}\n---\nBody\n");
        Arc::new(parse_post(Path::new(&format!("content/post/{name}.md")), text.as_bytes(), config).0.unwrap())
    }

    fn titles(items: &[&Post]) -> Vec<String> {
        items.iter().map(|p| p.title.clone()).collect()
    }

    #[test]
    fn default_series_pattern() {
        let c = config("");
        assert_eq!(detect_series("Virtualization Short Take #5", &c).as_deref(), Some("Virtualization Short Take"));
        assert_eq!(
            detect_series("Virtualization Short Take #26, Hyper-V Edition", &c).as_deref(),
            Some("Virtualization Short Take")
        );
        assert_eq!(detect_series("Technology Short Take 100", &c), None);
        assert_eq!(detect_series("No number here", &c), None);
    }

    #[test]
    fn a_site_pattern_catches_series_drift() {
        let c = config("series_patterns: ['^(?P<name>.+ Short Take) #?\\d+']\n");
        assert_eq!(detect_series("Technology Short Take 100", &c).as_deref(), Some("Technology Short Take"));
        assert_eq!(detect_series("Technology Short Take #63", &c).as_deref(), Some("Technology Short Take"));
    }

    #[test]
    fn a_detected_series_needs_two_posts() {
        let c = config("");
        let a = post(&c, "a", "Lonely Take #1", "2008-01-01", "[]");
        let b = post(&c, "b", "Short Take #1", "2008-01-02", "[]");
        let d = post(&c, "d", "Short Take #2", "2008-01-03", "[]");
        let mut cat = build(&c, &[a, b.clone(), d]);
        let series: Vec<FeedKey> = cat.keys(&c).into_iter().filter(|k| matches!(k, FeedKey::Series(_))).collect();
        assert_eq!(series, vec![FeedKey::Series("short-take".into())]);
        assert_eq!(cat.items(&c, &FeedKey::Series("short-take".into())).unwrap().len(), 2);
        cat.remove(&c, &b);
        cat.refresh();
        assert!(cat.items(&c, &FeedKey::Series("short-take".into())).is_none());
    }

    #[test]
    fn tags_are_case_insensitive_with_the_most_common_spelling() {
        let c = config("");
        let a = post(&c, "a", "A", "2008-01-01", "[NFS]");
        let b = post(&c, "b", "B", "2008-01-02", "[nfs]");
        let d = post(&c, "d", "D", "2008-01-03", "[NFS, VMware]");
        let cat = build(&c, &[a, b, d]);
        let nfs = cat.feed(&c, &FeedKey::Tag("nfs".into())).unwrap();
        assert_eq!(nfs.title, "Ex — Tag: NFS");
        assert_eq!(titles(&nfs.items), ["D", "B", "A"]);
        assert_eq!(nfs.html_url, "https://ex.com/tags/nfs/");
        assert_eq!(cat.tags.display("nfs", "nfs"), "NFS");
    }

    #[test]
    fn limits_and_custom_feeds() {
        let c = config(
            "limit: 2\nfeeds:\n  - slug: st\n    title: Short Takes\n    limit: 1\n    match: {title: 'Short Take #\\d+'}\n",
        );
        let a = post(&c, "a", "Short Take #1", "2008-01-01", "[x]");
        let b = post(&c, "b", "Other", "2008-01-02", "[x]");
        let d = post(&c, "d", "Short Take #2", "2008-01-03", "[x]");
        let cat = build(&c, &[a, b, d]);
        assert_eq!(titles(&cat.items(&c, &FeedKey::Site).unwrap()), ["Short Take #2", "Other"]);
        assert_eq!(titles(&cat.items(&c, &FeedKey::Custom("st".into())).unwrap()), ["Short Take #2"]);
    }

    #[test]
    fn removing_the_last_post_of_a_tag_removes_its_feed() {
        let c = config("");
        let a = post(&c, "a", "A", "2008-01-01", "[Solo, Shared]");
        let b = post(&c, "b", "B", "2008-01-02", "[shared]");
        let mut cat = build(&c, &[a.clone(), b]);
        assert!(cat.keys(&c).contains(&FeedKey::Tag("solo".into())));
        cat.remove(&c, &a);
        cat.refresh();
        assert!(!cat.keys(&c).contains(&FeedKey::Tag("solo".into())));
        assert_eq!(cat.feed(&c, &FeedKey::Tag("shared".into())).unwrap().title, "Ex — Tag: shared");
    }
}
