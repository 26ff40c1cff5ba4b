//! Simple charts (lines, steps, dashed lines, markers, error bars) rendered to SVG text and PNG bytes.
//!
//! Reports embed the SVG inline in HTML and ship the PNG next to it, so both come from one drawing
//! routine ([`svg()`] and [`png()`] share it) with the same palette and layout. Nothing here touches
//! the file system: the PNG is drawn into an in-memory RGB buffer and encoded in memory, and the
//! caller writes files.
//!
//! **Fonts are embedded.** plotters' default text path (font-kit) loads system fonts through
//! fontconfig, which CI machines may not have. We instead register DejaVu Sans (compiled into the
//! binary by the `dejavu` crate) with plotters' `ab_glyph` engine under the family name
//! `"sans-serif"`. The PNG rasterises text with that font; the SVG only uses it to measure text for
//! layout and emits `font-family="sans-serif"`, which every browser can render.
//!
//! Rendering is deterministic (same [`Chart`] gives byte-identical output on every call and every
//! thread) and robust to degenerate data: NaN, infinite and absurdly large values (|v| > 1e300) are
//! skipped, zero-width ranges get a default width, and an empty chart says "no data". Lines are
//! clipped to the plotting area here, because plotters does not clip them itself. Error bars widen
//! the y range by at most the data's own extent; a longer one is cut at the edge, without its cap.
//!
//! Each series names its palette slot (colour and marker shape), so callers give a policy the same
//! look in every chart. The legend is laid out outside the plotting area (module `legend`): right of
//! it, or below it on a taller canvas; in the SVG it is the group `<g class="legend">`.
//! [`Heatmap`]s are grids of values, a panel per policy.

use std::fmt;
use std::sync::OnceLock;

use plotters::backend::RGBPixel;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every chart, in pixels (SVG user units).
pub const WIDTH: u32 = 800;
/// Height of every chart, in pixels (SVG user units).
pub const HEIGHT: u32 = 450;

/// One data series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text; when empty and the chart has several series, "series N" is shown.
    pub label: String,
    /// (x, y) points in drawing order; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// How the points are drawn.
    pub style: Style,
    /// Palette slot: its colour and marker shape. Callers give a thing (a policy, a queue) the
    /// same slot in every chart, so it reads the same everywhere.
    pub colour: usize,
}

/// How a series is drawn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    /// Straight segments between consecutive points.
    Line,
    /// Horizontal then vertical segments, for CDFs and bucketed time series.
    Step,
    /// A dashed line, e.g. a deserved share or a target line.
    Dashed,
    /// Markers plus a connecting line, for sweep curves.
    Points,
}

/// A 2-D chart: title, axis labels, series and optional fixed y range and error bars.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// Caption above the plot; omitted when empty.
    pub title: String,
    /// Description of the x axis.
    pub x_label: String,
    /// Description of the y axis.
    pub y_label: String,
    /// The data; colours and markers come from a fixed palette by each series' `colour` slot.
    pub series: Vec<Series>,
    /// Fixed y range (e.g. 0..1 for utilization); None = from the data, starting at 0 when all data >= 0.
    /// An invalid range (non-finite, or low >= high) falls back to the data range.
    pub y_range: Option<(f64, f64)>,
    /// Error bars: `error_bars[s][i]` is the (lo, hi) interval of point `i` of series `s`.
    /// An empty or missing vector means no error bars for that series; non-finite intervals are skipped.
    pub error_bars: Vec<Vec<(f64, f64)>>,
}

/// A chart could not be rendered (a plotters backend error or a PNG encoding error).
#[derive(Debug)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

/// Renders the chart as an SVG document that can be inlined in HTML (starts with `<svg`, no external
/// references). Its legend, if any, is the group `<g class="legend">`, outside the plotting area.
pub fn svg(chart: &Chart) -> Result<String, PlotError> {
    ensure_font()?;
    let legend = Legend::of(chart);
    let size = legend.canvas();
    let mut out = render_svg(size, &Body(chart, &legend))?;
    if !legend.is_empty() {
        // Drawn on a layer of its own, so the legend is one group of the document.
        let layer = render_svg(size, &legend)?;
        let start = layer.find('>').map_or(0, |i| i + 1);
        let end = layer.rfind("</svg>").unwrap_or(layer.len());
        let at = out.rfind("</svg>").unwrap_or(out.len());
        out.insert_str(at, &format!("<g class=\"legend\">{}</g>\n", &layer[start..end]));
    }
    Ok(out)
}

/// Renders the chart as a PNG image (RGB, 8 bit, [`WIDTH`] wide, [`HEIGHT`] high plus a legend
/// below the plot when it does not fit beside it) in memory.
pub fn png(chart: &Chart) -> Result<Vec<u8>, PlotError> {
    ensure_font()?;
    let legend = Legend::of(chart);
    render_png(legend.canvas(), &Both(chart, &legend))
}

/// Something drawn on a whole canvas, by either backend.
trait Paint {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static;
}

/// The chart without its legend (the SVG's first layer).
struct Body<'a>(&'a Chart, &'a Legend);

/// The chart with its legend (the PNG).
struct Both<'a>(&'a Chart, &'a Legend);

impl Paint for Body<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(err)?;
        draw(&self.1.plot_area(root), self.0)
    }
}

impl Paint for Both<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        Body(self.0, self.1).paint(root)?;
        self.1.paint(root)
    }
}

/// An SVG document of `size` painted by `p`, without any XML declaration.
fn render_svg(size: (u32, u32), p: &impl Paint) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        p.paint(&root)?;
        root.present().map_err(err)?;
    }
    // plotters emits no XML declaration today; strip one defensively so the output stays embeddable.
    match out.find("<svg") {
        Some(0) => Ok(out),
        Some(i) => Ok(out.split_off(i)),
        None => Err(PlotError("SVG backend produced no <svg> element".to_string())),
    }
}

/// A PNG image of `size` painted by `p`.
fn render_png((w, h): (u32, u32), p: &impl Paint) -> Result<Vec<u8>, PlotError> {
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, (w, h)).map_err(err)?;
        let root = backend.into_drawing_area();
        p.paint(&root)?;
        root.present().map_err(err)?;
    }
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = ::png::Encoder::new(&mut out, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(err)?;
    writer.write_image_data(&pixels).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// The family every text element uses; DejaVu Sans is registered under this name.
const FONT: &str = "sans-serif";
/// Values with a larger magnitude are skipped (their ranges would overflow f64 arithmetic).
const LIMIT: f64 = 1e300;
/// Maximum number of tick labels per axis (also used to choose the tick label precision).
const X_TICKS: usize = 10;
const Y_TICKS: usize = 8;

/// Okabe-Ito palette (colour-blind safe), reordered so the first colours have good contrast on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// A data-space point (x, y).
type Point = (f64, f64);

/// Palette slots before colours repeat (slot `k + PALETTE_SLOTS` has slot `k`'s colour and the
/// next marker shape).
pub const PALETTE_SLOTS: usize = PALETTE.len();

/// The slot of reference lines that belong to no series (targets): grey.
pub const GREY: usize = usize::MAX;

fn colour(slot: usize) -> RGBColor {
    if slot == GREY {
        RGBColor(0x55, 0x55, 0x55)
    } else {
        PALETTE[slot % PALETTE.len()]
    }
}

fn err<E: fmt::Display>(e: E) -> PlotError {
    PlotError(e.to_string())
}

/// Registers the embedded DejaVu Sans once per process (thread-safe; later calls reuse the result).
fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok());
    if ok {
        Ok(())
    } else {
        Err(PlotError("embedded DejaVu Sans font could not be parsed".to_string()))
    }
}

fn usable(v: f64) -> bool {
    v.is_finite() && v.abs() <= LIMIT
}

fn usable_point(&(x, y): &(f64, f64)) -> bool {
    usable(x) && usable(y)
}

/// Pads `lo..hi` by `frac` of its width on each side; a (near) zero-width range gets a default width.
/// With `floor_at_zero` (data all >= 0) the lower end never goes below 0.
fn pad_range(lo: f64, hi: f64, frac: f64, floor_at_zero: bool) -> (f64, f64) {
    let scale = lo.abs().max(hi.abs());
    let width = hi - lo;
    let (mut a, mut b) = if width <= scale * 1e-12 || width < 1e-200 {
        let half = if scale > 1e-200 { scale * 0.1 } else { 1.0 };
        (lo - half, hi + half)
    } else {
        (lo - width * frac, hi + width * frac)
    };
    if floor_at_zero && a < 0.0 {
        a = 0.0;
        if b <= a {
            b = 1.0;
        }
    }
    (a, b)
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The visible data rectangle: x from the data, y fixed or from the data (including error bars).
struct Bounds {
    x: (f64, f64),
    y: (f64, f64),
}

impl Bounds {
    fn of(chart: &Chart) -> Bounds {
        let points = || {
            chart
                .series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|p| usable_point(p))
        };
        let x = match min_max(points().map(|p| p.0)) {
            Some((lo, hi)) => pad_range(lo, hi, 0.02, lo >= 0.0),
            None => (0.0, 1.0),
        };
        let fixed = chart.y_range.filter(|&(lo, hi)| usable(lo) && usable(hi) && lo < hi);
        let y = match fixed {
            Some((lo, hi)) => pad_range(lo, hi, 0.0, false), // only widens a (near) zero-width range
            None => {
                let bars = chart.series.iter().enumerate().flat_map(|(s, series)| {
                    let bars = chart.error_bars.get(s).map(Vec::as_slice).unwrap_or(&[]);
                    series
                        .points
                        .iter()
                        .zip(bars)
                        .filter(|(p, _)| usable_point(p))
                        .flat_map(|(_, &(lo, hi))| [lo, hi])
                        .filter(|v| usable(*v))
                });
                // Error bars widen the range by at most the points' own extent (from 0 when all
                // are >= 0): an interval far longer than the data is cut at the edge, capless,
                // rather than flattening every point.
                let data = min_max(points().map(|p| p.1));
                let bars = min_max(bars).map(|(blo, bhi)| match data {
                    Some((lo, hi)) => {
                        let reach = (hi - lo).max(hi.abs()).max(lo.abs());
                        (blo.max(lo - reach), bhi.min(hi + reach))
                    }
                    None => (blo, bhi),
                });
                let both = [data, bars].into_iter().flatten().flat_map(|(a, b)| [a, b]);
                match min_max(both) {
                    Some((lo, hi)) if lo >= 0.0 => pad_range(0.0, hi, 0.05, true),
                    Some((lo, hi)) => pad_range(lo, hi, 0.05, false),
                    None => (0.0, 1.0),
                }
            }
        };
        Bounds { x, y }
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x.0 && x <= self.x.1 && y >= self.y.0 && y <= self.y.1
    }

    /// Liang-Barsky clipping of segment p-q; returns the visible part and whether its start was moved.
    fn clip(&self, p: Point, q: Point) -> Option<(Point, Point, bool)> {
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (den, num) in [
            (-dx, p.0 - self.x.0),
            (dx, self.x.1 - p.0),
            (-dy, p.1 - self.y.0),
            (dy, self.y.1 - p.1),
        ] {
            if den == 0.0 {
                if num < 0.0 {
                    return None;
                }
            } else {
                let t = num / den;
                if den < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        if t0 > t1 {
            return None;
        }
        // The clamp removes rounding error (t near 0 or 1, cancellation with huge coordinates): the clipped
        // points lie in the rectangle, so plotters never maps a coordinate outside the plotting area.
        let at = |t: f64| {
            let (x, y) = if t == 0.0 {
                p
            } else if t == 1.0 {
                q
            } else {
                (p.0 + t * dx, p.1 + t * dy)
            };
            (x.max(self.x.0).min(self.x.1), y.max(self.y.0).min(self.y.1))
        };
        Some((at(t0), at(t1), t0 > 0.0))
    }

    /// Clips a polyline to the rectangle, splitting it where it leaves and re-enters.
    fn clip_polyline(&self, points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let mut pieces = Vec::new();
        let mut current: Vec<(f64, f64)> = Vec::new();
        for w in points.windows(2) {
            match self.clip(w[0], w[1]) {
                Some((a, b, moved)) => {
                    if moved || current.is_empty() {
                        if current.len() >= 2 {
                            pieces.push(std::mem::take(&mut current));
                        }
                        current.clear();
                        current.push(a);
                    }
                    current.push(b);
                    if b != w[1] {
                        pieces.push(std::mem::take(&mut current));
                    }
                }
                None => {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                }
            }
        }
        if current.len() >= 2 {
            pieces.push(current);
        }
        pieces
    }
}

/// Tick label format of one axis: the fewest digits that print every tick exactly, scientific notation for
/// huge or tiny magnitudes, and no "-0".
struct TickFormat {
    scientific: bool,
    digits: usize,
    zero_below: f64,
}

impl TickFormat {
    fn new(range: (f64, f64), ticks: usize) -> TickFormat {
        // The same key points plotters draws for this range and label count.
        let points = RangedCoordf64::from(range.0..range.1).key_points(ticks);
        let spacing = points.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
        let step = if spacing.is_finite() && spacing > 0.0 {
            spacing
        } else {
            (range.1 - range.0) / ticks as f64
        };
        let magnitude = range.0.abs().max(range.1.abs());
        let mut format = TickFormat {
            scientific: !(1e-3..1e6).contains(&magnitude),
            digits: 0,
            zero_below: step * 1e-6,
        };
        let max_digits = if format.scientific { 6 } else { 9 };
        while format.digits < max_digits
            && !points.iter().all(|&v| {
                format
                    .format(v)
                    .parse::<f64>()
                    .is_ok_and(|p| (p - v).abs() <= step * 1e-3)
            })
        {
            format.digits += 1;
        }
        format
    }

    fn format(&self, v: f64) -> String {
        let digits = self.digits;
        if v.abs() < self.zero_below || v == 0.0 {
            if self.scientific {
                "0".to_string()
            } else {
                format!("{:.digits$}", 0.0)
            }
        } else if self.scientific {
            format!("{v:.digits$e}")
        } else {
            format!("{v:.digits$}")
        }
    }
}

/// The drawable polyline of a series (step expansion applied, unusable points skipped).
fn polyline(series: &Series) -> Vec<(f64, f64)> {
    let points = series.points.iter().copied().filter(usable_point);
    match series.style {
        Style::Step => {
            let mut out: Vec<(f64, f64)> = Vec::with_capacity(series.points.len() * 2);
            for p in points {
                if let Some(&(_, prev_y)) = out.last() {
                    out.push((p.0, prev_y));
                }
                out.push(p);
            }
            out
        }
        _ => points.collect(),
    }
}

/// The chart's coordinate system on a drawing area.
type Ctx<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws the chart but its legend on `root` (the area beside or above the legend); shared by the
/// SVG and the bitmap backend so both look the same.
fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let bounds = Bounds::of(chart);
    let mut ctx = mesh(root, chart, &bounds)?;
    let polylines: Vec<Vec<(f64, f64)>> = chart.series.iter().map(polyline).collect();
    for (i, (series, line)) in chart.series.iter().zip(&polylines).enumerate() {
        draw_series(&mut ctx, &bounds, series, line)?;
        if let Some(bars) = chart.error_bars.get(i) {
            draw_error_bars(&mut ctx, &bounds, colour(series.colour), series, bars)?;
        }
    }

    if polylines.iter().all(Vec::is_empty) {
        let centre = ((bounds.x.0 + bounds.x.1) / 2.0, (bounds.y.0 + bounds.y.1) / 2.0);
        let style = (FONT, 22)
            .into_font()
            .color(&RGBColor(0x66, 0x66, 0x66))
            .pos(Pos::new(HPos::Center, VPos::Center));
        ctx.plotting_area()
            .draw(&Text::new("no data", centre, style))
            .map_err(err)?;
    }
    Ok(())
}

/// The caption, the axes with their ticks and descriptions, and the grid; the y label area fits
/// the widest tick label.
fn mesh<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    chart: &Chart,
    bounds: &Bounds,
) -> Result<Ctx<'a, DB>, PlotError>
where
    DB::ErrorType: 'static,
{
    let (x_ticks, y_ticks) = (TickFormat::new(bounds.x, X_TICKS), TickFormat::new(bounds.y, Y_TICKS));
    let x_fmt = |v: &f64| x_ticks.format(*v);
    let y_fmt = |v: &f64| y_ticks.format(*v);
    let y_label_chars = [bounds.y.0, (bounds.y.0 + bounds.y.1) / 2.0, bounds.y.1]
        .iter()
        .map(|v| y_fmt(v).chars().count())
        .max()
        .unwrap_or(1) as u32;
    let y_area = (y_label_chars * 8 + 34).clamp(50, 140);

    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(10)
        .margin_bottom(10)
        .margin_left(10)
        .margin_right(25)
        .x_label_area_size(50)
        .y_label_area_size(y_area);
    if !chart.title.is_empty() {
        builder.caption(&chart.title, (FONT, 24).into_font());
    }
    let mut ctx = builder
        .build_cartesian_2d(bounds.x.0..bounds.x.1, bounds.y.0..bounds.y.1)
        .map_err(err)?;
    ctx.configure_mesh()
        .x_labels(X_TICKS)
        .y_labels(Y_TICKS)
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD).stroke_width(1))
        .axis_style(RGBColor(0x44, 0x44, 0x44).stroke_width(1))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 15).into_font())
        .axis_desc_style((FONT, 18).into_font())
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .draw()
        .map_err(err)?;
    Ok(ctx)
}

/// Draws a series (its drawable polyline `line`, clipped) and its markers.
fn draw_series<'a, DB: DrawingBackend + 'a>(
    ctx: &mut Ctx<'a, DB>,
    bounds: &Bounds,
    series: &Series,
    line: &[(f64, f64)],
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let c = colour(series.colour);
    let stroke = c.stroke_width(2);
    let pieces = bounds.clip_polyline(line);
    if series.style == Style::Dashed {
        ctx.draw_series(pieces.into_iter().flat_map(|p| DashedLineSeries::new(p, 8, 5, stroke)))
            .map_err(err)?;
    } else {
        ctx.draw_series(pieces.into_iter().map(|p| PathElement::new(p, stroke)))
            .map_err(err)?;
    }
    if shows_markers(series, line) {
        let visible = series
            .points
            .iter()
            .copied()
            .filter(|p| usable_point(p) && bounds.contains(*p));
        draw_markers(ctx.plotting_area(), visible, series.colour)?;
    }
    Ok(())
}

/// Markers are drawn always for [`Style::Points`], and when a line could not show the data (one
/// distinct point).
fn shows_markers(series: &Series, line: &[(f64, f64)]) -> bool {
    series.style == Style::Points || line.first().is_some_and(|&p0| line.iter().all(|&p| p == p0))
}

/// Draws the marker of palette slot `slot` at each of `at` on `area`: a filled circle, square,
/// triangle or diamond in the slot's colour.
fn draw_markers<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: impl Iterator<Item = CT::From>,
    slot: usize,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
    CT::From: Clone,
{
    let style = colour(slot).filled();
    let shape = (slot / PALETTE.len() % 4 + slot % 4) % 4;
    for p in at {
        let e = EmptyElement::at(p);
        match shape {
            0 => area.draw(&(e + Circle::new((0, 0), 3, style))),
            1 => area.draw(&(e + Rectangle::new([(-3, -3), (3, 3)], style))),
            2 => area.draw(&(e + Polygon::new(vec![(0, -4), (4, 3), (-4, 3)], style))),
            _ => area.draw(&(e + Polygon::new(vec![(0, -4), (4, 0), (0, 4), (-4, 0)], style))),
        }
        .map_err(err)?;
    }
    Ok(())
}

/// Error bars of a series: a vertical line with 8 px caps, clipped to the y range.
fn draw_error_bars<DB: DrawingBackend>(
    ctx: &mut Ctx<'_, DB>,
    bounds: &Bounds,
    c: RGBColor,
    series: &Series,
    bars: &[(f64, f64)],
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let thin = c.stroke_width(1);
    let visible = series.points.iter().zip(bars).filter_map(|(&(x, _), &(lo, hi))| {
        if !(usable(x) && usable(lo) && usable(hi)) || x < bounds.x.0 || x > bounds.x.1 {
            return None;
        }
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        if hi < bounds.y.0 || lo > bounds.y.1 {
            return None;
        }
        Some((
            x,
            lo.max(bounds.y.0),
            hi.min(bounds.y.1),
            lo >= bounds.y.0,
            hi <= bounds.y.1,
        ))
    });
    for (x, lo, hi, lo_cap, hi_cap) in visible {
        ctx.draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], thin)))
            .map_err(err)?;
        let caps = [(lo, lo_cap), (hi, hi_cap)].into_iter().filter(|c| c.1);
        ctx.draw_series(caps.map(|(y, _)| EmptyElement::at((x, y)) + PathElement::new(vec![(-4, 0), (4, 0)], thin)))
            .map_err(err)?;
    }
    Ok(())
}

mod heatmap;
mod legend;

pub use heatmap::{Heatmap, Panel, heatmap_png, heatmap_svg};
use legend::Legend;

#[cfg(test)]
mod tests;
