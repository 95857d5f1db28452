//! Front matter: splitting a post into its metadata block and its body.
//!
//! YAML between `---` lines or TOML between `+++` lines. Only the first two delimiter
//! lines count, so a `---` inside the body (a rule, a code block) is body text. Keys are
//! matched case-insensitively, as Hugo does (`expiryDate` = `expirydate`).

use std::collections::BTreeMap;

use serde_yaml::Value;

/// The metadata of a post: each top-level key (lowercased) with its value and the line it
/// is on, so that a problem with a value can name its line.
#[derive(Debug, Default)]
pub struct FrontMatter {
    fields: BTreeMap<String, (Value, usize)>,
    /// The line of the opening delimiter.
    pub line: usize,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).map(|(v, _)| v)
    }

    /// The line of `key`, or of the opening delimiter when the key is absent.
    pub fn line_of(&self, key: &str) -> usize {
        self.fields.get(key).map_or(self.line, |(_, l)| *l)
    }

    /// The first of `keys` that is present, with its name.
    pub fn first_of<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &Value)> {
        keys.iter().find_map(|k| self.get(k).map(|v| (*k, v)))
    }
}

/// A post split into front matter and body.
#[derive(Debug)]
pub struct Document<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// The line on which the body starts.
    pub body_line: usize,
}

/// Why a post's front matter could not be read: a line and a message.
#[derive(Debug, PartialEq, Eq)]
pub struct SplitError {
    pub line: usize,
    pub message: String,
}

/// Where the parts of a post are: the front matter's text and syntax, the body and its line.
struct Parts<'a> {
    raw: &'a str,
    yaml: bool,
    body: &'a str,
    body_line: usize,
}

/// Find the two delimiter lines of `text` (BOM removed, LF line endings).
fn delimit(text: &str) -> Result<Parts<'_>, SplitError> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = match first_line.trim_end() {
        "---" => "---",
        "+++" => "+++",
        _ => {
            return Err(SplitError {
                line: 1,
                message: "no front matter: a post starts with a `---` (YAML) or `+++` (TOML) line".into(),
            });
        }
    };
    let start = (first_line.len() + 1).min(text.len());
    let mut offset = start;
    let mut line_no = 2;
    while offset < text.len() {
        let line_end = memchr::memchr(b'\n', &text.as_bytes()[offset..]).map_or(text.len(), |i| offset + i);
        let line = text[offset..line_end].trim_end();
        if line == delimiter || (delimiter == "---" && line == "...") {
            return Ok(Parts {
                raw: &text[start..offset],
                yaml: delimiter == "---",
                body: text.get(line_end + 1..).unwrap_or(""),
                body_line: line_no + 1,
            });
        }
        offset = line_end + 1;
        line_no += 1;
    }
    Err(SplitError { line: 1, message: format!("front matter opened here is never closed by a `{delimiter}` line") })
}

/// The body of a post and the line it starts on, without reading the front matter.
pub fn body_of(text: &str) -> Option<(&str, usize)> {
    delimit(text).ok().map(|p| (p.body, p.body_line))
}

/// Bounds on front matter, checked before any parser sees it, so that no post can make
/// parsing slow or deep: real posts have a few dozen keys nested two or three deep.
pub const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;
pub const MAX_KEYS: usize = 1000;
pub const MAX_DEPTH: usize = 32;

/// Refuse front matter that is too large, has too many keys or nests too deep. Depth is
/// counted from what the text shows: open `[`/`{` (outside quotes), indentation and
/// `- ` items opening on one line.
fn check_bounds(raw: &str) -> Result<(), SplitError> {
    if raw.len() > MAX_FRONT_MATTER_BYTES {
        return Err(SplitError {
            line: 1,
            message: format!(
                "front matter is {} KiB; at most {} KiB is read",
                raw.len() / 1024,
                MAX_FRONT_MATTER_BYTES / 1024
            ),
        });
    }
    let mut keys = 0;
    let mut flow = 0usize;
    let too_deep = |line: usize| SplitError {
        line: line + 1,
        message: format!("front matter nests deeper than {MAX_DEPTH} levels"),
    };
    for (i, line) in raw.lines().enumerate() {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let mut items = 0;
        let mut rest = trimmed;
        while let Some(r) = rest.strip_prefix("- ") {
            items += 1;
            rest = r.trim_start_matches(' ');
        }
        if indent / 2 + items > MAX_DEPTH {
            return Err(too_deep(i + 1));
        }
        if indent == 0 && !trimmed.starts_with(['-', '#', '[', '{']) && trimmed.contains([':', '=']) {
            keys += 1;
            if keys > MAX_KEYS {
                return Err(SplitError { line: 1, message: format!("front matter has more than {MAX_KEYS} keys") });
            }
        }
        let mut quote = None;
        for c in trimmed.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => {
                    flow += 1;
                    if flow > MAX_DEPTH {
                        return Err(too_deep(i + 1));
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                (None, '#') => break,
                _ => {}
            }
        }
    }
    Ok(())
}

/// Split `text` (BOM removed, LF line endings) into front matter and body.
pub fn split(text: &str) -> Result<Document<'_>, SplitError> {
    let Parts { raw, yaml, body, body_line } = delimit(text)?;
    check_bounds(raw)?;
    // Most posts hold flat `key: value` lines: read those quickly, with their lines.
    if yaml && let Some(fields) = crate::core::input::flatyaml::parse(raw) {
        let fields = fields.into_iter().map(|(k, v, line)| (k.to_lowercase(), (v, line + 1))).collect();
        return Ok(Document { front: FrontMatter { fields, line: 1 }, body, body_line });
    }
    let delimiter = if yaml { "---" } else { "+++" };
    let fields = if yaml { parse_yaml(raw)? } else { parse_toml(raw)? };
    let fields = fields
        .into_iter()
        .map(|(k, v)| {
            let line = key_line(raw, &k, delimiter).map_or(1, |l| l + 2);
            (k.to_lowercase(), (v, line))
        })
        .collect();
    Ok(Document { front: FrontMatter { fields, line: 1 }, body, body_line })
}

fn parse_yaml(raw: &str) -> Result<Vec<(String, Value)>, SplitError> {
    if raw.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: Value = serde_yaml::from_str(raw).map_err(|e| SplitError {
        line: e.location().map_or(1, |l| l.line() + 1),
        message: format!("invalid YAML front matter: {}", strip_location(&e.to_string())),
    })?;
    match value {
        Value::Mapping(map) => Ok(map.into_iter().filter_map(|(k, v)| key_string(&k).map(|k| (k, v))).collect()),
        Value::Null => Ok(Vec::new()),
        _ => Err(SplitError { line: 2, message: "front matter is not a mapping of `key: value` lines".into() }),
    }
}

fn key_string(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// serde_yaml appends " at line L column C"; we print the line ourselves.
fn strip_location(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

fn parse_toml(raw: &str) -> Result<Vec<(String, Value)>, SplitError> {
    let table: toml::Table = toml::from_str(raw).map_err(|e| SplitError {
        line: e.span().map_or(1, |s| raw[..s.start.min(raw.len())].matches('\n').count() + 1) + 1,
        message: format!("invalid TOML front matter: {}", e.message()),
    })?;
    Ok(table.into_iter().map(|(k, v)| (k, toml_to_yaml(v))).collect())
}

/// One value type for both syntaxes: TOML values become the YAML values they spell.
pub fn toml_to_yaml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.into()),
        toml::Value::Float(f) => Value::Number(f.into()),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Sequence(a.into_iter().map(toml_to_yaml).collect()),
        toml::Value::Table(t) => {
            Value::Mapping(t.into_iter().map(|(k, v)| (Value::String(k), toml_to_yaml(v))).collect())
        }
    }
}

/// The 0-based line (within `raw`) on which top-level `key` is defined.
fn key_line(raw: &str, key: &str, delimiter: &str) -> Option<usize> {
    raw.lines().position(|line| {
        if line.starts_with([' ', '\t']) {
            return false;
        }
        let line = line.trim_start_matches(['"', '\'']);
        let Some(rest) = line.strip_prefix(key) else { return false };
        let rest = rest.trim_start_matches(['"', '\'']).trim_start();
        if delimiter == "---" { rest.starts_with(':') } else { rest.starts_with('=') }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_and_body() {
        let doc = split("---\ntitle: Hello\ndate: 2008-04-04\n---\nBody\n").unwrap();
        assert_eq!(doc.front.get("title"), Some(&Value::String("Hello".into())));
        assert_eq!(doc.front.line_of("date"), 3);
        assert_eq!(doc.body, "Body\n");
        assert_eq!(doc.body_line, 5);
    }

    #[test]
    fn toml_front_matter() {
        let doc = split("+++\ntitle = \"Hi\"\ndate = 2008-04-04T19:40:01Z\ntags = [\"a\", \"b\"]\n+++\nBody").unwrap();
        assert_eq!(doc.front.get("title").and_then(Value::as_str), Some("Hi"));
        assert_eq!(doc.front.get("date").and_then(Value::as_str), Some("2008-04-04T19:40:01Z"));
        assert_eq!(doc.front.get("tags").and_then(Value::as_sequence).map(Vec::len), Some(2));
        assert_eq!(doc.front.line_of("tags"), 4);
        assert_eq!(doc.body, "Body");
    }

    #[test]
    fn only_the_first_two_delimiters_count() {
        let doc = split("---\ntitle: x\n---\nintro\n\n---\n\n```\n---\n```\n").unwrap();
        assert_eq!(doc.body, "intro\n\n---\n\n```\n---\n```\n");
    }

    #[test]
    fn keys_are_case_insensitive() {
        let doc = split("---\nexpiryDate: 2020-01-01\n---\n").unwrap();
        assert!(doc.front.get("expirydate").is_some());
        assert_eq!(doc.front.line_of("expirydate"), 2);
    }

    #[test]
    fn invalid_yaml_names_its_line() {
        let err = split("---\ntitle: ok\ntags: [a, b\ndate: 2008-01-01\n---\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.line >= 3, "{err:?}");
    }

    #[test]
    fn front_matter_is_bounded_before_parsing() {
        let many: String = (0..=MAX_KEYS).map(|i| format!("k{i}: v\n")).collect();
        assert!(split(&format!("---\n{many}---\n")).unwrap_err().message.contains("more than 1000 keys"));
        let deep = format!("---\ntitle: x\nx: {}{}\n---\n", "[".repeat(40), "]".repeat(40));
        assert_eq!(
            split(&deep).unwrap_err(),
            SplitError { line: 3, message: "front matter nests deeper than 32 levels".into() }
        );
        let dashes = format!("---\nx:\n{}x\n---\n", "- ".repeat(40));
        assert_eq!(split(&dashes).unwrap_err().line, 3);
        let big = format!("---\ntitle: '{}'\n---\n", "x".repeat(MAX_FRONT_MATTER_BYTES));
        assert!(split(&big).unwrap_err().message.starts_with("front matter is 256 KiB"));
        // Brackets in quoted text and comments are not nesting.
        let fine = format!("---\ntitle: \"{}\"\n# {}\ntags: [a, [b]]\n---\n", "[".repeat(50), "{".repeat(50));
        assert!(split(&fine).is_ok());
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert_eq!(split("just text").unwrap_err().line, 1);
        assert!(split("---\ntitle: x\n").unwrap_err().message.contains("never closed"));
        assert!(split("").is_err());
    }
}
