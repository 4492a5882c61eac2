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
        Ok(Name(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
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
        Ok(Content(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A page size for listing intentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    pub const DEFAULT: Limit = Limit(50);
    pub const MAX: u32 = 200;

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
