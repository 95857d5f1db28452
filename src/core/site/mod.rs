//! The site: config plus posts, fed with file changes, answering which feeds changed and
//! rendering any of them. The core of feedwright: no file system, no clock, no threads.
//!
//! `build` is "apply every file once, render everything"; `watch` is "apply each delta,
//! render what it affected" — one code path, so their outputs cannot drift apart.
//!
//! (Long with its tests, a third of the file: the site's stories — edits, breaks, the
//! clock — told against `apply`.)

mod fingerprint;
mod ids;
mod saved;
mod sources;
mod visibility;

pub use self::saved::Prints;
pub use self::visibility::ids_digest;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use self::fingerprint::STALE;
use self::sources::Source;
use crate::core::catalog::links::Links;
use crate::core::catalog::{Catalog, rank};
use crate::core::counts::Counts;
use crate::core::diag::Diagnostic;
use crate::core::input::classify::{InputKind, input_kind};
use crate::core::input::config::{CONFIG_FILES, Config, parse_configs};
use crate::core::input::ids::{PINS_FILE, Pins, parse_pins};
use crate::core::input::post::Post;
use crate::core::paths::FeedKey;
use crate::core::paths::slug::stable_hash;
use crate::core::render::{Files, HtmlCache, Pass, PostFiles, Renderer, local_files};
use crate::core::xmltext::WriteError;

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
    /// A post file already parsed by [`Site::prepare`] (on any thread).
    Prepared(Box<Prepared>),
}

impl Change {
    /// The file the change is about (relative to the site root).
    pub fn path(&self) -> &Path {
        match self {
            Change::Write(p, _) | Change::Remove(p) => p,
            Change::Prepared(p) => &p.path,
        }
    }
}

/// A post file parsed ahead of `apply`, under the config that was in force.
#[derive(Debug, Clone)]
pub struct Prepared {
    path: PathBuf,
    /// Kept only when the site keeps post text in memory (no [`PostFiles`]).
    bytes: Option<Vec<u8>>,
    post: Option<Arc<Post>>,
    diagnostics: Vec<Diagnostic>,
    config: u64,
}

/// Which outputs a change recheck.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Affected {
    /// Feeds to render and write again.
    pub changed: BTreeSet<FeedKey>,
    /// Feeds that no longer exist: their files go.
    pub removed: BTreeSet<FeedKey>,
    /// Whether `opml.xml` changed.
    pub opml: bool,
    /// Whether the config in force changed (formats may differ: rewrite everything).
    pub config: bool,
    /// Archive documents to render and write again: (feed, page from 1).
    pub pages: BTreeSet<(FeedKey, usize)>,
    /// Archive documents that no longer exist.
    pub pages_removed: BTreeSet<(FeedKey, usize)>,
}

impl Affected {
    /// Everything two successive changes recheck, the later one deciding: a feed
    /// removed and then made again is changed; a feed changed and then removed is gone.
    pub fn merge(&mut self, later: Affected) {
        self.changed.retain(|k| !later.removed.contains(k));
        self.removed.retain(|k| !later.changed.contains(k));
        self.changed.extend(later.changed);
        self.removed.extend(later.removed);
        self.pages.retain(|p| !later.pages_removed.contains(p));
        self.pages_removed.retain(|p| !later.pages.contains(p));
        self.pages.extend(later.pages);
        self.pages_removed.extend(later.pages_removed);
        self.opml |= later.opml;
        self.config |= later.config;
    }

    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
            && self.removed.is_empty()
            && self.pages.is_empty()
            && self.pages_removed.is_empty()
            && !self.opml
            && !self.config
    }
}

/// A site: its configuration and posts, and the moment "now" is (given by the caller).
pub struct Site {
    options: Options,
    /// The ids the last build published, by post file: a post whose rules now give
    /// another id is an error, and keeps the published one when `keep_held`.
    held: FxHashMap<PathBuf, String>,
    keep_held: bool,
    /// Reads a post file again; with one, the site keeps no post text in memory.
    files: Option<Arc<dyn PostFiles>>,
    now: DateTime<Utc>,
    config_files: BTreeMap<PathBuf, Vec<u8>>,
    /// The config in force (pins included), and a hash of the files it was read from.
    config: Option<(Config, u64)>,
    config_diagnostics: Vec<Diagnostic>,
    sources: FxHashMap<PathBuf, Source>,
    /// Every parsed post's id → the files that claim it (the first one wins).
    ids: FxHashMap<String, Vec<PathBuf>>,
    /// Ids claimed by more than one file.
    duplicates: BTreeSet<String>,
    /// Files with diagnostics (so reporting them costs nothing on a clean site).
    problems: BTreeSet<PathBuf>,
    /// Every post's date and expiry: when the site changes by the clock alone.
    timeline: Counts<DateTime<Utc>>,
    /// The posts the catalog holds: visible, and first with their id.
    visible: FxHashMap<PathBuf, Arc<Post>>,
    catalog: Catalog,
    links: Links,
    /// Post HTML kept between renders (cleared when the config changes).
    html: HtmlCache,
    /// Posts last rendered from a file that no longer held their revision (a broken
    /// save): their feeds are rendered again when the file is read anew.
    stale: FxHashSet<PathBuf>,
    /// Per feed (and `None` for the OPML list): a hash of what its bytes depend on.
    fingerprints: BTreeMap<Option<FeedKey>, u64>,
    /// Per feed with archives, a fingerprint of each archive page (page 1 first).
    page_prints: BTreeMap<FeedKey, Vec<u64>>,
    opml_fingerprint: Option<u64>,
    /// Bumped whenever every feed must be fingerprinted again (config, renamed terms).
    /// Stored under the `None` key of `fingerprints` once they are all up to date.
    generation: u64,
    /// `ids_digest` of `published_ids`, kept as posts show and hide.
    ids_digest: u128,
    /// `ids_digest` when `hold_published` last ran.
    held_digest: Option<u128>,
}

impl Site {
    pub fn new(options: Options, now: DateTime<Utc>) -> Site {
        Site {
            options,
            held: FxHashMap::default(),
            keep_held: false,
            files: None,
            now,
            config_files: BTreeMap::new(),
            config: None,
            config_diagnostics: Vec::new(),
            sources: FxHashMap::default(),
            ids: FxHashMap::default(),
            duplicates: BTreeSet::new(),
            problems: BTreeSet::new(),
            timeline: Counts::default(),
            visible: FxHashMap::default(),
            catalog: Catalog::default(),
            links: Links::default(),
            html: HtmlCache::default(),
            stale: FxHashSet::default(),
            fingerprints: BTreeMap::new(),
            page_prints: BTreeMap::new(),
            opml_fingerprint: None,
            generation: 0,
            ids_digest: 0,
            held_digest: None,
        }
    }

    /// The ids readers hold (what the last build published, by post file). Call before
    /// the posts are applied. A post whose rules now give another id gets an error
    /// naming both and the cause; with `keep`, it goes on being published with the id
    /// readers hold (the daemon, `--keep-going`).
    pub fn hold_ids(&mut self, ids: impl IntoIterator<Item = (PathBuf, String)>, keep: bool) {
        self.held.extend(ids);
        self.keep_held = keep;
    }

    /// Hold, from now on, the ids of posts published since (the daemon after each write).
    pub fn hold_published(&mut self) {
        if self.held_digest == Some(self.ids_digest) {
            return;
        }
        self.held_digest = Some(self.ids_digest);
        for (path, post) in &self.visible {
            if !self.held.contains_key(path) {
                self.held.insert(path.clone(), post.id.clone());
            }
        }
    }

    /// `ids_digest` of `published_ids`, without walking them.
    pub fn published_ids_digest(&self) -> u128 {
        self.ids_digest
    }

    /// Every post the feeds show, with its id (what a build publishes).
    pub fn published_ids(&self) -> impl Iterator<Item = (&Path, &str)> + Clone {
        self.visible.iter().map(|(path, post)| (path.as_path(), post.id.as_str()))
    }

    /// Keep no post text in memory: read a file again (through `files`) when a feed shows
    /// its post or the config changes. For large sites; the files must stay readable.
    pub fn with_files(mut self, files: Arc<dyn PostFiles>) -> Site {
        self.files = Some(files);
        self
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref().map(|(c, _)| c)
    }

    /// Apply a batch of file changes; says which outputs changed.
    pub fn apply(&mut self, changes: impl IntoIterator<Item = Change>) -> Affected {
        let mut posts = FxHashMap::default();
        let mut config_touched = false;
        for change in changes {
            let (path, bytes) = match change {
                Change::Write(p, b) => (p, Some((Some(b), None))),
                Change::Remove(p) => (p, None),
                Change::Prepared(p) => {
                    let p = *p;
                    (p.path, Some((p.bytes, Some((p.post, p.diagnostics, p.config)))))
                }
            };
            match input_kind(&path) {
                InputKind::Config => {
                    config_touched = true;
                    match bytes {
                        Some((Some(b), _)) => self.config_files.insert(path, b),
                        Some((None, _)) => None,
                        None => self.config_files.remove(&path),
                    };
                }
                InputKind::Post => {
                    posts.insert(path, bytes);
                }
                InputKind::Other => {}
            }
        }
        let config_changed = config_touched && self.reload_config();
        let config_now = self.config_hash();
        let mut recheck = FxHashSet::default();
        for (path, bytes) in posts {
            match bytes {
                // Under a new config every file is parsed again below: parse nothing twice.
                Some((bytes, _)) if config_changed => self.defer_parse(path.clone(), bytes),
                Some((bytes, Some((post, diagnostics, config)))) if config == config_now => {
                    self.parse_source(path.clone(), bytes, Some((post, diagnostics)), &mut recheck)
                }
                Some((bytes, _)) => self.parse_source(path.clone(), bytes, None, &mut recheck),
                None => {
                    self.stale.remove(&path);
                    if let Some(old) = self.take_source(&path).and_then(|s| s.post) {
                        self.forget_id(&old, &path, &mut recheck);
                    }
                }
            }
            recheck.insert(path);
        }
        if config_changed {
            let all: Vec<PathBuf> = self.sources.keys().cloned().collect();
            for path in all {
                self.reparse(path, &mut recheck);
            }
            self.rebuild_catalog();
            self.generation += 1;
        } else {
            // Newest first, the order feeds keep: a large batch then adds to the same end
            // of each feed's ordered set, not all over it.
            let mut order: Vec<(Option<(i64, u32)>, &PathBuf)> = recheck
                .iter()
                .map(|path| (self.sources.get(path).and_then(|s| s.post.as_deref()).map(rank), path))
                .collect();
            order.sort_unstable_by(|a, b| b.cmp(a));
            for (_, path) in order {
                self.show_or_hide(path);
            }
        }
        let mut affected = self.refresh();
        affected.config = config_changed;
        affected
    }

    /// Files of the site that posts' images and enclosures are measured from changed
    /// (`paths`, relative to the site root; an audio file added, replaced or removed):
    /// the feeds showing those posts are rendered again with the lengths now.
    pub fn measured_files_changed(&mut self, paths: &[PathBuf]) -> Affected {
        let Some(config) = self.config() else { return Affected::default() };
        if paths.is_empty() {
            return Affected::default();
        }
        let touched: Vec<Arc<Post>> = self
            .visible
            .values()
            .filter(|post| {
                post.media.as_ref().is_some_and(|media| {
                    media.measured().any(|link| local_files(config, post, link).iter().any(|f| paths.contains(f)))
                })
            })
            .cloned()
            .collect();
        if touched.is_empty() {
            return Affected::default();
        }
        self.catalog.mark_changed(touched);
        self.refresh()
    }

    /// Move the clock the site is seen at (future posts become due, expired ones go).
    pub fn set_now(&mut self, now: DateTime<Utc>) -> Affected {
        use std::ops::Bound::{Excluded, Included};
        let (from, to) = (self.now.min(now), self.now.max(now));
        self.now = now;
        if self.timeline.range((Excluded(from), Included(to))).next().is_none() {
            return Affected::default();
        }
        let paths: Vec<PathBuf> = self.sources.keys().cloned().collect();
        for path in &paths {
            self.show_or_hide(path);
        }
        self.refresh()
    }

    /// The next moment a post becomes due or expires, after now.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.timeline.range((Excluded(self.now), Unbounded)).next().copied()
    }

    /// Reads the config in force from the config files; true when it changed.
    /// Reads the config in force from the config files and `feedwright.ids`; true when
    /// it changed. A broken config or pins file keeps the last good config running.
    fn reload_config(&mut self) -> bool {
        self.config_diagnostics.clear();
        // feedwright.yaml overlays the generator's config (the first one present).
        let find = |own: bool| {
            CONFIG_FILES
                .iter()
                .filter(|name| name.starts_with("feedwright.") == own)
                .find_map(|name| self.config_files.get_key_value(Path::new(name)))
                .map(|(p, b)| (p.as_path(), b.as_slice()))
        };
        let (generator, own) = (find(false), find(true));
        if generator.is_none() && own.is_none() {
            self.config_diagnostics.push(missing_config());
            return false;
        }
        let pins_file = self.config_files.get(Path::new(PINS_FILE));
        let hash = |file: Option<(&Path, &[u8])>| {
            file.map_or(0, |(p, b)| stable_hash(p.as_os_str().as_encoded_bytes()) ^ stable_hash(b).rotate_left(1))
        };
        let inputs =
            hash(generator) ^ hash(own).rotate_left(2) ^ pins_file.map_or(0, |b| stable_hash(b).rotate_left(3));
        if self.config.as_ref().is_some_and(|(_, hash)| *hash == inputs) {
            return false;
        }
        let pins = pins_file.map_or(Ok(Pins::new()), |b| parse_pins(Path::new(PINS_FILE), b));
        match (parse_configs(generator, own), pins) {
            (Ok(mut config), Ok(pins)) => {
                config.pins = Arc::new(pins);
                self.config = Some((config, inputs));
                true
            }
            (config, pins) => {
                self.config_diagnostics = config.err().into_iter().chain(pins.err()).flatten().collect();
                false
            }
        }
    }

    /// Every parsed post (its last good version while its file is broken), by file.
    pub fn posts(&self) -> impl Iterator<Item = (&Path, &Post)> {
        self.sources.iter().filter_map(|(path, s)| Some((path.as_path(), s.post.as_deref()?)))
    }

    /// Whether the file at `path` is broken while its last good version shows.
    pub fn is_broken(&self, path: &Path) -> bool {
        self.sources.get(path).is_some_and(|s| s.broken && s.post.is_some())
    }

    /// The bytes of the config file (or pins file) `name` the site was given last.
    pub fn config_file(&self, name: &Path) -> Option<&[u8]> {
        self.config_files.get(name).map(Vec::as_slice)
    }

    /// The post parsed from `path`: its last good version while the file is broken.
    pub fn post(&self, path: &Path) -> Option<&Post> {
        self.sources.get(path).and_then(|s| s.post.as_deref())
    }

    /// The known post files at or below `prefix` (a file or a folder).
    pub fn sources_under(&self, prefix: &Path) -> Vec<PathBuf> {
        let mut under: Vec<PathBuf> = self.sources.keys().filter(|p| p.starts_with(prefix)).cloned().collect();
        under.sort();
        under
    }

    /// Every problem in the site: config, posts, duplicate ids, slug collisions.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.config_diagnostics.clone();
        if self.config.is_none() && all.is_empty() {
            all.push(missing_config());
        }
        for path in &self.problems {
            all.extend(self.sources.get(path).into_iter().flat_map(|s| s.diagnostics.iter().cloned()));
        }
        for (id, claims) in self.duplicates.iter().filter_map(|id| Some((id, self.ids.get(id)?))) {
            let mut claims = claims.iter();
            let Some(first) = claims.next() else { continue };
            for other in claims {
                all.push(Diagnostic::error(
                    other,
                    1,
                    format!("duplicate id `{id}`: {} has it too (set `guid` or fix `wordpress_id`)", first.display()),
                ));
            }
        }
        if let Some(config) = self.config() {
            let taxonomies =
                [(&self.catalog.tags, "tag"), (&self.catalog.categories, "category"), (&self.catalog.series, "series")];
            for (terms, label) in taxonomies {
                for message in &terms.collisions {
                    all.push(Diagnostic::warning(&config.source, 0, format!("{label} {message}")));
                }
            }
        }
        all
    }

    /// The catalog of feeds as it is now.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How many posts the feeds draw from.
    pub fn visible_count(&self) -> usize {
        self.catalog.len()
    }

    /// A renderer over the site as it is now; `None` without a config.
    pub fn renderer(&self) -> Option<Renderer<'_>> {
        Some(Renderer::new(self.config()?, &self.catalog, &self.links, &self.html, self.files.as_deref()))
    }

    /// Every output file (relative path → bytes), rendered one step after the other, with
    /// what the pass found; `Err` when a format writer failed.
    pub fn render_all(&self) -> Result<(Files, Vec<Diagnostic>), WriteError> {
        let Some(renderer) = self.renderer() else { return Ok((BTreeMap::new(), Vec::new())) };
        let (mut files, pass) = renderer.render(&renderer.keys())?;
        files.extend(renderer.site_files());
        Ok((files, pass.diagnostics()))
    }

    /// Take back what a rendering pass learnt: fresh HTML is kept for the next pass; a
    /// post rendered from a file that changed under it is marked, and its feeds will be
    /// rendered again once its file is read anew.
    pub fn keep(&mut self, pass: Pass) {
        let stale: Vec<PathBuf> = pass.stale().map(Path::to_path_buf).collect();
        for (path, html) in pass.into_fresh() {
            if self.visible.get(&path).is_some_and(|p| p.revision == html.revision) {
                self.html.insert(path, html);
            }
        }
        let Some(config) = self.config.as_ref().map(|(c, _)| c) else { return };
        for path in stale {
            if let Some(post) = self.visible.get(&path) {
                for key in self.catalog.feeds_of(config, post) {
                    if let Some(prints) = self.page_prints.get_mut(&key) {
                        prints.iter_mut().for_each(|p| *p = STALE);
                    }
                    self.fingerprints.insert(Some(key), STALE);
                }
            }
            self.stale.insert(path);
        }
    }
}

fn missing_config() -> Diagnostic {
    Diagnostic::error(
        CONFIG_FILES[0],
        0,
        "no site config: `base_url` is missing (write feedwright.yaml with `base_url: https://your.site`, or use a Hugo/Jekyll config)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const CONFIG: &str = "base_url: https://ex.org\ntitle: Ex\nlimit: 3\n";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
    }

    fn post(name: &str, title: &str, date: &str, tags: &str) -> Change {
        let text = format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\nBody of {title}\n");
        Change::Write(PathBuf::from(format!("content/post/{name}.md")), text.into_bytes())
    }

    fn site(changes: Vec<Change>) -> Site {
        let mut site = Site::new(Options::default(), now());
        let mut all = vec![Change::Write("feedwright.yaml".into(), CONFIG.into())];
        all.extend(changes);
        site.apply(all);
        site
    }

    fn files(site: &Site) -> BTreeMap<String, Vec<u8>> {
        site.render_all().unwrap().0
    }

    fn tag(s: &str) -> FeedKey {
        FeedKey::Tag(s.into())
    }

    #[test]
    fn the_later_of_two_merged_changes_decides() {
        let changed = |k: &str| Affected { changed: BTreeSet::from([tag(k)]), ..Affected::default() };
        let removed = |k: &str| Affected { removed: BTreeSet::from([tag(k)]), ..Affected::default() };
        let mut a = changed("x");
        a.merge(removed("x"));
        assert!(!a.is_empty());
        assert_eq!((a.changed.len(), a.removed), (0, BTreeSet::from([tag("x")])));
        let mut b = removed("x");
        b.merge(changed("x"));
        assert_eq!((b.changed, b.removed.len()), (BTreeSet::from([tag("x")]), 0));
    }

    #[test]
    fn retagging_affects_the_old_and_new_tag_feeds_only() {
        let mut s = site(vec![post("a", "A", "2020-01-01", "x"), post("b", "B", "2020-01-02", "y, z")]);
        let affected = s.apply([post("a", "A", "2020-01-01", "y")]);
        assert!(affected.changed.contains(&tag("y")));
        assert!(affected.changed.contains(&FeedKey::Site));
        assert!(!affected.changed.contains(&tag("z")));
        assert_eq!(affected.removed, BTreeSet::from([tag("x")]));
        assert!(affected.opml);
    }

    #[test]
    fn an_edit_outside_every_window_affects_nothing_but_its_own_feeds() {
        let mut s =
            site((1..=5).map(|d| post(&format!("p{d}"), &format!("P{d}"), &format!("2020-01-0{d}"), "all")).collect());
        let mut edit = post("p1", "P1", "2020-01-01", "all, old");
        if let Change::Write(_, bytes) = &mut edit {
            bytes.extend_from_slice(b"more body\n");
        }
        let affected = s.apply([edit]);
        // p1 is the oldest of five with limit 3: neither the site nor `all` shows it.
        assert_eq!(affected.changed, BTreeSet::from([tag("old")]));
    }

    #[test]
    fn a_post_that_breaks_keeps_its_last_good_version() {
        let mut s = site(vec![post("a", "A", "2020-01-01", "x")]);
        let before = files(&s);
        let affected = s.apply([Change::Write("content/post/a.md".into(), b"---\ntitle: [broken\n---\n".to_vec())]);
        assert!(affected.is_empty());
        assert!(s.diagnostics().iter().any(|d| d.is_error() && d.path == Path::new("content/post/a.md")));
        assert_eq!(files(&s), before);
        // A post that was never valid stays out.
        s.apply([Change::Write("content/post/new.md".into(), b"---\ntitle: no date\n---\n".to_vec())]);
        assert_eq!(files(&s), before);
    }

    #[test]
    fn a_broken_config_keeps_the_old_one() {
        let mut s = site(vec![post("a", "A", "2020-01-01", "x")]);
        let before = files(&s);
        let affected = s.apply([Change::Write("feedwright.yaml".into(), b"title: [oops\n".to_vec())]);
        assert!(affected.is_empty());
        assert_eq!(files(&s), before);
        assert!(s.diagnostics()[0].message.starts_with("invalid YAML"));
        let affected =
            s.apply([Change::Write("feedwright.yaml".into(), b"base_url: https://new.org\ntitle: New\n".to_vec())]);
        assert!(affected.changed.contains(&FeedKey::Site) && affected.changed.contains(&tag("x")));
        assert!(String::from_utf8_lossy(&files(&s)["index.xml"]).contains("https://new.org/post/a/"));
    }

    #[test]
    fn a_future_post_appears_when_its_time_comes() {
        let mut s = site(vec![post("a", "A", "2020-01-01", "x"), post("f", "F", "2031-06-01", "x")]);
        assert_eq!(s.next_due(), Some(Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap()));
        assert!(!String::from_utf8_lossy(&files(&s)["index.xml"]).contains("<title>F</title>"));
        let affected = s.set_now(Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap());
        assert!(affected.changed.contains(&FeedKey::Site) && affected.changed.contains(&tag("x")));
        assert!(String::from_utf8_lossy(&files(&s)["index.xml"]).contains("<title>F</title>"));
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn relref_targets_moving_re_renders_the_linking_post() {
        let link = Change::Write(
            "content/post/l.md".into(),
            b"---\ntitle: L\ndate: 2020-01-02\ntags: [linker]\n---\n[t]({{< relref \"t.md\" >}})\n".to_vec(),
        );
        let mut s = site(vec![post("t", "T", "2020-01-01", "target"), link]);
        let moved = Change::Write(
            "content/post/t.md".into(),
            b"---\ntitle: T\ndate: 2020-01-01\nslug: moved\ntags: [target]\n---\nx\n".to_vec(),
        );
        let affected = s.apply([moved]);
        assert!(affected.changed.contains(&tag("linker")));
        assert!(String::from_utf8_lossy(&files(&s)["tags/linker/index.xml"]).contains("https://ex.org/post/moved/"));
    }

    #[test]
    fn incremental_applies_equal_a_fresh_build() {
        let steps = vec![
            vec![post("a", "A", "2020-01-01", "x")],
            vec![post("b", "B", "2020-01-02", "x, y")],
            vec![post("a", "A2", "2020-01-03", "y")],
            vec![Change::Remove("content/post/b.md".into())],
            vec![post("c", "Short Take #1", "2020-02-01", ""), post("d", "Short Take #2", "2020-02-02", "")],
        ];
        let mut incremental = site(Vec::new());
        let mut all: BTreeMap<PathBuf, Change> = BTreeMap::new();
        for step in steps {
            for c in &step {
                let path = c.path().to_path_buf();
                all.insert(path, c.clone());
            }
            incremental.apply(step);
            let fresh = site(all.values().filter(|c| matches!(c, Change::Write(..))).cloned().collect());
            assert_eq!(files(&incremental), files(&fresh));
        }
    }
}
