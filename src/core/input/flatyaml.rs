//! A fast reader for the front matter nearly every blog post has: flat `key: value`
//! lines, values plain or quoted on one line, lists in `[a, b]` or `- a` form.
//!
//! It gives exactly the values serde_yaml would, or declines (`None`) whenever the text
//! holds anything it does not fully understand — nesting, anchors, block scalars, escapes,
//! numbers other than plain integers, comments after a value — and the caller then
//! parses with serde_yaml. A large site spends most of its parse time here, so it must
//! be quick; it must never be wrong, so it declines early.

use serde_yaml::Value;

/// The top-level keys (as written) with their values and 1-based lines within `raw`, or
/// `None` when serde_yaml must decide.
pub fn parse(raw: &str) -> Option<Vec<(String, Value, usize)>> {
    if raw.contains('\t') || raw.contains('\r') {
        return None;
    }
    let mut fields: Vec<(String, Value, usize)> = Vec::new();
    // The key whose value is a `- item` list being read, if any.
    let mut list: Option<Vec<Value>> = None;
    for (index, line) in raw.split('\n').enumerate() {
        let trimmed = line.trim_start_matches(' ');
        if trimmed.trim_end().is_empty() {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            // A list item belongs to a key with an empty value just above.
            let items = list.as_mut()?;
            items.push(scalar(item.trim_end())?);
            continue;
        }
        if line.starts_with(' ') || trimmed.starts_with('-') {
            return None;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        finish(&mut fields, &mut list);
        let (key, value) = line.split_once(':')?;
        if !is_plain_key(key) || fields.iter().any(|(k, _, _)| k == key) {
            return None;
        }
        if !value.is_empty() && !value.starts_with(' ') {
            return None;
        }
        let value = value.trim();
        if value.is_empty() {
            list = Some(Vec::new());
            fields.push((key.to_string(), Value::Null, index + 1));
        } else {
            fields.push((key.to_string(), value_of(value)?, index + 1));
        }
    }
    finish(&mut fields, &mut list);
    Some(fields)
}

/// Give the last key the `- item` list read below it (if any items came).
fn finish(fields: &mut [(String, Value, usize)], list: &mut Option<Vec<Value>>) {
    if let (Some(items), Some(last)) = (list.take(), fields.last_mut())
        && !items.is_empty()
    {
        last.1 = Value::Sequence(items);
    }
}

fn is_plain_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A value on the key's own line: a scalar or a flow list of scalars.
fn value_of(text: &str) -> Option<Value> {
    let Some(inner) = text.strip_prefix('[') else { return scalar(text) };
    let inner = inner.strip_suffix(']')?;
    if inner.contains(['[', ']', '{', '}']) {
        return None;
    }
    if inner.trim().is_empty() {
        return Some(Value::Sequence(Vec::new()));
    }
    let mut items = Vec::new();
    for item in inner.split(',') {
        let item = item.trim_matches(' ');
        // Quoted items holding commas were split apart: leave those to serde_yaml.
        if item.is_empty() || item.contains(',') {
            return None;
        }
        items.push(scalar(item)?);
    }
    Some(Value::Sequence(items))
}

/// One scalar: quoted, or plain with YAML's meaning (integer, boolean, null, string).
fn scalar(text: &str) -> Option<Value> {
    let text = text.trim_end_matches(' ');
    if let Some(body) = text.strip_prefix('\'') {
        let body = body.strip_suffix('\'')?;
        // Inside single quotes only `''` is special; a lone `'` would end the string.
        if body.replace("''", "").contains('\'') {
            return None;
        }
        return Some(Value::String(body.replace("''", "'")));
    }
    if let Some(body) = text.strip_prefix('"') {
        let body = body.strip_suffix('"')?;
        if body.contains(['"', '\\']) {
            return None;
        }
        return Some(Value::String(body.to_string()));
    }
    plain(text)
}

fn plain(text: &str) -> Option<Value> {
    const INDICATORS: &[char] =
        &['[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#', '?', ':', '-', '~'];
    if text.is_empty() || text.starts_with(INDICATORS) || text.ends_with(':') {
        // `-` and `~` start plain strings too ("-5", "~/x"), but not only: ask serde_yaml.
        return if text == "~" { Some(Value::Null) } else { None };
    }
    if text.contains(": ") || text.contains(" #") {
        return None;
    }
    match text {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        "null" | "Null" | "NULL" => return Some(Value::Null),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || first == b'+' || first == b'.' {
        if text.bytes().all(|b| b.is_ascii_digit()) {
            // Plain decimal integers; leading zeros and huge numbers go to serde_yaml.
            if text.len() > 1 && first == b'0' {
                return None;
            }
            return text.parse::<u64>().ok().map(|n| Value::Number(n.into()));
        }
        // Anything a YAML reader might take for a number (1.5, 1e3, 0x1F, +5, 1_000).
        let numeric = text.parse::<f64>().is_ok() || text.starts_with(['0', '+']) && text.len() > 1;
        if numeric || first.is_ascii_digit() && text.contains('_') {
            return None;
        }
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan" | "inf" | "nan" | "infinity") {
        return None;
    }
    Some(Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_yaml reads, as the same triples (line numbers from the fast reader).
    fn slow(raw: &str) -> Vec<(String, Value)> {
        let value: Value = serde_yaml::from_str(raw).unwrap();
        match value {
            Value::Mapping(m) => m.into_iter().map(|(k, v)| (k.as_str().unwrap().to_string(), v)).collect(),
            Value::Null => Vec::new(),
            other => panic!("not a mapping: {other:?}"),
        }
    }

    fn same_as_serde(raw: &str) {
        let fast = parse(raw).unwrap_or_else(|| panic!("declined: {raw:?}"));
        let fast: Vec<(String, Value)> = fast.into_iter().map(|(k, v, _)| (k, v)).collect();
        assert_eq!(fast, slow(raw), "{raw:?}");
    }

    #[test]
    fn the_shapes_of_migrated_posts_read_as_serde_yaml_reads_them() {
        same_as_serde(
            "author: slowe\ncategories: Information\ndate: 2008-11-19T14:40:59Z\nslug: vst-23\ntags:\n- ESX\n- NFS\n\
             title: 'Virtualization Short Take #23'\nurl: /2008/11/19/vst-23/\nwordpress_id: 1039\n",
        );
        same_as_serde("title: \"Quoted: yes\"\ntags: [a, 'b c', \"D\", 2008]\ncategories:\n  - News\n  - 'It''s'\n");
        same_as_serde("title: 2048\ndraft: true\npublished: False\nsummary: ~\nlastmod:\nexpiryDate: null\n");
        same_as_serde("title: Q&A <b>\ndate: 2020-01-01 10:00:00 -0500\ntags: []\n# a comment\nslug: a-b_c\n");
        same_as_serde("title: C++ and C#\ntags: [C++, C#]\nurl: /x/?p=1\n");
        same_as_serde("");
    }

    #[test]
    fn anything_unusual_is_left_to_serde_yaml() {
        for raw in [
            "title: [oops\n",
            "title: a: b\n",
            "title: x # comment\n",
            "title: \"esc\\n\"\n",
            "author:\n  name: Ann\n",
            "summary: |\n  block\n",
            "title: &a x\n",
            "ratio: 1.5\n",
            "big: 99999999999999999999999\n",
            "octal: 0755\n",
            "hex: 0x1F\n",
            "n: -5\n",
            "title: x\ntitle: y\n",
            "title: plain\n  continued\n",
            "\"quoted key\": x\n",
            "tags:\n- [nested]\n",
            "tags: ['a, b']\n",
            "title:\tx\n",
            "- not a mapping\n",
            "inf: .inf\n",
        ] {
            assert!(parse(raw).is_none(), "should decline {raw:?}: {:?}", parse(raw));
        }
    }

    #[test]
    fn lines_are_where_the_keys_are() {
        let fields = parse("title: x\n\ntags:\n- a\n- b\ndate: 2020-01-01\n").unwrap();
        let lines: Vec<(&str, usize)> = fields.iter().map(|(k, _, l)| (k.as_str(), *l)).collect();
        assert_eq!(lines, vec![("title", 1), ("tags", 3), ("date", 6)]);
    }
}
