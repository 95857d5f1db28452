//! `feedwright serve`: the watch daemon plus an HTTP server for the feeds.
//!
//! The daemon publishes each regeneration into a [`Store`]; a whole new snapshot is
//! swapped in at once, so a reader never sees a mix of old and new feeds. Every file is
//! compressed (gzip, brotli) once per regeneration, never per request. Only generated
//! feeds are served: request paths are looked up in the snapshot, never on disk.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tracing::{info, warn};

use crate::edges::output::content_tag;
use crate::edges::watch::{Update, WatchError, WatchOptions};

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

/// One file as it is served: its bytes in every encoding, validators, type.
#[derive(Debug)]
pub struct Entry {
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
    /// The hex XXH3-128 of the identity bytes (a strong validator: every replica of a
    /// site computes the same one).
    etag: String,
    /// When these bytes were first produced (moves forward with every change).
    last_modified: SystemTime,
    content_type: &'static str,
}

impl Entry {
    fn new(path: &str, bytes: Vec<u8>, etag: String, last_modified: SystemTime) -> Entry {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = gz.write_all(&bytes);
        let gzip = gz.finish().unwrap_or_default();
        let mut brotli = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 6, 22);
            let _ = w.write_all(&bytes);
        }
        Entry {
            identity: Bytes::from(bytes),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
            etag,
            last_modified,
            content_type: content_type(path),
        }
    }
}

fn content_type(path: &str) -> &'static str {
    if path == "opml.xml" {
        "text/x-opml; charset=utf-8"
    } else if path.ends_with("atom.xml") {
        "application/atom+xml; charset=utf-8"
    } else if path.ends_with(".json") {
        "application/feed+json"
    } else {
        "application/rss+xml; charset=utf-8"
    }
}

/// Everything served at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    files: HashMap<String, Arc<Entry>>,
    feeds_url: String,
    hub: Option<String>,
    wordpress_urls: bool,
    max_age: u64,
    regenerated: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

/// The current snapshot, swapped whole on every regeneration.
#[derive(Debug, Default, Clone)]
pub struct Store(Arc<RwLock<Arc<Snapshot>>>);

impl Store {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.0.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Build the next snapshot from an update; returns the paths whose bytes changed.
    pub fn publish(&self, update: Update) -> Vec<String> {
        let old = self.snapshot();
        let mut files = if update.full { HashMap::new() } else { old.files.clone() };
        let mut changed = Vec::new();
        for path in &update.removed {
            if files.remove(path).is_some() {
                changed.push(path.clone());
            }
        }
        let now = SystemTime::now();
        for (path, (bytes, since)) in update.files {
            let etag = format!("{:032x}", content_tag(&bytes));
            let before = old.files.get(&path);
            if let Some(same) = before.filter(|e| e.etag == etag) {
                files.insert(path, same.clone());
                continue;
            }
            let entry = Entry::new(&path, bytes, etag, last_modified(before.map(|e| e.last_modified), since, now));
            changed.push(path.clone());
            files.insert(path, Arc::new(entry));
        }
        if update.full {
            changed.extend(old.files.keys().filter(|p| !files.contains_key(*p)).cloned());
        }
        let config = update.config.as_ref();
        let next = Snapshot {
            files,
            feeds_url: config.map(|c| c.feeds_url.clone()).unwrap_or_default(),
            hub: config.and_then(|c| c.websub_hub.clone()),
            wordpress_urls: config.is_some_and(|c| c.wordpress_urls),
            max_age: config.map_or(300, |c| c.cache_max_age),
            regenerated: Some(Utc::now()),
            last_error: update.errors.first().cloned(),
        };
        if let Ok(mut current) = self.0.write() {
            *current = Arc::new(next);
        }
        changed.sort();
        changed
    }
}

/// `Last-Modified` for new bytes: when `--out` first held them if that is known (so it
/// survives restarts), else now — and always after the bytes they replace, to the second,
/// because a libcurl reader discards a 200 whose `Last-Modified` is not newer than its own.
fn last_modified(before: Option<SystemTime>, since: Option<u64>, now: SystemTime) -> SystemTime {
    let second = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let produced = since.unwrap_or_else(|| second(now));
    let seconds = match before {
        Some(old) => produced.max(second(old) + 1),
        None => produced,
    };
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
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
            for path in changed.iter().filter(|p| *p != "opml.xml" && snapshot.files.contains_key(*p)) {
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

/// The whole response to one request (pure: snapshot and request in, response out).
pub fn respond(snapshot: &Snapshot, method: &Method, uri: &hyper::Uri, headers: &HeaderMap) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n", &[(header::ALLOW, "GET, HEAD")]);
    }
    let Some(path) = decode_path(uri.path()) else { return not_found() };
    if path == "healthz" {
        let body = serde_json::json!({
            "feeds": snapshot.files.len(),
            "last_regeneration": snapshot.regenerated.map(|t| t.to_rfc3339()),
            "last_error": snapshot.last_error,
        });
        let mut response = plain(StatusCode::OK, &format!("{body}\n"), &[(header::CACHE_CONTROL, "no-store")]);
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return head_only(method, response);
    }
    if snapshot.wordpress_urls
        && let Some(target) = wordpress_redirect(&path, uri.query()).filter(|t| snapshot.files.contains_key(t))
    {
        let location = format!("/{target}");
        return plain(StatusCode::MOVED_PERMANENTLY, "moved\n", &[(header::LOCATION, &location)]);
    }
    let Some(entry) = snapshot.files.get(&path) else { return not_found() };
    let (body, encoding, suffix) = match choose_encoding(headers) {
        Encoding::Brotli => (&entry.brotli, Some("br"), "-br"),
        Encoding::Gzip => (&entry.gzip, Some("gzip"), "-gz"),
        Encoding::Identity => (&entry.identity, None, ""),
    };
    let etag = format!("\"{}{suffix}\"", entry.etag);
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::LAST_MODIFIED, httpdate::fmt_http_date(entry.last_modified))
        .header(header::CACHE_CONTROL, format!("public, max-age={}", snapshot.max_age))
        .header(header::VARY, "Accept-Encoding");
    if let Some(hub) = &snapshot.hub {
        builder = builder.header(
            header::LINK,
            format!(
                "<{hub}>; rel=\"hub\", <{}>; rel=\"self\"",
                crate::core::uri::encode(&format!("{}/{path}", snapshot.feeds_url))
            ),
        );
    }
    if not_modified(headers, entry) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Full::new(Bytes::new())).unwrap_or_else(|_| not_found());
    }
    builder = builder.header(header::CONTENT_TYPE, entry.content_type).header(header::CONTENT_LENGTH, body.len());
    if let Some(encoding) = encoding {
        builder = builder.header(header::CONTENT_ENCODING, encoding);
    }
    let body = if method == Method::HEAD { Bytes::new() } else { body.clone() };
    builder.status(StatusCode::OK).body(Full::new(body)).unwrap_or_else(|_| not_found())
}

fn head_only(method: &Method, mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    if method == Method::HEAD {
        *response.body_mut() = Full::new(Bytes::new());
    }
    response
}

fn plain(status: StatusCode, text: &str, extra: &[(header::HeaderName, &str)]) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(name.clone(), v);
        }
    }
    response
}

fn not_found() -> Response<Full<Bytes>> {
    plain(StatusCode::NOT_FOUND, "not found\n", &[])
}

/// The request path as a snapshot key: percent-decoded, without the leading `/`.
/// `None` for anything that is not plain UTF-8 without NUL.
fn decode_path(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(out).ok()?;
    if path.contains('\0') {
        return None;
    }
    Some(path.trim_start_matches('/').to_string())
}

#[derive(Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Brotli, else gzip, else identity, by `Accept-Encoding` (q=0 refuses).
fn choose_encoding(headers: &HeaderMap) -> Encoding {
    let mut br = false;
    let mut gzip = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        for part in value.to_str().unwrap_or_default().split(',') {
            let mut fields = part.split(';');
            let name = fields.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            match name.as_str() {
                "br" => br = true,
                "gzip" | "x-gzip" => gzip = true,
                "*" => {
                    br = true;
                    gzip = true;
                }
                _ => {}
            }
        }
    }
    if br {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `If-None-Match` (any encoding's tag of these bytes), else `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, entry: &Entry) -> bool {
    if let Some(value) = headers.get(header::IF_NONE_MATCH) {
        let value = value.to_str().unwrap_or_default();
        return value.split(',').any(|tag| {
            let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
            tag == "*" || tag.trim_end_matches("-gz").trim_end_matches("-br") == entry.etag
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| entry.last_modified <= since)
}

/// Where an old WordPress feed URL lives now (a snapshot key).
pub fn wordpress_redirect(path: &str, query: Option<&str>) -> Option<String> {
    if path.is_empty() {
        let feed = query?.split('&').find_map(|kv| kv.strip_prefix("feed="))?;
        return match feed {
            "rss2" | "rss" | "rdf" => Some("index.xml".into()),
            "atom" => Some("atom.xml".into()),
            _ => None,
        };
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let file = |kind: &str| if kind == "atom" { "atom.xml" } else { "index.xml" };
    match parts.as_slice() {
        ["feed"] => Some("index.xml".into()),
        ["feed", kind @ ("rss2" | "rss" | "rdf" | "atom")] => Some(file(kind).into()),
        [taxonomy @ ("tag" | "category"), slug, "feed"] => Some(format!("{}/{slug}/index.xml", plural(taxonomy))),
        [taxonomy @ ("tag" | "category"), slug, "feed", kind @ ("rss2" | "rss" | "atom")] => {
            Some(format!("{}/{slug}/{}", plural(taxonomy), file(kind)))
        }
        _ => None,
    }
}

fn plural(taxonomy: &str) -> &'static str {
    if taxonomy == "tag" { "tags" } else { "categories" }
}

/// Announces changed feeds to a WebSub hub from a background thread: retries with
/// backoff, and never makes a regeneration or a response wait.
struct Hub {
    queue: std::sync::mpsc::Sender<(String, String)>,
}

impl Hub {
    fn start() -> Hub {
        let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .http_status_as_error(false)
                .build()
                .into();
            for (hub, feed) in rx {
                let mut delay = Duration::from_millis(500);
                for attempt in 1..=4 {
                    let form = [("hub.mode", "publish"), ("hub.url", feed.as_str())];
                    match agent.post(&hub).send_form(form) {
                        Ok(r) if r.status().is_success() => {
                            tracing::debug!("WebSub: announced {feed}");
                            break;
                        }
                        Ok(r) => warn!("WebSub hub {hub} answered {} for {feed} (attempt {attempt})", r.status()),
                        Err(e) => warn!("WebSub hub {hub}: {e} (attempt {attempt})"),
                    }
                    std::thread::sleep(delay);
                    delay *= 2;
                }
            }
        });
        Hub { queue: tx }
    }

    fn announce(&self, hub: &str, feed: &str) {
        let _ = self.queue.send((hub.to_string(), feed.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Arc<Snapshot> {
        let store = Store::default();
        let mut update = Update { full: true, ..Update::default() };
        update.files.insert("tags/nfs/index.xml".into(), (b"<rss/>".to_vec(), Some(1_577_934_245)));
        store.publish(update);
        store.snapshot()
    }

    fn get(s: &Snapshot, path: &str, headers: &[(&str, &str)]) -> Response<Full<Bytes>> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        respond(s, &Method::GET, &path.parse().unwrap(), &map)
    }

    #[test]
    fn paths_are_looked_up_never_opened() {
        let s = snapshot();
        assert_eq!(get(&s, "/tags/nfs/index.xml", &[]).status(), StatusCode::OK);
        for bad in ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/tags/nfs/../../x", "/%00", "/%zz", "/"] {
            assert_eq!(get(&s, bad, &[]).status(), StatusCode::NOT_FOUND, "{bad}");
        }
    }

    #[test]
    fn conditional_requests() {
        let s = snapshot();
        let ok = get(&s, "/tags/nfs/index.xml", &[]);
        let etag = ok.headers()[header::ETAG].to_str().unwrap().to_string();
        assert_eq!(get(&s, "/tags/nfs/index.xml", &[("if-none-match", &etag)]).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(get(&s, "/tags/nfs/index.xml", &[("if-none-match", "\"other\"")]).status(), StatusCode::OK);
        let lm = ok.headers()[header::LAST_MODIFIED].to_str().unwrap().to_string();
        assert_eq!(lm, "Thu, 02 Jan 2020 03:04:05 GMT");
        assert_eq!(get(&s, "/tags/nfs/index.xml", &[("if-modified-since", &lm)]).status(), StatusCode::NOT_MODIFIED);
        let earlier = "Wed, 01 Jan 2020 00:00:00 GMT";
        assert_eq!(get(&s, "/tags/nfs/index.xml", &[("if-modified-since", earlier)]).status(), StatusCode::OK);
    }

    #[test]
    fn last_modified_moves_forward_with_every_change() {
        let t = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(last_modified(None, Some(100), t(500)), t(100), "when --out first held the bytes");
        assert_eq!(last_modified(None, None, t(500)), t(500));
        assert_eq!(last_modified(Some(t(500)), None, t(500)), t(501), "a change within the same second");
        assert_eq!(last_modified(Some(t(500)), Some(90), t(700)), t(501));
        let store = Store::default();
        let mut update = Update { full: true, ..Update::default() };
        update.files.insert("index.xml".into(), (b"one".to_vec(), None));
        store.publish(update);
        let first = store.snapshot().files["index.xml"].last_modified;
        for bytes in [b"two".to_vec(), b"one".to_vec()] {
            let before = store.snapshot().files["index.xml"].last_modified;
            let mut update = Update::default();
            update.files.insert("index.xml".into(), (bytes, None));
            assert_eq!(store.publish(update), ["index.xml"]);
            assert!(store.snapshot().files["index.xml"].last_modified > before);
        }
        assert!(store.snapshot().files["index.xml"].last_modified > first, "back to old bytes is still a change");
    }

    #[test]
    fn picks_an_encoding() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            choose_encoding(&m)
        };
        assert_eq!(h("gzip, deflate"), Encoding::Gzip);
        assert_eq!(h("gzip, br"), Encoding::Brotli);
        assert_eq!(h("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(h("identity"), Encoding::Identity);
        assert_eq!(choose_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn old_wordpress_urls() {
        assert_eq!(wordpress_redirect("feed/", None).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("feed/rss2/", None).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("feed/atom/", None).as_deref(), Some("atom.xml"));
        assert_eq!(wordpress_redirect("tag/nfs/feed/", None).as_deref(), Some("tags/nfs/index.xml"));
        assert_eq!(wordpress_redirect("tag/nfs/feed/atom/", None).as_deref(), Some("tags/nfs/atom.xml"));
        assert_eq!(wordpress_redirect("category/news/feed/", None).as_deref(), Some("categories/news/index.xml"));
        assert_eq!(wordpress_redirect("", Some("feed=rss2")).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("", Some("p=5&feed=atom")).as_deref(), Some("atom.xml"));
        assert_eq!(wordpress_redirect("about/", None), None);
    }
}
