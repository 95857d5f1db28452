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

/// A URL reduced to what two spellings of one page share, for matching a feed item to a
/// post: host without `www.` and in lower case, path percent-decoded and without a
/// trailing `/`, `index.html` or `.html`, the query kept; the scheme, port and fragment
/// dropped. `None` when `url` is not an absolute http(s) URL.
pub fn comparable(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = percent_decode(parsed.path());
    let mut path = path.as_str();
    for suffix in ["/index.html", "/index.htm", "/index.php"] {
        path = path.strip_suffix(suffix).unwrap_or(path);
    }
    let path = path.strip_suffix(".html").or_else(|| path.strip_suffix(".htm")).unwrap_or(path);
    let path = path.trim_end_matches('/');
    Some(match parsed.query() {
        Some(query) => format!("{host}{path}?{query}"),
        None => format!("{host}{path}"),
    })
}

/// `%XX` escapes turned back into bytes (kept as written when not UTF-8).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
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

    #[test]
    fn spellings_of_one_page_compare_equal() {
        let same = [
            "http://blog.example.org/2015/01/07/slug/",
            "https://www.Blog.Example.org/2015/01/07/slug",
            "https://blog.example.org:443/2015/01/07/slug/index.html",
            "http://blog.example.org/2015/01/07/slug.html#comments",
        ];
        for url in same {
            assert_eq!(comparable(url).as_deref(), Some("blog.example.org/2015/01/07/slug"), "{url}");
        }
        assert_eq!(
            comparable("http://ex.org/tags/%C3%BCber/").unwrap(),
            comparable("https://ex.org/tags/über").unwrap()
        );
        assert_eq!(comparable("http://ex.org/?p=5").as_deref(), Some("ex.org?p=5"));
        assert_eq!(comparable("tag:ex.org,2020-01-01:/a/"), None);
    }
}
