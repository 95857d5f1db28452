//! The catalog: which feeds a site has and which posts each one shows.
//!
//! A pure function of the config and the visible posts. Posts come in newest-first
//! order (ties broken by id), so every feed's items are in that order by construction.

use std::collections::{BTreeMap, HashMap};

use crate::config::{Config, CustomFeed};
use crate::post::Post;
use crate::slug::assign_slugs;

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

/// A taxonomy (tags, categories or series): each term's display name by lowercase key.
#[derive(Debug, Default)]
pub struct Terms {
    /// lowercase key → (display name, slug)
    pub names: HashMap<String, (String, String)>,
    /// Messages about names that had to share a slug.
    pub collisions: Vec<String>,
}

impl Terms {
    fn build<'p>(names: impl Iterator<Item = &'p str>) -> Terms {
        let mut spellings: HashMap<String, BTreeMap<&str, usize>> = HashMap::new();
        for name in names {
            *spellings.entry(name.to_lowercase()).or_default().entry(name).or_default() += 1;
        }
        let display: Vec<(String, String)> = spellings
            .into_iter()
            .map(|(key, counts)| {
                // Most common spelling; ties go to the smallest, for determinism.
                let best =
                    counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(n, _)| *n).unwrap_or_default();
                (key, best.to_string())
            })
            .collect();
        let (slugs, collisions) = assign_slugs(display.iter().map(|(_, d)| d.as_str()));
        let names = display
            .into_iter()
            .map(|(key, name)| {
                let slug = slugs[&name].clone();
                (key, (name, slug))
            })
            .collect();
        Terms { names, collisions }
    }

    pub fn display<'s>(&'s self, name: &'s str) -> &'s str {
        self.names.get(&name.to_lowercase()).map_or(name, |(d, _)| d.as_str())
    }

    fn slug(&self, name: &str) -> Option<&str> {
        self.names.get(&name.to_lowercase()).map(|(_, s)| s.as_str())
    }
}

/// Every feed of a site, plus the taxonomy names items need.
#[derive(Debug)]
pub struct Catalog<'a> {
    pub feeds: BTreeMap<FeedKey, Feed<'a>>,
    pub tags: Terms,
    pub categories: Terms,
    /// Each visible post's series (front matter and detected), by post source.
    pub series_of: HashMap<&'a std::path::Path, Vec<String>>,
    pub series: Terms,
}

/// The series a title belongs to by the config's patterns (site patterns first).
pub fn detect_series(title: &str, config: &Config) -> Option<String> {
    config.series_patterns.iter().rev().find_map(|re| {
        re.captures(title).and_then(|c| c.name("name")).map(|m| m.as_str().trim().to_string()).filter(|n| !n.is_empty())
    })
}

/// The catalog of `posts` (visible posts, sorted newest first).
pub fn build<'a>(config: &Config, posts: &[&'a Post]) -> Catalog<'a> {
    let tags = Terms::build(posts.iter().flat_map(|p| p.tags.iter().map(String::as_str)));
    let categories = Terms::build(posts.iter().flat_map(|p| p.categories.iter().map(String::as_str)));

    // Series: front matter always counts; a detected series needs two posts.
    let detected: Vec<Option<String>> = posts.iter().map(|p| detect_series(&p.title, config)).collect();
    let mut detected_count: HashMap<String, usize> = HashMap::new();
    for name in detected.iter().flatten() {
        *detected_count.entry(name.to_lowercase()).or_default() += 1;
    }
    let mut declared_count: HashMap<String, usize> = HashMap::new();
    for p in posts {
        for s in &p.series {
            *declared_count.entry(s.to_lowercase()).or_default() += 1;
        }
    }
    let mut series_of = HashMap::new();
    for (post, found) in posts.iter().zip(&detected) {
        let mut names: Vec<String> = post.series.clone();
        if let Some(name) = found {
            let key = name.to_lowercase();
            let count = detected_count[&key] + declared_count.get(&key).copied().unwrap_or(0);
            if count >= 2 && !names.iter().any(|n| n.to_lowercase() == key) {
                names.push(name.clone());
            }
        }
        series_of.insert(post.source.as_path(), names);
    }
    let series = Terms::build(series_of.values().flatten().map(String::as_str));

    let site_title = &config.title;
    let base = &config.base_url;
    let mut feeds = BTreeMap::new();
    let mut add = |key: FeedKey, title: String, description: String, html_url: String| {
        feeds.entry(key.clone()).or_insert_with(|| Feed { key, title, description, html_url, items: Vec::new() });
    };
    add(
        FeedKey::Site,
        site_title.clone(),
        if config.description.is_empty() {
            format!("Recent posts on {site_title}")
        } else {
            config.description.clone()
        },
        format!("{base}/"),
    );
    let taxonomy_feeds =
        [("Tag", "tags", &tags), ("Category", "categories", &categories), ("Series", "series", &series)];
    for (label, dir, terms) in taxonomy_feeds {
        for (name, slug) in terms.names.values() {
            let key = match dir {
                "tags" => FeedKey::Tag(slug.clone()),
                "categories" => FeedKey::Category(slug.clone()),
                _ => FeedKey::Series(slug.clone()),
            };
            add(
                key,
                format!("{site_title} — {label}: {name}"),
                format!("Posts in {} “{name}” on {site_title}", label.to_lowercase()),
                format!("{base}/{dir}/{slug}/"),
            );
        }
    }
    for custom in &config.feeds {
        add(
            FeedKey::Custom(custom.slug.clone()),
            format!("{site_title} — {}", custom.title),
            custom.description.clone().unwrap_or_else(|| format!("{} on {site_title}", custom.title)),
            format!("{base}/"),
        );
    }

    let limit_of = |key: &FeedKey| match key {
        FeedKey::Custom(slug) => {
            config.feeds.iter().find(|f| &f.slug == slug).and_then(|f| f.limit).unwrap_or(config.limit)
        }
        _ => config.limit,
    };
    let limits: HashMap<FeedKey, usize> = feeds.keys().map(|k| (k.clone(), limit_of(k))).collect();
    let mut push = |key: FeedKey, post: &'a Post| {
        if let Some(feed) = feeds.get_mut(&key)
            && feed.items.len() < limits[&key]
            && !feed.items.iter().any(|p| std::ptr::eq(*p, post))
        {
            feed.items.push(post);
        }
    };
    for &post in posts {
        push(FeedKey::Site, post);
        for t in &post.tags {
            if let Some(slug) = tags.slug(t) {
                push(FeedKey::Tag(slug.to_string()), post);
            }
        }
        for c in &post.categories {
            if let Some(slug) = categories.slug(c) {
                push(FeedKey::Category(slug.to_string()), post);
            }
        }
        let post_series = &series_of[post.source.as_path()];
        for s in post_series {
            if let Some(slug) = series.slug(s) {
                push(FeedKey::Series(slug.to_string()), post);
            }
        }
        for custom in &config.feeds {
            if matches(custom, post, post_series) {
                push(FeedKey::Custom(custom.slug.clone()), post);
            }
        }
    }
    Catalog { feeds, tags, categories, series_of, series }
}

/// Whether `post` is in a custom feed: every criterion given holds (any entry of a list).
pub fn matches(feed: &CustomFeed, post: &Post, series: &[String]) -> bool {
    let any = |wanted: &[String], have: &[String]| {
        wanted.is_empty() || have.iter().any(|h| wanted.contains(&h.to_lowercase()))
    };
    any(&feed.tags, &post.tags)
        && any(&feed.categories, &post.categories)
        && any(&feed.series, series)
        && feed.title_pattern.as_ref().is_none_or(|re| re.is_match(&post.title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use crate::post::parse_post;
    use std::path::Path;

    fn config(extra: &str) -> Config {
        let text = format!("base_url: https://ex.com\ntitle: Ex\n{extra}");
        parse_config(Path::new("feedwright.yaml"), text.as_bytes()).unwrap()
    }

    fn post(config: &Config, name: &str, title: &str, date: &str, tags: &str) -> Post {
        let text = format!("---\ntitle: '{title}'\ndate: {date}\ntags: {tags}\n---\nBody\n");
        parse_post(Path::new(&format!("content/post/{name}.md")), text.as_bytes(), config).0.unwrap()
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
        assert_eq!(detect_series("Why #1 matters", &c).as_deref(), Some("Why"));
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
        let posts = vec![&d, &b, &a];
        let cat = build(&c, &posts);
        let series: Vec<_> = cat.feeds.keys().filter(|k| matches!(k, FeedKey::Series(_))).collect();
        assert_eq!(series, vec![&FeedKey::Series("short-take".into())]);
        assert_eq!(cat.feeds[&FeedKey::Series("short-take".into())].items.len(), 2);
    }

    #[test]
    fn tags_are_case_insensitive_with_the_most_common_spelling() {
        let c = config("");
        let a = post(&c, "a", "A", "2008-01-01", "[NFS]");
        let b = post(&c, "b", "B", "2008-01-02", "[nfs]");
        let d = post(&c, "d", "D", "2008-01-03", "[NFS, VMware]");
        let posts = vec![&d, &b, &a];
        let cat = build(&c, &posts);
        let nfs = &cat.feeds[&FeedKey::Tag("nfs".into())];
        assert_eq!(nfs.title, "Ex — Tag: NFS");
        assert_eq!(nfs.items.len(), 3);
        assert_eq!(nfs.html_url, "https://ex.com/tags/nfs/");
        assert_eq!(cat.tags.display("nfs"), "NFS");
    }

    #[test]
    fn limits_and_custom_feeds() {
        let c = config(
            "limit: 2\nfeeds:\n  - slug: st\n    title: Short Takes\n    limit: 1\n    match: {title: 'Short Take #\\d+'}\n",
        );
        let a = post(&c, "a", "Short Take #1", "2008-01-01", "[x]");
        let b = post(&c, "b", "Other", "2008-01-02", "[x]");
        let d = post(&c, "d", "Short Take #2", "2008-01-03", "[x]");
        let posts = vec![&d, &b, &a];
        let cat = build(&c, &posts);
        assert_eq!(cat.feeds[&FeedKey::Site].items.len(), 2);
        let st = &cat.feeds[&FeedKey::Custom("st".into())];
        assert_eq!(st.items.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), vec!["Short Take #2"]);
    }
}
