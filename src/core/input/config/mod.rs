//! Site configuration: `feedwright.yaml`, or the same facts read from a Hugo or Jekyll
//! config when there is no `feedwright.yaml`.
//!
//! Parsing is pure: the caller hands over a file's relative path and bytes. A problem
//! names the file, the line and the key.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use regex::Regex;
use serde_yaml::{Mapping, Value};
use url::Url;

use crate::core::diag::Diagnostic;
use crate::core::input::frontmatter::toml_to_yaml;

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

/// The series pattern every site gets: "Virtualization Short Take #5" (and
/// "… #26, Hyper-V Edition") belong to series "Virtualization Short Take".
pub const DEFAULT_SERIES_PATTERN: &str = r"^(?P<name>.+?)\s+#\d+\b";

/// A person credited for a post or the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
}

/// An output format of every feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    /// The file a feed of this format is written to, inside the feed's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Rss => "index.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }
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
    /// Answer WordPress's old feed URLs with redirects (`feedwright serve`).
    pub wordpress_urls: bool,
    /// `Cache-Control: max-age` for served feeds, in seconds.
    pub cache_max_age: u64,
    /// Curly quotes, dashes and ellipses, as Hugo's and Jekyll's Markdown print them.
    pub typographer: bool,
}

impl Config {
    /// The host of `base_url`, as used in tag URIs.
    pub fn host(&self) -> String {
        Url::parse(&self.base_url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
    }

    /// The permalink pattern for posts in `section`.
    pub fn permalink_for(&self, section: &str) -> &str {
        self.section_permalinks.iter().find(|(s, _)| s == section).map_or(&self.permalink, |(_, p)| p)
    }
}

/// Which dialect a config file speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Feedwright,
    Hugo,
    Jekyll,
}

/// Parse the config file at `path` (relative to the site root) from its bytes.
pub fn parse_config(path: &Path, bytes: &[u8]) -> Result<Config, Vec<Diagnostic>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let dialect = if name.starts_with("feedwright.") {
        Dialect::Feedwright
    } else if name.starts_with("_config.") {
        Dialect::Jekyll
    } else {
        Dialect::Hugo
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        vec![Diagnostic::error(path, line, "config is not valid UTF-8")]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = if name.ends_with(".toml") {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
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
    let Value::Mapping(root) = root else {
        return Err(vec![Diagnostic::error(path, 1, "config is not a mapping of `key: value` lines")]);
    };
    let reader = Reader { path, text, root: &root, errors: Vec::new() };
    match dialect {
        Dialect::Feedwright => reader.feedwright(),
        Dialect::Hugo => reader.hugo(),
        Dialect::Jekyll => reader.jekyll(),
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads typed values out of a config mapping, collecting every problem.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    root: &'a Mapping,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// The line on which `key` (a top-level or nested key) first appears.
    fn line_of(&self, key: &str) -> usize {
        let key = key.rsplit('.').next().unwrap_or(key);
        self.text
            .lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches("- ").trim_start_matches(['"', '\'']);
                l.strip_prefix(key)
                    .map(|r| r.trim_start_matches(['"', '\'']).trim_start())
                    .is_some_and(|r| r.starts_with(':') || r.starts_with('='))
            })
            .map_or(1, |i| i + 1)
    }

    fn line_containing(&self, needle: &str) -> usize {
        self.text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
    }

    fn error(&mut self, key: &str, message: impl std::fmt::Display) {
        let line = self.line_of(key);
        self.errors.push(Diagnostic::error(self.path, line, format!("`{key}`: {message}")));
    }

    fn get(&self, dotted: &str) -> Option<&Value> {
        let mut map = self.root;
        let mut parts = dotted.split('.').peekable();
        while let Some(part) = parts.next() {
            let value = lookup(map, part)?;
            if parts.peek().is_none() {
                return Some(value);
            }
            map = value.as_mapping()?;
        }
        None
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::Null => None,
            value => match scalar_string(value) {
                Some(s) => Some(s),
                None => {
                    self.error(key, "expected a string");
                    None
                }
            },
        }
    }

    fn url(&mut self, key: &str) -> Option<String> {
        let raw = self.string(key)?;
        match Url::parse(raw.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Some(raw.trim().trim_end_matches('/').to_string())
            }
            _ => {
                self.error(key, format!("`{raw}` is not an absolute http(s) URL"));
                None
            }
        }
    }

    fn author(&mut self, key: &str) -> Option<Author> {
        let value = self.get(key)?.clone();
        let author = parse_author(&value);
        if author.is_none() && !value.is_null() {
            self.error(key, "expected a name or `{name, email}`");
        }
        author
    }

    fn timezone(&mut self, key: &str) -> Tz {
        match self.string(key) {
            None => Tz::UTC,
            Some(name) => name.parse().unwrap_or_else(|_| {
                self.error(key, format!("unknown time zone `{name}` (use an IANA name such as Europe/Berlin)"));
                Tz::UTC
            }),
        }
    }

    fn finish(
        mut self,
        mut config: Config,
        base_url: Option<String>,
        base_key: &str,
    ) -> Result<Config, Vec<Diagnostic>> {
        match base_url {
            Some(base) => {
                config.base_url = base.clone();
                if config.guid_base.is_empty() {
                    config.guid_base = base.clone();
                }
                if config.feeds_url.is_empty() {
                    config.feeds_url = base;
                }
            }
            None if self.errors.iter().any(|e| e.message.starts_with(&format!("`{base_key}`"))) => {}
            None => self.errors.push(Diagnostic::error(
                self.path,
                1,
                format!("`{base_key}` is missing: feeds need the site's absolute URL (e.g. `{base_key}: https://example.com`)"),
            )),
        }
        if config.title.is_empty() {
            config.title = config.host_or("Untitled site");
        }
        if self.errors.is_empty() { Ok(config) } else { Err(std::mem::take(&mut self.errors)) }
    }

    fn feedwright(mut self) -> Result<Config, Vec<Diagnostic>> {
        const KNOWN: &[&str] = &[
            "title",
            "base_url",
            "guid_base",
            "feeds_url",
            "description",
            "author",
            "language",
            "timezone",
            "limit",
            "formats",
            "series_patterns",
            "feeds",
            "permalink",
            "permalinks",
            "websub_hub",
            "wordpress_urls",
            "cache_max_age",
            "typographer",
        ];
        self.unknown_keys(self.root, KNOWN, "");
        let base_url = self.url("base_url");
        let guid_base = self.url("guid_base").unwrap_or_default();
        let feeds_url = self.url("feeds_url").unwrap_or_default();
        let limit = self.limit("limit").unwrap_or(20);
        let formats = self.formats();
        let series_patterns = self.series_patterns("series_patterns");
        let feeds = self.custom_feeds();
        let config = Config {
            source: self.path.to_path_buf(),
            title: self.string("title").unwrap_or_default(),
            base_url: String::new(),
            guid_base,
            feeds_url,
            description: self.string("description").unwrap_or_default(),
            author: self.author("author"),
            language: self.string("language"),
            timezone: self.timezone("timezone"),
            limit,
            formats,
            series_patterns,
            feeds,
            permalink: self.string("permalink").unwrap_or_else(|| "/:section/:slug/".into()),
            section_permalinks: self.section_permalinks("permalinks"),
            websub_hub: self.url("websub_hub"),
            wordpress_urls: self.flag("wordpress_urls"),
            cache_max_age: self.seconds("cache_max_age").unwrap_or(300),
            typographer: self.get("typographer").is_none() || self.flag("typographer"),
        };
        self.finish(config, base_url, "base_url")
    }

    fn hugo(mut self) -> Result<Config, Vec<Diagnostic>> {
        let base_url = self.url("baseurl");
        let description = self.string("params.description").or_else(|| self.string("description"));
        let author = self.author("params.author").or_else(|| self.author("author"));
        let config = Config {
            source: self.path.to_path_buf(),
            title: self.string("title").unwrap_or_default(),
            base_url: String::new(),
            guid_base: String::new(),
            feeds_url: String::new(),
            description: description.unwrap_or_default(),
            author,
            language: self.string("languagecode"),
            timezone: self.timezone("timezone"),
            limit: self.limit("services.rss.limit").filter(|&n| n > 0).unwrap_or(20),
            formats: vec![Format::Rss, Format::Atom],
            series_patterns: default_series_patterns(),
            feeds: Vec::new(),
            permalink: "/:section/:slug/".into(),
            section_permalinks: self.section_permalinks("permalinks"),
            websub_hub: None,
            wordpress_urls: false,
            cache_max_age: 300,
            typographer: self.hugo_typographer(),
        };
        self.finish(config, base_url, "baseURL")
    }

    fn jekyll(mut self) -> Result<Config, Vec<Diagnostic>> {
        let url = self.url("url");
        let baseurl = self.string("baseurl").unwrap_or_default();
        let base_url = url.map(|u| format!("{u}/{}", baseurl.trim_matches('/')).trim_end_matches('/').to_string());
        let config = Config {
            source: self.path.to_path_buf(),
            title: self.string("title").unwrap_or_default(),
            base_url: String::new(),
            guid_base: String::new(),
            feeds_url: String::new(),
            description: self.string("description").unwrap_or_default(),
            author: self.author("author"),
            language: self.string("lang"),
            timezone: self.timezone("timezone"),
            limit: 20,
            formats: vec![Format::Rss, Format::Atom],
            series_patterns: default_series_patterns(),
            feeds: Vec::new(),
            permalink: jekyll_permalink(self.string("permalink").as_deref()),
            section_permalinks: Vec::new(),
            websub_hub: None,
            wordpress_urls: false,
            cache_max_age: 300,
            // kramdown's smart quotes and typographic symbols are always on.
            typographer: true,
        };
        self.finish(config, base_url, "url")
    }

    fn flag(&mut self, key: &str) -> bool {
        match self.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.error(key, "expected true or false");
                false
            }
        }
    }

    /// Goldmark's typographer: on unless `markup.goldmark.extensions.typographer` is
    /// `false` (Hugo 0.111) or `{disable: true}` (later Hugo).
    fn hugo_typographer(&mut self) -> bool {
        match self.get("markup.goldmark.extensions.typographer") {
            Some(Value::Bool(on)) => *on,
            Some(Value::Mapping(map)) => lookup(map, "disable").and_then(Value::as_bool) != Some(true),
            _ => true,
        }
    }

    /// Every key of `map` that is not in `known`, each reported on its own line, with the
    /// nearest known key when one is close (`limt` → `limit`).
    fn unknown_keys(&mut self, map: &Mapping, known: &[&str], within: &str) {
        for key in map.keys().filter_map(Value::as_str) {
            if known.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                continue;
            }
            let place = if within.is_empty() { String::new() } else { format!(" in `{within}`") };
            let hint = match known.iter().find(|k| near(k, key)) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("known keys: {}", known.join(", ")),
            };
            let line = if within.is_empty() { self.line_of(key) } else { self.line_containing(&format!("{key}:")) };
            self.errors.push(Diagnostic::error(self.path, line, format!("unknown key `{key}`{place} ({hint})")));
        }
    }

    /// A number of seconds: zero or more.
    fn seconds(&mut self, key: &str) -> Option<u64> {
        let value = self.get(key).filter(|v| !v.is_null())?;
        match value.as_u64() {
            Some(n) => Some(n),
            None => {
                self.error(key, "expected a whole number of seconds (0 or more)");
                None
            }
        }
    }

    fn limit(&mut self, key: &str) -> Option<usize> {
        let value = self.get(key).filter(|v| !v.is_null())?;
        match value.as_u64() {
            Some(n) if n > 0 => Some(n as usize),
            _ => {
                self.error(key, "expected a positive whole number");
                None
            }
        }
    }

    fn formats(&mut self) -> Vec<Format> {
        let Some(value) = self.get("formats").cloned() else {
            return vec![Format::Rss, Format::Atom];
        };
        let mut formats = Vec::new();
        for name in string_list(&value) {
            match name.to_lowercase().as_str() {
                "rss" => formats.push(Format::Rss),
                "atom" => formats.push(Format::Atom),
                "json" => formats.push(Format::Json),
                other => self.error("formats", format!("unknown format `{other}` (rss, atom, json)")),
            }
        }
        formats.sort();
        formats.dedup();
        if formats.is_empty() {
            self.error("formats", "lists no format");
        }
        formats
    }

    fn series_patterns(&mut self, key: &str) -> Vec<Regex> {
        let mut patterns = default_series_patterns();
        let Some(value) = self.get(key).cloned() else { return patterns };
        for source in string_list(&value) {
            match Regex::new(&source) {
                Ok(re) if re.capture_names().flatten().any(|n| n == "name") => patterns.push(re),
                Ok(_) => {
                    let line = self.line_containing(&source);
                    self.errors.push(Diagnostic::error(
                        self.path,
                        line,
                        format!("`{key}`: `{source}` has no `(?P<name>…)` group"),
                    ));
                }
                Err(e) => {
                    let line = self.line_containing(&source);
                    self.errors.push(Diagnostic::error(self.path, line, format!("`{key}`: invalid regex: {e}")));
                }
            }
        }
        patterns
    }

    fn section_permalinks(&mut self, key: &str) -> Vec<(String, String)> {
        let Some(Value::Mapping(map)) = self.get(key).cloned() else { return Vec::new() };
        map.iter().filter_map(|(k, v)| Some((scalar_string(k)?, scalar_string(v)?))).collect()
    }

    fn custom_feeds(&mut self) -> Vec<CustomFeed> {
        let Some(value) = self.get("feeds").cloned() else { return Vec::new() };
        let Value::Sequence(entries) = value else {
            self.error("feeds", "expected a list of feeds");
            return Vec::new();
        };
        let mut feeds: Vec<CustomFeed> = Vec::new();
        for entry in &entries {
            let Some(map) = entry.as_mapping() else {
                self.error("feeds", "each feed is a mapping with `slug`, `title` and `match`");
                continue;
            };
            let field = |k: &str| lookup(map, k).and_then(scalar_string);
            let Some(slug) = field("slug") else {
                self.error("feeds", "a feed has no `slug`");
                continue;
            };
            let line = self.line_containing(&slug);
            let path = self.path;
            let fail = |errors: &mut Vec<Diagnostic>, msg: String| errors.push(Diagnostic::error(path, line, msg));
            if crate::core::catalog::slug::slugify(&slug) != slug {
                fail(
                    &mut self.errors,
                    format!(
                        "feed slug `{slug}` must be lowercase letters, digits and `-` (e.g. `{}`)",
                        crate::core::catalog::slug::slugify(&slug)
                    ),
                );
                continue;
            }
            if ["tags", "categories", "series"].contains(&slug.as_str()) || feeds.iter().any(|f| f.slug == slug) {
                fail(&mut self.errors, format!("feed slug `{slug}` is taken"));
                continue;
            }
            const FEED_KEYS: &[&str] = &["slug", "title", "description", "limit", "match"];
            const MATCH_KEYS: &[&str] = &["tags", "categories", "series", "title"];
            self.unknown_keys(map, FEED_KEYS, &format!("feed `{slug}`"));
            let matcher = lookup(map, "match").and_then(Value::as_mapping);
            if let Some(m) = matcher {
                self.unknown_keys(m, MATCH_KEYS, "match");
            }
            let list = |k: &str| -> Vec<String> {
                matcher
                    .and_then(|m| lookup(m, k))
                    .map(string_list)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| s.trim().to_lowercase())
                    .collect()
            };
            let title_pattern = match matcher.and_then(|m| lookup(m, "title")).and_then(scalar_string) {
                None => None,
                Some(source) => match Regex::new(&source) {
                    Ok(re) => Some(re),
                    Err(e) => {
                        fail(&mut self.errors, format!("feed `{slug}`: invalid title regex: {e}"));
                        continue;
                    }
                },
            };
            let feed = CustomFeed {
                title: field("title").unwrap_or_else(|| slug.clone()),
                description: field("description"),
                limit: lookup(map, "limit").and_then(Value::as_u64).filter(|&n| n > 0).map(|n| n as usize),
                tags: list("tags"),
                categories: list("categories"),
                series: list("series"),
                title_pattern,
                slug,
            };
            if feed.tags.is_empty()
                && feed.categories.is_empty()
                && feed.series.is_empty()
                && feed.title_pattern.is_none()
            {
                fail(
                    &mut self.errors,
                    format!("feed `{}` has no `match` (tags, categories, series or title)", feed.slug),
                );
                continue;
            }
            feeds.push(feed);
        }
        feeds
    }
}

/// Whether `typed` is a likely misspelling of `known`: a plural or singular of it, or
/// one edit away.
fn near(known: &str, typed: &str) -> bool {
    let typed = typed.to_ascii_lowercase();
    if format!("{typed}s") == known || format!("{known}s") == typed || typed.replace('-', "_") == known {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (known.chars().collect(), typed.chars().collect());
    if a.len().abs_diff(b.len()) > 1 || a.len() < 4 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    prefix + suffix + 1 >= a.len().max(b.len())
}

impl Config {
    fn host_or(&self, fallback: &str) -> String {
        let host = self.host();
        if host.is_empty() { fallback.to_string() } else { host }
    }
}

fn default_series_patterns() -> Vec<Regex> {
    vec![Regex::new(DEFAULT_SERIES_PATTERN).expect("the default series pattern is valid")]
}

/// Jekyll's named permalink styles, in feedwright's pattern words.
fn jekyll_permalink(style: Option<&str>) -> String {
    match style.unwrap_or("date") {
        "date" => "/:year/:month/:day/:slug/".into(),
        "pretty" => "/:year/:month/:day/:slug/".into(),
        "ordinal" | "none" => "/:slug/".into(),
        custom => custom.replace(":title", ":slug").replace(":categories/", ""),
    }
}

/// Case-insensitive lookup: Hugo treats config keys without regard to case.
pub fn lookup<'m>(map: &'m Mapping, key: &str) -> Option<&'m Value> {
    map.iter().find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key))).map(|(_, v)| v)
}

/// A scalar as text: strings as they are, numbers and booleans as written.
pub fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_string(&t.value),
        _ => None,
    }
}

/// A list of strings, or a single string as a one-entry list; empty entries dropped.
pub fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().filter_map(scalar_string).filter(|s| !s.trim().is_empty()).collect(),
        other => scalar_string(other).filter(|s| !s.trim().is_empty()).into_iter().collect(),
    }
}

/// An author as a string, `{name, email}`, or the first of a list of those.
pub fn parse_author(value: &Value) -> Option<Author> {
    parse_authors(value).into_iter().next()
}

/// Every author named by a string, `{name, email}`, or a list of those.
pub fn parse_authors(value: &Value) -> Vec<Author> {
    match value {
        Value::Sequence(items) => items.iter().flat_map(parse_authors).collect(),
        Value::Mapping(map) => {
            let name = lookup(map, "name").and_then(scalar_string).filter(|s| !s.trim().is_empty());
            let email = lookup(map, "email").and_then(scalar_string).filter(|s| s.contains('@'));
            match (name, email) {
                (Some(name), email) => vec![Author { name: name.trim().to_string(), email }],
                (None, Some(email)) => vec![Author { name: email.clone(), email: Some(email) }],
                (None, None) => Vec::new(),
            }
        }
        other => scalar_string(other)
            .filter(|s| !s.trim().is_empty())
            .map(|name| Author { name: name.trim().to_string(), email: None })
            .into_iter()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        parse_config(Path::new(name), text.as_bytes())
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
        assert_eq!(c.series_patterns.len(), 2);
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
