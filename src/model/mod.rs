//! The shared data model: the types that travel between server, client and programs.
//!
//! These are compiled for both builds; the `ssr` build also maps them to SQL rows.

mod bot;
mod error;
mod identity;
mod input;
mod mention;
pub mod permissions;
mod time;

pub use bot::{
    BeingWithBot, BotPanel, BotSettings, BotTokenInfo, BotView, EngineSettings, EngineView,
    NewBotToken, WakeInfo, WakesOn,
};
pub use error::{ApiError, ErrorCode};
pub use identity::{
    LinkedProvider, NewSignInLink, PasskeyCeremony, PasskeyInfo, Profile, ProviderChoice, QrCode,
    SessionInfo, ShownLink, SignInChoices, SignInLinkInfo,
};
pub use input::{Content, Limit, Name};
pub use mention::mentions;
pub use time::Timestamp;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of the space every new database starts with.
pub const LOBBY_ID: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000001);

/// What a being is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum BeingKind {
    Guest,
    Space,
    Bot,
    Document,
}

/// Someone or something that can be somewhere: a guest, a bot, a document, a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Being {
    pub id: Uuid,
    pub kind: BeingKind,
    pub name: String,
    /// `None` for beings owned by the server itself (the Lobby).
    pub owner_id: Option<Uuid>,
    /// The space it is in; `None` at the top level.
    pub location_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an intention is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum IntentionKind {
    Utterance,
    Error,
}

/// Where an intention is in its life: bots stream through draft → active → complete/failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum IntentionState {
    Draft,
    Active,
    Complete,
    Failed,
}

impl IntentionState {
    /// States only move forward: draft → active → complete or failed. An active message may
    /// stay active (a bot streaming more text); a finished one stays as it is.
    pub fn may_become(self, next: IntentionState) -> bool {
        use IntentionState::*;
        matches!(
            (self, next),
            (Draft, _)
                | (Active, Active | Complete | Failed)
                | (Complete, Complete)
                | (Failed, Failed)
        )
    }
}

/// A message, or another act a being means to make, in a space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Intention {
    pub id: Uuid,
    pub kind: IntentionKind,
    pub state: IntentionState,
    pub owner_id: Uuid,
    pub location_id: Uuid,
    pub content: String,
    /// The message this one answers (a bot's reply names the message that woke it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One page of a list, and the cursor of the next page (`None` at the end). A space's
/// intentions come newest first; spaces and the beings in a space, in order of arrival.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::IntentionState::{self, *};

    #[test]
    fn states_only_move_forward() {
        let all = [Draft, Active, Complete, Failed];
        let allowed = |from: IntentionState| all.iter().filter(|&&to| from.may_become(to)).count();
        assert_eq!(allowed(Draft), 4);
        assert!(
            Active.may_become(Active) && Active.may_become(Complete) && Active.may_become(Failed)
        );
        assert!(!Active.may_become(Draft));
        assert_eq!(allowed(Complete), 1);
        assert_eq!(allowed(Failed), 1);
        assert!(!Complete.may_become(Failed) && !Failed.may_become(Complete));
    }
}
