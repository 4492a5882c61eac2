//! Signing, checking, expiring and rotating session cookies, without a database.

use super::*;

const DAY: u64 = 24 * 60 * 60;

fn keys(signing: &[u8], earlier: &[&[u8]], secure: bool) -> SessionKeys {
    SessionKeys {
        signing: Key(signing.into()),
        earlier: earlier.iter().map(|k| Key((*k).into())).collect(),
        max_age: Duration::from_secs(90 * DAY),
        secure,
    }
}

fn ours() -> SessionKeys {
    keys(&[7; 64], &[], false)
}

fn cookie_header(name: &str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let cookie = format!("theme=dark; {name}={value}; x=1");
    headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
    headers
}

fn session(being_id: Uuid, token: &SecretToken, stale: bool) -> Option<SessionCookie> {
    Some(SessionCookie::Session {
        being_id,
        token: token.clone(),
        stale,
    })
}

#[test]
fn a_fresh_cookie_names_its_session_and_being_and_is_not_stale() {
    let (id, token, now) = (Uuid::new_v4(), SecretToken::generate(), now_secs());
    let value = ours().sign(id, &token, now);
    assert_eq!(ours().verify(&value, now), session(id, &token, false));
    let headers = cookie_header(PLAIN_NAME, &value);
    assert_eq!(ours().read(&headers).map(|c| c.being_id()), Some(id));
}

#[test]
fn a_tampered_or_foreign_cookie_signs_nobody_in() {
    let now = now_secs();
    let token = SecretToken::generate();
    let signed = ours().sign(Uuid::new_v4(), &token, now);
    let other = Uuid::new_v4().simple().to_string();
    let forged = signed.replacen(&signed[3..35], &other, 1);
    assert_eq!(ours().verify(&forged, now), None, "another being");
    let another_token = signed.replacen(&token.encode(), &SecretToken::generate().encode(), 1);
    assert_eq!(ours().verify(&another_token, now), None, "another token");
    let later = signed.replacen(&format!(".{now}."), &format!(".{}.", now + 5), 1);
    assert_eq!(ours().verify(&later, now), None, "another time");
    assert_eq!(
        keys(&[8; 64], &[], false).verify(&signed, now),
        None,
        "another key"
    );
    assert_eq!(ours().verify("garbage", now), None);
}

#[test]
fn a_cookie_is_issued_again_after_a_day_and_refused_after_the_maximum_age() {
    let (id, token, issued) = (Uuid::new_v4(), SecretToken::generate(), now_secs());
    let cookie = ours().sign(id, &token, issued);
    let stale = |days: u64| match ours().verify(&cookie, issued + days * DAY) {
        Some(SessionCookie::Session { stale, .. }) => Some(stale),
        _ => None,
    };
    assert_eq!(stale(0), Some(false));
    assert_eq!(stale(2), Some(true));
    assert_eq!(stale(89), Some(true));
    assert_eq!(stale(91), None, "past session-max-age-days");
}

#[test]
fn a_cookie_signed_with_an_earlier_key_is_accepted_and_issued_again() {
    let (id, token, now) = (Uuid::new_v4(), SecretToken::generate(), now_secs());
    let before = keys(&[1; 64], &[], false).sign(id, &token, now);
    let rotated = keys(&[2; 64], &[&[1; 64]], false);
    assert_eq!(rotated.verify(&before, now), session(id, &token, true));
    assert_eq!(
        keys(&[2; 64], &[], false).verify(&before, now),
        None,
        "once dropped"
    );
}

#[test]
fn cookies_from_before_sessions_name_their_being_and_the_first_form_ends() {
    let id = Uuid::new_v4();
    let now = now_secs();
    let v1 = format!("v1.{}.{now}", id.simple());
    let tag = ours().signing.mac(v1.as_bytes()).finalize().into_bytes();
    let v1 = format!("{v1}.{}", URL_SAFE_NO_PAD.encode(tag));
    assert_eq!(
        ours().verify(&v1, now),
        Some(SessionCookie::BeingOnly {
            being_id: id,
            tag: tag.to_vec()
        })
    );
    assert_eq!(ours().verify(&v1, now + 91 * DAY), None, "too old");

    let tag = ours().signing.mac(id.as_bytes()).finalize().into_bytes();
    let first = format!("{}.{}", id.simple(), URL_SAFE_NO_PAD.encode(tag));
    assert_eq!(
        ours().verify(&first, FIRST_FORM_ACCEPTED_UNTIL - 1),
        Some(SessionCookie::BeingOnly {
            being_id: id,
            tag: tag.to_vec()
        })
    );
    assert_eq!(
        ours().verify(&first, FIRST_FORM_ACCEPTED_UNTIL),
        None,
        "the first form is refused once its time is up"
    );
}

#[test]
fn over_https_the_cookie_is_secure_and_host_only_and_the_plain_one_is_not_read() {
    let secure = keys(&[7; 64], &[], true);
    let (id, token) = (Uuid::new_v4(), SecretToken::generate());
    let header = secure.set_cookie(id, &token);
    let text = header.to_str().unwrap();
    assert!(text.starts_with("__Host-rhizom_session="), "{text}");
    assert!(text.contains("; Secure") && text.contains("Path=/") && !text.contains("Domain"));
    let plain = ours().set_cookie(id, &token);
    assert!(!plain.to_str().unwrap().contains("Secure"));
    // Over https a cookie under the plain name could have been planted: it is not read.
    let value = secure.sign(id, &token, now_secs());
    assert_eq!(secure.read(&cookie_header(PLAIN_NAME, &value)), None);
    assert_eq!(
        secure
            .read(&cookie_header(HOST_NAME, &value))
            .map(|c| c.being_id()),
        Some(id)
    );
}

#[test]
fn the_cookie_is_http_only_and_same_site_lax_and_clearing_it_expires_it() {
    let header = ours().set_cookie(Uuid::new_v4(), &SecretToken::generate());
    let text = header.to_str().unwrap();
    assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"));
    assert!(text.contains(&format!("Max-Age={}", 90 * DAY)));
    let cleared = ours().clear_cookie();
    assert!(cleared.to_str().unwrap().starts_with("rhizom_session=; "));
    assert!(cleared.to_str().unwrap().contains("Max-Age=0"));
}

#[test]
fn a_session_proof_is_the_sessions_alone() {
    let session = Uuid::new_v4();
    let proof = ours().session_proof(session);
    assert!(ours().proves(session, &proof));
    assert!(!ours().proves(Uuid::new_v4(), &proof));
    assert!(!keys(&[8; 64], &[], false).proves(session, &proof));
    assert!(!ours().proves(session, "garbage"));
}
