//! Every file feedwright writes passes the W3C Feed Validation Service — the example site
//! and sites built here to hold what trips validators (markup characters in titles,
//! non-ASCII tags, empty posts, control characters, a WebSub hub, long names, RFC 5005
//! archive documents).
//!
//! The validator is the W3C's Python package; `FEEDVALIDATOR_DIR` names the folder that
//! holds its `feedvalidator` package (`.ci/run` sets it and installs `html5lib`). Without
//! it the test says so and passes, except under CI (`CI` set), where it fails.

mod common;

use std::path::Path;
use std::process::Command;

use common::TestSite;

/// Validates every feed under argv[1]; argv[2] is the public URL of that folder. Prints
/// one line per finding: `path<TAB>error|warning<TAB>message`.
const VALIDATE: &str = r#"
import os, sys, urllib.parse
sys.path.insert(0, os.environ["FEEDVALIDATOR_DIR"])
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.formatter.text_plain import Formatter
root, base = sys.argv[1], sys.argv[2]
checked = 0
for folder, _, names in os.walk(root):
    for name in sorted(names):
        if name.startswith(".") or not (name.endswith(".xml") or name.endswith(".atom")):
            continue
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root)
        url = base + "/" + urllib.parse.quote(rel)
        data = open(path, "rb").read()
        try:
            events = feedvalidator.validateString(data, firstOccurrenceOnly=1, base=url)["loggedEvents"]
        except Exception as e:
            print(rel + "\terror\tthe validator crashed: " + repr(e))
            continue
        checked += 1
        errors = compatibility.A(events)
        for line in Formatter(errors):
            print(rel + "\terror\t" + line)
        for line in Formatter([e for e in compatibility.AA(events) if e not in errors]):
            print(rel + "\twarning\t" + line)
print("checked\t" + str(checked))
"#;

/// The validator's findings for every feed in `out` (published at `base`).
fn validate(out: &Path, base: &str) -> Option<(usize, Vec<String>)> {
    let Some(dir) = std::env::var_os("FEEDVALIDATOR_DIR") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set FEEDVALIDATOR_DIR to the W3C feed validator");
        eprintln!("FEEDVALIDATOR_DIR is not set: the W3C validator was not run");
        return None;
    };
    let run = Command::new("python3")
        .arg("-c")
        .arg(VALIDATE)
        .arg(out)
        .arg(base)
        .env("FEEDVALIDATOR_DIR", dir)
        .output()
        .expect("python3");
    assert!(run.status.success(), "the validator did not run: {}", common::stderr(&run));
    let text = String::from_utf8_lossy(&run.stdout).into_owned();
    let checked = text.lines().find_map(|l| l.strip_prefix("checked\t")).and_then(|n| n.parse().ok()).unwrap_or(0);
    Some((checked, text.lines().filter(|l| !l.starts_with("checked\t")).map(String::from).collect()))
}

fn assert_valid(out: &Path, base: &str, at_least: usize) {
    let Some((checked, mut findings)) = validate(out, base) else { return };
    // The one warning allowed: the validator wants an Atom archive document to link to a
    // neighbour or to say `<fh:complete/>`. The only archive document of a short feed
    // has no neighbour, and `fh:complete` would tell readers the feed is complete (no
    // archives), which it is not. RSS archives are not checked this way.
    findings.retain(|f| {
        let alone = f
            .split('\t')
            .next()
            .and_then(|rel| rel.strip_suffix("archive/1.atom"))
            .is_some_and(|dir| !out.join(format!("{dir}archive/2.atom")).exists());
        !(alone && f.ends_with("Archive incomplete"))
    });
    for finding in &findings {
        eprintln!("{finding}");
    }
    assert!(checked >= at_least, "only {checked} feeds were validated");
    assert!(findings.is_empty(), "the validator found {} problem(s):\n{}", findings.len(), findings.join("\n"));
}

#[test]
fn the_example_site_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_feedwright"))
        .args(["build", "--site"])
        .arg(root.join("examples/blog"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", common::stderr(&run));
    assert_valid(out.path(), "https://labnotes.example.org", 50);
}

#[test]
fn titles_tags_and_bodies_that_trip_validators_are_valid() {
    let site = TestSite::new(
        "title: Q&A <Lab> \"notes\"\nbase_url: https://lab.example.org/blog\ndescription: Tips & <tricks>\n\
         websub_hub: https://hub.example.org/\nauthor: {name: Dana & Co, email: dana@lab.example.org}\n\
         archives: true\narchive_size: 2\n",
    );
    site.post(
        "amp",
        "title: \"AT&T <b>bold & 'quotes'\"\ndate: 2020-01-01\ntags: [Überwachung, C++, .NET, 'R&D']\ncategories: ['Q&A']",
        "Body with & and <i>markup</i> --- and \"quotes\".\n\n<!--more-->\n\nMore [link][r].\n\n[r]: /ref/\n",
    );
    site.post("empty", "title: Empty\ndate: 2020-01-02\ntags: [Überwachung]", "");
    site.post("image-only", "title: Picture\ndate: 2020-01-03", "![a cat](/cat.png)\n");
    site.post(
        "ctl",
        "title: \"Bell\\a and tab\\v\"\ndate: 2020-01-04\ntags: [\"x\\u000By\"]",
        "Body with \u{0B} and \u{1} inside.\n",
    );
    site.post("unicode", "title: Zürich — 東京 🦀\ndate: 2020-01-05\nurl: /café/ü x/\ntags: [東京]", "Grüße.\n");
    let long = "Very Long Series Name ".repeat(8);
    site.post("s1", &format!("title: '{long} #1'\ndate: 2020-01-06"), "x\n");
    site.post("s2", &format!("title: '{long} #2'\ndate: 2020-01-07"), "x\n");
    site.build_ok();
    assert!(site.out().join("archive/4.atom").exists(), "archive documents are validated too");
    assert_valid(&site.out(), "https://lab.example.org/blog", 40);
}
