//! Atom 1.0 output.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use crate::config::Author;
use crate::view::{FeedView, ItemView};

fn person(a: &Author) -> Person {
    Person { name: a.name.clone(), email: a.email.clone(), uri: None, extensions: Default::default() }
}

/// The feed as an Atom 1.0 document.
pub fn write(feed: &FeedView) -> Vec<u8> {
    document(&atom(feed, feed.items.iter().map(entry).collect()))
}

/// One entry's XML, exactly as it sits in any feed (see [`write_with_entries`]).
pub fn entry_xml(view: &ItemView) -> Vec<u8> {
    let doc = document(&Feed { entries: vec![entry(view)], ..Default::default() });
    crate::xmltext::fragment(&doc, ENTRY_START, FEED_END).to_vec()
}

/// The feed as an Atom 1.0 document, with its entries given as [`entry_xml`] made them:
/// the same bytes [`write`] gives.
pub fn write_with_entries(feed: &FeedView, entries: &[impl AsRef<[u8]>]) -> Vec<u8> {
    crate::xmltext::splice(document(&atom(feed, Vec::new())), FEED_END, entries)
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
        links: vec![Link {
            href: item.link.clone(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        }],
        categories: item.categories.iter().map(|c| Category { term: c.clone(), scheme: None, label: None }).collect(),
        summary: Some(Text::html(item.summary_html.clone())).filter(|s| !s.value.is_empty()),
        content: Some(Content {
            content_type: Some("html".into()),
            value: Some(item.content_html.clone()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn atom(feed: &FeedView, entries: Vec<Entry>) -> Feed {
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
        .collect(),
        subtitle: Some(Text::plain(feed.description.clone())).filter(|s| !s.value.is_empty()),
        lang: feed.language.clone(),
        entries,
        ..Default::default()
    }
}

fn document(atom: &Feed) -> Vec<u8> {
    let config = atom_syndication::WriteConfig { write_document_declaration: true, indent_size: Some(2) };
    let mut bytes = atom.write_with_config(Vec::new(), config).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_written_apart_and_spliced_in_give_the_whole_feed() {
        for n in [0, 1, 3] {
            let feed = crate::view::sample(n);
            let entries: Vec<Vec<u8>> = feed.items.iter().map(entry_xml).collect();
            let spliced = write_with_entries(&feed, &entries);
            assert_eq!(String::from_utf8_lossy(&spliced), String::from_utf8_lossy(&write(&feed)), "{n} entries");
        }
    }
}
