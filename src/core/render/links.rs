//! Links from a post's body resolved against the site: `relref`/`ref`/`post_url` targets
//! to permalinks, and every permalink written as a URI.

use std::path::Path;

use url::Url;

use super::shortcodes::LinkResolver;
use crate::core::catalog::links::Links;
use crate::core::input::config::Config;
use crate::core::input::post::{Post, file_slug};
use crate::core::uri;

/// Resolves link targets against the site's posts and URL.
pub(super) struct LinkIndex<'a> {
    base_url: String,
    pub(super) base: Url,
    origin: String,
    base_path: String,
    pub(super) posts: &'a Links,
}

impl<'a> LinkIndex<'a> {
    pub(super) fn new(config: &Config, posts: &'a Links) -> LinkIndex<'a> {
        let base = Url::parse(&format!("{}/", config.base_url))
            .unwrap_or_else(|_| Url::parse("http://localhost/").expect("valid URL"));
        let origin = base.origin().ascii_serialization();
        let base_path = base.path().trim_end_matches('/').to_string();
        LinkIndex { base_url: config.base_url.clone(), base, origin, base_path, posts }
    }

    pub(super) fn permalink(&self, post: &Post) -> String {
        uri::encode(&format!("{}{}", self.base_url, post.path)).into_owned()
    }
}

impl LinkResolver for LinkIndex<'_> {
    fn resolve(&self, target: &str) -> Option<String> {
        self.posts.find(target).map(|post| self.permalink(post))
    }

    fn guess(&self, target: &str) -> String {
        uri::encode(&format!("{}/{}/", self.base_url, file_slug(Path::new(target.trim())))).into_owned()
    }

    fn site_origin(&self) -> &str {
        &self.origin
    }

    fn site_base_path(&self) -> &str {
        &self.base_path
    }
}
