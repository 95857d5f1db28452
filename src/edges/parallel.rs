//! Running the pure core on every core: posts parsed in parallel before `apply`, posts
//! and feeds rendered in parallel from one shared renderer. The core stays free of
//! thread code; this edge only calls its pure `&self` methods from many threads and
//! hands what they made back to it.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::core::diag::Diagnostic;
use crate::core::input::classify::{InputKind, input_kind};
use crate::core::input::post::Post;
use crate::core::paths::FeedKey;
use crate::core::render::{Files, Pass, RenderedPost, Renderer};
use crate::core::render::{archive_paths, feed_files};
use crate::core::site::{Affected, Change, Site};
use crate::core::xmltext::WriteError;
use crate::edges::index::{Index, SavedPost};
use crate::edges::load::{Found, Stat, read_post_into, stat_all};
use crate::edges::output::{Destination, Written};

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
pub fn apply_found(site: &mut Site, root: &Path, found: Found, changes: Vec<Change>) -> (Affected, Vec<Diagnostic>) {
    let loaded = apply_indexed(site, root, found, changes, None);
    (loaded.affected, loaded.diagnostics)
}

/// What [`apply_indexed`] did.
pub struct Applied {
    pub affected: Affected,
    /// Problems reading files.
    pub diagnostics: Vec<Diagnostic>,
    /// How many posts came from the index.
    pub from_index: usize,
    /// Each post file read (or taken from the index) as `stat` saw it when it was read.
    pub stats: Vec<(PathBuf, Stat)>,
}

/// A post file's saved parse, and how the file stats now.
struct Saved {
    post: SavedPost,
    now: Stat,
}

/// One post file read (or taken from the index): the change for `apply`, the problems
/// reading it, how it stat'ed when read, and whether it came from the index.
struct Read {
    change: Option<Change>,
    problems: Vec<Diagnostic>,
    stat: Option<(PathBuf, Stat)>,
    reused: bool,
}

/// [`apply_found`], taking each post whose file has not changed from `index` (parsed by
/// the indexed build under the same config) instead of reading and parsing it.
pub fn apply_indexed(
    site: &mut Site,
    root: &Path,
    found: Found,
    mut changes: Vec<Change>,
    index: Option<&mut Index>,
) -> Applied {
    changes.extend(found.configs);
    let mut affected = apply_parallel(site, changes);
    let shared: &Site = site;
    let mut index = index.filter(|i| i.fits(shared));
    // Each file with its saved parse and how it stats now (one pass, every core).
    let work: Vec<(PathBuf, Option<Saved>)> = match index.as_deref_mut() {
        Some(index) => {
            let now = stat_all(root, &found.posts);
            found
                .posts
                .into_iter()
                .zip(now)
                .map(|(rel, now)| {
                    let saved = index.take(&rel).and_then(|post| Some(Saved { post, now: now? }));
                    (rel, saved)
                })
                .collect()
        }
        None => found.posts.into_iter().map(|rel| (rel, None)).collect(),
    };
    let index: Option<&Index> = index.as_deref();
    let read: Vec<Read> = work
        .into_par_iter()
        .map(|(rel, saved)| {
            thread_local! {
                static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
            }
            let mut problems = Vec::new();
            let (change, stat, reused) = BUFFER.with_borrow_mut(|buffer| {
                if let (Some(index), Some(Saved { post: saved, now })) = (index, saved)
                    && index.unchanged(root, &rel, &saved, now, buffer)
                {
                    let (post, diagnostics) = saved.into_parts();
                    if let Some(change) = shared.saved_parse(rel.clone(), post, diagnostics) {
                        return (Some(change), Some((rel, now)), true);
                    }
                }
                match read_post_into(root, &rel, &mut problems, buffer) {
                    Some(stat) => (Some(shared.prepare_from(rel.clone(), buffer)), Some((rel, stat)), false),
                    None => (None, None, false),
                }
            });
            Read { change, problems, stat, reused }
        })
        .collect();
    let mut diagnostics = found.diagnostics;
    let mut prepared = Vec::with_capacity(read.len());
    let mut stats = Vec::with_capacity(read.len());
    let mut from_index = 0;
    for read in read {
        prepared.extend(read.change);
        diagnostics.extend(read.problems);
        stats.extend(read.stat);
        from_index += usize::from(read.reused);
    }
    affected.merge(site.apply(prepared));
    Applied { affected, diagnostics, from_index, stats }
}

/// The files of `keys`' feeds, rendered on every core: first the posts they show that
/// `pass` lacks, then the feeds.
pub fn render_files(renderer: &Renderer<'_>, keys: &[FeedKey], pass: &mut Pass) -> Result<Files, WriteError> {
    let part = Either::Feeds(keys);
    part.render(renderer, part.posts(renderer), pass)
}

/// The archive documents `pages` (feed, page), rendered on every core: first the posts
/// they hold that `pass` lacks, then the documents.
pub fn render_pages(renderer: &Renderer<'_>, pages: &[(FeedKey, usize)], pass: &mut Pass) -> Result<Files, WriteError> {
    let part = Either::Pages(pages);
    part.render(renderer, part.posts(renderer), pass)
}

/// Render `posts` that `pass` lacks, then each of `parts` with `files`, on every core.
fn render_parts<T: Sync>(
    renderer: &Renderer<'_>,
    posts: Vec<&Post>,
    pass: &mut Pass,
    parts: &[T],
    files: impl Fn(&T, &Pass) -> Result<Files, WriteError> + Sync,
) -> Result<Files, WriteError> {
    let needed: Vec<&Post> = posts.into_iter().filter(|p| !pass.contains(&p.source)).collect();
    let rendered: Vec<RenderedPost> = needed.par_iter().map(|post| renderer.render_post(post)).collect();
    for post in rendered {
        pass.insert(post);
    }
    let shared: &Pass = pass;
    let made: Vec<Result<Files, WriteError>> = parts.par_iter().map(|part| files(part, shared)).collect();
    let mut all = BTreeMap::new();
    for part in made {
        all.extend(part?);
    }
    Ok(all)
}

/// Every output file of `site` (what `Site::render_all` gives, rendered on every core).
pub fn render_all(site: &Site) -> Result<(Files, Pass), WriteError> {
    let Some(renderer) = site.renderer() else { return Ok(Default::default()) };
    let mut pass = Pass::default();
    let keys = renderer.keys();
    let mut files = render_files(&renderer, &keys, &mut pass)?;
    files.extend(render_pages(&renderer, &renderer.pages_of(&keys), &mut pass)?);
    files.extend(renderer.site_files());
    Ok((files, pass))
}

/// Feeds rendered and staged at a time by a whole build: enough to keep every core busy,
/// few enough that their files (megabytes each on a large site) are not all in memory.
const FEEDS_AT_ONCE: usize = 32;

/// A part of a whole build: feeds, or archive documents.
enum Either<'k> {
    Feeds(&'k [FeedKey]),
    Pages(&'k [(FeedKey, usize)]),
}

impl Either<'_> {
    /// The posts the part shows.
    fn posts<'a>(&self, renderer: &Renderer<'a>) -> Vec<&'a Post> {
        match self {
            Either::Feeds(keys) => renderer.posts_of(keys),
            Either::Pages(pages) => renderer.posts_of_pages(pages),
        }
    }

    /// The part's files, `posts` (what [`Either::posts`] gave) rendered first where
    /// `pass` lacks them.
    fn render(&self, renderer: &Renderer<'_>, posts: Vec<&Post>, pass: &mut Pass) -> Result<Files, WriteError> {
        match self {
            Either::Feeds(keys) => {
                render_parts(renderer, posts, pass, keys, |key, pass| renderer.feed_files(key, pass))
            }
            Either::Pages(pages) => {
                render_parts(renderer, posts, pass, pages, |(key, page), pass| renderer.archive_files(key, *page, pass))
            }
        }
    }
}

/// What writing a whole site did.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when nothing was published (errors while rendering, and not `keep_going`).
    pub written: Option<Written>,
    /// How many files the site has.
    pub files: usize,
    /// Problems found while rendering.
    pub diagnostics: Vec<Diagnostic>,
    /// What the rendering learnt, for `Site::keep`.
    pub pass: Pass,
}

/// Render every feed of `site` and write it to `out`, a few feeds at a time so the whole
/// output is never in memory. With errors while rendering (a post too large, a file
/// that changed while it was read), nothing is published unless `keep_going`. A post's
/// items are dropped after the last part that shows it; its HTML too unless `keep`
/// (the caller hands the pass to `Site::keep`: a daemon; a one-shot build does not).
pub fn write_all(site: &Site, out: &mut dyn Destination, keep_going: bool, keep: bool) -> io::Result<Outcome> {
    let max_age = site.config().map_or(crate::core::input::config::DEFAULT_CACHE_MAX_AGE, |c| c.cache_max_age);
    let Some(renderer) = site.renderer() else {
        let written = out.replace(&BTreeMap::new(), max_age)?;
        return Ok(Outcome { written: Some(written), files: 0, diagnostics: Vec::new(), pass: Pass::default() });
    };
    let keys = renderer.keys();
    let Some(config) = site.config() else { return Err(io::Error::other("no config")) };
    let site_files = renderer.site_files();
    let pages = renderer.pages_of(&keys);
    let targets: Vec<String> = keys
        .iter()
        .flat_map(|k| feed_files(k, config))
        .chain(pages.iter().flat_map(|(k, page)| archive_paths(k, *page, config)))
        .chain(site_files.keys().cloned())
        .collect();
    out.begin(&targets, max_age)?;
    let mut pass = Pass::default();
    let parts: Vec<Either> = keys
        .chunks(FEEDS_AT_ONCE)
        .map(Either::Feeds)
        .chain(pages.chunks(FEEDS_AT_ONCE / 2).map(Either::Pages))
        .collect();
    // The last part that shows each post: after it, the post's items are dropped, so a
    // large site's rendered posts are not all held until the end.
    let shown: Vec<Vec<&Post>> = parts.iter().map(|part| part.posts(&renderer)).collect();
    let mut last_use: HashMap<&Path, usize> = HashMap::new();
    for (i, posts) in shown.iter().enumerate() {
        last_use.extend(posts.iter().map(|p| (p.source.as_path(), i)));
    }
    let mut done_after: Vec<Vec<&Path>> = vec![Vec::new(); parts.len()];
    for (path, i) in last_use {
        done_after[i].push(path);
    }
    for (i, (part, posts)) in parts.iter().zip(shown).enumerate() {
        let rendered = part.render(&renderer, posts, &mut pass);
        let files = match rendered {
            Ok(files) => files,
            Err(e) => {
                out.abandon()?;
                return Err(io::Error::other(e));
            }
        };
        if let Err(e) = out.stage(&files) {
            out.abandon()?;
            return Err(e);
        }
        pass.release(std::mem::take(&mut done_after[i]), keep);
    }
    out.stage(&site_files)?;
    let diagnostics = found_rendering(&pass);
    let written = if keep_going || !diagnostics.iter().any(Diagnostic::is_error) {
        out.record_ids(site);
        Some(out.finish(None)?)
    } else {
        out.abandon()?;
        None
    };
    Ok(Outcome { written, files: targets.len(), diagnostics, pass })
}

/// What a rendering pass found: its problems, and an error for each post whose file
/// changed while it was read.
fn found_rendering(pass: &Pass) -> Vec<Diagnostic> {
    let mut diagnostics = pass.diagnostics();
    diagnostics.extend(
        pass.stale().map(|path| Diagnostic::error(path, 0, "the file changed while it was being built; build again")),
    );
    diagnostics
}

/// Write only what `affected` names — the feeds whose fingerprint moved since the output
/// was written (`Site::changed_since`) — under [`write_all`]'s rule: with errors while
/// rendering, nothing is published unless `keep_going`. Every other file stays as it is.
pub fn write_changed(
    site: &Site,
    affected: &Affected,
    out: &mut dyn Destination,
    keep_going: bool,
) -> io::Result<Outcome> {
    let Some(config) = site.config() else { return write_all(site, out, keep_going, false) };
    let regen = crate::edges::watch::regeneration(site, affected).map_err(io::Error::other)?;
    let diagnostics = found_rendering(&regen.pass);
    if !keep_going && diagnostics.iter().any(Diagnostic::is_error) {
        let files = out.published().len();
        return Ok(Outcome { written: None, files, diagnostics, pass: regen.pass });
    }
    out.record_ids(site);
    let mut written = if regen.files.is_empty() && regen.removed.is_empty() && !out.ids_pending() {
        Written::default()
    } else {
        out.update(&regen.files, &regen.removed, config.cache_max_age)?
    };
    // The files the destination holds now: the ones written and every one left as it was.
    let files = out.published().len();
    written.unchanged = files.saturating_sub(written.written);
    Ok(Outcome { written: Some(written), files, diagnostics, pass: regen.pass })
}
