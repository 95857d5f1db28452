//! A feed ready to be written: every value resolved to the text a reader sees, and every
//! string already cleaned of characters XML forbids. The format writers (`rss_feed`,
//! `atom_feed`, `json_feed`) only arrange these values.

use chrono::{DateTime, FixedOffset};

use crate::config::Author;

#[derive(Debug, Clone)]
pub struct FeedView {
    pub title: String,
    pub description: String,
    /// The site's HTML page matching the feed.
    pub html_url: String,
    /// This file's own public URL (`rel="self"`).
    pub self_url: String,
    pub language: Option<String>,
    /// The newest item's update time (never the wall clock).
    pub updated: DateTime<FixedOffset>,
    pub author: Option<Author>,
    /// A WebSub hub readers may subscribe through.
    pub hub: Option<String>,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone)]
pub struct ItemView {
    pub id: String,
    pub title: String,
    pub link: String,
    pub published: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    pub authors: Vec<Author>,
    /// Tags and categories, display names.
    pub categories: Vec<String>,
    pub summary_html: String,
    pub content_html: String,
}
