//! The site: config plus posts, fed with file changes, answering which feeds changed and
//! rendering any of them. The core of feedwright: no file system, no clock, no threads.
//!
//! `build` is "apply every file once, render everything"; `watch` is "apply each delta,
//! render what it affected" — one code path, so their outputs cannot drift apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};

use crate::catalog::{self, Catalog, FeedKey};
use crate::config::{parse_config, Config, Format, CONFIG_FILES};
use crate::diag::Diagnostic;
use crate::post::{parse_post, Post};
use crate::render::Renderer;
use crate::slug::stable_hash;

/// What to include beyond published posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Include `draft: true` / `published: false` posts.
    pub drafts: bool,
    /// Include posts dated in the future.
    pub future: bool,
}

/// One input file, added or changed (with its bytes) or removed. Paths are relative to
/// the site root.
#[derive(Debug, Clone)]
pub enum Change {
    Write(PathBuf, Vec<u8>),
    Remove(PathBuf),
}

/// Which outputs a change touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Affected {
    /// Feeds to render and write again.
    pub changed: BTreeSet<FeedKey>,
    /// Feeds that no longer exist: their files go.
    pub removed: BTreeSet<FeedKey>,
    /// Whether `opml.xml` changed.
    pub opml: bool,
}

impl Affected {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty() && !self.opml
    }
}

/// What kind of input a path is.
#[derive(Debug, PartialEq, Eq)]
pub enum InputKind {
    Config,
    Post,
    Other,
}

/// Classify a path relative to the site root: config file, post, or neither.
pub fn input_kind(path: &Path) -> InputKind {
    let parts: Vec<&str> = path.components().filter_map(|c| c.as_os_str().to_str()).collect();
    match parts.as_slice() {
        [name] if CONFIG_FILES.contains(name) => InputKind::Config,
        [root, .., name] if (*root == "content" || *root == "_posts") => {
            let hidden = parts.iter().any(|p| p.starts_with('.'));
            let markdown = name.ends_with(".md") || name.ends_with(".markdown");
            let section_page = name.starts_with("_index.");
            if markdown && !hidden && !section_page { InputKind::Post } else { InputKind::Other }
        }
        _ => InputKind::Other,
    }
}

#[derive(Debug)]
struct Source {
    bytes: Vec<u8>,
    /// The post as last parsed without error (kept while the file is broken).
    post: Option<Post>,
    /// Hash of the bytes `post` came from.
    revision: u64,
    diagnostics: Vec<Diagnostic>,
}

/// A site: its configuration and posts, and the moment "now" is (given by the caller).
#[derive(Debug)]
pub struct Site {
    options: Options,
    now: DateTime<Utc>,
    config_files: BTreeMap<PathBuf, Vec<u8>>,
    /// The config in force and the bytes it came from.
    config: Option<(Config, PathBuf, Vec<u8>)>,
    config_diagnostics: Vec<Diagnostic>,
    sources: BTreeMap<PathBuf, Source>,
}

impl Site {
    pub fn new(options: Options, now: DateTime<Utc>) -> Site {
        Site {
            options,
            now,
            config_files: BTreeMap::new(),
            config: None,
            config_diagnostics: Vec::new(),
            sources: BTreeMap::new(),
        }
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref().map(|(c, _, _)| c)
    }

    /// Apply a batch of file changes; says which outputs changed.
    pub fn apply(&mut self, changes: impl IntoIterator<Item = Change>) -> Affected {
        let before = self.fingerprints();
        let mut posts = BTreeMap::new();
        let mut config_touched = false;
        for change in changes {
            let (path, bytes) = match change {
                Change::Write(p, b) => (p, Some(b)),
                Change::Remove(p) => (p, None),
            };
            match input_kind(&path) {
                InputKind::Config => {
                    config_touched = true;
                    match bytes {
                        Some(b) => self.config_files.insert(path, b),
                        None => self.config_files.remove(&path),
                    };
                }
                InputKind::Post => {
                    posts.insert(path, bytes);
                }
                InputKind::Other => {}
            }
        }
        if config_touched && self.reload_config() {
            let all: Vec<(PathBuf, Vec<u8>)> = self.sources.iter().map(|(p, s)| (p.clone(), s.bytes.clone())).collect();
            for (path, bytes) in all {
                self.parse_source(path, bytes);
            }
        }
        for (path, bytes) in posts {
            match bytes {
                Some(bytes) => self.parse_source(path, bytes),
                None => {
                    self.sources.remove(&path);
                }
            }
        }
        diff(&before, &self.fingerprints())
    }

    /// Move the clock the site is seen at (future posts become due, expired ones go).
    pub fn set_now(&mut self, now: DateTime<Utc>) -> Affected {
        let before = self.fingerprints();
        self.now = now;
        diff(&before, &self.fingerprints())
    }

    /// The next moment a post becomes due or expires, after now.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.sources
            .values()
            .filter_map(|s| s.post.as_ref())
            .filter(|p| self.options.drafts || !p.draft)
            .flat_map(|p| {
                let publish = (!self.options.future).then_some(p.date.instant);
                [publish, p.expiry]
            })
            .flatten()
            .map(|t| t.with_timezone(&Utc))
            .filter(|&t| t > self.now)
            .min()
    }

    /// Reads the config in force from the config files; true when it changed.
    fn reload_config(&mut self) -> bool {
        self.config_diagnostics.clear();
        let chosen = CONFIG_FILES
            .iter()
            .map(PathBuf::from)
            .find_map(|p| self.config_files.get(&p).map(|b| (p, b.clone())));
        let Some((path, bytes)) = chosen else {
            self.config_diagnostics.push(missing_config());
            return false;
        };
        if let Some((_, p, b)) = &self.config {
            if *p == path && *b == bytes {
                return false;
            }
        }
        match parse_config(&path, &bytes) {
            Ok(config) => {
                self.config = Some((config, path, bytes));
                true
            }
            // A broken config keeps the last good one running.
            Err(diagnostics) => {
                self.config_diagnostics = diagnostics;
                false
            }
        }
    }

    fn parse_source(&mut self, path: PathBuf, bytes: Vec<u8>) {
        let old = self.sources.remove(&path);
        let (parsed, diagnostics) = match self.config() {
            Some(config) => parse_post(&path, &bytes, config),
            None => (None, Vec::new()),
        };
        let revision = stable_hash(&bytes);
        let (post, revision) = match (parsed, old) {
            (Some(post), _) => (Some(post), revision),
            // A post that became invalid keeps its last good version until it is fixed.
            (None, Some(old)) => (old.post, old.revision),
            (None, None) => (None, revision),
        };
        self.sources.insert(path, Source { bytes, post, revision, diagnostics });
    }

    /// Every problem in the site: config, posts, duplicate ids, slug collisions.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.config_diagnostics.clone();
        if self.config.is_none() && all.is_empty() {
            all.push(missing_config());
        }
        for source in self.sources.values() {
            all.extend(source.diagnostics.iter().cloned());
        }
        let (_, duplicates) = self.visible_posts();
        all.extend(duplicates);
        if let Some(config) = self.config() {
            let (posts, _) = self.visible_posts();
            let catalog = catalog::build(config, &posts);
            for (terms, label) in [(&catalog.tags, "tag"), (&catalog.categories, "category"), (&catalog.series, "series")] {
                for message in &terms.collisions {
                    all.push(Diagnostic::warning(&config.source, 0, format!("{label} {message}")));
                }
            }
        }
        all
    }

    /// Posts that appear in feeds, newest first (ties by id), and duplicate-id errors.
    pub(crate) fn visible_posts(&self) -> (Vec<&Post>, Vec<Diagnostic>) {
        let now = self.now;
        let mut by_id: HashMap<&str, &Path> = HashMap::new();
        let mut errors = Vec::new();
        let mut posts = Vec::new();
        for post in self.sources.values().filter_map(|s| s.post.as_ref()) {
            if let Some(first) = by_id.get(post.id.as_str()) {
                errors.push(Diagnostic::error(
                    &post.source,
                    1,
                    format!("duplicate id `{}`: {} has it too (set `guid` or fix `wordpress_id`)", post.id, first.display()),
                ));
                continue;
            }
            by_id.insert(&post.id, &post.source);
            let published = self.options.future || post.date.instant <= now;
            let unexpired = post.expiry.is_none_or(|e| e > now);
            if (self.options.drafts || !post.draft) && published && unexpired {
                posts.push(post);
            }
        }
        posts.sort_by(|a, b| b.date.instant.cmp(&a.date.instant).then_with(|| a.id.cmp(&b.id)));
        (posts, errors)
    }

    /// A renderer over the site as it is now; `None` without a config.
    pub fn renderer(&self) -> Option<Renderer<'_>> {
        let config = self.config()?;
        let (posts, _) = self.visible_posts();
        Some(Renderer::new(config, posts))
    }

    /// Every output file (relative path → bytes).
    pub fn render_all(&self) -> (BTreeMap<String, Vec<u8>>, Vec<Diagnostic>) {
        match self.renderer() {
            Some(r) => {
                let keys: Vec<FeedKey> = r.catalog().feeds.keys().cloned().collect();
                let mut files = r.files(keys.iter());
                files.insert("opml.xml".into(), r.opml());
                (files, r.diagnostics())
            }
            None => (BTreeMap::new(), Vec::new()),
        }
    }

    /// A hash per feed (and one for the OPML list) of everything its bytes depend on.
    fn fingerprints(&self) -> BTreeMap<Option<FeedKey>, u64> {
        let Some((config, _, config_bytes)) = &self.config else { return BTreeMap::new() };
        let (posts, _) = self.visible_posts();
        let revisions: HashMap<&Path, u64> = self.sources.iter().map(|(p, s)| (p.as_path(), s.revision)).collect();
        let catalog = catalog::build(config, &posts);
        // Posts that link to other posts depend on every permalink.
        let mut links = std::collections::hash_map::DefaultHasher::new();
        for p in &posts {
            (&p.source, &p.path).hash(&mut links);
        }
        let links = links.finish();
        let config_hash = stable_hash(config_bytes);
        let mut out = BTreeMap::new();
        let mut opml = std::collections::hash_map::DefaultHasher::new();
        config_hash.hash(&mut opml);
        for (key, feed) in &catalog.feeds {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            config_hash.hash(&mut h);
            (&feed.title, &feed.description, &feed.html_url).hash(&mut h);
            for post in &feed.items {
                item_fingerprint(post, &catalog, revisions[post.source.as_path()], links, &mut h);
            }
            (key, &feed.title).hash(&mut opml);
            out.insert(Some(key.clone()), h.finish());
        }
        posts.first().map(|p| p.updated).hash(&mut opml);
        out.insert(None, opml.finish());
        out
    }
}

fn item_fingerprint(post: &Post, catalog: &Catalog, revision: u64, links: u64, h: &mut impl Hasher) {
    (&post.source, revision).hash(h);
    for t in &post.tags {
        catalog.tags.display(t).hash(h);
    }
    for c in &post.categories {
        catalog.categories.display(c).hash(h);
    }
    if post.body.contains("{{") || post.body.contains("{%") {
        links.hash(h);
    }
}

fn diff(before: &BTreeMap<Option<FeedKey>, u64>, after: &BTreeMap<Option<FeedKey>, u64>) -> Affected {
    let mut affected = Affected::default();
    for (key, hash) in after {
        if before.get(key) != Some(hash) {
            match key {
                Some(k) => {
                    affected.changed.insert(k.clone());
                }
                None => affected.opml = true,
            }
        }
    }
    for key in before.keys().flatten() {
        if !after.contains_key(&Some(key.clone())) {
            affected.removed.insert(key.clone());
        }
    }
    affected
}

fn missing_config() -> Diagnostic {
    Diagnostic::error(
        CONFIG_FILES[0],
        0,
        "no site config: `base_url` is missing (write feedwright.yaml with `base_url: https://your.site`, or use a Hugo/Jekyll config)",
    )
}

/// All output paths of a feed in the configured formats.
pub fn feed_files(key: &FeedKey, formats: &[Format]) -> Vec<String> {
    formats.iter().map(|f| format!("{}{}", key.dir(), f.file_name())).collect()
}

/// The newest `updated` among posts, for feeds without items.
pub(crate) fn newest(posts: &[&Post]) -> Option<DateTime<FixedOffset>> {
    posts.iter().map(|p| p.updated).max()
}
