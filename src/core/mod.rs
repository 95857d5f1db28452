//! The pure core: a site's config and posts in memory, which feeds they make, and the
//! bytes of each. No file system, no clock, no threads, no locks.

pub mod catalog;
pub mod counts;
pub mod diag;
pub mod input;
pub mod render;
pub mod site;
pub mod uri;
pub mod xmltext;
