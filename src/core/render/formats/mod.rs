//! The format writers: each arranges a [`view::FeedView`] as one document format and
//! decides nothing.

pub mod atom;
pub mod json;
pub mod opml;
pub mod page;
pub mod rss;
pub mod view;
