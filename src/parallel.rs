//! Running the pure core on every core: posts parsed in parallel before `apply`, feeds
//! rendered in parallel from one shared renderer. The core stays single-threaded and
//! free of thread code; this edge only calls its pure `&self` methods from many threads.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use crate::catalog::FeedKey;
use crate::diag::Diagnostic;
use crate::load::{Found, read_post};
use crate::output::{OutDir, Staged, Written};
use crate::render::Renderer;
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

/// Apply what a folder holds plus `changes` (removals, say): config files first, then
/// each post file read and parsed on every core, its bytes dropped at once when the
/// site reads them again on demand. Problems reading files are returned.
pub fn apply_found(
    site: &mut Site,
    root: &Path,
    found: Found,
    mut changes: Vec<Change>,
) -> (Affected, Vec<Diagnostic>) {
    changes.extend(found.configs);
    let mut affected = apply_parallel(site, changes);
    let shared: &Site = site;
    let read: Vec<(Option<Change>, Vec<Diagnostic>)> = found
        .posts
        .into_par_iter()
        .map(|rel| {
            let mut problems = Vec::new();
            let change = read_post(root, &rel, &mut problems).map(|bytes| shared.prepare(rel, bytes));
            (change, problems)
        })
        .collect();
    let mut diagnostics = found.diagnostics;
    let mut prepared = Vec::with_capacity(read.len());
    for (change, problems) in read {
        prepared.extend(change);
        diagnostics.extend(problems);
    }
    affected.merge(site.apply(prepared));
    (affected, diagnostics)
}

/// Every output file, the feeds rendered in parallel (same bytes as `Site::render_all`).
pub fn render_all(site: &Site) -> (BTreeMap<String, Vec<u8>>, Vec<Diagnostic>) {
    let (Some(renderer), Some(config)) = (site.renderer(), site.config()) else {
        return (BTreeMap::new(), Vec::new());
    };
    let keys: Vec<FeedKey> = site.catalog().keys(config);
    let mut files = render_files(&renderer, &keys);
    files.insert("opml.xml".into(), renderer.opml());
    (files, renderer.diagnostics())
}

/// Render every feed of `site` and write it to `out`, 128 feeds at a time so the whole
/// output is never in memory. Returns what was written, how many files the site has,
/// and the warnings found while rendering.
pub fn write_all(site: &Site, out: &mut OutDir) -> io::Result<(Written, usize, Vec<Diagnostic>)> {
    let (Some(renderer), Some(config)) = (site.renderer(), site.config()) else {
        return Ok((out.sync(&BTreeMap::new())?, 0, Vec::new()));
    };
    let keys = site.catalog().keys(config);
    let mut staged = Staged::default();
    let mut count = 1;
    for part in keys.chunks(128) {
        let files = render_files(&renderer, part);
        count += files.len();
        out.stage(&mut staged, &files)?;
    }
    out.stage(&mut staged, &BTreeMap::from([("opml.xml".to_string(), renderer.opml())]))?;
    Ok((out.finish(staged, None)?, count, renderer.diagnostics()))
}

/// The files of `keys`' feeds, rendered on every core.
pub fn render_files(renderer: &Renderer<'_>, keys: &[FeedKey]) -> BTreeMap<String, Vec<u8>> {
    keys.par_chunks(8).map(|chunk| renderer.files(chunk.iter())).reduce(BTreeMap::new, |mut a, b| {
        a.extend(b);
        a
    })
}
