//! feedwright turns a Hugo or Jekyll content folder into RSS 2.0, Atom 1.0 and JSON
//! feeds whose item ids never change — and equal the ids a WordPress blog published
//! before its migration.
//!
//! The core (`site`, `catalog`, `render`, parsing and writing modules) is pure: it
//! takes file contents and returns bytes. The edges (`load`, `output`, the CLI) touch the
//! file system.

pub mod atom_feed;
pub mod catalog;
pub mod config;
pub mod content;
pub mod dates;
pub mod diag;
pub mod flatyaml;
pub mod frontmatter;
pub mod json_feed;
pub mod links;
pub mod load;
pub mod opml;
pub mod output;
pub mod parallel;
pub mod post;
pub mod render;
pub mod rss_feed;
pub mod serve;
pub mod shortcodes;
pub mod site;
pub mod slug;
pub mod uri;
pub mod view;
pub mod watch;
pub mod xmltext;
