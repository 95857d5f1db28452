//! Switching a live blog to feedwright re-delivers no item: `adopt` pins the ids readers
//! hold — read from the feeds they subscribed to, in the three shapes readers hold
//! (WordPress `?p=N` over http, Hugo's permalinks, jekyll-feed's URLs without the trailing
//! slash) — and `build` then publishes exactly those ids, checked with an independent
//! parser (feed-rs). A published id never changes silently. Fixtures are served from
//! 127.0.0.1 by the test.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use common::http::{Answer, Server};
use common::{TestSite, feeds, stderr};

fn fixture(name: &str) -> Vec<u8> {
    fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/switching").join(name)).unwrap()
}

/// The ids and titles of a feed, read by feed-rs.
fn items(bytes: &[u8]) -> BTreeMap<String, String> {
    let feed = feed_rs::parser::parse(bytes).unwrap();
    feed.entries.into_iter().map(|e| (e.id, e.title.map(|t| t.content).unwrap_or_default())).collect()
}

/// The blog today: moved to https, one post's file renamed, one slug changed, posts from
/// its WordPress, Jekyll and Hugo eras, and one brand new.
fn moved_site() -> TestSite {
    let site = TestSite::new("title: Lab Notes\nbase_url: https://lab.example.org\n");
    site.post(
        "2008-02-06-nfs-datastores",
        "title: NFS Datastores\ndate: 2008-02-06T20:05:10Z\nurl: /2008/02/06/nfs-datastores/\nwordpress_id: 101",
        "Mounting NFS datastores on ESX.\n",
    );
    site.post(
        "vst-5-renamed",
        "title: 'Virtualization Short Take #5'\ndate: 2008-03-05 16:45:00 -0500\nurl: /2008/03/05/vst-5/\nwordpress_id: 102",
        "Links.\n",
    );
    site.post(
        "2010-05-05-jekyll-era-post",
        "title: A Jekyll-Era Post\ndate: 2010-05-05T12:00:00Z\nurl: /2010/05/05/jekyll-era-post/",
        "Written with Jekyll.\n",
    );
    site.post(
        "2016-01-10-after-the-move",
        "title: Written After The Move\ndate: 2016-01-10T10:00:00Z\nurl: /2016/01/10/after-the-move/",
        "First post on Hugo.\n",
    );
    site.post(
        "2016-02-02-new-slug",
        "title: A Post Whose Slug Changed\ndate: 2016-02-02T09:00:00Z\nurl: /2016/02/02/new-slug/",
        "The slug was fixed later.\n",
    );
    site.post("2020-01-01-brand-new", "title: Brand New\ndate: 2020-01-01", "Never in an old feed.\n");
    site
}

fn fixtures_server() -> Server {
    let mut answers = BTreeMap::new();
    answers.insert("/feed/".to_string(), Answer::ok("application/rss+xml", fixture("wordpress.xml")));
    answers.insert("/index.xml".to_string(), Answer::ok("application/rss+xml", fixture("hugo.xml")));
    answers.insert("/feed.xml".to_string(), Answer::redirect("/jekyll/feed.xml"));
    answers.insert("/jekyll/feed.xml".to_string(), Answer::ok("application/atom+xml", fixture("jekyll.atom")));
    answers.insert(
        "/feeds.opml".to_string(),
        Answer::ok(
            "text/x-opml",
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>f</title></head><body>\
             <outline text=\"WP\" xmlUrl=\"/feed/\"/><outline text=\"Hugo\" xmlUrl=\"/index.xml\"/></body></opml>",
        ),
    );
    answers.insert("/page/".to_string(), Answer::ok("text/html", "<!DOCTYPE html><html><body>a page</body></html>"));
    answers.insert("/broken.xml".to_string(), Answer::ok("application/rss+xml", "<rss><channel><item><title>x"));
    Server::start(answers)
}

fn run(site: &TestSite, args: &[&str]) -> std::process::Output {
    let root = site.root().to_str().unwrap().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--site", &root]);
    site.run(&all)
}

#[test]
fn after_adopt_every_old_item_keeps_the_id_readers_hold() {
    let site = moved_site();
    let server = fixtures_server();
    let sources = [server.url("/feed/"), server.url("/index.xml"), server.url("/feed.xml")];
    let srcs: Vec<&str> = sources.iter().map(String::as_str).collect();

    // Before: the dry run names every post whose id would change, and fails.
    let mut check = vec!["check", "--against"];
    check.extend(&srcs);
    let before = run(&site, &check);
    let err = stderr(&before);
    assert_eq!(before.status.code(), Some(1), "{err}");
    for post in ["nfs-datastores", "vst-5-renamed", "jekyll-era-post", "after-the-move", "new-slug"] {
        assert!(err.contains(post) && err.contains("readers hold"), "{post} missing in:\n{err}");
    }

    let mut adopt = vec!["adopt"];
    adopt.extend(&srcs);
    let out = run(&site, &adopt);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}{}", stderr(&out));
    assert!(report.contains("read 6 item(s) from 3 source(s)"), "{report}");
    assert!(
        report.contains("matched 6 item(s) to posts: 0 post(s) already publish the id readers hold, 5 need a pin"),
        "{report}"
    );
    assert!(report.contains("`guid_base: http://lab.example.org`"), "{report}");
    let pins = fs::read_to_string(site.root().join("feedwright.ids")).unwrap();
    assert_eq!(pins.lines().filter(|l| !l.starts_with('#')).count(), 5, "{pins}");

    // Running it again changes nothing.
    let modified = fs::metadata(site.root().join("feedwright.ids")).unwrap().modified().unwrap();
    let again = run(&site, &adopt);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged"));
    assert_eq!(fs::metadata(site.root().join("feedwright.ids")).unwrap().modified().unwrap(), modified);

    assert!(run(&site, &check).status.success(), "the dry run passes once pinned");
    site.build_ok();
    for feed in ["index.xml", "atom.xml"] {
        let built = items(&fs::read(site.out().join(feed)).unwrap());
        for fixture_name in ["wordpress.xml", "hugo.xml", "jekyll.atom"] {
            for (id, title) in items(&fixture(fixture_name)) {
                assert!(built.contains_key(&id), "{feed} lacks `{id}` ({title}) from {fixture_name}: {built:?}");
            }
        }
        assert!(built.values().any(|t| t == "Brand New"), "the new post is there too");
    }
}

#[test]
fn an_opml_list_gzip_and_a_previous_out_folder_are_sources_too() {
    let site = moved_site();
    let server = fixtures_server();
    let out = run(&site, &["adopt", &server.url("/feeds.opml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("read 5 item(s) from 1 source(s)"));
    assert!(server.requests.lock().unwrap().iter().any(|p| p == "/index.xml gzip"), "fetched with gzip");

    // A previous --out knows each post's id by file: build under the old http address,
    // move to https, adopt that folder, and every id stays.
    let old = moved_site();
    old.write("feedwright.yaml", "title: Lab Notes\nbase_url: http://lab.example.org\n");
    old.build_ok();
    let published = items(&fs::read(old.out().join("index.xml")).unwrap());
    let moved = moved_site();
    let out = run(&moved, &["adopt", old.out().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    moved.build_ok();
    let now = items(&fs::read(moved.out().join("index.xml")).unwrap());
    assert_eq!(now.keys().collect::<BTreeSet<_>>(), published.keys().collect::<BTreeSet<_>>());
}

#[test]
fn a_build_never_changes_a_published_id_silently() {
    let site = moved_site();
    site.write("feedwright.yaml", "title: Lab Notes\nbase_url: http://lab.example.org\n");
    site.build_ok();
    let before = site.out_files();
    // The move to https, as a user would make it.
    site.write("feedwright.yaml", "title: Lab Notes\nbase_url: https://lab.example.org\n");
    let out = site.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(site.out_files(), before, "--out changed although ids would");
    // The WordPress ids name the scheme; tag URIs name only the host, so they stay.
    for post in ["nfs-datastores", "vst-5-renamed"] {
        assert!(err.contains(&format!("{post}.md:1: error: its id would change from `")), "{post}:\n{err}");
    }
    for post in ["jekyll-era-post", "after-the-move", "new-slug", "brand-new"] {
        assert!(!err.contains(&format!("{post}.md")), "{post}:\n{err}");
    }
    assert!(err.contains("`guid_base` or `base_url` changed"), "{err}");
    assert!(err.contains("--accept-id-changes"), "{err}");
    // --keep-going publishes, with the ids readers hold.
    let kept = site.build(&["--keep-going"]);
    assert_eq!(kept.status.code(), Some(1));
    let published = items(&fs::read(site.out().join("index.xml")).unwrap());
    assert!(published.contains_key("http://lab.example.org/?p=101"), "{published:?}");
    // Accepting the change publishes the new ids.
    let accepted = site.build(&["--accept-id-changes"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    let published = items(&fs::read(site.out().join("index.xml")).unwrap());
    assert!(published.contains_key("https://lab.example.org/?p=101"), "{published:?}");
    // And from then on those are the ids held: a plain build passes again.
    site.build_ok();
}

#[test]
fn bad_sources_and_a_bad_pins_file_write_no_pin() {
    let site = moved_site();
    let server = fixtures_server();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    for (source, message) in [
        (server.url("/broken.xml"), "not a feed"),
        (server.url("/page/"), "HTML page, not a feed"),
        (server.url("/missing.xml"), "answered 404"),
        (format!("http://{closed}/feed/"), "cannot fetch"),
        ("/nonexistent/feed.xml".to_string(), "cannot read"),
    ] {
        let out = run(&site, &["adopt", &server.url("/feed/"), &source]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{source}: {err}");
        assert!(err.contains(message) && err.contains("no pin was written"), "{source}: {err}");
        assert!(!site.root().join("feedwright.ids").exists(), "{source}");
    }
    site.write("feedwright.ids", "content/post/2016-02-02-new-slug.md\n");
    site.build_ok_or_fail_with(2, "feedwright.ids:1: error:");
    let before = feeds(&site.out());
    let out = run(&site, &["adopt", &server.url("/feed/")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(site.root().join("feedwright.ids")).unwrap(),
        "content/post/2016-02-02-new-slug.md\n"
    );
    assert_eq!(feeds(&site.out()), before);
}

#[test]
fn the_daemon_reads_pins_as_input_and_keeps_a_published_id_until_pinned() {
    let site = moved_site();
    let d = common::daemon::Daemon::watch(site, &[]);
    d.settles("the first build");
    // A pin written while the daemon runs is in force at once (for a post not yet
    // published: pinning another id over a published one is itself an id change).
    d.site.write("feedwright.ids", "content/post/2021-01-01-restored.md urn:uuid:restored\n");
    d.site.post("2021-01-01-restored", "title: Restored From A Backup\ndate: 2021-01-01", "x\n");
    d.wait(
        || fs::read_to_string(d.site.out().join("index.xml")).unwrap_or_default().contains("urn:uuid:restored"),
        "the pin to be published",
    );
    // A slug edit would change an id readers hold: the daemon says so once and keeps it.
    d.site.post(
        "2016-01-10-after-the-move",
        "title: Written After The Move\ndate: 2016-01-10T10:00:00Z\nurl: /2016/01/10/moved-again/",
        "First post on Hugo.\n",
    );
    d.wait(|| d.log().contains("after-the-move.md:1: error: its id would change"), "the error");
    d.wait(
        || fs::read_to_string(d.site.out().join("index.xml")).unwrap_or_default().contains("/2016/01/10/moved-again/"),
        "the new link",
    );
    let feed = fs::read_to_string(d.site.out().join("index.xml")).unwrap();
    assert!(feed.contains("tag:lab.example.org,2016-01-10:/2016/01/10/after-the-move/"), "the old id stays:\n{feed}");
    assert_eq!(d.log().matches("after-the-move.md:1: error: its id would change").count(), 1, "{}", d.log());
}
