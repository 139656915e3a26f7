//! Positions in a buffer: rapport counts 1-based lines and characters, the protocol 0-based lines
//! and UTF-16 code units. Also the words under the cursor the features look at.

use lsp_types::{Position, Range};

/// A buffer split into lines, `\r` kept out.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let lines = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .collect();
        Lines { lines }
    }

    /// Line `index` (0-based), empty past the end.
    pub fn get(&self, index: usize) -> &'a str {
        self.lines.get(index).copied().unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// The position of character `chars` (0-based) of line `line` (0-based).
    pub fn position(&self, line: usize, chars: usize) -> Position {
        let text = self.get(line);
        let units: usize = text.chars().take(chars).map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(units))
    }

    /// The character index (0-based) in its line of a protocol position.
    pub fn chars_at(&self, position: Position) -> usize {
        let text = self.get(position.line as usize);
        let mut units = 0usize;
        for (i, c) in text.chars().enumerate() {
            if units >= position.character as usize {
                return i;
            }
            units += c.len_utf16();
        }
        text.chars().count()
    }

    /// The byte offset in its line of a protocol position.
    pub fn byte_at(&self, position: Position) -> usize {
        let text = self.get(position.line as usize);
        let chars = self.chars_at(position);
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    }

    /// Characters `start..end` (0-based) of line `line`.
    pub fn range(&self, line: usize, start: usize, end: usize) -> Range {
        Range::new(self.position(line, start), self.position(line, end))
    }

    /// Line `line` from its first to its last non-blank character.
    pub fn trimmed(&self, line: usize) -> Range {
        let text = self.get(line);
        let start = text.chars().take_while(|c| c.is_whitespace()).count();
        let end = text.trim_end().chars().count().max(start);
        self.range(line, start, end)
    }

    /// The 0-based line index of the front matter's closing `---`, when the buffer has front
    /// matter.
    pub fn front_end(&self) -> Option<usize> {
        if self.get(0).trim_end() != "---" {
            return None;
        }
        (1..self.len()).find(|&i| matches!(self.get(i).trim_end(), "---" | "..."))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

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
