//! The pure core: a site's config and posts in memory, which feeds they make, and the
//! bytes of each. No file system, no clock, no threads, no locks (`tests/architecture.rs`).
//!
//! What the edges and the tests use is re-exported here; the modules themselves are the
//! crate's own.

pub(crate) mod adopt;
pub(crate) mod catalog;
pub(crate) mod counts;
pub(crate) mod diag;
pub(crate) mod input;
pub(crate) mod paths;
pub(crate) mod render;
pub(crate) mod site;
pub(crate) mod uri;
pub(crate) mod xmltext;

pub use self::adopt::{HeldItem, Plan, differences, plan};
pub use self::diag::{Diagnostic, Severity};
pub use self::input::config::{Config, parse_config};
pub use self::input::ids::{PINS_FILE, Pins, parse_pins, write_pins};
pub use self::input::post::{Post, parse_post};
pub use self::paths::{FeedKey, Format};
pub use self::render::{Files, Pass, PostFiles, Renderer};
pub use self::site::{Affected, Change, Options, Prints, Site, ids_digest};
pub use self::xmltext::WriteError;
