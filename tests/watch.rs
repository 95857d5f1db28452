//! `feedwright watch` on a real temp site: after every kind of file operation, once
//! quiet, `--out` is byte for byte what `feedwright build` writes for the same files.
//! No fixed sleeps: every wait polls the output with a deadline.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::daemon::Daemon;
use common::{CONFIG, TestSite};

fn post_text(title: &str, date: &str, tags: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n{body}\n")
}

fn started() -> Daemon {
    let site = TestSite::new(CONFIG);
    site.write("content/post/a.md", &post_text("A", "2020-01-01", "alpha, shared", "First."));
    site.write("content/post/b.md", &post_text("B", "2020-01-02", "beta, shared", "Second."));
    let daemon = Daemon::watch(site, &[]);
    daemon.settles("the initial build");
    daemon
}

fn path(d: &Daemon, rel: &str) -> PathBuf {
    d.site.root().join(rel)
}

#[test]
fn create_edit_retag_delete_and_rename() {
    let d = started();
    d.site.write("content/post/c.md", &post_text("C", "2020-01-03", "gamma", "New."));
    d.wait_titles("index.xml", &["C", "B", "A"]);
    d.settles("creating a post");

    d.site.write("content/post/c.md", &post_text("C", "2020-01-03", "gamma", "Edited body."));
    d.wait(|| fs::read_to_string(d.site.out().join("index.xml")).unwrap().contains("Edited body."), "the edit");
    d.settles("editing a body");

    d.site.write("content/post/a.md", &post_text("A", "2020-01-01", "delta, shared", "First."));
    d.wait(|| !d.site.out().join("tags/alpha/index.xml").exists(), "tags/alpha to go");
    d.wait_titles("tags/delta/atom.xml", &["A"]);
    d.settles("retagging a post");

    fs::remove_file(path(&d, "content/post/c.md")).unwrap();
    d.wait_titles("index.xml", &["B", "A"]);
    d.settles("deleting a post");

    fs::rename(path(&d, "content/post/b.md"), path(&d, "content/post/b-renamed.md")).unwrap();
    d.wait(|| fs::read_to_string(d.site.out().join("index.xml")).unwrap().contains("/post/b-renamed/"), "the rename");
    d.settles("renaming a post");
}

#[test]
fn editor_saves_moves_and_new_folders() {
    let d = started();
    // Save through a temp file and a rename, as most editors do.
    let tmp = path(&d, "content/post/.a.md.tmp123");
    fs::write(&tmp, post_text("A saved atomically", "2020-01-01", "alpha", "x")).unwrap();
    fs::rename(&tmp, path(&d, "content/post/a.md")).unwrap();
    d.wait_titles("tags/alpha/index.xml", &["A saved atomically"]);
    d.settles("a temp-file save");

    // vim: rename the original away, write a new file, delete the backup.
    fs::rename(path(&d, "content/post/b.md"), path(&d, "content/post/b.md~")).unwrap();
    fs::write(path(&d, "content/post/4913"), "").unwrap();
    fs::remove_file(path(&d, "content/post/4913")).unwrap();
    fs::write(path(&d, "content/post/b.md"), post_text("B by vim", "2020-01-02", "beta", "x")).unwrap();
    fs::remove_file(path(&d, "content/post/b.md~")).unwrap();
    d.wait_titles("tags/beta/index.xml", &["B by vim"]);
    d.settles("a vim-style save");

    // Move a post in from outside the site.
    let outside = tempfile::tempdir().unwrap();
    let incoming = outside.path().join("in.md");
    fs::write(&incoming, post_text("Moved in", "2020-02-01", "moved", "x")).unwrap();
    fs::rename(&incoming, path(&d, "content/post/in.md")).unwrap();
    d.wait_titles("tags/moved/index.xml", &["Moved in"]);
    d.settles("moving a post in");

    // mkdir -p with posts inside, created before the watcher can see the folders.
    let deep = path(&d, "content/post/2021/deep/er");
    fs::create_dir_all(&deep).unwrap();
    for i in 0..3 {
        fs::write(
            deep.join(format!("d{i}.md")),
            post_text(&format!("Deep {i}"), &format!("2021-01-0{}", i + 1), "deep", "x"),
        )
        .unwrap();
    }
    d.wait(|| d.feed_titles("tags/deep/index.xml").len() == 3, "three deep posts");
    d.settles("mkdir -p with posts");

    // Move the whole folder out of the site.
    fs::rename(path(&d, "content/post/2021"), outside.path().join("2021")).unwrap();
    d.wait(|| !d.site.out().join("tags/deep/index.xml").exists(), "the deep posts to go");
    d.settles("moving a folder out");
}

#[test]
fn five_hundred_files_at_once() {
    let d = started();
    for i in 0..500 {
        d.site.write(
            &format!("content/post/bulk/p{i:03}.md"),
            &post_text(&format!("Bulk {i}"), &format!("2022-01-01T00:{:02}:{:02}Z", i / 60, i % 60), "bulk", "x"),
        );
    }
    d.wait(
        || d.feed_titles("tags/bulk/index.xml").first().map(String::as_str) == Some("Bulk 499"),
        "the newest bulk post",
    );
    d.settles("writing 500 posts");
}

#[test]
fn a_broken_post_keeps_its_last_good_version_until_fixed() {
    let d = started();
    let good = d.site.out_files();
    d.site.write("content/post/a.md", "---\ntitle: [half-typed\ndate: 2020-01-01\n---\n");
    d.site.write("content/post/never.md", "---\ntitle: Never valid\n---\n");
    // Give the daemon a moment-free signal: a valid edit after the broken ones.
    d.site.write("content/post/marker.md", &post_text("Marker", "2019-01-01", "marker", "x"));
    d.wait(|| d.site.out().join("tags/marker/index.xml").exists(), "the marker post");
    let now = d.site.out_files();
    for (name, bytes) in &good {
        if !name.starts_with("tags/marker")
            && name != "opml.xml"
            && name != "feeds.json"
            && name != ".feedwright-manifest"
            && name != ".feedwright-ids"
            && !name.starts_with("index")
            && !name.starts_with("atom")
        {
            assert_eq!(now.get(name), Some(bytes), "{name} changed while a.md was broken");
        }
    }
    assert_eq!(
        d.feed_titles("index.xml"),
        ["B", "A", "Marker"],
        "the last good A stays; the never-valid post stays out"
    );

    d.site.write("content/post/a.md", &post_text("A fixed", "2020-01-01", "alpha", "x"));
    fs::remove_file(path(&d, "content/post/never.md")).unwrap();
    d.wait_titles("tags/alpha/index.xml", &["A fixed"]);
    d.settles("fixing the post");
}

#[test]
fn a_broken_config_keeps_the_old_one_until_fixed() {
    let d = started();
    d.site.write("feedwright.yaml", "base_url: [oops\n");
    d.site.write("content/post/c.md", &post_text("C", "2020-01-03", "gamma", "x"));
    d.wait_titles("tags/gamma/index.xml", &["C"]);
    assert!(fs::read_to_string(d.site.out().join("index.xml")).unwrap().contains("https://lab.example.org/post/c/"));
    d.site.write("feedwright.yaml", "title: Moved\nbase_url: https://moved.example.org\n");
    d.wait(
        || fs::read_to_string(d.site.out().join("index.xml")).unwrap().contains("https://moved.example.org/post/c/"),
        "the new config",
    );
    d.settles("fixing the config");
}

#[test]
fn a_future_post_appears_when_due_without_any_file_event() {
    let d = started();
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    d.site.write(
        "content/post/soon.md",
        &post_text("Soon", &due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "soon", "x"),
    );
    // Not yet: the site feed still lists the two old posts once the write is seen.
    d.wait(|| chrono::Utc::now() > due || d.feed_titles("index.xml") == ["B", "A"], "the future post to be ignored");
    d.wait_titles("index.xml", &["Soon", "B", "A"]);
    d.settles("the post becoming due");
}

#[test]
fn only_affected_feeds_are_rewritten() {
    let d = started();
    let mtimes = |d: &Daemon| -> Vec<(String, SystemTime)> {
        d.site
            .out_files()
            .keys()
            .map(|k| (k.clone(), fs::metadata(d.site.out().join(k)).unwrap().modified().unwrap()))
            .collect()
    };
    let before = mtimes(&d);
    std::thread::sleep(Duration::from_millis(30)); // let mtimes differ if rewritten
    d.site.write("content/post/a.md", &post_text("A", "2020-01-01", "alpha, shared", "First, edited."));
    d.wait(|| fs::read_to_string(d.site.out().join("tags/alpha/index.xml")).unwrap().contains("edited"), "the edit");
    d.settles("an edit");
    let after = mtimes(&d);
    let rewritten: Vec<&str> =
        before.iter().zip(&after).filter(|(b, a)| b.1 != a.1).map(|(b, _)| b.0.as_str()).collect();
    for name in &rewritten {
        assert!(
            [
                "index.xml",
                "atom.xml",
                "tags/alpha/index.xml",
                "tags/alpha/atom.xml",
                "tags/shared/index.xml",
                "tags/shared/atom.xml",
                ".feedwright-manifest"
            ]
            .contains(name),
            "{name} was rewritten though the edit does not touch it"
        );
    }
    assert!(rewritten.contains(&"tags/alpha/index.xml"));
    assert!(!rewritten.contains(&"tags/beta/index.xml"));
}

#[test]
fn sigterm_stops_cleanly() {
    let mut d = started();
    let status = d.terminate();
    assert!(status.success(), "{status}");
    assert!(Path::new(&d.site.out().join("index.xml")).exists());
}

#[test]
fn an_enclosure_file_added_or_replaced_later_reaches_the_feed() {
    let site = TestSite::new(CONFIG);
    site.post("ep", "title: Episode\ndate: 2020-01-01T10:00:00Z\naudio: /audio/ep.mp3", "Notes.\n");
    let d = Daemon::watch(site, &[]);
    let rss = || fs::read_to_string(d.site.out().join("index.xml")).unwrap_or_default();
    assert!(rss().contains("<title>Episode</title>") && !rss().contains("<enclosure"), "{}", rss());
    assert!(d.log().contains("no such file in the site"), "{}", d.log());
    // The audio file arrives after the post (static/ did not even exist): the feed
    // gets the enclosure with its length, and again when the file is replaced.
    d.site.write_bytes("static/audio/ep.mp3", &[0u8; 1234]);
    d.wait(|| rss().contains("length=\"1234\""), "the enclosure once its file exists");
    d.site.write_bytes("static/audio/ep.mp3", &[0u8; 2000]);
    d.wait(|| rss().contains("length=\"2000\""), "the new length");
    d.settles("the new length everywhere");
    // Any other file of the site changes no feed.
    let before = common::feeds(&d.site.out());
    d.site.write_bytes("static/images/unrelated.png", &[1u8; 10]);
    d.settles("an unrelated file");
    assert_eq!(common::feeds(&d.site.out()), before);
}
