//! Sign 11, communication breaks down: the partner hands you down to a lower level, senior people
//! stop coming, meetings thin out.

use super::{descents, history, set_in};
use crate::ledger::model::{Contact, Side};
use crate::ledger::{Date, Ladder, Meeting, Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    median, sign, span,
};

pub struct ContactDowngrade;
pub struct MeetingCadenceDrop;

static CONTACT_DOWNGRADE: RuleInfo = RuleInfo {
    id: "contact-downgrade",
    sign: sign::COMMUNICATION,
    title: "The partner handed you down to a lower level",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "The partner's lead contact (the `primary` partner contact, else the most senior \
        partner contact on the ladder) drops in rank from one version to the next one \
        descending from it (never from one merged branch to another), and the \
        current lead is still below the earlier rank: one level is a warning, {error_levels} or \
        more an error (executive to manager is two levels). The latest drop is the one reported, \
        counted from the most senior lead before it in the same line of descent whose drop began \
        within {window_days} days of it: executive to director to manager in five months is two \
        levels down in five months, not one. A rise in between starts the count again. \
        Separately, a partner contact at {senior_level} or above, still in \
        `contacts`, judged against their own rhythm: among meetings with an `Attendees:` line, \
        their usual interval is the median gap between the meetings they attended (at least \
        {min_attended} of them); fires when the days from the last one they attended to now \
        exceed {absence_factor} times that interval and at least {min_missed} meetings were \
        held without them since. An executive who comes to each quarterly review while weekly working \
        meetings go on without them keeps their rhythm and stays silent.",
    why: "Sign 11: communication breaks down, your contact is handed down to a lower-level \
        manager. When the partner's senior people stop dealing with you, your account has \
        lost priority, and decisions get made further from you.",
    example: "2024-01-15  contacts: [{ name: Dana Whitfield, side: partner, level: executive, primary: true }]\n2024-06-01  contacts: [{ name: Tom Ng, side: partner, level: manager, primary: true }]\n→ error: Dana Whitfield (executive) was replaced as primary contact by Tom Ng (manager): down two levels",
    fix: "Ask the partner's leadership for a sponsor at the level your investment warrants, and set \
        a standing executive review where both sides' leaders attend.",
};

/// The partner's lead contact in one version.
#[derive(Clone, Copy, Debug)]
struct Lead<'a> {
    /// Index in `contacts`.
    index: usize,
    contact: &'a Contact,
    name: &'a str,
    level: &'a str,
    /// 0 is the most senior.
    rank: usize,
    primary: bool,
}

fn lead<'a>(s: &'a Snapshot, ladder: &Ladder) -> Option<Lead<'a>> {
    let ranked = |(index, c): (usize, &'a Contact)| {
        let level = c.level.as_deref()?;
        Some(Lead {
            index,
            contact: c,
            name: c.name.as_str(),
            level,
            rank: ladder.rank(level)?,
            primary: c.primary,
        })
    };
    let partner = || {
        s.front
            .contacts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.side == Side::Partner)
    };
    match partner().find(|(_, c)| c.primary) {
        Some(primary) => ranked(primary),
        None => partner()
            .filter_map(ranked)
            .min_by_key(|l| (l.rank, l.index)),
    }
}

fn levels(n: usize) -> String {
    let word = match n {
        1 => "one",
        2 => "two",
        3 => "three",
        4 => "four",
        _ => return format!("{n} levels"),
    };
    format!("{word} level{}", if n == 1 { "" } else { "s" })
}

fn attended(meeting: &Meeting, name: &str) -> bool {
    meeting
        .attendees
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(name.trim()))
}

impl Rule for ContactDowngrade {
    fn info(&self) -> &'static RuleInfo {
        &CONTACT_DOWNGRADE
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.contact_downgrade;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();

        // Each lead against the lead of the version it descends from, so a branch is never
        // compared with another branch merged beside it.
        let leads = descents(timeline, cx.now, |s| lead(s, cx.ladder));
        let drop = leads.iter().rev().find_map(|(before, after)| {
            let before = before.as_ref()?;
            (after.1.rank > before.1.rank).then_some((before, after))
        });
        let last = versions[versions.len() - 1].0;
        let now_lead = leads
            .iter()
            .rev()
            .find(|(_, (v, _))| std::ptr::eq(*v, last));
        // Compare the lead before the latest drop with the lead now, so a later partial
        // recovery is graded by where things stand.
        if let (Some((&(last_v, ref last_lead), &(new_v, ref new))), Some(&(_, (now_v, ref now)))) =
            (drop, now_lead)
            && now.rank > last_lead.rank
        {
            // A drop in steps counts from the most senior lead whose drop began within the
            // window before the latest drop, along the same line of descent.
            let before_of = |v: &crate::ledger::Version| {
                leads
                    .iter()
                    .find(|(_, (after, _))| std::ptr::eq(*after, v))
                    .and_then(|(before, _)| before.as_ref())
            };
            let (mut old_v, mut old) = (last_v, last_lead);
            let mut step_v = new_v;
            let mut cursor = (last_v, last_lead);
            while let Some((earlier_v, earlier)) = before_of(cursor.0) {
                if earlier.rank > old.rank {
                    break;
                }
                if earlier.rank < old.rank {
                    // The drop from `earlier` happened at `cursor`.
                    if cursor.0.date().days_until(new_v.date()) > set.window_days {
                        break;
                    }
                    (old_v, old) = (*earlier_v, earlier);
                    step_v = cursor.0;
                }
                cursor = (*earlier_v, earlier);
            }
            let in_steps = !std::ptr::eq(old_v, last_v);
            let n = now.rank - old.rank;
            let role = |lead: &Lead| {
                if lead.primary {
                    "primary contact"
                } else {
                    "most senior partner contact"
                }
            };
            let mut template = if old.contact.same_person(now.contact) {
                format!(
                    "{{now_name}} went from {{old_level}} to {{now_level}} as {}: down {{down}}",
                    role(now)
                )
            } else {
                format!(
                    "{{old_name}} ({{old_level}}) was replaced as {} by {{now_name}} \
                     ({{now_level}}): down {{down}}",
                    role(now)
                )
            };
            if in_steps {
                template.push_str(" {over}");
            }
            let name = |key: &str, l: &Lead| {
                Fact::new(key, FactValue::Text(l.name.to_string())).of("contacts.name")
            };
            let level = |key: &str, l: &Lead| {
                Fact::new(key, FactValue::Text(l.level.to_string())).of("contacts.level")
            };
            let mut facts = vec![
                name("old_name", old),
                level("old_level", old),
                name("now_name", now),
                level("now_level", now),
                Fact::new("down", FactValue::Text(levels(n))),
            ];
            if in_steps {
                facts.push(Fact::new(
                    "over",
                    FactValue::Text(span(step_v.date(), new_v.date())),
                ));
            }
            // Each line cites the commit that made that contact the lead at that level.
            let observed = |v, l: &Lead| {
                let set = set_in(timeline, v, |s| {
                    lead(s, cx.ladder).map(|l| (l.name.to_string(), l.level.to_string(), l.primary))
                });
                Evidence::of(set, "", Some(l.rank as f64)).stating(
                    &format!("{}: {{name}} ({{level}})", role(l)),
                    vec![name("name", l), level("level", l)],
                    None,
                )
            };
            let mut evidence = vec![observed(old_v, old)];
            if in_steps {
                // Each step down between the most senior lead and the latest drop.
                let mut steps = Vec::new();
                let mut cursor = last_v;
                while !std::ptr::eq(cursor, old_v) {
                    let Some(&(v, ref l)) = leads
                        .iter()
                        .find(|(_, (after, _))| std::ptr::eq(*after, cursor))
                        .map(|(_, after)| after)
                    else {
                        break;
                    };
                    let Some(&(earlier_v, ref earlier)) = before_of(cursor) else {
                        break;
                    };
                    if l.rank != earlier.rank || !l.contact.same_person(earlier.contact) {
                        steps.push(observed(v, l));
                    }
                    cursor = earlier_v;
                }
                evidence.extend(steps.into_iter().rev());
            }
            evidence.push(observed(new_v, new));
            if !std::ptr::eq(now_v, new_v)
                && (!now.contact.same_person(new.contact) || now.rank != new.rank)
            {
                evidence.push(observed(now_v, now));
            }
            findings.push(
                finding(&CONTACT_DOWNGRADE, current, "contact:partner-lead", "")
                    .stating(&template, facts)
                    .severity(if n >= set.error_levels.max(1) {
                        Severity::Error
                    } else {
                        Severity::Warning
                    })
                    .at_path(format!("contacts[{}].level", now.index))
                    .evidence(evidence)
                    .measure(Measure::new(
                        "contacts.partner-lead.levels_down",
                        n as f64,
                        Worse::Higher,
                    )),
            );
        }

        let Some(senior) = cx.ladder.rank(&set.senior_level) else {
            return findings;
        };
        let mut meetings: Vec<&Meeting> = current
            .body
            .meetings
            .iter()
            .filter(|m| !m.attendees.is_empty() && m.date <= cx.now)
            .collect();
        meetings.sort_by_key(|m| (m.date, m.line));
        for contact in current
            .front
            .contacts
            .iter()
            .filter(|c| c.side == Side::Partner)
        {
            let Some(rank) = contact.level.as_deref().and_then(|l| cx.ladder.rank(l)) else {
                continue;
            };
            if rank > senior {
                continue;
            }
            if let Some(absence) = absence(&meetings, &contact.name, set, cx.now) {
                let level = contact.level.as_deref().unwrap_or_default();
                findings.push(absence.finding(current, &contact.name, level));
            }
        }
        findings
    }
}

/// A senior contact's absence, measured against their own rhythm.
struct Absence<'a> {
    last: &'a Meeting,
    /// Median days between the meetings they attended.
    usual: f64,
    /// Days from the last meeting they attended to now.
    away: i64,
    /// Meetings (with an attendance line) held without them since.
    missed: Vec<&'a Meeting>,
}

/// The absence of `name` from `meetings` (sorted, with attendance lines), when it is longer
/// than `absence_factor` times their usual interval and meetings went on without them.
fn absence<'a>(
    meetings: &[&'a Meeting],
    name: &str,
    set: &crate::signs::settings::ContactDowngrade,
    now: Date,
) -> Option<Absence<'a>> {
    let mut attended_dates: Vec<Date> = meetings
        .iter()
        .filter(|m| attended(m, name))
        .map(|m| m.date)
        .collect();
    attended_dates.dedup();
    if attended_dates.len() < set.min_attended.max(2) {
        return None;
    }
    let usual = median(&mut gaps(&attended_dates))?;
    let at = meetings.iter().rposition(|m| attended(m, name))?;
    let last = meetings[at];
    let missed: Vec<&Meeting> = meetings[at + 1..]
        .iter()
        .copied()
        .filter(|m| m.date > last.date)
        .collect();
    let away = last.date.days_until(now);
    let limit = set.absence_factor * usual.max(1.0);
    (missed.len() >= set.min_missed.max(1) && away as f64 > limit + 1e-9).then_some(Absence {
        last,
        usual,
        away,
        missed,
    })
}

impl Absence<'_> {
    fn finding(&self, current: &Snapshot, name: &str, level: &str) -> Finding {
        let n = self.missed.len();
        let template = format!(
            "{{name}} ({{level}}) last attended on {{last}} ({{away}} days ago, against a usual \
             {{usual}} days between their meetings); {{missed}} meeting{} held without them since",
            if n == 1 { " was" } else { "s were" }
        );
        let facts = vec![
            Fact::new("name", FactValue::Text(name.to_string())).of("contacts.name"),
            Fact::new("level", FactValue::Text(level.to_string())).of("contacts.level"),
            Fact::new("last", FactValue::Date(self.last.date)),
            Fact::new("away", FactValue::Number(self.away as f64)),
            Fact::new("usual", FactValue::Number(self.usual.round())),
            Fact::new("missed", FactValue::Number(n as f64)),
        ];
        let title = |m: &Meeting| Fact::new("title", FactValue::Text(m.title.clone()));
        let mut evidence = vec![Evidence::dated(self.last.date, "", None).stating(
            "{title}: attended",
            vec![title(self.last)],
            None,
        )];
        // The latest meetings without them: enough to see the pattern, not every weekly sync.
        let shown = self.missed.len().saturating_sub(5);
        evidence.extend(self.missed[shown..].iter().map(|m| {
            Evidence::dated(m.date, "", None).stating(
                "{title}: {attendees}",
                vec![
                    title(m),
                    Fact::new("attendees", FactValue::Text(m.attendees.join(", "))),
                ],
                None,
            )
        }));
        let line = self.missed.last().map_or(1, |m| m.line);
        // Meetings held without them, not a name or a number of days: a redacted contact does
        // not show in the measure, and it moves only when the ledger records another meeting.
        finding(
            &CONTACT_DOWNGRADE,
            current,
            format!("attendance:{name}"),
            "",
        )
        .stating(&template, facts)
        .at_line(line)
        .evidence(evidence)
        .measure(Measure::new(
            "attendance.meetings_missed",
            n as f64,
            Worse::Higher,
        ))
    }
}

static MEETING_CADENCE_DROP: RuleInfo = RuleInfo {
    id: "meeting-cadence-drop",
    sign: sign::COMMUNICATION,
    title: "Meetings are thinning out",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "For `onboarding` and `active` partnerships with meetings in the current file (dated \
        on or before now): no meeting for more than {max_silence_days}; or the time since \
        the last meeting, or else the gap between the last two meetings, is more than {factor} \
        times the median gap between the meetings before it, which needs at least \
        {min_earlier_meetings} meetings before that gap.",
    why: "Sign 11: communication breaks down. Regular reviews are the governance of a partnership; \
        when they thin out, problems go unraised until they are crises.",
    example: "## 2024-01-10, ## 2024-01-24, ## 2024-02-07, ## 2024-02-21, then nothing (analysed on 2024-04-01)\n→ 40 days since the last meeting on 2024-02-21, 2.9× the usual 14 days between meetings",
    fix: "Put a recurring governance meeting in both sides' calendars, with an agenda (KPIs, SLAs, \
        open items) and leaders from both sides, and record each one in the file.",
};

fn gaps(dates: &[Date]) -> Vec<f64> {
    dates
        .windows(2)
        .map(|w| w[0].days_until(w[1]) as f64)
        .collect()
}

impl Rule for MeetingCadenceDrop {
    fn info(&self) -> &'static RuleInfo {
        &MEETING_CADENCE_DROP
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.meeting_cadence_drop;
        let Some(current) = timeline.current() else {
            return Vec::new();
        };
        let mut meetings: Vec<&Meeting> = current
            .body
            .meetings
            .iter()
            .filter(|m| m.date <= cx.now)
            .collect();
        meetings.sort_by_key(|m| (m.date, m.line));
        let mut dates: Vec<Date> = meetings.iter().map(|m| m.date).collect();
        dates.dedup();
        let (Some(&last), Some(last_meeting)) = (dates.last(), meetings.last()) else {
            return Vec::new();
        };
        let silence = last.days_until(cx.now);
        let usual = |dates: &[Date]| -> Option<f64> {
            if dates.len() < set.min_earlier_meetings.max(2) {
                return None;
            }
            median(&mut gaps(dates)).filter(|m| *m > 0.0)
        };
        let evidence = |from: usize| -> Vec<Evidence> {
            meetings[from.min(meetings.len())..]
                .iter()
                .map(|m| {
                    Evidence::dated(m.date, "", None).stating(
                        "meeting: {title}",
                        vec![Fact::new("title", FactValue::Text(m.title.clone()))],
                        None,
                    )
                })
                .collect()
        };
        let from = meetings.len().saturating_sub(4);
        // With the message, the days of the gap it reports: the silence up to now, or the gap
        // between the last two meetings. Analysed at the same now, a meeting recorded after the
        // last one can only shorten it.
        let days = |name: &str, d: i64| Fact::new(name, FactValue::Number(d as f64));
        let last_fact = Fact::new("last", FactValue::Date(last));
        let found = if silence > set.max_silence_days {
            Some((
                "no meeting for {silence} days (the last was on {last})",
                vec![days("silence", silence), last_fact],
                silence,
            ))
        } else if let Some(median) = usual(&dates).filter(|m| silence as f64 > set.factor * m) {
            Some((
                "{silence} days since the last meeting on {last}, {factor}× the usual {usual} \
                 days between meetings",
                vec![
                    days("silence", silence),
                    last_fact,
                    Fact::new("factor", FactValue::Rate(silence as f64 / median)),
                    Fact::new("usual", FactValue::Number(median.round())),
                ],
                silence,
            ))
        } else if dates.len() >= 2 {
            let gap = dates[dates.len() - 2].days_until(last);
            usual(&dates[..dates.len() - 1])
                .filter(|m| gap as f64 > set.factor * m)
                .map(|median| {
                    (
                        "{gap} days between the last two meetings ({before} to {last}), \
                         {factor}× the usual {usual} days",
                        vec![
                            days("gap", gap),
                            Fact::new("before", FactValue::Date(dates[dates.len() - 2])),
                            last_fact,
                            Fact::new("factor", FactValue::Rate(gap as f64 / median)),
                            Fact::new("usual", FactValue::Number(median.round())),
                        ],
                        gap,
                    )
                })
        } else {
            None
        };
        match found {
            Some((template, facts, days)) => vec![
                finding(&MEETING_CADENCE_DROP, current, "meetings", "")
                    .stating(template, facts)
                    .at_line(last_meeting.line)
                    .evidence(evidence(from))
                    .measure(Measure::new(
                        "meetings.gap_days",
                        days as f64,
                        Worse::Higher,
                    )),
            ],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, Setup, date, evidence, front, run};

    /// The measure of the only finding of `rule` on `timeline` at `now`.
    fn measure(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Measure {
        let findings = run(rule, timeline, now);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].measure.clone().expect("a measure")
    }

    fn primary(name: &str, level: &str) -> String {
        front(&format!(
            "contacts:\n  - {{ name: {name}, side: partner, level: {level}, primary: true }}\n  - {{ name: Ola Berg, side: partner, level: staff }}\n"
        ))
    }

    #[test]
    fn executive_replaced_by_manager_is_an_error() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-06-01", &primary("Tom Ng", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-06-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as primary contact by Tom Ng (manager): down two levels"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-01-15 c000000 primary contact: Dana Whitfield (executive)",
                "2024-06-01 c000001 primary contact: Tom Ng (manager)"
            ]
        );
        assert_eq!(findings[0].path.as_deref(), Some("contacts[0].level"));
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "contacts.partner-lead.levels_down",
                2.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn handed_down_further_measures_worse() {
        let down = |levels: &[&str]| {
            let mut history = History::new();
            for (i, level) in levels.iter().enumerate() {
                let name = ["Dana Whitfield", "Tom Ng", "Lee Park"][i];
                history = history.version(&format!("2024-0{}-01", i + 1), &primary(name, level));
            }
            measure(&ContactDowngrade, &history.build(), "2024-06-02")
        };
        let milder = down(&["executive", "director"]);
        assert_eq!(
            down(&["executive", "manager"]).since(&milder),
            Movement::Worse
        );
        // Down two, then back up one: where things stand is one level down, as before.
        assert_eq!(
            down(&["executive", "manager", "director"]).since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn a_drop_in_steps_within_the_window_adds_up() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-02-01", &primary("Tom Ng", "director"))
            .version("2024-07-01", &primary("Lee Park", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as primary contact by Lee Park (manager): down two levels in 5 months"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-01-15 c000000 primary contact: Dana Whitfield (executive)",
                "2024-02-01 c000001 primary contact: Tom Ng (director)",
                "2024-07-01 c000002 primary contact: Lee Park (manager)"
            ]
        );
        // A rise in between starts the count again.
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "director"))
            .version("2024-02-01", &primary("Tom Ng", "manager"))
            .version("2024-03-01", &primary("Dana Whitfield", "director"))
            .version("2024-07-01", &primary("Lee Park", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-02");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (director) was replaced as primary contact by Lee Park (manager): down one level"
        );
    }

    #[test]
    fn same_level_replacement_stays_silent() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-06-01", &primary("Tom Ng", "executive"))
            .build();
        assert!(run(&ContactDowngrade, &timeline, "2024-06-02").is_empty());
        // Down and back up again: nothing left to say.
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-03-01", &primary("Tom Ng", "director"))
            .version("2024-06-01", &primary("Lee Park", "executive"))
            .build();
        assert!(run(&ContactDowngrade, &timeline, "2024-06-02").is_empty());
    }

    #[test]
    fn a_partial_recovery_is_graded_by_the_current_lead() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-03-01", &primary("Tom Ng", "manager"))
            .version("2024-06-01", &primary("Lee Park", "director"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-06-02");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as primary contact by Lee Park (director): down one level"
        );
        assert_eq!(findings[0].evidence.len(), 3);
        assert_eq!(findings[0].measure.as_ref().map(|m| m.value), Some(1.0));
    }

    /// A year as an alliance team writes it: a weekly working sync the managers attend, and a
    /// leadership review where the partner's executive joins on the dates in `reviews`
    /// (`review_title` names it, `who` the people). Meetings run until `until`.
    struct Year<'a> {
        contacts: &'a str,
        sync: (&'a str, &'a str),
        review: (&'a str, &'a str),
        reviews: &'a [&'a str],
        until: &'a str,
    }

    impl Year<'_> {
        fn text(&self) -> String {
            let mut text = front(self.contacts);
            let mut day = date("2024-01-08");
            let until = date(self.until);
            let mut dates: Vec<(Date, bool)> =
                self.reviews.iter().map(|d| (date(d), true)).collect();
            while day <= until {
                dates.push((day, false));
                day = day.add_days(7);
            }
            dates.sort();
            for (day, review) in dates {
                let (title, who) = if review { self.review } else { self.sync };
                text.push_str(&format!(
                    "## {day} {title}\n{who}\n\nNotes of the week.\n\n"
                ));
            }
            text
        }
    }

    const ENGLISH: &str = "contacts:\n  - { name: Dana Whitfield, side: partner, level: executive, primary: true }\n  - { name: Tom Ng, side: partner, level: manager }\n  - { name: Priya Raman, side: ours, level: manager }\n";
    const CHINESE: &str = "contacts:\n  - { name: 王伟, side: partner, level: executive, primary: true }\n  - { name: 李娜, side: partner, level: manager }\n  - { name: 陈静, side: ours, level: manager }\n";

    fn english(reviews: &[&str], until: &str) -> String {
        Year {
            contacts: ENGLISH,
            sync: ("Working sync", "Attendees: Tom Ng, Priya Raman"),
            review: (
                "Quarterly business review",
                "Attendees: Dana Whitfield, Tom Ng, Priya Raman",
            ),
            reviews,
            until,
        }
        .text()
    }

    fn chinese(reviews: &[&str], until: &str) -> String {
        Year {
            contacts: CHINESE,
            sync: ("周例会", "参会人员：李娜、陈静"),
            review: ("季度业务回顾", "参会人员：王伟、李娜、陈静"),
            reviews,
            until,
        }
        .text()
    }

    const QUARTERLY: &[&str] = &["2024-01-17", "2024-04-17", "2024-07-17"];

    #[test]
    fn an_executive_keeping_a_quarterly_rhythm_has_not_stopped_appearing() {
        // Ten weekly syncs without her since July: she comes every quarter, the next is due.
        for text in [
            english(QUARTERLY, "2024-09-16"),
            chinese(QUARTERLY, "2024-09-16"),
        ] {
            let timeline = History::new().version("2024-09-17", &text).build();
            let findings = run(&ContactDowngrade, &timeline, "2024-09-20");
            assert!(findings.is_empty(), "{findings:#?}");
        }
    }

    #[test]
    fn without_a_primary_the_lead_is_named_the_most_senior_partner_contact() {
        let team = |lead: &str, level: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {lead}, side: partner, level: {level} }}\n  - {{ name: Ola Berg, side: partner, level: staff }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &team("Dana Whitfield", "executive"))
            .version("2024-06-01", &team("Tom Ng", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-01");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as most senior partner contact by Tom Ng (manager): down two levels"
        );
        let said = format!("{} {:?}", findings[0].message, evidence(&findings[0]));
        assert!(!said.contains("primary"), "{said}");
    }

    #[test]
    fn a_renamed_lead_with_the_same_email_is_the_same_person() {
        let lead = |name: &str, level: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {name}, side: partner, level: {level}, primary: true, email: dana@northwind.example }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &lead("Dana Whitfeld", "executive"))
            .version("2024-06-01", &lead("Dana Whitfield", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-01");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield went from executive to manager as primary contact: down two levels"
        );
    }

    #[test]
    fn an_executive_who_skips_two_quarterly_reviews_has_stopped_appearing() {
        // The same rhythm, but nothing since January: 247 days against a usual 91.
        let reviews = &["2023-10-18", "2024-01-17"];
        let english_text = english(reviews, "2024-09-16");
        let timeline = History::new().version("2024-09-17", &english_text).build();
        let findings = run(&ContactDowngrade, &timeline, "2024-09-20");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) last attended on 2024-01-17 (247 days ago, against a usual 91 days between their meetings); 35 meetings were held without them since"
        );
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].subject, "attendance:Dana Whitfield");
        // The meeting she last came to, then the latest five held without her.
        assert_eq!(findings[0].evidence.len(), 6);
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "attendance.meetings_missed",
                35.0,
                Worse::Higher
            ))
        );
        let timeline = History::new()
            .version("2024-09-17", &chinese(reviews, "2024-09-16"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-09-20");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert!(
            findings[0]
                .message
                .starts_with("王伟 (executive) last attended on 2024-01-17")
        );

        // A later weekly sync without her measures worse; a meeting without an attendance line
        // says nothing about who came.
        let milder = findings[0].measure.clone().expect("a measure");
        let longer = chinese(reviews, "2024-09-23");
        let timeline = History::new().version("2024-09-24", &longer).build();
        assert_eq!(
            measure(&ContactDowngrade, &timeline, "2024-09-25").since(&milder),
            Movement::Worse
        );
        let unrecorded =
            chinese(reviews, "2024-09-16") + "## 2024-09-23 周例会\n未记录参会人员。\n";
        let timeline = History::new().version("2024-09-24", &unrecorded).build();
        assert_eq!(
            measure(&ContactDowngrade, &timeline, "2024-09-25").since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn one_missed_monthly_meeting_is_a_diary_clash_two_are_a_pattern() {
        let monthly = |absent_from: usize| {
            let mut text = front(ENGLISH);
            for month in 1..=6 {
                let who = if month >= absent_from {
                    "Tom Ng, Priya Raman"
                } else {
                    "Dana Whitfield, Tom Ng, Priya Raman"
                };
                text.push_str(&format!(
                    "## 2024-0{month}-10 Monthly review\nAttendees: {who}\n\nPipeline and support figures.\n\n"
                ));
            }
            text
        };
        // Monthly until May, absent in June: 71 days away on 2024-07-20, one meeting missed.
        let timeline = History::new().version("2024-06-11", &monthly(6)).build();
        assert!(run(&ContactDowngrade, &timeline, "2024-07-20").is_empty());
        // Absent in May and June: two meetings missed, 101 days against a usual 30.
        let timeline = History::new().version("2024-06-11", &monthly(5)).build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-20");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert!(
            findings[0]
                .message
                .ends_with("(101 days ago, against a usual 31 days between their meetings); 2 meetings were held without them since"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn one_attendance_gives_no_rhythm_and_a_configured_factor_is_read() {
        let once = english(&["2024-01-17"], "2024-09-16");
        let timeline = History::new().version("2024-09-17", &once).build();
        assert!(run(&ContactDowngrade, &timeline, "2024-09-20").is_empty());
        // Quarterly, 65 days since July: silent at the default factor of 2, reported at 0.5.
        let text = english(QUARTERLY, "2024-09-16");
        let timeline = History::new().version("2024-09-17", &text).build();
        let mut setup = Setup::default();
        setup.settings.contact_downgrade.absence_factor = 0.5;
        let findings = ContactDowngrade.check(&timeline, &setup.context("2024-09-20"));
        assert_eq!(findings.len(), 1, "{findings:#?}");
    }

    fn cadence(dates: &[&str]) -> String {
        let mut text = front("");
        for d in dates {
            text.push_str(&format!("## {d} Review\nNotes.\n\n"));
        }
        text
    }

    #[test]
    fn silence_after_a_regular_cadence() {
        let text = cadence(&["2024-01-10", "2024-01-24", "2024-02-07", "2024-02-21"]);
        let timeline = History::new().version("2024-02-21", &text).build();
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-04-01");
        assert_eq!(
            findings[0].message,
            "40 days since the last meeting on 2024-02-21, 2.9× the usual 14 days between meetings"
        );
        assert_eq!(evidence(&findings[0]).len(), 4);
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-06-01");
        assert_eq!(
            findings[0].message,
            "no meeting for 101 days (the last was on 2024-02-21)"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("meetings.gap_days", 101.0, Worse::Higher))
        );
    }

    #[test]
    fn a_longer_gap_measures_worse() {
        let gap = |dates: &[&str]| {
            let text = cadence(dates);
            let timeline = History::new().version("2024-04-10", &text).build();
            measure(&MeetingCadenceDrop, &timeline, "2024-04-12")
        };
        const REGULAR: [&str; 4] = ["2024-01-10", "2024-01-24", "2024-02-07", "2024-02-21"];
        let milder = gap(&[&REGULAR[..], &["2024-03-25"]].concat());
        assert_eq!(milder.value, 33.0);
        let longer = gap(&[&REGULAR[..], &["2024-04-10"]].concat());
        assert_eq!(longer.since(&milder), Movement::Worse);
        // No meeting at all since 2024-02-21 is worse still, at the same date.
        assert_eq!(gap(&REGULAR).since(&longer), Movement::Worse);
        // The same 33 days after a slightly different cadence.
        let other = gap(&[
            "2024-01-09",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-03-25",
        ]);
        assert_eq!(other.since(&milder), Movement::Same);
    }

    #[test]
    fn a_long_gap_between_the_last_two_meetings() {
        let text = cadence(&[
            "2024-01-10",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-04-10",
        ]);
        let timeline = History::new().version("2024-04-10", &text).build();
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-04-12");
        assert_eq!(
            findings[0].message,
            "49 days between the last two meetings (2024-02-21 to 2024-04-10), 3.5× the usual 14 days"
        );
    }

    #[test]
    fn regular_meetings_stay_silent() {
        let text = cadence(&[
            "2024-01-10",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-03-06",
        ]);
        let timeline = History::new().version("2024-03-06", &text).build();
        assert!(run(&MeetingCadenceDrop, &timeline, "2024-04-01").is_empty());
    }
}
