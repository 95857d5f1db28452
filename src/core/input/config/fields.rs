//! Reading typed values out of a parsed config file, collecting every problem with the
//! file, line and key it concerns — so that one run lists all of them.

use std::path::Path;

use chrono_tz::Tz;
use serde_yaml::{Mapping, Value};
use url::Url;

use super::Author;
use crate::core::diag::Diagnostic;
use crate::core::input::values::{lookup, parse_author, scalar_string};

/// One config file's values (a mapping within it, for nested options) and its problems.
pub(super) struct Fields<'a> {
    pub path: &'a Path,
    text: &'a str,
    root: &'a Mapping,
    pub errors: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(path: &'a Path, text: &'a str, root: &'a Mapping) -> Fields<'a> {
        Fields { path, text, root, errors: Vec::new() }
    }

    pub fn root(&self) -> &'a Mapping {
        self.root
    }

    /// The line on which `key` (a top-level or nested key) first appears.
    pub fn line_of(&self, key: &str) -> usize {
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

    pub fn line_containing(&self, needle: &str) -> usize {
        self.text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
    }

    /// A problem with `key`, on its line.
    pub fn error(&mut self, key: &str, message: impl std::fmt::Display) {
        let line = self.line_of(key);
        self.errors.push(Diagnostic::error(self.path, line, format!("`{key}`: {message}")));
    }

    /// A problem on the line that holds `needle`.
    pub fn error_at(&mut self, needle: &str, message: impl Into<String>) {
        let line = self.line_containing(needle);
        self.errors.push(Diagnostic::error(self.path, line, message));
    }

    /// The value at a dotted path (`params.author.name`), keys compared without case.
    pub fn get(&self, dotted: &str) -> Option<&'a Value> {
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

    pub fn string(&mut self, key: &str) -> Option<String> {
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

    /// An absolute http(s) URL, without its trailing slash.
    pub fn url(&mut self, key: &str) -> Option<String> {
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

    pub fn author(&mut self, key: &str) -> Option<Author> {
        let value = self.get(key)?;
        let author = parse_author(value);
        if author.is_none() && !value.is_null() {
            self.error(key, "expected a name or `{name, email}`");
        }
        author
    }

    pub fn timezone(&mut self, key: &str) -> Option<Tz> {
        let name = self.string(key)?;
        match name.parse() {
            Ok(tz) => Some(tz),
            Err(_) => {
                self.error(key, format!("unknown time zone `{name}` (use an IANA name such as Europe/Berlin)"));
                None
            }
        }
    }

    pub fn flag(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(key, "expected true or false");
                None
            }
        }
    }

    /// A number of seconds: zero or more.
    pub fn seconds(&mut self, key: &str) -> Option<u64> {
        self.whole_number(key, 0, "expected a whole number of seconds (0 or more)")
    }

    /// A count of one or more.
    pub fn count(&mut self, key: &str) -> Option<usize> {
        self.whole_number(key, 1, "expected a positive whole number").map(|n| n as usize)
    }

    fn whole_number(&mut self, key: &str, least: u64, expected: &str) -> Option<u64> {
        let value = self.get(key).filter(|v| !v.is_null())?;
        let number = value.as_u64().filter(|&n| n >= least);
        if number.is_none() {
            self.error(key, expected);
        }
        number
    }

    /// Every key of `map` that is not in `known`, each reported on its own line, with the
    /// nearest known key when one is close (`limt` → `limit`).
    pub fn unknown_keys(&mut self, map: &Mapping, known: &[&str], within: &str) {
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

#[cfg(test)]
mod tests {
    use super::near;

    #[test]
    fn near_misses_are_suggested() {
        assert!(near("limit", "limt") && near("tags", "tag") && near("base_url", "base-url"));
        assert!(!near("limit", "colour") && !near("tags", "title"));
    }
}
