//! A real OpenID provider for the tests: `end2end/oidc-provider.mjs` (the npm package
//! oidc-provider, installed with the end-to-end tests' packages), run with Node on a free
//! port, and a browser-like walk through the flow (redirects followed by hand, cookies kept).

use std::process::Stdio;
use std::time::Duration;

use reqwest::header::LOCATION;
use reqwest::{Client, redirect};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

use crate::sse::WAIT;

/// The client id and secret the provider knows the app by.
pub const CLIENT_ID: &str = "rhizom-test";
pub const CLIENT_SECRET: &str = "rhizom-test-secret";

/// A provider running until dropped.
pub struct Provider {
    pub issuer: String,
    _node: Child,
}

impl Provider {
    /// Starts the provider; it sends browsers back only to `redirect_uri`.
    pub async fn start(redirect_uri: &str) -> Provider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/oidc-provider.mjs");
        let mut node = Command::new("node")
            .arg(script)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/end2end"))
            .env("OP_PORT", "0")
            .env("OP_REDIRECT_URIS", redirect_uri)
            .env("OP_CLIENT_ID", CLIENT_ID)
            .env("OP_CLIENT_SECRET", CLIENT_SECRET)
            .stdout(Stdio::piped())
            // Its warnings (a development key, an in-memory store) are what a test wants.
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs end2end/oidc-provider.mjs (npm ci in end2end/ installs it)");
        let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(issuer) = line.strip_prefix("issuer=") {
                    return issuer.to_owned();
                }
            }
            panic!("the provider ended without saying its issuer");
        })
        .await
        .expect("the provider starts within 20 s");
        // It must be able to write on: the rest of its output is read and dropped.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Provider {
            issuer,
            _node: node,
        }
    }

    /// Whoever signs in at the provider from now on.
    pub async fn sign_in_as(&self, account: &str) {
        let answer = reqwest::get(format!("{}/test/account/{account}", self.issuer))
            .await
            .unwrap();
        assert!(answer.status().is_success());
    }
}

/// A browser: cookies kept for every site, redirects not followed by themselves.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where the browser's walk ended: the app's page it was sent to last.
#[derive(Debug)]
pub struct Walk {
    pub landed: Url,
}

/// Follows redirects from `start` until one leads to the app's `stop_at` origin with a path
/// other than the callback's, `rewrite` changing each URL before it is followed (to tamper
/// with the flow).
pub async fn walk(
    browser: &Client,
    start: &str,
    app_origin: &str,
    rewrite: impl Fn(Url) -> Url,
) -> Walk {
    let mut url = Url::parse(start).unwrap();
    for _ in 0..12 {
        let answer = tokio::time::timeout(WAIT, browser.get(url.clone()).send())
            .await
            .expect("an answer in time")
            .unwrap();
        let Some(location) = answer.headers().get(LOCATION) else {
            panic!("{url} answered {} without a redirect", answer.status());
        };
        let next = url.join(location.to_str().unwrap()).unwrap();
        let next = rewrite(next);
        if next.as_str().starts_with(app_origin) && !next.path().starts_with("/auth/oidc/") {
            return Walk { landed: next };
        }
        url = next;
    }
    panic!("too many redirects from {start}");
}

/// `url` with the query parameter `name` set to `value`.
pub fn with_param(url: Url, name: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut changed = url.clone();
    changed.query_pairs_mut().clear();
    for (key, old) in pairs {
        let kept = if key == name { value.to_owned() } else { old };
        changed.query_pairs_mut().append_pair(&key, &kept);
    }
    changed
}
