//! NATS JetStream as the bus between nodes, when `nats-url` is set (docs/SCALING.md, "The
//! bus"). After commit, each change is published to its space's subject,
//! `rhizom.<epoch>.<space>`, with the dedup id `<epoch>:<space>:<position>` (a change published
//! twice is kept once); the JetStream stream keeps the last [`HISTORY`] changes of each subject.
//! A node subscribes only to the subjects of the spaces it streams ([`super::interest`]), so
//! NATS sends a change only where someone wants it. PostgreSQL stays the record: what the bus
//! does not take is announced by `NOTIFY` instead, and the sweep finds what neither carried.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use async_nats::connection::State;
use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures_util::StreamExt;
use uuid::Uuid;

use super::Announced;
use crate::server::live::committed::Committed;
use crate::server::metrics::METRICS;

/// Changes the bus keeps per space: as many as a node keeps in memory for resumes.
const HISTORY: i64 = 256;
/// The oldest change the bus keeps: its history is for nodes that restart or join, not a log.
const HISTORY_AGE: Duration = Duration::from_secs(60 * 60);
/// A publish the bus sends twice within this is kept once.
const DEDUP_WINDOW: Duration = Duration::from_secs(120);
/// The longest a publish waits for the bus to say it has it, or a request for its answer,
/// before the change goes by PostgreSQL instead.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);
/// The header that carries a change's position.
const POSITION: &str = "Rhizom-Position";

#[derive(Debug)]
pub(crate) struct Bus {
    client: async_nats::Client,
    jetstream: jetstream::Context,
    epoch: Arc<str>,
    /// The stream exists: made at start, and again after the bus lost it.
    stream_ready: AtomicBool,
}

impl Bus {
    /// Connects, in the background when NATS does not answer yet: until it does, changes go
    /// by PostgreSQL.
    pub async fn connect(url: &str, epoch: Arc<str>) -> anyhow::Result<Bus> {
        // The client logs the addresses it connects to: give it them without the credentials.
        let (servers, credentials) = split_credentials(url)?;
        let options = match credentials {
            Some(Credentials::UserAndPassword(user, password)) => {
                async_nats::ConnectOptions::with_user_and_password(user, password)
            }
            Some(Credentials::Token(token)) => async_nats::ConnectOptions::with_token(token),
            None => async_nats::ConnectOptions::new(),
        };
        let client = options
            .name("rhizom")
            // A node's own changes reached its streams at commit.
            .no_echo()
            .retry_on_initial_connect()
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis(250 * attempts.min(8) as u64)
            })
            .connect(servers.as_str())
            .await?;
        let jetstream = jetstream::ContextBuilder::new()
            .timeout(ANSWER_WITHIN)
            .ack_timeout(ANSWER_WITHIN)
            .build(client.clone());
        let bus = Bus {
            client,
            jetstream,
            epoch,
            stream_ready: AtomicBool::new(false),
        };
        let waited = Instant::now();
        while bus.client.connection_state() != State::Connected {
            if waited.elapsed() > ANSWER_WITHIN {
                tracing::warn!("NATS does not answer yet: changes go by PostgreSQL until it does");
                return Ok(bus);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bus.ensure_stream().await;
        Ok(bus)
    }

    fn stream_name(&self) -> String {
        format!("RHIZOM_{}", self.epoch)
    }

    pub fn subject(&self, space_id: Uuid) -> String {
        format!("rhizom.{}.{space_id}", self.epoch)
    }

    /// Makes the stream unless it is known to be there; `false` when the bus cannot.
    async fn ensure_stream(&self) -> bool {
        if self.stream_ready.load(Relaxed) {
            return true;
        }
        let config = stream::Config {
            name: self.stream_name(),
            subjects: vec![format!("rhizom.{}.*", self.epoch)],
            max_messages_per_subject: HISTORY,
            max_age: HISTORY_AGE,
            duplicate_window: DEDUP_WINDOW,
            storage: stream::StorageType::File,
            ..Default::default()
        };
        match self.jetstream.get_or_create_stream(config).await {
            Ok(_) => {
                self.stream_ready.store(true, Relaxed);
                true
            }
            Err(error) => {
                METRICS.bus_errors.inc();
                tracing::warn!(%error, "cannot make the bus's stream; changes go by PostgreSQL");
                false
            }
        }
    }

    /// Publishes `batch` (in order) and returns what the bus did not take, for PostgreSQL to
    /// announce: all of it while NATS is away.
    pub async fn publish(&self, batch: Vec<Announced>) -> Vec<Announced> {
        if self.client.connection_state() != State::Connected || !self.ensure_stream().await {
            return batch;
        }
        let began = Instant::now();
        let max_payload = self.client.server_info().max_payload;
        let mut acks = Vec::with_capacity(batch.len());
        let mut left = Vec::new();
        for announced in batch {
            let message = self.message(&announced, max_payload);
            match self
                .jetstream
                .send_publish(self.subject(announced.space_id), message)
                .await
            {
                Ok(ack) => acks.push((announced, ack)),
                Err(error) => {
                    tracing::warn!(%error, "the bus refused a change; it goes by PostgreSQL");
                    left.push(announced);
                }
            }
        }
        // One deadline for the batch's confirmations, so a bus that stopped answering holds
        // the announcements up by 2 s, not 2 s a change.
        let deadline = tokio::time::Instant::now() + ANSWER_WITHIN;
        let mut carried = 0;
        for (announced, ack) in acks {
            match tokio::time::timeout_at(deadline, ack).await {
                Ok(Ok(_)) => carried += 1,
                Ok(Err(error)) => {
                    // The stream may be gone (NATS restarted without it): make it again.
                    self.stream_ready.store(false, Relaxed);
                    tracing::warn!(%error, "the bus did not confirm a change; it goes by PostgreSQL");
                    left.push(announced);
                }
                Err(_) => left.push(announced),
            }
        }
        if left.is_empty() {
            METRICS.bus_publishes.observe(began.elapsed());
        } else {
            METRICS.bus_errors.inc();
        }
        METRICS.changes_carried.add(carried);
        left
    }

    /// A change as the bus carries it: its text, unless it is too big for NATS (then its
    /// position alone: the nodes read it from the log).
    fn message(
        &self,
        announced: &Announced,
        max_payload: usize,
    ) -> jetstream::message::PublishMessage {
        let text = announced.change.as_str();
        let payload = if text.len() + 1024 <= max_payload {
            Bytes::copy_from_slice(text.as_bytes())
        } else {
            Bytes::new()
        };
        jetstream::message::PublishMessage::build()
            .payload(payload)
            .message_id(format!(
                "{}:{}:{}",
                self.epoch, announced.space_id, announced.position
            ))
            .header(POSITION, announced.position.to_string())
    }

    /// A space's signals (who is typing, readers' marks): on the subject's `signals` token,
    /// which the stream does not keep (its subjects have one token after the epoch).
    fn signal_subject(&self, space_id: Uuid) -> String {
        format!("{}.signals", self.subject(space_id))
    }

    /// `false` when NATS is away.
    pub async fn publish_signal(&self, space_id: Uuid, signal_json: &str) -> bool {
        if self.client.connection_state() != State::Connected {
            return false;
        }
        let payload = Bytes::copy_from_slice(signal_json.as_bytes());
        self.client
            .publish(self.signal_subject(space_id), payload)
            .await
            .is_ok()
    }

    /// Subscribes to a space's changes, and to its signals.
    pub async fn subscribe(
        &self,
        space_id: Uuid,
    ) -> anyhow::Result<(async_nats::Subscriber, async_nats::Subscriber)> {
        let changes = self.client.subscribe(self.subject(space_id)).await?;
        let signals = self.client.subscribe(self.signal_subject(space_id)).await?;
        Ok((changes, signals))
    }

    /// The changes of a space the bus keeps, oldest first (a change too big for it: without
    /// its text); empty when the bus cannot say.
    pub async fn history(&self, space_id: Uuid) -> Vec<(u64, Option<Committed>)> {
        let read = async {
            let stream = self
                .jetstream
                .get_stream_no_info(self.stream_name())
                .await?;
            let consumer = stream
                .create_consumer(consumer::pull::Config {
                    filter_subject: self.subject(space_id),
                    deliver_policy: consumer::DeliverPolicy::All,
                    ack_policy: consumer::AckPolicy::None,
                    inactive_threshold: Duration::from_secs(10),
                    ..Default::default()
                })
                .await?;
            let mut messages = consumer
                .fetch()
                .max_messages(HISTORY as usize)
                .messages()
                .await?;
            let mut kept = Vec::new();
            while let Some(message) = messages.next().await {
                kept.extend(read(space_id, &message?.message));
            }
            Ok::<_, async_nats::Error>(kept)
        };
        match tokio::time::timeout(ANSWER_WITHIN, read).await {
            Ok(Ok(kept)) => kept,
            Ok(Err(error)) => {
                METRICS.bus_errors.inc();
                tracing::warn!(%error, %space_id, "cannot read the bus's history of a space");
                Vec::new()
            }
            Err(_) => {
                METRICS.bus_errors.inc();
                tracing::warn!(%space_id, "the bus's history of a space did not come in time");
                Vec::new()
            }
        }
    }
}

/// How the bus's URL says to sign in.
#[derive(Debug, PartialEq)]
enum Credentials {
    UserAndPassword(String, String),
    Token(String),
}

/// The servers of `url` (one, or several separated by commas) without any credentials, and the
/// credentials the first one carried.
fn split_credentials(url: &str) -> anyhow::Result<(String, Option<Credentials>)> {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut servers = Vec::new();
    let mut credentials = None;
    for server in url.split(',').map(str::trim) {
        let mut parsed = url::Url::parse(server)?;
        let user = decode(parsed.username());
        let found = match parsed.password().map(decode) {
            Some(password) => Some(Credentials::UserAndPassword(user, password)),
            None if !user.is_empty() => Some(Credentials::Token(user)),
            None => None,
        };
        if credentials.is_none() {
            credentials = found;
        }
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        servers.push(parsed.to_string().trim_end_matches('/').to_owned());
    }
    Ok((servers.join(","), credentials))
}

/// A change of `space_id` the bus carried: its position, and the change unless it came
/// without its text (or with one that is not a change: the log has it). `None` when it is not
/// one of rhizom's.
pub(crate) fn read(
    space_id: Uuid,
    message: &async_nats::Message,
) -> Option<(u64, Option<Committed>)> {
    let position = message
        .headers
        .as_ref()?
        .get(POSITION)?
        .as_str()
        .parse()
        .ok()?;
    let text = String::from_utf8(message.payload.to_vec()).ok()?;
    let change = (!text.is_empty())
        .then(|| Committed::parse(space_id, text).ok())
        .flatten();
    Some((position, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_the_address() {
        assert_eq!(
            split_credentials("nats://rhizom:p%40ss@bus:4222").unwrap(),
            (
                "nats://bus:4222".to_owned(),
                Some(Credentials::UserAndPassword("rhizom".into(), "p@ss".into()))
            )
        );
        assert_eq!(
            split_credentials("tls://s3cret@a:4222, tls://b:4222").unwrap(),
            (
                "tls://a:4222,tls://b:4222".to_owned(),
                Some(Credentials::Token("s3cret".into()))
            )
        );
        assert_eq!(
            split_credentials("nats://127.0.0.1:4222").unwrap(),
            ("nats://127.0.0.1:4222".to_owned(), None)
        );
        assert!(split_credentials("not a url").is_err());
    }
}
