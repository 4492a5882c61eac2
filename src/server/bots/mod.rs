//! The bots' worker, on every node: it claims the wakes that are due (recorded with the
//! messages that caused them, `ops::bots::record_wakes`), answers each with its bot's engine —
//! a model's streamed reply ([`model`]) or a signed webhook ([`webhook`]) — and writes the
//! reply as the bot ([`reply`]). A claimed wake is leased and the lease renewed while it runs;
//! a node that stops or dies leaves its wakes to be taken back: a model's reply ends failed
//! ("interrupted", never answered twice), a webhook's delivery is tried again (same id).

mod model;
mod reply;
mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::model::{ApiError, Being, EngineSettings, Timestamp};
use crate::server::config::Config;
use crate::server::db::{Db, beings as db_beings, bots, wakes};
use crate::server::locks::lock;
use crate::server::state::AppState;

/// How often due wakes are looked for when nothing says so sooner (a retry coming due).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Wakes answered at once by one node.
const AT_ONCE: i64 = 16;

/// The worker's shared part: what wakes it, and the replies it is writing (so that a Stop on
/// this node cuts the model off at once).
pub(crate) struct BotWorker {
    due: Notify,
    writing: Mutex<HashMap<Uuid, watch::Sender<bool>>>,
    node: Uuid,
    pub http: reqwest::Client,
    stall: Duration,
    webhook_timeout: Duration,
    retries: Vec<Duration>,
    lease: Duration,
}

impl std::fmt::Debug for BotWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotWorker")
            .field("node", &self.node)
            .finish()
    }
}

impl BotWorker {
    pub fn new(config: &Config, node: Uuid) -> anyhow::Result<Arc<BotWorker>> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Arc::new(BotWorker {
            due: Notify::new(),
            writing: Mutex::default(),
            node,
            http,
            stall: config.bot_stall,
            webhook_timeout: config.bot_webhook_timeout,
            retries: config
                .bot_retry_ms
                .iter()
                .map(|ms| Duration::from_millis(*ms))
                .collect(),
            lease: config.bot_lease,
        }))
    }

    /// A wake was recorded: look now.
    pub fn wake_up(&self) {
        self.due.notify_one();
    }

    /// The reply `id` was stopped: if this node is writing it, stop at once.
    pub fn stopped(&self, id: Uuid) {
        if let Some(flag) = lock(&self.writing).remove(&id) {
            flag.send_replace(true);
        }
    }

    /// Registers a reply being written here; the receiver turns `true` when it is stopped.
    fn writing(&self, id: Uuid) -> watch::Receiver<bool> {
        let (flag, stopped) = watch::channel(false);
        lock(&self.writing).insert(id, flag);
        stopped
    }

    fn done_writing(&self, id: Uuid) {
        lock(&self.writing).remove(&id);
    }

    fn lease_until(&self) -> Timestamp {
        Timestamp(Timestamp::now().0 + self.lease.as_micros() as i64)
    }
}

/// Runs the worker until the server stops: first the wakes left by nodes that stopped or
/// died, then every due wake as it comes.
pub(crate) fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stop = state.live.shutting_down();
        tokio::pin!(stop);
        let worker = state.bots.clone();
        // Every third of a lease (and at once): renew this node's, and take back those that ran
        // out — a node that died.
        let mut renew = tokio::time::interval(worker.lease / 3);
        loop {
            if let Err(error) = claim_and_answer(&state).await {
                tracing::warn!(error = %error.message, "could not claim wakes");
            }
            tokio::select! {
                () = worker.due.notified() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
                _ = renew.tick() => {
                    renew_leases(&state.db, &worker).await;
                    if let Err(error) = take_back_abandoned(&state, None).await {
                        tracing::warn!(error = %error.message, "could not take back abandoned wakes");
                    }
                }
                () = &mut stop => break,
            }
        }
        // Stopping: what this node was answering is handed back now, not when its lease ends.
        if let Err(error) = take_back_abandoned(&state, Some(worker.node)).await {
            tracing::warn!(error = %error.message, "could not hand back this node's wakes");
        }
    })
}

async fn renew_leases(db: &Db, worker: &BotWorker) {
    let renewed = async {
        let mut tx = db.begin().await?;
        wakes::renew(tx.exec(), worker.node, worker.lease_until()).await?;
        tx.commit().await
    };
    if let Err(error) = renewed.await {
        tracing::warn!(%error, "could not renew the bots' leases");
    }
}

async fn claim_and_answer(state: &AppState) -> Result<(), ApiError> {
    let worker = &state.bots;
    let mut tx = state.db.begin().await?;
    let claimed = wakes::claim_due(
        tx.exec(),
        worker.node,
        Timestamp::now(),
        worker.lease_until(),
        AT_ONCE,
    )
    .await?;
    tx.commit().await?;
    for wake in claimed {
        let state = state.clone();
        tokio::spawn(async move {
            let id = wake.id;
            // A stopping server drops what it was answering: the wake is handed back.
            tokio::select! {
                answered = answer(&state, wake) => {
                    if let Err(error) = answered {
                        tracing::error!(wake = %id, error = %error.message, "a wake could not be answered");
                    }
                }
                () = state.live.shutting_down() => {}
            }
        });
    }
    Ok(())
}

/// The bot of a wake, with its settings; `None` when it was deleted or unset meanwhile.
async fn bot_of(
    state: &AppState,
    wake: &wakes::WakeRow,
) -> Result<Option<(Being, bots::BotRow, EngineSettings)>, ApiError> {
    let mut conn = state.db.reader().await?;
    let Some(bot) = db_beings::get(conn.exec(), wake.bot_id).await? else {
        return Ok(None);
    };
    let Some(row) = bots::get(conn.exec(), wake.bot_id).await? else {
        return Ok(None);
    };
    let engine = serde_json::from_str(&row.engine).map_err(|_| ApiError::internal())?;
    Ok(Some((bot, row, engine)))
}

/// Answers one claimed wake with its bot's engine.
async fn answer(state: &AppState, wake: wakes::WakeRow) -> Result<(), ApiError> {
    let Some((bot, row, engine)) = bot_of(state, &wake).await? else {
        return finish(
            state,
            &wake,
            Some("the bot or its settings are gone"),
            wake.attempts,
        )
        .await;
    };
    match engine {
        EngineSettings::Openai { .. } => model::answer(state, &wake, &bot, &row, &engine).await,
        EngineSettings::Webhook { url } => webhook::deliver(state, &wake, &bot, &row, &url).await,
        EngineSettings::Program => finish(state, &wake, None, wake.attempts).await,
    }
}

/// The wake is over (`failed` with why, in full for the owner, or done).
async fn finish(
    state: &AppState,
    wake: &wakes::WakeRow,
    failed: Option<&str>,
    attempts: i64,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    wakes::finish(tx.exec(), wake.id, failed, attempts, Timestamp::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes back the wakes whose node let its lease run out — or, with `node`, this node's own as
/// it stops: a model's reply ends "interrupted" (answering again could say it twice); a
/// webhook's delivery is due again at once.
async fn take_back_abandoned(state: &AppState, node: Option<Uuid>) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let abandoned = wakes::take_abandoned(tx.exec(), Timestamp::now(), node).await?;
    tx.commit().await?;
    for wake in abandoned {
        let engine = bot_of(state, &wake).await?.map(|(_, _, engine)| engine);
        match engine {
            Some(EngineSettings::Webhook { .. }) => {
                let mut tx = state.db.begin().await?;
                let now = Timestamp::now();
                wakes::retry(tx.exec(), wake.id, wake.attempts, now, "interrupted", now).await?;
                tx.commit().await?;
                state.bots.wake_up();
            }
            _ => {
                tracing::info!(wake = %wake.id, "a reply was interrupted");
                if let Some(reply_id) = wake.reply_id {
                    reply::interrupted(state, wake.bot_id, reply_id).await?;
                }
                finish(
                    state,
                    &wake,
                    Some("interrupted: the server stopped while answering"),
                    wake.attempts,
                )
                .await?;
            }
        }
    }
    Ok(())
}
