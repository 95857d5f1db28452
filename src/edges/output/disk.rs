//! What the output edge asks of the file system beyond reads and writes: errors that
//! name their path, modification times, one flush for a whole batch, and the fail points
//! crash tests stop the process at.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An I/O error that names the path it happened at.
pub(super) fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// A file's modification time in Unix seconds.
pub(super) fn modified(path: &Path) -> Option<u64> {
    let time = fs::metadata(path).ok()?.modified().ok()?;
    time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// Flush every file written so far on the file system holding `dir` (one call for a
/// whole batch, instead of one fsync per file).
pub(super) fn sync_filesystem(dir: &Path) -> io::Result<()> {
    let d = File::open(dir).map_err(|e| at(dir, e))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs on a file descriptor we own and keep open for the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
        Err(at(dir, io::Error::last_os_error()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        drop(d);
        // Without syncfs, fall back to the whole system's sync.
        std::process::Command::new("sync").status().map(|_| ())
    }
}

/// Crash tests stop the process at a named point, as `kill -9` would, by setting
/// `FEEDWRIGHT_FAILPOINT=NAME` (at its first pass) or `NAME:N` (at its N-th).
pub(super) fn failpoint(name: &str) {
    static POINT: OnceLock<Option<(String, usize)>> = OnceLock::new();
    static PASSED: AtomicUsize = AtomicUsize::new(0);
    let point = POINT.get_or_init(|| {
        let value = std::env::var("FEEDWRIGHT_FAILPOINT").ok()?;
        let (name, n) = value.split_once(':').unwrap_or((&value, "1"));
        Some((name.to_string(), n.parse().unwrap_or(1)))
    });
    if let Some((wanted, n)) = point
        && wanted == name
        && PASSED.fetch_add(1, Ordering::Relaxed) + 1 >= *n
    {
        std::process::abort();
    }
}
