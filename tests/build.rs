//! A reader's view of `feedwright build`: ids, order, counts, links, dates, categories
//! and absolute URLs, read back with feed-rs.

mod common;

use common::{CONFIG, TestSite, stderr};
use std::fs;

fn migrated_site() -> TestSite {
    let site = TestSite::new(&format!("{CONFIG}guid_base: http://lab.example.org\n"));
    site.post(
        "2008-02-06-nfs-datastores",
        "title: NFS Datastores\ndate: 2008-02-06T20:05:10Z\nurl: /2008/02/06/nfs-datastores/\nwordpress_id: 117\ntags: [NFS, VMware]\ncategories: Tutorial",
        "Intro with [a link](/about/) and ![img](pics/a.png).\n\n<!--more-->\n\nMore <a href=\"../x\">raw</a>.\n",
    );
    site.post(
        "2008-03-05-virtualization-short-take-5",
        "title: 'Virtualization Short Take #5'\ndate: 2008-03-05 16:45:00 -0500\nurl: /2008/03/05/vst-5/\nwordpress_id: 679\ntags: [nfs, ESX]\ncategories: Information",
        "See [the datastore post]({{< relref \"2008-02-06-nfs-datastores.md\" >}}).\n",
    );
    site.post(
        "2008-04-01-virtualization-short-take-6",
        "title: 'Virtualization Short Take #6, Hyper-V Edition'\ndate: 2008-04-01\nurl: /2008/04/01/vst-6/\nwordpress_id: 700\ntags: [HyperV]",
        "Links.\n",
    );
    site.post("2008-05-01-no-id", "title: Written After The Move\ndate: 2008-05-01T10:00:00Z\ntags: [NFS]", "New.\n");
    site
}

#[test]
fn wordpress_ids_survive_in_every_feed_in_both_formats() {
    let site = migrated_site();
    site.build_ok();
    for rel in ["index.xml", "atom.xml", "tags/nfs/index.xml", "tags/nfs/atom.xml", "categories/information/index.xml"]
    {
        let feed = site.feed(rel);
        let vst =
            feed.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Virtualization Short Take #5").unwrap();
        assert_eq!(vst.id, "http://lab.example.org/?p=679", "{rel}");
    }
    let rss = fs::read_to_string(site.out().join("index.xml")).unwrap();
    assert!(rss.contains("<guid isPermaLink=\"false\">http://lab.example.org/?p=117</guid>"));
    assert!(!rss.contains("isPermaLink=\"true\""));
    let new = site.feed("atom.xml");
    let tag_id =
        &new.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Written After The Move").unwrap().id;
    assert_eq!(tag_id, "tag:lab.example.org,2008-05-01:/post/no-id/");
}

#[test]
fn items_are_newest_first_with_links_dates_and_categories() {
    let site = migrated_site();
    site.build_ok();
    let feed = site.feed("index.xml");
    let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Written After The Move",
            "Virtualization Short Take #6, Hyper-V Edition",
            "Virtualization Short Take #5",
            "NFS Datastores"
        ]
    );
    let vst = &feed.entries[2];
    assert_eq!(vst.links[0].href, "https://lab.example.org/2008/03/05/vst-5/");
    assert_eq!(vst.published.unwrap().to_rfc3339(), "2008-03-05T21:45:00+00:00");
    let cats: Vec<&str> = vst.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(cats, ["NFS", "ESX", "Information"]);
    let nfs = site.feed("tags/nfs/atom.xml");
    assert_eq!(nfs.entries.len(), 3);
    assert_eq!(nfs.title.unwrap().content, "Lab — Tag: NFS");
    assert_eq!(nfs.updated.unwrap().to_rfc3339(), "2008-05-01T10:00:00+00:00");
    let rss = fs::read_to_string(site.out().join("tags/nfs/index.xml")).unwrap();
    assert!(rss.contains("<atom:link href=\"https://lab.example.org/tags/nfs/index.xml\" rel=\"self\""));
    assert!(rss.contains("<lastBuildDate>Thu, 1 May 2008 10:00:00 +0000</lastBuildDate>"));
    assert!(rss.contains("<dc:creator>Dana</dc:creator>"));
}

#[test]
fn series_from_titles_and_every_feed_in_opml() {
    let site = migrated_site();
    site.build_ok();
    let series = site.feed("series/virtualization-short-take/atom.xml");
    assert_eq!(series.entries.len(), 2);
    let opml = fs::read_to_string(site.out().join("opml.xml")).unwrap();
    let doc = roxmltree::Document::parse(&opml).unwrap();
    let urls: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("xmlUrl")).collect();
    for want in [
        "https://lab.example.org/index.xml",
        "https://lab.example.org/tags/nfs/index.xml",
        "https://lab.example.org/series/virtualization-short-take/index.xml",
    ] {
        assert!(urls.contains(&want), "{want} not in {urls:?}");
    }
    for url in urls {
        let rel = url.strip_prefix("https://lab.example.org/").unwrap();
        assert!(site.out().join(rel).is_file(), "{rel} listed but missing");
    }
}

#[test]
fn content_has_only_absolute_urls_and_summaries() {
    let site = migrated_site();
    site.build_ok();
    let feed = site.feed("atom.xml");
    for entry in &feed.entries {
        let html = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in html.match_indices(attr) {
                let value = &html[i + attr.len()..];
                assert!(value.starts_with("https://") || value.starts_with("http://"), "relative URL in {html}");
            }
        }
    }
    let nfs = feed.entries.iter().find(|e| e.title.as_ref().unwrap().content == "NFS Datastores").unwrap();
    let html = nfs.content.as_ref().unwrap().body.clone().unwrap();
    assert!(html.contains("https://lab.example.org/about/"));
    assert!(html.contains("https://lab.example.org/2008/02/06/nfs-datastores/pics/a.png"));
    assert!(html.contains("https://lab.example.org/2008/02/06/x\""));
    let summary = nfs.summary.as_ref().unwrap().content.clone();
    assert!(summary.contains("Intro") && !summary.contains("More"), "{summary}");
    let vst = feed.entries.iter().find(|e| e.id.ends_with("?p=679")).unwrap();
    assert!(
        vst.content
            .as_ref()
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .contains("https://lab.example.org/2008/02/06/nfs-datastores/")
    );
}

#[test]
fn custom_feeds_select_by_title_and_tags_with_their_own_limit() {
    let site = migrated_site();
    site.write(
        "feedwright.yaml",
        &format!("{CONFIG}feeds:\n  - slug: short-take\n    title: Short Takes\n    limit: 1\n    match: {{ title: 'Short Take #\\d+' }}\n  - slug: vm\n    title: VMware\n    match: {{ tags: [vmware, esx] }}\n"),
    );
    site.build_ok();
    let st = site.feed("short-take/index.xml");
    assert_eq!(st.entries.len(), 1);
    assert_eq!(st.entries[0].title.as_ref().unwrap().content, "Virtualization Short Take #6, Hyper-V Edition");
    let vm = site.feed("vm/atom.xml");
    assert_eq!(vm.entries.len(), 2);
}

#[test]
fn limit_drafts_and_future_posts() {
    let site = TestSite::new(&format!("{CONFIG}limit: 2\n"));
    for day in 1..=4 {
        site.post(&format!("p{day}"), &format!("title: Post {day}\ndate: 2010-01-0{day}"), "x");
    }
    site.post("draft", "title: Draft\ndate: 2010-01-05\ndraft: true", "x");
    site.post("future", "title: Future\ndate: 2999-01-01", "x");
    site.build_ok();
    let titles = |site: &TestSite| -> Vec<String> {
        site.feed("index.xml").entries.iter().map(|e| e.title.clone().unwrap().content).collect()
    };
    assert_eq!(titles(&site), ["Post 4", "Post 3"]);
    let out = site.build(&["--drafts", "--future"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(titles(&site), ["Future", "Draft"]);
}

#[test]
fn hugo_and_jekyll_configs_without_feedwright_yaml() {
    let hugo = TestSite::bare();
    hugo.write("config.toml", "baseURL = 'https://hugo.example.org/'\ntitle = 'Hugo Site'\nlanguageCode = 'de'\n");
    hugo.post("a", "title: A\ndate: 2020-01-01", "x");
    hugo.build_ok();
    let feed = hugo.feed("atom.xml");
    assert_eq!(feed.title.unwrap().content, "Hugo Site");
    assert_eq!(feed.entries[0].links[0].href, "https://hugo.example.org/post/a/");

    let jekyll = TestSite::bare();
    jekyll.write("_config.yml", "url: https://j.example.org\ntitle: J\n");
    jekyll.write(
        "_posts/2020-02-03-hello.markdown",
        "---\ntitle: Hello\ndate: 2020-02-03 10:00:00 +0100\nwordpress_url: http://old.example.org/?p=5\n---\nHi\n",
    );
    jekyll.build_ok();
    let feed = jekyll.feed("index.xml");
    assert_eq!(feed.entries[0].id, "http://old.example.org/?p=5");
    assert_eq!(feed.entries[0].links[0].href, "https://j.example.org/2020/02/03/hello/");
}

#[test]
fn two_builds_are_identical_and_the_second_rewrites_nothing() {
    let site = migrated_site();
    site.build_ok();
    let first = site.out_files();
    let mtimes: Vec<_> = first.keys().map(|k| fs::metadata(site.out().join(k)).unwrap().modified().unwrap()).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = site.build_ok();
    assert!(stderr(&out).contains("0 written"), "{}", stderr(&out));
    assert_eq!(site.out_files(), first);
    let again: Vec<_> = first.keys().map(|k| fs::metadata(site.out().join(k)).unwrap().modified().unwrap()).collect();
    assert_eq!(mtimes, again);
}

#[test]
fn stale_feeds_are_removed_but_foreign_files_are_kept() {
    let site = migrated_site();
    fs::create_dir_all(site.out().join("tags/hyperv")).unwrap();
    fs::write(site.out().join("tags/hyperv/notes.txt"), "mine").unwrap();
    fs::write(site.out().join("robots.txt"), "mine").unwrap();
    site.build_ok();
    assert!(site.out().join("tags/hyperv/index.xml").is_file());
    fs::remove_file(site.root().join("content/post/2008-04-01-virtualization-short-take-6.md")).unwrap();
    site.build_ok();
    assert!(!site.out().join("tags/hyperv/index.xml").exists());
    assert_eq!(fs::read_to_string(site.out().join("tags/hyperv/notes.txt")).unwrap(), "mine");
    assert_eq!(fs::read_to_string(site.out().join("robots.txt")).unwrap(), "mine");
}

#[test]
fn a_tag_cannot_write_outside_out() {
    let site = TestSite::new(CONFIG);
    site.post("evil", "title: Evil\ndate: 2020-01-01\ntags: ['../../etc', '..', 'C++', 'C']", "x");
    site.build_ok();
    let files = site.out_files();
    assert!(files.contains_key("tags/etc/index.xml"));
    assert!(files.contains_key("tags/c/index.xml"));
    assert_eq!(files.keys().filter(|k| k.starts_with("tags/c")).count(), 4, "{:?}", files.keys());
    assert!(!site.root().join("etc").exists());
}

#[test]
fn check_lists_warnings_and_errors_without_writing() {
    let site = migrated_site();
    site.post("broken-link", "title: B\ndate: 2020-01-01", "[x]({{< relref \"missing.md\" >}}) {{< mystery >}}");
    let root = site.root().to_str().unwrap();
    let out = site.run(&["check", "--site", root]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("broken-link.md:5: warning: link target `missing.md`"), "{err}");
    assert!(err.contains("warning: unknown shortcode `mystery`"), "{err}");
    assert!(!site.out().exists());
}
