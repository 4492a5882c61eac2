//! The grace period, with paused time.

use std::sync::Mutex;

use super::*;

#[derive(Debug, Default)]
struct Recorded(Mutex<Vec<bool>>);

impl PresenceWriter for Arc<Recorded> {
    fn set(&self, _space: Uuid, _being: Uuid, online: bool) -> Pending {
        self.0.lock().unwrap().push(online);
        Box::pin(async {})
    }
}

fn tracker() -> (PresenceTracker, Arc<Recorded>) {
    let recorded = Arc::new(Recorded::default());
    (
        PresenceTracker::new(Duration::from_secs(10), Arc::new(recorded.clone())),
        recorded,
    )
}

async fn settle(duration: Duration) {
    tokio::time::sleep(duration).await;
    // Let the grace task run once its timer fires.
    tokio::task::yield_now().await;
}

#[tokio::test(start_paused = true)]
async fn the_first_stream_brings_a_being_online_and_a_second_adds_nothing() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    let _a = presence.connect(space, being).await;
    let _b = presence.connect(space, being).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![true]);
}

#[tokio::test(start_paused = true)]
async fn a_reload_within_the_grace_period_does_not_flicker() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    drop(presence.connect(space, being).await);
    settle(Duration::from_secs(3)).await;
    let _again = presence.connect(space, being).await;
    settle(Duration::from_secs(30)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![true]);
}

#[tokio::test(start_paused = true)]
async fn the_last_stream_closing_goes_offline_after_the_grace_period() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    let a = presence.connect(space, being).await;
    let b = presence.connect(space, being).await;
    drop(a);
    settle(Duration::from_secs(11)).await;
    assert_eq!(
        *recorded.0.lock().unwrap(),
        vec![true],
        "one stream is still open"
    );
    drop(b);
    settle(Duration::from_secs(9)).await;
    assert_eq!(
        *recorded.0.lock().unwrap(),
        vec![true],
        "still within the grace period"
    );
    settle(Duration::from_secs(2)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![true, false]);
}

#[tokio::test(start_paused = true)]
async fn each_space_and_being_is_tracked_apart() {
    let (presence, recorded) = tracker();
    let being = Uuid::new_v4();
    let _one = presence.connect(Uuid::new_v4(), being).await;
    drop(presence.connect(Uuid::new_v4(), being).await);
    settle(Duration::from_secs(11)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![true, true, false]);
}
