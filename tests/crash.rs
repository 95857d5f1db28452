//! Crash safety of the real binary: `build` and `watch` killed with SIGKILL at random
//! moments while they write. After every kill each file in `--out` is whole (it parses),
//! and once a run completes, `--out` holds no temporary file and equals a clean build.
//!
//! `cargo test` kills a dozen times; `FEEDWRIGHT_CRASH_RUNS=60 cargo test --test crash`
//! is the long mode.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::Daemon;
use common::{CONFIG, TestSite, feeds, snapshot};

fn runs() -> usize {
    std::env::var("FEEDWRIGHT_CRASH_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(6)
}

/// SplitMix64, seeded: the same kill moments on every run of the test.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

const TAGS: &[&str] = &["NFS", "VMware", "ESX", "Storage", "Linux", "Go", "Rust", "Cloud", "KVM", "Docker"];

/// Write post `i` with tags and a title chosen by `variant`, so that edits move posts
/// between feeds and make feeds appear and go.
fn write_post(site: &TestSite, i: usize, variant: u64) {
    let tags: Vec<String> =
        (0..3).map(|k| format!("{}{}", TAGS[(i + k * 3 + variant as usize) % TAGS.len()], variant % 5)).collect();
    site.write(
        &format!("content/post/p{i:04}.md"),
        &format!(
            "---\ntitle: 'Post {i} take {variant}'\ndate: 2020-01-01T00:00:00Z\nlastmod: 2020-02-{:02}\ntags: [{}]\ncategories: [C{}]\n---\n{}\n",
            1 + (i + variant as usize) % 28,
            tags.join(", "),
            variant % 3,
            "A paragraph of body text, long enough to make the feeds weigh something. ".repeat(20)
        ),
    );
}

fn site_with(posts: usize) -> TestSite {
    let site = TestSite::new(&format!("{CONFIG}limit: 50\n"));
    for i in 0..posts {
        write_post(&site, i, 0);
    }
    site
}

/// Every feed file in `out` is whole: no half-written file is ever visible.
fn assert_whole(out: &Path, when: &str) {
    for (rel, bytes) in snapshot(out) {
        if rel.ends_with(".xml") && !rel.starts_with(".feedwright-tmp") {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{when}: {rel} is not UTF-8"));
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{when}: {rel} is not whole: {e}"));
        }
    }
}

fn temp_files(out: &Path) -> Vec<String> {
    snapshot(out)
        .into_keys()
        .filter(|k| k.contains("feedwright-tmp") || k.ends_with(".tmp") || k.ends_with(".partial"))
        .collect()
}

/// What a clean build of the site as it is now writes.
fn clean_build(site: &TestSite) -> std::collections::BTreeMap<String, Vec<u8>> {
    let clean = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_feedwright"))
        .args(["build", "-q", "--site"])
        .arg(site.root())
        .arg("--out")
        .arg(clean.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    feeds(clean.path())
}

fn assert_recovered(site: &TestSite, when: &str) {
    assert_eq!(temp_files(&site.out()), Vec::<String>::new(), "{when}: temporary files left");
    let (got, want) = (feeds(&site.out()), clean_build(site));
    let differ: Vec<&String> = got.keys().chain(want.keys()).filter(|k| got.get(*k) != want.get(*k)).collect();
    assert!(differ.is_empty(), "{when}: --out differs from a clean build in {differ:?}");
}

#[test]
fn builds_killed_at_random_moments_recover_to_a_clean_build() {
    let site = site_with(400);
    site.build_ok();
    let mut rng = Rng(7);
    // Kill moments are drawn from the length of an edit build like the ones below (with
    // the index, shorter than the first build), the fastest of three: on a loaded machine
    // a slow one would put most kills after the build had finished.
    let full = (0..3)
        .map(|k| {
            for i in (0..400).filter(|i| i % 3 == k) {
                write_post(&site, i, 1000 + k as u64);
            }
            let started = Instant::now();
            site.build_ok();
            started.elapsed()
        })
        .min()
        .unwrap();
    let mut killed_mid_write = 0;
    for run in 0..runs() * 2 {
        // Edits that rewrite feeds, add some and remove others.
        let variant = 1 + rng.below(1000);
        for i in (0..400).filter(|i| (i + run) % 3 == 0) {
            write_post(&site, i, variant);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_feedwright"))
            .args(["build", "-q", "--site"])
            .arg(site.root())
            .arg("--out")
            .arg(site.out())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(full.as_micros() as u64 * 5 / 4)));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        if !finished {
            killed_mid_write += 1;
        }
        let when = format!("after kill {run}");
        assert_whole(&site.out(), &when);
        if rng.below(3) == 0 {
            site.build_ok();
            assert_recovered(&site, &format!("{when} and a build"));
        }
    }
    site.build_ok();
    assert_recovered(&site, "at the end");
    eprintln!(
        "{} builds killed, {killed_mid_write} of them before they finished (an edit build: {full:?})",
        runs() * 2
    );
    assert!(killed_mid_write * 2 >= runs(), "too few kills landed during a build: {killed_mid_write}");
}

#[test]
fn the_watch_daemon_killed_at_random_moments_recovers_on_restart() {
    let site = site_with(300);
    let mut rng = Rng(11);
    let mut daemon = Daemon::watch(site, &[]);
    for run in 0..runs() {
        let variant = 1 + rng.below(1000);
        for i in (0..300).filter(|i| (i + run) % 4 == 0) {
            write_post(&daemon.site, i, variant);
        }
        // Somewhere in the debounce, the regeneration, or after it.
        std::thread::sleep(Duration::from_millis(rng.below(400)));
        let _ = daemon.child.kill();
        let _ = daemon.child.wait();
        let when = format!("after killing the daemon ({run})");
        assert_whole(&daemon.site.out(), &when);
        let site = std::mem::replace(&mut daemon.site, TestSite::bare());
        let _ = fs::remove_file(site.root().join("daemon.log"));
        daemon = Daemon::watch(site, &[]);
        daemon.settles(&when);
        assert_eq!(temp_files(&daemon.site.out()), Vec::<String>::new(), "{when}: temporary files left");
    }
}
