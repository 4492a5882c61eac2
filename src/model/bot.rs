//! A bot's settings: what wakes it and what answers for it. The owner sets them with secrets
//! ([`BotSettings`]) and sees them without ([`BotView`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Being, Timestamp};

/// Which messages of its space wake a bot. A bot's message never wakes one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WakesOn {
    /// Every message a person says in its space.
    #[default]
    EveryMessage,
    /// Only the messages that say `@Name` (its name).
    Mentions,
}

impl WakesOn {
    pub fn as_str(self) -> &'static str {
        match self {
            WakesOn::EveryMessage => "every_message",
            WakesOn::Mentions => "mentions",
        }
    }

    pub fn parse(text: &str) -> Option<WakesOn> {
        match text {
            "every_message" => Some(WakesOn::EveryMessage),
            "mentions" => Some(WakesOn::Mentions),
            _ => None,
        }
    }
}

/// What answers for a bot, as its owner sets it (secrets included: they go in, never out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineSettings {
    /// An OpenAI-compatible chat-completions endpoint (OpenRouter, Ollama, llama.cpp, vLLM …).
    Openai {
        base_url: String,
        model: String,
        system_prompt: String,
        #[serde(default)]
        api_key: Option<String>,
        /// How many of the space's latest messages go with the prompt (default 20).
        #[serde(default)]
        history: Option<u32>,
    },
    /// A URL rhizom posts each wake to, signed.
    Webhook { url: String },
    /// Nothing is called: a program with the bot's token listens and answers.
    Program,
}

/// A bot's settings from its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotSettings {
    #[serde(default)]
    pub wakes_on: WakesOn,
    pub engine: EngineSettings,
}

/// What answers for a bot, as its owner sees it: no secret, only whether one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineView {
    Openai {
        base_url: String,
        model: String,
        system_prompt: String,
        history: u32,
        api_key_set: bool,
    },
    Webhook {
        url: String,
    },
    Program,
}

/// A bot's settings as its owner sees them. `signing_secret` is there once: in the answer
/// that set a webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotView {
    pub wakes_on: WakesOn,
    pub engine: EngineView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

/// A being, with its bot settings when the one asking owns the bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeingWithBot {
    #[serde(flatten)]
    pub being: Being,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotView>,
}

/// A token a program acts as its bot with: its secret is shown once, when made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBotToken {
    pub id: Uuid,
    pub token: String,
}

/// A bot's token, as listed (without its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BotTokenInfo {
    pub id: Uuid,
    pub created_at: Timestamp,
}

/// One wake of a bot, for its owner: which message woke it, what became of it, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WakeInfo {
    /// Also the webhook's delivery id.
    pub id: Uuid,
    pub message_id: Uuid,
    pub space_id: Uuid,
    /// `pending`, `running`, `done` or `failed`.
    pub state: String,
    pub reply_id: Option<Uuid>,
    pub attempts: i64,
    /// What went wrong last, in full (the space sees only a short reason).
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Everything a bot's page shows its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotPanel {
    pub being: Being,
    pub bot: Option<BotView>,
    pub tokens: Vec<BotTokenInfo>,
    pub wakes: Vec<WakeInfo>,
}
