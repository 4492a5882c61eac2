//! What the bench drives: a rhizom server (a space's SSE stream, messages posted through the
//! API) or an nchan relay (`GET /sub/<channel>`, `POST /pub/<channel>`).

use crate::http::HttpConn;

/// Signs in as a new guest called `name`: its session cookie (`name=value`).
pub async fn sign_in(conn: &mut HttpConn, name: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({ "name": name });
    let session = conn.send_json("POST", "/api/session", None, &body).await?;
    Ok(session
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?
        .to_owned())
}

pub struct Target {
    pub name: &'static str,
    pub base: String,
    kind: Kind,
}

enum Kind {
    Rhizom { space_id: String, cookie: String },
    Nchan { channel: String },
}

impl Target {
    /// Signs in as a guest and creates a fresh space to publish into.
    pub async fn rhizom(base: &str) -> anyhow::Result<Target> {
        let mut conn = HttpConn::open(base).await?;
        let name = serde_json::json!({ "name": "bench" });
        let cookie = sign_in(&mut conn, "bench").await?;
        let space = conn
            .send_json("POST", "/api/spaces", Some(&cookie), &name)
            .await?;
        let space: serde_json::Value = serde_json::from_slice(&space.body)?;
        let space_id = space["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no space id"))?
            .to_owned();
        Ok(Target {
            name: "rhizom",
            base: base.to_owned(),
            kind: Kind::Rhizom { space_id, cookie },
        })
    }

    pub fn nchan(base: &str) -> Target {
        let channel = format!("bench{}", std::process::id());
        Target {
            name: "nchan",
            base: base.to_owned(),
            kind: Kind::Nchan { channel },
        }
    }

    pub fn stream_path(&self) -> String {
        match &self.kind {
            Kind::Rhizom { space_id, .. } => format!("/api/spaces/{space_id}/events"),
            Kind::Nchan { channel } => format!("/sub/{channel}"),
        }
    }

    /// Publishes `text` and waits for the server to accept it (rhizom: stored durably).
    pub async fn publish(&self, conn: &mut HttpConn, text: &str) -> anyhow::Result<()> {
        let status = match &self.kind {
            Kind::Rhizom { space_id, cookie } => {
                let body = serde_json::json!({ "content": text }).to_string();
                let headers = [
                    ("Content-Type", "application/json"),
                    ("Cookie", cookie.as_str()),
                ];
                let path = format!("/api/spaces/{space_id}/intentions");
                conn.request("POST", &path, &headers, body.as_bytes())
                    .await?
                    .status
            }
            Kind::Nchan { channel } => {
                conn.request("POST", &format!("/pub/{channel}"), &[], text.as_bytes())
                    .await?
                    .status
            }
        };
        anyhow::ensure!((200..300).contains(&status), "publishing answered {status}");
        Ok(())
    }

    /// Posts `text` into the rhizom space with the message id `id`: posting it again with the
    /// same id is the same message, so a post whose answer was lost can be retried.
    pub async fn post_as(
        &self,
        conn: &mut HttpConn,
        id: uuid::Uuid,
        text: &str,
    ) -> anyhow::Result<()> {
        let (space_id, cookie) = self
            .rhizom_parts()
            .ok_or_else(|| anyhow::anyhow!("posting with an id is rhizom's"))?;
        let body = serde_json::json!({ "id": id, "content": text }).to_string();
        let headers = [("Content-Type", "application/json"), ("Cookie", cookie)];
        let path = format!("/api/spaces/{space_id}/intentions");
        let status = conn
            .request("POST", &path, &headers, body.as_bytes())
            .await?
            .status;
        anyhow::ensure!((200..300).contains(&status), "posting answered {status}");
        Ok(())
    }

    /// The signed-in cookie and space, for modes that need more of the API.
    pub fn rhizom_parts(&self) -> Option<(&str, &str)> {
        match &self.kind {
            Kind::Rhizom { space_id, cookie } => Some((space_id, cookie)),
            Kind::Nchan { .. } => None,
        }
    }
}
