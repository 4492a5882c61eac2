//! Cursors: `<epoch>:<position>`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a client is in a space's sequence of changes, in a given database.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub epoch: String,
    pub position: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a cursor: expected <epoch>:<position>")]
pub struct CursorError;

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(text: &str) -> Result<Self, CursorError> {
        let (epoch, position) = text.trim().split_once(':').ok_or(CursorError)?;
        let epoch_ok =
            !epoch.is_empty() && epoch.len() <= 32 && epoch.bytes().all(|b| b.is_ascii_hexdigit());
        if !epoch_ok {
            return Err(CursorError);
        }
        let position = position.parse().map_err(|_| CursorError)?;
        Ok(Cursor {
            epoch: epoch.to_owned(),
            position,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.epoch, self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let cursor: Cursor = "9f2c4e1a7b3d5c60:42".parse().unwrap();
        assert_eq!(cursor.position, 42);
        assert_eq!(cursor.to_string(), "9f2c4e1a7b3d5c60:42");
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        for text in [
            "", ":", "abc", "x:1", "9f:", "9f:-1", "9f:1.5", "zz:1", ":7",
        ] {
            assert_eq!(text.parse::<Cursor>(), Err(CursorError), "{text:?}");
        }
    }
}
