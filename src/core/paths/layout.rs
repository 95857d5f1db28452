//! Where a site's feeds live. A site that switches keeps every feed URL its readers
//! subscribed to, so the paths follow the generator whose config is read:
//! - Hugo: `index.xml`, `<section>/index.xml`, `<taxonomy>/<term>/index.xml`, the term
//!   written as Hugo's `urlize` writes it (`disablePathToLower`, `removePathAccents`);
//! - Jekyll with jekyll-feed: `feed.xml` (Atom), `feed/by_tag/<tag>.xml`,
//!   `feed/<category>.xml`;
//! - `feedwright.yaml` alone: `index.xml`, `atom.xml`, `tags/<slug>/`, … as always.
//!
//! What the generator never had (Atom beside Hugo's RSS, RSS beside jekyll-feed's Atom,
//! series, custom feeds, OPML) keeps feedwright's names.

use super::slug::{MAX_SLUG_BYTES, slugify};
use super::{FeedKey, Format};

/// The conventions of the site's generator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Layout {
    #[default]
    Feedwright,
    Hugo(HugoPaths),
    Jekyll(JekyllPaths),
}

/// What decides Hugo's paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HugoPaths {
    /// Lower-case every path (`disablePathToLower: false`, the default).
    pub lower: bool,
    /// `removePathAccents`.
    pub remove_accents: bool,
    /// HTML pages end in `.html` (`uglyURLs`); feeds are where they always are.
    pub ugly: bool,
    /// The configured taxonomies as (singular, plural); Hugo's default is tags and
    /// categories.
    pub taxonomies: Vec<(String, String)>,
}

impl Default for HugoPaths {
    fn default() -> Self {
        HugoPaths {
            lower: true,
            remove_accents: false,
            ugly: false,
            taxonomies: vec![("tag".into(), "tags".into()), ("category".into(), "categories".into())],
        }
    }
}

/// What decides jekyll-feed's paths (its `feed:` config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JekyllPaths {
    /// The site feed (`feed.path`, default `feed.xml`).
    pub feed: String,
    /// Tag feeds (`feed.tags`) under this folder (`feed.tags.path`, default `feed/by_tag/`).
    pub tags: Option<String>,
    /// Categories with a feed (`feed.categories`).
    pub categories: Vec<String>,
}

impl Default for JekyllPaths {
    fn default() -> Self {
        JekyllPaths { feed: "feed.xml".into(), tags: None, categories: Vec::new() }
    }
}

/// A taxonomy as feeds are made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxon<'a> {
    Tags,
    Categories,
    Series,
    /// Hugo's section (the first folder under `content/`).
    Sections,
    /// Another taxonomy of a Hugo config, by its plural name.
    Other(&'a str),
}

impl Layout {
    /// The slug (path) of a term of `taxon`: Hugo's `urlize` for Hugo sites (falling back
    /// to feedwright's slug where that would not make a safe path), the name itself for
    /// jekyll-feed's tags, feedwright's slug otherwise.
    pub fn slug(&self, taxon: Taxon, name: &str) -> String {
        match self {
            Layout::Hugo(hugo) if hugo.has(taxon) => hugo_path(hugo, name).unwrap_or_else(|| slugify(name)),
            Layout::Jekyll(jekyll) if taxon == Taxon::Tags && jekyll.tags.is_some() && jekyll_tag(name) => {
                name.to_string()
            }
            _ => slugify(name),
        }
    }

    /// The file of `key`'s feed in `format`, relative to `--out`.
    pub fn file(&self, key: &FeedKey, format: Format) -> String {
        if let Layout::Jekyll(jekyll) = self
            && format == Format::Atom
        {
            match key {
                FeedKey::Site => return jekyll.feed.clone(),
                FeedKey::Tag(slug) if jekyll.tags.is_some() && jekyll_tag(slug) => {
                    return format!("{}{slug}.xml", jekyll.tags.as_deref().unwrap_or_default());
                }
                FeedKey::Category(slug) if jekyll.categories.iter().any(|c| c == slug) => {
                    return format!("feed/{slug}.xml");
                }
                _ => {}
            }
        }
        format!("{}{}", self.dir(key), format.file_name())
    }

    /// Archive document `page` (from 1, the oldest) of `key`'s feed in `format`:
    /// `archive/<page>.xml` (RSS) or `.atom` (Atom) in the feed's folder — a folder of
    /// numbered files no feed name takes. JSON Feed has no archives (`None`).
    pub fn archive_file(&self, key: &FeedKey, page: usize, format: Format) -> Option<String> {
        let extension = match format {
            Format::Rss => "xml",
            Format::Atom => "atom",
            Format::Json => return None,
        };
        Some(format!("{}archive/{page}.{extension}", self.dir(key)))
    }

    /// The folder of `key`'s feeds, relative to `--out` (`""` or `tags/nfs/`).
    pub fn dir(&self, key: &FeedKey) -> String {
        let hugo = match self {
            Layout::Hugo(hugo) => Some(hugo),
            _ => None,
        };
        let plural = |taxon: Taxon, own: &'static str| hugo.and_then(|h| h.plural(taxon)).unwrap_or(own).to_string();
        match key {
            FeedKey::Site => String::new(),
            FeedKey::Tag(s) => format!("{}/{s}/", plural(Taxon::Tags, "tags")),
            FeedKey::Category(s) => format!("{}/{s}/", plural(Taxon::Categories, "categories")),
            FeedKey::Series(s) => format!("{}/{s}/", plural(Taxon::Series, "series")),
            FeedKey::Section(s) => format!("{s}/"),
            FeedKey::Taxonomy(plural, s) => format!("{plural}/{s}/"),
            FeedKey::Custom(s) => format!("{s}/"),
        }
    }

    /// The site's HTML page for `key`, relative to the site's address (`/tags/nfs/`).
    pub fn page(&self, key: &FeedKey) -> String {
        match (self, key) {
            (_, FeedKey::Site | FeedKey::Custom(_)) => "/".into(),
            (Layout::Jekyll(_), _) => "/".into(),
            (Layout::Hugo(hugo), _) if hugo.ugly => format!("/{}.html", self.dir(key).trim_end_matches('/')),
            _ => format!("/{}", self.dir(key)),
        }
    }

    /// Whether the site has a feed per section (Hugo's).
    pub fn sections(&self) -> bool {
        matches!(self, Layout::Hugo(_))
    }
}

impl HugoPaths {
    /// The plural (folder) name of `taxon`, if the Hugo config has that taxonomy.
    fn plural(&self, taxon: Taxon) -> Option<&str> {
        let singular = match taxon {
            Taxon::Tags => "tag",
            Taxon::Categories => "category",
            Taxon::Series => "series",
            Taxon::Sections => return None,
            Taxon::Other(plural) => return self.taxonomies.iter().find(|(_, p)| p == plural).map(|(_, p)| p.as_str()),
        };
        self.taxonomies.iter().find(|(s, _)| s == singular).map(|(_, p)| p.as_str())
    }

    /// Whether Hugo names this taxonomy's pages (so feedwright follows its rules).
    fn has(&self, taxon: Taxon) -> bool {
        taxon == Taxon::Sections || self.plural(taxon).is_some()
    }

    /// The taxonomies beyond tags, categories and series, by plural name.
    pub fn others(&self) -> impl Iterator<Item = &str> {
        self.taxonomies
            .iter()
            .filter(|(s, _)| !["tag", "category", "series"].contains(&s.as_str()))
            .map(|(_, p)| p.as_str())
    }
}

/// A tag jekyll-feed makes a feed for: letters, digits and `_` only.
fn jekyll_tag(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Hugo's `urlize` of a term: letters, digits, marks and `. / \ _ # + ~ -` kept (and
/// `%XX` escapes), each run of white space one `-` (never doubling a `-`), everything
/// else dropped; lower-cased unless `disablePathToLower`. `None` when the result is not
/// a safe path of plain names under `--out`.
fn hugo_path(hugo: &HugoPaths, name: &str) -> Option<String> {
    let name: String = if hugo.remove_accents { without_accents(name) } else { name.to_string() };
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let (mut pending, mut was_hyphen) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        let escape = c == '%' && chars.get(i + 1..i + 3).is_some_and(|h| h.iter().all(char::is_ascii_hexdigit));
        let kept = ".\\/_#+~-".contains(c) || c.is_alphanumeric() || is_mark(c) || escape;
        if kept {
            was_hyphen = c == '-';
            if pending && !was_hyphen {
                out.push('-');
            }
            pending = false;
            out.push(c);
        } else if !out.is_empty() && c.is_whitespace() && !was_hyphen {
            pending = true;
        }
    }
    let out = if hugo.lower { out.to_lowercase() } else { out };
    let safe = !out.is_empty()
        && !out.contains('\\')
        && out.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && part.len() <= MAX_SLUG_BYTES);
    safe.then_some(out)
}

/// Unicode combining marks (accents written apart from their letter).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The common Latin letters without their accents (`removePathAccents`).
fn without_accents(name: &str) -> String {
    name.chars()
        .filter(|&c| !is_mark(c))
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'È' | 'É' | 'Ê' | 'Ë' => 'E',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
            'ñ' => 'n',
            'Ñ' => 'N',
            'ç' => 'c',
            'Ç' => 'C',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hugo(lower: bool) -> Layout {
        Layout::Hugo(HugoPaths { lower, ..HugoPaths::default() })
    }

    #[test]
    fn hugo_urlizes_terms_as_hugo_0_111_writes_them() {
        // What `hugo` 0.111 wrote for these tags, with disablePathToLower: true.
        let keep = hugo(false);
        for (name, path) in [
            ("C++", "C++"),
            (".NET", ".NET"),
            ("Überwachung", "Überwachung"),
            ("Short Take", "Short-Take"),
            ("Q&A", "QA"),
            ("a/b", "a/b"),
            ("Foo Bar_baz", "Foo-Bar_baz"),
            ("hello.world", "hello.world"),
            ("C#", "C#"),
            ("Tips & Tricks", "Tips-Tricks"),
            ("  padded  ", "padded"),
            ("日本語", "日本語"),
        ] {
            assert_eq!(keep.slug(Taxon::Tags, name), path, "{name}");
        }
        assert_eq!(hugo(true).slug(Taxon::Tags, "Überwachung"), "überwachung");
        assert_eq!(hugo(true).slug(Taxon::Tags, "C++"), "c++");
        // What would climb out of --out falls back to feedwright's slug.
        assert_eq!(keep.slug(Taxon::Tags, "../../etc"), "etc");
        assert_eq!(keep.slug(Taxon::Tags, "a//b"), "a-b");
    }

    #[test]
    fn files_and_pages_per_generator() {
        let h = hugo(true);
        assert_eq!(h.file(&FeedKey::Tag("c++".into()), Format::Rss), "tags/c++/index.xml");
        assert_eq!(h.file(&FeedKey::Tag("c++".into()), Format::Atom), "tags/c++/atom.xml");
        assert_eq!(h.file(&FeedKey::Section("post".into()), Format::Rss), "post/index.xml");
        assert_eq!(h.page(&FeedKey::Tag("nfs".into())), "/tags/nfs/");
        let ugly = Layout::Hugo(HugoPaths { ugly: true, ..HugoPaths::default() });
        assert_eq!(ugly.page(&FeedKey::Tag("nfs".into())), "/tags/nfs.html");
        let j = Layout::Jekyll(JekyllPaths {
            tags: Some("feed/by_tag/".into()),
            categories: vec!["news".into()],
            ..JekyllPaths::default()
        });
        assert_eq!(j.file(&FeedKey::Site, Format::Atom), "feed.xml");
        assert_eq!(j.file(&FeedKey::Site, Format::Rss), "index.xml");
        assert_eq!(j.file(&FeedKey::Tag("Rust".into()), Format::Atom), "feed/by_tag/Rust.xml");
        assert_eq!(j.file(&FeedKey::Category("news".into()), Format::Atom), "feed/news.xml");
        assert_eq!(j.slug(Taxon::Tags, "C++"), "c");
        assert_eq!(Layout::Feedwright.file(&FeedKey::Tag("nfs".into()), Format::Atom), "tags/nfs/atom.xml");
    }
}
