//! `GET|POST /api/spaces/{id}/intentions`, `PATCH|DELETE /api/intentions/{id}`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{Actor, Json, parse_id};
use crate::model::{ApiError, IntentionState};
use crate::server::ops;
use crate::server::state::AppState;

#[derive(Deserialize)]
pub(super) struct PageQuery {
    before: Option<String>,
    limit: Option<String>,
}

/// GET /api/spaces/{id}/intentions?before=&limit= — newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let page = ops::intentions::page(
        &state,
        parse_id(&id)?,
        query.before.as_deref(),
        query.limit.as_deref(),
    );
    Ok(axum::Json(page.await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PostBody {
    #[serde(default)]
    id: Option<Uuid>,
    content: String,
    #[serde(default)]
    state: Option<IntentionState>,
    #[serde(default, rename = "as")]
    author: Option<Uuid>,
    #[serde(default)]
    reply_to: Option<Uuid>,
}

/// POST /api/spaces/{id}/intentions — 201 when new, 200 when this id was already posted.
pub(super) async fn create(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
    Json(body): Json<PostBody>,
) -> Result<impl IntoResponse, ApiError> {
    let new = ops::intentions::NewIntention {
        id: body.id,
        content: &body.content,
        state: body.state,
        author: body.author,
        reply_to: body.reply_to,
        kind: None,
    };
    let (intention, created) = ops::intentions::post(&state, &me, parse_id(&id)?, new).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(intention)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EditBody {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    state: Option<IntentionState>,
}

/// PATCH /api/intentions/{id} — new content; author only.
pub(super) async fn update(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
    Json(body): Json<EditBody>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::intentions::edit(
            &state,
            &me,
            parse_id(&id)?,
            body.content.as_deref(),
            body.state,
        )
        .await?,
    ))
}

/// DELETE /api/intentions/{id} — author or the space's owner.
pub(super) async fn delete(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    ops::intentions::delete(&state, &me, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
