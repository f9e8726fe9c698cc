//! The activity chart of the dashboard: clicks, sign-ups, paying customers and deals
//! per day (the last 30 or 90 days) or per month (the last 365 days), drawn as SVG at
//! the width of its box in real pixels, so that its text stays readable on a phone; the
//! earnings of the same periods below it (`earnings_chart.rs`).

use leptos::ev;
use leptos::prelude::*;
use partnerly_domain::money::Money;
use partnerly_domain::tracking::{Interval, Timeseries, TimeseriesPoint};
use time::Duration;

use super::earnings_chart;
use crate::api;
use crate::components::fetch::Fetch;
use crate::components::layout::Loaded;
use crate::format::{month_name, parse_day, today};
use crate::session::use_session;

/// The periods the chart covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Range {
    Days30,
    Days90,
    Days365,
}

impl Range {
    const ALL: [Range; 3] = [Range::Days30, Range::Days90, Range::Days365];

    fn days(self) -> i64 {
        match self {
            Range::Days30 => 30,
            Range::Days90 => 90,
            Range::Days365 => 365,
        }
    }

    /// Days for a month or a quarter, months for a year.
    fn interval(self) -> Interval {
        match self {
            Range::Days30 | Range::Days90 => Interval::Day,
            Range::Days365 => Interval::Month,
        }
    }

    /// On its button: "30 days".
    fn words(self) -> String {
        format!("{} days", self.days())
    }
}

/// What the chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    Clicks,
    Signups,
    Paying,
    Deals,
}

impl Measure {
    const ALL: [Measure; 4] = [
        Measure::Clicks,
        Measure::Signups,
        Measure::Paying,
        Measure::Deals,
    ];

    fn name(self) -> &'static str {
        match self {
            Measure::Clicks => "Clicks",
            Measure::Signups => "Sign-ups",
            Measure::Paying => "Paying customers",
            Measure::Deals => "Deals",
        }
    }

    /// The class that colours its line and legend swatch.
    fn class(self) -> &'static str {
        match self {
            Measure::Clicks => "series-clicks",
            Measure::Signups => "series-signups",
            Measure::Paying => "series-paying",
            Measure::Deals => "series-deals",
        }
    }

    fn of(self, point: &TimeseriesPoint) -> u64 {
        match self {
            Measure::Clicks => point.clicks,
            Measure::Signups => point.signups,
            Measure::Paying => point.paying_customers,
            Measure::Deals => point.deals,
        }
    }
}

/// The chart's height in pixels, and its margins: room for the value labels on the
/// left and the dates below.
pub(super) const HEIGHT: i64 = 240;
pub(super) const LEFT: i64 = 44;
pub(super) const RIGHT: i64 = 14;
const TOP: i64 = 22;
pub(super) const BOTTOM: i64 = 28;
/// The width drawn before the box is measured.
const DEFAULT_WIDTH: i64 = 640;

/// The value axis: its step and top, from the largest value (at most five lines, at
/// round numbers: 1, 2 or 5 times a power of ten).
pub(super) fn value_axis(max: u64) -> (u64, u64) {
    let wanted = max.div_ceil(4).max(1);
    let mut power = 1_u64;
    let step = loop {
        if let Some(step) = [1, 2, 5]
            .into_iter()
            .map(|m| m * power)
            .find(|step| *step >= wanted)
        {
            break step;
        }
        power = power.saturating_mul(10);
    };
    (step, max.div_ceil(step).max(1) * step)
}

/// Which periods get a date under the axis: at most `slots`, evenly spaced back from
/// the last one (today), and the first one when there is room.
pub(super) fn labelled(count: usize, slots: usize) -> Vec<usize> {
    if count <= 1 || slots <= 1 {
        return (0..count.min(1)).collect();
    }
    let step = (count - 1).div_ceil(slots - 1).max(1);
    let mut picked: Vec<usize> = (0..count).rev().step_by(step).collect();
    picked.reverse();
    picked
}

/// A period under the axis: "Nov 3" for a day, "Nov 2026" for a month.
pub(super) fn period_words(period: &str, interval: Interval) -> String {
    match parse_day(period) {
        Some(day) => match interval {
            Interval::Day => format!("{} {}", month_name(day.month()), day.day()),
            Interval::Month => format!("{} {}", month_name(day.month()), day.year()),
        },
        None => period.to_owned(),
    }
}

/// Where things go, for a chart `width` pixels wide of `count` periods up to `top`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) width: i64,
    pub(super) count: usize,
    pub(super) top: u64,
}

impl Frame {
    fn x(self, index: usize) -> i64 {
        let plot = self.width - LEFT - RIGHT;
        match i64::try_from(self.count).unwrap_or(1) - 1 {
            n if n > 0 => LEFT + plot * i64::try_from(index).unwrap_or(0) / n,
            _ => LEFT + plot / 2,
        }
    }

    pub(super) fn y(self, value: u64) -> i64 {
        let plot = HEIGHT - TOP - BOTTOM;
        let top = self.top.max(1);
        let above = i64::try_from(value.min(top) * 1000 / top).unwrap_or(1000);
        HEIGHT - BOTTOM - plot * above / 1000
    }

    /// A line's `points`: `x,y x,y …`.
    fn line(self, values: impl Iterator<Item = u64>) -> String {
        values
            .enumerate()
            .map(|(i, v)| format!("{},{}", self.x(i), self.y(v)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The range buttons, the chart and its legend with each measure's total.
#[component]
pub(super) fn ActivityChart() -> impl IntoView {
    let session = use_session();
    let range = RwSignal::new(Range::Days30);
    let series = Fetch::new(move || {
        let range = range.get();
        let to = today();
        let from = to - Duration::days(range.days() - 1);
        api::timeseries(session, from, to, range.interval())
    });
    // The box's width, measured once it is on the page and again when the window
    // changes size.
    let frame = NodeRef::<leptos::html::Div>::new();
    let width = RwSignal::new(DEFAULT_WIDTH);
    let measure = move || {
        if let Some(el) = frame.get_untracked() {
            let w = i64::from(el.client_width());
            if w > 0 {
                width.set(w.max(LEFT + RIGHT + 100));
            }
        }
    };
    Effect::new(move |_| {
        if frame.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let buttons = Range::ALL
        .into_iter()
        .map(|r| {
            view! {
                <button
                    type="button"
                    class="button button-quiet button-small"
                    aria-pressed=move || (range.get() == r).to_string()
                    on:click=move |_| range.set(r)
                >
                    {r.words()}
                </button>
            }
        })
        .collect_view();
    let render = move |series: Timeseries| {
        let totals = Measure::ALL
            .into_iter()
            .map(|m| {
                let total: u64 = series.points.iter().map(|p| m.of(p)).sum();
                view! {
                    <li>
                        <span class=format!("swatch {}", m.class()) aria-hidden="true"></span>
                        {m.name()}
                        " "
                        <strong>{total}</strong>
                    </li>
                }
            })
            .collect_view();
        let earned = earnings_chart::totals(&series)
            .into_iter()
            .map(|(currency, minor)| {
                view! {
                    <li>
                        <span class="swatch series-earnings" aria-hidden="true"></span>
                        "Earned "
                        <strong>{Money::from_minor(minor, currency).to_string()}</strong>
                    </li>
                }
            })
            .collect_view();
        let drawn = earnings_chart::drawn_currency(&series);
        let series = StoredValue::new(series);
        view! {
            <div inner_html=move || series.with_value(|s| chart_svg(s, width.get()))></div>
            <ul class="chart-legend" aria-label="Totals">
                {totals}
            </ul>
            {match drawn {
                Some(currency) => {
                    view! {
                        <div inner_html=move || {
                            series
                                .with_value(|s| earnings_chart::earnings_svg(s, width.get(), currency))
                        }></div>
                        <ul class="chart-legend" aria-label="Earnings">
                            {earned}
                        </ul>
                    }
                        .into_any()
                }
                None => {
                    view! { <p class="muted chart-note">"Nothing earned on sales of these days yet."</p> }
                        .into_any()
                }
            }}
        }
    };

    view! {
        <section class="panel chart-card" aria-labelledby="activity-heading">
            <div class="section-header">
                <h2 id="activity-heading">"Activity"</h2>
                <div class="action-row" role="group" aria-label="Period">
                    {buttons}
                </div>
            </div>
            <div class="chart-frame" node_ref=frame>
                <Loaded what="your activity" data=series render />
            </div>
        </section>
    }
}

/// Escapes text for markup.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG's markup: value lines and labels, dates, one line per measure. Written as
/// text (numbers, and dates read back from the API's, escaped) rather than as Leptos
/// views: the chart has no events or signals inside, and a view per kind of SVG element
/// would cost the portal several kilobytes.
fn chart_svg(series: &Timeseries, width: i64) -> String {
    use std::fmt::Write;

    let points = &series.points;
    let max = points
        .iter()
        .flat_map(|p| Measure::ALL.map(|m| m.of(p)))
        .max()
        .unwrap_or(0);
    let (step, top) = value_axis(max);
    let frame = Frame {
        width,
        count: points.len(),
        top,
    };
    let per = match series.interval {
        Interval::Day => "per day",
        Interval::Month => "per month",
    };
    let title = format!(
        "Clicks, sign-ups, paying customers and deals {per}, {} to {}",
        period_words(&series.from, Interval::Day),
        period_words(&series.to, Interval::Day)
    );
    let right = width - RIGHT;
    let axis = HEIGHT - BOTTOM;
    let mut svg = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{HEIGHT}\" viewBox=\"0 0 {width} {HEIGHT}\" \
         role=\"img\" aria-labelledby=\"activity-chart-title\">\
         <title id=\"activity-chart-title\">{}</title>\
         <text class=\"chart-axis-title\" x=\"0\" y=\"12\">{per}</text>",
        escape(&title)
    );
    for i in 0..=top / step {
        let value = i * step;
        let y = frame.y(value);
        let _ = write!(
            svg,
            "<line class=\"chart-grid\" x1=\"{LEFT}\" x2=\"{right}\" y1=\"{y}\" y2=\"{y}\"/>\
             <text class=\"chart-value\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{value}</text>",
            LEFT - 8,
            y + 4
        );
    }
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{LEFT}\" x2=\"{right}\" y1=\"{axis}\" y2=\"{axis}\"/>"
    );
    // A date takes about 70 pixels.
    let slots = usize::try_from((width - LEFT - RIGHT) / 78).unwrap_or(2);
    for i in labelled(points.len(), slots) {
        let anchor = match i {
            0 => "start",
            i if i + 1 == points.len() => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            "<text class=\"chart-date\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            frame.x(i),
            HEIGHT - 8,
            escape(&period_words(&points[i].period, series.interval))
        );
    }
    // Clicks last, on top.
    for m in Measure::ALL.into_iter().rev() {
        let _ = write!(
            svg,
            "<g class=\"{}\"><polyline points=\"{}\"/>",
            m.class(),
            frame.line(points.iter().map(|p| m.of(p)))
        );
        if points.len() <= 31 {
            for (i, p) in points.iter().enumerate() {
                let _ = write!(
                    svg,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\"/>",
                    frame.x(i),
                    frame.y(m.of(p))
                );
            }
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_axis_has_round_steps_and_room_for_the_largest_value() {
        assert_eq!(value_axis(0), (1, 1));
        assert_eq!(value_axis(1), (1, 1));
        assert_eq!(value_axis(4), (1, 4));
        assert_eq!(value_axis(5), (2, 6));
        assert_eq!(value_axis(17), (5, 20));
        assert_eq!(value_axis(100), (50, 100));
        assert_eq!(value_axis(1234), (500, 1500));
    }

    #[test]
    fn dates_are_evenly_spaced_back_from_the_last_period() {
        assert_eq!(labelled(30, 5), vec![5, 13, 21, 29]);
        assert_eq!(labelled(29, 5), vec![0, 7, 14, 21, 28]);
        assert_eq!(labelled(13, 20), (0..13).collect::<Vec<_>>());
        assert_eq!(labelled(1, 5), vec![0]);
        assert_eq!(labelled(0, 5), Vec::<usize>::new());
        assert_eq!(labelled(90, 2), vec![0, 89]);
    }

    #[test]
    fn the_chart_has_its_title_value_labels_dates_and_a_line_per_measure() {
        let point = |period: &str, clicks| TimeseriesPoint {
            period: period.into(),
            clicks,
            ..TimeseriesPoint::default()
        };
        let series = Timeseries {
            interval: Interval::Day,
            from: "2026-11-01".into(),
            to: "2026-11-03".into(),
            points: vec![
                point("2026-11-01", 0),
                point("2026-11-02", 3),
                point("<b>", 1),
            ],
        };
        let svg = chart_svg(&series, 640);
        assert!(svg.starts_with("<svg class=\"chart\" width=\"640\""));
        assert!(svg.contains(
            ">Clicks, sign-ups, paying customers and deals per day, Nov 1 to Nov 3</title>"
        ));
        assert!(svg.contains(">Nov 1</text>") && svg.contains(">Nov 2</text>"));
        assert!(
            svg.contains(">&lt;b&gt;</text>"),
            "text from the API is escaped"
        );
        assert!(
            svg.contains("text-anchor=\"end\">3</text>"),
            "values up to the largest, 3, by 1"
        );
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn periods_are_written_as_days_or_months() {
        assert_eq!(period_words("2026-11-03", Interval::Day), "Nov 3");
        assert_eq!(period_words("2026-11-01", Interval::Month), "Nov 2026");
    }

    #[test]
    fn values_go_up_from_the_axis_and_periods_across() {
        let frame = Frame {
            width: 400,
            count: 3,
            top: 10,
        };
        assert_eq!(frame.y(0), HEIGHT - BOTTOM);
        assert_eq!(frame.y(10), TOP);
        assert_eq!(frame.x(0), LEFT);
        assert_eq!(frame.x(2), 400 - RIGHT);
        assert_eq!(
            frame.line([0, 10].into_iter()),
            format!("{LEFT},{} {},{TOP}", HEIGHT - BOTTOM, frame.x(1))
        );
    }
}
