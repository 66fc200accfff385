//! Grouped bar charts as plain SVG: one panel per parameter, runtimes side
//! by side, one bar per construct.

use std::fmt::Write as _;

use super::report::format_ns;

pub(crate) struct Chart {
    pub(crate) title: String,
    /// Along the x axis (runtimes).
    pub(crate) categories: Vec<String>,
    /// One bar each per category (constructs), with a legend.
    pub(crate) series: Vec<String>,
    pub(crate) panels: Vec<Panel>,
}

pub(crate) struct Panel {
    pub(crate) title: String,
    /// `bars[category][series]`, in ns.
    pub(crate) bars: Vec<Vec<Option<f64>>>,
}

const COLORS: &[&str] = &[
    "#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2",
];
const BAR: f64 = 16.0;
const GAP: f64 = 28.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const HEADER: f64 = 62.0;
const PANEL: f64 = 230.0;
const PLOT: f64 = 150.0;

pub(crate) fn grouped_bars(chart: &Chart) -> String {
    let group_width = BAR * chart.series.len().max(1) as f64 + GAP;
    let width = (LEFT + group_width * chart.categories.len() as f64 + RIGHT).max(420.0);
    let height = HEADER + PANEL * chart.panels.len() as f64 + 8.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{:.0}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        width / 2.0,
        escape(&chart.title)
    );
    let mut x = LEFT;
    for (index, name) in chart.series.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.0}\" y=\"32\" width=\"11\" height=\"11\" fill=\"{}\"/>\
             <text x=\"{:.0}\" y=\"42\">{}</text>",
            COLORS[index % COLORS.len()],
            x + 15.0,
            escape(name)
        );
        x += 24.0 + 7.0 * name.len() as f64;
    }
    for (index, panel) in chart.panels.iter().enumerate() {
        panel_svg(
            &mut svg,
            chart,
            panel,
            HEADER + PANEL * index as f64,
            group_width,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn panel_svg(svg: &mut String, chart: &Chart, panel: &Panel, top: f64, group_width: f64) {
    let max = panel
        .bars
        .iter()
        .flatten()
        .flatten()
        .copied()
        .fold(0.0, f64::max);
    let step = nice_step(max / 4.0);
    let y_max = (max / step).ceil().max(1.0) * step;
    let plot_top = top + 34.0;
    let base = plot_top + PLOT;
    let right = LEFT + group_width * chart.categories.len() as f64;
    let y = |value: f64| base - value / y_max * PLOT;

    if !panel.title.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{LEFT:.0}\" y=\"{:.0}\" font-weight=\"bold\">{}</text>",
            top + 14.0,
            escape(&panel.title)
        );
    }
    let mut tick = 0.0;
    while tick <= y_max * 1.000_001 {
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT:.0}\" x2=\"{right:.0}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{1:.0}\" y=\"{2:.1}\" text-anchor=\"end\" fill=\"#555\">{3}</text>",
            y(tick),
            LEFT - 6.0,
            y(tick) + 4.0,
            format_ns(tick)
        );
        tick += step;
    }
    for (category_index, category) in chart.categories.iter().enumerate() {
        let group_left = LEFT + GAP / 2.0 + group_width * category_index as f64;
        let bars = panel
            .bars
            .get(category_index)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for (series_index, value) in bars.iter().enumerate() {
            let Some(value) = value else { continue };
            let x = group_left + BAR * series_index as f64;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{} {}: {}</title></rect>",
                y(*value),
                BAR - 2.0,
                base - y(*value),
                COLORS[series_index % COLORS.len()],
                escape(category),
                escape(&chart.series[series_index]),
                format_ns(*value)
            );
            let (label_x, label_y) = (x + BAR / 2.0 + 2.0, y(*value) - 3.0);
            let _ = writeln!(
                svg,
                "<text x=\"{label_x:.1}\" y=\"{label_y:.1}\" font-size=\"9\" fill=\"#333\" \
                 transform=\"rotate(-90 {label_x:.1} {label_y:.1})\">{}</text>",
                format_ns(*value)
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            group_left + BAR * chart.series.len() as f64 / 2.0,
            base + 16.0,
            escape(category)
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{LEFT:.0}\" x2=\"{right:.0}\" y1=\"{base:.1}\" y2=\"{base:.1}\" stroke=\"#333\"/>"
    );
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let magnitude = 10_f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(120.0), 200.0);
    }

    #[test]
    fn a_chart_draws_a_bar_per_measured_value() {
        let svg = grouped_bars(&Chart {
            title: "t <1>".into(),
            categories: vec!["tokio-ct".into(), "smol".into()],
            series: vec!["hand-written".into(), "with".into()],
            panels: vec![Panel {
                title: "depth 1".into(),
                bars: vec![vec![Some(2.0), Some(2.1)], vec![Some(3.0), None]],
            }],
        });
        assert_eq!(svg.matches("<rect x=").count(), 2 + 3); // legend + bars
        assert!(svg.contains("t &lt;1&gt;"));
    }
}
