//! Conflict and emotion vocabulary for `tension-rising`: built-in English and Chinese lists plus
//! the user's words. English matches whole words, ignoring case; Chinese has no spaces between
//! words, so CJK terms match as substrings of the text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Built-in English words and phrases (inflected forms listed, no stemming).
pub const ENGLISH: &[&str] = &[
    "frustrated",
    "frustrating",
    "frustration",
    "unacceptable",
    "not acceptable",
    "angry",
    "anger",
    "furious",
    "upset",
    "annoyed",
    "disappointed",
    "disappointing",
    "disappointment",
    "blame",
    "blamed",
    "blaming",
    "fault",
    "escalate",
    "escalated",
    "escalation",
    "threaten",
    "threatened",
    "threatening",
    "ultimatum",
    "outraged",
    "outrageous",
    "ridiculous",
    "fed up",
    "complain",
    "complained",
    "complaint",
    "complaints",
    "conflict",
    "dispute",
    "disputed",
    "hostile",
    "tense",
    "tension",
    "heated",
    "shouting",
    "yelled",
    "betrayed",
    "broken promise",
    "broken promises",
    "lawyer",
    "lawyers",
    "legal action",
    "breach",
    "terminate",
    "termination",
    "walk away",
    "distrust",
    "mistrust",
    "unhappy",
    "irritated",
    "incompetent",
    "excuses",
    "stonewalling",
];

/// Built-in Chinese words and phrases.
pub const CHINESE: &[&str] = &[
    "不满",
    "失望",
    "愤怒",
    "指责",
    "抱怨",
    "争吵",
    "威胁",
    "不能接受",
    "无法接受",
    "太离谱",
    "无法忍受",
    "很生气",
    "生气",
    "恼火",
    "推卸责任",
    "推诿",
    "投诉",
    "冲突",
    "矛盾",
    "纠纷",
    "质问",
    "不信任",
    "欺骗",
    "违约",
    "终止合作",
    "升级投诉",
    "受够了",
    "敷衍",
    "拖延",
    "扯皮",
    "吵架",
    "不耐烦",
    "强烈不满",
    "严重失职",
    "律师函",
];

/// A compiled word list.
pub struct Lexicon {
    matcher: Option<AhoCorasick>,
    /// For each pattern: whether it must stand as a whole word (non-CJK terms).
    whole_word: Vec<bool>,
    terms: Vec<String>,
}

/// One occurrence of a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub term: String,
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}' | '\u{20000}'..='\u{2FA1F}')
}

impl Lexicon {
    /// The tension lexicon for `extra` words, compiled once per process and word list: rules
    /// run once per partnership, and compiling the matcher costs more than using it.
    pub fn shared_tension(extra: &[String]) -> std::sync::Arc<Lexicon> {
        type Cache = std::sync::Mutex<Vec<(Vec<String>, std::sync::Arc<Lexicon>)>>;
        static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut entries = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, lexicon)) = entries.iter().find(|(words, _)| words.as_slice() == extra) {
            return std::sync::Arc::clone(lexicon);
        }
        let lexicon = std::sync::Arc::new(Lexicon::tension(extra));
        // A process reads one configuration, two for a review; a library caller may read many,
        // so the cache keeps the latest few instead of growing with each word list.
        if entries.len() >= 8 {
            entries.remove(0);
        }
        entries.push((extra.to_vec(), std::sync::Arc::clone(&lexicon)));
        lexicon
    }

    /// The built-in lists plus `extra` words.
    pub fn tension(extra: &[String]) -> Lexicon {
        let mut terms: Vec<String> = ENGLISH
            .iter()
            .chain(CHINESE)
            .map(|t| t.to_lowercase())
            .chain(
                extra
                    .iter()
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty()),
            )
            .collect();
        terms.sort();
        terms.dedup();
        Lexicon::new(terms)
    }

    pub fn new(terms: Vec<String>) -> Lexicon {
        let whole_word = terms.iter().map(|t| !t.chars().any(is_cjk)).collect();
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&terms)
            .ok();
        Lexicon {
            matcher,
            whole_word,
            terms,
        }
    }

    /// Every occurrence of a term in `text`, leftmost-longest, without overlaps.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let lower = text.to_lowercase();
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c));
        matcher
            .find_iter(&lower)
            .filter(|m| {
                let index = m.pattern().as_usize();
                if !self.whole_word.get(index).copied().unwrap_or(true) {
                    return true;
                }
                let before = lower[..m.start()].chars().next_back();
                let after = lower[m.end()..].chars().next();
                !word_char(before) && !word_char(after)
            })
            .filter_map(|m| {
                self.terms
                    .get(m.pattern().as_usize())
                    .map(|t| Hit { term: t.clone() })
            })
            .collect()
    }
}

/// The amount of text that rates are measured against, in words: Unicode word boundaries
/// (UAX #29), where an English word is one word and each Chinese or Japanese ideograph is one,
/// since the script writes no spaces between words. Characters made a Chinese note weigh a third
/// of the same note in English, so Chinese notes stayed under the minimums; an ideograph per word
/// is close to a Chinese word (one to two characters) and consistent whatever the text.
pub fn text_size(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    text.unicode_words().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_matches_whole_words_ignoring_case() {
        let lexicon = Lexicon::tension(&[]);
        let hits = lexicon
            .hits("Frustrated again. Tenseness is fine; this is UNACCEPTABLE, we are fed up.");
        let terms: Vec<&str> = hits.iter().map(|h| h.term.as_str()).collect();
        assert_eq!(terms, vec!["frustrated", "unacceptable", "fed up"]);
        assert!(lexicon.hits("a blameless review").is_empty());
    }

    #[test]
    fn chinese_matches_without_spaces() {
        let lexicon = Lexicon::tension(&[]);
        let hits = lexicon.hits("客户对交付非常不满，认为延期太离谱，我们无法接受。");
        let terms: Vec<&str> = hits.iter().map(|h| h.term.as_str()).collect();
        assert_eq!(terms, vec!["不满", "太离谱", "无法接受"]);
        // Leftmost-longest: 强烈不满 counts once, not also as 不满.
        assert_eq!(lexicon.hits("强烈不满").len(), 1);
    }

    #[test]
    fn extra_words_count() {
        let lexicon = Lexicon::tension(&["stonewalled".into(), "推三阻四".into()]);
        assert_eq!(lexicon.hits("They stonewalled us, 推三阻四.").len(), 2);
    }

    #[test]
    fn size_counts_words_and_ideographs() {
        assert_eq!(text_size("ab c\n中文"), 4);
        assert_eq!(text_size("We are frustrated: it's unacceptable."), 5);
        assert_eq!(text_size("我们很失望，这无法接受。"), 10);
        assert_eq!(text_size(" \n\t—, 。"), 0);
    }
}
