//! Live sync, server side (docs/SYNC.md): every change gets the space's next position in the
//! transaction that makes it ([`Recorder`]); after commit the [`hub::Hub`] fans the delta out,
//! serialized once, to every stream of the space; [`stream`] serves the SSE stream and the
//! polling endpoint; [`presence`] tracks who has a live stream where.

mod frame;
pub mod hub;
pub mod notify;
pub mod opening;
pub mod presence;
mod recorder;
pub mod sink;
pub mod stream;
mod tasks;

use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use uuid::Uuid;

pub use recorder::Recorder;

use crate::model::Timestamp;

/// `now` minus the presence TTL.
pub fn presence_cutoff(now: Timestamp, settings: &SyncSettings) -> Timestamp {
    Timestamp(now.0 - settings.presence_ttl.as_micros() as i64)
}

use super::db::{self, Db};

/// The limits of docs/SYNC.md, from the server's configuration.
#[derive(Clone, Debug)]
pub struct SyncSettings {
    pub change_window: u64,
    pub change_max_age: Duration,
    pub stream_buffer: usize,
    pub fanout_threads: Option<usize>,
    pub heartbeat: Duration,
    pub presence_grace: Duration,
    pub presence_ttl: Duration,
}

/// Everything sync needs, shared by the whole server.
#[derive(Debug)]
pub struct Sync {
    /// This database's epoch: the first half of every cursor.
    pub epoch: Arc<str>,
    pub hub: Arc<hub::Hub>,
    pub presence: presence::Presence,
    pub settings: SyncSettings,
    /// This process, for presence rows.
    pub node_id: Uuid,
    /// Flips to `true` when the server shuts down: live streams end, background work stops.
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Sync {
    /// Loads (or creates) the epoch and starts the presence and pruning background tasks.
    pub async fn start(db: &Db, settings: SyncSettings) -> anyhow::Result<Arc<Sync>> {
        let mut fresh = [0u8; 8];
        rand::rng().fill_bytes(&mut fresh);
        let mut tx = db.begin().await?;
        let epoch = db::settings::get_or_create(tx.exec(), "epoch", &fresh).await?;
        tx.commit().await?;
        let epoch: Arc<str> = epoch
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into();
        let shards = settings
            .fanout_threads
            .unwrap_or_else(|| tokio::runtime::Handle::current().metrics().num_workers());
        let hub = Arc::new(hub::Hub::new(
            db.clone(),
            epoch.clone(),
            settings.stream_buffer,
            shards,
        ));
        let node_id = Uuid::new_v4();
        let writer = presence::DbWriter::new(db.clone(), hub.clone(), node_id, settings.clone());
        let presence = presence::Presence::new(settings.presence_grace, Arc::new(writer));
        let shutdown = tokio::sync::watch::Sender::new(false);
        let sync = Arc::new(Sync {
            epoch,
            hub,
            presence,
            settings,
            node_id,
            shutdown,
        });
        tasks::spawn(db.clone(), sync.clone());
        Ok(sync)
    }

    /// Ends every live stream (clients resume by cursor, on this node or another) and stops
    /// the background work, so a graceful shutdown does not wait on streams that never end.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once [`Sync::shut_down`] has been called.
    pub fn shutting_down(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|down| *down).await;
        }
    }

    /// Presence rows renewed after this are live.
    pub fn presence_cutoff(&self) -> Timestamp {
        presence_cutoff(Timestamp::now(), &self.settings)
    }

    /// A recorder for the changes of one transaction.
    pub fn recorder(&self) -> Recorder {
        Recorder::new(self.hub.clone(), self.settings.change_window)
    }
}
