//! Tests of the chart renderer: SVG and PNG validity, determinism, degenerate and arbitrary
//! data, step expansion, clipping and tick labels.

use super::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fn series(label: &str, style: Style, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.to_string(),
        points,
        style,
        colour: 0,
    }
}

fn sample() -> Chart {
    let n = 400;
    let xs = (0..n).map(|i| f64::from(i) * 0.25);
    Chart {
        title: "Cluster utilization".to_string(),
        x_label: "time (h)".to_string(),
        y_label: "fraction of GPUs".to_string(),
        series: vec![
            series(
                "fifo",
                Style::Line,
                xs.clone().map(|x| (x, 0.5 + 0.4 * (x / 7.0).sin())).collect(),
            ),
            series(
                "drf",
                Style::Step,
                xs.clone().map(|x| (x, (x / 100.0).min(1.0))).collect(),
            ),
            series("deserved", Style::Dashed, xs.map(|x| (x, 0.6)).collect()),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, s)| Series { colour: i, ..s })
        .collect(),
        y_range: Some((0.0, 1.0)),
        error_bars: vec![],
    }
}

fn check_png(bytes: &[u8]) {
    assert_eq!(bytes[..8], PNG_SIGNATURE);
    // The first chunk is IHDR: length (4), "IHDR", width (4, big endian), height (4).
    assert_eq!(&bytes[12..16], b"IHDR");
    assert_eq!(bytes[16..20], WIDTH.to_be_bytes());
    // As tall as a chart, or taller by a legend below it.
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert!(height >= HEIGHT, "{height}");
}

fn check_svg(text: &str) {
    assert!(text.starts_with("<svg"), "{}", &text[..text.len().min(80)]);
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(!text.contains("href"));
    assert!(!text.contains("url("));
    assert!(!text.contains("<?xml") && !text.contains("<!DOCTYPE"));
}

#[test]
fn svg_is_inline_embeddable_and_has_texts() {
    let chart = sample();
    let text = svg(&chart).unwrap();
    check_svg(&text);
    assert!(text.contains("Cluster utilization"));
    assert!(text.contains("time (h)"));
    assert!(text.contains("fraction of GPUs"));
    for s in &chart.series {
        assert!(
            text.contains(&format!(">\n{}\n</text>", s.label)),
            "legend label {}",
            s.label
        );
    }
    assert!(text.contains("font-family=\"sans-serif\""));
    // Palette colours by series index.
    assert!(text.contains("#0072B2") && text.contains("#E69F00") && text.contains("#009E73"));
    assert_eq!(text, svg(&chart).unwrap());
}

#[test]
fn png_has_signature_size_and_is_deterministic() {
    let chart = sample();
    let a = png(&chart).unwrap();
    check_png(&a);
    assert_eq!(a, png(&chart).unwrap());
}

#[test]
fn identical_across_threads() {
    let chart = sample();
    let (s0, p0) = (svg(&chart).unwrap(), png(&chart).unwrap());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| (svg(&chart).unwrap(), png(&chart).unwrap())))
            .collect();
        for h in handles {
            let (s, p) = h.join().unwrap();
            assert_eq!(s, s0);
            assert_eq!(p, p0);
        }
    });
}

/// Charts without data, or whose data is all or partly NaN or infinite.
fn empty_or_non_finite_charts() -> Vec<Chart> {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    vec![
        Chart::default(),
        Chart {
            series: vec![series("", Style::Line, vec![])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("empty", Style::Points, vec![]), series("", Style::Step, vec![])],
            ..Chart::default()
        },
        Chart {
            series: vec![series(
                "nan",
                Style::Line,
                vec![(nan, 1.0), (1.0, nan), (inf, 2.0), (3.0, -inf)],
            )],
            ..Chart::default()
        },
        Chart {
            series: vec![series(
                "mixed",
                Style::Line,
                vec![(0.0, 1.0), (nan, 5.0), (2.0, 3.0), (1e308, 1e308)],
            )],
            ..Chart::default()
        },
    ]
}

/// Charts of one point, constant, vertical, negative, huge, tiny or nearly coincident data.
fn flat_or_extreme_charts() -> Vec<Chart> {
    vec![
        Chart {
            series: vec![series("one", Style::Line, vec![(5.0, 7.0)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("zero", Style::Step, vec![(0.0, 0.0)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("const", Style::Line, vec![(1.0, 3.0), (2.0, 3.0), (3.0, 3.0)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series(
                "vertical",
                Style::Points,
                vec![(2.0, 1.0), (2.0, 5.0), (2.0, -3.0)],
            )],
            ..Chart::default()
        },
        Chart {
            series: vec![series("neg", Style::Dashed, vec![(-5.0, -1.0), (-1.0, -2.0)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("huge", Style::Line, vec![(-1e300, -1e300), (1e300, 1e300)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("tiny", Style::Line, vec![(0.0, 1e-300), (1e-300, 2e-300)])],
            ..Chart::default()
        },
        Chart {
            series: vec![series("near", Style::Line, vec![(1e9, 1.0), (1e9 + 1e-6, 1.0 + 1e-12)])],
            ..Chart::default()
        },
    ]
}

/// Charts with data outside a fixed y range, invalid y ranges, and error bars that do not fit.
fn bad_range_charts() -> Vec<Chart> {
    let nan = f64::NAN;
    vec![
        Chart {
            series: vec![series(
                "out of range",
                Style::Points,
                vec![(0.0, -5.0), (1.0, 0.5), (2.0, 1e300), (3.0, 0.2)],
            )],
            y_range: Some((0.0, 1.0)),
            error_bars: vec![vec![(-1.0, 2.0), (0.4, 0.6), (nan, 1.0)]],
            ..Chart::default()
        },
        Chart {
            series: vec![series("bad range", Style::Line, vec![(0.0, 1.0), (1.0, 2.0)])],
            y_range: Some((1.0, 1.0)),
            error_bars: vec![vec![], vec![(0.0, 1.0)]],
            ..Chart::default()
        },
        Chart {
            series: vec![series(
                "",
                Style::Line,
                vec![(1e300, 1e300), (-0.0, -1.1051147554248131e222)],
            )],
            y_range: Some((0.0, 1e-300)),
            ..Chart::default()
        },
        Chart {
            series: vec![series("nan range", Style::Line, vec![(0.0, 1.0)])],
            y_range: Some((nan, 1.0)),
            ..Chart::default()
        },
    ]
}

#[test]
fn degenerate_inputs_render() {
    let cases: Vec<Chart> = [
        empty_or_non_finite_charts(),
        flat_or_extreme_charts(),
        bad_range_charts(),
    ]
    .concat();
    for chart in &cases {
        let text = svg(chart).unwrap_or_else(|e| panic!("{e} for {chart:?}"));
        check_svg(&text);
        check_png(&png(chart).unwrap_or_else(|e| panic!("{e} for {chart:?}")));
    }
    assert!(svg(&cases[0]).unwrap().contains("no data"));
}

#[test]
fn step_and_points_with_error_bars_render() {
    let cdf: Vec<(f64, f64)> = (0..=20).map(|i| (f64::from(i * i), f64::from(i) / 20.0)).collect();
    let chart = Chart {
        title: "Wait time CDF".to_string(),
        x_label: "wait (s)".to_string(),
        y_label: "fraction of jobs".to_string(),
        series: vec![
            series("cdf", Style::Step, cdf),
            series("sweep", Style::Points, vec![(10.0, 0.2), (100.0, 0.5), (300.0, 0.9)]),
        ],
        y_range: None,
        error_bars: vec![vec![], vec![(0.1, 0.3), (0.4, 0.6), (0.85, 0.95)]],
    };
    let text = svg(&chart).unwrap();
    check_svg(&text);
    assert!(text.contains("Wait time CDF") && text.contains(">\ncdf\n<") && text.contains(">\nsweep\n<"));
    check_png(&png(&chart).unwrap());
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -10.0..10.0f64,
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(1e300),
        Just(-1e300),
        Just(1e-300),
        Just(f64::MIN_POSITIVE),
    ]
}

fn arb_chart() -> impl Strategy<Value = Chart> {
    let style = prop_oneof![
        Just(Style::Line),
        Just(Style::Step),
        Just(Style::Dashed),
        Just(Style::Points)
    ];
    let one =
        (".{0,12}", prop::collection::vec((value(), value()), 0..6), style).prop_map(|(label, points, style)| Series {
            label,
            points,
            style,
            colour: 0,
        });
    (
        prop::collection::vec(one, 0..4),
        prop::option::of((value(), value())),
        prop::collection::vec(prop::collection::vec((value(), value()), 0..6), 0..4),
    )
        .prop_map(|(series, y_range, error_bars)| Chart {
            title: "random".to_string(),
            x_label: "x".to_string(),
            y_label: "y".to_string(),
            series,
            y_range,
            error_bars,
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(0x706c_6f74),
        ..ProptestConfig::default()
    })]

    /// Arbitrary (including non-finite and extreme) data always renders valid SVG and PNG.
    #[test]
    fn arbitrary_charts_render(chart in arb_chart()) {
        let text = svg(&chart).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_svg(&text);
        check_png(&png(&chart).map_err(|e| TestCaseError::fail(e.to_string()))?);
    }
}

#[test]
fn step_expands_horizontal_then_vertical() {
    let s = series(
        "",
        Style::Step,
        vec![(0.0, 1.0), (2.0, 3.0), (f64::NAN, 0.0), (5.0, 4.0)],
    );
    assert_eq!(
        polyline(&s),
        vec![(0.0, 1.0), (2.0, 1.0), (2.0, 3.0), (5.0, 3.0), (5.0, 4.0)]
    );
}

#[test]
fn clipping_splits_lines_that_leave_the_range() {
    let b = Bounds {
        x: (0.0, 10.0),
        y: (0.0, 1.0),
    };
    let pieces = b.clip_polyline(&[(0.0, 0.5), (2.0, 0.5), (4.0, 3.0), (6.0, 0.5), (8.0, 0.5)]);
    assert_eq!(pieces.len(), 2);
    assert_eq!(pieces[0][0], (0.0, 0.5));
    assert_eq!(pieces[1].last(), Some(&(8.0, 0.5)));
    assert!(pieces.iter().flatten().all(|&p| b.contains(p)));
    assert!(b.clip_polyline(&[(0.0, 5.0), (10.0, 5.0)]).is_empty());
    // Rounding with huge coordinates must not leave points outside (found by the property test).
    let b = Bounds {
        x: (0.0, 1.02e300),
        y: (-1.0, 1.0),
    };
    let pieces = b.clip_polyline(&[(1e300, 1e300), (-0.0, -1.1051147554248131e222)]);
    assert!(pieces.iter().flatten().all(|&p| b.contains(p)), "{pieces:?}");
}

#[test]
fn tick_labels() {
    let unit = TickFormat::new((0.0, 1.0), 10);
    assert_eq!(unit.format(0.30000000000000004), "0.3");
    assert_eq!(unit.format(-1e-17), "0.0");
    assert_eq!(TickFormat::new((0.0, 100.0), 10).format(20.0), "20");
    assert_eq!(TickFormat::new((-3.2, 5.2), 10).format(-3.0), "-3");
    let big = TickFormat::new((0.0, 1.2e6), 10);
    assert_eq!(
        (big.format(1.2e6).as_str(), big.format(4e5).as_str()),
        ("1.2e6", "4.0e5")
    );
    assert_eq!(TickFormat::new((0.0, 4e6), 4).format(2e6), "2e6");
    assert_eq!(TickFormat::new((0.0, 0.004), 8).format(0.002), "0.002");
}

/// The numbers of attribute `name` in an SVG element's text.
fn attr(element: &str, name: &str) -> Option<f64> {
    let at = element.find(&format!(" {name}=\""))? + name.len() + 3;
    element[at..].split('"').next()?.parse().ok()
}

/// The legend's box (x0, y0, x1, y1) and every drawn vertex outside the legend group: polyline
/// points, line ends, circle centres, rectangle corners (the canvas-wide background aside).
/// A box (x0, y0, x1, y1).
type Box = (f64, f64, f64, f64);

fn legend_box_and_vertices(svg: &str) -> (Option<Box>, Vec<(f64, f64)>) {
    let (body, legend) = match svg.find("<g class=\"legend\">") {
        Some(i) => {
            let end = i + svg[i..].find("</g>").expect("legend group closed");
            (format!("{}{}", &svg[..i], &svg[end..]), Some(&svg[i..end]))
        }
        None => (svg.to_string(), None),
    };
    let bbox = legend.map(|g| {
        let rect = &g[g.find("<rect").expect("legend box")..];
        let rect = &rect[..rect.find('>').unwrap()];
        let (x, y) = (attr(rect, "x").unwrap(), attr(rect, "y").unwrap());
        (
            x,
            y,
            x + attr(rect, "width").unwrap(),
            y + attr(rect, "height").unwrap(),
        )
    });
    let mut vertices = Vec::new();
    for element in body.split('<').skip(1) {
        let element = &element[..element.find('>').unwrap_or(element.len())];
        if element.starts_with("polyline") || element.starts_with("polygon") {
            let at = element.find("points=\"").unwrap() + 8;
            for pair in element[at..].split('"').next().unwrap().split_whitespace() {
                let (x, y) = pair.split_once(',').unwrap();
                vertices.push((x.parse().unwrap(), y.parse().unwrap()));
            }
        } else if element.starts_with("line") {
            for (x, y) in [("x1", "y1"), ("x2", "y2")] {
                vertices.push((attr(element, x).unwrap(), attr(element, y).unwrap()));
            }
        } else if element.starts_with("circle") {
            vertices.push((attr(element, "cx").unwrap(), attr(element, "cy").unwrap()));
        } else if element.starts_with("rect") && attr(element, "width") != Some(f64::from(WIDTH)) {
            let (x, y) = (attr(element, "x").unwrap(), attr(element, "y").unwrap());
            vertices.push((x, y));
            vertices.push((
                x + attr(element, "width").unwrap(),
                y + attr(element, "height").unwrap(),
            ));
        }
    }
    (bbox, vertices)
}

/// Charts whose data fill every corner, with short labels (legend right), long ones and many
/// series (legend below), markers and error bars.
fn legend_charts() -> Vec<Chart> {
    let n = 200;
    let xs = || (0..n).map(|i| f64::from(i) * 0.1);
    let fill = |k: usize, label: &str, style: Style| Series {
        label: label.to_string(),
        points: xs().map(|x| (x, ((x * (k + 1) as f64).sin() + 1.0) / 2.0)).collect(),
        style,
        colour: k,
    };
    let mut long = sample();
    long.series = (0..3)
        .map(|k| {
            fill(
                k,
                &format!("policy-{k} (32.5% of its workloads never started)"),
                Style::Step,
            )
        })
        .collect();
    let mut many = sample();
    many.series = (0..14)
        .map(|k| fill(k, &format!("p{k}, NodePool/gpu:spec.count=8"), Style::Points))
        .collect();
    many.error_bars = (0..14).map(|_| xs().map(|_| (0.0, 1.0)).collect()).collect();
    let mut dense = sample();
    dense.series = (0..3).map(|k| fill(k, ["a", "b", "c"][k], Style::Line)).collect();
    vec![sample(), long, many, dense]
}

/// The test: no legend box overlaps a plotted point. Every vertex drawn outside the
/// legend's group (data, markers, error bars, axes, grid) lies outside the legend's box.
#[test]
fn no_legend_box_overlaps_a_plotted_point() {
    for chart in legend_charts() {
        let text = svg(&chart).unwrap();
        check_svg(&text);
        let (bbox, vertices) = legend_box_and_vertices(&text);
        let (x0, y0, x1, y1) = bbox.expect("a legend");
        assert!(vertices.len() > 100, "{} vertices", vertices.len());
        for (x, y) in vertices {
            assert!(
                !(x >= x0 && x <= x1 && y >= y0 && y <= y1),
                "({x}, {y}) inside the legend ({x0}, {y0})-({x1}, {y1}) of {:?}",
                chart.series.first().map(|s| &s.label)
            );
        }
        // Every label is in the legend, the PNG as tall as the SVG.
        let png = png(&chart).unwrap();
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert!(text.contains(&format!("height=\"{height}\"")));
    }
}

/// A policy keeps its colour whatever the series order: the colour follows the slot.
#[test]
fn colours_follow_the_slot_not_the_order() {
    let mut chart = sample();
    chart.series = vec![Series {
        colour: 2,
        ..chart.series[0].clone()
    }];
    let text = svg(&chart).unwrap();
    assert!(text.contains("#009E73") && !text.contains("#0072B2"));
}

/// A heatmap: cells coloured on one scale, each labelled, check marks on marked cells.
#[test]
fn heatmaps_label_every_cell() {
    let h = Heatmap {
        title: "p95 wait by nodes and horizon".into(),
        x_label: "nodes".into(),
        y_label: "horizon".into(),
        columns: vec!["8".into(), "16".into()],
        rows: vec!["6h".into(), "12h".into()],
        panels: vec![Panel {
            title: "volcano".into(),
            cells: vec![vec![Some(1.0), Some(2.0)], vec![None, Some(4.0)]],
            labels: vec![vec!["1 s".into(), "2 s".into()], vec!["-".into(), "4 s".into()]],
            marked: vec![vec![false, true], vec![false, false]],
        }],
    };
    let text = heatmap_svg(&h).unwrap();
    check_svg(&text);
    for label in ["1 s", "2 s \u{2713}", "4 s", "volcano", "nodes", "horizon", "12h"] {
        assert!(text.contains(&format!(">\n{label}\n</text>")), "{label}");
    }
    // The lowest value is the scale's first colour, the highest its last.
    assert!(text.contains("#440154") && text.contains("#FDE725"));
    assert!(heatmap_png(&h).unwrap().starts_with(&PNG_SIGNATURE));
}
