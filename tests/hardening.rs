//! Regression tests for defects found by trying feedwright as a feed reader, a newcomer
//! and an attacker would. Each test is named after what it protects and runs the real
//! binary (or the real daemon) the way a user does.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{Daemon, titles};
use common::{CONFIG, TestSite, snapshot, stderr};

/// Run `feedwright` with `args`, killed if it takes longer than a minute (a hang guard,
/// not a speed assertion).
fn run_bounded(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedwright"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("feedwright {args:?} ran for more than a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn build(site: &TestSite, extra: &[&str]) -> Output {
    build_env(site, extra, &[])
}

fn build_env(site: &TestSite, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let (root, out) = (site.root().to_str().unwrap().to_string(), site.out().to_str().unwrap().to_string());
    let mut args = vec!["build", "--site", root.as_str(), "--out", out.as_str()];
    args.extend_from_slice(extra);
    run_bounded(&args, env)
}

/// Every XML file of `--out` parses; returns how many there are.
fn assert_all_well_formed(site: &TestSite) -> usize {
    let mut n = 0;
    for (rel, bytes) in site.out_files() {
        if rel.ends_with(".xml") {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel} is not well-formed: {e}"));
            n += 1;
        }
    }
    n
}

fn no_temp_files(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().filter(|k| k.ends_with(".tmp") || k.contains("feedwright-tmp")).collect()
}

fn empty_dirs(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    fn walk(base: &Path, dir: &Path, found: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        let entries: Vec<_> = entries.flatten().collect();
        if entries.is_empty() && dir != base {
            found.push(dir.strip_prefix(base).unwrap().display().to_string());
        }
        for e in entries {
            if e.path().is_dir() {
                walk(base, &e.path(), found);
            }
        }
    }
    walk(dir, dir, &mut found);
    found
}

// 1. Feed readers: Last-Modified moves forward with every change of a feed's bytes.

fn curl(args: &[&str]) -> Output {
    Command::new("curl").args(["-s", "--max-time", "10"]).args(args).output().expect("curl (libcurl) is installed")
}

#[test]
fn last_modified_moves_forward_so_libcurl_readers_see_edits_to_old_posts() {
    let site = TestSite::new(CONFIG);
    site.post("old", "title: Old post\ndate: 2020-01-01T10:00:00Z", "Old.\n");
    site.post("new", "title: New post\ndate: 2020-06-01T10:00:00Z", "New.\n");
    let out = site.out();
    let d = Daemon::serve(site, &["--out", out.to_str().unwrap()]);
    let url = format!("http://{}/index.xml", d.addr);
    let headers = d.site.root().join("headers");
    let first = curl(&["-D", headers.to_str().unwrap(), "-o", "/dev/null", &url]);
    assert!(first.status.success());
    let head = fs::read_to_string(&headers).unwrap();
    let last_modified = head
        .lines()
        .find_map(|l| l.strip_prefix("last-modified: ").or_else(|| l.strip_prefix("Last-Modified: ")))
        .expect("a Last-Modified header")
        .trim()
        .to_string();

    for round in 1..=2 {
        let title = format!("Old post, edited {round}");
        d.site.post("old", &format!("title: {title}\ndate: 2020-01-01T10:00:00Z"), "Old.\n");
        d.wait(|| String::from_utf8_lossy(&d.get("/index.xml", &[]).body).contains(&title), "the edit to be served");
        // What newsboat does: a time-conditional GET with the Last-Modified it holds.
        let body = d.site.root().join("body");
        let got = curl(&["-z", &last_modified, "-o", body.to_str().unwrap(), "-w", "%{http_code}", &url]);
        let code = String::from_utf8_lossy(&got.stdout).to_string();
        let text = fs::read_to_string(&body).unwrap_or_default();
        assert_eq!(code, "200", "round {round}: an If-Modified-Since-only request after a change");
        assert!(text.contains(&title), "round {round}: libcurl discarded the new feed (Last-Modified did not move)");
    }

    // The time a feed's bytes were first produced is kept across restarts.
    let before = d.get("/index.xml", &[]).header("last-modified").to_string();
    let mut d = d;
    assert!(d.terminate().success());
    let site = std::mem::replace(&mut d.site, TestSite::bare());
    drop(d);
    let out = site.out();
    let again = Daemon::serve(site, &["--out", out.to_str().unwrap()]);
    assert_eq!(again.get("/index.xml", &[]).header("last-modified"), before, "unchanged bytes, same Last-Modified");
}

// 2. Every URL written is a URI (percent-encoded), and XML-forbidden characters never
//    reach a link.

#[test]
fn urls_are_percent_encoded_uris_and_forbidden_characters_are_rejected() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01\ntags: [Überwachung]\nurl: /café/ü x/", "x\n");
    site.build_ok();
    let rss = fs::read_to_string(site.out().join("tags/überwachung/index.xml")).unwrap();
    assert!(rss.contains("<link>https://lab.example.org/tags/%C3%BCberwachung/</link>"), "{rss}");
    assert!(rss.contains("href=\"https://lab.example.org/tags/%C3%BCberwachung/index.xml\""), "{rss}");
    assert!(rss.contains("<link>https://lab.example.org/caf%C3%A9/%C3%BC%20x/</link>"), "{rss}");
    let opml = fs::read_to_string(site.out().join("opml.xml")).unwrap();
    assert!(opml.contains("xmlUrl=\"https://lab.example.org/tags/%C3%BCberwachung/index.xml\""), "{opml}");
    for (rel, bytes) in site.out_files() {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for url in text.split(['"', '<', '>']).filter(|s| s.starts_with("https://")) {
            assert!(url.is_ascii() && !url.contains(' '), "{rel}: `{url}` is not a URI");
        }
    }

    for (front, key) in [("slug: \"a\\u0001b\"", "slug"), ("url: \"/x\\uFFFF/\"", "url")] {
        let bad = TestSite::new(CONFIG);
        bad.post("bad", &format!("title: Bad\ndate: 2020-01-01\n{front}"), "x\n");
        let out = build(&bad, &["--keep-going"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("content/post/bad.md:4: error:") && err.contains(&format!("`{key}`")), "{err}");
        assert_all_well_formed(&bad);
    }
}

// 3. Summaries before `<!--more-->` resolve reference links defined further down.

#[test]
fn summaries_resolve_reference_links_defined_after_the_more_marker() {
    let site = TestSite::new(CONFIG);
    site.post(
        "a",
        "title: A\ndate: 2020-01-01",
        "I use [a Git pre-commit hook][link-3] daily.\n\n<!--more-->\n\nMore.\n\n[link-3]: https://git-scm.com/hooks\n",
    );
    site.post("b", "title: B\ndate: 2020-01-02", "First [paragraph][x] only.\n\nSecond.\n\n[x]: /there/\n");
    site.build_ok();
    let feed = site.feed("index.xml");
    let summary = |i: usize| feed.entries[i].summary.as_ref().unwrap().content.clone();
    assert!(!summary(1).contains("[link-3]"), "{}", summary(1));
    assert!(summary(1).contains("<a href=\"https://git-scm.com/hooks\">a Git pre-commit hook</a>"), "{}", summary(1));
    assert!(summary(0).contains("<a href=\"https://lab.example.org/there/\">paragraph</a>"), "{}", summary(0));
}

// 4. Typography as the site's generator prints it.

#[test]
fn typography_matches_the_generator_whose_config_is_read() {
    let body = "Wait --- what -- \"quoted\" and it's done...\n\n```\nkeep -- \"this\"\n```\n";
    let hugo = TestSite::bare();
    hugo.write("config.yaml", "baseURL: https://lab.example.org\ntitle: Lab\n");
    hugo.post("a", "title: A\ndate: 2020-01-01", body);
    hugo.build_ok();
    let html = hugo.feed("index.xml").entries[0].content.as_ref().unwrap().body.clone().unwrap();
    for glyph in ["Wait — what", "what – ", "“quoted”", "it’s", "done…", "keep -- \"this\""] {
        assert!(html.replace("&quot;", "\"").contains(glyph), "`{glyph}` missing in Hugo-style typography:\n{html}");
    }
    let plain = TestSite::bare();
    plain.write(
        "config.yaml",
        "baseURL: https://lab.example.org\ntitle: Lab\nmarkup:\n  goldmark:\n    extensions:\n      typographer: false\n",
    );
    plain.post("a", "title: A\ndate: 2020-01-01", body);
    plain.build_ok();
    let html = plain.feed("index.xml").entries[0].content.as_ref().unwrap().body.clone().unwrap();
    assert!(html.contains("Wait --- what"), "typographer: false keeps the dashes:\n{html}");
}

// 6. A date no output format can write is an error, and never a crash.

#[test]
fn an_out_of_range_date_is_an_error_and_never_takes_the_daemon_down() {
    let site = TestSite::new(CONFIG);
    site.post("good", "title: Good\ndate: 2020-01-01", "x\n");
    site.post("bad", "title: Bad\ndate: -001-01-01", "x\n");
    let out = build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/post/bad.md:3: error:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let root = site.root().to_str().unwrap().to_string();
    let check = run_bounded(&["check", "--site", &root], &[]);
    assert_eq!(check.status.code(), Some(1), "check agrees with build: {}", stderr(&check));

    fs::remove_file(site.root().join("content/post/bad.md")).unwrap();
    let d = Daemon::serve(site, &[]);
    for date in ["-001-01-01", "10000-01-01", "0000-01-01T00:00:00Z"] {
        d.site.post("bad", &format!("title: Bad\ndate: {date}"), "x\n");
        d.site.post("marker", &format!("title: Marker {date}\ndate: 2019-01-01"), "x\n");
        d.wait(
            || titles(&d.get("/index.xml", &[]).body).contains(&format!("Marker {date}")),
            "the daemon to go on serving",
        );
    }
    assert!(!d.log().contains("panicked"), "{}", d.log());
}

// 7. Slugs are capped so every output file name fits a file system.

#[test]
fn an_overlong_tag_or_series_gets_a_capped_slug() {
    let long: String = "東".repeat(91);
    let site = TestSite::new(CONFIG);
    site.post("a", &format!("title: '{long} #1'\ndate: 2020-01-01\ntags: [{long}]"), "x\n");
    site.post("b", &format!("title: '{long} #2'\ndate: 2020-01-02\ntags: [{long}]"), "x\n");
    let out = build(&site, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("shortened"), "the cap is said: {}", stderr(&out));
    let files = site.out_files();
    for rel in files.keys() {
        for part in rel.split('/') {
            assert!(part.len() <= 255, "{rel}");
        }
    }
    assert_eq!(files.keys().filter(|k| k.starts_with("tags/") && k.ends_with("index.xml")).count(), 1);
    assert_eq!(files.keys().filter(|k| k.starts_with("series/") && k.ends_with("index.xml")).count(), 1);
    assert!(empty_dirs(&site.out()).is_empty());
}

// 8. Front matter is bounded before any parser sees it.

#[test]
fn huge_or_deep_front_matter_is_refused_quickly_with_a_line() {
    let site = TestSite::new(CONFIG);
    let keys: String = (0..250_000).map(|i| format!("k{i}: v\n")).collect();
    site.write("content/post/keys.md", &format!("---\ntitle: K\ndate: 2020-01-01\n{keys}---\nx\n"));
    site.write(
        "content/post/deep.md",
        &format!("---\ntitle: D\ndate: 2020-01-01\nx: {}{}\n---\nx\n", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let dashes: String = (0..2000).map(|i| format!("{}- x\n", "  ".repeat(i))).collect();
    site.write("content/post/indent.md", &format!("---\ntitle: I\ndate: 2020-01-01\nx:\n{dashes}---\nx\n"));
    let out = build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/post/keys.md:1: error: front matter"), "{err}");
    assert!(err.contains("content/post/deep.md:4: error: front matter nests deeper than"), "{err}");
    assert!(err.contains("content/post/indent.md:") && err.contains("nests deeper than"), "{err}");
}

// 9. Limits a real blog never reaches: tags per post, rendered size per post.

#[test]
fn a_post_with_thousands_of_tags_or_a_huge_rendering_is_reported_not_published() {
    let site = TestSite::new(CONFIG);
    site.post("ok", "title: Fine\ndate: 2020-01-01\ntags: [a]", "x\n");
    let tags: Vec<String> = (0..2000).map(|i| format!("t{i}")).collect();
    site.post("tags", &format!("title: Tags\ndate: 2020-01-02\ntags: [{}]", tags.join(", ")), "x\n");
    site.post("dense", "title: Dense\ndate: 2020-01-03", &"*_".repeat(5_000_000));
    let out = build(&site, &["--keep-going"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/post/tags.md:4: error:") && err.contains("2000 tags"), "{err}");
    assert!(err.contains("content/post/dense.md:") && err.contains("MiB"), "{err}");
    let bytes: usize = site.out_files().values().map(Vec::len).sum();
    assert!(bytes < 1_000_000, "--out holds {bytes} bytes");
    assert!(site.out_files().len() < 20);

    // Under the Markdown limit, but rendering to more HTML than a feed carries: reported,
    // and (with --keep-going) the item points readers to the site instead.
    let site = TestSite::new(CONFIG);
    site.post("links", "title: Links\ndate: 2020-01-03", &"[a](/b) ".repeat(120_000));
    let out = build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/post/links.md:5: error: the body renders to"), "{err}");
    assert!(!site.out().exists(), "a failed first build leaves no --out behind");
    build(&site, &["--keep-going"]);
    let feed = fs::read_to_string(site.out().join("index.xml")).unwrap();
    assert!(feed.contains("too long for a feed") && feed.len() < 10_000, "{} bytes", feed.len());
}

// 10, 11. A build killed at any point leaves nothing behind that the next build keeps.

#[test]
fn temporary_files_and_folders_of_a_killed_build_are_removed_by_the_next() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01\ntags: [one]", "x\n");
    site.build_ok();
    site.post("b", "title: B\ndate: 2020-01-02\ntags: [two, three]", "x\n");
    let killed = build_env(&site, &[], &[("FEEDWRIGHT_FAILPOINT", "staged")]);
    assert!(!killed.status.success(), "the fail point stops the build");
    assert!(!no_temp_files(&site.out()).is_empty(), "the killed build left its temporary files");
    fs::remove_file(site.root().join("content/post/b.md")).unwrap();
    site.build_ok();
    assert_eq!(no_temp_files(&site.out()), Vec::<String>::new());
    assert_eq!(empty_dirs(&site.out()), Vec::<String>::new());
    let clean = TestSite::new(CONFIG);
    clean.post("a", "title: A\ndate: 2020-01-01\ntags: [one]", "x\n");
    clean.build_ok();
    assert_eq!(common::feeds(&site.out()), common::feeds(&clean.out()));
}

#[test]
fn a_feed_published_just_before_a_kill_is_still_known_to_the_next_build() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01\ntags: [one]", "x\n");
    site.build_ok();
    let published = common::feeds(&site.out());
    site.post("b", "title: B\ndate: 2020-01-02\ntags: [two]", "x\n");
    // Killed right after the first new file is in place.
    let killed = build_env(&site, &[], &[("FEEDWRIGHT_FAILPOINT", "renamed:1")]);
    assert!(!killed.status.success());
    assert_ne!(common::feeds(&site.out()), published, "the kill came after a rename");
    // The author gives up on the new post: the next build must remove what the killed
    // one published.
    fs::remove_file(site.root().join("content/post/b.md")).unwrap();
    site.build_ok();
    assert_eq!(common::feeds(&site.out()), published);
}

// 13. A broken save never leaves its body in the feeds once the post is restored.

#[test]
fn a_post_restored_after_a_broken_save_shows_its_good_body_again() {
    let site = TestSite::new(CONFIG);
    let good = "---\ntitle: Linker\ndate: 2020-01-02\ntags: [l]\n---\nGood body, see [t]({{< relref \"t.md\" >}}).\n";
    site.write("content/post/l.md", good);
    // The target's id does not depend on its permalink, so moving it changes no id.
    site.post("t", "title: Target\ndate: 2020-01-01\nwordpress_id: 7", "t\n");
    let d = Daemon::watch(site, &[]);
    d.settles("the first build");
    d.site.write("content/post/l.md", "---\ntitle: [broken\n---\nBROKEN BODY\n");
    d.wait(|| d.log().contains("content/post/l.md:3: error"), "the broken save to be seen");
    // Its link target moves while it is broken: its feeds are rendered again, and show
    // its last good rendering, never the broken body.
    d.site.post("t", "title: Target\ndate: 2020-01-01\nwordpress_id: 7\nslug: moved", "t\n");
    d.wait(
        || fs::read_to_string(d.site.out().join("index.xml")).unwrap_or_default().contains("/post/moved/"),
        "the target to move",
    );
    for rel in ["index.xml", "atom.xml", "tags/l/index.xml", "tags/l/atom.xml"] {
        let shown = fs::read_to_string(d.site.out().join(rel)).unwrap();
        assert!(!shown.contains("BROKEN BODY"), "a broken save's body reached {rel}:\n{shown}");
        assert!(shown.contains("Good body"), "{rel} lost the last good body:\n{shown}");
    }
    // Restored to its last good bytes: rendered again, with the link where it now leads.
    d.site.write("content/post/l.md", good);
    d.settles("restoring the post");
}

// 14. /healthz says when an input is broken.

#[test]
fn healthz_reports_a_broken_post_and_a_broken_config() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01", "x\n");
    let d = Daemon::serve(site, &[]);
    let health = |d: &Daemon| -> serde_json::Value { serde_json::from_slice(&d.get("/healthz", &[]).body).unwrap() };
    assert!(health(&d)["last_error"].is_null());
    d.site.post("a", "title: [broken\ndate: 2020-01-01", "x\n");
    d.wait(|| health(&d)["last_error"].as_str().is_some_and(|e| e.contains("content/post/a.md:3: error")), "healthz");
    d.site.post("a", "title: A\ndate: 2020-01-01", "x\n");
    d.wait(|| health(&d)["last_error"].is_null(), "healthz to clear");
    d.site.write("feedwright.yaml", "base_url: [oops\n");
    d.wait(
        || {
            health(&d)["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("feedwright.yaml:") && e.contains(": error: invalid YAML"))
        },
        "healthz",
    );
}

// 15. Messages a newcomer meets.

#[test]
fn serve_says_clearly_when_it_cannot_listen_or_has_no_site() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let site = TestSite::new(CONFIG);
    let root = site.root().to_str().unwrap().to_string();
    let out = run_bounded(&["serve", "--site", &root, "--listen", &addr], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")) && err.contains("in use"), "{err}");

    let missing = site.root().join("nope");
    let out = run_bounded(&["serve", "--site", missing.to_str().unwrap(), "--listen", "127.0.0.1:0"], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("listening on"), "{err}");

    // Host names are addresses too.
    site.post("a", "title: A\ndate: 2020-01-01", "x\n");
    let d = Daemon::serve(site, &["--listen", "localhost:0"]);
    assert_eq!(d.get("/index.xml", &[]).status, 200);
}

#[test]
fn a_write_error_names_the_path_that_failed() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01\ntags: [VMware]", "x\n");
    fs::create_dir_all(site.out().join("tags")).unwrap();
    fs::write(site.out().join("tags/vmware"), "a file where a folder must go").unwrap();
    let out = build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("tags/vmware"), "{err}");
    assert!(no_temp_files(&site.out()).is_empty());
}

#[test]
fn a_deleted_broken_post_is_logged_as_removed_not_fixed() {
    let site = TestSite::new(CONFIG);
    site.post("a", "title: A\ndate: 2020-01-01", "x\n");
    let d = Daemon::watch(site, &[]);
    d.site.post("b", "title: [broken\ndate: 2020-01-01", "x\n");
    d.wait(|| d.log().contains("content/post/b.md:3: error"), "the error");
    fs::remove_file(d.site.root().join("content/post/b.md")).unwrap();
    d.wait(|| d.log().contains("content/post/b.md: removed"), "the removal to be logged");
    assert!(!d.log().contains("b.md: fixed"), "{}", d.log());
}

#[test]
fn config_mistakes_are_all_listed_with_hints() {
    let site = TestSite::new(&format!(
        "{CONFIG}cache_max_age: 0\nfeeds:\n  - slug: vm\n    title: VM\n    match: {{tag: VMware}}\ncolour: blue\nlimt: 5\n"
    ));
    site.post("a", "title: A\ndate: 2020-01-01", "x\n");
    let out = build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown key `tag` in `match`") && err.contains("`tags`"), "{err}");
    assert!(err.contains("`colour`") && err.contains("`limt`"), "every unknown key at once: {err}");
    assert!(!err.contains("`cache_max_age`:"), "0 is a valid max-age: {err}");
}

#[test]
fn a_site_without_posts_folders_is_warned_about() {
    let site = TestSite::new(CONFIG);
    let out = build(&site, &[]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("warning: no `content/` or `_posts/` folder"), "{}", stderr(&out));
}
