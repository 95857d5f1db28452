//! feedwright's own options — everything a `feedwright.yaml` may set. They come from
//! `feedwright.yaml` alone, or overlay a Hugo or Jekyll config: every key not given keeps
//! the value read from the generator's config (or the default).

use regex::Regex;
use serde_yaml::Value;

use super::fields::Fields;
use super::{Archives, Config, Content, CustomFeed, PerKind, Podcast};
use crate::core::input::ids::IdScheme;
use crate::core::input::values::{lookup, scalar_string, string_list};
use crate::core::paths::Format;
use crate::core::paths::slug::slugify;

/// Every key feedwright's options know.
pub(super) const OPTIONS: &[&str] = &[
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
    "after_publish",
    "wordpress_urls",
    "cache_max_age",
    "typographer",
    "id_scheme",
    "term_aliases",
    "archives",
    "archive_size",
    "content",
    "image_in_content",
    "icon",
    "logo",
    "podcast",
    "author_feeds",
    "stylesheet",
];

/// Set on `config` every option `fields` holds; report unknown keys and bad values.
pub(super) fn apply(fields: &mut Fields, config: &mut Config) {
    fields.unknown_keys(fields.root(), OPTIONS, "");
    if let Some(v) = fields.string("title") {
        config.title = v;
    }
    if let Some(v) = fields.url("base_url") {
        config.base_url = v;
    }
    if let Some(v) = fields.url("guid_base") {
        config.guid_base = v;
    }
    if let Some(v) = fields.url("feeds_url") {
        config.feeds_url = v;
    }
    if let Some(v) = fields.string("description") {
        config.description = v;
    }
    if let Some(v) = fields.author("author") {
        config.author = Some(v);
    }
    if let Some(v) = fields.string("language") {
        config.language = Some(v);
    }
    if let Some(v) = fields.timezone("timezone") {
        config.timezone = v;
    }
    if let Some(v) = fields.count("limit") {
        config.limit = v;
    }
    if let Some(v) = formats(fields) {
        config.formats = v;
    }
    config.series_patterns.extend(series_patterns(fields));
    config.feeds.extend(custom_feeds(fields));
    if let Some(v) = fields.string("permalink") {
        config.permalink = v;
    }
    config.section_permalinks.extend(section_permalinks(fields, "permalinks"));
    if let Some(v) = fields.url("websub_hub") {
        config.websub_hub = Some(v);
    }
    if let Some(v) = fields.flag("wordpress_urls") {
        config.wordpress_urls = v;
    }
    if let Some(v) = fields.string("after_publish") {
        config.after_publish = (!v.trim().is_empty()).then_some(v);
    }
    if let Some(v) = fields.seconds("cache_max_age") {
        config.cache_max_age = v;
    }
    if let Some(v) = fields.flag("typographer") {
        config.typographer = v;
    }
    config.term_aliases.extend(term_aliases(fields));
    if let Some(v) = archives(fields) {
        config.archives = v;
    }
    if let Some(v) = fields.count("archive_size") {
        config.archive_size = v.clamp(1, MAX_ARCHIVE_SIZE);
    }
    if let Some(v) = content(fields) {
        config.content = v;
    }
    if let Some(v) = fields.flag("image_in_content") {
        config.image_in_content = v;
    }
    // Paths are made absolute once `base_url` is known (`finish`).
    if let Some(v) = fields.string("icon") {
        config.icon = Some(v.trim().to_string()).filter(|v| !v.is_empty());
    }
    if let Some(v) = fields.string("logo") {
        config.logo = Some(v.trim().to_string()).filter(|v| !v.is_empty());
    }
    if let Some(v) = podcast(fields) {
        config.podcast = Some(v);
    }
    if let Some(v) = fields.flag("stylesheet") {
        config.stylesheet = v;
    }
    if let Some(v) = fields.flag("author_feeds") {
        config.author_feeds = Some(v);
    }
    match fields.string("id_scheme").as_deref().map(str::trim) {
        None => {}
        Some("tag") => config.id_scheme = IdScheme::Tag,
        Some("permalink") => config.id_scheme = IdScheme::Permalink,
        Some(other) => fields.error("id_scheme", format!("`{other}` is not an id scheme (tag or permalink)")),
    }
}

/// The most items an archive document may hold (a larger `archive_size` is cut to it).
const MAX_ARCHIVE_SIZE: usize = 1000;

/// `archives: true`, or per kind of feed: `archives: {site: true, tags: true, …}`.
fn archives(fields: &mut Fields) -> Option<Archives> {
    let value = fields.get("archives")?;
    if let Some(on) = value.as_bool() {
        return Some(PerKind::all(on));
    }
    let Some(map) = value.as_mapping() else {
        fields.error("archives", "expected true, false, or `{site: true, tags: true, …}`");
        return None;
    };
    const KINDS: &[&str] = &["site", "tags", "categories", "series", "sections", "custom"];
    fields.unknown_keys(map, KINDS, "archives");
    let on = |k: &str| lookup(map, k).and_then(Value::as_bool).unwrap_or(false);
    Some(Archives {
        site: on("site"),
        tags: on("tags"),
        categories: on("categories"),
        series: on("series"),
        sections: on("sections"),
        custom: on("custom"),
    })
}

/// `content: full` or `summary`, or per kind of feed: `content: {site: full, tags: summary}`
/// (kinds not named keep `full`).
fn content(fields: &mut Fields) -> Option<PerKind<Content>> {
    let value = fields.get("content")?;
    if let Some(mode) = value.as_str() {
        return match content_mode(mode) {
            Some(mode) => Some(PerKind::all(mode)),
            None => {
                fields.error("content", format!("`{mode}` is not `full` or `summary`"));
                None
            }
        };
    }
    let Some(map) = value.as_mapping() else {
        fields.error("content", "expected `full`, `summary`, or `{site: full, tags: summary, …}`");
        return None;
    };
    const KINDS: &[&str] = &["site", "tags", "categories", "series", "sections", "custom"];
    fields.unknown_keys(map, KINDS, "content");
    let mut bad = None;
    let mut of = |k: &str| match lookup(map, k).and_then(scalar_string) {
        None => Content::Full,
        Some(mode) => content_mode(&mode).unwrap_or_else(|| {
            bad = Some(mode);
            Content::Full
        }),
    };
    let modes = PerKind {
        site: of("site"),
        tags: of("tags"),
        categories: of("categories"),
        series: of("series"),
        sections: of("sections"),
        custom: of("custom"),
    };
    if let Some(mode) = bad {
        fields.error("content", format!("`{mode}` is not `full` or `summary`"));
    }
    Some(modes)
}

fn content_mode(name: &str) -> Option<Content> {
    match name.trim() {
        "full" => Some(Content::Full),
        "summary" => Some(Content::Summary),
        _ => None,
    }
}

/// `podcast: {category: Technology, explicit: false, image: /cover.jpg, site: true}`.
fn podcast(fields: &mut Fields) -> Option<Podcast> {
    let value = fields.get("podcast")?;
    let Some(map) = value.as_mapping() else {
        fields.error("podcast", "expected `{category: …, explicit: false, image: …}`");
        return None;
    };
    const KEYS: &[&str] = &["site", "category", "subcategory", "explicit", "image", "author", "email"];
    fields.unknown_keys(map, KEYS, "podcast");
    let text = |k: &str| lookup(map, k).and_then(scalar_string).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let Some(category) = text("category") else {
        fields.error("podcast", "needs a `category` (an Apple Podcasts category, such as `Technology`)");
        return None;
    };
    let explicit = match lookup(map, "explicit") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            fields.error("explicit", "expected true or false");
            false
        }
    };
    Some(Podcast {
        site: lookup(map, "site").and_then(Value::as_bool).unwrap_or(false),
        category,
        subcategory: text("subcategory"),
        explicit,
        image: text("image"),
        author: text("author"),
        email: text("email"),
    })
}

/// `term_aliases: {tags: {Old Name: New Name}, categories: {…}}`: renamed terms.
fn term_aliases(fields: &mut Fields) -> Vec<(String, String, String)> {
    let Some(value) = fields.get("term_aliases") else { return Vec::new() };
    let Some(map) = value.as_mapping() else {
        fields.error("term_aliases", "expected `tags:` and `categories:`, each a mapping of old name to new name");
        return Vec::new();
    };
    fields.unknown_keys(map, &["tags", "categories"], "term_aliases");
    let mut aliases = Vec::new();
    for taxonomy in ["tags", "categories"] {
        let Some(renames) = lookup(map, taxonomy).and_then(Value::as_mapping) else { continue };
        for (old, new) in renames {
            if let (Some(old), Some(new)) = (scalar_string(old), scalar_string(new)) {
                aliases.push((taxonomy.to_string(), old, new));
            }
        }
    }
    aliases
}

fn formats(fields: &mut Fields) -> Option<Vec<Format>> {
    let value = fields.get("formats")?;
    let mut formats = Vec::new();
    for name in string_list(value) {
        match name.to_lowercase().as_str() {
            "rss" => formats.push(Format::Rss),
            "atom" => formats.push(Format::Atom),
            "json" => formats.push(Format::Json),
            other => fields.error("formats", format!("unknown format `{other}` (rss, atom, json)")),
        }
    }
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        fields.error("formats", "lists no format");
        return None;
    }
    Some(formats)
}

/// The site's own series patterns (after the built-in ones).
fn series_patterns(fields: &mut Fields) -> Vec<Regex> {
    let mut patterns = Vec::new();
    let Some(value) = fields.get("series_patterns") else { return patterns };
    for source in string_list(value) {
        match Regex::new(&source) {
            Ok(re) if re.capture_names().flatten().any(|n| n == "name") => patterns.push(re),
            Ok(_) => fields.error_at(&source, format!("`series_patterns`: `{source}` has no `(?P<name>…)` group")),
            Err(e) => fields.error_at(&source, format!("`series_patterns`: invalid regex: {e}")),
        }
    }
    patterns
}

/// Per-section permalink patterns, as Hugo's `permalinks:` writes them.
pub(super) fn section_permalinks(fields: &mut Fields, key: &str) -> Vec<(String, String)> {
    let Some(Value::Mapping(map)) = fields.get(key) else { return Vec::new() };
    map.iter().filter_map(|(k, v)| Some((scalar_string(k)?, scalar_string(v)?))).collect()
}

fn custom_feeds(fields: &mut Fields) -> Vec<CustomFeed> {
    let Some(value) = fields.get("feeds") else { return Vec::new() };
    let Value::Sequence(entries) = value else {
        fields.error("feeds", "expected a list of feeds");
        return Vec::new();
    };
    let mut feeds: Vec<CustomFeed> = Vec::new();
    for entry in entries {
        let Some(map) = entry.as_mapping() else {
            fields.error("feeds", "each feed is a mapping with `slug`, `title` and `match`");
            continue;
        };
        let field = |k: &str| lookup(map, k).and_then(scalar_string);
        let Some(slug) = field("slug") else {
            fields.error("feeds", "a feed has no `slug`");
            continue;
        };
        if slugify(&slug) != slug {
            let message =
                format!("feed slug `{slug}` must be lowercase letters, digits and `-` (e.g. `{}`)", slugify(&slug));
            fields.error_at(&slug, message);
            continue;
        }
        if ["tags", "categories", "series"].contains(&slug.as_str()) || feeds.iter().any(|f| f.slug == slug) {
            fields.error_at(&slug, format!("feed slug `{slug}` is taken"));
            continue;
        }
        const FEED_KEYS: &[&str] =
            &["slug", "title", "description", "limit", "match", "archives", "content", "podcast"];
        const MATCH_KEYS: &[&str] = &["tags", "categories", "series", "title"];
        fields.unknown_keys(map, FEED_KEYS, &format!("feed `{slug}`"));
        let matcher = lookup(map, "match").and_then(Value::as_mapping);
        if let Some(m) = matcher {
            fields.unknown_keys(m, MATCH_KEYS, "match");
        }
        let list = |k: &str| -> Vec<String> {
            let names = matcher.and_then(|m| lookup(m, k)).map(string_list).unwrap_or_default();
            names.iter().map(|s| s.trim().to_lowercase()).collect()
        };
        let title_pattern = match matcher.and_then(|m| lookup(m, "title")).and_then(scalar_string) {
            None => None,
            Some(source) => match Regex::new(&source) {
                Ok(re) => Some(re),
                Err(e) => {
                    fields.error_at(&slug, format!("feed `{slug}`: invalid title regex: {e}"));
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
            archives: lookup(map, "archives").and_then(Value::as_bool),
            content: match lookup(map, "content").and_then(scalar_string) {
                None => None,
                Some(mode) => match content_mode(&mode) {
                    Some(mode) => Some(mode),
                    None => {
                        fields.error_at(&slug, format!("feed `{slug}`: `content: {mode}` is not `full` or `summary`"));
                        continue;
                    }
                },
            },
            podcast: lookup(map, "podcast").and_then(Value::as_bool).unwrap_or(false),
            slug,
        };
        if feed.tags.is_empty() && feed.categories.is_empty() && feed.series.is_empty() && feed.title_pattern.is_none()
        {
            fields.error_at(
                &feed.slug,
                format!("feed `{}` has no `match` (tags, categories, series or title)", feed.slug),
            );
            continue;
        }
        feeds.push(feed);
    }
    feeds
}
