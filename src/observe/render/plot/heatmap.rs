//! Heatmaps: a grid of values per panel (a 2-D sweep's metric, one panel per policy), every
//! cell coloured on one sequential scale shared by the panels and labelled with its value.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{FONT, Paint, PlotError, WIDTH, err, render_png, render_svg, usable};

/// One panel: a title and its cells by row (top to bottom) and column (left to right).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    pub title: String,
    /// `cells[row][col]`: the value that sets the colour (None: no value, drawn grey).
    pub cells: Vec<Vec<Option<f64>>>,
    /// `labels[row][col]`: the text written in the cell.
    pub labels: Vec<Vec<String>>,
    /// `marked[row][col]`: the label gets a check mark (e.g. the cell meets the targets).
    pub marked: Vec<Vec<bool>>,
}

/// Panels of the same rows and columns on one colour scale.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    pub title: String,
    /// What the columns and the rows are.
    pub x_label: String,
    pub y_label: String,
    /// The columns' and rows' names.
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    pub panels: Vec<Panel>,
}

/// Height of a cell, of the title, of a panel's title and of the x axis below a panel.
const CELL_H: u32 = 34;
const TITLE_H: u32 = 40;
const PANEL_TITLE_H: u32 = 28;
const AXIS_H: u32 = 52;
const MARGIN: u32 = 16;

/// viridis at five stops: dark purple (low) to yellow (high), readable in grey and by the
/// colour blind.
const SCALE: [(u8, u8, u8); 5] = [
    (0x44, 0x01, 0x54),
    (0x3B, 0x52, 0x8B),
    (0x21, 0x91, 0x8C),
    (0x5E, 0xC9, 0x62),
    (0xFD, 0xE7, 0x25),
];

/// The colour of `t` in 0..=1 on [`SCALE`].
fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (SCALE.len() - 1) as f64;
    let i = (t.floor() as usize).min(SCALE.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (SCALE[i], SCALE[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Heatmap {
    /// Width and height of the canvas: [`WIDTH`] wide, each panel as tall as its rows.
    fn canvas(&self) -> (u32, u32) {
        let panel = PANEL_TITLE_H + CELL_H * self.rows.len().max(1) as u32 + AXIS_H;
        (WIDTH, TITLE_H + panel * self.panels.len().max(1) as u32 + MARGIN)
    }

    /// The lowest and highest usable value of every panel (the shared scale).
    fn range(&self) -> Option<(f64, f64)> {
        self.panels
            .iter()
            .flat_map(|p| p.cells.iter().flatten().flatten())
            .copied()
            .filter(|v| usable(*v))
            .fold(None, |acc, v| match acc {
                None => Some((v, v)),
                Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            })
    }
}

fn text_width(text: &str, size: u32) -> u32 {
    (FONT, size)
        .into_font()
        .box_size(text)
        .map_or(text.chars().count() as u32 * 8, |(w, _)| w)
}

impl Paint for Heatmap {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(err)?;
        let centred = |size: u32| TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        // The title in the largest size from 24 that fits the width.
        let size = (12..=24)
            .rev()
            .find(|&size| text_width(&self.title, size) <= WIDTH - 2 * MARGIN)
            .unwrap_or(12);
        root.draw(&Text::new(
            self.title.as_str(),
            ((WIDTH / 2) as i32, (TITLE_H / 2) as i32),
            centred(size),
        ))
        .map_err(err)?;
        let (lo, hi) = self.range().unwrap_or((0.0, 1.0));
        let t_of = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let label_w = self
            .rows
            .iter()
            .map(|r| text_width(r, 15))
            .chain([text_width(&self.y_label, 15)])
            .max()
            .unwrap_or(0)
            .min(WIDTH / 3);
        let left = (MARGIN + label_w + 10) as i32;
        let right = (WIDTH - MARGIN) as i32;
        let cols = self.columns.len().max(1) as i32;
        let cell_w = (right - left) / cols;
        let n_rows = self.rows.len().max(1) as u32;
        let panel_h = PANEL_TITLE_H + CELL_H * n_rows + AXIS_H;
        let ends = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (k, p) in self.panels.iter().enumerate() {
            let top = (TITLE_H + k as u32 * panel_h) as i32;
            root.draw(&Text::new(
                p.title.as_str(),
                (left + (right - left) / 2, top + (PANEL_TITLE_H / 2) as i32),
                centred(18),
            ))
            .map_err(err)?;
            let grid_top = top + PANEL_TITLE_H as i32;
            root.draw(&Text::new(
                self.y_label.as_str(),
                (left - 10, grid_top - (PANEL_TITLE_H / 2) as i32),
                ends.clone(),
            ))
            .map_err(err)?;
            for (r, name) in self.rows.iter().enumerate() {
                let y = grid_top + (r as u32 * CELL_H) as i32;
                root.draw(&Text::new(
                    name.as_str(),
                    (left - 10, y + (CELL_H / 2) as i32),
                    ends.clone(),
                ))
                .map_err(err)?;
                for c in 0..self.columns.len() {
                    let x = left + c as i32 * cell_w;
                    let value = p.cells.get(r).and_then(|row| row.get(c)).copied().flatten();
                    let fill = match value.filter(|v| usable(*v)) {
                        Some(v) => shade(t_of(v)),
                        None => RGBColor(0xEE, 0xEE, 0xEE),
                    };
                    let cell = [(x, y), (x + cell_w, y + CELL_H as i32)];
                    root.draw(&Rectangle::new(cell, fill.filled())).map_err(err)?;
                    root.draw(&Rectangle::new(cell, WHITE.stroke_width(1))).map_err(err)?;
                    let dark = value.is_some_and(|v| usable(v) && t_of(v) < 0.55);
                    let ink = if dark { WHITE } else { BLACK };
                    let mut text = p
                        .labels
                        .get(r)
                        .and_then(|row| row.get(c))
                        .map_or("-".to_string(), String::clone);
                    if p.marked.get(r).and_then(|row| row.get(c)).copied().unwrap_or(false) {
                        text.push_str(" \u{2713}");
                    }
                    root.draw(&Text::new(
                        text,
                        (x + cell_w / 2, y + (CELL_H / 2) as i32),
                        centred(14).color(&ink),
                    ))
                    .map_err(err)?;
                }
            }
            let below = grid_top + (n_rows * CELL_H) as i32;
            for (c, name) in self.columns.iter().enumerate() {
                let x = left + c as i32 * cell_w + cell_w / 2;
                root.draw(&Text::new(name.as_str(), (x, below + 12), centred(15)))
                    .map_err(err)?;
            }
            root.draw(&Text::new(
                self.x_label.as_str(),
                (left + (right - left) / 2, below + 36),
                centred(16),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}

/// The heatmap as an SVG document (as [`super::svg`]).
pub fn heatmap_svg(h: &Heatmap) -> Result<String, PlotError> {
    super::ensure_font()?;
    render_svg(h.canvas(), h)
}

/// The heatmap as a PNG image.
pub fn heatmap_png(h: &Heatmap) -> Result<Vec<u8>, PlotError> {
    super::ensure_font()?;
    render_png(h.canvas(), h)
}
