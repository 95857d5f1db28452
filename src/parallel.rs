//! Running the pure core on every core: posts parsed in parallel before `apply`, feeds
//! rendered in parallel from one shared renderer. The core stays single-threaded and
//! free of thread code; this edge only calls its pure `&self` methods from many threads.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::catalog::FeedKey;
use crate::diag::Diagnostic;
use crate::site::{Affected, Change, InputKind, Site, input_kind};

/// Apply a large batch with the posts parsed on every core: config files first, then
/// the posts, prepared in parallel under that config (`Site::prepare` is pure).
pub fn apply_parallel(site: &mut Site, changes: Vec<Change>) -> Affected {
    let (configs, posts): (Vec<Change>, Vec<Change>) =
        changes.into_iter().partition(|c| input_kind(c.path()) == InputKind::Config);
    let mut affected = site.apply(configs);
    let shared: &Site = site;
    let prepared: Vec<Change> = posts
        .into_par_iter()
        .map(|change| match change {
            Change::Write(path, bytes) => shared.prepare(path, bytes),
            other => other,
        })
        .collect();
    affected.merge(site.apply(prepared));
    affected
}

/// Every output file, the feeds rendered in parallel (same bytes as `Site::render_all`).
pub fn render_all(site: &Site) -> (BTreeMap<String, Vec<u8>>, Vec<Diagnostic>) {
    let (Some(renderer), Some(config)) = (site.renderer(), site.config()) else {
        return (BTreeMap::new(), Vec::new());
    };
    let keys: Vec<FeedKey> = site.catalog().keys(config);
    let mut files: BTreeMap<String, Vec<u8>> =
        keys.par_chunks(16).map(|chunk| renderer.files(chunk.iter())).reduce(BTreeMap::new, |mut a, b| {
            a.extend(b);
            a
        });
    files.insert("opml.xml".into(), renderer.opml());
    (files, renderer.diagnostics())
}
