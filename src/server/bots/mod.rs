//! The bots' worker, on every node: it claims the wakes that are due (recorded with the
//! messages that caused them, `ops::bots::record_wakes`), answers each with its bot's engine —
//! a model's streamed reply ([`model`]) or a signed webhook ([`webhook`]) — and writes the
//! reply as the bot ([`reply`]). A claimed wake is leased and the lease renewed while it runs;
//! a node that stops or dies leaves its wakes to be taken back: a model's reply ends failed
//! ("interrupted", never answered twice), a webhook's delivery is tried again (same id).

mod model;
mod outbound;
mod reply;
mod webhook;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::model::{ApiError, Being, EngineSettings, Timestamp};
use crate::server::config::Config;
use crate::server::db::{Db, beings as db_beings, bots, removals, wakes};
use crate::server::locks::lock;
use crate::server::metrics::METRICS;
use crate::server::state::AppState;

/// How often due wakes are looked for when nothing says so sooner (a retry coming due).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Wakes answered at once by one node.
const AT_ONCE: i64 = 16;

/// The worker's shared part: what wakes it, the wakes it is answering (their leases are
/// renewed), and the replies it is writing (so that a Stop on this node cuts the model off at
/// once).
pub(crate) struct BotWorker {
    due: Notify,
    answering: Mutex<HashSet<Uuid>>,
    writing: Mutex<HashMap<Uuid, watch::Sender<bool>>>,
    node: Uuid,
    pub http: reqwest::Client,
    /// May bots call private addresses (`bot-private-addresses`)?
    private_addresses: bool,
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
        anyhow::ensure!(
            config.bot_lease >= Duration::from_secs(1),
            "bot-lease-secs is at least 1"
        );
        anyhow::ensure!(
            !config.bot_stall.is_zero() && !config.bot_webhook_timeout.is_zero(),
            "bot-stall-secs and bot-webhook-timeout-secs are at least 1"
        );
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10));
        if !config.bot_private_addresses {
            http = http.dns_resolver(Arc::new(outbound::PublicOnly));
        }
        Ok(Arc::new(BotWorker {
            due: Notify::new(),
            answering: Mutex::default(),
            writing: Mutex::default(),
            node,
            http: http.build()?,
            private_addresses: config.bot_private_addresses,
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

    /// Why `url` may not be called from here, if it may not.
    pub fn refused(&self, url: &str) -> Option<String> {
        (!self.private_addresses)
            .then(|| outbound::refused_address(url))
            .flatten()
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
    let answering: Vec<Uuid> = lock(&worker.answering).iter().copied().collect();
    let renewed = async {
        let mut tx = db.begin().await?;
        wakes::renew(tx.exec(), worker.node, &answering, worker.lease_until()).await?;
        tx.commit().await
    };
    if let Err(error) = renewed.await {
        tracing::warn!(%error, "could not renew the bots' leases");
    }
}

/// Claims as many due wakes as this node has room for, and answers each in a task of its own.
async fn claim_and_answer(state: &AppState) -> Result<(), ApiError> {
    let worker = &state.bots;
    let room = AT_ONCE - lock(&worker.answering).len() as i64;
    if room <= 0 {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    let claimed = wakes::claim_due(
        tx.exec(),
        worker.node,
        Timestamp::now(),
        worker.lease_until(),
        room,
    )
    .await?;
    tx.commit().await?;
    for wake in claimed {
        spawn_answer(state.clone(), wake);
    }
    Ok(())
}

/// Answers one wake in a task that owns its outcome: whatever goes wrong, the wake ends (and
/// its reply, if one was begun, ends failed) rather than staying `running`. A stopping server
/// drops what it was answering: the stop hands the wake back.
fn spawn_answer(state: AppState, wake: wakes::WakeRow) {
    lock(&state.bots.answering).insert(wake.id);
    tokio::spawn(async move {
        let answered = tokio::select! {
            answered = answer(&state, &wake) => Some(answered),
            () = state.live.shutting_down() => None,
        };
        if let Some(Err(error)) = answered {
            tracing::error!(wake = %wake.id, error = %error.message, "a wake could not be answered");
            let gave_up = async {
                reply::interrupted(&state, &wake, "could not be answered").await?;
                finish(&state, &wake, Some(&error.message), wake.attempts + 1).await
            };
            if let Err(error) = gave_up.await {
                tracing::error!(wake = %wake.id, error = %error.message, "a failed wake could not be ended");
            }
        }
        lock(&state.bots.answering).remove(&wake.id);
    });
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
async fn answer(state: &AppState, wake: &wakes::WakeRow) -> Result<(), ApiError> {
    let Some((bot, row, engine)) = bot_of(state, wake).await? else {
        let gone = "the bot or its settings are gone";
        return finish(state, wake, Some(gone), wake.attempts).await;
    };
    let mut conn = state.db.reader().await?;
    let removed = removals::is_removed(conn.exec(), wake.space_id, bot.id).await?;
    drop(conn);
    if removed || bot.location_id != Some(wake.space_id) {
        let gone = "the bot is no longer in the space";
        return finish(state, wake, Some(gone), wake.attempts).await;
    }
    match engine {
        EngineSettings::Openai { .. } => model::answer(state, wake, &bot, &row, &engine).await,
        EngineSettings::Webhook { url } => webhook::deliver(state, wake, &bot, &row, &url).await,
        EngineSettings::Program => finish(state, wake, None, wake.attempts).await,
    }
}

/// The wake is over (`failed` with why, in full for the owner, or done) — unless another node
/// took it back meanwhile, which then decides.
async fn finish(
    state: &AppState,
    wake: &wakes::WakeRow,
    failed: Option<&str>,
    attempts: i64,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let node = state.bots.node;
    let held = wakes::finish(tx.exec(), wake.id, node, failed, attempts, Timestamp::now()).await?;
    tx.commit().await?;
    if held {
        METRICS.bot_wakes.inc();
        if failed.is_some() {
            METRICS.bot_wake_failures.inc();
        }
    } else {
        tracing::warn!(wake = %wake.id, "another node took this wake back before it ended here");
    }
    Ok(())
}

/// Takes back the wakes whose node let its lease run out — or, with `node`, this node's own as
/// it stops — one by one, each adopted first so that one node decides: a webhook's delivery is
/// due again (its id makes it safe); a model's reply already begun ends "interrupted"
/// (answering again could say it twice), and a wake with nothing said yet is due again.
async fn take_back_abandoned(state: &AppState, node: Option<Uuid>) -> Result<(), ApiError> {
    let mut conn = state.db.reader().await?;
    let abandoned = wakes::abandoned(conn.exec(), Timestamp::now(), node).await?;
    drop(conn);
    for wake in abandoned {
        if let Err(error) = take_back(state, &wake, node).await {
            tracing::warn!(wake = %wake.id, error = %error.message, "could not take a wake back");
        }
    }
    Ok(())
}

async fn take_back(
    state: &AppState,
    wake: &wakes::WakeRow,
    stopping: Option<Uuid>,
) -> Result<(), ApiError> {
    let worker = &state.bots;
    let now = Timestamp::now();
    let mut tx = state.db.begin().await?;
    let adopted = wakes::adopt(
        tx.exec(),
        wake.id,
        worker.node,
        now,
        worker.lease_until(),
        stopping,
    )
    .await?;
    tx.commit().await?;
    if !adopted {
        return Ok(());
    }
    let engine = bot_of(state, wake).await?.map(|(_, _, engine)| engine);
    let begun = reply::begun(state, wake).await?;
    let again = matches!(engine, Some(EngineSettings::Webhook { .. })) || !begun;
    if again {
        // An interrupted try counts: a delivery that brings its node down every time ends.
        let attempts = wake.attempts + 1;
        if attempts as usize > worker.retries.len() {
            tracing::info!(wake = %wake.id, "an interrupted wake ran out of tries");
            return finish(state, wake, Some("interrupted too often"), attempts).await;
        }
        let mut tx = state.db.begin().await?;
        wakes::retry(
            tx.exec(),
            wake.id,
            worker.node,
            attempts,
            now,
            "interrupted",
            now,
        )
        .await?;
        tx.commit().await?;
        worker.wake_up();
        return Ok(());
    }
    tracing::info!(wake = %wake.id, "a reply was interrupted");
    reply::interrupted(state, wake, "interrupted").await?;
    finish(
        state,
        wake,
        Some("interrupted: the server stopped while answering"),
        wake.attempts,
    )
    .await
}
