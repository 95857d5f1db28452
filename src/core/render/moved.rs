//! Feed URLs readers may still hold, and where each lives now — so that switching loses no
//! subscriber: WordPress's feed URLs (`wordpress_urls`), terms renamed in the config
//! (`term_aliases`), and the other spellings of a term whose Hugo path keeps case. Comment
//! and per-post feeds WordPress had are gone for good (`410`), which stops readers retrying.
//!
//! `serve` answers from this table; for static hosts it is written as `_redirects`
//! (Netlify, Cloudflare Pages) and as an nginx `map` include.

use super::Renderer;
use crate::core::catalog::{Taxon, Terms};
use crate::core::paths::FeedKey;
use crate::core::paths::Format;
use crate::core::paths::slug::slugify;
use crate::core::uri;

/// The file of redirects Netlify and Cloudflare Pages read.
pub const NETLIFY: &str = "_redirects";
/// An nginx `map` include (see the README for the two lines that use it).
pub const NGINX: &str = "feedwright-redirects.nginx";

/// A URL readers may hold: its path (and query) on the site, and where it moved, or
/// `None` when it is gone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moved {
    pub from: String,
    pub to: Option<String>,
}

impl Renderer<'_> {
    /// Every old URL the site answers for, sorted by path.
    pub fn moved(&self) -> Vec<Moved> {
        let mut moved = Vec::new();
        let file = |key: &FeedKey, format: Format| {
            let format = if self.config.formats.contains(&format) { format } else { self.config.formats[0] };
            format!("/{}", uri::encode(&self.config.layout.file(key, format)))
        };
        let mut add = |from: String, to: Option<String>| {
            if to.as_deref() != Some(from.as_str()) {
                moved.push(Moved { from, to });
            }
        };
        if self.config.wordpress_urls {
            let (rss, atom) = (file(&FeedKey::Site, Format::Rss), file(&FeedKey::Site, Format::Atom));
            for kind in ["", "rss2/", "rss/", "rdf/"] {
                add(format!("/feed/{kind}"), Some(rss.clone()));
            }
            add("/feed/atom/".into(), Some(atom.clone()));
            for kind in ["rss2", "rss", "rdf"] {
                add(format!("/?feed={kind}"), Some(rss.clone()));
            }
            add("/?feed=atom".into(), Some(atom));
            for from in ["/comments/feed/", "/comments/feed/atom/", "/?feed=comments-rss2", "/?feed=comments-atom"] {
                add(from.into(), None);
            }
            let taxonomies = [("tag", &self.catalog.tags), ("category", &self.catalog.categories)];
            for (base, terms) in taxonomies {
                for (slug, name) in terms_with_names(terms) {
                    let key = if base == "tag" { FeedKey::Tag(slug) } else { FeedKey::Category(slug) };
                    // WordPress's own slugs are lower-case words joined by `-`, as feedwright's.
                    let wp = slugify(&name);
                    for kind in ["", "rss2/", "rss/"] {
                        add(format!("/{base}/{wp}/feed/{kind}"), Some(file(&key, Format::Rss)));
                    }
                    add(format!("/{base}/{wp}/feed/atom/"), Some(file(&key, Format::Atom)));
                }
            }
            for post in self.catalog.posts() {
                if post.path.ends_with('/') {
                    add(format!("{}feed/", uri::encode(&post.path)), None);
                    add(format!("{}feed/atom/", uri::encode(&post.path)), None);
                }
            }
        }
        let layout = &self.config.layout;
        let taxonomies =
            [(Taxon::Tags, "tags", &self.catalog.tags), (Taxon::Categories, "categories", &self.catalog.categories)];
        for (taxon, name, terms) in taxonomies {
            let key = |slug: String| if taxon == Taxon::Tags { FeedKey::Tag(slug) } else { FeedKey::Category(slug) };
            for (slug, _) in terms_with_names(terms) {
                // Other spellings of the term that the layout writes elsewhere (Hugo
                // keeping case), and names the config says the term had before.
                let renamed = self
                    .config
                    .term_aliases
                    .iter()
                    .filter(|(t, _, new)| t == name && terms.slug_of(new) == Some(&slug));
                let olds: Vec<String> = terms
                    .spellings_of(&slug)
                    .map(|s| layout.slug(taxon, s))
                    .chain(renamed.map(|(_, old, _)| layout.slug(taxon, old)))
                    .filter(|old| *old != slug)
                    .collect();
                for old in olds {
                    for &format in &self.config.formats {
                        add(file(&key(old.clone()), format), Some(file(&key(slug.clone()), format)));
                    }
                }
            }
        }
        moved.sort();
        moved.dedup_by(|a, b| a.from == b.from);
        moved
    }

    /// The redirect files for static hosts (none when nothing moved).
    pub fn moved_files(&self) -> Vec<(String, Vec<u8>)> {
        let moved = self.moved();
        if moved.is_empty() {
            return Vec::new();
        }
        vec![(NETLIFY.into(), netlify(&moved).into_bytes()), (NGINX.into(), nginx(&moved).into_bytes())]
    }
}

/// Each term's slug and display name.
fn terms_with_names(terms: &Terms) -> Vec<(String, String)> {
    terms.slugs_and_names().map(|(s, n)| (s.to_string(), n.to_string())).collect()
}

/// `_redirects`: one `from to 301` line each (a query as Netlify matches it). Cloudflare
/// Pages reads the same lines and ignores query rules; `410` rules are left to servers.
fn netlify(moved: &[Moved]) -> String {
    let mut out = String::from("# Feed URLs that moved, written by feedwright (Netlify and Cloudflare Pages).\n");
    for m in moved {
        let Some(to) = &m.to else { continue };
        match m.from.split_once('?') {
            Some((path, query)) => out.push_str(&format!("{path} {query} {to} 301\n")),
            None => out.push_str(&format!("{} {to} 301\n", m.from)),
        }
    }
    out
}

/// An nginx include: two maps on `$request_uri`, used in a `server` block as
/// `if ($feedwright_moved) { return 301 $feedwright_moved; }` and
/// `if ($feedwright_gone) { return 410; }`.
fn nginx(moved: &[Moved]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(
        "# Feed URLs that moved or are gone, written by feedwright. Include this in `http`, and in\n\
         # the site's `server`:\n\
         #   if ($feedwright_moved) { return 301 $feedwright_moved; }\n\
         #   if ($feedwright_gone) { return 410; }\n\
         map $request_uri $feedwright_moved {\n    default \"\";\n",
    );
    // nginx compares plain strings without case: a path that differs from a published
    // one only in case is written as a case-sensitive regex, so it cannot catch that one.
    let published: std::collections::BTreeSet<String> =
        moved.iter().filter_map(|m| m.to.as_ref()).map(|t| t.to_lowercase()).collect();
    for m in moved {
        if let Some(to) = &m.to {
            let from = if published.contains(&m.from.to_lowercase()) {
                let escaped: String = m
                    .from
                    .chars()
                    .map(|c| if "\\.^$|?*+()[]{}".contains(c) { format!("\\{c}") } else { c.to_string() })
                    .collect();
                format!("~^{escaped}$")
            } else {
                m.from.clone()
            };
            out.push_str(&format!("    {} {};\n", quote(&from), quote(to)));
        }
    }
    out.push_str("}\nmap $request_uri $feedwright_gone {\n    default 0;\n");
    for m in moved.iter().filter(|m| m.to.is_none()) {
        out.push_str(&format!("    {} 1;\n", quote(&m.from)));
    }
    out.push_str("}\n");
    out
}
