//! RSS 2.0 output, with the `atom`, `content` and `dc` extensions readers expect.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel, Guid, Item};

use crate::view::FeedView;

/// The feed as an RSS 2.0 document.
pub fn write(feed: &FeedView) -> Vec<u8> {
    let items = feed
        .items
        .iter()
        .map(|item| Item {
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
        })
        .collect();
    let channel = Channel {
        title: feed.title.clone(),
        link: feed.html_url.clone(),
        description: feed.description.clone(),
        language: feed.language.clone(),
        last_build_date: (!feed.items.is_empty()).then(|| feed.updated.to_rfc2822()),
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
        namespaces: BTreeMap::new(),
        ..Default::default()
    };
    let mut bytes = channel.pretty_write_to(Vec::new(), b' ', 2).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
