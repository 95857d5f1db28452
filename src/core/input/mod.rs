//! Reading the site's input files: its config, and each post's front matter and body.

pub mod classify;
pub mod config;
pub mod dates;
pub mod flatyaml;
pub mod frontmatter;
pub mod ids;
pub mod media;
pub mod post;
pub mod shortcode_syntax;
pub mod values;
