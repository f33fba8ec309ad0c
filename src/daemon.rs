//! Scheduling: `once` runs every (or the named) source one time; `run` is the daemon, which
//! runs each source on its cron schedule, reloads the watchlist, and talks to systemd.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::config::{Config, SourceConfig};
use crate::domain::watch::Watchlist;
use crate::fetch::Fetcher;
use crate::matching::{Matcher, MatcherSlot};
use crate::outbox::{self, Delivery};
use crate::pipeline::{self, CycleError, CycleSummary};
use crate::store::{Store, StoreError};
use crate::watchlist;
use crate::weights;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown source {0:?} (see `watchkeeper check` for the configured ones)")]
    UnknownSource(String),
    #[error("source {source_name}: schedule {schedule:?}: {message}")]
    Schedule {
        source_name: String,
        schedule: String,
        message: String,
    },
    #[error("signal handler: {0}")]
    Signal(std::io::Error),
}

/// What `once` did.
#[derive(Debug, Default)]
pub struct OnceReport {
    pub cycles: Vec<Result<CycleSummary, CycleError>>,
    pub already_listed: usize,
    pub messages_queued: usize,
    pub delivery: Delivery,
}

impl OnceReport {
    pub fn failures(&self) -> usize {
        self.cycles.iter().filter(|c| c.is_err()).count()
    }
}

/// One full cycle of all (or the named) sources, then delivery of everything pending.
pub async fn once(
    config: &Config,
    watchlist: Watchlist,
    only: &[String],
) -> Result<OnceReport, DaemonError> {
    once_with(config, watchlist, only, Arc::new(|_, _| {})).await
}

/// [`once`], telling `on_stage` of each stage of each source's cycle (a progress display).
pub async fn once_with(
    config: &Config,
    watchlist: Watchlist,
    only: &[String],
    on_stage: pipeline::OnStage,
) -> Result<OnceReport, DaemonError> {
    for name in only {
        if !config.sources.iter().any(|s| &s.name == name) {
            return Err(DaemonError::UnknownSource(name.clone()));
        }
    }
    let fetcher = Fetcher::with_contact(config.contact.as_deref());
    let mut report = OnceReport::default();
    let slot = {
        let mut store = Store::open(&config.database)?;
        // Only news items are matched with the weights in force at the start: a list cycle
        // that changes anything weighs its names afresh. Without a feed, `once` skips reading
        // every stored name twice.
        let feeds = config
            .sources
            .iter()
            .any(|s| s.kind == "feed" && (only.is_empty() || only.contains(&s.name)));
        let slot = initial_matcher(&mut store, watchlist, config.threshold, feeds)?;
        report.already_listed = pipeline::screen_new_watch_items(&mut store, &slot.current())?;
        slot
    };
    for source in &config.sources {
        if !only.is_empty() && !only.contains(&source.name) {
            continue;
        }
        let result =
            pipeline::run_source_with(&config.database, source, &fetcher, &slot, on_stage.clone())
                .await;
        log_cycle(&source.name, &result);
        crate::memory::release();
        report.cycles.push(result);
    }
    let mut store = Store::open(&config.database)?;
    report.messages_queued = outbox::compose_all(&mut store, &config.email, &config.webhooks)?;
    report.delivery =
        outbox::deliver_all(&config.database, &config.email, &config.webhooks, false).await?;
    Ok(report)
}

fn log_cycle(name: &str, result: &Result<CycleSummary, CycleError>) {
    match result {
        // Routine, every cycle of a list that publishes rarely: not for the journal by default.
        Ok(s) if s.not_modified => tracing::debug!(source = name, "not modified since last fetch"),
        Ok(s) if s.same_content => {
            tracing::debug!(
                source = name,
                "same content as last screened, nothing to do"
            )
        }
        Ok(s) => tracing::info!(
            source = name,
            entries = s.entries,
            added = s.added,
            changed = s.changed,
            removed = s.removed,
            new_items = s.new_feed_items,
            alerts = s.alerts,
            parsed = s.parsed,
            "cycle done"
        ),
        Err(e) => tracing::error!(source = name, error = %e, "cycle failed"),
    }
}

/// The parsed cron schedule of a source.
pub fn schedule_of(source: &SourceConfig) -> Result<cron::Schedule, DaemonError> {
    source.cron_schedule().map_err(|e| DaemonError::Schedule {
        source_name: source.name.clone(),
        schedule: source.schedule.clone(),
        message: e.to_string(),
    })
}

/// The daemon. Returns on SIGTERM or SIGINT after the cycles in flight have finished.
pub async fn run(config: Config) -> Result<(), DaemonError> {
    let config = Arc::new(config);
    let initial = watchlist::load(&config.watchlist)?;
    let matcher = {
        let mut store = Store::open(&config.database)?;
        let slot = Arc::new(initial_matcher(
            &mut store,
            initial,
            config.threshold,
            true,
        )?);
        let n = pipeline::screen_new_watch_items(&mut store, &slot.current())?;
        if n > 0 {
            tracing::info!(alerts = n, "new watch items screened against stored lists");
        }
        slot
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let (wake_tx, wake_rx) = watch::channel(0u64);
    let fetcher = Fetcher::with_contact(config.contact.as_deref());
    let mut tasks = Vec::new();
    let statuses = Store::open(&config.database)?.all_source_status()?;
    for source in &config.sources {
        let schedule = schedule_of(source)?;
        let last_success = statuses
            .iter()
            .find(|s| s.name == source.name)
            .and_then(|s| s.last_success.as_deref())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        let catch_up = missed_run(&schedule, last_success, chrono::Utc::now());
        if let Some(why) = &catch_up {
            tracing::info!(source = %source.name, "catching up at once: {why}");
        }
        tasks.push(tokio::spawn(source_loop(
            config.clone(),
            source.clone(),
            schedule,
            catch_up.is_some(),
            fetcher.clone(),
            matcher.clone(),
            stop_rx.clone(),
            wake_tx.clone(),
        )));
    }
    tasks.push(tokio::spawn(mailer_loop(
        config.clone(),
        stop_rx.clone(),
        wake_rx,
    )));
    tasks.push(tokio::spawn(watchlist_loop(
        config.clone(),
        matcher.clone(),
        stop_rx.clone(),
        wake_tx.clone(),
    )));
    if let Some(interval) = watchdog_interval() {
        tasks.push(tokio::spawn(watchdog_loop(interval, stop_rx.clone())));
    }
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
    tracing::info!(
        sources = config.sources.len(),
        watchlist = %config.watchlist.display(),
        "watchkeeper running"
    );
    wait_for_stop().await?;
    tracing::info!("stopping: finishing cycles in flight");
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Stopping]);
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_stop() -> Result<(), DaemonError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signal)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signal)?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

/// Why a source must run at once on start, if it must: it never succeeded, or a scheduled run
/// fell between its last success and `now` (the daemon was down, or the run failed), so that
/// a restart never leaves a source waiting up to a whole interval for news it already missed.
pub fn missed_run(
    schedule: &cron::Schedule,
    last_success: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let Some(last) = last_success else {
        return Some("never loaded successfully".to_string());
    };
    let due = schedule.after(&last).next()?;
    (due <= now).then(|| {
        format!(
            "last success {}, scheduled run {} missed",
            last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    })
}

#[allow(clippy::too_many_arguments)]
async fn source_loop(
    config: Arc<Config>,
    source: SourceConfig,
    schedule: cron::Schedule,
    mut run_now: bool,
    fetcher: Fetcher,
    matcher: Arc<MatcherSlot>,
    mut stop: watch::Receiver<bool>,
    wake_mailer: watch::Sender<u64>,
) {
    loop {
        if !std::mem::take(&mut run_now) {
            let Some(next) = schedule.upcoming(chrono::Utc).next() else {
                tracing::warn!(source = %source.name, "schedule has no future run");
                return;
            };
            let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
            tracing::debug!(source = %source.name, next = %next.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "next scheduled run");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
        // A cycle is not interrupted by a stop: it runs to its commit (or its rollback on
        // error), and the loop ends after it. Each source has one loop, so two cycles of one
        // source never overlap.
        let result = pipeline::run_source(&config.database, &source, &fetcher, &matcher).await;
        log_cycle(&source.name, &result);
        crate::memory::release();
        wake_mailer.send_modify(|n| *n += 1);
        if *stop.borrow() {
            return;
        }
    }
}

/// Composes and sends mail after every cycle, and retries pending messages every minute.
async fn mailer_loop(
    config: Arc<Config>,
    mut stop: watch::Receiver<bool>,
    mut wake: watch::Receiver<u64>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = wake.changed() => {}
            _ = stop.changed() => {}
        }
        let composed = Store::open(&config.database)
            .and_then(|mut s| outbox::compose_all(&mut s, &config.email, &config.webhooks));
        if let Err(e) = composed {
            tracing::error!(error = %e, "could not compose alert emails");
        }
        let delivered =
            outbox::deliver_all(&config.database, &config.email, &config.webhooks, true).await;
        if let Err(e) = delivered {
            tracing::error!(error = %e, "could not deliver alert emails");
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Reloads the watchlist on SIGHUP and when the file changes. An invalid new watchlist is
/// refused with a logged error and the old one stays in force.
async fn watchlist_loop(
    config: Arc<Config>,
    matcher: Arc<MatcherSlot>,
    mut stop: watch::Receiver<bool>,
    wake_mailer: watch::Sender<u64>,
) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGHUP; file changes still reload");
            return;
        }
    };
    let mut last = fingerprint(&config.watchlist);
    loop {
        tokio::select! {
            _ = hup.recv() => tracing::info!("SIGHUP: reloading the watchlist"),
            _ = tokio::time::sleep(Duration::from_secs(2)) => {
                let now = fingerprint(&config.watchlist);
                if now == last {
                    continue;
                }
                tracing::info!(path = %config.watchlist.display(), "watchlist changed: reloading");
            }
            _ = stop.changed() => return,
        }
        last = fingerprint(&config.watchlist);
        match reload(&config, &matcher) {
            Ok(n) => {
                if n > 0 {
                    wake_mailer.send_modify(|x| *x += 1);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "watchlist not reloaded; the previous one stays in force")
            }
        }
    }
}

fn reload(config: &Config, matcher: &MatcherSlot) -> Result<usize, DaemonError> {
    let wl = watchlist::load(&config.watchlist)?;
    let count = wl.items.len();
    tracing::debug!(path = %config.watchlist.display(), items = count, "watchlist read");
    let mut store = Store::open(&config.database)?;
    weights::count_uncounted(&mut store)?;
    let m = matcher.replace_watchlist(wl.items, config.threshold);
    // the weights in force are those of the old items' name parts: read the new ones'
    let m = Arc::new(weights::weighted(&store, &m, std::iter::empty())?);
    matcher.replace_stats(m.clone());
    let alerts = pipeline::screen_new_watch_items(&mut store, &m)?;
    tracing::info!(items = count, already_listed = alerts, "watchlist reloaded");
    Ok(alerts)
}

/// The matcher for a watchlist, weighted by the names stored now if `weigh` (none on a new
/// database).
fn initial_matcher(
    store: &mut Store,
    watchlist: Watchlist,
    threshold: f64,
    weigh: bool,
) -> Result<MatcherSlot, DaemonError> {
    let matcher = Matcher::new(watchlist.items, threshold);
    if !weigh {
        return Ok(MatcherSlot::new(matcher));
    }
    weights::count_uncounted(store)?;
    let weighted = weights::weighted(store, &matcher, std::iter::empty())?;
    // a new database counts no names: no weights, as without stats
    if weighted.stats().is_some_and(|s| s.names() == 0) {
        return Ok(MatcherSlot::new(matcher));
    }
    Ok(MatcherSlot::new(weighted))
}

fn fingerprint(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn watchdog_interval() -> Option<Duration> {
    let mut usec = 0;
    if sd_notify::watchdog_enabled(false, &mut usec) && usec > 0 {
        Some(Duration::from_micros(usec / 2))
    } else {
        None
    }
}

async fn watchdog_loop(interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_source_runs_at_once_if_it_never_succeeded_or_missed_a_scheduled_run() {
        // Daily at 07:00 UTC.
        let daily: cron::Schedule = "0 0 7 * * *".parse().unwrap();
        let at = |d, h, m| chrono::Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap();
        assert!(missed_run(&daily, None, at(1, 12, 0)).is_some());
        // Last success this morning's run: the next is tomorrow, nothing missed.
        assert_eq!(missed_run(&daily, Some(at(1, 7, 0)), at(1, 23, 0)), None);
        // Down since yesterday's run: this morning's was missed.
        let why = missed_run(&daily, Some(at(1, 7, 0)), at(2, 9, 30)).unwrap();
        assert!(why.contains("2026-12-02T07:00:00Z missed"), "{why}");
    }
}
