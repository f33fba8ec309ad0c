//! watchkeeper: watches sanctions lists and news feeds, emails alerts.
//!
//! One cycle of one source, one module a stage:
//! schedule ([`daemon`]) → fetch ([`fetch`]) → parse ([`sources`]) → guard ([`guard`]) →
//! plan ([`plan`], pure: diff, listing episodes, matching with [`matching`], alerts) →
//! store ([`store`], the only SQL: applies a plan in one transaction) → alert outbox
//! ([`outbox`]) → transports ([`email`], [`webhook`]). [`pipeline`] moves one cycle through the stages.
//! [`weights`] reads the name counts the store keeps up, for the matcher's rarity weights.
//! [`domain`] holds the types they share and imports no I/O; [`report`] prints what the store
//! keeps (`history`, `audit`); [`config`] and [`watchlist`] load the files that build them.

pub mod config;
pub mod daemon;
pub mod domain;
pub mod email;
pub mod fetch;
pub mod guard;
pub mod import;
pub mod matching;
pub mod memory;
pub mod outbox;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod report;
pub mod screen;
pub mod sources;
pub mod store;
pub mod watchlist;
pub mod webhook;
pub mod weights;
