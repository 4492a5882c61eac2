//! Which live streams each session holds open, so that ending a session (signing out) ends
//! them: on this node at once ([`SessionStreams::end`]); on other nodes at their next
//! housekeeping round, which ends the streams of sessions the database no longer has.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use uuid::Uuid;

use crate::server::locks::lock;

/// Per session with a stream open here: set when the session ends, to why.
#[derive(Debug, Default)]
pub(crate) struct SessionStreams(Mutex<HashMap<Uuid, watch::Sender<Option<SessionEnded>>>>);

/// Why a session ended, as its streams tell their client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionEnded {
    /// Signed out (from this device or another), or expired: the device is nobody now.
    SignedOut,
    /// The device signed in again (as someone, maybe the same being): it has a new session.
    Replaced,
}

/// One stream's watch on its session.
#[derive(Debug)]
pub(crate) struct SessionWatch {
    session: Uuid,
    ended: watch::Receiver<Option<SessionEnded>>,
    streams: Arc<SessionStreams>,
}

impl SessionStreams {
    /// A watch on `session` for a stream it opens.
    pub fn watch(self: &Arc<Self>, session: Uuid) -> SessionWatch {
        let mut by_session = lock(&self.0);
        let ended = by_session
            .entry(session)
            .or_insert_with(|| watch::Sender::new(None))
            .subscribe();
        SessionWatch {
            session,
            ended,
            streams: self.clone(),
        }
    }

    /// The session ended: its streams here end too, saying why.
    pub fn end(&self, session: Uuid, why: SessionEnded) {
        if let Some(flag) = lock(&self.0).remove(&session) {
            flag.send_replace(Some(why));
        }
    }

    /// The sessions with a stream open here.
    pub fn sessions(&self) -> Vec<Uuid> {
        lock(&self.0).keys().copied().collect()
    }
}

impl SessionWatch {
    /// Resolves when the session ends, with why.
    pub async fn ended(&mut self) -> SessionEnded {
        // The flag is only dropped after it was set (`end`) or once no stream watches it.
        match self.ended.wait_for(Option::is_some).await {
            Ok(why) => why.unwrap_or(SessionEnded::SignedOut),
            Err(_) => SessionEnded::SignedOut,
        }
    }
}

impl Drop for SessionWatch {
    fn drop(&mut self) {
        let mut by_session = lock(&self.streams.0);
        // This watch's receiver is still counted: it is the last one when the count is 1.
        if by_session
            .get(&self.session)
            .is_some_and(|flag| flag.receiver_count() <= 1)
        {
            by_session.remove(&self.session);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn ending_a_session_ends_its_streams_and_no_other() {
        let streams = Arc::new(SessionStreams::default());
        let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let mut first = streams.watch(ada);
        let mut second = streams.watch(ada);
        let mut other = streams.watch(bob);
        streams.end(ada, SessionEnded::Replaced);
        assert_eq!(first.ended().await, SessionEnded::Replaced);
        assert_eq!(second.ended().await, SessionEnded::Replaced);
        let still = tokio::time::timeout(Duration::from_millis(50), other.ended()).await;
        assert!(still.is_err(), "Bob's session goes on");
        assert_eq!(streams.sessions(), [bob]);
    }

    #[test]
    fn a_session_is_forgotten_when_its_last_stream_goes() {
        let streams = Arc::new(SessionStreams::default());
        let ada = Uuid::new_v4();
        let first = streams.watch(ada);
        let second = streams.watch(ada);
        drop(first);
        assert_eq!(streams.sessions(), [ada]);
        drop(second);
        assert!(streams.sessions().is_empty());
    }
}
