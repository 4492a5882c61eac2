//! Pages come compressed when the browser takes it (server/page_compression.rs); event streams
//! and the API's answers never are.

use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING};

use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn a_page_comes_compressed_and_a_stream_or_an_answer_does_not() {
    let app = spawn_app(Backend::Sqlite).await;
    let (owner, _) = app.guest("Ada").await;
    let space = app.create_space(&owner, "Compressed hall").await;
    let id = space["id"].as_str().expect("an id").to_owned();
    for n in 0..20 {
        app.post_intention(&owner, &id, &format!("message number {n}"))
            .await;
    }
    let page = app.url(&format!("/s/{id}"));

    let plain = app.anon.get(&page).send().await.expect("the page");
    assert_eq!(plain.headers().get(CONTENT_ENCODING), None);
    let plain = plain.text().await.expect("the page's HTML");
    assert!(plain.contains("Compressed hall"), "{plain}");

    for encoding in ["br", "gzip"] {
        let reply = app
            .anon
            .get(&page)
            .header(ACCEPT_ENCODING, encoding)
            .send()
            .await
            .expect("the page");
        assert_eq!(
            reply
                .headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            Some(encoding)
        );
        let size = reply.bytes().await.expect("the body").len();
        assert!(
            size * 2 < plain.len(),
            "{encoding}: {size} bytes against {} uncompressed",
            plain.len()
        );
    }

    let answer = app
        .anon
        .get(app.url(&format!("/api/spaces/{id}/intentions")))
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .expect("the messages");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers().get(CONTENT_ENCODING), None);

    let stream = app
        .anon
        .get(app.url(&format!("/api/spaces/{id}/events")))
        .header(ACCEPT, "text/event-stream")
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .expect("the stream");
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers().get(CONTENT_ENCODING), None);
}
