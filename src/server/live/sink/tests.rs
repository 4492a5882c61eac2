//! The sink over real loopback sockets: what reaches the client, and when the stream ends.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::{Flushed, Popped, Sink};
use crate::server::live::frame::{EventFrame, Framing};

/// The server's end (as the hub holds it) and the client's. `small`: both kernel buffers
/// are a few KiB, so a big frame fills them.
async fn pair(small: bool) -> (Arc<TcpStream>, TcpStream) {
    let socket = TcpSocket::new_v4().unwrap();
    if small {
        socket.set_send_buffer_size(4096).unwrap();
    }
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener: TcpListener = socket.listen(8).unwrap();
    let client = TcpSocket::new_v4().unwrap();
    if small {
        client.set_recv_buffer_size(4096).unwrap();
    }
    let (client, accepted) = tokio::join!(
        client.connect(listener.local_addr().unwrap()),
        listener.accept()
    );
    (Arc::new(accepted.unwrap().0), client.unwrap())
}

/// Everything the client receives until nothing more comes for a moment.
async fn received(client: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    while let Ok(Ok(n)) =
        tokio::time::timeout(Duration::from_millis(200), client.read(&mut buf)).await
    {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(out).expect("frames are text")
}

fn delta(pos: u64, prev: u64, text: &str) -> EventFrame {
    EventFrame::delta(pos, prev, format!("data: {text}\n\n").as_bytes(), false)
}

fn chunk(text: &str) -> String {
    let event = format!("data: {text}\n\n");
    format!("{:x}\r\n{event}\r\n", event.len())
}

/// A sink live at position 1 on `server`, its opening written.
async fn live_sink(server: &Arc<TcpStream>, limit: usize) -> Sink {
    let sink = Sink::new(limit, None);
    sink.open(1, EventFrame::raw(b"data: opening\n\n"));
    sink.attach(server.clone(), Framing::Chunked);
    assert_eq!(sink.flush().unwrap(), Flushed::Done);
    sink
}

#[tokio::test]
async fn an_idle_stream_gets_each_frame_written_by_the_publisher_as_one_chunk() {
    let (server, mut client) = pair(false).await;
    let sink = live_sink(&server, 8).await;
    assert!(sink.offer(&[delta(2, 1, "two")]));
    assert!(sink.offer(&[delta(3, 2, "three"), delta(4, 3, "four")]));
    let text = received(&mut client).await;
    assert_eq!(
        text,
        [
            chunk("opening"),
            chunk("two"),
            chunk("three"),
            chunk("four")
        ]
        .concat()
    );
    // Nothing was left for the stream's own task.
    assert!(matches!(sink.pop(), Popped::Empty));
}

#[tokio::test]
async fn frames_sent_before_the_opening_wait_and_those_the_client_has_are_dropped() {
    let (server, mut client) = pair(false).await;
    let sink = Sink::new(8, None);
    sink.offer(&[delta(5, 4, "five")]);
    sink.offer(&[delta(6, 5, "six")]);
    // The opening's snapshot already had position 5.
    sink.open(5, EventFrame::raw(b"data: opening\n\n"));
    sink.attach(server.clone(), Framing::Chunked);
    assert_eq!(sink.flush().unwrap(), Flushed::Done);
    sink.offer(&[delta(7, 6, "seven")]);
    let text = received(&mut client).await;
    assert_eq!(
        text,
        [chunk("opening"), chunk("six"), chunk("seven")].concat()
    );
}

#[tokio::test]
async fn a_frame_that_does_not_follow_ends_the_stream_after_what_came_before_it() {
    let (server, mut client) = pair(false).await;
    let sink = live_sink(&server, 8).await;
    sink.offer(&[
        delta(1, 0, "already had"),
        delta(2, 1, "two"),
        delta(9, 7, "gap"),
    ]);
    assert_eq!(sink.flush().unwrap(), Flushed::Ended);
    sink.offer(&[delta(3, 2, "too late")]);
    let text = received(&mut client).await;
    assert_eq!(text, [chunk("opening"), chunk("two")].concat());
}

#[tokio::test]
async fn the_frame_that_deletes_the_space_is_the_last_one() {
    let (server, mut client) = pair(false).await;
    let sink = live_sink(&server, 8).await;
    let gone = EventFrame::delta(2, 1, b"data: deleted\n\n", true);
    sink.offer(&[gone, delta(3, 2, "after")]);
    assert_eq!(sink.flush().unwrap(), Flushed::Ended);
    let text = received(&mut client).await;
    assert_eq!(text, [chunk("opening"), chunk("deleted")].concat());
}

#[tokio::test]
async fn a_stream_too_far_behind_is_cut_off_at_a_whole_chunk() {
    let (server, client) = pair(true).await;
    let sink = live_sink(&server, 2).await;
    let big = |pos: u64, c: char| delta(pos, pos - 1, &c.to_string().repeat(256 * 1024));
    // The first fills the socket and is partly written; the second waits; the third is one
    // more than the queue holds.
    sink.offer(&[big(2, 'a')]);
    sink.offer(&[big(3, 'b')]);
    assert!(matches!(sink.flush().unwrap(), Flushed::Blocked { .. }));
    sink.offer(&[big(4, 'c')]);
    assert!(
        !sink.detached(),
        "cut off, but the stream's task has not ended it yet"
    );
    let text = flush_to_the_end(sink, server, client).await;
    let expected = [chunk("opening"), chunk(&"a".repeat(256 * 1024))].concat();
    assert_eq!(
        text.len(),
        expected.len(),
        "the partly written chunk was finished, nothing more"
    );
    assert_eq!(text, expected);
}

/// Drives the stream's side until it ends, while the client reads; returns what it read.
async fn flush_to_the_end(sink: Sink, server: Arc<TcpStream>, mut client: TcpStream) -> String {
    let reading = tokio::spawn(async move { received(&mut client).await });
    let ended = async {
        loop {
            match sink.flush().unwrap() {
                Flushed::Ended => return,
                Flushed::Blocked { .. } => server.writable().await.unwrap(),
                Flushed::Done => panic!("a cut-off stream ends"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), ended)
        .await
        .expect("ends in time");
    reading.await.unwrap()
}

#[tokio::test]
async fn one_publish_bigger_than_the_queue_cuts_an_idle_stream_off_at_a_whole_chunk() {
    let (server, client) = pair(true).await;
    let sink = live_sink(&server, 2).await;
    let big = |pos: u64, c: char| delta(pos, pos - 1, &c.to_string().repeat(256 * 1024));
    // Written at once as far as the socket takes it, then three more than fit.
    sink.offer(&[big(2, 'a'), big(3, 'b'), big(4, 'c'), big(5, 'd')]);
    let text = flush_to_the_end(sink, server, client).await;
    let expected = [chunk("opening"), chunk(&"a".repeat(256 * 1024))].concat();
    assert_eq!(text.len(), expected.len());
    assert_eq!(text, expected);
}

#[tokio::test]
async fn detaching_says_whether_a_frame_was_cut_short() {
    let (server, _client) = pair(true).await;
    let sink = live_sink(&server, 8).await;
    sink.offer(&[delta(2, 1, "small")]);
    assert!(!sink.detach(), "everything written was whole");
    let sink = live_sink(&server, 8).await;
    sink.offer(&[delta(2, 1, &"x".repeat(1024 * 1024))]);
    assert!(sink.detach(), "the big frame was part-written");
}

#[tokio::test]
async fn a_quiet_stream_gets_a_heartbeat_and_a_busy_one_does_not() {
    let (server, mut client) = pair(false).await;
    let sink = live_sink(&server, 8).await;
    assert!(!sink.heartbeat_due(), "the opening was just written");
    assert!(sink.heartbeat_due(), "nothing since the last look");
    assert_eq!(sink.flush().unwrap(), Flushed::Done);
    sink.offer(&[delta(2, 1, "two")]);
    assert!(!sink.heartbeat_due());
    let text = received(&mut client).await;
    assert_eq!(
        text,
        [
            chunk("opening"),
            "8\r\n: ping\n\n\r\n".to_owned(),
            chunk("two")
        ]
        .concat()
    );
}

#[tokio::test]
async fn a_stream_served_through_hyper_pops_what_waits_as_plain_events() {
    let sink = Sink::new(8, None);
    sink.open(1, EventFrame::raw(b"data: opening\n\n"));
    sink.offer(&[delta(2, 1, "two"), delta(3, 2, "three")]);
    let Popped::Bytes(bytes) = sink.pop() else {
        panic!("frames wait")
    };
    assert_eq!(&bytes[..], b"data: opening\n\ndata: two\n\ndata: three\n\n");
    assert!(matches!(sink.pop(), Popped::Empty));
    sink.detach();
    assert!(matches!(sink.pop(), Popped::Ended));
    assert!(
        !sink.offer(&[delta(4, 3, "four")]),
        "the hub forgets a detached sink"
    );
}

#[tokio::test]
async fn a_stream_behind_a_log_that_lost_its_changes_ends_and_one_past_it_goes_on() {
    let (server, mut client) = pair(false).await;
    let behind = live_sink(&server, 8).await;
    let (other, mut other_client) = pair(false).await;
    let past = Sink::new(8, None);
    past.open(7, EventFrame::raw(b"data: opening\n\n"));
    past.attach(other.clone(), Framing::Chunked);
    assert_eq!(past.flush().unwrap(), Flushed::Done);
    for sink in [&behind, &past] {
        sink.lost_before(5);
    }
    assert_eq!(behind.flush().unwrap(), Flushed::Ended);
    past.offer(&[delta(8, 7, "eight")]);
    assert_eq!(past.flush().unwrap(), Flushed::Done);
    assert_eq!(received(&mut client).await, chunk("opening"));
    let text = received(&mut other_client).await;
    assert_eq!(text, [chunk("opening"), chunk("eight")].concat());
}

#[tokio::test]
async fn a_stream_that_opens_behind_a_log_that_lost_its_changes_ends_after_its_opening() {
    let (server, mut client) = pair(false).await;
    let behind = Sink::new(8, None);
    behind.lost_before(5);
    behind.open(3, EventFrame::raw(b"data: opening\n\n"));
    behind.attach(server.clone(), Framing::Chunked);
    assert_eq!(behind.flush().unwrap(), Flushed::Ended);
    assert_eq!(received(&mut client).await, chunk("opening"));
    let (other, _other_client) = pair(false).await;
    let at_floor = Sink::new(8, None);
    at_floor.lost_before(5);
    at_floor.open(5, EventFrame::raw(b"data: opening\n\n"));
    at_floor.attach(other.clone(), Framing::Chunked);
    assert_eq!(at_floor.flush().unwrap(), Flushed::Done);
}

#[tokio::test]
async fn a_write_that_fails_in_the_publisher_is_an_error_for_the_stream_not_an_end() {
    let (server, client) = pair(false).await;
    let sink = live_sink(&server, 8).await;
    drop(client);
    // The first write after the close draws a reset; a later one fails.
    for pos in 2..20 {
        sink.offer(&[delta(pos, pos - 1, "into the void")]);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sink.flush().is_err(), "a broken connection is not finished");
}
