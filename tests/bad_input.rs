//! Bad input: each case gets a `path:line: error: …` message, the right exit code, and
//! an `--out` left exactly as it was (the build fails closed).

mod common;

use common::{CONFIG, TestSite, stderr};
/// A site that has built once, so `--out` holds published feeds worth protecting.
fn published() -> TestSite {
    let site = TestSite::new(CONFIG);
    site.post("good", "title: Good\ndate: 2020-01-01\ntags: [a]", "Fine.\n");
    site.build_ok();
    site
}

fn assert_fails_closed(site: &TestSite, code: i32, expected: &[&str]) {
    let before = site.out_files();
    let out = site.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for want in expected {
        assert!(err.contains(want), "expected `{want}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(site.out_files(), before, "--out changed");
}

#[test]
fn invalid_yaml() {
    let site = published();
    site.post("bad", "title: Bad\ntags: [a, b\ndate: 2020-01-02", "x");
    assert_fails_closed(&site, 1, &["content/post/bad.md:", ": error: invalid YAML front matter"]);
}

#[test]
fn missing_title() {
    let site = published();
    site.post("bad", "date: 2020-01-02", "x");
    assert_fails_closed(&site, 1, &["content/post/bad.md:1: error: missing `title`"]);
}

#[test]
fn missing_date() {
    let site = published();
    site.post("bad", "title: No date\ntags: [x]", "x");
    assert_fails_closed(&site, 1, &["content/post/bad.md:1: error: missing `date`"]);
}

#[test]
fn invalid_utf8() {
    let site = published();
    site.write_bytes("content/post/bad.md", b"---\ntitle: Caf\xe9\ndate: 2020-01-02\n---\nx\n");
    assert_fails_closed(&site, 1, &["content/post/bad.md:2: error: file is not valid UTF-8"]);
}

#[test]
fn duplicate_ids_name_both_files() {
    let site = published();
    site.post("one", "title: One\ndate: 2020-01-02\nwordpress_id: 7", "x");
    site.post("two", "title: Two\ndate: 2020-01-03\nwordpress_id: 7", "x");
    assert_fails_closed(
        &site,
        1,
        &[
            "content/post/two.md:1: error: duplicate id `https://lab.example.org/?p=7`",
            "content/post/one.md has it too",
        ],
    );
}

#[test]
fn config_without_base_url() {
    let site = published();
    site.write("feedwright.yaml", "title: Lab\n");
    assert_fails_closed(&site, 2, &["feedwright.yaml:1: error: `base_url` is missing"]);
}

#[test]
fn no_config_at_all() {
    let site = TestSite::bare();
    site.post("a", "title: A\ndate: 2020-01-01", "x");
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`base_url` is missing"), "{}", stderr(&out));
    assert!(!site.out().exists());
}

#[test]
fn a_bad_date_and_an_off_site_url_name_their_lines() {
    let site = published();
    site.post("bad", "title: T\ndate: last tuesday", "x");
    site.post("off", "title: T\ndate: 2020-01-01\nurl: https://elsewhere.example/", "x");
    assert_fails_closed(
        &site,
        1,
        &[
            "content/post/bad.md:3: error: `date: last tuesday` is not a date",
            "content/post/off.md:4: error: `url: https://elsewhere.example/` is not a path",
        ],
    );
}

#[test]
fn keep_going_publishes_the_valid_posts_and_still_fails() {
    let site = published();
    site.post("bad", "title: Bad", "x");
    site.post("new", "title: New\ndate: 2020-02-01", "x");
    let out = site.build(&["--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let titles: Vec<String> = site.feed("index.xml").entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert_eq!(titles, ["New", "Good"]);
}

#[test]
fn bom_and_crlf_are_fine() {
    let site = TestSite::new(CONFIG);
    site.write_bytes(
        "content/post/win.md",
        b"\xEF\xBB\xBF---\r\ntitle: Windows\r\ndate: 2020-01-01\r\n---\r\nSaved on Windows.\r\n",
    );
    site.build_ok();
    let feed = site.feed("index.xml");
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Windows");
}

#[test]
fn huge_files_and_symlink_loops_do_not_hang_or_panic() {
    let site = published();
    let huge = format!("---\ntitle: Huge\ndate: 2020-01-02\n---\n{}", "x".repeat(50 * 1024 * 1024));
    site.write("content/post/huge.md", &huge);
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.root().join("content"), site.root().join("content/post/loop")).unwrap();
    assert_fails_closed(&site, 1, &["content/post/huge.md:1: error: file is 50 MiB"]);
}

#[test]
fn control_characters_never_reach_the_xml() {
    let site = TestSite::new(CONFIG);
    site.post(
        "ctl",
        "title: \"Bell\\a and tab\\v\"\ndate: 2020-01-01\ntags: [\"x\\u000By\"]",
        "Body with \u{0B} and \u{1} inside.\n",
    );
    site.build_ok();
    for (rel, bytes) in site.out_files() {
        if rel.ends_with(".xml") {
            let text = String::from_utf8(bytes).unwrap();
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert!(!text.contains('\u{B}') && !text.contains('\u{1}') && !text.contains('\u{7}'), "{rel}");
        }
    }
    assert_eq!(site.feed("index.xml").entries[0].title.as_ref().unwrap().content, "Bell and tab");
}

#[test]
fn site_folder_that_does_not_exist() {
    let site = TestSite::bare();
    let missing = site.root().join("nope");
    let out = site.run(&["build", "--site", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"));
}
