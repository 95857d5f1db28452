//! After a publish, telling the world which files changed: the WebSub hub (only for a
//! destination whose files readers see as soon as they are written — a bucket behind a
//! CDN; a folder may be deployed later, and a hub told early fetches the old feed) and
//! the config's `after_publish` command, given the public URL of each changed file on its
//! standard input (a CDN purge of just those paths). Both run after every upload of the
//! publish succeeded, never before.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tracing::info;

use crate::core::Config;
use crate::edges::output::{Written, is_subscription_feed};
use crate::edges::websub::Hub;

/// How long `after_publish` may run before it is stopped (and reported as failed).
pub const HOOK_TIMEOUT: Duration = Duration::from_secs(300);

/// Announces publishes; keeps the WebSub publisher's thread between them.
#[derive(Default)]
pub struct Announcer {
    hub: Option<Hub>,
}

impl Announcer {
    /// Announce what `written` changed. `live`: the destination's files are what readers
    /// fetch (see the module's note). Returns why `after_publish` failed, if it did.
    pub fn announce(&mut self, config: &Config, site: &Path, live: bool, written: &Written) -> Result<(), String> {
        if written.changed.is_empty() {
            return Ok(());
        }
        if live && let Some(hub_url) = &config.websub_hub {
            let hub = self.hub.get_or_insert_with(Hub::start);
            for path in written.changed.iter().filter(|p| is_subscription_feed(p) && !written.gone.contains(p)) {
                hub.announce(hub_url, &public_url(config, path));
            }
        }
        match &config.after_publish {
            Some(command) => {
                let urls: Vec<String> = written.changed.iter().map(|p| public_url(config, p)).collect();
                run_hook(command, site, &urls)
            }
            None => Ok(()),
        }
    }

    /// Wait for the hub to hear of everything announced (a one-shot build).
    pub fn finish(self) {
        if let Some(hub) = self.hub {
            hub.drain();
        }
    }
}

/// Where readers fetch the file `rel` of the output.
pub fn public_url(config: &Config, rel: &str) -> String {
    crate::core::uri::encode(&format!("{}/{rel}", config.feeds_url.trim_end_matches('/'))).into_owned()
}

/// Run `command` with `sh -c` in the site's folder, `urls` on its standard input, its
/// output passed through; at most [`HOOK_TIMEOUT`].
fn run_hook(command: &str, site: &Path, urls: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let failed = |why: String| format!("after_publish `{command}` {why}");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(site)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("could not start: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut text = urls.join("\n");
        text.push('\n');
        // A command that does not read its input is no error.
        let _ = stdin.write_all(text.as_bytes());
    }
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => {
                info!("after_publish: {} URL(s) passed ({:.0} ms)", urls.len(), started.elapsed().as_secs_f64() * 1e3);
                return Ok(());
            }
            Ok(Some(status)) => return Err(failed(format!("failed ({status})"))),
            Ok(None) if started.elapsed() > HOOK_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!("was stopped after {} s", HOOK_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(failed(format!("could not be waited for: {e}"))),
        }
    }
}
