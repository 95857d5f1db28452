//! A feed opened in a real browser (headless Chromium) shows a page, not raw XML: from
//! `serve`, made on the server for the browser's own `Accept` header; from a plain
//! static host, made by the browser from `feed.xsl`. A feed reader asking for the same
//! URL gets the feed. `.ci/run` installs Chromium; under `CI=1` a missing browser fails
//! the tests instead of skipping them.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestSite;
use common::daemon::Daemon;
use common::http::{Answer, Server};

const CONFIG: &str = "title: Lab\nbase_url: https://lab.example.org\ndescription: Notes from the lab\n";

fn site() -> TestSite {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: Alpha & Omega\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First post.\n");
    site.post("b", "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]", "Second post, *with* markup.\n");
    site
}

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok());
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "Chromium is missing (.ci/run installs it)");
        eprintln!("skipped: no Chromium on this machine");
    }
    found
}

/// The DOM Chromium ends up with at `url`, as HTML (the page a reader would see).
fn dom(browser: &str, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Chromium did not finish loading {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_browser_gets_a_page_from_serve_and_a_reader_gets_the_feed() {
    let Some(browser) = chromium() else { return };
    let server = Daemon::serve(site(), &[]);
    for feed in ["index.xml", "tags/nfs/atom.xml"] {
        let page = dom(browser, &format!("http://{}/{feed}", server.addr));
        assert!(page.contains("<h1><a href=\"https://lab.example.org/"), "{feed}:\n{page}");
        assert!(page.contains(">Alpha &amp; Omega</a></h2>"), "{feed}:\n{page}");
        assert!(page.contains(">Beta</a></h2>"), "{feed}:\n{page}");
        assert!(page.contains("copy this address into your feed reader"), "{feed}:\n{page}");
        assert!(!page.contains("xslt-warning"), "made on the server, not by the browser's XSLT:\n{page}");
    }
    // The same URL with a reader's Accept header: the feed itself.
    let reader = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8";
    let r = server.get("/index.xml", &[("accept", reader)]);
    assert_eq!(r.header("content-type"), "application/rss+xml; charset=utf-8");
    assert_eq!(r.header("vary"), "Accept, Accept-Encoding");
    let feed = feed_rs::parser::parse(r.body.as_slice()).unwrap();
    assert_eq!(feed.entries.len(), 2);
    let r = server.get("/index.xml", &[]);
    assert!(r.body.starts_with(b"<?xml"), "no Accept header: the feed");
    // A browser's Accept: the page, with its own validator.
    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = server.get("/index.xml", &[("accept", browser_accept)]);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(page.header("vary"), "Accept, Accept-Encoding");
    assert_ne!(page.header("etag"), r.header("etag"));
    let etag = page.header("etag").to_string();
    assert_eq!(server.get("/index.xml", &[("accept", browser_accept), ("if-none-match", &etag)]).status, 304);
}

#[test]
fn on_a_static_host_the_browser_makes_the_page_from_feed_xsl() {
    let Some(browser) = chromium() else { return };
    let site = site();
    site.build_ok();
    // A static host that knows nothing of feeds: files as they are, with XML types.
    let mut answers = BTreeMap::new();
    for (rel, bytes) in site.out_files() {
        let kind = if rel.ends_with(".xsl") { "text/xsl" } else { "application/xml" };
        answers.insert(format!("/{rel}"), Answer::ok(kind, bytes));
    }
    let host = Server::start(answers);
    let rss = String::from_utf8(std::fs::read(site.out().join("index.xml")).unwrap()).unwrap();
    assert!(rss.contains("<?xml-stylesheet type=\"text/xsl\" href=\"/feed.xsl\"?>"), "{rss}");
    for feed in ["/index.xml", "/atom.xml"] {
        let page = dom(browser, &host.url(feed));
        assert!(page.contains(">Alpha &amp; Omega</a></h2>"), "{feed}:\n{page}");
        assert!(page.contains(">Beta</a></h2>"), "{feed}:\n{page}");
        assert!(page.contains("<em>with</em>"), "summaries shown as HTML:\n{page}");
        assert!(
            page.contains("https://lab.example.org/index.xml") || page.contains("https://lab.example.org/atom.xml")
        );
    }
}
