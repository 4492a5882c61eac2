//! The grace period and away, with paused time.

use std::sync::Mutex;

use super::Attendance::{Away, Gone, Here};
use super::*;

#[derive(Debug, Default)]
struct Recorded(Mutex<Vec<Attendance>>);

impl PresenceWriter for Arc<Recorded> {
    fn set(&self, _space: Uuid, _being: Uuid, attendance: Attendance) -> Pending {
        self.0.lock().unwrap().push(attendance);
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
    let _a = presence.connect(space, being, false).await;
    let _b = presence.connect(space, being, false).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Here]);
}

#[tokio::test(start_paused = true)]
async fn a_reload_within_the_grace_period_does_not_flicker() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    drop(presence.connect(space, being, false).await);
    settle(Duration::from_secs(3)).await;
    let _again = presence.connect(space, being, false).await;
    settle(Duration::from_secs(30)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Here]);
}

#[tokio::test(start_paused = true)]
async fn the_last_stream_closing_goes_offline_after_the_grace_period() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    let a = presence.connect(space, being, false).await;
    let b = presence.connect(space, being, false).await;
    drop(a);
    settle(Duration::from_secs(11)).await;
    assert_eq!(
        *recorded.0.lock().unwrap(),
        vec![Here],
        "one stream is still open"
    );
    drop(b);
    settle(Duration::from_secs(9)).await;
    assert_eq!(
        *recorded.0.lock().unwrap(),
        vec![Here],
        "still within the grace period"
    );
    settle(Duration::from_secs(2)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Here, Gone]);
}

#[tokio::test(start_paused = true)]
async fn each_space_and_being_is_tracked_apart() {
    let (presence, recorded) = tracker();
    let being = Uuid::new_v4();
    let _one = presence.connect(Uuid::new_v4(), being, false).await;
    drop(presence.connect(Uuid::new_v4(), being, false).await);
    settle(Duration::from_secs(11)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Here, Here, Gone]);
}

#[tokio::test(start_paused = true)]
async fn away_while_every_stream_is_and_back_as_soon_as_one_is_not() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    let hidden = presence.connect(space, being, true).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away], "online, but away");
    let shown = presence.connect(space, being, false).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away, Here]);
    // The shown page closes while the hidden one stays: away once the grace period is over.
    drop(shown);
    settle(Duration::from_secs(9)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away, Here]);
    settle(Duration::from_secs(2)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away, Here, Away]);
    drop(hidden);
    settle(Duration::from_secs(11)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away, Here, Away, Gone]);
}

#[tokio::test(start_paused = true)]
async fn reloading_the_shown_page_beside_a_hidden_one_does_not_flicker_away() {
    let (presence, recorded) = tracker();
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    let _hidden = presence.connect(space, being, true).await;
    let shown = presence.connect(space, being, false).await;
    drop(shown);
    settle(Duration::from_secs(2)).await;
    let _reloaded = presence.connect(space, being, false).await;
    settle(Duration::from_secs(11)).await;
    assert_eq!(*recorded.0.lock().unwrap(), vec![Away, Here]);
}

#[tokio::test(start_paused = true)]
async fn a_page_that_reconnects_as_away_writes_away_once_whatever_the_order() {
    for new_first in [true, false] {
        let (presence, recorded) = tracker();
        let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
        let shown = presence.connect(space, being, false).await;
        let away = if new_first {
            let away = presence.connect(space, being, true).await;
            drop(shown);
            away
        } else {
            drop(shown);
            presence.connect(space, being, true).await
        };
        settle(Duration::from_secs(11)).await;
        assert_eq!(*recorded.0.lock().unwrap(), vec![Here, Away], "{new_first}");
        drop(away);
    }
}

/// Records each write when it lands; a "gone" takes a second to land.
#[derive(Debug, Default)]
struct SlowGone(Mutex<Vec<Attendance>>);

impl PresenceWriter for Arc<SlowGone> {
    fn set(&self, _space: Uuid, _being: Uuid, attendance: Attendance) -> Pending {
        let landed = self.clone();
        Box::pin(async move {
            if attendance == Gone {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            landed.0.lock().unwrap().push(attendance);
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_being_back_while_its_gone_is_being_written_is_written_after_it() {
    let landed = Arc::new(SlowGone::default());
    let presence = PresenceTracker::new(Duration::from_secs(10), Arc::new(landed.clone()));
    let (space, being) = (Uuid::new_v4(), Uuid::new_v4());
    drop(presence.connect(space, being, false).await);
    // The grace period is over: "gone" is decided and on its way.
    settle(Duration::from_millis(10_500)).await;
    let _back = presence.connect(space, being, false).await;
    settle(Duration::from_secs(2)).await;
    assert_eq!(
        *landed.0.lock().unwrap(),
        vec![Here, Gone, Here],
        "the last word is that it is here"
    );
}
