//! `feedwright serve`: the watch daemon plus an HTTP server for the feeds.
//!
//! The daemon publishes each regeneration into a [`Store`]; a whole new snapshot is
//! swapped in at once, so a reader never sees a mix of old and new feeds. Every file is
//! compressed (gzip, brotli) once per regeneration, never per request. Only generated
//! feeds are served: request paths are looked up in the snapshot, never on disk.

mod respond;
mod snapshot;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tracing::{info, warn};

pub use self::respond::respond;
pub use self::snapshot::{Snapshot, Store};
use crate::edges::watch::{Update, WatchError, WatchOptions};
use crate::edges::websub::Hub;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub watch: WatchOptions,
    /// `host:port` (a host name, IPv4 or `[IPv6]` address).
    pub listen: String,
    /// A client must send a request's headers within this time.
    pub header_timeout: Duration,
    /// Connections open at once; more wait in the kernel's queue.
    pub max_connections: usize,
}

/// Run the daemon and the server until SIGINT/SIGTERM.
pub fn run(opts: ServeOptions) -> Result<(), WatchError> {
    if !opts.watch.site.is_dir() {
        return Err(WatchError::Config(format!("error: site folder `{}` does not exist", opts.watch.site.display())));
    }
    let listen = |source| WatchError::Listen { address: opts.listen.clone(), source };
    let listener = std::net::TcpListener::bind(opts.listen.as_str()).map_err(listen)?;
    let address = listener.local_addr().map_err(listen)?;
    listener.set_nonblocking(true).map_err(listen)?;
    let store = Store::default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| WatchError::Io { path: PathBuf::from("(the server's threads)"), source })?;
    let shutdown = Arc::new(tokio::sync::Notify::new());
    let hub = Hub::start();
    let server = {
        let (store, shutdown) = (store.clone(), shutdown.clone());
        let (timeout, max) = (opts.header_timeout, opts.max_connections);
        runtime.spawn(async move { accept_loop(listener, store, shutdown, timeout, max).await })
    };
    info!("listening on http://{address}/");
    let mut watch = opts.watch.clone();
    watch.ready_note = format!("listen {address}\n");
    let publisher_store = store.clone();
    let publisher = Box::new(move |update: Update| {
        let initial = publisher_store.snapshot().regenerated.is_none();
        let changed = publisher_store.publish(update);
        let snapshot = publisher_store.snapshot();
        if let (false, Some(hub_url)) = (initial, &snapshot.hub) {
            let feeds = changed.iter().filter(|p| crate::edges::output::is_subscription_feed(p));
            for path in feeds.filter(|p| snapshot.files.contains_key(*p)) {
                hub.announce(hub_url, &crate::core::uri::encode(&format!("{}/{path}", snapshot.feeds_url)));
            }
        }
        changed
    });
    let stop = shutdown.clone();
    let result = crate::edges::watch::run(watch, Some(publisher), Some(Box::new(move || stop.notify_one())));
    shutdown.notify_one();
    let _ = runtime.block_on(server);
    runtime.shutdown_timeout(Duration::from_secs(5));
    result
}

async fn accept_loop(
    listener: std::net::TcpListener,
    store: Store,
    shutdown: Arc<tokio::sync::Notify>,
    header_timeout: Duration,
    max_connections: usize,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit,
            _ = shutdown.notified() => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    warn!("accept: {e}");
                    continue;
                }
            },
            _ = shutdown.notified() => break,
        };
        let store = store.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let snapshot = store.snapshot();
            async move { Ok::<_, std::convert::Infallible>(respond(&snapshot, req.method(), req.uri(), req.headers())) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(16 * 1024)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // No connection lives forever, however slowly it trickles.
            let _ = tokio::time::timeout(Duration::from_secs(300), conn).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
