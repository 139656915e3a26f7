//! Conflict and emotion vocabulary for `tension-rising`: built-in English and Chinese lists plus
//! the user's words. English matches whole words, ignoring case; Chinese has no spaces between
//! words, so CJK terms match as substrings of the text. A conflict word after a negation in the
//! same clause ("no complaints", "没有纠纷") is not a hit.

use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::ledger::Meeting;

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

/// Built-in English negations: a conflict word after one of these in the same clause does not
/// count ("no complaints", "nobody is frustrated", "handled without escalation").
pub const ENGLISH_NEGATIONS: &[&str] = &[
    "no",
    "not",
    "never",
    "without",
    "nobody",
    "no one",
    "no longer",
    "neither",
    "nor",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "won't",
    "haven't",
    "hasn't",
    "hadn't",
];

/// Built-in Chinese negations.
pub const CHINESE_NEGATIONS: &[&str] = &[
    "没有", "没", "不", "无", "未", "并非", "毫无", "并未", "从未", "从不", "不再",
];

/// Phrases that start like a negation but do not deny what follows ("not only frustrated",
/// 不断抱怨 "keeps complaining", 无法解决纠纷 "cannot settle the dispute"): the longest match
/// wins, so these shield the conflict words after them.
pub const NOT_NEGATIONS: &[&str] = &[
    "not only",
    "not just",
    "no doubt",
    "no matter",
    "不断",
    "不停",
    "不少",
    "不仅",
    "不但",
    "不久",
    "不时",
    "不禁",
    "不免",
    "不得不",
    "不得",
    "不能",
    "无法",
    "无论",
    "无数",
    "未能",
    "未来",
    "毫不掩饰",
];

/// Words that end a clause, besides punctuation and line breaks: a negation before them does
/// not reach the conflict words after them ("no delay, but the partner is furious").
pub const CLAUSE_BREAKS: &[&str] = &[
    "but", "however", "although", "though", "但", "但是", "可是", "却", "然而", "不过",
];

fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\n'
            | '('
            | ')'
            | '—'
            | '。'
            | '，'
            | '；'
            | '：'
            | '！'
            | '？'
            | '（'
            | '）'
    )
}

/// What a pattern of the compiled list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Conflict,
    Negation,
    NotNegation,
    ClauseBreak,
}

/// A compiled word list.
pub struct Lexicon {
    matcher: Option<AhoCorasick>,
    /// For each pattern: whether it must stand as a whole word (non-CJK terms).
    whole_word: Vec<bool>,
    kinds: Vec<Kind>,
    terms: Vec<String>,
    /// Meetings already read ([`Lexicon::read_meeting`]), by their notes (the shared text, by
    /// address, held so the address stays theirs) and title.
    readings: std::sync::Mutex<Readings>,
}

/// Meetings read, by the address of their notes and their title: the notes held, and what was
/// read.
type Readings = HashMap<(usize, String), (Arc<str>, Arc<Reading>)>;

/// What a lexicon reads in one meeting's title and notes.
#[derive(Debug, PartialEq, Eq)]
pub struct Reading {
    /// [`Lexicon::hits`].
    pub hits: Vec<Hit>,
    /// [`text_size`].
    pub words: usize,
}

/// The most meetings a lexicon remembers having read: far more than one partnership's, so a
/// timeline or the dating of a finding reads each meeting once; a whole ledger's are not kept.
const READINGS: usize = 16_384;

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
    pub fn shared_tension(extra: &[String], negations: &[String]) -> std::sync::Arc<Lexicon> {
        type Key = (Vec<String>, Vec<String>);
        type Cache = std::sync::Mutex<Vec<(Key, std::sync::Arc<Lexicon>)>>;
        static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut entries = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, lexicon)) = entries
            .iter()
            .find(|((words, negs), _)| words.as_slice() == extra && negs.as_slice() == negations)
        {
            return std::sync::Arc::clone(lexicon);
        }
        let lexicon = std::sync::Arc::new(Lexicon::tension_with(extra, negations));
        // A process reads one configuration, two for a review; a library caller may read many,
        // so the cache keeps the latest few instead of growing with each word list.
        if entries.len() >= 8 {
            entries.remove(0);
        }
        entries.push((
            (extra.to_vec(), negations.to_vec()),
            std::sync::Arc::clone(&lexicon),
        ));
        lexicon
    }

    /// The built-in lists plus `extra` words.
    pub fn tension(extra: &[String]) -> Lexicon {
        Lexicon::tension_with(extra, &[])
    }

    /// The built-in lists plus `extra` conflict words and `negations`.
    pub fn tension_with(extra: &[String], negations: &[String]) -> Lexicon {
        let user = |words: &[String]| -> Vec<String> {
            words
                .iter()
                .map(|t| normalise(t.trim()))
                .filter(|t| !t.is_empty())
                .collect()
        };
        let builtin =
            |words: &[&str]| -> Vec<String> { words.iter().map(|t| normalise(t)).collect() };
        let conflict: Vec<String> = builtin(ENGLISH)
            .into_iter()
            .chain(builtin(CHINESE))
            .chain(user(extra))
            .collect();
        let negation: Vec<String> = builtin(ENGLISH_NEGATIONS)
            .into_iter()
            .chain(builtin(CHINESE_NEGATIONS))
            .chain(user(negations))
            .collect();
        // A word in two lists keeps its first kind: the user's conflict words win.
        let mut patterns: Vec<(String, Kind)> = Vec::new();
        for (words, kind) in [
            (conflict, Kind::Conflict),
            (negation, Kind::Negation),
            (builtin(NOT_NEGATIONS), Kind::NotNegation),
            (builtin(CLAUSE_BREAKS), Kind::ClauseBreak),
        ] {
            for word in words {
                if !patterns.iter().any(|(w, _)| *w == word) {
                    patterns.push((word, kind));
                }
            }
        }
        patterns.sort_by(|a, b| a.0.cmp(&b.0));
        Lexicon::compile(patterns)
    }

    pub fn new(terms: Vec<String>) -> Lexicon {
        Lexicon::compile(terms.into_iter().map(|t| (t, Kind::Conflict)).collect())
    }

    fn compile(patterns: Vec<(String, Kind)>) -> Lexicon {
        let (terms, kinds): (Vec<String>, Vec<Kind>) = patterns.into_iter().unzip();
        let whole_word = terms.iter().map(|t| !t.chars().any(is_cjk)).collect();
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&terms)
            .ok();
        Lexicon {
            matcher,
            whole_word,
            kinds,
            terms,
            readings: Default::default(),
        }
    }

    /// The hits and the length in words of a meeting's title and notes (`title`, a line break,
    /// the notes), read once however many versions share the meeting: analysing a history
    /// version by version (a timeline, the dating of a finding) would otherwise read every
    /// meeting again at each version.
    pub fn read_meeting(&self, meeting: &Meeting) -> Arc<Reading> {
        let key = (
            Arc::as_ptr(&meeting.text).cast::<u8>() as usize,
            meeting.title.clone(),
        );
        let lock = || {
            self.readings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((_, reading)) = lock().get(&key) {
            return Arc::clone(reading);
        }
        let text = format!("{}\n{}", meeting.title, meeting.text);
        let reading = Arc::new(Reading {
            hits: self.hits(&text),
            words: text_size(&text),
        });
        let mut readings = lock();
        if readings.len() >= READINGS {
            readings.clear();
        }
        readings.insert(key, (Arc::clone(&meeting.text), Arc::clone(&reading)));
        reading
    }

    /// Every occurrence of a conflict term in `text`, leftmost-longest, without overlaps, except
    /// those after a negation in the same clause.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let lower = normalise(text);
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c));
        // The end of the last negation of the clause being read, if any.
        let mut negation_end: Option<usize> = None;
        let mut hits = Vec::new();
        for m in matcher.find_iter(&lower) {
            let index = m.pattern().as_usize();
            if self.whole_word.get(index).copied().unwrap_or(true) {
                let before = lower[..m.start()].chars().next_back();
                let after = lower[m.end()..].chars().next();
                if word_char(before) || word_char(after) {
                    continue;
                }
            }
            if negation_end.is_some_and(|end| lower[end..m.start()].chars().any(ends_clause)) {
                negation_end = None;
            }
            match self.kinds.get(index) {
                Some(Kind::Conflict) if negation_end.is_none() => {
                    if let Some(term) = self.terms.get(index) {
                        hits.push(Hit { term: term.clone() });
                    }
                }
                Some(Kind::Negation) => negation_end = Some(m.end()),
                Some(Kind::ClauseBreak) => negation_end = None,
                _ => {}
            }
        }
        hits
    }
}

/// Lower case, with typographic apostrophes made straight so "didn’t" reads as "didn't".
fn normalise(text: &str) -> String {
    text.to_lowercase().replace('\u{2019}', "'")
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

    fn terms(lexicon: &Lexicon, text: &str) -> Vec<String> {
        lexicon.hits(text).into_iter().map(|h| h.term).collect()
    }

    #[test]
    fn a_negated_conflict_word_does_not_count() {
        let lexicon = Lexicon::tension(&[]);
        assert!(
            terms(
                &lexicon,
                "No complaints, nobody is frustrated, no dispute. We never escalated; handled \
                 without escalation. They are no longer upset and didn’t blame us."
            )
            .is_empty()
        );
        assert!(
            terms(
                &lexicon,
                "客户没有不满，双方毫无争吵，并非冲突，未投诉，无纠纷。"
            )
            .is_empty()
        );
    }

    #[test]
    fn a_negation_reaches_only_its_own_clause() {
        let lexicon = Lexicon::tension(&[]);
        assert_eq!(
            terms(
                &lexicon,
                "No delay this week, but the partner is furious. Not late. Frustrated."
            ),
            ["furious", "frustrated"]
        );
        assert_eq!(
            terms(
                &lexicon,
                "This is not acceptable; not only frustrated but angry."
            ),
            ["not acceptable", "frustrated", "angry"]
        );
        assert_eq!(
            terms(
                &lexicon,
                "交付没有延期，但是客户很生气。客户不断抱怨，我们无法解决纠纷。"
            ),
            ["很生气", "抱怨", "纠纷"]
        );
    }

    #[test]
    fn negations_can_be_added() {
        let lexicon = Lexicon::tension_with(&[], &["hardly".into(), "绝无".into()]);
        assert!(terms(&lexicon, "Hardly a complaint. 绝无冲突。").is_empty());
        assert_eq!(
            terms(&Lexicon::tension(&[]), "Hardly a complaint."),
            ["complaint"]
        );
    }

    #[test]
    fn size_counts_words_and_ideographs() {
        assert_eq!(text_size("ab c\n中文"), 4);
        assert_eq!(text_size("We are frustrated: it's unacceptable."), 5);
        assert_eq!(text_size("我们很失望，这无法接受。"), 10);
        assert_eq!(text_size(" \n\t—, 。"), 0);
    }

    #[test]
    fn a_meeting_is_read_once_for_every_version_that_shares_it() {
        let lexicon = Lexicon::tension(&[]);
        let (body, _) = crate::ledger::body::parse_body(
            "## 2024-06-12 Review\nWe are frustrated: the delay is unacceptable.\n\n\
             ## 2024-06-19 复盘\n客户对交付非常不满。\n",
            1,
        );
        let [review, retro] = body.meetings.as_slice() else {
            panic!("two meetings: {body:?}");
        };
        let first = lexicon.read_meeting(review);
        // The same meeting in a later version (the handle cloned, or moved down the file).
        assert!(Arc::ptr_eq(&first, &lexicon.read_meeting(&review.clone())));
        assert!(Arc::ptr_eq(&first, &lexicon.read_meeting(&review.moved(3))));
        // What is read is what reading the text gives.
        let text = format!("{}\n{}", review.title, review.text);
        assert_eq!(first.hits, lexicon.hits(&text));
        assert_eq!(first.words, text_size(&text));
        assert_eq!(first.hits.len(), 2);
        assert_eq!(lexicon.read_meeting(retro).hits.len(), 1);
    }
}
