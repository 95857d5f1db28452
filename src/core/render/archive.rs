//! RFC 5005 archive documents of a feed: which there are, what each holds, and their
//! bytes. The pages themselves are the catalog's (`Catalog::archive_page`).

use super::{Files, Pass, Renderer, rendered};
use crate::core::input::post::Post;
use crate::core::paths::{FeedKey, Format};
use crate::core::uri;
use crate::core::xmltext::WriteError;

impl<'a> Renderer<'a> {
    /// Every archive document of the feeds of `keys`: (feed, page from 1).
    pub fn pages_of(&self, keys: &[FeedKey]) -> Vec<(FeedKey, usize)> {
        keys.iter().flat_map(|key| (1..=self.archive_count(key)).map(move |page| (key.clone(), page))).collect()
    }

    /// How many archive documents `key`'s feed has (0 when it has none).
    pub fn archive_count(&self, key: &FeedKey) -> usize {
        if !self.config.archives_for(key) {
            return 0;
        }
        self.catalog.archive_count(self.config, key).unwrap_or(0)
    }

    /// The posts the archive documents `pages` hold, each once.
    pub fn posts_of_pages(&self, pages: &[(FeedKey, usize)]) -> Vec<&'a Post> {
        let mut seen = std::collections::HashSet::new();
        let mut posts = Vec::new();
        for (key, page) in pages {
            for post in self.catalog.archive_page(self.config, key, *page).unwrap_or_default() {
                if seen.insert(&post.source) {
                    posts.push(post);
                }
            }
        }
        posts
    }

    /// Archive document `page` (from 1, the oldest) of `key`'s feed, in RSS and Atom:
    /// `<fh:archive/>`, a `current` link to the feed, and `prev-archive`/`next-archive`
    /// links to its neighbours. Its items are the feed's items, byte for byte.
    pub fn archive_files(&self, key: &FeedKey, page: usize, pass: &Pass) -> Result<Files, WriteError> {
        let (Some(feed), true) = (self.catalog.feed(self.config, key), self.config.archives_for(key)) else {
            return Ok(Files::new());
        };
        let Some(posts) = self.catalog.archive_page(self.config, key, page) else { return Ok(Files::new()) };
        let count = self.archive_count(key);
        let extra = self.missing(&posts, pass);
        let rendered = rendered(&posts, pass, &extra);
        let mut view = self.view(&feed);
        view.archive = true;
        if let Some(newest) = posts.iter().map(|p| p.updated).max() {
            view.updated = newest;
        }
        let mut files = Files::new();
        for &format in &self.config.formats {
            let (Some(path), Some(url)) =
                (self.config.layout.archive_file(key, page, format), self.archive_url(key, page, format))
            else {
                continue;
            };
            view.self_url = url;
            view.history = vec![("current", self.self_url(key, format))];
            view.history.extend(self.archive_url(key, page - 1, format).map(|u| ("prev-archive", u)));
            if page < count {
                view.history.extend(self.archive_url(key, page + 1, format).map(|u| ("next-archive", u)));
            }
            files.insert(path, self.write(format, &view, &rendered)?);
        }
        Ok(files)
    }

    /// The public URL of archive document `page` (none for page 0 or JSON Feed).
    pub(super) fn archive_url(&self, key: &FeedKey, page: usize, format: Format) -> Option<String> {
        let file = self.config.layout.archive_file(key, page, format).filter(|_| page > 0)?;
        Some(uri::encode(&format!("{}/{file}", self.config.feeds_url)).into_owned())
    }
}
