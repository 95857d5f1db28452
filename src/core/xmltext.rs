//! Text that is safe to put in an XML 1.0 document.
//!
//! XML 1.0 forbids most control characters even when escaped; the `rss` and
//! `atom_syndication` crates write them raw, producing files no parser accepts. Every
//! string that reaches a feed goes through [`clean`] first.

use std::borrow::Cow;

/// True for the characters XML 1.0 allows in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// `text` with every character XML 1.0 forbids removed (borrowed when there is none).
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

/// `text` with `&`, `<` and `>` escaped: safe as text in XML and HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `text` escaped for a double-quoted XML or HTML attribute.
pub fn escape_attr(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// A format writer could not serialize a feed (it then writes nothing, never an empty
/// file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot serialize the feed: {0}")]
pub struct WriteError(pub String);

/// `xml` with `&amp;` and `&lt;` inside the elements named `tags` written as the
/// hexadecimal character references `&#x26;` and `&#x3C;` (the same characters to an XML
/// parser; what the RSS profile asks for in plain-text elements).
pub fn hex_refs(xml: &[u8], tags: &[&str]) -> Vec<u8> {
    let marks: Vec<(String, String)> = tags.iter().map(|t| (format!("<{t}>"), format!("</{t}>"))).collect();
    let mut out = Vec::with_capacity(xml.len() + 32);
    let mut rest = xml;
    while let Some(at) = memchr::memchr(b'<', rest) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at..];
        // CDATA holds HTML as it is: copied whole.
        if rest.starts_with(b"<![CDATA[") {
            let end = memchr::memmem::find(rest, b"]]>").map_or(rest.len(), |i| i + 3);
            out.extend_from_slice(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let element = marks.iter().find_map(|(open, close)| {
            let open = open.as_bytes();
            let len = rest.starts_with(open).then(|| memchr::memmem::find(rest, close.as_bytes()))??;
            Some((open.len(), len, close.len()))
        });
        let Some((open, text_end, close)) = element else {
            out.push(b'<');
            rest = &rest[1..];
            continue;
        };
        out.extend_from_slice(&rest[..open]);
        let text = &rest[open..text_end];
        let mut i = 0;
        while i < text.len() {
            if text[i..].starts_with(b"&amp;") {
                out.extend_from_slice(b"&#x26;");
                i += 5;
            } else if text[i..].starts_with(b"&lt;") {
                out.extend_from_slice(b"&#x3C;");
                i += 4;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out.extend_from_slice(&rest[text_end..text_end + close]);
        rest = &rest[text_end + close..];
    }
    out.extend_from_slice(rest);
    out
}

/// The part of a one-element document `doc` from the first `start` to the last `end`:
/// an element as the writer placed it (with the newline and indent before it). `start`
/// is found first because text before the element is escaped and cannot hold it; `end`
/// last because the element's own CDATA may.
pub fn fragment<'d>(doc: &'d [u8], start: &[u8], end: &[u8]) -> &'d [u8] {
    let from = memchr::memmem::find(doc, start).unwrap_or(doc.len());
    let to = memchr::memmem::rfind(doc, end).unwrap_or(doc.len()).max(from);
    &doc[from..to]
}

/// `doc` (written without elements) with an `<?xml-stylesheet?>` instruction naming
/// `stylesheet` after its declaration, and `parts` before the last `end`: the whole
/// document made in one buffer (a feed can be megabytes; no second copy).
pub fn assemble(doc: &[u8], stylesheet: Option<&str>, end: &[u8], parts: &[impl AsRef<[u8]>]) -> Vec<u8> {
    let pi = stylesheet.map(|href| format!("<?xml-stylesheet type=\"text/xsl\" href=\"{}\"?>\n", escape_attr(href)));
    let pi = pi.as_deref().unwrap_or_default().as_bytes();
    let head = if doc.starts_with(b"<?xml") { memchr::memchr(b'\n', doc).map_or(0, |i| i + 1) } else { 0 };
    let at = memchr::memmem::rfind(doc, end).unwrap_or(doc.len()).max(head);
    let size = doc.len() + pi.len() + parts.iter().map(|p| p.as_ref().len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&doc[..head]);
    out.extend_from_slice(pi);
    out.extend_from_slice(&doc[head..at]);
    for part in parts {
        out.extend_from_slice(part.as_ref());
    }
    out.extend_from_slice(&doc[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_control_characters_but_keeps_whitespace_and_unicode() {
        assert_eq!(clean("a\u{B}b\u{0}c\u{1F}d"), "abcd");
        assert_eq!(clean("tab\tlf\ncr\r"), "tab\tlf\ncr\r");
        assert_eq!(clean("Zürich — 東京 🦀"), "Zürich — 東京 🦀");
        assert_eq!(clean("x\u{FFFE}y\u{FFFF}"), "xy");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn plain_text_elements_get_hexadecimal_references() {
        let xml = b"<item><title>Q&amp;A &lt;b&gt;</title><description>&lt;p&gt;A&amp;B</description>\
                    <content><![CDATA[<title>x &amp; y</title>]]></content></item>";
        assert_eq!(
            String::from_utf8(hex_refs(xml, &["title"])).unwrap(),
            "<item><title>Q&#x26;A &#x3C;b&gt;</title><description>&lt;p&gt;A&amp;B</description>\
             <content><![CDATA[<title>x &amp; y</title>]]></content></item>"
        );
    }
}
