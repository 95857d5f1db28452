//! `opml.xml`: an OPML 2.0 list of every feed, for subscribing to many at once.

use crate::core::paths::FeedKey;
use crate::core::xmltext::{self, clean, escape_attr};

/// One feed as OPML lists it.
pub struct Entry<'a> {
    pub key: &'a FeedKey,
    pub title: &'a str,
    pub xml_url: String,
    pub html_url: &'a str,
    /// `rss` for RSS and Atom alike (what OPML readers expect), `json` for JSON Feed.
    pub kind: &'static str,
}

/// An attribute value: characters XML forbids removed, then escaped.
fn escape(s: &str) -> String {
    escape_attr(&clean(s))
}

/// OPML readers (and the validator) read `text` and `title` as HTML: escape for HTML,
/// then for XML, so that `X & <Y>` shows as written.
fn escape_html_text(s: &str) -> String {
    escape(&xmltext::escape(s))
}

/// The OPML document; `date` is the newest item's time (RFC 822), never the clock.
pub fn write(site_title: &str, date: Option<String>, entries: &[Entry]) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n  <head>\n");
    out.push_str(&format!("    <title>{} — feeds</title>\n", escape_html_text(site_title)));
    if let Some(date) = date {
        out.push_str(&format!("    <dateModified>{date}</dateModified>\n"));
    }
    out.push_str("  </head>\n  <body>\n");
    type Member = fn(&FeedKey) -> bool;
    let groups: [(&str, Member); 8] = [
        ("Site", |k| matches!(k, FeedKey::Site)),
        ("Sections", |k| matches!(k, FeedKey::Section(_))),
        ("Feeds", |k| matches!(k, FeedKey::Custom(_))),
        ("Series", |k| matches!(k, FeedKey::Series(_))),
        ("Categories", |k| matches!(k, FeedKey::Category(_))),
        ("Tags", |k| matches!(k, FeedKey::Tag(_))),
        ("Authors", |k| matches!(k, FeedKey::Taxonomy(p, _) if p == crate::core::input::post::AUTHORS)),
        ("Other taxonomies", |k| matches!(k, FeedKey::Taxonomy(p, _) if p != crate::core::input::post::AUTHORS)),
    ];
    for (label, member) in groups {
        let in_group: Vec<&Entry> = entries.iter().filter(|e| member(e.key)).collect();
        if in_group.is_empty() {
            continue;
        }
        out.push_str(&format!("    <outline text=\"{label}\">\n"));
        for e in in_group {
            let title = escape_html_text(e.title);
            out.push_str(&format!(
                "      <outline type=\"{}\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
                e.kind,
                escape(&e.xml_url),
                escape(e.html_url)
            ));
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out.into_bytes()
}
