//! A cycle's plan, written in one transaction: the entries, their history, the alerts, the
//! audit record and the source's status commit together or not at all.

use std::collections::BTreeMap;

use rusqlite::{params, Transaction};

use super::history::{self, Stamp};
use super::{alerts, cycles, entries, sources, Result, Store};
use crate::domain::alert::Event;
use crate::domain::audit::{CycleRecord, Outcome};
use crate::plan::{CyclePlan, EntryWrite, PlannedAlert};

/// Plans with at least this many entry writes and alerts are applied with a page cache of
/// [`LARGE_PLAN_CACHE_KIB`].
const LARGE_PLAN: usize = 10_000;
const LARGE_PLAN_CACHE_KIB: i64 = 64 * 1024;
/// SQLite's own default (-2000: about 2 MB), set back after a large plan.
const DEFAULT_CACHE_SIZE: i64 = -2000;

/// What applying a plan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The cycle's id in the audit trail.
    pub cycle_id: i64,
    /// Alerts recorded now (those whose key was new).
    pub alerts: usize,
}

impl Store {
    /// Applies a list or feed cycle's plan. `cycle` is its audit record (counts and alerts
    /// are filled in here); `validators` are the HTTP validators to keep for the next fetch.
    pub fn apply(
        &mut self,
        plan: &mut CyclePlan<'_>,
        cycle: CycleRecord,
        validators: Option<&str>,
    ) -> Result<Applied> {
        // A first load of 10^6 entries writes a database of 1.5 GB in one transaction: with
        // SQLite's default 2 MB page cache it spills pages to the WAL and reads them back
        // through every index it updates. A large plan gets a larger cache for its
        // transaction, given back afterwards so that the daemon does not keep it.
        let large = plan.writes.len() + plan.alerts.len() >= LARGE_PLAN;
        if large {
            self.conn
                .pragma_update(None, "cache_size", -LARGE_PLAN_CACHE_KIB)?;
        }
        let applied = self.apply_plan(plan, cycle, validators);
        if large {
            // the plan is applied (or not) whatever this says: a failure costs memory only
            let given_back = self
                .conn
                .pragma_update(None, "cache_size", DEFAULT_CACHE_SIZE)
                .and_then(|()| self.conn.execute_batch("PRAGMA shrink_memory"));
            if let Err(e) = given_back {
                tracing::warn!("could not give back the page cache of a large cycle: {e}");
            }
        }
        applied
    }

    fn apply_plan(
        &mut self,
        plan: &mut CyclePlan<'_>,
        mut cycle: CycleRecord,
        validators: Option<&str>,
    ) -> Result<Applied> {
        // IMMEDIATE: the generation check and the writes happen under one write lock.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if sources::generation(&tx, &plan.source)? != plan.generation {
            return Err(super::StoreError::Conflict {
                source_name: plan.source.clone(),
            });
        }
        let c = &plan.counts;
        cycle.entries = Some(plan.entries);
        cycle.published = plan.published.clone();
        if cycle.error.is_none() {
            cycle.error = plan.warning.clone();
        }
        (cycle.added, cycle.relisted, cycle.changed, cycle.removed) =
            (c.added + c.new_feed_items, c.relisted, c.changed, c.removed);
        let stored_anything =
            !plan.writes.is_empty() || !plan.delistings.is_empty() || !plan.feed_items.is_empty();
        cycle.outcome = if stored_anything {
            Outcome::Applied
        } else {
            Outcome::Unchanged
        };
        let cycle_id = cycles::insert(&tx, &cycle)?;
        let at = Stamp {
            cycle: cycle_id,
            published: plan.published.as_deref(),
            now: &cycle.finished_at,
        };
        // in key order, as the tables are: a large plan's rows then fill pages one after
        // another instead of each landing on a page out of the cache
        let mut in_key_order: Vec<&EntryWrite<'_>> = plan.writes.iter().collect();
        in_key_order.sort_unstable_by(|a, b| a.entry.id.cmp(&b.entry.id));
        for w in in_key_order {
            entries::put_entry(&tx, &plan.source, w, at.now)?;
            if w.new_version {
                history::record_version(&tx, &plan.source, w.entry, (w.version, &w.hash), at)?;
            } else {
                // The same version published again, perhaps in another order: keep its latest
                // form, so that the stored hash and content agree.
                history::refresh_version(&tx, &plan.source, w.entry, (w.version, &w.hash))?;
            }
            if w.new_episode {
                history::start_episode(&tx, &plan.source, &w.entry.id, w.episode, at)?;
            }
        }
        let versions = plan.writes.iter().filter(|w| w.new_version);
        history::record_names(&tx, &plan.source, versions.map(|w| w.entry))?;
        // not a change of content: the screening cache stays as it is
        for (id, digest) in &plan.record_digests {
            entries::set_record_digest(&tx, &plan.source, id, digest)?;
        }
        for d in &plan.delistings {
            entries::delete_entry(&tx, &plan.source, &d.entry_id)?;
            history::end_episode(&tx, &plan.source, &d.entry_id, d.episode, at)?;
        }
        if !plan.writes.is_empty() || !plan.delistings.is_empty() {
            sources::note_entries_changed(&tx, &plan.source)?;
        }
        for item in &plan.feed_items {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO feed_items (source, item_id, title, link, published, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                plan.source,
                item.id,
                item.title,
                item.link,
                item.published,
                at.now
            ])?;
        }
        super::name_stats::apply_delta(&tx, &plan.source, plan.generation == 0, &plan.name_stats)?;
        super::exclusions::insert(&tx, &plan.pins)?;
        // Alerts come after the writes, so that "also listed" sees this snapshot too.
        let by_event = insert_alerts(&tx, &mut plan.alerts, Some(cycle_id))?;
        cycles::set_alert_counts(&tx, cycle_id, &by_event)?;
        sources::record_snapshot(
            &tx,
            &plan.source,
            validators,
            plan.published.as_deref(),
            plan.entries,
            plan.warning.as_deref(),
        )?;
        tx.commit()?;
        Ok(Applied {
            cycle_id,
            alerts: by_event.values().sum(),
        })
    }

    /// Records `already-listed` alerts for watch items screened for the first time, marks
    /// them screened, and records the screening in the audit trail, in one transaction.
    pub fn apply_screening(
        &mut self,
        plan: &mut CyclePlan<'_>,
        screened: &[String],
        mut cycle: CycleRecord,
    ) -> Result<Applied> {
        let tx = self.transaction()?;
        cycle.outcome = Outcome::Screened;
        let cycle_id = cycles::insert(&tx, &cycle)?;
        super::exclusions::insert(&tx, &plan.pins)?;
        let by_event = insert_alerts(&tx, &mut plan.alerts, Some(cycle_id))?;
        cycles::set_alert_counts(&tx, cycle_id, &by_event)?;
        sources::mark_screened(&tx, screened, &cycle.finished_at)?;
        tx.commit()?;
        Ok(Applied {
            cycle_id,
            alerts: by_event.values().sum(),
        })
    }

    /// Records a source notice (`source-stale`, `source-recovered`) and the staleness it
    /// reports, in one transaction. Returns whether the notice was new.
    pub fn apply_notice(&mut self, notice: &mut PlannedAlert) -> Result<bool> {
        let tx = self.transaction()?;
        let stale = notice.alert.event == Event::SourceStale;
        let new = alerts::insert_alert(&tx, &notice.key, &mut notice.alert, None)?;
        sources::set_stale_notified(&tx, &notice.alert.source, stale)?;
        tx.commit()?;
        Ok(new)
    }
}

/// Inserts the alerts whose key is new, each with the other lists that share its identifiers;
/// returns the counts by event of those inserted.
fn insert_alerts(
    tx: &Transaction<'_>,
    planned: &mut [PlannedAlert],
    cycle: Option<i64>,
) -> Result<BTreeMap<String, usize>> {
    let mut by_event = BTreeMap::new();
    for p in planned {
        if alerts::exists(tx, &p.key)? {
            continue;
        }
        if let Some(entry) = p.alert.entry() {
            p.alert.also_listed = entries::also_listed(tx, &p.alert.source, entry)?;
        }
        if alerts::insert_alert(tx, &p.key, &mut p.alert, cycle)? {
            *by_event
                .entry(p.alert.event.as_str().to_string())
                .or_default() += 1;
        }
    }
    Ok(by_event)
}
