//! Bots: their settings (what wakes them, what answers for them), the tokens a program acts as
//! a bot with, the wakes a person's message records, and the owner's view of them. Only a
//! bot's owner sees or changes any of it; secrets go in and never come out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use url::Url;
use uuid::Uuid;

use crate::model::{
    ApiError, Being, BeingKind, BotSettings, BotView, EngineSettings, EngineView, Intention,
    Timestamp, WakeInfo, WakesOn, mentions,
};
use crate::server::db::{Exec, beings as db_beings, bots, wakes};
use crate::server::state::AppState;

/// How many of the space's latest messages go to a model when the owner does not say.
pub const DEFAULT_HISTORY: u32 = 20;
/// The most a bot may be given.
const MAX_HISTORY: u32 = 100;
/// The longest system prompt.
const MAX_PROMPT_CHARS: usize = 8_000;

/// The owner's bot, or why not: 404 for no bot, 403 for someone else's.
pub(crate) async fn owned_bot(ex: Exec<'_>, actor: &Being, id: Uuid) -> Result<Being, ApiError> {
    let bot = db_beings::get(ex, id)
        .await?
        .filter(|b| b.kind == BeingKind::Bot)
        .ok_or_else(|| ApiError::not_found("bot"))?;
    if bot.owner_id != Some(actor.id) {
        return Err(ApiError::forbidden(
            "only its owner can see or change a bot's settings",
        ));
    }
    Ok(bot)
}

fn checked_url(field: &str, raw: &str) -> Result<String, ApiError> {
    match Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(ApiError::invalid(
            field,
            format!("{field} must be an http(s) URL"),
        )),
    }
}

/// Checks settings before anything is written: a bad one is a `422` naming its field.
pub fn validate(settings: &BotSettings) -> Result<(), ApiError> {
    match &settings.engine {
        EngineSettings::Openai {
            base_url,
            model,
            system_prompt,
            history,
            ..
        } => {
            checked_url("base_url", base_url)?;
            if model.trim().is_empty() {
                return Err(ApiError::invalid("model", "name the model"));
            }
            if system_prompt.chars().count() > MAX_PROMPT_CHARS {
                return Err(ApiError::invalid(
                    "system_prompt",
                    format!("a system prompt has at most {MAX_PROMPT_CHARS} characters"),
                ));
            }
            if !(1..=MAX_HISTORY).contains(&history.unwrap_or(DEFAULT_HISTORY)) {
                return Err(ApiError::invalid(
                    "history",
                    format!("history is from 1 to {MAX_HISTORY} messages"),
                ));
            }
        }
        EngineSettings::Webhook { url } => {
            checked_url("url", url)?;
        }
        EngineSettings::Program => {}
    }
    Ok(())
}

/// Sets `bot_id`'s settings (its owner only). An OpenAI key left out is kept; a webhook gets a
/// signing secret when it is first set, shown in this answer only.
pub async fn configure(
    state: &AppState,
    actor: &Being,
    bot_id: Uuid,
    settings: BotSettings,
) -> Result<BotView, ApiError> {
    validate(&settings)?;
    let called = match &settings.engine {
        EngineSettings::Openai { base_url, .. } => Some(("base_url", base_url)),
        EngineSettings::Webhook { url } => Some(("url", url)),
        EngineSettings::Program => None,
    };
    if let Some((field, url)) = called
        && let Some(why) = state.bots.refused(url)
    {
        return Err(ApiError::invalid(
            field,
            format!("bots may not call here: {why}"),
        ));
    }
    let mut tx = state.db.begin().await?;
    let bot = owned_bot(tx.exec(), actor, bot_id).await?;
    let before = bots::get(tx.exec(), bot.id).await?;
    let before_engine = before
        .as_ref()
        .and_then(|b| serde_json::from_str::<EngineSettings>(&b.engine).ok());
    let mut new_secret = None;
    let (engine, api_key, signing_secret) = match settings.engine {
        EngineSettings::Openai {
            base_url,
            model,
            system_prompt,
            api_key,
            history,
        } => {
            let base_url = checked_url("base_url", &base_url)?;
            let history = history.unwrap_or(DEFAULT_HISTORY);
            // A key set before goes on only to the same place (scheme, host, port): sent to a
            // new base URL, it would reach whoever runs that.
            let same_place = |earlier: &str| {
                let origin = |url: &str| Url::parse(url).ok().map(|u| u.origin());
                origin(earlier).is_some() && origin(earlier) == origin(&base_url)
            };
            let kept_key = match before_engine {
                Some(EngineSettings::Openai {
                    base_url: earlier, ..
                }) if same_place(&earlier) => before.as_ref().and_then(|b| b.api_key.clone()),
                _ => None,
            };
            let engine = EngineSettings::Openai {
                base_url,
                model,
                system_prompt,
                api_key: None,
                history: Some(history),
            };
            // An empty key clears it; none given keeps it (at the same place).
            let api_key = match api_key {
                Some(key) if key.trim().is_empty() => None,
                Some(key) => Some(key),
                None => kept_key,
            };
            (engine, api_key, None)
        }
        EngineSettings::Webhook { url } => {
            let url = checked_url("url", &url)?;
            let secret = match (
                &before_engine,
                before.as_ref().and_then(|b| b.signing_secret.clone()),
            ) {
                (Some(EngineSettings::Webhook { .. }), Some(secret)) => secret,
                _ => {
                    let fresh = signing_secret();
                    new_secret = Some(fresh.clone());
                    fresh
                }
            };
            (EngineSettings::Webhook { url }, None, Some(secret))
        }
        EngineSettings::Program => (EngineSettings::Program, None, None),
    };
    let row = bots::BotRow {
        being_id: bot.id,
        wakes_on: settings.wakes_on.as_str().to_owned(),
        engine: serde_json::to_string(&engine).map_err(|_| ApiError::internal())?,
        api_key,
        signing_secret,
    };
    bots::put(tx.exec(), &row, Timestamp::now()).await?;
    tx.commit().await?;
    tracing::info!(bot = %bot.id, "bot settings changed");
    let mut view = view_of(&row)?;
    view.signing_secret = new_secret;
    Ok(view)
}

/// A webhook's signing secret: 32 random bytes.
fn signing_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The owner's view of stored settings: no secret, only whether one is set.
fn view_of(row: &bots::BotRow) -> Result<BotView, ApiError> {
    let engine: EngineSettings = serde_json::from_str(&row.engine).map_err(|error| {
        tracing::error!(%error, "a bot's stored engine does not parse");
        ApiError::internal()
    })?;
    let engine = match engine {
        EngineSettings::Openai {
            base_url,
            model,
            system_prompt,
            history,
            ..
        } => EngineView::Openai {
            base_url,
            model,
            system_prompt,
            history: history.unwrap_or(DEFAULT_HISTORY),
            api_key_set: row.api_key.is_some(),
        },
        EngineSettings::Webhook { url } => EngineView::Webhook { url },
        EngineSettings::Program => EngineView::Program,
    };
    Ok(BotView {
        wakes_on: WakesOn::parse(&row.wakes_on).unwrap_or_default(),
        engine,
        signing_secret: None,
    })
}

/// The bot's settings, if `viewer` owns it and it has any.
pub async fn view(
    state: &AppState,
    viewer: Option<&Being>,
    being: &Being,
) -> Result<Option<BotView>, ApiError> {
    let owns = viewer.is_some_and(|v| being.kind == BeingKind::Bot && being.owner_id == Some(v.id));
    if !owns {
        return Ok(None);
    }
    let mut conn = state.db.reader().await?;
    bots::get(conn.exec(), being.id)
        .await?
        .map(|row| view_of(&row))
        .transpose()
}

/// The bot's latest wakes and what became of them (its owner only): a webhook's deliveries,
/// a model's failures in full.
pub async fn wakes(
    state: &AppState,
    actor: &Being,
    bot_id: Uuid,
) -> Result<Vec<WakeInfo>, ApiError> {
    let mut conn = state.db.reader().await?;
    let bot = owned_bot(conn.exec(), actor, bot_id).await?;
    Ok(wakes::of_bot(conn.exec(), bot.id, 50).await?)
}

/// Inside the transaction that stores a person's `message`: records a wake for every bot of
/// its space that this message wakes (a program bot listens by itself: nothing to record).
/// How many woke.
pub(crate) async fn record_wakes(mut ex: Exec<'_>, message: &Intention) -> Result<usize, ApiError> {
    let mut woke = 0;
    for bot in bots::in_space(ex.reborrow(), message.location_id).await? {
        let program = serde_json::from_str::<EngineSettings>(&bot.engine)
            .is_ok_and(|e| e == EngineSettings::Program);
        let wakes_on = WakesOn::parse(&bot.wakes_on).unwrap_or_default();
        if program || !wakes_on_message(wakes_on, &bot.name, &message.content) {
            continue;
        }
        let now = Timestamp::now();
        if wakes::insert(
            ex.reborrow(),
            Uuid::now_v7(),
            bot.id,
            message.id,
            message.location_id,
            message.owner_id,
            now,
        )
        .await?
        {
            woke += 1;
        }
    }
    Ok(woke)
}

/// Does `text` wake a bot called `name` that wakes on `wakes_on`?
pub(crate) fn wakes_on_message(wakes_on: WakesOn, name: &str, text: &str) -> bool {
    match wakes_on {
        WakesOn::EveryMessage => true,
        WakesOn::Mentions => mentions(text, name),
    }
}
