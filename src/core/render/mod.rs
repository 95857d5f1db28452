//! Rendering feeds to bytes, in pure steps that the edges may run on any number of
//! threads: the posts a set of feeds shows ([`Renderer::posts_of`]), each post's HTML and
//! item XML ([`Renderer::render_post`]), then each feed's files ([`Renderer::feed_files`]).
//! A post is rendered once per pass and its item shared by every feed that shows it.
//!
//! Nothing here locks or reads a file. A body the site does not keep comes through
//! [`PostFiles`], checked against the revision the post was parsed from: a file that
//! changed since (a broken save, say) is never rendered — the post keeps the HTML it was
//! last rendered with, and the [`Pass`] says so, so the site renders it again once the
//! file is readable at a good revision.

mod archive;
pub mod formats;
mod links;
pub mod markdown;
pub mod moved;
mod pass;
pub mod shortcodes;

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashMap;
use url::Url;

use self::links::LinkIndex;
pub use self::pass::{Pass, RenderedPost};
use crate::core::catalog::links::Links;
use crate::core::catalog::{Catalog, Feed};
use crate::core::diag::Diagnostic;
use crate::core::input::config::{Config, Content, site_url};
use crate::core::input::frontmatter::body_of;
use crate::core::input::media::{Media, media_type_of};
use crate::core::input::post::{Post, decode};
use crate::core::paths::{FeedKey, Format};
use crate::core::render::formats::view::{Attachment, FeedView, ItemMedia, ItemView};
use crate::core::render::formats::{atom, json, opml, rss};
use crate::core::render::markdown::Rendered;
use crate::core::uri;
use crate::core::xmltext::{self, WriteError, clean, escape_attr};

/// The largest HTML a post may render to: a feed is not the place for a book.
pub const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;

/// Gives a post file's bytes as they are now, by its path relative to the site root. The
/// edges implement it (they read the file); the core checks what it gets against the
/// revision it parsed, so a stale read is detected, never rendered.
pub trait PostFiles: Send + Sync {
    fn read(&self, path: &Path) -> Option<Vec<u8>>;

    /// The size of a file of the site (an enclosure's length), by its path relative to
    /// the site root; `None` when there is no such file.
    fn size(&self, _path: &Path) -> Option<u64> {
        None
    }
}

/// The OPML list of every feed, beside them in `--out`. (This module is the one
/// place that names output files.)
pub const OPML: &str = "opml.xml";

/// The XSLT stylesheet that shows a feed in a browser as a page.
pub const STYLESHEET: &str = "feed.xsl";

/// The index of every feed for a site's templates (`<link rel="alternate">` tags).
pub const FEEDS_INDEX: &str = "feeds.json";

/// All output paths of a feed in the configured formats, where the site's layout puts them.
pub fn feed_files(key: &FeedKey, config: &Config) -> Vec<String> {
    config.formats.iter().map(|&f| config.layout.file(key, f)).collect()
}

/// The paths of one archive document of a feed, in the configured formats that have
/// archives (RSS, Atom).
pub fn archive_paths(key: &FeedKey, page: usize, config: &Config) -> Vec<String> {
    config.formats.iter().filter_map(|&f| config.layout.archive_file(key, page, f)).collect()
}

/// Output files: path relative to `--out` → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Post HTML kept by the site between passes, by file.
pub type HtmlCache = FxHashMap<PathBuf, CachedHtml>;

/// A post's HTML and a hash of what it was made from (its revision and where its links
/// lead).
#[derive(Debug, Clone)]
pub struct CachedHtml {
    pub key: u64,
    pub revision: u64,
    pub rendered: Arc<Rendered>,
}

/// Renders the feeds of one state of a site.
pub struct Renderer<'a> {
    config: &'a Config,
    catalog: &'a Catalog,
    links: LinkIndex<'a>,
    /// Each post's HTML as last rendered (kept by the site between passes).
    html: &'a HtmlCache,
    /// Reads a post's file again when the post was parsed without keeping its body.
    files: Option<&'a dyn PostFiles>,
}

impl<'a> Renderer<'a> {
    pub fn new(
        config: &'a Config,
        catalog: &'a Catalog,
        links: &'a Links,
        html: &'a HtmlCache,
        files: Option<&'a dyn PostFiles>,
    ) -> Renderer<'a> {
        Renderer { config, catalog, links: LinkIndex::new(config, links), html, files }
    }

    /// Every feed the site has, in a stable order.
    pub fn keys(&self) -> Vec<FeedKey> {
        self.catalog.keys(self.config)
    }

    /// The posts the feeds of `keys` show, each once, in a stable order.
    pub fn posts_of(&self, keys: &[FeedKey]) -> Vec<&'a Post> {
        let mut seen = std::collections::HashSet::new();
        let mut posts = Vec::new();
        for key in keys {
            for post in self.catalog.items(self.config, key).unwrap_or_default() {
                if seen.insert(&post.source) {
                    posts.push(post);
                }
            }
        }
        posts
    }

    /// Every visible post (what `check` renders to find every warning).
    pub fn every_post(&self) -> Vec<&'a Post> {
        self.catalog.posts().collect()
    }

    /// Render everything `keys` needs, one step after the other, and write their files:
    /// what a test or a small site needs (the edges run the same steps in parallel).
    pub fn render(&self, keys: &[FeedKey]) -> Result<(Files, Pass), WriteError> {
        let mut pass = Pass::default();
        let pages = self.pages_of(keys);
        for post in self.posts_of(keys).into_iter().chain(self.posts_of_pages(&pages)) {
            if !pass.contains(&post.source) {
                pass.insert(self.render_post(post));
            }
        }
        let mut files = BTreeMap::new();
        for key in keys {
            files.extend(self.feed_files(key, &pass)?);
        }
        for (key, page) in &pages {
            files.extend(self.archive_files(key, *page, &pass)?);
        }
        Ok((files, pass))
    }

    /// One post's HTML (from the cache when nothing it depends on changed) and its item
    /// in every configured format. Never panics: a failure is the post's own error.
    pub fn render_post(&self, post: &Post) -> RenderedPost {
        let key = self.html_key(post);
        let cached = self.html.get(&post.source);
        let mut diagnostics = Vec::new();
        let (html, fresh, stale) = match cached {
            Some(c) if c.key == key && c.revision == post.revision => (c.clone(), false, false),
            _ => match self.body(post) {
                Some(body) => {
                    let rendered = self.render_body(post, &body, &mut diagnostics);
                    (CachedHtml { key, revision: post.revision, rendered: Arc::new(rendered) }, true, false)
                }
                None => {
                    let rendered = cached.map_or_else(Default::default, |c| c.rendered.clone());
                    (CachedHtml { key, revision: post.revision, rendered }, false, true)
                }
            },
        };
        let view = self.item(post, &html.rendered, &mut diagnostics);
        let formats = &self.config.formats;
        // A writer that panics on what a post holds fails that post's item, nothing more.
        let xml = |format: Format, view: &ItemView, write: fn(&ItemView) -> Result<Vec<u8>, WriteError>| {
            formats.contains(&format).then(|| {
                catch_unwind(AssertUnwindSafe(|| write(view)))
                    .unwrap_or_else(|_| Err(WriteError(format!("internal error writing this post's {format:?} item"))))
            })
        };
        // The other views of the item, made only when some feed carries them: without
        // full text, and (an RSS podcast's) with the episode's iTunes elements.
        let summary = self.config.any_summary().then(|| view.summary_only());
        let episode = self.config.podcast.is_some() && view.media.is_episode();
        let podcast = episode.then(|| ItemView { itunes: true, ..view.clone() });
        let podcast_summary = podcast.as_ref().and_then(|p| summary.is_some().then(|| p.summary_only()));
        let variants = |format: Format, write: fn(&ItemView) -> Result<Vec<u8>, WriteError>| {
            let other = |view: &Option<ItemView>| view.as_ref().and_then(|v| xml(format, v, write));
            let rss = format == Format::Rss;
            pass::Variants {
                full: xml(format, &view, write),
                summary: other(&summary),
                podcast: if rss { other(&podcast) } else { None },
                podcast_summary: if rss { other(&podcast_summary) } else { None },
            }
        };
        let rss = variants(Format::Rss, rss::item_xml);
        let atom = variants(Format::Atom, atom::entry_xml);
        for failed in rss.errors().chain(atom.errors()) {
            diagnostics.push(Diagnostic::error(&post.source, 1, failed.to_string()));
        }
        let uses_media = view.uses_media();
        let view = formats.contains(&Format::Json).then_some(view);
        RenderedPost { source: post.source.clone(), html, fresh, stale, rss, atom, uses_media, view, diagnostics }
    }

    /// The files of one feed in every configured format, its posts taken from `pass`
    /// (rendered here if the pass lacks one).
    pub fn feed_files(&self, key: &FeedKey, pass: &Pass) -> Result<Files, WriteError> {
        let Some(feed) = self.catalog.feed(self.config, key) else { return Ok(Files::new()) };
        let extra = self.missing(&feed.items, pass);
        let rendered = rendered(&feed.items, pass, &extra);
        let mut view = self.view(&feed);
        view.podcast = self.config.podcast_for(key).cloned();
        let archives = self.archive_count(key);
        let mut files = Files::new();
        for &format in &self.config.formats {
            view.self_url = self.self_url(key, format);
            // The newest archive document, where an RFC 5005 client starts.
            view.history =
                self.archive_url(key, archives, format).map(|url| ("prev-archive", url)).into_iter().collect();
            files.insert(self.config.layout.file(key, format), self.write(format, &view, &rendered)?);
        }
        Ok(files)
    }

    /// `posts` that `pass` lacks, rendered here.
    fn missing(&self, posts: &[&Post], pass: &Pass) -> Vec<RenderedPost> {
        posts.iter().filter(|p| !pass.contains(&p.source)).map(|p| self.render_post(p)).collect()
    }

    /// One document of `format`: the feed's fields from `view`, its items from `rendered`.
    fn write(&self, format: Format, view: &FeedView, rendered: &[&RenderedPost]) -> Result<Vec<u8>, WriteError> {
        let mut view = view.clone();
        view.uses_media = rendered.iter().any(|p| p.uses_media);
        let view = &view;
        let (summary, podcast) = (view.content == Content::Summary, view.podcast.is_some());
        match format {
            Format::Rss => rss::write_with_items(view, &items(rendered, |p| p.rss.get(summary, podcast))?),
            Format::Atom => atom::write_with_entries(view, &items(rendered, |p| p.atom.get(summary, podcast))?),
            Format::Json => {
                let mut view = view.clone();
                view.items = rendered.iter().filter_map(|p| p.view.clone()).collect();
                json::write(&view)
            }
        }
    }

    fn self_url(&self, key: &FeedKey, format: Format) -> String {
        uri::encode(&format!("{}/{}", self.config.feeds_url, self.config.layout.file(key, format))).into_owned()
    }

    /// The files about the whole site: the OPML list of every feed, and the redirect
    /// files for static hosts when feed URLs moved.
    pub fn site_files(&self) -> Files {
        let mut files: Files = self.moved_files().into_iter().collect();
        files.insert(OPML.into(), self.opml());
        files.insert(FEEDS_INDEX.into(), self.feeds_index());
        if self.config.stylesheet {
            files.insert(STYLESHEET.into(), formats::page::stylesheet());
        }
        files
    }

    /// `feeds.json`: every feed with its kind, name, slug and the URL of each format, for
    /// a site's templates to print `<link rel="alternate">` tags from.
    pub fn feeds_index(&self) -> Vec<u8> {
        let feeds: Vec<serde_json::Value> = self
            .keys()
            .iter()
            .filter_map(|key| self.catalog.feed(self.config, key))
            .map(|feed| {
                let (kind, slug) = match &feed.key {
                    FeedKey::Site => ("site", ""),
                    FeedKey::Tag(s) => ("tag", s.as_str()),
                    FeedKey::Category(s) => ("category", s.as_str()),
                    FeedKey::Series(s) => ("series", s.as_str()),
                    FeedKey::Section(s) => ("section", s.as_str()),
                    FeedKey::Taxonomy(plural, s) if plural == crate::core::input::post::AUTHORS => {
                        ("author", s.as_str())
                    }
                    FeedKey::Taxonomy(_, s) => ("taxonomy", s.as_str()),
                    FeedKey::Custom(s) => ("custom", s.as_str()),
                };
                let urls: serde_json::Map<String, serde_json::Value> = self
                    .config
                    .formats
                    .iter()
                    .map(|&f| (format_name(f).to_string(), self.self_url(&feed.key, f).into()))
                    .collect();
                let mut entry = serde_json::json!({
                    "kind": kind,
                    "name": self.catalog.name_of(&feed.key).unwrap_or_else(|| self.config.title.clone()),
                    "slug": slug,
                    "title": feed.title,
                    "html_url": feed.html_url,
                    "urls": urls,
                });
                if let FeedKey::Taxonomy(plural, _) = &feed.key {
                    entry["taxonomy"] = plural.as_str().into();
                }
                entry
            })
            .collect();
        let doc = serde_json::json!({
            "title": self.config.title,
            "home_page_url": self.config.base_url,
            "feeds": feeds,
        });
        let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The OPML list of every feed.
    pub fn opml(&self) -> Vec<u8> {
        let format = self.config.formats[0];
        let feeds: Vec<Feed> = self.keys().iter().filter_map(|k| self.catalog.feed(self.config, k)).collect();
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

    /// The newest update among all posts (the date of feeds without items).
    fn newest(&self) -> Option<DateTime<FixedOffset>> {
        self.catalog.newest()
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
            history: Vec::new(),
            archive: false,
            content: self.config.content_for(&feed.key),
            icon: self.config.icon.clone(),
            logo: self.config.logo.clone(),
            podcast: None,
            stylesheet: self.stylesheet(),
            uses_media: false,
            updated,
            author: self.config.author.clone().map(|mut a| {
                a.name = clean(&a.name).into_owned();
                a
            }),
            items: Vec::new(),
        }
    }

    fn item(&self, post: &Post, rendered: &Rendered, diagnostics: &mut Vec<Diagnostic>) -> ItemView {
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
            Some(text) => xmltext::escape(&clean(text)),
            None => rendered.summary_html.clone(),
        };
        let link = self.links.permalink(post);
        let mut view = ItemView {
            id: clean(&post.id).into_owned(),
            title: clean(&post.title).into_owned(),
            link,
            published: post.date.instant,
            updated: post.updated,
            authors,
            categories,
            summary_html,
            content_html: rendered.html.clone(),
            media: ItemMedia::default(),
            itunes: false,
        };
        if let Some(media) = &post.media {
            self.attach(post, media, &mut view, diagnostics);
        }
        view
    }

    /// The post's image and enclosures as absolute URLs with their types and lengths
    /// (measured from the site's files when the front matter does not give them); an
    /// enclosure whose length or type cannot be known is an error, never `length="0"`.
    fn attach(&self, post: &Post, media: &Media, view: &mut ItemView, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(raw) = &media.image {
            let url = self.absolute(post, &view.link, raw);
            let length = self.local_size(post, raw);
            view.media.image_in_body = first_image(&view.content_html).is_some_and(|src| src == url);
            if self.config.image_in_content && !view.content_html.contains(&format!("src=\"{}\"", escape_attr(&url))) {
                view.content_html =
                    format!("<p><img src=\"{}\" alt=\"\"></p>\n{}", escape_attr(&url), view.content_html);
            }
            view.media.image = Some(Attachment { mime: media_type_of(&url).map(str::to_string), url, length });
        }
        for spec in &media.enclosures {
            let url = self.absolute(post, &view.link, &spec.url);
            let Some(mime) = spec.mime.clone().or_else(|| media_type_of(&url).map(str::to_string)) else {
                let message =
                    format!("enclosure `{}`: its type is unknown; give `type:` (such as audio/mpeg)", spec.url);
                diagnostics.push(Diagnostic::error(&post.source, spec.line, message));
                continue;
            };
            let Some(length) = spec.length.or_else(|| self.local_size(post, &spec.url)) else {
                let looked = local_files(self.config, post, &spec.url);
                let message = if looked.is_empty() {
                    format!("enclosure `{}`: its length is unknown; give `length:` in bytes", spec.url)
                } else {
                    let names: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
                    format!(
                        "enclosure `{}`: no such file in the site (looked for {}); add the file or give `length:` in bytes",
                        spec.url,
                        names.join(", ")
                    )
                };
                diagnostics.push(Diagnostic::error(&post.source, spec.line, message));
                continue;
            };
            view.media.enclosures.push(Attachment { url, mime: Some(mime), length: Some(length) });
        }
        view.media.duration = media.duration.clone();
        view.media.explicit = media.explicit;
    }

    /// A link from front matter as an absolute URL: as given; beside the post when the
    /// post is a Hugo page bundle and the path relative (`a.mp3`: the bundle's file); else
    /// on the site (`/a.mp3`, and `a.mp3` as Hugo's `absURL` and Jekyll's `absolute_url`
    /// read it).
    fn absolute(&self, post: &Post, permalink: &str, raw: &str) -> String {
        let beside = !raw.starts_with('/') && is_bundle(post);
        let url = if uri::has_scheme(raw) || raw.starts_with("//") || beside {
            Url::parse(permalink).and_then(|base| base.join(raw)).map_or_else(|_| raw.to_string(), String::from)
        } else {
            site_url(&self.config.base_url, raw)
        };
        clean(&uri::encode(&url)).into_owned()
    }

    fn local_size(&self, post: &Post, raw: &str) -> Option<u64> {
        let files = self.files?;
        local_files(self.config, post, raw).iter().find_map(|p| files.size(p))
    }

    /// Where the browser view's stylesheet is, as a path on the feeds' host (a browser
    /// loads a stylesheet only from the feed's own origin).
    fn stylesheet(&self) -> Option<String> {
        if !self.config.stylesheet {
            return None;
        }
        let path = Url::parse(&self.config.feeds_url).map(|u| u.path().trim_end_matches('/').to_string()).ok()?;
        Some(format!("{path}/{STYLESHEET}"))
    }

    /// What a post's HTML depends on besides the config: the file, and where its links lead.
    fn html_key(&self, post: &Post) -> u64 {
        let mut key = DefaultHasher::new();
        post.revision.hash(&mut key);
        self.links.posts.hash_targets(post, &mut key);
        key.finish()
    }

    /// Markdown to HTML for one post, within [`MAX_HTML_BYTES`], never panicking.
    fn render_body(&self, post: &Post, body: &str, diagnostics: &mut Vec<Diagnostic>) -> Rendered {
        let permalink = Url::parse(&self.links.permalink(post)).unwrap_or_else(|_| self.links.base.clone());
        let typographer = self.config.typographer;
        let made = catch_unwind(AssertUnwindSafe(|| {
            let (markdown_text, findings) = shortcodes::expand(body, &self.links);
            let found: Vec<Diagnostic> = findings
                .into_iter()
                .map(|f| {
                    let line = post.body_line + body[..f.offset.min(body.len())].matches('\n').count();
                    Diagnostic::warning(&post.source, line, f.message)
                })
                .collect();
            (markdown::render(&markdown_text, &permalink, typographer), found)
        }));
        let rendered = match made {
            Ok((rendered, found)) => {
                diagnostics.extend(found);
                rendered
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                diagnostics.push(Diagnostic::error(
                    &post.source,
                    post.body_line,
                    format!("internal error while rendering this post ({what}); please report it"),
                ));
                return Rendered::default();
            }
        };
        let size = rendered.html.len() + rendered.summary_html.len();
        if size > MAX_HTML_BYTES {
            diagnostics.push(Diagnostic::error(
                &post.source,
                post.body_line,
                format!(
                    "the body renders to {:.1} MiB of HTML; feeds carry posts of up to {} MiB",
                    size as f64 / (1024.0 * 1024.0),
                    MAX_HTML_BYTES / (1024 * 1024)
                ),
            ));
            let note = format!(
                "<p>This post is too long for a feed: <a href=\"{}\">read it on the site</a>.</p>",
                escape_attr(permalink.as_str())
            );
            return Rendered { html: note.clone(), summary_html: note };
        }
        Rendered { html: clean(&rendered.html).into_owned(), summary_html: clean(&rendered.summary_html).into_owned() }
    }

    /// The post's Markdown body as it was when the post was parsed, or `None` when the
    /// file no longer holds that revision.
    fn body(&self, post: &Post) -> Option<String> {
        if let Some(body) = &post.body {
            return Some(body.clone());
        }
        let bytes = self.files?.read(&post.source)?;
        if crate::core::paths::slug::content_hash(&bytes) != post.revision {
            return None;
        }
        let text = decode(&post.source, &bytes).ok()?;
        body_of(&text).map(|(body, _)| body.to_string())
    }
}

/// The item XML of `posts` in one format, or the first failure.
/// `posts` as rendered, from `pass` or from `extra`.
fn rendered<'r>(posts: &[&Post], pass: &'r Pass, extra: &'r [RenderedPost]) -> Vec<&'r RenderedPost> {
    posts
        .iter()
        .filter_map(|p| pass.posts.get(&p.source).or_else(|| extra.iter().find(|e| e.source == p.source)))
        .collect()
}

fn items<'p>(
    posts: &[&'p RenderedPost],
    format: impl Fn(&'p RenderedPost) -> &'p Option<Result<Vec<u8>, WriteError>>,
) -> Result<Vec<&'p [u8]>, WriteError> {
    posts
        .iter()
        .map(|p| match format(p) {
            Some(Ok(xml)) => Ok(xml.as_slice()),
            Some(Err(e)) => Err(e.clone()),
            None => Err(WriteError("an item was not rendered in this format".into())),
        })
        .collect()
}

/// Whether the post is a Hugo page bundle (`post/x/index.md`): its relative links name
/// the files beside it.
fn is_bundle(post: &Post) -> bool {
    post.source.file_stem().is_some_and(|s| s == "index")
}

/// Where the site keeps the file a front-matter link names, if it is the site's: beside
/// the post (a Hugo page bundle's relative link), Hugo's `static/`, Jekyll's root — in
/// that order; never outside the site. (The edges measure these files, and record them
/// for the next build.)
pub fn local_files(config: &Config, post: &Post, raw: &str) -> Vec<PathBuf> {
    let raw = raw.split(['?', '#']).next().unwrap_or_default();
    let base = config.base_url.trim_end_matches('/');
    let (on_site, beside) = if let Some(rest) = raw.strip_prefix(base).filter(|r| r.starts_with('/')) {
        (rest.to_string(), false)
    } else if uri::has_scheme(raw) || raw.starts_with("//") {
        return Vec::new();
    } else if raw.starts_with('/') {
        (raw.to_string(), false)
    } else {
        (raw.to_string(), true)
    };
    let decoded = uri::percent_decode(&on_site);
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative.as_os_str().is_empty() || relative.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Vec::new();
    }
    let mut candidates = Vec::new();
    if beside
        && is_bundle(post)
        && let Some(dir) = post.source.parent()
    {
        candidates.push(dir.join(relative));
    }
    candidates.push(Path::new("static").join(relative));
    candidates.push(relative.to_path_buf());
    candidates
}

/// The `src` of the first `<img>` of some HTML, `&amp;` decoded.
fn first_image(html: &str) -> Option<String> {
    let at = html.find("<img")?;
    let tag = &html[at..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let src = tag.find(" src=")? + 5;
    let rest = &tag[src..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest[1..].split(quote).next()?;
    Some(value.replace("&amp;", "&"))
}

/// A format's name in `feeds.json` (and the config's `formats:`).
fn format_name(format: Format) -> &'static str {
    match format {
        Format::Rss => "rss",
        Format::Atom => "atom",
        Format::Json => "json",
    }
}
