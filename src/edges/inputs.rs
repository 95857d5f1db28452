//! The record of a build's inputs, `.feedwright-inputs` in the output folder: each post
//! and config file's size, modification time and inode (and, for a post, a hash of the
//! bytes the build parsed), the output files as written, the binary and the options, and
//! when the clock alone would change the site. A build whose inputs all match the record
//! stats the files and stops: nothing to parse, render or compare.
//!
//! The record is trusted only whole. Its checksum, format version, binary and options
//! must match, and every file must stat as recorded. A post whose modification time is
//! not safely before the recorded build (saved in the same clock tick, or while the build
//! ran) is compared by the hash of its bytes. Anything else — absent, truncated, corrupt,
//! written by another version — means a full build, which writes a new record; every
//! writer of the folder removes the record before it changes a file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::core::Site;
use crate::core::input::config::CONFIG_FILES;
use crate::core::input::ids::PINS_FILE;
use crate::core::paths::slug::content_hash;
use crate::core::render::local_files;
use crate::edges::load::{Stat, find_site, stat, stat_all};
use crate::edges::output::{IDS_FILE, MANIFEST};

pub use crate::edges::output::INPUTS_FILE;

const HEADER: &str = "# feedwright inputs 1";
/// A file modified less than this before the build started may have changed in the same
/// clock tick as it was read (file systems date files coarsely): its bytes are compared.
pub(crate) const TICK_NS: i128 = 2_000_000_000;

/// What `check` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// Nothing changed: the output holds `files` files; the build printed these warnings.
    Unchanged { files: usize, warnings: Vec<String> },
    /// Something changed, or there is no record: build.
    Changed,
    /// The record cannot be trusted (why): build, and say so.
    Ignored(String),
}

fn now_ns() -> i128 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

/// This program's identity: another binary (an upgrade, a rebuild) may write other bytes.
pub(crate) fn binary() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| stat(&p));
    let (size, mtime) = exe.map_or((0, 0), |s| (s.size, s.mtime_ns));
    format!("{} {size} {mtime}", env!("CARGO_PKG_VERSION"))
}

/// The config files present in the site (and the pins), by name.
fn config_files(site: &Path) -> Vec<(&'static str, Option<Stat>)> {
    CONFIG_FILES.iter().chain([&PINS_FILE]).map(|name| (*name, stat(&site.join(name)))).collect()
}

/// Whether the build into `out` can stop here: the record there matches the site's
/// files now. `options`: the build's settings that change its output.
pub fn check(site: &Path, out: &Path, options: &str) -> Check {
    let Ok(text) = fs::read_to_string(out.join(INPUTS_FILE)) else { return Check::Changed };
    let Some((header, body)) = text.split_once('\n') else { return ignored("it is truncated") };
    let Some((version, checksum)) = header.rsplit_once(' ') else { return ignored("it has no checksum") };
    if version != HEADER {
        return ignored("another version of feedwright wrote it");
    }
    if format!("{:016x}", content_hash(body.as_bytes())) != checksum {
        return ignored("its checksum does not match (truncated or corrupt)");
    }
    match compare(site, out, options, body) {
        Some(found) => found,
        None => ignored("it does not parse"),
    }
}

fn ignored(why: &str) -> Check {
    Check::Ignored(format!("{INPUTS_FILE} is ignored: {why}; building from scratch"))
}

/// Compare a record's (checksummed) body with the files; `None` if it does not parse.
fn compare(site: &Path, out: &Path, options: &str, body: &str) -> Option<Check> {
    let mut fields: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let (mut configs, mut posts, mut outs, mut warnings) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut assets = Vec::new();
    for line in body.lines() {
        let (kind, rest) = line.split_once('\t')?;
        match kind {
            "config" => configs.push(rest),
            "post" => posts.push(rest),
            "out" => outs.push(rest),
            "asset" => assets.push(rest),
            "warning" => warnings.push(rest.to_string()),
            _ => {
                fields.insert(kind, rest);
            }
        }
    }
    if fields.get("binary") != Some(&binary().as_str()) || fields.get("options") != Some(&options) {
        return Some(Check::Changed);
    }
    let started: i128 = fields.get("started")?.parse().ok()?;
    let racy = |s: &Stat| s.mtime_ns > started - TICK_NS;
    if let Some(due) = fields.get("due").filter(|d| **d != "-") {
        let due: i128 = due.parse().ok()?;
        if now_ns() >= due {
            return Some(Check::Changed);
        }
    }
    // The config files: the same ones, as they were (by their bytes when racy).
    let present: Vec<(&str, Stat)> = config_files(site).into_iter().filter_map(|(n, s)| Some((n, s?))).collect();
    if present.len() != configs.len() {
        return Some(Check::Changed);
    }
    for ((name, now), line) in present.iter().zip(&configs) {
        let (stat_text, hash) = line.rsplit_once('\t')?;
        if stat_text != format!("{name}\t{}", format_stat(now)) {
            return Some(Check::Changed);
        }
        if racy(now)
            && fs::read(site.join(name)).ok().map(|b| format!("{:016x}", content_hash(&b))).as_deref() != Some(hash)
        {
            return Some(Check::Changed);
        }
    }
    // The posts: the same files, each as it was (by its bytes when its time is racy).
    let found = find_site(site, fs::canonicalize(out).ok().as_deref());
    if found.posts.len() != posts.len() {
        return Some(Check::Changed);
    }
    let mut recorded = Vec::with_capacity(posts.len());
    for line in &posts {
        let mut parts = line.splitn(5, '\t');
        let (size, mtime, inode, hash, path) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let stat = Stat { size: size.parse().ok()?, mtime_ns: mtime.parse().ok()?, inode: inode.parse().ok()? };
        recorded.push((Path::new(path), stat, hash));
    }
    // One `stat` per post, on every core, relative to its open folder (no path walk).
    let stats = stat_all(site, &found.posts);
    let same = found.posts.par_iter().zip(stats.par_iter()).zip(recorded.par_iter()).all(
        |((rel, now), (path, recorded, hash))| {
            if path.as_os_str() != rel.as_os_str() || *now != Some(*recorded) {
                return false;
            }
            !racy(recorded)
                || fs::read(site.join(rel)).ok().map(|b| format!("{:016x}", content_hash(&b))).as_deref() == Some(*hash)
        },
    );
    if !same {
        return Some(Check::Changed);
    }
    // The files enclosures and images were measured from: each the same size (or still
    // missing).
    for line in &assets {
        let (size, rel) = line.split_once('\t')?;
        if asset_size(&site.join(rel)) != size {
            return Some(Check::Changed);
        }
    }
    // The output: every file as it was written, the manifest first.
    for line in &outs {
        let (stat_text, rel) = line.rsplit_once('\t')?;
        if stat(&out.join(rel)).map(|s| format_stat(&s)).as_deref() != Some(stat_text) {
            return Some(Check::Changed);
        }
    }
    let files: usize = fields.get("files")?.parse().ok()?;
    Some(Check::Unchanged { files, warnings })
}

/// A measured file's size as recorded, `-` when there is no such file.
fn asset_size(path: &Path) -> String {
    fs::metadata(path).ok().filter(|m| m.is_file()).map_or("-".to_string(), |m| m.len().to_string())
}

fn format_stat(s: &Stat) -> String {
    format!("{}\t{}\t{}", s.size, s.mtime_ns, s.inode)
}

/// Write the record of a build that started at `started` (Unix ns) and has just written
/// `out` whole, with no error. `warnings`: what it printed, printed again by a build that
/// stops at the record. `stats`: each post file the build read, as it was when read.
pub fn write(
    site_root: &Path,
    out: &Path,
    site: &Site,
    options: &str,
    started: i128,
    warnings: &[String],
    stats: &[(PathBuf, Stat)],
) -> io::Result<()> {
    let path = out.join(INPUTS_FILE);
    let _ = fs::remove_file(&path);
    let configs = config_files(site_root);
    let mut body = String::new();
    let mut line = |parts: &[&str]| {
        body.push_str(&parts.join("\t"));
        body.push('\n');
    };
    line(&["binary", &binary()]);
    line(&["options", options]);
    line(&["started", &started.to_string()]);
    let due = site.next_due().map_or("-".to_string(), |d| {
        (d.timestamp() as i128 * 1_000_000_000 + d.timestamp_subsec_nanos() as i128).to_string()
    });
    line(&["due", &due]);
    for (name, s) in &configs {
        if let Some(s) = s {
            // The hash of the bytes the build read (none: it read none).
            let used =
                site.config_file(Path::new(name)).map_or("-".to_string(), |b| format!("{:016x}", content_hash(b)));
            line(&["config", name, &format_stat(s), &used]);
        }
    }
    for (rel, s) in stats {
        // The hash of the bytes the build parsed (none for a file that is not a post).
        let hash = site.post(rel).map_or("-".to_string(), |p| format!("{:016x}", p.revision));
        line(&[
            "post",
            &s.size.to_string(),
            &s.mtime_ns.to_string(),
            &s.inode.to_string(),
            &hash,
            &rel.to_string_lossy(),
        ]);
    }
    // The site's files that enclosures and images were measured from (their lengths are
    // in the feeds), and the ones looked for and missing.
    if let Some(config) = site.config() {
        let mut seen = std::collections::BTreeSet::new();
        for (rel, _) in stats {
            let Some((post, media)) = site.post(rel).and_then(|p| p.media.as_deref().map(|m| (p, m))) else {
                continue;
            };
            for link in media.measured() {
                for candidate in local_files(config, post, link) {
                    if seen.insert(candidate.clone()) {
                        line(&["asset", &asset_size(&site_root.join(&candidate)), &candidate.to_string_lossy()]);
                    }
                }
            }
        }
    }
    let manifest = fs::read_to_string(out.join(MANIFEST)).unwrap_or_default();
    let files: Vec<&str> =
        manifest.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split('\t').next()).collect();
    line(&["files", &files.len().to_string()]);
    for rel in [MANIFEST, IDS_FILE].into_iter().chain(files.iter().copied()) {
        if let Some(s) = stat(&out.join(rel)) {
            line(&["out", &format_stat(&s), rel]);
        }
    }
    for warning in warnings {
        line(&["warning", &warning.replace(['\n', '\t'], " ")]);
    }
    let text = format!("{HEADER} {:016x}\n{body}", content_hash(body.as_bytes()));
    let partial = crate::edges::index::partial(out, INPUTS_FILE);
    fs::write(&partial, text).and_then(|()| fs::rename(&partial, &path))
}

/// Now, in Unix nanoseconds (a build's start, for [`write`]).
pub fn started() -> i128 {
    now_ns()
}
