//! Screenshots: trust the bytes, not the name. Accepts JPEG, PNG, WebP and GIF (first frame);
//! refuses anything else, a damaged file, or a header claiming more than 40 megapixels before
//! decoding a pixel. What is kept has its EXIF orientation applied and every metadata block
//! (GPS position, camera serial, time) removed; it is at most 2,048 px on its longest side; a
//! 320 px thumbnail goes with it.
//!
//! Each upload does only the work it needs: an upright JPEG or PNG that is small enough is kept
//! as sent with its metadata segments cut out (lossless, no decode of the stored copy); pixels
//! are turned only when EXIF says so; a JPEG thumbnail comes from a DCT-scaled decode (an eighth
//! to a half of the work of a full one, by libjpeg-turbo's SIMD decoder).
//!
//! All of it is CPU work: `process` runs on the blocking pool, at most one per core at once, so a
//! burst of uploads queues instead of taking the server's memory.
use crate::domain::Reason;
use bytes::Bytes;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// Longest side of a stored screenshot.
pub const MAX_SIDE: u32 = 2048;
/// Longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
/// Headers claiming more pixels than this are refused before decoding (no decompression bombs).
pub const MAX_MEGAPIXELS: u32 = 40;
const STORED_QUALITY: u8 = 85;
const THUMB_QUALITY: u8 = 75;

#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Bytes,
    /// SHA-256 of `bytes` in hex: the blob's key (computed here, off the async runtime).
    pub key: String,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
}

impl Encoded {
    fn new(bytes: impl Into<Bytes>, media_type: &'static str, width: u32, height: u32) -> Encoded {
        use sha2::{Digest, Sha256};
        let bytes = bytes.into();
        Encoded {
            key: hex::encode(Sha256::digest(&bytes)),
            bytes,
            media_type,
            width,
            height,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Processed {
    pub image: Encoded,
    pub thumb: Encoded,
}

/// How many images are decoded or encoded at once: one per core.
static WORKERS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2),
    ))
});

/// `process`, off the async runtime and bounded. The permit goes with the work: a client that
/// hangs up does not free a slot while its picture is still being decoded.
pub async fn process_bounded(bytes: Bytes) -> Result<Result<Processed, Reason>, crate::AppError> {
    let permit = WORKERS
        .clone()
        .acquire_owned()
        .await
        .map_err(crate::server::infra::error::internal)?;
    Ok(tokio::task::spawn_blocking(move || {
        let _permit = permit;
        process(&bytes)
    })
    .await?)
}

pub fn process(bytes: &[u8]) -> Result<Processed, Reason> {
    let format = image::guess_format(bytes).map_err(|_| Reason::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(Reason::NotAnImage);
    }
    let (width, height) = reader(bytes, format)
        .into_dimensions()
        .map_err(|_| Reason::DamagedImage)?;
    if u64::from(width) * u64::from(height) > u64::from(MAX_MEGAPIXELS) * 1_000_000 {
        return Err(Reason::TooManyPixels {
            max_mp: MAX_MEGAPIXELS,
        });
    }
    if width == 0 || height == 0 {
        return Err(Reason::DamagedImage);
    }
    let mut decoder = reader(bytes, format)
        .into_decoder()
        .map_err(|_| Reason::DamagedImage)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let upright = orientation == Orientation::NoTransforms;
    let fits = width.max(height) <= MAX_SIDE;
    match format {
        ImageFormat::Jpeg => {
            // Everything after the end-of-image marker (MPF depth maps with their own EXIF,
            // motion-photo videos, vendor trailers) is cut off; a file without one is damaged.
            let end = jpeg_end(bytes).ok_or(Reason::DamagedImage)?;
            let bytes = &bytes[..end];
            if upright && fits {
                let thumb = match scaled_jpeg(bytes, THUMB_SIDE)? {
                    Some(scaled) => scaled?,
                    None => shrink(full_decode(decoder)?, THUMB_SIDE)?,
                };
                let image = Encoded::new(strip_jpeg(bytes)?, "image/jpeg", width, height);
                Ok(Processed {
                    image,
                    thumb: encode(&thumb, THUMB_QUALITY)?,
                })
            } else {
                // Pixels must change: one decode (DCT-scaled when large), turned, shrunk; the
                // thumbnail comes from that.
                let decoded = match scaled_jpeg(bytes, MAX_SIDE)? {
                    Some(scaled) => scaled?,
                    None => full_decode(
                        reader(bytes, format)
                            .into_decoder()
                            .map_err(|_| Reason::DamagedImage)?,
                    )?,
                };
                let stored = oriented(shrink(decoded, MAX_SIDE)?, orientation);
                let thumb = encode(&shrink(stored.clone(), THUMB_SIDE)?, THUMB_QUALITY)?;
                Ok(Processed {
                    image: encode(&stored, STORED_QUALITY)?,
                    thumb,
                })
            }
        }
        _ => {
            // PNG, WebP, GIF: one full decode (which also proves the file whole).
            let decoded = oriented(full_decode(decoder)?, orientation);
            let image = if format == ImageFormat::Png && upright && fits {
                Encoded::new(strip_png(bytes)?, "image/png", width, height)
            } else {
                encode(&shrink(decoded.clone(), MAX_SIDE)?, STORED_QUALITY)?
            };
            let thumb = encode(&shrink(decoded, THUMB_SIDE)?, THUMB_QUALITY)?;
            Ok(Processed { image, thumb })
        }
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Dimensions were checked against MAX_MEGAPIXELS first; this bounds what a decoder may
    // allocate all the same (40 MP of RGBA is 160 MB).
    let mut limits = Limits::default();
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader
}

fn full_decode(decoder: impl ImageDecoder) -> Result<DynamicImage, Reason> {
    DynamicImage::from_decoder(decoder).map_err(|_| Reason::DamagedImage)
}

fn oriented(mut image: DynamicImage, orientation: Orientation) -> DynamicImage {
    image.apply_orientation(orientation);
    image
}

/// At most `side` on the longest side (never enlarged), by fast_image_resize's SIMD bilinear
/// convolution (`image`'s own filters cost several times more); pixel types it lacks go
/// through `image`.
fn shrink(image: DynamicImage, side: u32) -> Result<DynamicImage, Reason> {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let (w, h) = (image.width(), image.height());
    if w.max(h) <= side {
        return Ok(image);
    }
    let scale = f64::from(side) / f64::from(w.max(h));
    let fit = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, side);
    let mut out = DynamicImage::new(fit(w), fit(h), image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    match Resizer::new().resize(&image, &mut out, &options) {
        Ok(()) => Ok(out),
        Err(_) => Ok(image.resize(side, side, image::imageops::FilterType::Triangle)),
    }
}

/// JPEG for opaque images, PNG when transparency matters.
fn encode(image: &DynamicImage, quality: u8) -> Result<Encoded, Reason> {
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    let transparent = image.color().has_alpha() && image.to_rgba8().pixels().any(|p| p.0[3] < 255);
    let media_type = if transparent {
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|_| Reason::DamagedImage)?;
        "image/png"
    } else {
        // jpeg-encoder (SIMD) rather than `image`'s encoder: the same JPEG for a fraction of the
        // time. Stored images are at most 2,048 px, inside its u16 sides.
        let (w, h) = (
            u16::try_from(width).map_err(|_| Reason::TooManyPixels {
                max_mp: MAX_MEGAPIXELS,
            })?,
            u16::try_from(height).map_err(|_| Reason::TooManyPixels {
                max_mp: MAX_MEGAPIXELS,
            })?,
        );
        let rgb = match image {
            DynamicImage::ImageRgb8(rgb) => std::borrow::Cow::Borrowed(rgb),
            other => std::borrow::Cow::Owned(other.to_rgb8()),
        };
        jpeg_encoder::Encoder::new(&mut out, quality)
            .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
            .map_err(|_| Reason::DamagedImage)?;
        "image/jpeg"
    };
    Ok(Encoded::new(out, media_type, width, height))
}

/// A JPEG decoded by libjpeg-turbo at the smallest DCT scale (n/8) that still covers `side`,
/// then brought to exactly `side`. `None` when it is CMYK (libjpeg-turbo does not turn that into
/// RGB): the caller decodes in full.
fn scaled_jpeg(bytes: &[u8], side: u32) -> Result<Option<Result<DynamicImage, Reason>>, Reason> {
    use turbojpeg::{Colorspace, Decompressor, Image, PixelFormat, ScalingFactor};
    let damaged = |_| Reason::DamagedImage;
    let mut decompressor = Decompressor::new().map_err(damaged)?;
    // A progressive JPEG can hold thousands of tiny scans to make decoding crawl.
    decompressor.set_scan_limit(500).map_err(damaged)?;
    let header = decompressor.read_header(bytes).map_err(damaged)?;
    let format = match header.colorspace {
        Colorspace::Gray => PixelFormat::GRAY,
        Colorspace::YCbCr | Colorspace::RGB => PixelFormat::RGB,
        Colorspace::CMYK | Colorspace::YCCK => return Ok(None),
    };
    let longest = header.width.max(header.height);
    let side = side as usize;
    let eighths = (1..=8)
        .find(|n| ScalingFactor::new(*n, 8).scale(longest) >= side)
        .unwrap_or(8);
    let factor = ScalingFactor::new(eighths, 8);
    decompressor.set_scaling_factor(factor).map_err(damaged)?;
    let scaled = header.scaled(factor);
    let pitch = scaled.width * format.size();
    let mut pixels = vec![0; pitch * scaled.height];
    let target = Image {
        pixels: pixels.as_mut_slice(),
        width: scaled.width,
        pitch,
        height: scaled.height,
        format,
    };
    decompressor.decompress(bytes, target).map_err(damaged)?;
    let side_u32 = |v: usize| u32::try_from(v).map_err(|_| Reason::DamagedImage);
    let (w, h) = (side_u32(scaled.width)?, side_u32(scaled.height)?);
    let image = match format {
        PixelFormat::GRAY => image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8),
        _ => image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
    };
    // The scaled decode did most of the shrinking; the rest is a small resize.
    Ok(Some(
        image
            .ok_or(Reason::DamagedImage)
            .and_then(|i| shrink(i, side as u32)),
    ))
}

/// Where a JPEG ends: just after the end-of-image marker of its own scans. The marker segments
/// are stepped over by their lengths, so the complete JPEG a camera embeds as its EXIF thumbnail
/// (IFD1, inside APP1, with its own SOS and EOI) is never mistaken for the picture's; a scan's
/// entropy-coded data runs to the next real marker (a data `FF` is stuffed as `FF 00`, `FF D0`–
/// `FF D7` are restarts), and a progressive file's further tables and scans follow. What comes
/// after EOI (an MPF secondary image, a motion photo's video) is not part of it. A file cut
/// short, or not a JPEG, has no end (`None`: damaged).
fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        // Stray bytes between segments (some encoders leave them; decoders skip them) are
        // skipped to the next marker.
        at += bytes.get(at..)?.iter().position(|b| *b == 0xFF)?;
        // A marker may be preceded by any number of fill bytes.
        while *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at + 1)?;
        at += 2;
        match marker {
            0xD9 => return Some(at),
            // Markers without a length (a stray start-of-image too).
            0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        if length < 2 {
            return None;
        }
        at = at.checked_add(length).filter(|end| *end <= bytes.len())?;
        if marker == 0xDA {
            loop {
                at += bytes.get(at..)?.iter().position(|b| *b == 0xFF)?;
                match *bytes.get(at + 1)? {
                    0x00 | 0xD0..=0xD7 => at += 2,
                    0xFF => at += 1,
                    _ => break,
                }
            }
        }
    }
}

/// Keeps what decoding needs (JFIF, the ICC colour profile, Adobe's colour transform) and drops
/// every other application segment (EXIF with GPS and serials, XMP, IPTC, maker notes) and
/// comments. The image data is untouched.
fn strip_jpeg(bytes: &[u8]) -> Result<Bytes, Reason> {
    use img_parts::jpeg::{markers, Jpeg};
    let mut jpeg =
        Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| Reason::DamagedImage)?;
    jpeg.segments_mut()
        .retain(|segment| match segment.marker() {
            markers::APP0 | markers::APP14 => true,
            markers::APP2 => segment.contents().starts_with(b"ICC_PROFILE\0"),
            markers::APP1 | markers::APP3..=markers::APP13 | markers::APP15 | markers::COM => false,
            _ => true,
        });
    Ok(jpeg.encoder().bytes())
}

/// Keeps only the chunks that make the picture (header, palette, pixels, transparency, colour)
/// and drops everything else: text, time, EXIF, provenance and private chunks, animation frames
/// after the first. Pixels untouched.
fn strip_png(bytes: &[u8]) -> Result<Bytes, Reason> {
    use img_parts::png::Png;
    let mut png =
        Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| Reason::DamagedImage)?;
    png.chunks_mut().retain(|chunk| {
        matches!(
            &chunk.kind(),
            b"IHDR"
                | b"PLTE"
                | b"IDAT"
                | b"IEND"
                | b"tRNS"
                | b"gAMA"
                | b"cHRM"
                | b"sRGB"
                | b"iCCP"
                | b"sBIT"
                | b"pHYs"
        )
    });
    Ok(png.encoder().bytes())
}

#[cfg(test)]
mod tests {
    use super::jpeg_end;

    /// A segment: marker, big-endian length (with its own two bytes), payload.
    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend(((payload.len() + 2) as u16).to_be_bytes());
        out.extend(payload);
        out
    }

    /// SOI, then `segments`, then a scan whose data has a stuffed FF and a restart, then EOI.
    fn jpeg(segments: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for s in segments {
            out.extend(s);
        }
        out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        out.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn the_end_is_found_past_an_embedded_thumbnail_and_before_trailers() {
        // An EXIF block holding a complete JPEG of its own (SOS, EOI): stepped over.
        let thumbnail = jpeg(&[]);
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(&thumbnail);
        let file = jpeg(&[segment(0xE1, &exif), segment(0xDB, &[0; 65])]);
        assert_eq!(jpeg_end(&file), Some(file.len()));
        // What follows the picture (an MPF image, a video) is not part of it.
        let mut with_trailer = file.clone();
        with_trailer.extend(&thumbnail);
        assert_eq!(jpeg_end(&with_trailer), Some(file.len()));
    }

    #[test]
    fn fill_bytes_stray_bytes_and_a_progressive_files_scans_are_read_through() {
        let mut file = vec![0xFF, 0xD8, 0xFF, 0xFF];
        file.extend(segment(0xE0, b"JFIF\0"));
        file.extend([0x00, 0x00]); // stray bytes between segments
        file.extend(segment(0xDB, &[0; 65]));
        file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        file.extend([0x01, 0x02]);
        file.extend(segment(0xC4, &[0; 20])); // tables between the scans of a progressive file
        file.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        file.extend([0x03, 0xFF, 0x00]);
        file.extend([0xFF, 0xD9]);
        assert_eq!(jpeg_end(&file), Some(file.len()));
    }

    #[test]
    fn a_file_cut_short_or_not_a_jpeg_has_no_end() {
        let file = jpeg(&[segment(0xE1, &[0; 40])]);
        for cut in [3, 10, 30, file.len() - 1] {
            assert_eq!(jpeg_end(&file[..cut]), None, "cut at {cut}");
        }
        assert_eq!(jpeg_end(b"\x89PNG\r\n"), None);
        // A length running past the end.
        assert_eq!(jpeg_end(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]), None);
    }
}
