//! One cycle of one source: fetch → parse → guard → store and diff → match → alerts.
//! Delivery (outbox → email) is [`crate::outbox`]'s job and runs after the cycles.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{params, Transaction};

use crate::config::SourceConfig;
use crate::diff::{diff, entry_hash};
use crate::domain::alert::{Alert, Event, FieldChange, ListRef, Why};
use crate::domain::entry::{Entry, FeedSnapshot, ListSnapshot};
use crate::domain::watch::WatchItem;
use crate::fetch::{FetchError, FetchOutcome, Fetcher, Validators};
use crate::guard::{self, Refusal};
use crate::matching::{Match, Matcher, NameStats};
use crate::sources::{format_for, FormatOptions, ParseError, Parsed};
use crate::store::{self, now, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error("source {source_name}: fetch failed: {error}")]
    Fetch {
        source_name: String,
        error: FetchError,
    },
    #[error("source {source_name}: parse failed: {error}")]
    Parse {
        source_name: String,
        error: ParseError,
    },
    #[error("source {source_name}: snapshot refused, stored snapshot kept: {refusal}")]
    Refused {
        source_name: String,
        refusal: Refusal,
    },
    #[error("source {source_name}: unknown kind {kind:?}")]
    UnknownKind { source_name: String, kind: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("source {source_name}: worker failed: {message}")]
    Worker {
        source_name: String,
        message: String,
    },
}

/// What a successful cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CycleSummary {
    pub source: String,
    pub not_modified: bool,
    pub entries: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub new_feed_items: usize,
    pub alerts: usize,
}

/// Runs one cycle of `source`. Failures are recorded in the source's status (and may raise a
/// `source-stale` notice) before being returned.
pub async fn run_source(
    db: &Path,
    source: &SourceConfig,
    fetcher: &Fetcher,
    matcher: Arc<Matcher>,
) -> Result<CycleSummary, CycleError> {
    let format = format_for(
        &source.kind,
        &FormatOptions {
            files: source.files.clone(),
        },
    )
    .ok_or_else(|| CycleError::UnknownKind {
        source_name: source.name.clone(),
        kind: source.kind.clone(),
    })?;
    let previous: Validators = {
        let store = Store::open(db)?;
        record_attempt(&store, source)?;
        store
            .validators(&source.name)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default()
    };
    let outcome = fetcher
        .fetch(source, &format.resources(), &previous)
        .await
        .map_err(|error| CycleError::Fetch {
            source_name: source.name.clone(),
            error,
        });
    let db_owned = db.to_path_buf();
    let src = source.clone();
    let result = match outcome {
        Err(e) => Err(e),
        Ok(outcome) => tokio::task::spawn_blocking(move || {
            let mut store = Store::open(&db_owned)?;
            process(&mut store, &src, format.as_ref(), outcome, &matcher)
        })
        .await
        .unwrap_or_else(|e| {
            Err(CycleError::Worker {
                source_name: source.name.clone(),
                message: e.to_string(),
            })
        }),
    };
    if let Err(e) = &result {
        let mut store = Store::open(db)?;
        record_failure(&mut store, source, &e.to_string())?;
    }
    result
}

fn process(
    store: &mut Store,
    source: &SourceConfig,
    format: &dyn crate::sources::SourceFormat,
    outcome: FetchOutcome,
    matcher: &Matcher,
) -> Result<CycleSummary, CycleError> {
    let refused = |refusal| CycleError::Refused {
        source_name: source.name.clone(),
        refusal,
    };
    let (bodies, validators) = match outcome {
        FetchOutcome::NotModified => {
            record_success(store, source, None, None)?;
            return Ok(CycleSummary {
                source: source.name.clone(),
                not_modified: true,
                ..CycleSummary::default()
            });
        }
        FetchOutcome::Fetched { bodies, validators } => (bodies, validators),
    };
    guard::check_bodies(&bodies).map_err(refused)?;
    let parsed = format.parse(&bodies).map_err(|error| CycleError::Parse {
        source_name: source.name.clone(),
        error,
    })?;
    drop(bodies);
    match parsed {
        Parsed::List(snapshot) => apply_list(store, source, snapshot, &validators, matcher),
        Parsed::Feed(feed) => apply_feed(store, source, feed, &validators, matcher),
        Parsed::Delta(ops) => {
            let snapshot = apply_delta(store.entries(&source.name)?, ops);
            apply_list(store, source, snapshot, &validators, matcher)
        }
    }
}

fn apply_list(
    store: &mut Store,
    source: &SourceConfig,
    snapshot: ListSnapshot,
    validators: &Validators,
    matcher: &Matcher,
) -> Result<CycleSummary, CycleError> {
    let old = store.entries(&source.name)?;
    let d = diff(&old, &snapshot.entries);
    guard::check_snapshot(
        &snapshot,
        old.len(),
        d.removed.len(),
        source.max_removed_share,
    )
    .map_err(|refusal| CycleError::Refused {
        source_name: source.name.clone(),
        refusal,
    })?;
    let first_snapshot = store
        .source_status(&source.name)?
        .is_none_or(|s| s.snapshots == 0);
    let published = snapshot.published.clone();
    let now = now();
    let tx = store.transaction()?;
    let mut alerts = 0;
    let mut raise = |tx: &Transaction<'_>,
                     event: Event,
                     entry: &Entry,
                     version: &str,
                     changes: Vec<FieldChange>,
                     hits: Vec<(usize, Match)>|
     -> Result<(), CycleError> {
        for (idx, m) in hits {
            let item = &matcher.items()[idx];
            let mut alert = list_alert(
                event,
                &source.name,
                published.clone(),
                entry,
                item,
                &m,
                &now,
            );
            alert.changes = changes.clone();
            alert.also_listed = store::also_listed(tx, &source.name, entry)?;
            let key = dedup_key(item, &source.name, &entry.id, event, version);
            if store::insert_alert(tx, &key, &mut alert)? {
                alerts += 1;
            }
        }
        Ok(())
    };
    for (entry, hash) in &d.added {
        store::put_entry(&tx, &source.name, hash, entry, &now)?;
    }
    for (_, entry, hash, _) in &d.changed {
        store::put_entry(&tx, &source.name, hash, entry, &now)?;
    }
    for stored in &d.removed {
        store::delete_entry(&tx, &source.name, &stored.entry.id)?;
    }
    // Alerts come after the writes so that "also listed" sees this snapshot's identifiers too,
    // and so that name parts are weighed by their rarity in the lists as they now stand.
    if !(d.added.is_empty() && d.changed.is_empty() && d.removed.is_empty()) {
        matcher.set_stats(Arc::new(store::name_stats(&tx)?));
    }
    let added_event = if first_snapshot {
        Event::AlreadyListed
    } else {
        Event::Listed
    };
    for (entry, hash) in &d.added {
        let hits = matcher.match_entry(&source.name, entry);
        raise(&tx, added_event, entry, hash, Vec::new(), hits)?;
    }
    for (old_entry, entry, hash, changes) in &d.changed {
        // A change that takes a name away from a watched entry still concerns the watcher.
        let mut hits = matcher.match_entry(&source.name, entry);
        for (idx, m) in matcher.match_entry(&source.name, &old_entry.entry) {
            if !hits.iter().any(|(i, _)| *i == idx) {
                hits.push((idx, m));
            }
        }
        raise(&tx, Event::Changed, entry, hash, changes.clone(), hits)?;
    }
    for stored in &d.removed {
        let hits = matcher.match_entry(&source.name, &stored.entry);
        raise(
            &tx,
            Event::Delisted,
            &stored.entry,
            &stored.hash,
            Vec::new(),
            hits,
        )?;
    }
    let summary = CycleSummary {
        source: source.name.clone(),
        not_modified: false,
        entries: snapshot.entries.len(),
        added: d.added.len(),
        changed: d.changed.len(),
        removed: d.removed.len(),
        new_feed_items: 0,
        alerts,
    };
    write_success(
        &tx,
        source,
        Some(validators),
        published.as_deref(),
        snapshot.entries.len(),
    )?;
    tx.commit().map_err(StoreError::from)?;
    recover_if_stale(store, source)?;
    Ok(summary)
}

/// The stored snapshot with a delta's additions, modifications and deletions applied, so that a
/// delta goes through the same guard, diff and alerts as a full snapshot.
fn apply_delta(
    stored: std::collections::HashMap<String, store::StoredEntry>,
    ops: Vec<crate::sources::DeltaOp>,
) -> ListSnapshot {
    use crate::sources::DeltaOp;
    let mut entries: std::collections::BTreeMap<String, Entry> =
        stored.into_iter().map(|(id, s)| (id, s.entry)).collect();
    for op in ops {
        match op {
            DeltaOp::Add(e) | DeltaOp::Mod(e) => {
                entries.insert(e.id.clone(), e);
            }
            DeltaOp::Del(id) => {
                entries.remove(&id);
            }
        }
    }
    ListSnapshot {
        entries: entries.into_values().collect(),
        ..ListSnapshot::default()
    }
}

fn apply_feed(
    store: &mut Store,
    source: &SourceConfig,
    feed: FeedSnapshot,
    validators: &Validators,
    matcher: &Matcher,
) -> Result<CycleSummary, CycleError> {
    let now = now();
    let tx = store.transaction()?;
    let mut new_items = 0;
    let mut alerts = 0;
    for item in &feed.items {
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO feed_items (source, item_id, title, link, published, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![source.name, item.id, item.title, item.link, item.published, now],
            )
            .map_err(StoreError::from)?;
        if inserted == 0 {
            continue;
        }
        new_items += 1;
        for (idx, m) in matcher.match_feed_item(&source.name, item) {
            let w = &matcher.items()[idx];
            let why = Why {
                score: m.score,
                why: m.why.clone(),
            };
            let mut alert = Alert::for_feed_item(&source.name, item, w, why, &now);
            let key = dedup_key(w, &source.name, &item.id, Event::Mentioned, "");
            if store::insert_alert(&tx, &key, &mut alert)? {
                alerts += 1;
            }
        }
    }
    write_success(&tx, source, Some(validators), None, feed.items.len())?;
    tx.commit().map_err(StoreError::from)?;
    recover_if_stale(store, source)?;
    Ok(CycleSummary {
        source: source.name.clone(),
        entries: feed.items.len(),
        new_feed_items: new_items,
        alerts,
        ..CycleSummary::default()
    })
}

/// Screens watch items that have never been screened against every stored entry, raising
/// `already-listed` for what they match. Returns the number of alerts raised.
pub fn screen_new_watch_items(store: &mut Store, matcher: &Matcher) -> Result<usize, StoreError> {
    let screened = store.screened_watch_items()?;
    let fresh: Vec<WatchItem> = matcher
        .items()
        .iter()
        .filter(|i| !screened.contains(&i.id))
        .cloned()
        .collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = fresh.iter().map(|i| i.id.clone()).collect();
    let entries = store.all_entries()?;
    let stats = NameStats::from_entries(entries.iter().map(|(_, e)| e));
    let fresh_matcher =
        Matcher::new(fresh, matcher.default_threshold()).with_stats(Arc::new(stats));
    let published: std::collections::HashMap<String, Option<String>> = store
        .all_source_status()?
        .into_iter()
        .map(|s| (s.name, s.published))
        .collect();
    let now = now();
    let tx = store.transaction()?;
    let mut alerts = 0;
    for (source, entry) in &entries {
        for (idx, m) in fresh_matcher.match_entry(source, entry) {
            let item = &fresh_matcher.items()[idx];
            let pubd = published.get(source).cloned().flatten();
            let mut alert = list_alert(Event::AlreadyListed, source, pubd, entry, item, &m, &now);
            alert.also_listed = store::also_listed(&tx, source, entry)?;
            let key = dedup_key(
                item,
                source,
                &entry.id,
                Event::AlreadyListed,
                &entry_hash(entry),
            );
            if store::insert_alert(&tx, &key, &mut alert)? {
                alerts += 1;
            }
        }
    }
    store::mark_screened(&tx, &ids, &now)?;
    tx.commit()?;
    Ok(alerts)
}

fn list_alert(
    event: Event,
    source: &str,
    published: Option<String>,
    entry: &Entry,
    item: &WatchItem,
    m: &Match,
    now: &str,
) -> Alert {
    let why = Why {
        score: m.score,
        why: m.why.clone(),
    };
    let list = ListRef {
        source: source.to_string(),
        publisher: None,
        list_title: None,
        published,
    };
    Alert::for_entry(event, &list, entry, &entry_hash(entry), item, why, now)
}

/// The same watch item, source entry, event and entry version never alert twice.
fn dedup_key(
    item: &WatchItem,
    source: &str,
    entry_id: &str,
    event: Event,
    version: &str,
) -> String {
    format!(
        "{}\u{1f}{source}\u{1f}{entry_id}\u{1f}{}\u{1f}{version}",
        item.id,
        event.as_str()
    )
}

fn record_attempt(store: &Store, source: &SourceConfig) -> Result<(), StoreError> {
    store.conn().execute(
        "INSERT INTO sources (name, kind, last_attempt) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, last_attempt = excluded.last_attempt",
        params![source.name, source.kind, now()],
    )?;
    Ok(())
}

fn record_success(
    store: &mut Store,
    source: &SourceConfig,
    validators: Option<&Validators>,
    published: Option<&str>,
) -> Result<(), CycleError> {
    let tx = store.transaction()?;
    let entries: i64 = tx
        .query_row(
            "SELECT entries FROM sources WHERE name = ?1",
            [&source.name],
            |r| r.get(0),
        )
        .map_err(StoreError::from)?;
    write_success(&tx, source, validators, published, entries as usize)?;
    tx.commit().map_err(StoreError::from)?;
    recover_if_stale(store, source)
}

fn write_success(
    tx: &Transaction<'_>,
    source: &SourceConfig,
    validators: Option<&Validators>,
    published: Option<&str>,
    entries: usize,
) -> Result<(), StoreError> {
    let validators = validators.map(|v| serde_json::to_string(v).expect("validators serialize"));
    let snapshot_applied = validators.is_some() as i64;
    tx.execute(
        "UPDATE sources SET last_success = ?2, last_error = NULL, failing_since = NULL,
                entries = ?3, snapshots = snapshots + ?4,
                validators = COALESCE(?5, validators), published = COALESCE(?6, published)
         WHERE name = ?1",
        params![
            source.name,
            now(),
            entries as i64,
            snapshot_applied,
            validators,
            published
        ],
    )?;
    Ok(())
}

/// A source that had been reported stale works again: one `source-recovered` notice.
fn recover_if_stale(store: &mut Store, source: &SourceConfig) -> Result<(), CycleError> {
    let was_stale = store
        .source_status(&source.name)?
        .is_some_and(|s| s.stale_notified);
    if !was_stale {
        return Ok(());
    }
    let now = now();
    let tx = store.transaction()?;
    let mut alert = notice(Event::SourceRecovered, source, "works again".into(), &now);
    let key = format!("source-recovered\u{1f}{}\u{1f}{now}", source.name);
    store::insert_alert(&tx, &key, &mut alert)?;
    tx.execute(
        "UPDATE sources SET stale_notified = 0 WHERE name = ?1",
        [&source.name],
    )
    .map_err(StoreError::from)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

fn record_failure(store: &mut Store, source: &SourceConfig, error: &str) -> Result<(), StoreError> {
    let now_s = now();
    store.conn().execute(
        "UPDATE sources SET last_error = ?2, failing_since = COALESCE(failing_since, ?3)
         WHERE name = ?1",
        params![source.name, error, now_s],
    )?;
    let Some(status) = store.source_status(&source.name)? else {
        return Ok(());
    };
    if status.stale_notified {
        return Ok(());
    }
    // Staleness counts from the last success; a source that never worked counts from its first
    // failure.
    let since = status
        .last_success
        .clone()
        .or(status.failing_since.clone())
        .unwrap_or_else(|| now_s.clone());
    let Ok(since_t) = chrono::DateTime::parse_from_rfc3339(&since) else {
        return Ok(());
    };
    let age = chrono::Utc::now().signed_duration_since(since_t);
    if age.to_std().unwrap_or_default() < source.stale_after {
        return Ok(());
    }
    let mut alert = notice(
        Event::SourceStale,
        source,
        format!(
            "no successful update since {since} ({}); last error: {error}",
            humantime::format_duration(std::time::Duration::from_secs(
                age.num_seconds().max(0) as u64
            ))
        ),
        &now_s,
    );
    let tx = store.transaction()?;
    let key = format!("source-stale\u{1f}{}\u{1f}{since}", source.name);
    store::insert_alert(&tx, &key, &mut alert)?;
    tx.execute(
        "UPDATE sources SET stale_notified = 1 WHERE name = ?1",
        [&source.name],
    )?;
    tx.commit()?;
    Ok(())
}

fn notice(event: Event, source: &SourceConfig, why: String, now: &str) -> Alert {
    Alert::for_source(event, &source.name, &source.url, why, now)
}
