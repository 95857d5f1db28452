//! The edges: everything that touches the world, kept thin around the core.

pub mod adopt;
pub mod announce;
pub mod held;
pub mod index;
pub mod inputs;
pub mod load;
pub mod output;
pub mod parallel;
pub mod serve;
pub mod watch;
pub mod websub;
