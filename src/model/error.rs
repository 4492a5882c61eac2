//! The error that goes on the wire: the same shape for the JSON API and the server functions.

use serde::{Deserialize, Serialize};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// What went wrong, in a word a program can branch on. Each maps to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    RequestTimeout,
    Conflict,
    /// It was there and was deleted: sending it again does not bring it back.
    Gone,
    PayloadTooLarge,
    UnsupportedMediaType,
    Invalid,
    RateLimited,
    /// The write met another at the same moment and did nothing; try again shortly.
    Busy,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::Conflict => 409,
            ErrorCode::Gone => 410,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Invalid => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Busy | ErrorCode::Unavailable => 503,
        }
    }
}

/// `{"code", "message", "field"?, "retry_after"?}`: a clear message for people, a code for
/// programs, the input field at fault when there is one, and for a refusal that passes with
/// time, how many seconds to wait. Internal details never go in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (also the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message).with_field(field)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message).with_field(field)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "sign in first: POST /api/session with a name",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no {what} with this id"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// Too many requests: try again after `wait` (rounded up to whole seconds).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut error = Self::new(
            ErrorCode::RateLimited,
            format!("too many requests; try again in {seconds} s"),
        );
        error.retry_after = Some(seconds.max(1));
        error
    }

    /// `503 unavailable`: the server cannot do this now (or, as set up, at all).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "something went wrong on the server")
    }
}

impl FromServerFnError for ApiError {
    type Encoder = crate::api::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(message) => Self::new(
                ErrorCode::Unavailable,
                format!("could not reach the server: {message}"),
            ),
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                Self::new(ErrorCode::BadRequest, message)
            }
            _ => Self::internal(),
        }
    }
}
