//! Text that can be stored. PostgreSQL's text type cannot hold NUL (it refuses the whole statement), and the
//! other control characters only break pages, feeds and XML; so every text an editor, an API client or a
//! form sends is checked here before anything is saved, on either backend.

/// A text that holds a control character other than tab, line feed and carriage return.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{field} contains a control character ({found}), which cannot be stored; remove it and send it again")]
pub struct ControlCharacter {
    /// What the text is, as the person who sent it knows it ("the headline", "the field \"name\"").
    pub field: String,
    /// The character, as `U+0000`.
    pub found: String,
}

/// Whether `c` may be stored: everything but control characters, except the whitespace ones text uses.
fn storable(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Refuses `text` if it holds a control character; `field` names it in the message.
pub fn check_text(field: &str, text: &str) -> Result<(), ControlCharacter> {
    match text.chars().find(|&c| !storable(c)) {
        None => Ok(()),
        Some(c) => Err(ControlCharacter { field: field.to_owned(), found: format!("U+{:04X}", u32::from(c)) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_control_characters_are_refused() {
        assert!(check_text("x", "Line one\r\n\tLine two, 中文, émigré").is_ok());
        for bad in ["a\u{0}b", "\u{7}", "a\u{1b}[31m", "\u{7f}", "\u{85}"] {
            assert!(check_text("the headline", bad).is_err(), "{bad:?}");
        }
        let error = check_text("the headline", "a\u{0}b").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("the headline contains a control character (U+0000)"), "{error}");
    }
}
