//! Property: whatever strings a post holds as title, tags and body, every feed is
//! well-formed XML that parses as a feed, and every output path stays inside `--out`.

use std::path::{Component, Path, PathBuf};

use chrono::TimeZone;
use feedwright::core::{Change, Options, Site};
use proptest::prelude::*;

fn yaml_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn site_with(title: &str, tags: &[String], body: &str) -> Site {
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let mut site = Site::new(Options::default(), now);
    let tags: Vec<String> = tags.iter().map(|t| yaml_quote(t)).collect();
    let post = format!(
        "---\ntitle: {}\ndate: 2020-01-01\ntags: [{}]\ncategories: {}\n---\n{body}",
        yaml_quote(title),
        tags.join(", "),
        yaml_quote(title)
    );
    site.apply([
        Change::Write(
            PathBuf::from("feedwright.yaml"),
            b"base_url: https://ex.org\ntitle: T\nformats: [rss, atom, json]\n".to_vec(),
        ),
        Change::Write(PathBuf::from("content/post/p.md"), post.into_bytes()),
    ]);
    site
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_text_gives_well_formed_feeds_inside_out(
        title in "\\PC{0,40}|[\\x00-\\x7f]{1,20}",
        tags in prop::collection::vec("\\PC{0,12}|[./\\\\]{1,6}|[\\x00-\\x20]{1,3}", 0..4),
        body in "\\PC{0,200}|[<>&\"'\\]\\[{}%\\x00-\\x1f]{0,60}",
    ) {
        let site = site_with(&title, &tags, &body);
        let (files, _) = site.render_all().unwrap();
        for (rel, bytes) in &files {
            prop_assert!(Path::new(rel).components().all(|c| matches!(c, Component::Normal(_))), "{rel}");
            prop_assert!(!rel.contains('\\'), "{rel}");
            if rel.ends_with(".xml") || rel.ends_with(".xsl") {
                let text = std::str::from_utf8(bytes).unwrap();
                prop_assert!(roxmltree::Document::parse(text).is_ok(), "{rel} is not well-formed:\n{text}");
                if rel != "opml.xml" && rel != "feed.xsl" {
                    prop_assert!(feed_rs::parser::parse(bytes.as_slice()).is_ok(), "{rel} does not parse as a feed");
                }
            } else {
                prop_assert!(serde_json::from_slice::<serde_json::Value>(bytes).is_ok(), "{rel}");
            }
        }
    }
}
