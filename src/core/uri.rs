//! URLs as feeds must carry them: URIs (RFC 3986), not IRIs. A tag `Überwachung` is
//! written to `tags/überwachung/`, and linked as `tags/%C3%BCberwachung/`.

use std::borrow::Cow;

/// `url` with every character a URI cannot hold percent-encoded as UTF-8 bytes: non-ASCII,
/// spaces, controls, `"<>\^`{|}` and a `%` that does not start an escape. A URL that is
/// already a URI comes back unchanged (borrowed).
pub fn encode(url: &str) -> Cow<'_, str> {
    let bytes = url.as_bytes();
    let escape_at = |i: usize| {
        let b = bytes[i];
        !allowed(b) || (b == b'%' && !(is_hex(bytes.get(i + 1)) && is_hex(bytes.get(i + 2))))
    };
    if !(0..bytes.len()).any(escape_at) {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() + 16);
    for (i, &b) in bytes.iter().enumerate() {
        if escape_at(i) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    Cow::Owned(out)
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`, `javascript:`): a letter,
/// then letters, digits, `+`, `-` or `.`, then `:` (RFC 3986). Without one it is a
/// reference relative to some base.
pub fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

fn is_hex(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_hexdigit)
}

/// Unreserved, reserved (gen-delims and sub-delims) and `%`.
fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_become_uris_and_uris_stay_as_they_are() {
        assert_eq!(encode("https://ex.org/tags/überwachung/"), "https://ex.org/tags/%C3%BCberwachung/");
        assert_eq!(encode("https://ex.org/a b/\"x\"<y>"), "https://ex.org/a%20b/%22x%22%3Cy%3E");
        assert_eq!(encode("https://ex.org/100%/"), "https://ex.org/100%25/");
        assert_eq!(encode("https://ex.org/%C3%BC/?p=1&q=2#f"), "https://ex.org/%C3%BC/?p=1&q=2#f");
        assert!(matches!(encode("https://ex.org/plain/"), Cow::Borrowed(_)));
        assert_eq!(encode("https://ex.org/東京/"), "https://ex.org/%E6%9D%B1%E4%BA%AC/");
    }
}
