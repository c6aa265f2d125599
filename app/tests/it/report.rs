//! Reports with screenshots, through the real router and PostgreSQL (see `common`): the image
//! pipeline on real files, exactly-once filing, privacy of incidents and screenshots, the REST
//! API and follow-up messages.

use crate::common::{self, json, TestApp, DESCRIPTION};
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use reqwest::{header, multipart, Client, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::io::Cursor;

use app::domain::accounts::Role;

// ---------- real image files ----------

/// A photo-like JPEG: top half red, bottom half blue (so orientation shows).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let noise = ((x * 7 + y * 13) % 17) as u8;
        if y < height / 2 {
            Rgb([220, 30 + noise, 30])
        } else {
            Rgb([30, 40 + noise, 220])
        }
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .unwrap();
    out
}

/// An EXIF (APP1) segment as a camera writes it: an orientation, a camera serial number, and a
/// GPS position (39°54'N).
fn exif_segment(orientation: u16) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    // IFD0 at 8: 3 entries, then the next-IFD offset.
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    let ifd0_len = 2 + 3 * 12 + 4;
    let serial_at = 8 + ifd0_len as u32;
    let serial = b"SN-CAMERA-0042\0";
    let gps_at = serial_at + serial.len() as u32;
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, u32::from(orientation)));
    tiff.extend(entry(0xA431, 2, serial.len() as u32, serial_at));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(serial);
    // GPS IFD: latitude ref "N", latitude 39/1 54/1 0/1.
    let rationals_at = gps_at + 2 + 2 * 12 + 4;
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, rationals_at));
    tiff.extend(0u32.to_le_bytes());
    for (n, d) in [(39u32, 1u32), (54, 1), (0, 1)] {
        tiff.extend(n.to_le_bytes());
        tiff.extend(d.to_le_bytes());
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend(((payload.len() + 2) as u16).to_be_bytes());
    seg.extend(payload);
    seg
}

/// `jpeg` with an EXIF segment right after the start-of-image marker.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend(exif_segment(orientation));
    out.extend(&jpeg[2..]);
    out
}

/// A PNG whose header claims 50,000 × 50,000 pixels (a decompression bomb's calling card).
fn png_bomb_header() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(50_000u32.to_be_bytes());
    ihdr.extend(50_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    // A little compressed data: a real bomb is small on the wire (here, one stored deflate block).
    let mut idat = b"IDAT".to_vec();
    idat.extend([
        0x78, 0x01, 0x01, 0x05, 0x00, 0xFA, 0xFF, 0, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x01,
    ]);
    png.extend(((idat.len() - 4) as u32).to_be_bytes());
    png.extend(&idat);
    png.extend(crc32(&idat).to_be_bytes());
    png.extend([0, 0, 0, 0]);
    png.extend(b"IEND");
    png.extend(crc32(b"IEND").to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ---------- helpers ----------

fn incident_json() -> Value {
    json!({
        "customer": {"name": "张三", "customer_no": "310012345678", "id_type": "resident_id",
                     "id_number": "11010519491231002X", "phone": "13800135678"},
        "system": "trading", "channel": "app", "urgency": "urgent", "description": DESCRIPTION
    })
}

/// `POST /api/v1/incidents` with the JSON part and the given files.
async fn api_report(
    app: &TestApp,
    client: &Client,
    incident: &Value,
    files: &[(&str, Vec<u8>)],
    key: Option<&str>,
) -> Response {
    let mut form = multipart::Form::new().part(
        "incident",
        multipart::Part::text(incident.to_string())
            .mime_str("application/json")
            .unwrap(),
    );
    for (name, bytes) in files {
        form = form.part(
            "screenshots",
            multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let mut req = client.post(app.url("/api/v1/incidents")).multipart(form);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.expect("request")
}

async fn get_bytes(
    app: &TestApp,
    client: &Client,
    path: &str,
) -> (StatusCode, Vec<u8>, reqwest::header::HeaderMap) {
    let res = client.get(app.url(path)).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, res.bytes().await.unwrap().to_vec(), headers)
}

fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or("").into(),
                        f["code"].as_str().unwrap_or("").into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

// ---------- tests ----------

#[sqlx::test(migrations = false)]
async fn gps_and_camera_metadata_never_reach_the_store(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let photo = with_exif(&jpeg(1600, 1200), 1);
    assert!(
        photo.windows(4).any(|w| w == b"Exif") && photo.windows(14).any(|w| w == b"SN-CAMERA-0042")
    );
    let res = api_report(
        &app,
        &client,
        &incident_json(),
        &[("IMG_0001.JPG", photo)],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let incident = json(res).await;
    let shot = &incident["screenshots"][0];
    assert_eq!(
        (shot["width"].as_u64(), shot["height"].as_u64()),
        (Some(1600), Some(1200))
    );
    let (status, stored, headers) = get_bytes(&app, &client, shot["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("private"));
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "the EXIF block is gone"
    );
    assert!(
        !stored.windows(14).any(|w| w == b"SN-CAMERA-0042"),
        "the camera serial is gone"
    );
    // And what is on disk is exactly what is served: no other copy kept the metadata.
    for entry in walk(&app.blob_dir) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{entry:?} has EXIF"
        );
    }
    let (status, thumb, _) = get_bytes(&app, &client, shot["thumb_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!(thumb.dimensions(), (320, 240));
    // ID and phone numbers are masked in what the API shows.
    assert_eq!(
        incident["customer"]["id_number_masked"],
        "110105********002X"
    );
    assert_eq!(incident["customer"]["phone_masked"], "138****5678");
    assert!(!incident.to_string().contains("11010519491231002X"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

#[sqlx::test(migrations = false)]
async fn a_photo_rotated_by_exif_is_stored_upright(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    // Landscape pixels, "rotate 90° clockwise to view" (orientation 6), as phones save portraits.
    let photo = with_exif(&jpeg(400, 200), 6);
    let res = api_report(
        &app,
        &client,
        &incident_json(),
        &[("portrait.jpg", photo)],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let shot = json(res).await["screenshots"][0].clone();
    assert_eq!(
        (shot["width"].as_u64(), shot["height"].as_u64()),
        (Some(200), Some(400))
    );
    let (_, stored, _) = get_bytes(&app, &client, shot["url"].as_str().unwrap()).await;
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    let img = image::load_from_memory(&stored).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (200, 400));
    // Turned clockwise, the red top is now on the right, the blue bottom on the left.
    let (right, left) = (img.get_pixel(150, 200), img.get_pixel(50, 200));
    assert!(right[0] > 150 && right[2] < 100, "right is red: {right:?}");
    assert!(left[2] > 150 && left[0] < 100, "left is blue: {left:?}");
}

#[sqlx::test(migrations = false)]
async fn bad_files_are_refused_clearly_and_nothing_is_filed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let good = jpeg(800, 600);
    let truncated = good[..good.len() / 2].to_vec();
    for (name, bytes, code) in [
        ("bomb.png", png_bomb_header(), "too_many_pixels"),
        (
            "notes.jpg",
            "这不是图片，只是一段文字。".repeat(20).into_bytes(),
            "not_an_image",
        ),
        ("cut.jpg", truncated, "damaged_image"),
    ] {
        let res = api_report(&app, &client, &incident_json(), &[(name, bytes)], None).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body = json(res).await;
        assert_eq!(
            field_codes(&body),
            vec![("screenshots".to_string(), code.to_string())],
            "{name}"
        );
        let message = body["error"]["fields"][0]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && !message.contains("error"),
            "{message}"
        );
    }
    // 11 MB: refused while reading, with 413.
    let res = api_report(
        &app,
        &client,
        &incident_json(),
        &[("huge.jpg", vec![0xFF; 11 * 1024 * 1024])],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(res).await["error"]["code"], "too_large");
    // Ten files: one too many.
    let ten: Vec<(&str, Vec<u8>)> = (0..10).map(|_| ("p.jpg", jpeg(64, 48))).collect();
    let res = api_report(&app, &client, &incident_json(), &ten, None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&json(res).await),
        vec![("screenshots".to_string(), "too_many_files".to_string())]
    );
    assert_eq!(count(&app, "incidents").await, 0);
    // Wrong fields are named by their API keys, in the caller's language.
    let mut bad = incident_json();
    bad["customer"]["id_number"] = json!("110105194912310021");
    bad["system"] = json!("no_such_system");
    let res = client
        .post(app.url("/api/v1/incidents"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .multipart(multipart::Form::new().text("incident", bad.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(res).await;
    assert_eq!(
        field_codes(&body),
        vec![("customer.id_number".to_string(), "id_checksum".to_string())]
    );
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("check digit"),
        "{body}"
    );
    let mut unknown = incident_json();
    unknown["system"] = json!("no_such_system");
    let res = api_report(&app, &client, &unknown, &[], None).await;
    assert_eq!(
        field_codes(&json(res).await),
        vec![("system".to_string(), "unknown_value".to_string())]
    );
    assert_eq!(count(&app, "incidents").await, 0);
}

#[sqlx::test(migrations = false)]
async fn a_repeated_idempotency_key_returns_the_same_incident(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let key = uuid::Uuid::new_v4().to_string();
    let files = [("a.jpg", jpeg(1600, 1200)), ("b.jpg", jpeg(1200, 1600))];
    let first = api_report(&app, &client, &incident_json(), &files, Some(&key)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json(first).await;
    assert_eq!(first["screenshots"].as_array().unwrap().len(), 2);
    assert_eq!(first["version"], 1);
    assert_eq!(first["timeline"][0]["kind"], "submitted");
    let again = api_report(&app, &client, &incident_json(), &files, Some(&key)).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again = json(again).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["number"], first["number"]);
    assert_eq!(count(&app, "incidents").await, 1);
    assert_eq!(
        count(&app, "screenshots").await,
        2,
        "the retry's files were not even processed"
    );
    // The form's own path honours the same rule.
    let k2 = uuid::Uuid::new_v4().to_string();
    let a = app
        .report(&client, "李四", &k2)
        .await
        .json::<String>()
        .await
        .unwrap();
    let b = app
        .report(&client, "李四", &k2)
        .await
        .json::<String>()
        .await
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(count(&app, "incidents").await, 2);
    // A key that is not a UUID is refused, not ignored.
    let res = api_report(&app, &client, &incident_json(), &[], Some("again")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrations = false)]
async fn a_key_used_for_another_report_is_refused_not_answered_with_the_first(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    // The REST path: the same key with other fields, or other photos, is another report.
    let key = uuid::Uuid::new_v4().to_string();
    let photo = [("a.jpg", jpeg(800, 600))];
    let first = json(api_report(&app, &client, &incident_json(), &photo, Some(&key)).await).await;
    let mut other = incident_json();
    other["customer"]["name"] = json!("李四");
    for (incident, files) in [
        (other.clone(), photo.to_vec()),
        (incident_json(), vec![("a.jpg", jpeg(800, 601))]),
        (incident_json(), vec![]),
    ] {
        let res = api_report(&app, &client, &incident, &files, Some(&key)).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let body = json(res).await;
        assert_eq!(body["error"]["code"], "idempotency_key_reused", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(first["number"].as_str().unwrap()),
            "{body}"
        );
    }
    // The very same request again is a retry: the first incident.
    let again = api_report(&app, &client, &incident_json(), &photo, Some(&key)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(json(again).await["id"], first["id"]);
    assert_eq!(count(&app, "incidents").await, 1);

    // The form's path, as its script sends it: 409 with the error the page shows.
    let k2 = uuid::Uuid::new_v4().to_string();
    let filed = app
        .report(&client, "张三", &k2)
        .await
        .json::<String>()
        .await
        .unwrap();
    let res = app.report(&client, "王五", &k2).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let error: app::AppError = res.json().await.unwrap();
    assert_eq!(
        error,
        app::AppError::KeyReused {
            number: filed.clone()
        }
    );
    assert_eq!(count(&app, "incidents").await, 2);

    // And as a plain post (no JavaScript): back to the form with everything, photos included,
    // under a new key, so sending it again files it.
    let form = multipart::Form::new()
        .text("idempotency_key", k2.clone())
        .text("customer.name", "王五")
        .text("customer.customer_no", "310077")
        .text("system", "trading")
        .text("description", "客户委托下单时提示系统繁忙，已重试三次")
        .part(
            "screenshots",
            multipart::Part::bytes(jpeg(640, 480)).file_name("IMG_3001.JPG"),
        );
    let res = client
        .post(app.url("/api/incidents/create"))
        .header(header::ACCEPT, "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/report/new"), "{location}");
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&filed),
        "the page names the incident filed before"
    );
    assert!(
        page.contains("王五") && page.contains("系统繁忙"),
        "what was typed is kept"
    );
    let kept_id: i64 = sqlx::query_scalar("SELECT id FROM screenshots WHERE incident_id IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        page.contains(&format!(r#"name="kept_screenshot" value="{kept_id}""#)),
        "the photo is kept"
    );
    assert!(!page.contains(&k2), "a new key");
    assert_eq!(count(&app, "incidents").await, 2);
}

/// Photos as phone cameras write them: 12 MP, EXIF with GPS, a serial and a thumbnail (a
/// complete JPEG inside APP1), XMP, an ICC profile, an MPF secondary image after the picture,
/// progressive, CMYK. Each is accepted, stored upright, at most 2,048 px, and without metadata.
#[sqlx::test(migrations = false)]
async fn photos_as_phones_write_them_are_accepted_upright_and_bare(pool: PgPool) {
    use crate::common::camera::{self, contains};
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let cases: Vec<(&str, Vec<u8>, (u64, u64))> = vec![
        // Portrait, held upright: landscape pixels with "rotate 90° clockwise" (orientation 6).
        (
            "IMG_0001.JPG (12 MP, rotated)",
            camera::phone_photo(4032, 3024, 6),
            (1536, 2048),
        ),
        (
            "IMG_0002.JPG (MPF depth map appended)",
            camera::with_mpf_secondary(&camera::phone_photo(1600, 1200, 1)),
            (1600, 1200),
        ),
        (
            "export.jpg (progressive)",
            camera::progressive_photo(1600, 1200),
            (1600, 1200),
        ),
        ("print.jpg (CMYK)", camera::cmyk_photo(800, 600), (800, 600)),
    ];
    for (name, photo, (w, h)) in cases {
        assert!(
            contains(&photo, camera::SERIAL.as_bytes()),
            "{name}: the fixture carries its serial"
        );
        let res = api_report(&app, &client, &incident_json(), &[(name, photo)], None).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{name}: {}",
            res.text().await.unwrap_or_default()
        );
        let shot = json(res).await["screenshots"][0].clone();
        assert_eq!(
            (shot["width"].as_u64(), shot["height"].as_u64()),
            (Some(w), Some(h)),
            "{name}"
        );
        let (status, stored, _) = get_bytes(&app, &client, shot["url"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        for trace in [
            &b"Exif\0\0"[..],
            camera::SERIAL.as_bytes(),
            camera::XMP_SERIAL.as_bytes(),
            camera::SECONDARY_SERIAL.as_bytes(),
            b"http://ns.adobe.com/xap",
            b"MPF\0",
        ] {
            assert!(
                !contains(&stored, trace),
                "{name}: {} left in the stored file",
                String::from_utf8_lossy(trace)
            );
        }
        let img = image::load_from_memory(&stored).unwrap().to_rgb8();
        assert_eq!(
            (u64::from(img.width()), u64::from(img.height())),
            (w, h),
            "{name}"
        );
        // Upright: the red half is on top, or (turned clockwise) on the right.
        let (red, blue) = if w < h {
            (
                img.get_pixel(w as u32 * 3 / 4, h as u32 / 2),
                img.get_pixel(w as u32 / 4, h as u32 / 2),
            )
        } else {
            (
                img.get_pixel(w as u32 / 2, h as u32 / 4),
                img.get_pixel(w as u32 / 2, h as u32 * 3 / 4),
            )
        };
        assert!(
            red[0] > 150 && red[2] < 100,
            "{name}: red where the top was: {red:?}"
        );
        assert!(
            blue[2] > 150 && blue[0] < 100,
            "{name}: blue where the bottom was: {blue:?}"
        );
    }
    // The form without JavaScript takes them too (the path of a report sent before the script).
    let form = multipart::Form::new()
        .text("idempotency_key", uuid::Uuid::new_v4().to_string())
        .text("customer.name", "欧阳娜娜")
        .text("customer.customer_no", "310099")
        .text("system", "trading")
        .text("description", "客户开户时上传身份证照片一直提示失败")
        .part(
            "screenshots",
            multipart::Part::bytes(camera::with_mpf_secondary(&camera::phone_photo(
                4032, 3024, 6,
            )))
            .file_name("IMG_0003.JPG"),
        );
    let res = client
        .post(app.url("/api/incidents/create"))
        .header(header::ACCEPT, "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/report/submitted/"), "{location}");
}

#[sqlx::test(migrations = false)]
async fn incidents_and_screenshots_are_private_to_their_reporter_and_the_desk(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let common::People {
        agent: a,
        agent2: b,
        handler: h,
    } = app.people().await;
    let incident = json(
        api_report(
            &app,
            &a,
            &incident_json(),
            &[("a.jpg", jpeg(640, 480))],
            None,
        )
        .await,
    )
    .await;
    let id = incident["id"].as_i64().unwrap();
    let shot = incident["screenshots"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let thumb = incident["screenshots"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        format!("/api/v1/incidents/{id}"),
        shot.clone(),
        thumb.clone(),
    ] {
        let (status, body, _) = get_bytes(&app, &b, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("张三"));
        assert_eq!(
            get_bytes(&app, &app.client(), &path).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(get_bytes(&app, &a, &path).await.0, StatusCode::OK, "{path}");
        assert_eq!(get_bytes(&app, &h, &path).await.0, StatusCode::OK, "{path}");
    }
    // Not under a public path either.
    assert_eq!(
        get_bytes(&app, &app.client(), "/pkg/../data/blobs").await.0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrations = false)]
async fn follow_up_messages_carry_text_and_screenshots(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("agent", "王小明", Role::Reporter).await;
    app.user("agent2", "李娜", Role::Reporter).await;
    let a = app.signed_in("agent").await;
    let incident = json(api_report(&app, &a, &incident_json(), &[], None).await).await;
    let id = incident["id"].as_i64().unwrap();
    let form = multipart::Form::new()
        .text("body", "客户换了一台手机也一样，补充截图。")
        .part(
            "screenshots",
            multipart::Part::bytes(jpeg(300, 200)).file_name("more.jpg"),
        );
    let res = a
        .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let after = json(res).await;
    let message = &after["timeline"][1];
    assert_eq!(message["kind"], "message");
    assert_eq!(message["body"], "客户换了一台手机也一样，补充截图。");
    assert_eq!(message["by_reporter"], true);
    assert_eq!(message["screenshots"].as_array().unwrap().len(), 1);
    assert!(
        after["screenshots"].as_array().unwrap().is_empty(),
        "the message's picture is not the report's"
    );
    // Someone else's incident: not found; an empty message: named.
    let b = app.signed_in("agent2").await;
    let res = b
        .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
        .multipart(multipart::Form::new().text("body", "hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = a
        .post(app.url(&format!("/api/v1/incidents/{id}/messages")))
        .multipart(multipart::Form::new().text("body", " "))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_codes(&json(res).await),
        vec![("body".to_string(), "required".to_string())]
    );
    // The page's plain form posts and comes back to the conversation; posted twice (a double
    // tap, a refresh), it is added once.
    let number = incident["number"].as_str().unwrap();
    let key = uuid::Uuid::new_v4().to_string();
    let post = |body: String| {
        a.post(app.url(&format!("/api/incidents/{number}/messages")))
            .header(header::ACCEPT, "text/html")
            .multipart(
                multipart::Form::new()
                    .text("body", body)
                    .text("idempotency_key", key.clone()),
            )
            .send()
    };
    for _ in 0..2 {
        let res = post("客户说现在好了".into()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()[header::LOCATION],
            format!("/incidents/{number}#latest")
        );
    }
    let page = a
        .get(app.url(&format!("/incidents/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("客户说现在好了") && page.contains("客户换了一台手机也一样"));
    let after = json(
        a.get(app.url(&format!("/api/v1/incidents/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let same = after["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"] == "客户说现在好了")
        .count();
    assert_eq!(same, 1, "added once");
    // A refused message comes back typed in, with its problem.
    let long = "很长的说明".repeat(401);
    let res = post(long.clone()).await.unwrap();
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let page = a
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&long) && page.contains("最多 2000 个字"));
}

#[sqlx::test(migrations = false)]
async fn without_javascript_refused_photos_are_kept_for_the_retry(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    let key = uuid::Uuid::new_v4().to_string();
    // Description too short, but a good photo: the photo is kept, shown again, and sent with the retry.
    let form = multipart::Form::new()
        .text("idempotency_key", key.clone())
        .text("customer.name", "欧阳娜娜")
        .text("customer.customer_no", "310099")
        .text("system", "trading")
        .text("description", "太短")
        .part(
            "screenshots",
            multipart::Part::bytes(jpeg(640, 480)).file_name("IMG_2001.JPG"),
        );
    let res = client
        .post(app.url("/api/incidents/create"))
        .header(header::ACCEPT, "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let kept_id: i64 = sqlx::query_scalar("SELECT id FROM screenshots")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        page.contains(&format!(r#"name="kept_screenshot" value="{kept_id}""#)),
        "the photo is still attached"
    );
    assert!(page.contains("至少 10 个字"));
    let fields = [
        ("idempotency_key", key.as_str()),
        ("customer.name", "欧阳娜娜"),
        ("customer.customer_no", "310099"),
        ("system", "trading"),
        ("description", "客户无法登录 App，提示密码错误但密码正确"),
        ("kept_screenshot", &kept_id.to_string()),
    ];
    let res = app.post_report(&client, &fields, "text/html").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let claimed: Option<i64> =
        sqlx::query_scalar("SELECT incident_id FROM screenshots WHERE id = $1")
            .bind(kept_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(claimed.is_some());
}

#[sqlx::test(migrations = false)]
async fn unclaimed_screenshots_and_their_blobs_are_swept(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = app.agent().await;
    // A refused report leaves a stored, unclaimed screenshot ...
    let mut bad = incident_json();
    bad["description"] = json!("短");
    let res = api_report(&app, &client, &bad, &[("x.jpg", jpeg(200, 100))], None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // ... and a filed one a claimed screenshot.
    let res = api_report(
        &app,
        &client,
        &incident_json(),
        &[("y.jpg", jpeg(100, 200))],
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(count(&app, "screenshots").await, 2);
    assert_eq!(walk(&app.blob_dir).len(), 4);
    // Age everything past the limits, then sweep.
    sqlx::query("UPDATE screenshots SET created_at = now() - interval '2 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for path in walk(&app.blob_dir) {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let settings = app::server::Settings::from_lookup(|k| match k {
        "DATABASE_URL" => Some("postgres://unused".into()),
        "MSS_BLOB_DIR" => Some(app.blob_dir.to_string_lossy().into_owned()),
        _ => None,
    })
    .unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("mss")
        .build();
    let state = app::server::AppState::new(app.pool.clone(), settings, options).unwrap();
    app::server::report::screenshots::sweep(&state, chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        count(&app, "screenshots").await,
        1,
        "only the claimed one is left"
    );
    assert_eq!(walk(&app.blob_dir).len(), 2, "with its image and thumbnail");
}

#[sqlx::test(migrations = false)]
async fn the_reporter_confirms_a_solution_or_reopens_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.user("agent", "王小明", Role::Reporter).await;
    app.user("agent2", "李娜", Role::Reporter).await;
    let a = app.signed_in("agent").await;
    let settle = |client: &Client, number: &str, version: i64, solved: bool, reason: &str| {
        let form = [
            ("number", number.to_string()),
            ("version", version.to_string()),
            ("solved", solved.to_string()),
            ("body", reason.to_string()),
        ];
        client
            .post(app.url("/api/incidents/settle"))
            .header(header::ACCEPT, "application/json")
            .form(&form)
            .send()
    };
    let incident = json(api_report(&app, &a, &incident_json(), &[], None).await).await;
    let (id, number) = (
        incident["id"].as_i64().unwrap(),
        incident["number"].as_str().unwrap().to_owned(),
    );
    // Nothing to confirm before the team has answered.
    let res = settle(&a, &number, 1, true, "").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The desk answers (the desk's actions arrive with its own issue; here, the state directly).
    sqlx::query("UPDATE incidents SET status = 'answered', version = 2 WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    // A stale version is a conflict; someone else's incident is not found; "not solved" needs why.
    assert_eq!(
        settle(&a, &number, 1, true, "").await.unwrap().status(),
        StatusCode::CONFLICT
    );
    let b = app.signed_in("agent2").await;
    assert_eq!(
        settle(&b, &number, 2, true, "").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        settle(&a, &number, 2, false, " ").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Not solved: back to the team, with the reason on the timeline.
    assert_eq!(
        settle(&a, &number, 2, false, "客户还是无法登录")
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let after = json(
        a.get(app.url(&format!("/api/v1/incidents/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_i64()),
        (Some("in_progress"), Some(3))
    );
    assert_eq!(after["timeline"][1]["kind"], "reopened");
    assert_eq!(after["timeline"][1]["body"], "客户还是无法登录");
    // Answered again, then confirmed: closed.
    sqlx::query("UPDATE incidents SET status = 'answered', version = 4 WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        settle(&a, &number, 4, true, "").await.unwrap().status(),
        StatusCode::OK
    );
    let after = json(
        a.get(app.url(&format!("/api/v1/incidents/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(after["status"], "closed");
    assert_eq!(after["timeline"][2]["kind"], "confirmed");
}
