//! Receiving reports and follow-up messages with their screenshots, over multipart: from the
//! report form (`POST /api/incidents/create`, with or without JavaScript) and from the REST API
//! (`POST /api/v1/incidents`). Limits are enforced while the body is read, not after: at most
//! `MAX_FILE_MB` per file and `MAX_SCREENSHOTS` files; each file goes through the image pipeline
//! and the blob store before the database refers to it.
use super::limits::Kind;
use super::{auth, blobs, db, error::internal, images, AppState};
use crate::domain::incident::{IncidentNumber, MessageBody, Screenshot};
use crate::domain::report::{ReportForm, KEPT_SCREENSHOT, MAX_FILE_MB, MAX_SCREENSHOTS};
use crate::domain::user::{CurrentUser, Role};
use crate::domain::{Field, FieldError, Reason};
use crate::AppError;
use axum::extract::{multipart::MultipartRejection, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::BytesMut;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

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
    pub already: Option<db::incidents::Created>,
    /// SHA-256 of each attachment in order (a file's bytes as sent, a kept screenshot's id): with
    /// the fields, what tells a retry of a request from another request (`fingerprint`).
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
        self.texts.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The screenshot problem as a field error.
    pub fn screenshot_error(&self) -> Option<FieldError> {
        self.problem.map(|reason| FieldError { field: Field::Screenshots, reason })
    }
}

/// Reads a multipart body. A report that was already filed under the idempotency key (from the
/// `Idempotency-Key` header or the form's input, whichever comes first) is noticed at the first
/// file, whose processing is then skipped: a retry costs no image work. `may_upload` decides,
/// from the text parts before the first file, whether the caller may send files with this
/// request at all: refused (`Received::refused`), no file is processed or stored.
pub async fn receive(
    state: &AppState,
    uploader: &CurrentUser,
    mut multipart: Multipart,
    header_key: Option<uuid::Uuid>,
    may_upload: impl Fn(&Received) -> Result<(), AppError>,
) -> Result<Received, AppError> {
    let mut got = Received::default();
    let mut checked_key = false;
    let mut files = 0usize;
    let too_many = Reason::TooManyFiles { max: MAX_SCREENSHOTS as u32 };
    for _ in 0..MAX_PARTS {
        let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? else { return Ok(got) };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_none() {
            // No text input takes more than a few KB: a bigger one is not from our form.
            let text = read_limited(&mut field, MAX_TEXT_BYTES, None).await?.ok_or(AppError::BadRequest)?;
            let text = String::from_utf8(text.to_vec()).map_err(|_| AppError::BadRequest)?;
            if name == KEPT_SCREENSHOT {
                if let Ok(id) = text.trim().parse::<i64>() {
                    got.attachments.push(Sha256::digest(format!("kept:{id}")).into());
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
            let key = header_key.or_else(|| got.text(Field::IdempotencyKey.as_str()).and_then(|k| uuid::Uuid::parse_str(k.trim()).ok()));
            if let Some(key) = key.filter(|_| uploader.role == Role::Reporter) {
                got.already = db::incidents::filed_with_key(&state.pool, uploader.id, key).await?;
            }
        }
        let mut digest = Sha256::new();
        if got.refused.is_some() {
            read_limited(&mut field, 0, None).await?;
            continue;
        }
        if files >= MAX_SCREENSHOTS {
            // One too many: read past it without keeping it.
            if read_limited(&mut field, 0, Some(&mut digest)).await?.is_none() && got.already.is_none() {
                got.problem.get_or_insert(too_many);
            }
            continue;
        }
        // Over the limit: the rest of the file is read past, and the other fields still count
        // (a plain form comes back with everything typed).
        let Some(bytes) = read_limited(&mut field, MAX_FILE_BYTES, Some(&mut digest)).await? else {
            got.problem.get_or_insert(Reason::FileTooLarge { max_mb: MAX_FILE_MB });
            got.attachments.push(digest.finalize().into());
            continue;
        };
        // A file input left empty still sends a part, with no name and no bytes.
        if bytes.is_empty() {
            continue;
        }
        got.attachments.push(digest.finalize().into());
        files += 1;
        if got.already.is_some() {
            // Filed already (if this is the same request): no image work for a retry.
            got.deferred.push(bytes.freeze());
            continue;
        }
        if let Err(limited) = state.limits.check(Kind::Upload, uploader.id) {
            got.refused = Some(limited);
            continue;
        }
        store_upload(state, uploader, &mut got, bytes.freeze()).await?;
    }
    Err(AppError::BadRequest)
}

/// One uploaded file through the image pipeline into the blob store, as an unclaimed screenshot
/// of `uploader` (or the file's problem, noted in `got`).
async fn store_upload(state: &AppState, uploader: &CurrentUser, got: &mut Received, bytes: bytes::Bytes) -> Result<(), AppError> {
    match images::process_bounded(bytes).await? {
        Ok(processed) => {
            state.blobs.put(&processed.image.key, processed.image.bytes.clone()).await?;
            state.blobs.put(&processed.thumb.key, processed.thumb.bytes.clone()).await?;
            let shot = db::screenshots::insert_unclaimed(&state.pool, uploader.id, &processed).await?;
            got.screenshots.push(shot.id);
        }
        Err(reason) => {
            got.problem.get_or_insert(reason);
        }
    }
    Ok(())
}

/// What a report request carried, as SHA-256: every field as typed (but the idempotency key)
/// and each attachment in order. A retry (a double tap, the offline queue, a replayed API call)
/// sends the same; another report under the same key does not.
pub fn fingerprint(form: &ReportForm, attachments: &[[u8; 32]]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"mss-report-1");
    let f = form;
    for value in [&f.customer_name, &f.customer_no, &f.id_type, &f.id_number, &f.phone, &f.system, &f.channel, &f.occurred_at, &f.urgency, &f.description] {
        h.update((value.len() as u64).to_le_bytes());
        h.update(value.as_bytes());
    }
    for attachment in attachments {
        h.update(attachment);
    }
    h.finalize().to_vec()
}

/// Files the report `form` and `got` carried, once: the same request again gives the incident it
/// made; another report under a used key is refused (`KeyReused`), whatever path it came by.
pub async fn file(state: &AppState, reporter: &CurrentUser, form: &ReportForm, got: &Received) -> Result<db::incidents::Created, AppError> {
    let print = fingerprint(form, &got.attachments);
    if let Some(done) = got.already.clone() {
        return done.for_request(&print);
    }
    let new = match (form.parse(&state.settings.report_rules, chrono::Utc::now()), got.screenshot_error()) {
        (Ok(new), None) => new,
        (parsed, shot) => return Err(AppError::fields(parsed.err().unwrap_or_default().into_iter().chain(shot).collect())),
    };
    let created = db::incidents::create(&state.pool, reporter.id, &new, &got.screenshots, &print).await?;
    if created.created {
        tracing::info!(incident = %created.number, reporter = reporter.id, screenshots = got.screenshots.len(), "incident reported");
    }
    Ok(created)
}

/// The part's bytes, or `None` when it has more than `max` (the rest is read and dropped, so
/// memory never holds more than `max`); every byte goes through `digest`. A part that goes on
/// past `MAX_DRAIN_BYTES` ends the request: nobody sends that much by mistake.
async fn read_limited(field: &mut axum::extract::multipart::Field<'_>, max: usize, mut digest: Option<&mut Sha256>) -> Result<Option<BytesMut>, AppError> {
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if let Some(digest) = digest.as_deref_mut() {
            digest.update(&chunk);
        }
        seen += chunk.len();
        if seen > MAX_DRAIN_BYTES {
            return Err(AppError::TooLarge { max_mb: MAX_FILE_MB });
        }
        if seen <= max {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok((seen <= max).then_some(buf))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge { max_mb: MAX_FILE_MB }
    } else {
        AppError::BadRequest
    }
}

/// The report form as a refused plain post left it: kept in the session for the form page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeptReport {
    pub form: ReportForm,
    pub error: Option<AppError>,
    pub screenshots: Vec<i64>,
}

pub const REPORT_FORM: &str = "report";

/// Is this a plain HTML form post (no JavaScript), to be answered with a redirect?
fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// An error as the report form's script reads it (the `AppError` JSON), with its status.
fn json_error(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(error).unwrap_or_else(|_| "{}".into());
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let AppError::RateLimited { retry_after_secs } = error {
        response.headers_mut().insert(header::RETRY_AFTER, http::HeaderValue::from(*retry_after_secs));
    }
    response
}

async fn signed_in(state: &AppState, session: &Session, roles: &[Role]) -> Result<CurrentUser, AppError> {
    match auth::session_user(state, session).await? {
        Some(user) if roles.contains(&user.role) => Ok(user),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthorized),
    }
}

/// `POST /api/incidents/create`: the report form. Answers a plain post with a redirect (to the
/// confirmation, or back to the form with everything kept), and the form's script with JSON
/// (the incident number, or the `AppError`).
pub async fn create_from_form(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let html = wants_html(&headers);
    let user = match signed_in(&state, &session, Role::REPORTERS).await {
        Ok(user) => user,
        Err(AppError::Unauthorized) if html => return Redirect::to("/login?next=/report/new").into_response(),
        Err(e) => return json_error(&e),
    };
    let mut kept = KeptReport::default();
    let result = async {
        state.limits.check(Kind::Report, user.id)?;
        let multipart = multipart.map_err(|_| AppError::BadRequest)?;
        let mut got = receive(&state, &user, multipart, None, |_| Ok(())).await?;
        for (name, value) in &got.texts {
            kept.form.set(name, value.clone());
        }
        kept.screenshots = got.screenshots.clone();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let filed = file(&state, &user, &kept.form, &got).await;
        if let (Err(AppError::KeyReused { .. }), true) = (&filed, html) {
            // Another report under a used key, sent without JavaScript: it comes back to be sent
            // again as a new one, under a new key, with its photos (not processed yet: the key
            // looked like a retry). The script keeps its own copy and needs none of this.
            kept.form.idempotency_key = uuid::Uuid::new_v4().to_string();
            for bytes in std::mem::take(&mut got.deferred) {
                state.limits.check(Kind::Upload, user.id)?;
                store_upload(&state, &user, &mut got, bytes).await?;
            }
            kept.screenshots = got.screenshots.clone();
        }
        filed.map(|created| created.number)
    }
    .await;
    let key = super::forms::key(REPORT_FORM);
    match result {
        Ok(number) => {
            let _ = session.remove_value(&key).await;
            if html {
                // The confirmation names the key it filed, so the page's script drops any draft
                // saved under it (one saved while this plain post was on its way, say).
                let filed = crate::components::encode_query(kept.form.idempotency_key.trim());
                Redirect::to(&format!("/report/submitted/{number}?filed={filed}")).into_response()
            } else {
                (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], format!("\"{number}\"")).into_response()
            }
        }
        Err(error) if html => {
            kept.error = Some(error);
            if let Err(e) = session.insert(&key, &kept).await {
                return json_error(&AppError::from(e));
            }
            Redirect::to("/report/new?__err=1").into_response()
        }
        Err(error) => json_error(&error),
    }
}

/// `POST /api/incidents/{number}/messages`: a follow-up message from the incident's page (a
/// plain form: it answers with a redirect back to the page).
pub async fn message_from_form(
    State(state): State<AppState>,
    session: Session,
    Path(number): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let html = wants_html(&headers);
    let Ok(number) = IncidentNumber::parse(&number) else { return json_error(&AppError::NotFound) };
    let page = format!("/incidents/{number}");
    let mut kept = KeptMessage::default();
    let result = async {
        let (user, incident_id, mut got) = incident_form(&state, &session, Role::ANYONE, &number, multipart, Upload::Message).await?;
        kept.body = got.text(Field::Body.as_str()).unwrap_or_default().to_owned();
        kept.idempotency_key = got.text(Field::IdempotencyKey.as_str()).unwrap_or_default().to_owned();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let key = uuid::Uuid::parse_str(kept.idempotency_key.trim()).ok();
        match (MessageBody::parse(&kept.body), got.screenshot_error()) {
            (Ok(body), None) => db::incidents::add_message(&state.pool, &user, incident_id, &body, &got.screenshots, key).await.map(|_| ()),
            (body, shot) => {
                let fields = body.err().map(|reason| FieldError { field: Field::Body, reason }).into_iter().chain(shot).collect();
                Err(AppError::fields(fields))
            }
        }
    }
    .await;
    kept.number = number.to_string();
    form_outcome(&session, MESSAGE_FORM, &kept, result, html, &page, "reply").await
}

/// What a form on an incident's page posts, for what its sender must be allowed before any of
/// its files is looked at.
enum Upload {
    /// The reporter's message: only the incident's own reporter writes one.
    Message,
    /// A workflow action: the action named before the files must be one the sender may ever take.
    Action,
}

/// The start of a form post on an incident's page: who posts (one of `roles`), the incident
/// (which they must be able to see), whether they may post this at all, and then what the form
/// carried. Nothing is processed or stored for a sender who may not.
async fn incident_form(
    state: &AppState,
    session: &Session,
    roles: &[Role],
    number: &IncidentNumber,
    multipart: Result<Multipart, MultipartRejection>,
    upload: Upload,
) -> Result<(CurrentUser, i64, Received), AppError> {
    use crate::domain::workflow::{may_ever, ActionKind, Actor};
    let user = signed_in(state, session, roles).await?;
    let incident_id = db::incidents::visible_id(&state.pool, &user, &db::incidents::IncidentRef::Number(number.clone()))
        .await?
        .ok_or(AppError::NotFound)?;
    match upload {
        Upload::Message => {
            db::incidents::may_message(&state.pool, &user, incident_id).await?;
            state.limits.check(Kind::Message, user.id)?;
        }
        Upload::Action => state.limits.check(Kind::Action, user.id)?,
    }
    let actor = if user.role.works_desk() { Actor::Desk } else { Actor::GroupMember };
    let may_upload = |got: &Received| match upload {
        Upload::Message => Ok(()),
        Upload::Action => match ActionKind::parse(got.text("action").unwrap_or_default()) {
            Ok(kind) if may_ever(kind, actor) => Ok(()),
            Ok(_) => Err(AppError::Forbidden),
            Err(reason) => Err(AppError::field(Field::Action, reason)),
        },
    };
    let got = receive(state, &user, multipart.map_err(|_| AppError::BadRequest)?, None, may_upload).await?;
    Ok((user, incident_id, got))
}

/// How a plain form post on an incident's page ends: back to the page (at `#latest`) when it
/// went through; back to the form (at `#{anchor}`) with the error in the URL and what was typed
/// kept in the session when it did not. A script's post gets 204 or the error as JSON.
async fn form_outcome<K: Serialize>(
    session: &Session,
    form: &str,
    kept: &K,
    result: Result<(), AppError>,
    html: bool,
    page: &str,
    anchor: &str,
) -> Response {
    let form_key = super::forms::key(form);
    match (result, html) {
        (Ok(()), true) => {
            let _ = session.remove_value(&form_key).await;
            Redirect::to(&format!("{page}#latest")).into_response()
        }
        (Ok(()), false) => StatusCode::NO_CONTENT.into_response(),
        (Err(AppError::Unauthorized), true) => Redirect::to(&format!("/login?next={page}")).into_response(),
        (Err(error), true) => {
            if let Err(e) = session.insert(&form_key, kept).await {
                return json_error(&AppError::from(e));
            }
            let message = serde_json::to_string(&error).unwrap_or_default();
            Redirect::to(&format!("{page}?__err={}#{anchor}", crate::components::encode_query(&message))).into_response()
        }
        (Err(error), false) => json_error(&error),
    }
}

/// `POST /api/incidents/{number}/actions`: a workflow action from the desk's incident page (a
/// plain multipart form: the fields of the API's action, and screenshots for notes, replies and
/// answers). Back to the page, as `message_from_form`.
pub async fn action_from_form(
    State(state): State<AppState>,
    session: Session,
    Path(number): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    use crate::domain::workflow::{Action, ActionRequest, Tags};
    let html = wants_html(&headers);
    let Ok(number) = IncidentNumber::parse(&number) else { return json_error(&AppError::NotFound) };
    let page = format!("/desk/incidents/{number}");
    let mut kept = KeptAction { number: number.to_string(), ..Default::default() };
    let result = async {
        let (user, incident_id, mut got) = incident_form(&state, &session, Role::TEAM, &number, multipart, Upload::Action).await?;
        kept.texts = got.texts.clone();
        kept.action = got.text("action").unwrap_or_default().to_owned();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let text = |name: &str| got.text(name).map(str::to_owned);
        // A canned reply picked without JavaScript (which would have filled the text in).
        let mut body = text("body");
        if body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            if let Some(canned) = got.text("canned").and_then(|c| c.trim().parse::<i64>().ok()) {
                body = db::desk::canned_for(&state.pool, canned, incident_id).await?;
            }
        }
        let request = ActionRequest {
            action: text("action").unwrap_or_default(),
            version: got.text("version").and_then(|v| v.trim().parse().ok()),
            assignee: text("assignee"),
            category: text("category"),
            subcategory: text("subcategory"),
            system: text("system"),
            priority: text("priority"),
            tags: text("tags").map(Tags::Text),
            group: text("group"),
            body,
            change: text("change"),
            into: text("into"),
            rating: text("rating"),
        };
        kept.action = request.action.clone();
        let parsed = Action::parse_versioned(&request);
        let (action, version) = match (parsed, got.screenshot_error()) {
            (Ok(parsed), None) => parsed,
            (parsed, shot) => return Err(AppError::fields(parsed.err().unwrap_or_default().into_iter().chain(shot).collect())),
        };
        db::desk::act(&state.pool, &user, incident_id, version, &action, &got.screenshots).await.map(|_| ())
    }
    .await;
    let anchor = format!("act-{}", kept.action);
    form_outcome(&session, ACTION_FORM, &kept, result, html, &page, &anchor).await
}

/// A desk action as a refused plain post left it: which one, and what was typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeptAction {
    pub number: String,
    pub action: String,
    pub texts: Vec<(String, String)>,
}

pub const ACTION_FORM: &str = "action";

/// A follow-up message as a refused plain post left it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeptMessage {
    pub number: String,
    pub body: String,
    pub idempotency_key: String,
}

pub const MESSAGE_FORM: &str = "message";

/// `GET /api/v1/screenshots/{id}[/thumb]`: the bytes, for whoever may see it (see
/// `db::screenshots::stored_for`); "not found" for anyone else. Every view asks the server
/// (`no-cache`), so a shared phone's next account never opens one from the cache; the ETag (the
/// content's hash) makes asking again cost a 304 and no bytes.
pub async fn serve(state: &AppState, viewer: &CurrentUser, id: i64, thumb: bool, if_none_match: Option<&str>) -> Result<Response, AppError> {
    let stored = db::screenshots::stored_for(&state.pool, viewer, id, thumb).await?.ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", stored.key);
    let cache = [(header::CACHE_CONTROL, "private, no-cache".to_owned()), (header::ETAG, etag.clone())];
    if if_none_match.is_some_and(|tags| tags.split(',').any(|t| t.trim().trim_start_matches("W/") == etag)) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let bytes = state.blobs.get(&stored.key).await?.ok_or_else(|| internal(format!("blob {} of screenshot {id} is missing", stored.key)))?;
    Ok((cache, [(header::CONTENT_TYPE, stored.media_type)], bytes).into_response())
}

/// The screenshots kept for a form, as the page shows them.
pub async fn kept_screenshots(state: &AppState, uploader: &CurrentUser, ids: &[i64]) -> Result<Vec<Screenshot>, AppError> {
    db::screenshots::unclaimed(&state.pool, uploader.id, ids).await
}

/// Deletes screenshots no report claimed within `max_age`, then blobs nothing refers to any more
/// (only ones written over an hour ago: a report being filed now may be about to claim one).
pub async fn sweep(state: &AppState, max_age: chrono::Duration) -> Result<(), AppError> {
    let pruned = db::screenshots::prune_unclaimed(&state.pool, chrono::Utc::now() - max_age).await?;
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(1);
    let candidates = state.blobs.older_than(cutoff).await?;
    let mut deleted = 0;
    for batch in candidates.chunks(500) {
        let live = db::screenshots::referenced(&state.pool, batch).await?;
        for key in batch.iter().filter(|k| !live.contains(k) && blobs::is_key(k)) {
            // Written again since it was listed (the same picture uploaded anew): keep it.
            if state.blobs.written_at(key).await?.is_some_and(|at| at < cutoff) {
                state.blobs.delete(key).await?;
                deleted += 1;
            }
        }
    }
    if pruned + deleted > 0 {
        tracing::info!(pruned, deleted, "swept unclaimed screenshots");
    }
    Ok(())
}
