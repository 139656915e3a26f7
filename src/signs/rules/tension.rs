//! Sign 3, tension shows: the talk in meeting notes turns from professional to emotional.

use crate::ledger::{Meeting, Timeline};
use crate::signs::vocabulary::Lexicon;
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct TensionRising;

static TENSION_RISING: RuleInfo = RuleInfo {
    id: "tension-rising",
    sign: sign::TENSION,
    title: "Conflict and emotion words are rising in meeting notes",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "Counts conflict and emotion words (built-in English and Chinese lists plus \
        `vocabulary.tension` from rapport.yaml) in the text of the current file's meetings. \
        English matches whole words ignoring case; Chinese matches inside the text, since it has \
        no spaces. A word after a negation in the same clause does not count (\"no complaints\", \
        \"nobody is frustrated\", \"handled without escalation\", 没有纠纷, 毫无怨言): the \
        negations are no, not, never, without, nobody, no one, no longer, neither, nor and the \
        n't forms; 没有, 没, 不, 无, 未, 并非, 毫无, 并未, 从未, 从不, 不再, plus \
        `vocabulary.negation` from rapport.yaml. A clause ends at punctuation, a line break or \
        \"but\", \"however\", \"although\", \"though\", 但, 但是, 可是, 却, 然而, 不过; phrases \
        that do not deny what follows (\"not only\", \"no doubt\", 不断, 不仅, 无法, 未能) are \
        not negations. The rate is hits per 1,000 words of notes, words as Unicode splits them \
        (UAX #29): an English word is one word, each Chinese character is one, so the same \
        notes in either language weigh about alike. Meetings dated within {recent_days} before \
        now are recent, older ones earlier. The recent rate is that of the densest recent \
        meeting; the earlier rate, that of all earlier notes together. Fires when recent \
        meetings hold at least {min_recent_hits} hits, earlier meetings hold at least \
        {min_earlier_words} words, and the recent rate is at least {min_factor} times the \
        earlier rate (an earlier rate of zero counts as exceeded). Measured by meeting, a long \
        new note never dilutes an angry one: adding a meeting, or conflict words to a meeting, \
        never makes the tension look lower.",
    why: "Sign 3: tension shows. When the team's talk about a partner turns from professional to \
        emotional, trust is already eroding, usually before any number shows it.",
    example: "## 2024-01-10 Review\nGood progress on the integration.\n…\n## 2024-06-12 Review\nWe are frustrated: another missed date is unacceptable and we will escalate.\n→ conflict words rose to 230.8 per 1,000 words in the notes of 2024-06-12 (3 in 1 meeting of the last 90 days), from 0.0 before",
    fix: "Bring the issues behind the words to a governance meeting with both sides' leadership: \
        name them, agree owners and dates, and keep the notes factual so progress can be followed.",
};

impl Rule for TensionRising {
    fn info(&self) -> &'static RuleInfo {
        &TENSION_RISING
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.tension_rising;
        let Some(current) = timeline.current() else {
            return Vec::new();
        };
        let lexicon = Lexicon::shared_tension(&cx.vocabulary.tension, &cx.vocabulary.negation);
        let cut = cx.now.sub_days(set.recent_days);
        let (mut recent_hits, mut recent_words, mut earlier_hits, mut earlier_words) =
            (0usize, 0usize, 0usize, 0usize);
        let mut evidence = Vec::new();
        let mut first_line = None;
        let mut meetings: Vec<&Meeting> = current.body.meetings.iter().collect();
        meetings.sort_by_key(|m| (m.date, m.line));
        let mut recent_meetings = 0;
        // The densest recent meeting: (hits per 1,000 words, its date).
        let mut peak: Option<(f64, crate::ledger::Date)> = None;
        let rate = |hits: usize, words: usize| hits as f64 * 1000.0 / words.max(1) as f64;
        for meeting in meetings.into_iter().filter(|m| m.date <= cx.now) {
            let reading = lexicon.read_meeting(meeting);
            let (hits, words) = (&reading.hits, reading.words);
            if meeting.date > cut {
                recent_hits += hits.len();
                recent_words += words;
                let density = rate(hits.len(), words);
                if !hits.is_empty() && peak.is_none_or(|(p, _)| density > p) {
                    peak = Some((density, meeting.date));
                }
                if !hits.is_empty() {
                    recent_meetings += 1;
                    first_line.get_or_insert(meeting.line);
                    let mut words: Vec<String> =
                        hits.iter().map(|h| format!("\"{}\"", h.term)).collect();
                    words.dedup();
                    evidence.push(
                        Evidence::dated(meeting.date, "", Some(hits.len() as f64)).stating(
                            "{title}: {words}",
                            vec![
                                Fact::new("title", FactValue::Text(meeting.title.clone())),
                                Fact::new("words", FactValue::Text(words.join(", "))),
                            ],
                            None,
                        ),
                    );
                }
            } else {
                earlier_hits += hits.len();
                earlier_words += words;
            }
        }
        if recent_hits < set.min_recent_hits
            || earlier_words < set.min_earlier_words
            || recent_words == 0
        {
            return Vec::new();
        }
        let Some((recent_rate, peak_date)) = peak else {
            return Vec::new();
        };
        let earlier_rate = rate(earlier_hits, earlier_words);
        if recent_rate < set.min_factor * earlier_rate {
            return Vec::new();
        }
        let template = format!(
            "conflict words rose to {{recent_rate}} per 1,000 words in the notes of {{peak_date}} \
             ({{recent_hits}} in {{recent_meetings}} meeting{} of the last {{recent_days}} days), \
             from {{earlier_rate}} before ({{earlier_hits}} in {{earlier_words}} words)",
            if recent_meetings == 1 { "" } else { "s" },
        );
        let count = |name: &str, n: usize| Fact::new(name, FactValue::Number(n as f64));
        let facts = vec![
            Fact::new("recent_rate", FactValue::Rate(recent_rate)),
            Fact::new("peak_date", FactValue::Date(peak_date)),
            Fact::new("recent_days", FactValue::Number(set.recent_days as f64)),
            count("recent_hits", recent_hits),
            count("recent_meetings", recent_meetings),
            Fact::new("earlier_rate", FactValue::Rate(earlier_rate)),
            count("earlier_hits", earlier_hits),
            count("earlier_words", earlier_words),
        ];
        vec![
            finding(&TENSION_RISING, current, "meetings", "")
                .stating(&template, facts)
                .at_line(first_line.unwrap_or(1))
                .evidence(evidence)
                // Hits per 1,000 words of the densest recent meeting, as the message says: a
                // meeting added, or conflict words added to one, never lowers it.
                .measure(Measure::new(
                    "meetings.tension_rate",
                    recent_rate,
                    Worse::Higher,
                )),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Finding;
    use crate::signs::Movement;
    use crate::signs::testing::{History, evidence, front, run};

    /// The measure of the only finding of `rule` on `timeline` at `now`.
    fn measure(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Measure {
        let findings = run(rule, timeline, now);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].measure.clone().expect("a measure")
    }

    const CALM: &str = "## 2024-01-10 Monthly review\nAttendees: Dana Whitfield\n\nThe integration is on track. We reviewed the pipeline, agreed the next steps for the EU launch, and the partner presented the roadmap for the second half.\n\n## 2024-02-12 Monthly review\nThe first customer went live. Both teams reviewed the support process and agreed to meet again next month with updated figures for the pipeline.\n\n";

    #[test]
    fn emotional_recent_notes_fire() {
        let text = front("")
            + CALM
            + "## 2024-06-12 Escalation\nWe are frustrated: another missed date is unacceptable. We will escalate to their VP.\n";
        let timeline = History::new().version("2024-06-13", &text).build();
        let findings = run(&TensionRising, &timeline, "2024-06-20");
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            f.message,
            "conflict words rose to 266.7 per 1,000 words in the notes of 2024-06-12 (4 in 1 meeting of the last 90 days), from 0.0 before (0 in 58 words)"
        );
        assert_eq!(
            evidence(f),
            vec![
                "2024-06-12 Escalation: \"escalation\", \"frustrated\", \"unacceptable\", \"escalate\""
            ]
        );
        assert_eq!(f.location.line, 17);
        let m = f.measure.as_ref().expect("a measure");
        assert_eq!(
            (m.name.as_str(), m.worse, m.target),
            ("meetings.tension_rate", Worse::Higher, None)
        );
        // 4 hits in 15 words of notes.
        assert!((m.value - 4000.0 / 15.0).abs() < 1e-9, "{}", m.value);
    }

    #[test]
    fn angrier_notes_measure_worse() {
        const ESCALATION: &str = "## 2024-06-12 Escalation\nWe are frustrated: another missed date is unacceptable. We will escalate to their VP.\n\n";
        let rate = |before: &str, after: &str| {
            let text = front("") + before + ESCALATION + after;
            let timeline = History::new().version("2024-06-13", &text).build();
            measure(&TensionRising, &timeline, "2024-06-20")
        };
        let milder = rate(CALM, "");
        let angrier = rate(
            CALM,
            "## 2024-06-14 Call\nUnacceptable, frustrated, we escalate.\n",
        );
        assert_eq!(angrier.since(&milder), Movement::Worse);
        // More calm notes before change the earlier rate only.
        let longer_calm = CALM.to_string()
            + "## 2024-03-12 Monthly review\nThe partner trained our sales team and the pipeline grew again.\n\n";
        assert_eq!(rate(&longer_calm, "").since(&milder), Movement::Same);
    }

    #[test]
    fn chinese_notes_count_words_not_spaces() {
        let text = front("")
            + "## 2024-01-10 月度例会\n双方回顾了项目进展，集成工作按计划推进，合作伙伴介绍了下半年的产品路线图，我们确认了欧洲市场的上线步骤。\n\n## 2024-02-12 月度例会\n第一个客户成功上线，双方团队回顾了支持流程，并同意下个月带着更新的数据再次开会讨论销售渠道。\n\n## 2024-03-12 月度例会\n合作伙伴介绍了新的培训计划，我们讨论了联合营销活动的预算和时间安排，会议气氛良好，各项工作进展顺利。\n\n"
            + "## 2024-06-12 紧急会议\n客户对交付非常不满，认为延期太离谱，我们无法接受。\n";
        let timeline = History::new().version("2024-06-13", &text).build();
        let findings = run(&TensionRising, &timeline, "2024-06-20");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            evidence(&findings[0]),
            vec!["2024-06-12 紧急会议: \"不满\", \"太离谱\", \"无法接受\""]
        );
    }

    /// One story as an English team and a Chinese team would write it: three calm monthly
    /// reviews, then (or, for `steady`, also before) three tense ones over the summer.
    struct Story {
        title: &'static str,
        attendees: &'static str,
        calm: [&'static str; 3],
        tense: [&'static str; 3],
    }

    const ENGLISH_STORY: Story = Story {
        title: "Monthly review",
        attendees: "Attendees: Dana Whitfield, Tom Ng, Priya Raman",
        calm: [
            "Integration on track.",
            "First customer live.",
            "Training plan agreed.",
        ],
        tense: [
            "Delivery slipped again; the customer filed a complaint and we are disappointed.",
            "The customer is frustrated with the delays, which we find unacceptable.",
            "Third missed date. We will escalate to their VP.",
        ],
    };

    const CHINESE_STORY: Story = Story {
        title: "月度例会",
        attendees: "参会人员：王伟、李娜、陈静",
        calm: ["集成按计划推进。", "首个客户上线。", "培训计划已确定。"],
        tense: [
            "交付再次延期，客户提出投诉，我们很失望。",
            "客户对延期不满，我们无法接受。",
            "第三次错过日期，我们将升级投诉至对方副总裁。",
        ],
    };

    impl Story {
        fn text(&self, steady: bool) -> String {
            let earlier = if steady { &self.tense } else { &self.calm };
            let dates = ["2024-01-15", "2024-02-12", "2024-03-11"];
            let later = ["2024-07-15", "2024-08-12", "2024-09-09"];
            let mut text = front(
                "contacts:\n  - { name: Dana Whitfield, side: partner, level: executive }\n  - { name: Tom Ng, side: partner, level: manager }\n",
            );
            for (day, note) in dates
                .iter()
                .zip(earlier)
                .chain(later.iter().zip(&self.tense))
            {
                text.push_str(&format!(
                    "## {day} {}\n{}\n\n{note}\n\n",
                    self.title, self.attendees
                ));
            }
            text
        }

        fn verdict(&self, steady: bool) -> Vec<Finding> {
            let timeline = History::new()
                .version("2024-09-10", &self.text(steady))
                .build();
            run(&TensionRising, &timeline, "2024-09-20")
        }
    }

    #[test]
    fn the_same_story_in_english_and_in_chinese_gets_the_same_verdict() {
        // Terse calm notes: the Chinese team's hold fewer than 100 characters, the English
        // team's more, so measured in characters only the English story was reported.
        let calm_characters = |story: &Story| {
            story
                .calm
                .iter()
                .map(|n| format!("{}{}{n}", story.title, story.attendees))
                .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
                .sum::<usize>()
        };
        assert!(calm_characters(&CHINESE_STORY) < 100);
        assert!(calm_characters(&ENGLISH_STORY) > 100);
        for story in [&ENGLISH_STORY, &CHINESE_STORY] {
            let rising = story.verdict(false);
            assert_eq!(rising.len(), 1, "{}: {rising:#?}", story.title);
            assert_eq!(rising[0].evidence.len(), 3, "{}", story.title);
            let hits: f64 = rising[0].evidence.iter().filter_map(|e| e.value).sum();
            assert_eq!(hits, 5.0, "{}", story.title);
            // The near miss: the same words all year long are a steady tone, not a rise.
            let steady = story.verdict(true);
            assert!(steady.is_empty(), "{}: {steady:#?}", story.title);
        }
        // Both languages land within a factor of two of each other in words.
        let words = |story: &Story| {
            story
                .calm
                .iter()
                .chain(&story.tense)
                .map(|n| crate::signs::vocabulary::text_size(n))
                .sum::<usize>() as f64
        };
        let ratio = words(&CHINESE_STORY) / words(&ENGLISH_STORY);
        assert!((0.5..2.0).contains(&ratio), "{ratio}");
    }

    #[test]
    fn steady_tone_stays_silent() {
        // The same words before and after: the rate did not double.
        let text = front("")
            + "## 2024-01-10 Review\nThe team is frustrated with the delays; it is unacceptable and we may escalate if it goes on. The roadmap review went fine otherwise and the pipeline grew.\n\n"
            + "## 2024-06-12 Review\nStill frustrated by delays; unacceptable quality, we will escalate. The pipeline review went fine otherwise and the roadmap is agreed.\n";
        let timeline = History::new().version("2024-06-13", &text).build();
        assert!(run(&TensionRising, &timeline, "2024-06-20").is_empty());
    }
}
