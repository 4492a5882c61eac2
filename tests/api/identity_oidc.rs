//! Signing in with an OpenID Connect provider (docs/API.md, "OpenID Connect"), against a real
//! provider run locally (`oidc_provider`): the first sign-in makes a being, the next returns
//! to it; a signed-in guest links an account; an account linked elsewhere is not taken over;
//! a changed state, nonce or issuer is refused, and so is a flow without its cookie.

use std::sync::Mutex;

use reqwest::Client;
use rhizom::server::OidcProvider;
use serde_json::Value;
use url::Url;

use crate::helpers::{Backend, TestApp, on_both_backends, spawn_app_with};
use crate::oidc_provider::{CLIENT_ID, CLIENT_SECRET, Provider, browser, walk, with_param};

on_both_backends!(
    the_first_sign_in_makes_a_being_and_the_next_returns_to_it,
    a_signed_in_guest_links_an_account_and_it_cannot_be_linked_twice,
    a_changed_state_nonce_or_issuer_is_refused,
);

/// The app and its provider (named `test`), the app at `origin` (localhost: the host names
/// the provider sends browsers back to).
struct Setup {
    _app: TestApp,
    provider: Provider,
    origin: String,
}

async fn setup(backend: Backend) -> Setup {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://localhost:{port}");
    let provider = Provider::start(&format!("{origin}/auth/oidc/test/callback")).await;
    let (issuer, public) = (provider.issuer.clone(), origin.clone());
    let app = spawn_app_with(backend, move |config| {
        config.site_addr = ([127, 0, 0, 1], port).into();
        config.public_url = Some(public.parse().unwrap());
        config.oidc = vec![OidcProvider {
            name: "test".to_owned(),
            issuer,
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned().into(),
        }];
    })
    .await;
    Setup {
        _app: app,
        provider,
        origin,
    }
}

impl Setup {
    /// Signs `browser` in with the provider, starting from `start` (a path of the app), with
    /// `rewrite` applied to each URL on the way; where it landed.
    async fn sign_in(&self, browser: &Client, start: &str, rewrite: impl Fn(Url) -> Url) -> Url {
        walk(
            browser,
            &format!("{}{start}", self.origin),
            &self.origin,
            rewrite,
        )
        .await
        .landed
    }

    async fn me(&self, browser: &Client) -> Option<Value> {
        let reply = crate::helpers::send(browser.get(format!("{}/api/me", self.origin))).await;
        (reply.status == 200).then(|| reply.body["being"].clone())
    }

    /// Where the provider's button leads, for `browser`.
    async fn button(&self, browser: &Client) -> String {
        let reply =
            crate::helpers::send(browser.get(format!("{}/api/oidc/providers", self.origin))).await;
        let choices = reply.expect(200);
        assert_eq!(choices[0]["name"], "test");
        choices[0]["href"].as_str().unwrap().to_owned()
    }
}

/// A change made to each URL on the way through the flow.
type Rewrite = Box<dyn Fn(Url) -> Url>;

fn unchanged(url: Url) -> Url {
    url
}

async fn the_first_sign_in_makes_a_being_and_the_next_returns_to_it(backend: Backend) {
    let setup = setup(backend).await;
    let laptop = browser();
    let landed = setup.sign_in(&laptop, "/auth/oidc/test", unchanged).await;
    assert_eq!(landed.path(), "/", "signed in, home: {landed}");
    let alice = setup.me(&laptop).await.expect("signed in");
    assert_eq!(alice["name"], "Alice Test", "named as the provider says");
    assert_eq!(alice["kind"], "guest");

    // Another device, the same account: the same being.
    let phone = browser();
    setup.sign_in(&phone, "/auth/oidc/test", unchanged).await;
    assert_eq!(setup.me(&phone).await.unwrap()["id"], alice["id"]);
    let linked = crate::helpers::send(phone.get(format!("{}/api/oidc/links", setup.origin)))
        .await
        .expect(200);
    assert_eq!(linked[0]["provider"], "test");

    // Another account: another being.
    setup.provider.sign_in_as("bob").await;
    let other = browser();
    setup.sign_in(&other, "/auth/oidc/test", unchanged).await;
    let bob = setup.me(&other).await.unwrap();
    assert_ne!(bob["id"], alice["id"]);
    assert_eq!(bob["name"], "Bob Test");
}

async fn a_signed_in_guest_links_an_account_and_it_cannot_be_linked_twice(backend: Backend) {
    let setup = setup(backend).await;
    let laptop = browser();
    let joined = crate::helpers::send(
        laptop
            .post(format!("{}/api/session", setup.origin))
            .json(&serde_json::json!({ "name": "Ada" })),
    )
    .await
    .expect(200);
    let button = setup.button(&laptop).await;
    assert!(
        button.contains("?link="),
        "a signed-in guest's button links: {button}"
    );
    setup.sign_in(&laptop, &button, unchanged).await;
    assert_eq!(
        setup.me(&laptop).await.unwrap()["id"],
        joined["being"]["id"]
    );

    // The account now signs Ada in anywhere.
    let phone = browser();
    setup.sign_in(&phone, "/auth/oidc/test", unchanged).await;
    assert_eq!(setup.me(&phone).await.unwrap()["id"], joined["being"]["id"]);

    // Eve, signed in, cannot link Alice's account to herself: it stays Ada's.
    let eve = browser();
    crate::helpers::send(
        eve.post(format!("{}/api/session", setup.origin))
            .json(&serde_json::json!({ "name": "Eve" })),
    )
    .await
    .expect(200);
    let button = setup.button(&eve).await;
    let landed = setup
        .sign_in(&eve, &format!("{button}&only=link"), unchanged)
        .await;
    assert_eq!(landed.query(), Some("error=linked_elsewhere"), "{landed}");
    assert_eq!(setup.me(&eve).await.unwrap()["name"], "Eve");
    // From the sign-in page the account would sign Eve's device in as Ada — which would
    // lose Eve, who has no other way back: refused too, saying why.
    let landed = setup.sign_in(&eve, &button, unchanged).await;
    assert_eq!(landed.query(), Some("error=strand"), "{landed}");
    assert_eq!(setup.me(&eve).await.unwrap()["name"], "Eve");
    // Nor can anyone link with a proof that is not theirs.
    let forged = button.replace("?link=", "?link=x");
    let landed = setup.sign_in(&eve, &forged, unchanged).await;
    assert_eq!(landed.path(), "/sign-in");
}

async fn a_changed_state_nonce_or_issuer_is_refused(backend: Backend) {
    let setup = setup(backend).await;
    let callback = |url: &Url| url.path().ends_with("/auth/oidc/test/callback");
    let authorize = |url: &Url| url.path() == "/auth";
    let tampered: Vec<(&str, Rewrite)> = vec![
        (
            "state",
            Box::new(move |url| match callback(&url) {
                true => with_param(url, "state", "not-the-state"),
                false => url,
            }),
        ),
        (
            "issuer",
            Box::new(move |url| match callback(&url) {
                true => with_param(url, "iss", "http://127.0.0.1:1"),
                false => url,
            }),
        ),
        (
            "nonce",
            Box::new(move |url| match authorize(&url) {
                true => with_param(url, "nonce", "not-the-nonce"),
                false => url,
            }),
        ),
    ];
    for (what, rewrite) in tampered {
        let someone = browser();
        let landed = setup.sign_in(&someone, "/auth/oidc/test", rewrite).await;
        assert_eq!(
            landed.path(),
            "/sign-in",
            "a changed {what} is refused: {landed}"
        );
        assert_eq!(landed.query(), Some("error=refused"), "{landed}");
        assert!(
            setup.me(&someone).await.is_none(),
            "{what}: nobody signed in"
        );
    }
    // The provider's answer taken to another browser (without the flow's cookie) is refused;
    // in the browser that started the flow, the same answer signs in.
    let starter = browser();
    let answer = Mutex::new(None);
    let home = Url::parse(&format!("{}/", setup.origin)).unwrap();
    setup
        .sign_in(&starter, "/auth/oidc/test", |url| {
            if callback(&url) {
                *answer.lock().unwrap() = Some(url);
                return home.clone();
            }
            url
        })
        .await;
    let answer = answer.into_inner().unwrap().expect("the provider answered");
    let elsewhere = browser();
    let landed = walk(&elsewhere, answer.as_str(), &setup.origin, unchanged).await;
    assert_eq!(landed.landed.path(), "/sign-in");
    assert!(setup.me(&elsewhere).await.is_none());
    let landed = walk(&starter, answer.as_str(), &setup.origin, unchanged).await;
    assert_eq!(landed.landed.path(), "/");
    assert!(setup.me(&starter).await.is_some());
}
