//! Receiving reports and follow-up messages with their screenshots, over multipart: from the
//! report form (`POST /api/incidents/create`, with or without JavaScript) and from the REST API
//! (`POST /api/v1/incidents`). Limits are enforced while the body is read, not after: at most
//! `MAX_FILE_MB` per file and `MAX_SCREENSHOTS` files; each file goes through the image pipeline
//! and the blob store before the database refers to it.
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::report::{KEPT_SCREENSHOT, MAX_FILE_MB, MAX_SCREENSHOTS};
use crate::domain::{Field, FieldError, Reason};
use crate::server::infra::limits::Kind;
use crate::server::report::images;
use crate::server::AppState;
use crate::AppError;
use axum::extract::Multipart;
use axum::http::StatusCode;
use bytes::BytesMut;
use sha2::{Digest, Sha256};

const MAX_FILE_BYTES: usize = MAX_FILE_MB as usize * 1024 * 1024;
const MAX_TEXT_BYTES: usize = 64 * 1024;
const MAX_PARTS: usize = 64;
/// A part longer than this ends the request (413) instead of being read past.
const MAX_DRAIN_BYTES: usize = 64 * 1024 * 1024;

/// What a multipart body carried.
#[derive(Debug, Default)]
pub struct Received {
    /// Text parts, by name, in order.
    pub texts: Vec<(String, String)>,
    /// Screenshots to attach, in order: kept ones first, then the new uploads.
    pub screenshots: Vec<i64>,
    /// The first problem with a file, if any (the good ones are stored all the same).
    pub problem: Option<Reason>,
    /// Set when the idempotency key was already used: files were not processed, only hashed
    /// (and kept as sent in `deferred`, in case the request turns out to be another report).
    pub already: Option<crate::server::report::filing::Created>,
    /// For a report, SHA-256 of each attachment in order (a file's bytes as sent, a kept
    /// screenshot's id): with the fields, what tells a retry of a request from another request
    /// (`fingerprint`).
    pub attachments: Vec<[u8; 32]>,
    /// Files read past because the key was used, not yet processed.
    pub deferred: Vec<bytes::Bytes>,
    /// Why the files (from the first refused one on) were read past and not kept: the caller
    /// may not send files here, or is past their upload limit. The rest of the body is still
    /// read, so a plain form comes back with everything typed.
    pub refused: Option<AppError>,
}

impl Received {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `parsed` (the request's fields) with the problem of its files, if any, added: the value
    /// when both are fine, else every field's problem at once.
    pub fn checked<T>(&self, parsed: Result<T, Vec<FieldError>>) -> Result<T, AppError> {
        let shot = self.problem.map(|reason| FieldError {
            field: Field::Screenshots,
            reason,
        });
        match (parsed, shot) {
            (Ok(value), None) => Ok(value),
            (parsed, shot) => Err(AppError::fields(
                parsed
                    .err()
                    .unwrap_or_default()
                    .into_iter()
                    .chain(shot)
                    .collect(),
            )),
        }
    }
}

/// What a multipart body is sent for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// A new incident: a report filed already under its idempotency key (`header_key`, else the
    /// form's input) is noticed at the first file, and every file is hashed for the request's
    /// fingerprint (`Received::attachments`).
    Report { header_key: Option<uuid::Uuid> },
    /// A message or an action on an incident: neither is needed.
    FollowUp,
}

/// Reads a multipart body. For a report (`Purpose::Report`), one already filed under the
/// idempotency key (from the `Idempotency-Key` header or the form's input, whichever comes first)
/// is noticed at the first file, whose processing is then skipped: a retry costs no image work.
/// `may_upload` decides,
/// from the text parts before the first file, whether the caller may send files with this
/// request at all: refused (`Received::refused`), no file is processed or stored.
pub async fn receive(
    state: &AppState,
    uploader: &CurrentUser,
    mut multipart: Multipart,
    purpose: Purpose,
    may_upload: impl Fn(&Received) -> Result<(), AppError>,
) -> Result<Received, AppError> {
    let report = match purpose {
        Purpose::Report { header_key } => Some(header_key),
        Purpose::FollowUp => None,
    };
    let mut got = Received::default();
    let mut checked_key = false;
    let mut files = 0usize;
    let too_many = Reason::TooManyFiles {
        max: MAX_SCREENSHOTS as u32,
    };
    for _ in 0..MAX_PARTS {
        let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? else {
            return Ok(got);
        };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_none() {
            // No text input takes more than a few KB: a bigger one is not from our form.
            let text = read_limited(&mut field, MAX_TEXT_BYTES)
                .await?
                .map_err(|_| AppError::BadRequest)?;
            let text = String::from_utf8(text.to_vec()).map_err(|_| AppError::BadRequest)?;
            if name == KEPT_SCREENSHOT {
                if let Ok(id) = text.trim().parse::<i64>() {
                    if report.is_some() {
                        got.attachments
                            .push(Sha256::digest(format!("kept:{id}")).into());
                    }
                    files += 1;
                    if files > MAX_SCREENSHOTS {
                        got.problem.get_or_insert(too_many);
                    } else {
                        got.screenshots.push(id);
                    }
                }
            } else {
                got.texts.push((name, text));
            }
            continue;
        }
        if name != Field::Screenshots.as_str() {
            continue;
        }
        if !checked_key {
            checked_key = true;
            if let Err(refusal) = may_upload(&got) {
                got.refused = Some(refusal);
            }
            let key = report.and_then(|header_key| {
                header_key.or_else(|| {
                    got.text(Field::IdempotencyKey.as_str())
                        .and_then(|k| uuid::Uuid::parse_str(k.trim()).ok())
                })
            });
            if let Some(key) = key.filter(|_| uploader.role == Role::Reporter) {
                got.already =
                    crate::server::report::filing::filed_with_key(&state.pool, uploader.id, key)
                        .await?;
            }
        }
        if got.refused.is_some() {
            let _ = read_limited(&mut field, 0).await?;
            continue;
        }
        if files >= MAX_SCREENSHOTS {
            // One too many: read past it without keeping it.
            if read_limited(&mut field, 0).await?.is_err() && got.already.is_none() {
                got.problem.get_or_insert(too_many);
            }
            continue;
        }
        // Over the limit: the rest of the file is read past, and the other fields still count
        // (a plain form comes back with everything typed). Such a request files nothing, so its
        // fingerprint only has to differ from any that did: the size stands in for the bytes.
        let bytes = match read_limited(&mut field, MAX_FILE_BYTES).await? {
            Ok(bytes) => bytes.freeze(),
            Err(seen) => {
                got.problem.get_or_insert(Reason::FileTooLarge {
                    max_mb: MAX_FILE_MB,
                });
                if report.is_some() {
                    got.attachments
                        .push(Sha256::digest(format!("over:{seen}")).into());
                }
                continue;
            }
        };
        // A file input left empty still sends a part, with no name and no bytes.
        if bytes.is_empty() {
            continue;
        }
        // Hashed off the async runtime (up to 10 MB of SHA-256 is milliseconds of CPU), and only
        // where a fingerprint is made of it.
        if report.is_some() {
            let hashed = bytes.clone();
            got.attachments.push(
                tokio::task::spawn_blocking(move || -> [u8; 32] { Sha256::digest(&hashed).into() })
                    .await?,
            );
        }
        files += 1;
        if got.already.is_some() {
            // Filed already (if this is the same request): no image work for a retry.
            got.deferred.push(bytes);
            continue;
        }
        if let Err(limited) = state.limits.check(Kind::Upload, uploader.id) {
            got.refused = Some(limited);
            continue;
        }
        store_upload(state, uploader, &mut got, bytes).await?;
    }
    Err(AppError::BadRequest)
}

/// One uploaded file through the image pipeline into the blob store, as an unclaimed screenshot
/// of `uploader` (or the file's problem, noted in `got`).
pub async fn store_upload(
    state: &AppState,
    uploader: &CurrentUser,
    got: &mut Received,
    bytes: bytes::Bytes,
) -> Result<(), AppError> {
    match images::process_bounded(bytes).await? {
        Ok(processed) => {
            state
                .blobs
                .put(&processed.image.key, processed.image.bytes.clone())
                .await?;
            state
                .blobs
                .put(&processed.thumb.key, processed.thumb.bytes.clone())
                .await?;
            let shot = crate::server::report::screenshots::insert_unclaimed(
                &state.pool,
                uploader.id,
                &processed,
            )
            .await?;
            got.screenshots.push(shot.id);
        }
        Err(reason) => {
            got.problem.get_or_insert(reason);
        }
    }
    Ok(())
}

/// The part's bytes, or `Err(size)` when it has more than `max` (the rest is read and dropped,
/// so memory never holds more than `max`). A part that goes on past `MAX_DRAIN_BYTES` ends the
/// request: nobody sends that much by mistake.
async fn read_limited(
    field: &mut axum::extract::multipart::Field<'_>,
    max: usize,
) -> Result<Result<BytesMut, usize>, AppError> {
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        seen += chunk.len();
        if seen > MAX_DRAIN_BYTES {
            return Err(AppError::TooLarge {
                max_mb: MAX_FILE_MB,
            });
        }
        if seen <= max {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok(if seen <= max { Ok(buf) } else { Err(seen) })
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge {
            max_mb: MAX_FILE_MB,
        }
    } else {
        AppError::BadRequest
    }
}
