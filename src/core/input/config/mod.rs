//! Site configuration: the facts feedwright needs and its own options.
//!
//! A site's config is `feedwright.yaml`, or a Hugo or Jekyll config read for the same
//! facts (`fields` reads typed values, `hugo` and `jekyll` know each generator's keys,
//! `options` feedwright's own). Parsing is pure: the caller hands over a file's relative
//! path and bytes. Every problem names the file, the line and the key, all at once.

mod fields;
mod hugo;
mod jekyll;
mod options;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;
use regex::Regex;
use serde_yaml::{Mapping, Value};
use url::Url;

use self::fields::Fields;
use crate::core::diag::Diagnostic;
use crate::core::input::frontmatter::toml_to_yaml;
use crate::core::input::ids::{IdScheme, Pins};
use crate::core::paths::layout::Layout;
use crate::core::paths::{FeedKey, Format};

/// Config file names, most specific first: the first one present is the site's config.
pub const CONFIG_FILES: &[&str] = &[
    "feedwright.yaml",
    "feedwright.yml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.toml",
    "config.yaml",
    "config.yml",
    "config.toml",
    "_config.yml",
    "_config.yaml",
];

/// The series patterns every site gets: `Name #N` (and "Virtualization Short Take #26,
/// Hyper-V Edition"), `Name N`, `Name N, suffix` and `Name N: suffix` — so that "Technology
/// Short Take #63" and "Technology Short Take 100" are one series. A series found in titles
/// needs two posts.
pub const DEFAULT_SERIES_PATTERNS: &[&str] = &[r"^(?P<name>.+?)\s+#\d+\b", r"^(?P<name>.+?)\s+\d+(?:[,:]\s.*)?$"];
/// Items per feed.
pub const DEFAULT_LIMIT: usize = 20;
/// `Cache-Control: max-age` of served feeds, in seconds.
pub const DEFAULT_CACHE_MAX_AGE: u64 = 300;
/// Items per archive document (`archive_size`).
pub const DEFAULT_ARCHIVE_SIZE: usize = 50;
/// Hugo's default permalink pattern.
pub const DEFAULT_PERMALINK: &str = "/:section/:slug/";

/// A person credited for a post or the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
}

/// The series a title belongs to by the config's patterns (site patterns first).
pub fn detect_series(title: &str, config: &Config) -> Option<String> {
    config.series_patterns.iter().rev().find_map(|re| {
        re.captures(title).and_then(|c| c.name("name")).map(|m| m.as_str().trim().to_string()).filter(|n| !n.is_empty())
    })
}

/// A feed the site's config asks for, selecting posts by taxonomy and title.
/// A post is in it when it matches every criterion given (and, in a list, any entry).
#[derive(Debug, Clone)]
pub struct CustomFeed {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub limit: Option<usize>,
    /// Lowercased names.
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub series: Vec<String>,
    pub title_pattern: Option<Regex>,
    /// `archives:` of this feed (`None`: the site's `archives.custom`).
    pub archives: Option<bool>,
    /// `content:` of this feed (`None`: the site's `content.custom`).
    pub content: Option<Content>,
    /// `podcast: true`: the feed carries the show's iTunes tags (`podcast:` of the site).
    pub podcast: bool,
}

/// A setting given once for the whole site or per kind of feed (`archives:`,
/// `content:`): `value` or `{site: value, tags: value, …}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerKind<T> {
    pub site: T,
    pub tags: T,
    pub categories: T,
    pub series: T,
    /// Hugo's sections and its other taxonomies (author feeds among them).
    pub sections: T,
    pub custom: T,
}

impl<T: Copy> PerKind<T> {
    pub fn all(value: T) -> PerKind<T> {
        PerKind { site: value, tags: value, categories: value, series: value, sections: value, custom: value }
    }

    /// The value for the feed of `key`; a custom feed's own setting (`own`) first.
    fn of(&self, key: &FeedKey, own: impl FnOnce(&str) -> Option<T>) -> T {
        match key {
            FeedKey::Site => self.site,
            FeedKey::Tag(_) => self.tags,
            FeedKey::Category(_) => self.categories,
            FeedKey::Series(_) => self.series,
            FeedKey::Section(_) | FeedKey::Taxonomy(..) => self.sections,
            FeedKey::Custom(slug) => own(slug).unwrap_or(self.custom),
        }
    }
}

/// Which feeds get RFC 5005 archive documents (`archives:`).
pub type Archives = PerKind<bool>;

/// What an item carries of its post (`content:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Content {
    /// The summary and the whole post (RSS `description` and `content:encoded`, Atom
    /// `summary` and `content`, JSON `summary` and `content_html`): what WordPress calls
    /// "full text".
    #[default]
    Full,
    /// The summary only: no full text in any format.
    Summary,
}

/// A podcast's show: the channel tags podcast apps require (`podcast:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Podcast {
    /// The site feed is the show (`podcast.site: true`); otherwise custom feeds say
    /// `podcast: true`.
    pub site: bool,
    /// An Apple Podcasts category, and optionally one of its subcategories.
    pub category: String,
    pub subcategory: Option<String>,
    pub explicit: bool,
    /// Square cover art, 1400 to 3000 pixels (an absolute URL).
    pub image: Option<String>,
    /// The show's author and the owner's contact (default the site's author).
    pub author: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the config came from (relative to the site root).
    pub source: PathBuf,
    pub title: String,
    /// Scheme, host and optional path, without a trailing slash.
    pub base_url: String,
    /// The `http://host` WordPress ids were minted under (default `base_url`).
    pub guid_base: String,
    /// Where the feeds are published (default `base_url`), without a trailing slash.
    pub feeds_url: String,
    pub description: String,
    pub author: Option<Author>,
    pub language: Option<String>,
    pub timezone: Tz,
    pub limit: usize,
    pub formats: Vec<Format>,
    pub series_patterns: Vec<Regex>,
    pub feeds: Vec<CustomFeed>,
    /// Permalink pattern for posts without `url` (default Hugo's `/:section/:slug/`).
    pub permalink: String,
    /// Per-section permalink patterns (Hugo's `permalinks:`).
    pub section_permalinks: Vec<(String, String)>,
    /// A WebSub hub to announce the feeds to (`feedwright serve`).
    pub websub_hub: Option<String>,
    /// A shell command run after each publish that changed files, with the public URL
    /// of each changed file on its standard input, one per line (a CDN purge).
    pub after_publish: Option<String>,
    /// Answer WordPress's old feed URLs with redirects (`feedwright serve`).
    pub wordpress_urls: bool,
    /// `Cache-Control: max-age` for served feeds, in seconds.
    pub cache_max_age: u64,
    /// Curly quotes, dashes and ellipses, as Hugo's and Jekyll's Markdown print them.
    pub typographer: bool,
    /// How ids are minted for posts no other rule names.
    pub id_scheme: IdScheme,
    /// The ids readers held before the switch (`feedwright.ids`), by post file.
    pub pins: Arc<Pins>,
    /// Where the feeds live: the paths of the generator whose config is read.
    pub layout: Layout,
    /// Which feeds have archive documents, and how many items each holds.
    pub archives: Archives,
    pub archive_size: usize,
    /// Summary or full text, per kind of feed.
    pub content: PerKind<Content>,
    /// Show a post's front-matter image at the top of its HTML when the body does not.
    pub image_in_content: bool,
    /// The site's square icon and wide logo (absolute URLs).
    pub icon: Option<String>,
    pub logo: Option<String>,
    /// The show, when some feeds are a podcast.
    pub podcast: Option<Podcast>,
    /// Every RSS and Atom file names `feed.xsl`, which shows it in a browser as a page.
    pub stylesheet: bool,
    /// A feed per author (`authors/<slug>/`): `None` (the default) when the site has
    /// more than one author.
    pub author_feeds: Option<bool>,
    /// Terms renamed, so their old feeds keep answering: (`tags` or `categories`, old
    /// name, new name).
    pub term_aliases: Vec<(String, String, String)>,
}

impl Config {
    /// Every default in one place; `base_url` is still to be read.
    fn defaults(source: &Path) -> Config {
        Config {
            source: source.to_path_buf(),
            title: String::new(),
            base_url: String::new(),
            guid_base: String::new(),
            feeds_url: String::new(),
            description: String::new(),
            author: None,
            language: None,
            timezone: Tz::UTC,
            limit: DEFAULT_LIMIT,
            formats: vec![Format::Rss, Format::Atom],
            series_patterns: DEFAULT_SERIES_PATTERNS
                .iter()
                .map(|p| Regex::new(p).expect("the built-in series patterns are valid"))
                .collect(),
            feeds: Vec::new(),
            permalink: DEFAULT_PERMALINK.into(),
            section_permalinks: Vec::new(),
            websub_hub: None,
            after_publish: None,
            wordpress_urls: false,
            cache_max_age: DEFAULT_CACHE_MAX_AGE,
            typographer: true,
            id_scheme: IdScheme::Tag,
            pins: Arc::default(),
            layout: Layout::Feedwright,
            archives: Archives::default(),
            archive_size: DEFAULT_ARCHIVE_SIZE,
            content: PerKind::default(),
            image_in_content: true,
            icon: None,
            logo: None,
            podcast: None,
            author_feeds: None,
            stylesheet: true,
            term_aliases: Vec::new(),
        }
    }

    /// Whether the feed of `key` has archive documents.
    pub fn archives_for(&self, key: &FeedKey) -> bool {
        self.archives.of(key, |slug| self.custom(slug).and_then(|f| f.archives))
    }

    /// Whether the feed of `key` carries full text or summaries.
    pub fn content_for(&self, key: &FeedKey) -> Content {
        self.content.of(key, |slug| self.custom(slug).and_then(|f| f.content))
    }

    /// Whether any feed carries summaries only (items are then written both ways).
    pub fn any_summary(&self) -> bool {
        let c = &self.content;
        [c.site, c.tags, c.categories, c.series, c.sections, c.custom]
            .into_iter()
            .chain(self.feeds.iter().filter_map(|f| f.content))
            .any(|c| c == Content::Summary)
    }

    /// The show, when the feed of `key` is a podcast.
    pub fn podcast_for(&self, key: &FeedKey) -> Option<&Podcast> {
        let podcast = self.podcast.as_ref()?;
        let is = match key {
            FeedKey::Site => podcast.site,
            FeedKey::Custom(slug) => self.custom(slug).is_some_and(|f| f.podcast),
            _ => false,
        };
        is.then_some(podcast)
    }

    /// Whether the Hugo config has an `authors` taxonomy (its feeds are then Hugo's).
    pub fn authors_taxonomy(&self) -> bool {
        matches!(&self.layout, Layout::Hugo(hugo) if hugo.others().any(|p| p == "authors"))
    }

    /// Author feeds that exist only while the site has more than one author.
    pub fn author_feeds_auto(&self) -> bool {
        self.author_feeds.is_none() && !self.authors_taxonomy()
    }

    fn custom(&self, slug: &str) -> Option<&CustomFeed> {
        self.feeds.iter().find(|f| f.slug == slug)
    }

    /// The host of `base_url`, as used in tag URIs.
    pub fn host(&self) -> String {
        Url::parse(&self.base_url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
    }

    /// The permalink pattern for posts in `section`.
    pub fn permalink_for(&self, section: &str) -> &str {
        self.section_permalinks.iter().find(|(s, _)| s == section).map_or(&self.permalink, |(_, p)| p)
    }
}

/// Which generator's config a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Feedwright,
    Hugo,
    Jekyll,
}

impl Dialect {
    fn of(path: &Path) -> Dialect {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("feedwright.") {
            Dialect::Feedwright
        } else if name.starts_with("_config.") {
            Dialect::Jekyll
        } else {
            Dialect::Hugo
        }
    }

    /// The key that names the site's address.
    fn base_key(self) -> &'static str {
        match self {
            Dialect::Feedwright => "base_url",
            Dialect::Hugo => "baseURL",
            Dialect::Jekyll => "url",
        }
    }
}

/// Parse one config file at `path` (relative to the site root) from its bytes.
pub fn parse_config(path: &Path, bytes: &[u8]) -> Result<Config, Vec<Diagnostic>> {
    match Dialect::of(path) {
        Dialect::Feedwright => parse_configs(None, Some((path, bytes))),
        _ => parse_configs(Some((path, bytes)), None),
    }
}

/// The site's config: the facts of its generator's config (Hugo or Jekyll) with the
/// feedwright options it holds (`params.feedwright` in Hugo's, `feedwright:` in Jekyll's),
/// overlaid by `feedwright.yaml`: every key `feedwright.yaml` does not set comes from the
/// generator's config. Either file may be missing, not both.
pub fn parse_configs(
    generator: Option<(&Path, &[u8])>,
    own: Option<(&Path, &[u8])>,
) -> Result<Config, Vec<Diagnostic>> {
    let source = own.or(generator).map_or(Path::new("feedwright.yaml"), |(p, _)| p);
    let mut config = Config::defaults(source);
    let mut errors = Vec::new();
    let mut base_key = "base_url";
    if let Some((path, bytes)) = generator {
        let dialect = Dialect::of(path);
        base_key = dialect.base_key();
        let text = text_of(path, bytes)?;
        let root = mapping(path, text)?;
        let mut fields = Fields::new(path, text, &root);
        let nested = match dialect {
            Dialect::Jekyll => {
                jekyll::read(&mut fields, &mut config);
                "feedwright"
            }
            _ => {
                hugo::read(&mut fields, &mut config);
                "params.feedwright"
            }
        };
        if let Some(map) = fields.get(nested).and_then(Value::as_mapping) {
            let mut options = Fields::new(path, text, map);
            options::apply(&mut options, &mut config);
            errors.extend(options.errors);
        }
        errors.extend(fields.errors);
    }
    if let Some((path, bytes)) = own {
        let text = text_of(path, bytes)?;
        let root = mapping(path, text)?;
        let mut fields = Fields::new(path, text, &root);
        options::apply(&mut fields, &mut config);
        errors.extend(fields.errors);
        if config.base_url.is_empty() {
            base_key = "base_url";
        }
    }
    finish(errors, config, source, base_key)
}

/// A config file's text: UTF-8, without a byte-order mark.
fn text_of<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, Vec<Diagnostic>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        vec![Diagnostic::error(path, line, "config is not valid UTF-8")]
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A config file's text as one mapping (TOML read as the YAML values it spells).
fn mapping(path: &Path, text: &str) -> Result<Mapping, Vec<Diagnostic>> {
    let root = if path.extension().is_some_and(|e| e == "toml") {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            vec![Diagnostic::error(path, line, format!("invalid TOML: {}", e.message()))]
        })?;
        toml_to_yaml(toml::Value::Table(table))
    } else if text.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            let msg = e.to_string();
            let msg = msg.find(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
            vec![Diagnostic::error(path, line, format!("invalid YAML: {msg}"))]
        })?
    };
    match root {
        Value::Mapping(root) => Ok(root),
        _ => Err(vec![Diagnostic::error(path, 1, "config is not a mapping of `key: value` lines")]),
    }
}

/// `link` as an absolute URL: as given when it is one, else a path on the site.
pub fn site_url(base: &str, link: &str) -> String {
    if Url::parse(link).is_ok_and(|u| u.has_host()) {
        return link.to_string();
    }
    format!("{base}/{}", link.trim_start_matches("./").trim_start_matches('/'))
}

/// Derived defaults (`guid_base` and `feeds_url` follow `base_url`, the title the host),
/// and every problem found — `base_url` missing among them.
fn finish(
    mut errors: Vec<Diagnostic>,
    mut config: Config,
    source: &Path,
    base_key: &str,
) -> Result<Config, Vec<Diagnostic>> {
    if config.base_url.is_empty() {
        if !errors.iter().any(|e| e.message.starts_with(&format!("`{base_key}`"))) {
            let message = format!(
                "`{base_key}` is missing: feeds need the site's absolute URL (e.g. `{base_key}: https://example.com`)"
            );
            errors.push(Diagnostic::error(source, 1, message));
        }
    } else {
        if config.guid_base.is_empty() {
            config.guid_base = config.base_url.clone();
        }
        if config.feeds_url.is_empty() {
            config.feeds_url = config.base_url.clone();
        }
        let base = config.base_url.clone();
        for link in [&mut config.icon, &mut config.logo] {
            *link = link.as_deref().map(|l| site_url(&base, l));
        }
        if let Some(image) = config.podcast.as_mut().and_then(|p| p.image.as_mut()) {
            *image = site_url(&base, image);
        }
    }
    if config.feeds.iter().any(|f| f.podcast) && config.podcast.is_none() {
        let message = "a feed says `podcast: true`, but the config has no `podcast:` (its category, explicit, image)";
        errors.push(Diagnostic::error(source, 1, message));
    }
    if config.title.is_empty() {
        let host = config.host();
        config.title = if host.is_empty() { "Untitled site".into() } else { host };
    }
    if errors.is_empty() { Ok(config) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        parse_config(Path::new(name), text.as_bytes())
    }

    #[test]
    fn default_series_pattern() {
        let c = parse("feedwright.yaml", "base_url: https://ex.com\ntitle: Ex\n").unwrap();
        assert_eq!(detect_series("Virtualization Short Take #5", &c).as_deref(), Some("Virtualization Short Take"));
        assert_eq!(
            detect_series("Virtualization Short Take #26, Hyper-V Edition", &c).as_deref(),
            Some("Virtualization Short Take")
        );
        assert_eq!(detect_series("Technology Short Take 100", &c).as_deref(), Some("Technology Short Take"));
        assert_eq!(detect_series("Technology Short Take #63", &c).as_deref(), Some("Technology Short Take"));
        assert_eq!(detect_series("Kubernetes Notes 3: Networking", &c).as_deref(), Some("Kubernetes Notes"));
        assert_eq!(detect_series("Top 10 Tips for Labs", &c), None);
        assert_eq!(detect_series("No number here", &c), None);
    }

    #[test]
    fn a_site_pattern_catches_series_drift() {
        let c = parse(
            "feedwright.yaml",
            "base_url: https://ex.com\ntitle: Ex\nseries_patterns: ['^(?P<name>.+ Short Take) #?\\d+']\n",
        )
        .unwrap();
        assert_eq!(detect_series("Technology Short Take 100", &c).as_deref(), Some("Technology Short Take"));
        assert_eq!(detect_series("Technology Short Take #63", &c).as_deref(), Some("Technology Short Take"));
    }

    #[test]
    fn feedwright_yaml_with_every_key() {
        let c = parse(
            "feedwright.yaml",
            "title: My Blog\nbase_url: https://example.com/\nguid_base: http://example.com\n\
             description: Notes\nauthor: {name: Ann, email: ann@example.com}\nlanguage: en-us\n\
             timezone: Europe/Berlin\nlimit: 5\nformats: [atom]\n\
             series_patterns: ['^(?P<name>.+ Short Take) #?\\d+']\n\
             feeds:\n  - slug: vmware\n    title: VMware\n    match: { tags: [VMware, ESX] }\n\
             websub_hub: https://hub.example.net/\nwordpress_urls: true\ncache_max_age: 60\n",
        )
        .unwrap();
        assert_eq!(c.base_url, "https://example.com");
        assert_eq!(c.guid_base, "http://example.com");
        assert_eq!(c.feeds_url, "https://example.com");
        assert_eq!(c.author.unwrap().email.as_deref(), Some("ann@example.com"));
        assert_eq!(c.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(c.limit, 5);
        assert_eq!(c.formats, vec![Format::Atom]);
        assert_eq!(c.series_patterns.len(), 3);
        assert_eq!(c.feeds[0].tags, vec!["vmware", "esx"]);
        assert_eq!(c.websub_hub.as_deref(), Some("https://hub.example.net"));
        assert!(c.wordpress_urls);
        assert_eq!(c.cache_max_age, 60);
    }

    #[test]
    fn hugo_yaml_and_toml() {
        let c = parse(
            "config.yaml",
            "baseURL: http://blog.example.org\ntitle: Weblog\nlanguageCode: en-us\nparams:\n  description: Posts\n  author:\n    name: Scott\n",
        )
        .unwrap();
        assert_eq!(c.base_url, "http://blog.example.org");
        assert_eq!(c.description, "Posts");
        assert_eq!(c.author.unwrap().name, "Scott");
        assert_eq!(c.language.as_deref(), Some("en-us"));
        let t = parse("hugo.toml", "baseURL = 'https://ex.com/'\ntitle = 'T'\n[params]\nauthor = 'Ann'\n").unwrap();
        assert_eq!(t.base_url, "https://ex.com");
        assert_eq!(t.author.unwrap().name, "Ann");
    }

    #[test]
    fn jekyll_config() {
        let c = parse("_config.yml", "url: https://ex.com\nbaseurl: /blog\ntitle: J\nauthor: Ann\n").unwrap();
        assert_eq!(c.base_url, "https://ex.com/blog");
        assert_eq!(c.permalink, "/:year/:month/:day/:slug/");
    }

    #[test]
    fn feedwright_options_live_in_the_generators_config_or_overlay_it() {
        let hugo = "baseURL: https://ex.org\ntitle: Ex\nparams:\n  description: From Hugo\n  feedwright:\n    limit: 7\n    series_patterns: ['^(?P<name>.+) part']\n";
        let c = parse("config.yaml", hugo).unwrap();
        assert_eq!((c.limit, c.description.as_str(), c.series_patterns.len()), (7, "From Hugo", 3));
        let overlay = "limit: 9\nwebsub_hub: https://hub.ex.org\n";
        let c = parse_configs(
            Some((Path::new("config.yaml"), hugo.as_bytes())),
            Some((Path::new("feedwright.yaml"), overlay.as_bytes())),
        )
        .unwrap();
        assert_eq!((c.limit, c.base_url.as_str(), c.description.as_str()), (9, "https://ex.org", "From Hugo"));
        assert_eq!(c.source, Path::new("feedwright.yaml"));
        let jekyll = "url: https://j.org\nfeedwright:\n  formats: [atom]\n  colour: red\n";
        let errs = parse("_config.yml", jekyll).unwrap_err();
        assert!(errs[0].message.contains("unknown key `colour`"), "{errs:?}");
    }

    #[test]
    fn content_podcast_and_icons() {
        let c = parse(
            "feedwright.yaml",
            "base_url: https://ex.com/blog\ncontent: {tags: summary}\nicon: /i.png\nlogo: https://cdn.ex.net/l.png\n\
             podcast: {category: Technology, image: cover.jpg}\n\
             feeds:\n  - slug: show\n    match: {tags: [a]}\n    podcast: true\n    content: summary\n",
        )
        .unwrap();
        assert_eq!(c.content_for(&FeedKey::Tag("x".into())), Content::Summary);
        assert_eq!(c.content_for(&FeedKey::Site), Content::Full);
        assert_eq!(c.content_for(&FeedKey::Custom("show".into())), Content::Summary);
        assert!(c.any_summary());
        assert_eq!(c.icon.as_deref(), Some("https://ex.com/blog/i.png"));
        assert_eq!(c.logo.as_deref(), Some("https://cdn.ex.net/l.png"));
        let show = c.podcast_for(&FeedKey::Custom("show".into())).unwrap();
        assert_eq!(show.image.as_deref(), Some("https://ex.com/blog/cover.jpg"));
        assert!(c.podcast_for(&FeedKey::Site).is_none());
        let errs = parse("feedwright.yaml", "base_url: https://e.com\ncontent: sometimes\n").unwrap_err();
        assert_eq!(errs[0].to_string(), "feedwright.yaml:2: error: `content`: `sometimes` is not `full` or `summary`");
        let errs = parse("feedwright.yaml", "base_url: https://e.com\npodcast: {explicit: true}\n").unwrap_err();
        assert!(errs[0].message.contains("needs a `category`"), "{errs:?}");
        let errs = parse(
            "feedwright.yaml",
            "base_url: https://e.com\nfeeds:\n  - slug: s\n    match: {tags: [a]}\n    podcast: true\n",
        )
        .unwrap_err();
        assert!(errs[0].message.contains("has no `podcast:`"), "{errs:?}");
    }

    #[test]
    fn missing_base_url_is_named() {
        let errs = parse("config.yaml", "title: x\n").unwrap_err();
        assert!(errs[0].to_string().contains("`baseURL` is missing"), "{}", errs[0]);
        let errs = parse("feedwright.yaml", "title: x\n").unwrap_err();
        assert!(errs[0].to_string().starts_with("feedwright.yaml:1: error: `base_url` is missing"));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let errs = parse("feedwright.yaml", "title: x\nbase_url: https://e.com\nlimit: many\n").unwrap_err();
        assert_eq!(errs[0].to_string(), "feedwright.yaml:3: error: `limit`: expected a positive whole number");
        let errs = parse("feedwright.yaml", "base_url: https://e.com\ntimezone: Mars/Base\n").unwrap_err();
        assert!(errs[0].to_string().starts_with("feedwright.yaml:2: error: `timezone`"));
        let errs = parse("feedwright.yaml", "base_url: notaurl\n").unwrap_err();
        assert!(errs[0].to_string().starts_with("feedwright.yaml:1: error: `base_url`"), "{}", errs[0]);
        let errs =
            parse("feedwright.yaml", "base_url: https://e.com\nfeeds:\n  - slug: tags\n    match: {tags: [a]}\n")
                .unwrap_err();
        assert_eq!(errs[0].line, 3);
        let errs = parse("feedwright.yaml", "base_url: [unclosed\n").unwrap_err();
        assert!(errs[0].message.starts_with("invalid YAML"));
    }
}
