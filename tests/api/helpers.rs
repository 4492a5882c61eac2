//! Starting a server per test, and the small HTTP vocabulary the tests speak.
//!
//! Every test gets its own server on port 0 and its own fresh database (a SQLite file in a
//! temporary directory, or a new PostgreSQL database), so tests never see each other's data
//! and can run in parallel. The tests talk to the server only over HTTP and read the answers
//! as `serde_json::Value`: they check the wire contract, not the crate's types.

use std::time::Duration;

use reqwest::{Client, Method};
use rhizom::server::{Config, FrontDoorCounts, Running};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::contract::{assert_being, assert_intention};
pub use crate::reply::{Reply, send};

/// The id the first migration gives the Lobby.
pub const LOBBY_ID: &str = "00000000-0000-7000-8000-000000000001";
/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "rhizom_session";
/// Used when `RHIZOM_TEST_POSTGRES_URL` is not set.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The database engine a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes each test once as `async fn name(backend: Backend)` and runs it on both engines, as
/// `<module>::sqlite::name` and `<module>::postgres::name` (so `cargo test sqlite` picks one).
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(crate::helpers::Backend::Postgres).await
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;

/// A running server with its own database. Dropping it stops the server, then removes the
/// SQLite directory (fields drop in declaration order).
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    /// A client with no cookie jar: what an anonymous visitor sees.
    pub anon: Client,
    pub backend: Backend,
    /// The database this server (and any restarted one) runs on.
    pub database_url: String,
    server: Option<Running>,
    _dir: Option<TempDir>,
}

/// Starts a server on a fresh database. PostgreSQL that does not answer fails the test:
/// a skipped backend would look like a passing one.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with the test configuration adjusted by `configure` first (a small
/// change window, a short presence grace, ...).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let (database_url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("cannot create a temporary directory");
            let url = format!("sqlite://{}/rhizom.db", dir.path().display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let admin = std::env::var("RHIZOM_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
            let url = rhizom::server::testing::create_postgres_database(&admin)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL at {admin} did not answer ({e:#}); start it or set \
                         RHIZOM_TEST_POSTGRES_URL"
                    )
                });
            (url, None)
        }
    };
    let server = start_server(backend, &database_url, configure).await;
    TestApp {
        addr: server.addr,
        anon: Client::builder()
            .build()
            .expect("cannot build an HTTP client"),
        backend,
        database_url,
        server: Some(server),
        _dir: dir,
    }
}

async fn start_server(
    backend: Backend,
    database_url: &str,
    configure: impl FnOnce(&mut Config),
) -> Running {
    let mut config = Config::for_tests(database_url);
    configure(&mut config);
    rhizom::server::start(config)
        .await
        .unwrap_or_else(|e| panic!("the server did not start on {backend:?}: {e:#}"))
}

impl TestApp {
    /// Stops the server and starts a new one (on a new port) on the same database. The stop is
    /// graceful: open event streams are ended by the server, so it must finish in time.
    pub async fn restart(mut self, configure: impl FnOnce(&mut Config)) -> TestApp {
        self.stop_server().await;
        self.start_again(configure).await
    }

    /// Stops the server gracefully; it must finish within a few seconds even with open streams.
    pub async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(5), server.stop())
                .await
                .expect("a graceful stop finishes in time, open streams or not")
                .expect("the server stops cleanly");
        }
    }

    /// Kills the server without letting it finish anything (dropping `Running` aborts it) and
    /// starts a new one on the same database: as close to a crash as one process can get.
    /// Connections the old server had already accepted may linger until their clients close
    /// them; tests close them right after.
    pub async fn crash_and_restart(mut self, configure: impl FnOnce(&mut Config)) -> TestApp {
        drop(self.server.take());
        self.start_again(configure).await
    }

    /// Another server on this app's database, adjusted by `configure`: a second node. It
    /// must be dropped before this app (which owns a SQLite database's directory).
    pub async fn second_server(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        let server = start_server(self.backend, &self.database_url, configure).await;
        TestApp {
            addr: server.addr,
            anon: self.anon.clone(),
            backend: self.backend,
            database_url: self.database_url.clone(),
            server: Some(server),
            _dir: None,
        }
    }

    async fn start_again(mut self, configure: impl FnOnce(&mut Config)) -> TestApp {
        let server = start_server(self.backend, &self.database_url, configure).await;
        self.addr = server.addr;
        self.server = Some(server);
        self
    }
}

/// The `"id"` of a JSON object, as an owned string.
#[track_caller]
pub fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no string id in {value}"))
        .to_owned()
}

/// The ids of a list, sorted, for comparisons where the order is not part of the contract.
pub fn ids_of(values: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = values.iter().map(id_of).collect();
    ids.sort();
    ids
}

impl TestApp {
    /// What the server's front door has done so far (the `listen` module).
    pub fn front_door(&self) -> FrontDoorCounts {
        self.server
            .as_ref()
            .map_or_else(FrontDoorCounts::default, Running::front_door)
    }

    /// Event streams the server has served without hyper.
    pub fn direct_streams(&self) -> u64 {
        self.front_door().direct_streams
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A fresh client with its own cookie jar and no session yet.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .build()
            .expect("cannot build an HTTP client")
    }

    /// Signs in a new guest on a fresh cookie-jar client.
    pub async fn guest(&self, name: &str) -> (Client, Value) {
        let client = self.client();
        let body = self
            .post(&client, "/api/session", &json!({ "name": name }))
            .await
            .expect(200);
        let being = body["being"].clone();
        assert_being(&being);
        assert_eq!(being["kind"], "guest");
        (client, being)
    }

    pub async fn get(&self, client: &Client, path: &str) -> Reply {
        send(client.get(self.url(path))).await
    }

    pub async fn post(&self, client: &Client, path: &str, body: &Value) -> Reply {
        send(client.post(self.url(path)).json(body)).await
    }

    pub async fn put(&self, client: &Client, path: &str, body: &Value) -> Reply {
        send(client.put(self.url(path)).json(body)).await
    }

    pub async fn patch(&self, client: &Client, path: &str, body: &Value) -> Reply {
        send(client.patch(self.url(path)).json(body)).await
    }

    pub async fn delete(&self, client: &Client, path: &str) -> Reply {
        send(client.delete(self.url(path))).await
    }

    /// Sends `body` as is, labelled as JSON: for malformed and oversized bodies.
    pub async fn send_raw(
        &self,
        client: &Client,
        method: Method,
        path: &str,
        body: String,
    ) -> Reply {
        let request = client
            .request(method, self.url(path))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        send(request).await
    }

    pub async fn create_space(&self, client: &Client, name: &str) -> Value {
        let space = self
            .post(client, "/api/spaces", &json!({ "name": name }))
            .await
            .expect(201);
        assert_being(&space);
        space
    }

    /// Creates a being through `POST /api/beings`; `location: None` leaves the field out.
    pub async fn create_being(
        &self,
        client: &Client,
        kind: &str,
        name: &str,
        location: Option<&str>,
    ) -> Value {
        let mut body = json!({ "kind": kind, "name": name });
        if let Some(location) = location {
            body["location_id"] = json!(location);
        }
        let being = self.post(client, "/api/beings", &body).await.expect(201);
        assert_being(&being);
        being
    }

    pub async fn post_intention(&self, client: &Client, space_id: &str, content: &str) -> Value {
        let path = format!("/api/spaces/{space_id}/intentions");
        let intention = self
            .post(client, &path, &json!({ "content": content }))
            .await
            .expect(201);
        assert_intention(&intention);
        intention
    }

    /// `GET /api/beings/{id}` as an anonymous visitor.
    pub async fn being(&self, id: &str) -> Reply {
        self.get(&self.anon, &format!("/api/beings/{id}")).await
    }
}
