//! Dates as blogs write them in front matter.
//!
//! Accepted: RFC 3339 (`2008-04-04T19:40:01Z`), the Jekyll/WordPress export form
//! (`2008-04-04 19:40:01 -0500`), a local date-time without zone, and a bare date. A
//! value without a zone is read in the site's time zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// A front-matter date: the instant, and the calendar date exactly as written (stable
/// input for ids — no time-zone setting can move it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WrittenDate {
    pub instant: DateTime<FixedOffset>,
    pub written_day: NaiveDate,
}

impl WrittenDate {
    /// Whether every output format can write this date: RSS (RFC 2822) and Atom
    /// (RFC 3339) both need a four-digit year, in the date's own zone and in UTC.
    pub fn writable(&self) -> bool {
        use chrono::Datelike;
        let years = [self.written_day.year(), self.instant.year(), self.instant.naive_utc().year()];
        years.iter().all(|y| (1..=9999).contains(y))
    }
}

/// Parse a front-matter date; `None` when it is in none of the accepted forms.
pub fn parse_date(text: &str, zone: Tz) -> Option<WrittenDate> {
    let text = text.trim();
    let written_day = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
    let instant = parse_instant(text, zone)?;
    Some(WrittenDate { instant, written_day })
}

fn parse_instant(text: &str, zone: Tz) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt);
    }
    for format in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(dt) = DateTime::parse_from_str(text, format) {
            return Some(dt);
        }
    }
    // Hugo writes the zone without a colon too: 2008-04-04T19:40:01-0500 (handled above);
    // YAML may add a `Z` after a space-separated time: 2008-04-04 19:40:01Z.
    if let Some(rest) = text.strip_suffix('Z')
        && let Some(naive) = parse_naive(rest)
    {
        return Some(naive.and_utc().fixed_offset());
    }
    let naive = parse_naive(text)?;
    let local = zone.from_local_datetime(&naive).earliest().or_else(|| {
        // A local time inside a daylight-saving gap: take the instant an hour later.
        zone.from_local_datetime(&(naive + chrono::Duration::hours(1))).earliest()
    })?;
    Some(local.fixed_offset())
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse_date(text, Tz::UTC).unwrap().instant.to_rfc3339()
    }

    #[test]
    fn reads_every_form_seen_in_real_sites() {
        assert_eq!(utc("2008-04-04T19:40:01Z"), "2008-04-04T19:40:01+00:00");
        assert_eq!(utc("2008-04-04T19:40:01-05:00"), "2008-04-04T19:40:01-05:00");
        assert_eq!(utc("2008-04-04 19:40:01 -0500"), "2008-04-04T19:40:01-05:00");
        assert_eq!(utc("2008-04-04"), "2008-04-04T00:00:00+00:00");
        assert_eq!(utc("2008-04-04T19:40:01"), "2008-04-04T19:40:01+00:00");
        assert_eq!(utc("2008-04-04 19:40"), "2008-04-04T19:40:00+00:00");
        assert_eq!(utc(" 2008-04-04 19:40:01Z "), "2008-04-04T19:40:01+00:00");
    }

    #[test]
    fn a_date_without_zone_uses_the_site_zone_but_keeps_its_written_day() {
        let d = parse_date("2008-04-04 23:30:00", chrono_tz::America::New_York).unwrap();
        assert_eq!(d.instant.to_rfc3339(), "2008-04-04T23:30:00-04:00");
        assert_eq!(d.written_day.to_string(), "2008-04-04");
        let z = parse_date("2008-04-04T23:30:00-08:00", Tz::UTC).unwrap();
        assert_eq!(z.written_day.to_string(), "2008-04-04");
    }

    #[test]
    fn dates_no_feed_format_can_write_are_flagged() {
        for bad in ["-001-01-01", "0000-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00"] {
            assert!(parse_date(bad, Tz::UTC).is_none_or(|d| !d.writable()), "{bad}");
        }
        assert!(parse_date("0001-01-01", Tz::UTC).unwrap().writable());
        assert!(parse_date("9999-12-31", Tz::UTC).unwrap().writable());
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in ["yesterday", "2008-13-01", "04/04/2008", "", "2008-04-04T25:00:00Z"] {
            assert!(parse_date(bad, Tz::UTC).is_none(), "{bad}");
        }
    }
}
