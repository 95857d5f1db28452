//! The watch daemon: build once, then turn file-system events into changes for the
//! core and write only the feeds they affected.
//!
//! One thread owns the site and the output folder; the watcher, the signal handler and
//! the timer only send it messages, so a write in flight always finishes before a stop.
//!
//! (Near 500 lines: the loop, change discovery, retries and logging share the daemon's state.)

mod publish;
mod watcher;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use chrono::Utc;
use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::DebounceEventResult;
use tracing::{debug, error, info, warn};

pub use self::publish::{Publisher, Regeneration, Update, regeneration, write_affected};
use self::watcher::{CONTENT_DIRS, FALLBACK_POLL, MEDIA_DIRS, Watcher, watched_dirs};
use crate::core::diag::Diagnostic;
use crate::core::input::classify::{InputKind, input_kind};
use crate::core::site::{Affected, Change, Options, Site};
use crate::edges::announce::Announcer;
use crate::edges::index;
use crate::edges::load::{Found, find_dir, find_site, read_change};
use crate::edges::output::{Destination, Target, Written, content_tag};

/// How the daemon is set up.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub site: PathBuf,
    /// Where to write the feeds: a folder or a bucket (`serve` may keep them in memory
    /// only).
    pub out: Option<Target>,
    /// A publish to a bucket deletes at most this many objects.
    pub max_deletes: usize,
    pub options: Options,
    pub debounce: Duration,
    /// Poll every so often instead of using inotify (network file systems).
    pub poll: Option<Duration>,
    /// Written once the initial build is on disk.
    pub ready_file: Option<PathBuf>,
    /// Extra lines for the ready file (the server's address).
    pub ready_note: String,
}

/// Called when SIGINT/SIGTERM arrives (besides stopping the daemon).
pub type StopHook = Box<dyn Fn() + Send + Sync>;

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{0}")]
    Config(String),
    #[error("cannot watch {path}: {source}")]
    Watch { path: PathBuf, source: notify::Error },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot listen on {address}: {source}{}", if source.kind() == std::io::ErrorKind::AddrInUse {
        " (another server is using this port: stop it, or choose another with --listen)"
    } else {
        ""
    })]
    Listen { address: String, source: std::io::Error },
}

/// After a failed write, the wait before writing every feed again; it doubles up to
/// `LAST_RETRY` while writes keep failing.
const FIRST_RETRY: Duration = Duration::from_secs(2);
const LAST_RETRY: Duration = Duration::from_secs(300);

/// What the daemon's thread hears: a batch of file events, or the signal to stop.
enum Message {
    Events(DebounceEventResult),
    Stop,
}

/// Run until SIGINT/SIGTERM. Returns after the write in flight has finished.
pub fn run(opts: WatchOptions, publisher: Option<Publisher>, on_stop: Option<StopHook>) -> Result<(), WatchError> {
    let root = fs::canonicalize(&opts.site)
        .map_err(|e| WatchError::Config(format!("site folder `{}`: {e}", opts.site.display())))?;
    let out_abs = match opts.out.as_ref().and_then(Target::folder) {
        Some(out) => {
            fs::create_dir_all(out).map_err(|source| WatchError::Io { path: out.to_path_buf(), source })?;
            Some(fs::canonicalize(out).map_err(|source| WatchError::Io { path: out.to_path_buf(), source })?)
        }
        None => None,
    };
    let out = match &opts.out {
        Some(target) => Some(
            target
                .open(opts.max_deletes)
                .map_err(|source| WatchError::Io { path: PathBuf::from(target.to_string()), source })?,
        ),
        None => None,
    };
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
        if let Some(hook) = &on_stop {
            hook();
        }
    }) {
        warn!("cannot handle SIGINT/SIGTERM: {e}");
    }

    let started = Instant::now();
    let mut daemon = Daemon {
        root: root.clone(),
        out_abs,
        site: Site::new(opts.options, Utc::now()).with_files(crate::edges::load::post_files(&root)),
        out,
        publisher,
        announcer: Announcer::default(),
        retry: None,
        logged: HashSet::new(),
    };
    // Ids the last build published stay published: a post whose rules now give another
    // id is an error, and keeps its old id until the input is fixed or pinned.
    if let Some(out) = &daemon.out {
        daemon.site.hold_ids(out.ids().clone(), true);
    }
    // The index a build (or this daemon, when it last stopped) left in `--out`: only the
    // post files that changed since are parsed, and only the feeds that changed written.
    let index_options = index::options(&opts.options);
    if let Some(out) = &daemon.out_abs {
        index::remove_partials(out);
    }
    let mut index =
        daemon.out_abs.as_deref().and_then(|out| index::load(out, &index_options).trusted(|why| info!("{why}")));
    let found = find_site(&root, daemon.out_abs.as_deref());
    let loaded = crate::edges::parallel::apply_indexed(&mut daemon.site, &root, found, Vec::new(), index.as_mut());
    if daemon.site.config().is_none() {
        let messages: Vec<String> = daemon.site.diagnostics().iter().map(|d| d.to_string()).collect();
        return Err(WatchError::Config(messages.join("\n")));
    }
    daemon.log_diagnostics(loaded.diagnostics);
    let out_name = opts.out.as_ref().map_or("memory".to_string(), |o| o.to_string());
    let before = index.filter(|i| i.fits(&daemon.site)).and_then(|i| i.prints);
    let written = match before {
        Some(prints) => {
            let affected = daemon.site.changed_since(&prints);
            info!(
                "from the index: {} post files unchanged; {} feeds changed",
                loaded.from_index,
                affected.changed.len() + affected.removed.len()
            );
            daemon.start_from(&affected)
        }
        None => daemon.write_all(),
    }
    .map_err(|source| WatchError::Io { path: PathBuf::from(&out_name), source })?;

    let mut watcher = Watcher::start(&opts, tx.clone())?;
    for dir in watched_dirs(&root) {
        watcher.watch(&dir.0, dir.1, &opts, &tx)?;
    }
    info!(
        "ready: {} files in {out_name} ({} written) in {:.1} ms; watching {}{}",
        written.written + written.unchanged,
        written.written,
        started.elapsed().as_secs_f64() * 1000.0,
        root.display(),
        if watcher.polling() { " by polling" } else { "" }
    );
    if let Some(ready) = &opts.ready_file {
        // Written whole and renamed into place: a script that sees the file sees it all.
        let partial = ready.with_extension("partial");
        fs::write(&partial, format!("ready\n{}", opts.ready_note))
            .and_then(|()| fs::rename(&partial, ready))
            .map_err(|source| WatchError::Io { path: ready.clone(), source })?;
    }
    daemon.run_loop(&rx, &mut watcher, &opts, &tx);
    daemon.save_index(&opts, &index_options);
    info!("stopped");
    Ok(())
}

struct Daemon {
    root: PathBuf,
    out_abs: Option<PathBuf>,
    site: Site,
    out: Option<Box<dyn Destination>>,
    publisher: Option<Publisher>,
    /// Tells the hub and the `after_publish` command what changed.
    announcer: Announcer,
    /// A write failed: when to write everything again, and the wait after that.
    retry: Option<(Instant, Duration)>,
    /// Diagnostics already logged, so each problem is logged once.
    logged: HashSet<Diagnostic>,
}

impl Daemon {
    /// The event loop: file events, the clock (future posts coming due) and the stop
    /// signal, one at a time, until stopped.
    fn run_loop(&mut self, rx: &Receiver<Message>, watcher: &mut Watcher, opts: &WatchOptions, tx: &Sender<Message>) {
        loop {
            let due = self
                .site
                .next_due()
                .map(|due| (due - Utc::now()).to_std().unwrap_or(Duration::ZERO))
                .unwrap_or(Duration::from_secs(3600));
            let retry = self.retry.map(|(at, _)| at.saturating_duration_since(Instant::now()));
            match rx.recv_timeout(retry.map_or(due, |r| r.min(due))) {
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    let started = Instant::now();
                    let affected = self.site.set_now(Utc::now());
                    let why = if self.retry.is_some_and(|(at, _)| at <= Instant::now()) {
                        "(retrying the write that failed)"
                    } else {
                        "(a post became due or expired)"
                    };
                    self.regenerate(&[why.to_string()], affected, started);
                }
                Ok(Message::Events(Ok(events))) => {
                    let started = Instant::now();
                    let rescan = events.iter().any(|e| e.need_rescan());
                    let mut paths = BTreeSet::new();
                    let mut new_dirs = BTreeSet::new();
                    for event in &events {
                        match event.kind {
                            // Reading files (our own scans included) is no change.
                            EventKind::Access(_) => {}
                            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) => {
                                paths.extend(event.paths.iter().cloned());
                                new_dirs.extend(event.paths.iter().cloned());
                            }
                            _ => paths.extend(event.paths.iter().cloned()),
                        }
                    }
                    // New content and media folders (created after start) need watching too.
                    for dir in CONTENT_DIRS.iter().chain(&MEDIA_DIRS) {
                        let path = self.root.join(dir);
                        if paths.contains(&path)
                            && path.is_dir()
                            && let Err(e) = watcher.watch(&path, RecursiveMode::Recursive, opts, tx)
                        {
                            error!("{e}");
                        }
                    }
                    let mut affected = self.site.set_now(Utc::now());
                    let names = if rescan {
                        warn!("the watcher lost events (queue overflow): rescanning the whole site");
                        affected.merge(self.rescan());
                        vec!["(full rescan)".to_string()]
                    } else {
                        let (changes, mut names, others) = self.changes_for(&paths, &new_dirs);
                        let measured = self.site.measured_files_changed(&others);
                        if !measured.is_empty() {
                            names.extend(others.iter().map(|p| p.display().to_string()));
                        }
                        affected.merge(measured);
                        if changes.is_empty() && affected.is_empty() {
                            continue;
                        }
                        affected.merge(crate::edges::parallel::apply_parallel(&mut self.site, changes));
                        names
                    };
                    self.regenerate(&names, affected, started);
                }
                Ok(Message::Events(Err(errors))) => {
                    for e in errors {
                        if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) && !watcher.polling() {
                            if let Err(e) = watcher.fall_back_to_polling(opts, tx) {
                                error!("{e}");
                            }
                            let affected = self.rescan();
                            self.regenerate(&["(full rescan)".to_string()], affected, Instant::now());
                        } else {
                            warn!("watcher: {e}");
                        }
                    }
                }
            }
        }
    }

    /// Changes for every path an event named, and the other files it named (a post's
    /// enclosure may be measured from one). Folders are scanned: notify loses the events
    /// of files created in a folder before the folder is watched.
    fn changes_for(
        &self,
        paths: &BTreeSet<PathBuf>,
        new_dirs: &BTreeSet<PathBuf>,
    ) -> (Vec<Change>, Vec<String>, Vec<PathBuf>) {
        let mut others = Vec::new();
        let mut changes = Vec::new();
        let mut names = Vec::new();
        let mut diagnostics = Vec::new();
        let mut seen = HashSet::new();
        for path in paths {
            if self.out_abs.as_ref().is_some_and(|o| path.starts_with(o)) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(&self.root) else { continue };
            let in_content = CONTENT_DIRS.iter().any(|d| rel.starts_with(d));
            if path.is_dir() {
                if in_content && new_dirs.contains(path) {
                    self.scan_dir(rel, &mut changes, &mut seen, &mut diagnostics);
                    names.push(format!("{}/", rel.display()));
                }
                // A new media folder: its files may have come before it was watched.
                if MEDIA_DIRS.iter().any(|d| rel.starts_with(d)) && new_dirs.contains(path) {
                    files_under(&self.root, rel, &mut others);
                }
                continue;
            }
            if !path.exists() {
                // A folder moved or deleted: every post below it goes.
                for gone in self.site.sources_under(rel) {
                    if gone != rel && seen.insert(gone.clone()) {
                        names.push(gone.display().to_string());
                        changes.push(Change::Remove(gone));
                    }
                }
            }
            if input_kind(rel) == InputKind::Other {
                others.push(rel.to_path_buf());
                continue;
            }
            if !seen.insert(rel.to_path_buf()) {
                continue;
            }
            if let Some(change) = read_change(&self.root, rel, &mut diagnostics) {
                changes.push(change);
                names.push(rel.display().to_string());
            }
        }
        self.log_reading_problems(diagnostics);
        (changes, names, others)
    }

    fn scan_dir(
        &self,
        rel: &Path,
        changes: &mut Vec<Change>,
        seen: &mut HashSet<PathBuf>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let found = find_dir(&self.root, rel, self.out_abs.as_deref());
        diagnostics.extend(found.diagnostics);
        let present: HashSet<&PathBuf> = found.posts.iter().collect();
        for gone in self.site.sources_under(rel) {
            if !present.contains(&gone) && seen.insert(gone.clone()) {
                changes.push(Change::Remove(gone));
            }
        }
        for post in &found.posts {
            if seen.insert(post.clone())
                && let Some(change) = read_change(&self.root, post, diagnostics)
            {
                changes.push(change);
            }
        }
    }

    /// Apply every input as it is on disk now, and remove posts that are gone.
    fn rescan(&mut self) -> Affected {
        let found: Found = find_site(&self.root, self.out_abs.as_deref());
        let present: HashSet<&PathBuf> = found.posts.iter().collect();
        let gone: Vec<Change> = self
            .site
            .sources_under(Path::new(""))
            .into_iter()
            .filter(|p| !present.contains(p))
            .map(Change::Remove)
            .collect();
        let (affected, diagnostics) = crate::edges::parallel::apply_found(&mut self.site, &self.root, found, gone);
        self.log_reading_problems(diagnostics);
        affected
    }

    fn log_reading_problems(&self, diagnostics: Vec<Diagnostic>) {
        for d in diagnostics {
            warn!("{d}");
        }
    }

    /// Log diagnostics not logged before; note problems that went away.
    fn log_diagnostics(&mut self, extra: Vec<Diagnostic>) {
        let mut now: HashSet<Diagnostic> = self.site.diagnostics().into_iter().collect();
        now.extend(extra);
        let mut new: Vec<&Diagnostic> = now.difference(&self.logged).collect();
        new.sort();
        for d in new {
            if d.is_error() {
                let kept = if self.site.is_broken(&d.path) {
                    " (its last good version stays in the feeds)"
                } else if crate::core::input::config::CONFIG_FILES.iter().any(|c| d.path == Path::new(c)) {
                    " (the last good config stays in force)"
                } else {
                    ""
                };
                error!("{d}{kept}");
            } else {
                warn!("{d}");
            }
        }
        let fixed: BTreeSet<&PathBuf> = self
            .logged
            .iter()
            .filter(|d| d.is_error() && !now.iter().any(|n| n.path == d.path && n.is_error()))
            .map(|d| &d.path)
            .collect();
        for path in fixed {
            if self.root.join(path).exists() {
                info!("{}: fixed", path.display());
            } else {
                info!("{}: removed", path.display());
            }
        }
        self.logged = now;
    }

    /// Write every feed (at start and when the config changed).
    fn write_all(&mut self) -> std::io::Result<Written> {
        self.write(&Affected { config: true, ..Affected::default() })
    }

    /// Start from an output folder that holds every feed as the index fingerprinted it:
    /// write what changed since. A publisher (`serve`) is then given every file the
    /// folder holds, read from it rather than rendered (its encodings are made behind,
    /// after the rendering, so that they do not hold the rendering up).
    fn start_from(&mut self, affected: &Affected) -> std::io::Result<Written> {
        // The write goes to `--out` alone (as `watch` writes): the publisher is then given
        // the whole folder at once, not the changed files over an empty snapshot.
        let publisher = self.publisher.take();
        let written = self.write(affected);
        self.publisher = publisher;
        let mut written = written?;
        let published = self.out.as_ref().map(|o| o.published()).unwrap_or_default();
        if let (Some(out), Some(folder)) = (&self.out, &self.out_abs)
            && self.publisher.is_some()
        {
            let mut files = std::collections::BTreeMap::new();
            for rel in &published {
                let bytes = fs::read(folder.join(rel))?;
                let since = out.stamp(rel).and_then(|s| s.since);
                files.insert(rel.clone(), (bytes, since));
            }
            let update = Update {
                files,
                removed: Vec::new(),
                full: true,
                config: self.site.config().cloned(),
                errors: errors(&self.site, &[]),
                moved: self.site.renderer().map(|r| r.moved()),
            };
            if let Some(publisher) = &mut self.publisher {
                publisher(update);
            }
        }
        written.unchanged = published.len().saturating_sub(written.written);
        Ok(written)
    }

    /// At a graceful stop, after a write that succeeded: the index of the site as this
    /// daemon last read and wrote it, so that the next start parses and writes only
    /// what changes meanwhile. Files saved while events were still on their way are
    /// compared by their bytes at the next start (the index's time is set back by the
    /// longest such delay).
    fn save_index(&self, opts: &WatchOptions, index_options: &str) {
        let (Some(out), None) = (self.out_abs.as_deref(), self.retry) else { return };
        let delay = opts.poll.unwrap_or_default().max(FALLBACK_POLL) + opts.debounce + Duration::from_secs(1);
        let started = crate::edges::inputs::started() - delay.as_nanos() as i128;
        if let Err(e) = index::save(&self.root, out, &self.site, index_options, started, &[], None) {
            warn!("cannot write the index: {e}");
        }
    }

    fn regenerate(&mut self, changed: &[String], mut affected: Affected, started: Instant) {
        // After a failed write, what `--out` holds is not known file by file: write it all.
        affected.config |= self.retry.is_some();
        let result = self.write(&affected);
        self.retry = match (&result, self.retry) {
            (Ok(_), _) => None,
            (Err(_), None) => Some((Instant::now() + FIRST_RETRY, FIRST_RETRY)),
            (Err(_), Some((_, wait))) => {
                let next = (wait * 2).min(LAST_RETRY);
                Some((Instant::now() + next, next))
            }
        };
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(written) if written.changed.is_empty() => {
                debug!("{} changed; no feed changed ({elapsed:.1} ms)", summarize(changed));
            }
            Ok(written) => info!(
                "{} changed; rewrote {} file(s): {} ({elapsed:.1} ms)",
                summarize(changed),
                written.changed.len(),
                summarize(&written.changed)
            ),
            Err(e) => {
                let wait = self.retry.map_or(FIRST_RETRY, |(at, _)| at.saturating_duration_since(Instant::now()));
                error!("cannot write the feeds: {e}; writing every feed again in {} s", wait.as_secs().max(1));
            }
        }
    }

    /// Write what `affected` names to `--out` and to the publisher. The site keeps what
    /// the rendering learnt; problems are logged once each.
    fn write(&mut self, affected: &Affected) -> std::io::Result<Written> {
        let written = self.write_out(affected)?;
        // `serve` tells the hub itself, once the new bytes are served.
        if let (Some(out), Some(config)) = (&self.out, self.site.config()) {
            let live = out.is_live() && self.publisher.is_none();
            if let Err(e) = self.announcer.announce(config, &self.root, live, &written) {
                error!("{e}");
            }
        }
        Ok(written)
    }

    fn write_out(&mut self, affected: &Affected) -> std::io::Result<Written> {
        let Some(publisher) = &mut self.publisher else {
            let Some(out) = &mut self.out else { return Ok(Written::default()) };
            let (written, diagnostics) = write_affected(&mut self.site, affected, out.as_mut())?;
            self.log_diagnostics(diagnostics);
            return Ok(written);
        };
        let max_age = self.site.config().map_or(crate::core::input::config::DEFAULT_CACHE_MAX_AGE, |c| c.cache_max_age);
        let regen = regeneration(&self.site, affected).map_err(std::io::Error::other)?;
        if let Some(out) = &mut self.out {
            out.record_ids(&self.site);
        }
        let mut written = match &mut self.out {
            Some(out) if regen.full => out.replace(&regen.files, max_age)?,
            Some(out) if !regen.files.is_empty() || !regen.removed.is_empty() || out.ids_pending() => {
                out.update(&regen.files, &regen.removed, max_age)?
            }
            _ => Written::default(),
        };
        let diagnostics = regen.pass.diagnostics();
        self.site.keep(regen.pass);
        self.site.hold_published();
        let errors = errors(&self.site, &diagnostics);
        let out = self.out.as_ref();
        let files = regen.files.into_iter().map(|(path, bytes)| {
            let stamp = out.and_then(|o| o.stamp(&path)).filter(|s| s.hash == Some(content_tag(&bytes)));
            (path, (bytes, stamp.and_then(|s| s.since)))
        });
        let touched = publisher(Update {
            files: files.collect(),
            removed: regen.removed,
            full: regen.full,
            config: self.site.config().cloned(),
            errors,
            moved: regen.moved,
        });
        if self.out.is_none() {
            written.written = touched.len();
            written.changed = touched;
        }
        self.log_diagnostics(diagnostics);
        Ok(written)
    }
}

/// Every error in `site` now and in `rendering` (each `path:line: error: …`, once), so
/// that `/healthz` tells of it.
fn errors(site: &Site, rendering: &[Diagnostic]) -> Vec<String> {
    let mut errors: Vec<String> =
        site.diagnostics().iter().chain(rendering).filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    errors.sort();
    errors.dedup();
    errors
}

/// `a, b, c and 7 more`.
fn summarize(names: &[String]) -> String {
    const SHOWN: usize = 4;
    if names.len() <= SHOWN {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..SHOWN].join(", "), names.len() - SHOWN)
    }
}

/// Every file under the folder `rel` of the site (relative paths), symbolic links not
/// followed.
fn files_under(root: &Path, rel: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let child = rel.join(entry.file_name());
        if kind.is_dir() {
            files_under(root, &child, files);
        } else if kind.is_file() {
            files.push(child);
        }
    }
}
