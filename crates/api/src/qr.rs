//! QR codes of referral links (T2): a text (a link's URL) drawn as SVG, PNG or JPEG at a
//! requested size, black on white, with error correction level M (a code still reads
//! with about 15 % of it damaged) and a quiet zone of 4 modules.
//!
//! Pure and CPU-bound (a 2048 px PNG is milliseconds of work): handlers run it on the
//! blocking pool ([`crate::state::AppState::cpu`]).
//!
//! The SVG scales the modules to fill its viewBox exactly. The pixel formats draw every
//! module with the same whole number of pixels, the largest that fits, and centre the
//! code in the image: the quiet zone is then 4 modules plus the few pixels left over
//! (fewer than one module per side), and no module is a pixel wider than its neighbours,
//! which printers and cameras both prefer.

use std::fmt::Write as _;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use qrcode::{Color, EcLevel, QrCode};

/// Smallest image side asked for, in pixels.
pub const MIN_SIZE: u32 = 128;
/// Largest image side asked for, in pixels.
pub const MAX_SIZE: u32 = 2048;
/// The side when none is asked for.
pub const DEFAULT_SIZE: u32 = 512;
/// Light modules around the code, on each side.
pub const QUIET_ZONE: usize = 4;
/// JPEG quality (of 100): sharp module edges at a fraction of the PNG's pixels' cost.
pub const JPEG_QUALITY: u8 = 90;

const DARK: u8 = 0;
const LIGHT: u8 = 255;

/// The file formats a QR code is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Svg,
    Png,
    Jpeg,
}

impl Format {
    /// The media type of the format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Svg => "image/svg+xml",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }
}

/// Why a QR code could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// Over the 2331 bytes a level-M code holds.
    #[error("a text of {0} bytes is too long for a QR code")]
    TooLong(usize),
    #[error("encoding the QR code's image failed")]
    Encode(#[from] image::ImageError),
}

/// A text's QR code: its modules, quiet zone included, row by row.
#[derive(Debug, Clone)]
pub struct Qr {
    /// Modules per side, quiet zone included.
    side: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// The QR code of `text` at level M, in the smallest version that holds it.
    pub fn new(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text, EcLevel::M)
            .map_err(|_| QrError::TooLong(text.len()))?;
        let width = code.width();
        let side = width + 2 * QUIET_ZONE;
        let mut dark = vec![false; side * side];
        for (i, color) in code.into_colors().into_iter().enumerate() {
            let (x, y) = (i % width, i / width);
            dark[(y + QUIET_ZONE) * side + x + QUIET_ZONE] = color == Color::Dark;
        }
        Ok(Self { side, dark })
    }

    /// Modules per side, quiet zone included.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Whether the module in column `x`, row `y` (quiet zone included) is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.side && y < self.side && self.dark[y * self.side + x]
    }

    /// The code in `format`, `size` pixels (SVG: viewBox units) a side.
    pub fn render(&self, format: Format, size: u32) -> Result<Vec<u8>, QrError> {
        match format {
            Format::Svg => Ok(self.svg(size).into_bytes()),
            Format::Png => self.png(size),
            Format::Jpeg => self.jpeg(size),
        }
    }

    /// An SVG document `size` units a side (`width`, `height` and `viewBox`): a white
    /// square and one path of the dark modules, one rectangle per horizontal run, scaled
    /// from module units to fill it.
    pub fn svg(&self, size: u32) -> String {
        let scale = f64::from(size) / self.side as f64;
        let mut d = String::new();
        for y in 0..self.side {
            let mut x = 0;
            while x < self.side {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                // Writing to a String cannot fail.
                let _ = write!(d, "M{start} {y}h{run}v1h-{run}z");
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" \
             viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
             <path fill=\"#000\" transform=\"scale({scale})\" d=\"{d}\"/></svg>\n"
        )
    }

    /// The code as `size` × `size` grey pixels (0 black, 255 white), row by row: each
    /// module the same whole number of pixels, centred (see the module's documentation).
    /// Below one pixel a module (a code of over `size` modules, so a text of about a
    /// kilobyte at 128 px) pixels take the nearest module instead.
    pub fn pixels(&self, size: u32) -> Vec<u8> {
        let size = size as usize;
        let module = size / self.side;
        let (drawn, offset) = if module == 0 {
            (size, 0)
        } else {
            (module * self.side, (size - module * self.side) / 2)
        };
        let mut pixels = vec![LIGHT; size * size];
        let mut row = vec![LIGHT; size];
        let mut drawn_row = None;
        for py in offset..offset + drawn {
            let y = (py - offset) * self.side / drawn;
            if drawn_row != Some(y) {
                for (px, pixel) in row.iter_mut().enumerate().skip(offset).take(drawn) {
                    let x = (px - offset) * self.side / drawn;
                    *pixel = if self.is_dark(x, y) { DARK } else { LIGHT };
                }
                drawn_row = Some(y);
            }
            pixels[py * size..(py + 1) * size].copy_from_slice(&row);
        }
        pixels
    }

    /// A greyscale PNG `size` pixels a side.
    pub fn png(&self, size: u32) -> Result<Vec<u8>, QrError> {
        let mut out = Vec::new();
        // Measured at 2048 px (release build): the default level makes 9 KB in about 9 ms,
        // `Fast` 25 KB in 1 ms, `Best` saves 1 % more in half as much time again.
        PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
            .write_image(&self.pixels(size), size, size, ExtendedColorType::L8)?;
        Ok(out)
    }

    /// A greyscale JPEG `size` pixels a side, at quality [`JPEG_QUALITY`].
    pub fn jpeg(&self, size: u32) -> Result<Vec<u8>, QrError> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
            &self.pixels(size),
            size,
            size,
            ExtendedColorType::L8,
        )?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://portal.test/r/Ada-Spring";

    /// What a camera would read from `size` × `size` grey pixels.
    fn read(pixels: &[u8], size: usize) -> String {
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| pixels[y * size + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code in the image");
        grids[0].decode().unwrap().1
    }

    fn decoded(bytes: &[u8], format: image::ImageFormat) -> (u32, String) {
        let image = image::load_from_memory_with_format(bytes, format)
            .unwrap()
            .to_luma8();
        assert_eq!(image.width(), image.height());
        let size = image.width();
        (size, read(image.as_raw(), size as usize))
    }

    /// The squares of the SVG's path, in module units.
    fn svg_modules(svg: &str) -> Vec<(usize, usize)> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        let path = doc
            .descendants()
            .find(|n| n.has_tag_name("path"))
            .expect("a path");
        let mut modules = Vec::new();
        for run in path
            .attribute("d")
            .unwrap()
            .split('z')
            .filter(|r| !r.is_empty())
        {
            let (start, rest) = run.trim_start_matches('M').split_once('h').unwrap();
            let (x, y) = start.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let (len, back) = rest.split_once("v1h-").unwrap();
            assert_eq!(len, back, "each run is a closed rectangle one module high");
            for i in 0..len.parse::<usize>().unwrap() {
                modules.push((x + i, y));
            }
        }
        modules
    }

    #[test]
    fn a_url_makes_a_level_m_code_with_a_quiet_zone_of_four_modules() {
        let qr = Qr::new(URL).unwrap();
        let code = QrCode::with_error_correction_level(URL, EcLevel::M).unwrap();
        assert_eq!(code.error_correction_level(), EcLevel::M);
        assert_eq!(qr.side(), code.width() + 8);
        for i in 0..qr.side() {
            for edge in [
                0,
                1,
                2,
                3,
                qr.side() - 4,
                qr.side() - 3,
                qr.side() - 2,
                qr.side() - 1,
            ] {
                assert!(!qr.is_dark(i, edge) && !qr.is_dark(edge, i), "quiet zone");
            }
        }
        // The finder pattern's corner starts right inside the quiet zone.
        assert!(qr.is_dark(4, 4));
    }

    #[test]
    fn pixels_read_back_as_the_url_at_every_size() {
        let qr = Qr::new(URL).unwrap();
        for size in [MIN_SIZE, 200, DEFAULT_SIZE, 777] {
            let pixels = qr.pixels(size);
            assert_eq!(pixels.len(), (size * size) as usize);
            assert_eq!(read(&pixels, size as usize), URL, "{size} px");
        }
    }

    #[test]
    fn modules_are_whole_pixels_centred_in_the_image() {
        let qr = Qr::new(URL).unwrap();
        let size = 200_usize;
        let module = size / qr.side();
        let offset = (size - module * qr.side()) / 2;
        let pixels = qr.pixels(200);
        for y in 0..size {
            for x in 0..size {
                let inside = (offset..offset + module * qr.side()).contains(&x)
                    && (offset..offset + module * qr.side()).contains(&y);
                let dark = inside && qr.is_dark((x - offset) / module, (y - offset) / module);
                assert_eq!(pixels[y * size + x], if dark { DARK } else { LIGHT });
            }
        }
    }

    #[test]
    fn png_and_jpeg_decode_to_the_size_and_the_url() {
        let qr = Qr::new(URL).unwrap();
        let png = qr.render(Format::Png, 300).unwrap();
        assert_eq!(
            decoded(&png, image::ImageFormat::Png),
            (300, URL.to_owned())
        );
        let jpeg = qr.render(Format::Jpeg, 300).unwrap();
        assert_eq!(
            decoded(&jpeg, image::ImageFormat::Jpeg),
            (300, URL.to_owned())
        );
    }

    #[test]
    fn the_svg_is_well_formed_and_draws_exactly_the_dark_modules() {
        let qr = Qr::new(URL).unwrap();
        let svg = String::from_utf8(qr.render(Format::Svg, 640).unwrap()).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("viewBox"), Some("0 0 640 640"));
        assert_eq!(root.attribute("width"), Some("640"));

        let mut drawn = svg_modules(&svg);
        drawn.sort_unstable();
        let mut dark: Vec<(usize, usize)> = (0..qr.side())
            .flat_map(|y| (0..qr.side()).map(move |x| (x, y)))
            .filter(|&(x, y)| qr.is_dark(x, y))
            .collect();
        dark.sort_unstable();
        assert_eq!(drawn, dark);

        // Drawn as pixels, the same modules read back as the URL.
        let mut pixels = vec![LIGHT; qr.side() * qr.side() * 64];
        let side = qr.side() * 8;
        for (x, y) in drawn {
            for dy in 0..8 {
                for dx in 0..8 {
                    pixels[(y * 8 + dy) * side + x * 8 + dx] = DARK;
                }
            }
        }
        assert_eq!(read(&pixels, side), URL);
    }

    #[test]
    fn a_long_url_still_fills_the_image_exactly() {
        // 1201 bytes: version 29 at level M, 141 modules with the quiet zone: over 128 px.
        let long = format!("https://partners.example.com/r/{}", "x".repeat(1170));
        let qr = Qr::new(&long).unwrap();
        assert!(qr.side() > MIN_SIZE as usize);
        assert_eq!(qr.pixels(MIN_SIZE).len(), (MIN_SIZE * MIN_SIZE) as usize);
        assert_eq!(read(&qr.pixels(MAX_SIZE), MAX_SIZE as usize), long);
    }

    #[test]
    fn a_text_too_long_for_any_code_is_an_error() {
        assert!(matches!(
            Qr::new(&"x".repeat(3000)),
            Err(QrError::TooLong(3000))
        ));
    }
}
