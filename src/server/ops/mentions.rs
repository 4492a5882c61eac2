//! Whom a message mentions, kept as it is written: one row per being it names (`@Name`), none
//! per member of the space.

use uuid::Uuid;

use crate::model::{Intention, Name, mentions};
use crate::server::db::{Exec, mentions as db_mentions};

/// Records whom `intention` mentions among the beings in its space and those who have read it,
/// in the transaction that writes it. `was`: its content before an edit (`None` when new).
/// Only the beings called what follows an `@` are read, by name.
pub(super) async fn record(
    mut ex: Exec<'_>,
    intention: &Intention,
    was: Option<&str>,
) -> sqlx::Result<()> {
    let has_at = intention.content.contains('@');
    if !has_at && !was.is_some_and(|text| text.contains('@')) {
        return Ok(());
    }
    let named: Vec<Uuid> = if has_at {
        db_mentions::named(
            ex.reborrow(),
            intention.location_id,
            &names_after_ats(&intention.content),
        )
        .await?
        .into_iter()
        .filter(|(id, name)| *id != intention.owner_id && mentions(&intention.content, name))
        .map(|(id, _)| id)
        .collect()
    } else {
        Vec::new()
    };
    db_mentions::replace(ex, intention, &named).await
}

/// The names a text may mention: for each `@` that starts a word, what follows it up to each
/// place a name could end (before a character that cannot continue a word), up to the longest
/// name; each lowered as either engine may lower a stored name (fully, and ASCII only as
/// SQLite's `lower()` does), at most [`MAX_NAMES`] in all.
fn names_after_ats(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices('@') {
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = &text[at + 1..];
        let ends = rest
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(rest.len()))
            .take(Name::MAX_CHARS);
        for end in ends {
            let name = &rest[..end];
            let after = rest[end..].chars().next();
            if name.is_empty()
                || name.ends_with(char::is_whitespace)
                || after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            for lowered in [name.to_lowercase(), name.to_ascii_lowercase()] {
                if !names.contains(&lowered) && names.len() < MAX_NAMES {
                    names.push(lowered);
                }
            }
        }
    }
    names
}

/// Names looked up for one message, at most.
const MAX_NAMES: usize = 256;

#[cfg(test)]
mod tests {
    use super::names_after_ats;

    #[test]
    fn every_name_an_at_may_start_is_looked_up_lowered() {
        let names = names_after_ats("hi @Ada Lovelace, and mail@example.org");
        for expected in ["ada", "ada lovelace", "ada lovelace,", "ada lovelace, and"] {
            assert!(
                names.contains(&expected.to_owned()),
                "{expected}: {names:?}"
            );
        }
        assert!(
            !names.iter().any(|n| n.starts_with("example")),
            "an address: {names:?}"
        );
        assert!(!names.contains(&"ad".to_owned()), "not inside a word");
        let unicode = names_after_ats("@Éva!");
        assert!(unicode.contains(&"éva".to_owned()) && unicode.contains(&"Éva".to_owned()));
    }
}
