//! Posts: one Markdown file with front matter, parsed into what feeds need.
//!
//! Parsing never fails outright: it returns the post (when its front matter holds what a
//! feed item needs) and every diagnostic found on the way.
//!
//! (Long with its tests: a third of the file checks every front-matter form.)

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde_yaml::Value;

use crate::core::diag::Diagnostic;
use crate::core::input::config::{Author, Config};
use crate::core::input::dates::{WrittenDate, parse_date};
use crate::core::input::frontmatter::{FrontMatter, split};
use crate::core::input::ids::{IdScheme, IdSource};
use crate::core::input::media::Media;
use crate::core::input::values::{parse_authors, scalar_string, string_list};
use crate::core::paths::layout::Layout;

/// One post, as every feed it appears in sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Post {
    /// Path relative to the site root, e.g. `content/post/2008-11-19-x.md`.
    pub source: PathBuf,
    pub title: String,
    pub date: WrittenDate,
    /// `lastmod`/`updated`, else `date`.
    pub updated: DateTime<FixedOffset>,
    /// The permalink's path, starting with `/` (joined to `base_url` for the link).
    pub path: String,
    /// The item id: RSS `guid`, Atom `id`.
    pub id: String,
    /// Which rule gave the id.
    pub id_source: IdSource,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    /// Series named in front matter.
    pub series: Vec<String>,
    /// The series the title shows, by the config's series patterns.
    pub detected_series: Option<String>,
    pub authors: Vec<Author>,
    /// `description`/`summary`/`excerpt` from front matter.
    pub summary: Option<String>,
    /// Hugo's `aliases`: paths the post was published at before.
    pub aliases: Vec<String>,
    /// Hugo's section: the first folder under `content/` (empty for a post at its top).
    pub section: String,
    /// Terms of the site's other Hugo taxonomies: (plural name, terms).
    pub taxonomies: Vec<(String, Vec<String>)>,
    /// Markdown body; `None` when the site reads it again from the file when a feed
    /// shows the post (large sites keep only what ranks posts in memory).
    pub body: Option<String>,
    pub body_line: usize,
    pub draft: bool,
    pub expiry: Option<DateTime<FixedOffset>>,
    /// Posts the body links to by `relref`/`ref`/`post_url` (their names as written).
    pub ref_targets: Vec<String>,
    /// A hash of the file's bytes: changes whenever the post may render differently.
    pub revision: u64,
    /// Its image, enclosures and episode facts (`None` for most posts).
    pub media: Option<Box<Media>>,
}

/// Limits no real blog reaches, so that no single post can make a build slow, large or
/// hungry: terms of each taxonomy per post (each term is a feed the post is written
/// into), and the Markdown body's size.
pub const MAX_TERMS: usize = 100;

/// The taxonomy of author feeds (`authors/<slug>/`).
pub const AUTHORS: &str = "authors";
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Decode a file's bytes as the text of a post: UTF-8 required, BOM and CRLF tolerated.
pub fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<Cow<'b, str>, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if memchr::memchr(b'\r', text.as_bytes()).is_some() => {
            Ok(Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")))
        }
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            Err(Diagnostic::error(
                path,
                line,
                format!("file is not valid UTF-8 (byte 0x{:02X}); save it as UTF-8", bytes[e.valid_up_to()]),
            ))
        }
    }
}

/// Parse the post at `path` (relative to the site root), body included.
pub fn parse_post(path: &Path, bytes: &[u8], config: &Config) -> (Option<Post>, Vec<Diagnostic>) {
    parse_post_with(path, bytes, config, Body::Keep)
}

/// Whether a parsed post keeps its Markdown body, or leaves it in the file (large sites
/// keep only what ranks posts in memory, and read a body again when a feed shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    Keep,
    InFile,
}

/// Parse the post at `path`, keeping its body or not.
pub fn parse_post_with(path: &Path, bytes: &[u8], config: &Config, body: Body) -> (Option<Post>, Vec<Diagnostic>) {
    let text = match decode(path, bytes) {
        Ok(text) => text,
        Err(d) => return (None, vec![d]),
    };
    let doc = match split(&text) {
        Ok(doc) => doc,
        Err(e) => return (None, vec![Diagnostic::error(path, e.line, e.message)]),
    };
    let mut p = Parser { path, front: &doc.front, config, diagnostics: Vec::new() };
    let post = p.post(doc.body, doc.body_line, body).map(|mut post| {
        post.revision = crate::core::paths::slug::content_hash(bytes);
        post
    });
    (post, p.diagnostics)
}

struct Parser<'a> {
    path: &'a Path,
    front: &'a FrontMatter,
    config: &'a Config,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, key: &str, message: impl Into<String>) {
        let line = self.front.line_of(key);
        self.diagnostics.push(Diagnostic::error(self.path, line, message));
    }

    fn post(&mut self, body: &str, body_line: usize, keep: Body) -> Option<Post> {
        let title = self.title();
        let date = self.date("date", true);
        let updated = ["lastmod", "updated", "last_modified_at"]
            .iter()
            .find(|k| self.front.get(k).is_some())
            .and_then(|k| self.date(k, false));
        let expiry = ["expirydate", "expiry_date", "expires"]
            .iter()
            .find(|k| self.front.get(k).is_some())
            .and_then(|k| self.date(k, false));
        let draft = self.flag("draft") == Some(true) || self.flag("published") == Some(false);
        let list = |k: &str| -> Vec<String> {
            let mut v: Vec<String> = self.front.get(k).map(string_list).unwrap_or_default();
            v.iter_mut().for_each(|s| *s = s.trim().to_string());
            v
        };
        let (tags, categories, series) = (list("tags"), list("categories"), list("series"));
        let mut within_limits = true;
        for (key, terms) in [("tags", &tags), ("categories", &categories), ("series", &series)] {
            if terms.len() > MAX_TERMS {
                self.error(key, format!("has {} {key}; a post may have at most {MAX_TERMS}", terms.len()));
                within_limits = false;
            }
        }
        if body.len() > MAX_BODY_BYTES {
            let line = body_line;
            self.diagnostics.push(Diagnostic::error(
                self.path,
                line,
                format!(
                    "the body is {:.1} MiB of Markdown; feeds carry posts of up to {} MiB",
                    body.len() as f64 / (1024.0 * 1024.0),
                    MAX_BODY_BYTES / (1024 * 1024)
                ),
            ));
            within_limits = false;
        }
        let authors =
            self.front.get("author").or_else(|| self.front.get("authors")).map(parse_authors).unwrap_or_default();
        let mut taxonomies: Vec<(String, Vec<String>)> = match &self.config.layout {
            Layout::Hugo(hugo) => {
                hugo.others().map(|plural| (plural.to_string(), list(plural))).filter(|(_, t)| !t.is_empty()).collect()
            }
            _ => Vec::new(),
        };
        // Author feeds: the post's authors (else the site's) as a taxonomy, unless the
        // site's Hugo config already has an `authors` taxonomy of its own.
        if self.config.author_feeds != Some(false) && !self.config.authors_taxonomy() {
            let names: Vec<String> = if authors.is_empty() {
                self.config.author.iter().map(|a| a.name.clone()).collect()
            } else {
                authors.iter().map(|a| a.name.trim().to_string()).filter(|n| !n.is_empty()).collect()
            };
            if !names.is_empty() && names.len() <= MAX_TERMS {
                taxonomies.push((AUTHORS.to_string(), names));
            }
        }
        let aliases = list("aliases").into_iter().filter(|a| !a.chars().any(char::is_control)).collect();
        let summary = self
            .front
            .first_of(&["description", "summary", "excerpt"])
            .and_then(|(_, v)| scalar_string(v))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let media = crate::core::input::media::parse(self.path, self.front, &mut self.diagnostics);
        let (title, date) = (title?, date?);
        if !within_limits {
            return None;
        }
        let path = self.permalink_path(&date)?;
        let (id, id_source) = self.id(&date, &path)?;
        Some(Post {
            source: self.path.to_path_buf(),
            detected_series: crate::core::input::config::detect_series(&title, self.config),
            ref_targets: crate::core::input::shortcode_syntax::ref_targets(body),
            revision: 0,
            title,
            updated: updated.map_or(date.instant, |u| u.instant.max(date.instant)),
            date,
            path,
            id,
            id_source,
            tags,
            categories,
            series,
            authors,
            summary,
            aliases,
            section: section_of(self.path),
            taxonomies,
            body: (keep == Body::Keep).then(|| body.to_string()),
            body_line,
            draft,
            expiry: expiry.map(|e| e.instant),
            media,
        })
    }

    fn title(&mut self) -> Option<String> {
        match self.front.get("title").and_then(scalar_string).map(|t| t.trim().to_string()) {
            Some(t) if !t.is_empty() => Some(t),
            Some(_) => {
                self.error("title", "`title` is empty");
                None
            }
            None => {
                self.error("title", "missing `title`: every feed item needs one");
                None
            }
        }
    }

    fn date(&mut self, key: &str, required: bool) -> Option<WrittenDate> {
        let Some(value) = self.front.get(key) else {
            if required {
                self.error(key, format!("missing `{key}`: feeds order and date items by it"));
            }
            return None;
        };
        let text = scalar_string(value).unwrap_or_default();
        match parse_date(&text, self.config.timezone) {
            Some(date) if date.writable() => Some(date),
            Some(_) => {
                self.error(key, format!("`{key}: {text}` is out of range: feeds can carry years 1 to 9999 only"));
                None
            }
            None => {
                self.error(
                    key,
                    format!(
                        "`{key}: {text}` is not a date (use 2008-04-04, 2008-04-04T19:40:01Z or 2008-04-04 19:40:01 -0500)"
                    ),
                );
                None
            }
        }
    }

    fn flag(&mut self, key: &str) -> Option<bool> {
        match self.front.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.error(key, format!("`{key}` must be true or false"));
                None
            }
        }
    }

    /// The text of `key` when it can be part of a URL: no control characters or
    /// characters XML forbids (they would make every feed showing the post unreadable).
    fn url_part(&mut self, key: &str) -> Option<Option<String>> {
        let Some(text) = self.front.get(key).and_then(scalar_string) else { return Some(None) };
        if let Some(bad) = text.chars().find(|&c| c.is_control() || !crate::core::xmltext::is_xml_char(c)) {
            self.error(key, format!("`{key}` holds the control character U+{:04X}: a URL cannot carry it", bad as u32));
            return None;
        }
        Some(Some(text))
    }

    fn permalink_path(&mut self, date: &WrittenDate) -> Option<String> {
        let url = self.url_part("url")?;
        let slug = self.url_part("slug")?;
        if let Some(url) = url {
            let url = url.trim();
            if crate::core::uri::has_scheme(url) || url.starts_with("//") || url.contains('\\') {
                self.error(
                    "url",
                    format!("`url: {url}` is not a path on this site: a post cannot point readers elsewhere"),
                );
                return None;
            }
            if !url.is_empty() {
                let mut path = if url.starts_with('/') { url.to_string() } else { format!("/{url}") };
                // Hugo publishes `url: /a/b` as the folder `/a/b/` (its index.html), and
                // links it so; a path naming a file (`/a/b.html`) stays as written.
                let last = path.rsplit('/').next().unwrap_or_default();
                if matches!(self.config.layout, Layout::Hugo(_)) && !last.is_empty() && !last.contains('.') {
                    path.push('/');
                }
                return Some(path);
            }
        }
        let slug = match slug.map(|s| s.trim().to_string()) {
            Some(s) if !s.is_empty() => s.trim_matches('/').to_string(),
            _ => file_slug(self.path),
        };
        let section = section_of(self.path);
        let day = date.written_day;
        let pattern = self.config.permalink_for(&section);
        let mut path = pattern
            .replace(":year", &day.format("%Y").to_string())
            .replace(":month", &day.format("%m").to_string())
            .replace(":day", &day.format("%d").to_string())
            .replace(":section", &section)
            .replace(":slug", &slug)
            .replace(":filename", &file_slug(self.path));
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        Some(if path.starts_with('/') { path } else { format!("/{path}") })
    }

    /// The item id, by the first rule that gives one: `guid`, a pin, `wordpress_url`,
    /// `wordpress_id`, the site's `id_scheme`.
    fn id(&mut self, date: &WrittenDate, path: &str) -> Option<(String, IdSource)> {
        let given = |key: &str| {
            let value = self.front.get(key).and_then(scalar_string)?;
            Some(value.trim().to_string()).filter(|v| !v.is_empty())
        };
        if let Some(guid) = given("guid") {
            return Some((guid, IdSource::Guid));
        }
        if let Some(pin) = self.config.pins.get(self.path) {
            return Some((pin.clone(), IdSource::Pin));
        }
        if let Some(url) = given("wordpress_url") {
            return Some((url, IdSource::WordpressUrl));
        }
        if let Some(value) = self.front.get("wordpress_id") {
            let digits = scalar_string(value).map(|s| s.trim().to_string()).unwrap_or_default();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                self.error("wordpress_id", format!("`wordpress_id: {digits}` must be a whole number"));
                return None;
            }
            return Some((format!("{}/?p={digits}", self.config.guid_base), IdSource::WordpressId));
        }
        // URIs both: a permalink path with other characters is percent-encoded.
        let path = crate::core::uri::encode(path);
        let id = match self.config.id_scheme {
            IdScheme::Tag => format!("tag:{},{}:{}", self.config.host(), date.written_day.format("%Y-%m-%d"), path),
            IdScheme::Permalink => format!("{}{path}", self.config.base_url),
        };
        Some((id, IdSource::Scheme))
    }
}

/// The slug a file name gives: its stem without a leading `YYYY-MM-DD-`; for a Hugo page
/// bundle (`post/my-post/index.md`), the folder's name.
pub fn file_slug(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let stem = if stem == "index" {
        path.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or(stem)
    } else {
        stem
    };
    strip_date_prefix(stem).to_string()
}

/// `2008-02-06-some-slug` → `some-slug`.
pub fn strip_date_prefix(stem: &str) -> &str {
    let b = stem.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && b[10] == b'-';
    if dated { &stem[11..] } else { stem }
}

/// Hugo's section: the first folder under `content/` (`post` for `content/post/x.md`).
pub fn section_of(path: &Path) -> String {
    let mut parts = path.components().filter_map(|c| c.as_os_str().to_str());
    match parts.next() {
        Some("content") => {
            let rest: Vec<&str> = parts.collect();
            if rest.len() >= 2 { rest[0].to_string() } else { String::new() }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::config::parse_config;

    fn config(extra: &str) -> Config {
        let text = format!("base_url: https://blog.example.org\ntitle: T\n{extra}");
        parse_config(Path::new("feedwright.yaml"), text.as_bytes()).unwrap()
    }

    fn parse(name: &str, text: &str) -> (Option<Post>, Vec<Diagnostic>) {
        parse_post(Path::new(name), text.as_bytes(), &config(""))
    }

    fn ok(text: &str) -> Post {
        let (post, diags) = parse("content/post/2008-04-04-hello-world.md", text);
        assert!(diags.is_empty(), "{diags:?}");
        post.unwrap()
    }

    #[test]
    fn the_fields_of_a_migrated_wordpress_post() {
        let p = ok("---\nauthor: slowe\ncategories: Information\ndate: 2008-11-19T14:40:59Z\nslug: vst-23\n\
                    tags:\n- ESX\n- NFS\ntitle: 'Virtualization Short Take #23'\nurl: /2008/11/19/vst-23/\nwordpress_id: 1039\n---\nBody\n");
        assert_eq!(p.title, "Virtualization Short Take #23");
        assert_eq!(p.path, "/2008/11/19/vst-23/");
        assert_eq!(p.id, "https://blog.example.org/?p=1039");
        assert_eq!(p.tags, vec!["ESX", "NFS"]);
        assert_eq!(p.categories, vec!["Information"]);
        assert_eq!(p.authors[0].name, "slowe");
        assert_eq!(p.body.as_deref(), Some("Body\n"));
    }

    #[test]
    fn every_form_of_each_field() {
        let p = ok("---\ntitle: 2048\ndate: 2008-04-04 19:40:01 -0500\ntags: single\nwordpress_id: '77'\n\
                    author: {name: Ann, email: ann@example.org}\nlastmod: 2009-01-01\nexcerpt: Short.\n---\n");
        assert_eq!(p.title, "2048");
        assert_eq!(p.tags, vec!["single"]);
        assert_eq!(p.id, "https://blog.example.org/?p=77");
        assert_eq!(p.authors[0].email.as_deref(), Some("ann@example.org"));
        assert_eq!(p.updated.to_rfc3339(), "2009-01-01T00:00:00+00:00");
        assert_eq!(p.summary.as_deref(), Some("Short."));
        let list = ok("---\ntitle: x\ndate: 2008-04-04\nauthor: [Ann, {name: Bob}]\ncategories: [A, B]\n---\n");
        assert_eq!(list.authors.len(), 2);
        assert_eq!(list.categories, vec!["A", "B"]);
    }

    #[test]
    fn id_rules_in_order() {
        let guid = ok(
            "---\ntitle: x\ndate: 2008-04-04\nguid: urn:uuid:1\nwordpress_url: http://old/?p=5\nwordpress_id: 5\n---\n",
        );
        assert_eq!(guid.id, "urn:uuid:1");
        let wp_url =
            ok("---\ntitle: x\ndate: 2008-04-04\nwordpress_url: http://old.example.org/?p=5\nwordpress_id: 6\n---\n");
        assert_eq!(wp_url.id, "http://old.example.org/?p=5");
        let wp_id = ok("---\ntitle: x\ndate: 2008-04-04\nwordpress_id: 6\n---\n");
        assert_eq!(wp_id.id, "https://blog.example.org/?p=6");
        let tag = ok("---\ntitle: x\ndate: 2008-04-04T23:30:00-08:00\n---\n");
        assert_eq!(tag.id, "tag:blog.example.org,2008-04-04:/post/hello-world/");
    }

    #[test]
    fn guid_base_keeps_old_http_ids_after_a_move_to_https() {
        let c = config("guid_base: http://blog.example.org\n");
        let (p, _) =
            parse_post(Path::new("content/post/a.md"), b"---\ntitle: x\ndate: 2008-04-04\nwordpress_id: 9\n---\n", &c);
        assert_eq!(p.unwrap().id, "http://blog.example.org/?p=9");
    }

    #[test]
    fn ids_ignore_title_body_tags_and_zone() {
        let a = ok("---\ntitle: One\ndate: 2008-04-04\ntags: [a]\n---\nbody one");
        let b = ok("---\ntitle: Two\ndate: 2008-04-04T10:00:00+09:00\ntags: [b, c]\ncategories: x\n---\nbody two");
        assert_eq!(a.id, b.id);
    }

    #[test]
    fn permalinks() {
        assert_eq!(ok("---\ntitle: x\ndate: 2008-04-04\n---\n").path, "/post/hello-world/");
        assert_eq!(ok("---\ntitle: x\ndate: 2008-04-04\nslug: other\n---\n").path, "/post/other/");
        assert_eq!(ok("---\ntitle: x\ndate: 2008-04-04\nurl: a/b.html\n---\n").path, "/a/b.html");
        let c = config("permalink: /:year/:month/:day/:slug/\n");
        let (p, _) =
            parse_post(Path::new("_posts/2008-02-06-some-slug.md"), b"---\ntitle: x\ndate: 2008-02-06\n---\n", &c);
        assert_eq!(p.unwrap().path, "/2008/02/06/some-slug/");
        let (p, _) = parse_post(
            Path::new("content/post/bundle/index.md"),
            b"---\ntitle: x\ndate: 2008-02-06\n---\n",
            &config(""),
        );
        assert_eq!(p.unwrap().path, "/post/bundle/");
    }

    #[test]
    fn hugo_publishes_a_url_without_a_slash_as_a_folder() {
        let hugo = parse_config(Path::new("config.yaml"), b"baseURL: https://ex.org\n").unwrap();
        let post = |url: &str| {
            let text = format!("---\ntitle: x\ndate: 2008-04-04\nurl: {url}\n---\n");
            parse_post(Path::new("content/post/a.md"), text.as_bytes(), &hugo).0.unwrap().path
        };
        assert_eq!(post("/2021/08/04/a-post"), "/2021/08/04/a-post/");
        assert_eq!(post("/a/b.html"), "/a/b.html");
        assert_eq!(ok("---\ntitle: x\ndate: 2008-04-04\nurl: /kept/as/written\n---\n").path, "/kept/as/written");
    }

    #[test]
    fn a_url_off_the_site_is_an_error() {
        for url in ["https://elsewhere.example/x", "javascript:alert(1)", "//evil.example/x"] {
            let (post, diags) =
                parse("content/post/a.md", &format!("---\ntitle: x\ndate: 2008-04-04\nurl: '{url}'\n---\n"));
            assert!(post.is_none());
            assert_eq!(diags[0].line, 4, "{url}");
            assert!(diags[0].message.contains("not a path"), "{}", diags[0]);
        }
    }

    #[test]
    fn missing_title_and_date_are_errors_on_their_lines() {
        let (post, diags) = parse("content/post/a.md", "---\ndate: 2008-04-04\n---\n");
        assert!(post.is_none());
        assert_eq!(diags[0].to_string(), "content/post/a.md:1: error: missing `title`: every feed item needs one");
        let (_, diags) = parse("content/post/a.md", "---\ntitle: x\n---\n");
        assert!(diags[0].message.starts_with("missing `date`"));
        let (_, diags) = parse("content/post/a.md", "---\ntitle: x\ndate: someday\n---\n");
        assert_eq!(diags[0].line, 3);
        let (_, diags) = parse("content/post/a.md", "---\ntitle: x\ndate: 2008-01-01\nwordpress_id: abc\n---\n");
        assert_eq!(diags[0].line, 4);
    }

    #[test]
    fn bom_crlf_and_bad_utf8() {
        let p = ok("\u{feff}---\r\ntitle: x\r\ndate: 2008-04-04\r\n---\r\nBody\r\n");
        assert_eq!(p.body.as_deref(), Some("Body\n"));
        let (post, diags) = parse_post(Path::new("a.md"), b"---\ntitle: x\n\xff\n---\n", &config(""));
        assert!(post.is_none());
        assert_eq!(diags[0].line, 3);
        assert!(diags[0].message.contains("UTF-8"));
    }

    #[test]
    fn drafts_and_unpublished() {
        assert!(ok("---\ntitle: x\ndate: 2008-04-04\ndraft: true\n---\n").draft);
        assert!(ok("---\ntitle: x\ndate: 2008-04-04\npublished: false\n---\n").draft);
        assert!(!ok("---\ntitle: x\ndate: 2008-04-04\n---\n").draft);
    }

    #[test]
    fn slugs_from_file_names() {
        assert_eq!(file_slug(Path::new("_posts/2008-02-06-some-slug.md")), "some-slug");
        assert_eq!(file_slug(Path::new("content/post/plain.markdown")), "plain");
        assert_eq!(section_of(Path::new("content/post/a.md")), "post");
        assert_eq!(section_of(Path::new("content/a.md")), "");
    }
}
