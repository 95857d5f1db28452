//! A feed ready to be written: every value resolved to the text a reader sees, and every
//! string already cleaned of characters XML forbids. The format writers (`rss_feed`,
//! `atom_feed`, `json_feed`) only arrange these values.

use chrono::{DateTime, FixedOffset};

use crate::core::input::config::{Author, Content, Podcast};

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
    /// Summary or full text in items.
    pub content: Content,
    /// The site's square icon and wide logo.
    pub icon: Option<String>,
    pub logo: Option<String>,
    /// The show's tags, when this feed is a podcast.
    pub podcast: Option<Podcast>,
    /// The XSLT stylesheet a browser shows the feed with (a path on the feed's host).
    pub stylesheet: Option<String>,
    /// Some item carries Media RSS elements (the namespace is declared; a podcast's
    /// channel declares iTunes').
    pub uses_media: bool,
    pub items: Vec<ItemView>,
}

/// Media RSS's namespace (`media:thumbnail`, `media:content`).
pub const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// A file attached to an item: its image or an enclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub url: String,
    /// The media type (always known for an enclosure).
    pub mime: Option<String>,
    /// Its size in bytes (always known for an enclosure: given or measured).
    pub length: Option<u64>,
}

/// What an item carries besides its text.
#[derive(Debug, Clone, Default)]
pub struct ItemMedia {
    /// The post's image.
    pub image: Option<Attachment>,
    /// The post's body shows the image first (Atom then gets no enclosure link for it).
    pub image_in_body: bool,
    pub enclosures: Vec<Attachment>,
    /// Episode facts for podcast apps (`itunes:duration`, `itunes:explicit`).
    pub duration: Option<String>,
    pub explicit: Option<bool>,
}

impl ItemMedia {
    /// Whether it holds episode facts (a podcast's items carry them as iTunes elements).
    pub fn is_episode(&self) -> bool {
        self.duration.is_some() || self.explicit.is_some()
    }
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
    /// Its image, enclosures and episode facts (empty for most posts).
    pub media: ItemMedia,
    /// Write the iTunes elements (only a podcast's items carry them: in any other
    /// channel they would make podcast apps take the feed for a podcast).
    pub itunes: bool,
}

impl ItemView {
    /// This item as a summary-only feed carries it: no full text.
    pub fn summary_only(&self) -> ItemView {
        ItemView { content_html: String::new(), ..self.clone() }
    }

    /// Whether the RSS item carries Media RSS elements.
    pub fn uses_media(&self) -> bool {
        self.media.image.is_some()
    }

    /// Whether the RSS item carries iTunes elements.
    pub fn uses_itunes(&self) -> bool {
        self.itunes && self.media.is_episode()
    }
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
        content: Content::Full,
        icon: None,
        logo: None,
        podcast: None,
        stylesheet: None,
        uses_media: false,
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
                media: ItemMedia::default(),
                itunes: false,
            })
            .collect(),
    }
}
