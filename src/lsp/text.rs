//! The words under the cursor the features look at; positions are [`Lines`]'.

pub use crate::report::lsp::Lines;

/// Whether a character belongs to a key, an id or a level: what a word under the cursor is.
pub fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The word around character `at` of `line`, with its character span.
pub fn word_at(line: &str, at: usize) -> Option<(String, usize, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let mut start = at.min(chars.len());
    while start > 0 && word_char(chars[start - 1]) {
        start -= 1;
    }
    let mut end = at.min(chars.len());
    while end < chars.len() && word_char(chars[end]) {
        end += 1;
    }
    (start < end).then(|| (chars[start..end].iter().collect(), start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Position;

    #[test]
    fn positions_count_utf16_units_and_ignore_carriage_returns() {
        let lines = Lines::new("---\r\nname: 王芳 𝄞 x\r\n---\r\n");
        assert_eq!(lines.get(1), "name: 王芳 𝄞 x");
        // The clef is two UTF-16 units: the `x` after it is unit 12, character 11.
        assert_eq!(lines.position(1, 11), Position::new(1, 12));
        assert_eq!(lines.chars_at(Position::new(1, 12)), 11);
        assert_eq!(lines.front_end(), Some(2));
    }

    #[test]
    fn the_word_under_the_cursor_stops_at_punctuation() {
        assert_eq!(
            word_at("  - { level: executiv, primary: true }", 16),
            Some(("executiv".to_string(), 13, 21))
        );
        assert_eq!(word_at("a: b", 2), None);
    }
}
