//! The catalog: which feeds a site has and which posts each one shows, kept up to date
//! one post at a time.
//!
//! Every feed's members are held in a set ordered newest first (ties broken by id), so
//! a feed's items are the first `limit` members and adding or removing a post costs a
//! few set operations, however large the site. Derived facts — a tag's display name (its
//! most common spelling), slugs, which series have enough posts — are recomputed from
//! counts when they can have changed.
//!
//! (Over 400 lines with its tests.)

pub mod links;
pub mod series;
mod terms;

pub use self::series::{matches, series_names};
pub use self::terms::Terms;
pub use crate::core::paths::FeedKey;
pub use crate::core::paths::layout::Taxon;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::core::counts::Counts;
use crate::core::input::config::Config;
use crate::core::input::post::{AUTHORS, Post};

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
/// Its date is kept beside it (Unix seconds and nanoseconds), so that ordering a large
/// set compares in place and reads a post only on a tie.
#[derive(Debug, Clone)]
pub struct Ranked(pub Arc<Post>, (i64, u32));

impl Ranked {
    pub fn new(post: Arc<Post>) -> Ranked {
        let at = rank(&post);
        Ranked(post, at)
    }
}

/// A post's date as feeds order it (Unix seconds and nanoseconds; larger is newer).
pub fn rank(post: &Post) -> (i64, u32) {
    let at = post.date.instant;
    (at.timestamp(), at.timestamp_subsec_nanos())
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other.1.cmp(&self.1).then_with(|| self.0.id.cmp(&other.0.id)).then_with(|| self.0.source.cmp(&other.0.source))
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

/// Every feed of a site and its members.
#[derive(Debug, Default)]
pub struct Catalog {
    all: BTreeSet<Ranked>,
    /// Every visible post's `updated`, counted (the newest is the site's date).
    updated: Counts<DateTime<FixedOffset>>,
    /// Posts inserted or removed since the last `take_changed_posts`.
    changed_posts: Vec<Arc<Post>>,
    pub tags: Terms,
    pub categories: Terms,
    pub series: Terms,
    /// Hugo's sections (only where the layout has section feeds).
    pub sections: Terms,
    /// Hugo's other taxonomies, by plural name.
    pub others: BTreeMap<String, Terms>,
    custom: Vec<BTreeSet<Ranked>>,
    /// Author feeds exist (automatic ones need a second author).
    author_feeds: bool,
}

/// The catalog of `posts` in one go (tests and one-shot uses).
#[cfg(test)]
pub fn build(config: &Config, posts: &[Arc<Post>]) -> Catalog {
    let mut catalog = Catalog::new(config);
    for post in posts {
        catalog.insert(config, post);
    }
    catalog.refresh(config);
    catalog
}

impl Catalog {
    pub fn new(config: &Config) -> Catalog {
        Catalog { custom: vec![BTreeSet::new(); config.feeds.len()], ..Catalog::default() }
    }

    /// Add a visible post to every feed it belongs to.
    pub fn insert(&mut self, config: &Config, post: &Arc<Post>) {
        self.changed_posts.push(post.clone());
        if self.all.insert(Ranked::new(post.clone())) {
            self.updated.add(post.updated);
        }
        post.tags.iter().for_each(|t| self.tags.add(t, post));
        post.categories.iter().for_each(|c| self.categories.add(c, post));
        for name in series_names(post) {
            self.series.add(name, post);
        }
        for name in &post.series {
            self.series.declared.add(name.to_lowercase());
        }
        if config.layout.sections() && !post.section.is_empty() {
            self.sections.add(&post.section, post);
        }
        for (plural, terms) in &post.taxonomies {
            let taxonomy = self.others.entry(plural.clone()).or_default();
            terms.iter().for_each(|t| taxonomy.add(t, post));
        }
        for (i, feed) in config.feeds.iter().enumerate() {
            if matches(feed, post) {
                self.custom[i].insert(Ranked::new(post.clone()));
            }
        }
    }

    /// Take a post out of every feed (`post` must be the version that was inserted).
    pub fn remove(&mut self, config: &Config, post: &Arc<Post>) {
        self.changed_posts.push(post.clone());
        if self.all.remove(&Ranked::new(post.clone())) {
            self.updated.remove(&post.updated);
        }
        post.tags.iter().for_each(|t| self.tags.remove(t, post));
        post.categories.iter().for_each(|c| self.categories.remove(c, post));
        for name in series_names(post) {
            self.series.remove(name, post);
        }
        for name in &post.series {
            self.series.declared.remove(name.to_lowercase().as_str());
        }
        if config.layout.sections() && !post.section.is_empty() {
            self.sections.remove(&post.section, post);
        }
        for (plural, terms) in &post.taxonomies {
            if let Some(taxonomy) = self.others.get_mut(plural) {
                terms.iter().for_each(|t| taxonomy.remove(t, post));
            }
        }
        for (i, feed) in config.feeds.iter().enumerate() {
            if matches(feed, post) {
                self.custom[i].remove(&Ranked::new(post.clone()));
            }
        }
    }

    /// Bring slugs up to date (as the site's layout writes them); call after inserts and
    /// removes, before reading feeds. True when a term that stays was renamed: then any
    /// feed may have changed.
    pub fn refresh(&mut self, config: &Config) -> bool {
        let layout = &config.layout;
        let mut renamed = self.tags.refresh(|n| layout.slug(Taxon::Tags, n));
        renamed |= self.categories.refresh(|n| layout.slug(Taxon::Categories, n));
        renamed |= self.series.refresh(|n| layout.slug(Taxon::Series, n));
        renamed |= self.sections.refresh(|n| layout.slug(Taxon::Sections, n));
        for (plural, terms) in &mut self.others {
            renamed |= terms.refresh(|n| layout.slug(Taxon::Other(plural), n));
        }
        // A second author brings every author's feed (the last but one takes them away).
        let author_feeds = !config.author_feeds_auto() || self.others.get(AUTHORS).is_some_and(|t| t.slugs.len() >= 2);
        renamed |= author_feeds != self.author_feeds;
        self.author_feeds = author_feeds;
        renamed
    }

    /// Count `posts` as changed (what they render to changed, not what they are).
    pub fn mark_changed(&mut self, posts: Vec<Arc<Post>>) {
        self.changed_posts.extend(posts);
    }

    /// The posts inserted or removed since the last call.
    pub fn take_changed_posts(&mut self) -> Vec<Arc<Post>> {
        std::mem::take(&mut self.changed_posts)
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
        keys.extend(self.sections.slug(&post.section).map(|s| FeedKey::Section(s.clone())));
        for (plural, terms) in &post.taxonomies {
            let Some(taxonomy) = self.others.get(plural).filter(|_| self.taxonomy_has_feeds(plural)) else { continue };
            keys.extend(
                terms.iter().filter_map(|t| taxonomy.slug(t)).map(|s| FeedKey::Taxonomy(plural.clone(), s.clone())),
            );
        }
        keys.extend(config.feeds.iter().filter(|f| matches(f, post)).map(|f| FeedKey::Custom(f.slug.clone())));
        keys
    }

    /// The newest `updated` of any visible post (the date of feeds without items).
    pub fn newest(&self) -> Option<DateTime<FixedOffset>> {
        self.updated.last().copied()
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
        keys.extend(self.sections.slugs.values().map(|s| FeedKey::Section(s.clone())));
        for (plural, terms) in self.others.iter().filter(|(p, _)| self.taxonomy_has_feeds(p)) {
            keys.extend(terms.slugs.values().map(|s| FeedKey::Taxonomy(plural.clone(), s.clone())));
        }
        keys.extend(config.feeds.iter().map(|f| FeedKey::Custom(f.slug.clone())));
        keys.sort();
        keys
    }

    /// Author feeds exist only while they are on; other taxonomies always have feeds.
    fn taxonomy_has_feeds(&self, plural: &str) -> bool {
        plural != AUTHORS || self.author_feeds
    }

    /// A series found only through titles needs two posts to be a feed.
    fn series_has_feed(&self, key: &str) -> bool {
        self.series.declared.contains(key) || self.series.members.get(key).is_some_and(|m| m.len() >= 2)
    }

    /// The terms a term feed draws from, and what readers call them.
    fn terms_of(&self, key: &FeedKey) -> Option<(&Terms, String)> {
        Some(match key {
            FeedKey::Tag(_) => (&self.tags, "tag".into()),
            FeedKey::Category(_) => (&self.categories, "category".into()),
            FeedKey::Series(_) => (&self.series, "series".into()),
            FeedKey::Section(_) => (&self.sections, "section".into()),
            FeedKey::Taxonomy(plural, _) if self.taxonomy_has_feeds(plural) => {
                (self.others.get(plural)?, plural.trim_end_matches('s').to_string())
            }
            FeedKey::Taxonomy(..) => return None,
            FeedKey::Site | FeedKey::Custom(_) => return None,
        })
    }

    /// The members of a feed, newest first, with its limit.
    fn members(&self, config: &Config, key: &FeedKey) -> Option<(&BTreeSet<Ranked>, usize)> {
        match key {
            FeedKey::Site => Some((&self.all, config.limit)),
            FeedKey::Series(slug) => self
                .series
                .by_slug
                .get(slug)
                .filter(|k| self.series_has_feed(k))
                .and_then(|k| self.series.members.get(k))
                .map(|m| (m, config.limit)),
            FeedKey::Tag(slug) | FeedKey::Category(slug) | FeedKey::Section(slug) | FeedKey::Taxonomy(_, slug) => {
                self.terms_of(key)?.0.members_of(slug).map(|m| (m, config.limit))
            }
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

    /// The archive pages of a feed (RFC 5005): every member, oldest first, `size` to a
    /// page; each page's posts newest first. Numbered from the oldest, so a new post only
    /// ever lands on the last page; and there is always a page after a full one (the last
    /// page may be empty), so a full page's links never change either.
    pub fn archive_pages(&self, config: &Config, key: &FeedKey) -> Option<Vec<Vec<&Post>>> {
        let (members, _) = self.members(config, key)?;
        let size = config.archive_size.max(1);
        let oldest_first: Vec<&Post> = members.iter().rev().map(|r| r.0.as_ref()).collect();
        let mut pages: Vec<Vec<&Post>> = oldest_first.chunks(size).map(|c| c.iter().rev().copied().collect()).collect();
        if pages.last().is_none_or(|p| p.len() == size) {
            pages.push(Vec::new());
        }
        Some(pages)
    }

    /// How many archive pages a feed has: one more than its full pages.
    pub fn archive_count(&self, config: &Config, key: &FeedKey) -> Option<usize> {
        let (members, _) = self.members(config, key)?;
        Some(members.len() / config.archive_size.max(1) + 1)
    }

    /// Archive page `page` (from 1, the oldest) of a feed, its posts newest first.
    pub fn archive_page(&self, config: &Config, key: &FeedKey, page: usize) -> Option<Vec<&Post>> {
        let (members, _) = self.members(config, key)?;
        let size = config.archive_size.max(1);
        if page == 0 || page > members.len() / size + 1 {
            return None;
        }
        let mut posts: Vec<&Post> =
            members.iter().rev().skip((page - 1) * size).take(size).map(|r| r.0.as_ref()).collect();
        posts.reverse();
        Some(posts)
    }

    /// A feed with its title, description, page and items.
    pub fn feed(&self, config: &Config, key: &FeedKey) -> Option<Feed<'_>> {
        let items = self.items(config, key)?;
        let site = &config.title;
        let base = &config.base_url;
        let page = crate::core::uri::encode(&format!("{base}{}", config.layout.page(key))).into_owned();
        let description = match key {
            FeedKey::Site if config.description.is_empty() => format!("Recent posts on {site}"),
            FeedKey::Site => config.description.clone(),
            FeedKey::Custom(slug) => {
                let custom = config.feeds.iter().find(|f| &f.slug == slug)?;
                custom.description.clone().unwrap_or_else(|| format!("{} on {site}", custom.title))
            }
            _ => {
                let (terms, label) = self.terms_of(key)?;
                format!("Posts in {label} “{}” on {site}", self.name(terms, key))
            }
        };
        Some(Feed { key: key.clone(), title: self.title(config, key), description, html_url: page, items })
    }

    /// The display name of a term feed's term, or a custom feed's slug (`None` for the
    /// site feed).
    pub fn name_of(&self, key: &FeedKey) -> Option<String> {
        if let FeedKey::Custom(slug) = key {
            return Some(slug.clone());
        }
        let (terms, _) = self.terms_of(key)?;
        Some(self.name(terms, key).to_string())
    }

    /// The display name of a term feed's term.
    fn name<'s>(&self, terms: &'s Terms, key: &'s FeedKey) -> &'s str {
        let slug = match key {
            FeedKey::Tag(s) | FeedKey::Category(s) | FeedKey::Series(s) | FeedKey::Section(s) => s,
            FeedKey::Taxonomy(_, s) => s,
            FeedKey::Site | FeedKey::Custom(_) => return "",
        };
        terms.by_slug.get(slug).map_or(slug.as_str(), |k| terms.display(k, slug))
    }

    /// A feed's title (what the OPML list shows of it).
    pub fn title(&self, config: &Config, key: &FeedKey) -> String {
        let site = &config.title;
        match key {
            FeedKey::Site => site.clone(),
            FeedKey::Custom(slug) => {
                let title = config.feeds.iter().find(|f| &f.slug == slug).map_or(slug.as_str(), |f| f.title.as_str());
                format!("{site} — {title}")
            }
            _ => match self.terms_of(key) {
                Some((terms, label)) => {
                    let mut label = label;
                    if let Some(first) = label.get_mut(..1) {
                        first.make_ascii_uppercase();
                    }
                    format!("{site} — {label}: {}", self.name(terms, key))
                }
                None => site.clone(),
            },
        }
    }
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
        cat.refresh(&c);
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
    fn one_archive_page_is_the_page_of_all_pages() {
        let c = config("archives: true\narchive_size: 2\n");
        for n in 0..6 {
            let posts: Vec<Arc<Post>> = (0..n)
                .map(|i| post(&c, &format!("p{i}"), &format!("P{i}"), &format!("2008-01-0{}", i + 1), "[]"))
                .collect();
            let cat = build(&c, &posts);
            let Some(all) = cat.archive_pages(&c, &FeedKey::Site) else { continue };
            assert_eq!(cat.archive_count(&c, &FeedKey::Site), Some(all.len()), "{n} posts");
            for (i, page) in all.iter().enumerate() {
                assert_eq!(
                    cat.archive_page(&c, &FeedKey::Site, i + 1).as_ref(),
                    Some(page),
                    "{n} posts, page {}",
                    i + 1
                );
            }
            assert!(cat.archive_page(&c, &FeedKey::Site, all.len() + 1).is_none());
            assert!(all.last().unwrap().len() < 2, "a full page is followed by another");
        }
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
        cat.refresh(&c);
        assert!(!cat.keys(&c).contains(&FeedKey::Tag("solo".into())));
        assert_eq!(cat.feed(&c, &FeedKey::Tag("shared".into())).unwrap().title, "Ex — Tag: shared");
    }
}
