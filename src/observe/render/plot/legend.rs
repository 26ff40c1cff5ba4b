//! The legend of a chart, laid out outside its plotting area: in a column right of the plot when
//! its entries are short and few enough, else in rows below it (the canvas grows to hold them).
//! A legend never covers data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, FONT, HEIGHT, Paint, PlotError, Style, WIDTH, colour, draw_markers, err, polyline, shows_markers};

/// Font size of the entries.
const TEXT: u32 = 15;
/// Height of an entry.
const ROW: u32 = 22;
/// Padding inside the box.
const PAD: u32 = 8;
/// Width of the line sample, and the gap before the text.
const SWATCH: u32 = 24;
const GAP: u32 = 6;
/// The widest entry that still goes right of the plot (the plot keeps 70% of the width).
const RIGHT_MAX: u32 = WIDTH * 3 / 10 - 2 * PAD;
/// The top of the legend when it is right of the plot (below the title).
const RIGHT_TOP: u32 = 40;

/// One entry: the series' label, palette slot and how its sample is drawn.
struct Entry {
    label: String,
    slot: usize,
    dashed: bool,
    marker: bool,
}

/// Where the legend goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    Right,
    Below,
}

/// A chart's legend and its layout.
pub(super) struct Legend {
    entries: Vec<Entry>,
    place: Place,
    /// Width of a column of entries (the widest entry).
    column: u32,
    columns: u32,
    rows: u32,
}

/// The width of `text` in the legend's font (an estimate when the font cannot measure it).
fn text_width(text: &str) -> u32 {
    (FONT, TEXT)
        .into_font()
        .box_size(text)
        .map_or(text.chars().count() as u32 * 8, |(w, _)| w)
}

/// `text`, cut with an ellipsis to at most `max` pixels wide.
fn fit(text: &str, max: u32) -> String {
    if text_width(text) <= max {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>() + "…";
        if text_width(&cut) <= max {
            return cut;
        }
    }
    "…".to_string()
}

impl Legend {
    /// The legend of `chart`: an entry per labelled series (a chart of several series names an
    /// unlabelled one "series N"), placed right when every entry fits in [`RIGHT_MAX`] and the
    /// column in the plot's height, else below.
    pub(super) fn of(chart: &Chart) -> Legend {
        let several = chart.series.len() > 1;
        let text_max = WIDTH - 4 * PAD - SWATCH - GAP;
        let entries: Vec<Entry> = chart
            .series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let label = if s.label.is_empty() && several {
                    format!("series {}", i + 1)
                } else {
                    s.label.clone()
                };
                (!label.is_empty()).then(|| Entry {
                    label: fit(&label, text_max),
                    slot: s.colour,
                    dashed: s.style == Style::Dashed,
                    marker: shows_markers(s, &polyline(s)),
                })
            })
            .collect();
        let column = entries
            .iter()
            .map(|e| SWATCH + GAP + text_width(&e.label) + PAD)
            .max()
            .unwrap_or(0);
        let n = entries.len() as u32;
        let fits_right = column <= RIGHT_MAX && RIGHT_TOP + n * ROW + 2 * PAD <= HEIGHT - 60;
        let (place, columns) = if fits_right {
            (Place::Right, 1)
        } else {
            (Place::Below, ((WIDTH - 4 * PAD) / column.max(1)).clamp(1, n.max(1)))
        };
        Legend {
            place,
            column,
            columns,
            rows: n.div_ceil(columns),
            entries,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The box's width and height.
    fn box_size(&self) -> (u32, u32) {
        (self.columns * self.column + PAD, self.rows * ROW + 2 * PAD)
    }

    /// The canvas: [`WIDTH`] x [`HEIGHT`], taller by the legend when it is below.
    pub(super) fn canvas(&self) -> (u32, u32) {
        match self.place {
            Place::Below if !self.is_empty() => (WIDTH, HEIGHT + self.box_size().1 + 2 * PAD),
            _ => (WIDTH, HEIGHT),
        }
    }

    /// The part of the canvas where the chart is drawn: all but the legend's column or rows.
    pub(super) fn plot_area<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawingArea<DB, Shift> {
        if self.is_empty() {
            return root.clone();
        }
        match self.place {
            Place::Right => root.split_horizontally(WIDTH - self.box_size().0 - 2 * PAD).0,
            Place::Below => root.split_vertically(HEIGHT).0,
        }
    }

    /// The box's top-left corner on the canvas.
    fn origin(&self) -> (i32, i32) {
        match self.place {
            Place::Right => ((WIDTH - self.box_size().0 - PAD) as i32, RIGHT_TOP as i32),
            Place::Below => (PAD as i32, HEIGHT as i32),
        }
    }
}

impl Paint for Legend {
    /// The legend alone, on a transparent canvas: a box with an entry per series (its line
    /// sample, dashed or with its marker, then its label), entries in rows of `columns`.
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        if self.is_empty() {
            return Ok(());
        }
        let (x0, y0) = self.origin();
        let (w, h) = self.box_size();
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + w as i32, y0 + h as i32)],
            RGBColor(0x99, 0x99, 0x99).stroke_width(1),
        ))
        .map_err(err)?;
        let font = TextStyle::from((FONT, TEXT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (k, e) in self.entries.iter().enumerate() {
            let (col, row) = (k as u32 % self.columns, k as u32 / self.columns);
            let x = x0 + (PAD + col * self.column) as i32;
            let y = y0 + (PAD + row * ROW + ROW / 2) as i32;
            let stroke = colour(e.slot).stroke_width(2);
            let s = SWATCH as i32;
            if e.dashed {
                root.draw(&PathElement::new(vec![(x, y), (x + s / 3, y)], stroke))
                    .map_err(err)?;
                root.draw(&PathElement::new(vec![(x + s * 2 / 3, y), (x + s, y)], stroke))
                    .map_err(err)?;
            } else {
                root.draw(&PathElement::new(vec![(x, y), (x + s, y)], stroke))
                    .map_err(err)?;
            }
            if e.marker {
                draw_markers(root, std::iter::once((x + s / 2, y)), e.slot)?;
            }
            root.draw(&Text::new(e.label.as_str(), (x + s + GAP as i32, y), font.clone()))
                .map_err(err)?;
        }
        Ok(())
    }
}
