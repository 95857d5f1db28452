//! File-system events for the daemon: inotify (through notify and its debouncer), or
//! polling — when asked for (network file systems) or when inotify runs out of watches.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt};
use tracing::warn;

use super::{Message, WatchError, WatchOptions};

/// The folders whose posts the daemon watches recursively.
pub(super) const CONTENT_DIRS: [&str; 2] = ["content", "_posts"];
/// Folders of files that posts' enclosures and images are measured from (Hugo's
/// `static/`; a page bundle's files are in `content/`).
pub(super) const MEDIA_DIRS: [&str; 1] = ["static"];

/// Polling interval used when inotify runs out of watches.
pub(super) const FALLBACK_POLL: Duration = Duration::from_millis(1000);

/// The folders to watch: content folders recursively, the site root (config files, new
/// content folders) on its own.
pub(super) fn watched_dirs(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut dirs = vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for dir in CONTENT_DIRS.iter().chain(&MEDIA_DIRS) {
        let path = root.join(dir);
        if path.is_dir() {
            dirs.push((path, RecursiveMode::Recursive));
        }
    }
    dirs
}

/// Each debounced batch of events, sent to the daemon's thread.
fn handler(tx: Sender<Message>) -> impl FnMut(DebounceEventResult) {
    move |result| {
        let _ = tx.send(Message::Events(result));
    }
}

/// inotify, or polling when asked for or when inotify runs out of watches.
pub(super) enum Watcher {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

impl Watcher {
    pub(super) fn start(opts: &WatchOptions, tx: Sender<Message>) -> Result<Watcher, WatchError> {
        match opts.poll {
            Some(interval) => Self::poll(opts, tx, interval),
            None => {
                new_debouncer_opt(opts.debounce, None, handler(tx), RecommendedCache::new(), notify::Config::default())
                    .map(Watcher::Native)
                    .map_err(|source| WatchError::Watch { path: opts.site.clone(), source })
            }
        }
    }

    pub(super) fn poll(opts: &WatchOptions, tx: Sender<Message>, interval: Duration) -> Result<Watcher, WatchError> {
        let config = notify::Config::default().with_poll_interval(interval);
        new_debouncer_opt(opts.debounce, None, handler(tx), RecommendedCache::new(), config)
            .map(Watcher::Poll)
            .map_err(|source| WatchError::Watch { path: opts.site.clone(), source })
    }

    pub(super) fn polling(&self) -> bool {
        matches!(self, Watcher::Poll(_))
    }

    /// Watch `path`; when inotify's watch limit is exhausted, switch to polling.
    pub(super) fn watch(
        &mut self,
        path: &Path,
        mode: RecursiveMode,
        opts: &WatchOptions,
        tx: &Sender<Message>,
    ) -> Result<(), WatchError> {
        let result = match self {
            Watcher::Native(d) => d.watch(path, mode),
            Watcher::Poll(d) => d.watch(path, mode),
        };
        match result {
            Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) && !self.polling() => {
                self.fall_back_to_polling(opts, tx)?;
                Ok(())
            }
            Err(source) => Err(WatchError::Watch { path: path.to_path_buf(), source }),
            Ok(()) => Ok(()),
        }
    }

    pub(super) fn fall_back_to_polling(&mut self, opts: &WatchOptions, tx: &Sender<Message>) -> Result<(), WatchError> {
        warn!(
            "inotify watch limit reached; raise it with `sysctl fs.inotify.max_user_watches=524288` \
             (and in /etc/sysctl.conf to keep it); polling every {} ms meanwhile",
            FALLBACK_POLL.as_millis()
        );
        *self = Self::poll(opts, tx.clone(), FALLBACK_POLL)?;
        let root = fs::canonicalize(&opts.site).unwrap_or_else(|_| opts.site.clone());
        for (dir, mode) in watched_dirs(&root) {
            self.watch(&dir, mode, opts, tx)?;
        }
        Ok(())
    }
}
