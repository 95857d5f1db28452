//! Rendering feeds to bytes: one pass over a site as it is, rendering each post's HTML
//! at most once and sharing it between every feed that shows the post.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;

use chrono::DateTime;
use url::Url;

use crate::catalog::{self, Catalog, Feed, FeedKey};
use crate::config::{Config, Format};
use crate::content::{self, Rendered};
use crate::diag::Diagnostic;
use crate::post::{Post, file_slug};
use crate::shortcodes::{self, LinkResolver};
use crate::view::{FeedView, ItemView};
use crate::xmltext::clean;
use crate::{atom_feed, json_feed, opml, rss_feed};

/// Renders the feeds of one state of a site.
pub struct Renderer<'a> {
    config: &'a Config,
    posts: Vec<&'a Post>,
    catalog: Catalog<'a>,
    links: LinkIndex,
    html: RefCell<HashMap<&'a Path, Rc<Rendered>>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl<'a> Renderer<'a> {
    pub fn new(config: &'a Config, posts: Vec<&'a Post>) -> Renderer<'a> {
        let catalog = catalog::build(config, &posts);
        let links = LinkIndex::new(config, &posts);
        Renderer { config, posts, catalog, links, html: RefCell::default(), diagnostics: RefCell::default() }
    }

    /// How many posts the site shows.
    pub fn posts_count(&self) -> usize {
        self.posts.len()
    }

    pub fn catalog(&self) -> &Catalog<'a> {
        &self.catalog
    }

    /// Warnings found while rendering post bodies (unknown shortcodes, missing targets).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = self.diagnostics.borrow().clone();
        d.sort();
        d
    }

    /// Every file of the given feeds, in every configured format.
    pub fn files<'k>(&self, keys: impl Iterator<Item = &'k FeedKey>) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for key in keys {
            let Some(feed) = self.catalog.feeds.get(key) else { continue };
            let view = self.view(feed);
            for &format in &self.config.formats {
                let bytes = match format {
                    Format::Rss => rss_feed::write(&view.with_self(self.self_url(key, format))),
                    Format::Atom => atom_feed::write(&view.with_self(self.self_url(key, format))),
                    Format::Json => json_feed::write(&view.with_self(self.self_url(key, format))),
                };
                files.insert(format!("{}{}", key.dir(), format.file_name()), bytes);
            }
        }
        files
    }

    /// Render every post (as `check` does), collecting its warnings.
    pub fn render_every_post(&self) {
        for post in &self.posts {
            self.post_html(post);
        }
    }

    fn self_url(&self, key: &FeedKey, format: Format) -> String {
        format!("{}/{}{}", self.config.feeds_url, key.dir(), format.file_name())
    }

    /// The OPML list of every feed.
    pub fn opml(&self) -> Vec<u8> {
        let format = self.config.formats[0];
        let entries: Vec<opml::Entry> = self
            .catalog
            .feeds
            .values()
            .map(|feed| opml::Entry {
                key: &feed.key,
                title: &feed.title,
                xml_url: self.self_url(&feed.key, format),
                html_url: &feed.html_url,
                kind: if format == Format::Json { "json" } else { "rss" },
            })
            .collect();
        let date = catalog_newest(&self.posts).map(|d| d.to_rfc2822());
        opml::write(&self.config.title, date, &entries)
    }

    fn view(&self, feed: &Feed<'a>) -> FeedView {
        let items: Vec<ItemView> = feed.items.iter().map(|post| self.item(post)).collect();
        let updated = feed
            .items
            .iter()
            .map(|p| p.updated)
            .max()
            .or_else(|| catalog_newest(&self.posts))
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset());
        FeedView {
            title: clean(&feed.title).into_owned(),
            description: clean(&feed.description).into_owned(),
            html_url: feed.html_url.clone(),
            self_url: String::new(),
            language: self.config.language.clone(),
            updated,
            author: self.config.author.clone().map(|mut a| {
                a.name = clean(&a.name).into_owned();
                a
            }),
            items,
        }
    }

    fn item(&self, post: &'a Post) -> ItemView {
        let rendered = self.post_html(post);
        let mut categories: Vec<String> = Vec::new();
        let names = post
            .tags
            .iter()
            .map(|t| self.catalog.tags.display(t))
            .chain(post.categories.iter().map(|c| self.catalog.categories.display(c)));
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

    fn post_html(&self, post: &'a Post) -> Rc<Rendered> {
        if let Some(done) = self.html.borrow().get(post.source.as_path()) {
            return done.clone();
        }
        let (markdown, findings) = shortcodes::expand(&post.body, &self.links);
        {
            let mut diagnostics = self.diagnostics.borrow_mut();
            for f in findings {
                let line = post.body_line + post.body[..f.offset].matches('\n').count();
                diagnostics.push(Diagnostic::warning(&post.source, line, f.message));
            }
        }
        let permalink = Url::parse(&self.links.permalink(post)).unwrap_or_else(|_| self.links.base.clone());
        let rendered = content::render(&markdown, &permalink);
        let rendered = Rc::new(Rendered {
            html: clean(&rendered.html).into_owned(),
            summary_html: clean(&rendered.summary_html).into_owned(),
        });
        self.html.borrow_mut().insert(&post.source, rendered.clone());
        rendered
    }
}

fn catalog_newest(posts: &[&Post]) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    crate::site::newest(posts)
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl FeedView {
    fn with_self(&self, self_url: String) -> FeedView {
        FeedView { self_url, ..self.clone() }
    }
}

/// Finds posts by the names relrefs and `post_url` use for them.
struct LinkIndex {
    base_url: String,
    base: Url,
    origin: String,
    base_path: String,
    by_name: HashMap<String, String>,
}

impl LinkIndex {
    fn new(config: &Config, posts: &[&Post]) -> LinkIndex {
        let base = Url::parse(&format!("{}/", config.base_url))
            .unwrap_or_else(|_| Url::parse("http://localhost/").expect("valid URL"));
        let origin = base.origin().ascii_serialization();
        let base_path = base.path().trim_end_matches('/').to_string();
        let mut by_name = HashMap::new();
        for post in posts {
            let url = format!("{}{}", config.base_url, post.path);
            for name in names_of(&post.source) {
                by_name.entry(name).or_insert_with(|| url.clone());
            }
        }
        LinkIndex { base_url: config.base_url.clone(), base, origin, base_path, by_name }
    }

    fn permalink(&self, post: &Post) -> String {
        format!("{}{}", self.base_url, post.path)
    }
}

/// The names a post can be referred to by: file name, stem, and its path under the
/// content folder, with and without extension and leading slash.
fn names_of(source: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let rel: Vec<&str> = source.components().skip(1).filter_map(|c| c.as_os_str().to_str()).collect();
    let rel = rel.join("/");
    let file = source.file_name().and_then(|f| f.to_str()).unwrap_or_default();
    let strip = |s: &str| s.rsplit_once('.').map_or(s.to_string(), |(stem, _)| stem.to_string());
    for name in [file.to_string(), strip(file), rel.clone(), strip(&rel)] {
        names.push(format!("/{name}"));
        names.push(name);
    }
    if file.starts_with("index.")
        && let Some(dir) = source.parent()
    {
        let dir: Vec<&str> = dir.components().skip(1).filter_map(|c| c.as_os_str().to_str()).collect();
        names.push(dir.join("/"));
        names.push(format!("/{}", dir.join("/")));
    }
    names
}

impl LinkResolver for LinkIndex {
    fn resolve(&self, target: &str) -> Option<String> {
        let target = target.trim().trim_end_matches('/');
        self.by_name.get(target).or_else(|| self.by_name.get(target.trim_start_matches("./"))).cloned()
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
