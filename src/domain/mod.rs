//! The domain: what the lists, the feeds and the watchlist say, and the alerts made of them.
//! Types and pure functions only: nothing here reads a file, a socket or the database.

/// A map keyed by entry id (or another short string), built over a whole list in one cycle:
/// hashed with aHash, several times faster than SipHash on such keys, and like it seeded at
/// random per process.
pub type IdMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A set of [`IdMap`] keys.
pub type IdSet<K> = std::collections::HashSet<K, ahash::RandomState>;

pub mod alert;
pub mod audit;
pub mod changes;
pub mod digest;
pub mod entry;
pub mod history;
pub mod ident;
pub mod watch;
