//! RSS 2.0 output, with the `atom`, `content` and `dc` extensions readers expect.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::itunes::{ITunesCategory, ITunesChannelExtension, ITunesItemExtension, ITunesOwner};
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel, Enclosure, Guid, Image, Item};

use crate::core::render::formats::view::{Attachment, FeedView, HISTORY_NS, ItemView, MEDIA_NS};
use crate::core::xmltext::{WriteError, assemble, hex_refs};

/// One item's XML, exactly as it sits in any channel: a feed shares it with every other
/// feed that shows the post (see [`write_with_items`]).
pub fn item_xml(view: &ItemView) -> Result<Vec<u8>, WriteError> {
    let doc = document(&Channel { items: vec![item(view)], ..Default::default() })?;
    let xml = crate::core::xmltext::fragment(&doc, ITEM_START, CHANNEL_END);
    Ok(hex_refs(xml, ITEM_TEXT))
}

/// The feed as an RSS 2.0 document, with its items given as [`item_xml`] made them.
pub fn write_with_items(feed: &FeedView, items: &[impl AsRef<[u8]>]) -> Result<Vec<u8>, WriteError> {
    let doc = hex_refs(&document(&channel(feed, !items.is_empty()))?, CHANNEL_TEXT);
    Ok(assemble(&doc, feed.stylesheet.as_deref(), CHANNEL_END, items))
}

/// The feed as an RSS 2.0 document (its items made here).
#[cfg(test)]
pub fn write(feed: &FeedView) -> Result<Vec<u8>, WriteError> {
    let items = feed.items.iter().map(item_xml).collect::<Result<Vec<_>, _>>()?;
    write_with_items(feed, &items)
}

const ITEM_START: &[u8] = b"\n    <item>";
const CHANNEL_END: &[u8] = b"\n  </channel>";

/// Elements whose text is plain text, not HTML. The RSS profile asks for `&` and `<`
/// in them as hexadecimal character references, so that no reader takes them for markup.
const CHANNEL_TEXT: &[&str] = &["title", "description", "itunes:author", "itunes:name"];
const ITEM_TEXT: &[&str] = &["title", "category", "dc:creator"];

fn yes_no(b: bool) -> String {
    if b { "true" } else { "false" }.into()
}

fn item(item: &ItemView) -> Item {
    // A reader shows `description` in lists and `content:encoded` in full: the full text
    // stands in for an empty summary (the profile wants a description before the
    // content), and an empty post carries neither.
    let content = Some(item.content_html.clone()).filter(|c| !c.trim().is_empty());
    let description = Some(item.summary_html.clone()).filter(|s| !s.trim().is_empty()).or_else(|| content.clone());
    Item {
        title: Some(item.title.clone()),
        link: Some(item.link.clone()),
        // RSS `<author>` must be an e-mail address; readers show `dc:creator`, and
        // carrying both is flagged as duplicate semantics, so names only.
        // `Guid::default()` claims isPermaLink="true"; our ids are not URLs to fetch.
        guid: Some(Guid { value: item.id.clone(), permalink: false }),
        pub_date: Some(item.published.to_rfc2822()),
        categories: item.categories.iter().map(|c| Category { name: c.clone(), domain: None }).collect(),
        description,
        content,
        dublin_core_ext: (!item.authors.is_empty()).then(|| DublinCoreExtension {
            creators: item.authors.iter().map(|a| a.name.clone()).collect(),
            ..Default::default()
        }),
        // RSS allows one enclosure per item: the first (Atom and JSON Feed carry all).
        enclosure: item.media.enclosures.first().map(|e| Enclosure {
            url: e.url.clone(),
            length: e.length.unwrap_or_default().to_string(),
            mime_type: e.mime.clone().unwrap_or_default(),
        }),
        itunes_ext: item.uses_itunes().then(|| ITunesItemExtension {
            duration: item.media.duration.clone(),
            explicit: item.media.explicit.map(yes_no),
            ..Default::default()
        }),
        extensions: item.media.image.as_ref().map(media).unwrap_or_default(),
        ..Default::default()
    }
}

/// The post's image as Media RSS: `media:content medium="image"` (Feedly, Inoreader)
/// and `media:thumbnail` (what list views show).
fn media(image: &Attachment) -> ExtensionMap {
    let element = |name: &str, attrs: &[(&str, &str)]| Extension {
        name: format!("media:{name}"),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    };
    let mut content = vec![("url", image.url.as_str()), ("medium", "image")];
    if let Some(mime) = &image.mime {
        content.push(("type", mime));
    }
    let length = image.length.map(|l| l.to_string());
    if let Some(length) = &length {
        content.push(("fileSize", length));
    }
    BTreeMap::from([(
        "media".to_string(),
        BTreeMap::from([
            ("content".to_string(), vec![element("content", &content)]),
            ("thumbnail".to_string(), vec![element("thumbnail", &[("url", &image.url)])]),
        ]),
    )])
}

/// The show's channel tags, as Apple Podcasts requires them.
fn itunes(feed: &FeedView) -> Option<ITunesChannelExtension> {
    let podcast = feed.podcast.as_ref()?;
    let author = podcast.author.clone().or_else(|| feed.author.as_ref().map(|a| a.name.clone()));
    let email = podcast.email.clone().or_else(|| feed.author.as_ref().and_then(|a| a.email.clone()));
    Some(ITunesChannelExtension {
        author: author.clone(),
        categories: vec![ITunesCategory {
            text: podcast.category.clone(),
            subcategory: podcast
                .subcategory
                .as_ref()
                .map(|s| Box::new(ITunesCategory { text: s.clone(), subcategory: None })),
        }],
        explicit: Some(yes_no(podcast.explicit)),
        image: podcast.image.clone().or_else(|| feed.icon.clone()),
        owner: email.map(|email| ITunesOwner { name: author, email: Some(email) }),
        summary: Some(feed.description.clone()).filter(|d| !d.is_empty()),
        ..Default::default()
    })
}

fn channel(feed: &FeedView, has_items: bool) -> Channel {
    Channel {
        title: feed.title.clone(),
        link: feed.html_url.clone(),
        description: feed.description.clone(),
        language: feed.language.clone(),
        last_build_date: has_items.then(|| feed.updated.to_rfc2822()),
        generator: Some("feedwright".into()),
        // A square icon first: some readers show only a square channel image.
        image: feed.icon.as_ref().or(feed.logo.as_ref()).map(|url| Image {
            url: url.clone(),
            title: feed.title.clone(),
            link: feed.html_url.clone(),
            ..Default::default()
        }),
        itunes_ext: itunes(feed),
        atom_ext: Some(AtomExtension {
            links: std::iter::once(Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            })
            .chain(feed.hub.iter().map(|hub| Link { href: hub.clone(), rel: "hub".into(), ..Default::default() }))
            .chain(feed.history.iter().map(|(rel, href)| Link {
                href: href.clone(),
                rel: (*rel).into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }))
            .collect(),
        }),
        extensions: if feed.archive { history_archive() } else { Default::default() },
        // Declared whenever there are items (not only when one has an author), so that
        // items written apart from their channel need no say in its root element.
        namespaces: {
            let mut namespaces = if has_items {
                BTreeMap::from([
                    ("content".to_string(), "http://purl.org/rss/1.0/modules/content/".to_string()),
                    ("dc".to_string(), rss::extension::dublincore::NAMESPACE.to_string()),
                ])
            } else {
                BTreeMap::new()
            };
            if feed.archive {
                namespaces.insert("fh".into(), HISTORY_NS.into());
            }
            if has_items && feed.uses_media {
                namespaces.insert("media".into(), MEDIA_NS.into());
            }
            if has_items && feed.podcast.is_some() {
                namespaces.insert("itunes".into(), rss::extension::itunes::NAMESPACE.into());
            }
            namespaces
        },
        ..Default::default()
    }
}

/// `<fh:archive/>`: this document is an archive (RFC 5005).
fn history_archive() -> rss::extension::ExtensionMap {
    let archive = rss::extension::Extension { name: "fh:archive".into(), ..Default::default() };
    BTreeMap::from([("fh".to_string(), BTreeMap::from([("archive".to_string(), vec![archive])]))])
}

fn document(channel: &Channel) -> Result<Vec<u8>, WriteError> {
    let mut bytes = channel.pretty_write_to(Vec::new(), b' ', 2).map_err(|e| WriteError(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_written_apart_are_whole_items_with_plain_text_as_hex_references() {
        let feed = crate::core::render::formats::view::sample(3);
        let doc = String::from_utf8(write(&feed).unwrap()).unwrap();
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        assert_eq!(parsed.descendants().filter(|n| n.has_tag_name("item")).count(), 3);
        assert!(doc.contains("<title>Lab &#x3C;item&gt; &#x26; &#x3C;/channel&gt;</title>"), "{doc}");
        assert!(doc.contains("<title>Post 0 &#x3C;/item&gt;</title>"), "{doc}");
        // An empty summary: the full text is the description, ahead of content:encoded.
        let second = &doc[doc.find("Post 1").unwrap()..];
        assert!(second.find("<description>").unwrap() < second.find("<content:encoded>").unwrap());
        let empty = write(&crate::core::render::formats::view::sample(0)).unwrap();
        assert!(!String::from_utf8(empty).unwrap().contains("<item>"));
    }
}
