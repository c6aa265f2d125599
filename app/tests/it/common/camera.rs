//! JPEG files as phone cameras and print workflows write them, for the screenshot pipeline's
//! tests: EXIF with a thumbnail (a complete JPEG inside the metadata), XMP, an ICC profile, MPF
//! secondary images after the end-of-image marker, progressive and CMYK variants.
//!
//! The pictures are top half red, bottom half blue (with a little noise), so orientation shows.
//! Every file carries identifying strings (`SERIAL`, `XMP_SERIAL`, `SECONDARY_SERIAL`) that a
//! test can look for in what was stored (`contains`).
#![allow(dead_code)] // Each test binary uses its own part of the harness.

use image::{GrayImage, Luma, Rgb, RgbImage};
use jpeg_encoder::{ColorType, Encoder};

/// The camera serial number in every EXIF block built here (tag 0xA431, BodySerialNumber).
pub const SERIAL: &str = "SN-CAMERA-0042";
/// The camera serial number in the XMP packet.
pub const XMP_SERIAL: &str = "SN-XMP-7731";
/// The serial number in the EXIF block of the MPF secondary image.
pub const SECONDARY_SERIAL: &str = "SN-SECONDARY-99";
const QUALITY: u8 = 85; // Below 90: jpeg-encoder subsamples chroma 4:2:0, as phones do.
const THUMB: (u32, u32) = (160, 120);

/// An iPhone photo: right after the start-of-image marker (no JFIF header, as phones write it),
/// an EXIF block (Make, Model, `orientation`, a capture time and `SERIAL` in the Exif sub-IFD, a
/// GPS position 39°54'N, and in IFD1 a complete 160 × 120 JPEG thumbnail, its own SOI…SOS…EOI),
/// then XMP (GPS position and `XMP_SERIAL`), then an ICC colour profile; then a baseline 4:2:0
/// YCbCr picture.
pub fn phone_photo(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let jpeg = encode(
        picture(width, height).as_raw(),
        width,
        height,
        ColorType::Rgb,
        false,
    );
    let thumb = thumbnail();
    let exif = exif_segment(orientation, SERIAL, Some(&thumb[..]));
    assemble(&[exif, xmp_segment(), icc_segment()], &jpeg)
}

/// A progressive JPEG (four scans, by jpeg-encoder), as photo editors and web exporters save it,
/// with the same EXIF block as `phone_photo` (upright, with its thumbnail).
pub fn progressive_photo(width: u32, height: u32) -> Vec<u8> {
    let jpeg = encode(
        picture(width, height).as_raw(),
        width,
        height,
        ColorType::Rgb,
        true,
    );
    let thumb = thumbnail();
    assemble(&[exif_segment(1, SERIAL, Some(&thumb[..]))], &jpeg)
}

/// A CMYK JPEG as Photoshop writes it for print: four components, an Adobe APP14 segment with
/// colour transform 0 (CMYK stored as is, no YCCK) and inverted samples (255 − ink), both done by
/// jpeg-encoder itself for `ColorType::Cmyk`; plus the EXIF block of `phone_photo` (upright).
/// No ink is black (K = 0), so a decoder's plain CMYK → RGB gives the red and blue back.
pub fn cmyk_photo(width: u32, height: u32) -> Vec<u8> {
    let rgb = picture(width, height);
    let cmyk: Vec<u8> = rgb
        .pixels()
        .flat_map(|&Rgb([r, g, b])| [255 - r, 255 - g, 255 - b, 0])
        .collect();
    let jpeg = encode(&cmyk, width, height, ColorType::Cmyk, false);
    let thumb = thumbnail();
    assemble(&[exif_segment(1, SERIAL, Some(&thumb[..]))], &jpeg)
}

/// What Samsung and iPhone cameras do with depth maps and HDR gain maps: an APP2 "MPF" segment
/// (CIPA DC-007 Multi-Picture Format, a big-endian TIFF structure with an MP Index IFD) right after
/// `primary`'s EXIF segment, listing two images, and the second one (a 640 × 480 grey "depth map"
/// with its own EXIF block carrying `SECONDARY_SERIAL`) appended after `primary`'s end-of-image
/// marker. `primary` must end with its end-of-image marker.
pub fn with_mpf_secondary(primary: &[u8]) -> Vec<u8> {
    assert!(
        primary.ends_with(&[0xFF, 0xD9]),
        "the primary image ends with EOI"
    );
    let depth = GrayImage::from_fn(640, 480, |x, y| Luma([((x + y) / 5) as u8]));
    let secondary = assemble(
        &[exif_segment(1, SECONDARY_SERIAL, None)],
        &encode(depth.as_raw(), 640, 480, ColorType::Luma, false),
    );
    let insert_at = segment_end(primary, 0xE1, b"Exif\0\0").unwrap_or(2);
    let mpf = |first_size: u32, second_offset: u32| {
        // MP Entries: attribute, size, offset (0 for the first image), two dependent-image entry
        // numbers. 0x2003_0000: representative image, JPEG, Baseline MP Primary Image;
        // 0: JPEG, type undefined (what phones give depth and gain maps).
        let mut entries: Vec<u8> = Vec::new();
        for (attribute, size, offset) in [
            (0x2003_0000, first_size, 0),
            (0, len32(&secondary), second_offset),
        ] {
            entries.extend([BIG.u32(attribute), BIG.u32(size), BIG.u32(offset), [0; 4]].concat());
        }
        let index = [
            undefined(0xB000, b"0100".to_vec()), // MPFVersion
            BIG.long(0xB001, 2),                 // NumberOfImages
            undefined(0xB002, entries),          // MPEntry
        ];
        let mut tiff = BIG.header().to_vec();
        put_ifd(&mut tiff, BIG, &index, 0);
        segment(0xE2, &[&b"MPF\0"[..], &tiff[..]])
    };
    // The segment's length does not depend on the values inside it.
    let first_size = primary.len() + mpf(0, 0).len();
    // Offsets count from the MPF TIFF header: after the marker, the length and "MPF\0".
    let tiff_at = insert_at + 4 + 4;
    let mpf_segment = mpf(first_size as u32, (first_size - tiff_at) as u32);
    [
        &primary[..insert_at],
        &mpf_segment[..],
        &primary[insert_at..],
        &secondary[..],
    ]
    .concat()
}

/// Whether `needle` occurs in `haystack` (an empty needle always does).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

// ---------- pictures ----------

/// Top half red, bottom half blue, with a little noise (like `jpeg` in reports.rs).
fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let noise = ((x * 7 + y * 13) % 17) as u8;
        if y < height / 2 {
            Rgb([220, 30 + noise, 30])
        } else {
            Rgb([30, 40 + noise, 220])
        }
    })
}

/// The EXIF thumbnail as cameras store it: a bare JPEG (SOI, tables, frame, scan, EOI; no JFIF).
fn thumbnail() -> Vec<u8> {
    let (w, h) = THUMB;
    assemble(
        &[],
        &encode(picture(w, h).as_raw(), w, h, ColorType::Rgb, false),
    )
}

/// A complete JPEG by jpeg-encoder (SOI, JFIF APP0, [Adobe APP14 for CMYK], tables, scans, EOI).
fn encode(pixels: &[u8], width: u32, height: u32, color: ColorType, progressive: bool) -> Vec<u8> {
    let side = |v: u32| u16::try_from(v).expect("jpeg-encoder takes sides up to 65,535");
    let mut out: Vec<u8> = Vec::new();
    let mut encoder = Encoder::new(&mut out, QUALITY);
    encoder.set_progressive(progressive);
    encoder
        .encode(pixels, side(width), side(height), color)
        .expect("jpeg-encoder encodes");
    out
}

// ---------- JPEG segments ----------

/// SOI, then `segments`, then `jpeg` without its SOI and JFIF header.
fn assemble(segments: &[Vec<u8>], jpeg: &[u8]) -> Vec<u8> {
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG starts with SOI");
    let body = segment_end(jpeg, 0xE0, b"JFIF\0").unwrap_or(2);
    [&[0xFFu8, 0xD8][..], &segments.concat()[..], &jpeg[body..]].concat()
}

/// A marker segment: FF, `marker`, a big-endian length counting itself, then `parts`.
fn segment(marker: u8, parts: &[&[u8]]) -> Vec<u8> {
    let contents = parts.concat();
    let length = u16::try_from(contents.len() + 2).expect("a segment holds at most 65,533 bytes");
    [
        &[0xFF, marker][..],
        &length.to_be_bytes()[..],
        &contents[..],
    ]
    .concat()
}

/// Where the first segment with `marker` whose contents start with `signature` ends, walking the
/// segments by their lengths (so nothing inside them is taken for a marker) up to the first scan.
fn segment_end(jpeg: &[u8], marker: u8, signature: &[u8]) -> Option<usize> {
    let mut at = 2;
    while jpeg.get(at) == Some(&0xFF) && jpeg.get(at + 1).is_some_and(|m| *m != 0xDA) {
        let end = at + 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if jpeg[at + 1] == marker && jpeg[at + 4..end].starts_with(signature) {
            return Some(end);
        }
        at = end;
    }
    None
}

/// APP1 EXIF as an iPhone writes it: "Exif\0\0" and a little-endian TIFF structure laid out as
/// header, IFD0, Exif sub-IFD, GPS IFD, then (with a thumbnail) IFD1 and the thumbnail's bytes.
/// Every offset counts from the TIFF header.
fn exif_segment(orientation: u16, serial: &str, thumbnail: Option<&[u8]>) -> Vec<u8> {
    let o = LITTLE;
    let ifd0 = |exif_at: u32, gps_at: u32| {
        [
            ascii(0x010F, "Apple"),       // Make
            ascii(0x0110, "iPhone 15"),   // Model
            o.short(0x0112, orientation), // Orientation
            o.long(0x8769, exif_at),      // ExifIFDPointer
            o.long(0x8825, gps_at),       // GPSInfoIFDPointer
        ]
    };
    let exif = [
        ascii(0x9003, "2024:05:01 09:30:00"), // DateTimeOriginal
        ascii(0xA431, serial),                // BodySerialNumber
    ];
    let gps = [
        ascii(0x0001, "N"),                               // GPSLatitudeRef
        o.rationals(0x0002, &[(39, 1), (54, 1), (0, 1)]), // GPSLatitude
    ];
    let ifd1 = |thumb_at: u32, thumb_len: u32| {
        [
            o.short(0x0103, 6),        // Compression: JPEG (old-style, as EXIF thumbnails are)
            o.long(0x0201, thumb_at),  // JPEGInterchangeFormat
            o.long(0x0202, thumb_len), // JPEGInterchangeFormatLength
        ]
    };
    // An IFD's size does not depend on the offsets inside it, so the layout comes first.
    let exif_at = 8 + ifd_size(o, &ifd0(0, 0));
    let gps_at = exif_at + ifd_size(o, &exif);
    let ifd1_at = gps_at + ifd_size(o, &gps);
    let mut tiff = o.header().to_vec();
    assert_eq!(
        put_ifd(
            &mut tiff,
            o,
            &ifd0(exif_at, gps_at),
            if thumbnail.is_some() { ifd1_at } else { 0 }
        ),
        8
    );
    assert_eq!(put_ifd(&mut tiff, o, &exif, 0), exif_at);
    assert_eq!(put_ifd(&mut tiff, o, &gps, 0), gps_at);
    if let Some(thumb) = thumbnail {
        let thumb_at = ifd1_at + ifd_size(o, &ifd1(0, 0));
        assert_eq!(
            put_ifd(&mut tiff, o, &ifd1(thumb_at, len32(thumb)), 0),
            ifd1_at
        );
        assert_eq!(len32(&tiff), thumb_at);
        tiff.extend_from_slice(thumb);
    }
    segment(0xE1, &[&b"Exif\0\0"[..], &tiff[..]])
}

/// APP1 XMP: the namespace, then a packet with a GPS position and a camera serial number.
fn xmp_segment() -> Vec<u8> {
    let packet = concat!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">",
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
        "<rdf:Description rdf:about=\"\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"",
        " xmlns:cam=\"http://ns.example.com/camera/1.0/\"",
        " exif:GPSLatitude=\"39,54.0N\" exif:GPSLongitude=\"116,23.0E\"",
        " exif:DateTimeOriginal=\"2024-05-01T09:30:00\" cam:CameraSerialNumber=\"SN-XMP-7731\"/>",
        "</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>",
    );
    segment(
        0xE1,
        &[&b"http://ns.adobe.com/xap/1.0/\0"[..], packet.as_bytes()],
    )
}

/// APP2 ICC_PROFILE: the signature, chunk 1 of 1, the profile.
fn icc_segment() -> Vec<u8> {
    segment(
        0xE2,
        &[&b"ICC_PROFILE\0"[..], &[1u8, 1][..], &icc_profile()[..]],
    )
}

/// A small well-formed ICC v2.1 display profile (RGB, XYZ connection space): the 128-byte header,
/// a tag table, and three tags (`desc` description, `wtpt` white point, `cprt` copyright), each
/// at a 4-byte boundary. Not a usable colour transform (no primaries or curves): decoders only
/// pass it along, and the pipeline only keeps or drops it.
fn icc_profile() -> Vec<u8> {
    const D50: [u32; 3] = [0x0000_F6D6, 0x0001_0000, 0x0000_D32D]; // s15Fixed16 0.9642, 1.0, 0.8249
    let d50: Vec<u8> = D50.iter().flat_map(|v| v.to_be_bytes()).collect();
    let name = b"Camera test RGB";
    let mut desc = b"desc\0\0\0\0".to_vec();
    desc.extend((name.len() as u32 + 1).to_be_bytes());
    desc.extend(name);
    desc.push(0);
    desc.extend([0u8; 4 + 4 + 2 + 1 + 67]); // Unicode language and count; ScriptCode code, count, text
    let tags = [
        (b"desc", desc),
        (b"wtpt", [&b"XYZ \0\0\0\0"[..], &d50[..]].concat()),
        (b"cprt", b"text\0\0\0\0No copyright, test data\0".to_vec()),
    ];
    let data_at = 128 + 4 + 12 * tags.len();
    let (mut table, mut data) = ((tags.len() as u32).to_be_bytes().to_vec(), Vec::<u8>::new());
    for (signature, body) in &tags {
        table.extend(*signature);
        table.extend(((data_at + data.len()) as u32).to_be_bytes());
        table.extend(len32(body).to_be_bytes());
        data.extend(body);
        data.resize(data.len().next_multiple_of(4), 0);
    }
    let mut header = ((data_at + data.len()) as u32).to_be_bytes().to_vec(); // profile size
    header.extend(b"lcms"); // preferred CMM
    header.extend(0x0210_0000u32.to_be_bytes()); // version 2.1
    header.extend(b"mntrRGB XYZ "); // class: display; colour space; connection space
    header.extend([0x07u8, 0xE8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]); // 2024-01-01 00:00:00
    header.extend(b"acspAPPL"); // file signature; primary platform
    header.extend([0u8; 24]); // flags, manufacturer, model, attributes (8), rendering intent 0
    header.extend(&d50); // connection-space illuminant
    header.extend(b"lcms"); // creator
    header.resize(128, 0); // profile ID (zero in v2) and reserved
    [header, table, data].concat()
}

// ---------- TIFF structures (EXIF, MPF) ----------

const LITTLE: Order = Order::Little;
const BIG: Order = Order::Big;

/// A TIFF structure's byte order ("II" or "MM").
#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        }
    }
    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        }
    }
    /// The 8-byte TIFF header, its first IFD right after it.
    fn header(self) -> [u8; 8] {
        let magic = match self {
            Order::Little => *b"II*\0",
            Order::Big => *b"MM\0*",
        };
        let [a, b, c, d] = self.u32(8);
        [magic[0], magic[1], magic[2], magic[3], a, b, c, d]
    }
    fn short(self, tag: u16, value: u16) -> Entry {
        Entry {
            tag,
            kind: 3,
            count: 1,
            data: self.u16(value).to_vec(),
        }
    }
    fn long(self, tag: u16, value: u32) -> Entry {
        Entry {
            tag,
            kind: 4,
            count: 1,
            data: self.u32(value).to_vec(),
        }
    }
    fn rationals(self, tag: u16, values: &[(u32, u32)]) -> Entry {
        let data = values
            .iter()
            .flat_map(|(n, d)| [self.u32(*n), self.u32(*d)].concat())
            .collect();
        Entry {
            tag,
            kind: 5,
            count: values.len() as u32,
            data,
        }
    }
}

/// One IFD entry; `data` is its value in the structure's byte order.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    data: Vec<u8>,
}

/// A NUL-terminated ASCII value (type 2).
fn ascii(tag: u16, text: &str) -> Entry {
    let data = [text.as_bytes(), &b"\0"[..]].concat();
    Entry {
        tag,
        kind: 2,
        count: len32(&data),
        data,
    }
}

/// An UNDEFINED value (type 7): bytes as they are.
fn undefined(tag: u16, data: Vec<u8>) -> Entry {
    Entry {
        tag,
        kind: 7,
        count: len32(&data),
        data,
    }
}

/// Appends an IFD (entries in the given order, which must be by ascending tag) at the end of
/// `tiff`, which starts with the TIFF header, so offsets are `tiff`'s indices: the entry count,
/// the 12-byte entries (values up to 4 bytes inline, left-justified), the next-IFD offset, then
/// the longer values, each at an even offset. Returns where the IFD starts.
fn put_ifd(tiff: &mut Vec<u8>, o: Order, entries: &[Entry], next: u32) -> u32 {
    let at = len32(tiff);
    let values_at = at + 2 + 12 * entries.len() as u32 + 4;
    let mut values: Vec<u8> = Vec::new();
    tiff.extend(o.u16(u16::try_from(entries.len()).unwrap()));
    for entry in entries {
        tiff.extend(o.u16(entry.tag));
        tiff.extend(o.u16(entry.kind));
        tiff.extend(o.u32(entry.count));
        if entry.data.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..entry.data.len()].copy_from_slice(&entry.data);
            tiff.extend(inline);
        } else {
            tiff.extend(o.u32(values_at + len32(&values)));
            values.extend(&entry.data);
            values.resize(values.len().next_multiple_of(2), 0);
        }
    }
    tiff.extend(o.u32(next));
    tiff.extend(values);
    at
}

/// How many bytes `put_ifd` writes for `entries` (the same whatever offsets they hold).
fn ifd_size(o: Order, entries: &[Entry]) -> u32 {
    let mut scratch: Vec<u8> = Vec::new();
    put_ifd(&mut scratch, o, entries, 0);
    len32(&scratch)
}

fn len32(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).unwrap()
}
