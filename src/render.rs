//! Rendering feeds to bytes: one pass over a site as it is, rendering each post's HTML
//! at most once and sharing it between every feed that shows the post.

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::catalog::{Catalog, Feed, FeedKey};
use crate::config::{Config, Format};
use crate::content::{self, Rendered};
use crate::diag::Diagnostic;
use crate::frontmatter::body_of;
use crate::links::Links;
use crate::post::{Post, decode, file_slug};
use crate::shortcodes::{self, LinkResolver};
use crate::view::{FeedView, ItemView};
use crate::xmltext::clean;
use crate::{atom_feed, json_feed, opml, rss_feed};

/// Renders the feeds of one state of a site.
pub struct Renderer<'a> {
    config: &'a Config,
    catalog: &'a Catalog,
    links: LinkIndex<'a>,
    /// Each post's HTML, rendered once and shared by every feed (and thread) that shows
    /// it — and kept by the site between renders while the post and its links stay.
    html: &'a HtmlCache,
    /// Reads a post's file again when the post was parsed without keeping its body.
    reader: Option<&'a Reader>,
    /// Each post's item XML per format, made during this render.
    items: Mutex<ItemCache>,
    diagnostics: Mutex<Vec<Diagnostic>>,
}

/// Gives a post file's bytes by its path relative to the site root (the edge passes one
/// that reads the file, so the core need not keep every body in memory).
pub type Reader = Arc<dyn Fn(&Path) -> Option<Vec<u8>> + Send + Sync>;

impl<'a> Renderer<'a> {
    pub fn new(
        config: &'a Config,
        catalog: &'a Catalog,
        links: &'a Links,
        html: &'a HtmlCache,
        reader: Option<&'a Reader>,
    ) -> Renderer<'a> {
        let links = LinkIndex::new(config, links);
        Renderer { config, catalog, links, html, reader, items: Mutex::default(), diagnostics: Mutex::default() }
    }

    /// Warnings found while rendering post bodies (unknown shortcodes, missing targets).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = self.diagnostics.lock().map(|d| d.clone()).unwrap_or_default();
        d.sort();
        d
    }

    /// Every file of the given feeds, in every configured format.
    pub fn files<'k>(&self, keys: impl Iterator<Item = &'k FeedKey>) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for key in keys {
            let Some(feed) = self.catalog.feed(self.config, key) else { continue };
            let mut view = self.view(&feed);
            for &format in &self.config.formats {
                view.self_url = self.self_url(key, format);
                let bytes = match format {
                    Format::Rss => rss_feed::write_with_items(&view, &self.item_xml(&feed.items, format)),
                    Format::Atom => atom_feed::write_with_entries(&view, &self.item_xml(&feed.items, format)),
                    Format::Json => {
                        let mut view = view.clone();
                        view.items = feed.items.iter().map(|post| self.item(post)).collect();
                        json_feed::write(&view)
                    }
                };
                files.insert(format!("{}{}", key.dir(), format.file_name()), bytes);
            }
        }
        files
    }

    /// Render every post (as `check` does), collecting its warnings.
    pub fn render_every_post(&self) {
        for post in self.catalog.posts() {
            self.post_html(post);
        }
    }

    fn self_url(&self, key: &FeedKey, format: Format) -> String {
        format!("{}/{}{}", self.config.feeds_url, key.dir(), format.file_name())
    }

    /// The OPML list of every feed.
    pub fn opml(&self) -> Vec<u8> {
        let format = self.config.formats[0];
        let feeds: Vec<Feed> =
            self.catalog.keys(self.config).iter().filter_map(|k| self.catalog.feed(self.config, k)).collect();
        let entries: Vec<opml::Entry> = feeds
            .iter()
            .map(|feed| opml::Entry {
                key: &feed.key,
                title: &feed.title,
                xml_url: self.self_url(&feed.key, format),
                html_url: &feed.html_url,
                kind: if format == Format::Json { "json" } else { "rss" },
            })
            .collect();
        let date = self.newest().map(|d| d.to_rfc2822());
        opml::write(&self.config.title, date, &entries)
    }

    /// The date a feed shows as its own: its newest item's update (else the site's).
    pub fn feed_updated(&self, key: &FeedKey) -> DateTime<FixedOffset> {
        self.catalog
            .items(self.config, key)
            .and_then(|items| items.iter().map(|p| p.updated).max())
            .or_else(|| self.newest())
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
    }

    /// The site's own date: its newest post's update (the epoch for an empty site).
    pub fn site_updated(&self) -> DateTime<FixedOffset> {
        self.newest().unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
    }

    /// The newest update among all posts (the date of feeds without items).
    fn newest(&self) -> Option<DateTime<FixedOffset>> {
        self.catalog.newest()
    }

    /// The XML of each post as an RSS item or Atom entry, made once per post and format
    /// and shared by every feed that shows the post.
    fn item_xml(&self, posts: &[&'a Post], format: Format) -> Vec<Arc<[u8]>> {
        posts
            .iter()
            .map(|post| {
                let key = (post.source.clone(), format);
                if let Some(done) = self.items.lock().ok().and_then(|m| m.get(&key).cloned()) {
                    return done;
                }
                let view = self.item(post);
                let xml: Arc<[u8]> = match format {
                    Format::Rss => rss_feed::item_xml(&view),
                    _ => atom_feed::entry_xml(&view),
                }
                .into();
                if let Ok(mut m) = self.items.lock() {
                    m.insert(key, xml.clone());
                }
                xml
            })
            .collect()
    }

    /// The feed's own fields; its items are written separately.
    fn view(&self, feed: &Feed<'a>) -> FeedView {
        let updated = self.feed_updated(&feed.key);
        FeedView {
            title: clean(&feed.title).into_owned(),
            description: clean(&feed.description).into_owned(),
            html_url: feed.html_url.clone(),
            self_url: String::new(),
            language: self.config.language.clone(),
            hub: self.config.websub_hub.clone(),
            updated,
            author: self.config.author.clone().map(|mut a| {
                a.name = clean(&a.name).into_owned();
                a
            }),
            items: Vec::new(),
        }
    }

    fn item(&self, post: &'a Post) -> ItemView {
        let rendered = self.post_html(post);
        let mut categories: Vec<String> = Vec::new();
        let names = post
            .tags
            .iter()
            .map(|t| self.catalog.tags.display(&t.to_lowercase(), t))
            .chain(post.categories.iter().map(|c| self.catalog.categories.display(&c.to_lowercase(), c)));
        for name in names {
            let name = clean(name).into_owned();
            if !categories.contains(&name) {
                categories.push(name);
            }
        }
        let mut authors =
            if post.authors.is_empty() { self.config.author.iter().cloned().collect() } else { post.authors.clone() };
        for a in &mut authors {
            a.name = clean(&a.name).into_owned();
        }
        let summary_html = match &post.summary {
            Some(text) => escape_html(&clean(text)),
            None => rendered.summary_html.clone(),
        };
        ItemView {
            id: clean(&post.id).into_owned(),
            title: clean(&post.title).into_owned(),
            link: self.links.permalink(post),
            published: post.date.instant,
            updated: post.updated,
            authors,
            categories,
            summary_html,
            content_html: rendered.html.clone(),
        }
    }

    fn post_html(&self, post: &'a Post) -> Arc<Rendered> {
        // What the HTML depends on besides the config: the file, and where its links lead.
        let mut key = DefaultHasher::new();
        post.revision.hash(&mut key);
        self.links.posts.hash_targets(post, &mut key);
        let key = key.finish();
        if let Some((k, done)) = self.html.lock().ok().and_then(|h| h.get(&post.source).cloned())
            && k == key
        {
            return done;
        }
        let (body, current) = self.body(post);
        let (markdown, findings) = shortcodes::expand(&body, &self.links);
        if let Ok(mut diagnostics) = self.diagnostics.lock() {
            for f in findings {
                let line = post.body_line + body[..f.offset].matches('\n').count();
                diagnostics.push(Diagnostic::warning(&post.source, line, f.message));
            }
        }
        let permalink = Url::parse(&self.links.permalink(post)).unwrap_or_else(|_| self.links.base.clone());
        let rendered = content::render(&markdown, &permalink);
        let rendered = Arc::new(Rendered {
            html: clean(&rendered.html).into_owned(),
            summary_html: clean(&rendered.summary_html).into_owned(),
        });
        if current && let Ok(mut html) = self.html.lock() {
            html.insert(post.source.clone(), (key, rendered.clone()));
        }
        rendered
    }

    /// The post's Markdown body, and whether it is the one the post was parsed from.
    /// A body read again from a file that changed since (its new version is on its way)
    /// is used this once and not kept.
    fn body<'p>(&self, post: &'p Post) -> (Cow<'p, str>, bool) {
        if let Some(body) = &post.body {
            return (Cow::Borrowed(body), true);
        }
        let Some(bytes) = self.reader.and_then(|read| read(&post.source)) else { return (Cow::Borrowed(""), false) };
        let current = crate::slug::content_hash(&bytes) == post.revision;
        let body = decode(&post.source, &bytes)
            .ok()
            .and_then(|text| body_of(&text).map(|(body, _)| body.to_string()))
            .unwrap_or_default();
        (Cow::Owned(body), current)
    }
}

/// A post's item XML by file and format.
type ItemCache = HashMap<(PathBuf, Format), Arc<[u8]>>;

/// Rendered post HTML by file, with a hash of what it was rendered from.
pub type HtmlCache = Mutex<HashMap<PathBuf, (u64, Arc<Rendered>)>>;

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Resolves link targets against the site's posts and URL.
struct LinkIndex<'a> {
    base_url: String,
    base: Url,
    origin: String,
    base_path: String,
    posts: &'a Links,
}

impl<'a> LinkIndex<'a> {
    fn new(config: &Config, posts: &'a Links) -> LinkIndex<'a> {
        let base = Url::parse(&format!("{}/", config.base_url))
            .unwrap_or_else(|_| Url::parse("http://localhost/").expect("valid URL"));
        let origin = base.origin().ascii_serialization();
        let base_path = base.path().trim_end_matches('/').to_string();
        LinkIndex { base_url: config.base_url.clone(), base, origin, base_path, posts }
    }

    fn permalink(&self, post: &Post) -> String {
        format!("{}{}", self.base_url, post.path)
    }
}

impl LinkResolver for LinkIndex<'_> {
    fn resolve(&self, target: &str) -> Option<String> {
        self.posts.find(target).map(|post| self.permalink(post))
    }

    fn guess(&self, target: &str) -> String {
        format!("{}/{}/", self.base_url, file_slug(Path::new(target.trim())))
    }

    fn site_origin(&self) -> &str {
        &self.origin
    }

    fn site_base_path(&self) -> &str {
        &self.base_path
    }
}
