//! A WebSub publisher: tells a hub which feeds changed, from a background thread, with
//! retries and backoff, so that a slow or dead hub never delays a regeneration or a
//! response. The queue is bounded, and announcements waiting together are sent once each.

use std::collections::BTreeSet;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing::{debug, warn};

/// Announcements that may wait at once; past that they are dropped with a warning (a
/// hub that slow hears of the feed at its next change).
const QUEUE: usize = 4096;

/// The background publisher's queue: (hub URL, feed URL).
pub struct Hub {
    queue: Option<SyncSender<(String, String)>>,
    thread: Option<JoinHandle<()>>,
}

impl Hub {
    pub fn start() -> Hub {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(String, String)>(QUEUE);
        let thread = std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .http_status_as_error(false)
                .build()
                .into();
            while let Ok(first) = rx.recv() {
                let mut waiting = BTreeSet::from([first]);
                waiting.extend(rx.try_iter());
                for (hub, feed) in waiting {
                    publish(&agent, &hub, &feed);
                }
            }
        });
        Hub { queue: Some(tx), thread: Some(thread) }
    }

    pub fn announce(&self, hub: &str, feed: &str) {
        let Some(queue) = &self.queue else { return };
        if let Err(TrySendError::Full(_)) = queue.try_send((hub.to_string(), feed.to_string())) {
            warn!("WebSub: {QUEUE} announcements are waiting for {hub}; {feed} was not announced");
        }
    }

    /// Wait until every announcement queued has been sent (or given up on): a one-shot
    /// build ends only after its hub heard of its feeds.
    pub fn drain(mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `hub.mode=publish` for one feed: four attempts, the wait doubling from half a second.
fn publish(agent: &ureq::Agent, hub: &str, feed: &str) {
    let mut delay = Duration::from_millis(500);
    for attempt in 1..=4 {
        let form = [("hub.mode", "publish"), ("hub.url", feed)];
        match agent.post(hub).send_form(form) {
            Ok(r) if r.status().is_success() => {
                debug!("WebSub: announced {feed}");
                return;
            }
            Ok(r) => warn!("WebSub hub {hub} answered {} for {feed} (attempt {attempt})", r.status()),
            Err(e) => warn!("WebSub hub {hub}: {e} (attempt {attempt})"),
        }
        std::thread::sleep(delay);
        delay *= 2;
    }
}
