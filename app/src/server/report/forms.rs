//! The reporter's forms, which work without JavaScript: the report (`POST /api/incidents/create`)
//! and a follow-up message (`POST /api/incidents/{number}/messages`).
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::incident::IncidentNumber;
use crate::domain::report::ReportForm;
use crate::domain::Field;
use crate::paths;
use crate::server::infra::forms::form_outcome;
use crate::server::infra::forms::json_error;
use crate::server::infra::forms::signed_in;
use crate::server::infra::forms::wants_html;
use crate::server::infra::limits::Kind;
use crate::server::report::intake::store_upload;
use crate::server::report::intake::Received;
use crate::server::report::intake::{receive, Purpose};
use crate::server::report::service;
use crate::server::AppState;
use crate::AppError;
use axum::extract::{multipart::MultipartRejection, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The report form as a refused plain post left it: kept in the session for the form page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeptReport {
    pub form: ReportForm,
    pub error: Option<AppError>,
    pub screenshots: Vec<i64>,
}

pub const REPORT_FORM: &str = "report";

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
        Err(AppError::Unauthorized) if html => {
            return Redirect::to(&paths::login_then(paths::REPORT_NEW.path())).into_response()
        }
        Err(e) => return json_error(&e),
    };
    let mut kept = KeptReport::default();
    let result = async {
        // Past the limit, the body is still read (its files skipped, not processed), so the plain
        // form comes back with what was typed.
        let limited = state.limits.check(Kind::Report, user.id).err();
        let multipart = multipart.map_err(|_| AppError::BadRequest)?;
        let mut got = receive(
            &state,
            &user,
            multipart,
            Purpose::Report { header_key: None },
            |_| limited.clone().map_or(Ok(()), Err),
        )
        .await?;
        got.refused = got.refused.take().or(limited);
        for (name, value) in &got.texts {
            kept.form.set(name, value.clone());
        }
        kept.screenshots = got.screenshots.clone();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let filed = service::file(&state, &user, &kept.form, &got).await;
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
    let key = crate::server::infra::forms::key(REPORT_FORM);
    match result {
        Ok(number) => {
            let _ = session.remove_value(&key).await;
            if html {
                // The confirmation names the key it filed, so the page's script drops any draft
                // saved under it (one saved while this plain post was on its way, say).
                let filed = crate::paths::encode_query(kept.form.idempotency_key.trim());
                Redirect::to(&format!(
                    "{}?filed={filed}",
                    paths::submitted(number.as_str())
                ))
                .into_response()
            } else {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    format!("\"{number}\""),
                )
                    .into_response()
            }
        }
        Err(error) if html => {
            kept.error = Some(error);
            if let Err(e) = session.insert(&key, &kept).await {
                return json_error(&AppError::from(e));
            }
            Redirect::to(&format!("{}?__err=1", paths::REPORT_NEW.path())).into_response()
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
    let Ok(number) = IncidentNumber::parse(&number) else {
        return json_error(&AppError::NotFound);
    };
    let page = paths::incident(number.as_str());
    let mut kept = KeptMessage::default();
    let result = async {
        let (user, incident_id, mut got) = incident_form(
            &state,
            &session,
            Role::ANYONE,
            &number,
            multipart,
            Upload::Message,
        )
        .await?;
        kept.body = got
            .text(Field::Body.as_str())
            .unwrap_or_default()
            .to_owned();
        kept.idempotency_key = got
            .text(Field::IdempotencyKey.as_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let key = uuid::Uuid::parse_str(kept.idempotency_key.trim()).ok();
        service::message(&state, &user, incident_id, &kept.body, &got, Ok(key)).await
    }
    .await;
    kept.number = number.to_string();
    form_outcome(&session, MESSAGE_FORM, &kept, result, html, &page, "reply").await
}

/// What a form on an incident's page posts, for what its sender must be allowed before any of
/// its files is looked at.
pub enum Upload {
    /// The reporter's message: only the incident's own reporter writes one.
    Message,
    /// A workflow action: the action named before the files must be one the sender may ever take.
    Action,
}

/// The start of a form post on an incident's page: who posts (one of `roles`), the incident
/// (which they must be able to see), whether they may post this at all, and then what the form
/// carried. Nothing is processed or stored for a sender who may not.
pub async fn incident_form(
    state: &AppState,
    session: &Session,
    roles: &[Role],
    number: &IncidentNumber,
    multipart: Result<Multipart, MultipartRejection>,
    upload: Upload,
) -> Result<(CurrentUser, i64, Received), AppError> {
    use crate::domain::incident::workflow::{may_ever, ActionKind, Actor};
    let user = signed_in(state, session, roles).await?;
    let incident_id = crate::server::report::detail::visible_id(
        &state.pool,
        &user,
        &crate::server::report::detail::IncidentRef::Number(number.clone()),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    // Past a limit, the body is still read (its files skipped), so the form comes back with what
    // was typed; `Received::refused` says why.
    let limited = match upload {
        Upload::Message => {
            crate::server::report::messages::may_message(&state.pool, &user, incident_id).await?;
            state.limits.check(Kind::Message, user.id).err()
        }
        Upload::Action => state.limits.check(Kind::Action, user.id).err(),
    };
    let actor = if user.role.works_desk() {
        Actor::Desk
    } else {
        Actor::GroupMember
    };
    let may_upload = |got: &Received| match upload {
        _ if limited.is_some() => limited.clone().map_or(Ok(()), Err),
        Upload::Message => Ok(()),
        Upload::Action => match ActionKind::parse(got.text("action").unwrap_or_default()) {
            Ok(kind) if may_ever(kind, actor) => Ok(()),
            Ok(_) => Err(AppError::Forbidden),
            Err(reason) => Err(AppError::field(Field::Action, reason)),
        },
    };
    let mut got = receive(
        state,
        &user,
        multipart.map_err(|_| AppError::BadRequest)?,
        Purpose::FollowUp,
        may_upload,
    )
    .await?;
    got.refused = got.refused.take().or(limited);
    Ok((user, incident_id, got))
}

/// A follow-up message as a refused plain post left it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KeptMessage {
    pub number: String,
    pub body: String,
    pub idempotency_key: String,
}

pub const MESSAGE_FORM: &str = "message";
