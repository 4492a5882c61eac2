//! Extractors whose rejections are the API's own JSON errors.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::model::{ApiError, Being, ErrorCode};
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::state::AppState;

/// A JSON body; a bad one is a 400 (syntax), 422 (shape), 413 (size) or 415 (content type).
pub(super) struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send a JSON body with Content-Type: application/json",
            ));
        }
        // The body is bounded (and read) before any handler sees it: `guard::body`.
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.body_text()))?;
        // serde would also read a struct from a well-formed array; the API takes objects only.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                "the body must be a JSON object",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::new(ErrorCode::Invalid, e.body_text()))
            }
            Err(e) => Err(ApiError::new(ErrorCode::BadRequest, e.body_text())),
        }
    }
}

/// `application/json`, or any `application/…+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The signed-in guest making a write: 401 without one, 429 past the write limits.
pub(super) struct Actor(pub Being);

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let address = ClientAddress::of(parts).0;
        ops::session::writer(state, &parts.headers, address)
            .await
            .map(|me| Actor(me.being))
    }
}

/// The signed-in guest, for a read: 401 without one.
pub(super) struct SignedInBeing(pub Being);

impl FromRequestParts<AppState> for SignedInBeing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        ops::session::require(state, &parts.headers)
            .await
            .map(|me| SignedInBeing(me.being))
    }
}

/// The signed-in person and their session, for a change to their identity: 401 without one,
/// 403 for a bot's token, 429 past the write limits.
pub(super) struct ActingSession(pub ops::session::SignedIn);

impl FromRequestParts<AppState> for ActingSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let address = ClientAddress::of(parts).0;
        ops::session::person_writing(state, &parts.headers, address)
            .await
            .map(ActingSession)
    }
}

/// The signed-in person and their session, for a read of their identity: 401 without one, 403
/// for a bot's token.
pub(super) struct ReadingSession(pub ops::session::SignedIn);

impl FromRequestParts<AppState> for ReadingSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        ops::session::require_person(state, &parts.headers)
            .await
            .map(ReadingSession)
    }
}

/// `?confirm=true`: the caller confirms a step that cannot be undone (the last way back into
/// a being).
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ConfirmQuery {
    confirm: Option<String>,
}

impl ConfirmQuery {
    pub fn confirmed(&self) -> Result<bool, ApiError> {
        ConfirmQuery::flag("confirm", self.confirm.as_deref())
    }

    /// A `true`/`false` query parameter (absent: `false`); anything else is a 400.
    pub fn flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
        match value {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::bad_request(
                name,
                format!("{name} is true or false, not {other:?}"),
            )),
        }
    }
}

/// An id in the path: 400 when it is not a UUID.
pub(super) fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::bad_request("id", format!("{raw:?} is not a UUID")))
}
