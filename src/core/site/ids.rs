//! Id claims: every parsed post's item id and the files that claim it. The first path
//! claims an id; the others are duplicates, reported as errors naming both files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashSet;

use super::Site;
use super::sources::Source;
use crate::core::input::post::Post;

impl Site {
    /// Store a parsed file, keeping the id claims current.
    pub(super) fn install(
        &mut self,
        path: PathBuf,
        source: Source,
        old: Option<Arc<Post>>,
        recheck: &mut FxHashSet<PathBuf>,
    ) {
        if let Some(old) = &old {
            self.forget_id(old, &path, recheck);
        }
        if let Some(post) = &source.post {
            let claims = self.ids.entry(post.id.clone()).or_default();
            // Kept sorted: the first path claims the id.
            if let Err(at) = claims.binary_search(&path) {
                claims.insert(at, path.clone());
            }
            recheck.extend(claims.iter().cloned());
            if claims.len() > 1 {
                self.duplicates.insert(post.id.clone());
            }
        }
        self.put_source(path, source);
    }

    pub(super) fn forget_id(&mut self, post: &Post, path: &Path, recheck: &mut FxHashSet<PathBuf>) {
        if let Some(claims) = self.ids.get_mut(&post.id) {
            if let Ok(at) = claims.binary_search_by(|p| p.as_path().cmp(path)) {
                claims.remove(at);
            }
            recheck.extend(claims.iter().cloned());
            if claims.len() < 2 {
                self.duplicates.remove(&post.id);
            }
            if claims.is_empty() {
                self.ids.remove(&post.id);
            }
        }
    }
}
