//! The feeds readers hold, read from wherever they are: a feed file, an http(s) URL, an
//! OPML list of feeds (each read in turn), or a previous `--out` folder (its
//! `.feedwright-ids` knows each post's id by file). RSS 2.0, Atom 1.0 and JSON Feed.
//!
//! Fetching is careful: a timeout, at most 5 redirects, gzip, a size limit, and a clear
//! error for what is not a feed (an HTML page, a 404).

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::core::HeldItem;
use crate::edges::output::{Destination, OutDir};

/// The most a source may weigh.
const MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Every item of every source, or the first source that cannot be read, said plainly.
pub fn read_sources(sources: &[String]) -> Result<Vec<HeldItem>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(5)
        .http_status_as_error(false)
        .build()
        .into();
    let mut items = Vec::new();
    for source in sources {
        items.extend(read_source(&agent, source)?);
    }
    Ok(items)
}

fn read_source(agent: &ureq::Agent, source: &str) -> Result<Vec<HeldItem>, String> {
    if Path::new(source).is_dir() {
        return from_out_folder(source);
    }
    let bytes = fetch(agent, source)?;
    let text = String::from_utf8_lossy(&bytes);
    if let Some(feeds) = opml_feeds(&text) {
        let mut items = Vec::new();
        for feed in feeds {
            let url = resolve(source, &feed);
            let bytes = fetch(agent, &url).map_err(|e| format!("{e} (listed in {source})"))?;
            items.extend(parse_feed(&url, &bytes)?);
        }
        return Ok(items);
    }
    parse_feed(source, &bytes)
}

/// The bytes of a file or URL, within the size limit.
fn fetch(agent: &ureq::Agent, source: &str) -> Result<Vec<u8>, String> {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        let meta = std::fs::metadata(source).map_err(|e| format!("{source}: cannot read: {e}"))?;
        if meta.len() > MAX_BYTES {
            return Err(format!("{source}: {} MiB is more than a feed weighs", meta.len() >> 20));
        }
        return std::fs::read(source).map_err(|e| format!("{source}: cannot read: {e}"));
    }
    let mut response = agent.get(source).call().map_err(|e| format!("{source}: cannot fetch: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{source}: the server answered {status}, not a feed"));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| format!("{source}: cannot read the response: {e}"))
}

/// A relative `xmlUrl` of an OPML file, resolved against where the OPML came from.
fn resolve(opml: &str, feed: &str) -> String {
    if feed.contains("://") {
        return feed.to_string();
    }
    if let Ok(base) = url::Url::parse(opml)
        && let Ok(joined) = base.join(feed)
    {
        return joined.to_string();
    }
    Path::new(opml).parent().unwrap_or(Path::new("")).join(feed).display().to_string()
}

/// The feeds an OPML document lists; `None` when it is not OPML.
fn opml_feeds(text: &str) -> Option<Vec<String>> {
    let doc = roxmltree::Document::parse(text.trim_start_matches('\u{feff}')).ok()?;
    if !doc.root_element().has_tag_name("opml") {
        return None;
    }
    Some(doc.descendants().filter_map(|n| n.attribute("xmlUrl")).map(str::to_string).collect())
}

/// The items of an RSS, Atom or JSON feed.
fn parse_feed(source: &str, bytes: &[u8]) -> Result<Vec<HeldItem>, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        return parse_json(source, text);
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let html = text.get(..512).unwrap_or(text).to_ascii_lowercase();
        if html.contains("<html") || html.contains("<!doctype html") {
            format!("{source}: this is an HTML page, not a feed (its <link rel=\"alternate\"> names the feed)")
        } else {
            format!("{source}: not a feed: {e}")
        }
    })?;
    let root = doc.root_element();
    let child = |node: roxmltree::Node, name: &str| {
        node.children().find(|c| c.tag_name().name() == name).and_then(|c| c.text()).map(|t| t.trim().to_string())
    };
    let item = |id: Option<String>, link: Option<String>, title, date: Option<String>, rfc2822: bool| {
        let published = date.and_then(|d| parse_date(&d, rfc2822));
        let id = id.filter(|i| !i.is_empty()).or_else(|| link.clone())?;
        Some(HeldItem { id, link, title, published, post: None, source: source.to_string() })
    };
    match root.tag_name().name() {
        "rss" | "RDF" => Ok(root
            .descendants()
            .filter(|n| n.tag_name().name() == "item")
            .filter_map(|n| {
                let date = child(n, "pubDate").or_else(|| child(n, "date"));
                item(child(n, "guid"), child(n, "link"), child(n, "title"), date, true)
            })
            .collect()),
        "feed" => Ok(root
            .children()
            .filter(|n| n.tag_name().name() == "entry")
            .filter_map(|n| {
                let links: Vec<roxmltree::Node> = n.children().filter(|c| c.tag_name().name() == "link").collect();
                let link = links
                    .iter()
                    .find(|l| l.attribute("rel").is_none_or(|r| r == "alternate"))
                    .and_then(|l| l.attribute("href"))
                    .map(str::to_string);
                let date = child(n, "published").or_else(|| child(n, "updated"));
                item(child(n, "id"), link, child(n, "title"), date, false)
            })
            .collect()),
        other => Err(format!("{source}: not a feed (its root element is <{other}>, not <rss> or <feed>)")),
    }
}

fn parse_json(source: &str, text: &str) -> Result<Vec<HeldItem>, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{source}: not a feed: {e}"))?;
    let items = doc["items"].as_array().ok_or_else(|| format!("{source}: a JSON document without `items`"))?;
    Ok(items
        .iter()
        .filter_map(|i| {
            let text = |k: &str| i[k].as_str().map(str::to_string).or_else(|| i[k].as_i64().map(|n| n.to_string()));
            let published = text("date_published").and_then(|d| parse_date(&d, false));
            Some(HeldItem {
                id: text("id")?,
                link: text("url"),
                title: text("title"),
                published,
                post: None,
                source: source.to_string(),
            })
        })
        .collect())
}

fn parse_date(text: &str, rfc2822_first: bool) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    let rfc2822 = || DateTime::parse_from_rfc2822(text).ok();
    let rfc3339 = || DateTime::parse_from_rfc3339(text).ok();
    if rfc2822_first { rfc2822().or_else(rfc3339) } else { rfc3339().or_else(rfc2822) }
}

/// What a previous `--out` published: each post's id, by its file.
fn from_out_folder(folder: &str) -> Result<Vec<HeldItem>, String> {
    let out = OutDir::open(Path::new(folder));
    if out.ids().is_empty() {
        return Err(format!("{folder}: a folder, but holds no .feedwright-ids (no ids feedwright published)"));
    }
    Ok(out
        .ids()
        .iter()
        .map(|(post, id)| HeldItem {
            id: id.clone(),
            link: None,
            title: None,
            published: None,
            post: Some(post.clone()),
            source: folder.to_string(),
        })
        .collect())
}
