//! The facts feedwright reads from a Jekyll `_config.yml`.

use serde_yaml::Value;

use super::Config;
use super::fields::Fields;
use crate::core::input::values::{lookup, scalar_string, string_list};
use crate::core::paths::layout::{JekyllPaths, Layout};

/// Set on `config` what Jekyll's config says of the site. kramdown's smart quotes and
/// typographic symbols are always on, so the typographer stays on.
pub(super) fn read(fields: &mut Fields, config: &mut Config) {
    if let Some(url) = fields.url("url") {
        let baseurl = fields.string("baseurl").unwrap_or_default();
        config.base_url = format!("{url}/{}", baseurl.trim_matches('/')).trim_end_matches('/').to_string();
    }
    if let Some(v) = fields.string("title") {
        config.title = v;
    }
    if let Some(v) = fields.string("description") {
        config.description = v;
    }
    config.author = fields.author("author");
    config.language = fields.string("lang");
    if let Some(v) = fields.timezone("timezone") {
        config.timezone = v;
    }
    config.permalink = permalink(fields.string("permalink").as_deref());
    config.layout = Layout::Jekyll(paths(fields));
}

/// jekyll-feed's paths, from its `feed:` config: `path`, `tags` (true, or a mapping with
/// `path`), `categories` (a list).
fn paths(fields: &mut Fields) -> JekyllPaths {
    let mut paths = JekyllPaths::default();
    if let Some(path) = fields.string("feed.path") {
        paths.feed = path.trim_start_matches('/').to_string();
    }
    paths.tags = match fields.get("feed.tags") {
        Some(Value::Bool(true)) => Some("feed/by_tag/".into()),
        Some(Value::Mapping(map)) => Some(
            lookup(map, "path")
                .and_then(scalar_string)
                .map_or("feed/by_tag/".into(), |p| p.trim_start_matches('/').to_string()),
        ),
        _ => None,
    };
    if let Some(list) = fields.get("feed.categories") {
        paths.categories = string_list(list);
    }
    paths
}

/// Jekyll's named permalink styles, in feedwright's pattern words.
fn permalink(style: Option<&str>) -> String {
    match style.unwrap_or("date") {
        "date" | "pretty" => "/:year/:month/:day/:slug/".into(),
        "ordinal" | "none" => "/:slug/".into(),
        custom => custom.replace(":title", ":slug").replace(":categories/", ""),
    }
}
