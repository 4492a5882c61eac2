//! What a being's identity looks like from outside: its sessions, passkeys, sign-in links and
//! linked OpenID Connect providers. No secret travels in these (no token, no key).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Being, Timestamp};

/// A device signed in as the being.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionInfo {
    pub id: Uuid,
    /// The browser or program, as its `User-Agent` said when it signed in.
    pub user_agent: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The session of the request that asked.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    #[serde(default)]
    pub current: bool,
}

/// A passkey of the being: its name and dates (the key itself stays on the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PasskeyInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A sign-in link not yet used. Its secret is shown once, when it is made ([`NewSignInLink`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SignInLinkInfo {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A sign-in link just made: the URL to open on the other device, and when it stops working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSignInLink {
    pub id: Uuid,
    pub url: String,
    pub expires_at: Timestamp,
}

/// An OpenID Connect provider linked to the being.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LinkedProvider {
    /// The provider's name, as the operator configured it.
    pub provider: String,
    pub created_at: Timestamp,
}

/// A passkey ceremony under way: the options for the browser's `navigator.credentials` call
/// (WebAuthn's JSON form, for `PublicKeyCredential.parse…OptionsFromJSON`), and the id of the
/// attempt to send back with the answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    pub attempt: String,
    pub options: serde_json::Value,
}

/// A provider one can sign in with, and where its button leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderChoice {
    pub name: String,
    /// `/auth/oidc/<name>`, with a proof of the session when someone is signed in: an
    /// account new to rhizom is then linked to them rather than made a new being.
    pub href: String,
}

/// Everything of a being's identity its profile shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub being: Being,
    pub sessions: Vec<SessionInfo>,
    pub passkeys: Vec<PasskeyInfo>,
    /// Whether this server offers passkeys (its public URL has a domain name).
    pub passkeys_offered: bool,
    pub linked: Vec<LinkedProvider>,
    /// The providers, each leading to linking an account to this being.
    pub providers: Vec<ProviderChoice>,
    pub links: Vec<SignInLinkInfo>,
}

/// The ways to sign in this server offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInChoices {
    pub passkeys_offered: bool,
    pub providers: Vec<ProviderChoice>,
    /// The name of the being this device is, when nothing else leads back to it: signing in as
    /// someone else would lose it (the server refuses until it is signed out, confirming).
    pub would_strand: Option<String>,
}

/// A sign-in link just made, with its QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownLink {
    pub link: NewSignInLink,
    pub qr: QrCode,
}

/// A QR code as an SVG path: `size` modules a side, the dark ones drawn by `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrCode {
    pub size: u32,
    pub path: String,
}
