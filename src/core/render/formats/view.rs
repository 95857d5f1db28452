//! A feed ready to be written: every value resolved to the text a reader sees, and every
//! string already cleaned of characters XML forbids. The format writers (`rss_feed`,
//! `atom_feed`, `json_feed`) only arrange these values.

use chrono::{DateTime, FixedOffset};

use crate::core::input::config::Author;

#[derive(Debug, Clone)]
pub struct FeedView {
    pub title: String,
    pub description: String,
    /// The site's HTML page matching the feed.
    pub html_url: String,
    /// This file's own public URL (`rel="self"`).
    pub self_url: String,
    pub language: Option<String>,
    /// The newest item's update time (never the wall clock).
    pub updated: DateTime<FixedOffset>,
    pub author: Option<Author>,
    /// A WebSub hub readers may subscribe through.
    pub hub: Option<String>,
    /// RFC 5005 links (`current`, `prev-archive`, `next-archive`): relation and URL.
    pub history: Vec<(&'static str, String)>,
    /// An archive document (`<fh:archive/>`).
    pub archive: bool,
    pub items: Vec<ItemView>,
}

/// RFC 5005's namespace (Feed Paging and Archiving).
pub const HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

#[derive(Debug, Clone)]
pub struct ItemView {
    pub id: String,
    pub title: String,
    pub link: String,
    pub published: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    pub authors: Vec<Author>,
    /// Tags and categories, display names.
    pub categories: Vec<String>,
    pub summary_html: String,
    pub content_html: String,
}

/// A feed whose items hold what could confuse a writer split into parts: element names
/// and CDATA ends in their text, an empty summary, no author.
#[cfg(test)]
pub fn sample(items: usize) -> FeedView {
    let date = DateTime::parse_from_rfc3339("2020-01-02T03:04:05+01:00").expect("date");
    FeedView {
        title: "Lab <item> & </channel>".into(),
        description: "Notes".into(),
        html_url: "https://ex.org/".into(),
        self_url: "https://ex.org/index.xml".into(),
        language: Some("en".into()),
        updated: date,
        author: Some(Author { name: "Ann".into(), email: None }),
        hub: None,
        history: Vec::new(),
        archive: false,
        items: (0..items)
            .map(|i| ItemView {
                id: format!("https://ex.org/?p={i}"),
                title: format!("Post {i} </item>"),
                link: format!("https://ex.org/post/{i}/"),
                published: date,
                updated: date,
                authors: if i % 2 == 0 { vec![Author { name: "Bo".into(), email: None }] } else { Vec::new() },
                categories: vec!["NFS".into()],
                summary_html: if i == 1 { String::new() } else { "<p>short</p>".into() },
                content_html: "<pre>\n  </channel>\n</feed>\n    <item>\n  <entry> ]]> </item></pre>".into(),
            })
            .collect(),
    }
}
