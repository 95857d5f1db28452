//! The whole answer to one request, as a pure function of the snapshot and the request:
//! the file by its path (never the disk), its encoding by `Accept-Encoding`, `304` for
//! a conditional request whose validator still holds.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Response, StatusCode};

use super::snapshot::{Entry, Snapshot};

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
    let with_query = uri.query().map(|q| format!("{path}?{q}"));
    let moved = with_query.as_ref().and_then(|p| snapshot.moved.get(p)).or_else(|| snapshot.moved.get(&path));
    match moved {
        Some(Some(to)) => return plain(StatusCode::MOVED_PERMANENTLY, "moved\n", &[(header::LOCATION, to)]),
        Some(None) => return plain(StatusCode::GONE, "gone: this feed no longer exists\n", &[]),
        None => {}
    }
    let Some(entry) = snapshot.files.get(&path) else { return not_found() };
    // A feed's response depends on `Accept` too: a browser gets the feed as a page.
    let xml_feed =
        entry.content_type.starts_with("application/rss+xml") || entry.content_type.starts_with("application/atom+xml");
    let vary = if xml_feed { "Accept, Accept-Encoding" } else { "Accept-Encoding" };
    // The representation: the page a browser gets (the page `feed.xsl` makes), or the
    // file in the encoding the client takes. Each has its own tag.
    let page = xml_feed && prefers_html(headers, entry.content_type);
    let (body, content_type, encoding, suffix) = if page {
        let Some(html) = crate::core::render::formats::page::html(&entry.identity) else { return not_found() };
        (Bytes::from(html), "text/html; charset=utf-8", None, PAGE_SUFFIX)
    } else {
        match choose_encoding(headers) {
            Encoding::Brotli => (entry.brotli().clone(), entry.content_type, Some("br"), "-br"),
            Encoding::Gzip => (entry.gzip().clone(), entry.content_type, Some("gzip"), "-gz"),
            Encoding::Identity => (entry.identity.clone(), entry.content_type, None, ""),
        }
    };
    let etag = format!("\"{}{suffix}\"", entry.etag);
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::LAST_MODIFIED, httpdate::fmt_http_date(entry.last_modified))
        .header(
            header::CACHE_CONTROL,
            crate::edges::output::cache_control(&path, snapshot.max_age, |p| snapshot.files.contains_key(p)),
        )
        .header(header::VARY, vary);
    if let Some(hub) = &snapshot.hub {
        builder = builder.header(
            header::LINK,
            format!(
                "<{hub}>; rel=\"hub\", <{}>; rel=\"self\"",
                crate::core::uri::encode(&format!("{}/{path}", snapshot.feeds_url))
            ),
        );
    }
    if not_modified(headers, entry, page) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Full::new(Bytes::new())).unwrap_or_else(|_| not_found());
    }
    builder = builder.header(header::CONTENT_TYPE, content_type).header(header::CONTENT_LENGTH, body.len());
    if let Some(encoding) = encoding {
        builder = builder.header(header::CONTENT_ENCODING, encoding);
    }
    let body = if method == Method::HEAD { Bytes::new() } else { body };
    builder.status(StatusCode::OK).body(Full::new(body)).unwrap_or_else(|_| not_found())
}

/// The tag suffix of a feed's page (its other representations: `-gz`, `-br`, none).
const PAGE_SUFFIX: &str = "-html";

/// Whether `Accept` names `text/html` and ranks it above every type the feed could be
/// sent as (its own, XML's, and the wildcards): what browsers send, and feed readers
/// do not (they list feed types, or only `*/*`).
fn prefers_html(headers: &HeaderMap, feed_type: &str) -> bool {
    let feed_type = feed_type.split(';').next().unwrap_or_default();
    let (mut html, mut feed) = (0.0f32, 0.0f32);
    for (range, q) in weighted(headers, header::ACCEPT) {
        match range.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "*/*" | "application/*" | "application/xml" | "text/xml" => feed = feed.max(q),
            r if r == feed_type => feed = feed.max(q),
            _ => {}
        }
    }
    html > feed
}

/// Each entry of a header with quality values (`Accept`, `Accept-Encoding`): its name,
/// lower-cased, and its `q` (1 when not given).
fn weighted(headers: &HeaderMap, name: header::HeaderName) -> Vec<(String, f32)> {
    let mut entries = Vec::new();
    for value in headers.get_all(name) {
        for part in value.to_str().unwrap_or_default().split(',') {
            let mut fields = part.split(';');
            let entry = fields.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            entries.push((entry, q));
        }
    }
    entries
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
    for (name, q) in weighted(headers, header::ACCEPT_ENCODING) {
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
    if br {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `If-None-Match` (any encoding's tag of these bytes; the page's tag for the page),
/// else `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, entry: &Entry, page: bool) -> bool {
    if let Some(value) = headers.get(header::IF_NONE_MATCH) {
        let value = value.to_str().unwrap_or_default();
        return value.split(',').any(|tag| {
            let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
            let same = match tag.strip_suffix(PAGE_SUFFIX) {
                Some(hash) => page && hash == entry.etag,
                None => !page && tag.trim_end_matches("-gz").trim_end_matches("-br") == entry.etag,
            };
            tag == "*" || same
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| entry.last_modified <= since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edges::serve::snapshot::tests::snapshot;

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
    fn browsers_get_a_page_and_readers_the_feed() {
        let accept = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            prefers_html(&m, "application/rss+xml; charset=utf-8")
        };
        let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(accept(chromium) && accept(firefox));
        for reader in [
            "*/*",
            "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8",
            "application/rss+xml, text/html;q=0.5",
            "text/html, application/rss+xml",
        ] {
            assert!(!accept(reader), "{reader}");
        }
        assert!(!prefers_html(&HeaderMap::new(), "application/rss+xml"));
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
}
