//! What readers see of a post's image, its enclosures, summaries, icons and author feeds:
//! the real binary builds a small site, and the feeds are read back with feed-rs (RSS,
//! Atom) and serde_json against JSON Feed 1.1's field names.

mod common;

use common::TestSite;
use serde_json::Value;

const CONFIG: &str = "title: Lab\nbase_url: https://lab.example.org\nformats: [rss, atom, json]\n\
    author: {name: Ann Lee, email: ann@lab.example.org}\nicon: /icon.png\nlogo: https://cdn.example.net/logo.png\n\
    feeds:\n  - slug: digest\n    title: Digest\n    match: {tags: [NFS]}\n    content: summary\n";

/// 10,008 bytes: what the enclosure's length must say.
const EPISODE: usize = 10_008;

fn site() -> TestSite {
    let site = TestSite::new(CONFIG);
    site.post(
        "with-image",
        "title: Rack\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]\ndescription: The rack, rebuilt.\ncover:\n  image: /img/rack.jpg",
        "The rack came apart.\n\n![Diagram](/img/diagram.png)\n",
    );
    site.post(
        "image-first",
        "title: Shown\ndate: 2020-01-02T10:00:00Z\nimages: [/img/shown.png]\nauthor: Bo Chen",
        "![Shown](/img/shown.png)\n\nText after the image.\n",
    );
    site.post(
        "episode",
        "title: Episode 1\ndate: 2020-01-03T10:00:00Z\ntags: [NFS]\naudio: /audio/ep1.mp3\n\
         enclosure:\n  url: https://media.example.net/ep1.pdf\n  type: application/pdf\n  length: 52000",
        "Show notes with a long body that only full-text feeds carry.\n",
    );
    site.write_bytes("static/audio/ep1.mp3", &vec![0u8; EPISODE]);
    // A relative image: on the site for a plain post (Hugo's absURL), beside the post for
    // a page bundle (its own file).
    site.post("plain", "title: Plain\ndate: 2019-01-01T10:00:00Z\nthumbnail: img/t.png", "x\n");
    site.write(
        "content/post/bundle/index.md",
        "---\ntitle: Bundle\ndate: 2019-01-02T10:00:00Z\nimage: b.png\n---\nx\n",
    );
    site.write_bytes("content/post/bundle/b.png", &[0u8; 321]);
    site
}

fn json(site: &TestSite, rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(site.out().join(rel)).unwrap()).unwrap()
}

fn item<'a>(feed: &'a Value, title: &str) -> &'a Value {
    feed["items"].as_array().unwrap().iter().find(|i| i["title"] == title).unwrap()
}

#[test]
fn a_posts_image_reaches_every_reader_in_the_form_it_reads() {
    let site = site();
    site.build_ok();
    // RSS: media:content and media:thumbnail (Feedly, Inoreader), and an <img> at the
    // top of the full text, where NetNewsWire looks.
    let rss = site.feed("index.xml");
    let rack = rss.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Rack").unwrap();
    let url = "https://lab.example.org/img/rack.jpg";
    let media = &rack.media;
    assert!(media.iter().any(|m| m.content.iter().any(|c| c.url.as_ref().unwrap().as_str() == url)), "{media:?}");
    assert!(media.iter().any(|m| m.thumbnails.iter().any(|t| t.image.uri == url)), "{media:?}");
    let body = rack.content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(body.starts_with(&format!("<p><img src=\"{url}\" alt=\"\"></p>")), "{body}");
    // Atom: an enclosure link, since the body does not show the image first.
    let atom = site.feed("atom.xml");
    let rack = atom.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Rack").unwrap();
    let enclosure = rack.links.iter().find(|l| l.rel.as_deref() == Some("enclosure")).unwrap();
    assert_eq!((enclosure.href.as_str(), enclosure.media_type.as_deref()), (url, Some("image/jpeg")));
    // A post whose body starts with its image: no second copy, no Atom enclosure.
    let shown = atom.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Shown").unwrap();
    assert!(!shown.links.iter().any(|l| l.rel.as_deref() == Some("enclosure")), "{:?}", shown.links);
    let body = shown.content.as_ref().unwrap().body.as_ref().unwrap();
    assert_eq!(body.matches("img/shown.png").count(), 1, "{body}");
    // JSON Feed: `image`.
    let feed = json(&site, "feed.json");
    assert_eq!(item(&feed, "Rack")["image"], url);
    assert_eq!(item(&feed, "Shown")["image"], "https://lab.example.org/img/shown.png");
    assert_eq!(item(&feed, "Plain")["image"], "https://lab.example.org/img/t.png");
    assert_eq!(item(&feed, "Bundle")["image"], "https://lab.example.org/post/bundle/b.png");
    let bundle = atom.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Bundle").unwrap();
    let enclosure = bundle.links.iter().find(|l| l.rel.as_deref() == Some("enclosure")).unwrap();
    assert_eq!(enclosure.length, Some(321), "measured from the bundle's file");
}

#[test]
fn an_enclosure_has_its_real_length_and_type_in_every_format() {
    let site = site();
    site.build_ok();
    let mp3 = "https://lab.example.org/audio/ep1.mp3";
    // RSS carries one enclosure per item: the first.
    let rss = site.feed("index.xml");
    let episode = rss.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Episode 1").unwrap();
    let content: Vec<_> = episode.media.iter().flat_map(|m| &m.content).collect();
    assert_eq!(content.len(), 1, "{content:?}");
    assert_eq!(content[0].url.as_ref().unwrap().as_str(), mp3);
    assert_eq!(content[0].size, Some(EPISODE as u64));
    assert_eq!(content[0].content_type.as_ref().unwrap().to_string(), "audio/mpeg");
    // Atom and JSON Feed carry both.
    let atom = site.feed("atom.xml");
    let episode = atom.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Episode 1").unwrap();
    let enclosures: Vec<(&str, Option<&str>, Option<u64>)> = episode
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
        .map(|l| (l.href.as_str(), l.media_type.as_deref(), l.length))
        .collect();
    assert_eq!(
        enclosures,
        vec![
            (mp3, Some("audio/mpeg"), Some(EPISODE as u64)),
            ("https://media.example.net/ep1.pdf", Some("application/pdf"), Some(52000)),
        ]
    );
    let feed = json(&site, "feed.json");
    let attachments = &item(&feed, "Episode 1")["attachments"];
    assert_eq!(attachments[0], serde_json::json!({"url": mp3, "mime_type": "audio/mpeg", "size_in_bytes": EPISODE}));
    assert_eq!(attachments[1]["size_in_bytes"], 52000);
}

#[test]
fn an_enclosure_whose_length_cannot_be_known_is_an_error_with_its_line() {
    let site = site();
    site.post("missing", "title: Lost\ndate: 2020-02-01T10:00:00Z\naudio: /audio/lost.mp3", "Gone.\n");
    site.build_ok_or_fail_with(1, "content/post/missing.md:4: error: enclosure `/audio/lost.mp3`: no such file");
    let out = site.build(&[]);
    assert!(common::stderr(&out).contains("give `length:` in bytes"), "{}", common::stderr(&out));
    assert!(!site.out().exists(), "nothing is written");
    site.post("missing", "title: Lost\ndate: 2020-02-01T10:00:00Z\nvideo: https://cdn.example.net/v.webm", "x\n");
    site.build_ok_or_fail_with(1, "enclosure `https://cdn.example.net/v.webm`: its length is unknown");
}

#[test]
fn a_summary_feed_carries_no_full_text_in_any_format() {
    let site = site();
    site.build_ok();
    let full = "only full-text feeds carry";
    for rel in ["digest/index.xml", "digest/atom.xml"] {
        let feed = site.feed(rel);
        assert_eq!(feed.entries.len(), 2, "{rel}");
        for entry in &feed.entries {
            assert!(entry.content.is_none(), "{rel}: {:?}", entry.content);
            assert!(entry.summary.is_some(), "{rel}");
        }
        let text = std::fs::read_to_string(site.out().join(rel)).unwrap();
        assert!(!text.contains("content:encoded") && !text.contains("<content"), "{text}");
    }
    let rack = &site.feed("digest/index.xml").entries[1];
    assert_eq!(rack.summary.as_ref().unwrap().content, "The rack, rebuilt.");
    let digest = json(&site, "digest/feed.json");
    assert_eq!(item(&digest, "Rack")["content_html"], "The rack, rebuilt.");
    assert_eq!(item(&digest, "Rack")["summary"], "The rack, rebuilt.");
    let whole = json(&site, "feed.json");
    assert!(item(&whole, "Rack")["content_html"].as_str().unwrap().contains("The rack came apart."));
    // The site feed keeps both.
    let site_feed = site.feed("index.xml");
    let episode = site_feed.entries.iter().find(|e| e.title.as_ref().unwrap().content == "Episode 1").unwrap();
    assert!(episode.content.as_ref().unwrap().body.as_ref().unwrap().contains(full));
}

#[test]
fn icons_logos_and_a_feed_per_author() {
    let site = site();
    site.build_ok();
    let rss = site.feed("index.xml");
    assert_eq!(rss.logo.as_ref().unwrap().uri, "https://lab.example.org/icon.png", "RSS <image> is the square icon");
    let atom = site.feed("atom.xml");
    assert_eq!(atom.icon.as_ref().unwrap().uri, "https://lab.example.org/icon.png");
    assert_eq!(atom.logo.as_ref().unwrap().uri, "https://cdn.example.net/logo.png");
    let feed = json(&site, "feed.json");
    assert_eq!(
        (feed["icon"].as_str(), feed["favicon"].as_str()),
        (Some("https://lab.example.org/icon.png"), Some("https://lab.example.org/icon.png"))
    );
    assert_eq!(feed["author"]["name"], "Ann Lee");
    assert_eq!(item(&feed, "Shown")["author"]["name"], "Bo Chen");
    // Two authors (posts without one are the site author's): a feed each.
    let ann: Vec<String> =
        site.feed("authors/ann-lee/index.xml").entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert_eq!(ann, ["Episode 1", "Rack", "Bundle", "Plain"]);
    let bo = site.feed("authors/bo-chen/atom.xml");
    assert_eq!(bo.title.unwrap().content, "Lab — Author: Bo Chen");
    assert_eq!(bo.entries.len(), 1);
    // feeds.json lists them, with each format's URL.
    let index = json(&site, "feeds.json");
    let author = index["feeds"].as_array().unwrap().iter().find(|f| f["slug"] == "bo-chen").unwrap();
    assert_eq!(author["kind"], "author");
    assert_eq!(author["name"], "Bo Chen");
    assert_eq!(author["urls"]["atom"], "https://lab.example.org/authors/bo-chen/atom.xml");
    assert_eq!(author["urls"]["json"], "https://lab.example.org/authors/bo-chen/feed.json");
    let kinds: Vec<&str> = index["feeds"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"site") && kinds.contains(&"tag") && kinds.contains(&"custom"), "{kinds:?}");

    // With one author, no author feeds: the post by Bo goes, and so do theirs.
    std::fs::remove_file(site.root().join("content/post/image-first.md")).unwrap();
    site.build_ok();
    assert!(!site.out().join("authors").exists());
    assert!(!String::from_utf8(std::fs::read(site.out().join("feeds.json")).unwrap()).unwrap().contains("author"));
}

#[test]
fn a_podcast_feed_has_the_show_and_episode_tags_and_other_feeds_none() {
    let site = TestSite::new(&format!(
        "{CONFIG}  - slug: show\n    title: The Show\n    match: {{tags: [NFS]}}\n    podcast: true\n\
         podcast: {{category: Technology, explicit: false, image: /cover.jpg}}\n"
    ));
    site.post(
        "ep",
        "title: Episode 1\ndate: 2020-01-03T10:00:00Z\ntags: [NFS]\naudio: /audio/ep1.mp3\nduration: '12:34'",
        "Notes.\n",
    );
    site.write_bytes("static/audio/ep1.mp3", &vec![0u8; EPISODE]);
    site.build_ok();
    let show = std::fs::read_to_string(site.out().join("show/index.xml")).unwrap();
    for want in [
        "<itunes:category text=\"Technology\">",
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:image href=\"https://lab.example.org/cover.jpg\"/>",
        "<itunes:author>Ann Lee</itunes:author>",
        "<itunes:email>ann@lab.example.org</itunes:email>",
        "<itunes:duration>12:34</itunes:duration>",
    ] {
        assert!(show.contains(want), "{want} missing:\n{show}");
    }
    // In any other feed an iTunes element would make apps take it for a podcast.
    let site_feed = std::fs::read_to_string(site.out().join("index.xml")).unwrap();
    assert!(!site_feed.contains("itunes"), "{site_feed}");
    let podcast = site.feed("show/index.xml");
    assert_eq!(podcast.entries[0].media.iter().flat_map(|m| &m.content).count(), 1);
}

#[test]
fn author_feeds_follow_the_config_and_a_hugo_authors_taxonomy() {
    // Off by choice, with two authors.
    let site = site();
    site.write("feedwright.yaml", &format!("{CONFIG}author_feeds: false\n"));
    site.build_ok();
    assert!(!site.out().join("authors").exists());
    // On by choice, with one author.
    let one = TestSite::new("title: Lab\nbase_url: https://lab.example.org\nauthor: Ann Lee\nauthor_feeds: true\n");
    one.post("a", "title: A\ndate: 2020-01-01T10:00:00Z", "x\n");
    one.build_ok();
    assert_eq!(one.feed("authors/ann-lee/index.xml").entries.len(), 1);
    // A Hugo site with its own `authors` taxonomy: Hugo's feeds (from `authors:`), at
    // Hugo's paths, and no second set.
    let hugo = TestSite::bare();
    hugo.write(
        "config.yaml",
        "baseURL: https://lab.example.org/\ntitle: Lab\ntaxonomies: {tag: tags, author: authors}\n",
    );
    hugo.write("content/post/a.md", "---\ntitle: A\ndate: 2020-01-01\nauthors: [Ann Lee]\n---\nx\n");
    hugo.write("content/post/b.md", "---\ntitle: B\ndate: 2020-01-02\nauthor: Bo Chen\n---\nx\n");
    hugo.build_ok();
    let authors: Vec<String> = std::fs::read_dir(hugo.out().join("authors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(authors, ["ann-lee"], "Hugo makes author pages from `authors:` only");
}

#[test]
fn stylesheet_false_leaves_the_instruction_and_the_file_out() {
    let site = site();
    site.write("feedwright.yaml", &format!("{CONFIG}stylesheet: false\n"));
    site.build_ok();
    let rss = std::fs::read_to_string(site.out().join("index.xml")).unwrap();
    assert!(!rss.contains("xml-stylesheet"), "{rss}");
    assert!(!site.out().join("feed.xsl").exists());
    assert!(site.out().join("feeds.json").exists());
}
