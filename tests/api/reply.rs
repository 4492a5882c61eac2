//! A response read to the end, and the checks the tests make on it.

use reqwest::RequestBuilder;
use serde_json::Value;

/// A response read to the end: status, headers and body (JSON when there is one).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    /// The body parsed as JSON; `Value::Null` when it is empty or not JSON (see `text`).
    pub body: Value,
}

impl Reply {
    /// A header's value as text, if the answer had it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        if status != 204 {
            assert!(
                !self.body.is_null(),
                "a {status} answer should carry JSON, got: {:?}",
                self.text
            );
        }
        self.body
    }

    /// Asserts a 204 with an empty body.
    #[track_caller]
    pub fn expect_no_content(self) {
        assert_eq!(self.status, 204, "unexpected status; body: {}", self.text);
        assert!(
            self.text.is_empty(),
            "a 204 should have no body, got: {}",
            self.text
        );
    }

    /// Asserts the status and the error body `{"error": {"code", "message", "field"?}}`;
    /// `field` is checked only when given.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        let error = &self.body["error"];
        assert!(
            error.is_object(),
            "error body should be {{\"error\": {{..}}}}: {}",
            self.text
        );
        assert_eq!(error["code"], code, "wrong error code; body: {}", self.text);
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error needs a message: {}",
            self.text
        );
        if let Some(field) = field {
            assert_eq!(
                error["field"], field,
                "wrong error field; body: {}",
                self.text
            );
        }
    }
}

/// Sends a request and reads the whole answer.
pub async fn send(request: RequestBuilder) -> Reply {
    let response = request
        .send()
        .await
        .expect("the request did not reach the server");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .expect("cannot read the response body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        body,
    }
}
