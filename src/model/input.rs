//! Parse, don't validate: input newtypes that can only hold acceptable values.

use super::ApiError;

/// A display name: 1–64 characters once surrounding whitespace is trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ApiError::invalid("name", "a name cannot be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(ApiError::invalid(
                "name",
                format!("a name has at most {} characters", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "name",
                "a name cannot contain control characters",
            ));
        }
        if hides_or_reorders(name) {
            return Err(ApiError::invalid(
                "name",
                "a name cannot contain invisible or direction-changing characters",
            ));
        }
        Ok(Name(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text of an intention: 1–4000 characters, not only whitespace. Kept as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content(String);

impl Content {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        if raw.trim().is_empty() {
            return Err(ApiError::invalid("content", "a message cannot be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(ApiError::invalid(
                "content",
                format!("a message has at most {} characters", Self::MAX_CHARS),
            ));
        }
        if raw
            .chars()
            .any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{7f}'))
        {
            return Err(ApiError::invalid(
                "content",
                "a message cannot contain control characters (but tabs and line breaks)",
            ));
        }
        Ok(Content(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Characters that make a name look like another: the bidirectional controls (which reorder
/// what follows them), the zero-width and invisible format characters, the line and paragraph
/// separators, and the blank "fillers" that look like nothing. A zero-width joiner is let
/// through between two emoji (it makes one emoji of a family or a profession), and tag
/// characters in a flag's sequence (🏴 then tags: the flags of Scotland or Wales); nowhere
/// else.
fn hides_or_reorders(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    let before = |i: usize| i.checked_sub(1).and_then(|p| chars.get(p)).copied();
    chars.iter().enumerate().any(|(i, &c)| match c {
        '\u{200d}' => {
            !(before(i).is_some_and(is_emoji) && chars.get(i + 1).copied().is_some_and(is_emoji))
        }
        '\u{e0000}'..='\u{e007f}' => !in_flag_tags(&chars[..i]),
        '\u{061c}' | '\u{00ad}' | '\u{034f}' | '\u{180e}' | '\u{feff}' => true,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' => true,
        '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => true,
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{2800}' => true,
        _ => false,
    })
}

/// An emoji, or the selector that asks for one, as a zero-width joiner may join: the
/// pictographs, symbols and dingbats blocks.
fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1f000}'..='\u{1faff}' | '\u{2600}'..='\u{27bf}' | '\u{2b00}'..='\u{2bff}' | '\u{fe0f}')
}

/// Do the characters before a tag character end in 🏴 and tags (a flag being spelled)?
fn in_flag_tags(before: &[char]) -> bool {
    let tags = before
        .iter()
        .rev()
        .take_while(|c| ('\u{e0020}'..='\u{e007e}').contains(*c))
        .count();
    before.len() > tags && before[before.len() - tags - 1] == '\u{1f3f4}'
}

/// A page size for listing intentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    pub const DEFAULT: Limit = Limit(50);
    pub const MAX: u32 = 200;

    /// A limit set by the server itself (at least 1).
    pub const fn of(n: u32) -> Limit {
        Limit(if n == 0 { 1 } else { n })
    }

    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let Some(raw) = raw else {
            return Ok(Self::DEFAULT);
        };
        match raw.parse::<u32>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Limit(n)),
            _ => Err(ApiError::bad_request(
                "limit",
                format!("limit is a whole number from 1 to {}", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;

    #[test]
    fn a_name_is_trimmed_and_kept() {
        assert_eq!(Name::parse("  Ada  ").unwrap().into_inner(), "Ada");
    }

    #[test]
    fn a_blank_name_is_refused_with_its_field() {
        let err = Name::parse(" \t ").unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid);
        assert_eq!(err.field.as_deref(), Some("name"));
    }

    #[test]
    fn a_name_counts_characters_not_bytes() {
        assert!(Name::parse(&"é".repeat(64)).is_ok());
        assert!(Name::parse(&"é".repeat(65)).is_err());
    }

    #[test]
    fn a_name_with_a_control_character_is_refused() {
        assert!(Name::parse("a\u{7}b").is_err());
    }

    #[test]
    fn a_name_that_hides_or_reorders_characters_is_refused() {
        for spoof in [
            "admin\u{202e}txt",
            "Ada\u{200b}",
            "A\u{200d}da",
            "\u{2066}Ada\u{2069}",
            "Ada\u{feff}",
            "Ad\u{00ad}a",
            "Ada\u{2028}Bob",
            "\u{3164}",
            "Ada\u{115f}",
            "a\u{200d}\u{1f469}",
            "\u{2190}\u{200d}\u{2191}",
            "Ada\u{e0041}\u{e007f}",
            "\u{1f3f4}\u{e007f}\u{e0041}",
        ] {
            let err = Name::parse(spoof).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("name"), "{spoof:?}");
        }
        // A family emoji is three emoji joined; it stays a fine name.
        assert!(Name::parse("\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} Ada").is_ok());
        // As is a rainbow flag (white flag, selector, joiner, rainbow) and Scotland's.
        assert!(Name::parse("\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}").is_ok());
        let scotland = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
        assert!(Name::parse(scotland).is_ok());
        assert!(Name::parse("Zoë Ünal 李").is_ok());
    }

    #[test]
    fn content_refuses_control_characters_but_tabs_and_line_breaks() {
        assert!(Content::parse("a\tb\r\nc").is_ok());
        for bad in ["nul\0byte", "bell\u{7}", "esc\u{1b}[31m"] {
            assert_eq!(
                Content::parse(bad).unwrap_err().field.as_deref(),
                Some("content"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn content_keeps_its_whitespace_but_must_say_something() {
        assert_eq!(Content::parse(" hi\n").unwrap().into_inner(), " hi\n");
        assert_eq!(
            Content::parse("\n\n").unwrap_err().field.as_deref(),
            Some("content")
        );
    }

    #[test]
    fn content_is_limited_to_4000_characters() {
        assert!(Content::parse(&"x".repeat(4000)).is_ok());
        assert!(Content::parse(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn a_limit_defaults_and_is_bounded() {
        assert_eq!(Limit::parse(None).unwrap().get(), 50);
        assert_eq!(Limit::parse(Some("200")).unwrap().get(), 200);
        for bad in ["0", "201", "-1", "ten", ""] {
            assert_eq!(
                Limit::parse(Some(bad)).unwrap_err().code,
                ErrorCode::BadRequest
            );
        }
    }
}
