//! `wire`: bytes on an open stream for one new message, one edit and one presence change,
//! against the whole state of the space (every message and being as JSON) at several sizes.

use crate::http::{HttpConn, RawStream};
use crate::target::Target;

const CONTENT: &str = "a message of ordinary length, about as long as people write them";

async fn post(
    conn: &mut HttpConn,
    cookie: &str,
    path: &str,
    method: &str,
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let response = conn.send_json(method, path, Some(cookie), body).await?;
    Ok(serde_json::from_slice(&response.body).unwrap_or_default())
}

/// The whole state as JSON, page by page: what a client re-downloading everything would fetch.
async fn full_state_bytes(conn: &mut HttpConn, space: &str) -> anyhow::Result<usize> {
    let mut total = conn
        .request("GET", &format!("/api/spaces/{space}/beings"), &[], b"")
        .await?
        .body
        .len();
    let mut before = String::new();
    loop {
        let path = format!("/api/spaces/{space}/intentions?limit=200{before}");
        let page = conn.request("GET", &path, &[], b"").await?;
        total += page.body.len();
        let page: serde_json::Value = serde_json::from_slice(&page.body)?;
        match page["next"].as_str() {
            Some(next) => before = format!("&before={next}"),
            None => return Ok(total),
        }
    }
}

pub async fn run(base: &str, sizes: &[usize]) -> anyhow::Result<String> {
    let mut rows = vec![HEADER.to_owned()];
    for &size in sizes {
        let target = Target::rhizom(base).await?;
        let (space, cookie) = target.rhizom_parts().expect("a rhizom target");
        let (space, cookie) = (space.to_owned(), cookie.to_owned());
        let mut conn = HttpConn::open(base).await?;
        let messages = format!("/api/spaces/{space}/intentions");
        for _ in 0..size {
            post(
                &mut conn,
                &cookie,
                &messages,
                "POST",
                &serde_json::json!({ "content": CONTENT }),
            )
            .await?;
        }
        let mut watcher =
            RawStream::open(base, &format!("/api/spaces/{space}/events"), None).await?;

        let posted = post(
            &mut conn,
            &cookie,
            &messages,
            "POST",
            &serde_json::json!({ "content": CONTENT }),
        )
        .await?;
        let new_message = watcher.drain().await?;
        let edit_path = format!(
            "/api/intentions/{}",
            posted["id"].as_str().unwrap_or_default()
        );
        post(
            &mut conn,
            &cookie,
            &edit_path,
            "PATCH",
            &serde_json::json!({ "content": format!("{CONTENT}!") }),
        )
        .await?;
        let edit = watcher.drain().await?;

        // Someone walks in (a being delta), then opens the space (the presence delta).
        let guest = Target::rhizom(base).await?;
        let (_, guest_cookie) = guest.rhizom_parts().expect("a rhizom target");
        let me: serde_json::Value = {
            let response = conn
                .request("GET", "/api/me", &[("Cookie", guest_cookie)], b"")
                .await?;
            serde_json::from_slice(&response.body)?
        };
        let me_path = format!(
            "/api/beings/{}",
            me["being"]["id"].as_str().unwrap_or_default()
        );
        post(
            &mut conn,
            guest_cookie,
            &me_path,
            "PATCH",
            &serde_json::json!({ "location_id": space }),
        )
        .await?;
        watcher.drain().await?;
        let _guest_stream = RawStream::open(
            base,
            &format!("/api/spaces/{space}/events"),
            Some(guest_cookie),
        )
        .await?;
        let presence = watcher.drain().await?;

        let full = full_state_bytes(&mut conn, &space).await?;
        rows.push(format!(
            "| {size} | {new_message} B | {edit} B | {presence} B | {full} B | {:.4}% |",
            100.0 * new_message as f64 / full as f64
        ));
    }
    Ok(rows.join("\n"))
}

const HEADER: &str = "| messages in the space | one new message | one edit | one presence change | whole state as JSON | new message / whole state |\n|---|---|---|---|---|---|";
