//! The record of a build's inputs (`.feedwright-inputs`): a build with nothing changed
//! stops at it, and it is never trusted blindly — an edit in the same clock tick, a
//! tampered output, a config change, a post coming due, a corrupt, truncated or foreign
//! record all lead to a full build.

mod common;

use std::fs;
use std::time::{Duration, SystemTime};

use common::{CONFIG, TestSite, stderr};

const RECORD: &str = ".feedwright-inputs";

fn site() -> TestSite {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    site.post("b", "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]", "Second.\n");
    site
}

/// Build; whether it stopped at the record.
fn build(site: &TestSite) -> (bool, String) {
    let out = site.build_ok();
    let err = stderr(&out);
    (err.contains("(no input changed)"), err)
}

fn rss(site: &TestSite) -> String {
    fs::read_to_string(site.out().join("index.xml")).unwrap()
}

#[test]
fn a_build_with_nothing_changed_stops_at_the_record_and_an_edit_does_not() {
    let s = site();
    assert!(!build(&s).0, "the first build builds");
    let before = common::snapshot(&s.out());
    let (stopped, err) = build(&s);
    assert!(stopped, "{err}");
    assert!(err.contains("0 written"), "{err}");
    assert_eq!(common::snapshot(&s.out()), before);

    s.post("b", "title: Beta, edited\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]", "Second.\n");
    assert!(!build(&s).0);
    assert!(rss(&s).contains("Beta, edited"));
    assert!(build(&s).0);

    // A new post, a removed one, a config change: each is seen.
    s.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z", "Third.\n");
    assert!(!build(&s).0);
    assert!(rss(&s).contains("Gamma"));
    fs::remove_file(s.root().join("content/post/a.md")).unwrap();
    assert!(!build(&s).0);
    assert!(!rss(&s).contains("Alpha"));
    s.write("feedwright.yaml", &format!("{CONFIG}limit: 1\n"));
    assert!(!build(&s).0);
    assert!(!rss(&s).contains("Beta"));
    assert!(build(&s).0);
}

#[test]
fn a_post_saved_in_the_same_clock_tick_as_the_build_is_still_seen() {
    let s = site();
    build(&s);
    // The same size, the same inode, the same modification time: only the bytes differ.
    let path = s.root().join("content/post/b.md");
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap().replace("Second.", "Sekond.");
    fs::write(&path, text).unwrap();
    fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), modified);
    let (stopped, err) = build(&s);
    assert!(!stopped, "{err}");
    assert!(rss(&s).contains("Sekond"));
}

#[test]
fn an_output_file_changed_by_hand_is_written_again() {
    let s = site();
    build(&s);
    let feed = s.out().join("tags/nfs/index.xml");
    let good = fs::read(&feed).unwrap();
    fs::remove_file(&feed).unwrap();
    assert!(!build(&s).0);
    assert_eq!(fs::read(&feed).unwrap(), good);
    fs::write(&feed, "tampered").unwrap();
    assert!(!build(&s).0);
    assert_eq!(fs::read(&feed).unwrap(), good);
}

#[test]
fn a_corrupt_truncated_or_foreign_record_is_ignored_with_a_note_and_written_again() {
    let s = site();
    build(&s);
    let record = s.out().join(RECORD);
    let good = fs::read_to_string(&record).unwrap();
    let corrupt = good.replacen("started\t", "started\t1", 1);
    let truncated = good[..good.len() / 2].to_string();
    let foreign = good.replacen("# feedwright inputs 1", "# feedwright inputs 99", 1);
    for (what, text) in [("corrupt", corrupt), ("truncated", truncated), ("foreign", foreign), ("empty", String::new())]
    {
        fs::write(&record, &text).unwrap();
        let (stopped, err) = build(&s);
        assert!(!stopped, "a {what} record was trusted: {err}");
        assert!(err.contains(&format!("{RECORD} is ignored")), "{what}: no note in {err}");
        assert!(build(&s).0, "{what}: the full build wrote a good record again");
    }
}

#[test]
fn a_post_coming_due_is_published_without_any_file_changing() {
    let s = site();
    let soon = chrono::Utc::now() + chrono::Duration::seconds(3);
    s.post("soon", &format!("title: Soon\ndate: {}", soon.to_rfc3339()), "Scheduled.\n");
    build(&s);
    assert!(!rss(&s).contains("Soon"));
    let deadline = SystemTime::now() + Duration::from_secs(4);
    while SystemTime::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!build(&s).0, "the record said nothing is due");
    assert!(rss(&s).contains("Soon"));
}

#[test]
fn an_enclosure_file_that_changes_size_or_appears_is_seen() {
    let s = site();
    s.post("ep", "title: Episode\ndate: 2020-03-01T10:00:00Z\naudio: /audio/ep.mp3", "Notes.\n");
    s.write_bytes("static/audio/ep.mp3", &[0u8; 1000]);
    assert!(!build(&s).0);
    assert!(rss(&s).contains("length=\"1000\""), "{}", rss(&s));
    assert!(build(&s).0, "nothing changed");
    // The same post, a longer file: the length in the feed follows.
    s.write_bytes("static/audio/ep.mp3", &[0u8; 2500]);
    assert!(!build(&s).0, "the measured file changed");
    assert!(rss(&s).contains("length=\"2500\""), "{}", rss(&s));
    // A file appears where the build looked and found none (Jekyll's root): checked
    // again, but `static/` comes first for a site path, so the feed stays as it was.
    s.write_bytes("audio/ep.mp3", &[0u8; 10]);
    assert!(!build(&s).0, "a file that was missing now exists");
    assert!(rss(&s).contains("length=\"2500\""), "{}", rss(&s));
    fs::remove_file(s.root().join("static/audio/ep.mp3")).unwrap();
    assert!(!build(&s).0);
    assert!(rss(&s).contains("length=\"10\""), "Jekyll's root, then: {}", rss(&s));
}
