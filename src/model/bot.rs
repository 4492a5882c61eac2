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

/// What answers for a bot, as its owner sets it (secrets included: they go in, never out —
/// `Debug` shows no key).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl std::fmt::Debug for EngineSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineSettings::Openai {
                base_url,
                model,
                history,
                api_key,
                ..
            } => f
                .debug_struct("Openai")
                .field("base_url", base_url)
                .field("model", model)
                .field("history", history)
                .field("api_key", &api_key.as_ref().map(|_| "(set)"))
                .finish_non_exhaustive(),
            EngineSettings::Webhook { url } => f.debug_struct("Webhook").field("url", url).finish(),
            EngineSettings::Program => f.write_str("Program"),
        }
    }
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
/// that set a webhook (`Debug` leaves it out).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotView {
    pub wakes_on: WakesOn,
    pub engine: EngineView,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

impl std::fmt::Debug for BotView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotView")
            .field("wakes_on", &self.wakes_on)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// A being, with its bot settings when the one asking owns the bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeingWithBot {
    #[serde(flatten)]
    pub being: Being,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotView>,
}

/// A token a program acts as its bot with: its secret is shown once, when made (`Debug`
/// leaves it out).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBotToken {
    pub id: Uuid,
    pub token: String,
}

impl std::fmt::Debug for NewBotToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewBotToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
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
    /// `pending`, `running`, `done` or `failed`. The reply, if any, is the message with the
    /// wake's id.
    pub state: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let settings = EngineSettings::Openai {
            base_url: "https://x.org/v1".into(),
            model: "m".into(),
            system_prompt: String::new(),
            api_key: Some("sk-very-secret".into()),
            history: None,
        };
        let token = NewBotToken {
            id: Uuid::nil(),
            token: "rhz_very-secret".into(),
        };
        let view = BotView {
            wakes_on: WakesOn::EveryMessage,
            engine: EngineView::Program,
            signing_secret: Some("whsec_very-secret".into()),
        };
        let shown = format!("{settings:?} {token:?} {view:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
