//! How times read on the page in English: Associated Press style, as news sites write them. (Other
//! languages' dates, and every language's numbers, follow their translation files: see `i18n`.)

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

/// AP abbreviates months of more than five letters and spells out the short ones.
const AP_MONTHS: [&str; 12] =
    ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."];

/// Formats an instant in `zone` the way the seed page does: `Dec. 2, 2025, 11:21 p.m.`, with `1 p.m.` for
/// whole hours, and `noon` and `midnight` for those two moments.
pub fn ap_datetime<Z: TimeZone>(instant: DateTime<Utc>, zone: &Z) -> String {
    let local = instant.with_timezone(zone);
    let month = AP_MONTHS[local.month0() as usize];
    let clock = match (local.hour(), local.minute()) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "noon".to_owned(),
        (hour, minute) => {
            let meridiem = if hour < 12 { "a.m." } else { "p.m." };
            let hour12 = match hour % 12 {
                0 => 12,
                h => h,
            };
            if minute == 0 { format!("{hour12} {meridiem}") } else { format!("{hour12}:{minute:02} {meridiem}") }
        }
    };
    format!("{month} {}, {}, {clock}", local.day(), local.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn matches_the_seed_page() {
        assert_eq!(ap_datetime(at("2025-12-02T23:21:00Z"), &Utc), "Dec. 2, 2025, 11:21 p.m.");
    }

    #[test]
    fn morning_whole_hours_noon_and_midnight() {
        assert_eq!(ap_datetime(at("2025-03-04T09:05:00Z"), &Utc), "March 4, 2025, 9:05 a.m.");
        assert_eq!(ap_datetime(at("2025-03-04T13:00:00Z"), &Utc), "March 4, 2025, 1 p.m.");
        assert_eq!(ap_datetime(at("2025-03-04T12:00:00Z"), &Utc), "March 4, 2025, noon");
        assert_eq!(ap_datetime(at("2025-03-04T00:00:00Z"), &Utc), "March 4, 2025, midnight");
        assert_eq!(ap_datetime(at("2025-03-04T00:30:00Z"), &Utc), "March 4, 2025, 12:30 a.m.");
        assert_eq!(ap_datetime(at("2025-03-04T12:45:00Z"), &Utc), "March 4, 2025, 12:45 p.m.");
    }

    #[test]
    fn every_month_in_ap_style() {
        let months: Vec<String> = (1..=12)
            .map(|m| ap_datetime(at(&format!("2025-{m:02}-10T10:00:00Z")), &Utc))
            .map(|s| s.split(' ').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(months, AP_MONTHS);
        assert!(ap_datetime(at("2025-09-01T10:00:00Z"), &Utc).starts_with("Sept. 1"));
    }

    #[test]
    fn converts_to_the_site_time_zone() {
        // 03:30 UTC on 1 January is 10:30 p.m. on 31 December in New York.
        let zone: Tz = "America/New_York".parse().unwrap_or(Tz::UTC);
        assert_eq!(ap_datetime(at("2026-01-01T03:30:00Z"), &zone), "Dec. 31, 2025, 10:30 p.m.");
    }
}
