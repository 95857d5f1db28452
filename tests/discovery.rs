//! `feeds.json` is what a site's templates print `<link rel="alternate">` tags from: the
//! README's Hugo partial, taken from the README itself, run by a real Hugo on a site built
//! by the real binary. `.ci/run` installs Hugo; under `CI=1` a missing Hugo fails the
//! test instead of skipping it.

mod common;

use std::process::{Command, Stdio};

use common::TestSite;

/// The partial as the README shows it.
fn partial() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```go-html-template\n").expect("the README shows the partial") + 20;
    readme[start..][..readme[start..].find("```").unwrap()].to_string()
}

#[test]
fn the_readmes_hugo_partial_prints_each_pages_feeds() {
    if Command::new("hugo").arg("version").stdout(Stdio::null()).status().is_err() {
        assert!(std::env::var_os("CI").is_none(), "Hugo is missing (.ci/run installs it)");
        eprintln!("skipped: no Hugo on this machine");
        return;
    }
    let site = TestSite::bare();
    site.write("config.yaml", "baseURL: https://ex.org/\ntitle: Ex\n");
    site.write("content/post/a.md", "---\ntitle: A\ndate: 2020-01-01\ntags: [VMware, NFS]\n---\nbody\n");
    site.write("content/post/b.md", "---\ntitle: B\ndate: 2020-01-02\ntags: [NFS]\n---\nbody\n");
    site.write("layouts/partials/feed-links.html", &partial());
    let page = "<html><head>{{ partial \"feed-links.html\" . }}</head><body>{{ .Title }}</body></html>\n";
    for template in ["layouts/index.html", "layouts/_default/list.html", "layouts/_default/single.html"] {
        site.write(template, page);
    }
    site.build_ok();
    std::fs::create_dir_all(site.root().join("data")).unwrap();
    std::fs::copy(site.out().join("feeds.json"), site.root().join("data/feeds.json")).unwrap();
    let hugo = Command::new("hugo").args(["--quiet", "--destination", "public"]).current_dir(site.root()).output();
    let hugo = hugo.unwrap();
    assert!(hugo.status.success(), "{}", common::stderr(&hugo));
    let links = |page: &str| -> Vec<String> {
        let html = std::fs::read_to_string(site.root().join("public").join(page)).unwrap();
        html.match_indices("<link rel=\"alternate\"")
            .map(|(i, _)| html[i..][..html[i..].find('>').unwrap() + 1].to_string())
            .collect()
    };
    assert_eq!(
        links("index.html"),
        [
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Ex\" href=\"https://ex.org/index.xml\">",
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Ex\" href=\"https://ex.org/atom.xml\">",
        ]
    );
    assert_eq!(
        links("tags/nfs/index.html"),
        [
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Ex — Tag: NFS\" href=\"https://ex.org/tags/nfs/index.xml\">",
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Ex — Tag: NFS\" href=\"https://ex.org/tags/nfs/atom.xml\">",
        ]
    );
    assert!(links("post/a/index.html").is_empty(), "a post's page has no feed of its own");
}
