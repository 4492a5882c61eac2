//! Mentions: `@Name` in a message names a being. One definition for the server (which bots wake,
//! whose mentions count) and the page (which messages are highlighted for the reader).

/// Does `text` mention a being called `name`? A mention is `@Name` in any case, on its own: not
/// inside a word before it (an address), nor running on into one.
pub fn mentions(text: &str, name: &str) -> bool {
    let mention = format!("@{}", name.to_lowercase());
    let text = text.to_lowercase();
    text.match_indices(&mention).any(|(at, found)| {
        let before = text[..at].chars().next_back();
        let after = text[at + found.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric)
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_mention_is_the_name_after_an_at_in_any_case() {
        assert!(!mentions("hello", "Echo"));
        assert!(mentions("hey @echo, sum this", "Echo"));
        assert!(mentions("ask @Big Bot", "Big Bot"));
        assert!(!mentions("Echo, sum this", "Echo"));
        assert!(!mentions("@echoes agree", "Echo"));
        assert!(!mentions("mail bob@echo.com", "Echo"));
        assert!(mentions("(@Echo) and @Echo!", "Echo"));
    }
}
