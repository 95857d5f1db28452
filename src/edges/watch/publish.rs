//! The daemon's write path: what one regeneration renders, and where it goes — `--out`
//! (through the same output edge `build` uses) and a publisher (`serve`'s snapshot).

use std::collections::BTreeMap;

use crate::core::diag::Diagnostic;
use crate::core::input::config::Config;
use crate::core::paths::FeedKey;
use crate::core::render::moved::{Moved, NETLIFY, NGINX};
use crate::core::render::{Pass, archive_paths, feed_files};
use crate::core::site::{Affected, Site};
use crate::core::xmltext::WriteError;
use crate::edges::output::{Destination, Written};

/// What one regeneration produced, for a publisher other than the output folder.
#[derive(Debug, Default)]
pub struct Update {
    /// Files rendered again: relative path → bytes, and when `--out` first held those
    /// bytes (Unix seconds; `None` without `--out`).
    pub files: BTreeMap<String, (Vec<u8>, Option<u64>)>,
    /// Files that no longer exist.
    pub removed: Vec<String>,
    /// `files` is the whole set: anything not in it is gone.
    pub full: bool,
    /// The config in force.
    pub config: Option<Config>,
    /// Errors in the site now (each `path:line: error: …`).
    pub errors: Vec<String>,
    /// Feed URLs that moved, when the table was made again.
    pub moved: Option<Vec<Moved>>,
}

/// Receives every regeneration; returns the paths whose bytes changed.
pub type Publisher = Box<dyn FnMut(Update) -> Vec<String> + Send>;

/// What one regeneration renders: every feed `affected` changed (all of them when the
/// config changed), `opml.xml` when it changed, and the files of feeds that are gone.
pub struct Regeneration {
    pub files: BTreeMap<String, Vec<u8>>,
    pub removed: Vec<String>,
    /// `files` is the whole set: anything else is gone.
    pub full: bool,
    /// Feed URLs that moved, when the table was made again.
    pub moved: Option<Vec<Moved>>,
    /// What the rendering learnt, for `Site::keep`.
    pub pass: Pass,
}

/// Render what `affected` names (on every core).
pub fn regeneration(site: &Site, affected: &Affected) -> Result<Regeneration, WriteError> {
    let mut regen = Regeneration {
        files: BTreeMap::new(),
        removed: Vec::new(),
        full: affected.config,
        moved: None,
        pass: Pass::default(),
    };
    let (Some(renderer), Some(config)) = (site.renderer(), site.config()) else { return Ok(regen) };
    let keys: Vec<FeedKey> = if affected.config { renderer.keys() } else { affected.changed.iter().cloned().collect() };
    regen.files = crate::edges::parallel::render_files(&renderer, &keys, &mut regen.pass)?;
    let pages: Vec<(FeedKey, usize)> =
        if affected.config { renderer.pages_of(&keys) } else { affected.pages.iter().cloned().collect() };
    regen.files.extend(crate::edges::parallel::render_pages(&renderer, &pages, &mut regen.pass)?);
    if affected.opml || affected.config {
        let site_files = renderer.site_files();
        // The redirect files go when nothing moved any more.
        for name in [NETLIFY, NGINX] {
            if !site_files.contains_key(name) {
                regen.removed.push(name.to_string());
            }
        }
        regen.files.extend(site_files);
        regen.moved = Some(renderer.moved());
    }
    if !affected.config {
        regen.removed.extend(affected.removed.iter().flat_map(|k| feed_files(k, config)));
        regen.removed.extend(affected.pages_removed.iter().flat_map(|(k, page)| archive_paths(k, *page, config)));
    }
    Ok(regen)
}

/// The daemon's write path when it writes only to `--out`: write what `affected` names
/// (every feed, a part at a time, when the config changed), and let the site keep what
/// the rendering learnt. Returns what was written and the problems rendering found.
pub fn write_affected(
    site: &mut Site,
    affected: &Affected,
    out: &mut dyn Destination,
) -> std::io::Result<(Written, Vec<Diagnostic>)> {
    if affected.config {
        let outcome = crate::edges::parallel::write_all(site, out, true, true)?;
        site.keep(outcome.pass);
        site.hold_published();
        return Ok((outcome.written.unwrap_or_default(), outcome.diagnostics));
    }
    // A post can come or go without any feed changing (beyond every feed's limit): its
    // id is still recorded.
    out.record_ids(site);
    if affected.is_empty() && !out.ids_pending() {
        return Ok((Written::default(), Vec::new()));
    }
    let regen = regeneration(site, affected).map_err(std::io::Error::other)?;
    let max_age = site.config().map_or(crate::core::input::config::DEFAULT_CACHE_MAX_AGE, |c| c.cache_max_age);
    let written = out.update(&regen.files, &regen.removed, max_age)?;
    let diagnostics = regen.pass.diagnostics();
    site.keep(regen.pass);
    site.hold_published();
    Ok((written, diagnostics))
}
