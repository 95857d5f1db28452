//! JSON Feed 1.1 output (`formats: [json]`).

use serde_json::{Value, json};

use crate::core::input::config::{Author, Content};
use crate::core::render::formats::view::FeedView;
use crate::core::xmltext::WriteError;

fn author(a: &Author) -> Value {
    json!({ "name": a.name })
}

/// The feed as a JSON Feed 1.1 document.
pub fn write(feed: &FeedView) -> Result<Vec<u8>, WriteError> {
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|item| {
            // An item needs `content_html` or `content_text`: a summary feed's is the summary.
            let content = match feed.content {
                Content::Full => &item.content_html,
                Content::Summary => &item.summary_html,
            };
            let mut value = json!({
                "id": item.id,
                "url": item.link,
                "title": item.title,
                "content_html": content,
                "summary": strip_tags(&item.summary_html),
                "date_published": item.published.to_rfc3339(),
                "date_modified": item.updated.to_rfc3339(),
                "authors": item.authors.iter().map(author).collect::<Vec<_>>(),
                "tags": item.categories,
            });
            // JSON Feed 1.0 readers know only `author`.
            if let Some(first) = item.authors.first() {
                value["author"] = author(first);
            }
            if let Some(image) = &item.media.image {
                value["image"] = json!(image.url);
            }
            if !item.media.enclosures.is_empty() {
                let attachments: Vec<Value> = item
                    .media
                    .enclosures
                    .iter()
                    .map(|e| json!({ "url": e.url, "mime_type": e.mime, "size_in_bytes": e.length }))
                    .collect();
                value["attachments"] = json!(attachments);
            }
            value
        })
        .collect();
    let mut doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.html_url,
        "feed_url": feed.self_url,
        "description": feed.description,
        "items": items,
    });
    if let Some(language) = &feed.language {
        doc["language"] = json!(language);
    }
    if let Some(hub) = &feed.hub {
        doc["hubs"] = json!([{ "type": "WebSub", "url": hub }]);
    }
    if let Some(a) = &feed.author {
        doc["authors"] = json!([author(a)]);
        doc["author"] = author(a);
    }
    if let Some(icon) = feed.icon.as_ref().or(feed.logo.as_ref()) {
        doc["icon"] = json!(icon);
    }
    if let Some(icon) = &feed.icon {
        doc["favicon"] = json!(icon);
    }
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| WriteError(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Plain text of a small HTML fragment (for JSON Feed's text `summary`).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}
