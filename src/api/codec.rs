//! How the server functions' answers (and their errors) travel: JSON, read as text.
//!
//! server_fn's own JSON codec reads answers from bytes (`serde_json::from_slice`), while
//! everything else the page reads — the page's server-rendered data, the live stream's frames,
//! the notes between tabs — is read from text (`from_str`). serde_json builds one decoder per
//! type and per way of reading, so the client carried two decoders for most types; reading the
//! answers as text too leaves one (docs/PERFORMANCE.md, "First visit").

use serde::Serialize;
use serde::de::DeserializeOwned;
use server_fn::codec::Post;
use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

/// JSON, written as server_fn writes it and read from text.
pub struct JsonText;

/// A call whose arguments or answer travel as [`JsonText`] in a `POST` body.
pub type PostJson = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|error| error.to_string())?;
        serde_json::from_str(text).map_err(|error| error.to_string())
    }
}
