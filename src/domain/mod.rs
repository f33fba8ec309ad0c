//! The domain: what the lists, the feeds and the watchlist say, and the alerts made of them.
//! Types and pure functions only: nothing here reads a file, a socket or the database.

pub mod alert;
pub mod audit;
pub mod changes;
pub mod digest;
pub mod entry;
pub mod history;
pub mod ident;
pub mod watch;
