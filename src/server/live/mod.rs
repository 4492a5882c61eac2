//! Live sync, server side (docs/SYNC.md). Every change gets the space's next position in the
//! transaction that makes it ([`recorder`]); after commit the [`hub`] fans the delta out,
//! serialized once ([`event`], [`frame`]), to every stream's [`sink`] of the space; a
//! [`stream`] opens with the catch-up or reset of [`opening`]; [`presence`] tracks who has a
//! live stream where; [`notify`] carries changes between nodes (PostgreSQL or the NATS bus);
//! [`session_streams`] ends the streams of a session that ends; [`housekeeping`] renews
//! the node's lease and prunes the log; [`signal`] passes on who is typing and where readers' marks are, and keeps nothing.

mod committed;
pub(crate) mod ending;
pub(crate) mod event;
pub(crate) mod frame;
mod housekeeping;
pub(crate) mod hub;
pub(crate) mod notify;
pub(crate) mod open_lists;
pub(crate) mod opening;
pub(crate) mod presence;
mod recent;
mod recorder;
pub(crate) mod session_streams;
pub(crate) mod signal;
pub(crate) mod sink;
pub(crate) mod spaces_stream;
pub(crate) mod stream;

use std::sync::Arc;

use rand::RngCore;
use uuid::Uuid;

pub(crate) use recorder::Recorder;

use crate::model::Timestamp;
use crate::server::config::Config;
use crate::server::db::{self, Db};

/// Everything live sync needs, shared by the whole server.
#[derive(Debug)]
pub(crate) struct LiveSync {
    /// This database's epoch: the first half of every cursor.
    pub epoch: Arc<str>,
    pub hub: Arc<hub::Hub>,
    /// Tells the other nodes what this one committed (PostgreSQL only).
    announcer: Option<Arc<notify::Announcer>>,
    pub presence: presence::PresenceTracker,
    /// The streams of each signed-in session, ended with it.
    pub session_streams: Arc<session_streams::SessionStreams>,
    /// The lists of each being's open streams of several spaces: what a new one costs.
    pub open_lists: Arc<open_lists::OpenLists>,
    /// The server's settings (the change window, heartbeat, presence periods …), shared.
    pub config: Arc<Config>,
    /// This process, for presence rows.
    pub node_id: Uuid,
    /// Flips to `true` when the server shuts down: live streams end, background work stops.
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl LiveSync {
    /// Loads (or creates) the epoch and starts the presence and pruning background work.
    pub async fn start(db: &Db, config: Arc<Config>) -> anyhow::Result<Arc<LiveSync>> {
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
        let shards = config
            .fanout_threads
            .unwrap_or_else(|| tokio::runtime::Handle::current().metrics().num_workers());
        let bus = match &config.nats_url {
            Some(url) => Some(Arc::new(connect_bus(url, &config, epoch.clone()).await?)),
            None => None,
        };
        let (interest, interested) = match bus {
            Some(_) => {
                let (tell, told) = tokio::sync::mpsc::unbounded_channel();
                (Some(tell), Some(told))
            }
            None => (None, None),
        };
        let hub = Arc::new(hub::Hub::new(
            db.clone(),
            epoch.clone(),
            &config,
            shards,
            interest,
        ));
        let node_id = Uuid::new_v4();
        // The lease first: the presence rows this node writes are live from the start.
        let mut tx = db.begin().await?;
        db::presence::renew(tx.exec(), node_id, Timestamp::now()).await?;
        tx.commit().await?;
        let shutdown = tokio::sync::watch::Sender::new(false);
        let announcer = config.database_url.is_postgres().then(|| {
            let stop = stopped(&shutdown);
            Arc::new(notify::Announcer::spawn(
                db.clone(),
                node_id,
                bus.clone(),
                stop,
            ))
        });
        let store = presence::PresenceRows {
            db: db.clone(),
            hub: hub.clone(),
            announcer: announcer.clone(),
            node_id,
            config: config.clone(),
        };
        let presence = presence::PresenceTracker::new(config.presence_grace, Arc::new(store));
        let live = Arc::new(LiveSync {
            epoch,
            hub,
            announcer,
            presence,
            session_streams: Arc::default(),
            open_lists: Arc::default(),
            config,
            node_id,
            shutdown,
        });
        if let (Some(bus), Some(interested)) = (bus, interested) {
            notify::interest::spawn(bus, &live, interested);
        }
        housekeeping::spawn(db.clone(), live.clone());
        Ok(live)
    }

    /// Ends every live stream (clients resume by cursor, on this node or another) and stops
    /// the background work, so a graceful shutdown does not wait on streams that never end.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once [`LiveSync::shut_down`] has been called.
    pub fn shutting_down(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        stopped(&self.shutdown)
    }

    /// Presence rows of a node whose lease was renewed after this are live.
    pub fn presence_cutoff(&self) -> Timestamp {
        presence_cutoff(Timestamp::now(), &self.config)
    }

    /// A recorder for the changes of one transaction.
    pub fn recorder(&self) -> Recorder {
        Recorder::new(
            self.hub.clone(),
            self.announcer.clone(),
            self.config.change_window,
        )
    }
}

/// The bus between nodes: only beside PostgreSQL, the record it carries changes of.
async fn connect_bus(
    url: &secrecy::SecretString,
    config: &Config,
    epoch: Arc<str>,
) -> anyhow::Result<notify::bus::Bus> {
    use secrecy::ExposeSecret as _;
    anyhow::ensure!(
        config.database_url.is_postgres(),
        "nats-url is set, but the database is SQLite: a bus carries changes between nodes, \
         and nodes share a PostgreSQL database"
    );
    notify::bus::Bus::connect(url.expose_secret(), epoch)
        .await
        // The address itself is not shown: it may hold a password.
        .map_err(|_| anyhow::anyhow!("nats-url is not a NATS address"))
}

/// Resolves once `shutdown` turns `true`.
fn stopped(
    shutdown: &tokio::sync::watch::Sender<bool>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let mut rx = shutdown.subscribe();
    async move {
        let _ = rx.wait_for(|down| *down).await;
    }
}

/// `now` minus the presence TTL: the presence rows of a node whose lease was renewed after it
/// are live.
pub(crate) fn presence_cutoff(now: Timestamp, config: &Config) -> Timestamp {
    Timestamp(now.0 - config.presence_ttl.as_micros() as i64)
}
