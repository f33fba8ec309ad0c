//! Notices about a source itself: `source-stale` once when it has failed for `stale_after`,
//! `source-recovered` once when it works again.

use std::time::Duration;

use crate::domain::alert::{Alert, AlertKey, Event};
use crate::domain::audit::SourceStatus;
use crate::plan::PlannedAlert;

/// The `source-stale` notice due after a failure, if one is due now.
///
/// Staleness counts from the last success; a source that never worked counts from its first
/// failure.
pub fn stale_notice(
    status: &SourceStatus,
    url: &str,
    stale_after: Duration,
    error: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<PlannedAlert> {
    if status.stale_notified {
        return None;
    }
    let since = status
        .last_success
        .clone()
        .or(status.failing_since.clone())?;
    let since_t = chrono::DateTime::parse_from_rfc3339(&since).ok()?;
    let age = now.signed_duration_since(since_t);
    if age.to_std().unwrap_or_default() < stale_after {
        return None;
    }
    let why = format!(
        "no successful update since {since} ({}); last error: {error}",
        humantime::format_duration(Duration::from_secs(age.num_seconds().max(0) as u64))
    );
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Some(PlannedAlert {
        key: AlertKey::notice(Event::SourceStale, &status.name, &since),
        alert: Alert::for_source(Event::SourceStale, &status.name, url, why, &stamp),
    })
}

/// The `source-recovered` notice due after a success, if the source had been reported stale.
pub fn recovered_notice(status: &SourceStatus, url: &str, now: &str) -> Option<PlannedAlert> {
    if !status.stale_notified {
        return None;
    }
    Some(PlannedAlert {
        key: AlertKey::notice(Event::SourceRecovered, &status.name, now),
        alert: Alert::for_source(
            Event::SourceRecovered,
            &status.name,
            url,
            "works again".into(),
            now,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(last_success: Option<&str>, failing_since: Option<&str>) -> SourceStatus {
        SourceStatus {
            name: "un-sc".into(),
            last_success: last_success.map(str::to_string),
            failing_since: failing_since.map(str::to_string),
            ..SourceStatus::default()
        }
    }

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().into()
    }

    #[test]
    fn stale_only_after_stale_after_and_only_once() {
        let day = Duration::from_secs(86_400);
        let s = status(Some("2025-12-01T07:00:00Z"), Some("2025-12-01T09:00:00Z"));
        assert!(stale_notice(&s, "u", 2 * day, "HTTP 503", at("2025-12-02T07:00:00Z")).is_none());
        let n = stale_notice(&s, "u", 2 * day, "HTTP 503", at("2025-12-03T08:00:00Z")).unwrap();
        assert_eq!(n.alert.event, Event::SourceStale);
        assert!(
            n.alert.why.contains("since 2025-12-01T07:00:00Z"),
            "{}",
            n.alert.why
        );
        let mut notified = s.clone();
        notified.stale_notified = true;
        assert!(stale_notice(&notified, "u", 2 * day, "e", at("2025-12-09T07:00:00Z")).is_none());
        assert!(recovered_notice(&notified, "u", "2025-12-09T07:00:00Z").is_some());
        assert!(recovered_notice(&s, "u", "2025-12-09T07:00:00Z").is_none());
    }

    #[test]
    fn a_source_that_never_worked_is_stale_from_its_first_failure() {
        let s = status(None, Some("2025-12-01T07:00:00Z"));
        let n = stale_notice(
            &s,
            "u",
            Duration::from_secs(3600),
            "refused",
            at("2025-12-01T09:00:00Z"),
        );
        assert!(n.is_some());
    }
}
