//! Dense layers written straight into the SVG: one `<path>` per colour for quivers and
//! scatters, one embedded PNG for heatmaps, clipped to the plot area.

use super::Frame;
use base64::Engine;
use plotters::style::RGBColor;
use std::fmt::Write;

/// SVG markup clipped to one plot area.
pub struct Layer {
    clip: [f64; 4],
    body: String,
}

pub(super) fn anchor_colour(index: usize) -> RGBColor {
    RGBColor(1, 2, (3 + index).min(255) as u8)
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

impl Layer {
    /// An empty layer clipped to the plot area of `frame`.
    pub fn new(frame: &Frame) -> Self {
        Layer { clip: frame.pixels, body: String::new() }
    }

    /// Straight segments [(x0, y0, x1, y1)] in pixels, as one stroked path.
    pub fn segments(&mut self, segments: &[[f64; 4]], colour: RGBColor, width: f64) {
        if segments.is_empty() {
            return;
        }
        let mut d = String::with_capacity(segments.len() * 28);
        for s in segments {
            let _ = write!(d, "M{:.1} {:.1}L{:.1} {:.1}", s[0], s[1], s[2], s[3]);
        }
        let _ = write!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{width}" stroke-linecap="round"/>"#,
            hex(colour)
        );
    }

    /// Square dots of side `size` pixels centred on each point, as one filled path.
    pub fn dots(&mut self, points: &[(f64, f64)], colour: RGBColor, size: f64, opacity: f64) {
        if points.is_empty() {
            return;
        }
        let mut d = String::with_capacity(points.len() * 24);
        let h = size / 2.0;
        for &(x, y) in points {
            let _ = write!(d, "M{:.1} {:.1}h{size}v{size}h-{size}z", x - h, y - h);
        }
        let _ = write!(self.body, r#"<path d="{d}" fill="{}" fill-opacity="{opacity}"/>"#, hex(colour));
    }

    /// A `rows × cols` image (row 0 at the top) stretched over the pixel box, drawn without
    /// smoothing so every cell stays sharp at any zoom.
    // The box is four pixel numbers, as the SVG <image> it becomes takes them.
    #[allow(clippy::too_many_arguments)]
    pub fn image(
        &mut self,
        rows: usize,
        cols: usize,
        pixel: impl Fn(usize, usize) -> RGBColor,
        left: f64,
        top: f64,
        width: f64,
        height: f64,
    ) {
        if rows == 0 || cols == 0 {
            return;
        }
        let mut data = Vec::with_capacity(rows * cols * 3);
        for r in 0..rows {
            for c in 0..cols {
                let p = pixel(r, c);
                data.extend_from_slice(&[p.0, p.1, p.2]);
            }
        }
        let mut png_bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png_bytes, cols as u32, rows as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let ok = enc.write_header().and_then(|mut w| w.write_image_data(&data));
            if ok.is_err() {
                return;
            }
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png_bytes);
        let _ = write!(
            self.body,
            r#"<image x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{height:.1}" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" href="data:image/png;base64,{b64}"/>"#
        );
    }
}

/// Replaces the anchor markers drawn by `layer_anchor` with the layers.
pub(super) fn splice(mut svg: String, layers: &[Layer]) -> String {
    for (i, layer) in layers.iter().enumerate() {
        let marker = format!(r#"fill="{}""#, hex(anchor_colour(i)));
        let Some(at) = svg.find(&marker) else { continue };
        let start = svg[..at].rfind("<circle").unwrap_or(at);
        let end = svg[at..].find("/>").map(|e| at + e + 2).unwrap_or(at);
        let [l, t, r, b] = layer.clip;
        let clip = format!("clip{i}");
        let markup = format!(
            r#"<clipPath id="{clip}"><rect x="{l}" y="{t}" width="{}" height="{}"/></clipPath><g clip-path="url(#{clip})">{}</g>"#,
            (r - l).max(0.0),
            (b - t).max(0.0),
            layer.body
        );
        svg.replace_range(start..end, &markup);
    }
    svg
}
