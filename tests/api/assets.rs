//! The client's files under `/pkg/` (server/assets.rs): the brotli or gzip copy the build made
//! when the browser takes it, the file itself otherwise, and — names without hashes here, as
//! in a build without them — checked with the server each time. (The hashed build's year-long
//! caching is checked on the real build, in end2end/tests/assets.spec.ts.)

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};

use crate::helpers::{Backend, spawn_app_with};

#[tokio::test]
async fn the_clients_files_come_compressed_when_the_browser_takes_it() {
    let site = tempfile::tempdir().expect("a site directory");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg/");
    std::fs::write(pkg.join("rhizom.js"), "console.log('the file itself')").unwrap();
    std::fs::write(pkg.join("rhizom.js.br"), b"brotli's copy").unwrap();
    std::fs::write(pkg.join("rhizom.js.gz"), b"gzip's copy").unwrap();
    let root = site.path().display().to_string();
    let app = spawn_app_with(Backend::Sqlite, |config| config.site_root = root).await;

    let fetch = |encodings: &'static str| {
        let request = app.anon.get(app.url("/pkg/rhizom.js"));
        async move {
            let reply = match encodings {
                "" => request.send().await,
                encodings => request.header(ACCEPT_ENCODING, encodings).send().await,
            }
            .expect("the server answers");
            assert_eq!(reply.status(), 200);
            let header = |name| {
                reply
                    .headers()
                    .get(name)
                    .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
            };
            let (encoding, cache) = (header(CONTENT_ENCODING), header(CACHE_CONTROL));
            assert_eq!(header(VARY).as_deref(), Some("accept-encoding"));
            let body = reply.bytes().await.expect("a body");
            (encoding, cache, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (encoding, cache, body) = fetch("gzip, deflate, br").await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(body, "brotli's copy");
    assert_eq!(cache.as_deref(), Some("no-cache"), "an unhashed name");
    let (encoding, _, body) = fetch("gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(body, "gzip's copy");
    let (encoding, _, body) = fetch("").await;
    assert_eq!(encoding, None);
    assert_eq!(body, "console.log('the file itself')");

    let missing = app.anon.get(app.url("/pkg/nothing.js")).send().await;
    assert_eq!(missing.expect("the server answers").status(), 404);
}
