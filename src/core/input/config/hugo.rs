//! The facts feedwright reads from a Hugo config (`hugo.yaml|toml`, `config.yaml|toml`).

use serde_yaml::Value;

use super::fields::Fields;
use super::{Config, options};
use crate::core::input::values::lookup;

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
    if let Some(v) = fields.count("services.rss.limit") {
        config.limit = v;
    }
    config.section_permalinks = options::section_permalinks(fields, "permalinks");
    config.typographer = typographer(fields);
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
