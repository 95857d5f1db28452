//! RSS 2.0 output, with the `atom`, `content` and `dc` extensions readers expect.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel, Guid, Item};

use crate::view::{FeedView, ItemView};

/// The feed as an RSS 2.0 document.
pub fn write(feed: &FeedView) -> Vec<u8> {
    document(&channel(feed, feed.items.iter().map(item).collect(), !feed.items.is_empty()))
}

/// One item's XML, exactly as it sits in any channel: a feed shares it with every other
/// feed that shows the post (see [`write_with_items`]).
pub fn item_xml(view: &ItemView) -> Vec<u8> {
    let doc = document(&Channel { items: vec![item(view)], ..Default::default() });
    crate::xmltext::fragment(&doc, ITEM_START, CHANNEL_END).to_vec()
}

/// The feed as an RSS 2.0 document, with its items given as [`item_xml`] made them:
/// the same bytes [`write`] gives.
pub fn write_with_items(feed: &FeedView, items: &[impl AsRef<[u8]>]) -> Vec<u8> {
    crate::xmltext::splice(document(&channel(feed, Vec::new(), !items.is_empty())), CHANNEL_END, items)
}

const ITEM_START: &[u8] = b"\n    <item>";
const CHANNEL_END: &[u8] = b"\n  </channel>";

fn item(item: &ItemView) -> Item {
    Item {
        title: Some(item.title.clone()),
        link: Some(item.link.clone()),
        // RSS `<author>` must be an e-mail address; readers show `dc:creator`, and
        // carrying both is flagged as duplicate semantics, so names only.
        // `Guid::default()` claims isPermaLink="true"; our ids are not URLs to fetch.
        guid: Some(Guid { value: item.id.clone(), permalink: false }),
        pub_date: Some(item.published.to_rfc2822()),
        categories: item.categories.iter().map(|c| Category { name: c.clone(), domain: None }).collect(),
        description: Some(item.summary_html.clone()).filter(|s| !s.is_empty()),
        content: Some(item.content_html.clone()),
        dublin_core_ext: (!item.authors.is_empty()).then(|| DublinCoreExtension {
            creators: item.authors.iter().map(|a| a.name.clone()).collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn channel(feed: &FeedView, items: Vec<Item>, has_items: bool) -> Channel {
    Channel {
        title: feed.title.clone(),
        link: feed.html_url.clone(),
        description: feed.description.clone(),
        language: feed.language.clone(),
        last_build_date: has_items.then(|| feed.updated.to_rfc2822()),
        generator: Some("feedwright".into()),
        atom_ext: Some(AtomExtension {
            links: std::iter::once(Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            })
            .chain(feed.hub.iter().map(|hub| Link { href: hub.clone(), rel: "hub".into(), ..Default::default() }))
            .collect(),
        }),
        items,
        // Declared whenever there are items (not only when one has an author), so that
        // items written apart from their channel need no say in its root element.
        namespaces: if has_items {
            BTreeMap::from([
                ("content".to_string(), "http://purl.org/rss/1.0/modules/content/".to_string()),
                ("dc".to_string(), rss::extension::dublincore::NAMESPACE.to_string()),
            ])
        } else {
            BTreeMap::new()
        },
        ..Default::default()
    }
}

fn document(channel: &Channel) -> Vec<u8> {
    let mut bytes = channel.pretty_write_to(Vec::new(), b' ', 2).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_written_apart_and_spliced_in_give_the_whole_feed() {
        for n in [0, 1, 3] {
            let feed = crate::view::sample(n);
            let items: Vec<Vec<u8>> = feed.items.iter().map(item_xml).collect();
            let spliced = write_with_items(&feed, &items);
            assert_eq!(String::from_utf8_lossy(&spliced), String::from_utf8_lossy(&write(&feed)), "{n} items");
        }
    }
}
