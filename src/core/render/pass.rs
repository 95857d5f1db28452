//! What one rendering pass made: each post rendered once (its HTML and its item in each
//! format), shared by every feed of the pass, and handed back to the site when the pass
//! is done (fresh HTML to keep, posts whose file changed under them).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::CachedHtml;
use super::formats::view::ItemView;
use crate::core::diag::Diagnostic;
use crate::core::xmltext::WriteError;

/// One post as this pass rendered it.
#[derive(Debug)]
pub struct RenderedPost {
    pub source: PathBuf,
    pub(super) html: CachedHtml,
    /// Rendered now (not taken from the cache): worth keeping.
    pub(super) fresh: bool,
    /// The file no longer holds the revision the post was parsed from: its last HTML
    /// (or none) stands in.
    pub stale: bool,
    /// Item XML per format (RSS item, Atom entry), and the view JSON Feed writes.
    pub(super) rss: Variants,
    pub(super) atom: Variants,
    /// The RSS item holds Media RSS elements (the channel declares their namespace).
    pub(super) uses_media: bool,
    pub(super) view: Option<ItemView>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// One item's XML (`None`: the format is not configured), or the error writing it.
pub type ItemXml = Option<Result<Vec<u8>, WriteError>>;

/// A post's item as each kind of feed carries it: whole, summary only, and with the
/// episode's iTunes elements for a podcast feed. Variants no feed needs, or that would
/// equal the plain one, are not made.
#[derive(Debug, Default)]
pub struct Variants {
    pub(super) full: ItemXml,
    pub(super) summary: ItemXml,
    pub(super) podcast: ItemXml,
    pub(super) podcast_summary: ItemXml,
}

impl Variants {
    /// The item for a feed that shows summaries only (or not) and is a podcast (or not).
    pub(super) fn get(&self, summary: bool, podcast: bool) -> &ItemXml {
        let plain = if summary { &self.summary } else { &self.full };
        let episode = if summary { &self.podcast_summary } else { &self.podcast };
        if podcast && episode.is_some() { episode } else { plain }
    }

    pub(super) fn errors(&self) -> impl Iterator<Item = &WriteError> {
        [&self.full, &self.summary, &self.podcast, &self.podcast_summary]
            .into_iter()
            .filter_map(|x| x.as_ref().and_then(|r| r.as_ref().err()))
    }
}

/// What one rendering pass made of the posts it rendered; handed back to the site
/// (`Site::keep`) when the pass is done.
#[derive(Debug, Default)]
pub struct Pass {
    pub(super) posts: HashMap<PathBuf, RenderedPost>,
}

impl Pass {
    pub fn insert(&mut self, post: RenderedPost) {
        self.posts.insert(post.source.clone(), post);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.posts.contains_key(path)
    }

    /// Warnings and errors found while rendering (unknown shortcodes, missing targets,
    /// posts too large to carry), sorted.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.posts.values().flat_map(|p| p.diagnostics.iter().cloned()).collect();
        all.sort();
        all
    }

    /// The posts whose files changed since they were parsed.
    pub fn stale(&self) -> impl Iterator<Item = &Path> {
        self.posts.values().filter(|p| p.stale).map(|p| p.source.as_path())
    }

    /// Drop what `posts` were rendered to once no feed still to be written needs them:
    /// their items, and their HTML too unless the site keeps it (`keep_html`). What they
    /// taught the pass (diagnostics, a stale file) stays.
    pub fn release<'p>(&mut self, posts: impl IntoIterator<Item = &'p Path>, keep_html: bool) {
        for path in posts {
            let Some(post) = self.posts.get_mut(path) else { continue };
            post.rss = Variants::default();
            post.atom = Variants::default();
            post.view = None;
            if !keep_html && post.fresh {
                post.html.rendered = Default::default();
                post.fresh = false;
            }
        }
    }

    /// The HTML made fresh in this pass (the site keeps it for the next one).
    pub fn into_fresh(self) -> impl Iterator<Item = (PathBuf, CachedHtml)> {
        self.posts.into_values().filter(|p| p.fresh).map(|p| (p.source, p.html))
    }
}
