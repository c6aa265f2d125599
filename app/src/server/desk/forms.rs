//! The desk's action form (`POST /api/incidents/{number}/actions`), which works without JavaScript.
use crate::domain::accounts::Role;
use crate::domain::incident::IncidentNumber;
use crate::paths;
use crate::server::infra::forms::form_outcome;
use crate::server::infra::forms::json_error;
use crate::server::infra::forms::wants_html;
use crate::server::report::forms::incident_form;
use crate::server::report::forms::Upload;
use crate::server::AppState;
use crate::AppError;
use axum::extract::{multipart::MultipartRejection, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

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
    use crate::domain::incident::workflow::{Action, ActionRequest, Tags};
    let html = wants_html(&headers);
    let Ok(number) = IncidentNumber::parse(&number) else {
        return json_error(&AppError::NotFound);
    };
    let page = paths::desk_incident(number.as_str());
    let mut kept = KeptAction {
        number: number.to_string(),
        ..Default::default()
    };
    let result = async {
        let (user, incident_id, mut got) = incident_form(
            &state,
            &session,
            Role::TEAM,
            &number,
            multipart,
            Upload::Action,
        )
        .await?;
        kept.texts = got.texts.clone();
        kept.action = got.text("action").unwrap_or_default().to_owned();
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        let text = |name: &str| got.text(name).map(str::to_owned);
        // A canned reply picked without JavaScript (which would have filled the text in).
        let mut body = text("body");
        if body.as_deref().is_none_or(|b| b.trim().is_empty()) {
            if let Some(canned) = got
                .text("canned")
                .and_then(|c| c.trim().parse::<i64>().ok())
            {
                body = crate::server::desk::options::canned_for(&state.pool, canned, incident_id)
                    .await?;
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
        let (action, version) = got.checked(Action::parse_versioned(&request))?;
        crate::server::desk::actions::act(
            &state.pool,
            &user,
            incident_id,
            version,
            &action,
            &got.screenshots,
        )
        .await
        .map(|_| ())
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
