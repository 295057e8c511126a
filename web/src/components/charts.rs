//! Charts drawn as SVG by hand: horizontal bars and bars stacked per row. No chart library
//! (the wasm stays small); the numbers are always in a table beside the chart, so a chart only
//! helps the eye and carries no figure alone (it is `aria-hidden`).

use leptos::prelude::*;

/// The SVG's own width; it scales to its container.
const WIDTH: f64 = 480.0;
/// Height of one row: its label above the bar.
const ROW: f64 = 36.0;
const BAR: f64 = 14.0;
/// Room kept on the right for the value after the longest bar.
const VALUE_ROOM: f64 = 48.0;

/// One bar per row, its length the value against the largest.
#[component]
pub fn BarChart(
    rows: Vec<(String, u64)>,
    #[prop(optional, into)] test_id: String,
) -> impl IntoView {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let height = rows.len() as f64 * ROW + 4.0;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let top = i as f64 * ROW;
            let w = (n as f64 / max * (WIDTH - VALUE_ROOM)).max(if n > 0 { 2.0 } else { 0.0 });
            view! {
                <text x="0" y=format!("{:.1}", top + 13.0) class="chart-label">{label}</text>
                <rect x="0" y=format!("{:.1}", top + 18.0) width=format!("{w:.1}") height=BAR.to_string() rx="2" class="chart-bar" />
                <text x=format!("{:.1}", w + 6.0) y=format!("{:.1}", top + 30.0) class="chart-value">{n}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" data-testid=test_id viewBox=format!("0 0 {WIDTH} {height:.0}") aria-hidden="true" focusable="false">
            {bars}
        </svg>
    }
}

/// One bar per row split into its parts (`series` names them, in order), each part's length its
/// count against the longest row; a legend below.
#[component]
pub fn StackedBarChart(
    series: Vec<&'static str>,
    rows: Vec<(String, Vec<u64>)>,
    #[prop(optional, into)] test_id: String,
) -> impl IntoView {
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = rows.len() as f64 * ROW + 4.0;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let top = i as f64 * ROW;
            let total: u64 = parts.iter().sum();
            let mut x = 0.0;
            let pieces = parts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(j, n)| {
                    let w = n as f64 / max * (WIDTH - VALUE_ROOM);
                    let at = x;
                    x += w;
                    view! {
                        <rect x=format!("{at:.1}") y=format!("{:.1}", top + 18.0) width=format!("{w:.1}") height=BAR.to_string() class=format!("chart-s{j}") />
                    }
                })
                .collect_view();
            view! {
                <text x="0" y=format!("{:.1}", top + 13.0) class="chart-label">{label}</text>
                {pieces}
                <text x=format!("{:.1}", x + 6.0) y=format!("{:.1}", top + 30.0) class="chart-value">{total}</text>
            }
        })
        .collect_view();
    view! {
        <div class="chart-stacked">
            <svg class="chart" data-testid=test_id viewBox=format!("0 0 {WIDTH} {height:.0}") aria-hidden="true" focusable="false">
                {bars}
            </svg>
            <ul class="chart-legend" aria-hidden="true">
                {series
                    .into_iter()
                    .enumerate()
                    .map(|(j, s)| view! { <li><span class=format!("chart-swatch chart-s{j}")></span>{s}</li> })
                    .collect_view()}
            </ul>
        </div>
    }
}
