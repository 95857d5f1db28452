//! `feedwright serve` with a real HTTP client (raw HTTP/1.1 over TCP, so nothing is
//! hidden by a client library) against the server on an ephemeral loopback port.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestSite;
use common::daemon::{Daemon, wait_for};

struct Server(Daemon);

impl std::ops::Deref for Server {
    type Target = Daemon;
    fn deref(&self) -> &Daemon {
        &self.0
    }
}

impl Server {
    fn start(config: &str, extra: &[&str]) -> Server {
        let site = TestSite::new(config);
        site.post(
            "a",
            "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS, VMware]\nwordpress_id: 11",
            "First post.\n",
        );
        site.post(
            "b",
            "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]\ncategories: News\nwordpress_id: 12",
            "Second.\n",
        );
        Server(Daemon::serve(site, extra))
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

fn poll(ok: impl FnMut() -> bool, what: &str) {
    wait_for(ok, what);
}

const CONFIG: &str = "title: Lab\nbase_url: https://lab.example.org\nformats: [rss, atom, json]\ncache_max_age: 120\n";

#[test]
fn every_kind_of_file_with_the_right_headers() {
    let s = Server::start(CONFIG, &[]);
    // An RSS or Atom file's response varies by `Accept` too (a browser gets a page).
    for (path, kind, vary) in [
        ("/index.xml", "application/rss+xml; charset=utf-8", "Accept, Accept-Encoding"),
        ("/tags/nfs/atom.xml", "application/atom+xml; charset=utf-8", "Accept, Accept-Encoding"),
        ("/categories/news/feed.json", "application/feed+json; charset=utf-8", "Accept-Encoding"),
        ("/opml.xml", "text/x-opml; charset=utf-8", "Accept-Encoding"),
        ("/feed.xsl", "text/xsl; charset=utf-8", "Accept-Encoding"),
        ("/feeds.json", "application/json; charset=utf-8", "Accept-Encoding"),
    ] {
        let r = s.get(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), kind, "{path}");
        assert!(r.header("etag").starts_with('"') && r.header("etag").ends_with('"'), "strong ETag for {path}");
        assert!(!r.header("last-modified").is_empty(), "{path}");
        assert_eq!(r.header("cache-control"), "public, max-age=120");
        assert_eq!(r.header("vary"), vary, "{path}");
        assert_eq!(r.header("content-length"), r.body.len().to_string());
    }
    // Last-Modified is when the server first produced these bytes, not an item's date:
    // so it moves forward with every change, as libcurl readers need.
    let served = httpdate::parse_http_date(s.get("/index.xml", &[]).header("last-modified")).unwrap();
    let age = std::time::SystemTime::now().duration_since(served).unwrap();
    assert!(age < std::time::Duration::from_secs(60), "{age:?}");
}

#[test]
fn conditional_gets_answer_304_without_a_body() {
    let s = Server::start(CONFIG, &[]);
    let first = s.get("/tags/nfs/index.xml", &[]);
    let etag = first.header("etag").to_string();
    let r = s.get("/tags/nfs/index.xml", &[("If-None-Match", &etag)]);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), etag);
    let r = s.get("/tags/nfs/index.xml", &[("If-Modified-Since", first.header("last-modified"))]);
    assert_eq!(r.status, 304);
    let r = s.get("/tags/nfs/index.xml", &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]);
    assert_eq!(r.status, 200);
    let r = s.get("/tags/nfs/index.xml", &[("If-None-Match", "\"stale\"")]);
    assert_eq!(r.status, 200);
}

#[test]
fn gzip_brotli_and_identity_are_the_same_feed() {
    let s = Server::start(CONFIG, &[]);
    let plain = s.get("/index.xml", &[]);
    assert!(plain.header("content-encoding").is_empty());
    let gz = s.get("/index.xml", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_eq!(gunzip(&gz.body), plain.body);
    let br = s.get("/index.xml", &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(br.header("content-encoding"), "br");
    assert_eq!(unbrotli(&br.body), plain.body);
    assert_ne!(gz.header("etag"), plain.header("etag"), "each encoding has its own strong ETag");
    // A conditional GET with the gzip ETag still matches the same bytes.
    assert_eq!(s.get("/index.xml", &[("Accept-Encoding", "gzip"), ("If-None-Match", gz.header("etag"))]).status, 304);
}

#[test]
fn head_405_404_and_no_path_reaches_the_disk() {
    let s = Server::start(CONFIG, &[]);
    let head = s.request("HEAD /atom.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-type"), "application/atom+xml; charset=utf-8");
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = s.request(&format!(
            "{method} /atom.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), "GET, HEAD");
    }
    fs::write(s.site.root().join("secret.xml"), "secret").unwrap();
    for path in [
        "/nope.xml",
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/tags/../../../etc/passwd",
        "/feedwright.yaml",
        "/secret.xml",
        "/content/post/a.md",
        "/%00",
    ] {
        let r = s.request(&format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assert_eq!(r.status, 404, "{path}");
    }
    let health: serde_json::Value = serde_json::from_slice(&s.get("/healthz", &[]).body).unwrap();
    assert!(health["feeds"].as_u64().unwrap() > 5);
    assert!(health["last_regeneration"].is_string());
    assert!(health["last_error"].is_null());
}

#[test]
fn a_readers_story_across_an_edit() {
    let s = Server::start(CONFIG, &[]);
    let a = s.get("/tags/nfs/atom.xml", &[]);
    let etag_a = a.header("etag").to_string();
    let before = feed_rs::parser::parse(&a.body[..]).unwrap();
    assert_eq!(s.get("/tags/nfs/atom.xml", &[("If-None-Match", &etag_a)]).status, 304);

    s.site.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z\ntags: [nfs]\nwordpress_id: 13", "Third.\n");
    let mut after = None;
    poll(
        || {
            let r = s.get("/tags/nfs/atom.xml", &[("If-None-Match", &etag_a)]);
            if r.status == 200 {
                after = Some(r);
            }
            after.is_some()
        },
        "the edit to be served",
    );
    let b = after.unwrap();
    assert_ne!(b.header("etag"), etag_a);
    let feed = feed_rs::parser::parse(&b.body[..]).unwrap();
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Gamma");
    assert_eq!(feed.entries[0].id, "https://lab.example.org/?p=13");
    for old in &before.entries {
        let same = feed.entries.iter().find(|e| e.title == old.title).expect("old item still there");
        assert_eq!(same.id, old.id, "an item's id changed");
    }
}

#[test]
fn old_wordpress_feed_urls_redirect() {
    let s = Server::start(&format!("{CONFIG}wordpress_urls: true\n"), &[]);
    for (old, new) in [
        ("/feed/", "/index.xml"),
        ("/feed/rss2/", "/index.xml"),
        ("/feed/atom/", "/atom.xml"),
        ("/tag/nfs/feed/", "/tags/nfs/index.xml"),
        ("/tag/nfs/feed/atom/", "/tags/nfs/atom.xml"),
        ("/category/news/feed/", "/categories/news/index.xml"),
        ("/?feed=rss2", "/index.xml"),
        ("/?feed=atom", "/atom.xml"),
    ] {
        let r = s.get(old, &[]);
        assert_eq!(r.status, 301, "{old}");
        assert_eq!(r.header("location"), new, "{old}");
        assert_eq!(s.get(new, &[]).status, 200, "{new}");
    }
    assert_eq!(s.get("/tag/missing/feed/", &[]).status, 404);
    // Without the setting, no redirects.
    let plain = Server::start(CONFIG, &[]);
    assert_eq!(plain.get("/feed/", &[]).status, 404);
}

/// A fake WebSub hub on loopback: records every publish it receives.
fn fake_hub() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&data);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length: usize = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if data.len() >= head_end + 4 + length {
                        record.lock().unwrap().push(text[head_end + 4..].to_string());
                        let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                        break;
                    }
                }
            }
        }
    });
    (format!("http://{addr}/"), seen)
}

fn decode_form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = v.replace('+', " ");
            let mut out = Vec::new();
            let b = v.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' && i + 2 < b.len() + 1 {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            (k.to_string(), String::from_utf8(out).unwrap())
        })
        .collect()
}

fn all_feeds(s: &Server) -> BTreeMap<String, Vec<u8>> {
    let opml = String::from_utf8(s.get("/opml.xml", &[]).body).unwrap();
    let doc = roxmltree::Document::parse(&opml).unwrap();
    let mut feeds = BTreeMap::new();
    for url in doc.descendants().filter_map(|n| n.attribute("xmlUrl")) {
        let path = url.strip_prefix("https://lab.example.org").unwrap().to_string();
        for file in ["index.xml", "atom.xml", "feed.json"] {
            let p = format!("{}{file}", path.trim_end_matches("index.xml"));
            feeds.insert(p.clone(), s.get(&p, &[]).body);
        }
    }
    feeds
}

#[test]
fn websub_one_publish_per_changed_feed_and_none_for_the_rest() {
    let (hub, seen) = fake_hub();
    let s = Server::start(&format!("{CONFIG}websub_hub: {hub}\n"), &[]);
    let r = s.get("/tags/nfs/index.xml", &[]);
    assert!(
        r.header("link").contains(&format!("<{}>; rel=\"hub\"", hub.trim_end_matches('/'))),
        "{}",
        r.header("link")
    );
    assert!(r.header("link").contains("<https://lab.example.org/tags/nfs/index.xml>; rel=\"self\""));
    assert!(String::from_utf8_lossy(&r.body).contains("rel=\"hub\""));
    let before = all_feeds(&s);
    s.site.post(
        "b",
        "title: Beta edited\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]\ncategories: News\nwordpress_id: 12",
        "Second.\n",
    );
    poll(|| s.get("/index.xml", &[]).body != before["/index.xml"], "the edit");
    let after = all_feeds(&s);
    let changed: Vec<String> = before
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| format!("https://lab.example.org{k}"))
        .collect();
    assert!(changed.len() >= 6, "{changed:?}");
    poll(|| seen.lock().unwrap().len() >= changed.len(), "the hub to hear of every changed feed");
    std::thread::sleep(Duration::from_millis(300)); // any extra publish would arrive now
    let mut published: Vec<String> = seen.lock().unwrap().iter().map(|b| decode_form(b)["hub.url"].clone()).collect();
    published.sort();
    assert_eq!(published, changed, "exactly one publish per changed feed");
    for body in seen.lock().unwrap().iter() {
        assert_eq!(decode_form(body)["hub.mode"], "publish");
    }
}

#[test]
fn a_hub_that_is_down_or_slow_delays_nothing() {
    // Down: nothing listens there. Slow: accepts and never answers.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let slow = TcpListener::bind("127.0.0.1:0").unwrap();
    let slow_addr = slow.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in slow.incoming().flatten() {
            held.push(s);
        }
    });
    for hub in [format!("http://{closed}/"), format!("http://{slow_addr}/")] {
        let s = Server::start(&format!("{CONFIG}websub_hub: {hub}\n"), &[]);
        for round in 0..3 {
            let title = format!("Edit {round}");
            s.site.post("b", &format!("title: {title}\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]"), "x");
            let started = Instant::now();
            poll(|| String::from_utf8_lossy(&s.get("/index.xml", &[]).body).contains(&title), "the edit");
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "regeneration waited on the hub ({:?})",
                started.elapsed()
            );
            let t = Instant::now();
            assert_eq!(s.get("/atom.xml", &[]).status, 200);
            assert!(t.elapsed() < Duration::from_millis(500), "a response waited on the hub");
        }
    }
}

#[test]
fn a_slowloris_client_is_cut_off_while_others_are_served() {
    let s = Server::start(CONFIG, &["--header-timeout-secs", "1"]);
    let mut slow = TcpStream::connect(&s.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let request = b"GET /index.xml HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let started = Instant::now();
    let mut closed_after = None;
    for &byte in request.iter() {
        if slow.write_all(&[byte]).is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        // Others are served meanwhile.
        assert_eq!(s.get("/atom.xml", &[]).status, 200);
        let mut buf = [0u8; 512];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed_after = Some(started.elapsed());
                break;
            }
            Ok(_) => {
                closed_after = Some(started.elapsed()); // a 408 before the request was complete
                break;
            }
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(400));
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    let closed_after = closed_after.expect("the slow client was never cut off");
    assert!(closed_after < Duration::from_secs(4), "cut off only after {closed_after:?}");
}
