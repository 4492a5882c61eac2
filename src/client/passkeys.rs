//! The browser's part of passkeys: WebAuthn's `navigator.credentials.create` and `.get`, with
//! the options in WebAuthn's JSON form (`PublicKeyCredential.parse…OptionsFromJSON`) and the
//! answer back as JSON (`toJSON()`), so no byte is converted by hand.

use js_sys::{Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Makes a passkey with the server's `options`; the answer, as JSON.
pub async fn create(options: &serde_json::Value) -> Result<String, String> {
    ceremony("create", "parseCreationOptionsFromJSON", options).await
}

/// Signs with a passkey the authenticator keeps for this site; the answer, as JSON.
pub async fn get(options: &serde_json::Value) -> Result<String, String> {
    ceremony("get", "parseRequestOptionsFromJSON", options).await
}

async fn ceremony(call: &str, parse: &str, options: &serde_json::Value) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let class = Reflect::get(&window, &"PublicKeyCredential".into()).map_err(explain)?;
    if class.is_undefined() {
        return Err("this browser cannot use passkeys".to_owned());
    }
    let parse: Function = method(&class, parse)?;
    let options = JSON::parse(&options.to_string()).map_err(explain)?;
    let public_key = parse.call1(&class, &options).map_err(explain)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &public_key).map_err(explain)?;
    let credentials = Reflect::get(&window.navigator(), &"credentials".into()).map_err(explain)?;
    let asked: Promise = method(&credentials, call)?
        .call1(&credentials, &request)
        .map_err(explain)?
        .dyn_into()
        .map_err(explain)?;
    let credential = JsFuture::from(asked).await.map_err(explain)?;
    if credential.is_null() {
        return Err("no passkey was chosen".to_owned());
    }
    let json = method(&credential, "toJSON")?
        .call0(&credential)
        .map_err(explain)?;
    JSON::stringify(&json).map(String::from).map_err(explain)
}

fn method(on: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(on, &name.into())
        .map_err(explain)?
        .dyn_into()
        .map_err(|_| format!("this browser has no {name} for passkeys"))
}

/// What went wrong, in words: a browser error's name says it best (`NotAllowedError` is the
/// person cancelling, or the time running out).
fn explain(error: JsValue) -> String {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => "the passkey was not used (cancelled, or it took too long)".to_owned(),
        "InvalidStateError" => "this passkey is registered here already".to_owned(),
        "SecurityError" => {
            "passkeys do not work at this address (it needs a domain name)".to_owned()
        }
        _ => Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "the passkey did not work".to_owned()),
    }
}
