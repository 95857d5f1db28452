//! Where feeds live: which feeds a site can have ([`FeedKey`]), in which formats
//! ([`Format`]), the slug of a name ([`slug`]) and the path of each feed under the
//! generator's layout ([`layout`]). Below both the config and the catalog: it names
//! neither, so the config can hold a layout and the catalog can place feeds without
//! either importing the other.

pub mod layout;
pub mod slug;

/// One feed of the site, named by what it selects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum FeedKey {
    Site,
    Tag(String),
    Category(String),
    Series(String),
    /// A Hugo section (`post` for `content/post/…`).
    Section(String),
    /// A term of another Hugo taxonomy: (its plural name, the term's slug).
    Taxonomy(String, String),
    Custom(String),
}

/// An output format of every feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    /// The file a feed of this format is written to, inside the feed's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Rss => "index.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }

    /// The media type a server sends the format as.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// The format of a feed file feedwright wrote. Layouts name files freely (Hugo's
    /// RSS is `index.xml`, jekyll-feed's Atom `feed.xml` and `feed/by_tag/<tag>.xml`), so
    /// an XML file is known by its root element.
    pub fn of_file(path: &str, bytes: &[u8]) -> Option<Format> {
        if path.ends_with(".json") {
            return Some(Format::Json);
        }
        let head = &bytes[..bytes.len().min(1024)];
        let root = |name: &[u8]| head.windows(name.len()).position(|w| w == name);
        match (root(b"<rss"), root(b"<feed")) {
            (Some(r), Some(f)) => Some(if r < f { Format::Rss } else { Format::Atom }),
            (Some(_), None) => Some(Format::Rss),
            (None, Some(_)) => Some(Format::Atom),
            (None, None) => None,
        }
    }
}
