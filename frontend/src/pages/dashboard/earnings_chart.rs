//! The earnings chart under the activity chart: what the partner earned per period
//! (commissions on the period's sales, less what refunds of those sales took back), as
//! bars over the same periods. Money and counts do not share an axis, so it is a chart of
//! its own, in one currency: the one most was earned in over the range (a partner of
//! programs in several currencies sees every currency's total in the legend).

use std::collections::BTreeMap;

use partnerly_domain::money::{Currency, Money};
use partnerly_domain::tracking::{Interval, Timeseries};

use super::chart::{
    BOTTOM, Frame, HEIGHT, LEFT, RIGHT, escape, labelled, period_words, value_axis,
};

/// Each currency's total over the range, in minor units, by currency code.
pub(super) fn totals(series: &Timeseries) -> Vec<(Currency, i64)> {
    let mut totals: BTreeMap<Currency, i64> = BTreeMap::new();
    for point in &series.points {
        for earned in &point.earnings {
            if let Ok(money) = earned.parse() {
                *totals.entry(money.currency()).or_default() += money.minor();
            }
        }
    }
    totals
        .into_iter()
        .filter(|(_, minor)| *minor != 0)
        .collect()
}

/// The currency the chart draws: the one with the largest total (the first by code on a
/// tie), or none when nothing was earned.
pub(super) fn drawn_currency(series: &Timeseries) -> Option<Currency> {
    totals(series)
        .into_iter()
        .rev()
        .max_by_key(|(_, minor)| *minor)
        .map(|(currency, _)| currency)
}

/// What a period earned in `currency`, in minor units (never below zero on the chart).
fn earned_in(point: &partnerly_domain::tracking::TimeseriesPoint, currency: Currency) -> u64 {
    point
        .earnings
        .iter()
        .filter_map(|m| m.parse().ok())
        .filter(|m: &Money| m.currency() == currency)
        .map(|m| u64::try_from(m.minor()).unwrap_or(0))
        .sum()
}

/// An amount on the value axis: "25", "2.5", "0.01" (no trailing zeros).
fn axis_amount(minor: u64, currency: Currency) -> String {
    let minor = i64::try_from(minor).unwrap_or(i64::MAX);
    Money::from_minor(minor, currency)
        .amount()
        .normalize()
        .to_string()
}

/// The SVG's markup: value lines labelled in `currency`, dates, a bar per period.
/// Written as text, as the activity chart is (see `chart_svg`).
pub(super) fn earnings_svg(series: &Timeseries, width: i64, currency: Currency) -> String {
    use std::fmt::Write;

    let points = &series.points;
    let values: Vec<u64> = points.iter().map(|p| earned_in(p, currency)).collect();
    let (step, top) = value_axis(values.iter().copied().max().unwrap_or(0));
    let plot_width = width - LEFT - RIGHT;
    let axis = HEIGHT - BOTTOM;
    let frame = Frame {
        width,
        count: points.len(),
        top,
    };
    let y = |value: u64| frame.y(value);
    let count = i64::try_from(points.len()).unwrap_or(1).max(1);
    // Each period has a slot of the plot's width; its bar fills most of it.
    let center =
        |i: usize| LEFT + (2 * i64::try_from(i).unwrap_or(0) + 1) * plot_width / (2 * count);
    let bar = (plot_width * 7 / (10 * count)).max(1);
    let per = match series.interval {
        Interval::Day => "per day",
        Interval::Month => "per month",
    };
    let code = currency.code();
    let title = format!(
        "Earnings in {code} {per}, {} to {}",
        period_words(&series.from, Interval::Day),
        period_words(&series.to, Interval::Day)
    );
    let right = width - RIGHT;
    let mut svg = format!(
        "<svg class=\"earnings-chart\" width=\"{width}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {width} {HEIGHT}\" role=\"img\" aria-labelledby=\"earnings-chart-title\">\
         <title id=\"earnings-chart-title\">{}</title>\
         <text class=\"chart-axis-title\" x=\"0\" y=\"12\">{code} {per}</text>",
        escape(&title)
    );
    for i in 0..=top / step {
        let value = i * step;
        let at = y(value);
        let _ = write!(
            svg,
            "<line class=\"chart-grid\" x1=\"{LEFT}\" x2=\"{right}\" y1=\"{at}\" y2=\"{at}\"/>\
             <text class=\"chart-value\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LEFT - 8,
            at + 4,
            axis_amount(value, currency)
        );
    }
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{LEFT}\" x2=\"{right}\" y1=\"{axis}\" y2=\"{axis}\"/>"
    );
    let slots = usize::try_from(plot_width / 78).unwrap_or(2);
    for i in labelled(points.len(), slots) {
        let _ = write!(
            svg,
            "<text class=\"chart-date\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            center(i),
            HEIGHT - 8,
            escape(&period_words(&points[i].period, series.interval))
        );
    }
    for (i, value) in values.iter().enumerate() {
        if *value == 0 {
            continue;
        }
        let top_y = y(*value);
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{top_y}\" width=\"{bar}\" height=\"{}\"><title>{}: {} {code}</title></rect>",
            center(i) - bar / 2,
            (axis - top_y).max(1),
            escape(&period_words(&points[i].period, series.interval)),
            Money::from_minor(i64::try_from(*value).unwrap_or(i64::MAX), currency).amount()
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use partnerly_domain::money::MoneyView;
    use partnerly_domain::tracking::TimeseriesPoint;

    use super::*;

    fn money(amount: &str, code: &str) -> MoneyView {
        MoneyView {
            amount: amount.into(),
            currency: Currency::parse(code).unwrap(),
        }
    }

    fn series(points: Vec<(&str, Vec<MoneyView>)>) -> Timeseries {
        Timeseries {
            interval: Interval::Day,
            from: "2026-11-01".into(),
            to: "2026-11-03".into(),
            points: points
                .into_iter()
                .map(|(period, earnings)| TimeseriesPoint {
                    period: period.into(),
                    earnings,
                    ..TimeseriesPoint::default()
                })
                .collect(),
        }
    }

    #[test]
    fn totals_add_up_each_currency_and_the_largest_is_drawn() {
        let s = series(vec![
            (
                "2026-11-01",
                vec![money("10.00", "EUR"), money("5.00", "USD")],
            ),
            ("2026-11-02", vec![]),
            ("2026-11-03", vec![money("7.50", "USD")]),
        ]);
        let usd = Currency::parse("USD").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(totals(&s), vec![(eur, 1000), (usd, 1250)]);
        assert_eq!(drawn_currency(&s), Some(usd));
        let tie = series(vec![(
            "2026-11-01",
            vec![money("1.00", "USD"), money("1.00", "EUR")],
        )]);
        assert_eq!(
            drawn_currency(&tie),
            Some(eur),
            "a tie goes to the first code"
        );
        assert_eq!(drawn_currency(&series(vec![("2026-11-01", vec![])])), None);
    }

    #[test]
    fn the_chart_has_a_bar_per_period_with_earnings_and_money_on_its_axis() {
        let s = series(vec![
            ("2026-11-01", vec![money("40.00", "USD")]),
            ("2026-11-02", vec![]),
            (
                "2026-11-03",
                vec![money("10.00", "USD"), money("99.00", "EUR")],
            ),
        ]);
        let usd = Currency::parse("USD").unwrap();
        let svg = earnings_svg(&s, 640, usd);
        assert!(svg.starts_with("<svg class=\"earnings-chart\" width=\"640\""));
        assert!(svg.contains(">Earnings in USD per day, Nov 1 to Nov 3</title>"));
        assert!(svg.contains(">USD per day</text>"));
        assert_eq!(
            svg.matches("<rect").count(),
            2,
            "no bar for a day without earnings"
        );
        assert!(svg.contains("<title>Nov 1: 40.00 USD</title>"));
        assert!(
            svg.contains("<title>Nov 3: 10.00 USD</title>"),
            "other currencies are not drawn"
        );
        assert!(svg.contains("text-anchor=\"end\">0</text>"));
        assert!(
            svg.contains("text-anchor=\"end\">40</text>"),
            "the top line is 40"
        );
        assert!(
            svg.contains("text-anchor=\"end\">10</text>"),
            "by steps of 10"
        );
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn axis_amounts_drop_trailing_zeros() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(axis_amount(2500, usd), "25");
        assert_eq!(axis_amount(250, usd), "2.5");
        assert_eq!(axis_amount(1, usd), "0.01");
        assert_eq!(axis_amount(0, usd), "0");
    }
}
