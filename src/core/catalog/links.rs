//! Finding posts by the names `relref`, `ref` and `post_url` use for them: a file name,
//! a stem, or a path under the content folder, with or without extension.

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::core::input::post::Post;

/// The visible posts by file stem (a page bundle's `index.md` by its folder's name).
#[derive(Debug, Default)]
pub struct Links {
    /// (each list sorted by path: most stems name one post, and a list costs less than a map)
    by_stem: FxHashMap<String, Vec<Arc<Post>>>,
    /// stem → the posts whose bodies link to a target with that stem (sorted)
    referrers: FxHashMap<String, Vec<PathBuf>>,
}

fn stem_of(path: &Path) -> &str {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem == "index" {
        path.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or(stem)
    } else {
        stem
    }
}

/// The stem a link target names.
fn target_stem(target: &str) -> &str {
    let wanted = bare(target);
    stem_of(Path::new(wanted.rsplit('/').next().unwrap_or(wanted)))
}

/// `post/2008-01-01-x.md` → `post/2008-01-01-x`: a path without extension or leading `/`.
fn bare(target: &str) -> &str {
    let target = target.trim().trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
    target.strip_suffix(".md").or_else(|| target.strip_suffix(".markdown")).unwrap_or(target)
}

impl Links {
    pub fn insert(&mut self, post: &Arc<Post>) {
        let posts = self.by_stem.entry(stem_of(&post.source).to_string()).or_default();
        match posts.binary_search_by(|p| p.source.cmp(&post.source)) {
            Ok(at) => posts[at] = post.clone(),
            Err(at) => posts.insert(at, post.clone()),
        }
        for target in &post.ref_targets {
            let paths = self.referrers.entry(target_stem(target).to_string()).or_default();
            if let Err(at) = paths.binary_search(&post.source) {
                paths.insert(at, post.source.clone());
            }
        }
    }

    pub fn remove(&mut self, post: &Post) {
        for target in &post.ref_targets {
            let stem = target_stem(target);
            if let Some(set) = self.referrers.get_mut(stem) {
                if let Ok(at) = set.binary_search(&post.source) {
                    set.remove(at);
                }
                if set.is_empty() {
                    self.referrers.remove(stem);
                }
            }
        }
        let stem = stem_of(&post.source);
        if let Some(posts) = self.by_stem.get_mut(stem) {
            if let Ok(at) = posts.binary_search_by(|p| p.source.cmp(&post.source)) {
                posts.remove(at);
            }
            if posts.is_empty() {
                self.by_stem.remove(stem);
            }
        }
    }

    /// The posts that link to a post with `post`'s stem (whose links may now resolve
    /// differently when `post` comes or goes).
    pub fn referrers(&self, post: &Post) -> impl Iterator<Item = &PathBuf> {
        self.referrers.get(stem_of(&post.source)).into_iter().flatten()
    }

    /// Feeds `post`'s link targets and where each leads now into `h`: what its HTML
    /// depends on besides its own bytes and the config.
    pub fn hash_targets(&self, post: &Post, h: &mut impl Hasher) {
        for target in &post.ref_targets {
            self.find(target).map(|p| &p.path).hash(h);
        }
    }

    /// The post `target` names, if the site has it.
    pub fn find(&self, target: &str) -> Option<&Post> {
        let wanted = bare(target);
        let candidates = self.by_stem.get(target_stem(target))?;
        // Several posts share a file name: the one whose path ends like the target wins.
        let in_content = |p: &Path| {
            let rel: Vec<&str> = p.components().skip(1).filter_map(|c| c.as_os_str().to_str()).collect();
            bare(&rel.join("/")).to_string()
        };
        candidates
            .iter()
            .find(|post| {
                let rel = in_content(&post.source);
                rel == wanted || rel.ends_with(&format!("/{wanted}")) || rel.trim_end_matches("/index") == wanted
            })
            .or_else(|| candidates.first())
            .map(|post| post.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::config::parse_config;
    use crate::core::input::post::parse_post;

    fn post(path: &str) -> Arc<Post> {
        let config = parse_config(Path::new("feedwright.yaml"), b"base_url: https://ex.org\n").unwrap();
        Arc::new(parse_post(Path::new(path), b"---\ntitle: t\ndate: 2020-01-01\n---\n", &config).0.unwrap())
    }

    #[test]
    fn finds_posts_by_every_name_hugo_and_jekyll_use() {
        let mut links = Links::default();
        for p in [
            "content/post/2008-02-06-some-slug.md",
            "content/post/bundle/index.md",
            "content/notes/x.md",
            "content/post/x.md",
        ] {
            links.insert(&post(p));
        }
        let found = |links: &Links, t: &str| links.find(t).map(|p| p.source.display().to_string());
        let slug = Some("content/post/2008-02-06-some-slug.md".to_string());
        assert_eq!(found(&links, "2008-02-06-some-slug.md"), slug);
        assert_eq!(found(&links, "2008-02-06-some-slug"), slug);
        assert_eq!(found(&links, "/post/2008-02-06-some-slug.md"), slug);
        assert_eq!(found(&links, "post/2008-02-06-some-slug"), slug);
        assert_eq!(found(&links, "post/bundle"), Some("content/post/bundle/index.md".to_string()));
        assert_eq!(found(&links, "notes/x.md"), Some("content/notes/x.md".to_string()));
        assert_eq!(found(&links, "post/x.md"), Some("content/post/x.md".to_string()));
        assert_eq!(found(&links, "missing.md"), None);
        links.remove(&post("content/post/bundle/index.md"));
        assert_eq!(found(&links, "post/bundle"), None);
    }
}
