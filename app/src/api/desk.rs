//! The desk's server functions: one incident with what its forms pick from, and revealing a
//! masked number (recorded in the audit trail). Actions themselves are posted as forms to
//! `/api/incidents/{number}/actions` (see `server::desk::forms::action_from_form`) or through the
//! REST API.
use crate::domain::desk::{BulkForm, BulkOutcome, QueueQuery};
use crate::domain::incident::views::{IncidentDetail, Queue};
use crate::domain::incident::workflow::DeskOptions;
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An action form as a refused plain post left it: which action, and what was typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KeptFields {
    pub action: String,
    pub texts: Vec<(String, String)>,
}

impl KeptFields {
    /// What was typed into `name` of the form for `action`, if that was the refused one.
    pub fn value(&self, action: &str, name: &str) -> String {
        if self.action != action {
            return String::new();
        }
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskIncidentView {
    pub detail: IncidentDetail,
    pub options: DeskOptions,
    pub kept: KeptFields,
    /// Whether the viewer may reveal masked numbers (handlers and admins).
    pub can_reveal: bool,
}

/// The desk's queue as its URL asks for it (the open incidents, newest first, by default).
#[server(endpoint = "desk/queue")]
pub async fn desk_queue(#[server(default)] query: QueueQuery) -> Result<Queue, AppError> {
    use crate::server::accounts::auth;
    use crate::server::infra::locale;
    use crate::server::infra::state::app_state;
    let viewer = auth::require(auth::TEAM).await?;
    let filter = query.parse().map_err(AppError::fields)?;
    let state = app_state()?;
    let page =
        crate::server::desk::queue::queue(&state.pool, &viewer, &filter, locale::current()).await?;
    // A group member's queue has no state tabs.
    let (counts, handlers) = if viewer.role.works_desk() {
        let handlers = state
            .queue_handlers
            .get_or(crate::server::desk::options::handlers(&state.pool))
            .await?;
        (
            crate::server::desk::queue::open_counts(&state.pool, &state.queue_counts).await?,
            handlers,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Queue {
        page,
        counts,
        handlers,
    })
}

/// One incident as the team works it, with the lists its forms pick from.
#[server(endpoint = "desk/incident")]
pub async fn desk_incident(number: String) -> Result<DeskIncidentView, AppError> {
    use crate::domain::incident::IncidentNumber;

    use crate::server::accounts::auth;
    use crate::server::infra::forms;
    use crate::server::infra::locale;
    use crate::server::infra::state::app_state;
    use crate::server::report::detail::IncidentRef;
    let viewer = auth::require(auth::TEAM).await?;
    let number = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let state = app_state()?;
    let locale = locale::current();
    let detail = crate::server::report::detail::visible(
        &state.pool,
        &viewer,
        &IncidentRef::Number(number.clone()),
        locale,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    crate::server::notify::live::seen(&state.pool, &viewer, &detail).await?;
    let options = if viewer.role.works_desk() {
        crate::server::desk::options::options(&state.pool, locale).await?
    } else {
        DeskOptions::default()
    };
    let kept: Option<crate::server::desk::forms::KeptAction> =
        forms::kept(crate::server::desk::forms::ACTION_FORM).await?;
    let kept = kept
        .filter(|k| k.number == number.as_str())
        .map(|k| KeptFields {
            action: k.action,
            texts: k.texts,
        })
        .unwrap_or_default();
    Ok(DeskIncidentView {
        detail,
        options,
        kept,
        can_reveal: viewer.role.works_desk(),
    })
}

/// The full ID or phone number behind a mask (`field`: `customer.id_number` or
/// `customer.phone`), for a handler; the reveal is recorded in the audit trail.
#[server(endpoint = "desk/reveal")]
pub async fn reveal(number: String, field: String) -> Result<String, AppError> {
    use crate::domain::incident::IncidentNumber;
    use crate::domain::Field;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::report::detail::IncidentRef;
    let viewer = auth::require(auth::DESK).await?;
    let number = IncidentNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let field = Field::from_name(&field)
        .filter(|f| matches!(f, Field::IdNumber | Field::Phone))
        .ok_or(AppError::BadRequest)?;
    let pool = app_state()?.pool;
    let id =
        crate::server::report::detail::visible_id(&pool, &viewer, &IncidentRef::Number(number))
            .await?
            .ok_or(AppError::NotFound)?;
    crate::server::desk::actions::reveal(&pool, &viewer, id, field)
        .await?
        .ok_or(AppError::NotFound)
}

/// A bulk action on the rows picked in the queue (claim, assign, categorise, close). Each
/// incident is acted on by itself, with its own version check and audit line, so one that
/// changed meanwhile is refused and the rest go through; back to the queue with how it went.
#[server(endpoint = "desk/bulk")]
pub async fn bulk_act(#[server(flatten)] form: BulkForm) -> Result<BulkOutcome, AppError> {
    use crate::domain::accounts::safe_next;
    use crate::server::accounts::auth;
    use crate::server::infra::state::app_state;
    use crate::server::report::detail::IncidentRef;
    let viewer = auth::require(auth::DESK).await?;
    let state = app_state()?;
    state
        .limits
        .check(crate::server::infra::limits::Kind::Action, viewer.id)?;
    let bulk = form.parse().map_err(AppError::fields)?;
    let pool = state.pool;
    let mut outcome = BulkOutcome::default();
    for (number, version) in bulk.picks {
        let result = async {
            let which = IncidentRef::Number(number.clone());
            let id = crate::server::report::detail::visible_id(&pool, &viewer, &which)
                .await?
                .ok_or(AppError::NotFound)?;
            crate::server::desk::actions::act(&pool, &viewer, id, version, &bulk.action, &[]).await
        }
        .await;
        match result {
            Ok(_) => outcome.done.push(number.as_str().to_owned()),
            Err(e) => outcome
                .refused
                .push((number.as_str().to_owned(), e.code().to_owned())),
        }
    }
    let back = safe_next(Some(&format!(
        "{}?{}",
        crate::paths::DESK.path(),
        form.back.trim_start_matches('?')
    )))
    .unwrap_or_else(|| format!("{}?", crate::paths::DESK.path()));
    let join = if back.ends_with('?') { "" } else { "&" };
    leptos_axum::redirect(&format!("{back}{join}{}", outcome.to_query()));
    Ok(outcome)
}
