//! The publication time as the editor takes and shows it: a date (year-month-day) and a time on the 24-hour
//! clock, both in the site's time zone, which read the same in every browser whatever its locale (the
//! browser's own date and time pickers follow the browser's locale); a readout of what they mean in the site's
//! own date format ("Monday, Dec. 7, 2026, 1:55 p.m. GMT (in 3 hours)"), which the editor's script asks for as
//! the fields change; and the rules for times the clocks skip (refused, saying when the clocks change) or pass
//! twice (the first, unless the article already has the second).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Session;
use crate::settings::SiteSettings;
use crate::web::AppState;

/// How the date field writes a date.
const DATE_FORMAT: &str = "%Y-%m-%d";
/// How the time field writes a time.
const TIME_FORMAT: &str = "%H:%M";

/// The date and time fields for `at`, in `zone`.
pub(super) fn fields(at: DateTime<Utc>, zone: Tz) -> (String, String) {
    let local = at.with_timezone(&zone);
    (local.format(DATE_FORMAT).to_string(), local.format(TIME_FORMAT).to_string())
}

/// Reads the date and time typed in `zone`: none when both are empty. Of a time the clocks pass twice, the
/// first is meant, unless `keep` (the article's time now) is the second: saving an article unchanged keeps
/// its time.
pub(super) fn read(
    date: &str,
    time: &str,
    zone: Tz,
    keep: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, String> {
    let (date, time) = (date.trim(), time.trim());
    let local = match (date.is_empty(), time.is_empty()) {
        (true, true) => return Ok(None),
        (false, true) => return Err(format!("the publication date {date} has no time: {TIME_HELP}")),
        (true, false) => return Err(format!("the publication time {time} has no date: {DATE_HELP}")),
        (false, false) => read_date(date)?.and_time(read_time(time)?),
    };
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(Some(at.with_timezone(&Utc))),
        LocalResult::Ambiguous(first, second) => {
            let second = second.with_timezone(&Utc);
            Ok(Some(if keep == Some(second) { second } else { first.with_timezone(&Utc) }))
        }
        LocalResult::None => Err(skipped(local, zone)),
    }
}

const DATE_HELP: &str = "write the date as year-month-day, such as 2026-12-07";
const TIME_HELP: &str = "write the time on the 24-hour clock, such as 13:55";

fn read_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, DATE_FORMAT)
        .map_err(|_| format!("the publication date {text:?} is not a date: {DATE_HELP}"))
}

fn read_time(text: &str) -> Result<NaiveTime, String> {
    // `9:05` reads as `09:05`; seconds, "p.m." and the like do not read.
    NaiveTime::parse_from_str(text, TIME_FORMAT)
        .map_err(|_| format!("the publication time {text:?} is not a time: {TIME_HELP}"))
}

/// Why `local`, which the clocks skip in `zone`, cannot be a publication time: when the clocks go forward.
fn skipped(local: NaiveDateTime, zone: Tz) -> String {
    let exists = |t: &NaiveDateTime| !matches!(zone.from_local_datetime(t), LocalResult::None);
    // Clock changes skip at most a few hours; step out of the gap a minute at a time either way.
    let mut from = local;
    while !exists(&(from - Duration::minutes(1))) && local - from < Duration::hours(4) {
        from -= Duration::minutes(1);
    }
    let mut to = local;
    while !exists(&to) && to - local < Duration::hours(4) {
        to += Duration::minutes(1);
    }
    format!(
        "there is no {} on {} in {}: the clocks go forward from {} to {} that night; choose another time",
        local.format(TIME_FORMAT),
        local.format(DATE_FORMAT),
        zone.name(),
        from.format(TIME_FORMAT),
        to.format(TIME_FORMAT),
    )
}

/// What the fields mean, as the readout beside them says it, or why they mean nothing: empty when both are.
pub(super) fn describe(
    site: &SiteSettings,
    date: &str,
    time: &str,
    keep: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let zone = site.timezone;
    let Some(at) = read(date, time, zone, keep)? else { return Ok(String::new()) };
    let local = at.with_timezone(&zone);
    let mut text =
        format!("{}, {} {} ({})", local.format("%A"), site.show_time(at), local.format("%Z"), from_now(at, now));
    if let LocalResult::Ambiguous(first, _) = zone.from_local_datetime(&local.naive_local()) {
        let which = if first == local { "the first" } else { "the second" };
        text.push_str(&format!(
            ". The clocks go back that night, so {} comes twice: this is {which}",
            local.format(TIME_FORMAT)
        ));
    }
    Ok(text)
}

/// When a scheduled article goes out, as the back office says it: the time and how far off it is.
pub(super) fn goes_out(site: &SiteSettings, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} ({})", site.show_time(at), from_now(at, now))
}

/// How far `at` is from `now`, in words a desk reads at a glance: "in 3 minutes", "in 2 hours", "in 5 days",
/// "3 hours ago". A time less than a minute past is going out now: "in a minute".
fn from_now(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    if seconds < -60 {
        let (count, unit) = in_units(seconds.unsigned_abs() / 60);
        return if count == 1 { format!("a {unit} ago") } else { format!("{count} {unit}s ago") };
    }
    let minutes = (seconds.max(0) as u64).div_ceil(60);
    match in_units(minutes.max(1)) {
        (1, unit) => format!("in a {unit}"),
        (count, unit) => format!("in {count} {unit}s"),
    }
}

/// Minutes as the largest unit a desk would say: up to two hours in minutes, two days in hours.
fn in_units(minutes: u64) -> (u64, &'static str) {
    match minutes {
        0..=119 => (minutes, "minute"),
        120..=2879 => (minutes / 60, "hour"),
        _ => (minutes / 1440, "day"),
    }
}

/// The editor's fields, as its script sends them.
#[derive(Debug, Default, Deserialize)]
pub struct WhenQuery {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
}

/// `GET /admin/publication-time?date=…&time=…`: the readout for those fields, as JSON (`{"text": …}`), or
/// 400 with `{"error": …}` saying what is wrong with them.
pub async fn readout(
    State(state): State<AppState>,
    _session: Session,
    query: Result<Query<WhenQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|q| q.0).unwrap_or_default();
    match describe(&state.site(), &query.date, &query.time, None, Utc::now()) {
        Ok(text) => Json(serde_json::json!({ "text": text })).into_response(),
        Err(error) => (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": error }))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    fn utc(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn fields_are_read_in_the_sites_zone() {
        assert_eq!(read("2026-07-01", "09:30", London, None), Ok(utc("2026-07-01T08:30:00Z")), "summer time");
        assert_eq!(read("2026-12-07", "9:05", London, None), Ok(utc("2026-12-07T09:05:00Z")), "one-digit hour");
        assert_eq!(read(" ", "", London, None), Ok(None));
        assert_eq!(
            fields(utc("2026-07-01T08:30:00Z").unwrap_or_default(), London),
            ("2026-07-01".into(), "09:30".into())
        );
        for (date, time, says) in [
            ("07/12/2026", "13:55", "is not a date: write the date as year-month-day"),
            ("2026-02-30", "13:55", "is not a date"),
            ("2026-12-07", "1:55 pm", "is not a time: write the time on the 24-hour clock"),
            ("2026-12-07", "24:00", "is not a time"),
            ("2026-12-07", "13:55:10", "is not a time"),
            ("2026-12-07", "", "has no time"),
            ("", "13:55", "has no date"),
        ] {
            let error = read(date, time, London, None).err().unwrap_or_default();
            assert!(error.contains(says), "{date} {time}: {error}");
        }
    }

    #[test]
    fn clock_changes_have_a_rule() {
        let gap = read("2026-03-29", "01:30", London, None).err().unwrap_or_default();
        assert_eq!(
            gap,
            "there is no 01:30 on 2026-03-29 in Europe/London: the clocks go forward from 01:00 to 02:00 that \
             night; choose another time"
        );
        let first = utc("2026-10-25T00:30:00Z");
        let second = utc("2026-10-25T01:30:00Z");
        assert_eq!(read("2026-10-25", "01:30", London, None), Ok(first), "the first of the two");
        assert_eq!(read("2026-10-25", "01:30", London, second), Ok(second), "an unchanged time is kept");
    }

    #[test]
    fn the_readout_says_the_day_the_time_and_how_far_off() {
        let site = SiteSettings { timezone: London, ..SiteSettings::default() };
        let now = utc("2026-12-07T10:55:00Z").unwrap_or_default();
        let text = describe(&site, "2026-12-07", "13:55", None, now);
        assert_eq!(text.as_deref(), Ok("Monday, Dec. 7, 2026, 1:55 p.m. GMT (in 3 hours)"));
        let text = describe(&site, "2026-10-25", "01:30", None, now).unwrap_or_default();
        assert!(text.starts_with("Sunday, Oct. 25, 2026, 1:30 a.m. BST (43 days ago). The clocks go back"), "{text}");
        assert!(text.ends_with("01:30 comes twice: this is the first"), "{text}");
        assert_eq!(describe(&site, "", "", None, now).as_deref(), Ok(""));
    }

    #[test]
    fn go_live_times_read_as_a_desk_says_them() {
        let now = Utc::now();
        let after = |seconds| from_now(now + Duration::seconds(seconds), now);
        assert_eq!(after(20), "in a minute");
        assert_eq!(after(-5), "in a minute", "a time just passed is going out now");
        assert_eq!(after(170), "in 3 minutes");
        assert_eq!(after(3 * 3600), "in 3 hours");
        assert_eq!(after(5 * 86_400), "in 5 days");
        assert_eq!(after(-90), "a minute ago");
        assert_eq!(after(-3 * 3600), "3 hours ago");
    }
}
