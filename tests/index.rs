//! The index a build leaves in `--out` (`.feedwright-index`): the next build parses only
//! the post files that changed and writes only the feeds whose fingerprint moved — and
//! its output is the same as a build from the same folder without the index (every post
//! parsed, every feed rendered). Never trusted blindly: a corrupt,
//! truncated or foreign index, or one older than the output, is ignored with a note.

mod common;

use std::fs;
use std::time::SystemTime;

use common::daemon::Daemon;
use common::{CONFIG, TestSite, stderr};

const INDEX: &str = ".feedwright-index";

fn site() -> TestSite {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    site.post("b", "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS, iSCSI]", "Second.\n");
    site.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z\ncategories: [Storage]", "Third.\n");
    site
}

/// `build -v` with `extra`; its stderr (the build must not fail).
fn build(site: &TestSite, extra: &[&str]) -> String {
    let mut args = vec!["-v"];
    args.extend_from_slice(extra);
    let out = site.build(&args);
    let err = stderr(&out);
    assert!(out.status.success() || extra.contains(&"--keep-going"), "build failed: {err}");
    err
}

/// The output folder as it is now, without its index and inputs record: what a build
/// from scratch starts from (the ids readers hold are in it).
fn without_index(site: &TestSite) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in common::snapshot(&site.out()) {
        if rel != INDEX && rel != ".feedwright-inputs" {
            let path = dir.path().join("out").join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
    }
    dir
}

/// Build `site` into `before` (a folder from [`without_index`]) and into `--out`, which
/// holds the index; both must give the same files.
fn assert_same_as_without_index(site: &TestSite, before: tempfile::TempDir, extra: &[&str], what: &str) -> String {
    let out = before.path().join("out");
    let mut args = vec!["build", "--site", site.root().to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.run(&args);
    let err = build(site, extra);
    let got = common::feeds(&site.out());
    let want = common::feeds(&out);
    let differ: Vec<&String> = got.keys().chain(want.keys()).filter(|k| got.get(*k) != want.get(*k)).collect();
    if let Some(name) = differ.first() {
        let show = |m: &std::collections::BTreeMap<String, Vec<u8>>| {
            m.get(*name).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
        };
        panic!(
            "{what}: these files differ from a build without the index: {differ:?}\n{err}\n--- got {name}:\n{}\n--- want:\n{}",
            show(&got),
            show(&want)
        );
    }
    err
}

#[test]
fn an_edit_parses_one_file_and_writes_only_the_feeds_that_show_it() {
    let s = site();
    build(&s, &[]);
    assert!(s.out().join(INDEX).is_file(), "the build wrote its index");
    let iscsi = s.out().join("tags/iscsi/index.xml");
    let storage = s.out().join("categories/storage/index.xml");
    let untouched = fs::metadata(&storage).unwrap().modified().unwrap();

    s.post("b", "title: Beta, edited\ndate: 2020-02-01T10:00:00Z\ntags: [NFS, iSCSI]", "Second.\n");
    let err = assert_same_as_without_index(&s, without_index(&s), &[], "after an edit");
    assert!(err.contains("from the index: 2 of 3 post files unchanged"), "{err}");
    assert!(fs::read_to_string(&iscsi).unwrap().contains("Beta, edited"));
    assert_eq!(fs::metadata(&storage).unwrap().modified().unwrap(), untouched, "a feed without the post was written");
}

#[test]
fn a_post_edited_in_the_same_clock_tick_as_the_indexed_build_is_still_seen() {
    let s = site();
    build(&s, &[]);
    // Another post changes, so the build goes past the inputs record to the index.
    s.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z\ncategories: [Storage, NAS]", "Third.\n");
    // The same size, the same inode, the same modification time: only the bytes differ.
    let path = s.root().join("content/post/b.md");
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap().replace("Second.", "Sekond.");
    fs::write(&path, text).unwrap();
    fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
    let err = assert_same_as_without_index(&s, without_index(&s), &[], "after a same-tick edit");
    assert!(err.contains("from the index: 1 of 3 post files unchanged"), "{err}");
    assert!(fs::read_to_string(s.out().join("index.xml")).unwrap().contains("Sekond"), "{err}");
}

#[test]
fn a_corrupt_truncated_or_foreign_index_is_ignored_with_a_note_and_written_again() {
    let s = site();
    build(&s, &[]);
    let index = s.out().join(INDEX);
    let good = fs::read(&index).unwrap();
    let newline = good.iter().position(|&b| b == b'\n').unwrap();
    let mut corrupt = good.clone();
    corrupt[newline + 40] ^= 0x20;
    // A flipped bit inside a saved post's title: the index still parses, only its checksum
    // tells (trusted, it would publish "gamma").
    let title = newline + memchr::memmem::find(&good[newline..], b"Gamma").unwrap();
    let mut flipped_title = good.clone();
    flipped_title[title] ^= 0x20;
    let truncated = good[..good.len() / 2].to_vec();
    // "feedwright index 1 <checksum>" with another version number.
    let mut foreign = String::from_utf8_lossy(&good[..newline]).replacen("index 1 ", "index 99 ", 1).into_bytes();
    foreign.extend_from_slice(&good[newline..]);
    let cases: [(&str, Vec<u8>); 6] = [
        ("corrupt", corrupt),
        ("corrupt in a post's title", flipped_title),
        ("truncated", truncated),
        ("foreign", foreign),
        ("empty", Vec::new()),
        ("garbage", b"\x00\x01not an index at all\n\xff".to_vec()),
    ];
    for (i, (what, bytes)) in cases.into_iter().enumerate() {
        fs::write(&index, &bytes).unwrap();
        s.post("a", &format!("title: Alpha {i}\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]"), "First.\n");
        let err = assert_same_as_without_index(&s, without_index(&s), &[], what);
        assert!(err.contains(&format!("{INDEX} is ignored")), "{what}: no note in {err}");
        assert!(!err.contains("from the index"), "a {what} index was used: {err}");
        s.post("a", &format!("title: Alpha {i}, again\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]"), "First.\n");
        let err = build(&s, &[]);
        assert!(err.contains("from the index: 2 of 3"), "{what}: the build did not write a good index again: {err}");
    }
}

/// A build killed while it wrote its index or inputs record leaves `<name>.partial`; the
/// next build removes it, even one that finds nothing changed, and so does a daemon's
/// start: `--out` is left holding whole files only.
#[test]
fn a_half_written_index_or_record_left_by_a_killed_build_is_removed() {
    let s = site();
    build(&s, &[]);
    let leftovers = [format!("{INDEX}.partial"), ".feedwright-inputs.partial".to_string()];
    for name in &leftovers {
        fs::write(s.out().join(name), b"feedwright index 1 00").unwrap();
    }
    let err = build(&s, &[]);
    assert!(err.contains("no input changed"), "the build was not a no-op: {err}");
    for name in &leftovers {
        assert!(!s.out().join(name).exists(), "{name} was left in --out");
    }
    for name in &leftovers {
        fs::write(s.out().join(name), b"feedwright index 1 00").unwrap();
    }
    let out = s.out();
    let _daemon = Daemon::watch(s, &[]);
    for name in &leftovers {
        assert!(!out.join(name).exists(), "{name} was left in --out by the daemon's start");
    }
}

#[test]
fn an_index_older_than_the_output_is_used_for_posts_but_not_for_feeds() {
    let s = site();
    build(&s, &[]);
    let old = fs::read(s.out().join(INDEX)).unwrap();
    s.post("a", "title: Alpha, renamed\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    build(&s, &[]);
    // The older index comes back (a restored backup): its fingerprints say the feeds
    // show "Alpha", but the output shows "Alpha, renamed".
    fs::write(s.out().join(INDEX), &old).unwrap();
    s.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    let err = assert_same_as_without_index(&s, without_index(&s), &[], "after a stale index");
    assert!(!fs::read_to_string(s.out().join("index.xml")).unwrap().contains("renamed"), "{err}");
}

#[test]
fn a_build_with_other_options_does_not_start_from_the_index() {
    let s = site();
    s.post("d", "title: Delta\ndate: 2020-04-01T10:00:00Z\ndraft: true", "Draft.\n");
    build(&s, &[]);
    s.post("a", "title: Alpha, edited\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    let err = assert_same_as_without_index(&s, without_index(&s), &["--drafts"], "with drafts");
    assert!(err.contains(&format!("{INDEX} is ignored")), "{err}");
}

/// A small deterministic generator (xorshift), so that a failing sequence is replayed
/// by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn random_post(rng: &mut Rng) -> String {
    let tags = ["NFS", "iSCSI", "nfs", "Storage", "VMware", "KVM"];
    let mut picked: Vec<&str> = (0..rng.below(3)).map(|_| tags[rng.below(tags.len())]).collect();
    picked.dedup();
    let title = ["Alpha", "Beta", "Gamma", "Virtualization Short Take #7", "Ünïcode & <markup>"][rng.below(5)];
    let day = 1 + rng.below(28);
    let year = [2010, 2015, 2020, 2099][rng.below(4)];
    let series = if rng.below(4) == 0 { "\nseries: [Deep Dives]" } else { "" };
    let link = if rng.below(4) == 0 { "See [the other]({{< relref \"p1.md\" >}}).\n" } else { "" };
    format!(
        "---\ntitle: \"{title}\"\ndate: {year}-03-{day:02}T10:00:00Z\ntags: [{}]\ncategories: [{}]{series}\n---\nBody {}.\n{link}",
        picked.join(", "),
        tags[rng.below(tags.len())],
        rng.below(1000)
    )
}

#[test]
fn random_edits_between_builds_give_what_a_build_from_scratch_gives() {
    let seeds: u64 = std::env::var("FEEDWRIGHT_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
    let configs = [
        format!("{CONFIG}archives: true\narchive_size: 2\n"),
        format!("{CONFIG}limit: 2\n"),
        format!("{CONFIG}series:\n  - pattern: '^Virtualization Short Take'\n    name: Short Takes\n"),
    ];
    let only: Option<u64> = std::env::var("FEEDWRIGHT_SEED").ok().and_then(|s| s.parse().ok());
    for seed in only.map_or(1..=seeds, |s| s..=s) {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let s = TestSite::new(&configs[0]);
        let mut names: Vec<String> = Vec::new();
        for step in 0..10 {
            let what = match rng.below(8) {
                0 | 1 => {
                    let name = format!("p{}", rng.below(6));
                    s.write(&format!("content/post/{name}.md"), &random_post(&mut rng));
                    if !names.contains(&name) {
                        names.push(name.clone());
                    }
                    format!("write {name}")
                }
                2 if !names.is_empty() => {
                    let name = names.remove(rng.below(names.len()));
                    fs::remove_file(s.root().join(format!("content/post/{name}.md"))).unwrap();
                    format!("remove {name}")
                }
                3 if !names.is_empty() => {
                    let name = &names[rng.below(names.len())];
                    s.write(&format!("content/post/{name}.md"), "---\ntitle: [half\n---\nBROKEN\n");
                    format!("break {name}")
                }
                4 => {
                    let config = &configs[rng.below(configs.len())];
                    s.write("feedwright.yaml", config);
                    "config".to_string()
                }
                5 if !names.is_empty() => {
                    // Touched, bytes unchanged.
                    let name = &names[rng.below(names.len())];
                    let path = s.root().join(format!("content/post/{name}.md"));
                    fs::File::options().write(true).open(&path).unwrap().set_modified(SystemTime::now()).unwrap();
                    format!("touch {name}")
                }
                _ => {
                    let name = format!("q{step}");
                    s.write(&format!("content/post/{name}.md"), &random_post(&mut rng));
                    names.push(name.clone());
                    format!("add {name}")
                }
            };
            let before = without_index(&s);
            let what = format!("seed {seed} step {step} ({what})");
            let err = assert_same_as_without_index(&s, before, &["--keep-going"], &what);
            if only.is_some() {
                eprintln!("{what}:\n{err}");
            }
        }
    }
}

#[test]
fn watch_starts_from_the_index_a_build_left_and_writes_only_what_changed() {
    let s = site();
    build(&s, &[]);
    let storage = s.out().join("categories/storage/index.xml");
    let untouched = fs::metadata(&storage).unwrap().modified().unwrap();
    // Edited while no daemon ran.
    s.post("b", "title: Beta, edited\ndate: 2020-02-01T10:00:00Z\ntags: [NFS, iSCSI]", "Second.\n");
    let d = Daemon::watch(s, &[]);
    let log = d.log();
    assert!(log.contains("from the index: 2 post files unchanged"), "{log}");
    assert!(d.feed_titles("tags/iscsi/index.xml").contains(&"Beta, edited".to_string()), "{log}");
    assert_eq!(fs::metadata(&storage).unwrap().modified().unwrap(), untouched, "a feed without the post was written");
    d.settles("a start from the index");
}

#[test]
fn a_daemon_stopped_gracefully_leaves_an_index_the_next_start_uses() {
    let s = site();
    let mut d = Daemon::watch(s, &[]);
    assert!(!d.log().contains("from the index"), "{}", d.log());
    d.site.post("a", "title: Alpha, edited live\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First.\n");
    d.wait(|| d.feed_titles("index.xml").contains(&"Alpha, edited live".to_string()), "the live edit");
    let out = d.site.out().to_str().unwrap().to_string();
    d.terminate();
    assert!(d.site.out().join(INDEX).is_file(), "no index after a graceful stop: {}", d.log());
    // Edited while stopped.
    d.site.post("c", "title: Gamma, edited\ndate: 2020-03-01T10:00:00Z\ncategories: [Storage]", "Third.\n");
    d.restart(&["watch", "--out", &out]);
    let log = d.log();
    assert!(log.contains("from the index: 2 post files unchanged; "), "{log}");
    d.settles("a restart from the daemon's own index");
    assert!(d.feed_titles("index.xml").contains(&"Gamma, edited".to_string()));
}

#[test]
fn serve_starts_from_the_index_and_serves_every_feed() {
    let s = site();
    build(&s, &[]);
    s.post("b", "title: Beta, edited\ndate: 2020-02-01T10:00:00Z\ntags: [NFS, iSCSI]", "Second.\n");
    let out = s.out().to_str().unwrap().to_string();
    let d = Daemon::serve(s, &["--out", &out]);
    let log = d.log();
    assert!(log.contains("from the index: 2 post files unchanged"), "{log}");
    // A feed the start did not render is served as the folder holds it; an edited one
    // as it is now.
    for rel in ["categories/storage/index.xml", "tags/iscsi/atom.xml", "index.xml", "opml.xml"] {
        let reply = d.get(&format!("/{rel}"), &[]);
        assert_eq!(reply.status, 200, "{rel}: {log}");
        assert_eq!(reply.body, fs::read(d.site.out().join(rel)).unwrap(), "{rel}");
    }
    assert!(String::from_utf8_lossy(&d.get("/index.xml", &[]).body).contains("Beta, edited"));
    d.settles("serve's start from the index");
}

#[test]
fn an_output_file_removed_or_changed_by_hand_is_written_again_beside_an_edit() {
    let s = site();
    build(&s, &[]);
    let feed = s.out().join("tags/nfs/index.xml");
    let good = fs::read(&feed).unwrap();
    for (i, tamper) in [None, Some("tampered")].into_iter().enumerate() {
        match tamper {
            None => fs::remove_file(&feed).unwrap(),
            Some(text) => fs::write(&feed, text).unwrap(),
        }
        // An edit of a post the feed does not show: the build goes to the index.
        s.post("c", &format!("title: Gamma {i}\ndate: 2020-03-01T10:00:00Z\ncategories: [Storage]"), "Third.\n");
        let err = build(&s, &[]);
        assert_eq!(fs::read(&feed).unwrap(), good, "{err}");
    }
}
