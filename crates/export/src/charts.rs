//! Charts as SVG, drawn with plotters' SVG backend: horizontal bars, stacked bars and trend
//! lines, with Japanese (or English) labels.
//!
//! - **Deterministic**: the same [`Chart`] gives the same bytes (plain rectangles and paths at
//!   integer pixel positions, no hash-ordered series; plotters' `Histogram` is not used).
//! - **Accessible**: the `<svg>` has `role="img"`, a `<title>` and a `<desc>` that reads the
//!   data out ([`Chart::summary`]), referenced by `aria-labelledby`.
//! - **Sized for HTML and PDF**: a fixed width of [`WIDTH`] px with a `viewBox`, so it scales
//!   (`max-width: 100%; height: auto` in HTML, `width: 100%` in the PDF); the font is Noto Sans
//!   CJK JP with the usual Japanese fallbacks.
//! - **Suppressed values** (`None`) are drawn as a hatched, empty box of a fixed size labelled
//!   「非表示（k人未満）」; the value never reaches the chart, and the scale is computed from the
//!   shown values only.

use crate::text::{estimate_em, hidden_marker, truncate_em};
use crate::{format_number, Locale};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The width of every chart, in px (the height follows the content).
pub const WIDTH: u32 = 640;

const FONT: &str = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif";
/// plotters writes a text's size divided by 1.24; sizes are given in px through this factor.
const PLOTTERS_FONT_SCALE: f64 = 1.24;
const TITLE_PX: f64 = 15.0;
const LABEL_PX: f64 = 12.0;
const SMALL_PX: f64 = 11.0;
const MARGIN: i32 = 12;
const ROW: i32 = 26;
const BAR: i32 = 16;
/// The width of the hatched box of a suppressed value: fixed, so it says nothing of the value.
const HIDDEN_BOX: i32 = 36;

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; the first
/// ones have a contrast of at least 3:1 on white.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x55, 0x55, 0x55),
];
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const HATCH: RGBColor = RGBColor(0x8A, 0x8A, 0x8A);

/// One chart: what it shows, in which language, and the k of the report (for the marker of a
/// suppressed value).
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// A stable id, unique in the page (it names the `<title>` and `<desc>` elements); only
    /// ASCII letters, digits, `-` and `_` are kept.
    pub id: String,
    pub title: String,
    /// Read before the data in `<desc>` (what the chart counts, the population).
    pub description: Option<String>,
    /// The unit printed after values (「人」, "people"); empty for none.
    pub unit: String,
    pub locale: Locale,
    pub k: u32,
    pub kind: ChartKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChartKind {
    /// One horizontal bar per label.
    Bars(Vec<Bar>),
    /// One horizontal bar per label, split into the segments of `series` (in this order).
    Stacked { series: Vec<String>, bars: Vec<StackedBar> },
    /// One line per series over the points of `x_labels` (cycles, in time order).
    Trend { x_labels: Vec<String>, series: Vec<Series> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    /// `None` when suppressed.
    pub value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StackedBar {
    pub label: String,
    /// One value per series; `None` when suppressed.
    pub values: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per x label; `None` when suppressed (the line breaks there).
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, thiserror::Error)]
#[error("グラフを描けませんでした / the chart could not be drawn: {0}")]
pub struct ChartError(String);

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), ChartError>;

fn drawn<E: std::fmt::Debug>(result: Result<(), E>) -> Drawn {
    result.map_err(|e| ChartError(format!("{e:?}")))
}

impl Chart {
    /// The chart as an SVG document (UTF-8 text, no XML declaration), ready to inline in HTML
    /// or to give to the PDF.
    pub fn svg(&self) -> Result<String, ChartError> {
        let height = self.height();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (WIDTH, height as u32)).into_drawing_area();
            drawn(root.fill(&WHITE))?;
            let top = self.draw_title(&root)?;
            match &self.kind {
                ChartKind::Bars(bars) => self.draw_bars(&root, top, bars)?,
                ChartKind::Stacked { series, bars } => self.draw_stacked(&root, top, series, bars)?,
                ChartKind::Trend { x_labels, series } => self.draw_trend(&root, top, x_labels, series)?,
            }
            drawn(root.present())?;
        }
        Ok(self.make_accessible(out))
    }

    /// The height in px the chart will have.
    pub fn height(&self) -> i32 {
        let header = self.title_height() + self.legend_height();
        let body = match &self.kind {
            ChartKind::Bars(bars) => bars.len().max(1) as i32 * ROW,
            ChartKind::Stacked { bars, .. } => bars.len().max(1) as i32 * ROW,
            ChartKind::Trend { .. } => 200,
        };
        header + body + 28 + MARGIN
    }

    /// The data read out as text, in the chart's language: the `<desc>` of the SVG and the
    /// PDF's alternative text. Suppressed values read as the marker.
    pub fn summary(&self) -> String {
        let hidden = hidden_marker(self.locale, self.k);
        let (sep, colon) = match self.locale {
            Locale::Ja => ("、", "："),
            Locale::En => ("; ", ": "),
        };
        let value = |v: &Option<f64>| match v {
            Some(v) => format!("{}{}", format_number(*v), self.unit_suffix()),
            None => hidden.clone(),
        };
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = &self.description {
            parts.push(d.clone());
        }
        match &self.kind {
            ChartKind::Bars(bars) => {
                parts.extend(bars.iter().map(|b| format!("{}{colon}{}", b.label, value(&b.value))));
            }
            ChartKind::Stacked { series, bars } => {
                for b in bars {
                    let segs: Vec<String> = series.iter().zip(&b.values).map(|(s, v)| format!("{s} {}", value(v))).collect();
                    parts.push(format!("{}{colon}{}", b.label, segs.join(", ")));
                }
            }
            ChartKind::Trend { x_labels, series } => {
                for s in series {
                    let pts: Vec<String> = x_labels.iter().zip(&s.values).map(|(x, v)| format!("{x} {}", value(v))).collect();
                    parts.push(format!("{}{colon}{}", s.name, pts.join(", ")));
                }
            }
        }
        parts.join(sep)
    }

    fn unit_suffix(&self) -> String {
        match (self.locale, self.unit.is_empty()) {
            (_, true) => String::new(),
            (Locale::Ja, false) => self.unit.clone(),
            (Locale::En, false) => format!(" {}", self.unit),
        }
    }

    fn safe_id(&self) -> String {
        let id: String = self.id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
        if id.is_empty() {
            "chart".to_string()
        } else {
            id
        }
    }

    /// Adds `role`, `aria-labelledby`, `<title>` and `<desc>` to plotters' `<svg>`.
    fn make_accessible(&self, svg: String) -> String {
        let id = self.safe_id();
        let head = format!("<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{}\" ", xml_escape(FONT));
        let Some(rest) = svg.strip_prefix("<svg ") else { return svg };
        let Some(end) = rest.find('>') else { return svg };
        let (attrs, body) = rest.split_at(end + 1);
        format!(
            "{head}{attrs}\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>{body}",
            xml_escape(&self.title),
            xml_escape(&self.summary())
        )
    }

    fn has_hidden(&self) -> bool {
        match &self.kind {
            ChartKind::Bars(bars) => bars.iter().any(|b| b.value.is_none()),
            ChartKind::Stacked { bars, .. } => bars.iter().any(|b| b.values.iter().any(Option::is_none)),
            ChartKind::Trend { series, .. } => series.iter().any(|s| s.values.iter().any(Option::is_none)),
        }
    }

    fn title_lines(&self) -> Vec<String> {
        wrap(&self.title, (WIDTH as i32 - 2 * MARGIN) as f64 / TITLE_PX)
    }

    fn title_height(&self) -> i32 {
        MARGIN + self.title_lines().len() as i32 * 20 + 6
    }

    /// Legend entries: the series (stacked, trend) and the hidden marker when one is drawn.
    fn legend(&self) -> Vec<(LegendSwatch, String)> {
        let mut items: Vec<(LegendSwatch, String)> = match &self.kind {
            ChartKind::Bars(_) => Vec::new(),
            ChartKind::Stacked { series, .. } => {
                series.iter().enumerate().map(|(i, s)| (LegendSwatch::Color(color(i)), s.clone())).collect()
            }
            ChartKind::Trend { series, .. } => {
                series.iter().enumerate().map(|(i, s)| (LegendSwatch::Color(color(i)), s.name.clone())).collect()
            }
        };
        if self.has_hidden() && !matches!(self.kind, ChartKind::Bars(_)) {
            items.push((LegendSwatch::Hidden, hidden_marker(self.locale, self.k)));
        }
        items
    }

    /// Legend rows: items placed left to right, wrapped at the chart's width.
    fn legend_rows(&self) -> Vec<Vec<(LegendSwatch, String, i32)>> {
        let mut rows: Vec<Vec<(LegendSwatch, String, i32)>> = Vec::new();
        let mut x = MARGIN;
        let mut row: Vec<(LegendSwatch, String, i32)> = Vec::new();
        for (swatch, label) in self.legend() {
            let label = truncate_em(&label, 20.0);
            let w = 18 + (estimate_em(&label) * SMALL_PX).ceil() as i32 + 16;
            if x + w > WIDTH as i32 - MARGIN && !row.is_empty() {
                rows.push(std::mem::take(&mut row));
                x = MARGIN;
            }
            row.push((swatch, label, x));
            x += w;
        }
        if !row.is_empty() {
            rows.push(row);
        }
        rows
    }

    fn legend_height(&self) -> i32 {
        self.legend_rows().len() as i32 * 20 + if self.legend().is_empty() { 0 } else { 6 }
    }

    fn draw_title(&self, root: &Area) -> Result<i32, ChartError> {
        let mut y = MARGIN;
        for line in self.title_lines() {
            drawn(root.draw(&Text::new(line, (MARGIN, y), text_style(TITLE_PX, INK, HPos::Left, VPos::Top, true))))?;
            y += 20;
        }
        y += 6;
        for row in self.legend_rows() {
            for (swatch, label, x) in row {
                match swatch {
                    LegendSwatch::Color(c) => {
                        drawn(root.draw(&Rectangle::new([(x, y + 3), (x + 12, y + 15)], c.filled())))?;
                    }
                    LegendSwatch::Hidden => hatched_box(root, x, y + 3, x + 12, y + 15)?,
                }
                drawn(root.draw(&Text::new(label, (x + 18, y + 9), text_style(SMALL_PX, INK, HPos::Left, VPos::Center, false))))?;
            }
            y += 20;
        }
        if !self.legend().is_empty() {
            y += 6;
        }
        Ok(y)
    }

    /// The width of the label column of horizontal bars.
    fn label_width(labels: &[&str]) -> i32 {
        let widest = labels.iter().map(|l| estimate_em(l)).fold(0.0_f64, f64::max);
        ((widest * LABEL_PX).ceil() as i32 + 8).clamp(72, 200)
    }

    fn value_axis(&self, root: &Area, x0: i32, x1: i32, y_top: i32, y_bottom: i32, max: f64) -> Drawn {
        for tick in ticks(max) {
            let x = x0 + ((x1 - x0) as f64 * tick / max).round() as i32;
            drawn(root.draw(&PathElement::new(vec![(x, y_top), (x, y_bottom)], GRID.stroke_width(1))))?;
            drawn(root.draw(&Text::new(
                format_number(tick),
                (x, y_bottom + 4),
                text_style(SMALL_PX, MUTED, HPos::Center, VPos::Top, false),
            )))?;
        }
        drawn(root.draw(&PathElement::new(vec![(x0, y_top), (x0, y_bottom)], MUTED.stroke_width(1))))
    }

    fn draw_bars(&self, root: &Area, top: i32, bars: &[Bar]) -> Drawn {
        let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        let label_w = Self::label_width(&labels);
        let (x0, x1) = (MARGIN + label_w, WIDTH as i32 - MARGIN - 150);
        let max = nice_max(bars.iter().filter_map(|b| b.value).fold(0.0, f64::max));
        let bottom = top + bars.len().max(1) as i32 * ROW;
        self.value_axis(root, x0, x1, top, bottom, max)?;
        for (i, bar) in bars.iter().enumerate() {
            let y = top + i as i32 * ROW + (ROW - BAR) / 2;
            let label = truncate_em(&bar.label, (label_w - 8) as f64 / LABEL_PX);
            drawn(root.draw(&Text::new(label, (x0 - 6, y + BAR / 2), text_style(LABEL_PX, INK, HPos::Right, VPos::Center, false))))?;
            match bar.value {
                Some(v) => {
                    let w = ((x1 - x0) as f64 * v.max(0.0) / max).round() as i32;
                    if w > 0 {
                        drawn(root.draw(&Rectangle::new([(x0, y), (x0 + w, y + BAR)], PALETTE[0].filled())))?;
                    }
                    let text = format!("{}{}", format_number(v), self.unit_suffix());
                    drawn(root.draw(&Text::new(
                        text,
                        (x0 + w + 6, y + BAR / 2),
                        text_style(LABEL_PX, INK, HPos::Left, VPos::Center, false),
                    )))?;
                }
                None => self.hidden_bar(root, x0, y)?,
            }
        }
        Ok(())
    }

    /// A suppressed bar: a hatched box of fixed width and the marker beside it.
    fn hidden_bar(&self, root: &Area, x: i32, y: i32) -> Drawn {
        hatched_box(root, x + 1, y, x + 1 + HIDDEN_BOX, y + BAR)?;
        drawn(root.draw(&Text::new(
            hidden_marker(self.locale, self.k),
            (x + HIDDEN_BOX + 8, y + BAR / 2),
            text_style(LABEL_PX, MUTED, HPos::Left, VPos::Center, false),
        )))
    }

    fn draw_stacked(&self, root: &Area, top: i32, series: &[String], bars: &[StackedBar]) -> Drawn {
        let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        let label_w = Self::label_width(&labels);
        let (x0, x1) = (MARGIN + label_w, WIDTH as i32 - MARGIN - 80);
        let total = |b: &StackedBar| b.values.iter().flatten().map(|v| v.max(0.0)).sum::<f64>();
        // Room for the hatched boxes of suppressed segments, so that they never overlap the
        // shown ones.
        let max = nice_max(bars.iter().map(total).fold(0.0, f64::max));
        let bottom = top + bars.len().max(1) as i32 * ROW;
        self.value_axis(root, x0, x1, top, bottom, max)?;
        for (i, bar) in bars.iter().enumerate() {
            let y = top + i as i32 * ROW + (ROW - BAR) / 2;
            let label = truncate_em(&bar.label, (label_w - 8) as f64 / LABEL_PX);
            drawn(root.draw(&Text::new(label, (x0 - 6, y + BAR / 2), text_style(LABEL_PX, INK, HPos::Right, VPos::Center, false))))?;
            if bar.values.iter().all(Option::is_none) {
                self.hidden_bar(root, x0, y)?;
                continue;
            }
            let mut acc = 0.0;
            let mut x = x0;
            for (s, v) in bar.values.iter().enumerate().take(series.len()) {
                if let Some(v) = v {
                    acc += v.max(0.0);
                    let end = x0 + ((x1 - x0) as f64 * acc / max).round() as i32;
                    if end > x {
                        drawn(root.draw(&Rectangle::new([(x, y), (end, y + BAR)], color(s).filled())))?;
                        drawn(root.draw(&PathElement::new(vec![(end, y), (end, y + BAR)], WHITE.stroke_width(1))))?;
                    }
                    x = end;
                }
            }
            let mut after = x + 4;
            let hidden_segments = bar.values.iter().filter(|v| v.is_none()).count();
            for _ in 0..hidden_segments {
                hatched_box(root, after, y, after + 12, y + BAR)?;
                after += 14;
            }
            if hidden_segments == 0 {
                let text = format!("{}{}", format_number(acc), self.unit_suffix());
                drawn(root.draw(&Text::new(text, (after + 2, y + BAR / 2), text_style(SMALL_PX, INK, HPos::Left, VPos::Center, false))))?;
            }
        }
        Ok(())
    }

    fn draw_trend(&self, root: &Area, top: i32, x_labels: &[String], series: &[Series]) -> Drawn {
        let (x0, x1) = (MARGIN + 48, WIDTH as i32 - MARGIN - 12);
        let (y_top, y_bottom) = (top + 8, top + 200 - 8);
        let max = nice_max(series.iter().flat_map(|s| s.values.iter().flatten().copied()).fold(0.0, f64::max));
        let n = x_labels.len().max(1);
        let x_at = |i: usize| {
            if n == 1 {
                (x0 + x1) / 2
            } else {
                x0 + 16 + ((x1 - x0 - 32) as f64 * i as f64 / (n - 1) as f64).round() as i32
            }
        };
        let y_at = |v: f64| y_bottom - ((y_bottom - y_top) as f64 * v.max(0.0) / max).round() as i32;
        for tick in ticks(max) {
            let y = y_at(tick);
            drawn(root.draw(&PathElement::new(vec![(x0, y), (x1, y)], GRID.stroke_width(1))))?;
            drawn(root.draw(&Text::new(format_number(tick), (x0 - 6, y), text_style(SMALL_PX, MUTED, HPos::Right, VPos::Center, false))))?;
        }
        drawn(root.draw(&PathElement::new(vec![(x0, y_bottom), (x1, y_bottom)], MUTED.stroke_width(1))))?;
        let label_em = ((x1 - x0) as f64 / n as f64 - 4.0) / SMALL_PX;
        for (i, label) in x_labels.iter().enumerate() {
            drawn(root.draw(&Text::new(
                truncate_em(label, label_em.max(2.0)),
                (x_at(i), y_bottom + 4),
                text_style(SMALL_PX, INK, HPos::Center, VPos::Top, false),
            )))?;
        }
        for (s, line) in series.iter().enumerate() {
            let c = color(s);
            let mut run: Vec<(i32, i32)> = Vec::new();
            for (i, v) in line.values.iter().enumerate().take(n) {
                match v {
                    Some(v) => run.push((x_at(i), y_at(*v))),
                    None => {
                        flush_run(root, &mut run, c)?;
                        // A suppressed point: a hatched square on the axis, no value.
                        let x = x_at(i);
                        hatched_box(root, x - 5, y_bottom - 12 - 12 * s as i32, x + 5, y_bottom - 2 - 12 * s as i32)?;
                    }
                }
            }
            flush_run(root, &mut run, c)?;
            for (i, v) in line.values.iter().enumerate().take(n) {
                if let Some(v) = v {
                    drawn(root.draw(&Circle::new((x_at(i), y_at(*v)), 3, c.filled())))?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum LegendSwatch {
    Color(RGBColor),
    Hidden,
}

fn flush_run(root: &Area, run: &mut Vec<(i32, i32)>, c: RGBColor) -> Drawn {
    if run.len() > 1 {
        drawn(root.draw(&PathElement::new(std::mem::take(run), c.stroke_width(2))))?;
    }
    run.clear();
    Ok(())
}

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn text_style(px: f64, c: RGBColor, h: HPos, v: VPos, bold: bool) -> TextStyle<'static> {
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    TextStyle { font: (FONT, px * PLOTTERS_FONT_SCALE, style).into_font(), color: c.to_backend_color(), pos: Pos::new(h, v) }
}

/// An empty box with diagonal hatching, clipped to the box.
fn hatched_box(root: &Area, x0: i32, y0: i32, x1: i32, y1: i32) -> Drawn {
    drawn(root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled())))?;
    let h = y1 - y0;
    let mut c = x0 - h;
    while c < x1 {
        let t0 = (x0 - c).max(0);
        let t1 = (x1 - c).min(h);
        if t0 < t1 {
            drawn(root.draw(&PathElement::new(vec![(c + t0, y1 - t0), (c + t1, y1 - t1)], HATCH.stroke_width(1))))?;
        }
        c += 5;
    }
    drawn(root.draw(&Rectangle::new([(x0, y0), (x1, y1)], HATCH.stroke_width(1))))
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 for an empty chart).
fn nice_max(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= max - 1e-9 {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Ticks from 0 to `max` (a [`nice_max`]): five steps at most.
fn ticks(max: f64) -> Vec<f64> {
    let steps = [1.0, 2.0, 2.5, 5.0];
    let mag = 10f64.powf((max / 5.0).log10().floor());
    let step = steps.iter().map(|s| s * mag).find(|s| max / s <= 5.0 + 1e-9).unwrap_or(max);
    let step = if max <= 5.0 && max.fract() == 0.0 { step.max(1.0) } else { step };
    let mut out = Vec::new();
    let mut t = 0.0;
    while t <= max + 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

fn wrap(text: &str, max_em: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = estimate_em(&c.to_string());
        if width + w > max_em && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0.0;
        }
        line.push(c);
        width += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.truncate(3);
    lines
}

pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Chart {
        Chart {
            id: "people-by-dept".into(),
            title: "部署別の人数".into(),
            description: Some("承認済みの報告がある従業員".into()),
            unit: "人".into(),
            locale: Locale::Ja,
            k: 10,
            kind: ChartKind::Bars(vec![
                Bar { label: "営業部".into(), value: Some(42.0) },
                Bar { label: "開発部".into(), value: Some(1234.0) },
                Bar { label: "法務部".into(), value: None },
            ]),
        }
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_max(42.0), 50.0);
        assert_eq!(nice_max(1234.0), 2000.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(ticks(50.0), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(ticks(2000.0), vec![0.0, 500.0, 1000.0, 1500.0, 2000.0]);
        assert_eq!(ticks(1.0), vec![0.0, 1.0]);
    }

    #[test]
    fn the_svg_is_accessible_and_names_the_hidden_bar() {
        let svg = bars().svg().unwrap_or_default();
        assert!(svg.starts_with("<svg role=\"img\" aria-labelledby=\"people-by-dept-title people-by-dept-desc\""), "{svg}");
        assert!(svg.contains("<title id=\"people-by-dept-title\">部署別の人数</title>"));
        assert!(svg.contains("営業部：42人、開発部：1,234人、法務部：非表示（10人未満）"), "{svg}");
        assert!(svg.contains(">\n非表示（10人未満）\n</text>") || svg.contains("非表示（10人未満）\n</text>"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
