//! The facts feedwright reads from a Hugo config (`hugo.yaml|toml`, `config.yaml|toml`).

use serde_yaml::Value;

use super::fields::Fields;
use super::{Config, options};
use crate::core::input::values::{lookup, scalar_string};
use crate::core::paths::layout::{HugoPaths, Layout};

/// Set on `config` what the Hugo config says of the site.
pub(super) fn read(fields: &mut Fields, config: &mut Config) {
    if let Some(v) = fields.url("baseurl") {
        config.base_url = v;
    }
    if let Some(v) = fields.string("title") {
        config.title = v;
    }
    if let Some(v) = fields.string("params.description").or_else(|| fields.string("description")) {
        config.description = v;
    }
    config.author = fields.author("params.author").or_else(|| fields.author("author"));
    config.language = fields.string("languagecode");
    if let Some(v) = fields.timezone("timezone") {
        config.timezone = v;
    }
    // Hugo 0.111's `rssLimit` (`services.rss.limit` later); -1 is Hugo's "no limit".
    for key in ["rsslimit", "services.rss.limit"] {
        match fields.get(key).and_then(Value::as_i64) {
            Some(n) if n < 0 => config.limit = usize::MAX,
            Some(n) if n > 0 => config.limit = n as usize,
            _ => {}
        }
    }
    config.layout = Layout::Hugo(paths(fields));
    if fields.flag("uglyurls") == Some(true) {
        config.permalink = "/:section/:slug.html".into();
    }
    config.section_permalinks = options::section_permalinks(fields, "permalinks");
    config.typographer = typographer(fields);
}

/// What decides the paths Hugo writes feeds to.
fn paths(fields: &mut Fields) -> HugoPaths {
    let mut paths = HugoPaths {
        lower: fields.flag("disablepathtolower") != Some(true),
        remove_accents: fields.flag("removepathaccents") == Some(true),
        ugly: fields.flag("uglyurls") == Some(true),
        ..HugoPaths::default()
    };
    if let Some(Value::Mapping(map)) = fields.get("taxonomies") {
        paths.taxonomies =
            map.iter().filter_map(|(k, v)| Some((scalar_string(k)?.to_lowercase(), scalar_string(v)?))).collect();
    }
    paths
}

/// Goldmark's typographer: on unless `markup.goldmark.extensions.typographer` is `false`
/// (Hugo 0.111) or `{disable: true}` (later Hugo).
fn typographer(fields: &Fields) -> bool {
    match fields.get("markup.goldmark.extensions.typographer") {
        Some(Value::Bool(on)) => *on,
        Some(Value::Mapping(map)) => lookup(map, "disable").and_then(Value::as_bool) != Some(true),
        _ => true,
    }
}
