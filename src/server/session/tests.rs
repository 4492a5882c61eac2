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

#[test]
fn a_fresh_cookie_signs_its_being_in_and_is_not_stale() {
    let id = Uuid::new_v4();
    let now = now_secs();
    let signed = ours().verify(&ours().sign(id, now), now).unwrap();
    assert_eq!(
        signed,
        CookieSession {
            being_id: id,
            stale: false
        }
    );
    let headers = cookie_header(PLAIN_NAME, &ours().sign(id, now));
    assert_eq!(ours().read(&headers).map(|s| s.being_id), Some(id));
}

#[test]
fn a_tampered_or_foreign_cookie_signs_nobody_in() {
    let now = now_secs();
    let signed = ours().sign(Uuid::new_v4(), now);
    let other = Uuid::new_v4().simple().to_string();
    let forged = signed.replacen(&signed[3..35], &other, 1);
    assert_eq!(ours().verify(&forged, now), None, "another id");
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
    let id = Uuid::new_v4();
    let issued = now_secs();
    let cookie = ours().sign(id, issued);
    let stale = |days: u64| ours().verify(&cookie, issued + days * DAY).map(|s| s.stale);
    assert_eq!(stale(0), Some(false));
    assert_eq!(stale(2), Some(true));
    assert_eq!(stale(89), Some(true));
    assert_eq!(stale(91), None, "past session-max-age-days");
}

#[test]
fn a_cookie_signed_with_an_earlier_key_is_accepted_and_issued_again() {
    let id = Uuid::new_v4();
    let now = now_secs();
    let before = keys(&[1; 64], &[], false).sign(id, now);
    let rotated = keys(&[2; 64], &[&[1; 64]], false);
    assert_eq!(
        rotated.verify(&before, now),
        Some(CookieSession {
            being_id: id,
            stale: true
        })
    );
    assert_eq!(
        keys(&[2; 64], &[], false).verify(&before, now),
        None,
        "once dropped"
    );
}

#[test]
fn a_cookie_of_the_first_form_is_accepted_and_issued_again() {
    let id = Uuid::new_v4();
    let tag = ours().signing.mac(id.as_bytes()).finalize().into_bytes();
    let old = format!("{}.{}", id.simple(), URL_SAFE_NO_PAD.encode(tag));
    let before_the_end = FIRST_FORM_ACCEPTED_UNTIL - 1;
    assert_eq!(
        ours().verify(&old, before_the_end),
        Some(CookieSession {
            being_id: id,
            stale: true
        })
    );
    assert_eq!(
        ours().verify(&old, FIRST_FORM_ACCEPTED_UNTIL),
        None,
        "the first form is refused once its time is up"
    );
}

#[test]
fn over_https_the_cookie_is_secure_and_host_only_and_the_plain_one_is_not_read() {
    let secure = keys(&[7; 64], &[], true);
    let id = Uuid::new_v4();
    let header = secure.set_cookie(id);
    let text = header.to_str().unwrap();
    assert!(text.starts_with("__Host-rhizom_session="), "{text}");
    assert!(text.contains("; Secure") && text.contains("Path=/") && !text.contains("Domain"));
    let plain = ours().set_cookie(id);
    assert!(!plain.to_str().unwrap().contains("Secure"));
    // Over https a cookie under the plain name could have been planted: it is not read.
    let value = secure.sign(id, now_secs());
    assert_eq!(secure.read(&cookie_header(PLAIN_NAME, &value)), None);
    assert_eq!(
        secure
            .read(&cookie_header(HOST_NAME, &value))
            .map(|s| s.being_id),
        Some(id)
    );
}

#[test]
fn the_cookie_is_http_only_and_same_site_lax() {
    let header = ours().set_cookie(Uuid::new_v4());
    let text = header.to_str().unwrap();
    assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"));
    assert!(text.contains(&format!("Max-Age={}", 90 * DAY)));
}
