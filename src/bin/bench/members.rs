//! `members`: what a post costs against how many members its space has (5 against 5,000), and
//! what a member's unread count costs. A member here is a guest that has walked into the space
//! and read it, so each is someone a message could mention and someone with a mark; the space
//! is written by one guest, one post at a time, plain and naming one member.

use std::time::Instant;

use futures_util::future::try_join_all;
use serde_json::json;

use crate::http::HttpConn;
use crate::stats::percentile;
use crate::target::sign_in;

pub const HEADER: &str = "| members | plain post p50 ms | p99 ms | post naming a member p50 ms | p99 ms | unread count p50 ms | p99 ms |\n|---|---|---|---|---|---|---|";

/// Guests made at once while filling a space.
const MAKERS: usize = 16;

/// A row per size: `posts` plain posts, `posts` posts naming a member, then `posts` reads of a
/// member's unread count (which by then covers all of them).
pub async fn run(url: &str, sizes: &[usize], posts: usize) -> anyhow::Result<String> {
    let mut rows = vec![HEADER.to_owned()];
    for &size in sizes {
        let mut conn = HttpConn::open(url).await?;
        let writer = sign_in(&mut conn, "writer").await?;
        let space = conn
            .send_json(
                "POST",
                "/api/spaces",
                Some(&writer),
                &json!({ "name": "members" }),
            )
            .await?;
        let space: serde_json::Value = serde_json::from_slice(&space.body)?;
        let space = space["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no space id"))?
            .to_owned();
        let members = fill(url, &space, size).await?;
        let intentions = format!("/api/spaces/{space}/intentions");
        let mut timed = async |method: &str, path: &str, cookie: &str, body: Option<String>| {
            let mut headers = vec![("Cookie", cookie)];
            headers.extend(
                body.is_some()
                    .then_some(("Content-Type", "application/json")),
            );
            let began = Instant::now();
            let answer = conn
                .request(method, path, &headers, body.unwrap_or_default().as_bytes())
                .await?;
            anyhow::ensure!(answer.status < 300, "{method} {path}: {}", answer.status);
            anyhow::Ok(began.elapsed().as_micros() as u32)
        };
        let (mut plain, mut naming, mut counting) = (Vec::new(), Vec::new(), Vec::new());
        for n in 0..posts {
            let body = json!({ "content": format!("message {n} of an ordinary length") });
            plain.push(timed("POST", &intentions, &writer, Some(body.to_string())).await?);
        }
        for n in 0..posts {
            let body = json!({ "content": format!("@member 0, message {n}") });
            naming.push(timed("POST", &intentions, &writer, Some(body.to_string())).await?);
        }
        let read = format!("/api/spaces/{space}/read");
        for _ in 0..posts {
            counting.push(timed("GET", &read, &members[0], None).await?);
        }
        let mut cells = vec![size.to_string()];
        for latencies in [&mut plain, &mut naming, &mut counting] {
            latencies.sort_unstable();
            cells.push(format!("{:.2}", percentile(latencies, 0.50)));
            cells.push(format!("{:.2}", percentile(latencies, 0.99)));
        }
        rows.push(format!("| {} |", cells.join(" | ")));
    }
    Ok(rows.join("\n"))
}

/// `size` guests that walk into `space` and read it; their cookies, `member 0` first.
async fn fill(url: &str, space: &str, size: usize) -> anyhow::Result<Vec<String>> {
    let makers = (0..MAKERS.min(size)).map(|maker| async move {
        let mut conn = HttpConn::open(url).await?;
        let mut cookies = Vec::new();
        for i in (maker..size).step_by(MAKERS) {
            let cookie = sign_in(&mut conn, &format!("member {i}")).await?;
            let me = conn
                .request("GET", "/api/me", &[("Cookie", &cookie)], b"")
                .await?;
            let me: serde_json::Value = serde_json::from_slice(&me.body)?;
            let id = me["being"]["id"].as_str().unwrap_or_default().to_owned();
            let moved = json!({ "location_id": space });
            conn.send_json("PATCH", &format!("/api/beings/{id}"), Some(&cookie), &moved)
                .await?;
            let path = format!("/api/spaces/{space}/read");
            conn.send_json("PUT", &path, Some(&cookie), &json!({}))
                .await?;
            cookies.push((i, cookie));
        }
        anyhow::Ok(cookies)
    });
    let mut all: Vec<(usize, String)> = try_join_all(makers).await?.into_iter().flatten().collect();
    all.sort_unstable();
    Ok(all.into_iter().map(|(_, cookie)| cookie).collect())
}
