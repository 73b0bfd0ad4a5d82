//! A chart of an article's daily views, drawn on the server as SVG: no charting library in the browser, and
//! readable without script (each bar has a title, and the figure a text summary).

use std::fmt::Write;

use chrono::{Duration, NaiveDate};
use minijinja::HtmlEscape;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const MARGIN: f64 = 24.0;

/// One bar per day from `first` to `last` (days without views are zero), labelled for screen readers; `id`
/// tells apart the charts of one page.
pub fn daily_views(id: &str, title: &str, first: NaiveDate, last: NaiveDate, views: &[(NaiveDate, i64)]) -> String {
    let days: Vec<(NaiveDate, i64)> = first
        .iter_days()
        .take_while(|day| *day <= last)
        .map(|day| (day, views.iter().find(|(d, _)| *d == day).map_or(0, |(_, v)| *v)))
        .collect();
    let total: i64 = days.iter().map(|(_, v)| v).sum();
    let peak = days.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = (WIDTH - 2.0 * MARGIN) / days.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">Daily views: {}</title>\
         <desc id=\"{id}-desc\">{total} views from {first} to {last}; the busiest day had {peak}.</desc>",
        HtmlEscape(title)
    );
    let _ = write!(
        svg,
        "<line x1=\"{MARGIN}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" class=\"chart-axis\"/>",
        base = HEIGHT - MARGIN,
        right = WIDTH - MARGIN
    );
    for (index, (day, count)) in days.iter().enumerate() {
        let height = (HEIGHT - 2.0 * MARGIN) * (*count as f64) / (peak as f64);
        let x = MARGIN + slot * index as f64 + slot * 0.1;
        let _ = write!(
            svg,
            "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{height:.1}\">\
             <title>{day}: {count}</title></rect>",
            y = HEIGHT - MARGIN - height,
            w = slot * 0.8
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{MARGIN}\" y=\"{HEIGHT}\" class=\"chart-label\">{first}</text>\
         <text x=\"{right}\" y=\"{HEIGHT}\" text-anchor=\"end\" class=\"chart-label\">{last}</text>\
         <text x=\"{MARGIN}\" y=\"14\" class=\"chart-label\">{peak}</text></svg>",
        right = WIDTH - MARGIN
    );
    svg
}

/// The first day of a window of `days` days ending on `last`.
pub fn window_start(last: NaiveDate, days: i64) -> NaiveDate {
    last - Duration::days(days - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_bar_a_day_and_escapes_the_title() -> Result<(), Box<dyn std::error::Error>> {
        let last = NaiveDate::from_ymd_opt(2026, 3, 10).ok_or("date")?;
        let first = window_start(last, 7);
        let svg = daily_views("site", "<script>x</script>", first, last, &[(last, 5)]);
        assert_eq!(svg.matches("<rect").count(), 7);
        assert!(svg.contains("2026-03-10: 5"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("5 views from 2026-03-04 to 2026-03-10"));
        assert!(svg.contains(r#"aria-labelledby="site-title site-desc""#));
        Ok(())
    }
}
