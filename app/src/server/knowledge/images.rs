//! Images in articles: uploaded from the editor through the screenshot pipeline (the same
//! limits, EXIF and metadata stripped, resized, a thumbnail, stored privately), then claimed by
//! the article whose saved body names them (`![](/api/v1/screenshots/12)`). Whoever may read the
//! article may see them; an image no article claims is swept after a day like any screenshot.
use crate::domain::accounts::Role;
use crate::domain::incident::views::Screenshot;
use crate::domain::knowledge::links::image_markdown;
use crate::paths;
use crate::server::infra::forms::{json_error, signed_in, wants_html};
use crate::server::infra::limits::Kind;
use crate::server::report::intake::{receive, Purpose};
use crate::server::AppState;
use crate::AppError;
use axum::extract::{multipart::MultipartRejection, Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use sqlx::PgConnection;
use tower_sessions::Session;

/// What an upload answers a script: each image and the Markdown that shows it.
#[derive(Serialize)]
pub struct Uploaded {
    pub images: Vec<UploadedImage>,
}

#[derive(Serialize)]
pub struct UploadedImage {
    pub id: i64,
    pub url: String,
    pub markdown: String,
}

/// `POST /api/kb/images`: the editor's images (file parts `screenshots`). A script gets JSON
/// (`Uploaded`); a plain form goes back to `back` (the editor) with `?images=12,13`, where the
/// page shows the Markdown to paste.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let html = wants_html(&headers);
    let user = match signed_in(&state, &session, Role::DESK).await {
        Ok(user) => user,
        Err(AppError::Unauthorized) if html => {
            return Redirect::to(&paths::login_then(paths::DESK_KB.path())).into_response()
        }
        Err(e) => return json_error(&e),
    };
    let mut back = paths::DESK_KB_NEW.path().to_owned();
    let result = async {
        let limited = state.limits.check(Kind::Action, user.id).err();
        let multipart = multipart.map_err(|_| AppError::BadRequest)?;
        let mut got = receive(&state, &user, multipart, Purpose::FollowUp, |_| {
            limited.clone().map_or(Ok(()), Err)
        })
        .await?;
        if let Some(asked) = got
            .text("back")
            .and_then(|b| crate::domain::accounts::safe_next(Some(b)))
            .filter(|b| b.starts_with(paths::DESK_KB.path()))
        {
            back = asked;
        }
        if let Some(refused) = got.refused.take() {
            return Err(refused);
        }
        if let Some(reason) = got.problem {
            return Err(AppError::field(crate::domain::Field::Screenshots, reason));
        }
        if got.screenshots.is_empty() {
            return Err(AppError::field(
                crate::domain::Field::Screenshots,
                crate::domain::Reason::Required,
            ));
        }
        Ok(got.screenshots)
    }
    .await;
    match (result, html) {
        (Ok(ids), true) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}images={}", list.join(","))).into_response()
        }
        (Ok(ids), false) => Json(Uploaded {
            images: ids
                .into_iter()
                .map(|id| UploadedImage {
                    id,
                    url: Screenshot::new(id, 0, 0).url,
                    markdown: image_markdown(id),
                })
                .collect(),
        })
        .into_response(),
        (Err(error), true) => {
            let message = serde_json::to_string(&error).unwrap_or_default();
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!(
                "{back}{sep}__err={}",
                paths::encode_query(&message)
            ))
            .into_response()
        }
        (Err(error), false) => json_error(&error),
    }
}

/// The screenshot ids a body names.
fn named(body: &str) -> Vec<i64> {
    let marker = format!("{}{}/", paths::rest::BASE, "/screenshots");
    body.match_indices(&marker)
        .filter_map(|(at, m)| {
            let rest = &body[at + m.len()..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            rest[..digits].parse().ok()
        })
        .collect()
}

/// Claims for `article` the images its body names that no incident or article has yet, uploaded
/// by its editor (never a reporter's screenshot, or a colleague's upload, picked by its id). An
/// image a later revision no longer names stays with the article (a rollback may name it again)
/// but readers no longer see it (see `report::screenshots::stored_for`).
pub async fn claim(
    conn: &mut PgConnection,
    article: i64,
    editor: i64,
    body: &str,
) -> Result<(), AppError> {
    let ids = named(body);
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE screenshots SET article_id = $1, updated_at = now()
         WHERE id = ANY($2) AND incident_id IS NULL AND article_id IS NULL AND uploader_id = $3",
        article,
        &ids,
        editor
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_names_its_images() {
        assert_eq!(
            super::named("看图 ![](/api/v1/screenshots/12) 和 ![x](/api/v1/screenshots/7/thumb)"),
            [12, 7]
        );
        assert_eq!(
            crate::domain::knowledge::links::image_markdown(3),
            "![](/api/v1/screenshots/3)"
        );
    }
}
