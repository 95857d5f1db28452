//! Values as front matter and configs write them: strings, numbers and booleans read as
//! text, a single string or a list, authors in every form. Keys without regard to case,
//! as Hugo reads them.

use serde_yaml::{Mapping, Value};

use crate::core::input::config::Author;

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
