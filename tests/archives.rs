//! RFC 5005 archived feeds (`archives: true`): a client that follows the links from each
//! subscription feed gets every post of the feed once; full archive documents never
//! change when a post arrives; `watch` and `serve` treat them as a reader expects.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::TestSite;
use common::daemon::Daemon;

const BASE: &str = "https://lab.example.org";

/// `posts` daily posts from 2020-01-01, every other one tagged `even`, the others `odd`.
fn site(posts: usize, extra_config: &str) -> TestSite {
    let site = TestSite::new(&format!("title: Lab\nbase_url: {BASE}\narchives: true\n{extra_config}"));
    for i in 0..posts {
        site.post(&format!("p{i:03}"), &front(i, ""), &format!("Post number {i}.\n"));
    }
    site
}

fn front(i: usize, suffix: &str) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
    let tag = if i.is_multiple_of(2) { "even" } else { "odd" };
    format!("title: Day {i} notes{suffix}\ndate: {date}T10:00:00Z\ntags: [{tag}]")
}

/// One feed document as an RFC 5005 client reads it.
struct Doc {
    archive: bool,
    /// rel → href.
    links: BTreeMap<String, String>,
    /// (id, title) of each item, in document order.
    items: Vec<(String, String)>,
    text: String,
}

fn read(out: &Path, url: &str) -> Doc {
    let rel = url.strip_prefix(&format!("{BASE}/")).unwrap_or_else(|| panic!("{url} is not under {BASE}"));
    let text = fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let root = doc.root_element();
    let history = "http://purl.org/syndication/history/1.0";
    let archive =
        root.descendants().any(|n| n.tag_name().namespace() == Some(history) && n.tag_name().name() == "archive");
    let links = root
        .descendants()
        .filter(|n| n.tag_name().name() == "link" && n.attribute("rel").is_some())
        .filter(|n| n.parent().is_some_and(|p| p.tag_name().name() != "entry" && p.tag_name().name() != "item"))
        .map(|n| (n.attribute("rel").unwrap().to_string(), n.attribute("href").unwrap_or_default().to_string()))
        .collect();
    let child = |n: roxmltree::Node, name: &str| {
        n.children().find(|c| c.tag_name().name() == name).and_then(|c| c.text()).unwrap_or_default().to_string()
    };
    let items = root
        .descendants()
        .filter(|n| n.tag_name().name() == "item" || n.tag_name().name() == "entry")
        .map(|n| {
            let id = if n.tag_name().name() == "item" { child(n, "guid") } else { child(n, "id") };
            (id, child(n, "title"))
        })
        .collect();
    Doc { archive, links, items, text }
}

/// The items of an element kind (`item`, `entry`) of a document, as text, by id.
fn item_texts(doc: &Doc) -> BTreeMap<String, String> {
    let (open, close) = if doc.text.contains("<rss") { ("<item>", "</item>") } else { ("<entry>", "</entry>") };
    doc.text
        .split(open)
        .skip(1)
        .map(|rest| rest.split(close).next().unwrap().to_string())
        .map(|item| (doc.items.iter().find(|(id, _)| item.contains(id.as_str())).unwrap().0.clone(), item))
        .collect()
}

/// What an RFC 5005 client makes of a feed: start from the subscription document,
/// follow `prev-archive` to the end, check every archive document on the way, and
/// return the feed's whole history (titles, newest first, each post once).
fn full_history(out: &Path, feed: &str) -> Vec<String> {
    let subscription = read(out, &format!("{BASE}/{feed}"));
    assert!(!subscription.archive, "{feed}: the subscription feed is no archive");
    let own = subscription.links.get("self").cloned().unwrap();
    let mut next = subscription.links.get("prev-archive").cloned();
    let mut archived: Vec<(String, String)> = Vec::new();
    let mut newer: Option<String> = None;
    let mut visited = BTreeSet::new();
    while let Some(url) = next {
        assert!(visited.insert(url.clone()), "{feed}: the archive links loop at {url}");
        let doc = read(out, &url);
        assert!(doc.archive, "{url} lacks <fh:archive/>");
        assert_eq!(doc.links.get("current"), Some(&own), "{url}: rel=current is the subscription feed");
        assert_eq!(doc.links.get("self"), Some(&url), "{url}: rel=self");
        assert_eq!(doc.links.get("next-archive"), newer.as_ref(), "{url}: rel=next-archive is the page it came from");
        // Items in archives are the bytes of the subscription feed's items.
        let in_feed = item_texts(&subscription);
        for (id, text) in item_texts(&doc) {
            if let Some(same) = in_feed.get(&id) {
                assert_eq!(&text, same, "{url}: item {id} differs from the subscription feed's");
            }
        }
        archived.extend(doc.items);
        newer = Some(url);
        next = doc.links.get("prev-archive").cloned();
    }
    let ids: Vec<&String> = archived.iter().map(|(id, _)| id).collect();
    let unique: BTreeSet<&String> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{feed}: an item is in two archive documents");
    for (id, title) in &subscription.items {
        assert!(unique.contains(id), "{feed}: {title} ({id}) is in the feed but in no archive document");
    }
    archived.into_iter().map(|(_, title)| title).collect()
}

fn titles(numbers: impl Iterator<Item = usize>) -> Vec<String> {
    numbers.map(|i| format!("Day {i} notes")).collect()
}

#[test]
fn an_rfc5005_client_reconstructs_the_whole_history_of_every_feed() {
    let s = site(301, "");
    s.build_ok();
    let out = s.out();
    for feed in ["index.xml", "atom.xml"] {
        assert_eq!(full_history(&out, feed), titles((0..301).rev()), "{feed}");
    }
    for feed in ["tags/even/index.xml", "tags/even/atom.xml"] {
        assert_eq!(full_history(&out, feed), titles((0..301).rev().filter(|i| i % 2 == 0)), "{feed}");
    }
    for feed in ["tags/odd/index.xml", "tags/odd/atom.xml"] {
        assert_eq!(full_history(&out, feed), titles((0..301).rev().filter(|i| i % 2 == 1)), "{feed}");
    }
    // 50 items a page, numbered from the oldest: 301 posts are 6 full pages and a seventh
    // with one; 150 odd posts are 3 full pages and an empty fourth (a full page is always
    // followed by one, so that its links never change).
    assert!(out.join("archive/7.xml").exists() && !out.join("archive/8.xml").exists());
    assert_eq!(read(&out, &format!("{BASE}/archive/7.atom")).items.len(), 1);
    assert_eq!(read(&out, &format!("{BASE}/tags/odd/archive/4.xml")).items.len(), 0);
    assert_eq!(read(&out, &format!("{BASE}/archive/1.xml")).items.last().unwrap().1, "Day 0 notes");
    // The OPML list names subscription feeds only.
    let opml = fs::read_to_string(out.join("opml.xml")).unwrap();
    assert!(!opml.contains("archive"), "{opml}");

    // A post removed from the middle: the history is still whole (the pages after it
    // shift by one item).
    fs::remove_file(s.root().join("content/post/p100.md")).unwrap();
    s.build_ok();
    assert_eq!(full_history(&out, "index.xml"), titles((0..301).rev().filter(|&i| i != 100)));
    assert_eq!(full_history(&out, "tags/even/atom.xml"), titles((0..301).rev().filter(|&i| i % 2 == 0 && i != 100)));
}

/// Every file of `out` with its bytes and modification time.
fn stamps(out: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    common::feeds(out)
        .into_iter()
        .map(|(rel, bytes)| {
            let modified = fs::metadata(out.join(&rel)).unwrap().modified().unwrap();
            (rel, (bytes, modified))
        })
        .collect()
}

/// The files written, made or removed between two `stamps`.
fn touched(
    before: &BTreeMap<String, (Vec<u8>, SystemTime)>,
    after: &BTreeMap<String, (Vec<u8>, SystemTime)>,
) -> BTreeSet<String> {
    let all: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    all.into_iter().filter(|k| before.get(*k) != after.get(*k)).cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn a_new_post_rewrites_only_the_subscription_feeds_and_their_newest_archive_document() {
    let s = site(301, "");
    s.build_ok();
    let before = stamps(&s.out());
    s.post("p301", &front(301, ""), "The newest post.\n");
    s.build_ok();
    let mut rewritten = touched(&before, &stamps(&s.out()));
    rewritten.remove("opml.xml");
    let feeds = ["index.xml", "atom.xml", "tags/odd/index.xml", "tags/odd/atom.xml"];
    let pages = ["archive/7.xml", "archive/7.atom", "tags/odd/archive/4.xml", "tags/odd/archive/4.atom"];
    assert_eq!(rewritten, set(&[&feeds[..], &pages[..]].concat()));
}

#[test]
fn watch_rewrites_only_the_archive_documents_whose_bytes_change() {
    let d = Daemon::watch(site(120, "archive_size: 20\n"), &[]);
    let out = d.site.out();
    let before = stamps(&out);
    // An old post (the 31st, on page 2 of the site's archives and page 1 of `odd`'s),
    // out of every subscription feed's 20 items: only those pages change.
    d.site.post("p031", &front(31, ", revised"), "Post number 31, revised.\n");
    d.wait(
        || fs::read_to_string(out.join("archive/2.xml")).unwrap().contains("Day 31 notes, revised"),
        "page 2 to change",
    );
    d.wait(|| d.log().contains("rewrote"), "the write to finish");
    let rewritten = touched(&before, &stamps(&out));
    assert_eq!(
        rewritten,
        set(&["archive/2.xml", "archive/2.atom", "tags/odd/archive/1.xml", "tags/odd/archive/1.atom"]),
        "{}",
        d.log()
    );
}

#[test]
fn serve_lets_full_archive_documents_be_cached_for_a_year() {
    let d = Daemon::serve(site(7, "archive_size: 3\ncache_max_age: 120\n"), &[]);
    for (path, cache) in [
        ("/archive/1.xml", "public, max-age=31536000, immutable"),
        ("/archive/2.atom", "public, max-age=31536000, immutable"),
        ("/archive/3.xml", "public, max-age=120"),
        ("/index.xml", "public, max-age=120"),
        ("/tags/odd/archive/1.xml", "public, max-age=31536000, immutable"),
        ("/tags/odd/archive/2.xml", "public, max-age=120"),
    ] {
        let reply = d.get(path, &[]);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("cache-control"), cache, "{path}");
    }
}
