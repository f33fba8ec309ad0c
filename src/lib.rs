//! watchkeeper: watches sanctions lists and news feeds, emails alerts.
//!
//! The pipeline, one module a stage:
//! schedule ([`daemon`]) → fetch ([`fetch`]) → parse ([`sources`]) → store and diff ([`store`],
//! [`diff`]) → match ([`matching`]) → alert outbox ([`alerts`], [`outbox`]) → email ([`email`]).
//! [`pipeline`] runs one cycle of one source through all of them.

pub mod config;
pub mod daemon;
pub mod domain;
pub mod email;
pub mod fetch;
pub mod guard;
pub mod matching;
pub mod outbox;
pub mod pipeline;
pub mod plan;
pub mod screen;
pub mod sources;
pub mod store;
pub mod watchlist;
