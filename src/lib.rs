//! feedwright turns a Hugo or Jekyll content folder into RSS 2.0, Atom 1.0 and JSON
//! feeds whose item ids never change — and equal the ids a WordPress blog published
//! before its migration.
//!
//! Two layers, as the tree shows:
//! - [`core`]: the site in memory — config, posts, feeds, rendering. Pure: it reads no
//!   file, looks at no clock, starts no thread and takes no lock (`tests/architecture.rs`
//!   checks). It is fed `(path, bytes)` changes and a "now", and answers with bytes.
//! - [`edges`]: everything that touches the world — reading the site folder, writing
//!   `--out`, running the core on every core, watching files, serving HTTP.

pub mod core;
pub mod edges;
