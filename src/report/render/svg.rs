//! Inline SVG charts drawn from report data: stacked horizontal bars, a trend line, a heat map
//! and daily columns. No script: each mark carries a `<title>` tooltip, and the counts it shows.

use std::fmt::Write;

use chrono::NaiveDate;

use super::{escape, fmt_count};
use crate::labels::Label;
use crate::report::{LabelCounts, law};

/// The colour of each label, shared by every chart and table.
pub fn label_color(label: Label) -> &'static str {
    match label {
        Label::LawfulReminder => "#3f8f5f",
        Label::Intimidation => "#e08a00",
        Label::DoctoredImageThreat => "#c2302a",
        Label::Other => "#a4adb8",
    }
}

/// One series of a chart: its name in the legend and its colour.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// The name in the legend.
    pub name: &'a str,
    /// The colour, as CSS (`#3f8f5f`).
    pub color: &'a str,
}

/// One bar of a stacked bar chart: its name, one value per series and, optionally, the JSON
/// Pointer of each value (written as `data-json`, so a test can check the chart against the JSON).
#[derive(Debug, Clone)]
pub struct Bar {
    /// The bar's name, written left of it.
    pub name: String,
    /// A second, smaller line under the name (a contact name); may be empty.
    pub note: String,
    /// One value per series, in the order of the series.
    pub values: Vec<u64>,
    /// The JSON Pointer of each value, in the same order.
    pub pointers: Option<Vec<String>>,
}

const WIDTH: f64 = 760.0;
const FONT: &str = "font-family=\"inherit\" font-size=\"12\"";

/// Keeps at most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}

fn legend(out: &mut String, series: &[Series<'_>], x0: f64, y: f64) {
    let mut x = x0;
    for s in series {
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{:.1}" width="12" height="12" rx="2" fill="{}"/><text x="{:.1}" y="{:.1}" {FONT} fill="#333">{}</text>"##,
            y - 10.0,
            s.color,
            x + 16.0,
            y,
            escape(s.name)
        );
        x += 28.0 + 13.0 * s.name.chars().count() as f64;
    }
}

fn open(out: &mut String, title: &str, height: f64, class: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
}

/// Horizontal bars, one per [`Bar`], stacked by series, with each bar's total at its end.
pub fn stacked_bars(title: &str, bars: &[Bar], series: &[Series<'_>]) -> String {
    let two_lines = bars.iter().any(|b| !b.note.is_empty());
    let (left, right, top, row) = (170.0, 70.0, 34.0, if two_lines { 34.0 } else { 26.0 });
    let height = top + row * bars.len().max(1) as f64 + 10.0;
    let max = bars.iter().map(|b| b.values.iter().sum::<u64>()).max().unwrap_or(0).max(1) as f64;
    let scale = (WIDTH - left - right) / max;
    let mut out = String::new();
    open(&mut out, title, height, "bars");
    legend(&mut out, series, left, 16.0);
    if bars.is_empty() {
        let _ = write!(out, r##"<text x="{left}" y="{:.0}" {FONT} fill="#666">（无数据）</text>"##, top + 16.0);
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row * i as f64 + if two_lines { 4.0 } else { 0.0 };
        let name_y = if bar.note.is_empty() { y + 15.0 } else { y + 10.0 };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" {FONT} text-anchor="end" fill="#222">{}<title>{}</title></text>"##,
            left - 8.0,
            name_y,
            escape(&clip(&bar.name, 13)),
            escape(&bar.name)
        );
        if !bar.note.is_empty() {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-family="inherit" font-size="10.5" text-anchor="end" fill="#666">{}</text>"##,
                left - 8.0,
                name_y + 13.0,
                escape(&clip(&bar.note, 14))
            );
        }
        let mut x = left;
        for (k, (&v, s)) in bar.values.iter().zip(series).enumerate() {
            if v == 0 {
                continue;
            }
            let w = v as f64 * scale;
            let data = bar
                .pointers
                .as_ref()
                .and_then(|p| p.get(k))
                .map(|p| format!(r#" data-json="{}" data-value="{v}""#, escape(p)))
                .unwrap_or_default();
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.2}" height="18" fill="{}"{data}><title>{} · {}：{}</title></rect>"#,
                y + 2.0,
                s.color,
                escape(&bar.name),
                escape(s.name),
                fmt_count(v)
            );
            x += w;
        }
        let total: u64 = bar.values.iter().sum();
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" {FONT} fill="#444">{}</text>"##,
            x + 6.0,
            y + 15.0,
            fmt_count(total)
        );
    }
    out.push_str("</svg>");
    out
}

/// A round upper bound for an axis and its tick step.
fn nice_axis(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let raw = max as f64 / 4.0;
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let step = (step.round() as u64).max(1);
    (max.div_ceil(step) * step, step)
}

/// Lines over categories (months), one per series, with a dot and a tooltip per point.
pub fn lines(title: &str, x_labels: &[String], series: &[Series<'_>], values: &[Vec<u64>]) -> String {
    let (left, right, top, bottom, height) = (56.0, 36.0, 34.0, 46.0, 300.0);
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let (top_value, step) = nice_axis(max);
    let plot_h = height - top - bottom;
    let plot_w = WIDTH - left - right;
    let n = x_labels.len();
    let x_of = |i: usize| if n <= 1 { left + plot_w / 2.0 } else { left + plot_w * i as f64 / (n - 1) as f64 };
    let y_of = |v: u64| top + plot_h - plot_h * v as f64 / top_value as f64;
    let mut out = String::new();
    open(&mut out, title, height, "lines");
    legend(&mut out, series, left, 16.0);
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" {FONT} text-anchor="end" fill="#555">{}</text>"##,
            WIDTH - right,
            left - 6.0,
            y + 4.0,
            fmt_count(v)
        );
        v += step;
    }
    let every = n.div_ceil(12).max(1);
    for (i, label) in x_labels.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" {FONT} text-anchor="middle" fill="#555">{}</text>"##,
                x_of(i),
                height - bottom + 18.0,
                escape(label)
            );
        }
    }
    for (s, vals) in series.iter().zip(values) {
        let points: Vec<String> =
            vals.iter().enumerate().map(|(i, &v)| format!("{:.1},{:.1}", x_of(i), y_of(v))).collect();
        if points.len() > 1 {
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.2" stroke-linejoin="round"/>"#,
                points.join(" "),
                s.color
            );
        }
        for (i, &v) in vals.iter().enumerate() {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.2" fill="{}"><title>{} · {}：{}</title></circle>"#,
                x_of(i),
                y_of(v),
                s.color,
                escape(&x_labels[i]),
                escape(s.name),
                fmt_count(v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A heat map: one row per name, one column per heading; cells shaded by `shares` (0 to 1)
/// and labelled with the share as a percentage and, in the tooltip, the count.
pub fn heat_map(title: &str, rows: &[String], columns: &[&str], shares: &[Vec<f64>], counts: &[Vec<u64>]) -> String {
    let (left, top, cell_w, cell_h) = (170.0, 40.0, ((WIDTH - 170.0) / columns.len().max(1) as f64).floor(), 26.0);
    let height = top + cell_h * rows.len().max(1) as f64 + 26.0;
    let mut out = String::new();
    open(&mut out, title, height, "heat");
    for (j, c) in columns.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" {FONT} text-anchor="middle" fill="#333">{}</text>"##,
            left + cell_w * j as f64 + cell_w / 2.0,
            top - 10.0,
            escape(c)
        );
    }
    if rows.is_empty() {
        let _ = write!(out, r##"<text x="{left}" y="{:.0}" {FONT} fill="#666">（无违法催收消息）</text>"##, top + 16.0);
    }
    for (i, name) in rows.iter().enumerate() {
        let y = top + cell_h * i as f64;
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" {FONT} text-anchor="end" fill="#222">{}<title>{}</title></text>"##,
            left - 8.0,
            y + 17.0,
            escape(&clip(name, 12)),
            escape(name)
        );
        for (j, c) in columns.iter().enumerate() {
            let share = shares[i][j].clamp(0.0, 1.0);
            // white to deep red
            let mix = |a: f64, b: f64| (a + (b - a) * share.sqrt()).round() as u8;
            let fill = format!("#{:02x}{:02x}{:02x}", mix(250.0, 150.0), mix(248.0, 20.0), mix(246.0, 30.0));
            let ink = if share > 0.35 { "#fff" } else { "#333" };
            let x = left + cell_w * j as f64;
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="#fff"><title>{} · {}：{}（{:.0}%）</title></rect><text x="{:.1}" y="{:.1}" {FONT} text-anchor="middle" fill="{ink}">{}</text>"##,
                x,
                y,
                cell_w,
                cell_h,
                escape(name),
                escape(c),
                fmt_count(counts[i][j]),
                share * 100.0,
                x + cell_w / 2.0,
                y + 17.0,
                if counts[i][j] == 0 { "·".to_string() } else { format!("{:.0}%", share * 100.0) }
            );
        }
    }
    let _ = write!(
        out,
        r##"<text x="{left}" y="{:.1}" font-family="inherit" font-size="11" fill="#666">格内数字：该平台违法催收消息中涉及此类行为的比例</text>"##,
        height - 6.0
    );
    out.push_str("</svg>");
    out
}

/// Columns per day (or per few days, beyond three months) from `first` to `last`, stacked by label.
pub fn daily(title: &str, days: &[(NaiveDate, LabelCounts)], first: NaiveDate, last: NaiveDate) -> String {
    let span = ((last - first).num_days() + 1).max(1) as usize;
    let per = span.div_ceil(92).max(1);
    let buckets = span.div_ceil(per);
    let mut sums = vec![LabelCounts::default(); buckets];
    for (d, c) in days {
        let i = ((*d - first).num_days().max(0) as usize / per).min(buckets - 1);
        sums[i].merge(c);
    }
    let (left, right, top, bottom, height) = (40.0, 12.0, 30.0, 34.0, 170.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = sums.iter().map(LabelCounts::total).max().unwrap_or(0);
    let (top_value, step) = nice_axis(max);
    let col = plot_w / buckets as f64;
    let mut out = String::new();
    open(&mut out, title, height, "daily");
    let series: Vec<Series<'_>> =
        Label::ALL.iter().map(|l| Series { name: law::label_name(*l), color: label_color(*l) }).collect();
    legend(&mut out, &series, left, 14.0);
    let mut v = 0;
    while v <= top_value {
        let y = top + plot_h - plot_h * v as f64 / top_value as f64;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" font-family="inherit" font-size="10" text-anchor="end" fill="#555">{v}</text>"##,
            WIDTH - right,
            left - 4.0,
            y + 3.0
        );
        v += step;
    }
    let label_every = buckets.div_ceil(10).max(1);
    for (i, c) in sums.iter().enumerate() {
        let x = left + col * i as f64;
        let mut y = top + plot_h;
        let day = first + chrono::Duration::days((i * per) as i64);
        for l in [Label::DoctoredImageThreat, Label::Intimidation, Label::LawfulReminder, Label::Other] {
            let n = c.get(l);
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / top_value as f64;
            y -= h;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{day} · {}：{n}</title></rect>"#,
                x + col * 0.12,
                col * 0.76,
                label_color(l),
                law::label_name(l)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-family="inherit" font-size="10" text-anchor="middle" fill="#555">{}</text>"##,
                x + col / 2.0,
                height - bottom + 14.0,
                day.format("%m-%d")
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(0), (1, 1));
        assert_eq!(nice_axis(7), (8, 2));
        assert_eq!(nice_axis(93), (100, 25));
        assert_eq!(nice_axis(1234), (1500, 500));
    }

    #[test]
    fn bars_carry_their_values() {
        let series = [Series { name: "恐吓", color: "#f00" }, Series { name: "P图", color: "#0f0" }];
        let bars = [Bar {
            name: "甲<贷>".into(),
            note: String::new(),
            values: vec![3, 0],
            pointers: Some(vec!["/a/x".into(), "/a/y".into()]),
        }];
        let svg = stacked_bars("t", &bars, &series);
        assert!(svg.contains(r#"data-json="/a/x" data-value="3""#));
        assert!(!svg.contains("/a/y"), "empty segments are not drawn");
        assert!(svg.contains("甲&lt;贷&gt;"));
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn charts_draw_without_data() {
        assert!(stacked_bars("t", &[], &[]).ends_with("</svg>"));
        assert!(lines("t", &[], &[], &[]).ends_with("</svg>"));
        assert!(heat_map("t", &[], &["a"], &[], &[]).contains("无违法催收消息"));
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let svg = daily("t", &[(d, LabelCounts([1, 2, 0, 0]))], d, d + chrono::Duration::days(400));
        assert!(svg.contains("恐吓威胁：2"));
    }
}
