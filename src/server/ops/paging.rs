//! Pages of a list: a cursor is the place of the last item sent, `<micros>_<uuid>` (the item's
//! creation time and id, which order every list here), opaque to clients.

use uuid::Uuid;

use crate::model::{ApiError, Limit, Page, Timestamp};

/// The place of an item in its list.
pub(crate) type Place = (Timestamp, Uuid);

pub(crate) fn encode((at, id): Place) -> String {
    format!("{}_{}", at.0, id.simple())
}

/// A cursor from a page's `next`; anything else is a 400 naming `field`.
pub(crate) fn decode(raw: &str, field: &str) -> Result<Place, ApiError> {
    let bad =
        || ApiError::bad_request(field, format!("{field} must be a cursor taken from `next`"));
    let (at, id) = raw.split_once('_').ok_or_else(bad)?;
    Ok((
        Timestamp(at.parse().map_err(|_| bad())?),
        Uuid::try_parse(id).map_err(|_| bad())?,
    ))
}

/// The cursor given as `field` of a request, if any (an empty one is none).
pub(crate) fn from_request(raw: Option<&str>, field: &str) -> Result<Option<Place>, ApiError> {
    raw.filter(|raw| !raw.is_empty())
        .map(|raw| decode(raw, field))
        .transpose()
}

/// A page from `items` read with one more than `limit` (which tells whether another page
/// exists); `place` says where an item is.
pub(crate) fn page<T>(mut items: Vec<T>, limit: Limit, place: impl Fn(&T) -> Place) -> Page<T> {
    let more = items.len() > limit.get() as usize;
    items.truncate(limit.get() as usize);
    let next = if more {
        items.last().map(|item| encode(place(item)))
    } else {
        None
    };
    Page { items, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_a_bad_request_naming_its_field() {
        let place = (Timestamp(42), Uuid::new_v4());
        assert_eq!(decode(&encode(place), "before").unwrap(), place);
        for garbage in ["x", "1_", "_abc", "12_not-a-uuid"] {
            assert_eq!(
                decode(garbage, "after").unwrap_err().field.as_deref(),
                Some("after")
            );
        }
        assert_eq!(from_request(Some(""), "after").unwrap(), None);
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_was_read() {
        let items: Vec<u32> = (0..4).collect();
        let place = |n: &u32| (Timestamp(i64::from(*n)), Uuid::nil());
        let limit = Limit::parse(Some("3")).unwrap();
        let full = page(items.clone(), limit, place);
        assert_eq!(full.items, [0, 1, 2]);
        assert_eq!(full.next, Some(encode(place(&2))));
        let last = page(items[..3].to_vec(), limit, place);
        assert_eq!(last.next, None);
    }
}
