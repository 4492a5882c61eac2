//! The shapes of the wire types, checked on every being and intention a test sees.
//!
//! These check that the documented fields are present with the documented types; they do not
//! forbid extra fields, so adding a field later is not a breaking change for these tests.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

/// Parses an RFC 3339 timestamp field and checks it is in UTC.
#[track_caller]
pub fn timestamp(value: &Value, field: &str) -> DateTime<FixedOffset> {
    let text = value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} should be a string in {value}"));
    let parsed = DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{field} = {text:?} is not RFC 3339: {e}"));
    assert_eq!(
        parsed.offset().local_minus_utc(),
        0,
        "{field} = {text:?} is not UTC"
    );
    parsed
}

#[track_caller]
fn assert_uuid(value: &Value, field: &str) {
    let text = value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} should be a UUID string in {value}"));
    assert!(
        uuid::Uuid::parse_str(text).is_ok(),
        "{field} = {text:?} is not a UUID"
    );
}

#[track_caller]
fn assert_uuid_or_null(value: &Value, field: &str) {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("expected an object: {value}"));
    assert!(
        object.contains_key(field),
        "{field} is missing (it must be present, even as null) in {value}"
    );
    if !value[field].is_null() {
        assert_uuid(value, field);
    }
}

/// `{id, kind, name, owner_id, location_id, created_at, updated_at}`.
#[track_caller]
pub fn assert_being(being: &Value) {
    assert_uuid(being, "id");
    let kind = being["kind"]
        .as_str()
        .unwrap_or_else(|| panic!("kind should be a string in {being}"));
    assert!(
        ["guest", "bot", "document", "space"].contains(&kind),
        "unknown kind {kind:?} in {being}"
    );
    let name = being["name"]
        .as_str()
        .unwrap_or_else(|| panic!("name should be a string in {being}"));
    let chars = name.chars().count();
    assert!(
        (1..=64).contains(&chars),
        "a stored name has 1 to 64 characters: {name:?}"
    );
    assert_eq!(
        name,
        name.trim(),
        "a stored name has no surrounding whitespace"
    );
    assert_uuid_or_null(being, "owner_id");
    assert_uuid_or_null(being, "location_id");
    let created = timestamp(being, "created_at");
    let updated = timestamp(being, "updated_at");
    assert!(
        updated >= created,
        "updated_at is before created_at in {being}"
    );
}

/// `{id, kind, state, owner_id, location_id, content, created_at, updated_at}`.
#[track_caller]
pub fn assert_intention(intention: &Value) {
    assert_uuid(intention, "id");
    assert!(
        intention["kind"].is_string(),
        "kind should be a string in {intention}"
    );
    assert!(
        intention["state"].is_string(),
        "state should be a string in {intention}"
    );
    assert_uuid(intention, "owner_id");
    assert_uuid(intention, "location_id");
    let content = intention["content"]
        .as_str()
        .unwrap_or_else(|| panic!("content should be a string in {intention}"));
    let chars = content.chars().count();
    assert!(
        (1..=4000).contains(&chars),
        "stored content has 1 to 4000 characters"
    );
    let created = timestamp(intention, "created_at");
    let updated = timestamp(intention, "updated_at");
    assert!(
        updated >= created,
        "updated_at is before created_at in {intention}"
    );
}

/// A being as created through the API: owned by `owner`, of `kind`, named `name`, in `location`.
#[track_caller]
pub fn assert_created_being(
    being: &Value,
    kind: &str,
    name: &str,
    owner: &Value,
    location: Option<&str>,
) {
    assert_being(being);
    assert_eq!(being["kind"], kind, "kind in {being}");
    assert_eq!(being["name"], name, "name in {being}");
    assert_eq!(
        being["owner_id"], owner["id"],
        "the caller owns what it creates: {being}"
    );
    match location {
        Some(location) => assert_eq!(being["location_id"], location, "location in {being}"),
        None => assert!(
            being["location_id"].is_null(),
            "expected a top-level being: {being}"
        ),
    }
}

/// Asserts `items` are ordered newest first by `created_at`.
#[track_caller]
pub fn assert_newest_first(items: &[Value]) {
    for pair in items.windows(2) {
        assert!(
            timestamp(&pair[0], "created_at") >= timestamp(&pair[1], "created_at"),
            "not newest first: {} before {}",
            pair[0],
            pair[1]
        );
    }
}
