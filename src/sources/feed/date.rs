//! Feed dates (RFC 822 in RSS, W3C-DTF/RFC 3339 in Atom and Dublin Core) to RFC 3339 UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

/// The date as RFC 3339 in UTC, or `None` when it cannot be read with certainty. A time
/// without a zone is refused rather than guessed: a wrong date in an alert is worse than none.
pub(super) fn to_rfc3339(text: &str) -> Option<String> {
    let text = text.trim();
    let parsed = parse_iso(text).or_else(|| parse_rfc822(text))?;
    Some(
        parsed
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn parse_iso(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date);
    }
    // W3C-DTF allows dropping the seconds, and `Z` needs spelling out for chrono's `%:z`.
    let text = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => text.to_string(),
    };
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(date) = DateTime::parse_from_str(&text, format) {
            return Some(date);
        }
    }
    // A bare date (Dublin Core's common form) stands for the day, taken as starting in UTC.
    let day = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

fn parse_rfc822(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Some(date);
    }
    // Feeds get the weekday wrong or write it in their own language ("mer, 16 nov 2022"),
    // and some write the zone as `Z` or `UTC`; none of that changes the instant.
    let without_weekday = match text.split_once(',') {
        Some((weekday, rest)) if weekday.chars().all(char::is_alphabetic) => rest.trim(),
        _ => text,
    };
    let zone_fixed = [" Z", " z", " UTC", " utc"]
        .iter()
        .find_map(|zone| without_weekday.strip_suffix(zone))
        .map(|rest| format!("{rest} +0000"))
        .unwrap_or_else(|| without_weekday.to_string());
    DateTime::parse_from_rfc2822(&zone_fixed).ok()
}

#[cfg(test)]
mod tests {
    use super::to_rfc3339;

    #[test]
    fn rfc822_with_offset_becomes_utc() {
        assert_eq!(
            to_rfc3339("Wed, 10 Dec 2025 18:00:00 +0300").as_deref(),
            Some("2025-12-10T15:00:00Z")
        );
        assert_eq!(
            to_rfc3339("Thu, 14 Oct 2021 12:59:53 GMT").as_deref(),
            Some("2021-10-14T12:59:53Z")
        );
    }

    #[test]
    fn rfc822_variants_seen_in_real_feeds() {
        assert_eq!(
            to_rfc3339("Tue, 15 Nov 2022 20:15:04 Z").as_deref(),
            Some("2022-11-15T20:15:04Z")
        );
        assert_eq!(
            to_rfc3339("mer, 16 nov 2022 00:38:15 +0100").as_deref(),
            Some("2022-11-15T23:38:15Z")
        );
    }

    #[test]
    fn iso_forms() {
        assert_eq!(
            to_rfc3339("2023-01-25T19:03:02+01:00").as_deref(),
            Some("2023-01-25T18:03:02Z")
        );
        assert_eq!(
            to_rfc3339("2023-07-23T17:38:30+00:00").as_deref(),
            Some("2023-07-23T17:38:30Z")
        );
        assert_eq!(
            to_rfc3339("2023-12-16").as_deref(),
            Some("2023-12-16T00:00:00Z")
        );
        assert_eq!(
            to_rfc3339("2021-02-06T23:01Z").as_deref(),
            Some("2021-02-06T23:01:00Z")
        );
    }

    #[test]
    fn zoneless_or_garbage_is_none() {
        assert_eq!(to_rfc3339("Sat, Dec 16 2023 02:02:33 PM"), None);
        assert_eq!(to_rfc3339("yesterday"), None);
        assert_eq!(to_rfc3339(""), None);
    }
}
