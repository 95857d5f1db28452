//! Atom 1.0 output.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use crate::core::input::config::Author;
use crate::core::render::formats::view::{FeedView, HISTORY_NS, ItemView};
use crate::core::xmltext::{WriteError, assemble};

fn person(a: &Author) -> Person {
    Person { name: a.name.clone(), email: a.email.clone(), uri: None, extensions: Default::default() }
}

/// One entry's XML, exactly as it sits in any feed (see [`write_with_entries`]).
pub fn entry_xml(view: &ItemView) -> Result<Vec<u8>, WriteError> {
    let doc = document(&Feed { entries: vec![entry(view)], ..Default::default() })?;
    Ok(crate::core::xmltext::fragment(&doc, ENTRY_START, FEED_END).to_vec())
}

/// The feed as an Atom 1.0 document, with its entries given as [`entry_xml`] made them.
pub fn write_with_entries(feed: &FeedView, entries: &[impl AsRef<[u8]>]) -> Result<Vec<u8>, WriteError> {
    Ok(assemble(&document(&atom(feed))?, feed.stylesheet.as_deref(), FEED_END, entries))
}

/// The feed as an Atom 1.0 document (its entries made here).
#[cfg(test)]
pub fn write(feed: &FeedView) -> Result<Vec<u8>, WriteError> {
    let entries = feed.items.iter().map(entry_xml).collect::<Result<Vec<_>, _>>()?;
    write_with_entries(feed, &entries)
}

const ENTRY_START: &[u8] = b"\n  <entry>";
const FEED_END: &[u8] = b"\n</feed>";

fn entry(item: &ItemView) -> Entry {
    Entry {
        title: Text::plain(item.title.clone()),
        id: item.id.clone(),
        updated: item.updated,
        published: Some(item.published),
        authors: item.authors.iter().map(person).collect(),
        // The image as an enclosure only when the body does not already show it first;
        // then every enclosure, with its type and length.
        links: std::iter::once(Link {
            href: item.link.clone(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        })
        .chain(item.media.image.iter().filter(|_| !item.media.image_in_body).chain(&item.media.enclosures).map(|a| {
            Link {
                href: a.url.clone(),
                rel: "enclosure".into(),
                mime_type: a.mime.clone(),
                length: a.length.map(|l| l.to_string()),
                ..Default::default()
            }
        }))
        .collect(),
        categories: item.categories.iter().map(|c| Category { term: c.clone(), scheme: None, label: None }).collect(),
        // An entry needs some text: an empty post's is its title.
        summary: Some(Text::html(item.summary_html.clone()))
            .filter(|s| !s.value.trim().is_empty())
            .or_else(|| item.content_html.trim().is_empty().then(|| Text::plain(item.title.clone()))),
        // An empty post has no content element at all (the alternate link stands in).
        content: Some(item.content_html.clone()).filter(|c| !c.trim().is_empty()).map(|value| Content {
            content_type: Some("html".into()),
            value: Some(value),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn atom(feed: &FeedView) -> Feed {
    // Atom wants an author on the feed or on every entry: fall back to the site's title.
    let site_author = feed.author.as_ref().map(person).unwrap_or_else(|| Person {
        name: feed.title.split(" — ").next().unwrap_or(&feed.title).to_string(),
        email: None,
        uri: None,
        extensions: Default::default(),
    });
    Feed {
        title: Text::plain(feed.title.clone()),
        id: feed.self_url.clone(),
        updated: feed.updated,
        authors: vec![site_author],
        generator: Some(Generator { value: "feedwright".into(), uri: None, version: None }),
        links: vec![
            Link {
                href: feed.html_url.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
            Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
        ]
        .into_iter()
        .chain(feed.hub.iter().map(|hub| Link { href: hub.clone(), rel: "hub".into(), ..Default::default() }))
        .chain(feed.history.iter().map(|(rel, href)| Link {
            href: href.clone(),
            rel: (*rel).into(),
            mime_type: Some("application/atom+xml".into()),
            ..Default::default()
        }))
        .collect(),
        namespaces: if feed.archive {
            std::collections::BTreeMap::from([("fh".to_string(), HISTORY_NS.to_string())])
        } else {
            Default::default()
        },
        extensions: if feed.archive { history_archive() } else { Default::default() },
        subtitle: Some(Text::plain(feed.description.clone())).filter(|s| !s.value.is_empty()),
        icon: feed.icon.clone(),
        logo: feed.logo.clone(),
        lang: feed.language.clone(),
        entries: Vec::new(),
        ..Default::default()
    }
}

/// `<fh:archive/>`: this document is an archive (RFC 5005).
fn history_archive() -> atom_syndication::extension::ExtensionMap {
    let archive = atom_syndication::extension::Extension { name: "fh:archive".into(), ..Default::default() };
    std::collections::BTreeMap::from([(
        "fh".to_string(),
        std::collections::BTreeMap::from([("archive".to_string(), vec![archive])]),
    )])
}

fn document(atom: &Feed) -> Result<Vec<u8>, WriteError> {
    let config = atom_syndication::WriteConfig { write_document_declaration: true, indent_size: Some(2) };
    let mut bytes = atom.write_with_config(Vec::new(), config).map_err(|e| WriteError(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_written_apart_make_a_whole_feed_and_empty_content_is_left_out() {
        let mut feed = crate::core::render::formats::view::sample(3);
        feed.items[2].content_html = " \n".into();
        let doc = String::from_utf8(write(&feed).unwrap()).unwrap();
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        assert_eq!(parsed.descendants().filter(|n| n.has_tag_name("entry")).count(), 3);
        assert_eq!(parsed.descendants().filter(|n| n.has_tag_name("content")).count(), 2, "{doc}");
    }
}
