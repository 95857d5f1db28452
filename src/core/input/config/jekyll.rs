//! The facts feedwright reads from a Jekyll `_config.yml`.

use super::Config;
use super::fields::Fields;

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
}

/// Jekyll's named permalink styles, in feedwright's pattern words.
fn permalink(style: Option<&str>) -> String {
    match style.unwrap_or("date") {
        "date" | "pretty" => "/:year/:month/:day/:slug/".into(),
        "ordinal" | "none" => "/:slug/".into(),
        custom => custom.replace(":title", ":slug").replace(":categories/", ""),
    }
}
